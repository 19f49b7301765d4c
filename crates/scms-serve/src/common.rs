//! Shared pieces of the authority adapters.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::StatusCode;
use rustls_pki_types::CertificateDer;
use scms_net::http::PeerInfo;

/// Runs `f` (synchronous library work: crypto, SQLite, blocking peer calls) off the async
/// workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "handler task failed");
        bare(StatusCode::INTERNAL_SERVER_ERROR)
    })
}

/// A response with `status` and an empty body.
pub(crate) fn bare(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

/// The TLS client certificates an authority accepts (mutual TLS already checked the chain
/// to the SCMS TLS root; this pins which components may call).
#[derive(Debug, Clone)]
pub(crate) struct AllowedClients {
    pub(crate) service: &'static str,
    pub(crate) certs: Arc<Vec<(String, CertificateDer<'static>)>>,
}

/// Middleware: refuses (403) a request whose TLS client certificate is not allowed.
pub(crate) async fn require_client(
    axum::extract::State(allowed): axum::extract::State<AllowedClients>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let who = req
        .extensions()
        .get::<PeerInfo>()
        .and_then(|p| p.client_certificate.as_ref())
        .and_then(|c| allowed.certs.iter().find(|(_, a)| a == c))
        .map(|(n, _)| n.clone());
    match who {
        Some(name) => {
            tracing::debug!(service = allowed.service, client = %name, path = req.uri().path(), "authorized");
            next.run(req).await
        }
        None => {
            tracing::warn!(
                service = allowed.service,
                path = req.uri().path(),
                "TLS client not authorized"
            );
            bare(StatusCode::FORBIDDEN)
        }
    }
}

/// `GET /health`.
pub(crate) async fn health() -> &'static str {
    "ok"
}
