//! `scms demo`: the whole SCMS lifecycle in one run, on the embedded default (SQLite files
//! in a fresh directory, every authority over real HTTPS on loopback).
//!
//! 1. **init**: the key ceremony ([`scms_ca::init`]) into a fresh directory.
//! 2. **serve**: every authority ([`scms_serve::start`], all-in-one, ephemeral ports), the
//!    LOP in front of the RA and the MA's CRL store, with a [`ManualClock`] shared by the
//!    authorities and the devices so that weeks pass in milliseconds.
//! 3. **bootstrap**: every vehicle (OBE) and RSE makes its key and CSR
//!    ([`scms_ee::enrollment::keygen`]), the DCM enrolls the zip of CSRs at the ECA
//!    ([`scms_dcm::enroll`]), each device checks its response ([`scms_ee::bootstrap`]).
//! 4. **provision**: vehicles request pseudonym certificates, RSEs application certificates,
//!    over HTTPS through the LOP ([`scms_ee::client::Client`]); the RA's pipeline asks both
//!    LAs and the PCA over mutual TLS; devices download their batches.
//! 5. **weeks**: each simulated week vehicles drive around a ring road ([`road`]),
//!    broadcasting BSMs at 10 Hz signed with their current pseudonym certificate; RSEs
//!    broadcast SPaT-like messages (PSID 0x82); every vehicle in radio range verifies
//!    ([`scms_ee::messages::Verifier`]). Between weeks the clock moves on, vehicles top off
//!    their pseudonyms as `.info` tells them, RSEs renew their application certificate.
//! 6. **misbehavior**: one vehicle reports implausible positions; vehicles that notice
//!    build misbehavior reports ([`scms_ee::misbehavior::build_report`]) and post them to
//!    the RA's `/process-misbehavior-report` through the LOP; the MA verifies them, its
//!    detection policy flags the vehicle, it investigates with the PCA, the RA and both LAs,
//!    the CRL Generator publishes a CRL with the vehicle's linkage seeds; the other vehicles
//!    download it (`/download-crl/` through the LOP) and install it as devices do
//!    ([`scms_ee::client::Client::install_crl`]), and from then on reject the vehicle's
//!    messages; its RA refuses it (`raBlacklisted`). When the revoked vehicle installs the
//!    CRL itself, its certificate store's guard refuses its pseudonyms: it stops
//!    transmitting.
//!
//! Every figure of the [`Summary`] is a counter of what happened.

#![forbid(unsafe_code)]

mod fleet;
mod revocation;
pub mod rng;
pub mod road;
pub mod stats;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use scms_ca::config::Ports;
use scms_ca::{Config, Layout};
use scms_core::time::{i_period, i_period_start, Clock, ManualClock, SystemClock};
use scms_serve::{Component, ServeOptions, Which};

pub use stats::Summary;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The `scms init` directory to create (must not exist or be empty), kept after the
    /// run; `None`: a temporary directory, removed at the end.
    pub dir: Option<PathBuf>,
    /// Vehicles (at least 3: one misbehaves, two report it).
    pub vehicles: u32,
    /// Roadside units.
    pub rses: u32,
    /// Simulated weeks (at least 1).
    pub weeks: u32,
    /// Seed of the road model (positions, speeds, which vehicle misbehaves).
    pub seed: u64,
    /// Simulated seconds of 10 Hz driving per week.
    pub drive_seconds: u32,
    /// Show progress bars.
    pub progress: bool,
    /// Wall-time limit of each wait for the services (provisioning rounds), seconds.
    pub wait_limit_seconds: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dir: None,
            vehicles: 20,
            rses: 2,
            weeks: 3,
            seed: 1,
            drive_seconds: 4,
            progress: false,
            wait_limit_seconds: 120,
        }
    }
}

/// Why the demo failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The options cannot run the scenario.
    #[error("invalid options: {0}")]
    Options(String),
    /// `--dir` exists and is not empty.
    #[error("{0}: the directory is not empty (scms demo needs a fresh one)")]
    DirNotEmpty(PathBuf),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key ceremony failed.
    #[error("scms init: {0}")]
    Init(String),
    /// The services did not start.
    #[error("scms serve: {0}")]
    Serve(#[from] scms_serve::ServeError),
    /// A device operation failed.
    #[error("{device}: {what}: {detail}")]
    Device {
        /// The device.
        device: String,
        /// What it was doing.
        what: &'static str,
        /// Why it failed.
        detail: String,
    },
    /// An authority opened in process failed.
    #[error("{component}: {detail}")]
    Authority {
        /// The authority.
        component: &'static str,
        /// Why.
        detail: String,
    },
    /// Waiting for the services took too long.
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// The limit.
        seconds: u64,
    },
    /// The scenario did not end as the system must make it end.
    #[error("unexpected outcome: {0}")]
    Outcome(String),
}

impl DemoError {
    pub(crate) fn device(device: &str, what: &'static str, detail: impl std::fmt::Display) -> Self {
        DemoError::Device {
            device: device.to_owned(),
            what,
            detail: detail.to_string(),
        }
    }

    pub(crate) fn authority(component: &'static str, detail: impl std::fmt::Display) -> Self {
        DemoError::Authority {
            component,
            detail: detail.to_string(),
        }
    }
}

pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Output of the run: lines of narration and progress bars.
pub(crate) struct Ui<'a> {
    multi: MultiProgress,
    show: bool,
    out: &'a mut dyn FnMut(&str),
}

impl Ui<'_> {
    pub(crate) fn say(&mut self, line: &str) {
        if self.show {
            let _ = self.multi.println(line);
        } else {
            (self.out)(line);
        }
    }

    pub(crate) fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if !self.show {
            return ProgressBar::hidden();
        }
        let style =
            ProgressStyle::with_template("{spinner} {msg:<28} [{bar:32}] {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        let b = self.multi.add(ProgressBar::new(len));
        b.set_style(style);
        b.set_message(what.to_owned());
        b
    }
}

/// Wall time of the phases.
struct Phases {
    list: Vec<stats::Phase>,
    started: Instant,
}

impl Phases {
    fn done(&mut self, name: &str) {
        self.list.push(stats::Phase {
            name: name.to_owned(),
            seconds: self.started.elapsed().as_secs_f64(),
        });
        self.started = Instant::now();
    }
}

fn fresh_dir(opts: &Options) -> Result<(PathBuf, bool), DemoError> {
    match &opts.dir {
        Some(d) => {
            if d.exists() {
                let mut it = std::fs::read_dir(d).map_err(io(d))?;
                if it.next().is_some() {
                    return Err(DemoError::DirNotEmpty(d.clone()));
                }
            }
            std::fs::create_dir_all(d).map_err(io(d))?;
            Ok((d.clone(), true))
        }
        None => {
            let base = std::env::temp_dir();
            for k in 0u32..1000 {
                let d = base.join(format!(
                    "scms-demo-{}-{}-{k}",
                    std::process::id(),
                    SystemClock.now()
                ));
                match std::fs::create_dir(&d) {
                    Ok(()) => return Ok((d, false)),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(io(&d)(e)),
                }
            }
            Err(DemoError::Options(
                "no free temporary directory name".into(),
            ))
        }
    }
}

/// Runs the demo; `out` receives the narration (when progress bars are shown, lines are
/// printed above them instead). Returns the figures.
pub fn run(opts: &Options, out: &mut dyn FnMut(&str)) -> Result<Summary, DemoError> {
    if opts.vehicles < 3 {
        return Err(DemoError::Options(
            "at least 3 vehicles (one misbehaves, two report it)".into(),
        ));
    }
    if opts.weeks < 1 || opts.weeks > 52 {
        return Err(DemoError::Options("weeks must be 1..=52".into()));
    }
    if opts.drive_seconds < 1 {
        return Err(DemoError::Options(
            "drive seconds must be at least 1".into(),
        ));
    }
    let (root, keep) = fresh_dir(opts)?;
    let multi = MultiProgress::with_draw_target(if opts.progress {
        ProgressDrawTarget::stdout()
    } else {
        ProgressDrawTarget::hidden()
    });
    let mut ui = Ui {
        multi,
        show: opts.progress,
        out,
    };
    let result = run_in(opts, &root, keep, &mut ui);
    if !keep {
        let _ = std::fs::remove_dir_all(&root);
    }
    result
}

fn run_in(opts: &Options, root: &Path, keep: bool, ui: &mut Ui<'_>) -> Result<Summary, DemoError> {
    let t_all = Instant::now();
    let mut phases = Phases {
        list: Vec::new(),
        started: Instant::now(),
    };
    let mut summary = Summary {
        parameters: stats::Parameters {
            vehicles: opts.vehicles,
            rses: opts.rses,
            weeks: opts.weeks,
            seed: opts.seed,
            dir: root.display().to_string(),
            kept: keep,
            drive_seconds_per_week: opts.drive_seconds,
        },
        ..Summary::default()
    };

    // 1. The key ceremony.
    let now = SystemClock.now();
    let layout = Layout::new(root.join("scms"));
    let cfg = Config {
        start: i_period(now).and_then(i_period_start),
        ..Config::default()
    };
    ui.say(&format!(
        "scms init: key ceremony into {}",
        layout.root().display()
    ));
    scms_ca::init(&layout, &cfg, None).map_err(|e| DemoError::Init(e.to_string()))?;
    phases.done("init (key ceremony)");

    // 2. The services, all over HTTPS on loopback.
    let clock = Arc::new(ManualClock::new(now));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| DemoError::authority("runtime", e))?;
    let mut serve_opts = ServeOptions {
        qa: true,
        ports: Some(Ports {
            ra: 0,
            ma: 0,
            pca: 0,
            la1: 0,
            la2: 0,
            pg: 0,
            lop: 0,
        }),
        clock: clock.clone(),
        step_interval: Duration::from_millis(100),
        ..ServeOptions::default()
    };
    serve_opts.ra.supply_weeks = Some(2);
    serve_opts.ra.initial_provisioning_bypass = true;
    // Reports are pooled and shuffled before the RA forwards them (PoC: 10,000 or a day).
    serve_opts.ra.report_threshold = Some(2);
    serve_opts.ra.report_max_age = Some(60);
    serve_opts.ma_interval = Duration::from_millis(250);
    let running = rt.block_on(scms_serve::start(layout.root(), Which::All, serve_opts))?;
    let lop = running
        .url(Component::Lop)
        .ok_or_else(|| DemoError::authority("lop", "not running"))?;
    let mut listing = Vec::new();
    for (c, a) in running.addrs() {
        listing.push(format!("{c} {a}"));
    }
    ui.say(&format!(
        "scms serve: every authority over HTTPS: {}",
        listing.join(", ")
    ));
    phases.done("start services");

    let result = fleet::scenario(
        opts,
        &layout,
        &lop,
        &running,
        clock,
        ui,
        &mut phases,
        &mut summary,
    );
    rt.block_on(running.shutdown());
    rt.shutdown_timeout(Duration::from_secs(2));
    result?;
    phases.done("shutdown");
    summary.phases = phases.list;
    summary.total_seconds = t_all.elapsed().as_secs_f64();
    summary.consistent().map_err(DemoError::Outcome)?;
    Ok(summary)
}
