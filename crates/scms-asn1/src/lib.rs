//! Strict, canonical COER (ITU-T X.696) codec and the ASN.1 types of IEEE 1609.2 and
//! of the CAMP SCMS protocol.
//!
//! Decoding is canonical and bounded: trailing bytes, non-minimal lengths and integers,
//! DEFAULT values sent explicitly and unknown alternatives of non-extensible CHOICEs are
//! errors; nesting depth is limited and no allocation exceeds the bytes that remain.

#![forbid(unsafe_code)]

pub mod camp;
pub mod coer;
pub mod ieee1609dot2;
pub mod value;

pub use coer::{Coer, DecodeError};
pub use value::Value;
