//! The MA's HTTPS service (CRL store and report intake from the RA), its HTTPS clients to
//! the PCA, LAs and RA, the investigation task, and the RA's [`MaClient`] over HTTPS.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http::StatusCode;
use scms_core::time::Clock;
use scms_ma::{ClientError, LaClient, Ma, PcaClient, Peers, RaClient};
use scms_net::http::{error_response, HttpsClient, Shutdown};
use scms_ra::{MaClient, RaError};
use tokio::runtime::Handle;
use tokio::sync::Notify;

use crate::common::{bare, blocking, health, require_client, AllowedClients};

/// The MA path the RA posts misbehavior reports to (mutual TLS, RA only).
pub const MA_REPORT_PATH: &str = "/ma/misbehavior-report";
/// The PCA path the MA posts `SecuredMaPcaHPCRRequest`s to (mutual TLS, MA only).
pub const PCA_MA_PATH: &str = "/pca/ma-request";
/// The LA path the MA posts `SignedLSRequest`s to (mutual TLS, MA only).
pub const LA_MA_PATH: &str = "/la/linkage-seed";
/// The RA path the MA posts `maRaLCIRequest`s and `maRaBlacklistRequest`s to (mutual TLS,
/// MA only).
pub const RA_MA_PATH: &str = "/ra/ma-request";

/// Largest report the MA accepts from the RA (bytes).
const MAX_FORWARDED_REPORT: usize = scms_ra::MAX_REPORT;

/// One HTTPS endpoint of a peer, called from blocking code.
#[derive(Debug, Clone)]
pub struct HttpsPeer {
    client: HttpsClient,
    runtime: Handle,
    url: String,
}

impl HttpsPeer {
    /// Posts to `<base><path>`.
    pub fn new(client: HttpsClient, runtime: Handle, base: &str, path: &str) -> Self {
        HttpsPeer {
            client,
            runtime,
            url: format!("{}{path}", base.trim_end_matches('/')),
        }
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.client
            .post_blocking(&self.runtime, &self.url, body.to_vec())
            .map_err(|e| ClientError(format!("{}: {e}", self.url)))
    }
}

impl PcaClient for HttpsPeer {
    fn ma_pca(&self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.post(request)
    }
}

impl LaClient for HttpsPeer {
    fn linkage_seed(&self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.post(request)
    }
}

impl RaClient for HttpsPeer {
    fn lci_for_hpcr(&self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.post(request)
    }

    fn blacklist(&self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.post(request)
    }
}

impl MaClient for HttpsPeer {
    fn forward_report(&self, report: &[u8]) -> Result<(), RaError> {
        self.client
            .post_blocking(&self.runtime, &self.url, report.to_vec())
            .map(|_| ())
            .map_err(|e| RaError::peer("ma", e.to_string()))
    }
}

/// The MA's peers over HTTPS (mutual TLS with the MA's TLS identity).
#[derive(Debug, Clone)]
pub struct HttpsMaPeers {
    /// The PCA (`/pca/ma-request`).
    pub pca: HttpsPeer,
    /// The RA (`/ra/ma-request`).
    pub ra: HttpsPeer,
    /// LA1 (`/la/linkage-seed`).
    pub la1: HttpsPeer,
    /// LA2 (`/la/linkage-seed`).
    pub la2: HttpsPeer,
}

impl HttpsMaPeers {
    /// The peers at the given base URLs.
    pub fn new(
        client: HttpsClient,
        runtime: Handle,
        pca: &str,
        ra: &str,
        la1: &str,
        la2: &str,
    ) -> Self {
        let p =
            |base: &str, path: &str| HttpsPeer::new(client.clone(), runtime.clone(), base, path);
        HttpsMaPeers {
            pca: p(pca, PCA_MA_PATH),
            ra: p(ra, RA_MA_PATH),
            la1: p(la1, LA_MA_PATH),
            la2: p(la2, LA_MA_PATH),
        }
    }

    /// As [`Peers`] for [`Ma::investigate`].
    pub fn peers(&self) -> Peers<'_> {
        Peers {
            pca: &self.pca,
            ra: &self.ra,
            la1: &self.la1,
            la2: &self.la2,
        }
    }
}

struct MaService {
    ma: Arc<Ma>,
    qa: bool,
    kick: Arc<Notify>,
}

async fn receive_report(State(s): State<Arc<MaService>>, body: Bytes) -> Response {
    let ma = s.ma.clone();
    match blocking(move || ma.receive_report(&body)).await {
        Ok(Ok(_)) => {
            s.kick.notify_one();
            bare(StatusCode::OK)
        }
        Ok(Err(e)) => error_response(
            s.qa,
            StatusCode::INTERNAL_SERVER_ERROR,
            "maReportRefused",
            &e,
        ),
        Err(r) => r,
    }
}

/// The MA port: the CRL store (`GET /download-crl/`, unauthenticated) and
/// `POST /ma/misbehavior-report` (mutual TLS, the RA's certificate only).
pub(crate) fn ma_router(
    ma: Arc<Ma>,
    files: PathBuf,
    qa: bool,
    kick: Arc<Notify>,
    allowed_ra: AllowedClients,
) -> Router {
    let reports = Router::new()
        .route(MA_REPORT_PATH, post(receive_report))
        .with_state(Arc::new(MaService { ma, qa, kick }))
        .layer(DefaultBodyLimit::max(MAX_FORWARDED_REPORT))
        .layer(axum::middleware::from_fn_with_state(
            allowed_ra,
            require_client,
        ));
    crate::backend::crl_router(files, qa)
        .merge(reports)
        .route("/health", get(health))
}

/// The MA's background work: every `interval` (or when kicked), runs the detection policy
/// and investigates every suspect through `peers` ([`Ma::suspects`] → [`Ma::investigate`],
/// which publishes a new CRL per revocation), and publishes the CRL at least daily.
pub(crate) async fn ma_task(
    ma: Arc<Ma>,
    peers: Arc<HttpsMaPeers>,
    clock: Arc<dyn Clock>,
    kick: Arc<Notify>,
    interval: Duration,
    mut shutdown: Shutdown,
) {
    let mut last_publish: Option<u32> = None;
    loop {
        tokio::select! {
            _ = shutdown.wait() => break,
            _ = kick.notified() => {}
            _ = tokio::time::sleep(interval) => {}
        }
        let (ma, peers, clock) = (ma.clone(), peers.clone(), clock.clone());
        let last = last_publish;
        let run = tokio::task::spawn_blocking(move || -> Result<Option<u32>, scms_ma::MaError> {
            let mut published = None;
            for s in ma.suspects()? {
                match ma.investigate(&s, peers.peers()) {
                    Ok(inv) => {
                        tracing::warn!(
                            subject = %hex::encode(inv.subject),
                            reporters = s.reporters,
                            blacklisted = inv.blacklisted,
                            "suspect revoked"
                        );
                        published = Some(clock.now());
                    }
                    Err(e) => tracing::warn!(error = %e, "investigation failed (retried later)"),
                }
            }
            let now = clock.now();
            let due = last
                .or(published)
                .is_none_or(|t| now >= t.saturating_add(86_400 - 3_600));
            if due && published.is_none() {
                ma.publish_crl()?;
                published = Some(now);
            }
            Ok(published)
        })
        .await;
        match run {
            Ok(Ok(Some(t))) => last_publish = Some(t),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "MA task failed"),
            Err(e) => tracing::error!(error = %e, "MA task panicked"),
        }
    }
}
