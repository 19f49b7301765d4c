//! The DCM bootstrap log (§"OBE Bootstrap Process Logging Requirement"): per device
//! and enrollment certificate the unique unit identifier, bootstrap start date, LCCF
//! and LPF version identifiers, the enrollment certificate and the completion date.
//! One line per device, `key=value` fields, appended and fsynced.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use scms_asn1::camp::cert_chain_files::CertificateChainFiles;
use scms_asn1::camp::policy::PolicyFiles;
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::Coer;
use scms_eca::DeviceKind;

use crate::DcmError;

/// Which bootstrap file a version identifier is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The Local Certificate Chain File.
    Lccf,
    /// The Local Policy File.
    Lpf,
}

/// The ScmsFile inside `bytes`: plain, or the payload of a signed SPDU.
fn scms_file(bytes: &[u8]) -> Option<ScmsFile> {
    if let Ok(f) = ScmsFile::from_coer(bytes) {
        return Some(f);
    }
    let d = Ieee1609Dot2Data::from_coer(bytes).ok()?;
    let inner = match d.content {
        Ieee1609Dot2Content::SignedData(sd) => sd.tbs_data.payload.data?,
        _ => return None,
    };
    match inner.content {
        Ieee1609Dot2Content::UnsecuredData(o) => ScmsFile::from_coer(o.as_bytes()).ok(),
        _ => None,
    }
}

/// A version identifier of a bootstrap file: the version the file states (LCCF
/// `lccfVersion`/`gccfVersion`, LPF `policyID`) when it decodes, always followed by the
/// HashedId8 of the file's bytes.
pub fn file_version(bytes: &[u8], kind: FileKind) -> String {
    let digest = hex::encode(scms_core::hash::hashed_id::<8>(bytes));
    let stated = match (kind, scms_file(bytes).map(|f| f.content)) {
        (
            FileKind::Lccf,
            Some(ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l))),
        ) => Some(format!(
            "v{}/gccf-v{}",
            l.version.lccf_version, l.version.gccf_version
        )),
        (FileKind::Lpf, Some(ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(l)))) => {
            Some(format!(
                "id-{}",
                hex::encode(l.local_parameters.tbs_data.policy_id.as_bytes())
            ))
        }
        _ => None,
    };
    match stated {
        Some(s) => format!("{s}/{digest}"),
        None => digest,
    }
}

/// `Time32` as an ISO 8601 UTC timestamp (`2017-08-01T00:00:00Z`).
pub fn iso8601(t: u32) -> String {
    let unix = scms_core::time::unix_from_time32(t);
    let (days, secs) = (unix / 86_400, unix % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One device's bootstrap record.
#[derive(Debug, Clone)]
pub struct LogRecord {
    /// Bootstrap start (Time32).
    pub started: u32,
    /// Bootstrap completion (Time32).
    pub completed: u32,
    /// The unique unit identifier: the CSR file stem (the enrollment public key hex).
    pub device: String,
    /// SHA-256 of the enrollment public key (compressed).
    pub public_key: [u8; 32],
    /// LCCF version identifier.
    pub lccf_version: String,
    /// LPF version identifier.
    pub lpf_version: String,
    /// The enrollment certificate profile, when issued.
    pub kind: Option<DeviceKind>,
    /// HashedId8 of the enrollment certificate, when issued.
    pub cert_id8: Option<[u8; 8]>,
    /// The enrollment certificate (COER), when issued.
    pub enrollment_cert: Option<Vec<u8>>,
    /// Why the CSR was rejected.
    pub error: Option<String>,
}

impl LogRecord {
    /// The log line (without newline).
    pub fn line(&self) -> String {
        let mut s = format!(
            "start={} complete={} device={} pubkey-sha256={} result={} lccf={} lpf={}",
            iso8601(self.started),
            iso8601(self.completed),
            self.device,
            hex::encode(self.public_key),
            if self.error.is_some() {
                "rejected"
            } else {
                "enrolled"
            },
            self.lccf_version,
            self.lpf_version,
        );
        if let Some(k) = self.kind {
            s.push_str(&format!(" kind={k}"));
        }
        if let Some(id) = self.cert_id8 {
            s.push_str(&format!(" cert-hashedid8={}", hex::encode(id)));
        }
        if let Some(c) = &self.enrollment_cert {
            s.push_str(&format!(" cert={}", hex::encode(c)));
        }
        if let Some(e) = &self.error {
            let e = e.replace(['\n', '\r'], " ").replace('"', "'");
            s.push_str(&format!(" error=\"{e}\""));
        }
        s
    }
}

/// The append-only bootstrap log file.
#[derive(Debug)]
pub struct BootstrapLog {
    path: PathBuf,
    file: File,
}

impl BootstrapLog {
    /// Opens (creating it and its directory) the log at `path`.
    pub fn open(path: &Path) -> Result<Self, DcmError> {
        let io = |source| DcmError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        Ok(BootstrapLog {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends one record and syncs it to disk.
    pub fn append(&mut self, r: &LogRecord) -> Result<(), DcmError> {
        let io = |source| DcmError::Io {
            path: self.path.clone(),
            source,
        };
        let mut line = r.line();
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_of_time32() {
        assert_eq!(iso8601(0), "2004-01-01T00:00:00Z");
        // 428,630,405 = 2017-08-01 00:00 UTC (SCMS-1605; 5 leap seconds).
        assert_eq!(iso8601(428_630_405), "2017-08-01T00:00:00Z");
    }

    #[test]
    fn undecodable_files_are_versioned_by_digest() {
        let v = file_version(b"x", FileKind::Lccf);
        assert_eq!(v.len(), 16);
    }
}
