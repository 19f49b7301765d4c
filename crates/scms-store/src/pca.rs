//! Persistence of the Pseudonym Certificate Authority: one record per certificate request,
//! keyed by the hash of the request (HPCR, 32 bytes).
//!
//! A record is written in two steps, so issuance is crash safe and idempotent:
//! 1. [`PcaStore::begin`] persists the *intent* (request hash, the encrypted PLVs exactly as
//!    received, the i-value) before anything is signed; if the request is already known it
//!    returns the stored response instead;
//! 2. [`PcaStore::complete`] persists the certificate and the response before the response
//!    is offered. If two identical requests race, the first completion wins and both
//!    callers get its response.
//!
//! Both take a batch of requests and commit it as one transaction (one durable commit per
//! batch); a batch of one is the single-request case.
//!
//! What the MA may later ask the PCA for is here: the encrypted PLVs as received and the
//! request hash, found by the certificate's HashedId8. No plaintext pre-linkage value and
//! no device identity is ever stored (the PCA has none).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::la::open_db;
pub use crate::la::DbError;

/// What is persisted before issuing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// SHA-256 of the request (the idempotency key; `HPCR`).
    pub request_hash: [u8; 32],
    /// What is requested (`pseudonym`, `identification`, ...).
    pub kind: String,
    /// The i-value of a pseudonym request.
    pub i_value: Option<u16>,
    /// COER `EncryptedIndividualPLV` from LA1, as received.
    pub enc_plv1: Option<Vec<u8>>,
    /// COER `EncryptedIndividualPLV` from LA2, as received.
    pub enc_plv2: Option<Vec<u8>>,
    /// Time32 of receipt.
    pub received_at: u32,
}

/// The result of [`PcaStore::begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The intent is recorded: issue, then [`PcaStore::complete`].
    New,
    /// The request was seen but never completed (crash): issue again, then complete.
    Pending,
    /// The request was answered: this is the stored response.
    Done(Vec<u8>),
}

/// The issued certificate and the response, recorded by [`PcaStore::complete`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// HashedId8 of the certificate.
    pub cert_id8: [u8; 8],
    /// HashedId10 of the certificate.
    pub cert_id10: [u8; 10],
    /// COER of the certificate.
    pub certificate: Vec<u8>,
    /// The complete response as returned to the RA.
    pub response: Vec<u8>,
}

/// A complete record, as the MA interface needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcaRecord {
    /// The intent part.
    pub intent: Intent,
    /// The issued part (`None` while pending).
    pub issued: Option<Issued>,
}

/// What the PCA persists.
pub trait PcaStore: Send + Sync {
    /// Records the intent of each `intent.request_hash` (one transaction), or reports what
    /// is known about it; one [`Begin`] per intent, in order.
    fn begin(&self, intents: &[&Intent]) -> Result<Vec<Begin>, DbError>;
    /// Records the results `(request hash, issued)` of begun requests (one transaction) and
    /// returns the responses to offer, in order: `issued`'s, or the one completed first if
    /// another completion won a race.
    fn complete(&self, results: &[(&[u8; 32], &Issued)]) -> Result<Vec<Vec<u8>>, DbError>;
    /// The record of a request.
    fn record(&self, request_hash: &[u8; 32]) -> Result<Option<PcaRecord>, DbError>;
    /// The record of the request that produced the certificate with this HashedId8.
    fn find_by_certificate(&self, cert_id8: &[u8; 8]) -> Result<Option<PcaRecord>, DbError>;
    /// Number of records.
    fn count(&self) -> Result<u64, DbError>;
}

const PCA_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS requests (
    request_hash BLOB PRIMARY KEY,
    kind TEXT NOT NULL,
    i_value INTEGER,
    enc_plv1 BLOB,
    enc_plv2 BLOB,
    received_at INTEGER NOT NULL,
    cert_id8 BLOB,
    cert_id10 BLOB,
    certificate BLOB,
    response BLOB
);
CREATE INDEX IF NOT EXISTS requests_cert_id8 ON requests(cert_id8);
";

/// [`PcaStore`] in an SQLite file.
pub struct SqlitePcaStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqlitePcaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlitePcaStore").finish_non_exhaustive()
    }
}

const COLUMNS: &str = "request_hash, kind, i_value, enc_plv1, enc_plv2, received_at, cert_id8, \
                       cert_id10, certificate, response";

type Row = (
    Vec<u8>,
    String,
    Option<i64>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    i64,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn to_record(row: Row) -> Result<PcaRecord, DbError> {
    let (hash, kind, i, p1, p2, at, id8, id10, cert, resp) = row;
    let intent = Intent {
        request_hash: hash
            .try_into()
            .map_err(|_| DbError::Corrupt("request_hash"))?,
        kind,
        i_value: i
            .map(u16::try_from)
            .transpose()
            .map_err(|_| DbError::Corrupt("i_value"))?,
        enc_plv1: p1,
        enc_plv2: p2,
        received_at: u32::try_from(at).map_err(|_| DbError::Corrupt("received_at"))?,
    };
    let issued = match (id8, id10, cert, resp) {
        (Some(id8), Some(id10), Some(certificate), Some(response)) => Some(Issued {
            cert_id8: id8.try_into().map_err(|_| DbError::Corrupt("cert_id8"))?,
            cert_id10: id10.try_into().map_err(|_| DbError::Corrupt("cert_id10"))?,
            certificate,
            response,
        }),
        (None, None, None, None) => None,
        _ => return Err(DbError::Corrupt("partial result")),
    };
    Ok(PcaRecord { intent, issued })
}

impl SqlitePcaStore {
    /// Opens (or creates) the database at `path` (e.g. `DIR/pca/pca.sqlite`).
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Ok(SqlitePcaStore {
            conn: Mutex::new(open_db(path, PCA_SCHEMA)?),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, DbError> {
        self.conn.lock().map_err(|_| DbError::Poisoned)
    }
}

fn response_of(conn: &Connection, hash: &[u8; 32]) -> Result<Option<Option<Vec<u8>>>, DbError> {
    Ok(conn
        .query_row(
            "SELECT response FROM requests WHERE request_hash = ?1",
            params![&hash[..]],
            |r| r.get::<_, Option<Vec<u8>>>(0),
        )
        .optional()?)
}

impl PcaStore for SqlitePcaStore {
    fn begin(&self, intents: &[&Intent]) -> Result<Vec<Begin>, DbError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let mut out = Vec::with_capacity(intents.len());
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO requests (request_hash, kind, i_value, enc_plv1, \
                 enc_plv2, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for intent in intents {
                let inserted = insert.execute(params![
                    &intent.request_hash[..],
                    intent.kind,
                    intent.i_value,
                    intent.enc_plv1,
                    intent.enc_plv2,
                    intent.received_at
                ])?;
                out.push(if inserted == 1 {
                    Begin::New
                } else {
                    match response_of(&tx, &intent.request_hash)? {
                        Some(Some(r)) => Begin::Done(r),
                        _ => Begin::Pending,
                    }
                });
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn complete(&self, results: &[(&[u8; 32], &Issued)]) -> Result<Vec<Vec<u8>>, DbError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let mut out = Vec::with_capacity(results.len());
        {
            let mut update = tx.prepare(
                "UPDATE requests SET cert_id8 = ?2, cert_id10 = ?3, certificate = ?4, \
                 response = ?5 WHERE request_hash = ?1 AND response IS NULL",
            )?;
            for (request_hash, issued) in results {
                update.execute(params![
                    &request_hash[..],
                    &issued.cert_id8[..],
                    &issued.cert_id10[..],
                    issued.certificate,
                    issued.response
                ])?;
                match response_of(&tx, request_hash)? {
                    Some(Some(r)) => out.push(r),
                    _ => return Err(DbError::Corrupt("completed a request that was never begun")),
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn record(&self, request_hash: &[u8; 32]) -> Result<Option<PcaRecord>, DbError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM requests WHERE request_hash = ?1"),
                params![&request_hash[..]],
                read_row,
            )
            .optional()?;
        row.map(to_record).transpose()
    }

    fn find_by_certificate(&self, cert_id8: &[u8; 8]) -> Result<Option<PcaRecord>, DbError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM requests WHERE cert_id8 = ?1 LIMIT 1"),
                params![&cert_id8[..]],
                read_row,
            )
            .optional()?;
        row.map(to_record).transpose()
    }

    fn count(&self) -> Result<u64, DbError> {
        let conn = self.lock()?;
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))?;
        u64::try_from(n).map_err(|_| DbError::Corrupt("count"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn intent_then_result_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqlitePcaStore::open(&dir.path().join("pca/pca.sqlite")).unwrap();
        let intent = Intent {
            request_hash: [1; 32],
            kind: "pseudonym".into(),
            i_value: Some(400),
            enc_plv1: Some(vec![1, 2]),
            enc_plv2: Some(vec![3, 4]),
            received_at: 9,
        };
        let other_intent = Intent {
            request_hash: [2; 32],
            ..intent.clone()
        };
        assert_eq!(
            s.begin(&[&intent, &other_intent]).unwrap(),
            vec![Begin::New, Begin::New]
        );
        assert_eq!(s.begin(&[&intent]).unwrap(), vec![Begin::Pending]);
        let issued = Issued {
            cert_id8: [8; 8],
            cert_id10: [10; 10],
            certificate: vec![5],
            response: vec![6, 7],
        };
        assert_eq!(
            s.complete(&[(&[1; 32], &issued)]).unwrap(),
            vec![vec![6, 7]]
        );
        let other = Issued {
            cert_id8: [9; 8],
            response: vec![0],
            ..issued.clone()
        };
        assert_eq!(
            s.complete(&[(&[1; 32], &other), (&[2; 32], &other)])
                .unwrap(),
            vec![vec![6, 7], vec![0]]
        );
        assert_eq!(s.begin(&[&intent]).unwrap(), vec![Begin::Done(vec![6, 7])]);
        let rec = s.find_by_certificate(&[8; 8]).unwrap().unwrap();
        assert_eq!(rec.intent, intent);
        assert_eq!(rec.issued, Some(issued));
        assert_eq!(s.count().unwrap(), 2);
        // A completion of an unknown request fails the whole batch (nothing committed).
        assert!(s.complete(&[(&[3; 32], &other)]).is_err());
        assert_eq!(s.record(&[3; 32]).unwrap(), None);
    }
}
