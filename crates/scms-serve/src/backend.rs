//! The back-end services: LA1/LA2 and the PCA (mutual TLS, RA only; their MA routes MA
//! only), the MA's CRL store and the PG's global files.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use scms_la::La;
use scms_net::http::{error_response, file_response, octets, quoted_etag};
use scms_pca::Pca;
use tokio::sync::{mpsc, oneshot};

use crate::common::{bare, blocking, health, require_client, AllowedClients};
use crate::ma::{LA_MA_PATH, PCA_MA_PATH};
use crate::ra::{LA_PATH, PCA_PATH};

/// Largest request body of the LA and PCA services (bytes).
pub const MAX_BACKEND_REQUEST: usize = 64 << 20;

/// Requests of the RA handed to the service together, at most this many at once.
const QUEUE_BATCH: usize = 256;

/// An RA request waiting in the queue, and where its reply goes.
type Job = (Bytes, oneshot::Sender<Result<Vec<u8>, String>>);

struct Backend<T> {
    inner: Arc<T>,
    qa: bool,
    /// The RA's requests, handled in batches ([`Service::handle_many`]).
    queue: mpsc::Sender<Job>,
}

/// A back-end library served over HTTPS: its RA-facing and MA-facing handlers.
trait Service: Send + Sync + 'static {
    /// The error code of a failed request.
    const ERROR_CODE: &'static str;
    /// Why a request failed.
    type Error: std::fmt::Display + Send + 'static;
    /// Handles one request of the RA.
    fn handle(&self, request: &[u8]) -> Result<Vec<u8>, Self::Error>;
    /// Handles one request of the MA.
    fn handle_ma(&self, request: &[u8]) -> Result<Vec<u8>, Self::Error>;
    /// Handles requests of the RA that arrived together: a reply or error per request,
    /// in order (by default each on its own, on all cores).
    fn handle_many(&self, requests: &[Bytes]) -> Vec<Result<Vec<u8>, String>> {
        scms_core::par::map(requests, |r| self.handle(r).map_err(|e| e.to_string()))
    }
}

impl Service for La {
    const ERROR_CODE: &'static str = "laError";
    type Error = scms_la::LaError;
    fn handle(&self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        La::handle(self, request)
    }
    fn handle_ma(&self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        La::handle_ma(self, request)
    }
}

impl Service for Pca {
    const ERROR_CODE: &'static str = "pcaError";
    type Error = scms_pca::PcaError;
    fn handle(&self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Pca::handle(self, request)
    }
    fn handle_ma(&self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Pca::handle_ma(self, request)
    }
    /// One [`Pca::handle_batch`]: one transaction for the batch's intents and one for its
    /// certificates, the signing on all cores.
    fn handle_many(&self, requests: &[Bytes]) -> Vec<Result<Vec<u8>, String>> {
        match self.handle_batch(requests) {
            Ok(replies) => replies
                .into_iter()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect(),
            Err(e) => requests.iter().map(|_| Err(e.to_string())).collect(),
        }
    }
}

/// The task that hands the RA's requests to the service: whatever arrived while the
/// previous batch was handled forms the next batch (so concurrent requests share the
/// PCA's database transactions). Ends when every [`Backend`] is dropped.
fn spawn_queue<T: Service>(inner: Arc<T>) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(QUEUE_BATCH * 4);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < QUEUE_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let (bodies, waiters): (Vec<Bytes>, Vec<_>) = jobs.into_iter().unzip();
            let t = inner.clone();
            let replies = match tokio::task::spawn_blocking(move || t.handle_many(&bodies)).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "handler task failed");
                    waiters.iter().map(|_| Err(e.to_string())).collect()
                }
            };
            for (w, r) in waiters.into_iter().zip(replies) {
                let _ = w.send(r);
            }
        }
    });
    tx
}

async fn not_found() -> Response {
    bare(StatusCode::NOT_FOUND)
}

/// Runs `f` on the service off the async runtime; the reply as octets, or the error.
async fn respond<T: Service>(
    s: &Backend<T>,
    f: impl FnOnce(&T) -> Result<Vec<u8>, T::Error> + Send + 'static,
) -> Response {
    let inner = s.inner.clone();
    match blocking(move || f(&inner)).await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(s.qa, StatusCode::INTERNAL_SERVER_ERROR, T::ERROR_CODE, &e),
        Err(r) => r,
    }
}

async fn handle<T: Service>(State(s): State<Arc<Backend<T>>>, body: Bytes) -> Response {
    let (tx, rx) = oneshot::channel();
    if s.queue.send((body, tx)).await.is_err() {
        return bare(StatusCode::SERVICE_UNAVAILABLE);
    }
    match rx.await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(s.qa, StatusCode::INTERNAL_SERVER_ERROR, T::ERROR_CODE, &e),
        Err(_) => bare(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

async fn handle_ma<T: Service>(State(s): State<Arc<Backend<T>>>, body: Bytes) -> Response {
    respond(&s, move |t: &T| t.handle_ma(&body)).await
}

/// `POST path` for the RA's TLS client only, `POST ma_path` for the MA's only, `/health`.
fn router<T: Service>(
    inner: Arc<T>,
    qa: bool,
    (path, ma_path): (&'static str, &'static str),
    allowed: AllowedClients,
    allowed_ma: AllowedClients,
) -> Router {
    let queue = spawn_queue(inner.clone());
    let state = Arc::new(Backend { inner, qa, queue });
    let ma = Router::new()
        .route(ma_path, post(handle_ma::<T>))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            allowed_ma,
            require_client,
        ));
    Router::new()
        .route(path, post(handle::<T>))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BACKEND_REQUEST))
        .layer(axum::middleware::from_fn_with_state(
            allowed,
            require_client,
        ))
        .merge(ma)
        .route("/health", get(health))
        .fallback(not_found)
}

/// LA `POST /la/pre-linkage-values`: `SignedRaLaIndividualPreLinkageValueRequest` →
/// `SignedLaRaPreLinkageValueResponse` (COER), for the RA's TLS client only; `POST
/// /la/linkage-seed`: `SignedLSRequest` → `SecuredLSReply`, for the MA's TLS client only.
pub(crate) fn la_router(
    la: Arc<La>,
    qa: bool,
    allowed: AllowedClients,
    allowed_ma: AllowedClients,
) -> Router {
    router(la, qa, (LA_PATH, LA_MA_PATH), allowed, allowed_ma)
}

/// PCA `POST /pca/certificate-request`: `SecuredRaPcaCertificateRequest` →
/// `SecuredPcaRaCertificateRequestReply` (COER), for the RA's TLS client only; `POST
/// /pca/ma-request`: `SecuredMaPcaHPCRRequest` (or PLV request) → the PCA's secured reply,
/// for the MA's TLS client only.
pub(crate) fn pca_router(
    pca: Arc<Pca>,
    qa: bool,
    allowed: AllowedClients,
    allowed_ma: AllowedClients,
) -> Router {
    router(pca, qa, (PCA_PATH, PCA_MA_PATH), allowed, allowed_ma)
}

/// A file of `files/` served with an `ETag` derived from its content.
#[derive(Clone)]
struct FileService {
    path: PathBuf,
    /// The entity tag's prefix (e.g. `composite_crl`).
    stem: &'static str,
    qa: bool,
    code: &'static str,
}

async fn serve_file(State(f): State<FileService>, headers: HeaderMap) -> Response {
    let path = f.path.clone();
    match blocking(move || std::fs::read(path)).await {
        Ok(Ok(bytes)) => {
            let digest = scms_crypto::hash::sha256(&bytes);
            let tag = quoted_etag(&format!("{}_{}.oer", f.stem, hex::encode(&digest[..8])));
            file_response(&headers, bytes, Some(&tag))
        }
        Ok(Err(e)) => error_response(
            f.qa,
            StatusCode::INTERNAL_SERVER_ERROR,
            f.code,
            &format!("{}: {e}", f.path.display()),
        ),
        Err(r) => r,
    }
}

/// The MA's CRL store: `GET /download-crl/` (and `/download-crl`) → `files/CRL.oer`
/// (composite CRL, no authentication, `Range` and `If-None-Match` supported).
pub(crate) fn crl_router(files: PathBuf, qa: bool) -> Router {
    let crl = FileService {
        path: files.join("CRL.oer"),
        stem: "composite_crl",
        qa,
        code: "eeCRLDownloadFailed",
    };
    Router::new()
        .route("/download-crl/", get(serve_file))
        .route("/download-crl", get(serve_file))
        .with_state(crl)
        .fallback(not_found)
}

/// The PG: `GET /download/policy/global` → `files/GPF.oer`, `GET
/// /download/global-certificate-chain` → `files/GCCF.oer` (mutual TLS: components only).
pub(crate) fn pg_router(files: PathBuf, qa: bool) -> Router {
    let file = |name: &str, stem| FileService {
        path: files.join(name),
        stem,
        qa,
        code: "pgFileUnavailable",
    };
    Router::new()
        .route(
            "/download/policy/global",
            get(serve_file).with_state(file("GPF.oer", "global_policy")),
        )
        .route(
            "/download/global-certificate-chain",
            get(serve_file).with_state(file("GCCF.oer", "global_certificate_chains")),
        )
        .route("/health", get(health))
        .fallback(not_found)
}
