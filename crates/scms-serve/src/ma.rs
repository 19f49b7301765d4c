//! The MA's HTTPS service (CRL store, report intake from the RA, the operator's `/admin/*`
//! routes), its HTTPS clients to the PCA, LAs and RA, the investigation task, the RA's
//! [`MaClient`] over HTTPS and the operator's client ([`OperatorClient`]).
//!
//! Operator routes (mutual TLS, the `operator` TLS identity of `scms init` only; JSON
//! answers; errors a bare HTTP 500 with the code logged, the code as body in QA mode):
//!
//! | route | body | effect |
//! |---|---|---|
//! | `POST /admin/revoke` | COER `Certificate` (header `X-Reason` optional) | [`Ma::revoke_by_operator`] |
//! | `POST /admin/ballot` | COER `ElectorBallot` (removeRoot / removeElector) | [`Ma::publish_ballot`] |
//! | `POST /admin/root-crl` | COER root-signed `SecuredCrl` of series 256 | [`Ma::add_root_crl`] |

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::Full;
use scms_asn1::camp::component_cert_management::ElectorBallot;
use scms_asn1::ieee1609dot2::{Certificate, SecuredCrl};
use scms_asn1::Coer;
use scms_core::ballot::BallotEffect;
use scms_core::hash::certificate_id10;
use scms_core::time::Clock;
use scms_ma::{
    ClientError, Investigation, LaClient, Ma, MaError, PcaClient, Peers, Publication, RaClient,
    RevocationEntry,
};
use scms_net::http::{error_response, Credentials, HttpsClient, NetError, Shutdown};
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

/// The operator's revocation route on the MA port.
pub const ADMIN_REVOKE_PATH: &str = "/admin/revoke";
/// The operator's route for removeRoot / removeElector ballots.
pub const ADMIN_BALLOT_PATH: &str = "/admin/ballot";
/// The operator's route for root-signed CRLs.
pub const ADMIN_ROOT_CRL_PATH: &str = "/admin/root-crl";
/// The operator's status route (`GET`, JSON).
pub const ADMIN_STATUS_PATH: &str = "/admin/status";
/// The header carrying the operator's reason for a revocation.
pub const REASON_HEADER: &str = "x-reason";
/// The name of the operator's TLS identity (`tls/operator.pem`, `tls/operator.key.pem`).
pub const OPERATOR_TLS_NAME: &str = "operator";

/// Largest report the MA accepts from the RA (bytes).
const MAX_FORWARDED_REPORT: usize = scms_ra::MAX_REPORT;
/// Largest operator request body (bytes): a certificate, a ballot or a root CRL.
const MAX_ADMIN_REQUEST: usize = 1 << 20;
/// Longest reason kept (characters).
const MAX_REASON: usize = 200;

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
    peers: Arc<HttpsMaPeers>,
}

/// The JSON answer of `/admin/revoke`.
fn revocation_json(cert: &Certificate, inv: &Investigation) -> serde_json::Value {
    let (kind, series, entry) = match &inv.entry {
        RevocationEntry::Linkage(l) => (
            "pseudonym",
            scms_core::profile::crl_series::OBE_PSEUDONYM,
            serde_json::json!({ "linkage": { "iRev": l.i_rev, "iMax": l.i_max, "jMax": l.j_max } }),
        ),
        RevocationEntry::Hash {
            series,
            id10,
            expiry,
        } => (
            match *series {
                scms_core::profile::crl_series::EE_NON_PSEUDONYM => "identification-or-application",
                scms_core::profile::crl_series::EE_ENROLLMENT => "enrollment",
                _ => "component",
            },
            *series,
            serde_json::json!({ "hash": { "hashedId10": hex::encode(id10), "expiry": expiry } }),
        ),
    };
    serde_json::json!({
        "kind": kind,
        "series": series,
        "subject": hex::encode(inv.subject),
        "hashedId10": hex::encode(certificate_id10(cert)),
        "entry": entry,
        "blacklisted": inv.blacklisted,
        "crlSerial": inv.crl_serial,
    })
}

/// The JSON answer of `/admin/ballot` and `/admin/root-crl`.
fn publication_json(p: &Publication) -> serde_json::Value {
    let effect = p.effect.map(|e| match e {
        BallotEffect::RootRemoved { id, changed } => {
            serde_json::json!({ "removedRoot": hex::encode(id), "changed": changed })
        }
        BallotEffect::ElectorRemoved { id, changed } => {
            serde_json::json!({ "removedElector": hex::encode(id), "changed": changed })
        }
        other => serde_json::json!(format!("{other:?}")),
    });
    serde_json::json!({
        "effect": effect,
        "new": p.new,
        "crlSerial": p.crl_serial,
        "revokedRootCAs": p.crl.revoked_root_cas.len(),
        "revokedElectors": p.crl.revoked_electors.len(),
        "crls": p.crl.secured_crl_series.len(),
    })
}

fn json_response(v: &serde_json::Value) -> Response {
    let mut r = Response::new(axum::body::Body::from(v.to_string()));
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn admin_error(qa: bool, e: &MaError) -> Response {
    error_response(qa, StatusCode::INTERNAL_SERVER_ERROR, e.code(), e)
}

fn decode<T: Coer>(body: &[u8], what: &str) -> Result<T, MaError> {
    T::from_coer(body).map_err(|e| MaError::Malformed(format!("not a {what}: {e}")))
}

async fn admin_revoke(
    State(s): State<Arc<MaService>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reason = headers
        .get(REASON_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|r| r.chars().take(MAX_REASON).collect::<String>())
        .unwrap_or_else(|| "operator order".to_string());
    let (ma, peers) = (s.ma.clone(), s.peers.clone());
    let run = blocking(move || {
        let cert: Certificate = decode(&body, "Certificate")?;
        let inv = ma.revoke_by_operator(&cert, &format!("operator: {reason}"), peers.peers())?;
        Ok::<_, MaError>(revocation_json(&cert, &inv))
    })
    .await;
    match run {
        Ok(Ok(v)) => json_response(&v),
        Ok(Err(e)) => admin_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn admin_ballot(State(s): State<Arc<MaService>>, body: Bytes) -> Response {
    let ma = s.ma.clone();
    let run = blocking(move || {
        let ballot: ElectorBallot = decode(&body, "ElectorBallot")?;
        ma.publish_ballot(&ballot).map(|p| publication_json(&p))
    })
    .await;
    match run {
        Ok(Ok(v)) => json_response(&v),
        Ok(Err(e)) => admin_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn admin_root_crl(State(s): State<Arc<MaService>>, body: Bytes) -> Response {
    let ma = s.ma.clone();
    let run = blocking(move || {
        let crl: SecuredCrl = decode(&body, "SecuredCrl")?;
        ma.add_root_crl(&crl).map(|p| publication_json(&p))
    })
    .await;
    match run {
        Ok(Ok(v)) => json_response(&v),
        Ok(Err(e)) => admin_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn admin_status(State(s): State<Arc<MaService>>) -> Response {
    let ma = s.ma.clone();
    match blocking(move || ma.status()).await {
        Ok(Ok(st)) => json_response(&serde_json::json!({
            "reports": st.reports,
            "revocations": st.revocations,
            "suspects": st.suspects,
            "crlSerial": st.crl_serial,
            "linkageEntries": st.linkage_entries,
            "hashEntries": st
                .hash_entries
                .iter()
                .map(|(series, n)| (series.to_string(), serde_json::json!(n)))
                .collect::<serde_json::Map<_, _>>(),
            "revokedRootCAs": st.removed_roots,
            "revokedElectors": st.removed_electors,
            "rootCrls": st.root_crls,
            "crlg": hex::encode(st.crlg),
        })),
        Ok(Err(e)) => admin_error(s.qa, &e),
        Err(r) => r,
    }
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

/// The MA's HTTPS router and what it needs.
pub(crate) struct MaRoutes {
    /// The MA.
    pub(crate) ma: Arc<Ma>,
    /// `files/` (the CRL store).
    pub(crate) files: PathBuf,
    /// QA mode.
    pub(crate) qa: bool,
    /// Wakes the MA task.
    pub(crate) kick: Arc<Notify>,
    /// The MA's peers (operator revocations of pseudonyms investigate through them).
    pub(crate) peers: Arc<HttpsMaPeers>,
    /// The RA's TLS client certificate (report intake).
    pub(crate) allowed_ra: AllowedClients,
    /// The operator's TLS client certificate (`/admin/*`).
    pub(crate) allowed_operator: AllowedClients,
}

/// The MA port: the CRL store (`GET /download-crl/`, unauthenticated),
/// `POST /ma/misbehavior-report` (mutual TLS, the RA's certificate only) and the operator
/// routes `POST /admin/*` (mutual TLS, the operator's certificate only).
pub(crate) fn ma_router(r: MaRoutes) -> Router {
    let state = Arc::new(MaService {
        ma: r.ma,
        qa: r.qa,
        kick: r.kick,
        peers: r.peers,
    });
    let reports = Router::new()
        .route(MA_REPORT_PATH, post(receive_report))
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(MAX_FORWARDED_REPORT))
        .layer(axum::middleware::from_fn_with_state(
            r.allowed_ra,
            require_client,
        ));
    let admin = Router::new()
        .route(ADMIN_REVOKE_PATH, post(admin_revoke))
        .route(ADMIN_BALLOT_PATH, post(admin_ballot))
        .route(ADMIN_ROOT_CRL_PATH, post(admin_root_crl))
        .route(ADMIN_STATUS_PATH, get(admin_status))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_ADMIN_REQUEST))
        .layer(axum::middleware::from_fn_with_state(
            r.allowed_operator,
            require_client,
        ));
    crate::backend::crl_router(r.files, r.qa)
        .merge(reports)
        .merge(admin)
        .route("/health", get(health))
}

/// The operator's HTTPS client to the MA's `/admin/*` routes: trusts `tls/root.pem` and
/// presents the `operator` TLS identity of an `scms init` directory. Blocking (it runs
/// its own runtime).
pub struct OperatorClient {
    client: HttpsClient,
    runtime: tokio::runtime::Runtime,
    base: String,
}

impl std::fmt::Debug for OperatorClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl OperatorClient {
    /// A client of the MA at `base` (e.g. `https://ma.v2xscms.com:8894`) with the TLS
    /// material of `tls_dir` (`root.pem`, `operator.pem`, `operator.key.pem`).
    pub fn new(tls_dir: &Path, base: &str) -> Result<OperatorClient, NetError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| NetError::Http(format!("tokio runtime: {e}")))?;
        let root = scms_net::tls_material::load_root_cert(tls_dir)?;
        let creds = Credentials::load(tls_dir, OPERATOR_TLS_NAME)?;
        let client = {
            let _guard = runtime.enter();
            HttpsClient::new(root, Some(&creds))?.with_limits(Duration::from_secs(120), 1 << 20)
        };
        Ok(OperatorClient {
            client,
            runtime,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// POSTs `body` to `path` with `headers`; the JSON answer of a 200, else
    /// [`NetError::Status`] (whose body is the error code in QA mode).
    pub fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Result<serde_json::Value, NetError> {
        let mut req = http::Request::post(format!("{}{path}", self.base))
            .header(http::header::CONTENT_TYPE, "application/octet-stream");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| NetError::Http(e.to_string()))?;
        self.json(req)
    }

    /// GETs `path`; the JSON answer of a 200, else [`NetError::Status`].
    pub fn get(&self, path: &str) -> Result<serde_json::Value, NetError> {
        let req = http::Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .map_err(|e| NetError::Http(e.to_string()))?;
        self.json(req)
    }

    fn json(&self, req: http::Request<Full<Bytes>>) -> Result<serde_json::Value, NetError> {
        let (status, _, bytes) = self.runtime.block_on(self.client.fetch(req))?;
        if status != StatusCode::OK {
            return Err(NetError::Status {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned(),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| NetError::Http(format!("answer: {e}")))
    }
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
