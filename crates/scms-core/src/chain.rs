//! Certificate chain validation: build the path from a certificate up to a trusted root by
//! issuer HashedId8, verify every explicit signature, reconstruct implicit keys, and check
//! validity, revocation, issuer kinds, cracaId, region and permission consistency at each
//! step (the rules of [`crate::issue`]).

use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, GeographicRegion, HashAlgorithm, HashedId8, IssuerIdentifier,
    Time32,
};
use scms_crypto::{CurveBackend, Point};

use crate::hash::{certificate_id3, certificate_id8};
use crate::issue::{self, IssueError};
use crate::profile::{self, CertKind};
use crate::sign::{self, Issuer};
use crate::time::is_valid_at;
use crate::trust::TrustStore;
use crate::CoreError;

/// The longest path accepted (root, ICAs, CA, leaf).
pub const MAX_CHAIN_LENGTH: usize = 8;

/// Why a chain does not validate. `at` is the index in the path, leaf = 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No certificate with the issuer's HashedId8 among the intermediates or roots.
    #[error("certificate {at}: issuer {} not found", hex8(.issuer))]
    IssuerNotFound {
        /// Index in the path.
        at: usize,
        /// The missing issuer's HashedId8.
        issuer: HashedId8,
    },
    /// The chain ends in a self-signed certificate that is not a trusted root.
    #[error("chain ends in an untrusted self-signed certificate")]
    UntrustedRoot,
    /// The path is longer than [`MAX_CHAIN_LENGTH`] (or loops).
    #[error("chain longer than {MAX_CHAIN_LENGTH}")]
    TooLong,
    /// An issuer identifier form this implementation does not support.
    #[error("certificate {at}: unsupported issuer identifier")]
    UnsupportedIssuer {
        /// Index in the path.
        at: usize,
    },
    /// A signature does not verify, or a key cannot be reconstructed.
    #[error("certificate {at}: {source}")]
    Signature {
        /// Index in the path.
        at: usize,
        /// The failure.
        source: CoreError,
    },
    /// Not yet valid or expired at the validation time.
    #[error("certificate {at}: not valid at the given time")]
    OutsideValidity {
        /// Index in the path.
        at: usize,
    },
    /// Revoked (CRL entry, or a removed root).
    #[error("certificate {at}: revoked")]
    Revoked {
        /// Index in the path.
        at: usize,
    },
    /// The certificate is not consistent with its issuer.
    #[error("certificate {at}: {source}")]
    Issuer {
        /// Index in the path.
        at: usize,
        /// The failed rule.
        source: IssueError,
    },
    /// A CA in the path is implicit (CA certificates must be explicit).
    #[error("certificate {at}: an implicit certificate cannot issue")]
    ImplicitIssuer {
        /// Index in the path.
        at: usize,
    },
}

fn hex8(id: &HashedId8) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// A validated chain.
#[derive(Debug, Clone)]
pub struct ValidatedChain {
    /// The path, leaf first, trusted root last.
    pub path: Vec<Certificate>,
    /// The leaf's verification key (reconstructed if implicit).
    pub leaf_key: Point,
    /// The leaf's kind, when recognised.
    pub leaf_kind: Option<CertKind>,
}

impl ValidatedChain {
    /// The trusted root at the top of the path.
    pub fn root(&self) -> Option<&Certificate> {
        self.path.last()
    }
}

/// Validates `leaf` up to a root of `trust` at time `at`, using `intermediates` (and the
/// trusted roots) to find issuers.
pub fn validate_chain(
    backend: &dyn CurveBackend,
    leaf: &Certificate,
    intermediates: &[Certificate],
    trust: &TrustStore,
    at: Time32,
) -> Result<ValidatedChain, ChainError> {
    // 1. Build the path by issuer digest.
    let mut path: Vec<Certificate> = vec![leaf.clone()];
    loop {
        let i = path.len() - 1;
        let current = &path[i];
        match &current.issuer {
            IssuerIdentifier::SelfSigned(HashAlgorithm::Sha256) => {
                if !trust.is_trusted_root(current) {
                    return Err(ChainError::UntrustedRoot);
                }
                break;
            }
            IssuerIdentifier::Sha256AndDigest(h) => {
                if path.len() >= MAX_CHAIN_LENGTH {
                    return Err(ChainError::TooLong);
                }
                let next = trust
                    .root(h)
                    .or_else(|| intermediates.iter().find(|c| certificate_id8(c) == *h))
                    .ok_or(ChainError::IssuerNotFound { at: i, issuer: *h })?;
                path.push(next.clone());
            }
            _ => return Err(ChainError::UnsupportedIssuer { at: i }),
        }
    }
    // 2. Walk down from the root.
    let top = path.len() - 1;
    let root = &path[top];
    sign::verify_explicit(backend, root, None)
        .map_err(|source| ChainError::Signature { at: top, source })?;
    let root_id3 = certificate_id3(root);
    let mut key = sign::certificate_key(backend, root, None)
        .map_err(|source| ChainError::Signature { at: top, source })?;
    let mut region: Option<GeographicRegion> = root.to_be_signed.region.clone();
    check_status(trust, root, top, at)?;
    for idx in (0..top).rev() {
        let cert = &path[idx];
        let parent = &path[idx + 1];
        if parent.r#type != CertificateType::Explicit {
            return Err(ChainError::ImplicitIssuer { at: idx + 1 });
        }
        let issuer = Issuer {
            cert: parent,
            key: &key,
        };
        if cert.r#type == CertificateType::Explicit {
            sign::verify_explicit(backend, cert, Some(issuer))
                .map_err(|source| ChainError::Signature { at: idx, source })?;
        }
        let cert_key = sign::certificate_key(backend, cert, Some(issuer))
            .map_err(|source| ChainError::Signature { at: idx, source })?;
        check_status(trust, cert, idx, at)?;
        let issuer_err = |source| ChainError::Issuer { at: idx, source };
        if cert.to_be_signed.craca_id != root_id3 {
            return Err(issuer_err(IssueError::CracaId));
        }
        match profile::classify(cert) {
            Some(kind) => {
                issue::check_against_issuer(parent, region.as_ref(), kind, &cert.to_be_signed)
                    .map_err(issuer_err)?
            }
            None => {
                // Unrecognised kind: the issuer-independent rules still apply.
                if !crate::time::validity_within(
                    &cert.to_be_signed.validity_period,
                    &parent.to_be_signed.validity_period,
                ) {
                    return Err(issuer_err(IssueError::ValidityOutsideIssuer));
                }
                issue::check_region(region.as_ref(), cert.to_be_signed.region.as_ref())
                    .map_err(issuer_err)?;
                issue::check_permissions(&parent.to_be_signed, &cert.to_be_signed)
                    .map_err(issuer_err)?;
            }
        }
        if cert.to_be_signed.region.is_some() {
            region = cert.to_be_signed.region.clone();
        }
        key = cert_key;
    }
    let leaf_kind = profile::classify(leaf);
    Ok(ValidatedChain {
        path,
        leaf_key: key,
        leaf_kind,
    })
}

fn check_status(
    trust: &TrustStore,
    cert: &Certificate,
    at: usize,
    t: Time32,
) -> Result<(), ChainError> {
    if !is_valid_at(&cert.to_be_signed.validity_period, t) {
        return Err(ChainError::OutsideValidity { at });
    }
    if trust.is_revoked(cert) {
        return Err(ChainError::Revoked { at });
    }
    Ok(())
}
