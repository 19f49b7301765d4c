//! The Location Obscurer Proxy (LOP, SCMS-517/685): EEs reach the RA and the CRL store
//! through it so that neither learns where a device is.
//!
//! The LOP terminates the EE's TLS (server-only TLS, its own certificate) and sends every
//! request again over its own HTTPS connection (trusting only the SCMS TLS root): `GET
//! /download-crl/...` to the CRL store (MA port), everything else to the RA. Forwarded are
//! the method, the path and query, the body (at most [`MAX_REQUEST_BODY`] bytes) and only
//! the headers of [`FORWARDED_REQUEST_HEADERS`]; the EE's address never leaves the LOP
//! (upstreams see the LOP's address as peer) and `Forwarded`, `X-Forwarded-For`,
//! `X-Real-IP`, `Via`, `User-Agent`, cookies and every other header are dropped. The
//! response is streamed back with its status and the headers of
//! [`FORWARDED_RESPONSE_HEADERS`]. The LOP logs no client address. `GET /health` is
//! answered by the LOP itself.
#![forbid(unsafe_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::header::{
    HeaderName, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    RANGE,
};
use http::StatusCode;
use http_body_util::Full;
use scms_net::http::HttpsClient;

/// Largest request body forwarded (bytes).
pub const MAX_REQUEST_BODY: usize = 1 << 20;

/// `Download-Req`: the authenticated download header.
pub const DOWNLOAD_REQ: HeaderName = HeaderName::from_static("download-req");

/// The only request headers forwarded (`Content-Length` is recomputed from the body).
pub const FORWARDED_REQUEST_HEADERS: [HeaderName; 5] = [
    DOWNLOAD_REQ,
    RANGE,
    IF_NONE_MATCH,
    CONTENT_TYPE,
    CONTENT_LENGTH,
];

/// The only response headers returned.
pub const FORWARDED_RESPONSE_HEADERS: [HeaderName; 5] = [
    CONTENT_TYPE,
    CONTENT_RANGE,
    CONTENT_LENGTH,
    ETAG,
    ACCEPT_RANGES,
];

/// Where the LOP forwards to.
#[derive(Debug, Clone)]
pub struct Upstreams {
    /// The RA's base URL, e.g. `https://127.0.0.1:8892`.
    pub ra: String,
    /// The CRL store's (MA's) base URL, e.g. `https://127.0.0.1:8894`.
    pub crl_store: String,
}

/// The proxy.
#[derive(Debug)]
pub struct Lop {
    client: HttpsClient,
    upstreams: Upstreams,
}

impl Lop {
    /// A proxy sending through `client` (which must trust the SCMS TLS root) to `upstreams`.
    pub fn new(client: HttpsClient, upstreams: Upstreams) -> Lop {
        let trim = |s: String| s.trim_end_matches('/').to_owned();
        Lop {
            client,
            upstreams: Upstreams {
                ra: trim(upstreams.ra),
                crl_store: trim(upstreams.crl_store),
            },
        }
    }

    /// The upstream base URL for `path`.
    pub fn upstream_for(&self, path: &str) -> &str {
        if path == "/download-crl" || path.starts_with("/download-crl/") {
            &self.upstreams.crl_store
        } else {
            &self.upstreams.ra
        }
    }
}

/// The LOP's router: `/health`, everything else forwarded.
pub fn router(lop: Arc<Lop>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .fallback(forward)
        .with_state(lop)
}

fn bare(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

async fn forward(State(lop): State<Arc<Lop>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let url = format!("{}{}", lop.upstream_for(parts.uri.path()), path_and_query);
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(b) => b,
        Err(_) => return bare(StatusCode::PAYLOAD_TOO_LARGE),
    };
    let mut builder = http::Request::builder()
        .method(parts.method.clone())
        .uri(&url);
    for name in FORWARDED_REQUEST_HEADERS {
        if name == CONTENT_LENGTH {
            continue;
        }
        for v in parts.headers.get_all(&name) {
            builder = builder.header(&name, v);
        }
    }
    let upstream_req = match builder.body(Full::new(body)) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(error = %e, "request not forwardable");
            return bare(StatusCode::BAD_REQUEST);
        }
    };
    let resp = match lop.client.send(upstream_req).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(upstream = %lop.upstream_for(parts.uri.path()), error = %e, "upstream failed");
            return bare(StatusCode::BAD_GATEWAY);
        }
    };
    let (up, incoming) = resp.into_parts();
    let mut out = Response::new(Body::new(incoming));
    *out.status_mut() = up.status;
    for name in FORWARDED_RESPONSE_HEADERS {
        for v in up.headers.get_all(&name) {
            out.headers_mut().append(&name, v.clone());
        }
    }
    tracing::debug!(method = %parts.method, path = parts.uri.path(), status = up.status.as_u16(), "forwarded");
    out
}
