//! The device's root management state (seed Steps 11.1.2, 11.1.3, 11.2.2, 11.2.3 and
//! Step 8.4): the electors installed at bootstrap, the ballots applied since, and the
//! component certificates revoked by CRLs.
//!
//! ```text
//! D/trust/electors/<name>.oer    the initial elector certificates (from the DCM's zip)
//! D/trust/ballots/<n>-<t>.oer    every ElectorBallot that changed the trust store, in the
//!                                order applied (n), with the Time32 t it was applied at
//! D/trust/revoked.oer            ToBeSignedHashIdCrl: the component certificates (CRL
//!                                series 2 and 256) and the device's own certificates revoked
//! ```
//!
//! [`crate::provision::Device::open`] builds the trust store from the electors (quorum:
//! `device.toml` `quorum`, default [`POC_QUORUM`]) and the root installed at bootstrap, then
//! replays the ballots in order, each at its recorded time (so a ballot valid when it was
//! processed stays applied after its endorsers expire), then marks the revoked certificates.
//!
//! Ballots come from the composite CRL (`revokedElectors`, `revokedRootCAs`) and from the
//! LCCF (`electorEndorsements`, `rootCAEndorsements`); each is verified against the current
//! trust store with [`TrustStore::apply_ballot`]. Within one file, removals are applied
//! before additions (removeElector, removeRoot, addElector, addRoot), so that the votes of a
//! removed elector never count and a new elector can vote for a new root. An invalid ballot
//! is skipped and reported, never fatal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scms_asn1::camp::component_cert_management::{ElectorBallot, EndorsementType};
use scms_asn1::ieee1609dot2::{
    Certificate, HashBasedRevocationInfo, HashedId8, Time32, ToBeSignedHashIdCrl,
};
use scms_asn1::Coer;
use scms_core::ballot::{open_endorsement, BallotEffect, BallotError};
use scms_core::hash::{certificate_id10, certificate_id8};
use scms_core::profile::{self, CertKind};
use scms_core::time::validity_end;
use scms_core::trust::TrustStore;
use scms_crypto::default_backend;

pub use scms_core::trust::POC_QUORUM;

use crate::certstore::Guard;
use crate::crl::{ballots_of, decode_composite, verify_crls, VerifiedCrl};
use crate::device::DeviceError;
use crate::provision::{io_err, read_file, write_file, Device, EeErrorCode, ProvisionError};

/// `D/trust/electors`.
pub const ELECTORS_DIR: &str = "electors";
/// `D/trust/ballots`.
pub const BALLOTS_DIR: &str = "ballots";
/// `D/trust/revoked.oer`.
pub const REVOKED_FILE: &str = "revoked.oer";
/// Most elector certificates installed.
pub const MAX_ELECTORS: usize = 64;
/// Most ballots kept in the log.
pub const MAX_BALLOTS: usize = 4096;
/// Largest ballot file.
const MAX_BALLOT_FILE: u64 = 1 << 20;
/// Largest elector certificate file.
const MAX_CERT_FILE: u64 = 64 * 1024;
/// Largest `revoked.oer`.
const MAX_REVOKED_FILE: u64 = 16 << 20;

/// Where a ballot came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotSource {
    /// A composite CRL (`revokedElectors`, `revokedRootCAs`).
    Crl,
    /// A certificate chain file (`electorEndorsements`, `rootCAEndorsements`).
    Lccf,
    /// The device's own ballot log, replayed when it is opened.
    Log,
}

/// What became of one ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotResult {
    /// Valid and new: the trust store changed (and the ballot is persisted).
    Applied(BallotEffect),
    /// Valid, but already applied.
    Unchanged(BallotEffect),
    /// Invalid: skipped.
    Refused(BallotError),
    /// The device holds no electors (bootstrapped before electors were distributed), so
    /// no ballot can be verified: skipped. Re-bootstrap to install the electors.
    NoElectors,
}

/// One ballot's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotOutcome {
    /// Where it came from.
    pub source: BallotSource,
    /// Its index in the list given to [`apply_ballots`].
    pub index: usize,
    /// The endorsement type, when readable.
    pub kind: Option<EndorsementType>,
    /// HashedId8 of the endorsed certificate, when readable.
    pub subject: Option<HashedId8>,
    /// The result.
    pub result: BallotResult,
}

impl BallotOutcome {
    /// Whether the ballot changed the trust store.
    pub fn applied(&self) -> bool {
        matches!(self.result, BallotResult::Applied(_))
    }
}

impl std::fmt::Display for BallotOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            Some(EndorsementType::AddRoot) => "addRoot",
            Some(EndorsementType::AddElector) => "addElector",
            Some(EndorsementType::RemoveRoot) => "removeRoot",
            Some(EndorsementType::RemoveElector) => "removeElector",
            _ => "unreadable",
        };
        let subject = self.subject.map(hex::encode).unwrap_or_else(|| "?".into());
        write!(f, "{kind} ballot for {subject} ({:?}): ", self.source)?;
        match &self.result {
            BallotResult::Applied(_) => f.write_str("applied"),
            BallotResult::Unchanged(_) => f.write_str("already applied"),
            BallotResult::Refused(e) => write!(f, "refused: {e}"),
            BallotResult::NoElectors => f.write_str(
                "not applied: the device holds no electors (bootstrapped before electors \
                 were distributed); re-bootstrap to install them",
            ),
        }
    }
}

/// Order of application: removals before additions, electors before roots.
fn rank(kind: Option<EndorsementType>) -> u8 {
    match kind {
        Some(EndorsementType::RemoveElector) => 0,
        Some(EndorsementType::RemoveRoot) => 1,
        Some(EndorsementType::AddElector) => 2,
        Some(EndorsementType::AddRoot) => 3,
        _ => 4,
    }
}

/// Applies `ballots` to `trust` at `now` (removals first, see the module documentation);
/// returns one outcome per ballot, in the order applied.
pub fn apply_ballots(
    trust: &mut TrustStore,
    source: BallotSource,
    ballots: &[ElectorBallot],
    now: Time32,
) -> Vec<BallotOutcome> {
    let mut order: Vec<(u8, usize, Option<EndorsementType>, Option<HashedId8>)> = ballots
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let tbs = b
                .endorsements
                .first()
                .and_then(|e| open_endorsement(0, e).ok())
                .map(|(_, t)| t);
            let kind = tbs.as_ref().map(|t| t.r#type);
            let subject = tbs.as_ref().map(|t| certificate_id8(&t.certificate));
            (rank(kind), i, kind, subject)
        })
        .collect();
    order.sort_by_key(|(r, i, _, _)| (*r, *i));
    order
        .into_iter()
        .map(|(_, index, kind, subject)| {
            let result = apply_one(trust, &ballots[index], subject, now);
            BallotOutcome {
                source,
                index,
                kind,
                subject,
                result,
            }
        })
        .collect()
}

fn apply_one(
    trust: &mut TrustStore,
    ballot: &ElectorBallot,
    subject: Option<HashedId8>,
    now: Time32,
) -> BallotResult {
    if trust.electors().is_empty() {
        return BallotResult::NoElectors;
    }
    let (was_removed_root, was_removed_elector) = subject
        .map(|id| (trust.is_removed_root(&id), trust.is_removed_elector(&id)))
        .unwrap_or((false, false));
    match trust.apply_ballot(default_backend(), ballot, now) {
        Err(e) => BallotResult::Refused(e),
        Ok(effect) => {
            let new = match effect {
                BallotEffect::RootAdded { changed, .. }
                | BallotEffect::ElectorAdded { changed, .. } => changed,
                BallotEffect::RootRemoved { .. } => !was_removed_root,
                BallotEffect::ElectorRemoved { .. } => !was_removed_elector,
                _ => true,
            };
            if new {
                BallotResult::Applied(effect)
            } else {
                BallotResult::Unchanged(effect)
            }
        }
    }
}

fn config_err(path: &Path, reason: impl Into<String>) -> ProvisionError {
    ProvisionError::Device(DeviceError::Config {
        path: path.to_path_buf(),
        reason: reason.into(),
    })
}

/// The `.oer` files of `dir` (sorted by name), at most `max`; none when `dir` is absent.
fn oer_files(dir: &Path, max: usize) -> Result<Vec<PathBuf>, ProvisionError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    let mut v = Vec::new();
    for e in entries {
        let e = e.map_err(io_err(dir))?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(".oer") && !name.starts_with('.') {
            if v.len() >= max {
                return Err(config_err(dir, format!("more than {max} files")));
            }
            v.push(e.path());
        }
    }
    v.sort();
    Ok(v)
}

/// The elector certificates of `D/trust/electors` (each must match the Elector profile and
/// verify its self-signature); empty for a device bootstrapped without electors.
pub fn load_electors(trust_dir: &Path) -> Result<Vec<Certificate>, ProvisionError> {
    let mut out = Vec::new();
    for path in oer_files(&trust_dir.join(ELECTORS_DIR), MAX_ELECTORS)? {
        let cert = Certificate::from_coer(&read_file(&path, MAX_CERT_FILE)?)
            .map_err(|e| config_err(&path, e.to_string()))?;
        check_elector(&cert).map_err(|e| {
            ProvisionError::check(
                EeErrorCode::EeCertificateVerificationFailed,
                format!("{}: {e}", path.display()),
            )
        })?;
        out.push(cert);
    }
    Ok(out)
}

/// An elector certificate installed by ceremony: the Elector profile and a verifying
/// self-signature.
pub fn check_elector(cert: &Certificate) -> Result<(), String> {
    profile::check_certificate(CertKind::Elector, cert).map_err(|e| e.to_string())?;
    scms_core::sign::verify_explicit(default_backend(), cert, None).map_err(|e| e.to_string())
}

/// A ballot log file name: `<n>-<t>.oer`.
fn ballot_name(n: usize, at: Time32) -> String {
    format!("{n:06}-{at}.oer")
}

fn parse_ballot_name(path: &Path) -> Option<(usize, Time32)> {
    let stem = path.file_stem()?.to_str()?;
    let (n, t) = stem.split_once('-')?;
    Some((n.parse().ok()?, t.parse().ok()?))
}

/// The ballot log of `D/trust/ballots`, in the order applied: `(time, ballot)`.
pub fn load_ballots(trust_dir: &Path) -> Result<Vec<(Time32, ElectorBallot)>, ProvisionError> {
    let mut rows: BTreeMap<usize, (Time32, ElectorBallot)> = BTreeMap::new();
    for path in oer_files(&trust_dir.join(BALLOTS_DIR), MAX_BALLOTS)? {
        let (n, at) =
            parse_ballot_name(&path).ok_or_else(|| config_err(&path, "not <n>-<time>.oer"))?;
        let b = ElectorBallot::from_coer(&read_file(&path, MAX_BALLOT_FILE)?)
            .map_err(|e| config_err(&path, e.to_string()))?;
        rows.insert(n, (at, b));
    }
    Ok(rows.into_values().collect())
}

/// Appends ballots to the log of `D/trust/ballots` (each applied at `at`).
pub fn append_ballots<'a>(
    trust_dir: &Path,
    ballots: impl IntoIterator<Item = &'a ElectorBallot>,
    at: Time32,
) -> Result<(), ProvisionError> {
    let dir = trust_dir.join(BALLOTS_DIR);
    let first = oer_files(&dir, MAX_BALLOTS)?
        .iter()
        .filter_map(|p| parse_ballot_name(p))
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(1);
    for (n, b) in (first..).zip(ballots) {
        write_file(&dir.join(ballot_name(n, at)), &b.to_coer())?;
    }
    Ok(())
}

/// Replays the ballot log into `trust` (each ballot at its recorded time); returns how
/// many applied. A logged ballot that no longer applies is reported and skipped.
pub fn replay_ballots(trust: &mut TrustStore, trust_dir: &Path) -> Result<usize, ProvisionError> {
    let mut applied = 0;
    for (at, b) in load_ballots(trust_dir)? {
        for o in apply_ballots(trust, BallotSource::Log, std::slice::from_ref(&b), at) {
            match o.result {
                BallotResult::Applied(_) | BallotResult::Unchanged(_) => applied += 1,
                _ => tracing::warn!(outcome = %o, "logged ballot not replayed"),
            }
        }
    }
    Ok(applied)
}

/// The revoked certificates recorded in `D/trust/revoked.oer` (none when absent).
pub fn load_revoked(trust_dir: &Path) -> Result<Vec<HashBasedRevocationInfo>, ProvisionError> {
    let path = trust_dir.join(REVOKED_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let crl = ToBeSignedHashIdCrl::from_coer(&read_file(&path, MAX_REVOKED_FILE)?)
        .map_err(|e| config_err(&path, e.to_string()))?;
    Ok(crl.entries)
}

/// Adds `entries` to `D/trust/revoked.oer` (entries expired at `now` are dropped; an id
/// listed twice keeps its latest expiry); returns the entries now recorded.
pub fn record_revoked(
    trust_dir: &Path,
    entries: &[HashBasedRevocationInfo],
    now: Time32,
) -> Result<Vec<HashBasedRevocationInfo>, ProvisionError> {
    let mut all: BTreeMap<[u8; 10], Time32> = BTreeMap::new();
    for e in load_revoked(trust_dir)?.iter().chain(entries) {
        let t = all.entry(e.id).or_insert(e.expiry);
        *t = (*t).max(e.expiry);
    }
    let entries: Vec<HashBasedRevocationInfo> = all
        .into_iter()
        .filter(|(_, expiry)| *expiry >= now)
        .map(|(id, expiry)| HashBasedRevocationInfo { id, expiry })
        .collect();
    let file = ToBeSignedHashIdCrl {
        crl_serial: u32::try_from(entries.len()).unwrap_or(u32::MAX),
        entries,
    };
    write_file(&trust_dir.join(REVOKED_FILE), &file.to_coer())?;
    Ok(file.entries)
}

/// `D/trust/CRL.oer`: the composite CRL installed last.
pub const CRL_FILE: &str = "CRL.oer";
/// `D/trust/CRL.hwm`: the anti-rollback high-water mark (decimal Time32 of the start of
/// the CRLG certificate of the CRL held).
pub const CRL_HWM_FILE: &str = "CRL.hwm";
/// Largest composite CRL read.
pub const MAX_CRL_FILE: u64 = 64 << 20;

impl Device {
    /// Installs a downloaded composite CRL at `now`:
    ///
    /// 1. its `removeElector` and `removeRoot` ballots are applied to the trust store and
    ///    persisted (ballots stand on their own: this happens even if its CRLs are then
    ///    refused);
    /// 2. its CRLs are verified ([`verify_crls`]) against the updated trust store, with the
    ///    high-water mark of `trust/CRL.hwm`;
    /// 3. the component certificates it revokes (series 2 and 256), and the device's own
    ///    enrollment certificate if listed, are marked revoked in the trust store and
    ///    recorded in `trust/revoked.oer`;
    /// 4. `trust/CRL.oer` and `trust/CRL.hwm` are replaced.
    pub fn install_crl(
        &mut self,
        bytes: &[u8],
        now: Time32,
    ) -> Result<VerifiedCrl, ProvisionError> {
        let composite = decode_composite(bytes)?;
        let ballots = self.apply_ballots(BallotSource::Crl, &ballots_of(&composite), now)?;
        let held = self.crl_high_water();
        let mut v = verify_crls(&composite, &self.trust, &self.intermediates, now, held)?;
        v.ballots = ballots;
        for why in &v.ignored {
            tracing::warn!(reason = %why, "CRL ignored");
        }
        let mut revoked = v.component_entries.clone();
        if v.revocations.is_revoked(&self.enrollment_cert) {
            tracing::error!("the device's enrollment certificate is on the CRL");
            revoked.push(HashBasedRevocationInfo {
                id: certificate_id10(&self.enrollment_cert),
                expiry: u32::try_from(validity_end(
                    &self.enrollment_cert.to_be_signed.validity_period,
                ))
                .unwrap_or(Time32::MAX),
            });
        }
        let trust_dir = self.dir.trust_dir();
        for e in record_revoked(&trust_dir, &revoked, now)? {
            self.trust.revoke_id10(e.id);
        }
        write_file(&trust_dir.join(CRL_FILE), bytes)?;
        write_file(
            &trust_dir.join(CRL_HWM_FILE),
            v.crlg_start.to_string().as_bytes(),
        )?;
        Ok(v)
    }

    /// The CRL installed last (`trust/CRL.oer`), verified at `now` against the trust store
    /// (its ballots were applied when it was installed); `None` when there is none.
    pub fn load_crl(&self, now: Time32) -> Option<Result<VerifiedCrl, ProvisionError>> {
        let path = self.dir.trust_dir().join(CRL_FILE);
        if !path.exists() {
            return None;
        }
        Some((|| {
            let composite = decode_composite(&read_file(&path, MAX_CRL_FILE)?)?;
            Ok(verify_crls(
                &composite,
                &self.trust,
                &self.intermediates,
                now,
                None,
            )?)
        })())
    }

    /// The anti-rollback high-water mark of `trust/CRL.hwm`, if any.
    pub fn crl_high_water(&self) -> Option<Time32> {
        std::fs::read_to_string(self.dir.trust_dir().join(CRL_HWM_FILE))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// Refuses ([`ProvisionError::Revoked`]) when the enrollment certificate or anything in
    /// its chain (ECA, ICA, root) is revoked or its root removed: the device must then not
    /// talk to the RA (SCMS-1189) nor transmit.
    pub fn check_enrollment(&self, now: Time32) -> Result<(), ProvisionError> {
        Guard::new(self, None).check_device(now)
    }
}
