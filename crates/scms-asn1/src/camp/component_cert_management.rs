//! `Ieee1609Dot2ScmsComponentCertificateManagement` (component-cert-management.asn):
//! elector endorsements and ballots, and the composite CRL.

use super::protocol::SignedElectorEndorsement;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_enumerated, asn_sequence};

asn_choice! {
    /// The parent structure of all component certificate management data types.
    #[allow(clippy::large_enum_variant)]
    pub enum ScmsComponentCertificateManagementPDU {
        TbsElectorEndorsement(TbsElectorEndorsement),
    }
    extensible {}
}

asn_sequence! {
    /// An endorsement: a command (add/remove a root or elector) with the certificate
    /// concerned.
    pub struct TbsElectorEndorsement {
        pub r#type: EndorsementType,
        /// The certificate to add or remove.
        pub certificate: ExplicitCertificate,
        pub effective_time: Option<Time64>,
    }
}

asn_enumerated! {
    /// The action (add/remove) on a Root CA or Elector certificate.
    pub enum EndorsementType {
        AddRoot = 0,
        AddElector = 1,
        RemoveRoot = 2,
        RemoveElector = 3,
    } extensible
}

asn_sequence! {
    /// A ballot: signed endorsements, valid with signatures from a quorum of electors.
    pub struct ElectorBallot {
        /// `SEQUENCE SIZE(1..MAX) OF SignedElectorEndorsement`: each contains the same
        /// TbsElectorEndorsement.
        pub endorsements: Vec<SignedElectorEndorsement>,
    }
    extensible {}
}

asn_sequence! {
    /// A composite CRL: the 1609.2 CRLs, one per CRL series, and the ballots that revoked
    /// Root CAs and Electors.
    pub struct CompositeCrl {
        /// `SEQUENCE SIZE(0..MAX) OF SecuredCrl`: CRLs of all components except Root CAs and
        /// Electors.
        pub secured_crl_series: Vec<SecuredCrl>,
        /// `SEQUENCE SIZE(0..MAX) OF ElectorBallot`.
        pub revoked_root_cas as "revokedRootCAs": Vec<ElectorBallot>,
        /// `SEQUENCE SIZE(0..MAX) OF ElectorBallot`.
        pub revoked_electors: Vec<ElectorBallot>,
    }
    extensible {}
}
