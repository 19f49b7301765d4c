//! Cryptographic primitives of the SCMS (USDOT/CAMP Proof-of-Concept design), pure and
//! without I/O.
//!
//! - [`ecdsa`]: ECDSA P-256/SHA-256 in the IEEE 1609.2 signature forms (prehashed digests).
//! - [`ecdh`], [`ecies`]: ECDH and the 1609.2 ECIES key wrap.
//! - [`ccm`], [`kdf`], [`mac`], [`hash`], [`block`]: AES-128-CCM, KDF2, HMAC-SHA-256, SHA-256,
//!   single-block AES / Davies–Meyer.
//! - [`implicit`]: implicit certificates (SEC 4 / ECQV) with the 1609.2 hash input.
//! - [`butterfly`]: butterfly key expansion (SCP1).
//! - [`linkage`]: linkage seeds, pre-linkage and linkage values, encrypted indices (SCP2).
//! - [`backend`]: point arithmetic behind [`backend::CurveBackend`], on RustCrypto `p256`
//!   (portable default) or OpenSSL.
//! - [`kat`]: runner for CAMP's crypto test vectors.
//!
//! Secrets ([`Secret`], [`PrivateKey`], [`Scalar`]) have redacted `Debug` output and are wiped
//! on drop.
#![forbid(unsafe_code)]

pub mod backend;
pub mod block;
pub mod butterfly;
pub mod ccm;
pub mod ecdh;
pub mod ecdsa;
pub mod ecies;
mod error;
pub mod hash;
pub mod implicit;
pub mod kat;
pub mod kdf;
pub mod linkage;
pub mod mac;
mod point;
mod scalar;
mod secret;

pub use backend::{default_backend, fast_backend, CurveBackend, OpenSslBackend, RustCryptoBackend};
pub use error::{Error, Result};
/// The operating system's CSPRNG (`getrandom`), usable wherever an RNG is taken.
pub use getrandom::SysRng as OsRng;
pub use point::{EccPoint, Point};
pub use scalar::{PrivateKey, Scalar};
pub use secret::{AesKey, Secret};
