//! The Registration Authority (RA) of the SCMS as a transport-agnostic library.
//!
//! EE-facing operations (seed "Services Summary for EE-RA Communications"):
//! [`Ra::provision_pseudonym`], [`Ra::provision_identity`], [`Ra::provision_application`],
//! [`Ra::retrieve_ra_certificate`], [`Ra::download`], [`Ra::local_policy`],
//! [`Ra::local_certificate_chain`]. Each takes the request bytes (and header values) and
//! returns the response bytes or an [`RaError`] whose [`RaErrorCode`] is the seed's name.
//!
//! Back-end work (seed Step 3.2 / 3.4, Use Cases 13 and 19) runs in [`Ra::step`]: PLV
//! chains from LA1/LA2 ([`LaClient`]), butterfly expansion, individual RA-signed requests
//! to the PCA ([`PcaClient`]) pooled and shuffled across devices, the PCA's
//! `SignedEncryptedCertificateResponse`s stored untouched and packaged into the download
//! files. Everything is persisted in [`scms_store::ra`] before it is acted on, so a
//! restarted RA resumes where it stopped and a re-sent request is byte-identical (the
//! PCA's idempotency key). See `docs/provisioning-ra.md` for the conventions.

#![forbid(unsafe_code)]

mod ee;
mod error;
mod files;
mod ma;
mod messages;
mod pipeline;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use scms_asn1::camp::component_cert_management::ElectorBallot;
use scms_asn1::ieee1609dot2::{Certificate, HashedId8, IssuerIdentifier};
use scms_asn1::Coer;
use scms_core::hash::certificate_id8;
use scms_core::pdu::Peer;
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::duration_seconds;
use scms_core::trust::TrustStore;
use scms_crypto::{fast_backend, CurveBackend, OpenSslBackend, PrivateKey};
use scms_store::keystore::{Keystore, Passphrase};
use scms_store::ra::{RaStore, SqliteRaStore};

pub use error::{RaError, RaErrorCode};
pub use files::{DownloadKind, FileBytes, Served};
pub use ma::{ForwardReport, MaClient, MAX_REPORT};
pub use pipeline::StepReport;

/// Which Linkage Authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LaIndex {
    /// LA1.
    La1,
    /// LA2.
    La2,
}

impl LaIndex {
    /// `la1` / `la2` (component and keystore name).
    pub fn name(self) -> &'static str {
        match self {
            LaIndex::La1 => "la1",
            LaIndex::La2 => "la2",
        }
    }
}

/// The RA's link to the two Linkage Authorities.
pub trait LaClient: Send + Sync {
    /// Sends one COER `SignedRaLaIndividualPreLinkageValueRequest` to LA `which` and
    /// returns its COER `SignedLaRaPreLinkageValueResponse`.
    fn pre_linkage_values(&self, which: LaIndex, request: Vec<u8>) -> Result<Vec<u8>, RaError>;
}

/// The RA's link to its PCA.
pub trait PcaClient: Send + Sync {
    /// Sends one COER `SecuredRaPcaCertificateRequest` and returns the COER
    /// `SecuredPcaRaCertificateRequestReply`. The PCA must be idempotent on the request
    /// bytes: the RA re-sends the identical bytes after a crash.
    fn certify(&self, request: Vec<u8>) -> Result<Vec<u8>, RaError>;

    /// Sends several requests (as [`PcaClient::certify`] each) and returns their replies
    /// in order. The list may be shorter than `requests`: the ones left out were not
    /// answered (the default sends one after the other and stops at the first failure;
    /// a link that can hand the PCA a whole batch overrides it).
    fn certify_all(&self, requests: &[&[u8]]) -> Vec<Result<Vec<u8>, RaError>> {
        let mut out = Vec::with_capacity(requests.len());
        for r in requests {
            let reply = self.certify(r.to_vec());
            let failed = reply.is_err();
            out.push(reply);
            if failed {
                break;
            }
        }
        out
    }
}

/// Options of [`Ra::open`]; `None` takes the value of `scms.toml`.
#[derive(Default)]
pub struct RaOptions {
    /// Passphrase of the keystore, if it is encrypted.
    pub passphrase: Option<Passphrase>,
    /// Pseudonym supply in i-periods (default `max_available_cert_supply`, 3 years = 156).
    pub supply_weeks: Option<u32>,
    /// Skip the shuffle wait (seed: "initial shuffling may be relaxed").
    pub initial_provisioning_bypass: bool,
    /// `shuffle_threshold` (default: the local policy's).
    pub shuffle_threshold: Option<u32>,
    /// `max_cert_request_age` in seconds (default: the global policy's).
    pub max_cert_request_age: Option<u32>,
    /// `ra.client-signature-ttl-sec` (default 5).
    pub client_signature_ttl: Option<u32>,
    /// Requests per device per hour (default 10, SCMS-523).
    pub max_requests_per_hour: Option<u32>,
    /// Identification certificates kept ahead, in local periods (default 3).
    pub identity_supply_periods: Option<u32>,
    /// `certDLURL` of the acks (default: the RA's FQDN).
    pub cert_dl_url: Option<String>,
    /// Misbehavior reports pooled before they are shuffled and forwarded (default 10,000).
    pub report_threshold: Option<u32>,
    /// Age (seconds) at which pooled reports are forwarded anyway (default 1 day).
    pub report_max_age: Option<u32>,
}

impl std::fmt::Debug for RaOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RaOptions")
            .field("supply_weeks", &self.supply_weeks)
            .field(
                "initial_provisioning_bypass",
                &self.initial_provisioning_bypass,
            )
            .finish_non_exhaustive()
    }
}

/// The settings in force (configuration resolved with the options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaSettings {
    /// The RA's FQDN (`raId`).
    pub ra_host: String,
    /// The PCA's FQDN (`pca-id`).
    pub pca_host: String,
    /// LA1's FQDN.
    pub la1_host: String,
    /// LA2's FQDN.
    pub la2_host: String,
    /// LA ids (16 bit).
    pub la_ids: (u16, u16),
    /// `certs_per_i_period` (j_max).
    pub certs_per_i_period: u8,
    /// Pseudonym supply, in i-periods.
    pub supply_weeks: u32,
    /// `shuffle_threshold`.
    pub shuffle_threshold: u32,
    /// `max_cert_request_age`, seconds.
    pub max_cert_request_age: u32,
    /// Whether the shuffle wait is skipped.
    pub initial_provisioning_bypass: bool,
    /// Allowed |signed time − now|, seconds.
    pub client_signature_ttl: u32,
    /// Requests per device per hour.
    pub max_requests_per_hour: u32,
    /// Identification certificates kept ahead, in local periods.
    pub identity_supply_periods: u32,
    /// Identification local period (duration minus overlap), seconds.
    pub identity_period: u32,
    /// Identification certificate duration, hours.
    pub identity_duration_hours: u16,
    /// Application certificate validity, hours (`rse_application_cert_validity`).
    pub application_validity_hours: u16,
    /// Tolerated overlap of application certificates, seconds.
    pub application_overlap: u32,
    /// `certDLURL`.
    pub cert_dl_url: String,
    /// Misbehavior reports pooled before forwarding.
    pub report_threshold: u32,
    /// Age (seconds) at which pooled reports are forwarded anyway.
    pub report_max_age: u32,
}

/// The Registration Authority.
pub struct Ra {
    dir: PathBuf,
    settings: RaSettings,
    cert: Certificate,
    signer: Box<dyn Signer>,
    enc_key: PrivateKey,
    trust: TrustStore,
    intermediates: Vec<Certificate>,
    eca_ids: Vec<HashedId8>,
    pca_peer: Peer,
    la_peers: (Peer, Peer),
    ma: Option<Peer>,
    store: Arc<dyn RaStore>,
    la: Arc<dyn LaClient>,
    pca: Arc<dyn PcaClient>,
    backend: OpenSslBackend,
    step_lock: Mutex<()>,
}

impl std::fmt::Debug for Ra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ra")
            .field("dir", &self.dir)
            .field("cert", &hex::encode(certificate_id8(&self.cert)))
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn setup(what: impl std::fmt::Display) -> RaError {
    RaError::Setup(what.to_string())
}

fn read_cert(path: &Path) -> Result<Certificate, RaError> {
    let b = std::fs::read(path).map_err(|e| setup(format!("{}: {e}", path.display())))?;
    Certificate::from_coer(&b).map_err(|e| setup(format!("{}: {e}", path.display())))
}

fn secs(d: &scms_asn1::ieee1609dot2::Duration) -> u32 {
    u32::try_from(duration_seconds(d)).unwrap_or(u32::MAX)
}

impl Ra {
    /// Opens the RA of an `scms init` directory: `scms.toml`, the keys `ra` and `ra-enc`,
    /// `certs/*.oer` (the RA, PCA, LA and ECA certificates, electors and intermediates),
    /// the trust store (electors + the Root CA by the Add-Root ballot in
    /// `files/add-root-ballot.oer`, else by ceremony), and the database
    /// `ra/ra.sqlite` (created if absent).
    pub fn open(
        dir: &Path,
        options: RaOptions,
        la: Arc<dyn LaClient>,
        pca: Arc<dyn PcaClient>,
    ) -> Result<Ra, RaError> {
        let layout = scms_ca::Layout::new(dir);
        let text = std::fs::read_to_string(layout.config())
            .map_err(|e| setup(format!("{}: {e}", layout.config().display())))?;
        let cfg = scms_ca::Config::from_toml(&text).map_err(setup)?;
        let gp = &cfg.global_policy;
        let lp = &cfg.local_policy;
        let week = 604_800u32;
        let (la1_id, la2_id) = match (cfg.la1_id, cfg.la2_id) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(setup("scms.toml has no LA ids")),
        };
        let app_validity = secs(&gp.rse_application_cert_validity.0);
        let settings = RaSettings {
            ra_host: cfg.fqdn("ra"),
            pca_host: cfg.fqdn("pca"),
            la1_host: cfg.fqdn("la1"),
            la2_host: cfg.fqdn("la2"),
            la_ids: (la1_id, la2_id),
            certs_per_i_period: lp.certs_per_i_period.max(1),
            supply_weeks: options
                .supply_weeks
                .unwrap_or_else(|| secs(&gp.max_available_cert_supply.0) / week)
                .max(1),
            shuffle_threshold: options.shuffle_threshold.unwrap_or(lp.shuffle_threshold),
            max_cert_request_age: options
                .max_cert_request_age
                .unwrap_or_else(|| secs(&gp.max_cert_request_age.0)),
            initial_provisioning_bypass: options.initial_provisioning_bypass,
            client_signature_ttl: options.client_signature_ttl.unwrap_or(5),
            max_requests_per_hour: options.max_requests_per_hour.unwrap_or(10),
            identity_supply_periods: options.identity_supply_periods.unwrap_or(3).max(1),
            identity_period: 720 * 3600,
            identity_duration_hours: 721,
            application_validity_hours: u16::try_from(app_validity.div_ceil(3600)).unwrap_or(169),
            application_overlap: secs(&gp.rse_application_cert_overlap.0),
            cert_dl_url: options.cert_dl_url.unwrap_or_else(|| cfg.fqdn("ra")),
            report_threshold: options.report_threshold.unwrap_or(10_000).max(1),
            report_max_age: options.report_max_age.unwrap_or(86_400),
        };

        let keys = Keystore::open(&layout.keys(), options.passphrase).map_err(setup)?;
        // Signs every PCA request: on the fast backend.
        let signer: Box<dyn Signer> = Box::new(
            KeyPair::with_backend(
                keys.load_key_pair("ra").map_err(setup)?.private().clone(),
                fast_backend(),
            )
            .map_err(setup)?,
        );
        let enc_key = keys
            .load_key_pair("ra-enc")
            .map_err(setup)?
            .private()
            .clone();
        let cert = read_cert(&layout.cert("ra"))?;
        let pca_cert = read_cert(&layout.cert("pca"))?;
        let la_certs = (
            read_cert(&layout.cert("la1"))?,
            read_cert(&layout.cert("la2"))?,
        );
        let eca = read_cert(&layout.cert("eca"))?;
        let ma_path = layout.cert("ma");
        let ma_cert = if ma_path.exists() {
            Some(read_cert(&ma_path)?)
        } else {
            None
        };

        // Every certificate in certs/: electors for the trust store, CAs as intermediates.
        let mut electors = Vec::new();
        let mut intermediates = Vec::new();
        let mut root = None;
        let entries = std::fs::read_dir(layout.certs()).map_err(setup)?;
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_none_or(|e| e != "oer") {
                continue;
            }
            let c = read_cert(&p)?;
            let name = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if name.starts_with("elector") {
                electors.push(c);
            } else if matches!(c.issuer, IssuerIdentifier::SelfSigned(_)) {
                root = Some(c);
            } else {
                intermediates.push(c);
            }
        }
        let backend = OpenSslBackend::new().map_err(setup)?;
        // The peers' keys, read once (every reply of theirs is verified with them).
        let peer = |c: Certificate, name: &str| {
            Peer::new(&backend, c).map_err(|e| setup(format!("certs/{name}.oer: {e}")))
        };
        let pca_peer = peer(pca_cert, "pca")?;
        let la_peers = (peer(la_certs.0, "la1")?, peer(la_certs.1, "la2")?);
        let ma = ma_cert
            .map(|c| Peer::new(&backend, c))
            .transpose()
            .map_err(|e| setup(format!("{}: {e}", ma_path.display())))?;
        let mut trust = TrustStore::new(electors, usize::from(cfg.quorum)).map_err(setup)?;
        let ballot_path = layout.file("add-root-ballot.oer");
        let by_ballot = std::fs::read(&ballot_path)
            .ok()
            .and_then(|b| ElectorBallot::from_coer(&b).ok())
            .map(|b| {
                trust
                    .apply_ballot(&backend, &b, cfg.start.unwrap_or(0))
                    .is_ok()
            })
            .unwrap_or(false);
        if !by_ballot || trust.roots().is_empty() {
            let root = root.ok_or_else(|| setup("no Root CA certificate in certs/"))?;
            trust.add_root_by_ceremony(&backend, root).map_err(setup)?;
        }
        let store = SqliteRaStore::open(&layout.state("ra").join("ra.sqlite"))?;
        tracing::info!(ra = %settings.ra_host, supply_weeks = settings.supply_weeks, "RA opened");
        Ok(Ra {
            dir: dir.to_path_buf(),
            settings,
            cert,
            signer,
            enc_key,
            trust,
            intermediates,
            eca_ids: vec![certificate_id8(&eca)],
            pca_peer,
            la_peers,
            ma,
            store: Arc::new(store),
            la,
            pca,
            backend,
            step_lock: Mutex::new(()),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &RaSettings {
        &self.settings
    }

    /// The RA's 1609.2 certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The persistence (read access for operators and tests).
    pub fn store(&self) -> &dyn RaStore {
        self.store.as_ref()
    }

    /// Blacklists a device by the HashedId8 of its enrollment certificate (MA order,
    /// SCMS-509): its requests and downloads are refused and generation stops.
    pub fn blacklist(&self, enrollment_id: HashedId8, now: u32) -> Result<(), RaError> {
        tracing::warn!(device = %hex::encode(enrollment_id), "blacklisted");
        Ok(self.store.blacklist(&enrollment_id, now)?)
    }

    fn backend(&self) -> &dyn CurveBackend {
        &self.backend
    }

    fn files_dir(&self) -> PathBuf {
        scms_ca::Layout::new(&self.dir).files()
    }
}
