//! Where `scms init` puts things: one directory holding the configuration, the keystore,
//! the certificates, the trust and policy files and the TLS material of every authority.

use std::path::{Path, PathBuf};

/// The paths of an SCMS directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

/// The components that get certificates from the ceremony, in issuance order.
pub const COMPONENTS: [&str; 11] = [
    "root", "ica", "ma", "crlg", "pg", "eca", "pca", "ra", "la1", "la2", "dcm",
];

/// The components that run HTTPS services and so get a TLS server certificate.
pub const TLS_SERVICES: [&str; 9] = ["ra", "pca", "la1", "la2", "ma", "pg", "eca", "crlg", "lop"];

/// TLS client identities that are no component: `operator`, the SCMS Manager's operator
/// (the MA's `/admin/*` routes accept only it).
pub const TLS_CLIENTS: [&str; 1] = ["operator"];

impl Layout {
    /// The layout under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `scms.toml`: the configuration used.
    pub fn config(&self) -> PathBuf {
        self.root.join("scms.toml")
    }

    /// The keystore directory.
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// The certificates directory.
    pub fn certs(&self) -> PathBuf {
        self.root.join("certs")
    }

    /// `certs/<name>.oer`.
    pub fn cert(&self, name: &str) -> PathBuf {
        self.certs().join(format!("{name}.oer"))
    }

    /// The trust and policy files directory.
    pub fn files(&self) -> PathBuf {
        self.root.join("files")
    }

    /// `files/<name>` (e.g. `GCCF.oer`).
    pub fn file(&self, name: &str) -> PathBuf {
        self.files().join(name)
    }

    /// The TLS material directory.
    pub fn tls(&self) -> PathBuf {
        self.root.join("tls")
    }

    /// An authority's state directory (`eca/`, `dcm/`, `ra/`, ...).
    pub fn state(&self, component: &str) -> PathBuf {
        self.root.join(component)
    }
}
