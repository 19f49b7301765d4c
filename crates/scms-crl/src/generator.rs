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
//! The state is a JSON file written atomically (temporary file, fsync, rename) before the
//! CRL is returned, so a restart never forgets an entry. It holds linkage seeds of revoked
//! chains, which are public as soon as they are published.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, CrlContentsTypeSpecific, CrlSeries, HashBasedRevocationInfo,
    HashedId10, HashedId8, IMaxGroup, IndividualRevocation, JMaxGroup, LAGroup, Time32,
    ToBeSignedHashIdCrl, ToBeSignedLinkageValueCrl,
};
use scms_core::signer::Signer;
use scms_core::time::i_period;
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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    version: u8,
    crl_serial: u32,
    last_i: Option<u16>,
    index_within_i: u8,
    linkage: Vec<LinkageRow>,
    hash: Vec<HashRow>,
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

    /// Signs and returns the composite CRL as of `now`: one CRL per series the CRLG signs
    /// (4, 3, 1, 2 as `scms init` publishes them). The new serial is persisted first.
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
        Ok(composite(crls, vec![], vec![]))
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

/// The contents of a composite CRL's series-`s` CRL, verified with the CRLG certificate.
pub fn contents_of(
    crl: &CompositeCrl,
    crlg_cert: &Certificate,
    s: CrlSeries,
) -> Result<Option<CrlContents>, CrlError> {
    let key = scms_core::sign::certificate_key(scms_crypto::default_backend(), crlg_cert, None)?;
    for c in &crl.secured_crl_series {
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
}
