//! `Ieee1609Dot2MaPcaInterface` (ma-pca.asn): the pre-linkage value and HPCR requests
//! of the Misbehavior Authority (MA) to a Pseudonym Certificate Authority (PCA).

use super::base_types::*;
use super::errors::ScopedMaPcaError;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the MA and the PCA.
    pub enum MaPcaInterfacePDU {
        MaPcaPreLinkageValueRequest(MaPcaPreLinkageValueRequestMsg),
        PcaMaPreLinkageValueResponse(PcaMaPreLinkageValueResponseMsg),
        MaPcaHPCRRequest(MaPcaHPCRRequestMsg),
        PcaMaHPCRResponse(PcaMaHPCRResponseMsg),
    }
    extensible {}
}

asn_sequence! {
    /// Used by the MA to request the PLVs of linkage values from the PCA.
    pub struct MaPcaPreLinkageValueRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedMaPcaPreLinkageValueRequestMsg,
        /// `SEQUENCE (SIZE (0..MAX)) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The PLV request data the MA signs.
    pub struct ToBeSignedMaPcaPreLinkageValueRequestMsg {
        pub ma_id: MaHostnameId,
        /// `SEQUENCE (SIZE (0..MAX)) OF LinkageValue`.
        pub linkage_values: Vec<LinkageValue>,
        /// `SEQUENCE (SIZE (0..MAX)) OF GroupLinkageValue`.
        pub group_linkage_values: Vec<GroupLinkageValue>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the PCA to respond to a `MaPcaPreLinkageValueRequestMsg`.
    pub struct PcaMaPreLinkageValueResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub pca_id: PcaHostnameId,
        pub plv_info: Vec<Lv2Plv>,
    }
}

asn_sequence! {
    /// A linkage value and its encrypted PLV (or an error).
    pub struct Lv2Plv {
        pub lv: LinkageValue,
        pub reply: Lv2PlvReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `Lv2Plv`.
    pub enum Lv2PlvReply {
        Success(EncryptedPlvAndHostInfo),
        Failure(ScopedMaPcaError),
    }
}

asn_sequence! {
    /// Used by the MA to request the hashes of pseudonym certificate requests (HPCR).
    pub struct MaPcaHPCRRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedMaPcaHPCRRequestMsg,
        /// `SEQUENCE (SIZE (0..MAX)) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The HPCR request data the MA signs.
    pub struct ToBeSignedMaPcaHPCRRequestMsg {
        pub ma_id: MaHostnameId,
        pub linkage_values as "linkage-values": Vec<LinkageValue>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the PCA to respond to a `MaPcaHPCRRequestMsg`.
    pub struct PcaMaHPCRResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub pca_id: PcaHostnameId,
        pub hpcrinfo: Vec<Lv2HPCR>,
    }
}

asn_sequence! {
    /// A linkage value and its HPCR (or an error).
    pub struct Lv2HPCR {
        pub lv: LinkageValue,
        pub reply: Lv2HPCRReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `Lv2HPCR`.
    pub enum Lv2HPCRReply {
        Success(HPCRAndHostInfo),
        Failure(ScopedMaPcaError),
    }
}
