//! Bootstrapping from the DCM's response zip (Use Case 2, steps 8–11; Code Block 2):
//!
//! ```text
//! root.oer  LCCF.oer  LPF.oer  CRL.oer  root.tls
//! <device id>/RA.oer  <device id>/ECA.oer  <device id>/enrollment.oer  <device id>/enrollment.s
//! electors/<name>.oer                      (the initial electors; absent from older zips)
//! quorum.txt                               (the elector quorum, decimal; absent: the PoC's 2)
//! ```
//!
//! [`bootstrap`] reads the shared files and the device's directory (bounded sizes, no
//! unsafe entry names), then checks, in order:
//!
//! 1. the pending request: the request key is the CSR's key and its hex is `device_id`;
//! 2. every file decodes (certificates, LCCF, LPF, CRL; `root.tls` is a PEM/DER X.509);
//! 3. `root.oer` is a valid self-signed certificate, valid now;
//! 4. the ECA and RA certificates chain to `root.oer` through the LCCF's certificates
//!    (ECA ← ICA ← Root): each explicit signature verifies and each is valid now
//!    (SCMS-1907);
//! 5. the enrollment certificate is implicit, issued by that ECA, and the private key
//!    `d = e·k + r` reconstructed from `enrollment.s` matches the public key
//!    `Q = e·P + Q_ECA` reconstructed from the certificate (SCMS-1906);
//! 6. the enrollment certificate is valid now, within the requested period and the ECA's,
//!    with the requested PSIDs and a subset of the requested regions;
//! 7. the trust store (the electors, each matching the Elector profile with a verifying
//!    self-signature, the zip's quorum (1 to 9 and at most the number of electors;
//!    [`crate::trust_state::POC_QUORUM`] without `quorum.txt`), and the root) takes the
//!    CRL's removal ballots, then the LCCF's addElector/addRoot ballots; the CRL's CRLs
//!    verify against it (eeInitCRLProvError, SCMS-950) and the components they revoke are
//!    marked; the enrollment and RA certificates then validate under the full 1609.2
//!    chain rules.
//!
//! Any failure is a [`BootstrapError`]; [`DeviceTrust::store`] writes nothing until all
//! of them passed.

use std::collections::HashSet;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use scms_asn1::camp::cert_chain_files::CertificateChainFiles;
use scms_asn1::camp::component_cert_management::{CompositeCrl, ElectorBallot};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, GeographicRegion, HashBasedRevocationInfo,
    IdentifiedRegion, Ieee1609Dot2Content, Ieee1609Dot2Data, IssuerIdentifier, SubjectPermissions,
    Time32, VerificationKeyIndicator,
};
use scms_asn1::{Coer, DecodeError};
use scms_core::hash::certificate_id8;
use scms_core::sign::{certificate_key, reconstruct_private_key, verify_explicit, Issuer};
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::validity_end;
use scms_core::CoreError;
use scms_crypto::{default_backend, Point, Scalar};

use crate::device::{DeviceConfig, DeviceDir, DeviceError, ENROLLMENT_KEY};
use crate::enrollment::{enrollment_pub_hex, parse_request, DeviceKind, EnrollmentError};
use crate::trust_state::{
    self, apply_ballots, BallotOutcome, BallotSource, BALLOTS_DIR, ELECTORS_DIR, MAX_ELECTORS,
    REVOKED_FILE,
};

/// Largest file read from the zip (certificates, LCCF, LPF, CRL, TLS root).
pub const MAX_FILE_SIZE: u64 = 4 << 20;
/// Most entries a response zip may have (one directory of four files per device).
pub const MAX_ENTRIES: usize = 500_000;
/// Longest issuer chain followed from a certificate to the root.
pub const MAX_CHAIN_DEPTH: usize = 8;

/// The shared files of the zip, in the order of Code Block 2.
pub const SHARED_FILES: [&str; 5] = ["root.oer", "LCCF.oer", "LPF.oer", "CRL.oer", "root.tls"];
/// The files of a device's directory.
pub const DEVICE_FILES: [&str; 4] = ["RA.oer", "ECA.oer", "enrollment.oer", "enrollment.s"];

/// Why bootstrapping failed. Nothing has been written when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BootstrapError {
    /// A certificate does not validate to the root under the 1609.2 chain rules.
    #[error("chain validation: {0}")]
    Chain(String),
    /// The responses file is not a readable zip.
    #[error("not a readable zip: {0}")]
    Zip(String),
    /// An entry name is absolute, has `..`, a backslash or a NUL.
    #[error("refusing unsafe zip entry name {0:?}")]
    UnsafeEntry(String),
    /// The zip has more entries than [`MAX_ENTRIES`].
    #[error("zip has too many entries ({0})")]
    TooManyEntries(usize),
    /// A file is larger than [`MAX_FILE_SIZE`].
    #[error("{0} is larger than {MAX_FILE_SIZE} bytes")]
    TooLarge(String),
    /// The device id is not a hexadecimal CSR stem.
    #[error("invalid device id {0:?}: expected the hexadecimal CSR file stem")]
    InvalidDeviceId(String),
    /// The zip has no directory for this device (wrong device id or wrong zip).
    #[error("the zip has no directory for device {0}")]
    DeviceNotFound(String),
    /// The DCM refused this device's request: its directory holds `error.txt`.
    #[error("the DCM rejected this device's request: {0}")]
    RejectedByDcm(String),
    /// A file of Code Block 2 is missing.
    #[error("the zip lacks {0}")]
    MissingFile(String),
    /// A file does not decode as what it should be.
    #[error("{file} is malformed: {reason}")]
    Malformed {
        /// The zip entry.
        file: String,
        /// Why.
        reason: String,
    },
    /// The pending request (CSR) is unreadable.
    #[error("pending request: {0}")]
    Request(#[from] EnrollmentError),
    /// The request key does not belong to the pending request.
    #[error("the request key is not the key of the pending request")]
    RequestKeyMismatch,
    /// The device id is not the pending request's enrollment pub hex.
    #[error("device id {given} is not this device's request ({expected})")]
    DeviceIdMismatch {
        /// The id given.
        given: String,
        /// The pending request's enrollment pub hex.
        expected: String,
    },
    /// `root.oer` is not a valid self-signed certificate.
    #[error("root.oer is not a valid self-signed root certificate: {0}")]
    UntrustedRoot(CoreError),
    /// A certificate's issuer is neither the root nor in the LCCF (or not explicit).
    #[error("{0}: issuer not found among root.oer and the LCCF certificates (does not chain to this root)")]
    UnknownIssuer(String),
    /// The issuer chain is longer than [`MAX_CHAIN_DEPTH`] or loops.
    #[error("{0}: issuer chain too long or looping")]
    ChainTooLong(String),
    /// A certificate's signature does not verify against its issuer (SCMS-1907).
    #[error("{file}: signature does not verify against its issuer: {reason}")]
    BadSignature {
        /// The certificate (zip entry, or `LCCF.oer[<subject>]`).
        file: String,
        /// Why.
        reason: CoreError,
    },
    /// A certificate is not valid at the bootstrap time.
    #[error("{file} is not valid at time {now} (valid {start}..{end})")]
    NotValid {
        /// The certificate.
        file: String,
        /// The bootstrap time (Time32).
        now: Time32,
        /// Validity start.
        start: u64,
        /// Validity end.
        end: u64,
    },
    /// The enrollment certificate is not an implicit certificate.
    #[error("enrollment.oer is not an implicit certificate")]
    NotImplicit,
    /// The enrollment certificate was not issued by `ECA.oer`.
    #[error("enrollment.oer was not issued by ECA.oer")]
    NotIssuedByEca,
    /// `enrollment.s` is not a valid private-key reconstruction value.
    #[error("enrollment.s is not a 32-byte private-key reconstruction value")]
    BadReconstructionValue,
    /// The reconstructed private key does not match the certificate (SCMS-1906).
    #[error("the reconstructed enrollment private key does not match enrollment.oer (SCMS-1906)")]
    KeyMismatch,
    /// The certificate's validity is not within the requested one (or outlives the ECA).
    #[error("enrollment.oer validity {0}")]
    ValidityMismatch(&'static str),
    /// The certificate's permissions are not the requested ones.
    #[error("enrollment.oer permissions differ from the request: {0}")]
    PermissionsMismatch(&'static str),
    /// The RA certificate has no host name id.
    #[error("RA.oer has no host name (CertificateId name)")]
    NoRaHostname,
    /// Storing the trust material failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// The CRL's CRLs do not verify (eeInitCRLProvError, SCMS-950).
    #[error("eeInitCRLProvError: {0}")]
    Crl(String),
    /// An elector certificate of the zip is not a valid elector certificate.
    #[error("{file}: not a valid elector certificate: {reason}")]
    BadElector {
        /// The zip entry.
        file: String,
        /// Why.
        reason: String,
    },
    /// `quorum.txt` is not a quorum the electors can reach (1 to 9, at most the number
    /// of electors).
    #[error("{QUORUM_FILE}: {0}")]
    BadQuorum(String),
}

/// The zip entry with the elector quorum.
pub const QUORUM_FILE: &str = "quorum.txt";

/// The largest quorum accepted (the seed: "an assumed number less than ten").
pub const MAX_QUORUM: u8 = 9;

/// The raw files of the zip for one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFiles {
    /// `root.oer`.
    pub root: Vec<u8>,
    /// `LCCF.oer`.
    pub lccf: Vec<u8>,
    /// `LPF.oer`.
    pub lpf: Vec<u8>,
    /// `CRL.oer`.
    pub crl: Vec<u8>,
    /// `root.tls`.
    pub root_tls: Vec<u8>,
    /// `<id>/RA.oer`.
    pub ra: Vec<u8>,
    /// `<id>/ECA.oer`.
    pub eca: Vec<u8>,
    /// `<id>/enrollment.oer`.
    pub enrollment: Vec<u8>,
    /// `<id>/enrollment.s`.
    pub enrollment_s: Vec<u8>,
    /// `electors/<name>.oer`: `(name, bytes)`, sorted by name (empty in zips made before
    /// electors were distributed).
    pub electors: Vec<(String, Vec<u8>)>,
    /// `quorum.txt`, if the zip has one.
    pub quorum: Option<Vec<u8>>,
}

/// Whether `name` can be an elector file name (`<letters, digits, . _ ->.oer`).
fn valid_elector_name(name: &str) -> bool {
    name.len() <= 64
        && name.len() > 4
        && name.ends_with(".oer")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `id` can be a CSR stem (hex digits, 2 to 130 of them).
fn valid_device_id(id: &str) -> bool {
    (2..=130).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads the shared files and `device_id`'s directory from a response zip. Every entry
/// name is checked (no absolute paths, `..`, backslashes or NULs); files are read up to
/// [`MAX_FILE_SIZE`]. The directory is matched exactly, else case-insensitively.
pub fn read_response_zip(zip: &[u8], device_id: &str) -> Result<ResponseFiles, BootstrapError> {
    if !valid_device_id(device_id) {
        return Err(BootstrapError::InvalidDeviceId(device_id.to_owned()));
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| BootstrapError::Zip(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(BootstrapError::TooManyEntries(archive.len()));
    }
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| BootstrapError::Zip(e.to_string()))?;
    for n in &names {
        let unsafe_name = n.starts_with('/')
            || n.contains('\\')
            || n.contains('\0')
            || n.split('/').any(|c| c == ".." || c == ".")
            || n.contains(':');
        if unsafe_name {
            return Err(BootstrapError::UnsafeEntry(n.clone()));
        }
    }
    // The device's directory: exact, else case-insensitive (hex case may differ).
    let prefix = format!("{device_id}/");
    let dir = if names.iter().any(|n| n.starts_with(&prefix)) {
        device_id.to_owned()
    } else {
        names
            .iter()
            .filter_map(|n| n.split_once('/').map(|(d, _)| d))
            .find(|d| d.eq_ignore_ascii_case(device_id))
            .map(str::to_owned)
            .ok_or_else(|| BootstrapError::DeviceNotFound(device_id.to_owned()))?
    };
    let mut read = |name: String| -> Result<Vec<u8>, BootstrapError> {
        let f = archive
            .by_name(&name)
            .map_err(|_| BootstrapError::MissingFile(name.clone()))?;
        if f.is_dir() {
            return Err(BootstrapError::MissingFile(name));
        }
        let mut out = Vec::new();
        f.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut out)
            .map_err(|e| BootstrapError::Zip(format!("{name}: {e}")))?;
        if out.len() as u64 > MAX_FILE_SIZE {
            return Err(BootstrapError::TooLarge(name));
        }
        Ok(out)
    };
    let mut elector_names: Vec<String> = names
        .iter()
        .filter_map(|n| n.strip_prefix(&format!("{ELECTORS_DIR}/")))
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    elector_names.sort();
    if elector_names.len() > MAX_ELECTORS {
        return Err(BootstrapError::TooManyEntries(elector_names.len()));
    }
    if let Some(bad) = elector_names.iter().find(|n| !valid_elector_name(n)) {
        return Err(BootstrapError::UnsafeEntry(format!("{ELECTORS_DIR}/{bad}")));
    }
    if names.iter().any(|n| *n == format!("{dir}/error.txt")) {
        let text = read(format!("{dir}/error.txt"))?;
        let text = String::from_utf8_lossy(&text);
        let first: Vec<&str> = text.lines().take(4).collect();
        return Err(BootstrapError::RejectedByDcm(first.join("; ")));
    }
    Ok(ResponseFiles {
        root: read("root.oer".into())?,
        lccf: read("LCCF.oer".into())?,
        lpf: read("LPF.oer".into())?,
        crl: read("CRL.oer".into())?,
        root_tls: read("root.tls".into())?,
        ra: read(format!("{dir}/RA.oer"))?,
        eca: read(format!("{dir}/ECA.oer"))?,
        enrollment: read(format!("{dir}/enrollment.oer"))?,
        enrollment_s: read(format!("{dir}/enrollment.s"))?,
        electors: elector_names
            .into_iter()
            .map(|n| Ok((n.clone(), read(format!("{ELECTORS_DIR}/{n}"))?)))
            .collect::<Result<_, BootstrapError>>()?,
        quorum: names
            .iter()
            .any(|n| n == QUORUM_FILE)
            .then(|| read(QUORUM_FILE.into()))
            .transpose()?,
    })
}

/// The quorum of `quorum.txt` (decimal, surrounding white space allowed) for `electors`
/// electors.
fn parse_quorum(bytes: &[u8], electors: usize) -> Result<usize, BootstrapError> {
    let bad = |why: String| BootstrapError::BadQuorum(why);
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not text".into()))?;
    let q: u8 = text
        .trim()
        .parse()
        .map_err(|_| bad(format!("{:?} is not a number", text.trim())))?;
    if !(1..=MAX_QUORUM).contains(&q) {
        return Err(bad(format!("{q} is not between 1 and {MAX_QUORUM}")));
    }
    if usize::from(q) > electors {
        return Err(bad(format!("{q} electors needed, {electors} given")));
    }
    Ok(usize::from(q))
}

/// What the device had before bootstrapping: its kind, its CSR and the request key.
#[derive(Debug, Clone, Copy)]
pub struct PendingRequest<'a> {
    /// OBE or RSE.
    pub kind: DeviceKind,
    /// The `SignedEeEnrollmentCertRequest` the device sent (`<id>.oer`).
    pub request: &'a [u8],
    /// The request (verification) key `k` the CSR was signed with.
    pub key: &'a KeyPair,
}

/// The checked trust material of a bootstrapped device.
#[derive(Debug)]
pub struct DeviceTrust {
    /// OBE or RSE.
    pub kind: DeviceKind,
    /// The device id (the CSR stem, as found in the zip).
    pub device_id: String,
    /// The RA's host name (its certificate's `id name`).
    pub ra_hostname: String,
    /// The ECA's host name, when its certificate has one.
    pub eca_hostname: Option<String>,
    /// The enrollment certificate.
    pub enrollment_cert: Certificate,
    /// The enrollment key pair (reconstructed private key).
    pub enrollment_key: KeyPair,
    /// The root, ECA and RA certificates.
    pub root_cert: Certificate,
    /// The ECA certificate.
    pub eca_cert: Certificate,
    /// The RA certificate.
    pub ra_cert: Certificate,
    /// The files as received, to store.
    pub files: ResponseFiles,
    /// The elector certificates installed.
    pub electors: Vec<Certificate>,
    /// The elector quorum of the trust store.
    pub quorum: usize,
    /// The ballots of the CRL and the LCCF and what became of them.
    pub ballots: Vec<BallotOutcome>,
    /// The ballots that changed the trust store, in order, applied at `checked_at`.
    pub applied_ballots: Vec<ElectorBallot>,
    /// The component certificates the CRL revokes.
    pub revoked: Vec<HashBasedRevocationInfo>,
    /// The bootstrap time the checks were done at.
    pub checked_at: Time32,
}

fn check_valid(file: &str, cert: &Certificate, now: Time32) -> Result<(), BootstrapError> {
    let vp = &cert.to_be_signed.validity_period;
    let (start, end) = (u64::from(vp.start), validity_end(vp));
    if u64::from(now) < start || u64::from(now) >= end {
        return Err(BootstrapError::NotValid {
            file: file.to_owned(),
            now,
            start,
            end,
        });
    }
    Ok(())
}

fn malformed(file: &str, e: impl std::fmt::Display) -> BootstrapError {
    BootstrapError::Malformed {
        file: file.to_owned(),
        reason: e.to_string(),
    }
}

fn decode_cert(file: &str, bytes: &[u8]) -> Result<Certificate, BootstrapError> {
    Certificate::from_coer(bytes).map_err(|e| malformed(file, e))
}

/// An `ScmsFile`, bare or as the unsecured payload of a signed `SecuredScmsPDU`.
fn decode_scms_file(file: &str, bytes: &[u8]) -> Result<ScmsFile, BootstrapError> {
    if let Ok(f) = ScmsFile::from_coer(bytes) {
        return Ok(f);
    }
    let data = Ieee1609Dot2Data::from_coer(bytes).map_err(|e| malformed(file, e))?;
    let mut d = &data;
    for _ in 0..4 {
        match &d.content {
            Ieee1609Dot2Content::UnsecuredData(o) => {
                return ScmsFile::from_coer(o.as_bytes()).map_err(|e| malformed(file, e))
            }
            Ieee1609Dot2Content::SignedData(sd) => match &sd.tbs_data.payload.data {
                Some(inner) => d = inner,
                None => break,
            },
            _ => break,
        }
    }
    Err(malformed(file, "no ScmsFile inside"))
}

/// The certificates an LCCF (or GCCF) carries.
fn lccf_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, BootstrapError> {
    let file = decode_scms_file("LCCF.oer", bytes)?;
    match file.content {
        ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) => {
            let mut v = l.required_cert_store.certs;
            v.push(l.required_cert_store.ma_certificate);
            v.extend(l.optional_cert_list);
            Ok(v)
        }
        ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) => {
            let mut v = g.cert_store.certs;
            v.push(g.cert_store.ma_certificate);
            Ok(v)
        }
        _ => Err(malformed("LCCF.oer", "not a certificate chain file")),
    }
}

fn check_root_tls(bytes: &[u8]) -> Result<(), BootstrapError> {
    let pem = bytes
        .windows(27)
        .any(|w| w == b"-----BEGIN CERTIFICATE-----");
    let der = bytes.len() > 2 && bytes[0] == 0x30;
    if pem || der {
        Ok(())
    } else {
        Err(malformed("root.tls", "not a PEM or DER X.509 certificate"))
    }
}

/// Verifies `cert` (named `file`) up to `root` through `pool`; returns its key.
/// Each certificate on the path must be explicit, verify against its issuer and be
/// valid at `now`.
fn chain_to_root(
    file: &str,
    cert: &Certificate,
    pool: &[Certificate],
    root: &Certificate,
    root_key: &Point,
    now: Time32,
) -> Result<Point, BootstrapError> {
    let be = default_backend();
    let root_id = certificate_id8(root);
    // Walk up: path[0] = cert, path[last] = the certificate issued by the root.
    let mut path: Vec<(String, &Certificate)> = vec![(file.to_owned(), cert)];
    let mut seen = HashSet::new();
    loop {
        let Some((name, current)) = path.last() else {
            return Err(BootstrapError::UnknownIssuer(file.to_owned()));
        };
        let IssuerIdentifier::Sha256AndDigest(h) = &current.issuer else {
            return Err(BootstrapError::UnknownIssuer(name.clone()));
        };
        if *h == root_id {
            break;
        }
        if path.len() >= MAX_CHAIN_DEPTH || !seen.insert(*h) {
            return Err(BootstrapError::ChainTooLong(file.to_owned()));
        }
        let issuer = pool
            .iter()
            .find(|c| certificate_id8(c) == *h && c.signature.is_some())
            .ok_or_else(|| BootstrapError::UnknownIssuer(name.clone()))?;
        path.push((format!("LCCF.oer[{}]", subject_name(issuer)), issuer));
    }
    // Verify down from the root.
    let mut issuer_cert = root;
    let mut issuer_key = *root_key;
    for (name, c) in path.iter().rev() {
        if c.r#type != CertificateType::Explicit || c.signature.is_none() {
            return Err(BootstrapError::BadSignature {
                file: name.clone(),
                reason: CoreError::Invalid("not an explicit certificate"),
            });
        }
        let issuer = Issuer {
            cert: issuer_cert,
            key: &issuer_key,
        };
        verify_explicit(be, c, Some(issuer)).map_err(|reason| BootstrapError::BadSignature {
            file: name.clone(),
            reason,
        })?;
        check_valid(name, c, now)?;
        issuer_key =
            certificate_key(be, c, None).map_err(|reason| BootstrapError::BadSignature {
                file: name.clone(),
                reason,
            })?;
        issuer_cert = c;
    }
    Ok(issuer_key)
}

fn subject_name(c: &Certificate) -> String {
    match &c.to_be_signed.id {
        CertificateId::Name(n) => n.0.clone(),
        _ => hex::encode(certificate_id8(c)),
    }
}

fn hostname(c: &Certificate) -> Option<String> {
    match &c.to_be_signed.id {
        CertificateId::Name(n) if !n.0.is_empty() => Some(n.0.clone()),
        _ => None,
    }
}

fn countries(r: &Option<GeographicRegion>) -> Option<Vec<u16>> {
    match r {
        Some(GeographicRegion::IdentifiedRegion(v)) => v
            .iter()
            .map(|i| match i {
                IdentifiedRegion::CountryOnly(c) => Some(*c),
                IdentifiedRegion::CountryAndRegions(c) => Some(c.country_only),
                IdentifiedRegion::CountryAndSubregions(c) => Some(c.country),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Checks the response for the device against its pending request (see the module
/// documentation for the checks) and returns the trust material to store.
pub fn bootstrap(
    responses_zip: &[u8],
    device_id: &str,
    pending: &PendingRequest<'_>,
    now: Time32,
) -> Result<DeviceTrust, BootstrapError> {
    let be = default_backend();

    // 1. The pending request.
    let req = parse_request(pending.request)?;
    if req.key != *pending.key.public_key() {
        return Err(BootstrapError::RequestKeyMismatch);
    }
    let expected = enrollment_pub_hex(&req.key);
    if !valid_device_id(device_id) {
        return Err(BootstrapError::InvalidDeviceId(device_id.to_owned()));
    }
    if !expected.eq_ignore_ascii_case(device_id) {
        return Err(BootstrapError::DeviceIdMismatch {
            given: device_id.to_owned(),
            expected,
        });
    }

    // 2. The files.
    let files = read_response_zip(responses_zip, device_id)?;
    let root = decode_cert("root.oer", &files.root)?;
    let eca = decode_cert("ECA.oer", &files.eca)?;
    let ra = decode_cert("RA.oer", &files.ra)?;
    let enrollment = decode_cert("enrollment.oer", &files.enrollment)?;
    let pool = lccf_certificates(&files.lccf)?;
    decode_scms_file("LPF.oer", &files.lpf)?;
    CompositeCrl::from_coer(&files.crl)
        .map(|_| ())
        .or_else(|_| Ieee1609Dot2Data::from_coer(&files.crl).map(|_| ()))
        .map_err(|e: DecodeError| malformed("CRL.oer", e))?;
    check_root_tls(&files.root_tls)?;

    // 3. The root.
    if !matches!(root.issuer, IssuerIdentifier::SelfSigned(_)) {
        return Err(BootstrapError::UntrustedRoot(CoreError::Invalid(
            "not self-signed",
        )));
    }
    verify_explicit(be, &root, None).map_err(BootstrapError::UntrustedRoot)?;
    check_valid("root.oer", &root, now)?;
    let root_key = certificate_key(be, &root, None).map_err(BootstrapError::UntrustedRoot)?;

    // 4. ECA and RA chain to the root (SCMS-1907).
    let eca_key = chain_to_root("ECA.oer", &eca, &pool, &root, &root_key, now)?;
    chain_to_root("RA.oer", &ra, &pool, &root, &root_key, now)?;
    let ra_hostname = hostname(&ra).ok_or(BootstrapError::NoRaHostname)?;

    // 5. The enrollment certificate and key (SCMS-1906).
    if enrollment.r#type != CertificateType::Implicit
        || enrollment.signature.is_some()
        || !matches!(
            enrollment.to_be_signed.verify_key_indicator,
            VerificationKeyIndicator::ReconstructionValue(_)
        )
    {
        return Err(BootstrapError::NotImplicit);
    }
    if enrollment.issuer != IssuerIdentifier::Sha256AndDigest(certificate_id8(&eca)) {
        return Err(BootstrapError::NotIssuedByEca);
    }
    let public = certificate_key(
        be,
        &enrollment,
        Some(Issuer {
            cert: &eca,
            key: &eca_key,
        }),
    )
    .map_err(|_| BootstrapError::KeyMismatch)?;
    let r = parse_reconstruction_value(&files.enrollment_s)?;
    let private = reconstruct_private_key(&enrollment, &eca, pending.key.private(), &r)
        .map_err(|_| BootstrapError::KeyMismatch)?;
    let enrollment_key = KeyPair::from_private(private).map_err(|_| BootstrapError::KeyMismatch)?;
    if *enrollment_key.public_key() != public {
        return Err(BootstrapError::KeyMismatch);
    }

    // 6. Validity and permissions against the request.
    check_valid("enrollment.oer", &enrollment, now)?;
    let got = &enrollment.to_be_signed;
    let want = &req.request.tbs_data;
    let (gs, ge) = (
        u64::from(got.validity_period.start),
        validity_end(&got.validity_period),
    );
    if gs < u64::from(want.validity_period.start) || ge > validity_end(&want.validity_period) {
        return Err(BootstrapError::ValidityMismatch(
            "is not within the requested period",
        ));
    }
    let ev = &eca.to_be_signed.validity_period;
    if gs < u64::from(ev.start) || ge > validity_end(ev) {
        return Err(BootstrapError::ValidityMismatch("is not within the ECA's"));
    }
    if got.app_permissions.is_some() || got.cert_issue_permissions.is_some() {
        return Err(BootstrapError::PermissionsMismatch(
            "appPermissions or certIssuePermissions present",
        ));
    }
    let psids = |p: &Option<Vec<scms_asn1::ieee1609dot2::PsidGroupPermissions>>| {
        let mut v = Vec::new();
        for g in p.iter().flatten() {
            match &g.subject_permissions {
                SubjectPermissions::Explicit(r) => v.extend(r.iter().cloned()),
                _ => return None,
            }
        }
        v.sort_by_key(|r| r.to_coer());
        Some(v)
    };
    match (
        psids(&got.cert_request_permissions),
        psids(&want.cert_request_permissions),
    ) {
        (Some(g), Some(w)) if !g.is_empty() && g == w => {}
        _ => {
            return Err(BootstrapError::PermissionsMismatch(
                "certRequestPermissions PSID/SSP ranges",
            ))
        }
    }
    match (countries(&got.region), countries(&want.region)) {
        (Some(g), Some(w)) if !g.is_empty() && g.iter().all(|c| w.contains(c)) => {}
        _ => {
            return Err(BootstrapError::PermissionsMismatch(
                "region is not within the requested countries",
            ))
        }
    }

    // 7. The trust store: electors, root, the ballots of the CRL and of the LCCF, the
    // components the CRL revokes.
    let mut electors = Vec::new();
    for (name, bytes) in &files.electors {
        let file = format!("{ELECTORS_DIR}/{name}");
        let e = decode_cert(&file, bytes)?;
        trust_state::check_elector(&e)
            .map_err(|reason| BootstrapError::BadElector { file, reason })?;
        electors.push(e);
    }
    let quorum = match &files.quorum {
        Some(b) => parse_quorum(b, electors.len())?,
        None => trust_state::POC_QUORUM,
    };
    let mut trust = scms_core::trust::TrustStore::new(electors.clone(), quorum)
        .map_err(|e| BootstrapError::Chain(e.to_string()))?;
    trust
        .add_root_by_ceremony(be, root.clone())
        .map_err(|e| BootstrapError::Chain(e.to_string()))?;
    let mut intermediates = pool.clone();
    intermediates.push(eca.clone());
    let composite = CompositeCrl::from_coer(&files.crl).ok();
    let crl_ballots = composite
        .as_ref()
        .map(crate::crl::ballots_of)
        .unwrap_or_default();
    let lccf_ballots = crate::provision::chain_file(&files.lccf)
        .map(|f| f.ballots())
        .map_err(|e| malformed("LCCF.oer", e))?;
    let mut ballots = apply_ballots(&mut trust, BallotSource::Crl, &crl_ballots, now);
    let lccf_outcomes = apply_ballots(&mut trust, BallotSource::Lccf, &lccf_ballots, now);
    let mut applied_ballots: Vec<ElectorBallot> = ballots
        .iter()
        .filter(|o| o.applied())
        .filter_map(|o| crl_ballots.get(o.index).cloned())
        .collect();
    applied_ballots.extend(
        lccf_outcomes
            .iter()
            .filter(|o| o.applied())
            .filter_map(|o| lccf_ballots.get(o.index).cloned()),
    );
    ballots.extend(lccf_outcomes);
    let mut revoked = Vec::new();
    if let Some(c) = &composite {
        let v = crate::crl::verify_crls(c, &trust, &intermediates, now, None)
            .map_err(|e| BootstrapError::Crl(e.to_string()))?;
        for e in &v.component_entries {
            trust.revoke_id10(e.id);
        }
        revoked = v.component_entries;
    }

    // The full 1609.2 chain rules (validity, permissions, region, cracaId, revocation)
    // from the enrollment certificate up to the root as installed.
    for (name, c) in [("enrollment.oer", &enrollment), ("RA.oer", &ra)] {
        scms_core::chain::validate_chain(be, c, &intermediates, &trust, now)
            .map_err(|e| BootstrapError::Chain(format!("{name}: {e}")))?;
    }

    Ok(DeviceTrust {
        kind: pending.kind,
        device_id: device_id.to_owned(),
        ra_hostname,
        eca_hostname: hostname(&eca),
        enrollment_cert: enrollment,
        enrollment_key,
        root_cert: root,
        eca_cert: eca,
        ra_cert: ra,
        files,
        electors,
        quorum,
        ballots,
        applied_ballots,
        revoked,
        checked_at: now,
    })
}

/// `enrollment.s`: the 32-byte reconstruction value `r`, raw (COER of
/// `EccP256PrivateKeyReconstruction`), or as 64 hex digits.
fn parse_reconstruction_value(bytes: &[u8]) -> Result<Scalar, BootstrapError> {
    let raw: Vec<u8> = if bytes.len() == 32 {
        bytes.to_vec()
    } else {
        let text =
            std::str::from_utf8(bytes).map_err(|_| BootstrapError::BadReconstructionValue)?;
        let compact: String = text.split_whitespace().collect();
        hex::decode(compact).map_err(|_| BootstrapError::BadReconstructionValue)?
    };
    Scalar::from_slice(&raw).map_err(|_| BootstrapError::BadReconstructionValue)
}

impl DeviceTrust {
    /// Writes the trust material into the device directory `dir` (see
    /// [`DeviceDir`]): `enrollment.oer`, the enrollment private key as keystore key
    /// `enrollment`, `trust/{root.oer, ECA.oer, RA.oer, LCCF.oer, LPF.oer, CRL.oer,
    /// root.tls}`, the root management state `trust/electors/`, `trust/ballots/` and
    /// `trust/revoked.oer` (see [`crate::trust_state`]) and `device.toml`. Everything is written to a staging directory
    /// inside `dir` first and renamed into place; the key is stored last-but-one, and
    /// a failure before it leaves `dir` as it was.
    pub fn store(
        &self,
        dir: &DeviceDir,
        keys: &scms_store::Keystore,
        now: Time32,
    ) -> Result<Vec<PathBuf>, BootstrapError> {
        let trust = [
            ("root.oer", &self.files.root),
            ("ECA.oer", &self.files.eca),
            ("RA.oer", &self.files.ra),
            ("LCCF.oer", &self.files.lccf),
            ("LPF.oer", &self.files.lpf),
            ("CRL.oer", &self.files.crl),
            ("root.tls", &self.files.root_tls),
        ];
        let config = DeviceConfig {
            kind: self.kind.as_str().to_owned(),
            device_id: self.device_id.clone(),
            ra_hostname: Some(self.ra_hostname.clone()),
            eca_hostname: self.eca_hostname.clone(),
            bootstrapped_at: Some(now),
            quorum: u8::try_from(self.quorum).ok(),
        };
        let ballots: Vec<(String, Vec<u8>)> = self
            .applied_ballots
            .iter()
            .enumerate()
            .map(|(k, b)| {
                (
                    format!("{BALLOTS_DIR}/{:06}-{}.oer", k + 1, self.checked_at),
                    b.to_coer(),
                )
            })
            .collect();
        let revoked = (!self.revoked.is_empty()).then(|| {
            scms_asn1::ieee1609dot2::ToBeSignedHashIdCrl {
                crl_serial: u32::try_from(self.revoked.len()).unwrap_or(u32::MAX),
                entries: self.revoked.clone(),
            }
            .to_coer()
        });
        let electors = self
            .files
            .electors
            .iter()
            .map(|(n, b)| (format!("{ELECTORS_DIR}/{n}"), b.as_slice()));
        let files: Vec<(PathBuf, &[u8])> = trust
            .iter()
            .map(|(n, b)| (n.to_string(), b.as_slice()))
            .chain(electors)
            .chain(ballots.iter().map(|(n, b)| (n.clone(), b.as_slice())))
            .chain(
                revoked
                    .iter()
                    .map(|b| (REVOKED_FILE.to_owned(), b.as_slice())),
            )
            .map(|(n, b)| (Path::new("trust").join(n), b))
            .chain(std::iter::once((
                PathBuf::from("enrollment.oer"),
                self.files.enrollment.as_slice(),
            )))
            .collect();
        dir.install(&files, &config, || {
            keys.store_private_key(ENROLLMENT_KEY, self.enrollment_key.private())
                .map_err(DeviceError::from)
        })
        .map_err(BootstrapError::from)
    }
}

#[cfg(test)]
#[path = "bootstrap_tests.rs"]
mod tests;
