//! `scms demo`: the whole SCMS lifecycle in one command (see the `scms-demo` crate).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scms demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Keep the SCMS and the devices in this directory (it must not exist or be empty);
    /// default: a temporary directory, removed at the end.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Vehicles (OBEs); one of them misbehaves.
    #[arg(long, default_value_t = 20)]
    vehicles: u32,
    /// Roadside units (SPaT broadcasts, application certificates).
    #[arg(long, default_value_t = 2)]
    rses: u32,
    /// Simulated weeks (pseudonym periods).
    #[arg(long, default_value_t = 3)]
    weeks: u32,
    /// Seed of the road model (positions, speeds, which vehicle misbehaves).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulated seconds of 10 Hz driving per week.
    #[arg(long, default_value_t = 4)]
    drive_seconds: u32,
    /// Also write the summary figures as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Runs `scms demo`.
pub fn run(a: Args) -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        scms_serve::init_tracing();
    }
    let opts = scms_demo::Options {
        dir: a.dir,
        vehicles: a.vehicles,
        rses: a.rses,
        weeks: a.weeks,
        seed: a.seed,
        drive_seconds: a.drive_seconds,
        progress: std::io::stdout().is_terminal(),
        ..scms_demo::Options::default()
    };
    let mut print = |line: &str| println!("{line}");
    let summary = match scms_demo::run(&opts, &mut print) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scms demo: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", summary.table());
    if summary.parameters.kept {
        println!(
            "state kept in {} (e.g. scms inspect --verify --issuer {0}/scms/certs {0}/scms/files/CRL.oer)",
            summary.parameters.dir
        );
    }
    if let Some(p) = a.json {
        let text = match summary.json() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("scms demo: JSON: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(&p, text + "\n") {
            eprintln!("scms demo: {}: {e}", p.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
