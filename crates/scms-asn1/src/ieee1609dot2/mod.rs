//! IEEE 1609.2 types: the 2016 modules the CAMP ASN.1 imports (with the CRL modules),
//! plus the extension additions of 1609.2-2022 so current devices' data decodes.

pub mod base_types;
pub mod crl_base_types;
pub mod crl_protocol;
pub mod crl_ssp;
pub mod p2p;
pub mod schema;
pub mod wsa;

pub use base_types::*;
pub use crl_base_types::*;
pub use crl_protocol::*;
pub use crl_ssp::*;
pub use p2p::*;
pub use schema::*;
