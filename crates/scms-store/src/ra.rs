//! Persistence of the Registration Authority: accepted provisioning requests ("streams"
//! of one device), the individual certificate requests to the PCA with their responses,
//! the generated download files, the blacklist and the request-rate counters.
//!
//! [`RaStore`] is the interface the RA uses; [`SqliteRaStore`] implements it on one SQLite
//! database (WAL mode) so that a networked database could replace it. Every value that
//! is ASN.1 is stored as its COER bytes: this module does not interpret them.
//!
//! Crash safety: every operation that must be atomic is one transaction (e.g. the
//! individual requests of a batch are inserted together with the stream's progress
//! marker), so a restarted RA resumes from exactly what was committed. The write methods
//! take batches (many streams, requests, outcomes or files per call), each batch one
//! transaction: one durable commit per batch instead of one per record.
//!
//! Durability: commits wait for the disk (`synchronous = FULL`), except those of
//! [`RaStore::set_outcomes`] and [`RaStore::put_files`] (`NORMAL`: durable against a
//! crash of the process, possibly rolled back by a power loss). Those records are
//! recovered by idempotence: a request without a stored outcome is re-sent with the same
//! bytes and the PCA answers from its (durable) record, and the files are made again
//! from the outcomes. WAL commits are replayed in order, so a power loss can only lose
//! the last relaxed commits, never a durable one after them.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

/// A store failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RaStoreError {
    /// The database failed.
    #[error("RA database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database directory could not be created.
    #[error("RA database directory: {0}")]
    Io(#[from] std::io::Error),
    /// A stored value is not what this version writes.
    #[error("RA database: corrupt value in {0}")]
    Corrupt(&'static str),
    /// The lock protecting the connection was poisoned by a panic.
    #[error("RA database lock poisoned")]
    Poisoned,
}

/// Result of the store.
pub type Result<T> = std::result::Result<T, RaStoreError>;

/// What a stream of certificates is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// OBE pseudonym certificates (Use Case 3), global i, 20 per i.
    Pseudonym,
    /// OBE identification certificates (Use Case 19), local i, one per i.
    Identity,
    /// RSE application certificate (Use Case 13), one certificate.
    Application,
}

impl StreamKind {
    fn as_str(self) -> &'static str {
        match self {
            StreamKind::Pseudonym => "pseudonym",
            StreamKind::Identity => "identity",
            StreamKind::Application => "application",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "pseudonym" => Ok(StreamKind::Pseudonym),
            "identity" => Ok(StreamKind::Identity),
            "application" => Ok(StreamKind::Application),
            _ => Err(RaStoreError::Corrupt("streams.kind")),
        }
    }
}

/// One accepted provisioning request and its generation state.
#[derive(Clone, PartialEq, Eq)]
pub struct Stream {
    /// Row id (0 before insertion).
    pub id: i64,
    /// The request hash `X` of the file names (HashedId8 of the ToBeSigned request).
    pub request_hash: [u8; 8],
    /// HashedId8 of the device's enrollment certificate.
    pub enrollment_id: [u8; 8],
    /// What the stream produces.
    pub kind: StreamKind,
    /// COER of the enrollment certificate.
    pub enrollment_cert: Vec<u8>,
    /// COER of the EE's request (`EeRa…ProvisioningRequest`: butterfly parameters / keys).
    pub request: Vec<u8>,
    /// First i of the stream (global i for pseudonyms, local i for identification).
    pub first_i: u32,
    /// Individual requests exist for every i in `first_i..next_i`.
    pub next_i: u32,
    /// Pseudonyms: LinkageChainId (COER) of LA1, once obtained.
    pub la1_chain: Option<Vec<u8>>,
    /// Pseudonyms: LinkageChainId (COER) of LA2, once obtained.
    pub la2_chain: Option<Vec<u8>>,
    /// Time32 of acceptance.
    pub accepted_at: u32,
    /// Time32 of the last authenticated contact of the device.
    pub last_seen: u32,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The request holds butterfly expansion keys: never printed.
        f.debug_struct("Stream")
            .field("id", &self.id)
            .field("request_hash", &hex8(&self.request_hash))
            .field("kind", &self.kind)
            .field("first_i", &self.first_i)
            .field("next_i", &self.next_i)
            .finish_non_exhaustive()
    }
}

fn hex8(b: &[u8; 8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// One individual certificate request to the PCA (signed, ready to send).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcaRequest {
    /// Stable id: the idempotency key of the request (its bytes never change).
    pub id: i64,
    /// The stream it belongs to.
    pub stream_id: i64,
    /// i (global or local).
    pub i: u32,
    /// j.
    pub j: u32,
    /// COER of the signed request as sent to the PCA.
    pub request: Vec<u8>,
    /// Time32 of creation (for `max_cert_request_age`).
    pub created_at: u32,
    /// Whether the request waits in the shuffle pool (pseudonyms) or is sent at once.
    pub shuffle: bool,
}

/// A new individual request (before insertion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPcaRequest {
    /// i.
    pub i: u32,
    /// j.
    pub j: u32,
    /// COER of the signed request.
    pub request: Vec<u8>,
    /// Pseudonym requests: the HPCR the PCA will compute (SHA-256 of the COER
    /// `tbsRequest`), recorded with the request so the MA can be answered (ma-ra).
    pub hpcr: Option<[u8; 32]>,
}

/// The new individual requests of one stream, for [`RaStore::add_requests`].
#[derive(Debug, Clone, Copy)]
pub struct StreamRequests<'a> {
    /// The stream.
    pub stream_id: i64,
    /// Applied only if the stream's `next_i` is still this.
    pub expected_next_i: u32,
    /// The stream's `next_i` afterwards.
    pub new_next_i: u32,
    /// The requests.
    pub requests: &'a [NewPcaRequest],
    /// Whether they wait in the shuffle pool.
    pub shuffle: bool,
}

/// A download file to store, for [`RaStore::put_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// The file name (exact, upper-case hex).
    pub name: String,
    /// The stream it belongs to.
    pub stream_id: i64,
    /// The batch (i) it packages, if any.
    pub i: Option<u32>,
    /// The content.
    pub bytes: Vec<u8>,
}

/// What the RA knows about an HPCR (for the MA's `maRaLCIRequest` / `maRaBlacklistRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HpcrRecord {
    /// The stream (device request) the PCA request belongs to.
    pub stream_id: i64,
    /// The request's i.
    pub i: u32,
}

/// A misbehavior report waiting in the RA's shuffle pool (opaque: encrypted to the MA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledReport {
    /// Row id.
    pub id: i64,
    /// The `SecuredMisbehaviorReport` bytes as received.
    pub body: Vec<u8>,
    /// Time32 of receipt.
    pub received_at: u32,
}

/// The outcome of one individual request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PcaOutcome {
    /// The certificate response to hand to the device, exactly as the PCA made it.
    Certificate(Vec<u8>),
    /// The PCA refused (its error, for the log).
    Failed(String),
}

/// The RA's persistence.
pub trait RaStore: Send + Sync {
    /// Inserts an accepted stream; `Ok(None)` if its request hash is already known.
    fn insert_stream(&self, stream: &Stream) -> Result<Option<i64>>;
    /// The stream with this request hash.
    fn stream_by_hash(&self, hash: &[u8; 8]) -> Result<Option<Stream>>;
    /// The stream with this id.
    fn stream(&self, id: i64) -> Result<Option<Stream>>;
    /// Every stream of a device (by enrollment certificate HashedId8).
    fn streams_of(&self, enrollment_id: &[u8; 8]) -> Result<Vec<Stream>>;
    /// Every stream of a kind whose device is not blacklisted.
    fn active_streams(&self, kind: StreamKind) -> Result<Vec<Stream>>;
    /// Records the LinkageChainIds `(stream, LA1's, LA2's)` of streams (first time or
    /// continued), in one transaction.
    fn set_chains(&self, chains: &[(i64, Vec<u8>, Vec<u8>)]) -> Result<()>;
    /// Records an authenticated contact.
    fn touch(&self, stream_id: i64, now: u32) -> Result<()>;
    /// Inserts the individual requests of each stream and sets its `next_i` (for each
    /// stream only if its `next_i` is still `expected_next_i`), all in one transaction;
    /// returns, per stream, whether it was applied.
    fn add_requests(&self, batch: &[StreamRequests<'_>], now: u32) -> Result<Vec<bool>>;
    /// Requests without an outcome, oldest first, of non-blacklisted devices.
    fn open_requests(&self) -> Result<Vec<PcaRequest>>;
    /// Stores the outcomes of requests in one transaction (idempotent: a second outcome
    /// of a request is ignored).
    fn set_outcomes(&self, outcomes: &[(i64, PcaOutcome)], now: u32) -> Result<()>;
    /// The i values of a stream whose requests all have an outcome and whose file is
    /// not yet made.
    fn complete_unpackaged(&self, stream_id: i64) -> Result<Vec<u32>>;
    /// The certificate responses of (stream, i): `(j, bytes)` sorted by j.
    fn certificates(&self, stream_id: i64, i: u32) -> Result<Vec<(u32, Vec<u8>)>>;
    /// Counts `(requests, certificates, open requests)` of a stream.
    fn counts(&self, stream_id: i64) -> Result<(u64, u64, u64)>;
    /// Stores (or replaces) download files in one transaction.
    fn put_files(&self, files: &[NewFile]) -> Result<()>;
    /// A download file by name (exact, upper-case hex).
    fn file(&self, name: &str) -> Result<Option<(i64, Vec<u8>)>>;
    /// Adds an enrollment certificate HashedId8 to the blacklist.
    fn blacklist(&self, enrollment_id: &[u8; 8], now: u32) -> Result<()>;
    /// Whether an enrollment certificate is blacklisted.
    fn is_blacklisted(&self, enrollment_id: &[u8; 8]) -> Result<bool>;
    /// Records one request of a device at `now` and returns how many it made in
    /// `(now - window, now]` (this one included); older entries are dropped.
    fn record_attempt(&self, enrollment_id: &[u8; 8], now: u32, window: u32) -> Result<u32>;
    /// The version counter of a served file: starts at 0, incremented when `digest`
    /// differs from the last one recorded for `name`.
    fn file_version(&self, name: &str, digest: &[u8; 32]) -> Result<u16>;
    /// The stream and i of the pseudonym request with this HPCR.
    fn hpcr(&self, hpcr: &[u8; 32]) -> Result<Option<HpcrRecord>>;
    /// Stores a misbehavior report in the forwarding pool.
    fn pool_report(&self, body: &[u8], now: u32) -> Result<i64>;
    /// Every pooled report, oldest first.
    fn pooled_reports(&self) -> Result<Vec<PooledReport>>;
    /// Removes a report once the MA has accepted it.
    fn remove_report(&self, id: i64) -> Result<()>;
}

/// [`RaStore`] on SQLite.
pub struct SqliteRaStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteRaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteRaStore").finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS streams (
    id INTEGER PRIMARY KEY,
    request_hash BLOB NOT NULL UNIQUE,
    enrollment_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    enrollment_cert BLOB NOT NULL,
    request BLOB NOT NULL,
    first_i INTEGER NOT NULL,
    next_i INTEGER NOT NULL,
    la1_chain BLOB,
    la2_chain BLOB,
    accepted_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS streams_enrollment ON streams(enrollment_id);
CREATE TABLE IF NOT EXISTS pca_requests (
    id INTEGER PRIMARY KEY,
    stream_id INTEGER NOT NULL REFERENCES streams(id),
    i INTEGER NOT NULL,
    j INTEGER NOT NULL,
    request BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    shuffle INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0, -- 0 open, 1 certificate, 2 failed
    response BLOB,
    error TEXT,
    done_at INTEGER,
    UNIQUE (stream_id, i, j)
);
CREATE INDEX IF NOT EXISTS pca_requests_open ON pca_requests(state, id);
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY,
    stream_id INTEGER NOT NULL,
    i INTEGER,
    bytes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS files_stream ON files(stream_id, i);
CREATE TABLE IF NOT EXISTS blacklist (
    enrollment_id BLOB PRIMARY KEY,
    added_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    enrollment_id BLOB NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_device ON attempts(enrollment_id, at);
CREATE TABLE IF NOT EXISTS hpcr (
    hpcr BLOB PRIMARY KEY,
    stream_id INTEGER NOT NULL REFERENCES streams(id),
    i INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mb_reports (
    id INTEGER PRIMARY KEY,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS file_versions (
    name TEXT PRIMARY KEY,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL
);
";

const STREAM_COLS: &str = "id, request_hash, enrollment_id, kind, enrollment_cert, request, \
     first_i, next_i, la1_chain, la2_chain, accepted_at, last_seen";

fn arr8(v: Vec<u8>, what: &'static str) -> Result<[u8; 8]> {
    v.try_into().map_err(|_| RaStoreError::Corrupt(what))
}

fn u32_of(v: i64, what: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| RaStoreError::Corrupt(what))
}

type StreamRow = (
    i64,
    Vec<u8>,
    Vec<u8>,
    String,
    Vec<u8>,
    Vec<u8>,
    i64,
    i64,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    i64,
    i64,
);

fn stream_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StreamRow> {
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
        r.get(10)?,
        r.get(11)?,
    ))
}

fn to_stream(row: StreamRow) -> Result<Stream> {
    let (id, hash, enr, kind, cert, request, first, next, la1, la2, acc, seen) = row;
    Ok(Stream {
        id,
        request_hash: arr8(hash, "streams.request_hash")?,
        enrollment_id: arr8(enr, "streams.enrollment_id")?,
        kind: StreamKind::parse(&kind)?,
        enrollment_cert: cert,
        request,
        first_i: u32_of(first, "streams.first_i")?,
        next_i: u32_of(next, "streams.next_i")?,
        la1_chain: la1,
        la2_chain: la2,
        accepted_at: u32_of(acc, "streams.accepted_at")?,
        last_seen: u32_of(seen, "streams.last_seen")?,
    })
}

impl SqliteRaStore {
    /// Opens (creating if needed) the database at `path` in WAL mode.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteRaStore {
            conn: Mutex::new(conn),
        })
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteRaStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| RaStoreError::Poisoned)
    }

    /// Runs `f` in one transaction committed with `synchronous = NORMAL` (see the module
    /// documentation for which writes may be), then restores `FULL`.
    fn relaxed(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>) -> Result<()> {
        let mut c = self.conn()?;
        c.pragma_update(None, "synchronous", "NORMAL")?;
        let result = c.transaction().map_err(RaStoreError::from).and_then(|tx| {
            f(&tx)?;
            Ok(tx.commit()?)
        });
        c.pragma_update(None, "synchronous", "FULL")?;
        result
    }

    fn streams_where(&self, clause: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<Stream>> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!("SELECT {STREAM_COLS} FROM streams {clause}"))?;
        let rows = st.query_map(p, stream_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(to_stream(r?)?);
        }
        Ok(out)
    }
}

impl RaStore for SqliteRaStore {
    fn insert_stream(&self, s: &Stream) -> Result<Option<i64>> {
        let c = self.conn()?;
        let n = c.execute(
            "INSERT OR IGNORE INTO streams (request_hash, enrollment_id, kind, enrollment_cert, \
             request, first_i, next_i, la1_chain, la2_chain, accepted_at, last_seen) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                &s.request_hash[..],
                &s.enrollment_id[..],
                s.kind.as_str(),
                s.enrollment_cert,
                s.request,
                s.first_i,
                s.next_i,
                s.la1_chain,
                s.la2_chain,
                s.accepted_at,
                s.last_seen
            ],
        )?;
        Ok((n == 1).then(|| c.last_insert_rowid()))
    }

    fn stream_by_hash(&self, hash: &[u8; 8]) -> Result<Option<Stream>> {
        Ok(self
            .streams_where("WHERE request_hash = ?1", &[&&hash[..]])?
            .into_iter()
            .next())
    }

    fn stream(&self, id: i64) -> Result<Option<Stream>> {
        Ok(self
            .streams_where("WHERE id = ?1", &[&id])?
            .into_iter()
            .next())
    }

    fn streams_of(&self, enrollment_id: &[u8; 8]) -> Result<Vec<Stream>> {
        self.streams_where(
            "WHERE enrollment_id = ?1 ORDER BY id",
            &[&&enrollment_id[..]],
        )
    }

    fn active_streams(&self, kind: StreamKind) -> Result<Vec<Stream>> {
        self.streams_where(
            "WHERE kind = ?1 AND enrollment_id NOT IN (SELECT enrollment_id FROM blacklist) \
             ORDER BY id",
            &[&kind.as_str()],
        )
    }

    fn set_chains(&self, chains: &[(i64, Vec<u8>, Vec<u8>)]) -> Result<()> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        {
            let mut st =
                tx.prepare("UPDATE streams SET la1_chain = ?2, la2_chain = ?3 WHERE id = ?1")?;
            for (id, la1, la2) in chains {
                st.execute(params![id, la1, la2])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn touch(&self, stream_id: i64, now: u32) -> Result<()> {
        self.conn()?.execute(
            "UPDATE streams SET last_seen = MAX(last_seen, ?2) WHERE id = ?1",
            params![stream_id, now],
        )?;
        Ok(())
    }

    fn add_requests(&self, batch: &[StreamRequests<'_>], now: u32) -> Result<Vec<bool>> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let mut applied = Vec::with_capacity(batch.len());
        {
            let mut next =
                tx.prepare("UPDATE streams SET next_i = ?3 WHERE id = ?1 AND next_i = ?2")?;
            let mut st = tx.prepare(
                "INSERT INTO pca_requests (stream_id, i, j, request, created_at, shuffle) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut hp =
                tx.prepare("INSERT OR IGNORE INTO hpcr (hpcr, stream_id, i) VALUES (?1, ?2, ?3)")?;
            for b in batch {
                let n = next.execute(params![b.stream_id, b.expected_next_i, b.new_next_i])?;
                applied.push(n == 1);
                if n != 1 {
                    continue;
                }
                for r in b.requests {
                    st.execute(params![b.stream_id, r.i, r.j, r.request, now, b.shuffle])?;
                    if let Some(h) = &r.hpcr {
                        hp.execute(params![&h[..], b.stream_id, r.i])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(applied)
    }

    fn open_requests(&self) -> Result<Vec<PcaRequest>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT r.id, r.stream_id, r.i, r.j, r.request, r.created_at, r.shuffle \
             FROM pca_requests r JOIN streams s ON s.id = r.stream_id \
             WHERE r.state = 0 AND s.enrollment_id NOT IN (SELECT enrollment_id FROM blacklist) \
             ORDER BY r.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, stream_id, i, j, request, created, shuffle) = r?;
            out.push(PcaRequest {
                id,
                stream_id,
                i: u32_of(i, "pca_requests.i")?,
                j: u32_of(j, "pca_requests.j")?,
                request,
                created_at: u32_of(created, "pca_requests.created_at")?,
                shuffle,
            });
        }
        Ok(out)
    }

    fn set_outcomes(&self, outcomes: &[(i64, PcaOutcome)], now: u32) -> Result<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        self.relaxed(|tx| {
            let mut ok = tx.prepare(
                "UPDATE pca_requests SET state = 1, response = ?2, done_at = ?3 \
                 WHERE id = ?1 AND state = 0",
            )?;
            let mut failed = tx.prepare(
                "UPDATE pca_requests SET state = 2, error = ?2, done_at = ?3 \
                 WHERE id = ?1 AND state = 0",
            )?;
            for (id, outcome) in outcomes {
                match outcome {
                    PcaOutcome::Certificate(b) => ok.execute(params![id, b, now])?,
                    PcaOutcome::Failed(e) => failed.execute(params![id, e, now])?,
                };
            }
            Ok(())
        })
    }

    fn complete_unpackaged(&self, stream_id: i64) -> Result<Vec<u32>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT i FROM pca_requests WHERE stream_id = ?1 GROUP BY i \
             HAVING SUM(state = 0) = 0 \
             AND i NOT IN (SELECT i FROM files WHERE stream_id = ?1 AND i IS NOT NULL) \
             ORDER BY i",
        )?;
        let rows = st.query_map([stream_id], |r| r.get::<_, i64>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(u32_of(r?, "pca_requests.i")?);
        }
        Ok(out)
    }

    fn certificates(&self, stream_id: i64, i: u32) -> Result<Vec<(u32, Vec<u8>)>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT j, response FROM pca_requests WHERE stream_id = ?1 AND i = ?2 AND state = 1 \
             ORDER BY j",
        )?;
        let rows = st.query_map(params![stream_id, i], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (j, b) = r?;
            out.push((u32_of(j, "pca_requests.j")?, b));
        }
        Ok(out)
    }

    fn counts(&self, stream_id: i64) -> Result<(u64, u64, u64)> {
        let c = self.conn()?;
        let (n, ok, open): (i64, i64, i64) = c.query_row(
            "SELECT COUNT(*), COALESCE(SUM(state = 1), 0), COALESCE(SUM(state = 0), 0) \
             FROM pca_requests WHERE stream_id = ?1",
            [stream_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok((n.max(0) as u64, ok.max(0) as u64, open.max(0) as u64))
    }

    fn put_files(&self, files: &[NewFile]) -> Result<()> {
        self.relaxed(|tx| {
            let mut st = tx.prepare(
                "INSERT INTO files (name, stream_id, i, bytes) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(name) DO UPDATE SET bytes = excluded.bytes, i = excluded.i",
            )?;
            for f in files {
                st.execute(params![f.name, f.stream_id, f.i, f.bytes])?;
            }
            Ok(())
        })
    }

    fn file(&self, name: &str) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT stream_id, bytes FROM files WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn blacklist(&self, enrollment_id: &[u8; 8], now: u32) -> Result<()> {
        self.conn()?.execute(
            "INSERT OR IGNORE INTO blacklist (enrollment_id, added_at) VALUES (?1, ?2)",
            params![&enrollment_id[..], now],
        )?;
        Ok(())
    }

    fn hpcr(&self, hpcr: &[u8; 32]) -> Result<Option<HpcrRecord>> {
        let row: Option<(i64, i64)> = self
            .conn()?
            .query_row(
                "SELECT stream_id, i FROM hpcr WHERE hpcr = ?1",
                [&hpcr[..]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(stream_id, i)| {
            Ok(HpcrRecord {
                stream_id,
                i: u32_of(i, "hpcr.i")?,
            })
        })
        .transpose()
    }

    fn pool_report(&self, body: &[u8], now: u32) -> Result<i64> {
        let c = self.conn()?;
        c.execute(
            "INSERT INTO mb_reports (body, received_at) VALUES (?1, ?2)",
            params![body, now],
        )?;
        Ok(c.last_insert_rowid())
    }

    fn pooled_reports(&self) -> Result<Vec<PooledReport>> {
        let c = self.conn()?;
        let mut st = c.prepare("SELECT id, body, received_at FROM mb_reports ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, body, at) = r?;
            out.push(PooledReport {
                id,
                body,
                received_at: u32_of(at, "mb_reports.received_at")?,
            });
        }
        Ok(out)
    }

    fn remove_report(&self, id: i64) -> Result<()> {
        self.conn()?
            .execute("DELETE FROM mb_reports WHERE id = ?1", [id])?;
        Ok(())
    }

    fn is_blacklisted(&self, enrollment_id: &[u8; 8]) -> Result<bool> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT 1 FROM blacklist WHERE enrollment_id = ?1",
                [&enrollment_id[..]],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn record_attempt(&self, enrollment_id: &[u8; 8], now: u32, window: u32) -> Result<u32> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let since = i64::from(now) - i64::from(window);
        tx.execute(
            "DELETE FROM attempts WHERE enrollment_id = ?1 AND at <= ?2",
            params![&enrollment_id[..], since],
        )?;
        tx.execute(
            "INSERT INTO attempts (enrollment_id, at) VALUES (?1, ?2)",
            params![&enrollment_id[..], now],
        )?;
        let n: i64 = tx.query_row(
            "SELECT COUNT(*) FROM attempts WHERE enrollment_id = ?1 AND at > ?2",
            params![&enrollment_id[..], since],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn file_version(&self, name: &str, digest: &[u8; 32]) -> Result<u16> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let cur: Option<(Vec<u8>, i64)> = tx
            .query_row(
                "SELECT digest, version FROM file_versions WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let v = match cur {
            Some((d, v)) if d == digest[..] => v,
            Some((_, v)) => {
                let v = (v + 1) & 0xFFFF;
                tx.execute(
                    "UPDATE file_versions SET digest = ?2, version = ?3 WHERE name = ?1",
                    params![name, &digest[..], v],
                )?;
                v
            }
            None => {
                tx.execute(
                    "INSERT INTO file_versions (name, digest, version) VALUES (?1, ?2, 0)",
                    params![name, &digest[..]],
                )?;
                0
            }
        };
        tx.commit()?;
        u16::try_from(v).map_err(|_| RaStoreError::Corrupt("file_versions.version"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn stream(hash: u8) -> Stream {
        Stream {
            id: 0,
            request_hash: [hash; 8],
            enrollment_id: [9; 8],
            kind: StreamKind::Pseudonym,
            enrollment_cert: vec![1],
            request: vec![2],
            first_i: 10,
            next_i: 10,
            la1_chain: None,
            la2_chain: None,
            accepted_at: 5,
            last_seen: 5,
        }
    }

    #[test]
    fn streams_requests_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteRaStore::open(&dir.path().join("ra").join("ra.sqlite")).unwrap();
        let id = s.insert_stream(&stream(1)).unwrap().unwrap();
        assert_eq!(s.insert_stream(&stream(1)).unwrap(), None);
        let reqs: Vec<_> = (0..3)
            .map(|j| NewPcaRequest {
                i: 10,
                j,
                request: vec![j as u8],
                hpcr: Some([j as u8; 32]),
            })
            .collect();
        let batch = [StreamRequests {
            stream_id: id,
            expected_next_i: 10,
            new_next_i: 11,
            requests: &reqs,
            shuffle: true,
        }];
        assert_eq!(s.add_requests(&batch, 7).unwrap(), vec![true]);
        assert_eq!(s.add_requests(&batch, 7).unwrap(), vec![false]);
        s.set_chains(&[(id, vec![1], vec![2])]).unwrap();
        let st = s.stream(id).unwrap().unwrap();
        assert_eq!(
            (st.next_i, st.la1_chain, st.la2_chain),
            (11, Some(vec![1]), Some(vec![2]))
        );
        assert_eq!(
            s.hpcr(&[1; 32]).unwrap(),
            Some(HpcrRecord {
                stream_id: id,
                i: 10
            })
        );
        assert_eq!(s.hpcr(&[99; 32]).unwrap(), None);
        let r = s.pool_report(b"sealed", 5).unwrap();
        assert_eq!(s.pooled_reports().unwrap().len(), 1);
        s.remove_report(r).unwrap();
        assert!(s.pooled_reports().unwrap().is_empty());
        let open = s.open_requests().unwrap();
        assert_eq!(open.len(), 3);
        assert!(s.complete_unpackaged(id).unwrap().is_empty());
        let outcomes: Vec<_> = open
            .iter()
            .map(|r| (r.id, PcaOutcome::Certificate(vec![r.j as u8])))
            .collect();
        s.set_outcomes(&outcomes, 8).unwrap();
        // A second outcome is ignored.
        s.set_outcomes(&[(open[0].id, PcaOutcome::Failed("late".into()))], 9)
            .unwrap();
        assert_eq!(s.complete_unpackaged(id).unwrap(), vec![10]);
        s.put_files(&[NewFile {
            name: "X_A.zip".into(),
            stream_id: id,
            i: Some(10),
            bytes: b"zip".to_vec(),
        }])
        .unwrap();
        assert!(s.complete_unpackaged(id).unwrap().is_empty());
        assert_eq!(s.certificates(id, 10).unwrap().len(), 3);
        assert_eq!(s.counts(id).unwrap(), (3, 3, 0));
        assert_eq!(s.file("X_A.zip").unwrap().unwrap().1, b"zip");
        s.blacklist(&[9; 8], 9).unwrap();
        assert!(s.is_blacklisted(&[9; 8]).unwrap());
        assert!(s.active_streams(StreamKind::Pseudonym).unwrap().is_empty());
    }

    #[test]
    fn attempts_and_versions() {
        let s = SqliteRaStore::in_memory().unwrap();
        for k in 1..=3 {
            assert_eq!(s.record_attempt(&[1; 8], 100 + k, 3600).unwrap(), k);
        }
        assert_eq!(s.record_attempt(&[1; 8], 100 + 3601 + 3, 3600).unwrap(), 1);
        assert_eq!(s.file_version("LPF", &[0; 32]).unwrap(), 0);
        assert_eq!(s.file_version("LPF", &[0; 32]).unwrap(), 0);
        assert_eq!(s.file_version("LPF", &[1; 32]).unwrap(), 1);
    }
}
