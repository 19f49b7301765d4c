//! The CRL Generator's state and publication (seed Use Case 8, Step 8.4; 1609.2 §5.1.3.4–5):
//! every revocation the MA orders is recorded for good, and each publication signs a fresh
//! composite CRL from the complete record.
//!
//! - Linkage entries (series 1, OBE pseudonyms) hold `{i_rev, la1_id, ls1(i_rev), la2_id,
//!   ls2(i_rev), jMax, iMax}`. A 1609.2 linkage CRL names one `iRev` for all of its seeds, so
//!   a publication at i-period `i` advances every entry's seeds from its `i_rev` to `i`
//!   (one hash per elapsed period): receivers revoke every certificate of the chain from `i`
//!   on, which is all that is still valid. Entries are grouped `jMax` → LA pair → `iMax` as
//!   `ToBeSignedLinkageValueCrl` allows. Entries whose chain ended (`iMax < i`) are left out
//!   of the list (they revoke nothing any more) but stay in the state; entries whose `i_rev`
//!   is still in the future wait for their period.
//! - Hash entries (series 3 identification/application, 4 enrollment, 2 components) hold a
//!   HashedId10 and the certificate's expiry; an expired entry is left out of the list.
//! - Every publication bumps `crlSerial` (hash CRLs) and `indexWithinI` (linkage CRL, reset
//!   when `i` changes), sets `issueDate = now` and `nextCrl = now + interval`.
//!
//! - Root management (Steps 11.2.1–11.2.3): `removeRoot` and `removeElector` ballots (their
//!   quorum checked by the caller) are published in `revokedRootCAs` / `revokedElectors`
//!   until the removed certificate expires; root-signed CRLs of series 256
//!   ([`crate::root`]) are kept, the newest per root by `crlSerial`, and appended to
//!   `securedCrlSeries` after the CRLG's own CRLs.
//!
//! The state is a JSON file written atomically (temporary file, fsync, rename) before the
//! CRL is returned, so a restart never forgets an entry. It holds linkage seeds of revoked
//! chains, which are public as soon as they are published.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use scms_asn1::camp::component_cert_management::{
    CompositeCrl, ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, CrlContentsTypeSpecific, CrlSeries, HashBasedRevocationInfo,
    HashedId10, HashedId8, IMaxGroup, Ieee1609Dot2Content, IndividualRevocation, JMaxGroup,
    LAGroup, SecuredCrl, SignerIdentifier, Time32, ToBeSignedHashIdCrl, ToBeSignedLinkageValueCrl,
};
use scms_asn1::Coer;
use scms_core::ballot::open_endorsement;
use scms_core::hash::certificate_id8;
use scms_core::signer::Signer;
use scms_core::time::{i_period, validity_end};
use scms_crypto::linkage::{advance_seed, LinkageSeed};
use serde::{Deserialize, Serialize};

use crate::{composite, empty_contents, secure, series, CrlError};

/// One revoked pseudonym linkage chain, as the MA hands it to the CRLG.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkageRevocation {
    /// The first revoked i-period: the seeds are `ls(i_rev)`.
    pub i_rev: u16,
    /// LA1's 16-bit id.
    pub la1_id: u16,
    /// `ls1(i_rev)`.
    pub seed1: [u8; 16],
    /// LA2's 16-bit id.
    pub la2_id: u16,
    /// `ls2(i_rev)`.
    pub seed2: [u8; 16],
    /// Certificates per i-period of the chain (`jMax`).
    pub j_max: u8,
    /// Last i-period of the chain (`iMax`).
    pub i_max: u16,
}

impl std::fmt::Debug for LinkageRevocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkageRevocation")
            .field("i_rev", &self.i_rev)
            .field("la1_id", &self.la1_id)
            .field("la2_id", &self.la2_id)
            .field("j_max", &self.j_max)
            .field("i_max", &self.i_max)
            .finish_non_exhaustive()
    }
}

/// Why the generator failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GeneratorError {
    /// Building or signing a CRL failed.
    #[error(transparent)]
    Crl(#[from] CrlError),
    /// The state file cannot be read or written.
    #[error("CRLG state {path}: {message}")]
    State {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The series is not one the CRLG signs.
    #[error("the CRLG does not sign CRL series {0}")]
    Series(CrlSeries),
    /// The entry is not acceptable (e.g. `jMax` 0 or `iMax < i_rev`).
    #[error("invalid entry: {0}")]
    Invalid(&'static str),
    /// A root CRL older than (or conflicting with) the one held for its root.
    #[error("root CRL serial {got} is not newer than the held {held}")]
    StaleRootCrl {
        /// `crlSerial` of the CRL handed in.
        got: u32,
        /// `crlSerial` of the CRL held.
        held: u32,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct LinkageRow {
    i_rev: u16,
    la1_id: u16,
    seed1: String,
    la2_id: u16,
    seed2: String,
    j_max: u8,
    i_max: u16,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct HashRow {
    series: u16,
    id10: String,
    expiry: u32,
}

/// A root-signed CRL of series 256 held for republication.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RootCrlRow {
    /// HashedId8 of the signing root (hex).
    root: String,
    /// Its `crlSerial`.
    serial: u32,
    /// COER of the SecuredCrl (hex).
    crl: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    version: u8,
    crl_serial: u32,
    last_i: Option<u16>,
    index_within_i: u8,
    linkage: Vec<LinkageRow>,
    hash: Vec<HashRow>,
    /// `removeRoot` ballots (COER, hex).
    #[serde(default)]
    removed_roots: Vec<String>,
    /// `removeElector` ballots (COER, hex).
    #[serde(default)]
    removed_electors: Vec<String>,
    /// Root-signed CRLs of series 256, one per root.
    #[serde(default)]
    root_crls: Vec<RootCrlRow>,
}

/// `(la1, la2)` → `iMax` → revocations (one `jMax` group of a linkage CRL).
type LaGroups = BTreeMap<(u16, u16), BTreeMap<u16, Vec<IndividualRevocation>>>;

/// The CRL Generator: its signing key and certificate, the root it serves (`cracaId`) and
/// the persisted record of every revocation.
pub struct CrlGenerator {
    signer: Box<dyn Signer>,
    cert: Certificate,
    craca_id: HashedId8,
    path: PathBuf,
    state: State,
    next_crl_seconds: u32,
}

impl std::fmt::Debug for CrlGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrlGenerator")
            .field("path", &self.path)
            .field("crl_serial", &self.state.crl_serial)
            .field("linkage_entries", &self.state.linkage.len())
            .field("hash_entries", &self.state.hash.len())
            .finish_non_exhaustive()
    }
}

fn seed_hex(s: &[u8; 16]) -> String {
    s.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (k, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * k..2 * k + 2)?, 16).ok()?;
    }
    Some(out)
}

impl CrlGenerator {
    /// Default interval to the next CRL (`nextCrl − issueDate`): one day (CRLs are updated
    /// daily).
    pub const DEFAULT_NEXT_CRL_SECONDS: u32 = 24 * 3600;

    /// Opens the generator with its state file `path` (created empty when missing).
    /// `craca_id` is the HashedId8 of the Root CA certificate.
    pub fn open(
        signer: Box<dyn Signer>,
        cert: Certificate,
        craca_id: HashedId8,
        path: &Path,
    ) -> Result<CrlGenerator, GeneratorError> {
        let err = |message: String| GeneratorError::State {
            path: path.to_path_buf(),
            message,
        };
        let state = match std::fs::read(path) {
            Ok(bytes) => {
                let s: State = serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
                for r in &s.linkage {
                    if unhex::<16>(&r.seed1).is_none() || unhex::<16>(&r.seed2).is_none() {
                        return Err(err("bad linkage seed".into()));
                    }
                }
                if s.hash.iter().any(|h| unhex::<10>(&h.id10).is_none()) {
                    return Err(err("bad HashedId10".into()));
                }
                if s.removed_roots
                    .iter()
                    .chain(&s.removed_electors)
                    .any(|b| decode_hex::<ElectorBallot>(b).is_none())
                    || s.root_crls
                        .iter()
                        .any(|r| decode_hex::<SecuredCrl>(&r.crl).is_none())
                {
                    return Err(err("bad ballot or root CRL".into()));
                }
                s
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State {
                version: 1,
                ..State::default()
            },
            Err(e) => return Err(err(e.to_string())),
        };
        Ok(CrlGenerator {
            signer,
            cert,
            craca_id,
            path: path.to_path_buf(),
            state,
            next_crl_seconds: Self::DEFAULT_NEXT_CRL_SECONDS,
        })
    }

    /// Sets the interval between `issueDate` and `nextCrl`.
    pub fn set_next_crl_interval(&mut self, seconds: u32) {
        self.next_crl_seconds = seconds;
    }

    /// The CRLG certificate (verifies the published CRLs).
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The serial of the last publication (0: none yet).
    pub fn crl_serial(&self) -> u32 {
        self.state.crl_serial
    }

    /// Every linkage entry ever added.
    pub fn linkage_entries(&self) -> Vec<LinkageRevocation> {
        self.state
            .linkage
            .iter()
            .filter_map(|r| {
                Some(LinkageRevocation {
                    i_rev: r.i_rev,
                    la1_id: r.la1_id,
                    seed1: unhex(&r.seed1)?,
                    la2_id: r.la2_id,
                    seed2: unhex(&r.seed2)?,
                    j_max: r.j_max,
                    i_max: r.i_max,
                })
            })
            .collect()
    }

    /// Every hash entry ever added: (series, HashedId10, expiry).
    pub fn hash_entries(&self) -> Vec<(CrlSeries, HashedId10, Time32)> {
        self.state
            .hash
            .iter()
            .filter_map(|h| Some((h.series, unhex(&h.id10)?, h.expiry)))
            .collect()
    }

    /// Records a revoked linkage chain (persisted at once). Adding the same chain again is
    /// a no-op; returns whether it was new.
    pub fn add_linkage(&mut self, e: &LinkageRevocation) -> Result<bool, GeneratorError> {
        if e.j_max == 0 {
            return Err(GeneratorError::Invalid("jMax 0"));
        }
        if e.i_max < e.i_rev {
            return Err(GeneratorError::Invalid("iMax before i_rev"));
        }
        let row = LinkageRow {
            i_rev: e.i_rev,
            la1_id: e.la1_id,
            seed1: seed_hex(&e.seed1),
            la2_id: e.la2_id,
            seed2: seed_hex(&e.seed2),
            j_max: e.j_max,
            i_max: e.i_max,
        };
        let known = self.linkage_entries().iter().any(|k| same_chain(k, e));
        if known {
            return Ok(false);
        }
        self.state.linkage.push(row);
        self.save()?;
        Ok(true)
    }

    /// Records a revoked certificate of a hash-based series by its HashedId10 and expiry
    /// (persisted at once). Returns whether it was new.
    pub fn add_hash(
        &mut self,
        crl_series: CrlSeries,
        id10: HashedId10,
        expiry: Time32,
    ) -> Result<bool, GeneratorError> {
        if crl_series == series::OBE_PSEUDONYM || !series::CRLG_SERIES.contains(&crl_series) {
            return Err(GeneratorError::Series(crl_series));
        }
        let id = seed_hex_n(&id10);
        if self
            .state
            .hash
            .iter()
            .any(|h| h.series == crl_series && h.id10 == id)
        {
            return Ok(false);
        }
        self.state.hash.push(HashRow {
            series: crl_series,
            id10: id,
            expiry,
        });
        self.save()?;
        Ok(true)
    }

    /// Records a `removeRoot` or `removeElector` ballot for publication in every composite
    /// CRL (persisted at once). The ballot must be well formed (every endorsement a
    /// `SignedElectorEndorsement` of the same statement); its signatures and quorum are
    /// the caller's to verify against the electors (`TrustStore::apply_ballot`). A second
    /// ballot removing the same certificate is ignored; returns whether it was new.
    pub fn add_ballot(&mut self, ballot: &ElectorBallot) -> Result<bool, GeneratorError> {
        let tbs = ballot_statement(ballot)?;
        let list = match tbs.r#type {
            EndorsementType::RemoveRoot => &mut self.state.removed_roots,
            EndorsementType::RemoveElector => &mut self.state.removed_electors,
            EndorsementType::AddRoot | EndorsementType::AddElector => {
                return Err(GeneratorError::Invalid(
                    "only removeRoot and removeElector ballots go into the CRL",
                ))
            }
        };
        let id = certificate_id8(&tbs.certificate);
        let known = list.iter().any(|b| {
            decode_hex::<ElectorBallot>(b)
                .and_then(|b| ballot_statement(&b).ok())
                .is_some_and(|t| certificate_id8(&t.certificate) == id)
        });
        if known {
            return Ok(false);
        }
        list.push(hex::encode(ballot.to_coer()));
        self.save()?;
        Ok(true)
    }

    /// The `removeRoot` ballots held.
    pub fn revoked_roots(&self) -> Vec<ElectorBallot> {
        decode_all(&self.state.removed_roots)
    }

    /// The `removeElector` ballots held.
    pub fn revoked_electors(&self) -> Vec<ElectorBallot> {
        decode_all(&self.state.removed_electors)
    }

    /// Records a root-signed CRL of series 256 (persisted at once): it must verify with one
    /// of `roots` ([`crate::root::open_root_crl`]). It replaces the CRL held for the same
    /// root if its `crlSerial` is higher; the same CRL again is a no-op (`Ok(false)`); an
    /// older or conflicting one is refused ([`GeneratorError::StaleRootCrl`]).
    pub fn add_root_crl(
        &mut self,
        crl: &SecuredCrl,
        roots: &[Certificate],
    ) -> Result<bool, GeneratorError> {
        let (root, contents) = crate::root::open_root_crl(crl, roots)?;
        let root = hex::encode(certificate_id8(root));
        let serial = crate::root::crl_serial(&contents);
        let bytes = hex::encode(crl.to_coer());
        let row = RootCrlRow {
            root,
            serial,
            crl: bytes,
        };
        match self.state.root_crls.iter_mut().find(|r| r.root == row.root) {
            Some(held) if held.crl == row.crl => return Ok(false),
            Some(held) if held.serial >= serial => {
                return Err(GeneratorError::StaleRootCrl {
                    got: serial,
                    held: held.serial,
                })
            }
            Some(held) => *held = row,
            None => self.state.root_crls.push(row),
        }
        self.save()?;
        Ok(true)
    }

    /// The root-signed CRLs held (the newest of each root).
    pub fn root_crls(&self) -> Vec<SecuredCrl> {
        self.state
            .root_crls
            .iter()
            .filter_map(|r| decode_hex(&r.crl))
            .collect()
    }

    /// Signs and returns the composite CRL as of `now`: one CRL per series the CRLG signs
    /// (4, 3, 1, 2 as `scms init` publishes them), then the root CRLs held; with the
    /// removal ballots whose removed certificate has not expired. The new serial is
    /// persisted first.
    pub fn publish(&mut self, now: Time32) -> Result<CompositeCrl, GeneratorError> {
        let i = i_period(now)
            .and_then(|i| u16::try_from(i).ok())
            .unwrap_or(0);
        self.state.crl_serial = self.state.crl_serial.wrapping_add(1);
        if self.state.last_i == Some(i) {
            self.state.index_within_i = self.state.index_within_i.wrapping_add(1);
        } else {
            self.state.last_i = Some(i);
            self.state.index_within_i = 0;
        }
        self.save()?;
        let next = now.saturating_add(self.next_crl_seconds);
        let mut crls = Vec::new();
        for s in series::CRLG_SERIES {
            let mut c = empty_contents(s, self.craca_id, now, next, i);
            c.type_specific = if s == series::OBE_PSEUDONYM {
                CrlContentsTypeSpecific::FullLinkedCrl(self.linkage_crl(i))
            } else {
                CrlContentsTypeSpecific::FullHashCrl(self.hash_crl(s, now))
            };
            crls.push(secure(self.signer.as_ref(), &self.cert, &c)?);
        }
        tracing::info!(
            serial = self.state.crl_serial,
            i,
            linkage = self.state.linkage.len(),
            hash = self.state.hash.len(),
            "composite CRL published"
        );
        crls.extend(self.root_crls());
        let current = |b: &ElectorBallot| {
            ballot_statement(b).is_ok_and(|t| {
                validity_end(&t.certificate.to_be_signed.validity_period) > u64::from(now)
            })
        };
        let roots = self.revoked_roots().into_iter().filter(current).collect();
        let electors = self
            .revoked_electors()
            .into_iter()
            .filter(current)
            .collect();
        Ok(composite(crls, roots, electors))
    }

    fn linkage_crl(&self, i: u16) -> ToBeSignedLinkageValueCrl {
        // jMax → (la1, la2) → iMax → seeds advanced to i.
        let mut groups: BTreeMap<u8, LaGroups> = BTreeMap::new();
        for e in self.linkage_entries() {
            if e.i_rev > i || e.i_max < i {
                continue;
            }
            let periods = u32::from(i - e.i_rev);
            let s1 = advance_seed(e.la1_id, &LinkageSeed::new(e.seed1), periods);
            let s2 = advance_seed(e.la2_id, &LinkageSeed::new(e.seed2), periods);
            groups
                .entry(e.j_max)
                .or_default()
                .entry((e.la1_id, e.la2_id))
                .or_default()
                .entry(e.i_max)
                .or_default()
                .push(IndividualRevocation {
                    linkage_seed1: *s1.expose(),
                    linkage_seed2: *s2.expose(),
                });
        }
        let individual: Vec<JMaxGroup> = groups
            .into_iter()
            .map(|(jmax, las)| JMaxGroup {
                jmax,
                contents: las
                    .into_iter()
                    .map(|((la1, la2), imaxes)| LAGroup {
                        la1_id: la1.to_be_bytes(),
                        la2_id: la2.to_be_bytes(),
                        contents: imaxes
                            .into_iter()
                            .map(|(i_max, contents)| IMaxGroup { i_max, contents })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        ToBeSignedLinkageValueCrl {
            i_value: i,
            index_within_i: self.state.index_within_i,
            individual: if individual.is_empty() {
                None
            } else {
                Some(individual)
            },
            groups: None,
        }
    }

    fn hash_crl(&self, s: CrlSeries, now: Time32) -> ToBeSignedHashIdCrl {
        ToBeSignedHashIdCrl {
            crl_serial: self.state.crl_serial,
            entries: self
                .hash_entries()
                .into_iter()
                .filter(|(series, _, expiry)| *series == s && *expiry >= now)
                .map(|(_, id, expiry)| HashBasedRevocationInfo { id, expiry })
                .collect(),
        }
    }

    fn save(&self) -> Result<(), GeneratorError> {
        let err = |message: String| GeneratorError::State {
            path: self.path.clone(),
            message,
        };
        let bytes = serde_json::to_vec_pretty(&self.state).map_err(|e| err(e.to_string()))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = std::fs::File::create(&tmp).map_err(|e| err(e.to_string()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                f.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| err(e.to_string()))?;
            }
            f.write_all(&bytes).map_err(|e| err(e.to_string()))?;
            f.sync_all().map_err(|e| err(e.to_string()))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| err(e.to_string()))?;
        Ok(())
    }
}

fn decode_hex<T: Coer>(s: &str) -> Option<T> {
    T::from_coer(&hex::decode(s).ok()?).ok()
}

fn decode_all<T: Coer>(list: &[String]) -> Vec<T> {
    list.iter().filter_map(|s| decode_hex(s)).collect()
}

/// The statement every endorsement of a ballot carries (they must all be the same).
fn ballot_statement(ballot: &ElectorBallot) -> Result<TbsElectorEndorsement, GeneratorError> {
    let mut out: Option<TbsElectorEndorsement> = None;
    for (k, e) in ballot.endorsements.iter().enumerate() {
        let (_, t) = open_endorsement(k, e)
            .map_err(|_| GeneratorError::Invalid("malformed elector endorsement"))?;
        match &out {
            Some(first) if *first != t => {
                return Err(GeneratorError::Invalid(
                    "endorsements of different statements",
                ))
            }
            Some(_) => {}
            None => out = Some(t),
        }
    }
    out.ok_or(GeneratorError::Invalid("ballot without endorsements"))
}

fn seed_hex_n<const N: usize>(b: &[u8; N]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Whether two entries revoke the same chain (same LAs and the same seeds once brought to
/// the later of the two `i_rev`).
fn same_chain(a: &LinkageRevocation, b: &LinkageRevocation) -> bool {
    if a.la1_id != b.la1_id || a.la2_id != b.la2_id {
        return false;
    }
    let at = a.i_rev.max(b.i_rev);
    let adv = |e: &LinkageRevocation| {
        let p = u32::from(at - e.i_rev);
        (
            *advance_seed(e.la1_id, &LinkageSeed::new(e.seed1), p).expose(),
            *advance_seed(e.la2_id, &LinkageSeed::new(e.seed2), p).expose(),
        )
    };
    adv(a) == adv(b)
}

/// The contents of a composite CRL's series-`s` CRL signed by `crlg_cert` (CRLs of other
/// signers, such as root CRLs, are skipped), verified with that certificate.
pub fn contents_of(
    crl: &CompositeCrl,
    crlg_cert: &Certificate,
    s: CrlSeries,
) -> Result<Option<CrlContents>, CrlError> {
    let key = scms_core::sign::certificate_key(scms_crypto::default_backend(), crlg_cert, None)?;
    for c in &crl.secured_crl_series {
        let by_crlg = match &c.content {
            Ieee1609Dot2Content::SignedData(sd) => matches!(
                &sd.signer,
                SignerIdentifier::Certificate(l) if l.len() == 1 && l[0] == *crlg_cert
            ),
            _ => false,
        };
        if !by_crlg {
            continue;
        }
        let contents = crate::open(c, crlg_cert, &key)?;
        if contents.crl_series == s {
            return Ok(Some(contents));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use scms_core::revocation::RevocationList;
    use scms_core::signer::KeyPair;
    use scms_core::time::i_period_start;
    use scms_crypto::linkage::linkage_value_from_seeds;

    fn crlg() -> (KeyPair, Certificate) {
        use scms_core::profile::{template, CertKind, TemplateParams};
        let key = KeyPair::generate().unwrap();
        let tbs = template(
            CertKind::Crlg,
            &TemplateParams {
                name: Some("crlg.test".into()),
                start: i_period_start(500).unwrap(),
                verification_key: Some(*key.public_key()),
                ..TemplateParams::default()
            },
        )
        .unwrap();
        let cert = scms_core::sign::issue_explicit(&key, tbs, None).unwrap();
        (key, cert)
    }

    #[test]
    fn entries_survive_a_restart_and_revoke_from_i_rev() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crlg/state.json");
        let (key, cert) = crlg();
        let (la1, la2) = (0x0101u16, 0x0202u16);
        let s1 = LinkageSeed::random().unwrap();
        let s2 = LinkageSeed::random().unwrap();
        let e = LinkageRevocation {
            i_rev: 501,
            la1_id: la1,
            seed1: *s1.expose(),
            la2_id: la2,
            seed2: *s2.expose(),
            j_max: 20,
            i_max: 600,
        };
        let copy = || Box::new(KeyPair::from_private(key.private().clone()).unwrap());
        let mut g = CrlGenerator::open(copy(), cert.clone(), [1; 8], &path).unwrap();
        assert!(g.add_linkage(&e).unwrap());
        assert!(!g.add_linkage(&e).unwrap());
        assert!(g
            .add_hash(3, [7; 10], i_period_start(600).unwrap())
            .unwrap());
        assert!(g.add_hash(3, [8; 10], 5).unwrap()); // expired: not listed
        drop(g);
        let mut g = CrlGenerator::open(copy(), cert.clone(), [1; 8], &path).unwrap();
        assert_eq!(g.linkage_entries(), vec![e.clone()]);
        let now = i_period_start(503).unwrap() + 10;
        let crl = g.publish(now).unwrap();
        let crl2 = g.publish(now + 1).unwrap();
        assert_eq!(g.crl_serial(), 2);
        let linked = contents_of(&crl, &cert, 1).unwrap().unwrap();
        let hashed = contents_of(&crl2, &cert, 3).unwrap().unwrap();
        let CrlContentsTypeSpecific::FullHashCrl(h) = &hashed.type_specific else {
            panic!()
        };
        assert_eq!(h.crl_serial, 2);
        assert_eq!(h.entries.len(), 1);
        let CrlContentsTypeSpecific::FullLinkedCrl(l) = &linked.type_specific else {
            panic!()
        };
        assert_eq!(l.i_value, 503);
        let mut rl = RevocationList::new();
        rl.add_crl(&linked);
        for i in [503u32, 520] {
            let lv = linkage_value_from_seeds(
                (la1, &advance_seed(la1, &s1, i - 501)),
                (la2, &advance_seed(la2, &s2, i - 501)),
                19,
            );
            assert!(rl.expand(i).contains(&lv));
        }
        assert!(rl.expand(502).is_empty());
    }

    /// A removal ballot of `cert` signed by two fresh electors.
    fn removal(ty: EndorsementType, cert: &Certificate) -> ElectorBallot {
        use scms_core::profile::{template, CertKind, TemplateParams};
        let votes = (0..2)
            .map(|k| {
                let key = KeyPair::generate().unwrap();
                let tbs = template(
                    CertKind::Elector,
                    &TemplateParams {
                        name: Some(format!("elector-{k}.test")),
                        start: i_period_start(500).unwrap(),
                        verification_key: Some(*key.public_key()),
                        ..TemplateParams::default()
                    },
                )
                .unwrap();
                let elector = scms_core::sign::issue_explicit(&key, tbs, None).unwrap();
                let stmt = TbsElectorEndorsement {
                    r#type: ty,
                    certificate: cert.clone(),
                    effective_time: None,
                };
                scms_core::ballot::endorse(&key, &elector, &stmt, 1).unwrap()
            })
            .collect();
        scms_core::ballot::ballot(votes)
    }

    #[test]
    fn ballots_and_root_crls_are_published_and_survive_a_restart() {
        use scms_core::profile::CertKind;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crlg/state.json");
        let (key, cert) = crlg();
        let (root_key, root, issued) =
            crate::root::tests::hierarchy(&[CertKind::Pg, CertKind::Crlg]);
        let copy = || Box::new(KeyPair::from_private(key.private().clone()).unwrap());
        let now = i_period_start(501).unwrap();
        let mut g = CrlGenerator::open(copy(), cert.clone(), [1; 8], &path).unwrap();

        // Ballots: removals are kept (once), additions refused.
        let rm_root = removal(EndorsementType::RemoveRoot, &root);
        let rm_elector = removal(EndorsementType::RemoveElector, &issued[1]);
        assert!(g.add_ballot(&rm_root).unwrap());
        assert!(!g.add_ballot(&rm_root).unwrap());
        assert!(g.add_ballot(&rm_elector).unwrap());
        assert!(matches!(
            g.add_ballot(&removal(EndorsementType::AddRoot, &root)),
            Err(GeneratorError::Invalid(_))
        ));
        assert!(g
            .add_ballot(&ElectorBallot {
                endorsements: vec![]
            })
            .is_err());

        // Root CRLs: only from a known root; the newest per root is kept.
        let first = crate::root::build_root_crl(&root_key, &root, None, &issued[..1], now, now + 9)
            .unwrap();
        let second = crate::root::build_root_crl(
            &root_key,
            &root,
            Some(&first),
            &issued[1..],
            now + 1,
            now + 9,
        )
        .unwrap();
        assert!(matches!(
            g.add_root_crl(&first, &[]),
            Err(GeneratorError::Crl(CrlError::Invalid(_)))
        ));
        // A CRLG-signed CRL is no root CRL.
        let own = g.publish(now).unwrap().secured_crl_series[0].clone();
        assert!(g.add_root_crl(&own, std::slice::from_ref(&root)).is_err());
        let roots = std::slice::from_ref(&root);
        assert!(g.add_root_crl(&first, roots).unwrap());
        assert!(!g.add_root_crl(&first, roots).unwrap());
        assert!(g.add_root_crl(&second, roots).unwrap());
        assert!(matches!(
            g.add_root_crl(&first, roots),
            Err(GeneratorError::StaleRootCrl { got: 1, held: 2 })
        ));
        drop(g);

        // After a restart every publication carries them.
        let mut g = CrlGenerator::open(copy(), cert.clone(), [1; 8], &path).unwrap();
        assert_eq!(g.root_crls(), vec![second.clone()]);
        for t in [now + 2, now + 3] {
            let c = g.publish(t).unwrap();
            assert_eq!(c.secured_crl_series.len(), 5);
            assert_eq!(c.secured_crl_series[4], second);
            assert_eq!(c.revoked_root_cas, vec![rm_root.clone()]);
            assert_eq!(c.revoked_electors, vec![rm_elector.clone()]);
            // The CRLG's own CRLs are still found next to the root CRL.
            assert!(contents_of(&c, &cert, 3).unwrap().is_some());
            let (_, rc) = crate::root::open_root_crl(&c.secured_crl_series[4], roots).unwrap();
            let CrlContentsTypeSpecific::FullHashCrl(h) = &rc.type_specific else {
                panic!()
            };
            assert_eq!(h.entries.len(), 2);
        }
        // Once the removed certificates have expired, their ballots are left out.
        let end = validity_end(&root.to_be_signed.validity_period)
            .max(validity_end(&issued[1].to_be_signed.validity_period));
        let late = g.publish(u32::try_from(end).unwrap()).unwrap();
        assert!(late.revoked_root_cas.is_empty() && late.revoked_electors.is_empty());
    }
}
