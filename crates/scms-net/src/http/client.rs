//! The HTTPS client of the SCMS components: trusts only the SCMS TLS root, presents the
//! component's certificate for mutual TLS, keeps connections alive (many transactions per
//! TLS session).

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls_pki_types::CertificateDer;

use super::tls::{client_config, Credentials};
use super::NetError;

/// Time allowed to open a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The request body type of [`HttpsClient`].
pub type RequestBody = Full<Bytes>;

/// An HTTPS client (cheap to clone; connections are pooled).
#[derive(Clone)]
pub struct HttpsClient {
    inner: Client<HttpsConnector<HttpConnector>, RequestBody>,
    timeout: Duration,
    max_response: usize,
}

impl std::fmt::Debug for HttpsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsClient")
            .field("timeout", &self.timeout)
            .field("max_response", &self.max_response)
            .finish_non_exhaustive()
    }
}

impl HttpsClient {
    /// A client trusting only `root`, presenting `identity` if given; requests time out
    /// after 5 minutes and buffered responses are limited to 512 MiB (see
    /// [`HttpsClient::with_limits`]). Must be called inside a tokio runtime.
    pub fn new(
        root: CertificateDer<'static>,
        identity: Option<&Credentials>,
    ) -> Result<HttpsClient, NetError> {
        let tls = client_config(root, identity)?;
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
        tcp.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .wrap_connector(tcp);
        let inner = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(connector);
        Ok(HttpsClient {
            inner,
            timeout: Duration::from_secs(300),
            max_response: 512 << 20,
        })
    }

    /// Sets the request timeout and the largest buffered response body.
    pub fn with_limits(mut self, timeout: Duration, max_response: usize) -> HttpsClient {
        self.timeout = timeout;
        self.max_response = max_response;
        self
    }

    /// Sends `request`; the response body is left to stream.
    pub async fn send(
        &self,
        request: Request<RequestBody>,
    ) -> Result<Response<Incoming>, NetError> {
        match tokio::time::timeout(self.timeout, self.inner.request(request)).await {
            Ok(r) => r.map_err(|e| NetError::Http(error_chain(&e))),
            Err(_) => Err(NetError::Timeout),
        }
    }

    /// Sends `request` and reads the whole response.
    pub async fn fetch(
        &self,
        request: Request<RequestBody>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), NetError> {
        let limit = self.max_response;
        let work = async {
            let resp = self.send(request).await?;
            let (parts, body) = resp.into_parts();
            let bytes = Limited::new(body, limit)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        NetError::TooLarge(limit)
                    } else {
                        NetError::Http(e.to_string())
                    }
                })?
                .to_bytes();
            Ok((parts.status, parts.headers, bytes))
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| NetError::Timeout)?
    }

    /// POSTs `body` (`application/octet-stream`) to `url`; the response body if the status
    /// is 200, else [`NetError::Status`].
    pub async fn post(&self, url: &str, body: Vec<u8>) -> Result<Vec<u8>, NetError> {
        let req = Request::post(url)
            .header(http::header::CONTENT_TYPE, super::OCTET_STREAM)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| NetError::Http(e.to_string()))?;
        let (status, _, bytes) = self.fetch(req).await?;
        if status != StatusCode::OK {
            return Err(NetError::Status {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned(),
            });
        }
        Ok(bytes.to_vec())
    }

    /// [`HttpsClient::post`] from synchronous code running outside the runtime's worker
    /// threads (e.g. in `spawn_blocking`): the request runs on `runtime`, this thread waits.
    pub fn post_blocking(
        &self,
        runtime: &tokio::runtime::Handle,
        url: &str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, NetError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let client = self.clone();
        let url = url.to_owned();
        runtime.spawn(async move {
            let _ = tx.send(client.post(&url, body).await);
        });
        // The request has its own timeout; the margin covers scheduling.
        rx.recv_timeout(self.timeout + Duration::from_secs(5))
            .map_err(|_| NetError::Timeout)?
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
