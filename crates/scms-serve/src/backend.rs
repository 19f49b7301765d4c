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

use crate::common::{bare, blocking, health, require_client, AllowedClients};
use crate::ma::{LA_MA_PATH, PCA_MA_PATH};
use crate::ra::{LA_PATH, PCA_PATH};

/// Largest request body of the LA and PCA services (bytes).
pub const MAX_BACKEND_REQUEST: usize = 64 << 20;

struct Backend<T> {
    inner: Arc<T>,
    qa: bool,
}

async fn not_found() -> Response {
    bare(StatusCode::NOT_FOUND)
}

async fn la_handle(State(s): State<Arc<Backend<La>>>, body: Bytes) -> Response {
    let la = s.inner.clone();
    match blocking(move || la.handle(&body)).await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(s.qa, StatusCode::INTERNAL_SERVER_ERROR, "laError", &e),
        Err(r) => r,
    }
}

async fn la_handle_ma(State(s): State<Arc<Backend<La>>>, body: Bytes) -> Response {
    let la = s.inner.clone();
    match blocking(move || la.handle_ma(&body)).await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(s.qa, StatusCode::INTERNAL_SERVER_ERROR, "laError", &e),
        Err(r) => r,
    }
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
    let state = Arc::new(Backend { inner: la, qa });
    let ma = Router::new()
        .route(LA_MA_PATH, post(la_handle_ma))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            allowed_ma,
            require_client,
        ));
    Router::new()
        .route(LA_PATH, post(la_handle))
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

async fn pca_handle(State(s): State<Arc<Backend<Pca>>>, body: Bytes) -> Response {
    let pca = s.inner.clone();
    match blocking(move || pca.handle(&body)).await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(s.qa, StatusCode::INTERNAL_SERVER_ERROR, "pcaError", &e),
        Err(r) => r,
    }
}

async fn pca_handle_ma(State(s): State<Arc<Backend<Pca>>>, body: Bytes) -> Response {
    let pca = s.inner.clone();
    match blocking(move || pca.handle_ma(&body)).await {
        Ok(Ok(reply)) => octets(reply),
        Ok(Err(e)) => error_response(s.qa, StatusCode::INTERNAL_SERVER_ERROR, "pcaError", &e),
        Err(r) => r,
    }
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
    let state = Arc::new(Backend { inner: pca, qa });
    let ma = Router::new()
        .route(PCA_MA_PATH, post(pca_handle_ma))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            allowed_ma,
            require_client,
        ));
    Router::new()
        .route(PCA_PATH, post(pca_handle))
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
