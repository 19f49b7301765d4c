//! `IEEE1609dot2-Peer2Peer` (`1609dot2/1609dot2-P2P.asn`): peer-to-peer distribution of
//! CA certificates and CRLs.

use super::base_types::Uint8;
use super::schema::Certificate;
use crate::{asn_choice, asn_sequence};

asn_sequence! {
    /// Ieee1609dot2Peer2PeerPDU: version (`Uint8(1)`) and the distributed content.
    pub struct Ieee1609dot2Peer2PeerPDU {
        pub version: Uint8,
        pub content: Ieee1609dot2Peer2PeerPDUContent,
    }
}

asn_choice! {
    /// The `content` CHOICE of Ieee1609dot2Peer2PeerPDU: CA certificates or a CRL.
    pub enum Ieee1609dot2Peer2PeerPDUContent {
        CaCerts(CaCertP2pPDU),
        Crl(CrlP2pPDU),
    }
    extensible {}
}

/// CaCertP2pPDU ::= SEQUENCE OF Certificate
pub type CaCertP2pPDU = Vec<Certificate>;

/// CrlP2pPDU ::= NULL
pub type CrlP2pPDU = ();
