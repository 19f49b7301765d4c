//! Step 3.2–3.4 end to end with the real LAs and PCA in process: PLV chains, butterfly
//! expansion, shuffled PCA requests, batch files, downloads, top-off, blacklisting, a
//! crash in the middle of a step, identification and application certificates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use scms_asn1::camp::ee_ra::EndEntityRaInterfacePDU;
use scms_asn1::camp::pca_ra::{
    PlaintextCertificateResponse, ToBeSignedEncryptedCertificateResponse,
};
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::Coer;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::hash::certificate_id8;
use scms_core::signer::Signer;
use scms_core::time::{i_period, ManualClock};
use scms_crypto::default_backend;
use scms_ra::{DownloadKind, LaClient, LaIndex, PcaClient, Ra, RaError, RaErrorCode, RaOptions};
use scms_store::keystore::Keystore;

struct Las(scms_la::La, scms_la::La);
impl LaClient for Las {
    fn pre_linkage_values(&self, which: LaIndex, r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        let la = match which {
            LaIndex::La1 => &self.0,
            LaIndex::La2 => &self.1,
        };
        la.handle(&r)
            .map_err(|e| RaError::peer(which.name(), e.to_string()))
    }
}

/// The PCA in process; records what it was sent; can "lose" replies after `fail_after`
/// successful calls (the PCA has issued, the RA never hears back: a crash mid-step).
struct InProcessPca {
    pca: scms_pca::Pca,
    sent: Mutex<Vec<Vec<u8>>>,
    calls: AtomicUsize,
    fail_after: Option<usize>,
}
impl PcaClient for InProcessPca {
    fn certify(&self, r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        self.sent.lock().unwrap().push(r.clone());
        let reply = self
            .pca
            .handle(&r)
            .map_err(|e| RaError::peer("pca", e.to_string()))?;
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if self.fail_after.is_some_and(|k| n >= k) {
            return Err(RaError::peer("pca", "connection lost"));
        }
        Ok(reply)
    }
}

/// The PCA in process handed whole batches (`Pca::handle_batch`, as `scms bench`'s link);
/// while `lose` is set, only the first `keep` replies of a batch reach the RA, then the
/// link fails (the PCA has issued and recorded the whole batch: a crash mid-batch).
struct BatchPca {
    pca: scms_pca::Pca,
    lose: std::sync::atomic::AtomicBool,
    keep: usize,
}
impl PcaClient for BatchPca {
    fn certify(&self, r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        self.pca
            .handle(&r)
            .map_err(|e| RaError::peer("pca", e.to_string()))
    }
    fn certify_all(&self, rs: &[&[u8]]) -> Vec<Result<Vec<u8>, RaError>> {
        let mut out: Vec<_> = self
            .pca
            .handle_batch(rs)
            .unwrap()
            .into_iter()
            .map(|r| r.map_err(|e| RaError::peer("pca", e.to_string())))
            .collect();
        if self.lose.swap(false, Ordering::SeqCst) {
            out.truncate(self.keep);
            out.push(Err(RaError::peer("pca", "connection lost")));
        }
        out
    }
}

struct World {
    env: Env,
    clock: Arc<ManualClock>,
    las: Arc<Las>,
}

fn world(now: u32) -> World {
    let env = env();
    let layout = scms_ca::Layout::new(env.scms());
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let las = Las(
        scms_la::La::open(&layout, &keys, scms_la::Which::La1, clock.clone()).unwrap(),
        scms_la::La::open(&layout, &keys, scms_la::Which::La2, clock.clone()).unwrap(),
    );
    World {
        env,
        clock,
        las: Arc::new(las),
    }
}

impl World {
    fn pca(&self, fail_after: Option<usize>) -> Arc<InProcessPca> {
        let layout = scms_ca::Layout::new(self.env.scms());
        let keys = Keystore::open(&layout.keys(), None).unwrap();
        Arc::new(InProcessPca {
            pca: scms_pca::Pca::open(&layout, &keys, self.clock.clone()).unwrap(),
            sent: Mutex::new(Vec::new()),
            calls: AtomicUsize::new(0),
            fail_after,
        })
    }

    fn ra(&self, opts: RaOptions, pca: Arc<InProcessPca>) -> Ra {
        Ra::open(&self.env.scms(), opts, self.las.clone(), pca).unwrap()
    }
}

fn opts(weeks: u32, bypass: bool) -> RaOptions {
    RaOptions {
        supply_weeks: Some(weeks),
        initial_provisioning_bypass: bypass,
        ..Default::default()
    }
}

/// The request hash of an ack (SignedData with the RaEe…Ack).
fn ack_hash(ack: &[u8]) -> [u8; 8] {
    let Ieee1609Dot2Content::SignedData(sd) = Ieee1609Dot2Data::from_coer(ack).unwrap().content
    else {
        panic!()
    };
    let Some(inner) = &sd.tbs_data.payload.data else {
        panic!()
    };
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!()
    };
    let pdu = scms_asn1::camp::protocol::ScmsPDU::from_coer(o.as_bytes()).unwrap();
    match pdu.content {
        scms_asn1::camp::protocol::ScmsPDUContent::EeRa(
            EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(a)
            | EndEntityRaInterfacePDU::RaEeIdCertProvisioningAck(a)
            | EndEntityRaInterfacePDU::RaEeAppCertProvisioningAck(a),
        ) => a.request_hash,
        _ => panic!("not an ack"),
    }
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for k in 0..z.len() {
        let mut f = z.by_index(k).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.push((f.name().unwrap().to_string(), b));
    }
    out
}

/// The EE side of one response: verify the PCA signature, decrypt with q(i,j), return
/// the plaintext certificate response.
fn open_response(
    w: &World,
    bytes: &[u8],
    q: &scms_crypto::PrivateKey,
) -> PlaintextCertificateResponse {
    let d = Ieee1609Dot2Data::from_coer(bytes).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        panic!("not signed")
    };
    let key = scms_core::sign::certificate_key(default_backend(), &w.env.pca_cert, None).unwrap();
    scms_core::sign::verify_signed_data(default_backend(), sd, Some(&w.env.pca_cert), &key)
        .unwrap();
    let Some(inner) = &sd.tbs_data.payload.data else {
        panic!()
    };
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!()
    };
    let tbs = ToBeSignedEncryptedCertificateResponse::from_coer(o.as_bytes()).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = &tbs.encrypted_cert.content else {
        panic!()
    };
    let public = q.public_key(default_backend()).unwrap();
    let plain = decrypt(
        default_backend(),
        ed,
        Decryptor::Key {
            public: &public,
            key: q,
        },
    )
    .unwrap();
    let inner = Ieee1609Dot2Data::from_coer(&plain).unwrap();
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!()
    };
    PlaintextCertificateResponse::from_coer(o.as_bytes()).unwrap()
}

#[test]
fn pseudonym_batches_downloads_and_top_off() {
    let now = T0 + 10;
    let w = world(now);
    let pca = w.pca(None);
    let ra = w.ra(opts(2, true), pca.clone());
    let d = obe(&w.env, T0);
    let h = ack_hash(
        &ra.provision_pseudonym(&pseudonym_request(&w.env, &d, now), now)
            .unwrap(),
    );
    let rep = ra.run_until_idle(now).unwrap();
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    assert_eq!(rep.certificates, 40, "{rep:?}");
    let i0 = i_period(now).unwrap();
    let x = hex::encode_upper(h);
    for i in [i0, i0 + 1] {
        let name = format!("{x}_{i:X}.zip");
        let t = now + 2;
        let f = ra
            .download(DownloadKind::Batch, &download_req(&w.env, &d, &name, t), t)
            .unwrap();
        assert_eq!(f.name, name);
        let members = unzip(&f.bytes);
        let names: Vec<_> = members.iter().map(|(n, _)| n.clone()).collect();
        let want: Vec<_> = (0..20u32).map(|j| format!("{i:X}_{j:X}")).collect();
        assert_eq!(names, want);
        // The device can open its certificates (and only it: they are encrypted to Q).
        let (j, bytes) = (7u32, &members[7].1);
        let (_, q) = d.cat.cocoon(i, j).unwrap();
        let (PlaintextCertificateResponse::ImplicitButterfly(r)
        | PlaintextCertificateResponse::Implicit(r)) = open_response(&w, bytes, &q)
        else {
            panic!("not an implicit certificate")
        };
        assert!(matches!(
            r.certificate.to_be_signed.id,
            scms_asn1::ieee1609dot2::CertificateId::LinkageData(_)
        ));
        assert_eq!(
            r.certificate.to_be_signed.validity_period.start,
            scms_core::time::i_period_start(i).unwrap()
        );
    }
    // A stale Download-Req is refused.
    let name = format!("{x}_{i0:X}.zip");
    let err = ra
        .download(
            DownloadKind::Batch,
            &download_req(&w.env, &d, &name, now - 10),
            now,
        )
        .unwrap_err();
    assert_eq!(err.code(), Some(RaErrorCode::RaInvalidTimeReceived));
    // .info: a Time32.
    let f = ra
        .download(
            DownloadKind::Info,
            &download_req(&w.env, &d, &format!("{x}.info"), now),
            now,
        )
        .unwrap();
    assert_eq!(f.bytes.len(), 4);
    let info = u32::from_be_bytes(f.bytes.clone().try_into().unwrap());
    assert_eq!(info, scms_core::time::i_period_start(i0 + 1).unwrap());
    // The RA never sees a plaintext certificate or a PLV, and the PCA never learns the device:
    // no PCA request carries the enrollment certificate id or the EE request hash.
    let enr = certificate_id8(&d.cert);
    for r in pca.sent.lock().unwrap().iter() {
        assert!(!r.windows(8).any(|s| s == enr || s == h));
    }
    // Top-off: the next week brings batch i0 + 2, nothing more.
    let next = scms_core::time::i_period_start(i0 + 1).unwrap() + 60;
    w.clock.set(next);
    let rep = ra.run_until_idle(next).unwrap();
    assert_eq!(rep.certificates, 20, "{rep:?}");
    let name = format!("{x}_{:X}.zip", i0 + 2);
    let f = ra
        .download(
            DownloadKind::Batch,
            &download_req(&w.env, &d, &name, next),
            next,
        )
        .unwrap();
    assert_eq!(unzip(&f.bytes).len(), 20);
    assert_eq!(ra.run_until_idle(next).unwrap().certificates, 0);
    // Blacklisting stops generation.
    ra.blacklist(enr, next).unwrap();
    let later = scms_core::time::i_period_start(i0 + 2).unwrap() + 60;
    w.clock.set(later);
    let rep = ra.run_until_idle(later).unwrap();
    assert_eq!(rep.requests_created, 0);
}

#[test]
fn requests_are_pooled_and_shuffled_until_threshold_or_age() {
    let now = T0 + 10;
    let w = world(now);
    let pca = w.pca(None);
    let ra = w.ra(
        RaOptions {
            supply_weeks: Some(1),
            shuffle_threshold: Some(50),
            max_cert_request_age: Some(3_600),
            ..Default::default()
        },
        pca.clone(),
    );
    let a = obe(&w.env, T0);
    let b = obe(&w.env, T0);
    ra.provision_pseudonym(&pseudonym_request(&w.env, &a, now), now)
        .unwrap();
    let rep = ra.step(now).unwrap();
    assert_eq!(
        (rep.requests_created, rep.requests_sent, rep.pooled),
        (20, 0, 20)
    );
    ra.provision_pseudonym(&pseudonym_request(&w.env, &b, now + 60), now + 60)
        .unwrap();
    let rep = ra.step(now + 60).unwrap();
    assert_eq!(rep.requests_created, 20);
    assert_eq!(rep.requests_sent, 0, "40 < threshold 50: still pooled");
    // Released once the oldest request is an hour old, in shuffled order.
    let created: Vec<Vec<u8>> = ra
        .store()
        .open_requests()
        .unwrap()
        .into_iter()
        .map(|r| r.request)
        .collect();
    let t = now + 3_600;
    w.clock.set(t);
    let rep = ra.step(t).unwrap();
    assert_eq!(rep.certificates, 40);
    let sent = pca.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 40);
    let mut a1 = sent.clone();
    let mut b1 = created.clone();
    a1.sort();
    b1.sort();
    assert_eq!(a1, b1, "exactly the pooled requests were sent");
    assert_ne!(sent, created, "sent in shuffled order");
}

#[test]
fn crash_mid_step_loses_and_duplicates_nothing() {
    let now = T0 + 10;
    let w = world(now);
    let d = obe(&w.env, T0);
    let h;
    {
        let ra = w.ra(opts(2, true), w.pca(Some(13)));
        h = ack_hash(
            &ra.provision_pseudonym(&pseudonym_request(&w.env, &d, now), now)
                .unwrap(),
        );
        let rep = ra.step(now).unwrap();
        assert_eq!(rep.certificates, 13);
        assert!(!rep.errors.is_empty());
        // The RA "crashes" here: dropped with 27 requests unanswered (one issued by the PCA
        // whose reply was lost).
    }
    let pca = w.pca(None);
    let ra = w.ra(opts(2, true), pca.clone());
    let rep = ra.run_until_idle(now).unwrap();
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    assert_eq!(rep.certificates, 27);
    let s = ra.store().stream_by_hash(&h).unwrap().unwrap();
    assert_eq!(ra.store().counts(s.id).unwrap(), (40, 40, 0));
    // The PCA issued exactly 40 certificates: the re-sent request was answered from its record.
    assert_eq!(pca.pca.store().count().unwrap(), 40);
    let x = hex::encode_upper(h);
    let i0 = i_period(now).unwrap();
    for i in [i0, i0 + 1] {
        let name = format!("{x}_{i:X}.zip");
        let f = ra
            .download(
                DownloadKind::Batch,
                &download_req(&w.env, &d, &name, now),
                now,
            )
            .unwrap();
        assert_eq!(unzip(&f.bytes).len(), 20);
    }
}

#[test]
fn batch_lost_mid_way_is_resent_and_answered_from_the_record() {
    let now = T0 + 10;
    let w = world(now);
    let layout = scms_ca::Layout::new(w.env.scms());
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let batch_pca = |lose: bool| {
        Arc::new(BatchPca {
            pca: scms_pca::Pca::open(&layout, &keys, w.clock.clone()).unwrap(),
            lose: std::sync::atomic::AtomicBool::new(lose),
            keep: 50,
        })
    };
    let devices: Vec<_> = (0..3).map(|_| obe(&w.env, T0)).collect();
    let mut hashes = Vec::new();
    {
        let ra = Ra::open(&w.env.scms(), opts(2, true), w.las.clone(), batch_pca(true)).unwrap();
        for d in &devices {
            let ack = ra
                .provision_pseudonym(&pseudonym_request(&w.env, d, now), now)
                .unwrap();
            hashes.push(ack_hash(&ack));
        }
        let rep = ra.step(now).unwrap();
        assert_eq!(rep.requests_created, 120);
        assert_eq!(rep.certificates, 50, "{rep:?}");
        assert!(!rep.errors.is_empty());
        // The RA "crashes" here: 70 requests issued by the PCA, their replies lost.
    }
    let pca = batch_pca(false);
    let ra = Ra::open(&w.env.scms(), opts(2, true), w.las.clone(), pca.clone()).unwrap();
    let rep = ra.run_until_idle(now).unwrap();
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    assert_eq!(rep.certificates, 70);
    // Nothing issued twice: the re-sent requests were answered from the PCA's records.
    assert_eq!(pca.pca.store().count().unwrap(), 120);
    let i0 = i_period(now).unwrap();
    for h in &hashes {
        let s = ra.store().stream_by_hash(h).unwrap().unwrap();
        assert_eq!(ra.store().counts(s.id).unwrap(), (40, 40, 0));
        for i in [i0, i0 + 1] {
            let name = format!("{}_{i:X}.zip", hex::encode_upper(h));
            let (_, zip) = ra.store().file(&name).unwrap().unwrap();
            assert_eq!(unzip(&zip).len(), 20);
        }
    }
}

#[test]
fn identification_and_application_certificates() {
    let now = T0 + 10;
    let w = world(now);
    let pca = w.pca(None);
    let ra = w.ra(
        RaOptions {
            identity_supply_periods: Some(2),
            ..Default::default()
        },
        pca,
    );
    // OBE identification (UC19).
    let d = obe(&w.env, T0);
    let body = encrypt_to(
        &w.env.ra_cert,
        &signed(
            &d,
            EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(identity_pdu(&d, now)),
        ),
    );
    let ack = ra.provision_identity(&body, now).unwrap();
    // The ack is encrypted to the response-encryption caterpillar key P.
    let Ieee1609Dot2Content::EncryptedData(ed) = Ieee1609Dot2Data::from_coer(&ack).unwrap().content
    else {
        panic!()
    };
    let p = d
        .id_cat
        .encryption_seed
        .public_key(default_backend())
        .unwrap();
    let plain = decrypt(
        default_backend(),
        &ed,
        Decryptor::Key {
            public: &p,
            key: &d.id_cat.encryption_seed,
        },
    )
    .unwrap();
    let h = ack_hash(&plain);
    let rep = ra.run_until_idle(now).unwrap();
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    assert_eq!(rep.failures, 0, "{rep:?}");
    assert_eq!(rep.certificates, 2);
    let x = hex::encode_upper(h);
    for i in 0..2u32 {
        let name = format!("{x}_{i:X}.zip");
        let f = ra
            .download(
                DownloadKind::Identity,
                &download_req(&w.env, &d, &name.to_lowercase(), now),
                now,
            )
            .unwrap();
        let members = unzip(&f.bytes);
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].0, format!("{x}_{i:X}"));
        let (_, hk) = d.id_cat.cocoon(i, 0).unwrap();
        let (PlaintextCertificateResponse::ImplicitButterfly(r)
        | PlaintextCertificateResponse::Implicit(r)) = open_response(&w, &members[0].1, &hk)
        else {
            panic!()
        };
        let scms_asn1::ieee1609dot2::CertificateId::BinaryId(rif) = &r.certificate.to_be_signed.id
        else {
            panic!()
        };
        assert_eq!(rif.as_bytes(), &certificate_id8(&d.cert)[..]);
    }
    // RSE application certificate (UC13).
    let r = rse(&w.env, T0);
    let (app, resp_key) = application_pdu(now, now);
    let body = encrypt_to(
        &w.env.ra_cert,
        &signed(
            &r,
            EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(app),
        ),
    );
    let ack = ra.provision_application(&body, now).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = Ieee1609Dot2Data::from_coer(&ack).unwrap().content
    else {
        panic!()
    };
    let plain = decrypt(
        default_backend(),
        &ed,
        Decryptor::Key {
            public: resp_key.public_key(),
            key: resp_key.private(),
        },
    )
    .unwrap();
    let h = ack_hash(&plain);
    let rep = ra.run_until_idle(now).unwrap();
    assert_eq!((rep.certificates, rep.failures), (1, 0), "{rep:?}");
    let x = hex::encode_upper(h);
    let f = ra
        .download(
            DownloadKind::Application,
            &download_req(&w.env, &r, &format!("{x}.zip"), now),
            now,
        )
        .unwrap();
    let members = unzip(&f.bytes);
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, x);
    open_response(&w, &members[0].1, resp_key.private());
}
