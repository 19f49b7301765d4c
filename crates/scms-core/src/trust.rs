//! The trust store of the elector-based root management (seed "Elector Based Root
//! Management", Steps 11.1.2, 11.1.3, 11.2.2, 11.2.3): the electors (the initial ones
//! installed by ceremony, later ones added by ballot), the trusted Root CAs, the quorum
//! (PoC: 2 of 3), the removed electors and roots, and the revoked certificates (the hook
//! for CRL processing). Ballots are applied with [`TrustStore::apply_ballot`]
//! (see [`crate::ballot`]).

use std::collections::BTreeSet;

use scms_asn1::ieee1609dot2::{Certificate, HashedId10, HashedId8};
use scms_crypto::CurveBackend;

use crate::hash::{certificate_id10, certificate_id8};
use crate::profile::{self, CertKind, ProfileError};
use crate::sign;
use crate::CoreError;

/// The PoC quorum (SCMS-178, SCMS-1382: 3 electors, quorum 2).
pub const POC_QUORUM: usize = 2;

/// Why a certificate cannot enter the trust store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The quorum must be at least 1.
    #[error("quorum must be at least 1")]
    ZeroQuorum,
    /// The certificate does not match the Root CA / Elector profile.
    #[error("profile: {0}")]
    Profile(#[from] ProfileError),
    /// The self-signature does not verify.
    #[error("self-signature: {0}")]
    Signature(#[from] CoreError),
    /// The certificate was removed by ballot or revoked.
    #[error("certificate was removed or revoked")]
    Revoked,
}

/// Electors, roots, quorum and revocations.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub(crate) electors: Vec<Certificate>,
    pub(crate) roots: Vec<Certificate>,
    pub(crate) quorum: usize,
    pub(crate) removed_electors: BTreeSet<HashedId8>,
    pub(crate) removed_roots: BTreeSet<HashedId8>,
    revoked_id10: BTreeSet<HashedId10>,
    revoked_id8: BTreeSet<HashedId8>,
}

impl TrustStore {
    /// A trust store with the initial electors (installed by ceremony, trusted as given)
    /// and the quorum of distinct elector endorsements a ballot needs.
    pub fn new(electors: Vec<Certificate>, quorum: usize) -> Result<Self, TrustError> {
        if quorum == 0 {
            return Err(TrustError::ZeroQuorum);
        }
        for e in &electors {
            profile::check_certificate(CertKind::Elector, e)?;
        }
        let mut store = TrustStore {
            quorum,
            ..TrustStore::default()
        };
        for e in electors {
            store.insert_elector(e);
        }
        Ok(store)
    }

    /// Installs a Root CA certificate by ceremony (out of band, no ballot): it must match
    /// the Root CA profile and its self-signature must verify.
    pub fn add_root_by_ceremony(
        &mut self,
        backend: &dyn CurveBackend,
        root: Certificate,
    ) -> Result<(), TrustError> {
        profile::check_certificate(CertKind::Root, &root)?;
        sign::verify_explicit(backend, &root, None)?;
        if self.removed_roots.contains(&certificate_id8(&root)) {
            return Err(TrustError::Revoked);
        }
        self.insert_root(root);
        Ok(())
    }

    pub(crate) fn insert_root(&mut self, root: Certificate) -> bool {
        if self.is_trusted_root(&root) {
            return false;
        }
        self.roots.push(root);
        true
    }

    pub(crate) fn insert_elector(&mut self, elector: Certificate) -> bool {
        let id = certificate_id8(&elector);
        if self.elector(&id).is_some() {
            return false;
        }
        self.electors.push(elector);
        true
    }

    /// Removes a root (a `removeRoot` ballot): it is never trusted again.
    pub(crate) fn remove_root(&mut self, id: HashedId8) -> bool {
        self.removed_roots.insert(id);
        let before = self.roots.len();
        self.roots.retain(|r| certificate_id8(r) != id);
        before != self.roots.len()
    }

    /// Removes an elector (a `removeElector` ballot): its endorsements no longer count.
    pub(crate) fn remove_elector(&mut self, id: HashedId8) -> bool {
        self.removed_electors.insert(id);
        let before = self.electors.len();
        self.electors.retain(|e| certificate_id8(e) != id);
        before != self.electors.len()
    }

    /// The trusted Root CA certificates.
    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    /// The current (non-removed) elector certificates.
    pub fn electors(&self) -> &[Certificate] {
        &self.electors
    }

    /// The quorum of distinct elector endorsements a ballot needs.
    pub fn quorum(&self) -> usize {
        self.quorum
    }

    /// Changes the quorum (from the GPF); refuses 0.
    pub fn set_quorum(&mut self, quorum: usize) -> Result<(), TrustError> {
        if quorum == 0 {
            return Err(TrustError::ZeroQuorum);
        }
        self.quorum = quorum;
        Ok(())
    }

    /// Whether `cert` is a trusted (and not removed) Root CA certificate.
    pub fn is_trusted_root(&self, cert: &Certificate) -> bool {
        self.root(&certificate_id8(cert)).is_some()
    }

    /// The trusted root with this HashedId8.
    pub fn root(&self, id: &HashedId8) -> Option<&Certificate> {
        self.roots.iter().find(|r| certificate_id8(r) == *id)
    }

    /// The current elector with this HashedId8.
    pub fn elector(&self, id: &HashedId8) -> Option<&Certificate> {
        self.electors.iter().find(|e| certificate_id8(e) == *id)
    }

    /// Whether this elector was removed by a `removeElector` ballot.
    pub fn is_removed_elector(&self, id: &HashedId8) -> bool {
        self.removed_electors.contains(id)
    }

    /// Whether this root was removed by a `removeRoot` ballot.
    pub fn is_removed_root(&self, id: &HashedId8) -> bool {
        self.removed_roots.contains(id)
    }

    /// Marks a certificate revoked by its HashedId10 (hash-based CRL entry).
    pub fn revoke_id10(&mut self, id: HashedId10) {
        self.revoked_id10.insert(id);
    }

    /// Marks a certificate revoked by its HashedId8.
    pub fn revoke_id8(&mut self, id: HashedId8) {
        self.revoked_id8.insert(id);
    }

    /// Marks `cert` revoked.
    pub fn revoke(&mut self, cert: &Certificate) {
        self.revoke_id10(certificate_id10(cert));
    }

    /// Whether `cert` is revoked (by HashedId10 or HashedId8), or is a removed root or
    /// elector.
    pub fn is_revoked(&self, cert: &Certificate) -> bool {
        let id8 = certificate_id8(cert);
        self.revoked_id8.contains(&id8)
            || self.revoked_id10.contains(&certificate_id10(cert))
            || self.removed_roots.contains(&id8)
            || self.removed_electors.contains(&id8)
    }
}
