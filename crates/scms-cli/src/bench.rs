//! `scms bench`: end-to-end throughput figures, each reported against a crypto floor
//! measured in the same run on the same machine.
//!
//! `scms bench provision` enrolls devices, sends their pseudonym provisioning requests
//! to the RA, and times the RA's pre-generation: LA1 and LA2 pre-linkage values, butterfly
//! expansion, shuffling, one signed request per certificate to the PCA, implicit issuance,
//! encryption to the cocoon key, the PCA's signature, SQLite persistence at the RA, LAs and
//! PCA, and the batch zips. The authorities run in process (same library code as
//! `scms serve`, without the HTTPS hop; the in-process link hands the PCA each batch of
//! requests at once, `Pca::handle_batch`), or with `--https` as `scms serve` services on
//! loopback that the RA reaches with its HTTPS clients (requests sent concurrently, the
//! PCA batching those that arrive together). The floor
//! is the bare elliptic-curve work the pipeline cannot avoid per certificate, timed with
//! the same (OpenSSL) backend on one core.

mod crl;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::sign::reconstruct_private_key;
use scms_core::time::{i_period, i_period_start, Clock, ManualClock, SystemClock};
use scms_crypto::{ecdsa, CurveBackend, OpenSslBackend, PrivateKey, Scalar};
use scms_eca::{Eca, EcaConfig};
use scms_ee::device::{DeviceConfig, DeviceDir, ENROLLMENT_KEY};
use scms_ee::enrollment::{keygen, CsrParams, DeviceKind};
use scms_ee::provision::{new_request, Device, RequestKind};
use scms_ra::{LaClient, LaIndex, PcaClient, Ra, RaError, RaOptions};
use scms_store::keystore::Keystore;

/// Subcommands of `scms bench`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Pseudonym certificates issued per second, end to end (RA + LAs + PCA + SQLite +
    /// zips, in process), and the crypto floor of the same work.
    Provision {
        /// Devices to provision.
        #[arg(long, default_value_t = 4)]
        devices: u32,
        /// Weeks of certificates per device (20 per week).
        #[arg(long, default_value_t = 2)]
        weeks: u32,
        /// Run LA1, LA2 and the PCA as `scms serve` services on loopback HTTPS (mutual
        /// TLS) and let the RA reach them with its HTTPS clients, as deployed.
        #[arg(long)]
        https: bool,
        /// Also write the figures as JSON to this file.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// Device-side CRL use at scale: decoding a linkage CRL of `--devices` revoked
    /// devices, expanding it for a new i-period (one seed hash per entry, jMax linkage
    /// values per entry), and checking certificates' linkage values against it.
    Crl {
        /// Revoked devices (linkage entries) in the CRL.
        #[arg(long, default_value_t = 1_000_000)]
        devices: u32,
        /// Certificates per i-period (jMax).
        #[arg(long, default_value_t = 20)]
        j_max: u8,
        /// Linkage values checked (half revoked, half not).
        #[arg(long, default_value_t = 1_000_000)]
        lookups: u32,
        /// Also write the figures as JSON to this file.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
}

/// Runs a `scms bench` subcommand.
pub fn run(c: Command) -> ExitCode {
    match c {
        Command::Provision {
            devices,
            weeks,
            https,
            json,
        } => match provision(devices, weeks, https) {
            Ok(r) => {
                print!("{}", r.text());
                if let Some(p) = json {
                    if let Err(e) = std::fs::write(&p, r.json()) {
                        eprintln!("scms bench: {}: {e}", p.display());
                        return ExitCode::FAILURE;
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("scms bench: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Crl {
            devices,
            j_max,
            lookups,
            json,
        } => match crl::run(devices, j_max, lookups) {
            Ok(r) => {
                print!("{}", r.text());
                if let Some(p) = json {
                    if let Err(e) = std::fs::write(&p, r.json()) {
                        eprintln!("scms bench: {}: {e}", p.display());
                        return ExitCode::FAILURE;
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("scms bench: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

struct Las(scms_la::La, scms_la::La);

impl LaClient for Las {
    fn pre_linkage_values(&self, which: LaIndex, request: Vec<u8>) -> Result<Vec<u8>, RaError> {
        let la = match which {
            LaIndex::La1 => &self.0,
            LaIndex::La2 => &self.1,
        };
        la.handle(&request)
            .map_err(|e| RaError::peer(which.name(), e.to_string()))
    }
}

struct PcaLink(scms_pca::Pca);

fn pca_error(e: scms_pca::PcaError) -> RaError {
    RaError::peer("pca", e.to_string())
}

impl PcaClient for PcaLink {
    fn certify(&self, request: Vec<u8>) -> Result<Vec<u8>, RaError> {
        self.0.handle(&request).map_err(pca_error)
    }

    fn certify_all(&self, requests: &[&[u8]]) -> Vec<Result<Vec<u8>, RaError>> {
        match self.0.handle_batch(requests) {
            Ok(replies) => replies.into_iter().map(|r| r.map_err(pca_error)).collect(),
            Err(e) => vec![Err(pca_error(e))],
        }
    }
}

/// LA1, LA2 and the PCA served over loopback HTTPS, and the RA's clients of them.
struct HttpsBackends {
    runtime: tokio::runtime::Runtime,
    running: Vec<scms_serve::Running>,
    la: Arc<scms_serve::HttpsLaClient>,
    pca: Arc<scms_serve::HttpsPcaClient>,
}

impl HttpsBackends {
    fn start(layout: &Layout, clock: Arc<ManualClock>) -> Result<HttpsBackends, String> {
        use scms_serve::{Component, ServeOptions, Which};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let any_port = scms_ca::config::Ports {
            ra: 0,
            ma: 0,
            pca: 0,
            la1: 0,
            la2: 0,
            pg: 0,
            lop: 0,
        };
        let mut running = Vec::new();
        let mut urls = Vec::new();
        for c in [Component::La1, Component::La2, Component::Pca] {
            let opts = ServeOptions {
                ports: Some(any_port.clone()),
                clock: clock.clone(),
                ..ServeOptions::default()
            };
            let r = runtime
                .block_on(scms_serve::start(layout.root(), Which::One(c), opts))
                .map_err(|e| e.to_string())?;
            urls.push(r.url(c).ok_or("no address")?);
            running.push(r);
        }
        let tls = layout.tls();
        let creds = scms_net::http::Credentials::load(&tls, "ra").map_err(|e| e.to_string())?;
        let root = scms_net::tls_material::load_root_cert(&tls).map_err(|e| e.to_string())?;
        let client = {
            let _in_runtime = runtime.enter();
            scms_net::http::HttpsClient::new(root, Some(&creds)).map_err(|e| e.to_string())?
        };
        let handle = runtime.handle().clone();
        Ok(HttpsBackends {
            la: Arc::new(scms_serve::HttpsLaClient::new(
                client.clone(),
                handle.clone(),
                &urls[0],
                &urls[1],
            )),
            pca: Arc::new(scms_serve::HttpsPcaClient::new(client, handle, &urls[2])),
            runtime,
            running,
        })
    }

    fn stop(self) {
        for r in self.running {
            self.runtime.block_on(r.shutdown());
        }
    }
}

struct ProvisionReport {
    transport: &'static str,
    devices: u32,
    certificates: usize,
    seconds: f64,
    floor_seconds: f64,
    backend: &'static str,
    /// Cores the pipeline may use (the floor uses one).
    cores: usize,
}

impl ProvisionReport {
    fn rate(&self) -> f64 {
        self.certificates as f64 / self.seconds.max(1e-9)
    }

    fn floor_rate(&self) -> f64 {
        self.certificates as f64 / self.floor_seconds.max(1e-9)
    }

    fn text(&self) -> String {
        format!(
            "provision: {} pseudonym certificates for {} devices in {:.2} s = {:.0} certificates/s\n  \
             ({}: RA + LA1 + LA2 + PCA, SQLite persistence, batch zips; {} cores)\n\
             crypto floor ({} backend, same run, one core): {:.0} certificates/s \
             (per certificate: 3 k·G+P, 1 k·G, 1 k·P, 3 ECDSA signatures, 1 verification)\n\
             end-to-end / floor: {:.2}\n",
            self.certificates,
            self.devices,
            self.seconds,
            self.rate(),
            self.transport_text(),
            self.cores,
            self.backend,
            self.floor_rate(),
            self.rate() / self.floor_rate().max(1e-9),
        )
    }

    fn transport_text(&self) -> &'static str {
        match self.transport {
            "https" => "LA1, LA2 and PCA served over loopback HTTPS, mutual TLS",
            _ => "in process, no HTTPS hop",
        }
    }

    fn json(&self) -> String {
        format!(
            "{{\"devices\":{},\"certificates\":{},\"seconds\":{:.4},\"certificates_per_second\":{:.1},\
             \"floor_certificates_per_second\":{:.1},\"ratio\":{:.4},\"backend\":\"{}\",\"cores\":{},\"transport\":\"{}\"}}\n",
            self.devices,
            self.certificates,
            self.seconds,
            self.rate(),
            self.floor_rate(),
            self.rate() / self.floor_rate().max(1e-9),
            self.backend,
            self.cores,
            self.transport
        )
    }
}

fn install_device(layout: &Layout, eca: &mut Eca, dir: &Path, now: u32) -> Result<Device, String> {
    let csr = keygen(&CsrParams::new(DeviceKind::Obe), now).map_err(|e| e.to_string())?;
    let resp = eca.process(&csr.request, now).map_err(|e| e.to_string())?;
    let r = Scalar::from_bytes(&resp.priv_key_reconstruction).map_err(|e| e.to_string())?;
    let key = reconstruct_private_key(
        &resp.enrollment_cert,
        eca.certificate(),
        csr.key.private(),
        &r,
    )
    .map_err(|e| e.to_string())?;
    let d = DeviceDir::new(dir);
    std::fs::create_dir_all(d.trust_dir()).map_err(|e| e.to_string())?;
    let keys = Keystore::open(&d.keys_dir(), None).map_err(|e| e.to_string())?;
    keys.store_private_key(ENROLLMENT_KEY, &key)
        .map_err(|e| e.to_string())?;
    std::fs::write(d.enrollment_cert_path(), resp.enrollment_cert.to_coer())
        .map_err(|e| e.to_string())?;
    for (file, cert) in [("root.oer", "root"), ("ECA.oer", "eca"), ("RA.oer", "ra")] {
        std::fs::copy(layout.cert(cert), d.trust_dir().join(file)).map_err(|e| e.to_string())?;
    }
    for f in ["LCCF.oer", "LPF.oer", "CRL.oer"] {
        std::fs::copy(layout.file(f), d.trust_dir().join(f)).map_err(|e| e.to_string())?;
    }
    d.save_config(&DeviceConfig {
        kind: "obe".into(),
        device_id: csr.file_name.trim_end_matches(".oer").to_string(),
        ra_hostname: None,
        eca_hostname: None,
        bootstrapped_at: Some(now),
        quorum: None,
    })
    .map_err(|e| e.to_string())?;
    Device::open(&d, keys).map_err(|e| e.to_string())
}

/// The elliptic-curve work per pseudonym certificate, timed bare: RA butterfly expansion
/// (2 k·G+P), PCA implicit issuance (1 k·G+P) and ECIES to the cocoon key (1 k·G, 1 k·P),
/// signatures by the RA (request), PCA (response, reply) and the PCA's verification of
/// the RA's signature.
fn crypto_floor(be: &dyn CurveBackend, n: usize) -> Result<f64, String> {
    let k = PrivateKey::generate().map_err(|e| e.to_string())?;
    let p = k.public_key(be).map_err(|e| e.to_string())?;
    let s = Scalar::random_nonzero(&mut scms_crypto::OsRng).map_err(|e| e.to_string())?;
    let digest = [7u8; 32];
    let sig = ecdsa::sign_digest(be, &k, &digest).map_err(|e| e.to_string())?;
    let t = Instant::now();
    for _ in 0..n {
        for _ in 0..3 {
            be.mul_base_add(&s, &p).map_err(|e| e.to_string())?;
        }
        be.mul_base(&s).map_err(|e| e.to_string())?;
        be.mul(&s, &p).map_err(|e| e.to_string())?;
        for _ in 0..3 {
            ecdsa::sign_digest(be, &k, &digest).map_err(|e| e.to_string())?;
        }
        ecdsa::verify_digest(be, &p, &digest, &sig).map_err(|e| e.to_string())?;
    }
    Ok(t.elapsed().as_secs_f64())
}

fn provision(devices: u32, weeks: u32, https: bool) -> Result<ProvisionReport, String> {
    let tmp = std::env::temp_dir().join(format!(
        "scms-bench-{}-{}",
        std::process::id(),
        SystemClock.now()
    ));
    let layout = Layout::new(tmp.join("scms"));
    let now = SystemClock.now();
    let start = i_period(now).and_then(i_period_start).unwrap_or(now);
    let cfg = Config {
        start: Some(start),
        ..Config::default()
    };
    scms_ca::init(&layout, &cfg, None).map_err(|e| e.to_string())?;
    let result = (|| {
        let keys = Keystore::open(&layout.keys(), None).map_err(|e| e.to_string())?;
        let mut eca = Eca::open(
            layout.root(),
            keys.load_signer("eca").map_err(|e| e.to_string())?,
            EcaConfig::default(),
        )
        .map_err(|e| e.to_string())?;
        let clock = Arc::new(ManualClock::new(now));
        let served = if https {
            Some(HttpsBackends::start(&layout, clock.clone())?)
        } else {
            None
        };
        let (la, pca): (Arc<dyn LaClient>, Arc<dyn PcaClient>) = match &served {
            Some(b) => (b.la.clone(), b.pca.clone()),
            None => {
                let la1 = scms_la::La::open(&layout, &keys, scms_la::Which::La1, clock.clone())
                    .map_err(|e| e.to_string())?;
                let la2 = scms_la::La::open(&layout, &keys, scms_la::Which::La2, clock.clone())
                    .map_err(|e| e.to_string())?;
                let pca = scms_pca::Pca::open(&layout, &keys, clock.clone())
                    .map_err(|e| e.to_string())?;
                (Arc::new(Las(la1, la2)), Arc::new(PcaLink(pca)))
            }
        };
        let ra = Ra::open(
            layout.root(),
            RaOptions {
                supply_weeks: Some(weeks),
                initial_provisioning_bypass: true,
                ..Default::default()
            },
            la,
            pca,
        )
        .map_err(|e| e.to_string())?;
        for d in 0..devices {
            let dev = install_device(&layout, &mut eca, &tmp.join(format!("obe{d}")), now)?;
            let (_, attempt) =
                new_request(&dev, RequestKind::Pseudonym, now, start).map_err(|e| e.to_string())?;
            ra.provision_pseudonym(&attempt.body, now)
                .map_err(|e| e.to_string())?;
        }
        let t = Instant::now();
        let report = ra.run_until_idle(now).map_err(|e| e.to_string());
        let seconds = t.elapsed().as_secs_f64();
        if let Some(b) = served {
            b.stop();
        }
        let report = report?;
        if !report.errors.is_empty() || report.failures > 0 {
            return Err(format!(
                "pipeline failures: {} {:?}",
                report.failures, report.errors
            ));
        }
        let be = OpenSslBackend::new().map_err(|e| e.to_string())?;
        let floor_seconds = crypto_floor(&be, report.certificates)?;
        Ok(ProvisionReport {
            transport: if https { "https" } else { "in-process" },
            devices,
            certificates: report.certificates,
            seconds,
            floor_seconds,
            backend: be.name(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        })
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
