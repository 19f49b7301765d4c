#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 4 acceptance, over real HTTPS on 127.0.0.1: `scms_serve::start` runs every
//! authority of an `scms init` tempdir (manual clock); three OBEs and one RSE, enrolled by
//! the ECA library, are provisioned through the LOP with [`HttpsTransport`]:
//! - each OBE gets 20 pseudonym certificates for this week and each following week of
//!   the (shortened) supply, every key reconstructed and matching, every chain valid;
//! - no two certificates share a linkage value, and for sampled certificates the two
//!   LAs' PLVs, kept encrypted by the PCA, decrypt (as an auditor holding the LA–PCA
//!   keys would) and XOR to the certificate's linkage value;
//! - OBE A signs a BSM (PSID 0x20) that OBE B verifies;
//! - the RSE gets an application certificate and signs a SPaT (PSID 0x82) an OBE verifies.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use scms_asn1::camp::base_types::{EncryptedIndividualPLV, ToBeEncryptedIndividualPLV};
use scms_asn1::ieee1609dot2::{Certificate, CertificateId};
use scms_asn1::Coer;
use scms_ca::config::Ports;
use scms_ca::Layout;
use scms_core::chain::validate_chain;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::hash::certificate_id8;
use scms_core::signer::Signer;
use scms_core::time::{i_period, i_period_start, time64_from_time32, Clock, ManualClock};
use scms_crypto::{default_backend, AesKey};
use scms_eca::{Eca, EcaConfig};
use scms_ee::client::{Client, HttpsTransport};
use scms_ee::messages::{MessageSigner, Verifier, PSID_BSM, PSID_SPAT};
use scms_ee::provision::{records, Device, RequestKind};
use scms_serve::{start, Component, Running, ServeOptions, Which};
use scms_store::keystore::Keystore;
use scms_store::pca::{PcaStore, SqlitePcaStore};

mod common;
use common::{device, download_all};

/// 2017-08-28 17:31:07 UTC (i = 137).
const T0: u32 = 431_026_272;
/// The shortened pseudonym supply, in weeks.
const SUPPLY: u32 = 3;
/// Pseudonym certificates per week.
const PER_WEEK: usize = 20;
/// An EE client through the LOP whose sleeps advance the manual clock.
fn client(
    running: &Running,
    layout: &Layout,
    dev: Device,
    clock: &Arc<ManualClock>,
) -> Client<HttpsTransport> {
    let lop = running.url(Component::Lop).unwrap();
    let root_pem = std::fs::read(layout.tls().join("root.pem")).unwrap();
    let transport = HttpsTransport::new(&lop, &root_pem, Duration::from_secs(10)).unwrap();
    let sleeper = clock.clone();
    let mut c = Client::new(dev, transport, clock.clone())
        .unwrap()
        .with_sleeper(Box::new(move |s| sleeper.advance(u64::from(s))));
    c.policy.supply_periods = SUPPLY;
    c
}

fn linkage_value(cert: &Certificate) -> ([u8; 9], u16) {
    match &cert.to_be_signed.id {
        CertificateId::LinkageData(ld) => (ld.linkage_value, ld.i_cert),
        other => panic!("pseudonym certificate without linkage data: {other:?}"),
    }
}

/// Decrypts an `EncryptedIndividualPLV` kept by the PCA with the LA–PCA key of its LA.
fn open_plv(bytes: &[u8], keys: &[(u16, AesKey)]) -> (u16, ToBeEncryptedIndividualPLV) {
    let p = EncryptedIndividualPLV::from_coer(bytes).unwrap();
    let la_id = u16::from_be_bytes(p.la_id);
    let (_, key) = keys.iter().find(|(id, _)| *id == la_id).unwrap();
    let pt = decrypt(default_backend(), &p.enc_plv, Decryptor::Symmetric(key)).unwrap();
    (la_id, ToBeEncryptedIndividualPLV::from_coer(&pt).unwrap())
}

#[test]
fn three_obes_and_an_rse_over_https() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let cfg = scms_ca::Config {
        start: i_period(T0).and_then(i_period_start),
        la1_id: Some(0x1111),
        la2_id: Some(0x2222),
        ..Default::default()
    };
    scms_ca::init(&layout, &cfg, None).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let mut eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
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
    opts.ra.supply_weeks = Some(SUPPLY);
    opts.ra.initial_provisioning_bypass = true;
    let running = rt.block_on(start(layout.root(), Which::All, opts)).unwrap();

    // Three OBEs, one after the other at the same clock second: each is provisioned
    // completely before the next asks (separate RA pipeline runs, same LA request time).
    let now = clock.now();
    let cur = i_period(now).unwrap();
    let want = PER_WEEK * SUPPLY as usize;
    let mut obes = Vec::new();
    for name in ["obe-a", "obe-b", "obe-c"] {
        let dev = device(&layout, &mut eca, tmp.path(), name, false, now);
        let mut c = client(&running, &layout, dev, &clock);
        let rec = c.request(RequestKind::Pseudonym, None).unwrap();
        assert!(rec.accepted.is_some(), "{name}");
        assert_eq!(download_all(&running, &mut c, want), want, "{name}");
        assert_eq!(clock.now(), now, "no retry was needed");
        assert_eq!(c.store.batches(), (cur..cur + SUPPLY).collect::<Vec<_>>());
        assert!(records(&c.device).unwrap()[0].info_time.is_some());
        obes.push(c);
    }

    // Every certificate: its stored key is the one its chain certifies, the chain
    // validates to the root, the linkage data names its week, and no linkage value repeats.
    let backend = default_backend();
    let mut lvs = HashSet::new();
    let mut checked = 0;
    for c in &obes {
        for i in cur..cur + SUPPLY {
            let js = c.store.pseudonym_js(i);
            assert_eq!(js, (0..PER_WEEK as u32).collect::<Vec<_>>());
            let at = i_period_start(i).unwrap() + 60;
            for j in js {
                let s = c.store.pseudonym(i, j).unwrap().unwrap();
                let chain = validate_chain(
                    backend,
                    &s.cert,
                    &c.device.intermediates,
                    &c.device.trust,
                    at,
                )
                .unwrap();
                assert_eq!(&chain.leaf_key, s.key.public_key(), "key of {i}/{j}");
                let (lv, i_cert) = linkage_value(&s.cert);
                assert_eq!(u32::from(i_cert), i);
                assert!(lvs.insert(lv), "linkage value of {i}/{j} repeats");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * want);

    // PLVs: the PCA keeps both encrypted PLVs of each certificate as received; with the
    // LA–PCA keys they decrypt and XOR to the linkage value, and neither is it alone.
    let la_keys = [
        (0x1111u16, keys.load_secret_array::<16>("la1-pca").unwrap()),
        (0x2222u16, keys.load_secret_array::<16>("la2-pca").unwrap()),
    ];
    let pca = SqlitePcaStore::open(&layout.state("pca").join("pca.sqlite")).unwrap();
    assert_eq!(pca.count().unwrap(), (3 * want) as u64);
    for (c, (i, j)) in obes
        .iter()
        .zip([(cur, 0), (cur + 1, 7), (cur + SUPPLY - 1, 19)])
    {
        let s = c.store.pseudonym(i, j).unwrap().unwrap();
        let rec = pca
            .find_by_certificate(&certificate_id8(&s.cert))
            .unwrap()
            .unwrap();
        assert_eq!(rec.intent.i_value, Some(i as u16));
        let issued = rec.issued.unwrap();
        assert_eq!(issued.certificate, s.cert.to_coer());
        let (id1, p1) = open_plv(rec.intent.enc_plv1.as_deref().unwrap(), &la_keys);
        let (id2, p2) = open_plv(rec.intent.enc_plv2.as_deref().unwrap(), &la_keys);
        assert_eq!((id1, id2), (0x1111, 0x2222));
        assert_eq!((u32::from(p1.i_value), u32::from(p2.i_value)), (i, i));
        let mut xor = [0u8; 9];
        for (k, x) in xor.iter_mut().enumerate() {
            *x = p1.plv[k] ^ p2.plv[k];
        }
        let (lv, _) = linkage_value(&s.cert);
        assert_eq!(xor, lv, "plv1 ⊕ plv2 of {i}/{j}");
        assert_ne!(p1.plv, lv);
        assert_ne!(p2.plv, lv);
    }

    // OBE A signs a BSM with its current pseudonym; OBE B verifies it.
    let a = obes[0].store.current(now).unwrap().unwrap();
    let bsm = MessageSigner::new()
        .sign(
            &a.cert,
            &a.key,
            PSID_BSM,
            b"BSM from A",
            time64_from_time32(now),
            false,
        )
        .unwrap()
        .to_coer();
    let b = &obes[1].device;
    let mut vb = Verifier::new(b.trust.clone(), b.intermediates.clone());
    assert_eq!(
        vb.verify(&bsm, now, Some(PSID_BSM)).unwrap().payload,
        b"BSM from A"
    );
    assert!(vb.verify(&bsm, now, Some(PSID_SPAT)).is_err());

    // The RSE: an application certificate, then a SPaT that OBE C verifies.
    let rse_dev = device(&layout, &mut eca, tmp.path(), "rse", true, clock.now());
    let mut rse = client(&running, &layout, rse_dev, &clock);
    let start = clock.now() + 10;
    rse.request(RequestKind::Application, Some(start)).unwrap();
    rse.wait_for_download().unwrap();
    assert_eq!(download_all(&running, &mut rse, 1), 1);
    assert!(records(&rse.device).unwrap()[0].done);
    // The certificate is valid from the requested start.
    clock.advance(u64::from(start.saturating_sub(clock.now())) + 1);
    let now = clock.now();
    let app = rse
        .store
        .current_application(now, PSID_SPAT)
        .unwrap()
        .unwrap();
    let chain = validate_chain(
        backend,
        &app.cert,
        &rse.device.intermediates,
        &rse.device.trust,
        now,
    )
    .unwrap();
    assert_eq!(&chain.leaf_key, app.key.public_key());
    let spat = MessageSigner::new()
        .sign(
            &app.cert,
            &app.key,
            PSID_SPAT,
            b"SPaT: phase 2 green",
            time64_from_time32(now),
            true,
        )
        .unwrap()
        .to_coer();
    let cdev = &obes[2].device;
    let mut vc = Verifier::new(cdev.trust.clone(), cdev.intermediates.clone());
    assert_eq!(
        vc.verify(&spat, now, Some(PSID_SPAT)).unwrap().payload,
        b"SPaT: phase 2 green"
    );

    rt.block_on(running.shutdown());
}

/// Sends offending requests to the RA at `ra` as fresh devices would; returns, per seed
/// error code expected, the HTTP status and body received.
fn offend(
    rt: &tokio::runtime::Runtime,
    layout: &Layout,
    eca: &mut Eca,
    base: &Path,
    ra: &str,
    now: u32,
) -> Vec<(&'static str, u16, Vec<u8>)> {
    use scms_ee::download::{batch_name, download_req, PATH_BATCH};
    use scms_ee::provision::{hash16, new_request, PATH_PSEUDONYM};
    let root = scms_net::tls_material::load_root_cert(&layout.tls()).unwrap();
    let http = scms_net::http::HttpsClient::new(root, None).unwrap();
    let call = |method: &str, path: &str, header: Option<String>, body: Vec<u8>| {
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{ra}{path}"));
        if let Some(h) = header {
            b = b.header("Download-Req", h);
        }
        let req = b
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .unwrap();
        let (s, _, b) = rt.block_on(http.fetch(req)).unwrap();
        (s.as_u16(), b.to_vec())
    };
    let dev =
        |name: &str, eca: &mut Eca| device(layout, eca, base, &format!("{name}-{now}"), false, now);
    let mut out = Vec::new();
    let mut push = |code: &'static str, (s, b): (u16, Vec<u8>)| out.push((code, s, b));

    // The same request twice: accepted, then a duplicate.
    let a = dev("a", eca);
    let (_, first) = new_request(&a, RequestKind::Pseudonym, now, now).unwrap();
    let (s, _) = call("POST", PATH_PSEUDONYM, None, first.body.clone());
    assert_eq!(s, 200);
    push(
        "raDuplicateRequestReceived",
        call("POST", PATH_PSEUDONYM, None, first.body),
    );
    // Signed a minute ago (the RA allows ±5 s).
    let b = dev("b", eca);
    let (_, old) = new_request(&b, RequestKind::Pseudonym, now - 60, now - 60).unwrap();
    push(
        "raInvalidTimeReceived",
        call("POST", PATH_PSEUDONYM, None, old.body),
    );
    // Not a request at all.
    push(
        "raMalformedRequest",
        call("POST", PATH_PSEUDONYM, None, b"junk".to_vec()),
    );
    // A's first batch: not generated yet (no LA or PCA runs here); B may not have it;
    // a name outside the seed's patterns; a path the RA does not serve.
    let name = batch_name(&hash16(&first.request_hash), i_period(now).unwrap());
    let req = |d: &Device, n: &str| Some(download_req(d, n, now).unwrap());
    push(
        "raCertFileUnavailable",
        call("GET", PATH_BATCH, req(&a, &name), vec![]),
    );
    push(
        "raUnauthorizedRequest",
        call("GET", PATH_BATCH, req(&b, &name), vec![]),
    );
    push(
        "raInvalidURL",
        call("GET", PATH_BATCH, req(&a, "foo.zip"), vec![]),
    );
    push("raInvalidURL", call("GET", "/no/such/path", None, vec![]));
    // More than 10 requests in an hour from one device.
    let c = dev("c", eca);
    for k in 0..10 {
        let (_, r) = new_request(&c, RequestKind::Pseudonym, now, now).unwrap();
        let (s, _) = call("POST", PATH_PSEUDONYM, None, r.body);
        assert_eq!(s, 200, "request {k}");
    }
    let (_, r) = new_request(&c, RequestKind::Pseudonym, now, now).unwrap();
    push(
        "raMoreThanAllowedTries",
        call("POST", PATH_PSEUDONYM, None, r.body),
    );
    out
}

#[test]
fn ra_errors_over_https_bare_in_production_named_in_qa() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let cfg = scms_ca::Config {
        start: i_period(T0).and_then(i_period_start),
        ..Default::default()
    };
    scms_ca::init(&layout, &cfg, None).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let mut eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The RA alone, first in production mode, then in QA mode (one after the other on
    // the same directory), at successive clock seconds.
    for (qa, now) in [(false, T0), (true, T0 + 1)] {
        let opts = ServeOptions {
            qa,
            ports: Some(Ports {
                ra: 0,
                ..Ports::default()
            }),
            clock: Arc::new(ManualClock::new(now)),
            ..ServeOptions::default()
        };
        let running = rt
            .block_on(start(layout.root(), Which::One(Component::Ra), opts))
            .unwrap();
        let ra = running.url(Component::Ra).unwrap();
        let got = offend(&rt, &layout, &mut eca, tmp.path(), &ra, now);
        assert_eq!(got.len(), 8);
        for (code, status, body) in got {
            let want_status = if code == "raInvalidURL" { 404 } else { 500 };
            assert_eq!(status, want_status, "{code} (qa {qa})");
            if qa {
                assert_eq!(String::from_utf8_lossy(&body), code);
            } else {
                assert!(body.is_empty(), "{code}: a bare {status} in production");
            }
        }
        rt.block_on(running.shutdown());
    }
}
