//! `Ieee1609Dot2EcaEndEntityInterface` (eca-ee.asn): the messages between the
//! Enrollment Certificate Authority (ECA) and end entities.

use super::base_types::*;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the ECA and end entities.
    #[allow(clippy::large_enum_variant)]
    pub enum EcaEndEntityInterfacePDU {
        EeEcaCertRequest(EeEcaCertRequest),
        EcaEeCertResponse(EcaEeCertResponse),
    }
    extensible {}
}

asn_sequence! {
    /// Used by the EE to request an enrollment certificate from the ECA.
    pub struct EeEcaCertRequest {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub current_time: Time32,
        /// `ToBeSignedCertificate (WITH COMPONENTS {..., id (WITH COMPONENTS {...,
        /// linkageData ABSENT}), region PRESENT, appPermissions ABSENT,
        /// certIssuePermissions ABSENT, certRequestPermissions PRESENT,
        /// verifyKeyIndicator (WITH COMPONENTS {verificationKey})})`.
        pub tbs_data: ToBeSignedCertificate,
    }
    extensible {}
}

asn_sequence! {
    /// Used by the ECA to respond to an EE's enrollment certificate request.
    pub struct EcaEeCertResponse {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub request_hash: HashedId8,
        pub eca_cert: Certificate,
        pub enrollment_cert: ImplicitCertificate,
        pub priv_key_reconstruction: EccP256PrivateKeyReconstruction,
    }
    extensible {}
}
