//! `Ieee1609Dot2PcaRaInterface` (pca-ra.asn): the certificate requests of the
//! Registration Authority (RA) to a Pseudonym Certificate Authority (PCA) and the
//! PCA's (signed, encrypted) certificate responses.

use super::base_types::*;
use super::errors::ScopedPcaRaError;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the PCA and the RA.
    pub enum PcaRaInterfacePDU {
        RaPcaCertRequest(RaPcaCertRequestMsg),
        PcaRaCertResponse(PcaRaCertResponseMsg),
    }
    extensible {}
}

asn_sequence! {
    /// Used by the RA to request certificates for an OBE from the PCA.
    pub struct RaPcaCertRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub ra_id: RaHostnameId,
        pub cert_request_info as "cert-request-info": RaPcaCertRequestMsgCertRequestInfo,
    }
}

asn_choice! {
    /// The inline `cert-request-info` CHOICE of `RaPcaCertRequestMsg`.
    pub enum RaPcaCertRequestMsgCertRequestInfo {
        PseudonymCertReq as "pseudonym-cert-req" (PseudonymCertRequestInfo),
        AuthCertReq as "auth-cert-req" (IdCertRequestInfo),
    }
    extensible {}
}

asn_sequence! {
    /// The information of one OBE pseudonym certificate request.
    pub struct PseudonymCertRequestInfo {
        pub psid_ssp: SequenceOfPsidSsp,
        pub performance_assurance_level: Option<SubjectAssurance>,
        pub region: Option<GeographicRegion>,
        /// The week number i of the certificate.
        pub i_value: IValue,
        pub pca_id as "pca-id": PcaHostnameId,
        /// The caterpillar signing key B, used to derive the certificate's key.
        pub sig_butterfly_key_b as "sig-butterfly-key-B": EccP256CurvePoint,
        pub la1_id as "la1-id": LaHostnameId,
        pub la2_id as "la2-id": LaHostnameId,
        pub enc_plv1 as "enc-plv1": EncryptedIndividualPLV,
        pub enc_plv2 as "enc-plv2": EncryptedIndividualPLV,
        /// DEPRECATED: group linkage value information.
        pub group_linkage_info as "group-linkage-info": Option<PseudonymCertRequestInfoGroupLinkageInfo>,
        /// The butterfly encryption key H, used by the PCA to encrypt the response.
        pub enc_butterfly_key_h as "enc-butterfly-key-H": EccP256CurvePoint,
    }
}

asn_sequence! {
    /// The inline `group-linkage-info` SEQUENCE of `PseudonymCertRequestInfo`.
    pub struct PseudonymCertRequestInfoGroupLinkageInfo {
        pub gla1_id as "gla1-id": LaHostnameId,
        pub gla2_id as "gla2-id": LaHostnameId,
        pub enc_gplv1 as "enc-gplv1": EncryptedGroupPLV,
        pub enc_gplv2 as "enc-gplv2": EncryptedGroupPLV,
    }
}

asn_sequence! {
    /// The information of one identification certificate request.
    pub struct IdCertRequestInfo {
        pub pca_id as "pca-id": PcaHostnameId,
        /// Explicit or implicit.
        pub r#type: CertificateType,
        /// `ToBeSignedCertificate (WITH COMPONENTS {..., crlSeries(0), appPermissions})`.
        pub to_be_signed_cert as "to-be-signed-cert": ToBeSignedCertificate,
        pub response_encryption_key as "response-encryption-key": EccP256CurvePoint,
    }
}

asn_sequence! {
    /// The PCA's response to a `RaPcaCertRequestMsg`.
    pub struct PcaRaCertResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub pca_id as "pca-id": PcaHostnameId,
        pub reply: PcaRaCertResponseMsgReply,
    }
    extensible {}
}

asn_choice! {
    /// The inline `reply` CHOICE of `PcaRaCertResponseMsg`.
    #[allow(clippy::large_enum_variant)]
    pub enum PcaRaCertResponseMsgReply {
        Success(PcaRaCertResponseMsgReplySuccess),
        Failure(ScopedPcaRaError),
    }
}

asn_choice! {
    /// The inline `success` CHOICE of `PcaRaCertResponseMsg.reply`.
    #[allow(clippy::large_enum_variant)]
    pub enum PcaRaCertResponseMsgReplySuccess {
        SignedEncrypted as "signed-encrypted" (SignedEncryptedCertificateResponse),
        Raw(PlaintextCertificateResponse),
    }
}

/// Signed 1609.2 data containing encrypted 1609.2 data: `Ieee1609Dot2Data` whose
/// `signedData` payload is `unsecuredData (CONTAINING
/// ToBeSignedEncryptedCertificateResponse)`, `extDataHash` ABSENT, `psid
/// (SecurityMgmtPsid)` and every other header field ABSENT.
pub type SignedEncryptedCertificateResponse = Ieee1609Dot2Data;

asn_sequence! {
    /// The certificate response the PCA signs when sending pseudonym certificates to the RA.
    pub struct ToBeSignedEncryptedCertificateResponse {
        pub psid_ssp: SequenceOfPsidSsp,
        pub expiration: Time32,
        pub lifetime: Duration,
        pub encrypted_cert as "encrypted-cert": EncryptedCertificateData,
    }
}

/// The encrypted certificate: `Ieee1609Dot2Data` with `encryptedData` of exactly one
/// `rekRecipInfo` recipient; decrypts to a `DecryptedCertificateData`.
pub type EncryptedCertificateData = Ieee1609Dot2Data;

/// The plaintext certificate data the EE obtains by decryption: `Ieee1609Dot2Data`
/// with `unsecuredData (CONTAINING PlaintextCertificateResponse)`.
pub type DecryptedCertificateData = Ieee1609Dot2Data;

asn_choice! {
    /// The certificate data created by the PCA.
    pub enum PlaintextCertificateResponse {
        ImplicitButterfly as "implicit-butterfly" (ImplicitCertResponse),
        Implicit(ImplicitCertResponse),
        ExplicitButterfly as "explicit-butterfly" (ButterflyExplicitCertResponse),
        Explicit(Certificate),
    }
}

asn_sequence! {
    /// An implicit certificate and its private key reconstruction value.
    pub struct ImplicitCertResponse {
        /// `Certificate (WITH COMPONENTS {..., type(implicit), issuer (WITH
        /// COMPONENTS {sha256AndDigest})})`.
        pub certificate: Certificate,
        pub priv_key_reconstruction_s as "priv-key-reconstruction-s": EccP256PrivateKeyReconstruction,
    }
}

asn_sequence! {
    /// An explicit butterfly certificate and the randomization value c for the EE.
    pub struct ButterflyExplicitCertResponse {
        /// `Certificate (WITH COMPONENTS {..., type(explicit), issuer (WITH
        /// COMPONENTS {sha256AndDigest})})`.
        pub certificate: Certificate,
        /// The randomization value c the EE adds to its butterfly private key.
        pub priv_key_reconstruction_c as "priv-key-reconstruction-c": EccP256PrivateKeyReconstruction,
    }
}
