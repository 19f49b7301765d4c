//! The persisted set of public keys the ECA has enrolled: a CSR whose key was used
//! before is refused (SCMS-1306; seed check "does not contain a public key that was
//! used with a previous enrollment cert request").
//!
//! The file holds one compressed key (33 bytes, hex) per line. A key is appended and
//! the file fsynced, under an exclusive file lock that also re-reads the file, before
//! the certificate is issued: a crash or a second ECA process can never issue twice
//! for one key.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Why the used-key file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UsedKeysError {
    /// An I/O error on the file.
    #[error("used-keys file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A line that is not a hex compressed key.
    #[error("used-keys file {path}: line {line} is not a compressed public key")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
}

/// The set of enrolled public keys, in memory and (unless in-memory) on disk.
#[derive(Debug)]
pub struct UsedKeys {
    path: Option<PathBuf>,
    keys: HashSet<[u8; 33]>,
}

fn parse(path: &Path, text: &str) -> Result<HashSet<[u8; 33]>, UsedKeysError> {
    let mut keys = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut k = [0u8; 33];
        hex::decode_to_slice(line, &mut k).map_err(|_| UsedKeysError::Corrupt {
            path: path.to_path_buf(),
            line: i + 1,
        })?;
        keys.insert(k);
    }
    Ok(keys)
}

impl UsedKeys {
    /// A set that is not persisted (tests, dry runs).
    pub fn in_memory() -> Self {
        UsedKeys {
            path: None,
            keys: HashSet::new(),
        }
    }

    /// Opens (or starts) the file at `path`, creating its directory.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, UsedKeysError> {
        let path = path.into();
        let io = |source| UsedKeysError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let keys = match std::fs::read_to_string(&path) {
            Ok(t) => parse(&path, &t)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(e) => return Err(io(e)),
        };
        Ok(UsedKeys {
            path: Some(path),
            keys,
        })
    }

    /// Whether `key` (compressed SEC1) was enrolled before.
    pub fn contains(&self, key: &[u8; 33]) -> bool {
        self.keys.contains(key)
    }

    /// How many keys are recorded.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is recorded.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Records `key` durably. Returns `Ok(false)` (and records nothing) when the key is
    /// already there, possibly added by another process since this set was opened.
    pub fn record(&mut self, key: &[u8; 33]) -> Result<bool, UsedKeysError> {
        if self.keys.contains(key) {
            return Ok(false);
        }
        let Some(path) = self.path.clone() else {
            self.keys.insert(*key);
            return Ok(true);
        };
        let io = |source| UsedKeysError::Io {
            path: path.clone(),
            source,
        };
        let existed = path.exists();
        let mut f: File = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io)?;
        f.lock().map_err(io)?;
        // Re-read under the lock: another ECA process may have appended.
        let mut text = String::new();
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        f.read_to_string(&mut text).map_err(io)?;
        let on_disk = parse(&path, &text)?;
        self.keys.extend(on_disk);
        if self.keys.contains(key) {
            return Ok(false);
        }
        let mut line = hex::encode(key);
        if !text.is_empty() && !text.ends_with('\n') {
            line.insert(0, '\n');
        }
        line.push('\n');
        f.write_all(line.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        if !existed {
            if let Some(dir) = path.parent() {
                // Make the new directory entry durable too (best effort on platforms
                // where directories cannot be opened).
                if let Ok(d) = File::open(dir) {
                    d.sync_all().map_err(io)?;
                }
            }
        }
        self.keys.insert(*key);
        Ok(true)
    }
}
