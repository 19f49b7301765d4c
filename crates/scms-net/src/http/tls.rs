//! rustls configurations of the SCMS components.

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::{ring, CryptoProvider};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::NetError;
use crate::tls_material::{load_cert_chain, load_private_key, TlsIdentity};

/// TLS 1.3 and 1.2, nothing older (SCMS-2522).
const VERSIONS: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];

/// The IANA names of the cipher suites offered, in preference order.
pub const CIPHER_SUITE_NAMES: [&str; 6] = [
    "TLS13_AES_128_GCM_SHA256",
    "TLS13_AES_256_GCM_SHA384",
    "TLS13_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// rustls's *ring* provider restricted to the suites of [`CIPHER_SUITE_NAMES`] (ECDHE with
/// ECDSA authentication, AEAD only).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    let mut p = ring::default_provider();
    p.cipher_suites = vec![
        ring::cipher_suite::TLS13_AES_128_GCM_SHA256,
        ring::cipher_suite::TLS13_AES_256_GCM_SHA384,
        ring::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ];
    Arc::new(p)
}

/// A component's TLS credentials: its certificate chain and private key.
pub struct Credentials {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Clone for Credentials {
    fn clone(&self) -> Self {
        Credentials {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl Credentials {
    /// Loads `<name>.pem` and `<name>.key.pem` (mode 0600) from `dir` (an init directory's
    /// `tls/`).
    pub fn load(dir: &Path, name: &str) -> Result<Credentials, NetError> {
        Ok(Credentials {
            chain: load_cert_chain(dir, name)?,
            key: load_private_key(dir, name)?,
        })
    }

    /// The credentials of an in-memory identity.
    pub fn from_identity(id: &TlsIdentity) -> Credentials {
        Credentials {
            chain: vec![id.cert_der().clone()],
            key: id.private_key_der(),
        }
    }

    /// The end-entity certificate.
    pub fn certificate(&self) -> Option<&CertificateDer<'static>> {
        self.chain.first()
    }
}

/// Whether a server asks its clients for a certificate.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// Server-only TLS (EE-facing services: EEs have no TLS certificate).
    None,
    /// Mutual TLS: the client must present a certificate chaining to this root (between
    /// authorities, SCMS-407).
    RequireFrom(CertificateDer<'static>),
    /// A client certificate chaining to this root is verified when presented but not
    /// required (a service for EEs that also has routes for authorities, which then check
    /// the presented certificate).
    OptionalFrom(CertificateDer<'static>),
}

fn roots(root: CertificateDer<'static>) -> Result<RootCertStore, NetError> {
    let mut store = RootCertStore::empty();
    store.add(root)?;
    Ok(store)
}

/// The server configuration of a component: its credentials, the SCMS suites and versions,
/// HTTP/1.1 by ALPN.
pub fn server_config(
    identity: &Credentials,
    client_auth: ClientAuth,
) -> Result<Arc<ServerConfig>, NetError> {
    let provider = crypto_provider();
    let builder =
        ServerConfig::builder_with_provider(provider.clone()).with_protocol_versions(VERSIONS)?;
    let builder = match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::RequireFrom(root) => {
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots(root)?), provider)
                    .build()
                    .map_err(|e| NetError::Verifier(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        ClientAuth::OptionalFrom(root) => {
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots(root)?), provider)
                    .allow_unauthenticated()
                    .build()
                    .map_err(|e| NetError::Verifier(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut cfg = builder.with_single_cert(identity.chain.clone(), identity.key.clone_key())?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// A client configuration trusting only `root` (the SCMS TLS root), presenting `identity`
/// as client certificate if given. No ALPN is set (hyper-rustls sets its own).
pub fn client_config(
    root: CertificateDer<'static>,
    identity: Option<&Credentials>,
) -> Result<ClientConfig, NetError> {
    let builder = ClientConfig::builder_with_provider(crypto_provider())
        .with_protocol_versions(VERSIONS)?
        .with_root_certificates(roots(root)?);
    Ok(match identity {
        None => builder.with_no_client_auth(),
        Some(id) => builder.with_client_auth_cert(id.chain.clone(), id.key.clone_key())?,
    })
}
