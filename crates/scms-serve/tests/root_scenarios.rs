#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The seed's "Root Management and Disaster Recovery in Action" over loopback HTTPS (Steps
//! 11.1.2, 11.1.3, 11.2.2, 11.2.3): the back end (the MA's operator routes and CRL store,
//! the chain files of the SCMS Manager served by the RA) and the devices (bootstrapped
//! through the DCM with the ceremony's electors, provisioned through the LOP) run together.
//! OBEs A and B exchange BSMs before and after every step.
//!
//! - Day 1: electors 1 and 2 remove elector 3 (`removeElector`, `/admin/ballot`, composite
//!   CRL); the devices download the CRL and drop elector 3, and keep working; a ballot of
//!   electors 3 and 1 no longer reaches the quorum, at the SCMS Manager nor at the devices.
//! - Day 2: electors 1 and 2 add elector 4 (`addElector`, chain files); the devices pick it
//!   up with their LCCF; electors 4 and 1 now make a quorum.
//! - Day 3: the new hierarchy (root R2, an ICA and a PCA under it) is pre-issued and its
//!   CA certificates published in the chain files (`publish_certificates`); an RSE's SPaT
//!   under R2 is still refused.
//! - Day 4: electors 1 and 4 add R2 (`addRoot`, chain files); after the LCCF refresh the
//!   devices trust R2 (no re-bootstrap) and the SPaT verifies.
//! - Day 5: electors 1 and 4 remove the old root R1 (`removeRoot`, CRL); after the CRL
//!   download the devices distrust everything under R1, their own pseudonyms included: they
//!   stop transmitting and stop talking to the RA until re-enrolled; the SPaT under R2
//!   still verifies.
//! - Day 6: the CRL Generator is re-certified under R2 (`recertify`, chain files) and the
//!   services restarted; the devices verify and install the MA's CRLs again.
//! - Restart: a device reopened from its directory keeps elector 4 and R2, without elector
//!   3 and R1.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scms_asn1::camp::component_cert_management::{
    CompositeCrl, ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::ieee1609dot2::{
    Certificate, Ieee1609Dot2Content, Psid, PsidSsp, ServiceSpecificPermissions, SignerIdentifier,
    Time32,
};
use scms_asn1::Coer;
use scms_ca::config::Ports;
use scms_ca::Layout;
use scms_core::ballot::{self, verify_ballot, BallotEffect, BallotError};
use scms_core::chain::ChainError;
use scms_core::hash::certificate_id8;
use scms_core::issue::{issue_explicit_checked, issue_implicit_checked, root_id3};
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::sign::reconstruct_private_key;
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{i_period, i_period_start, time64_from_time32, Clock, ManualClock};
use scms_crypto::default_backend;
use scms_eca::{Eca, EcaConfig};
use scms_ee::certstore::Stored;
use scms_ee::client::{Client, HttpsTransport, RaTransport};
use scms_ee::crl::CrlCheckError;
use scms_ee::device::DeviceDir;
use scms_ee::download::{info_name, PATH_INFO};
use scms_ee::messages::{MessageError, MessageSigner, Verifier, PSID_BSM, PSID_SPAT};
use scms_ee::provision::{records, Device, ProvisionError, RequestKind};
use scms_ee::trust_state::{BallotResult, BallotSource};
use scms_ee::{CsrParams, DeviceKind, PendingRequest};
use scms_ma::manager::{publish_add_ballot, publish_certificates, recertify};
use scms_ma::MaError;
use scms_serve::{start, Component, OperatorClient, ServeOptions, Which, ADMIN_BALLOT_PATH};
use scms_store::keystore::Keystore;

mod common;
use common::{cert, download_all, WAIT};

/// One scenario day.
const DAY: u64 = 86_400;
/// Pseudonym certificates per week (a small supply).
const PER_WEEK: usize = 3;

type Obe = Client<HttpsTransport>;

/// An OBE bootstrapped at `now` as in Use Case 2: its CSR goes through the DCM to the
/// ECA, and the device checks the DCM's response zip (enrollment certificate, root, RA,
/// LCCF, LPF, CRL, TLS root and the ceremony's electors) and installs it in `base/name`.
fn bootstrap(layout: &Layout, base: &Path, name: &str, now: Time32) -> Device {
    let csr = scms_ee::keygen(&CsrParams::new(DeviceKind::Obe), now).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        csr.file_name.as_str(),
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(&csr.request).unwrap();
    let requests = w.finish().unwrap().into_inner();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let mut eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
    let files = scms_dcm::BootstrapFiles::load(layout.root()).unwrap();
    let (zip, report) = scms_dcm::enroll(
        &mut eca,
        &files,
        &requests,
        now,
        &scms_dcm::Limits::default(),
        None,
    )
    .unwrap();
    assert_eq!(report.accepted(), 1, "{report:?}");
    let pending = PendingRequest {
        kind: DeviceKind::Obe,
        request: &csr.request,
        key: &csr.key,
    };
    let stem = csr.file_name.strip_suffix(".oer").unwrap();
    let trust = scms_ee::bootstrap(&zip, stem, &pending, now).unwrap();
    assert_eq!(trust.electors.len(), 3);
    let dir = DeviceDir::new(base.join(name));
    let dkeys = Keystore::open(&dir.keys_dir(), None).unwrap();
    trust.store(&dir, &dkeys, now).unwrap();
    Device::open(&dir, dkeys).unwrap()
}

/// What a receiving device checks messages with: its trust store, its LCCF certificates
/// and the revocations of its installed CRL (when that CRL still verifies).
fn receiver(c: &Obe, now: Time32) -> Verifier {
    let mut v = Verifier::new(c.device.trust.clone(), c.device.intermediates.clone());
    if let Some(Ok(crl)) = c.device.load_crl(now) {
        v.set_revocations(crl.revocations);
    }
    v
}

fn sign(s: &Stored, psid: u64, payload: &[u8], now: Time32) -> Vec<u8> {
    MessageSigner::new()
        .sign(
            &s.cert,
            &s.key,
            psid,
            payload,
            time64_from_time32(now),
            true,
        )
        .unwrap()
        .to_coer()
}

/// A BSM of `from` with the pseudonym its certificate store hands out at `now` (the
/// store's guard decides whether it may transmit at all).
fn bsm(from: &Obe, now: Time32) -> Result<Vec<u8>, ProvisionError> {
    let me = from.store.current(now)?.expect("a pseudonym for now");
    Ok(sign(&me, PSID_BSM, b"BSM", now))
}

/// A sends a BSM to B and B to A; both verify.
fn exchange(obes: &[Obe], now: Time32, when: &str) {
    for (from, to) in [(0, 1), (1, 0)] {
        let m = bsm(&obes[from], now).unwrap_or_else(|e| panic!("{when}: {from} stopped: {e}"));
        let v = receiver(&obes[to], now).verify(&m, now, Some(PSID_BSM));
        assert!(v.is_ok(), "{when}: BSM {from} → {to}: {v:?}");
        assert_eq!(v.unwrap().payload, b"BSM");
    }
}

/// A ballot of `ty` on `subject`, endorsed at `now` by `voters`.
fn ballot_of(
    voters: &[(&dyn Signer, &Certificate)],
    ty: EndorsementType,
    subject: &Certificate,
    now: Time32,
) -> ElectorBallot {
    let t = time64_from_time32(now);
    let tbs = TbsElectorEndorsement {
        r#type: ty,
        certificate: subject.clone(),
        effective_time: Some(t),
    };
    ballot::ballot(
        voters
            .iter()
            .map(|(k, c)| ballot::endorse(*k, c, &tbs, t).unwrap())
            .collect(),
    )
}

/// A self-signed certificate of `kind` (Elector or Root) made at `start`, with its key.
fn self_signed(kind: CertKind, name: &str, start: Time32) -> (Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let tbs = template(
        kind,
        &TemplateParams {
            name: Some(name.into()),
            start,
            verification_key: Some(*key.public_key()),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    (issue_explicit_checked(&key, None, kind, tbs).unwrap(), key)
}

/// An explicit CA certificate of `kind` issued by `issuer`, with its key.
fn ca(
    kind: CertKind,
    name: &str,
    issuer: (&Certificate, &KeyPair),
    start: Time32,
) -> (Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let enc = (kind == CertKind::Pca).then(|| *KeyPair::generate().unwrap().public_key());
    let tbs = template(
        kind,
        &TemplateParams {
            name: Some(name.into()),
            start,
            craca_id: root_id3(issuer.0),
            verification_key: Some(*key.public_key()),
            encryption_key: enc,
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let c = issue_explicit_checked(issuer.1, Some(issuer.0), kind, tbs).unwrap();
    (c, key)
}

/// The new hierarchy of Day 3: root R2, an ICA and a PCA under it, and an RSE's SPaT
/// application certificate of that PCA. Returns (R2, [ICA, PCA], application certificate).
fn new_hierarchy(start: Time32) -> (Certificate, KeyPair, Vec<Certificate>, Stored) {
    let (r2, r2_key) = self_signed(CertKind::Root, "root-2.example.com", start);
    let (ica, ica_key) = ca(CertKind::Ica, "ica-2.example.com", (&r2, &r2_key), start);
    let (pca, pca_key) = ca(CertKind::Pca, "pca-2.example.com", (&ica, &ica_key), start);
    let k = KeyPair::generate().unwrap();
    let tbs = template(
        CertKind::RseApplication,
        &TemplateParams {
            start: start + 30,
            craca_id: root_id3(&pca),
            binary_id: Some([2; 8]),
            app_permissions: Some(vec![PsidSsp {
                psid: Psid::new(PSID_SPAT),
                ssp: Some(ServiceSpecificPermissions::Opaque(
                    scms_asn1::coer::OctetString(vec![0x90, 0x01]),
                )),
            }]),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let (app, r) = issue_implicit_checked(
        default_backend(),
        &pca_key,
        &pca,
        CertKind::RseApplication,
        tbs,
        k.public_key(),
    )
    .unwrap();
    let d = reconstruct_private_key(&app, &pca, k.private(), &r).unwrap();
    let app = Stored {
        cert: app,
        key: KeyPair::from_private(d).unwrap(),
    };
    (r2, r2_key, vec![ica, pca], app)
}

/// Downloads the composite CRL through the LOP (from the MA's CRL store) and installs it.
fn download_crl(c: &mut Obe) -> Result<scms_ee::crl::VerifiedCrl, ProvisionError> {
    let r = c.transport().get("/download-crl/", &[]).unwrap();
    assert_eq!(r.status, 200);
    c.install_crl(&r.body)
}

#[test]
fn electors_and_roots_are_managed_end_to_end() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let t0: Time32 = 431_026_272;
    let week = i_period(t0).unwrap();
    let mut cfg = scms_ca::Config {
        start: i_period_start(week),
        ..Default::default()
    };
    cfg.local_policy.certs_per_i_period = PER_WEEK as u8;
    scms_ca::init(&layout, &cfg, None).unwrap();
    // Day 0 starts ten minutes into the week, so that the six days stay in it.
    let clock = Arc::new(ManualClock::new(i_period_start(week).unwrap() + 600));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let options = |ports: Ports| {
        let mut opts = ServeOptions {
            qa: true,
            ports: Some(ports),
            clock: clock.clone(),
            step_interval: Duration::from_millis(200),
            ma_interval: Duration::from_secs(3600),
            ..ServeOptions::default()
        };
        opts.ra.supply_weeks = Some(1);
        opts.ra.initial_provisioning_bypass = true;
        opts
    };
    let any_port = Ports {
        ra: 0,
        ma: 0,
        pca: 0,
        la1: 0,
        la2: 0,
        pg: 0,
        lop: 0,
    };
    let running = rt
        .block_on(start(layout.root(), Which::All, options(any_port)))
        .unwrap();
    let lop = running.url(Component::Lop).unwrap();
    let operator =
        OperatorClient::new(&layout.tls(), &running.url(Component::Ma).unwrap()).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let electors: Vec<(Box<dyn Signer>, Certificate)> = (1..=3)
        .map(|k| {
            let name = format!("elector-{k}");
            (keys.load_signer(&name).unwrap(), cert(&layout, &name))
        })
        .collect();
    let e = |k: usize| -> (&dyn Signer, &Certificate) {
        (electors[k - 1].0.as_ref(), &electors[k - 1].1)
    };
    let (e3, r1) = (electors[2].1.clone(), cert(&layout, "root"));

    // Day 0: A and B bootstrapped through the DCM, provisioned over HTTPS through the LOP
    // (the TLS root of the DCM's zip), this week's pseudonyms downloaded.
    let mut obes: Vec<Obe> = ["a", "b"]
        .iter()
        .map(|name| {
            let dev = bootstrap(&layout, tmp.path(), name, clock.now());
            let tls = std::fs::read(dev.dir.trust_dir().join("root.tls")).unwrap();
            let t = HttpsTransport::new(&lop, &tls, Duration::from_secs(10)).unwrap();
            let sc = clock.clone();
            let mut c = Client::new(dev, t, clock.clone())
                .unwrap()
                .with_sleeper(Box::new(move |s| sc.advance(u64::from(s))));
            c.policy.supply_periods = 1;
            c
        })
        .collect();
    for c in obes.iter_mut() {
        c.request(RequestKind::Pseudonym, None).unwrap();
        download_all(&running, c, PER_WEEK);
        assert_eq!(c.device.trust.electors().len(), 3);
        assert!(c.device.trust.is_trusted_root(&r1));
    }
    exchange(&obes, clock.now(), "day 0");

    // Day 1: electors 1 and 2 remove elector 3; the MA publishes the ballot in the CRL.
    clock.advance(DAY);
    let now = clock.now();
    let remove_e3 = ballot_of(&[e(1), e(2)], EndorsementType::RemoveElector, &e3, now);
    let a = operator
        .post(ADMIN_BALLOT_PATH, remove_e3.to_coer(), &[])
        .unwrap();
    assert_eq!(
        (a["new"].as_bool(), a["revokedElectors"].as_u64()),
        (Some(true), Some(1)),
        "{a}"
    );
    for c in obes.iter_mut() {
        let v = download_crl(c).unwrap();
        assert!(
            v.ballots.iter().any(|o| matches!(
                o.result,
                BallotResult::Applied(BallotEffect::ElectorRemoved { changed: true, .. })
            )),
            "{:?}",
            v.ballots
        );
        let trust = &c.device.trust;
        assert!(trust.elector(&certificate_id8(&e3)).is_none());
        assert!(trust.is_removed_elector(&certificate_id8(&e3)));
        assert_eq!(trust.electors().len(), 2);
        assert!(trust.is_trusted_root(&r1));
        c.device.check_enrollment(now).unwrap();
    }
    exchange(&obes, now, "day 1");
    // Elector 3's vote no longer counts: a ballot of electors 3 and 1 (adding an elector)
    // is refused by the SCMS Manager and, were it delivered, by the devices.
    let (e5, _) = self_signed(CertKind::Elector, "elector-5.example.com", now - 60);
    let by_3_1 = ballot_of(&[e(3), e(1)], EndorsementType::AddElector, &e5, now);
    match publish_add_ballot(&layout, &by_3_1, now) {
        Err(MaError::Ballot(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2,
        })) => {}
        other => panic!("a ballot of a removed elector: {other:?}"),
    }
    for c in obes.iter_mut() {
        let out = c
            .device
            .apply_ballots(BallotSource::Lccf, std::slice::from_ref(&by_3_1), now)
            .unwrap();
        assert_eq!(
            out[0].result,
            BallotResult::Refused(BallotError::QuorumNotReached {
                valid: 1,
                quorum: 2
            })
        );
        assert!(c.device.trust.elector(&certificate_id8(&e5)).is_none());
    }

    // Day 2: electors 1 and 2 add elector 4, published in the GCCF and the LCCF.
    clock.advance(DAY);
    let now = clock.now();
    let (e4, e4_key) = self_signed(CertKind::Elector, "elector-4.example.com", now - 60);
    let e4v: (&dyn Signer, &Certificate) = (&e4_key, &e4);
    // Before: elector 4 is unknown, so 4 and 1 are one vote.
    let probe = ballot_of(&[e4v, e(1)], EndorsementType::AddElector, &e5, now);
    for c in &obes {
        let r = verify_ballot(default_backend(), &probe, &c.device.trust, now);
        assert_eq!(
            r.verdict,
            Err(BallotError::QuorumNotReached {
                valid: 1,
                quorum: 2
            })
        );
    }
    let add_e4 = ballot_of(&[e(1), e(2)], EndorsementType::AddElector, &e4, now);
    let up = publish_add_ballot(&layout, &add_e4, now).unwrap();
    assert!(matches!(
        up.effect,
        BallotEffect::ElectorAdded { changed: true, .. }
    ));
    for c in obes.iter_mut() {
        c.refresh_trust().unwrap();
        assert!(c.device.trust.elector(&certificate_id8(&e4)).is_some());
        assert_eq!(c.device.trust.electors().len(), 3);
        // After: 4 and 1 make a quorum.
        let r = verify_ballot(default_backend(), &probe, &c.device.trust, now);
        assert_eq!(r.verdict, Ok(()), "{:?}", r.endorsements);
    }
    exchange(&obes, now, "day 2");

    // Day 3: the new hierarchy is made; its CA certificates reach the devices in the LCCF,
    // but without a ballot R2 is not trusted: an RSE's SPaT under R2 is refused.
    clock.advance(DAY);
    let now = clock.now();
    let (r2, r2_key, r2_cas, r2_app) = new_hierarchy(now - 60);
    // The SCMS Manager publishes R2's CAs in the chain files (R2 only validates them).
    let mut published = vec![r2.clone()];
    published.extend(r2_cas.iter().cloned());
    let up = publish_certificates(&layout, &published, now).unwrap();
    assert_eq!(up.added.len(), 2);
    assert_eq!(up.anchors, vec![certificate_id8(&r2)]);
    for c in obes.iter_mut() {
        c.refresh_trust().unwrap();
        for ca in &r2_cas {
            assert!(c.device.intermediates.contains(ca));
        }
        let spat = sign(&r2_app, PSID_SPAT, b"SPaT", now);
        let v = receiver(c, now).verify(&spat, now, Some(PSID_SPAT));
        assert!(
            matches!(v, Err(MessageError::Chain(ChainError::IssuerNotFound { issuer, .. }))
                if issuer == certificate_id8(&r2)),
            "{v:?}"
        );
    }
    exchange(&obes, now, "day 3");

    // Day 4: electors 1 and 4 add R2 in the chain files; the devices trust it after their
    // LCCF refresh, without re-bootstrapping, and the SPaT verifies.
    clock.advance(DAY);
    let now = clock.now();
    let add_r2 = ballot_of(&[e(1), e4v], EndorsementType::AddRoot, &r2, now);
    let up = publish_add_ballot(&layout, &add_r2, now).unwrap();
    assert!(matches!(
        up.effect,
        BallotEffect::RootAdded { changed: true, .. }
    ));
    for c in obes.iter_mut() {
        let spat = sign(&r2_app, PSID_SPAT, b"SPaT", now);
        assert!(receiver(c, now)
            .verify(&spat, now, Some(PSID_SPAT))
            .is_err());
        c.refresh_trust().unwrap();
        assert!(c.device.trust.is_trusted_root(&r2));
        assert!(c.device.trust.is_trusted_root(&r1));
        let ok = receiver(c, now)
            .verify(&spat, now, Some(PSID_SPAT))
            .unwrap();
        assert_eq!(ok.payload, b"SPaT");
    }
    exchange(&obes, now, "day 4");

    // Day 5: electors 1 and 4 remove R1; the MA publishes the ballot in the CRL.
    clock.advance(DAY);
    let now = clock.now();
    let old = obes
        .iter()
        .map(|c| c.store.pseudonym(week, 0).unwrap().unwrap())
        .collect::<Vec<_>>();
    let remove_r1 = ballot_of(&[e(1), e4v], EndorsementType::RemoveRoot, &r1, now);
    let a = operator
        .post(ADMIN_BALLOT_PATH, remove_r1.to_coer(), &[])
        .unwrap();
    assert_eq!(a["revokedRootCAs"].as_u64(), Some(1), "{a}");
    assert_eq!(
        a["effect"]["removedRoot"],
        hex::encode(certificate_id8(&r1))
    );
    for c in obes.iter_mut() {
        // The ballot is applied; the CRLs themselves, signed by the CRLG under R1, are no
        // longer verifiable.
        let err = download_crl(c).unwrap_err();
        assert!(
            matches!(err, ProvisionError::Crl(CrlCheckError::Signature(_))),
            "{err}"
        );
        let trust = &c.device.trust;
        assert!(!trust.is_trusted_root(&r1));
        assert!(trust.is_removed_root(&certificate_id8(&r1)));
        assert!(trust.is_trusted_root(&r2));
    }
    for (k, c) in obes.iter_mut().enumerate() {
        // The device's enrollment chain is invalidated: it ceases operation until it is
        // re-enrolled. It does not transmit...
        assert!(
            matches!(c.store.current(now), Err(ProvisionError::Revoked(_))),
            "device {k} still transmits"
        );
        assert!(matches!(
            c.device.check_enrollment(now),
            Err(ProvisionError::Revoked(_))
        ));
        // ... and does not talk to the RA.
        let r = c.request(RequestKind::Pseudonym, None);
        assert!(
            matches!(r, Err(ProvisionError::Revoked(_))),
            "device {k} asked the RA: {r:?}"
        );
        let hash = records(&c.device).unwrap()[0].accepted.clone().unwrap();
        let r = c.fetch(PATH_INFO, &info_name(&hash));
        assert!(
            matches!(r, Err(ProvisionError::Revoked(_))),
            "device {k} downloaded from the RA: {r:?}"
        );
    }
    // Messages under R1's chains are refused (what A and B would still send with their
    // pseudonyms, were their guards bypassed), the SPaT under R2 verifies.
    for (from, to) in [(0, 1), (1, 0)] {
        let m = sign(&old[from], PSID_BSM, b"BSM", now);
        let v = receiver(&obes[to], now).verify(&m, now, Some(PSID_BSM));
        assert!(
            matches!(v, Err(MessageError::Chain(ChainError::UntrustedRoot))),
            "{v:?}"
        );
        let spat = sign(&r2_app, PSID_SPAT, b"SPaT", now);
        receiver(&obes[to], now)
            .verify(&spat, now, Some(PSID_SPAT))
            .unwrap();
    }

    // Day 6 (the back end recovers): the CRL Generator is re-certified under R2 and the
    // services restarted on the same ports; the MA's next CRL is signed under R2 and the
    // devices accept CRLs again, R1 still removed (their own certificates under R1 stay
    // invalid until they are re-enrolled, "a later release" in the seed).
    clock.advance(DAY);
    let now = clock.now();
    let old_crlg = cert(&layout, "crlg");
    let re = recertify(&layout, "crlg", (&r2, &r2_key), now).unwrap();
    assert_eq!(cert(&layout, "crlg"), re.certificate);
    assert_eq!(
        Certificate::from_coer(&std::fs::read(&re.previous).unwrap()).unwrap(),
        old_crlg
    );
    assert_eq!(
        re.certificate.to_be_signed.verify_key_indicator,
        old_crlg.to_be_signed.verify_key_indicator
    );
    let port = |c| running.addr(c).unwrap().port();
    let same_ports = Ports {
        ra: port(Component::Ra),
        ma: port(Component::Ma),
        pca: port(Component::Pca),
        la1: port(Component::La1),
        la2: port(Component::La2),
        pg: port(Component::Pg),
        lop: port(Component::Lop),
    };
    rt.block_on(running.shutdown());
    let running = rt
        .block_on(start(layout.root(), Which::All, options(same_ports)))
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let signed_by_new = || {
        let crl = CompositeCrl::from_coer(&std::fs::read(layout.file("CRL.oer")).unwrap());
        crl.is_ok_and(|c| {
            c.secured_crl_series.iter().any(|s| {
                matches!(&s.content, Ieee1609Dot2Content::SignedData(sd)
                    if matches!(&sd.signer, SignerIdentifier::Certificate(l)
                        if l.first() == Some(&re.certificate)))
            })
        })
    };
    while !signed_by_new() && Instant::now() < deadline {
        running.kick_ma();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(signed_by_new(), "no CRL signed by the re-certified CRLG");
    for c in obes.iter_mut() {
        c.refresh_trust().unwrap();
        assert!(c.device.intermediates.contains(&re.certificate));
        let v = download_crl(c).unwrap();
        assert_eq!(
            v.crlg_start, now,
            "the anti-rollback mark moves to the new CRLG"
        );
        assert!(!c.device.trust.is_trusted_root(&r1));
        assert!(c.device.trust.is_trusted_root(&r2));
        assert!(matches!(
            c.store.current(now),
            Err(ProvisionError::Revoked(_))
        ));
        let spat = sign(&r2_app, PSID_SPAT, b"SPaT", now);
        receiver(c, now)
            .verify(&spat, now, Some(PSID_SPAT))
            .unwrap();
    }

    rt.block_on(running.shutdown());

    // Restart: A reopened from its directory keeps the outcome of every ballot.
    let dir = obes[0].device.dir.clone();
    drop(obes);
    let dev = Device::open(&dir, Keystore::open(&dir.keys_dir(), None).unwrap()).unwrap();
    let ids: Vec<_> = dev.trust.electors().iter().map(certificate_id8).collect();
    assert!(ids.contains(&certificate_id8(&e4)));
    assert!(!ids.contains(&certificate_id8(&e3)));
    assert!(dev.trust.is_removed_elector(&certificate_id8(&e3)));
    assert!(dev.trust.is_trusted_root(&r2));
    assert!(!dev.trust.is_trusted_root(&r1));
    assert!(dev.trust.is_removed_root(&certificate_id8(&r1)));
    assert!(matches!(
        dev.check_enrollment(clock.now()),
        Err(ProvisionError::Revoked(_))
    ));
    // Its client still refuses to transmit.
    let tls = std::fs::read(dir.trust_dir().join("root.tls")).unwrap();
    let t = HttpsTransport::new(&lop, &tls, Duration::from_secs(10)).unwrap();
    let c = Client::new(dev, t, clock.clone()).unwrap();
    assert!(matches!(
        c.store.current(clock.now()),
        Err(ProvisionError::Revoked(_))
    ));
    eprintln!("root scenarios: {:?}", started.elapsed());
}
