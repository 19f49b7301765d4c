//! `IEEE1609dot2Crl` (`1609dot2/crl-protocol.asn`): the secured CRL and the CRL request.

use super::base_types::{Opaque, Psid};
use super::schema::Ieee1609Dot2Data;
use crate::asn_sequence;

/// CrlPsid ::= Psid(256) (the schema notes this placeholder may change; 0x100)
pub type CrlPsid = Psid;

/// The value of CrlPsid.
pub const CRL_PSID: Psid = Psid::new(256);

/// SecuredCrl ::= Ieee1609Dot2Data (signedData whose payload's unsecuredData CONTAINS
/// CrlContents, psid CrlPsid and no other header field; checked by scms-core)
pub type SecuredCrl = Ieee1609Dot2Data;

asn_sequence! {
    /// CrlRequest: a place-holder request for a CRL.
    pub struct CrlRequest {
        pub content: Opaque,
    }
    extensible {}
}
