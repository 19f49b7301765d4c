//! The crate's typed errors.

use std::path::PathBuf;

/// Why a store operation failed.
///
/// Messages name files and keys, never their contents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file system operation failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A key name that is empty, too long, or has characters other than `[A-Za-z0-9._-]`
    /// (or starts with `.`).
    #[error(
        "invalid key name {0:?}: use 1 to 128 characters of [A-Za-z0-9._-], not starting with '.'"
    )]
    InvalidName(String),
    /// A key of that name already exists; key files are never overwritten.
    #[error("key {0:?} already exists")]
    AlreadyExists(String),
    /// No key of that name.
    #[error("key {0:?} not found")]
    NotFound(String),
    /// A key file accessible to group or others, a key directory they can write to, or not a
    /// regular file / directory (e.g. a symbolic link). Fix with `chmod 600` (files) or
    /// `chmod 700` (directory).
    #[error("refusing {path}: permissions {mode:04o} are too open (or not a regular file/directory); expected 0600 for key files and no group/other write on the directory (0700)")]
    InsecurePermissions {
        /// The file or directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not a key file of this format (bad magic, truncated, inconsistent lengths).
    #[error("{path} is not a valid key file: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// The file has a format version this build does not read.
    #[error("{path}: unsupported key file version {version}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        version: u8,
    },
    /// The key exists but holds another kind of key (e.g. a secret where a signing key is asked).
    #[error("key {name:?} is a {found}, not a {expected}")]
    WrongKind {
        /// The key name.
        name: String,
        /// What was asked for.
        expected: &'static str,
        /// What the file holds.
        found: &'static str,
    },
    /// The key is encrypted but the keystore was opened without a passphrase.
    #[error("key {0:?} is encrypted: a passphrase is needed")]
    PassphraseRequired(String),
    /// The keystore has a passphrase but the key file is in clear (refused: it could have been
    /// substituted).
    #[error("key {0:?} is not encrypted but the keystore has a passphrase")]
    NotEncrypted(String),
    /// The passphrase does not open this key.
    #[error("wrong passphrase for key {0:?}")]
    WrongPassphrase(String),
    /// The key file failed its integrity check (authentication tag or checksum): it was
    /// modified or corrupted.
    #[error("key {0:?} failed its integrity check (tampered or corrupted)")]
    Tampered(String),
    /// A secret that is empty or longer than [`crate::keystore::MAX_SECRET_LEN`].
    #[error("secret of {len} bytes: must be 1 to {max} bytes")]
    SecretLength {
        /// Its length.
        len: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// Key-derivation parameters that are out of the accepted range.
    #[error("invalid key-derivation parameters: {0}")]
    KdfParams(String),
    /// A cryptographic operation failed.
    #[error("crypto: {0}")]
    Crypto(#[from] scms_crypto::Error),
    /// Building the signer failed.
    #[error("signer: {0}")]
    Core(#[from] scms_core::CoreError),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
