//! `IEEE1609dot2CrlSsp` (`1609dot2/crl-ssp.asn`): the service specific permissions of a CRL signer.

use super::base_types::{CrlSeries, Uint8};
use crate::{asn_enumerated, asn_sequence};

asn_sequence! {
    /// CrlSsp: the SSP of a CRL signer: version (`Uint8(1)`), CRACA relation and CRL series.
    pub struct CrlSsp {
        pub version: Uint8,
        pub associated_craca: CracaType,
        pub crls: PermissibleCrls,
    }
    extensible {}
}

asn_enumerated! {
    /// CracaType: whether the CRL signer is the CRACA or its issuer is.
    pub enum CracaType {
        IsCraca = 0,
        IssuerIsCraca = 1,
    }
}

/// PermissibleCrls ::= SEQUENCE OF CrlSeries
pub type PermissibleCrls = Vec<CrlSeries>;
