//! The RA's HTTPS service: every EE path of the seed's RA services view, the pipeline
//! task, and the RA's [`LaClient`] / [`PcaClient`] over mutual-TLS HTTPS.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http::header::IF_NONE_MATCH;
use http::{HeaderMap, StatusCode, Uri};
use scms_core::time::Clock;
use scms_net::http::{
    error_response, file_response, not_modified, octets, quoted_etag, HttpsClient, NetError,
    Shutdown,
};
use scms_ra::{DownloadKind, LaClient, LaIndex, MaClient, PcaClient, Ra, RaError, Served};
use tokio::runtime::Handle;
use tokio::sync::Notify;

use crate::common::{blocking, health, require_client, AllowedClients};
use crate::ma::RA_MA_PATH;

/// Largest EE request body (bytes).
pub const MAX_EE_REQUEST: usize = 1 << 20;

/// The LA path the RA posts `SignedRaLaIndividualPreLinkageValueRequest`s to.
pub const LA_PATH: &str = "/la/pre-linkage-values";
/// The PCA path the RA posts `SecuredRaPcaCertificateRequest`s to.
pub const PCA_PATH: &str = "/pca/certificate-request";

/// The RA's link to LA1/LA2 over HTTPS (mutual TLS with the RA's TLS identity).
#[derive(Debug)]
pub struct HttpsLaClient {
    client: HttpsClient,
    runtime: Handle,
    la1: String,
    la2: String,
}

impl HttpsLaClient {
    /// Posts to `<la1>/la/pre-linkage-values` and `<la2>/la/pre-linkage-values` (base URLs).
    pub fn new(client: HttpsClient, runtime: Handle, la1: &str, la2: &str) -> Self {
        HttpsLaClient {
            client,
            runtime,
            la1: format!("{}{LA_PATH}", la1.trim_end_matches('/')),
            la2: format!("{}{LA_PATH}", la2.trim_end_matches('/')),
        }
    }
}

impl LaClient for HttpsLaClient {
    fn pre_linkage_values(&self, which: LaIndex, request: Vec<u8>) -> Result<Vec<u8>, RaError> {
        let url = match which {
            LaIndex::La1 => &self.la1,
            LaIndex::La2 => &self.la2,
        };
        self.client
            .post_blocking(&self.runtime, url, request)
            .map_err(|e| RaError::peer(which.name(), e.to_string()))
    }
}

/// The RA's link to its PCA over HTTPS (mutual TLS with the RA's TLS identity).
#[derive(Debug)]
pub struct HttpsPcaClient {
    client: HttpsClient,
    runtime: Handle,
    url: String,
}

impl HttpsPcaClient {
    /// Posts to `<pca>/pca/certificate-request` (base URL).
    pub fn new(client: HttpsClient, runtime: Handle, pca: &str) -> Self {
        HttpsPcaClient {
            client,
            runtime,
            url: format!("{}{PCA_PATH}", pca.trim_end_matches('/')),
        }
    }
}

/// PCA requests of one [`PcaClient::certify_all`] in flight at once (each on its own
/// pooled connection; the PCA handles those that arrive together in one batch).
const PCA_IN_FLIGHT: usize = 32;

impl PcaClient for HttpsPcaClient {
    fn certify(&self, request: Vec<u8>) -> Result<Vec<u8>, RaError> {
        self.client
            .post_blocking(&self.runtime, &self.url, request)
            .map_err(|e| RaError::peer("pca", e.to_string()))
    }

    /// Sends the requests concurrently ([`PCA_IN_FLIGHT`] at a time); the replies up to
    /// the first failure are returned (the others are resent later and answered from
    /// the PCA's record).
    fn certify_all(&self, requests: &[&[u8]]) -> Vec<Result<Vec<u8>, RaError>> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let (client, url) = (self.client.clone(), self.url.clone());
        let bodies: Vec<Vec<u8>> = requests.iter().map(|r| r.to_vec()).collect();
        self.runtime.spawn(async move {
            let slots = Arc::new(tokio::sync::Semaphore::new(PCA_IN_FLIGHT));
            let mut sent = tokio::task::JoinSet::new();
            for (k, body) in bodies.into_iter().enumerate() {
                let (client, url, slots) = (client.clone(), url.clone(), slots.clone());
                sent.spawn(async move {
                    let _slot = slots.acquire_owned().await;
                    (k, client.post(&url, body).await)
                });
            }
            let mut replies: Vec<Option<Result<Vec<u8>, NetError>>> = Vec::new();
            while let Some(done) = sent.join_next().await {
                if let Ok((k, r)) = done {
                    if replies.len() <= k {
                        replies.resize_with(k + 1, || None);
                    }
                    replies[k] = Some(r);
                }
            }
            let _ = tx.send(replies);
        });
        let Ok(replies) = rx.recv() else {
            return vec![Err(RaError::peer("pca", "the HTTPS client stopped"))];
        };
        let mut out = Vec::with_capacity(replies.len());
        for r in replies {
            let Some(r) = r else { break };
            let failed = r.is_err();
            out.push(r.map_err(|e| RaError::peer("pca", e.to_string())));
            if failed {
                break;
            }
        }
        out
    }
}

/// State of the RA routes.
pub(crate) struct RaService {
    pub(crate) ra: Arc<Ra>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) qa: bool,
    pub(crate) kick: Arc<Notify>,
}

type St = State<Arc<RaService>>;

/// An RA operation on a POST body at time `now`.
type PostOp = fn(&Ra, &[u8], u32) -> Result<Vec<u8>, RaError>;

/// An RA operation on an `If-None-Match` value.
type ServedOp = fn(&Ra, Option<&str>) -> Result<Served, RaError>;

/// The log/QA name of an RA error: the seed's code, or `raInternalError` for failures that
/// are not a rejection (setup, database, peers).
fn code_name(e: &RaError) -> &'static str {
    e.code().map_or("raInternalError", |c| c.name())
}

fn ra_error(qa: bool, e: &RaError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_response(qa, status, code_name(e), e)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// A POST whose body goes to `f`; on success the pipeline is kicked.
async fn post_with(s: Arc<RaService>, body: Bytes, f: PostOp) -> Response {
    let now = s.clock.now();
    let ra = s.ra.clone();
    match blocking(move || f(&ra, &body, now)).await {
        Ok(Ok(reply)) => {
            s.kick.notify_one();
            octets(reply)
        }
        Ok(Err(e)) => ra_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn pseudonym(State(s): St, body: Bytes) -> Response {
    post_with(s, body, Ra::provision_pseudonym).await
}

async fn identity(State(s): St, body: Bytes) -> Response {
    post_with(s, body, Ra::provision_identity).await
}

async fn application(State(s): St, body: Bytes) -> Response {
    post_with(s, body, Ra::provision_application).await
}

async fn ra_certificate(State(s): St, body: Bytes) -> Response {
    post_with(s, body, |ra, b, _| ra.retrieve_ra_certificate(b)).await
}

async fn download(s: Arc<RaService>, kind: DownloadKind, headers: HeaderMap) -> Response {
    let Some(req) = header(&headers, "download-req").map(str::to_owned) else {
        return error_response(
            s.qa,
            StatusCode::INTERNAL_SERVER_ERROR,
            "raMalformedRequest",
            &"no Download-Req header",
        );
    };
    let now = s.clock.now();
    let ra = s.ra.clone();
    match blocking(move || ra.download(kind, &req, now)).await {
        Ok(Ok(file)) => file_response(&headers, file.bytes, None),
        Ok(Err(e)) => ra_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn info(State(s): St, h: HeaderMap) -> Response {
    download(s, DownloadKind::Info, h).await
}

async fn batch(State(s): St, h: HeaderMap) -> Response {
    download(s, DownloadKind::Batch, h).await
}

async fn identity_download(State(s): St, h: HeaderMap) -> Response {
    download(s, DownloadKind::Identity, h).await
}

async fn application_download(State(s): St, h: HeaderMap) -> Response {
    download(s, DownloadKind::Application, h).await
}

async fn served(s: Arc<RaService>, headers: HeaderMap, f: ServedOp) -> Response {
    let inm = header(&headers, IF_NONE_MATCH.as_str()).map(str::to_owned);
    let ra = s.ra.clone();
    match blocking(move || f(&ra, inm.as_deref())).await {
        Ok(Ok(Served::NotModified)) => not_modified(None),
        Ok(Ok(Served::File(f))) => file_response(&headers, f.bytes, Some(&quoted_etag(&f.name))),
        Ok(Err(e)) => ra_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn local_policy(State(s): St, h: HeaderMap) -> Response {
    served(s, h, Ra::local_policy).await
}

async fn local_chain(State(s): St, h: HeaderMap) -> Response {
    served(s, h, Ra::local_certificate_chain).await
}

async fn misbehavior_report(State(s): St, body: Bytes) -> Response {
    let now = s.clock.now();
    let ra = s.ra.clone();
    match blocking(move || ra.misbehavior_report(&body, now)).await {
        Ok(Ok(())) => {
            s.kick.notify_one();
            octets(Vec::new())
        }
        Ok(Err(e)) => ra_error(s.qa, &e),
        Err(r) => r,
    }
}

async fn ma_request(State(s): St, body: Bytes) -> Response {
    let now = s.clock.now();
    let ra = s.ra.clone();
    match blocking(move || ra.handle_ma(&body, now)).await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(
            s.qa,
            StatusCode::INTERNAL_SERVER_ERROR,
            "raMaRequestRefused",
            &e,
        ),
        Err(r) => r,
    }
}

async fn invalid_url(State(s): St, uri: Uri) -> Response {
    error_response(s.qa, StatusCode::NOT_FOUND, "raInvalidURL", &uri.path())
}

/// The RA's EE-facing router (seed §"Software Design – MA and RA Services Views") and
/// `POST /ra/ma-request` for the MA's TLS client only.
pub(crate) fn router(s: Arc<RaService>, allowed_ma: AllowedClients) -> Router {
    let ma = Router::new()
        .route(RA_MA_PATH, post(ma_request))
        .with_state(s.clone())
        .layer(axum::middleware::from_fn_with_state(
            allowed_ma,
            require_client,
        ));
    Router::new()
        .merge(ma)
        .route("/provision-pseudonym-certificate-batch", post(pseudonym))
        .route("/download/info", get(info))
        .route("/download/policy/local", get(local_policy))
        .route("/download/batch", get(batch))
        .route("/retrieve-ra-certificate", post(ra_certificate))
        .route("/provision-identity-certificate", post(identity))
        .route("/download/identity-certificate", get(identity_download))
        .route("/provision-application-certificate", post(application))
        .route(
            "/download/application-certificate",
            get(application_download),
        )
        .route("/download/local-certificate-chain", get(local_chain))
        .route("/process-misbehavior-report", post(misbehavior_report))
        .route("/health", get(health))
        .fallback(invalid_url)
        .method_not_allowed_fallback(invalid_url)
        .layer(DefaultBodyLimit::max(MAX_EE_REQUEST))
        .with_state(s)
}

/// The background pipeline: [`Ra::run_until_idle`] and [`Ra::forward_reports`] (to `ma`)
/// every `interval` and whenever a request was accepted, until shutdown.
pub(crate) async fn pipeline(
    ra: Arc<Ra>,
    clock: Arc<dyn Clock>,
    kick: Arc<Notify>,
    interval: Duration,
    ma: Arc<dyn MaClient>,
    mut shutdown: Shutdown,
) {
    loop {
        tokio::select! {
            _ = shutdown.wait() => break,
            _ = kick.notified() => {}
            _ = tokio::time::sleep(interval) => {}
        }
        let now = clock.now();
        let (r, m) = (ra.clone(), ma.clone());
        match tokio::task::spawn_blocking(move || r.forward_reports(now, m.as_ref())).await {
            Ok(Ok(f)) => {
                for e in &f.errors {
                    tracing::warn!(error = %e, "report forwarding failed (retried at the next step)");
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "report forwarding failed"),
            Err(e) => tracing::error!(error = %e, "report forwarding task failed"),
        }
        let ra = ra.clone();
        match tokio::task::spawn_blocking(move || ra.run_until_idle(now)).await {
            Ok(Ok(rep)) => {
                for e in &rep.errors {
                    tracing::warn!(error = %e, "RA pipeline peer failure (retried at the next step)");
                }
                if rep.requests_created + rep.requests_sent + rep.files_written > 0 {
                    tracing::info!(
                        created = rep.requests_created,
                        sent = rep.requests_sent,
                        certificates = rep.certificates,
                        failures = rep.failures,
                        files = rep.files_written,
                        pooled = rep.pooled,
                        "RA pipeline step"
                    );
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "RA pipeline step failed"),
            Err(e) => tracing::error!(error = %e, "RA pipeline task failed"),
        }
    }
}
