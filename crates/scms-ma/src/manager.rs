//! SCMS Manager operations on an `scms init` directory (seed Use Case 11, Steps
//! 11.1.2–11.2.3): the directory's current view of electors and roots, and the publication
//! of `addRoot` / `addElector` ballots in the certificate chain files.
//!
//! The view ([`trust_store`]) starts from the ceremony (the electors `certs/elector-*.oer`,
//! the quorum of `scms.toml`, the root `certs/root.oer`) and applies, each verified with
//! [`TrustStore::apply_ballot`], the ballots already published: the `electorEndorsements`
//! and `rootCAEndorsements` of `files/GCCF.oer`, then the `revokedElectors` and
//! `revokedRootCAs` of the composite CRL `files/CRL.oer`. A published ballot is checked
//! at the time it was endorsed (its latest `generationTime`), so that electors that
//! expired since do not undo it.
//!
//! [`publish_add_ballot`] verifies an `addRoot` / `addElector` ballot against that view
//! and appends it to `rootCAEndorsements` / `electorEndorsements` of both `files/GCCF.oer`
//! and `files/LCCF.oer`, bumping the GCCF version and the LCCF's `gccfVersion` and
//! `lccfVersion`. `removeRoot` / `removeElector` ballots go to the CRL instead
//! ([`crate::Ma::publish_ballot`]). [`publish_certificates`] adds component certificates
//! (a new hierarchy's CAs, a re-certified component) to both chain files the same way;
//! [`recertify`] issues a component a certificate under a new issuer and publishes it.

use std::io::Write;
use std::path::Path;

use scms_asn1::camp::cert_chain_files::{CertificateChainFiles, CertificateStore};
use scms_asn1::camp::component_cert_management::{
    CompositeCrl, ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{Certificate, IssuerIdentifier, Time32};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::ballot::{open_endorsement, BallotEffect};
use scms_core::chain::validate_chain;
use scms_core::hash::certificate_id8;
use scms_core::issue::{issue_explicit_checked, root_id3};
use scms_core::profile::{classify, CertKind};
use scms_core::signer::Signer;
use scms_core::time::time32_from_time64;
use scms_core::trust::TrustStore;
use scms_crypto::default_backend;

use crate::{read_cert, MaError};

/// What [`publish_add_ballot`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainFilesUpdate {
    /// The ballot's effect on the directory's trust store.
    pub effect: BallotEffect,
    /// The new GCCF version.
    pub gccf_version: u16,
    /// The new LCCF version.
    pub lccf_version: u16,
}

fn setup(path: &Path, e: impl std::fmt::Display) -> MaError {
    MaError::Setup(format!("{}: {e}", path.display()))
}

/// The statement of a ballot (of its first endorsement).
pub fn statement(ballot: &ElectorBallot) -> Result<TbsElectorEndorsement, MaError> {
    let first = ballot
        .endorsements
        .first()
        .ok_or_else(|| MaError::Malformed("ballot without endorsements".into()))?;
    open_endorsement(0, first)
        .map(|(_, t)| t)
        .map_err(|e| MaError::Malformed(e.to_string()))
}

/// When a published ballot was endorsed: the latest `generationTime` of its endorsements
/// (at most `at`).
fn endorsed_at(ballot: &ElectorBallot, at: Time32) -> Time32 {
    ballot
        .endorsements
        .iter()
        .enumerate()
        .filter_map(|(k, e)| open_endorsement(k, e).ok())
        .filter_map(|(sd, _)| sd.tbs_data.header_info.generation_time)
        .map(time32_from_time64)
        .max()
        .map_or(at, |t| t.min(at))
}

/// Applies published ballots; those that do not verify are skipped (and logged).
fn apply_published(trust: &mut TrustStore, ballots: &[ElectorBallot], at: Time32) {
    for b in ballots {
        if let Err(e) = trust.apply_ballot(default_backend(), b, endorsed_at(b, at)) {
            tracing::warn!(error = %e, "a published ballot does not verify; ignored");
        }
    }
}

fn read_file<T: Coer>(path: &Path) -> Result<Option<T>, MaError> {
    match std::fs::read(path) {
        Ok(b) => T::from_coer(&b).map(Some).map_err(|e| setup(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(setup(path, e)),
    }
}

/// The certificate store of a GCCF or LCCF file.
fn chain_store(file: &mut ScmsFile) -> Option<&mut CertificateStore> {
    match &mut file.content {
        ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) => {
            Some(&mut g.cert_store)
        }
        ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) => {
            Some(&mut l.required_cert_store)
        }
        _ => None,
    }
}

/// The electors, quorum and roots of the directory `layout` as of `at` (see the module
/// documentation).
pub fn trust_store(layout: &Layout, at: Time32) -> Result<TrustStore, MaError> {
    let path = layout.config();
    let text = std::fs::read_to_string(&path).map_err(|e| setup(&path, e))?;
    let cfg = Config::from_toml(&text).map_err(MaError::Setup)?;
    let electors: Vec<Certificate> = (1..=cfg.electors)
        .map(|k| read_cert(layout, &format!("elector-{k}")))
        .collect::<Result<_, _>>()?;
    let mut trust = TrustStore::new(electors, usize::from(cfg.quorum))
        .map_err(|e| MaError::Setup(e.to_string()))?;
    trust
        .add_root_by_ceremony(default_backend(), read_cert(layout, "root")?)
        .map_err(|e| MaError::Setup(format!("certs/root.oer: {e}")))?;
    if let Some(mut gccf) = read_file::<ScmsFile>(&layout.file("GCCF.oer"))? {
        if let Some(store) = chain_store(&mut gccf) {
            apply_published(&mut trust, &store.elector_endorsements, at);
            apply_published(&mut trust, &store.root_ca_endorsements, at);
        }
    }
    if let Some(crl) = read_file::<CompositeCrl>(&layout.file("CRL.oer"))? {
        apply_published(&mut trust, &crl.revoked_electors, at);
        apply_published(&mut trust, &crl.revoked_root_cas, at);
    }
    Ok(trust)
}

/// Writes `bytes` to `path` through a synced temporary file.
fn stage(path: &Path, bytes: &[u8]) -> Result<std::path::PathBuf, MaError> {
    let tmp = path.with_extension("oer.tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| setup(&tmp, e))?;
    f.write_all(bytes).map_err(|e| setup(&tmp, e))?;
    f.sync_all().map_err(|e| setup(&tmp, e))?;
    Ok(tmp)
}

/// Verifies an `addRoot` / `addElector` ballot against the directory's electors at `at`
/// and appends it to the chain files (see the module documentation). A ballot whose
/// certificate the chain files already endorse, or that the directory already trusts (the
/// ceremony's electors), is refused.
pub fn publish_add_ballot(
    layout: &Layout,
    ballot: &ElectorBallot,
    at: Time32,
) -> Result<ChainFilesUpdate, MaError> {
    let tbs = statement(ballot)?;
    if !matches!(
        tbs.r#type,
        EndorsementType::AddRoot | EndorsementType::AddElector
    ) {
        return Err(MaError::Unsupported(
            "removeRoot and removeElector ballots are published in the CRL (POST /admin/ballot)",
        ));
    }
    let mut gccf = read_gccf(layout)?;
    let id = certificate_id8(&tbs.certificate);
    let store = chain_store(&mut gccf)
        .ok_or_else(|| setup(&layout.file("GCCF.oer"), "not a certificate chain file"))?;
    let already = store
        .root_ca_endorsements
        .iter()
        .chain(&store.elector_endorsements)
        .filter_map(|b| statement(b).ok())
        .any(|t| t.r#type == tbs.r#type && certificate_id8(&t.certificate) == id);
    if already {
        return Err(MaError::Unsupported(
            "the chain files already endorse this certificate",
        ));
    }
    let mut trust = trust_store(layout, at)?;
    let effect = trust.apply_ballot(default_backend(), ballot, at)?;
    if matches!(
        effect,
        BallotEffect::RootAdded { changed: false, .. }
            | BallotEffect::ElectorAdded { changed: false, .. }
    ) {
        return Err(MaError::Unsupported(
            "the endorsed certificate is already trusted",
        ));
    }

    let (gccf_version, lccf_version) = update_chain_files(layout, |store| match tbs.r#type {
        EndorsementType::AddRoot => store.root_ca_endorsements.push(ballot.clone()),
        _ => store.elector_endorsements.push(ballot.clone()),
    })?;
    tracing::warn!(
        ?effect,
        gccf_version,
        lccf_version,
        "ballot published in the certificate chain files"
    );
    Ok(ChainFilesUpdate {
        effect,
        gccf_version,
        lccf_version,
    })
}

/// What [`publish_certificates`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatesUpdate {
    /// The HashedId8 of the certificates added to the chain files.
    pub added: Vec<[u8; 8]>,
    /// The HashedId8 of self-signed roots given only to validate the others (roots are
    /// published by `addRoot` ballots, never as plain certificates).
    pub anchors: Vec<[u8; 8]>,
    /// The new GCCF version.
    pub gccf_version: u16,
    /// The new LCCF version.
    pub lccf_version: u16,
}

/// Adds SCMS component certificates (e.g. a new root's ICA and PCA, a re-certified CRL
/// Generator) to the `certs` of both chain files (seed Use Case 11: "the SCMS Manager adds
/// the new component certificate to the GCCF and LCCF"), bumping their versions. Every
/// certificate must validate at `at` to a root of the directory's view ([`trust_store`])
/// or to a self-signed root given among `certs`: a new hierarchy is distributed before
/// the electors' `addRoot` ballot, but its root itself only ever reaches devices with the
/// ballot. Certificates the chain files already hold are refused.
pub fn publish_certificates(
    layout: &Layout,
    certs: &[Certificate],
    at: Time32,
) -> Result<CertificatesUpdate, MaError> {
    let mut gccf = read_gccf(layout)?;
    let store = chain_store(&mut gccf)
        .ok_or_else(|| setup(&layout.file("GCCF.oer"), "not a certificate chain file"))?;
    let published: Vec<[u8; 8]> = store.certs.iter().map(certificate_id8).collect();
    let mut intermediates = store.certs.clone();
    intermediates.push(store.ma_certificate.clone());

    let mut view = trust_store(layout, at)?;
    let (roots, others): (Vec<&Certificate>, Vec<&Certificate>) = certs
        .iter()
        .partition(|c| matches!(c.issuer, IssuerIdentifier::SelfSigned(_)));
    let mut anchors = Vec::new();
    for r in roots {
        view.add_root_by_ceremony(default_backend(), r.clone())
            .map_err(|e| MaError::InvalidSignature(format!("self-signed certificate: {e}")))?;
        anchors.push(certificate_id8(r));
    }
    if others.is_empty() {
        return Err(MaError::Unsupported(
            "no certificate to publish (roots are published by addRoot ballots)",
        ));
    }
    intermediates.extend(others.iter().map(|c| (*c).clone()));
    let mut added = Vec::new();
    for (k, c) in others.iter().enumerate() {
        let id = certificate_id8(c);
        if published.contains(&id) || added.contains(&id) {
            return Err(MaError::Unsupported(
                "the chain files already hold this certificate",
            ));
        }
        validate_chain(default_backend(), c, &intermediates, &view, at)
            .map_err(|e| MaError::InvalidSignature(format!("certificate {k}: {e}")))?;
        added.push(id);
    }
    let (gccf_version, lccf_version) = update_chain_files(layout, |store| {
        store.certs.extend(others.iter().map(|c| (*c).clone()))
    })?;
    tracing::warn!(
        added = added.len(),
        gccf_version,
        lccf_version,
        "certificates published in the certificate chain files"
    );
    Ok(CertificatesUpdate {
        added,
        anchors,
        gccf_version,
        lccf_version,
    })
}

/// What [`recertify`] did.
#[derive(Debug, Clone)]
pub struct Recertified {
    /// The new certificate, now `certs/<name>.oer`.
    pub certificate: Certificate,
    /// Where the previous certificate was kept.
    pub previous: std::path::PathBuf,
    /// The chain files' new versions (the new certificate is published in them).
    pub published: CertificatesUpdate,
}

/// Re-certifies the component `name` (e.g. `crlg`, `ma`, `pg`, `ica`) of the directory
/// under `issuer` (seed Step 11.1.2: when a root is replaced, "re-certify MA, CRLG, PG,
/// all ICAs"): a certificate for the same key, with the same identity and permissions and
/// the same validity duration starting at `at`, issued by `issuer`, which must validate
/// at `at` in the directory's view (a root the electors added, or a CA of the chain files
/// under one). The new certificate is published in the chain files
/// ([`publish_certificates`]; an MA certificate becomes their `maCertificate`) and
/// replaces `certs/<name>.oer`; the previous one is kept
/// as `certs/<name>.<HashedId8 hex>.oer`. Services holding the component pick it up when
/// restarted.
pub fn recertify(
    layout: &Layout,
    name: &str,
    issuer: (&Certificate, &dyn Signer),
    at: Time32,
) -> Result<Recertified, MaError> {
    let old = read_cert(layout, name)?;
    let kind = classify(&old)
        .ok_or_else(|| MaError::Setup(format!("certs/{name}.oer: not a component certificate")))?;
    if kind == CertKind::Root || kind == CertKind::Elector {
        return Err(MaError::Unsupported(
            "roots and electors are self-signed: they are replaced by ballots",
        ));
    }
    let mut tbs = old.to_be_signed.clone();
    tbs.craca_id = root_id3(issuer.0);
    tbs.validity_period.start = at;
    let new = issue_explicit_checked(issuer.1, Some(issuer.0), kind, tbs)
        .map_err(|e| MaError::InvalidSignature(format!("re-certifying {name}: {e}")))?;
    let path = layout.cert(name);
    let previous =
        path.with_file_name(format!("{name}.{}.oer", hex::encode(certificate_id8(&old))));
    let staged = stage(&path, &new.to_coer())?;
    let publication = if kind == CertKind::Ma {
        publish_ma_certificate(layout, &new, at)
    } else {
        publish_certificates(layout, std::slice::from_ref(&new), at)
    };
    let published = match publication {
        Ok(u) => u,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    std::fs::copy(&path, &previous).map_err(|e| setup(&previous, e))?;
    std::fs::rename(&staged, &path).map_err(|e| setup(&path, e))?;
    tracing::warn!(
        name,
        issuer = %hex::encode(certificate_id8(issuer.0)),
        previous = %previous.display(),
        "component re-certified"
    );
    Ok(Recertified {
        certificate: new,
        previous,
        published,
    })
}

/// Validates a new MA certificate in the directory's view at `at` and makes it the
/// `maCertificate` of both chain files (devices encrypt their reports to it).
fn publish_ma_certificate(
    layout: &Layout,
    ma: &Certificate,
    at: Time32,
) -> Result<CertificatesUpdate, MaError> {
    let mut gccf = read_gccf(layout)?;
    let store = chain_store(&mut gccf)
        .ok_or_else(|| setup(&layout.file("GCCF.oer"), "not a certificate chain file"))?;
    let view = trust_store(layout, at)?;
    validate_chain(default_backend(), ma, &store.certs, &view, at)
        .map_err(|e| MaError::InvalidSignature(format!("MA certificate: {e}")))?;
    let (gccf_version, lccf_version) =
        update_chain_files(layout, |store| store.ma_certificate = ma.clone())?;
    Ok(CertificatesUpdate {
        added: vec![certificate_id8(ma)],
        anchors: Vec::new(),
        gccf_version,
        lccf_version,
    })
}

/// The directory's `files/GCCF.oer`.
fn read_gccf(layout: &Layout) -> Result<ScmsFile, MaError> {
    let path = layout.file("GCCF.oer");
    read_file::<ScmsFile>(&path)?.ok_or_else(|| setup(&path, "missing"))
}

/// Applies `change` to the certificate store of `files/GCCF.oer` and to the required store
/// of `files/LCCF.oer`, bumps the GCCF version and the LCCF's `gccfVersion` and
/// `lccfVersion`, and replaces both files (each through a synced temporary file). Returns
/// the new GCCF and LCCF versions.
fn update_chain_files(
    layout: &Layout,
    change: impl Fn(&mut CertificateStore),
) -> Result<(u16, u16), MaError> {
    let gccf_path = layout.file("GCCF.oer");
    let lccf_path = layout.file("LCCF.oer");
    let mut gccf = read_gccf(layout)?;
    let mut lccf =
        read_file::<ScmsFile>(&lccf_path)?.ok_or_else(|| setup(&lccf_path, "missing"))?;
    let exhausted = || MaError::Unsupported("chain file version exhausted");
    let gccf_version = match &mut gccf.content {
        ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) => {
            g.version = g.version.checked_add(1).ok_or_else(exhausted)?;
            change(&mut g.cert_store);
            g.version
        }
        _ => return Err(setup(&gccf_path, "not a GlobalCertificateChainFile")),
    };
    let lccf_version = match &mut lccf.content {
        ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) => {
            l.version.gccf_version = gccf_version;
            l.version.lccf_version = l
                .version
                .lccf_version
                .checked_add(1)
                .ok_or_else(exhausted)?;
            change(&mut l.required_cert_store);
            l.version.lccf_version
        }
        _ => return Err(setup(&lccf_path, "not a LocalCertificateChainFile")),
    };
    let g_tmp = stage(&gccf_path, &gccf.to_coer())?;
    let l_tmp = stage(&lccf_path, &lccf.to_coer())?;
    std::fs::rename(&g_tmp, &gccf_path).map_err(|e| setup(&gccf_path, e))?;
    std::fs::rename(&l_tmp, &lccf_path).map_err(|e| setup(&lccf_path, e))?;
    Ok((gccf_version, lccf_version))
}
