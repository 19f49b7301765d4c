//! `scms ee`: the end-entity side (keygen, bootstrap) of manual bootstrapping (seed 004,
//! Use Case 2).
//!
//! Exit codes: 0 success, 1 a check failed (bootstrap), 2 bad input or I/O error.

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
