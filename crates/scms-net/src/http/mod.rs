//! HTTPS plumbing on rustls (feature `http`): TLS configurations ([`server_config`],
//! [`client_config`]), an HTTPS server loop for axum routers with graceful shutdown
//! ([`spawn_https`]), an HTTPS client trusting only the SCMS TLS root ([`HttpsClient`]) and
//! response helpers (byte ranges, `If-None-Match`, the seed's error convention).
//!
//! TLS: versions 1.3 and 1.2 only; certificates ECDSA P-256 (from [`crate::tls_material`]);
//! cipher suites: TLS 1.3 `TLS13_AES_128_GCM_SHA256`, `TLS13_AES_256_GCM_SHA384`,
//! `TLS13_CHACHA20_POLY1305_SHA256`, TLS 1.2 `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`
//! (`ECDHE-ECDSA-AES128-GCM-SHA256`), `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384`,
//! `TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256`. rustls has no CBC or CCM suites, so
//! the seed's minimum `ECDHE-ECDSA-AES128-SHA256` (CBC) is not offered.

mod client;
mod response;
mod server;
mod tls;

pub use client::{HttpsClient, RequestBody};
pub use response::{
    error_response, file_response, if_none_match_matches, not_modified, octets, parse_range,
    quoted_etag, ByteRange, OCTET_STREAM,
};
pub use server::{
    shutdown_channel, spawn_https, PeerInfo, ServerLimits, Shutdown, ShutdownTrigger,
};
pub use tls::{
    client_config, crypto_provider, server_config, ClientAuth, Credentials, CIPHER_SUITE_NAMES,
};

/// Why an HTTPS operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// TLS material could not be loaded.
    #[error(transparent)]
    Material(#[from] crate::TlsError),
    /// rustls refused a configuration or a handshake.
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    /// The client certificate verifier could not be built.
    #[error("TLS client verifier: {0}")]
    Verifier(String),
    /// A socket operation failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The request could not be built or sent, or the response not read.
    #[error("HTTP: {0}")]
    Http(String),
    /// The peer answered with a status other than 200.
    #[error("HTTP status {status}{}", if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Status {
        /// The status code.
        status: u16,
        /// The start of the body (QA mode peers put their error code there).
        body: String,
    },
    /// A body exceeded its size limit.
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    /// No answer in time.
    #[error("timed out")]
    Timeout,
}
