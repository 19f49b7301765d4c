//! `Ieee1609Dot2LaMaInterface` (la-ma.asn): the linkage information and linkage seed
//! requests of the Misbehavior Authority (MA) to a Linkage Authority (LA).

use super::base_types::*;
use super::errors::{ScopedLaMaLIError, ScopedLaMaLSError};
use crate::coer::VarInt;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_enumerated, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the LA and the MA.
    pub enum LaMaInterfacePDU {
        MaLaLinkageInfoRequest(MaLaLinkageInfoRequestMsg),
        LaMaLinkageInfoResponse(LaMaLinkageInfoResponseMsg),
        MaLaLinkageSeedRequest(MaLaLinkageSeedRequestMsg),
        LaMaLinkageSeedResponse(LaMaLinkageSeedResponseMsg),
    }
    extensible {}
}

asn_sequence! {
    /// Used by the MA to request linkage information from an LA.
    pub struct MaLaLinkageInfoRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedLIRequestMsg,
        /// `SEQUENCE (SIZE (0..MAX)) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The linkage information request data the MA signs.
    pub struct ToBeSignedLIRequestMsg {
        pub ma_id: MaHostnameId,
        /// `SEQUENCE (SIZE(0..MAX)) OF EncryptedPrelinkageValueAndDontCareFlag`.
        pub encrypted_plvs_and_flags as "encryptedPLVsAndFlags": Vec<EncryptedPrelinkageValueAndDontCareFlag>,
        /// `SEQUENCE (SIZE(0..MAX)) OF EncryptedGroupPrelinkageValueAndDontCareFlag`.
        pub encrypted_gplvs_and_flags as "encryptedGPLVsAndFlags": Vec<EncryptedGroupPrelinkageValueAndDontCareFlag>,
        pub expected_reply: ExpectedReply,
    }
    extensible {}
}

asn_sequence! {
    /// An encrypted PLV and whether the LA should process it.
    pub struct EncryptedPrelinkageValueAndDontCareFlag {
        pub encrypted_plv as "encryptedPLV": EncryptedIndividualPLV,
        pub dont_care_flag: bool,
    }
}

asn_sequence! {
    /// An encrypted group PLV and whether the LA should process it.
    pub struct EncryptedGroupPrelinkageValueAndDontCareFlag {
        pub encrypted_group_plv as "encryptedGroupPLV": EncryptedGroupPLV,
        pub dont_care_flag: bool,
    }
}

asn_enumerated! {
    /// The forms of reply the MA expects from the LA.
    pub enum ExpectedReply {
        ScalarAnswer = 0,
        IndicesLists = 1,
    }
}

asn_sequence! {
    /// Used by the LA to respond to a `MaLaLinkageInfoRequestMsg`.
    pub struct LaMaLinkageInfoResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub la_id: LaHostnameId,
        pub linkage_info: LaMaLinkageInfoResponseMsgLinkageInfo,
    }
}

asn_choice! {
    /// The inline `linkageInfo` CHOICE of `LaMaLinkageInfoResponseMsg`.
    pub enum LaMaLinkageInfoResponseMsgLinkageInfo {
        Success(LinkageInformation),
        Failure(ScopedLaMaLIError),
    }
}

asn_choice! {
    /// All linkage information of an LA response.
    pub enum LinkageInformation {
        Scalar(LinkageInformationScalar),
        IndicesList(LinkageInformationIndicesList),
    }
}

asn_sequence! {
    /// The inline `scalar` SEQUENCE of `LinkageInformation`.
    pub struct LinkageInformationScalar {
        /// Unconstrained `INTEGER`.
        pub matches: VarInt,
        /// Whether the lower bound is used.
        pub lower_bound: bool,
    }
}

asn_sequence! {
    /// The inline `indicesList` SEQUENCE of `LinkageInformation`: unknown, rejected
    /// and associated PLVs (`unkownPlv` is spelled so in the ASN.1).
    pub struct LinkageInformationIndicesList {
        pub unkown_plv: Vec<PreLinkageValue>,
        pub reject_plv: Vec<PreLinkageValue>,
        pub assoc_plv: Vec<Vec<PreLinkageValue>>,
    }
}

asn_sequence! {
    /// Used by the MA to request linkage seeds from an LA.
    pub struct MaLaLinkageSeedRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedLSRequestMsg,
        /// `SEQUENCE (SIZE (0..MAX)) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The linkage seed request data the MA signs.
    pub struct ToBeSignedLSRequestMsg {
        pub ma_id: MaHostnameId,
        pub lci: Vec<LinkageChainId>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the LA to respond to a `MaLaLinkageSeedRequestMsg`.
    pub struct LaMaLinkageSeedResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub la_id: LaHostnameId,
        pub ls_info: Vec<LCI2LS>,
    }
}

asn_sequence! {
    /// A requested linkage chain ID and its linkage seed (or an error).
    #[allow(clippy::upper_case_acronyms)]
    pub struct LCI2LS {
        pub lci: LinkageChainId,
        pub reply: LCI2LSReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `LCI2LS`.
    pub enum LCI2LSReply {
        Success(LinkageSeedAndLaId),
        Failure(ScopedLaMaLSError),
    }
}
