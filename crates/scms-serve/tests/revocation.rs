#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Misbehavior and revocation end to end over loopback HTTPS (issue 5, "Done when"): OBEs
//! A, B, C provisioned through the LOP; A sends implausible BSMs; B and C report them via
//! the RA (which pools and forwards them to the MA); the MA investigates through the PCA,
//! the RA and both LAs over mutual TLS; the CRLG publishes A's two linkage seeds; B and C
//! download and verify the CRL and thereafter reject A's BSMs of the current and later
//! weeks while accepting each other's; A's downloads fail with `raBlacklisted`; A's
//! certificates of the earlier week stay unlinkable. Then the databases are inspected.

use std::sync::Arc;
use std::time::Duration;

use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, NinetyDegreeInt, OneEightyDegreeInt, ThreeDLocation,
};
use scms_asn1::Coer;
use scms_ca::config::Ports;
use scms_ca::Layout;
use scms_core::time::{i_period, i_period_start, time64_from_time32, Clock, ManualClock};
use scms_core::trust::TrustStore;
use scms_crypto::default_backend;
use scms_crypto::linkage::{advance_seed, linkage_value, pre_linkage_value, LinkageSeed};
use scms_ee::client::{Client, HttpsTransport, RaTransport};
use scms_ee::crl::verify_composite;
use scms_ee::download::{download_req, info_name, PATH_INFO};
use scms_ee::messages::{MessageError, MessageSigner, Verifier, PSID_BSM};
use scms_ee::misbehavior::{build_report, Reporter};
use scms_ee::provision::RequestKind;
use scms_ma::bsm::Bsm;
use scms_serve::{start, Component, ServeOptions, Which};

mod common;
use common::{cert, device, eca};

/// 2017-08-28 17:31:07 UTC.
const T0: u32 = 431_026_272;

fn verifier(layout: &Layout) -> Verifier {
    let mut trust = TrustStore::new(vec![], 1).unwrap();
    trust
        .add_root_by_ceremony(default_backend(), cert(layout, "root"))
        .unwrap();
    Verifier::new(trust, vec![cert(layout, "ica"), cert(layout, "pca")])
}

fn lv_of(c: &Certificate) -> [u8; 9] {
    let CertificateId::LinkageData(ld) = &c.to_be_signed.id else {
        panic!("not a pseudonym")
    };
    ld.linkage_value
}

fn db_blobs(path: &std::path::Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for c in 0..n {
                match row.get_ref(c).unwrap() {
                    rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                        out.extend_from_slice(b)
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

type Obe = Client<HttpsTransport>;

/// Downloads until the device holds the batches `want`.
fn download_until(obe: &mut Obe, running: &scms_serve::Running, want: &[u32]) {
    for _ in 0..100 {
        running.kick_ra();
        std::thread::sleep(Duration::from_millis(200));
        let _ = obe.download();
        let have = obe.store.batches();
        if want.iter().all(|i| have.contains(i)) {
            return;
        }
    }
    panic!("batches {want:?} not downloaded: {:?}", obe.store.batches());
}

#[test]
fn misbehaving_obe_is_revoked_over_https() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let i0 = i_period(T0).unwrap();
    let cfg = scms_ca::Config {
        start: i_period_start(i0),
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
        qa: true,
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
        ma_interval: Duration::from_millis(300),
        ..ServeOptions::default()
    };
    opts.ra.supply_weeks = Some(2);
    opts.ra.initial_provisioning_bypass = true;
    // Test override of the PoC's 10,000 reports / 1 day.
    opts.ra.report_threshold = Some(1);
    let running = rt.block_on(start(layout.root(), Which::All, opts)).unwrap();
    let lop = running.url(Component::Lop).unwrap();
    let root_pem = std::fs::read(layout.tls().join("root.pem")).unwrap();
    let transport = || HttpsTransport::new(&lop, &root_pem, Duration::from_secs(10)).unwrap();

    // A, B, C provisioned over HTTPS through the LOP (weeks i0 and i0 + 1).
    let mut obes: Vec<Obe> = Vec::new();
    let mut hashes = Vec::new();
    for name in ["a", "b", "c"] {
        let base = tmp.path().join(name);
        let dev = device(&layout, &mut eca(&layout), &base, "obe", false, clock.now());
        let sc = clock.clone();
        let mut c = Client::new(dev, transport(), clock.clone())
            .unwrap()
            .with_sleeper(Box::new(move |s| sc.advance(u64::from(s))));
        let rec = c.request(RequestKind::Pseudonym, None).unwrap();
        hashes.push(rec.accepted.clone().unwrap());
        obes.push(c);
        clock.advance(5);
    }
    for c in obes.iter_mut() {
        download_until(c, &running, &[i0, i0 + 1]);
    }

    // One week later: week i0 + 1 is current, the RA extends the supply to i0 + 2.
    clock.set(i_period_start(i0 + 1).unwrap() + 7200);
    for c in obes.iter_mut() {
        download_until(c, &running, &[i0 + 2]);
    }
    let i1 = i0 + 1;
    assert_eq!(i_period(clock.now()), Some(i1));

    // A sends implausible BSMs (80 m/s, a 5 km jump in one second).
    let ma_cert = cert(&layout, "ma");
    let now64 = time64_from_time32(clock.now());
    let a1 = obes[0].store.pseudonym(i1, 0).unwrap().unwrap();
    let base_bsm = Bsm {
        msg_cnt: 1,
        id: [9, 9, 9, 9],
        sec_mark: 0,
        lat: 423_000_000,
        long: -833_000_000,
        elev: 0,
        speed: 4000,
        heading: 0,
    };
    let mut signer = MessageSigner::new();
    let spdus: Vec<Vec<u8>> = [
        (now64 - 5_000_000, base_bsm),
        (
            now64 - 4_000_000,
            Bsm {
                msg_cnt: 2,
                lat: base_bsm.lat + 450_000,
                ..base_bsm
            },
        ),
    ]
    .iter()
    .map(|(t, b)| {
        signer
            .sign(&a1.cert, &a1.key, PSID_BSM, &b.encode(), *t, true)
            .unwrap()
            .to_coer()
    })
    .collect();
    // Before the revocation B accepts them.
    let mut vb = verifier(&layout);
    let mut vc = verifier(&layout);
    for s in &spdus {
        vb.verify(s, clock.now(), Some(PSID_BSM)).unwrap();
    }

    // B and C report A via the RA (through the LOP).
    let loc = ThreeDLocation {
        latitude: NinetyDegreeInt(423_000_000),
        longitude: OneEightyDegreeInt(-833_000_000),
        elevation: 0,
    };
    for k in [1, 2] {
        let me = obes[k].store.current(clock.now()).unwrap().unwrap();
        let report = build_report(
            &spdus,
            &[],
            &Reporter {
                certificate: &me.cert,
                key: &me.key,
            },
            &ma_cert,
            now64,
            loc.clone(),
        )
        .unwrap();
        transport()
            .post("/process-misbehavior-report", &report)
            .unwrap();
    }

    // The RA forwards, the MA investigates and publishes; B downloads the CRL (LOP → MA).
    let mut crl = None;
    for _ in 0..100 {
        running.kick_ra();
        running.kick_ma();
        std::thread::sleep(Duration::from_millis(300));
        let r = transport().get("/download-crl/", &[]).unwrap();
        assert_eq!(r.status, 200);
        let v = verify_composite(
            &r.body,
            &{
                let mut t = TrustStore::new(vec![], 1).unwrap();
                t.add_root_by_ceremony(default_backend(), cert(&layout, "root"))
                    .unwrap();
                t
            },
            &[cert(&layout, "ica")],
            clock.now(),
            None,
        )
        .unwrap();
        if v.revocations.len().1 > 0 {
            crl = Some((r.body, v));
            break;
        }
    }
    let (crl_bytes, v) = crl.expect("no CRL with a linkage entry was published");
    assert_eq!(v.revocations.len().1, 1, "exactly A's chain");
    // Range resume on the CRL store.
    let part = transport()
        .get("/download-crl/", &[("Range".into(), "bytes=10-".into())])
        .unwrap();
    assert_eq!(part.status, 206);
    assert_eq!(part.body, crl_bytes[10..]);

    vb.set_revocations(v.revocations);
    let v2 = verify_composite(
        &crl_bytes,
        &{
            let mut t = TrustStore::new(vec![], 1).unwrap();
            t.add_root_by_ceremony(default_backend(), cert(&layout, "root"))
                .unwrap();
            t
        },
        &[cert(&layout, "ica")],
        clock.now(),
        Some(v.crlg_start),
    )
    .unwrap();
    let mut list = v2.revocations;
    vc.set_revocations(
        verify_composite(
            &crl_bytes,
            &{
                let mut t = TrustStore::new(vec![], 1).unwrap();
                t.add_root_by_ceremony(default_backend(), cert(&layout, "root"))
                    .unwrap();
                t
            },
            &[cert(&layout, "ica")],
            clock.now(),
            None,
        )
        .unwrap()
        .revocations,
    );

    // Thereafter B and C reject A's BSMs signed with any certificate of weeks i1 and i1 + 1,
    // and accept each other's.
    let t = time64_from_time32(clock.now());
    for j in 0..20 {
        let p = obes[0].store.pseudonym(i1, j).unwrap().unwrap();
        let m = MessageSigner::new()
            .sign(&p.cert, &p.key, PSID_BSM, &base_bsm.encode(), t, true)
            .unwrap()
            .to_coer();
        for v in [&mut vb, &mut vc] {
            assert!(matches!(
                v.verify(&m, clock.now(), Some(PSID_BSM)),
                Err(MessageError::Revoked(_))
            ));
        }
        let later = obes[0].store.pseudonym(i1 + 1, j).unwrap().unwrap();
        assert!(list.is_revoked(&later.cert), "week i1 + 1, j = {j}");
        // A's certificates of the earlier week stay unlinkable.
        let early = obes[0].store.pseudonym(i0, j).unwrap().unwrap();
        assert!(!list.is_revoked(&early.cert), "week i0, j = {j}");
    }
    for (k, v) in [(2usize, &mut vb), (1, &mut vc)] {
        let p = obes[k].store.current(clock.now()).unwrap().unwrap();
        let m = MessageSigner::new()
            .sign(&p.cert, &p.key, PSID_BSM, &base_bsm.encode(), t, true)
            .unwrap()
            .to_coer();
        v.verify(&m, clock.now(), Some(PSID_BSM)).unwrap();
    }
    // In week i1 + 1, A's certificates of that week are rejected by the verifier too.
    let t2 = i_period_start(i1 + 1).unwrap() + 7200;
    let later = obes[0].store.pseudonym(i1 + 1, 3).unwrap().unwrap();
    let m = MessageSigner::new()
        .sign(
            &later.cert,
            &later.key,
            PSID_BSM,
            &base_bsm.encode(),
            time64_from_time32(t2),
            true,
        )
        .unwrap()
        .to_coer();
    assert!(matches!(
        vb.verify(&m, t2, Some(PSID_BSM)),
        Err(MessageError::Revoked(_))
    ));
    // B's and C's later certificates are not revoked.
    for k in [1, 2] {
        for j in 0..20 {
            let p = obes[k].store.pseudonym(i1 + 1, j).unwrap().unwrap();
            assert!(!list.is_revoked(&p.cert));
        }
    }

    // A's downloads fail with raBlacklisted (HTTP 500; the code in the body with --qa).
    let name = info_name(&hashes[0]);
    let hdr = download_req(&obes[0].device, &name, clock.now()).unwrap();
    let r = transport()
        .get(PATH_INFO, &[("Download-Req".into(), hdr)])
        .unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(String::from_utf8_lossy(&r.body), "raBlacklisted");
    // B's still work.
    let name = info_name(&hashes[1]);
    let hdr = download_req(&obes[1].device, &name, clock.now()).unwrap();
    let r = transport()
        .get(PATH_INFO, &[("Download-Req".into(), hdr)])
        .unwrap();
    assert_eq!(r.status, 200);

    rt.block_on(running.shutdown());

    // The databases: no plaintext PLV at the MA (nor PCA, LAs), no seed at the PCA, no
    // linkage value at either LA.
    let ma_db = db_blobs(&layout.state("ma").join("ma.sqlite"));
    let pca_db = db_blobs(&layout.state("pca").join("pca.sqlite"));
    let la_dbs = [
        db_blobs(&layout.state("la1").join("la1.sqlite")),
        db_blobs(&layout.state("la2").join("la2.sqlite")),
    ];
    assert!(!ma_db.is_empty() && !pca_db.is_empty() && !la_dbs[0].is_empty());
    // A's seeds and PLVs from the CRL (the only ones anyone can compute).
    let ma = scms_store::ma::SqliteMaStore::open(&layout.state("ma").join("ma.sqlite")).unwrap();
    let rev = scms_store::ma::MaStore::revocation(&ma, &scms_core::hash::certificate_id8(&a1.cert))
        .unwrap()
        .expect("A's revocation recorded");
    assert!(rev.blacklisted);
    let seeds = rev.linkage.clone().unwrap();
    assert_eq!(u32::from(seeds.i_rev), i1);
    let (l1, l2) = (seeds.la1_id, seeds.la2_id);
    for i in i1..=i1 + 1 {
        let s1 = advance_seed(l1, &LinkageSeed::new(seeds.seed1), i - i1);
        let s2 = advance_seed(l2, &LinkageSeed::new(seeds.seed2), i - i1);
        assert!(!contains(&pca_db, s1.expose()) && !contains(&pca_db, s2.expose()));
        for j in 0..20 {
            let p1 = pre_linkage_value(l1, &s1, j);
            let p2 = pre_linkage_value(l2, &s2, j);
            for db in [&ma_db, &pca_db, &la_dbs[0], &la_dbs[1]] {
                assert!(!contains(db, &p1) && !contains(db, &p2));
            }
            // The seeds reproduce A's linkage values.
            let a = obes[0].store.pseudonym(i, j).unwrap().unwrap();
            assert_eq!(linkage_value(&p1, &p2), lv_of(&a.cert));
        }
    }
    for o in &obes {
        for i in [i0, i1, i1 + 1] {
            for j in 0..20 {
                let p = o.store.pseudonym(i, j).unwrap().unwrap();
                let lv = lv_of(&p.cert);
                assert!(!la_dbs.iter().any(|d| contains(d, &lv)));
            }
        }
    }
}
