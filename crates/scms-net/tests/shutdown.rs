#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A server that has shut down answers nothing: its pooled connections are closed, new
//! connections are refused, and a request stuck in a handler is cut after the grace period.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::Full;
use scms_net::http::{
    server_config, shutdown_channel, spawn_https, ClientAuth, Credentials, HttpsClient, NetError,
    ServerLimits,
};
use scms_net::TlsRoot;
use tokio::net::TcpListener;

async fn health(client: &HttpsClient, url: &str) -> Result<Bytes, NetError> {
    let req = http::Request::get(url)
        .body(Full::new(Bytes::new()))
        .unwrap();
    client.fetch(req).await.map(|(_, _, b)| b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_answers_nothing() {
    let root = TlsRoot::generate().unwrap();
    let id = Credentials::from_identity(&root.issue("server.test").unwrap());
    let tls = server_config(&id, ClientAuth::None).unwrap();
    let router = Router::new().route("/health", get(|| async { "ok" }));
    let mut rounds = Vec::new();
    for _ in 0..8 {
        let (tls, router, root) = (tls.clone(), router.clone(), root.cert_der().clone());
        rounds.push(tokio::spawn(async move {
            for _ in 0..50 {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let url = format!("https://{}/health", listener.local_addr().unwrap());
                let (trigger, shutdown) = shutdown_channel();
                let task = spawn_https(
                    listener,
                    tls.clone(),
                    router.clone(),
                    shutdown,
                    ServerLimits::default(),
                );
                let client = HttpsClient::new(root.clone(), None)
                    .unwrap()
                    .with_limits(Duration::from_secs(20), 1 << 20);
                assert_eq!(&health(&client, &url).await.unwrap()[..], b"ok");
                assert_eq!(&health(&client, &url).await.unwrap()[..], b"ok");
                trigger.trigger();
                task.await.unwrap();
                // The pooled client gets no answer; a new one is refused at once.
                assert!(
                    health(&client, &url).await.is_err(),
                    "a stopped server answered"
                );
                let fresh = HttpsClient::new(root.clone(), None)
                    .unwrap()
                    .with_limits(Duration::from_secs(20), 1 << 20);
                let err = health(&fresh, &url).await.unwrap_err();
                assert!(matches!(err, NetError::Http(_)), "{err}");
            }
        }));
    }
    for r in rounds {
        r.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_still_busy_after_the_grace_period_are_closed() {
    let root = TlsRoot::generate().unwrap();
    let id = Credentials::from_identity(&root.issue("server.test").unwrap());
    let tls = server_config(&id, ClientAuth::None).unwrap();
    let router = Router::new().route(
        "/stuck",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "never"
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/stuck", listener.local_addr().unwrap());
    let (trigger, shutdown) = shutdown_channel();
    let limits = ServerLimits {
        shutdown_grace: Duration::from_millis(200),
        ..ServerLimits::default()
    };
    let task = spawn_https(listener, tls, router, shutdown, limits);
    let client = HttpsClient::new(root.cert_der().clone(), None)
        .unwrap()
        .with_limits(Duration::from_secs(30), 1 << 20);
    let stuck = tokio::spawn(async move { health(&client, &url).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    trigger.trigger();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the server ends after its grace period")
        .unwrap();
    let err = tokio::time::timeout(Duration::from_secs(10), stuck)
        .await
        .expect("the client learns at once")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, NetError::Http(_)), "{err}");
}
