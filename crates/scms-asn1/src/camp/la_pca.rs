//! `Ieee1609Dot2LaPcaInterface` (la-pca.asn): the key agreement between a Pseudonym
//! Certificate Authority (PCA) and a Linkage Authority (LA).

use super::base_types::*;
use super::errors::ScopedLaPcaError;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the LA and the PCA.
    #[allow(clippy::large_enum_variant)]
    pub enum LaPcaInterfacePDU {
        PcaLaKeyAgreementRequest(PcaLaKeyAgreementRequestMsg),
        LaPcaKeyAgreementResponse(LaPcaKeyAgreementResponseMsg),
        PcaLaKeyAgreementAck(PcaLaKeyAgreementAckMsg),
    }
    extensible {}
}

asn_sequence! {
    /// Used by the PCA to initiate key agreement with an LA.
    pub struct PcaLaKeyAgreementRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub pca_id: PcaHostnameId,
        pub pca_certificate: Option<Certificate>,
        /// `EncryptedData` with exactly one `certRecipInfo` recipient (the LA
        /// certificate); the ciphertext decrypts to a `PcaRandomContribution`.
        pub enc_r_pca as "enc-R-pca": EncryptedData,
        pub start_date: Time32,
        pub end_date: Time32,
    }
}

/// The PCA's 256-bit random contribution R_pca: `OCTET STRING (SIZE(32))`.
pub type PcaRandomContribution = [u8; 32];

asn_sequence! {
    /// Used by the LA to respond to a `PcaLaKeyAgreementRequestMsg`.
    pub struct LaPcaKeyAgreementResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        /// Hash of the original request.
        pub request_hash: HashedId8,
        pub la_id: LaHostnameId,
        /// `EncryptedData` with exactly one `certRecipInfo` recipient (the PCA
        /// certificate); the ciphertext decrypts to a `LaRandomContribution`.
        pub enc_r_la as "enc-R-la": EncryptedData,
        pub reply: LaPcaKeyAgreementResponseMsgReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `LaPcaKeyAgreementResponseMsg`.
    pub enum LaPcaKeyAgreementResponseMsgReply {
        Success(FullSizeHash),
        Failure(ScopedLaPcaError),
    }
}

/// The LA's 256-bit random contribution R_la: `OCTET STRING (SIZE(32))`.
pub type LaRandomContribution = [u8; 32];

asn_sequence! {
    /// Used by the PCA to acknowledge receipt of the LA's key agreement response.
    pub struct PcaLaKeyAgreementAckMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        /// Hash of the initial request.
        pub request_hash: HashedId8,
        pub pca_id: PcaHostnameId,
        pub reply: PcaLaKeyAgreementAckMsgReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `PcaLaKeyAgreementAckMsg`.
    pub enum PcaLaKeyAgreementAckMsgReply {
        Success(FullSizeHash),
        Failure(ScopedLaPcaError),
    }
}
