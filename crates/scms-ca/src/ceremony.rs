//! The key ceremony: creates every key, certificate, trust file and policy file of a
//! complete SCMS in one directory (see [`crate::Layout`]).
//!
//! Order follows the seed's hierarchy: electors (self-signed) → Root CA (self-signed,
//! endorsed by an Add-Root ballot with every elector's vote) → ICA, MA, CRLG, PG (by the
//! Root) → ECA, PCA, RA, LA1, LA2, DCM (by the ICA), with encryption keys where the
//! profiles have them (ECA, PCA, RA, MA, DCM); then the LA ids and LA–PCA shared
//! keys, the TLS root, one server certificate per service and the operator's client
//! certificate (`tls/operator.*`), the PG-signed Global and Local Policy Files, the Global
//! and Local Certificate Chain Files, and the first (empty) composite CRL signed by the
//! CRLG.

use std::fs;
use std::io::Write;
use std::path::Path;

use scms_asn1::camp::cert_chain_files::{
    CertificateChainFiles, CertificateStore, CompositeVersion, GlobalCertificateChainFile,
    LocalCertificateChainFile,
};
use scms_asn1::camp::component_cert_management::{
    ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{Certificate, GeographicRegion, Hostname, IdentifiedRegion};
use scms_asn1::Coer;
use scms_core::ballot;
use scms_core::hash::certificate_id8;
use scms_core::issue::{issue_explicit_checked, root_id3};
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{
    i_period, i_period_start, time32_from_unix, time64_from_time32, Clock, SystemClock,
};
use scms_core::trust::TrustStore;
use scms_crypto::{default_backend, Point, Secret};
use scms_net::TlsRoot;
use scms_store::keystore::{Keystore, Passphrase};

use crate::config::Config;
use crate::layout::{Layout, TLS_CLIENTS, TLS_SERVICES};

/// Why the ceremony failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CeremonyError {
    /// The directory already holds an SCMS (or anything else).
    #[error("{0} is not empty: refusing to overwrite")]
    NotEmpty(String),
    /// The configuration is inconsistent.
    #[error("configuration: {0}")]
    Config(String),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// Key storage failed.
    #[error(transparent)]
    Store(#[from] scms_store::StoreError),
    /// A certificate could not be issued.
    #[error("issuing the {kind} certificate: {source}")]
    Issue {
        /// Which certificate.
        kind: &'static str,
        /// Why.
        source: scms_core::issue::IssueError,
    },
    /// A template could not be built.
    #[error("profile of the {kind} certificate: {source}")]
    Profile {
        /// Which certificate.
        kind: &'static str,
        /// Why.
        source: scms_core::profile::ProfileError,
    },
    /// A ballot could not be built or applied.
    #[error("ballot: {0}")]
    Ballot(String),
    /// TLS material could not be made.
    #[error(transparent)]
    Tls(#[from] scms_net::TlsError),
    /// A policy file could not be built.
    #[error(transparent)]
    Policy(#[from] scms_pg::PolicyError),
    /// The CRL could not be built.
    #[error(transparent)]
    Crl(#[from] scms_crl::CrlError),
    /// Other core failure.
    #[error(transparent)]
    Core(#[from] scms_core::CoreError),
}

/// What the ceremony made.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The configuration used (also written to `scms.toml`).
    pub config: Config,
    /// Time32 of the certificates' start.
    pub start: u32,
    /// Names of the certificates written.
    pub certificates: Vec<String>,
    /// LA ids assigned.
    pub la_ids: (u16, u16),
    /// Files written under `files/`.
    pub files: Vec<String>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CeremonyError + '_ {
    move |source| CeremonyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` to `path` atomically-enough for a fresh directory (create_new + fsync).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), CeremonyError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

fn region(countries: &[u16]) -> GeographicRegion {
    GeographicRegion::IdentifiedRegion(
        countries
            .iter()
            .map(|c| IdentifiedRegion::CountryOnly(*c))
            .collect(),
    )
}

struct Ceremony<'a> {
    cfg: &'a Config,
    layout: &'a Layout,
    keys: Keystore,
    start: u32,
    certificates: Vec<String>,
}

impl Ceremony<'_> {
    fn params(&self, component: &str, key: &Point, craca: [u8; 3]) -> TemplateParams {
        TemplateParams {
            name: Some(self.cfg.fqdn(component)),
            start: self.start,
            craca_id: craca,
            verification_key: Some(*key),
            region: Some(region(&self.cfg.countries)),
            ..TemplateParams::default()
        }
    }

    /// Creates `name`'s signing key and certificate of `kind`, issued by `issuer`
    /// (self-signed when `None`), with an encryption key when `encryption` is set.
    fn component(
        &mut self,
        name: &str,
        kind: CertKind,
        issuer: Option<(&Certificate, &dyn Signer)>,
        encryption: bool,
        la_id: Option<u16>,
    ) -> Result<(Certificate, KeyPair), CeremonyError> {
        let key = self.keys.create_signing_key(name)?;
        let craca = issuer.map(|(c, _)| root_id3(c)).unwrap_or([0; 3]);
        let mut p = self.params(name, key.public_key(), craca);
        if kind == CertKind::Elector {
            p.name = Some(format!("{name}.{}", self.cfg.domain));
        }
        if encryption {
            let enc = self.keys.create_signing_key(&format!("{name}-enc"))?;
            p.encryption_key = Some(*enc.public_key());
        }
        p.la_id = la_id;
        let kname = kind.name();
        let tbs = template(kind, &p).map_err(|source| CeremonyError::Profile {
            kind: kname,
            source,
        })?;
        let cert = match issuer {
            None => issue_explicit_checked(&key, None, kind, tbs),
            Some((ic, is)) => issue_explicit_checked(is, Some(ic), kind, tbs),
        }
        .map_err(|source| CeremonyError::Issue {
            kind: kname,
            source,
        })?;
        write_new(&self.layout.cert(name), &cert.to_coer())?;
        self.certificates.push(name.to_string());
        Ok((cert, key))
    }
}

/// Runs the ceremony into `layout.root()`, which must not exist or be empty.
pub fn init(
    layout: &Layout,
    cfg: &Config,
    passphrase: Option<Passphrase>,
) -> Result<InitReport, CeremonyError> {
    let dir = layout.root();
    if dir.exists() && fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(CeremonyError::NotEmpty(dir.display().to_string()));
    }
    if cfg.quorum == 0 || cfg.quorum > cfg.electors {
        return Err(CeremonyError::Config(format!(
            "quorum {} must be between 1 and the number of electors ({})",
            cfg.quorum, cfg.electors
        )));
    }
    fs::create_dir_all(dir).map_err(io(dir))?;
    // Certificates start at the beginning of the current i-period, so that the pseudonym
    // certificates of this week (which start at the i-period start) fit inside the PCA's.
    let start = cfg.start.unwrap_or_else(|| {
        let now = SystemClock.now();
        i_period(now).and_then(i_period_start).unwrap_or(now)
    });
    let mut cfg = cfg.clone();
    cfg.start = Some(start);
    let (la1_id, la2_id) = la_ids(&cfg)?;
    cfg.la1_id = Some(la1_id);
    cfg.la2_id = Some(la2_id);
    let mut c = Ceremony {
        cfg: &cfg,
        layout,
        keys: Keystore::open(&layout.keys(), passphrase)?,
        start,
        certificates: Vec::new(),
    };

    // Electors and the Root CA, endorsed by an Add-Root ballot.
    let mut electors = Vec::new();
    for k in 1..=cfg.electors {
        electors.push(c.component(
            &format!("elector-{k}"),
            CertKind::Elector,
            None,
            false,
            None,
        )?);
    }
    let (root, root_key) = c.component("root", CertKind::Root, None, false, None)?;
    let now64 = time64_from_time32(start);
    let tbs = TbsElectorEndorsement {
        r#type: EndorsementType::AddRoot,
        certificate: root.clone(),
        effective_time: Some(now64),
    };
    let mut votes = Vec::new();
    for (cert, key) in &electors {
        votes.push(
            ballot::endorse(key, cert, &tbs, now64)
                .map_err(|e| CeremonyError::Ballot(e.to_string()))?,
        );
    }
    let add_root = ballot::ballot(votes);
    let be = default_backend();
    let mut trust = TrustStore::new(
        electors.iter().map(|(c, _)| c.clone()).collect(),
        usize::from(cfg.quorum),
    )
    .map_err(|e| CeremonyError::Ballot(e.to_string()))?;
    trust
        .apply_ballot(be, &add_root, start)
        .map_err(|e| CeremonyError::Ballot(e.to_string()))?;

    // The hierarchy: Root issues ICA, MA, CRLG, PG; ICA issues ECA, PCA, RA, LAs, DCM.
    let r = Some((&root, &root_key as &dyn Signer));
    let (ica, ica_key) = c.component("ica", CertKind::Ica, r, false, None)?;
    let (ma, _) = c.component("ma", CertKind::Ma, r, true, None)?;
    let (crlg, crlg_key) = c.component("crlg", CertKind::Crlg, r, false, None)?;
    let (pg, pg_key) = c.component("pg", CertKind::Pg, r, false, None)?;
    let i = Some((&ica, &ica_key as &dyn Signer));
    let (eca, _) = c.component("eca", CertKind::Eca, i, true, None)?;
    let (pca, _) = c.component("pca", CertKind::Pca, i, true, None)?;
    let (ra, _) = c.component("ra", CertKind::Ra, i, true, None)?;
    let (la1, _) = c.component("la1", CertKind::La, i, false, Some(la1_id))?;
    let (la2, _) = c.component("la2", CertKind::La, i, false, Some(la2_id))?;
    let (dcm, _) = c.component("dcm", CertKind::Dcm, i, true, None)?;

    // LA–PCA shared keys (AES-128) for pre-linkage value encryption.
    for la in ["la1", "la2"] {
        let k = Secret::<16>::random().map_err(scms_core::CoreError::from)?;
        c.keys.store_secret(&format!("{la}-pca"), k.expose())?;
    }

    // TLS: one root and a server/client certificate per service.
    let tls = TlsRoot::generate()?;
    tls.write(&layout.tls())?;
    let mut tls_certs = std::collections::BTreeMap::new();
    for s in TLS_SERVICES {
        let id = tls.issue(&cfg.fqdn(s))?;
        id.write(&layout.tls(), s)?;
        tls_certs.insert(s, id.cert_der().to_vec());
    }
    for s in TLS_CLIENTS {
        tls.issue(&cfg.fqdn(s))?.write(&layout.tls(), s)?;
    }

    // Policy files, signed by the PG.
    let gpf = scms_pg::global_policy_file(&pg_key, &pg, &cfg.global_policy, now64)?;
    let mut local = cfg.local_policy.clone();
    local.la1_host = cfg.fqdn("la1");
    local.la2_host = cfg.fqdn("la2");
    local.pca_host = cfg.fqdn("pca");
    local.ra_tls_cert = tls_certs.get("ra").cloned().unwrap_or_default();
    local.la_tls_cert = tls_certs.get("la1").cloned().unwrap_or_default();
    local.pca_tls_cert = tls_certs.get("pca").cloned().unwrap_or_default();
    let lpf = scms_pg::local_policy_file(&pg_key, &pg, &gpf, &local, now64)?;

    // Certificate chain files: the Add-Root ballot and every component chain.
    let store = CertificateStore {
        root_ca_endorsements: vec![add_root.clone()],
        elector_endorsements: Vec::<ElectorBallot>::new(),
        ma_certificate: ma.clone(),
        certs: vec![
            root.clone(),
            ica,
            crlg.clone(),
            pg,
            eca,
            pca,
            ra.clone(),
            la1,
            la2,
            dcm,
        ],
    };
    let gccf_id = cfg.global_policy.global_cert_chain_file_id;
    let gccf = ScmsFile {
        version: 1,
        content: ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(
            GlobalCertificateChainFile {
                version: gccf_id,
                cert_store: store.clone(),
            },
        )),
    };
    let lccf = ScmsFile {
        version: 1,
        content: ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(
            LocalCertificateChainFile {
                version: CompositeVersion {
                    gccf_version: gccf_id,
                    lccf_version: 1,
                    ra_hostname: Hostname::new(cfg.fqdn("ra"))
                        .map_err(|_| CeremonyError::Config("RA hostname too long".into()))?,
                },
                required_cert_store: store,
                optional_cert_list: vec![],
            },
        )),
    };

    // The first composite CRL: empty CRLs of every series, signed by the CRLG.
    let next_crl = start.saturating_add(7 * 24 * 3600);
    let crl = scms_crl::initial(
        &crlg_key,
        &crlg,
        certificate_id8(&root),
        start,
        next_crl,
        i_period(start).unwrap_or(0) as u16,
    )?;

    let files: Vec<(&str, Vec<u8>)> = vec![
        ("GCCF.oer", gccf.to_coer()),
        ("LCCF.oer", lccf.to_coer()),
        ("GPF.oer", gpf.to_coer()),
        ("LPF.oer", lpf.to_coer()),
        ("CRL.oer", crl.to_coer()),
        ("add-root-ballot.oer", add_root.to_coer()),
    ];
    for (name, bytes) in &files {
        write_new(&layout.file(name), bytes)?;
    }
    for state in ["eca", "dcm", "ra", "pca", "la1", "la2", "ma", "crlg", "pg"] {
        fs::create_dir_all(layout.state(state)).map_err(io(&layout.state(state)))?;
    }
    let toml = cfg.to_toml().map_err(CeremonyError::Config)?;
    write_new(&layout.config(), toml.as_bytes())?;
    Ok(InitReport {
        certificates: c.certificates,
        config: cfg.clone(),
        start,
        la_ids: (la1_id, la2_id),
        files: files.iter().map(|(n, _)| n.to_string()).collect(),
    })
}

fn la_ids(cfg: &Config) -> Result<(u16, u16), CeremonyError> {
    let random = || -> Result<u16, CeremonyError> {
        let s = Secret::<2>::random().map_err(scms_core::CoreError::from)?;
        Ok(u16::from_be_bytes(*s.expose()))
    };
    let a = match cfg.la1_id {
        Some(a) => a,
        None => random()?,
    };
    let mut b = match cfg.la2_id {
        Some(b) => b,
        None => random()?,
    };
    if a == b {
        if cfg.la2_id.is_some() {
            return Err(CeremonyError::Config(
                "la1_id and la2_id must differ".into(),
            ));
        }
        b = a.wrapping_add(1);
    }
    Ok((a, b))
}

/// Convenience for callers holding Unix time (tests): the Time32 of a Unix second.
pub fn time32(unix: u64) -> u32 {
    time32_from_unix(unix)
}
