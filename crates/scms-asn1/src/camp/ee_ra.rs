//! `Ieee1609Dot2EndEntityRaInterface` (ee-ra.asn): the messages between end entities
//! and the Registration Authority (RA): RA certificate, certificate provisioning
//! requests and acknowledgements, authenticated download.

use super::component_cert_management::CompositeCrl;
use crate::coer::Utf8String;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between end entities and the RA.
    #[allow(clippy::large_enum_variant)]
    pub enum EndEntityRaInterfacePDU {
        EeRaCertRequest(EeRaCertRequestMsg),
        RaEeCertResponse(RaEeCertResponseMsg),
        EeRaPseudonymCertProvisioningRequest(EeRaPseudonymCertProvisioningRequest),
        RaEePseudonymCertProvisioningAck(RaEePseudonymCertProvisioningAck),
        EeRaIdCertProvisioningRequest(EeRaIdCertProvisioningRequest),
        RaEeIdCertProvisioningAck(RaEeIdCertProvisioningAck),
        EeRaAppCertProvisioningRequest(EeRaAppCertProvisioningRequest),
        RaEeAppCertProvisioningAck(RaEeAppCertProvisioningAck),
        EeRaAuthenticatedDownloadRequest(AuthenticatedDownloadRequest),
    }
    extensible {}
}

asn_sequence! {
    /// Sent from an EE to the RA to request the RA's currently valid certificate.
    pub struct EeRaCertRequestMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The RA's reply to an EE's `EeRaCertRequestMsg`.
    pub struct RaEeCertResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub reply: RaEeCertResponseMsgReply,
    }
    extensible {}
}

asn_choice! {
    /// The inline `reply` CHOICE of `RaEeCertResponseMsg`.
    #[allow(clippy::large_enum_variant)]
    pub enum RaEeCertResponseMsgReply {
        Ack(RaEeCertResponseAck),
    }
    extensible {}
}

asn_sequence! {
    /// The RA's currently valid certificate and its Certificate Revocation List.
    pub struct RaEeCertResponseAck {
        pub ra_certificate: Certificate,
        pub crl: CompositeCrl,
    }
    extensible {}
}

asn_sequence! {
    /// When (and for which start of validity) certificates are requested.
    pub struct CommonProvisioningRequestFields {
        pub current_time as "current-time": Time32,
        pub requested_start_time as "requested-start-time": Time32,
    }
    extensible {}
}

asn_sequence! {
    /// The parameters (seed key and expansion value) of butterfly key expansion.
    pub struct UnsignedButterflyParams {
        pub seed_key as "seed-key": EccP256CurvePoint,
        pub expansion: [u8; 16],
    }
}

asn_sequence! {
    /// An EE's request for identification certificates (butterfly keys).
    pub struct EeRaIdCertProvisioningRequest {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub verify_key_info as "verify-key-info": UnsignedButterflyParams,
        pub cert_enc_key_info as "cert-enc-key-info": Option<UnsignedButterflyParams>,
        pub resp_enc_key_info as "resp-enc-key-info": UnsignedButterflyParams,
        pub common: CommonProvisioningRequestFields,
    }
    extensible {}
}

asn_sequence! {
    /// An EE's request for an application certificate (no butterfly keys).
    pub struct EeRaAppCertProvisioningRequest {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub verify_key as "verify-key": PublicVerificationKey,
        pub cert_encryption_key as "cert-encryption-key": Option<PublicEncryptionKey>,
        pub response_encryption_key as "response-encryption-key": PublicEncryptionKey,
        pub common: CommonProvisioningRequestFields,
    }
    extensible {}
}

asn_sequence! {
    /// An EE's request for pseudonym certificates (butterfly keys).
    pub struct EeRaPseudonymCertProvisioningRequest {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub verify_key_info as "verify-key-info": UnsignedButterflyParams,
        pub resp_enc_key_info as "resp-enc-key-info": UnsignedButterflyParams,
        pub common: CommonProvisioningRequestFields,
    }
    extensible {}
}

/// Enrollment certificate of the end entity, for pseudonym certificate requests:
/// `ImplicitCertificate (WITH COMPONENTS {..., toBeSigned (WITH COMPONENTS {...,
/// certRequestPermissions PRESENT})})`.
pub type EndEntityEnrollmentPseudonymCertificate = ImplicitCertificate;

asn_sequence! {
    /// The RA's acknowledgement of an EE's pseudonym certificate provisioning request.
    pub struct RaEePseudonymCertProvisioningAck {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        /// Hash of the original request (all zeroes if the RA cannot compute it).
        pub request_hash: HashedId8,
        pub reply: RaEePseudonymCertProvisioningAckReply,
    }
    extensible {}
}

asn_choice! {
    /// The inline `reply` CHOICE of `RaEePseudonymCertProvisioningAck`.
    pub enum RaEePseudonymCertProvisioningAckReply {
        Ack(PseudonymCertProvisioningAck),
    }
    extensible {}
}

asn_sequence! {
    /// When and where the EE may download the generated certificates.
    pub struct PseudonymCertProvisioningAck {
        pub cert_dl_time as "certDLTime": Time32,
        pub cert_dl_url as "certDLURL": Hostname,
    }
    extensible {}
}

/// The RA's acknowledgement of an EE's identification certificate provisioning request.
pub type RaEeIdCertProvisioningAck = RaEePseudonymCertProvisioningAck;

/// The RA's acknowledgement of an EE's application certificate provisioning request.
pub type RaEeAppCertProvisioningAck = RaEePseudonymCertProvisioningAck;

asn_sequence! {
    /// An EE's request to download a file from the RA, with the time of the request.
    pub struct AuthenticatedDownloadRequest {
        pub timestamp: Time32,
        /// `UTF8String (SIZE(0..255))`.
        pub filename: Utf8String<0, 255>,
    }
    extensible {}
}
