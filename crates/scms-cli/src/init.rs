//! `scms init`: the key ceremony that creates a complete SCMS in one directory.

use std::path::PathBuf;
use std::process::ExitCode;

use scms_ca::{Config, Layout};
use scms_store::keystore::Passphrase;

/// Arguments of `scms init`.
#[derive(clap::Args)]
pub struct Args {
    /// The directory to create (must not exist or be empty).
    #[arg(long)]
    dir: PathBuf,
    /// A configuration file (TOML, the format of the `scms.toml` that init writes);
    /// every option has a default.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// The passphrase that encrypts private keys at rest, from `SCMS_PASSPHRASE` if set.
pub fn passphrase() -> Option<Passphrase> {
    std::env::var("SCMS_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Passphrase::from)
}

/// Runs `scms init`.
pub fn run(a: Args) -> ExitCode {
    let cfg = match &a.config {
        None => Config::default(),
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| Config::from_toml(&t))
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("scms init: {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    let layout = Layout::new(&a.dir);
    match scms_ca::init(&layout, &cfg, passphrase()) {
        Ok(r) => {
            println!("SCMS created in {}", a.dir.display());
            println!("  certificates: {}", r.certificates.join(", "));
            println!("  files:        {}", r.files.join(", "));
            println!("  LA ids:       {:#06x}, {:#06x}", r.la_ids.0, r.la_ids.1);
            println!("  start:        Time32 {}", r.start);
            println!(
                "  keys:         {} ({})",
                layout.keys().display(),
                if passphrase().is_some() {
                    "encrypted with SCMS_PASSPHRASE"
                } else {
                    "mode 0600, not encrypted"
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scms init: {e}");
            ExitCode::FAILURE
        }
    }
}
