//! Persistence of a Linkage Authority: its linkage chains.
//!
//! A chain row holds the chain's first linkage seed `ls(start_i)` **sealed** by the LA (the
//! store sees ciphertext only), the LA id and the i-period the chain starts at. No
//! pre-linkage value or linkage value is ever stored: the LA recomputes pre-linkage values
//! from the seed on demand, and a linkage value needs both LAs' halves.
//!
//! Fresh chains are recorded per request (keyed by the request hash) in one transaction,
//! so a repeated request finds the chains it already created instead of making new ones.
//!
//! [`LaStore`] is the interface; [`SqliteLaStore`] keeps it in one SQLite file (WAL mode).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

/// Why a database operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The database failed (I/O, corruption, lock).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The state directory could not be created.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The directory.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A row holds a value out of range (the database was modified by hand or is corrupt).
    #[error("corrupt row: {0}")]
    Corrupt(&'static str),
    /// The connection lock was poisoned by a panic in another thread.
    #[error("database lock poisoned")]
    Poisoned,
}

/// Opens (creating it and its directory) an SQLite file in WAL mode with full sync.
pub(crate) fn open_db(path: &Path, schema: &str) -> Result<Connection, DbError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(schema)?;
    Ok(conn)
}

/// A linkage chain as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ChainRecord {
    /// The row id (what the LA's LinkageChainId encrypts).
    pub id: i64,
    /// The 16-bit LA id the chain belongs to.
    pub la_id: u16,
    /// The i-period of the chain's first seed.
    pub start_i: u16,
    /// The first seed `ls(start_i)`, sealed by the LA (opaque to the store).
    pub sealed_seed: Vec<u8>,
}

impl std::fmt::Debug for ChainRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainRecord")
            .field("id", &self.id)
            .field("la_id", &self.la_id)
            .field("start_i", &self.start_i)
            .finish_non_exhaustive()
    }
}

/// A chain to create.
#[derive(Clone)]
pub struct NewChain {
    /// The 16-bit LA id.
    pub la_id: u16,
    /// The i-period of the first seed.
    pub start_i: u16,
    /// The sealed first seed.
    pub sealed_seed: Vec<u8>,
}

impl std::fmt::Debug for NewChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewChain")
            .field("la_id", &self.la_id)
            .field("start_i", &self.start_i)
            .finish_non_exhaustive()
    }
}

/// What a Linkage Authority persists.
pub trait LaStore: Send + Sync {
    /// The fresh chains already recorded for `request_hash`, in request order.
    fn request_chains(&self, request_hash: &[u8]) -> Result<Option<Vec<ChainRecord>>, DbError>;
    /// Records `chains` as the fresh chains of `request_hash` in one transaction and returns
    /// them with their ids. If the request was recorded meanwhile, returns the recorded
    /// chains instead and creates nothing.
    fn create_chains(
        &self,
        request_hash: &[u8],
        now: u32,
        chains: Vec<NewChain>,
    ) -> Result<Vec<ChainRecord>, DbError>;
    /// The chain with row id `id`.
    fn chain(&self, id: i64) -> Result<Option<ChainRecord>, DbError>;
    /// Number of chains.
    fn chain_count(&self) -> Result<u64, DbError>;
}

const LA_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS chains (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    la_id INTEGER NOT NULL,
    start_i INTEGER NOT NULL,
    sealed_seed BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    request_hash BLOB PRIMARY KEY,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS request_chains (
    request_hash BLOB NOT NULL REFERENCES requests(request_hash),
    pos INTEGER NOT NULL,
    chain_id INTEGER NOT NULL REFERENCES chains(id),
    PRIMARY KEY (request_hash, pos)
);
";

/// [`LaStore`] in an SQLite file.
pub struct SqliteLaStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteLaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLaStore").finish_non_exhaustive()
    }
}

fn chain_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, i64, i64, Vec<u8>)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn to_record((id, la, start, seed): (i64, i64, i64, Vec<u8>)) -> Result<ChainRecord, DbError> {
    Ok(ChainRecord {
        id,
        la_id: u16::try_from(la).map_err(|_| DbError::Corrupt("la_id"))?,
        start_i: u16::try_from(start).map_err(|_| DbError::Corrupt("start_i"))?,
        sealed_seed: seed,
    })
}

fn recorded(conn: &Connection, request_hash: &[u8]) -> Result<Option<Vec<ChainRecord>>, DbError> {
    let known: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM requests WHERE request_hash = ?1",
            params![request_hash],
            |r| r.get(0),
        )
        .optional()?;
    if known.is_none() {
        return Ok(None);
    }
    let mut stmt = conn.prepare(
        "SELECT c.id, c.la_id, c.start_i, c.sealed_seed FROM request_chains rc \
         JOIN chains c ON c.id = rc.chain_id WHERE rc.request_hash = ?1 ORDER BY rc.pos",
    )?;
    let rows = stmt.query_map(params![request_hash], chain_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(to_record(r?)?);
    }
    Ok(Some(out))
}

impl SqliteLaStore {
    /// Opens (or creates) the database at `path` (e.g. `DIR/la1/la1.sqlite`).
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Ok(SqliteLaStore {
            conn: Mutex::new(open_db(path, LA_SCHEMA)?),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, DbError> {
        self.conn.lock().map_err(|_| DbError::Poisoned)
    }
}

impl LaStore for SqliteLaStore {
    fn request_chains(&self, request_hash: &[u8]) -> Result<Option<Vec<ChainRecord>>, DbError> {
        let conn = self.lock()?;
        recorded(&conn, request_hash)
    }

    fn create_chains(
        &self,
        request_hash: &[u8],
        now: u32,
        chains: Vec<NewChain>,
    ) -> Result<Vec<ChainRecord>, DbError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(existing) = recorded(&tx, request_hash)? {
            return Ok(existing);
        }
        tx.execute(
            "INSERT INTO requests (request_hash, created_at) VALUES (?1, ?2)",
            params![request_hash, now],
        )?;
        let mut out = Vec::with_capacity(chains.len());
        {
            let mut ins = tx.prepare(
                "INSERT INTO chains (la_id, start_i, sealed_seed, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut link = tx.prepare(
                "INSERT INTO request_chains (request_hash, pos, chain_id) VALUES (?1, ?2, ?3)",
            )?;
            for (pos, c) in chains.into_iter().enumerate() {
                ins.execute(params![c.la_id, c.start_i, c.sealed_seed, now])?;
                let id = tx.last_insert_rowid();
                let pos = i64::try_from(pos).map_err(|_| DbError::Corrupt("position"))?;
                link.execute(params![request_hash, pos, id])?;
                out.push(ChainRecord {
                    id,
                    la_id: c.la_id,
                    start_i: c.start_i,
                    sealed_seed: c.sealed_seed,
                });
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn chain(&self, id: i64) -> Result<Option<ChainRecord>, DbError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                "SELECT id, la_id, start_i, sealed_seed FROM chains WHERE id = ?1",
                params![id],
                chain_row,
            )
            .optional()?;
        row.map(to_record).transpose()
    }

    fn chain_count(&self) -> Result<u64, DbError> {
        let conn = self.lock()?;
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM chains", [], |r| r.get(0))?;
        u64::try_from(n).map_err(|_| DbError::Corrupt("count"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn chains_are_recorded_once_per_request() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteLaStore::open(&dir.path().join("la1/la1.sqlite")).unwrap();
        let new = |n: u8| NewChain {
            la_id: 7,
            start_i: 100,
            sealed_seed: vec![n; 40],
        };
        let a = s.create_chains(b"req-1", 5, vec![new(1), new(2)]).unwrap();
        assert_eq!(a.len(), 2);
        let again = s.create_chains(b"req-1", 6, vec![new(3)]).unwrap();
        assert_eq!(a, again);
        assert_eq!(s.chain_count().unwrap(), 2);
        assert_eq!(s.chain(a[1].id).unwrap().unwrap().sealed_seed, vec![2; 40]);
        assert_eq!(s.request_chains(b"req-1").unwrap().unwrap(), a);
        assert!(s.request_chains(b"req-2").unwrap().is_none());
        assert!(s.chain(999).unwrap().is_none());
    }
}
