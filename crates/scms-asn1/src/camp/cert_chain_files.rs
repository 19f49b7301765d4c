//! `IEEE1609dot2-cert-chains` (cert-chain-files.asn): the global and local certificate
//! chain files (GCCF, LCCF) and the certificate store they carry.

use super::component_cert_management::ElectorBallot;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent type of all certificate chain files transferred between SCMS components.
    pub enum CertificateChainFiles {
        GlobalCertificateChainFile(GlobalCertificateChainFile),
        LocalCertificateChainFile(LocalCertificateChainFile),
    }
    extensible {}
}

asn_sequence! {
    /// The full certificates of all SCMS components (GCCF), signed by the Policy Generator.
    pub struct GlobalCertificateChainFile {
        /// The unique version number of this GCCF.
        pub version: Uint16,
        pub cert_store: CertificateStore,
    }
    extensible {}
}

asn_sequence! {
    /// The minimum set of certificates required by policy plus the local RA's selection
    /// (LCCF), signed by the Policy Generator.
    pub struct LocalCertificateChainFile {
        pub version: CompositeVersion,
        pub required_cert_store: CertificateStore,
        /// `SEQUENCE SIZE(0..MAX) OF Certificate`: the optional certificates.
        pub optional_cert_list: Vec<Certificate>,
    }
    extensible {}
}

asn_sequence! {
    /// The version numbers of each type of certificate chain file.
    pub struct CompositeVersion {
        /// The GCCF version used to generate this file.
        pub gccf_version: Uint16,
        /// The unique local version of this LCCF.
        pub lccf_version: Uint16,
        /// The RA that generated this LCCF.
        pub ra_hostname: Hostname,
    }
}

asn_sequence! {
    /// Root and elector endorsements plus the certificates EEs need to validate messages
    /// (lists of certificates, not 1609.2 chains).
    pub struct CertificateStore {
        /// `SEQUENCE SIZE(0..MAX) OF ElectorBallot`.
        pub root_ca_endorsements as "rootCAEndorsements": Vec<ElectorBallot>,
        /// `SEQUENCE SIZE(0..MAX) OF ElectorBallot`.
        pub elector_endorsements: Vec<ElectorBallot>,
        pub ma_certificate: Certificate,
        /// `SEQUENCE SIZE(0..MAX) OF Certificate`: all other SCMS components.
        pub certs: Vec<Certificate>,
    }
    extensible {}
}
