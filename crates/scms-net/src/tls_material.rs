//! TLS material of an SCMS deployment: a self-signed root CA ("SCMS TLS Root") and, signed by
//! it, one certificate per component (RA, ECA, PCA, LA, MA, ...), all ECDSA P-256.
//!
//! A component certificate names the component FQDN (e.g. `ra.scms.test`), `localhost`,
//! `127.0.0.1` and `::1` as subjectAltName, so that loopback HTTPS works, and carries the
//! extended key usages serverAuth and clientAuth, so that the same identity serves HTTPS and
//! authenticates as a client in mutual TLS.
//!
//! Files (PEM) in a directory: `root.pem` and `root.key.pem` for the root (its key is kept so
//! that more components can be issued later), `<name>.pem` and `<name>.key.pem` per component.
//! Key files are created with mode 0600 (and refused on reading if group/other can access
//! them), certificates with 0644; files are written atomically and never overwritten.
//!
//! This TLS PKI only protects the transport between SCMS components. It is separate from the
//! IEEE 1609.2 certificates the SCMS issues.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, PKCS_ECDSA_P256_SHA256,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};
use zeroize::{Zeroize, Zeroizing};

/// File name of the root certificate.
pub const ROOT_CERT_FILE: &str = "root.pem";
/// File name of the root private key.
pub const ROOT_KEY_FILE: &str = "root.key.pem";
/// Common name of the root.
pub const ROOT_COMMON_NAME: &str = "SCMS TLS Root";
/// Validity of the root (days).
pub const ROOT_VALIDITY_DAYS: i64 = 3650;
/// Validity of a component certificate (days).
pub const LEAF_VALIDITY_DAYS: i64 = 825;
/// Largest PEM file read (bytes).
const MAX_PEM_LEN: u64 = 1 << 20;

/// Why generating, writing or loading TLS material failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// Certificate or key generation failed.
    #[error("certificate generation: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// A file system operation failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file name that is empty or has characters other than `[A-Za-z0-9._-]` (or starts with
    /// `.`).
    #[error(
        "invalid file name {0:?}: use 1 to 128 characters of [A-Za-z0-9._-], not starting with '.'"
    )]
    InvalidName(String),
    /// A host name that cannot be a DNS subjectAltName.
    #[error("invalid FQDN {0:?}")]
    InvalidFqdn(String),
    /// The file exists; TLS material is never overwritten.
    #[error("{0} already exists")]
    AlreadyExists(PathBuf),
    /// A private key file that group or others can access, or that is not a regular file.
    #[error("refusing {path}: permissions {mode:04o} allow group/other access (or not a regular file); expected 0600")]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A file that does not hold the expected PEM objects.
    #[error("{path}: {reason}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The root key does not belong to the root certificate.
    #[error("{0}: the private key does not match the root certificate")]
    KeyMismatch(PathBuf),
}

fn io_err(path: &Path, source: std::io::Error) -> TlsError {
    TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The SCMS TLS root CA: its certificate and its private key.
pub struct TlsRoot {
    cert_der: CertificateDer<'static>,
    cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for TlsRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsRoot")
            .field("subject", &ROOT_COMMON_NAME)
            .finish_non_exhaustive()
    }
}

impl TlsRoot {
    /// Generates a root: a P-256 key and a self-signed CA certificate (CN "SCMS TLS Root",
    /// CA:true with path length 0, keyCertSign + cRLSign, valid [`ROOT_VALIDITY_DAYS`]).
    pub fn generate() -> Result<TlsRoot, TlsError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, ROOT_COMMON_NAME);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, ROOT_VALIDITY_DAYS);
        let cert = params.self_signed(&key)?;
        Ok(TlsRoot {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// Loads a root written by [`TlsRoot::write`] (`root.pem`, `root.key.pem` of mode 0600),
    /// checking that the key matches the certificate.
    pub fn load(dir: &Path) -> Result<TlsRoot, TlsError> {
        let cert_path = dir.join(ROOT_CERT_FILE);
        let key_path = dir.join(ROOT_KEY_FILE);
        let cert_pem = read_text(&cert_path, false)?;
        let key_pem = read_key_text(&key_path)?;
        let key = KeyPair::from_pem(&key_pem)?;
        let cert_der = first_cert(&cert_path, &cert_pem)?;
        let (_, parsed) =
            x509_parser::parse_x509_certificate(&cert_der).map_err(|e| TlsError::Pem {
                path: cert_path.clone(),
                reason: format!("bad certificate: {e}"),
            })?;
        if *parsed.public_key().subject_public_key.data != *key.public_key_raw() {
            return Err(TlsError::KeyMismatch(key_path));
        }
        let issuer = Issuer::from_ca_cert_der(&cert_der, key)?;
        Ok(TlsRoot {
            cert_der,
            cert_pem: (*cert_pem).clone(),
            issuer,
        })
    }

    /// Issues a component certificate for `fqdn` (also valid for `localhost`, `127.0.0.1` and
    /// `::1`; serverAuth + clientAuth; valid [`LEAF_VALIDITY_DAYS`]) with a fresh P-256 key.
    pub fn issue(&self, fqdn: &str) -> Result<TlsIdentity, TlsError> {
        let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
        validate_fqdn(&fqdn)?;
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, &fqdn);
        let mut sans = vec![fqdn.clone()];
        if fqdn != "localhost" {
            sans.push("localhost".to_owned());
        }
        params.subject_alt_names = sans
            .into_iter()
            .map(|n| {
                n.clone()
                    .try_into()
                    .map(SanType::DnsName)
                    .map_err(|_| TlsError::InvalidFqdn(n))
            })
            .collect::<Result<_, _>>()?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.use_authority_key_identifier_extension = true;
        set_validity(&mut params, LEAF_VALIDITY_DAYS);
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(TlsIdentity {
            fqdn,
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key,
        })
    }

    /// Writes `root.pem` (0644) and `root.key.pem` (0600) into `dir` (created with mode 0700
    /// if missing); refuses to overwrite either.
    pub fn write(&self, dir: &Path) -> Result<(), TlsError> {
        ensure_dir(dir)?;
        refuse_existing(&[dir.join(ROOT_CERT_FILE), dir.join(ROOT_KEY_FILE)])?;
        let key_pem = Zeroizing::new(self.issuer.key().serialize_pem());
        write_new(dir, ROOT_KEY_FILE, key_pem.as_bytes(), 0o600)?;
        write_new(dir, ROOT_CERT_FILE, self.cert_pem.as_bytes(), 0o644)
    }

    /// The root certificate (DER), the trust anchor of every component.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// The root certificate (PEM).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }
}

/// A component's TLS identity: its certificate (signed by the [`TlsRoot`]) and private key.
pub struct TlsIdentity {
    fqdn: String,
    cert_der: CertificateDer<'static>,
    cert_pem: String,
    key: KeyPair,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("fqdn", &self.fqdn)
            .finish_non_exhaustive()
    }
}

impl Drop for TlsIdentity {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl TlsIdentity {
    /// The FQDN the certificate was issued for (lower case, without a trailing dot).
    pub fn fqdn(&self) -> &str {
        &self.fqdn
    }

    /// The certificate (DER).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// The certificate (PEM).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> Zeroizing<String> {
        Zeroizing::new(self.key.serialize_pem())
    }

    /// The private key as PKCS#8 DER, for rustls.
    pub fn private_key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()))
    }

    /// Writes `<name>.pem` (certificate, 0644) and `<name>.key.pem` (key, 0600) into `dir`
    /// (created with mode 0700 if missing); refuses to overwrite either.
    pub fn write(&self, dir: &Path, name: &str) -> Result<(), TlsError> {
        validate_name(name)?;
        ensure_dir(dir)?;
        let (cert_file, key_file) = (format!("{name}.pem"), format!("{name}.key.pem"));
        refuse_existing(&[dir.join(&cert_file), dir.join(&key_file)])?;
        write_new(dir, &key_file, self.key_pem().as_bytes(), 0o600)?;
        write_new(dir, &cert_file, self.cert_pem.as_bytes(), 0o644)
    }
}

/// The root certificate `root.pem` in `dir`, as PEM.
pub fn load_root_pem(dir: &Path) -> Result<String, TlsError> {
    Ok((*read_text(&dir.join(ROOT_CERT_FILE), false)?).clone())
}

/// The root certificate `root.pem` in `dir` (the trust anchor for rustls).
pub fn load_root_cert(dir: &Path) -> Result<CertificateDer<'static>, TlsError> {
    let path = dir.join(ROOT_CERT_FILE);
    first_cert(&path, &read_text(&path, false)?)
}

/// The certificate file `<name>.pem` in `dir`, as PEM.
pub fn load_cert_pem(dir: &Path, name: &str) -> Result<String, TlsError> {
    validate_name(name)?;
    Ok((*read_text(&dir.join(format!("{name}.pem")), false)?).clone())
}

/// The certificates of `<name>.pem` in `dir` (the component's chain for rustls).
pub fn load_cert_chain(dir: &Path, name: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    validate_name(name)?;
    let path = dir.join(format!("{name}.pem"));
    let text = read_text(&path, false)?;
    let certs = CertificateDer::pem_slice_iter(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(&path, e))?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            path,
            reason: "no CERTIFICATE".into(),
        });
    }
    Ok(certs)
}

/// The private key file `<name>.key.pem` in `dir` (mode 0600), as PEM.
pub fn load_key_pem(dir: &Path, name: &str) -> Result<Zeroizing<String>, TlsError> {
    validate_name(name)?;
    read_key_text(&dir.join(format!("{name}.key.pem")))
}

/// The private key `<name>.key.pem` in `dir` (mode 0600), for rustls.
pub fn load_private_key(dir: &Path, name: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    validate_name(name)?;
    let path = dir.join(format!("{name}.key.pem"));
    let text = read_key_text(&path)?;
    PrivateKeyDer::from_pem_slice(text.as_bytes()).map_err(|e| pem_error(&path, e))
}

fn pem_error(path: &Path, e: rustls_pki_types::pem::Error) -> TlsError {
    TlsError::Pem {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn first_cert(path: &Path, pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| pem_error(path, e))
}

fn set_validity(params: &mut CertificateParams, days: i64) {
    let now = OffsetDateTime::now_utc();
    // An hour of slack for clocks slightly behind.
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(days);
}

fn validate_fqdn(fqdn: &str) -> Result<(), TlsError> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if fqdn.is_empty() || fqdn.len() > 253 || !fqdn.split('.').all(label_ok) {
        return Err(TlsError::InvalidFqdn(fqdn.to_owned()));
    }
    Ok(())
}

fn validate_name(name: &str) -> Result<(), TlsError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(TlsError::InvalidName(name.to_owned()))
    }
}

fn ensure_dir(dir: &Path) -> Result<(), TlsError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_err(dir, e))
}

fn refuse_existing(paths: &[PathBuf]) -> Result<(), TlsError> {
    for p in paths {
        if fs::symlink_metadata(p).is_ok() {
            return Err(TlsError::AlreadyExists(p.clone()));
        }
    }
    Ok(())
}

/// Creates `dir/file_name` with `mode` atomically: temporary file, fsync, hard link to the final
/// name (fails if it exists), unlink of the temporary, fsync of the directory.
fn write_new(dir: &Path, file_name: &str, bytes: &[u8], mode: u32) -> Result<(), TlsError> {
    let target = dir.join(file_name);
    let tmp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)
            .map_err(|e| io_err(&tmp, e))?;
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| io_err(&tmp, e))?;
        file.write_all(bytes).map_err(|e| io_err(&tmp, e))?;
        file.sync_all().map_err(|e| io_err(&tmp, e))?;
        fs::hard_link(&tmp, &target).map_err(|e| {
            if e.kind() == ErrorKind::AlreadyExists {
                TlsError::AlreadyExists(target.clone())
            } else {
                io_err(&target, e)
            }
        })
    })();
    let removed = fs::remove_file(&tmp);
    result?;
    removed.map_err(|e| io_err(&tmp, e))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(dir, e))
}

/// Reads a text file of at most [`MAX_PEM_LEN`] bytes; with `private`, refuses non-regular
/// files and any group/other permission.
fn read_text(path: &Path, private: bool) -> Result<Zeroizing<String>, TlsError> {
    if private {
        let link = fs::symlink_metadata(path).map_err(|e| io_err(path, e))?;
        if !link.file_type().is_file() {
            return Err(TlsError::InsecurePermissions {
                path: path.to_path_buf(),
                mode: link.mode() & 0o7777,
            });
        }
    }
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let meta = file.metadata().map_err(|e| io_err(path, e))?;
    if private && (!meta.is_file() || meta.mode() & 0o077 != 0) {
        return Err(TlsError::InsecurePermissions {
            path: path.to_path_buf(),
            mode: meta.mode() & 0o7777,
        });
    }
    let cap = usize::try_from(meta.len().min(MAX_PEM_LEN)).unwrap_or(0) + 1;
    let mut text = Zeroizing::new(String::with_capacity(cap));
    file.take(MAX_PEM_LEN + 1)
        .read_to_string(&mut text)
        .map_err(|e| io_err(path, e))?;
    if text.len() as u64 > MAX_PEM_LEN {
        return Err(TlsError::Pem {
            path: path.to_path_buf(),
            reason: "file too large".into(),
        });
    }
    Ok(text)
}

fn read_key_text(path: &Path) -> Result<Zeroizing<String>, TlsError> {
    read_text(path, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rustls_pki_types::{ServerName, UnixTime};
    use webpki::{anchor_from_trusted_cert, EndEntityCert, KeyUsage};
    use x509_parser::extensions::GeneralName;

    const ALGS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] =
        &[webpki::ring::ECDSA_P256_SHA256];

    fn verify(root: &CertificateDer<'_>, leaf: &CertificateDer<'_>, usage: KeyUsage) -> bool {
        let anchor = anchor_from_trusted_cert(root).unwrap();
        let ee = EndEntityCert::try_from(leaf).unwrap();
        ee.verify_for_usage(ALGS, &[anchor], &[], UnixTime::now(), usage, None, None)
            .is_ok()
    }

    fn name_ok(leaf: &CertificateDer<'_>, name: &str) -> bool {
        let ee = EndEntityCert::try_from(leaf).unwrap();
        let sn = ServerName::try_from(name.to_owned()).unwrap();
        ee.verify_is_valid_for_subject_name(&sn).is_ok()
    }

    #[test]
    fn root_and_component_certificates_verify() {
        let root = TlsRoot::generate().unwrap();
        let ra = root.issue("RA.scms.test.").unwrap();
        assert_eq!(ra.fqdn(), "ra.scms.test");

        // Chain to the root, as a server and as a client (mutual TLS).
        assert!(verify(
            root.cert_der(),
            ra.cert_der(),
            KeyUsage::server_auth()
        ));
        assert!(verify(
            root.cert_der(),
            ra.cert_der(),
            KeyUsage::client_auth()
        ));
        for name in ["ra.scms.test", "localhost", "127.0.0.1", "::1"] {
            assert!(name_ok(ra.cert_der(), name), "{name}");
        }
        assert!(!name_ok(ra.cert_der(), "pca.scms.test"));

        // Another root does not vouch for it.
        let other = TlsRoot::generate().unwrap();
        assert!(!verify(
            other.cert_der(),
            ra.cert_der(),
            KeyUsage::server_auth()
        ));

        // The root is a CA named "SCMS TLS Root"; the leaf is not a CA.
        let (_, r) = x509_parser::parse_x509_certificate(root.cert_der()).unwrap();
        assert!(r.is_ca());
        let cn = r.subject().iter_common_name().next().unwrap();
        assert_eq!(cn.as_str().unwrap(), ROOT_COMMON_NAME);
        let (_, l) = x509_parser::parse_x509_certificate(ra.cert_der()).unwrap();
        assert!(!l.is_ca());
        let san = l.subject_alternative_name().unwrap().unwrap();
        assert!(san
            .value
            .general_names
            .iter()
            .any(|n| matches!(n, GeneralName::DNSName("ra.scms.test"))));
        let eku = l.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth);
    }

    #[test]
    fn write_load_and_issue_later() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tls");
        let root = TlsRoot::generate().unwrap();
        root.write(&dir).unwrap();
        let ra = root.issue("ra.scms.test").unwrap();
        ra.write(&dir, "ra").unwrap();

        let mode = |f: &str| fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(""), 0o700);
        assert_eq!(mode("root.key.pem"), 0o600);
        assert_eq!(mode("ra.key.pem"), 0o600);
        assert_eq!(mode("root.pem"), 0o644);
        assert_eq!(mode("ra.pem"), 0o644);

        // Never overwritten.
        assert!(matches!(root.write(&dir), Err(TlsError::AlreadyExists(_))));
        assert!(matches!(
            ra.write(&dir, "ra"),
            Err(TlsError::AlreadyExists(_))
        ));
        assert!(matches!(
            ra.write(&dir, "../ra"),
            Err(TlsError::InvalidName(_))
        ));

        // Loading gives what was written.
        let anchor = load_root_cert(&dir).unwrap();
        assert_eq!(&anchor, root.cert_der());
        assert_eq!(load_root_pem(&dir).unwrap(), root.cert_pem());
        let chain = load_cert_chain(&dir, "ra").unwrap();
        assert_eq!(chain, vec![ra.cert_der().clone()]);
        assert_eq!(load_cert_pem(&dir, "ra").unwrap(), ra.cert_pem());
        assert_eq!(*load_key_pem(&dir, "ra").unwrap(), *ra.key_pem());
        assert_eq!(
            load_private_key(&dir, "ra").unwrap().secret_der(),
            ra.private_key_der().secret_der()
        );

        // The reloaded root issues certificates that chain to the written root.
        let reloaded = TlsRoot::load(&dir).unwrap();
        let pca = reloaded.issue("pca.scms.test").unwrap();
        assert!(verify(&anchor, pca.cert_der(), KeyUsage::server_auth()));
        assert!(name_ok(pca.cert_der(), "pca.scms.test"));
    }

    #[test]
    fn key_permissions_and_mismatch_are_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let root = TlsRoot::generate().unwrap();
        root.write(dir).unwrap();
        root.issue("la1.scms.test")
            .unwrap()
            .write(dir, "la1")
            .unwrap();

        let key = dir.join("la1.key.pem");
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            load_private_key(dir, "la1"),
            Err(TlsError::InsecurePermissions { mode: 0o644, .. })
        ));
        fs::set_permissions(dir.join(ROOT_KEY_FILE), fs::Permissions::from_mode(0o640)).unwrap();
        assert!(matches!(
            TlsRoot::load(dir),
            Err(TlsError::InsecurePermissions { .. })
        ));
        fs::set_permissions(dir.join(ROOT_KEY_FILE), fs::Permissions::from_mode(0o600)).unwrap();

        // A root certificate that is not the key's.
        fs::remove_file(dir.join(ROOT_CERT_FILE)).unwrap();
        let other = TlsRoot::generate().unwrap();
        fs::write(dir.join(ROOT_CERT_FILE), other.cert_pem()).unwrap();
        assert!(matches!(TlsRoot::load(dir), Err(TlsError::KeyMismatch(_))));
    }

    #[test]
    fn bad_fqdns_are_refused() {
        let root = TlsRoot::generate().unwrap();
        for bad in ["", "a..b", "-a.test", "a b.test", "ra/x", "é.test"] {
            assert!(
                matches!(root.issue(bad), Err(TlsError::InvalidFqdn(_))),
                "{bad:?}"
            );
        }
        let lh = root.issue("localhost").unwrap();
        assert!(name_ok(lh.cert_der(), "localhost"));
        assert!(!format!("{lh:?}").contains("PRIVATE"));
    }
}
