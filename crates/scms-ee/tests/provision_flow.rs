//! The whole EE flow in-process: device → RA library (LA1, LA2, PCA in-process) → batch
//! zips → opened, keys checked, stored → BSMs signed and verified by another device.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod provision_common;

use std::sync::Arc;

use provision_common::{env, in_process, T0};
use scms_core::time::{i_period, time64_from_time32, Clock, ManualClock};
use scms_ee::client::Client;
use scms_ee::messages::{MessageSigner, Verifier, PSID_BSM, PSID_SPAT};
use scms_ee::provision::{records, RequestKind};

#[test]
fn pseudonyms_end_to_end_with_top_off_and_range_resume() {
    let env = env();
    let clock = Arc::new(ManualClock::new(T0));
    let net = in_process(&env, clock.clone(), 2);
    let dev = env.device("obe", false, T0);
    let sleeper_clock = clock.clone();
    let mut client = Client::new(dev, net, clock.clone())
        .unwrap()
        .with_sleeper(Box::new(move |s| sleeper_clock.advance(u64::from(s))));

    let rec = client.request(RequestKind::Pseudonym, None).unwrap();
    assert!(rec.accepted.is_some());
    // The RA generates (LA PLVs, PCA certificates), then the device downloads.
    clock.advance(1);
    client.transport().ra.run_until_idle(clock.now()).unwrap();
    // Interrupt the first batch download once: it resumes with Range.
    *client.transport().cut_next.lock().unwrap() = Some(100);
    let rep = client.download().unwrap();
    let i = i_period(clock.now()).unwrap();
    assert_eq!(
        rep.certificates,
        40,
        "{rep:?} {:?}",
        client.transport().log.lock().unwrap()
    );
    assert_eq!(client.store.batches(), vec![i, i + 1]);
    assert_eq!(client.store.pseudonym_js(i).len(), 20);
    let rec = &records(&client.device).unwrap()[0];
    assert!(rec.info_time.is_some());
    assert!(client
        .transport()
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|l| l == "Range bytes=100-"));

    // Nothing new before the .info time: the device waits.
    let rep = client.download().unwrap();
    assert_eq!(rep.certificates, 0);

    // A week later: top-off downloads only the new batch.
    clock.advance(7 * 86_400);
    client.transport().ra.run_until_idle(clock.now()).unwrap();
    let rep = client.download().unwrap();
    assert_eq!(rep.certificates, 20, "{rep:?}");
    assert_eq!(client.store.batches(), vec![i, i + 1, i + 2]);

    // Sign a BSM with the current pseudonym; another device verifies it.
    let now = clock.now();
    let cur = client.store.current(now).unwrap().unwrap();
    let spdu = MessageSigner::new()
        .sign(
            &cur.cert,
            &cur.key,
            PSID_BSM,
            b"hello",
            time64_from_time32(now),
            false,
        )
        .unwrap();
    let other = env.device("other", false, T0);
    let mut v = Verifier::new(other.trust.clone(), other.intermediates.clone());
    use scms_asn1::Coer;
    let ok = v.verify(&spdu.to_coer(), now, Some(PSID_BSM)).unwrap();
    assert_eq!(ok.payload, b"hello");
}

#[test]
fn rse_application_certificate_and_spat() {
    let env = env();
    let clock = Arc::new(ManualClock::new(T0));
    let net = in_process(&env, clock.clone(), 1);
    let dev = env.device("rse", true, T0);
    let mut client = Client::new(dev, net, clock.clone()).unwrap();
    let rec = client
        .request(RequestKind::Application, Some(T0 + 10))
        .unwrap();
    client.transport().ra.run_until_idle(clock.now()).unwrap();
    clock.advance(20);
    let rep = client.download().unwrap();
    assert_eq!(
        rep.certificates,
        1,
        "{rep:?} {:?}",
        client.transport().log.lock().unwrap()
    );
    assert!(records(&client.device).unwrap()[0].done);
    let _ = rec;
    let now = clock.now();
    let app = client
        .store
        .current_application(now, PSID_SPAT)
        .unwrap()
        .unwrap();
    let spdu = MessageSigner::new()
        .sign(
            &app.cert,
            &app.key,
            PSID_SPAT,
            b"spat",
            time64_from_time32(now),
            true,
        )
        .unwrap();
    let obe = env.device("obe", false, T0);
    let mut v = Verifier::new(obe.trust.clone(), obe.intermediates.clone());
    use scms_asn1::Coer;
    assert_eq!(
        v.verify(&spdu.to_coer(), now, Some(PSID_SPAT))
            .unwrap()
            .payload,
        b"spat"
    );
}

#[test]
fn obe_identification_certificates() {
    let env = env();
    let clock = Arc::new(ManualClock::new(T0));
    let net = in_process(&env, clock.clone(), 1);
    let dev = env.device("obe", false, T0);
    let mut client = Client::new(dev, net, clock.clone()).unwrap();
    client.request(RequestKind::Identification, None).unwrap();
    client.transport().ra.run_until_idle(clock.now()).unwrap();
    clock.advance(1);
    let rep = client.download().unwrap();
    assert!(
        rep.certificates >= 1,
        "{rep:?} {:?}",
        client.transport().log.lock().unwrap()
    );
    assert!(client
        .store
        .current_identification(clock.now())
        .unwrap()
        .is_some());
}
