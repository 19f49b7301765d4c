#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The LOP forwards to the right upstream without anything that locates the EE.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use http::HeaderMap;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use scms_lop::{router, Lop, Upstreams};
use scms_net::http::{
    client_config, server_config, shutdown_channel, spawn_https, ClientAuth, Credentials,
    HttpsClient, PeerInfo, ServerLimits,
};
use scms_net::TlsRoot;
use tokio::net::{TcpListener, TcpSocket};

#[derive(Default)]
struct Seen {
    requests: Vec<(String, HeaderMap, SocketAddr, Bytes)>,
}

fn upstream(name: &'static str, seen: Arc<Mutex<Seen>>) -> Router {
    Router::new().fallback(move |req: Request| {
        let seen = seen.clone();
        async move {
            let peer = req.extensions().get::<PeerInfo>().unwrap().addr;
            let (parts, body) = req.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            seen.lock().unwrap().requests.push((
                parts.uri.to_string(),
                parts.headers.clone(),
                peer,
                body,
            ));
            Response::builder()
                .status(206)
                .header("content-type", "application/octet-stream")
                .header("content-range", "bytes 0-4/10")
                .header("etag", "\"f.oer\"")
                .header("server", "upstream/1.0")
                .header("set-cookie", "a=b")
                .header("x-upstream", name)
                .body(axum::body::Body::from(format!("{name}!")))
                .unwrap()
        }
    })
}

#[tokio::test]
async fn strips_location_and_routes() {
    let root = TlsRoot::generate().unwrap();
    let ra_id = Credentials::from_identity(&root.issue("ra.scms.test").unwrap());
    let ma_id = Credentials::from_identity(&root.issue("ma.scms.test").unwrap());
    let lop_id = Credentials::from_identity(&root.issue("lop.scms.test").unwrap());
    let (trigger, shutdown) = shutdown_channel();

    let mut tasks = Vec::new();
    let mut serve = |creds: &Credentials, app: Router| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let addr = l.local_addr().unwrap();
        let l = TcpListener::from_std(l).unwrap();
        let tls = server_config(creds, ClientAuth::None).unwrap();
        tasks.push(spawn_https(
            l,
            tls,
            app,
            shutdown.clone(),
            ServerLimits::default(),
        ));
        addr
    };
    let ra_seen = Arc::new(Mutex::new(Seen::default()));
    let ma_seen = Arc::new(Mutex::new(Seen::default()));
    let ra = serve(&ra_id, upstream("ra", ra_seen.clone()));
    let ma = serve(&ma_id, upstream("ma", ma_seen.clone()));
    let client = HttpsClient::new(root.cert_der().clone(), Some(&lop_id)).unwrap();
    let lop = Lop::new(
        client,
        Upstreams {
            ra: format!("https://{ra}/"),
            crl_store: format!("https://{ma}"),
        },
    );
    let lop_addr = serve(&lop_id, router(Arc::new(lop)));

    // The EE connects from 127.0.0.2 (a loopback address that is not the LOP's).
    let ee_ip = "127.0.0.2".parse().unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(
        client_config(root.cert_der().clone(), None).unwrap(),
    ));
    let send = |req: http::Request<Full<Bytes>>| {
        let connector = connector.clone();
        async move {
            let sock = TcpSocket::new_v4().unwrap();
            sock.bind(SocketAddr::new(ee_ip, 0)).unwrap();
            let ee_addr = sock.local_addr().unwrap();
            let tcp = sock.connect(lop_addr).await.unwrap();
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let tls = connector.connect(name, tcp).await.unwrap();
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .unwrap();
            tokio::spawn(conn);
            let resp = sender.send_request(req).await.unwrap();
            let (parts, body) = resp.into_parts();
            (ee_addr, parts, body.collect().await.unwrap().to_bytes())
        }
    };

    let req = http::Request::post("/provision-pseudonym-certificate-batch?x=1")
        .header("host", "ra.scms.test")
        .header("content-type", "application/octet-stream")
        .header("download-req", "QUJD")
        .header("range", "bytes=0-4")
        .header("if-none-match", "\"f.oer\"")
        .header("x-forwarded-for", "192.0.2.7")
        .header("forwarded", "for=192.0.2.7")
        .header("x-real-ip", "192.0.2.7")
        .header("via", "1.1 car")
        .header("user-agent", "OBE/1.0 VIN123")
        .header("cookie", "id=car")
        .header("x-device-location", "45.0,-93.0")
        .body(Full::new(Bytes::from_static(b"request-bytes")))
        .unwrap();
    let (ee_addr, parts, body) = send(req).await;
    assert_eq!(ee_addr.ip().to_string(), "127.0.0.2");
    assert_eq!(parts.status, 206);
    assert_eq!(&body[..], b"ra!");
    // Only the allow-listed response headers come back.
    assert_eq!(parts.headers["content-range"], "bytes 0-4/10");
    assert_eq!(parts.headers["etag"], "\"f.oer\"");
    assert_eq!(parts.headers["content-type"], "application/octet-stream");
    for h in ["server", "set-cookie", "x-upstream"] {
        assert!(!parts.headers.contains_key(h), "{h} returned");
    }

    {
        let seen = ra_seen.lock().unwrap();
        assert_eq!(seen.requests.len(), 1);
        let (uri, headers, peer, body) = &seen.requests[0];
        assert_eq!(uri, "/provision-pseudonym-certificate-batch?x=1");
        assert_eq!(&body[..], b"request-bytes");
        // The upstream's peer is the LOP, never the EE.
        assert_eq!(peer.ip().to_string(), "127.0.0.1");
        assert_ne!(*peer, ee_addr);
        for h in [
            "x-forwarded-for",
            "forwarded",
            "x-real-ip",
            "via",
            "user-agent",
            "cookie",
            "x-device-location",
        ] {
            assert!(!headers.contains_key(h), "{h} forwarded");
        }
        for v in headers.values() {
            let v = v.to_str().unwrap_or_default();
            assert!(!v.contains("127.0.0.2") && !v.contains("192.0.2.7"), "{v}");
        }
        assert_eq!(headers["download-req"], "QUJD");
        assert_eq!(headers["range"], "bytes=0-4");
        assert_eq!(headers["if-none-match"], "\"f.oer\"");
        assert_eq!(headers["content-type"], "application/octet-stream");
        let allowed = [
            "download-req",
            "range",
            "if-none-match",
            "content-type",
            "content-length",
            "host",
        ];
        for k in headers.keys() {
            assert!(allowed.contains(&k.as_str()), "unexpected header {k}");
        }
    }

    // The CRL goes to the CRL store.
    let req = http::Request::get("/download-crl/")
        .header("host", "ma.scms.test")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (_, parts, body) = send(req).await;
    assert_eq!(parts.status, 206);
    assert_eq!(&body[..], b"ma!");
    assert_eq!(ma_seen.lock().unwrap().requests.len(), 1);
    assert_eq!(ra_seen.lock().unwrap().requests.len(), 1);

    // The LOP answers /health itself.
    let req = http::Request::get("/health")
        .header("host", "lop")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (_, parts, body) = send(req).await;
    assert_eq!(parts.status, 200);
    assert_eq!(&body[..], b"ok");
    assert_eq!(ra_seen.lock().unwrap().requests.len(), 1);

    trigger.trigger();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn upstream_down_is_502() {
    let root = TlsRoot::generate().unwrap();
    let lop_id = Credentials::from_identity(&root.issue("lop.scms.test").unwrap());
    // A port with nothing listening.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = HttpsClient::new(root.cert_der().clone(), None).unwrap();
    let lop = Lop::new(
        client,
        Upstreams {
            ra: format!("https://{dead}"),
            crl_store: format!("https://{dead}"),
        },
    );
    let (trigger, shutdown) = shutdown_channel();
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let tls = server_config(&lop_id, ClientAuth::None).unwrap();
    let task = spawn_https(
        l,
        tls,
        router(Arc::new(lop)),
        shutdown,
        ServerLimits::default(),
    );
    let ee = HttpsClient::new(root.cert_der().clone(), None).unwrap();
    let err = ee
        .post(&format!("https://{addr}/retrieve-ra-certificate"), vec![1])
        .await
        .unwrap_err();
    assert!(
        matches!(err, scms_net::http::NetError::Status { status: 502, .. }),
        "{err}"
    );
    trigger.trigger();
    task.await.unwrap();
}
