//! The rules of the SCMS, without I/O: IEEE 1609.2 signing, verification and
//! encryption with the exact hash inputs, and the checks every authority applies.

#![forbid(unsafe_code)]

pub mod artifact;
pub mod ballot;
pub mod chain;
pub mod convert;
pub mod encrypt;
mod error;
pub mod hash;
pub mod issue;
pub mod par;
pub mod pdu;
pub mod profile;
pub mod revocation;
pub mod sign;
pub mod signer;
pub mod time;
pub mod trust;

pub use error::CoreError;
