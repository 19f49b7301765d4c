//! Networking helpers of the SCMS.
//!
//! - [`tls_material`]: the SCMS TLS root CA and the per-component TLS certificates (X.509,
//!   ECDSA P-256) for HTTPS and mutual TLS between the authorities, written as PEM files.
//! - [`http`] (feature `http`): HTTPS server and client plumbing on rustls (TLS 1.2/1.3,
//!   ECDHE-ECDSA AEAD suites), byte ranges, conditional downloads, the seed's error replies.
#![forbid(unsafe_code)]

#[cfg(feature = "http")]
pub mod http;
pub mod tls_material;

pub use tls_material::{TlsError, TlsIdentity, TlsRoot};
