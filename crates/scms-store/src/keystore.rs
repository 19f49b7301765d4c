//! A directory of key files: the private keys (P-256) and symmetric secrets (LA–PCA shared
//! keys, linkage seeds, ...) of an authority.
//!
//! Each key is one file `<name>.key` of mode 0600 in a directory of mode 0700. Files are created
//! atomically and never overwritten; key files with any group/other permission, symbolic links,
//! and a directory that group/other can write to are refused.
//!
//! # File format (version 1, integers big-endian)
//!
//! | bytes | field |
//! | --- | --- |
//! | 6 | magic `SCMSKY` |
//! | 1 | version (1) |
//! | 1 | kind: 1 = P-256 signing key (32-byte scalar), 2 = secret bytes |
//! | 1 | protection: 0 = clear, 1 = Argon2id + AES-128-CCM |
//!
//! In clear (protection 0): `u16` payload length, payload, then the first 16 bytes of SHA-256
//! over everything before (a checksum against corruption, not an authenticator).
//!
//! Encrypted (protection 1): Argon2id `m_cost` (KiB), `t_cost`, `p_cost` (`u32` each), 16-byte
//! salt, 16-byte passphrase check, 12-byte nonce, `u16` payload length, then
//! AES-128-CCM(`header ‖ payload`) where `header` is every byte before the ciphertext. The
//! 32-byte Argon2id output `K` gives the AES key `HMAC-SHA-256(K, "scms-store aes")[..16]` and
//! the check `HMAC-SHA-256(K, "scms-store check")[..16]`. As the CCM of `scms_crypto` takes no
//! associated data, the header is authenticated by encrypting it along with the payload and
//! comparing the decrypted copy with the one in clear. A wrong passphrase fails the check
//! ([`StoreError::WrongPassphrase`]); a modified file fails the tag or the comparison
//! ([`StoreError::Tampered`]).
//!
//! # Signers
//!
//! [`Keystore::load_signer`] gives the key as an in-memory [`KeyPair`], which implements
//! [`Signer`]. An HSM (PKCS#11) would provide another implementation of [`Signer`] whose key
//! never leaves the device, replacing the key file for the CA keys.

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use scms_core::signer::{KeyPair, Signer};
use scms_crypto::mac::{hmac_sha256, hmac_sha256_128, verify_hmac_sha256};
use scms_crypto::{ccm, AesKey, PrivateKey, Secret};
use zeroize::Zeroizing;

use crate::fsutil;
use crate::StoreError;

const MAGIC: &[u8; 6] = b"SCMSKY";
const VERSION: u8 = 1;
const FILE_EXT: &str = ".key";
/// Largest secret that [`Keystore::store_secret`] takes (bytes).
pub const MAX_SECRET_LEN: usize = 4096;
/// Largest key file read: the biggest encrypted secret with its header and tag.
const MAX_FILE_LEN: u64 = 8192;
const MAX_NAME_LEN: usize = 128;

const PROT_CLEAR: u8 = 0;
const PROT_ARGON2_CCM: u8 = 1;
/// magic, version, kind, protection.
const PREFIX_LEN: usize = 9;
const SALT_LEN: usize = 16;
const CHECK_LEN: usize = 16;
const CHECKSUM_LEN: usize = 16;
/// Header of an encrypted file: prefix, 3 × u32 params, salt, check, nonce, u16 length.
const ENC_HEADER_LEN: usize = PREFIX_LEN + 12 + SALT_LEN + CHECK_LEN + ccm::NONCE_LEN + 2;

const LABEL_AES: &[u8] = b"scms-store aes";
const LABEL_CHECK: &[u8] = b"scms-store check";

/// What a key file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SigningKey = 1,
    Secret = 2,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::SigningKey),
            2 => Some(Kind::Secret),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::SigningKey => "P-256 signing key",
            Kind::Secret => "secret",
        }
    }
}

/// A passphrase, wiped from memory when dropped; its `Debug` prints `Passphrase(..)`.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase.
    pub fn new(passphrase: impl Into<String>) -> Self {
        Passphrase(Zeroizing::new(passphrase.into()))
    }

    /// The passphrase bytes (UTF-8).
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<String> for Passphrase {
    fn from(s: String) -> Self {
        Passphrase::new(s)
    }
}

impl From<&str> for Passphrase {
    fn from(s: &str) -> Self {
        Passphrase::new(s)
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// Secret bytes of any length read from the keystore, wiped on drop; `Debug` prints
/// `SecretBytes(..)`.
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Read access to the bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a fixed-size [`Secret`] (e.g. an [`AesKey`]); fails if the length is not `N`.
    pub fn to_secret<const N: usize>(&self) -> Result<Secret<N>, StoreError> {
        Ok(Secret::from_slice(&self.0)?)
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes(..)")
    }
}

/// Argon2id cost parameters for encrypting key files; stored in each file's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl KdfParams {
    /// Largest memory cost accepted, also when reading a file (KiB; 2 GiB).
    pub const MAX_M_COST_KIB: u32 = 2 * 1024 * 1024;
    /// Largest number of passes accepted.
    pub const MAX_T_COST: u32 = 64;
    /// Largest parallelism accepted.
    pub const MAX_P_COST: u32 = 16;

    /// Memory `m_cost_kib` KiB (at least `8 · p_cost`), `t_cost` passes, `p_cost` lanes.
    pub fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self, StoreError> {
        if !(1..=Self::MAX_P_COST).contains(&p_cost) {
            return Err(StoreError::KdfParams(format!(
                "p_cost {p_cost} not in 1..={}",
                Self::MAX_P_COST
            )));
        }
        if !(1..=Self::MAX_T_COST).contains(&t_cost) {
            return Err(StoreError::KdfParams(format!(
                "t_cost {t_cost} not in 1..={}",
                Self::MAX_T_COST
            )));
        }
        if m_cost_kib < 8 * p_cost || m_cost_kib > Self::MAX_M_COST_KIB {
            return Err(StoreError::KdfParams(format!(
                "m_cost {m_cost_kib} KiB not in {}..={}",
                8 * p_cost,
                Self::MAX_M_COST_KIB
            )));
        }
        Ok(KdfParams {
            m_cost_kib,
            t_cost,
            p_cost,
        })
    }

    /// Memory cost (KiB).
    pub fn m_cost_kib(&self) -> u32 {
        self.m_cost_kib
    }

    /// Number of passes.
    pub fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Parallelism.
    pub fn p_cost(&self) -> u32 {
        self.p_cost
    }

    /// The 32-byte Argon2id output for `passphrase` and `salt`.
    fn derive(
        &self,
        passphrase: &Passphrase,
        salt: &[u8; SALT_LEN],
    ) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        let params = argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| StoreError::KdfParams(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.expose(), salt, out.as_mut_slice())
            .map_err(|e| StoreError::KdfParams(e.to_string()))?;
        Ok(out)
    }
}

impl Default for KdfParams {
    /// 19 MiB, 2 passes, 1 lane (the OWASP minimum for Argon2id).
    fn default() -> Self {
        KdfParams {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

/// A directory of key files, optionally encrypted under a passphrase.
pub struct Keystore {
    dir: PathBuf,
    passphrase: Option<Passphrase>,
    kdf: KdfParams,
}

impl fmt::Debug for Keystore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keystore")
            .field("dir", &self.dir)
            .field("encrypted", &self.passphrase.is_some())
            .field("kdf", &self.kdf)
            .finish()
    }
}

impl Keystore {
    /// Opens the keystore in `dir`, creating the directory with mode 0700 if missing.
    ///
    /// With a passphrase, new keys are encrypted and only encrypted keys are read; without,
    /// keys are written in clear and encrypted ones are refused. Fails if group or others can
    /// write to the directory, or the passphrase is empty.
    pub fn open(dir: &Path, passphrase: Option<Passphrase>) -> Result<Keystore, StoreError> {
        if passphrase.as_ref().is_some_and(|p| p.expose().is_empty()) {
            return Err(StoreError::KdfParams("empty passphrase".into()));
        }
        fsutil::ensure_private_dir(dir)?;
        Ok(Keystore {
            dir: dir.to_path_buf(),
            passphrase,
            kdf: KdfParams::default(),
        })
    }

    /// Sets the Argon2id parameters for keys written from now on (reading takes each file's).
    pub fn with_kdf_params(mut self, kdf: KdfParams) -> Keystore {
        self.kdf = kdf;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether keys are encrypted under a passphrase.
    pub fn is_encrypted(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Generates a P-256 signing key and stores it as `name`; refuses to replace a key.
    pub fn create_signing_key(&self, name: &str) -> Result<KeyPair, StoreError> {
        validate_name(name)?;
        let pair = KeyPair::generate()?;
        self.store_private_key(name, pair.private())?;
        Ok(pair)
    }

    /// Stores a P-256 private key as `name`; refuses to replace a key.
    pub fn store_private_key(&self, name: &str, key: &PrivateKey) -> Result<(), StoreError> {
        let bytes = key.to_bytes();
        self.write(name, Kind::SigningKey, bytes.expose())
    }

    /// Loads the signing key `name` as an in-memory key pair.
    pub fn load_key_pair(&self, name: &str) -> Result<KeyPair, StoreError> {
        let payload = self.read(name, Kind::SigningKey)?;
        let path = self.path_of(name)?;
        let key = PrivateKey::from_slice(&payload).map_err(|_| StoreError::Malformed {
            path,
            reason: "not a valid P-256 private key",
        })?;
        Ok(KeyPair::from_private(key)?)
    }

    /// Loads the signing key `name` as a [`Signer`] (in memory; an HSM-backed [`Signer`] would
    /// take its place for keys that must not leave a device).
    pub fn load_signer(&self, name: &str) -> Result<Box<dyn Signer>, StoreError> {
        Ok(Box::new(self.load_key_pair(name)?))
    }

    /// Stores secret bytes (1 to [`MAX_SECRET_LEN`]) as `name`; refuses to replace a key.
    pub fn store_secret(&self, name: &str, secret: &[u8]) -> Result<(), StoreError> {
        if secret.is_empty() || secret.len() > MAX_SECRET_LEN {
            return Err(StoreError::SecretLength {
                len: secret.len(),
                max: MAX_SECRET_LEN,
            });
        }
        self.write(name, Kind::Secret, secret)
    }

    /// Loads the secret `name`.
    pub fn load_secret(&self, name: &str) -> Result<SecretBytes, StoreError> {
        Ok(SecretBytes(self.read(name, Kind::Secret)?))
    }

    /// Loads the secret `name` as a fixed-size [`Secret`] (e.g. an [`AesKey`] with `N = 16`).
    pub fn load_secret_array<const N: usize>(&self, name: &str) -> Result<Secret<N>, StoreError> {
        self.load_secret(name)?.to_secret()
    }

    /// Whether a key `name` exists.
    pub fn exists(&self, name: &str) -> Result<bool, StoreError> {
        let path = self.path_of(name)?;
        match std::fs::symlink_metadata(&path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::io(path, e)),
        }
    }

    /// The names of the keys, sorted.
    pub fn list(&self) -> Result<Vec<String>, StoreError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| StoreError::io(&self.dir, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io(&self.dir, e))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(FILE_EXT)) else {
                continue;
            };
            if validate_name(name).is_ok() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, StoreError> {
        validate_name(name)?;
        Ok(self.dir.join(format!("{name}{FILE_EXT}")))
    }

    fn write(&self, name: &str, kind: Kind, payload: &[u8]) -> Result<(), StoreError> {
        validate_name(name)?;
        let bytes = match &self.passphrase {
            None => encode_clear(kind, payload)?,
            Some(p) => encode_encrypted(kind, payload, p, &self.kdf)?,
        };
        match fsutil::write_new_private(&self.dir, &format!("{name}{FILE_EXT}"), &bytes) {
            Err(StoreError::Io { source, .. }) if source.kind() == ErrorKind::AlreadyExists => {
                Err(StoreError::AlreadyExists(name.to_owned()))
            }
            other => other,
        }
    }

    fn read(&self, name: &str, expected: Kind) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let path = self.path_of(name)?;
        let file = match fsutil::read_private(&path, MAX_FILE_LEN) {
            Err(StoreError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                return Err(StoreError::NotFound(name.to_owned()))
            }
            other => other?,
        };
        let malformed = |reason| StoreError::Malformed {
            path: path.clone(),
            reason,
        };
        if file.len() < PREFIX_LEN || &file[..6] != MAGIC {
            return Err(malformed("bad magic or truncated"));
        }
        if file[6] != VERSION {
            return Err(StoreError::UnsupportedVersion {
                path,
                version: file[6],
            });
        }
        let kind = Kind::from_byte(file[7]).ok_or_else(|| malformed("unknown key kind"))?;
        let payload = match (file[8], &self.passphrase) {
            (PROT_CLEAR, None) => decode_clear(&file, name, &malformed)?,
            (PROT_CLEAR, Some(_)) => return Err(StoreError::NotEncrypted(name.to_owned())),
            (PROT_ARGON2_CCM, Some(p)) => decode_encrypted(&file, name, p, &malformed)?,
            (PROT_ARGON2_CCM, None) => return Err(StoreError::PassphraseRequired(name.to_owned())),
            _ => return Err(malformed("unknown protection")),
        };
        if kind != expected {
            return Err(StoreError::WrongKind {
                name: name.to_owned(),
                expected: expected.describe(),
                found: kind.describe(),
            });
        }
        if kind == Kind::SigningKey && payload.len() != 32 {
            return Err(malformed("signing key is not 32 bytes"));
        }
        Ok(payload)
    }
}

/// Checks a key name: 1 to 128 characters of `[A-Za-z0-9._-]`, not starting with `.` (so no
/// `..`, no hidden or temporary files, no path separators).
pub fn validate_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidName(name.to_owned()))
    }
}

fn payload_len(payload: &[u8]) -> Result<[u8; 2], StoreError> {
    u16::try_from(payload.len())
        .map(u16::to_be_bytes)
        .map_err(|_| StoreError::Crypto(scms_crypto::Error::MessageTooLong))
}

fn prefix(kind: Kind, protection: u8) -> [u8; PREFIX_LEN] {
    let mut p = [0u8; PREFIX_LEN];
    p[..6].copy_from_slice(MAGIC);
    p[6] = VERSION;
    p[7] = kind as u8;
    p[8] = protection;
    p
}

fn encode_clear(kind: Kind, payload: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let mut out = Zeroizing::new(Vec::with_capacity(
        PREFIX_LEN + 2 + payload.len() + CHECKSUM_LEN,
    ));
    out.extend_from_slice(&prefix(kind, PROT_CLEAR));
    out.extend_from_slice(&payload_len(payload)?);
    out.extend_from_slice(payload);
    let sum = scms_crypto::hash::sha256(&out);
    out.extend_from_slice(&sum[..CHECKSUM_LEN]);
    Ok(out)
}

fn decode_clear(
    file: &[u8],
    name: &str,
    malformed: &dyn Fn(&'static str) -> StoreError,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    if file.len() < PREFIX_LEN + 2 + CHECKSUM_LEN {
        return Err(malformed("truncated"));
    }
    let len = usize::from(u16::from_be_bytes([file[PREFIX_LEN], file[PREFIX_LEN + 1]]));
    if file.len() != PREFIX_LEN + 2 + len + CHECKSUM_LEN {
        return Err(malformed("length mismatch"));
    }
    let (body, sum) = file.split_at(file.len() - CHECKSUM_LEN);
    if scms_crypto::hash::sha256(body)[..CHECKSUM_LEN] != *sum {
        return Err(StoreError::Tampered(name.to_owned()));
    }
    Ok(Zeroizing::new(body[PREFIX_LEN + 2..].to_vec()))
}

/// The AES key from the Argon2id output.
fn split_kdf(k: &[u8; 32]) -> Result<AesKey, StoreError> {
    let full = Zeroizing::new(hmac_sha256(k, LABEL_AES));
    Ok(AesKey::from_slice(&full[..16])?)
}

fn encode_encrypted(
    kind: Kind,
    payload: &[u8],
    passphrase: &Passphrase,
    kdf: &KdfParams,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let salt = Secret::<SALT_LEN>::random()?;
    let nonce = Secret::<{ ccm::NONCE_LEN }>::random()?;
    let k = kdf.derive(passphrase, salt.expose())?;
    let aes = split_kdf(&k)?;
    let check = hmac_sha256_128(k.as_slice(), LABEL_CHECK);

    let mut header = Vec::with_capacity(ENC_HEADER_LEN);
    header.extend_from_slice(&prefix(kind, PROT_ARGON2_CCM));
    header.extend_from_slice(&kdf.m_cost_kib.to_be_bytes());
    header.extend_from_slice(&kdf.t_cost.to_be_bytes());
    header.extend_from_slice(&kdf.p_cost.to_be_bytes());
    header.extend_from_slice(salt.expose());
    header.extend_from_slice(&check);
    header.extend_from_slice(nonce.expose());
    header.extend_from_slice(&payload_len(payload)?);

    let mut plaintext = Zeroizing::new(Vec::with_capacity(header.len() + payload.len()));
    plaintext.extend_from_slice(&header);
    plaintext.extend_from_slice(payload);
    let ciphertext = ccm::encrypt(&aes, nonce.expose(), &plaintext)?;

    let mut out = Zeroizing::new(header);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

fn be_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_be_bytes(a)
}

fn decode_encrypted(
    file: &[u8],
    name: &str,
    passphrase: &Passphrase,
    malformed: &dyn Fn(&'static str) -> StoreError,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    if file.len() < ENC_HEADER_LEN + ccm::TAG_LEN {
        return Err(malformed("truncated"));
    }
    let header = &file[..ENC_HEADER_LEN];
    let mut at = PREFIX_LEN;
    let mut take = |n: usize| {
        let s = &header[at..at + n];
        at += n;
        s
    };
    let (m, t, p) = (be_u32(take(4)), be_u32(take(4)), be_u32(take(4)));
    // Bounded before any work: a forged header must not make the KDF exhaust memory.
    let kdf = KdfParams::new(m, t, p).map_err(|_| malformed("KDF parameters out of range"))?;
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(take(SALT_LEN));
    let check = take(CHECK_LEN).to_vec();
    let mut nonce = [0u8; ccm::NONCE_LEN];
    nonce.copy_from_slice(take(ccm::NONCE_LEN));
    let len_bytes = take(2);
    let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
    if file.len() != ENC_HEADER_LEN + ENC_HEADER_LEN + len + ccm::TAG_LEN {
        return Err(malformed("length mismatch"));
    }

    let k = kdf.derive(passphrase, &salt)?;
    if !verify_hmac_sha256(k.as_slice(), LABEL_CHECK, &check) {
        return Err(StoreError::WrongPassphrase(name.to_owned()));
    }
    let aes = split_kdf(&k)?;
    let plaintext = Zeroizing::new(
        ccm::decrypt(&aes, &nonce, &file[ENC_HEADER_LEN..])
            .map_err(|_| StoreError::Tampered(name.to_owned()))?,
    );
    if plaintext.len() != ENC_HEADER_LEN + len || plaintext[..ENC_HEADER_LEN] != *header {
        return Err(StoreError::Tampered(name.to_owned()));
    }
    Ok(Zeroizing::new(plaintext[ENC_HEADER_LEN..].to_vec()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use scms_crypto::{default_backend, ecdsa};

    use super::*;

    fn fast() -> KdfParams {
        KdfParams::new(64, 1, 1).unwrap()
    }

    fn open(dir: &Path, pass: Option<&str>) -> Keystore {
        Keystore::open(dir, pass.map(Passphrase::from))
            .unwrap()
            .with_kdf_params(fast())
    }

    fn sign_and_verify(signer: &dyn Signer, public: &scms_crypto::Point) {
        let digest = scms_crypto::hash::sha256(b"to be signed");
        let sig = signer.sign_digest(&digest).unwrap();
        ecdsa::verify_digest(default_backend(), public, &digest, &sig).unwrap();
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn create_load_sign_verify_clear_and_encrypted() {
        for pass in [None, Some("correct horse battery staple")] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("keys");
            let ks = open(&dir, pass);
            assert_eq!(mode(&dir), 0o700);
            let pair = ks.create_signing_key("rca").unwrap();
            let public = *pair.public_key();

            let ks = open(&dir, pass);
            let signer = ks.load_signer("rca").unwrap();
            assert_eq!(*signer.public_key(), public);
            sign_and_verify(signer.as_ref(), &public);
            assert_eq!(mode(&dir.join("rca.key")), 0o600);
            assert_eq!(ks.list().unwrap(), vec!["rca".to_string()]);
            assert!(ks.exists("rca").unwrap());
            assert!(!ks.exists("pca").unwrap());
            assert!(matches!(
                ks.load_signer("pca"),
                Err(StoreError::NotFound(_))
            ));
        }
    }

    #[test]
    fn stored_private_key_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let ks = open(tmp.path(), Some("pw"));
        let key = PrivateKey::generate().unwrap();
        ks.store_private_key("ma", &key).unwrap();
        let pair = ks.load_key_pair("ma").unwrap();
        assert_eq!(pair.private(), &key);
    }

    #[test]
    fn secrets_round_trip_and_kinds_are_checked() {
        for pass in [None, Some("pw")] {
            let tmp = tempfile::tempdir().unwrap();
            let ks = open(tmp.path(), pass);
            let seed = [0x5au8; 16];
            ks.store_secret("la1-seed", &seed).unwrap();
            let back = ks.load_secret("la1-seed").unwrap();
            assert_eq!(back.expose(), &seed);
            assert_eq!(format!("{back:?}"), "SecretBytes(..)");
            let aes: AesKey = ks.load_secret_array("la1-seed").unwrap();
            assert_eq!(aes.expose(), &seed);
            assert!(ks.load_secret_array::<32>("la1-seed").is_err());
            assert!(matches!(
                ks.load_signer("la1-seed"),
                Err(StoreError::WrongKind { .. })
            ));
            ks.create_signing_key("k").unwrap();
            assert!(matches!(
                ks.load_secret("k"),
                Err(StoreError::WrongKind { .. })
            ));
            assert!(matches!(
                ks.store_secret("empty", &[]),
                Err(StoreError::SecretLength { .. })
            ));
        }
    }

    #[test]
    fn passphrase_right_wrong_missing_and_downgrade() {
        let tmp = tempfile::tempdir().unwrap();
        open(tmp.path(), Some("right"))
            .create_signing_key("pca")
            .unwrap();
        assert!(open(tmp.path(), Some("right")).load_signer("pca").is_ok());
        assert!(matches!(
            open(tmp.path(), Some("wrong")).load_signer("pca"),
            Err(StoreError::WrongPassphrase(_))
        ));
        assert!(matches!(
            open(tmp.path(), None).load_signer("pca"),
            Err(StoreError::PassphraseRequired(_))
        ));
        open(tmp.path(), None).create_signing_key("clear").unwrap();
        assert!(matches!(
            open(tmp.path(), Some("right")).load_signer("clear"),
            Err(StoreError::NotEncrypted(_))
        ));
        assert!(Keystore::open(tmp.path(), Some(Passphrase::from(""))).is_err());
    }

    #[test]
    fn tampered_files_are_detected() {
        for pass in [None, Some("pw")] {
            let tmp = tempfile::tempdir().unwrap();
            let ks = open(tmp.path(), pass);
            ks.store_secret("s", &[1u8; 16]).unwrap();
            let path = tmp.path().join("s.key");
            let original = std::fs::read(&path).unwrap();
            // Flip a byte of the payload / ciphertext, then one of the header (nonce, length).
            let last = original.len() - 20;
            for (i, expect_tampered) in [(last, true), (original.len() - 1, true), (10, false)] {
                let mut bad = original.clone();
                bad[i] ^= 0x01;
                std::fs::write(&path, &bad).unwrap();
                let err = ks.load_secret("s").unwrap_err();
                if expect_tampered {
                    assert!(matches!(err, StoreError::Tampered(_)), "{err:?}");
                } else {
                    assert!(
                        matches!(
                            err,
                            StoreError::Tampered(_)
                                | StoreError::Malformed { .. }
                                | StoreError::WrongPassphrase(_)
                        ),
                        "{err:?}"
                    );
                }
            }
            // Truncation and garbage.
            std::fs::write(&path, &original[..original.len() - 5]).unwrap();
            assert!(ks.load_secret("s").is_err());
            std::fs::write(&path, b"not a key file at all").unwrap();
            assert!(matches!(
                ks.load_secret("s"),
                Err(StoreError::Malformed { .. })
            ));
        }
    }

    #[test]
    fn encrypted_header_is_authenticated() {
        let tmp = tempfile::tempdir().unwrap();
        let ks = open(tmp.path(), Some("pw"));
        ks.store_secret("s", &[2u8; 16]).unwrap();
        let path = tmp.path().join("s.key");
        let mut bad = std::fs::read(&path).unwrap();
        // Nonce byte: the check still passes, the tag fails.
        bad[PREFIX_LEN + 12 + SALT_LEN + CHECK_LEN] ^= 0x80;
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(ks.load_secret("s"), Err(StoreError::Tampered(_))));
        // A forged, huge KDF memory cost is refused before running the KDF.
        let mut bad = std::fs::read(&path).unwrap();
        bad[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(
            ks.load_secret("s"),
            Err(StoreError::Malformed { .. })
        ));
    }

    #[test]
    fn files_are_0600_and_loose_permissions_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let ks = open(tmp.path(), None);
        ks.create_signing_key("eca").unwrap();
        let path = tmp.path().join("eca.key");
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = ks.load_key_pair("eca").unwrap_err();
        assert!(
            matches!(err, StoreError::InsecurePermissions { mode: 0o644, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("0644"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(ks.load_signer("eca").is_ok());

        // A symlink to a key is refused too.
        std::os::unix::fs::symlink(&path, tmp.path().join("link.key")).unwrap();
        assert!(matches!(
            ks.load_signer("link"),
            Err(StoreError::InsecurePermissions { .. })
        ));

        // A directory that others can write to is refused.
        let open_dir = tmp.path().join("shared");
        std::fs::create_dir(&open_dir).unwrap();
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o775)).unwrap();
        assert!(matches!(
            Keystore::open(&open_dir, None),
            Err(StoreError::InsecurePermissions { mode: 0o775, .. })
        ));
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(Keystore::open(&open_dir, None).is_ok());
    }

    #[test]
    fn existing_keys_are_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let ks = open(tmp.path(), None);
        let first = ks.create_signing_key("ra").unwrap();
        assert!(matches!(
            ks.create_signing_key("ra"),
            Err(StoreError::AlreadyExists(_))
        ));
        assert!(matches!(
            ks.store_secret("ra", &[1; 16]),
            Err(StoreError::AlreadyExists(_))
        ));
        assert_eq!(
            ks.load_key_pair("ra").unwrap().public_key(),
            first.public_key()
        );
        // No temporary files left behind.
        let files: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn names_are_validated() {
        let tmp = tempfile::tempdir().unwrap();
        let ks = open(tmp.path(), None);
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            ".hidden",
            "a b",
            "é",
            "a\0b",
            &"x".repeat(129),
        ] {
            assert!(
                matches!(ks.create_signing_key(bad), Err(StoreError::InvalidName(_))),
                "{bad:?}"
            );
            assert!(ks.exists(bad).is_err());
            assert!(ks.load_secret(bad).is_err());
        }
        for good in ["rca", "la-1.seed", "PCA_2024", "a..b"] {
            ks.store_secret(good, &[1; 16]).unwrap();
        }
        assert_eq!(
            ks.list().unwrap(),
            vec!["PCA_2024", "a..b", "la-1.seed", "rca"]
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let p = Passphrase::from("hunter2");
        assert_eq!(format!("{p:?}"), "Passphrase(..)");
        let tmp = tempfile::tempdir().unwrap();
        let ks = Keystore::open(tmp.path(), Some(p)).unwrap();
        assert!(!format!("{ks:?}").contains("hunter2"));
    }

    #[test]
    fn kdf_params_are_bounded() {
        assert!(KdfParams::new(4, 1, 1).is_err());
        assert!(KdfParams::new(64, 0, 1).is_err());
        assert!(KdfParams::new(64, 1, 0).is_err());
        assert!(KdfParams::new(u32::MAX, 1, 1).is_err());
        let p = KdfParams::new(128, 2, 2).unwrap();
        assert_eq!((p.m_cost_kib(), p.t_cost(), p.p_cost()), (128, 2, 2));
        // Params written in the header are the ones used to read back.
        let tmp = tempfile::tempdir().unwrap();
        let ks = Keystore::open(tmp.path(), Some("pw".into()))
            .unwrap()
            .with_kdf_params(p);
        ks.store_secret("s", &[3; 32]).unwrap();
        let reader = open(tmp.path(), Some("pw"));
        assert_eq!(reader.load_secret("s").unwrap().expose(), &[3; 32]);
    }
}
