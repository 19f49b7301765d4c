//! The SCMS server runtime: runs the authorities of an `scms init` directory as HTTPS
//! services (`scms serve`).
//!
//! | component | port (`scms.toml`) | TLS | paths |
//! |---|---|---|---|
//! | RA | `ports.ra` (8892) | server-only | every EE path of the seed's RA services view, `/health` |
//! | PCA | `ports.pca` (8893) | mutual, RA only | `POST /pca/certificate-request`, `/health` |
//! | LA1, LA2 | `ports.la1` (8895), `ports.la2` (8896) | mutual, RA only | `POST /la/pre-linkage-values`, `/health` |
//! | MA | `ports.ma` (8894) | server-only; client certificate optional | `GET /download-crl/` (anyone), `POST /ma/misbehavior-report` (RA only), `POST /admin/revoke`, `/admin/ballot`, `/admin/root-crl`, `GET /admin/status` (operator only), `/health` |
//! | PG | `ports.pg` (8897) | mutual | `GET /download/policy/global`, `GET /download/global-certificate-chain`, `/health` |
//! | LOP | `ports.lop` (8890) | server-only | everything, forwarded to the RA (`/download-crl/` to the MA) |
//!
//! Each service uses its TLS identity `tls/<name>.pem` / `tls/<name>.key.pem`; clients trust
//! only `tls/root.pem`. The RA calls the LAs and the PCA over HTTPS with its own TLS identity
//! as client certificate ([`HttpsLaClient`], [`HttpsPcaClient`]); the all-in-one mode
//! ([`Which::All`]) runs every service on its own port in one process over the same HTTPS
//! code paths. A background task runs the RA pipeline ([`scms_ra::Ra::step`]) periodically
//! and after every accepted request. Errors follow the seed: a bare HTTP 500 (404 for an
//! unknown RA path, logged as `raInvalidURL`) with the code in the log; with
//! [`ServeOptions::qa`] the code name is also the body.
#![forbid(unsafe_code)]

mod backend;
mod common;
mod ma;
mod ra;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use scms_ca::config::Ports;
use scms_ca::{Config, Layout};
use scms_core::time::{Clock, SystemClock};
use scms_net::http::{
    server_config, shutdown_channel, spawn_https, ClientAuth, Credentials, HttpsClient, NetError,
    ServerLimits, ShutdownTrigger,
};
use scms_store::keystore::{Keystore, Passphrase};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

pub use backend::MAX_BACKEND_REQUEST;
pub use ma::{
    HttpsMaPeers, HttpsPeer, OperatorClient, ADMIN_BALLOT_PATH, ADMIN_REVOKE_PATH,
    ADMIN_ROOT_CRL_PATH, ADMIN_STATUS_PATH, LA_MA_PATH, MA_REPORT_PATH, OPERATOR_TLS_NAME,
    PCA_MA_PATH, RA_MA_PATH, REASON_HEADER,
};
pub use ra::{HttpsLaClient, HttpsPcaClient, LA_PATH, MAX_EE_REQUEST, PCA_PATH};

/// A service of `scms serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// The Registration Authority.
    Ra,
    /// The Pseudonym Certificate Authority.
    Pca,
    /// Linkage Authority 1.
    La1,
    /// Linkage Authority 2.
    La2,
    /// The Misbehavior Authority (here: its CRL store).
    Ma,
    /// The Policy Generator.
    Pg,
    /// The Location Obscurer Proxy.
    Lop,
}

impl Component {
    /// Every component, in start order (servers before their clients).
    pub const ALL: [Component; 7] = [
        Component::La1,
        Component::La2,
        Component::Pca,
        Component::Ma,
        Component::Pg,
        Component::Ra,
        Component::Lop,
    ];

    /// The name (`ra`, `pca`, ...): TLS file names, state directories, CLI.
    pub fn name(self) -> &'static str {
        match self {
            Component::Ra => "ra",
            Component::Pca => "pca",
            Component::La1 => "la1",
            Component::La2 => "la2",
            Component::Ma => "ma",
            Component::Pg => "pg",
            Component::Lop => "lop",
        }
    }

    /// Its port in `ports`.
    pub fn port(self, ports: &Ports) -> u16 {
        match self {
            Component::Ra => ports.ra,
            Component::Pca => ports.pca,
            Component::La1 => ports.la1,
            Component::La2 => ports.la2,
            Component::Ma => ports.ma,
            Component::Pg => ports.pg,
            Component::Lop => ports.lop,
        }
    }
}

impl std::fmt::Display for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every component, each on its own port, in one process.
    All,
    /// One component.
    One(Component),
}

impl Which {
    /// The components to run, in start order.
    pub fn components(self) -> Vec<Component> {
        match self {
            Which::All => Component::ALL.to_vec(),
            Which::One(c) => vec![c],
        }
    }
}

impl FromStr for Which {
    type Err = String;

    fn from_str(s: &str) -> Result<Which, String> {
        if s.eq_ignore_ascii_case("all") {
            return Ok(Which::All);
        }
        Component::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
            .map(Which::One)
            .ok_or_else(|| format!("unknown component {s:?} (ra, pca, la1, la2, ma, pg, lop, all)"))
    }
}

/// Options of [`start`].
pub struct ServeOptions {
    /// QA mode: error replies carry the seed's code name in the body.
    pub qa: bool,
    /// The address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Ports instead of those of `scms.toml` (0: any free port; see [`Running::addr`]).
    pub ports: Option<Ports>,
    /// Host of peers run by other processes (default 127.0.0.1); peers in this process are
    /// reached at their bound address.
    pub peer_host: String,
    /// The clock of the authorities.
    pub clock: Arc<dyn Clock>,
    /// The keystore passphrase (the CLI reads `SCMS_PASSPHRASE`).
    pub passphrase: Option<Zeroizing<String>>,
    /// RA options (`passphrase` defaults to [`ServeOptions::passphrase`]).
    pub ra: scms_ra::RaOptions,
    /// Period of the RA pipeline task.
    pub step_interval: Duration,
    /// Connection limits and timeouts of every server.
    pub limits: ServerLimits,
    /// The MA's detection policy (default [`scms_ma::Policy::default`]).
    pub ma_policy: Option<scms_ma::Policy>,
    /// Period of the MA task (detection policy, investigations, daily CRL).
    pub ma_interval: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            qa: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: None,
            peer_host: "127.0.0.1".into(),
            clock: Arc::new(SystemClock),
            passphrase: None,
            ra: scms_ra::RaOptions::default(),
            step_interval: Duration::from_secs(5),
            limits: ServerLimits::default(),
            ma_policy: None,
            ma_interval: Duration::from_secs(60),
        }
    }
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("qa", &self.qa)
            .field("bind", &self.bind)
            .field("ports", &self.ports)
            .field("peer_host", &self.peer_host)
            .field("step_interval", &self.step_interval)
            .finish_non_exhaustive()
    }
}

/// Why the services could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// `scms.toml` is missing or invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// TLS material or configuration.
    #[error("{component} TLS: {source}")]
    Tls {
        /// The component.
        component: Component,
        /// Why.
        source: NetError,
    },
    /// A port could not be bound.
    #[error("{component}: cannot bind {addr}: {source}")]
    Bind {
        /// The component.
        component: Component,
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// An authority could not be opened from the directory.
    #[error("{component}: {detail}")]
    Open {
        /// The component.
        component: Component,
        /// Why.
        detail: String,
    },
}

/// The running services.
#[derive(Debug)]
pub struct Running {
    addrs: BTreeMap<Component, SocketAddr>,
    trigger: ShutdownTrigger,
    tasks: Vec<JoinHandle<()>>,
    kick: Option<Arc<Notify>>,
    kick_ma: Option<Arc<Notify>>,
}

impl Running {
    /// The bound address of `component`, if it runs here.
    pub fn addr(&self, component: Component) -> Option<SocketAddr> {
        self.addrs.get(&component).copied()
    }

    /// Every bound address.
    pub fn addrs(&self) -> &BTreeMap<Component, SocketAddr> {
        &self.addrs
    }

    /// `https://<addr>` of `component`, if it runs here.
    pub fn url(&self, component: Component) -> Option<String> {
        self.addr(component).map(|a| format!("https://{a}"))
    }

    /// Wakes the RA pipeline task now (if the RA runs here).
    pub fn kick_ra(&self) {
        if let Some(k) = &self.kick {
            k.notify_one();
        }
    }

    /// Wakes the MA task now (detection policy and investigations), if the MA runs here.
    pub fn kick_ma(&self) {
        if let Some(k) = &self.kick_ma {
            k.notify_one();
        }
    }

    /// Stops accepting, lets open connections and the current pipeline step finish.
    pub async fn shutdown(self) {
        self.trigger.trigger();
        for t in self.tasks {
            if let Err(e) = t.await {
                tracing::error!(error = %e, "service task failed");
            }
        }
    }
}

fn open_err(component: Component) -> impl Fn(String) -> ServeError {
    move |detail| ServeError::Open { component, detail }
}

fn tls_err(component: Component) -> impl Fn(NetError) -> ServeError {
    move |source| ServeError::Tls { component, source }
}

/// The operator's TLS client certificate (`tls/operator.pem`), the only one the MA's
/// `/admin/*` routes accept; without it (a directory made before the operator identity
/// existed) they accept nobody.
fn operator_client(tls_dir: &Path) -> common::AllowedClients {
    let certs = match Credentials::load(tls_dir, OPERATOR_TLS_NAME) {
        Ok(c) => c
            .certificate()
            .cloned()
            .map(|cert| vec![(OPERATOR_TLS_NAME.to_owned(), cert)])
            .unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "no operator TLS identity: the MA's /admin routes are closed");
            vec![]
        }
    };
    common::AllowedClients {
        service: "ma-admin",
        certs: Arc::new(certs),
    }
}

fn passphrase(p: &Option<Zeroizing<String>>) -> Option<Passphrase> {
    p.as_ref().map(|s| Passphrase::new(s.as_str()))
}

/// Starts the services `which` of the `scms init` directory `dir`; returns once every
/// port is bound and every authority opened.
pub async fn start(
    dir: &Path,
    which: Which,
    mut opts: ServeOptions,
) -> Result<Running, ServeError> {
    let layout = Layout::new(dir);
    let text = std::fs::read_to_string(layout.config())
        .map_err(|e| ServeError::Config(format!("{}: {e}", layout.config().display())))?;
    let cfg = Config::from_toml(&text).map_err(ServeError::Config)?;
    let ports = opts.ports.clone().unwrap_or_else(|| cfg.ports.clone());
    let tls_dir = layout.tls();
    let components = which.components();
    let root = scms_net::tls_material::load_root_cert(&tls_dir)
        .map_err(|e| tls_err(components[0])(e.into()))?;

    // Bind every port first, so that peers in this process know each other's address.
    let mut listeners = BTreeMap::new();
    let mut addrs = BTreeMap::new();
    for &c in &components {
        let addr = SocketAddr::new(opts.bind, c.port(&ports));
        let l = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind {
                component: c,
                addr,
                source,
            })?;
        let bound = l.local_addr().map_err(|source| ServeError::Bind {
            component: c,
            addr,
            source,
        })?;
        tracing::info!(component = %c, addr = %bound, "listening");
        addrs.insert(c, bound);
        listeners.insert(c, l);
    }
    let peer_url = |c: Component| match addrs.get(&c) {
        Some(a) if a.ip().is_unspecified() => format!("https://127.0.0.1:{}", a.port()),
        Some(a) => format!("https://{a}"),
        None => format!("https://{}:{}", opts.peer_host, c.port(&ports)),
    };
    let (trigger, shutdown) = shutdown_channel();
    let mut tasks = Vec::new();
    let mut kick = None;
    let mut kick_ma = None;
    let tls_client = |who: Component, service: &'static str| -> Result<_, ServeError> {
        let creds = Credentials::load(&tls_dir, who.name()).map_err(tls_err(who))?;
        let cert = creds
            .certificate()
            .cloned()
            .ok_or_else(|| open_err(who)(format!("tls/{}.pem holds no certificate", who.name())))?;
        Ok(common::AllowedClients {
            service,
            certs: Arc::new(vec![(who.name().to_owned(), cert)]),
        })
    };
    let ra_tls_cert = || tls_client(Component::Ra, "");

    for c in components {
        let Some(listener) = listeners.remove(&c) else {
            continue;
        };
        let creds = Credentials::load(&tls_dir, c.name()).map_err(tls_err(c))?;
        let mutual = matches!(
            c,
            Component::La1 | Component::La2 | Component::Pca | Component::Pg
        );
        let auth = if mutual {
            ClientAuth::RequireFrom(root.clone())
        } else if matches!(c, Component::Ra | Component::Ma) {
            // EE-facing, with routes for the MA (at the RA) or the RA (at the MA).
            ClientAuth::OptionalFrom(root.clone())
        } else {
            ClientAuth::None
        };
        let tls = server_config(&creds, auth).map_err(tls_err(c))?;
        let router = match c {
            Component::La1 | Component::La2 => {
                let w = if c == Component::La1 {
                    scms_la::Which::La1
                } else {
                    scms_la::Which::La2
                };
                let (layout, clock, pass) = (
                    layout.clone(),
                    opts.clock.clone(),
                    passphrase(&opts.passphrase),
                );
                let la = tokio::task::spawn_blocking(move || {
                    let keys = Keystore::open(&layout.keys(), pass).map_err(|e| e.to_string())?;
                    scms_la::La::open(&layout, &keys, w, clock).map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| open_err(c)(e.to_string()))?
                .map_err(open_err(c))?;
                let mut allowed = ra_tls_cert()?;
                allowed.service = c.name();
                let allowed_ma = tls_client(Component::Ma, c.name())?;
                backend::la_router(Arc::new(la), opts.qa, allowed, allowed_ma)
            }
            Component::Pca => {
                let (layout, clock, pass) = (
                    layout.clone(),
                    opts.clock.clone(),
                    passphrase(&opts.passphrase),
                );
                let pca = tokio::task::spawn_blocking(move || {
                    let keys = Keystore::open(&layout.keys(), pass).map_err(|e| e.to_string())?;
                    scms_pca::Pca::open(&layout, &keys, clock).map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| open_err(c)(e.to_string()))?
                .map_err(open_err(c))?;
                let mut allowed = ra_tls_cert()?;
                allowed.service = "pca";
                let allowed_ma = tls_client(Component::Ma, "pca")?;
                backend::pca_router(Arc::new(pca), opts.qa, allowed, allowed_ma)
            }
            Component::Ma => {
                let (l, clock, pass, policy) = (
                    layout.clone(),
                    opts.clock.clone(),
                    passphrase(&opts.passphrase),
                    opts.ma_policy.clone(),
                );
                let ma = tokio::task::spawn_blocking(move || {
                    let keys = Keystore::open(&l.keys(), pass).map_err(|e| e.to_string())?;
                    let mut ma = scms_ma::Ma::open(&l, &keys, clock).map_err(|e| e.to_string())?;
                    if let Some(p) = policy {
                        ma.set_policy(p);
                    }
                    Ok::<_, String>(ma)
                })
                .await
                .map_err(|e| open_err(c)(e.to_string()))?
                .map_err(open_err(c))?;
                let ma = Arc::new(ma);
                let client = HttpsClient::new(root.clone(), Some(&creds)).map_err(tls_err(c))?;
                let peers = Arc::new(HttpsMaPeers::new(
                    client,
                    tokio::runtime::Handle::current(),
                    &peer_url(Component::Pca),
                    &peer_url(Component::Ra),
                    &peer_url(Component::La1),
                    &peer_url(Component::La2),
                ));
                let k = Arc::new(Notify::new());
                tasks.push(tokio::spawn(ma::ma_task(
                    ma.clone(),
                    peers.clone(),
                    opts.clock.clone(),
                    k.clone(),
                    opts.ma_interval,
                    shutdown.clone(),
                )));
                kick_ma = Some(k.clone());
                ma::ma_router(ma::MaRoutes {
                    ma,
                    files: layout.files(),
                    qa: opts.qa,
                    kick: k,
                    peers,
                    allowed_ra: tls_client(Component::Ra, "ma")?,
                    allowed_operator: operator_client(&tls_dir),
                })
            }
            Component::Pg => backend::pg_router(layout.files(), opts.qa),
            Component::Ra => {
                let client = HttpsClient::new(root.clone(), Some(&creds)).map_err(tls_err(c))?;
                let rt = tokio::runtime::Handle::current();
                let la = Arc::new(HttpsLaClient::new(
                    client.clone(),
                    rt.clone(),
                    &peer_url(Component::La1),
                    &peer_url(Component::La2),
                ));
                let pca = Arc::new(HttpsPcaClient::new(
                    client.clone(),
                    rt.clone(),
                    &peer_url(Component::Pca),
                ));
                let ma_client: Arc<dyn scms_ra::MaClient> = Arc::new(HttpsPeer::new(
                    client,
                    rt,
                    &peer_url(Component::Ma),
                    MA_REPORT_PATH,
                ));
                let mut ra_opts = std::mem::take(&mut opts.ra);
                if ra_opts.passphrase.is_none() {
                    ra_opts.passphrase = passphrase(&opts.passphrase);
                }
                let dir: PathBuf = dir.to_path_buf();
                let ra = tokio::task::spawn_blocking(move || {
                    scms_ra::Ra::open(&dir, ra_opts, la, pca).map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| open_err(c)(e.to_string()))?
                .map_err(open_err(c))?;
                let ra = Arc::new(ra);
                let k = Arc::new(Notify::new());
                tasks.push(tokio::spawn(ra::pipeline(
                    ra.clone(),
                    opts.clock.clone(),
                    k.clone(),
                    opts.step_interval,
                    ma_client,
                    shutdown.clone(),
                )));
                kick = Some(k.clone());
                let allowed_ma = tls_client(Component::Ma, "ra")?;
                ra::router(
                    Arc::new(ra::RaService {
                        ra,
                        clock: opts.clock.clone(),
                        qa: opts.qa,
                        kick: k,
                    }),
                    allowed_ma,
                )
            }
            Component::Lop => {
                let client = HttpsClient::new(root.clone(), Some(&creds)).map_err(tls_err(c))?;
                let lop = scms_lop::Lop::new(
                    client,
                    scms_lop::Upstreams {
                        ra: peer_url(Component::Ra),
                        crl_store: peer_url(Component::Ma),
                    },
                );
                scms_lop::router(Arc::new(lop))
            }
        };
        tasks.push(spawn_https(
            listener,
            tls,
            router,
            shutdown.clone(),
            opts.limits.clone(),
        ));
    }
    Ok(Running {
        addrs,
        trigger,
        tasks,
        kick,
        kick_ma,
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `scms serve`: starts `which`, reports the bound addresses through `on_started`, runs
/// until SIGINT/SIGTERM, then shuts down gracefully. Builds its own tokio runtime.
pub fn serve(
    dir: &Path,
    which: Which,
    opts: ServeOptions,
    on_started: impl FnOnce(&BTreeMap<Component, SocketAddr>),
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Config(format!("tokio runtime: {e}")))?;
    rt.block_on(async {
        let running = start(dir, which, opts).await?;
        on_started(running.addrs());
        wait_for_signal().await;
        tracing::info!("shutting down");
        running.shutdown().await;
        Ok(())
    })
}

/// Logs to stderr (`RUST_LOG` filter, default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
