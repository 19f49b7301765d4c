//! Networking helpers of the SCMS.
//!
//! - [`tls_material`]: the SCMS TLS root CA and the per-component TLS certificates (X.509,
//!   ECDSA P-256) for HTTPS and mutual TLS between the authorities, written as PEM files.
#![forbid(unsafe_code)]

pub mod tls_material;

pub use tls_material::{TlsError, TlsIdentity, TlsRoot};
