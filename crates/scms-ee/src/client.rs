//! The device's conversation with the RA (seed 004 §"End-Entity (EE) to Request
//! Authority (RA) Communications", Steps 3.1, 3.3, 3.5, 13.1/13.3, 19.1/19.3/19.5).
//!
//! [`RaTransport`] is the HTTP layer (the RA's paths of SEED-DIGEST §4; [`HttpsTransport`]
//! is HTTPS with the bootstrapped TLS root; tests plug the RA library in directly).
//! [`Client`] runs the EE flow:
//!
//! - every connection first fetches the LPF and the LCCF (`If-None-Match` with the name
//!   of the stored version; `304` keeps it); the LCCF's ballots are applied to the trust
//!   store ([`crate::trust_state`]);
//! - nothing is sent to the RA once the enrollment certificate or its chain is revoked
//!   (SCMS-1189); the certificate store's [`crate::certstore::Guard`] keeps the device from
//!   signing with revoked certificates; [`Client::install_crl`] installs a new CRL;
//! - [`Client::request`]: keys and record persisted first ([`crate::provision`]), then the
//!   `POST`; without an answer the EE retries after [`Policy::retry_delay`] (10 s,
//!   SCMS-522) with a fresh `current-time`, never more than [`Policy::max_per_hour`]
//!   requests per hour (10, SCMS-523); the delay is injectable;
//! - [`Client::download`]: for each request, wait until `certDLTime` / the `.info` time
//!   unless no certificate is stored for the current or next period (SCMS-1164), download
//!   the batches of current and future periods not yet stored (SCMS-1167/1168), up to
//!   [`Policy::supply_periods`], resuming interrupted downloads with `Range`
//!   (`D/downloads/<name>.part`), and fetch `.info` after each download (SCMS-1214).

use std::path::PathBuf;
use std::sync::Arc;

use scms_asn1::ieee1609dot2::Time32;
use scms_core::time::{i_period, Clock};
use scms_crypto::butterfly::{expand_private, KeyKind};
use serde::{Deserialize, Serialize};

use crate::certstore::{CertStore, Guard, Stored};
use crate::crl::VerifiedCrl;
use crate::download::{
    application_name, batch_name, download_req, identity_member, identity_name, info_name,
    parse_info, single_member, Expect, Opener, PATH_APPLICATION, PATH_BATCH, PATH_IDENTITY,
    PATH_INFO, PATH_LCCF, PATH_LPF,
};
use crate::provision::{
    accept_ack, new_request, read_file, records, retry_request, save_record, write_file, Device,
    EeErrorCode, ProvisionError, RequestKeys, RequestKind, RequestRecord,
};

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a transport call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server answered with this status (POST only).
    #[error("HTTP {0}")]
    Status(u16),
    /// No answer in time (retry after the delay).
    #[error("no response in time")]
    Timeout,
    /// Connection or TLS failure.
    #[error("connection: {0}")]
    Connection(String),
    /// The body was cut off after `partial` bytes (resume with `Range`).
    #[error("download interrupted after {} bytes", partial.len())]
    Interrupted {
        /// What was received (status 200 or 206 for the range asked).
        partial: Vec<u8>,
        /// The status of the interrupted response.
        status: u16,
    },
}

/// The HTTP layer to the RA (through the LOP).
pub trait RaTransport: Send + Sync {
    /// `POST path` with an `application/octet-stream` body; the response body on 2xx.
    fn post(&self, path: &str, body: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// `GET path` with `headers`; any HTTP status is a response.
    fn get(&self, path: &str, headers: &[(String, String)]) -> Result<Response, TransportError>;
}

/// The EE timing rules and supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Seconds to wait before retrying an unanswered request (SCMS-522: 10).
    pub retry_delay: u32,
    /// Requests per 60 minutes (SCMS-523: 10).
    pub max_per_hour: u32,
    /// Attempts of one request before giving up for now.
    pub max_attempts: u32,
    /// Pseudonym i-periods kept ahead (`max_available_cert_supply`: 3 years = 156).
    pub supply_periods: u32,
    /// Identification local period, seconds (the RA's: 720 h).
    pub identity_period: u32,
    /// Identification periods kept ahead.
    pub identity_supply: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            retry_delay: 10,
            max_per_hour: 10,
            max_attempts: 3,
            supply_periods: 156,
            identity_period: 720 * 3600,
            identity_supply: 3,
        }
    }
}

/// `D/trust/versions.toml`: names of the stored LPF and LCCF versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Versions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lpf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lccf: Option<String>,
}

/// What a download pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadReport {
    /// Files downloaded and stored.
    pub files: Vec<String>,
    /// Certificates stored.
    pub certificates: usize,
    /// Requests skipped because their time has not come (request id, time).
    pub waiting: Vec<(String, Time32)>,
    /// Files not available yet (`raCertFileUnavailable`).
    pub unavailable: Vec<String>,
}

/// A sleep function (seconds); tests inject one that advances a manual clock.
pub type Sleeper = Box<dyn Fn(u32) + Send + Sync>;

/// The EE provisioning client.
pub struct Client<T: RaTransport> {
    /// The device.
    pub device: Device,
    /// Its certificate store.
    pub store: CertStore,
    transport: T,
    clock: Arc<dyn Clock>,
    sleep: Sleeper,
    /// The timing rules.
    pub policy: Policy,
    sent: Vec<Time32>,
}

impl<T: RaTransport> std::fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("device", &self.device)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn http(status: u16, what: &str) -> ProvisionError {
    ProvisionError::Http {
        status,
        what: what.to_owned(),
    }
}

impl<T: RaTransport> Client<T> {
    /// A client of `device` over `transport`, with `clock` and a real sleep.
    pub fn new(
        device: Device,
        transport: T,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ProvisionError> {
        let mut store = CertStore::open(&device.dir, &device.keys)?;
        store.set_guard(guard_of(&device, clock.now()));
        Ok(Client {
            device,
            store,
            transport,
            clock,
            sleep: Box::new(|s| std::thread::sleep(std::time::Duration::from_secs(u64::from(s)))),
            policy: Policy::default(),
            sent: Vec::new(),
        })
    }

    /// Replaces the sleep function.
    pub fn with_sleeper(mut self, sleep: Sleeper) -> Self {
        self.sleep = sleep;
        self
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    fn now(&self) -> Time32 {
        self.clock.now()
    }

    fn versions_path(&self) -> PathBuf {
        self.device.dir.trust_dir().join("versions.toml")
    }

    fn versions(&self) -> Versions {
        read_file(&self.versions_path(), 4096)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Downloads the LCCF and the LPF if the RA has newer ones (SCMS-709/1353); each
    /// is verified before it replaces the stored one.
    pub fn refresh_trust(&mut self) -> Result<(), ProvisionError> {
        let mut v = self.versions();
        // The LCCF first: it verifies on its own (ballots against the electors), and the
        // LPF's signer may chain through certificates only the new LCCF carries (a Policy
        // Generator re-certified under a new root).
        for (path, file, current, code) in [
            (
                PATH_LCCF,
                "LCCF.oer",
                v.lccf.clone(),
                EeErrorCode::EePolicyFileDownloadFailed,
            ),
            (
                PATH_LPF,
                "LPF.oer",
                v.lpf.clone(),
                EeErrorCode::EePolicyFileDownloadFailed,
            ),
        ] {
            let headers: Vec<(String, String)> = current
                .iter()
                .map(|n| ("If-None-Match".to_owned(), format!("\"{n}\"")))
                .collect();
            let r = self
                .transport
                .get(path, &headers)
                .map_err(|e| ProvisionError::Transport(e.to_string()))?;
            match r.status {
                304 => continue,
                200 => {}
                s => return Err(ProvisionError::check(code, format!("{path}: HTTP {s}"))),
            }
            let name = r.header("etag").map(|e| {
                e.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .to_owned()
            });
            if file == "LCCF.oer" {
                // Check it (and apply its ballots) before replacing the stored one.
                self.device.set_lccf(&r.body, self.clock.now())?;
                let (trust, certs) = (self.device.trust.clone(), self.device.intermediates.clone());
                self.store.with_guard(|g| g.set_trust(trust, certs));
            } else {
                self.device.check_lpf(&r.body, self.clock.now())?;
            }
            write_file(&self.device.dir.trust_dir().join(file), &r.body)?;
            if file == "LPF.oer" {
                v.lpf = name;
            } else {
                v.lccf = name;
            }
            tracing::info!(file, "trust file updated");
            let text = toml::to_string(&v).unwrap_or_default();
            write_file(&self.versions_path(), text.as_bytes())?;
        }
        Ok(())
    }

    /// Installs a downloaded composite CRL ([`crate::provision::Device::install_crl`]) and
    /// gives the certificate store's guard the new trust store and revocations. The guard
    /// is renewed also when the CRL is refused: its ballots were applied all the same
    /// (e.g. a `removeRoot` of the root the CRL Generator chains to).
    pub fn install_crl(&mut self, bytes: &[u8]) -> Result<VerifiedCrl, ProvisionError> {
        let v = self.device.install_crl(bytes, self.now());
        self.store.set_guard(guard_of(&self.device, self.now()));
        v
    }

    /// Refuses once the enrollment certificate or its chain is revoked (SCMS-1189).
    fn may_talk(&self) -> Result<(), ProvisionError> {
        let now = self.now();
        self.store
            .with_guard(|g| g.check_device(now))
            .unwrap_or_else(|| self.device.check_enrollment(now))
    }

    fn rate_check(&mut self) -> Result<(), ProvisionError> {
        let now = self.now();
        self.sent.retain(|t| now.saturating_sub(*t) < 3600);
        if self.sent.len() as u32 >= self.policy.max_per_hour {
            return Err(ProvisionError::RateLimited(self.policy.max_per_hour));
        }
        self.sent.push(now);
        Ok(())
    }

    /// Requests certificates of `kind` starting at `start` (default now): LPF/LCCF first,
    /// then the request with the seed's retry rules. Returns the acknowledged record.
    pub fn request(
        &mut self,
        kind: RequestKind,
        start: Option<Time32>,
    ) -> Result<RequestRecord, ProvisionError> {
        self.refresh_trust()?;
        self.may_talk()?;
        let now = self.now();
        let (mut rec, mut attempt) = new_request(&self.device, kind, now, start.unwrap_or(now))?;
        let mut tries = 0u32;
        loop {
            self.rate_check()?;
            tries += 1;
            match self.transport.post(attempt.path(), &attempt.body) {
                Ok(ack) => {
                    accept_ack(&self.device, &mut rec, &ack)?;
                    tracing::info!(request = %rec.id, kind = kind.as_str(), "request acknowledged");
                    return Ok(rec);
                }
                Err(TransportError::Status(s)) => return Err(http(s, attempt.path())),
                Err(e) if tries < self.policy.max_attempts => {
                    tracing::warn!(error = %e, "no answer from the RA; retrying");
                    (self.sleep)(self.policy.retry_delay);
                    attempt = retry_request(&self.device, &mut rec, self.now())?;
                }
                Err(e) => return Err(ProvisionError::Transport(e.to_string())),
            }
        }
    }

    fn part_path(&self, name: &str) -> PathBuf {
        self.device
            .dir
            .path()
            .join("downloads")
            .join(format!("{name}.part"))
    }

    /// Authenticated download of `name` from `path`, resuming a partial download.
    /// `Ok(None)`: not available (HTTP 500 / 404).
    pub fn fetch(&mut self, path: &str, name: &str) -> Result<Option<Vec<u8>>, ProvisionError> {
        self.may_talk()?;
        let part = self.part_path(name);
        let mut tries = 0u32;
        loop {
            tries += 1;
            let have = read_file(&part, crate::download::MAX_ZIP).unwrap_or_default();
            let mut headers = vec![(
                "Download-Req".to_owned(),
                download_req(&self.device, name, self.now())?,
            )];
            if !have.is_empty() {
                headers.push(("Range".to_owned(), format!("bytes={}-", have.len())));
            }
            let (status, body, complete) = match self.transport.get(path, &headers) {
                Ok(r) => (r.status, r.body, true),
                Err(TransportError::Interrupted { partial, status }) => (status, partial, false),
                Err(e) if tries < self.policy.max_attempts => {
                    tracing::warn!(error = %e, file = name, "download failed; retrying");
                    (self.sleep)(self.policy.retry_delay);
                    continue;
                }
                Err(e) => return Err(ProvisionError::Transport(e.to_string())),
            };
            let data = match status {
                200 => body,
                206 => [have, body].concat(),
                416 => have,
                500 | 404 => {
                    let _ = std::fs::remove_file(&part);
                    return Ok(None);
                }
                s => return Err(http(s, name)),
            };
            if complete {
                let _ = std::fs::remove_file(&part);
                return Ok(Some(data));
            }
            write_file(&part, &data)?;
            if tries >= self.policy.max_attempts {
                return Err(ProvisionError::check(
                    EeErrorCode::EeCertFileDownloadFailed,
                    format!("{name}: interrupted"),
                ));
            }
            (self.sleep)(self.policy.retry_delay);
        }
    }

    fn fetch_info(&mut self, rec: &mut RequestRecord, hash: &str) -> Result<(), ProvisionError> {
        if let Some(b) = self.fetch(PATH_INFO, &info_name(hash))? {
            rec.info_time = Some(parse_info(&b)?);
            save_record(&self.device, rec)?;
        }
        Ok(())
    }

    /// The hash naming `rec`'s files: the acknowledged one, else the attempt whose
    /// `.info` exists (an acknowledgement lost in transit).
    fn resolve_hash(&mut self, rec: &mut RequestRecord) -> Result<Option<String>, ProvisionError> {
        if let Some(h) = &rec.accepted {
            return Ok(Some(h.clone()));
        }
        if rec.kind == RequestKind::Application {
            return Ok(rec.attempts.last().cloned());
        }
        for h in rec.attempts.clone().iter().rev() {
            if let Some(b) = self.fetch(PATH_INFO, &info_name(h))? {
                rec.accepted = Some(h.clone());
                rec.info_time = Some(parse_info(&b)?);
                save_record(&self.device, rec)?;
                return Ok(Some(h.clone()));
            }
        }
        Ok(None)
    }

    /// One download pass over every request (Steps 3.3/3.5, 13.3, 19.3/19.5).
    pub fn download(&mut self) -> Result<DownloadReport, ProvisionError> {
        self.refresh_trust()?;
        let mut rep = DownloadReport::default();
        for mut rec in records(&self.device)? {
            if rec.done {
                continue;
            }
            let Some(hash) = self.resolve_hash(&mut rec)? else {
                continue;
            };
            match rec.kind {
                RequestKind::Pseudonym => self.download_pseudonyms(&mut rec, &hash, &mut rep)?,
                RequestKind::Identification => {
                    self.download_identification(&mut rec, &hash, &mut rep)?
                }
                RequestKind::Application => self.download_application(&mut rec, &hash, &mut rep)?,
            }
        }
        Ok(rep)
    }

    /// When `rec` may be downloaded next: `certDLTime`, then the `.info` time.
    fn due(rec: &RequestRecord) -> Time32 {
        rec.info_time.or(rec.cert_dl_time).unwrap_or(0)
    }

    fn download_pseudonyms(
        &mut self,
        rec: &mut RequestRecord,
        hash: &str,
        rep: &mut DownloadReport,
    ) -> Result<(), ProvisionError> {
        let now = self.now();
        let Some(cur) = i_period(now) else {
            return Ok(());
        };
        let stocked = self.store.has_batch(cur) && self.store.has_batch(cur + 1);
        let due = Self::due(rec);
        if stocked && now < due {
            rep.waiting.push((rec.id.clone(), due));
            return Ok(());
        }
        let RequestKeys::Butterfly(cat) = RequestKeys::load(&self.device.keys, rec)? else {
            return Err(ProvisionError::NotAllowed(
                "pseudonym request without caterpillar keys",
            ));
        };
        let first = cur.max(scms_core::time::i_period(rec.requested_start).unwrap_or(cur));
        for i in first..first.saturating_add(self.policy.supply_periods) {
            if self.store.has_batch(i) {
                continue;
            }
            let name = batch_name(hash, i);
            let Some(zip) = self.fetch(PATH_BATCH, &name)? else {
                rep.unavailable.push(name);
                break;
            };
            let opened = Opener::of(&self.device).open_batch(&zip, i, &cat, self.now());
            let opened = match opened {
                Ok(o) => o,
                Err(e) => {
                    // Abort: a PCA signature failure is reported to the MA (T64).
                    tracing::error!(error = %e, file = %name, "batch refused");
                    return Err(e);
                }
            };
            self.store.discard_partial(i)?;
            for (j, o) in opened {
                self.store.put_pseudonym(
                    i,
                    j,
                    &Stored {
                        cert: o.cert,
                        key: o.key,
                    },
                )?;
                rep.certificates += 1;
            }
            self.store.complete_batch(i)?;
            rep.files.push(name);
            self.fetch_info(rec, hash)?;
        }
        Ok(())
    }

    fn download_identification(
        &mut self,
        rec: &mut RequestRecord,
        hash: &str,
        rep: &mut DownloadReport,
    ) -> Result<(), ProvisionError> {
        let now = self.now();
        let enr_start = self
            .device
            .enrollment_cert
            .to_be_signed
            .validity_period
            .start;
        let period = self.policy.identity_period.max(1);
        let cur = now.saturating_sub(enr_start) / period;
        let stocked = self.store.identification(cur)?.is_some()
            && self.store.identification(cur + 1)?.is_some();
        let due = Self::due(rec);
        if stocked && now < due {
            rep.waiting.push((rec.id.clone(), due));
            return Ok(());
        }
        let RequestKeys::Butterfly(cat) = RequestKeys::load(&self.device.keys, rec)? else {
            return Err(ProvisionError::NotAllowed(
                "identification request without caterpillar keys",
            ));
        };
        let first = cur.max(rec.requested_start.saturating_sub(enr_start) / period);
        for i in first..first.saturating_add(self.policy.identity_supply) {
            if self.store.identification(i)?.is_some() {
                continue;
            }
            let name = identity_name(hash, i);
            let Some(zip) = self.fetch(PATH_IDENTITY, &name)? else {
                rep.unavailable.push(name);
                break;
            };
            let member = single_member(&zip, &identity_member(hash, i))?;
            let ce = |e: scms_crypto::Error| ProvisionError::Core(e.into());
            let b = expand_private(
                &cat.signing_seed,
                &cat.signing_expansion,
                KeyKind::Signing,
                i,
                0,
            )
            .map_err(ce)?;
            let q = expand_private(
                &cat.encryption_seed,
                &cat.encryption_expansion,
                KeyKind::Encryption,
                i,
                0,
            )
            .map_err(ce)?;
            let start = enr_start.saturating_add(i.saturating_mul(period));
            let o = Opener::of(&self.device).open(
                &member,
                &q,
                &b,
                Expect::Identification { start },
                self.now(),
            )?;
            self.store.put_identification(
                i,
                &Stored {
                    cert: o.cert,
                    key: o.key,
                },
            )?;
            rep.certificates += 1;
            rep.files.push(name);
            self.fetch_info(rec, hash)?;
        }
        Ok(())
    }

    fn download_application(
        &mut self,
        rec: &mut RequestRecord,
        hash: &str,
        rep: &mut DownloadReport,
    ) -> Result<(), ProvisionError> {
        let now = self.now();
        if let Some(t) = rec.cert_dl_time {
            if now < t {
                rep.waiting.push((rec.id.clone(), t));
                return Ok(());
            }
        }
        let RequestKeys::Single { verify, response } = RequestKeys::load(&self.device.keys, rec)?
        else {
            return Err(ProvisionError::NotAllowed(
                "application request without its keys",
            ));
        };
        let name = application_name(hash);
        let Some(zip) = self.fetch(PATH_APPLICATION, &name)? else {
            rep.unavailable.push(name);
            return Ok(());
        };
        let member = single_member(&zip, hash)?;
        let o = Opener::of(&self.device).open(
            &member,
            response.private(),
            verify.private(),
            Expect::Application {
                start: rec.requested_start,
            },
            now,
        )?;
        self.store.put_application(
            hash,
            &Stored {
                cert: o.cert,
                key: o.key,
            },
        )?;
        rep.certificates += 1;
        rep.files.push(name);
        rec.done = true;
        save_record(&self.device, rec)
    }

    /// Sleeps (with the injected sleeper) until the earliest `certDLTime` of the
    /// requests not downloaded yet, if it is in the future; returns the seconds slept.
    pub fn wait_for_download(&mut self) -> Result<u32, ProvisionError> {
        let now = self.now();
        let next = records(&self.device)?
            .iter()
            .filter(|r| !r.done)
            .filter_map(|r| r.cert_dl_time)
            .filter(|t| *t > now)
            .min();
        match next {
            Some(t) => {
                let s = t - now;
                (self.sleep)(s);
                Ok(s)
            }
            None => Ok(0),
        }
    }
}

/// The guard of `device`'s certificate store, with the revocations of its installed CRL
/// (verified at `now`; without them when it does not verify).
fn guard_of(device: &Device, now: Time32) -> Guard {
    let list = match device.load_crl(now) {
        Some(Ok(v)) => Some(v.revocations),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "the installed CRL does not verify; not used");
            None
        }
        None => None,
    };
    Guard::new(device, list)
}

// ------------------------------------------------------------------------- HTTPS

/// [`RaTransport`] over HTTPS (TLS 1.2+, server authentication only, the bootstrapped
/// `root.tls` as the only trust anchor).
pub struct HttpsTransport {
    base: String,
    rt: tokio::runtime::Runtime,
    client: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        http_body_util::Full<bytes::Bytes>,
    >,
    timeout: std::time::Duration,
}

impl std::fmt::Debug for HttpsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsTransport")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Largest response body read.
const MAX_BODY: usize = 16 << 20;

impl HttpsTransport {
    /// A transport to `base_url` (e.g. `https://ra.example:8892`) trusting the PEM or
    /// DER certificate(s) of `root_tls`; each exchange must complete within `timeout`
    /// (the EE's 10 s rule).
    pub fn new(
        base_url: &str,
        root_tls: &[u8],
        timeout: std::time::Duration,
    ) -> Result<Self, TransportError> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::CertificateDer;
        let conn = |e: &dyn std::fmt::Display| TransportError::Connection(e.to_string());
        let mut roots = rustls::RootCertStore::empty();
        let ders: Vec<CertificateDer<'static>> = if root_tls.first() == Some(&0x30) {
            vec![CertificateDer::from(root_tls.to_vec())]
        } else {
            CertificateDer::pem_slice_iter(root_tls)
                .collect::<Result<_, _>>()
                .map_err(|e| conn(&e))?
        };
        for d in ders {
            roots.add(d).map_err(|e| conn(&e))?;
        }
        if roots.is_empty() {
            return Err(TransportError::Connection("no TLS root certificate".into()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| conn(&e))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(cfg)
            .https_only()
            .enable_http1()
            .build();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| conn(&e))?;
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(https);
        Ok(HttpsTransport {
            base: base_url.trim_end_matches('/').to_owned(),
            rt,
            client,
            timeout,
        })
    }

    fn exchange(
        &self,
        method: http::Method,
        path: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Response, TransportError> {
        use http_body_util::BodyExt;
        let body = bytes::Bytes::from(body);
        let request = || {
            let mut b = http::Request::builder()
                .method(method.clone())
                .uri(format!("{}{path}", self.base))
                .header("Content-Type", "application/octet-stream");
            for (n, v) in headers {
                b = b.header(n.as_str(), v.as_str());
            }
            b.body(http_body_util::Full::new(body.clone()))
                .map_err(|e| TransportError::Connection(e.to_string()))
        };
        let req = request()?;
        self.rt.block_on(async {
            let send = |req| tokio::time::timeout(self.timeout, self.client.request(req));
            let resp = match send(req).await.map_err(|_| TransportError::Timeout)? {
                Ok(r) => r,
                // A kept-alive connection the server closed meanwhile (e.g. it restarted)
                // fails on first use: a GET is idempotent, so it is sent again once, on a
                // new connection.
                Err(e) if method == http::Method::GET && !e.is_connect() => {
                    tracing::debug!(error = %e, "stale connection; sending the GET again");
                    send(request()?)
                        .await
                        .map_err(|_| TransportError::Timeout)?
                        .map_err(|e| TransportError::Connection(e.to_string()))?
                }
                Err(e) => return Err(TransportError::Connection(e.to_string())),
            };
            let status = resp.status().as_u16();
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        v.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let mut body = resp.into_body();
            let mut out = Vec::new();
            loop {
                match tokio::time::timeout(self.timeout, body.frame()).await {
                    Err(_) | Ok(Some(Err(_))) => {
                        return Err(TransportError::Interrupted {
                            partial: out,
                            status,
                        })
                    }
                    Ok(None) => break,
                    Ok(Some(Ok(frame))) => {
                        if let Some(d) = frame.data_ref() {
                            if out.len() + d.len() > MAX_BODY {
                                return Err(TransportError::Connection(
                                    "response too large".into(),
                                ));
                            }
                            out.extend_from_slice(d);
                        }
                    }
                }
            }
            Ok(Response {
                status,
                headers,
                body: out,
            })
        })
    }
}

impl RaTransport for HttpsTransport {
    fn post(&self, path: &str, body: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.exchange(http::Method::POST, path, &[], body.to_vec())?;
        if (200..300).contains(&r.status) {
            Ok(r.body)
        } else {
            Err(TransportError::Status(r.status))
        }
    }

    fn get(&self, path: &str, headers: &[(String, String)]) -> Result<Response, TransportError> {
        self.exchange(http::Method::GET, path, headers, Vec::new())
    }
}
