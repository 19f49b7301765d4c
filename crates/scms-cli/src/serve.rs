//! `scms serve`: runs the authorities of an `scms init` directory as HTTPS services.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use scms_serve::{ServeOptions, Which};
use zeroize::Zeroizing;

/// Arguments of `scms serve`.
#[derive(clap::Args)]
pub struct Args {
    /// The directory made by `scms init`.
    #[arg(long)]
    dir: PathBuf,
    /// What to run: ra, pca, la1, la2, ma, pg, lop or all (each on its port of scms.toml).
    #[arg(default_value = "all", value_parser = clap::value_parser!(WhichArg))]
    which: WhichArg,
    /// QA mode: error replies carry the seed's error code name in the body.
    #[arg(long)]
    qa: bool,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Host of the peers (LAs, PCA, RA, MA) that run in other processes.
    #[arg(long, default_value = "127.0.0.1")]
    peer_host: String,
    /// Seconds between two runs of the RA pipeline (it also runs after every request).
    #[arg(long, default_value_t = 5)]
    step_interval: u64,
    /// RA: skip the shuffle wait for initial provisioning (seed: may be relaxed).
    #[arg(long)]
    initial_provisioning_bypass: bool,
}

/// [`Which`] for clap.
#[derive(Clone, Copy)]
struct WhichArg(Which);

impl std::str::FromStr for WhichArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.parse().map(WhichArg)
    }
}

/// Runs `scms serve` until SIGINT/SIGTERM.
pub fn run(a: Args) -> ExitCode {
    scms_serve::init_tracing();
    let mut opts = ServeOptions {
        qa: a.qa,
        bind: a.bind,
        peer_host: a.peer_host,
        step_interval: Duration::from_secs(a.step_interval.max(1)),
        passphrase: std::env::var("SCMS_PASSPHRASE")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Zeroizing::new),
        ..ServeOptions::default()
    };
    opts.ra.initial_provisioning_bypass = a.initial_provisioning_bypass;
    let result = scms_serve::serve(&a.dir, a.which.0, opts, |addrs| {
        for (c, addr) in addrs {
            println!("{c} https://{addr}");
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scms serve: {e}");
            ExitCode::FAILURE
        }
    }
}
