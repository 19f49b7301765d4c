//! The certificate authorities at the top of the SCMS (Root CA, ICA, electors) and the
//! key ceremony that creates a complete SCMS hierarchy (`scms init`).

#![forbid(unsafe_code)]

pub mod ceremony;
pub mod config;
pub mod layout;

pub use ceremony::{init, CeremonyError, InitReport};
pub use config::Config;
pub use layout::Layout;
