#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `scms serve` over real HTTPS on 127.0.0.1 (ephemeral ports) from an `scms init` tempdir.

use std::path::Path;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;
use scms_ca::config::Ports;
use scms_ca::{Config, Layout};
use scms_net::http::{Credentials, HttpsClient, NetError};
use scms_net::tls_material::load_root_cert;
use scms_net::TlsRoot;
use scms_serve::{start, Component, Running, ServeOptions, Which, LA_PATH, PCA_PATH};

fn init(dir: &Path) {
    let cfg = Config::default();
    scms_ca::init(&Layout::new(dir), &cfg, None).unwrap();
}

fn any_ports() -> Ports {
    Ports {
        ra: 0,
        ma: 0,
        pca: 0,
        la1: 0,
        la2: 0,
        pg: 0,
        lop: 0,
    }
}

async fn run(dir: &Path, which: Which, qa: bool) -> Running {
    let opts = ServeOptions {
        qa,
        ports: Some(any_ports()),
        ..ServeOptions::default()
    };
    start(dir, which, opts).await.unwrap()
}

fn ee_client(dir: &Path) -> HttpsClient {
    let root = load_root_cert(&Layout::new(dir).tls()).unwrap();
    HttpsClient::new(root, None).unwrap()
}

fn component_client(dir: &Path, name: &str) -> HttpsClient {
    let tls = Layout::new(dir).tls();
    let creds = Credentials::load(&tls, name).unwrap();
    HttpsClient::new(load_root_cert(&tls).unwrap(), Some(&creds)).unwrap()
}

async fn get(
    c: &HttpsClient,
    url: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, http::HeaderMap, Bytes) {
    let mut b = http::Request::get(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    c.fetch(b.body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap()
}

async fn post(c: &HttpsClient, url: &str, body: &[u8]) -> (StatusCode, Bytes) {
    let req = http::Request::post(url)
        .header("content-type", "application/octet-stream")
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    let (s, _, b) = c.fetch(req).await.unwrap();
    (s, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_in_one_production() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scms");
    init(&dir);
    let running = run(&dir, Which::All, false).await;
    for c in Component::ALL {
        let a = running.addr(c).unwrap();
        assert!(a.ip().is_loopback() && a.port() != 0, "{c}: {a}");
    }
    let ra = running.url(Component::Ra).unwrap();
    let ee = ee_client(&dir);

    // Health of every service (LA/PCA/PG need a client certificate).
    let ra_tls = component_client(&dir, "ra");
    for c in Component::ALL {
        let client = match c {
            Component::La1 | Component::La2 | Component::Pca | Component::Pg => &ra_tls,
            _ => &ee,
        };
        let (s, _, b) = get(client, &format!("{}/health", running.url(c).unwrap()), &[]).await;
        assert_eq!((s, &b[..]), (StatusCode::OK, &b"ok"[..]), "{c}");
    }

    // A client that does not trust the SCMS TLS root is refused.
    let stranger = HttpsClient::new(TlsRoot::generate().unwrap().cert_der().clone(), None).unwrap();
    let err = stranger
        .fetch(
            http::Request::get(format!("{ra}/health"))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, NetError::Http(_)), "{err}");

    // LPF: 200 with an ETag, 304 with If-None-Match, 206 / 416 with Range.
    let files = Layout::new(&dir).files();
    for (path, file, prefix) in [
        ("/download/policy/local", "LPF.oer", "\"local_policy_"),
        (
            "/download/local-certificate-chain",
            "LCCF.oer",
            "\"local_certificate_chains_",
        ),
    ] {
        let want = std::fs::read(files.join(file)).unwrap();
        let url = format!("{ra}{path}");
        let (s, h, b) = get(&ee, &url, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(&b[..], &want[..]);
        assert_eq!(h["content-type"], "application/octet-stream");
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with(prefix) && etag.ends_with(".oer\""),
            "{etag}"
        );

        let (s, _, b) = get(&ee, &url, &[("if-none-match", &etag)]).await;
        assert_eq!(s, StatusCode::NOT_MODIFIED);
        assert!(b.is_empty());
        let (s, _, _) = get(&ee, &url, &[("if-none-match", "\"other.oer\"")]).await;
        assert_eq!(s, StatusCode::OK);

        let (s, h, b) = get(&ee, &url, &[("range", "bytes=2-9")]).await;
        assert_eq!(s, StatusCode::PARTIAL_CONTENT);
        assert_eq!(&b[..], &want[2..10]);
        assert_eq!(
            h["content-range"],
            format!("bytes 2-9/{}", want.len()).as_str()
        );
        let (s, h, b) = get(&ee, &url, &[("range", "bytes=5-")]).await;
        assert_eq!(s, StatusCode::PARTIAL_CONTENT);
        assert_eq!(&b[..], &want[5..]);
        assert_eq!(
            h["content-range"],
            format!("bytes 5-{}/{}", want.len() - 1, want.len()).as_str()
        );
        let range = format!("bytes={}-", want.len());
        let (s, h, _) = get(&ee, &url, &[("range", &range)]).await;
        assert_eq!(s, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(
            h["content-range"],
            format!("bytes */{}", want.len()).as_str()
        );
    }

    // Unknown path → 404 (raInvalidURL in the log); RA errors → bare 500.
    let (s, _, b) = get(&ee, &format!("{ra}/no/such/path"), &[]).await;
    assert_eq!((s, b.len()), (StatusCode::NOT_FOUND, 0));
    let (s, b) = post(&ee, &format!("{ra}/download/policy/local"), b"x").await;
    assert_eq!((s, b.len()), (StatusCode::NOT_FOUND, 0));
    let (s, b) = post(
        &ee,
        &format!("{ra}/provision-pseudonym-certificate-batch"),
        b"junk",
    )
    .await;
    assert_eq!((s, b.len()), (StatusCode::INTERNAL_SERVER_ERROR, 0));
    let (s, _, b) = get(
        &ee,
        &format!("{ra}/download/batch"),
        &[("download-req", "!!")],
    )
    .await;
    assert_eq!((s, b.len()), (StatusCode::INTERNAL_SERVER_ERROR, 0));

    // The CRL store serves the composite CRL, with ranges.
    let crl = std::fs::read(files.join("CRL.oer")).unwrap();
    let ma = running.url(Component::Ma).unwrap();
    let (s, _, b) = get(&ee, &format!("{ma}/download-crl/"), &[]).await;
    assert_eq!((s, &b[..]), (StatusCode::OK, &crl[..]));
    let (s, _, b) = get(
        &ee,
        &format!("{ma}/download-crl/"),
        &[("range", "bytes=-4")],
    )
    .await;
    assert_eq!(
        (s, &b[..]),
        (StatusCode::PARTIAL_CONTENT, &crl[crl.len() - 4..])
    );

    // Through the LOP: the same answers.
    let lop = running.url(Component::Lop).unwrap();
    let (s, h, b) = get(
        &ee,
        &format!("{lop}/download/policy/local"),
        &[("range", "bytes=0-3")],
    )
    .await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&b[..], &std::fs::read(files.join("LPF.oer")).unwrap()[..4]);
    assert!(h.contains_key("content-range") && h.contains_key("etag"));
    let (s, _, b) = get(&ee, &format!("{lop}/download-crl/"), &[]).await;
    assert_eq!((s, &b[..]), (StatusCode::OK, &crl[..]));
    let (s, _, _) = get(&ee, &format!("{lop}/nothing-here"), &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Mutual TLS: the LA and the PCA refuse a client without a certificate, and a client
    // certificate other than the RA's.
    for (c, path) in [
        (Component::La1, LA_PATH),
        (Component::La2, LA_PATH),
        (Component::Pca, PCA_PATH),
    ] {
        let url = format!("{}{path}", running.url(c).unwrap());
        let err = ee.post(&url, b"x".to_vec()).await.unwrap_err();
        assert!(matches!(err, NetError::Http(_)), "{c}: {err}");
        let lop_tls = component_client(&dir, "lop");
        let (s, _) = post(&lop_tls, &url, b"x").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{c}");
        // The RA's certificate gets through to the library, which refuses junk.
        let (s, b) = post(&ra_tls, &url, b"x").await;
        assert_eq!((s, b.len()), (StatusCode::INTERNAL_SERVER_ERROR, 0), "{c}");
    }

    // After shutdown nothing listens and nothing answers, also on a pooled connection.
    running.shutdown().await;
    let refused = std::net::TcpStream::connect_timeout(
        &running_addr(&ra),
        std::time::Duration::from_secs(10),
    )
    .unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let result = ee
        .clone()
        .with_limits(std::time::Duration::from_secs(20), 1 << 20)
        .fetch(
            http::Request::get(format!("{ra}/health"))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await;
    assert!(result.is_err(), "a stopped RA answered");
}

/// The socket address of an `https://ip:port` URL.
fn running_addr(url: &str) -> std::net::SocketAddr {
    url.trim_start_matches("https://").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qa_mode_returns_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scms");
    init(&dir);
    let running = run(&dir, Which::One(Component::Ra), true).await;
    assert_eq!(running.addrs().len(), 1);
    let ra = running.url(Component::Ra).unwrap();
    let ee = ee_client(&dir);
    let (s, _, b) = get(&ee, &format!("{ra}/no/such/path"), &[]).await;
    assert_eq!((s, &b[..]), (StatusCode::NOT_FOUND, &b"raInvalidURL"[..]));
    let (s, b) = post(
        &ee,
        &format!("{ra}/provision-pseudonym-certificate-batch"),
        b"junk",
    )
    .await;
    assert_eq!(
        (s, &b[..]),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            &b"raMalformedRequest"[..]
        )
    );
    let (s, b) = post(&ee, &format!("{ra}/retrieve-ra-certificate"), b"junk").await;
    assert_eq!(
        (s, &b[..]),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            &b"raMalformedRequest"[..]
        )
    );
    let (s, _, b) = get(&ee, &format!("{ra}/download/info"), &[]).await;
    assert_eq!(
        (s, &b[..]),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            &b"raMalformedRequest"[..]
        )
    );
    running.shutdown().await;
}

#[test]
fn which_parses() {
    assert_eq!("all".parse::<Which>().unwrap(), Which::All);
    assert_eq!("LA2".parse::<Which>().unwrap(), Which::One(Component::La2));
    assert!("x".parse::<Which>().is_err());
}
