//! `Ieee1609Dot2MaRaInterface` (ma-ra.asn): the blacklisting, LCI and CDV requests of
//! the Misbehavior Authority (MA) to the Registration Authority (RA).

use super::base_types::*;
use super::errors::{ScopedMaRaBlacklistError, ScopedMaRaLCIError};
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the MA and the RA.
    pub enum MaRaInterfacePDU {
        MaRaBlacklistRequest(MaRaBlacklistRequestMsg),
        RaMaBlacklistResponse(RaMaBlacklistResponseMsg),
        MaRaLCIRequest(MaRaLCIRequestMsg),
        RaMaLCIResponse(RaMaLCIResponseMsg),
        MaRaRseObeIdBlacklistRequest(MaRaRseObeIdBlacklistRequestMsg),
        RaMaRseObeIdBlacklistResponse(RaMaRseObeIdBlacklistResponseMsg),
        MaRaCDVRequest(MaRaCDVRequestMsg),
        RaMaCDVResponse(RaMaCDVResponseMsg),
    }
    extensible {}
}

asn_sequence! {
    /// Used by the MA to request that the RA blacklist the devices behind HPCRs.
    pub struct MaRaBlacklistRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedBlacklistingInstructionMsg,
        /// `SEQUENCE SIZE (0..MAX) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The blacklisting instruction the MA signs: its ID and the HPCRs.
    pub struct ToBeSignedBlacklistingInstructionMsg {
        pub ma_id: MaHostnameId,
        pub hpcr: Vec<HPCR>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the RA to respond to a `MaRaBlacklistRequestMsg`.
    pub struct RaMaBlacklistResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub ra_id: RaHostnameId,
        pub status: Vec<BlacklistingStatus>,
    }
    extensible {}
}

asn_sequence! {
    /// The blacklisting status of one HPCR.
    pub struct BlacklistingStatus {
        pub hpcr: HPCR,
        pub reply: BlacklistingStatusReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `BlacklistingStatus`.
    pub enum BlacklistingStatusReply {
        Success(()),
        Failure(ScopedMaRaBlacklistError),
    }
}

asn_sequence! {
    /// Used by the MA to request linkage chain identifiers from the RA.
    pub struct MaRaLCIRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedLCIRequestMsg,
        /// `SEQUENCE SIZE (0..MAX) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The LCI request the MA signs: its ID and the HPCRs.
    pub struct ToBeSignedLCIRequestMsg {
        pub ma_id: MaHostnameId,
        pub hpcr: Vec<HPCR>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the RA to respond to a `MaRaLCIRequestMsg`.
    pub struct RaMaLCIResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub ra_id: RaHostnameId,
        pub lci_info: Vec<HPCR2LCI>,
    }
    extensible {}
}

asn_sequence! {
    /// Maps an HPCR to its LCIs (or an error).
    #[allow(clippy::upper_case_acronyms)]
    pub struct HPCR2LCI {
        pub hpcr: HPCR,
        pub reply: HPCR2LCIReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `HPCR2LCI`.
    pub enum HPCR2LCIReply {
        Success(HPCR2LCIReplySuccess),
        Failure(ScopedMaRaLCIError),
    }
}

asn_sequence! {
    /// The inline `success` SEQUENCE of `HPCR2LCI.reply`.
    pub struct HPCR2LCIReplySuccess {
        /// `OCTET STRING (SIZE(4))`.
        pub group_identifier: [u8; 4],
        pub info: LCIAndHostInfo,
    }
}

asn_sequence! {
    /// Used by the MA to request that the RA blacklist RSE/OBE identities (RIFs).
    pub struct MaRaRseObeIdBlacklistRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedRseObeIdBlacklistingInstructionMsg,
        /// `SEQUENCE SIZE (0..MAX) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The RSE/OBE ID blacklisting instruction the MA signs: its ID and the RIFs.
    pub struct ToBeSignedRseObeIdBlacklistingInstructionMsg {
        pub ma_id: MaHostnameId,
        pub rif: Vec<RIF>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the RA to respond to a `MaRaRseObeIdBlacklistRequestMsg`.
    pub struct RaMaRseObeIdBlacklistResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        /// Hash of the original request.
        pub request_hash: HashedId8,
        pub ra_id: RaHostnameId,
        pub status: Vec<RseObeIdBlacklistingStatus>,
    }
    extensible {}
}

asn_sequence! {
    /// The blacklisting status of one RIF.
    pub struct RseObeIdBlacklistingStatus {
        pub rif: RIF,
        pub reply: RseObeIdBlacklistingStatusReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `RseObeIdBlacklistingStatus`.
    pub enum RseObeIdBlacklistingStatusReply {
        Success(()),
        Failure(ScopedMaRaBlacklistError),
    }
}

asn_sequence! {
    /// Used by the MA to request certificate digest values (CDV) from the RA.
    pub struct MaRaCDVRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub tbs: ToBeSignedCDVRequestMsg,
        /// `SEQUENCE SIZE (0..MAX) OF Countersignature`.
        pub signatures: Vec<Countersignature>,
    }
}

asn_sequence! {
    /// The CDV request the MA signs: its ID and the RIFs.
    pub struct ToBeSignedCDVRequestMsg {
        pub ma_id: MaHostnameId,
        pub rif_values: Vec<RIF>,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the RA to respond to a `MaRaCDVRequestMsg`.
    pub struct RaMaCDVResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub ra_id: RaHostnameId,
        pub cdv_info: Vec<CdvInfo>,
    }
}

asn_sequence! {
    /// Maps a RIF to its certificate digests (or an error).
    pub struct CdvInfo {
        pub rif: RIF,
        pub reply: CdvInfoReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `CdvInfo`.
    pub enum CdvInfoReply {
        /// The certificate digests (`SEQUENCE OF HashedId10`) of the RIF.
        Success(Vec<HashedId10>),
        Failure(ScopedMaRaBlacklistError),
    }
}
