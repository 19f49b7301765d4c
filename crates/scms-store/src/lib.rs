//! Persistence of the SCMS.
//!
//! - [`keystore`]: private keys and symmetric secrets of an authority in a directory of key
//!   files (mode 0600), in clear or encrypted at rest under a passphrase (Argon2id +
//!   AES-128-CCM).
//!
//! The SQLite stores of the authorities will join this crate.
#![forbid(unsafe_code)]

mod error;
mod fsutil;
pub mod keystore;
pub mod la;
pub mod ma;
pub mod pca;
pub mod ra;

pub use error::StoreError;
pub use keystore::{KdfParams, Keystore, Passphrase, SecretBytes};
