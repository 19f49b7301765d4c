//! `scms dcm`: the Device Configuration Manager (manual bootstrapping, Use Case 2).
//!
//! Exit codes of `scms dcm enroll`: 0 every CSR was processed (some may have been
//! rejected: each gets `<stem>/error.txt`), 2 unusable input (not a zip, empty, too
//! large, or entries that are not `<hex>.oer` files at the top level: the response is
//! still written for the others), 1 any other failure (init directory, keys, I/O).

use std::path::PathBuf;
use std::process::ExitCode;

use scms_dcm::{enroll_zip, DcmError, Outcome};
use scms_eca::{Eca, EcaConfig};
use scms_store::{Keystore, Passphrase};

/// Subcommands of `scms dcm`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Enroll the devices of a flat zip of `<enrollment pub hex>.oer` CSRs (Code Block 1)
    /// with the ECA and write the response zip (Code Block 2).
    Enroll(EnrollArgs),
}

/// Arguments of `scms dcm enroll`.
#[derive(clap::Args)]
pub struct EnrollArgs {
    /// The requests zip.
    requests: PathBuf,
    /// Where to write the response zip.
    #[arg(short, long)]
    out: PathBuf,
    /// The `scms init` directory (keys, certificates, files, ECA and DCM state).
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// A country (UN M49) CSR regions may name, repeatable (default: 840, USA only;
    /// regions must also lie inside the ECA certificate's).
    #[arg(long = "allow-country")]
    allow_country: Vec<u16>,
    /// The processing time (Time32), instead of the current time.
    #[arg(long)]
    time: Option<u32>,
}

/// Runs a `scms dcm` subcommand.
pub fn run(c: Command) -> ExitCode {
    match c {
        Command::Enroll(a) => enroll(a),
    }
}

fn now() -> u32 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    scms_core::time::time32_from_unix(unix)
}

fn enroll(a: EnrollArgs) -> ExitCode {
    let passphrase = std::env::var("SCMS_PASSPHRASE").ok().map(Passphrase::new);
    let signer = match Keystore::open(&a.dir.join("keys"), passphrase)
        .and_then(|ks| ks.load_signer("eca"))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scms dcm enroll: ECA key: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = EcaConfig::default();
    if !a.allow_country.is_empty() {
        config.allowed_countries = a.allow_country.clone();
    }
    let mut eca = match Eca::open(&a.dir, signer, config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("scms dcm enroll: ECA: {e}");
            return ExitCode::FAILURE;
        }
    };
    let now = a.time.unwrap_or_else(now);
    let report = match enroll_zip(&mut eca, &a.requests, &a.dir, &a.out, now) {
        Ok(r) => r,
        Err(
            e @ (DcmError::BadZip(_)
            | DcmError::TooManyEntries { .. }
            | DcmError::TooLarge { .. }
            | DcmError::Empty),
        ) => {
            eprintln!("scms dcm enroll: {}: {e}", a.requests.display());
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("scms dcm enroll: {e}");
            return ExitCode::FAILURE;
        }
    };
    for e in &report.entries {
        match &e.outcome {
            Outcome::Accepted { kind, cert_id8 } => println!(
                "enrolled  {}: {kind} enrollment certificate {}",
                e.name,
                hex::encode(cert_id8)
            ),
            Outcome::Rejected(r) => println!("rejected  {}: {r}", e.name),
            Outcome::Refused(why) => println!("refused   {}: {why}", e.name),
            _ => println!("?         {}", e.name),
        }
    }
    let csrs = report.accepted() + report.rejected();
    println!(
        "{csrs} CSRs processed: {} enrolled, {} rejected{}; response written to {}",
        report.accepted(),
        report.rejected(),
        if report.refused() > 0 {
            format!(
                "; {} zip entries refused (not <hex>.oer at the top level)",
                report.refused()
            )
        } else {
            String::new()
        },
        a.out.display()
    );
    if report.rejected() > 0 {
        println!("rejected CSRs: see <stem>/error.txt in the response zip");
    }
    if report.refused() > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
