#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Pseudonym provisioning end to end over HTTPS: device → LOP → RA → (mutual TLS) LA1, LA2,
//! PCA, all started by `scms_serve::start` in one process on ephemeral 127.0.0.1 ports.

use std::sync::Arc;
use std::time::Duration;

use scms_ca::config::Ports;
use scms_ca::Layout;
use scms_core::time::{i_period, i_period_start, Clock, ManualClock};
use scms_ee::client::{Client, HttpsTransport};
use scms_ee::provision::RequestKind;
use scms_serve::{start, Component, ServeOptions, Which};

mod common;
use common::{device, eca};

/// 2017-08-28 17:31:07 UTC.
const T0: u32 = 431_026_272;

#[test]
fn pseudonyms_over_https_through_the_lop() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let cfg = scms_ca::Config {
        start: i_period(T0).and_then(i_period_start),
        ..Default::default()
    };
    scms_ca::init(&layout, &cfg, None).unwrap();
    let clock = Arc::new(ManualClock::new(T0));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut opts = ServeOptions {
        ports: Some(Ports {
            ra: 0,
            ma: 0,
            pca: 0,
            la1: 0,
            la2: 0,
            pg: 0,
            lop: 0,
        }),
        clock: clock.clone(),
        step_interval: Duration::from_millis(200),
        ..ServeOptions::default()
    };
    opts.ra.supply_weeks = Some(2);
    opts.ra.initial_provisioning_bypass = true;
    let running = rt.block_on(start(layout.root(), Which::All, opts)).unwrap();
    let lop = running.url(Component::Lop).unwrap();

    let dev = device(&layout, &mut eca(&layout), tmp.path(), "obe", false, T0);
    let root_pem = std::fs::read(layout.tls().join("root.pem")).unwrap();
    let transport = HttpsTransport::new(&lop, &root_pem, Duration::from_secs(10)).unwrap();
    let sleeper_clock = clock.clone();
    let mut client = Client::new(dev, transport, clock.clone())
        .unwrap()
        .with_sleeper(Box::new(move |s| sleeper_clock.advance(u64::from(s))));

    let rec = client.request(RequestKind::Pseudonym, None).unwrap();
    assert!(rec.accepted.is_some());
    // The pipeline runs in the background (LA1, LA2, PCA over mutual TLS); poll the
    // download a bounded number of times.
    let mut got = 0;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(200));
        running.kick_ra();
        if let Ok(rep) = client.download() {
            got += rep.certificates;
            if got >= 40 {
                break;
            }
        }
    }
    assert_eq!(got, 40);
    let i = i_period(clock.now()).unwrap();
    assert_eq!(client.store.batches(), vec![i, i + 1]);
    assert_eq!(client.store.pseudonym_js(i).len(), 20);

    rt.block_on(running.shutdown());
}
