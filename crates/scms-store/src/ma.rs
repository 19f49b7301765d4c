//! Persistence for misbehavior handling (seed Use Cases 5, 8 and 16).
//!
//! - [`MaStore`] / [`SqliteMaStore`]: the Misbehavior Authority's database
//!   (`DIR/ma/ma.sqlite`): the misbehavior reports it accepted (decrypted, still signed by
//!   the reporter), and the revocations it ordered. A linkage revocation holds the HPCR the
//!   PCA named and the two linkage seeds `ls1(i_rev)`, `ls2(i_rev)` of the revoked chain —
//!   values the CRL publishes anyway. The MA never stores a pre-linkage value (it never
//!   sees one: the PCA hands out PLVs only encrypted for the LAs).
//! - [`LinkageIndex`] / [`SqliteLinkageIndex`]: what the PCA keeps so it can answer the MA,
//!   whose requests name certificates by linkage value: `(i, linkage value) → HPCR`, a
//!   table `ma_linkage_index` in the PCA's own database file. A linkage value is public
//!   (it is in the certificate); the index links nothing the PCA did not already know.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::la::open_db;
pub use crate::la::DbError;

/// A misbehavior report as the MA keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    /// SHA-256 of the decrypted `SignedMisbehaviorReport` (duplicates are dropped).
    pub report_hash: [u8; 32],
    /// Time32 of receipt.
    pub received_at: u32,
    /// HashedId8 of the reporter's (pseudonym) certificate.
    pub reporter: [u8; 8],
    /// HashedId8 of the reported certificate.
    pub reported: [u8; 8],
    /// COER of the reported certificate.
    pub reported_certificate: Vec<u8>,
    /// COER of the decrypted `SignedMisbehaviorReport` (the evidence, as signed).
    pub report: Vec<u8>,
    /// The plausibility findings (`;`-separated), empty when none.
    pub findings: String,
}

/// A revocation the MA ordered.
#[derive(Clone, PartialEq, Eq)]
pub struct RevocationRecord {
    /// HashedId8 of the certificate that triggered it.
    pub subject: [u8; 8],
    /// Time32 of the decision.
    pub decided_at: u32,
    /// Why (detection policy, operator order).
    pub reason: String,
    /// The HPCR of the certificate's request (pseudonyms).
    pub hpcr: Option<[u8; 32]>,
    /// The linkage entry (pseudonyms): `(i_rev, la1_id, ls1, la2_id, ls2, jMax, iMax)`.
    pub linkage: Option<LinkageSeeds>,
    /// The hash entry (other certificates): HashedId10, CRL series and expiry.
    pub hash: Option<([u8; 10], u16, u32)>,
    /// Whether the RA confirmed the blacklisting of the device.
    pub blacklisted: bool,
}

impl std::fmt::Debug for RevocationRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationRecord")
            .field("subject", &self.subject)
            .field("decided_at", &self.decided_at)
            .field("reason", &self.reason)
            .field("linkage", &self.linkage.is_some())
            .field("hash", &self.hash.map(|h| h.0))
            .field("blacklisted", &self.blacklisted)
            .finish_non_exhaustive()
    }
}

/// The linkage part of a revocation.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkageSeeds {
    /// First revoked i-period.
    pub i_rev: u16,
    /// LA1's id.
    pub la1_id: u16,
    /// `ls1(i_rev)`.
    pub seed1: [u8; 16],
    /// LA2's id.
    pub la2_id: u16,
    /// `ls2(i_rev)`.
    pub seed2: [u8; 16],
    /// Certificates per period.
    pub j_max: u8,
    /// Last period of the chain.
    pub i_max: u16,
}

/// What the MA persists.
pub trait MaStore: Send + Sync {
    /// Records a report; `false` when the same report was recorded before.
    fn add_report(&self, r: &ReportRecord) -> Result<bool, DbError>;
    /// The reports against a certificate.
    fn reports_against(&self, reported: &[u8; 8]) -> Result<Vec<ReportRecord>, DbError>;
    /// Every reported certificate (HashedId8), oldest report first.
    fn reported(&self) -> Result<Vec<[u8; 8]>, DbError>;
    /// Records a revocation (replacing an earlier record of the same subject).
    fn record_revocation(&self, r: &RevocationRecord) -> Result<(), DbError>;
    /// The revocation of a subject.
    fn revocation(&self, subject: &[u8; 8]) -> Result<Option<RevocationRecord>, DbError>;
    /// Number of reports and of revocations.
    fn counts(&self) -> Result<(u64, u64), DbError>;
}

const MA_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reports (
    report_hash BLOB PRIMARY KEY,
    received_at INTEGER NOT NULL,
    reporter BLOB NOT NULL,
    reported BLOB NOT NULL,
    reported_certificate BLOB NOT NULL,
    report BLOB NOT NULL,
    findings TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_reported ON reports(reported);
CREATE TABLE IF NOT EXISTS revocations (
    subject BLOB PRIMARY KEY,
    decided_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    hpcr BLOB,
    i_rev INTEGER, la1_id INTEGER, seed1 BLOB, la2_id INTEGER, seed2 BLOB,
    j_max INTEGER, i_max INTEGER,
    id10 BLOB, crl_series INTEGER, expiry INTEGER,
    blacklisted INTEGER NOT NULL
);
";

/// [`MaStore`] in an SQLite file.
pub struct SqliteMaStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteMaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteMaStore").finish_non_exhaustive()
    }
}

impl SqliteMaStore {
    /// Opens (or creates) the database at `path` (e.g. `DIR/ma/ma.sqlite`).
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Ok(SqliteMaStore {
            conn: Mutex::new(open_db(path, MA_SCHEMA)?),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, DbError> {
        self.conn.lock().map_err(|_| DbError::Poisoned)
    }
}

fn arr<const N: usize>(v: Vec<u8>, what: &'static str) -> Result<[u8; N], DbError> {
    v.try_into().map_err(|_| DbError::Corrupt(what))
}

fn int<T: TryFrom<i64>>(v: i64, what: &'static str) -> Result<T, DbError> {
    T::try_from(v).map_err(|_| DbError::Corrupt(what))
}

type RevRow = (
    Vec<u8>,
    i64,
    String,
    Option<Vec<u8>>,
    (
        Option<i64>,
        Option<i64>,
        Option<Vec<u8>>,
        Option<i64>,
        Option<Vec<u8>>,
        Option<i64>,
        Option<i64>,
    ),
    (Option<Vec<u8>>, Option<i64>, Option<i64>),
    bool,
);

fn to_revocation(r: RevRow) -> Result<RevocationRecord, DbError> {
    let (subject, at, reason, hpcr, l, h, blacklisted) = r;
    let linkage = match l {
        (Some(i_rev), Some(la1), Some(s1), Some(la2), Some(s2), Some(j), Some(imax)) => {
            Some(LinkageSeeds {
                i_rev: int(i_rev, "i_rev")?,
                la1_id: int(la1, "la1_id")?,
                seed1: arr(s1, "seed1")?,
                la2_id: int(la2, "la2_id")?,
                seed2: arr(s2, "seed2")?,
                j_max: int(j, "j_max")?,
                i_max: int(imax, "i_max")?,
            })
        }
        (None, None, None, None, None, None, None) => None,
        _ => return Err(DbError::Corrupt("partial linkage entry")),
    };
    let hash = match h {
        (Some(id), Some(s), Some(e)) => {
            Some((arr(id, "id10")?, int(s, "series")?, int(e, "expiry")?))
        }
        (None, None, None) => None,
        _ => return Err(DbError::Corrupt("partial hash entry")),
    };
    Ok(RevocationRecord {
        subject: arr(subject, "subject")?,
        decided_at: int(at, "decided_at")?,
        reason,
        hpcr: hpcr.map(|h| arr(h, "hpcr")).transpose()?,
        linkage,
        hash,
        blacklisted,
    })
}

type ReportRow = (Vec<u8>, i64, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, String);

fn to_report(r: ReportRow) -> Result<ReportRecord, DbError> {
    Ok(ReportRecord {
        report_hash: arr(r.0, "report_hash")?,
        received_at: int(r.1, "received_at")?,
        reporter: arr(r.2, "reporter")?,
        reported: arr(r.3, "reported")?,
        reported_certificate: r.4,
        report: r.5,
        findings: r.6,
    })
}

impl MaStore for SqliteMaStore {
    fn add_report(&self, r: &ReportRecord) -> Result<bool, DbError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "INSERT OR IGNORE INTO reports (report_hash, received_at, reporter, reported, \
             reported_certificate, report, findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                &r.report_hash[..],
                r.received_at,
                &r.reporter[..],
                &r.reported[..],
                r.reported_certificate,
                r.report,
                r.findings
            ],
        )?;
        Ok(n == 1)
    }

    fn reports_against(&self, reported: &[u8; 8]) -> Result<Vec<ReportRecord>, DbError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare(
            "SELECT report_hash, received_at, reporter, reported, reported_certificate, report, \
             findings FROM reports WHERE reported = ?1 ORDER BY received_at, report_hash",
        )?;
        let rows = stmt.query_map(params![&reported[..]], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.map(|r| to_report(r?)).collect()
    }

    fn reported(&self) -> Result<Vec<[u8; 8]>, DbError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare(
            "SELECT reported, MIN(received_at) AS first FROM reports GROUP BY reported \
             ORDER BY first, reported",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|r| arr(r?, "reported")).collect()
    }

    fn record_revocation(&self, r: &RevocationRecord) -> Result<(), DbError> {
        let conn = self.lock()?;
        let l = r.linkage.as_ref();
        conn.execute(
            "INSERT OR REPLACE INTO revocations (subject, decided_at, reason, hpcr, i_rev, \
             la1_id, seed1, la2_id, seed2, j_max, i_max, id10, crl_series, expiry, blacklisted) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                &r.subject[..],
                r.decided_at,
                r.reason,
                r.hpcr.as_ref().map(|h| h.to_vec()),
                l.map(|l| l.i_rev),
                l.map(|l| l.la1_id),
                l.map(|l| l.seed1.to_vec()),
                l.map(|l| l.la2_id),
                l.map(|l| l.seed2.to_vec()),
                l.map(|l| l.j_max),
                l.map(|l| l.i_max),
                r.hash.map(|h| h.0.to_vec()),
                r.hash.map(|h| h.1),
                r.hash.map(|h| h.2),
                r.blacklisted
            ],
        )?;
        Ok(())
    }

    fn revocation(&self, subject: &[u8; 8]) -> Result<Option<RevocationRecord>, DbError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                "SELECT subject, decided_at, reason, hpcr, i_rev, la1_id, seed1, la2_id, seed2, \
                 j_max, i_max, id10, crl_series, expiry, blacklisted FROM revocations \
                 WHERE subject = ?1",
                params![&subject[..]],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        (
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                            r.get(8)?,
                            r.get(9)?,
                            r.get(10)?,
                        ),
                        (r.get(11)?, r.get(12)?, r.get(13)?),
                        r.get(14)?,
                    ))
                },
            )
            .optional()?;
        row.map(to_revocation).transpose()
    }

    fn counts(&self) -> Result<(u64, u64), DbError> {
        let conn = self.lock()?;
        let a: i64 = conn.query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))?;
        let b: i64 = conn.query_row("SELECT COUNT(*) FROM revocations", [], |r| r.get(0))?;
        Ok((int(a, "count")?, int(b, "count")?))
    }
}

/// The PCA's index from linkage values to the requests (HPCR) that produced them.
pub trait LinkageIndex: Send + Sync {
    /// Records, for each `(i, lv, hpcr)`, that request `hpcr` asks for a certificate with
    /// linkage value `lv` at i-period `i` (idempotent; one transaction).
    fn index(&self, entries: &[(u16, [u8; 9], [u8; 32])]) -> Result<(), DbError>;
    /// The requests for linkage value `lv`: `(i, HPCR)`, oldest first.
    fn lookup(&self, lv: &[u8; 9]) -> Result<Vec<(u16, [u8; 32])>, DbError>;
}

const INDEX_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ma_linkage_index (
    lv BLOB NOT NULL,
    i_value INTEGER NOT NULL,
    request_hash BLOB NOT NULL,
    PRIMARY KEY (lv, request_hash)
);
";

/// [`LinkageIndex`] in an SQLite file (the PCA's `DIR/pca/pca.sqlite`).
pub struct SqliteLinkageIndex {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteLinkageIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLinkageIndex").finish_non_exhaustive()
    }
}

impl SqliteLinkageIndex {
    /// Opens (or creates) the index table in the database at `path`.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Ok(SqliteLinkageIndex {
            conn: Mutex::new(open_db(path, INDEX_SCHEMA)?),
        })
    }
}

impl LinkageIndex for SqliteLinkageIndex {
    fn index(&self, entries: &[(u16, [u8; 9], [u8; 32])]) -> Result<(), DbError> {
        let mut conn = self.conn.lock().map_err(|_| DbError::Poisoned)?;
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare(
                "INSERT OR IGNORE INTO ma_linkage_index (lv, i_value, request_hash) \
                 VALUES (?1, ?2, ?3)",
            )?;
            for (i, lv, hpcr) in entries {
                st.execute(params![&lv[..], i, &hpcr[..]])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn lookup(&self, lv: &[u8; 9]) -> Result<Vec<(u16, [u8; 32])>, DbError> {
        let conn = self.conn.lock().map_err(|_| DbError::Poisoned)?;
        let mut stmt = conn.prepare(
            "SELECT i_value, request_hash FROM ma_linkage_index WHERE lv = ?1 \
             ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![&lv[..]], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|r| {
            let (i, h) = r?;
            Ok((int(i, "i_value")?, arr(h, "request_hash")?))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reports_revocations_and_index() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteMaStore::open(&dir.path().join("ma/ma.sqlite")).unwrap();
        let r = ReportRecord {
            report_hash: [1; 32],
            received_at: 5,
            reporter: [2; 8],
            reported: [3; 8],
            reported_certificate: vec![4],
            report: vec![5],
            findings: "speed".into(),
        };
        assert!(s.add_report(&r).unwrap());
        assert!(!s.add_report(&r).unwrap());
        assert_eq!(s.reports_against(&[3; 8]).unwrap(), vec![r]);
        assert_eq!(s.reported().unwrap(), vec![[3; 8]]);
        let rev = RevocationRecord {
            subject: [3; 8],
            decided_at: 6,
            reason: "policy".into(),
            hpcr: Some([9; 32]),
            linkage: Some(LinkageSeeds {
                i_rev: 1,
                la1_id: 2,
                seed1: [3; 16],
                la2_id: 4,
                seed2: [5; 16],
                j_max: 20,
                i_max: 7,
            }),
            hash: None,
            blacklisted: true,
        };
        s.record_revocation(&rev).unwrap();
        assert_eq!(s.revocation(&[3; 8]).unwrap(), Some(rev));
        assert_eq!(s.counts().unwrap(), (1, 1));

        let idx = SqliteLinkageIndex::open(&dir.path().join("pca/pca.sqlite")).unwrap();
        idx.index(&[(10, [1; 9], [2; 32]), (11, [1; 9], [3; 32])])
            .unwrap();
        idx.index(&[(10, [1; 9], [2; 32])]).unwrap();
        assert_eq!(
            idx.lookup(&[1; 9]).unwrap(),
            vec![(10, [2; 32]), (11, [3; 32])]
        );
        assert!(idx.lookup(&[0; 9]).unwrap().is_empty());
    }
}
