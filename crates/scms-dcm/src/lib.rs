//! The Device Configuration Manager (DCM) of the SCMS: manual bootstrapping of OBEs
//! and RSEs (seed Use Case 2, steps 7-9).
//!
//! Input: a *flat* zip of `<enrollment pub hex>.oer` files, one
//! `SignedEeEnrollmentCertRequest` each (Code Block 1). Each CSR goes to the ECA; the
//! output zip (Code Block 2) holds `root.oer`, `LCCF.oer`, `LPF.oer`, `CRL.oer`,
//! `root.tls` and, per CSR, a directory named after the CSR file with `RA.oer`,
//! `ECA.oer`, `enrollment.oer`, `enrollment.s` (and the whole ECA response as
//! `response.oer`), or `error.txt` naming the failed check. Beside Code Block 2 the zip
//! carries the initial elector certificates as `electors/<name>.oer` (from the init
//! directory's `certs/elector-*.oer`), which devices install in their trust store (seed
//! Step 11.1.3: initial electors are installed by ceremony) and their quorum as
//! `quorum.txt` (the `quorum` of `scms.toml`: "all components know the quorum and the
//! certificates of the initial set of electors"). One line per device is
//! appended to the bootstrap log (§"OBE Bootstrap Process Logging Requirement").

#![forbid(unsafe_code)]

mod log;
mod verify;

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use scms_asn1::Coer;
use scms_eca::{DeviceKind, Eca, EnrollmentRejection};

pub use log::{file_version, iso8601, BootstrapLog, LogRecord};
pub use verify::{verify_response, VerifiedResponse};

/// Why a DCM run could not be done at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DcmError {
    /// The requests zip is not a readable zip archive.
    #[error("the requests file is not a usable zip archive: {0}")]
    BadZip(String),
    /// The requests zip holds more entries than allowed.
    #[error("the requests zip holds {count} entries, more than the limit {limit}")]
    TooManyEntries {
        /// Entries found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The requests zip would decompress to more than allowed (zip bomb guard).
    #[error("the requests zip decompresses to more than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The requests zip holds no entry.
    #[error("the requests zip is empty")]
    Empty,
    /// A bootstrap file of the init directory is missing or unreadable.
    #[error("bootstrap file {path}: {source}")]
    MissingFile {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Writing the output or the log failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The ECA certificate does not chain to the init directory's `root.oer`.
    #[error("the ECA certificate does not chain to root.oer (SCMS-1907)")]
    RootMismatch,
    /// Building the response zip failed.
    #[error("writing the response zip: {0}")]
    Zip(String),
    /// The init directory's `scms.toml` is not usable.
    #[error("configuration: {0}")]
    Config(String),
}

/// Bounds on the requests zip.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most entries in the zip.
    pub max_entries: usize,
    /// Largest single CSR, bytes (uncompressed).
    pub max_entry_size: u64,
    /// Largest total uncompressed size, bytes.
    pub max_total_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_entry_size: 16 * 1024,
            max_total_size: 64 * 1024 * 1024,
        }
    }
}

/// The bootstrap material every device receives (Code Block 2, top level) plus the RA
/// certificate of each device directory.
#[derive(Debug, Clone)]
pub struct BootstrapFiles {
    /// `root.oer`: the Root CA certificate.
    pub root: Vec<u8>,
    /// `LCCF.oer`: the Local Certificate Chain File.
    pub lccf: Vec<u8>,
    /// `LPF.oer`: the Local Policy File.
    pub lpf: Vec<u8>,
    /// `CRL.oer`: the current CRL.
    pub crl: Vec<u8>,
    /// `root.tls`: the X.509 TLS root (PEM) the RA's TLS certificate chains to.
    pub root_tls: Vec<u8>,
    /// `RA.oer`: the RA's 1609.2 certificate.
    pub ra: Vec<u8>,
    /// The initial elector certificates: `(file name, bytes)`, written as
    /// `electors/<file name>`.
    pub electors: Vec<(String, Vec<u8>)>,
    /// The elector quorum (`quorum` of `scms.toml`; `None` without electors), written as
    /// `quorum.txt`.
    pub quorum: Option<u8>,
}

impl BootstrapFiles {
    /// Reads them from an `scms init` directory: `certs/root.oer`, `certs/ra.oer`,
    /// `files/{LCCF,LPF,CRL}.oer`, `tls/root.pem` and every `certs/elector-*.oer`.
    pub fn load(dir: &Path) -> Result<Self, DcmError> {
        let read = |rel: &str| {
            let path = dir.join(rel);
            std::fs::read(&path).map_err(|source| DcmError::MissingFile { path, source })
        };
        let certs = dir.join("certs");
        let listing = std::fs::read_dir(&certs).map_err(|source| DcmError::MissingFile {
            path: certs.clone(),
            source,
        })?;
        let mut names = Vec::new();
        for e in listing {
            let e = e.map_err(|source| DcmError::MissingFile {
                path: certs.clone(),
                source,
            })?;
            if let Some(n) = e.file_name().to_str() {
                let plain = n
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
                if plain && n.starts_with("elector-") && n.ends_with(".oer") {
                    names.push(n.to_owned());
                }
            }
        }
        names.sort();
        let mut electors = Vec::new();
        for n in names {
            let bytes = read(&format!("certs/{n}"))?;
            electors.push((n, bytes));
        }
        // The quorum of scms.toml goes with the electors (a directory without elector
        // certificates has no quorum to give).
        let quorum = if electors.is_empty() {
            None
        } else {
            let config = dir.join("scms.toml");
            let text =
                std::fs::read_to_string(&config).map_err(|source| DcmError::MissingFile {
                    path: config.clone(),
                    source,
                })?;
            let cfg = scms_ca::Config::from_toml(&text)
                .map_err(|e| DcmError::Config(format!("{}: {e}", config.display())))?;
            Some(cfg.quorum)
        };
        Ok(BootstrapFiles {
            quorum,
            electors,
            root: read("certs/root.oer")?,
            lccf: read("files/LCCF.oer")?,
            lpf: read("files/LPF.oer")?,
            crl: read("files/CRL.oer")?,
            root_tls: read("tls/root.pem")?,
            ra: read("certs/ra.oer")?,
        })
    }
}

/// What happened to one zip entry.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// The ECA issued an enrollment certificate.
    Accepted {
        /// The profile.
        kind: DeviceKind,
        /// HashedId8 of the enrollment certificate.
        cert_id8: [u8; 8],
    },
    /// The ECA (or the DCM's file-name check) refused the CSR; `<stem>/error.txt` says why.
    Rejected(EnrollmentRejection),
    /// The entry is not a CSR file of Code Block 1 (nested path, not `.oer`, ...); it
    /// has no directory in the output.
    Refused(String),
}

/// One zip entry's result.
#[derive(Debug, Clone)]
pub struct EntryReport {
    /// The entry name in the requests zip.
    pub name: String,
    /// The output directory name (the file stem), for CSR entries.
    pub stem: Option<String>,
    /// The result.
    pub outcome: Outcome,
}

/// The result of a run.
#[derive(Debug, Clone, Default)]
pub struct EnrollReport {
    /// One per zip entry, in zip order.
    pub entries: Vec<EntryReport>,
}

impl EnrollReport {
    /// Entries that got a certificate.
    pub fn accepted(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Accepted { .. }))
    }

    /// CSRs refused by a check.
    pub fn rejected(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Rejected(_)))
    }

    /// Entries that are not CSR files.
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Refused(_)))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.entries.iter().filter(|e| f(&e.outcome)).count()
    }
}

/// Checks an entry name against Code Block 1: a flat `<hex>.oer` file. Returns the stem.
fn csr_stem(name: &str) -> Result<String, String> {
    if name.contains('/') || name.contains('\\') {
        return Err("nested path: the zip must be flat (Code Block 1)".into());
    }
    if name.contains("..") || name.contains(':') || name.starts_with('.') {
        return Err("unsafe file name".into());
    }
    let Some(stem) = name.strip_suffix(".oer") else {
        return Err("not a .oer file".into());
    };
    if stem.is_empty() || stem.len() > 130 || !stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("file name is not <enrollment public key hex>.oer".into());
    }
    Ok(stem.to_string())
}

/// Whether `stem` names the CSR's public key: hex of its x coordinate (32 bytes), its
/// compressed (33) or uncompressed (65) SEC1 form, case-insensitive.
fn stem_matches_key(stem: &str, csr: &[u8]) -> Result<(), EnrollmentRejection> {
    let (_, req) = scms_eca::decode_request(csr)?;
    let key = scms_eca::requested_key(&req)?;
    let s = stem.to_ascii_lowercase();
    let ok = s == hex::encode(key.x())
        || s == hex::encode(key.to_compressed())
        || s == hex::encode(key.to_uncompressed());
    if ok {
        Ok(())
    } else {
        Err(EnrollmentRejection::Malformed(format!(
            "file name {stem}.oer is not the hex of the CSR's enrollment public key {}",
            hex::encode(key.to_compressed())
        )))
    }
}

fn zip_err(e: impl std::fmt::Display) -> DcmError {
    DcmError::Zip(e.to_string())
}

/// A zip entry: its name and its bytes, or why it is refused.
type RequestEntry = (String, Result<Vec<u8>, String>);

/// Reads the requests zip: per entry its name and either its bytes or why it was refused.
fn read_requests(zip_bytes: &[u8], limits: &Limits) -> Result<Vec<RequestEntry>, DcmError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes))
        .map_err(|e| DcmError::BadZip(e.to_string()))?;
    let n = archive.len();
    if n == 0 {
        return Err(DcmError::Empty);
    }
    if n > limits.max_entries {
        return Err(DcmError::TooManyEntries {
            count: n,
            limit: limits.max_entries,
        });
    }
    let mut total: u64 = 0;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut f = archive
            .by_index(i)
            .map_err(|e| DcmError::BadZip(format!("entry {i}: {e}")))?;
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        let refuse = |why: &str| Err(why.to_string());
        let res = if f.is_dir() {
            refuse("directory: the zip must be flat (Code Block 1)")
        } else if f.is_symlink() {
            refuse("symbolic link")
        } else if f.encrypted() {
            refuse("encrypted entry")
        } else if f.size() > limits.max_entry_size {
            refuse("larger than any enrollment CSR")
        } else {
            match csr_stem(&name) {
                Err(e) => Err(e),
                Ok(_) => {
                    // Never trust the declared size: read at most the limit + 1.
                    let mut buf = Vec::new();
                    let read = (&mut f)
                        .take(limits.max_entry_size + 1)
                        .read_to_end(&mut buf)
                        .map_err(|e| e.to_string());
                    match read {
                        Err(e) => Err(format!("unreadable: {e}")),
                        Ok(_) if buf.len() as u64 > limits.max_entry_size => {
                            refuse("larger than any enrollment CSR")
                        }
                        Ok(_) => Ok(buf),
                    }
                }
            }
        };
        if let Ok(b) = &res {
            total += b.len() as u64;
            if total > limits.max_total_size {
                return Err(DcmError::TooLarge {
                    limit: limits.max_total_size,
                });
            }
        }
        out.push((name, res));
    }
    Ok(out)
}

/// Runs Use Case 2 step 8 on a requests zip held in memory: every CSR goes to `eca`,
/// the response zip is returned with the report. `log` receives one record per device.
pub fn enroll(
    eca: &mut Eca,
    files: &BootstrapFiles,
    requests_zip: &[u8],
    now: u32,
    limits: &Limits,
    mut log: Option<&mut BootstrapLog>,
) -> Result<(Vec<u8>, EnrollReport), DcmError> {
    let root_ok = scms_asn1::ieee1609dot2::Certificate::from_coer(&files.root)
        .is_ok_and(|r| eca.chain().last() == Some(&r));
    if !root_ok {
        return Err(DcmError::RootMismatch);
    }
    let entries = read_requests(requests_zip, limits)?;
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let put = |zw: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, data: &[u8]| {
        zw.start_file(name, opts).map_err(zip_err)?;
        zw.write_all(data).map_err(zip_err)
    };
    put(&mut zw, "root.oer", &files.root)?;
    put(&mut zw, "LCCF.oer", &files.lccf)?;
    put(&mut zw, "LPF.oer", &files.lpf)?;
    put(&mut zw, "CRL.oer", &files.crl)?;
    put(&mut zw, "root.tls", &files.root_tls)?;
    for (name, bytes) in &files.electors {
        put(&mut zw, &format!("electors/{name}"), bytes)?;
    }
    if let Some(q) = files.quorum {
        put(&mut zw, "quorum.txt", format!("{q}\n").as_bytes())?;
    }
    let eca_cert = eca.certificate().to_coer();
    let lccf_version = file_version(&files.lccf, log::FileKind::Lccf);
    let lpf_version = file_version(&files.lpf, log::FileKind::Lpf);

    let mut report = EnrollReport::default();
    let mut stems = HashSet::new();
    for (name, res) in entries {
        let csr = match res {
            Ok(b) => b,
            Err(why) => {
                report.entries.push(EntryReport {
                    name,
                    stem: None,
                    outcome: Outcome::Refused(why),
                });
                continue;
            }
        };
        let stem = match csr_stem(&name) {
            Ok(s) => s,
            Err(why) => {
                report.entries.push(EntryReport {
                    name,
                    stem: None,
                    outcome: Outcome::Refused(why),
                });
                continue;
            }
        };
        if !stems.insert(stem.to_ascii_lowercase()) {
            report.entries.push(EntryReport {
                name,
                stem: None,
                outcome: Outcome::Refused("duplicate file name".into()),
            });
            continue;
        }
        let started = now;
        let result = stem_matches_key(&stem, &csr).and_then(|()| eca.process(&csr, now));
        let result = result.and_then(|resp| {
            verify_response(&resp.response_bytes, &csr, eca.certificate(), eca.chain())
                .map(|_| resp)
                .map_err(|e| {
                    EnrollmentRejection::Internal(format!("DCM check of the ECA response: {e}"))
                })
        });
        zw.add_directory(stem.as_str(), opts).map_err(zip_err)?;
        let mut record = LogRecord {
            started,
            completed: now,
            device: stem.clone(),
            public_key: csr_key_hash(&csr),
            lccf_version: lccf_version.clone(),
            lpf_version: lpf_version.clone(),
            kind: None,
            cert_id8: None,
            enrollment_cert: None,
            error: None,
        };
        let outcome = match result {
            Ok(resp) => {
                let cert = resp.enrollment_cert.to_coer();
                put(&mut zw, &format!("{stem}/RA.oer"), &files.ra)?;
                put(&mut zw, &format!("{stem}/ECA.oer"), &eca_cert)?;
                put(&mut zw, &format!("{stem}/enrollment.oer"), &cert)?;
                put(
                    &mut zw,
                    &format!("{stem}/enrollment.s"),
                    &resp.priv_key_reconstruction,
                )?;
                put(
                    &mut zw,
                    &format!("{stem}/response.oer"),
                    &resp.response_bytes,
                )?;
                record.kind = Some(resp.kind);
                record.cert_id8 = Some(resp.cert_id8);
                record.enrollment_cert = Some(cert);
                Outcome::Accepted {
                    kind: resp.kind,
                    cert_id8: resp.cert_id8,
                }
            }
            Err(rej) => {
                let mut text = format!("{name}: rejected\n{rej}\n");
                if let Some(c) = rej.seed_check() {
                    text.push_str(&format!("failed check: {c}\n"));
                }
                text.push_str(&format!("error code: {}\n", rej.code_name()));
                put(&mut zw, &format!("{stem}/error.txt"), text.as_bytes())?;
                record.error = Some(rej.to_string());
                Outcome::Rejected(rej)
            }
        };
        if let Some(l) = log.as_deref_mut() {
            l.append(&record)?;
        }
        report.entries.push(EntryReport {
            name,
            stem: Some(stem),
            outcome,
        });
    }
    let bytes = zw.finish().map_err(zip_err)?.into_inner();
    Ok((bytes, report))
}

/// SHA-256 of the CSR's requested public key (compressed), or of the CSR when it
/// carries none: the log's device key identifier.
fn csr_key_hash(csr: &[u8]) -> [u8; 32] {
    let key = scms_eca::decode_request(csr)
        .ok()
        .and_then(|(_, r)| scms_eca::requested_key(&r).ok());
    match key {
        Some(k) => scms_crypto::hash::sha256(&k.to_compressed()),
        None => scms_crypto::hash::sha256(csr),
    }
}

/// Use Case 2 step 8 end to end on files: reads `requests` and the bootstrap files of
/// `init_dir`, writes the response zip to `out` (atomically: temp file + rename) and
/// appends to `init_dir/dcm/bootstrap.log`.
pub fn enroll_zip(
    eca: &mut Eca,
    requests: &Path,
    init_dir: &Path,
    out: &Path,
    now: u32,
) -> Result<EnrollReport, DcmError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DcmError::Io { path, source }
    };
    let zip_bytes = std::fs::read(requests).map_err(io(requests))?;
    let files = BootstrapFiles::load(init_dir)?;
    let mut log = BootstrapLog::open(&init_dir.join("dcm").join("bootstrap.log"))?;
    let (bytes, report) = enroll(
        eca,
        &files,
        &zip_bytes,
        now,
        &Limits::default(),
        Some(&mut log),
    )?;
    let tmp = out.with_extension("zip.tmp");
    {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, out).map_err(io(out))?;
    Ok(report)
}
