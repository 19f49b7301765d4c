//! `scms ee`: the end-entity side: keygen and bootstrap (seed 004, Use Case 2),
//! certificate requests and downloads from the RA (Use Cases 3, 13, 19), signing and
//! verifying messages.
//!
//! Exit codes: 0 success, 1 a check failed (bootstrap, provisioning, an invalid
//! message), 2 bad input, I/O error or a malformed message.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scms_asn1::ieee1609dot2::{Psid, Time32};
use scms_ee::bootstrap::{bootstrap, BootstrapError, PendingRequest};
use scms_ee::device::{DeviceDir, REQUEST_KEY};
use scms_ee::enrollment::{keygen, CsrParams, DeviceKind};
use scms_store::{Keystore, Passphrase};

/// Subcommands of `scms ee`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Generate the device's verification key pair and its enrollment CSR
    /// (`SignedEeEnrollmentCertRequest`, written as `<enrollment pub hex>.oer`).
    Keygen(KeygenArgs),
    /// Check the DCM's response zip for this device (SCMS-1906/1907) and store the
    /// enrollment certificate, the enrollment key and the trust material in the device
    /// directory.
    Bootstrap(BootstrapArgs),
    /// Request pseudonym, identification or application certificates from the RA
    /// (keys persisted first; LPF/LCCF refreshed first).
    Request(RequestArgs),
    /// Download and open the certificates of every pending request (LPF/LCCF first;
    /// current and future periods not yet stored; `.info` after each).
    Download(DownloadArgs),
    /// Sign a message (BSM 0x20 with the current pseudonym certificate, or an RSE
    /// message with an application certificate) as an IEEE 1609.2 SignedData.
    Sign(SignArgs),
    /// Verify a signed message against the device's trust material and its CRL
    /// (`trust/CRL.oer`) (exit 0 valid, 1 invalid or revoked, 2 malformed).
    Verify(VerifyArgs),
    /// Report misbehavior: build a misbehavior report on the given received messages,
    /// signed with the current pseudonym certificate, encrypted to the MA, and POST it to
    /// the RA (LOP) `/process-misbehavior-report`.
    Report(ReportArgs),
    /// Download the composite CRL (`/download-crl/` of the MA port or the LOP), verify it
    /// (CRLG chain to the root, anti-rollback on the CRLG certificate start) and store it
    /// as `trust/CRL.oer`.
    Crl(CrlArgs),
}

/// Arguments of `scms ee report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    net: RaArgs,
    /// The MA certificate (default `DIR/trust/MA.oer`).
    #[arg(long)]
    ma_cert: Option<PathBuf>,
    /// The reported messages (COER Ieee1609Dot2Data, as received).
    #[arg(required = true)]
    messages: Vec<PathBuf>,
}

/// Arguments of `scms ee crl`.
#[derive(clap::Args)]
pub struct CrlArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// The CRL store (MA port) or LOP base URL.
    #[command(flatten)]
    net: RaArgs,
}

/// Options shared by the provisioning subcommands.
#[derive(clap::Args)]
pub struct DeviceArgs {
    /// The bootstrapped device directory.
    #[arg(long)]
    dir: PathBuf,
    /// Name of an environment variable holding the keystore passphrase.
    #[arg(long)]
    passphrase_env: Option<String>,
    /// The time (Time32), instead of the current time.
    #[arg(long)]
    time: Option<Time32>,
}

/// Options of the subcommands that talk to the RA.
#[derive(clap::Args)]
pub struct RaArgs {
    /// The RA base URL; default the LOP of the RA's domain, `https://lop.<domain>:8890`
    /// (the LOP forwards to the RA, stripping whatever could locate the device).
    #[arg(long)]
    ra: Option<String>,
    /// TLS trust anchor (PEM or DER); default `DIR/trust/root.tls`.
    #[arg(long)]
    tls_root: Option<PathBuf>,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// Arguments of `scms ee request`.
#[derive(clap::Args)]
pub struct RequestArgs {
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    net: RaArgs,
    /// What to request.
    #[arg(long, default_value = "pseudonym", value_parser = ["pseudonym", "identification", "application"])]
    kind: String,
    /// Requested start time (Time32; default now).
    #[arg(long)]
    start: Option<Time32>,
}

/// Arguments of `scms ee download`.
#[derive(clap::Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    net: RaArgs,
    /// Sleep until the earliest certDLTime first.
    #[arg(long)]
    wait: bool,
}

/// Arguments of `scms ee sign`.
#[derive(clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// The PSID (decimal or 0x-hex): 0x20 signs with a pseudonym certificate, others
    /// with an application (RSE) or identification certificate permitting it.
    #[arg(long, value_parser = parse_u64, default_value = "0x20")]
    psid: u64,
    /// The payload, hex (default: empty).
    #[arg(long, default_value = "")]
    payload_hex: String,
    /// Send the signer as a digest instead of the full certificate.
    #[arg(long)]
    digest: bool,
    /// Output file (the COER Ieee1609Dot2Data).
    #[arg(short = 'o', long)]
    out: PathBuf,
}

/// Arguments of `scms ee verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// The signed message (COER).
    message: PathBuf,
    /// Require this PSID.
    #[arg(long, value_parser = parse_u64)]
    psid: Option<u64>,
    /// Accept messages up to this many seconds old.
    #[arg(long, default_value_t = 30)]
    max_age: u32,
}

/// Arguments of `scms ee keygen`.
#[derive(clap::Args)]
pub struct KeygenArgs {
    /// The device directory (created if missing; keys go to DIR/keys).
    #[arg(long)]
    dir: PathBuf,
    /// Device kind.
    #[arg(long, default_value = "obe", value_parser = ["obe", "rse"])]
    kind: String,
    /// The CertificateId name (default "obeenr" / "rseenr").
    #[arg(long)]
    name: Option<String>,
    /// A PSID to request (repeatable; decimal or 0x-hex). Default 32 and 38.
    #[arg(long = "psid", value_parser = parse_u64)]
    psid: Vec<u64>,
    /// PSIDs to request, comma-separated (decimal or 0x-hex).
    #[arg(long, value_delimiter = ',', value_parser = parse_u64)]
    psids: Vec<u64>,
    /// UN M49 country codes, comma-separated. Default 840 (USA, the only region the ECA accepts).
    #[arg(long = "region", value_delimiter = ',')]
    region: Vec<u16>,
    /// Requested lifetime in hours.
    #[arg(long, default_value_t = 4320)]
    hours: u16,
    /// The crlSeries to request.
    #[arg(long, default_value_t = 4)]
    crl_series: u16,
    /// Where to write the CSR (default: the device directory).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The request time (Time32), instead of the current time.
    #[arg(long)]
    time: Option<Time32>,
    /// Name of an environment variable holding the keystore passphrase (keys are
    /// stored in clear, mode 0600, without it).
    #[arg(long)]
    passphrase_env: Option<String>,
}

/// Arguments of `scms ee bootstrap`.
#[derive(clap::Args)]
pub struct BootstrapArgs {
    /// The response zip from the DCM (seed 004 Code Block 2).
    responses: PathBuf,
    /// The device id: the stem of the device's CSR file (its enrollment pub hex);
    /// default: the id `scms ee keygen` recorded in the device directory.
    #[arg(long)]
    device: Option<String>,
    /// The device directory written by `scms ee keygen`.
    #[arg(long)]
    dir: PathBuf,
    /// The bootstrap time (Time32), instead of the current time.
    #[arg(long)]
    time: Option<Time32>,
    /// Name of an environment variable holding the keystore passphrase.
    #[arg(long)]
    passphrase_env: Option<String>,
}

/// Runs a `scms ee` subcommand.
pub fn run(c: Command) -> ExitCode {
    let r = match c {
        Command::Keygen(a) => run_keygen(&a),
        Command::Bootstrap(a) => run_bootstrap(&a),
        Command::Request(a) => run_request(&a),
        Command::Download(a) => run_download(&a),
        Command::Sign(a) => run_sign(&a),
        Command::Verify(a) => run_verify(&a),
        Command::Report(a) => run_report(&a),
        Command::Crl(a) => run_crl(&a),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, msg)) => {
            eprintln!("scms ee: {msg}");
            ExitCode::from(code)
        }
    }
}

type Failure = (u8, String);

fn bad(e: impl std::fmt::Display) -> Failure {
    (2, e.to_string())
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    }
    .map_err(|e| format!("{s:?}: {e}"))
}

/// The current time as Time32 (TAI seconds since 2004-01-01).
fn now_time32() -> Time32 {
    use scms_core::time::Clock;
    scms_core::time::SystemClock.now()
}

fn open_keys(dir: &DeviceDir, env: Option<&str>) -> Result<Keystore, Failure> {
    let pass = match env {
        Some(var) => {
            Some(Passphrase::new(std::env::var(var).map_err(|_| {
                bad(format!("environment variable {var} is not set"))
            })?))
        }
        None => None,
    };
    Keystore::open(&dir.keys_dir(), pass).map_err(bad)
}

fn run_keygen(a: &KeygenArgs) -> Result<(), Failure> {
    let kind: DeviceKind = a.kind.parse().map_err(bad)?;
    let mut params = CsrParams::new(kind);
    if let Some(n) = &a.name {
        params.name.clone_from(n);
    }
    let psids: Vec<u64> = a.psid.iter().chain(&a.psids).copied().collect();
    if !psids.is_empty() {
        params.psids = psids.into_iter().map(Psid::new).collect();
    }
    if !a.region.is_empty() {
        params.regions.clone_from(&a.region);
    }
    params.duration_hours = a.hours;
    params.crl_series = a.crl_series;
    let now = a.time.unwrap_or_else(now_time32);

    let csr = keygen(&params, now).map_err(bad)?;
    let dir = DeviceDir::new(&a.dir);
    std::fs::create_dir_all(dir.path())
        .map_err(|e| bad(format!("{}: {e}", dir.path().display())))?;
    let keys = open_keys(&dir, a.passphrase_env.as_deref())?;
    dir.init_request(&keys, kind, &csr).map_err(bad)?;
    let out_dir = a.out.clone().unwrap_or_else(|| a.dir.clone());
    std::fs::create_dir_all(&out_dir).map_err(|e| bad(format!("{}: {e}", out_dir.display())))?;
    let path = out_dir.join(&csr.file_name);
    std::fs::write(&path, &csr.request).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    println!("{}", path.display());
    Ok(())
}

fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let mut v = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut v)
        .map_err(|e| bad(format!("{}: {e}", path.display())))?;
    if v.len() as u64 > max {
        return Err(bad(format!("{}: larger than {max} bytes", path.display())));
    }
    Ok(v)
}

fn run_bootstrap(a: &BootstrapArgs) -> Result<(), Failure> {
    let dir = DeviceDir::new(&a.dir);
    let cfg = dir.load_config().map_err(bad)?;
    let kind = cfg
        .device_kind()
        .ok_or_else(|| bad(format!("unknown device kind {:?}", cfg.kind)))?;
    let request = dir.load_request().map_err(bad)?;
    let keys = open_keys(&dir, a.passphrase_env.as_deref())?;
    let key = keys.load_key_pair(REQUEST_KEY).map_err(bad)?;
    let zip = read_bounded(&a.responses, 1 << 30)?;
    let now = a.time.unwrap_or_else(now_time32);

    let pending = PendingRequest {
        kind,
        request: &request,
        key: &key,
    };
    let device_id = a.device.clone().unwrap_or_else(|| cfg.device_id.clone());
    let trust = bootstrap(&zip, &device_id, &pending, now).map_err(|e| match e {
        BootstrapError::Device(_) | BootstrapError::Zip(_) => (2, e.to_string()),
        _ => (1, format!("bootstrap refused: {e}")),
    })?;
    let written = trust.store(&dir, &keys, now).map_err(bad)?;
    println!(
        "bootstrapped {} {} (RA {}{})",
        trust.kind,
        trust.device_id,
        trust.ra_hostname,
        trust
            .eca_hostname
            .as_deref()
            .map(|e| format!(", ECA {e}"))
            .unwrap_or_default()
    );
    println!(
        "stored: keys/{} (enrollment private key)",
        scms_ee::device::ENROLLMENT_KEY
    );
    for p in written {
        println!("stored: {}", p.display());
    }
    Ok(())
}

fn open_device(a: &DeviceArgs) -> Result<scms_ee::provision::Device, Failure> {
    let dir = DeviceDir::new(&a.dir);
    let keys = open_keys(&dir, a.passphrase_env.as_deref())?;
    scms_ee::provision::Device::open(&dir, keys).map_err(bad)
}

fn clock_of(a: &DeviceArgs) -> std::sync::Arc<dyn scms_core::time::Clock> {
    match a.time {
        Some(t) => std::sync::Arc::new(scms_core::time::ManualClock::new(t)),
        None => std::sync::Arc::new(scms_core::time::SystemClock),
    }
}

fn transport(
    device: &scms_ee::provision::Device,
    net: &RaArgs,
) -> Result<scms_ee::client::HttpsTransport, Failure> {
    let base = match &net.ra {
        Some(u) => u.clone(),
        None => {
            let host = device
                .config
                .ra_hostname
                .clone()
                .ok_or_else(|| bad("device.toml has no ra_hostname; pass --ra"))?;
            // Through the Location Obscurer Proxy by default (seed SCMS-517): the LOP of
            // the RA's domain, `lop.<domain>:8890`.
            let domain = host.split_once('.').map_or(host.as_str(), |(_, d)| d);
            format!("https://lop.{domain}:8890")
        }
    };
    let root_path = net
        .tls_root
        .clone()
        .unwrap_or_else(|| device.dir.trust_dir().join("root.tls"));
    let root = read_bounded(&root_path, 1 << 20)?;
    scms_ee::client::HttpsTransport::new(&base, &root, std::time::Duration::from_secs(net.timeout))
        .map_err(bad)
}

fn client(
    a: &DeviceArgs,
    net: &RaArgs,
) -> Result<scms_ee::client::Client<scms_ee::client::HttpsTransport>, Failure> {
    let device = open_device(a)?;
    let transport = transport(&device, net)?;
    scms_ee::client::Client::new(device, transport, clock_of(a)).map_err(bad)
}

fn provisioning_failure(e: scms_ee::provision::ProvisionError) -> Failure {
    use scms_ee::provision::ProvisionError as P;
    match e {
        P::Device(_) | P::Store(_) | P::NotAllowed(_) | P::UnknownRequest(_) => bad(e),
        other => (1, other.to_string()),
    }
}

fn run_request(a: &RequestArgs) -> Result<(), Failure> {
    let kind: scms_ee::provision::RequestKind = a.kind.parse().map_err(bad)?;
    let mut c = client(&a.device, &a.net)?;
    let rec = c.request(kind, a.start).map_err(provisioning_failure)?;
    println!(
        "{} request {} acknowledged: download from {} at {}",
        kind.as_str(),
        rec.accepted.as_deref().unwrap_or(&rec.id),
        rec.cert_dl_url.as_deref().unwrap_or("?"),
        rec.cert_dl_time.unwrap_or(0)
    );
    Ok(())
}

fn run_download(a: &DownloadArgs) -> Result<(), Failure> {
    let mut c = client(&a.device, &a.net)?;
    if a.wait {
        c.wait_for_download().map_err(provisioning_failure)?;
    }
    let rep = c.download().map_err(provisioning_failure)?;
    for f in &rep.files {
        println!("stored: {f}");
    }
    for (id, t) in &rep.waiting {
        println!("waiting: request {id} until {t}");
    }
    for f in &rep.unavailable {
        println!("not available yet: {f}");
    }
    println!("{} certificates stored", rep.certificates);
    Ok(())
}

fn run_sign(a: &SignArgs) -> Result<(), Failure> {
    use scms_asn1::Coer;
    let device = open_device(&a.device)?;
    let now = a.device.time.unwrap_or_else(now_time32);
    let store = guarded_store(&device, now)?;
    let payload =
        hex::decode(a.payload_hex.trim()).map_err(|e| bad(format!("--payload-hex: {e}")))?;
    let stored = if a.psid == scms_ee::messages::PSID_BSM {
        store.current(now).map_err(signing_failure)?
    } else {
        match store
            .current_application(now, a.psid)
            .map_err(signing_failure)?
        {
            Some(s) => Some(s),
            None => store.current_identification(now).map_err(signing_failure)?,
        }
    };
    let s = stored.ok_or_else(|| {
        (
            1,
            format!("no certificate valid at {now} for PSID {:#x}", a.psid),
        )
    })?;
    let spdu = scms_ee::messages::sign_message(
        &s.cert,
        &s.key,
        a.psid,
        &payload,
        scms_core::time::time64_from_time32(now),
        !a.digest,
    )
    .map_err(bad)?;
    std::fs::write(&a.out, spdu.to_coer()).map_err(|e| bad(format!("{}: {e}", a.out.display())))?;
    println!("{}", a.out.display());
    Ok(())
}

fn run_verify(a: &VerifyArgs) -> Result<(), Failure> {
    let device = open_device(&a.device)?;
    let now = a.device.time.unwrap_or_else(now_time32);
    let bytes = read_bounded(&a.message, 64 * 1024)?;
    let mut v =
        scms_ee::messages::Verifier::new(device.trust.clone(), device.intermediates.clone());
    v.max_age = a.max_age;
    let crl_path = device.dir.trust_dir().join("CRL.oer");
    if let Some(crl) = device.load_crl(now) {
        match crl {
            Ok(c) => {
                // overdue_CRL_tolerance (from the device's verified LPF) past nextCrl:
                // nothing is trustworthy until a fresh CRL arrives.
                let lpf = read_bounded(&device.dir.trust_dir().join("LPF.oer"), 1 << 20).ok();
                if let Some(tol) = lpf.as_deref().and_then(scms_ee::crl::overdue_tolerance) {
                    v.set_crl_deadline(Some(c.next_crl.saturating_add(tol)));
                }
                v.set_revocations(c.revocations)
            }
            Err(e) => eprintln!("scms ee: warning: {}: {e}; not used", crl_path.display()),
        }
    }
    match v.verify(&bytes, now, a.psid) {
        Ok(m) => {
            println!(
                "valid: PSID {:#x}, signer {}, generated {}, payload {}",
                scms_ee::messages::psid_value(&m.psid),
                hex::encode(m.signer),
                m.generation_time,
                hex::encode(&m.payload)
            );
            Ok(())
        }
        Err(e) if e.is_malformed() => Err((2, format!("malformed: {e}"))),
        Err(e) => Err((1, format!("invalid: {e}"))),
    }
}

/// The device's certificate store with its revocation guard: the installed CRL (verified
/// now) and the trust store; signing with a revoked certificate, or at all once the
/// enrollment chain is revoked, is refused.
fn guarded_store(
    device: &scms_ee::provision::Device,
    now: Time32,
) -> Result<scms_ee::certstore::CertStore, Failure> {
    let mut store = scms_ee::certstore::CertStore::open(&device.dir, &device.keys).map_err(bad)?;
    let list = match device.load_crl(now) {
        Some(Ok(v)) => Some(v.revocations),
        Some(Err(e)) => {
            eprintln!("scms ee: warning: installed CRL: {e}; not used");
            None
        }
        None => None,
    };
    store.set_guard(scms_ee::certstore::Guard::new(device, list));
    Ok(store)
}

/// A refusal to sign is exit code 1 (the device is revoked), other failures 2.
fn signing_failure(e: scms_ee::provision::ProvisionError) -> Failure {
    match e {
        scms_ee::provision::ProvisionError::Revoked(_) => (1, e.to_string()),
        other => bad(other),
    }
}

fn run_report(a: &ReportArgs) -> Result<(), Failure> {
    use scms_asn1::Coer;
    use scms_ee::client::RaTransport;
    let device = open_device(&a.device)?;
    let now = a.device.time.unwrap_or_else(now_time32);
    let store = guarded_store(&device, now)?;
    let me = store
        .current(now)
        .map_err(signing_failure)?
        .ok_or_else(|| (1, format!("no pseudonym certificate valid at {now}")))?;
    let ma_path = a
        .ma_cert
        .clone()
        .unwrap_or_else(|| device.dir.trust_dir().join("MA.oer"));
    let ma = scms_asn1::ieee1609dot2::Certificate::from_coer(&read_bounded(&ma_path, 64 * 1024)?)
        .map_err(|e| bad(format!("{}: {e}", ma_path.display())))?;
    let mut spdus = Vec::new();
    for m in &a.messages {
        spdus.push(read_bounded(m, 64 * 1024)?);
    }
    let report = scms_ee::misbehavior::build_report(
        &spdus,
        &[],
        &scms_ee::misbehavior::Reporter {
            certificate: &me.cert,
            key: &me.key,
        },
        &ma,
        scms_core::time::time64_from_time32(now),
        scms_asn1::ieee1609dot2::ThreeDLocation {
            latitude: scms_asn1::ieee1609dot2::NinetyDegreeInt(900_000_001),
            longitude: scms_asn1::ieee1609dot2::OneEightyDegreeInt(1_800_000_001),
            elevation: 0,
        },
    )
    .map_err(bad)?;
    transport(&device, &a.net)?
        .post("/process-misbehavior-report", &report)
        .map_err(|e| (1, format!("report refused: {e}")))?;
    println!("misbehavior report on {} message(s) sent", spdus.len());
    Ok(())
}

fn run_crl(a: &CrlArgs) -> Result<(), Failure> {
    use scms_ee::client::RaTransport;
    let mut device = open_device(&a.device)?;
    let now = a.device.time.unwrap_or_else(now_time32);
    let r = transport(&device, &a.net)?
        .get("/download-crl/", &[])
        .map_err(|e| (1, format!("CRL download failed: {e}")))?;
    if r.status != 200 {
        return Err((1, format!("CRL download failed: HTTP {}", r.status)));
    }
    // Ballots are applied (and kept) even when the CRLs are then refused.
    let v = device
        .install_crl(&r.body, now)
        .map_err(|e| (1, format!("CRL refused: {e}")))?;
    for b in &v.ballots {
        println!("ballot: {b}");
    }
    for why in &v.ignored {
        println!("ignored: {why}");
    }
    let (hashes, chains) = v.revocations.len();
    println!(
        "CRL stored: {hashes} hash entries, {chains} linkage chains, next CRL at {}",
        v.next_crl
    );
    if let Err(e) = device.check_enrollment(now) {
        println!("{e}");
    }
    Ok(())
}
