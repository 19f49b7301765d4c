#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The operator's routes of the MA over loopback HTTPS (mutual TLS with the `operator`
//! identity of `scms init`): revocation of a pseudonym certificate (linkage entry, RA
//! blacklisting), of an RSE application certificate (series-3 hash entry, RA blacklisting
//! by RIF, the device's downloads then fail with `raBlacklisted`), of a component
//! certificate (series-2 hash entry); a removeElector ballot and a root CRL revoking the
//! PG published in the composite CRL; a client with another TLS identity refused. First,
//! a misbehavior report against another RSE's SPaT: the MA's investigation revokes that
//! application certificate the same way (series 3 and blacklisting by RIF).

use std::sync::Arc;
use std::time::{Duration, Instant};

use scms_asn1::camp::component_cert_management::{
    CompositeCrl, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContentsTypeSpecific, NinetyDegreeInt, OneEightyDegreeInt, ThreeDLocation,
};
use scms_asn1::Coer;
use scms_ca::config::Ports;
use scms_ca::Layout;
use scms_core::hash::{certificate_id10, certificate_id8};
use scms_core::time::{i_period, i_period_start, time64_from_time32, Clock, ManualClock};
use scms_crl::generator::contents_of;
use scms_ee::client::{Client, HttpsTransport, RaTransport};
use scms_ee::download::{application_name, download_req, info_name, PATH_APPLICATION, PATH_INFO};
use scms_ee::messages::{MessageSigner, PSID_SPAT};
use scms_ee::misbehavior::{build_report, Reporter};
use scms_ee::provision::{Device, RequestKind};
use scms_serve::{
    start, Component, OperatorClient, ServeOptions, Which, ADMIN_BALLOT_PATH, ADMIN_REVOKE_PATH,
    ADMIN_ROOT_CRL_PATH, ADMIN_STATUS_PATH, REASON_HEADER,
};
use scms_store::keystore::Keystore;

mod common;
use common::{cert, device, download_all, eca, WAIT};

/// 2017-08-28 17:31:07 UTC.
const T0: u32 = 431_026_272;
/// The composite CRL the MA's CRL store serves.
fn published(layout: &Layout) -> CompositeCrl {
    CompositeCrl::from_coer(&std::fs::read(layout.file("CRL.oer")).unwrap()).unwrap()
}

/// The HashedId10 entries of the CRLG's series-`s` CRL.
fn hash_entries(layout: &Layout, crl: &CompositeCrl, s: u16) -> Vec<[u8; 10]> {
    let c = contents_of(crl, &cert(layout, "crlg"), s).unwrap().unwrap();
    let CrlContentsTypeSpecific::FullHashCrl(h) = c.type_specific else {
        panic!("series {s} is not a hash CRL")
    };
    h.entries.iter().map(|e| e.id).collect()
}

/// GETs `path` for `file` with a Download-Req of `device`: (status, body).
fn download(
    t: &HttpsTransport,
    device: &Device,
    path: &str,
    file: &str,
    now: u32,
) -> (u16, String) {
    let hdr = download_req(device, file, now).unwrap();
    let r = t.get(path, &[("Download-Req".into(), hdr)]).unwrap();
    let body = if r.status == 200 {
        String::new()
    } else {
        String::from_utf8_lossy(&r.body).into_owned()
    };
    (r.status, body)
}

#[test]
fn operator_revokes_and_manages_roots_over_https() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let i0 = i_period(T0).unwrap();
    let mut cfg = scms_ca::Config {
        start: i_period_start(i0),
        ..Default::default()
    };
    cfg.local_policy.certs_per_i_period = 5;
    scms_ca::init(&layout, &cfg, None).unwrap();
    assert!(layout.tls().join("operator.pem").exists());
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
        ma_interval: Duration::from_secs(3600),
        ..ServeOptions::default()
    };
    opts.ra.supply_weeks = Some(1);
    opts.ra.initial_provisioning_bypass = true;
    opts.ra.report_threshold = Some(1);
    opts.ma_policy = Some(scms_ma::Policy {
        min_reporters: 1,
        require_evidence: false,
        ..scms_ma::Policy::default()
    });
    let running = rt.block_on(start(layout.root(), Which::All, opts)).unwrap();
    let lop = running.url(Component::Lop).unwrap();
    let root_pem = std::fs::read(layout.tls().join("root.pem")).unwrap();
    let transport = || HttpsTransport::new(&lop, &root_pem, Duration::from_secs(10)).unwrap();
    let client = |dev: Device| {
        let sc = clock.clone();
        let mut c = Client::new(dev, transport(), clock.clone())
            .unwrap()
            .with_sleeper(Box::new(move |s| sc.advance(u64::from(s))));
        c.policy.supply_periods = 1;
        c
    };
    let operator =
        OperatorClient::new(&layout.tls(), &running.url(Component::Ma).unwrap()).unwrap();

    // An OBE with this week's pseudonyms, an RSE with an application certificate.
    let mut obe = client(device(
        &layout,
        &mut eca(&layout),
        tmp.path(),
        "obe",
        false,
        clock.now(),
    ));
    let obe_hash = obe
        .request(RequestKind::Pseudonym, None)
        .unwrap()
        .accepted
        .unwrap();
    download_all(&running, &mut obe, 5);
    let app_start = clock.now() + 10;
    let mut rses = Vec::new();
    for name in ["rse", "rse-2"] {
        let mut rse = client(device(
            &layout,
            &mut eca(&layout),
            tmp.path(),
            name,
            true,
            clock.now(),
        ));
        let hash = rse
            .request(RequestKind::Application, Some(app_start))
            .unwrap()
            .accepted
            .unwrap();
        rse.wait_for_download().unwrap();
        download_all(&running, &mut rse, 1);
        rses.push((rse, hash));
    }
    clock.advance(u64::from(app_start.saturating_sub(clock.now())) + 1);
    let now = clock.now();
    let ((rse, rse_hash), (rse2, rse2_hash)) = (&rses[0], &rses[1]);
    let app = rse
        .store
        .current_application(now, PSID_SPAT)
        .unwrap()
        .unwrap();
    let t = transport();
    let app_file = application_name(rse_hash);
    assert_eq!(
        download(&t, &rse.device, PATH_APPLICATION, &app_file, now).0,
        200
    );
    let ma_db = scms_store::ma::SqliteMaStore::open(&layout.state("ma").join("ma.sqlite")).unwrap();

    // 0. The OBE reports RSE 2's SPaT; the MA's investigation revokes its application
    //    certificate by hash and the RA blacklists RSE 2 by its RIF.
    let app2 = rse2
        .store
        .current_application(now, PSID_SPAT)
        .unwrap()
        .unwrap();
    let spat = MessageSigner::new()
        .sign(
            &app2.cert,
            &app2.key,
            PSID_SPAT,
            b"SPaT: all green",
            time64_from_time32(now),
            true,
        )
        .unwrap()
        .to_coer();
    let me = obe.store.current(now).unwrap().unwrap();
    let report = build_report(
        &[spat],
        &[],
        &Reporter {
            certificate: &me.cert,
            key: &me.key,
        },
        &cert(&layout, "ma"),
        time64_from_time32(now),
        ThreeDLocation {
            latitude: NinetyDegreeInt(423_000_000),
            longitude: OneEightyDegreeInt(-833_000_000),
            elevation: 0,
        },
    )
    .unwrap();
    t.post("/process-misbehavior-report", &report).unwrap();
    let deadline = Instant::now() + WAIT;
    let rec = loop {
        running.kick_ra();
        running.kick_ma();
        std::thread::sleep(Duration::from_millis(200));
        let r = scms_store::ma::MaStore::revocation(&ma_db, &certificate_id8(&app2.cert)).unwrap();
        match r {
            Some(r) if r.blacklisted => break r,
            _ => assert!(Instant::now() < deadline, "the report was not acted upon"),
        }
    };
    assert_eq!(rec.reason, "detection policy");
    assert_eq!(
        rec.hash.map(|h| (h.0, h.1)),
        Some((certificate_id10(&app2.cert), 3))
    );
    assert_eq!(
        hash_entries(&layout, &published(&layout), 3),
        vec![certificate_id10(&app2.cert)]
    );
    assert_eq!(
        download(
            &t,
            &rse2.device,
            PATH_APPLICATION,
            &application_name(rse2_hash),
            now
        ),
        (500, "raBlacklisted".to_string())
    );

    // A client with another TLS identity (the RA's) is refused on /admin/*.
    let other = tmp.path().join("other-tls");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(layout.tls().join("root.pem"), other.join("root.pem")).unwrap();
    std::fs::copy(layout.tls().join("ra.pem"), other.join("operator.pem")).unwrap();
    std::fs::copy(
        layout.tls().join("ra.key.pem"),
        other.join("operator.key.pem"),
    )
    .unwrap();
    let intruder = OperatorClient::new(&other, &running.url(Component::Ma).unwrap()).unwrap();
    let dcm = cert(&layout, "dcm");
    for path in [ADMIN_REVOKE_PATH, ADMIN_BALLOT_PATH, ADMIN_ROOT_CRL_PATH] {
        match intruder.post(path, dcm.to_coer(), &[]) {
            Err(scms_net::http::NetError::Status { status: 403, .. }) => {}
            other => panic!("{path}: {other:?}"),
        }
    }
    assert!(hash_entries(&layout, &published(&layout), 2).is_empty());

    // 1. A pseudonym certificate: linkage entry, the RA blacklists the OBE.
    let p = obe.store.pseudonym(i0, 2).unwrap().unwrap();
    let a = operator
        .post(
            ADMIN_REVOKE_PATH,
            p.cert.to_coer(),
            &[(REASON_HEADER, "stolen vehicle")],
        )
        .unwrap();
    assert_eq!(a["kind"], "pseudonym", "{a}");
    assert_eq!(a["series"], 1);
    assert_eq!(a["blacklisted"], true);
    assert_eq!(a["entry"]["linkage"]["iRev"], i0);
    let crl = published(&layout);
    let linked = contents_of(&crl, &cert(&layout, "crlg"), 1)
        .unwrap()
        .unwrap();
    let CrlContentsTypeSpecific::FullLinkedCrl(l) = &linked.type_specific else {
        panic!("series 1 is not a linkage CRL")
    };
    assert_eq!(l.individual.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        download(&t, &obe.device, PATH_INFO, &info_name(&obe_hash), now),
        (500, "raBlacklisted".to_string())
    );

    // 2. The RSE's application certificate: series-3 entry, blacklisted by RIF.
    let a = operator
        .post(ADMIN_REVOKE_PATH, app.cert.to_coer(), &[])
        .unwrap();
    assert_eq!(a["kind"], "identification-or-application", "{a}");
    assert_eq!(a["series"], 3);
    assert_eq!(a["blacklisted"], true);
    assert_eq!(a["hashedId10"], hex::encode(certificate_id10(&app.cert)));
    let crl = published(&layout);
    assert_eq!(
        hash_entries(&layout, &crl, 3),
        vec![certificate_id10(&app2.cert), certificate_id10(&app.cert)]
    );
    assert_eq!(
        download(&t, &rse.device, PATH_APPLICATION, &app_file, now),
        (500, "raBlacklisted".to_string())
    );
    let rec = scms_store::ma::MaStore::revocation(&ma_db, &certificate_id8(&app.cert))
        .unwrap()
        .unwrap();
    assert!(rec.blacklisted && rec.reason.starts_with("operator"));
    // Again: the RA answers alreadyBlacklisted, which still counts.
    let again = operator
        .post(ADMIN_REVOKE_PATH, app.cert.to_coer(), &[])
        .unwrap();
    assert_eq!(again["blacklisted"], true);

    // 3. A component (the DCM): series-2 entry, nobody blacklisted.
    let a = operator
        .post(ADMIN_REVOKE_PATH, dcm.to_coer(), &[])
        .unwrap();
    assert_eq!(
        (a["kind"].as_str(), a["series"].as_u64()),
        (Some("component"), Some(2))
    );
    assert_eq!(a["blacklisted"], false);
    assert_eq!(
        hash_entries(&layout, &published(&layout), 2),
        vec![certificate_id10(&dcm)]
    );
    // The PG is the root's to revoke, not the MA's.
    let pg = cert(&layout, "pg");
    match operator.post(ADMIN_REVOKE_PATH, pg.to_coer(), &[]) {
        Err(scms_net::http::NetError::Status { status: 500, body }) => {
            assert_eq!(body, "maUnsupported")
        }
        other => panic!("{other:?}"),
    }

    // 4. A removeElector ballot (electors 1 and 2 remove elector 3) → revokedElectors.
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let vote = |k: u32, ty: EndorsementType, c: &Certificate| {
        let tbs = TbsElectorEndorsement {
            r#type: ty,
            certificate: c.clone(),
            effective_time: Some(time64_from_time32(now)),
        };
        let e = format!("elector-{k}");
        scms_core::ballot::endorse(
            keys.load_signer(&e).unwrap().as_ref(),
            &cert(&layout, &e),
            &tbs,
            time64_from_time32(now),
        )
        .unwrap()
    };
    let elector3 = cert(&layout, "elector-3");
    let one = scms_core::ballot::ballot(vec![vote(1, EndorsementType::RemoveElector, &elector3)]);
    match operator.post(ADMIN_BALLOT_PATH, one.to_coer(), &[]) {
        Err(scms_net::http::NetError::Status { status: 500, body }) => {
            assert_eq!(body, "maBallotRefused")
        }
        other => panic!("a ballot below quorum: {other:?}"),
    }
    let remove = scms_core::ballot::ballot(vec![
        vote(1, EndorsementType::RemoveElector, &elector3),
        vote(2, EndorsementType::RemoveElector, &elector3),
    ]);
    let a = operator
        .post(ADMIN_BALLOT_PATH, remove.to_coer(), &[])
        .unwrap();
    assert_eq!(a["new"], true, "{a}");
    assert_eq!(a["revokedElectors"], 1);
    assert_eq!(published(&layout).revoked_electors, vec![remove.clone()]);
    // An addRoot ballot belongs in the chain files.
    let add = scms_core::ballot::ballot(vec![
        vote(1, EndorsementType::AddRoot, &cert(&layout, "root")),
        vote(2, EndorsementType::AddRoot, &cert(&layout, "root")),
    ]);
    match operator.post(ADMIN_BALLOT_PATH, add.to_coer(), &[]) {
        Err(scms_net::http::NetError::Status { status: 500, body }) => {
            assert_eq!(body, "maUnsupported")
        }
        other => panic!("{other:?}"),
    }

    // 5. A root CRL of series 256 revoking the PG → appended to the composite CRL.
    let root = cert(&layout, "root");
    let root_crl = scms_crl::root::build_root_crl(
        keys.load_signer("root").unwrap().as_ref(),
        &root,
        None,
        std::slice::from_ref(&pg),
        now,
        now + 365 * 86_400,
    )
    .unwrap();
    let a = operator
        .post(ADMIN_ROOT_CRL_PATH, root_crl.to_coer(), &[])
        .unwrap();
    assert_eq!(a["new"], true, "{a}");
    let crl = published(&layout);
    assert_eq!(crl.secured_crl_series.len(), 5);
    assert_eq!(crl.secured_crl_series[4], root_crl);
    assert_eq!(crl.revoked_electors, vec![remove]);
    let (_, c) =
        scms_crl::root::open_root_crl(&crl.secured_crl_series[4], std::slice::from_ref(&root))
            .unwrap();
    let CrlContentsTypeSpecific::FullHashCrl(h) = &c.type_specific else {
        panic!()
    };
    assert_eq!(h.entries[0].id, certificate_id10(&pg));
    // The earlier entries are all still there.
    assert_eq!(
        hash_entries(&layout, &crl, 3),
        vec![certificate_id10(&app2.cert), certificate_id10(&app.cert)]
    );
    assert_eq!(hash_entries(&layout, &crl, 2), vec![certificate_id10(&dcm)]);
    // A CRL signed by the CRLG is no root CRL.
    match operator.post(
        ADMIN_ROOT_CRL_PATH,
        crl.secured_crl_series[0].to_coer(),
        &[],
    ) {
        Err(scms_net::http::NetError::Status { status: 500, body }) => {
            assert_eq!(body, "maCrlRefused")
        }
        other => panic!("{other:?}"),
    }
    // The operator's view of it all, and the same numbers as the files.
    let st = operator.get(ADMIN_STATUS_PATH).unwrap();
    assert_eq!(st["linkageEntries"], 1, "{st}");
    assert_eq!(st["hashEntries"]["3"], 2, "{st}");
    assert_eq!(st["hashEntries"]["2"], 1, "{st}");
    assert_eq!(st["revokedElectors"], 1, "{st}");
    assert_eq!(st["rootCrls"], 1, "{st}");
    assert_eq!(st["suspects"], 0, "{st}");
    assert_eq!(
        st["crlg"],
        hex::encode(certificate_id8(&cert(&layout, "crlg")))
    );
    let (reports, revocations) = scms_store::ma::MaStore::counts(&ma_db).unwrap();
    assert_eq!(
        (st["reports"].as_u64(), st["revocations"].as_u64()),
        (Some(reports), Some(revocations))
    );
    assert!(revocations >= 4, "{st}");

    rt.block_on(running.shutdown());
}
