//! The device directory `D` of an end entity:
//!
//! ```text
//! D/device.toml                 kind, device id; after bootstrap: RA/ECA host names, time
//! D/keys/                       keystore (scms-store): enrollment-request, enrollment (0600)
//! D/enrollment-request.oer      the CSR sent (kept to check the response against)
//! D/enrollment.oer              the enrollment certificate (after bootstrap)
//! D/trust/root.oer ECA.oer RA.oer LCCF.oer LPF.oer CRL.oer root.tls
//! D/trust/electors/ ballots/ revoked.oer   root management state (crate::trust_state)
//! ```
//!
//! `device.toml` also holds `quorum`, the elector endorsements a ballot needs, as the
//! DCM's zip gave it at bootstrap (default [`crate::trust_state::POC_QUORUM`]), read with
//! [`DeviceDir::quorum`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::enrollment::{DeviceKind, EnrollmentCsr};

/// Keystore name of the request (verification) key `k`.
pub const REQUEST_KEY: &str = "enrollment-request";
/// Keystore name of the reconstructed enrollment private key.
pub const ENROLLMENT_KEY: &str = "enrollment";
/// The configuration file.
pub const CONFIG_FILE: &str = "device.toml";
/// The pending CSR.
pub const REQUEST_FILE: &str = "enrollment-request.oer";
/// The enrollment certificate.
pub const ENROLLMENT_CERT_FILE: &str = "enrollment.oer";
/// The trust material directory.
pub const TRUST_DIR: &str = "trust";
/// Largest `device.toml` read.
const MAX_CONFIG_SIZE: u64 = 64 * 1024;

/// Why a device directory operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// A file system operation failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The keystore refused.
    #[error(transparent)]
    Store(#[from] scms_store::StoreError),
    /// `device.toml` is unreadable or invalid.
    #[error("{path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The directory already holds a pending request.
    #[error("{0} already has an enrollment request (keys/{REQUEST_KEY})")]
    AlreadyRequested(PathBuf),
    /// The directory already holds bootstrap results.
    #[error("{0} is already bootstrapped ({ENROLLMENT_CERT_FILE} or {TRUST_DIR}/ exists)")]
    AlreadyBootstrapped(PathBuf),
}

/// `device.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// `"obe"` or `"rse"`.
    pub kind: String,
    /// The CSR stem (enrollment pub hex).
    pub device_id: String,
    /// The RA's host name (from the RA certificate), after bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ra_hostname: Option<String>,
    /// The ECA's host name, after bootstrap, when its certificate has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eca_hostname: Option<String>,
    /// When bootstrapping completed (Time32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrapped_at: Option<u32>,
    /// The elector quorum of the SCMS (from the DCM's zip); `None`: the PoC's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u8>,
}

impl DeviceConfig {
    /// The kind as a [`DeviceKind`].
    pub fn device_kind(&self) -> Option<DeviceKind> {
        self.kind.parse().ok()
    }
}

/// A device directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDir {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DeviceError + '_ {
    move |source| DeviceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl DeviceDir {
    /// The device directory at `path` (nothing is created).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DeviceDir { root: path.into() }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The keystore directory `D/keys`.
    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// `D/device.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// `D/enrollment-request.oer`.
    pub fn request_path(&self) -> PathBuf {
        self.root.join(REQUEST_FILE)
    }

    /// `D/enrollment.oer`.
    pub fn enrollment_cert_path(&self) -> PathBuf {
        self.root.join(ENROLLMENT_CERT_FILE)
    }

    /// `D/trust`.
    pub fn trust_dir(&self) -> PathBuf {
        self.root.join(TRUST_DIR)
    }

    /// The `quorum` of `device.toml`: `None` when absent (the PoC quorum applies).
    pub fn quorum(&self) -> Result<Option<usize>, DeviceError> {
        match self.load_config()?.quorum {
            Some(0) => Err(DeviceError::Config {
                path: self.config_path(),
                reason: "quorum must be at least 1".into(),
            }),
            q => Ok(q.map(usize::from)),
        }
    }

    /// Reads `device.toml`.
    pub fn load_config(&self) -> Result<DeviceConfig, DeviceError> {
        let path = self.config_path();
        let text = read_bounded(&path, MAX_CONFIG_SIZE)?;
        let text = String::from_utf8(text).map_err(|_| DeviceError::Config {
            path: path.clone(),
            reason: "not UTF-8".into(),
        })?;
        let cfg: DeviceConfig = toml::from_str(&text).map_err(|e| DeviceError::Config {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if cfg.device_kind().is_none() {
            return Err(DeviceError::Config {
                path,
                reason: format!("unknown kind {:?}", cfg.kind),
            });
        }
        Ok(cfg)
    }

    /// Reads the pending CSR.
    pub fn load_request(&self) -> Result<Vec<u8>, DeviceError> {
        read_bounded(&self.request_path(), 64 * 1024)
    }

    /// Records a new enrollment request: stores its key as keystore key
    /// [`REQUEST_KEY`] (refused if one exists), then writes the CSR copy and
    /// `device.toml`.
    pub fn init_request(
        &self,
        keys: &scms_store::Keystore,
        kind: DeviceKind,
        csr: &EnrollmentCsr,
    ) -> Result<(), DeviceError> {
        if keys.exists(REQUEST_KEY)? {
            return Err(DeviceError::AlreadyRequested(self.root.clone()));
        }
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        keys.store_private_key(REQUEST_KEY, csr.key.private())?;
        let request_path = self.request_path();
        write_atomic(&request_path, &csr.request)?;
        let device_id = csr
            .file_name
            .strip_suffix(".oer")
            .unwrap_or(&csr.file_name)
            .to_owned();
        self.save_config(&DeviceConfig {
            kind: kind.as_str().to_owned(),
            device_id,
            ra_hostname: None,
            eca_hostname: None,
            bootstrapped_at: None,
            quorum: None,
        })
    }

    /// Writes `device.toml` (atomically).
    pub fn save_config(&self, cfg: &DeviceConfig) -> Result<(), DeviceError> {
        let path = self.config_path();
        let text = toml::to_string(cfg).map_err(|e| DeviceError::Config {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomic(&path, text.as_bytes())
    }

    /// Installs bootstrap results: `files` (paths relative to `D`) and `config` are
    /// written to a staging directory in `D`, then `store_key` runs, then everything is
    /// renamed into place. Refuses if `D` is already bootstrapped; on failure the
    /// staging directory is removed and `D` is left as it was (a key stored by
    /// `store_key` stays only if a rename after it fails). Returns the paths written.
    pub fn install(
        &self,
        files: &[(PathBuf, &[u8])],
        config: &DeviceConfig,
        store_key: impl FnOnce() -> Result<(), DeviceError>,
    ) -> Result<Vec<PathBuf>, DeviceError> {
        if self.enrollment_cert_path().exists() || self.trust_dir().exists() {
            return Err(DeviceError::AlreadyBootstrapped(self.root.clone()));
        }
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        let staging = self.root.join(format!(
            ".bootstrap-staging-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let result = (|| {
            std::fs::create_dir(&staging).map_err(io(&staging))?;
            for (rel, bytes) in files {
                let p = staging.join(rel);
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::fs::write(&p, bytes).map_err(io(&p))?;
            }
            let cfg = toml::to_string(config).map_err(|e| DeviceError::Config {
                path: self.config_path(),
                reason: e.to_string(),
            })?;
            let p = staging.join(CONFIG_FILE);
            std::fs::write(&p, cfg).map_err(io(&p))?;
            store_key()?;
            // Top-level names to move: each first path component, then device.toml last.
            let mut tops: Vec<PathBuf> = Vec::new();
            for (rel, _) in files {
                if let Some(first) = rel.components().next() {
                    let t = PathBuf::from(first.as_os_str());
                    if !tops.contains(&t) {
                        tops.push(t);
                    }
                }
            }
            tops.push(PathBuf::from(CONFIG_FILE));
            let mut written = Vec::new();
            for t in &tops {
                let (from, to) = (staging.join(t), self.root.join(t));
                std::fs::rename(&from, &to).map_err(io(&to))?;
                written.push(to);
            }
            Ok(written)
        })();
        let _ = std::fs::remove_dir_all(&staging);
        result
    }
}

fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, DeviceError> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(io(path))?;
    let mut out = Vec::new();
    f.take(max + 1).read_to_end(&mut out).map_err(io(path))?;
    if out.len() as u64 > max {
        return Err(DeviceError::Config {
            path: path.to_path_buf(),
            reason: format!("larger than {max} bytes"),
        });
    }
    Ok(out)
}

/// Writes `path` via a temporary file in the same directory and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DeviceError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DeviceError::Io {
            path: path.to_path_buf(),
            source: e,
        }
    })
}
