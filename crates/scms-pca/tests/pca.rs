#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The PCA on a real `scms init` hierarchy, with PLVs from the real LAs: the device can
//! open the response, the linkage value is plv1 ⊕ plv2, replays are idempotent, and the
//! store holds no plaintext PLV.

use std::sync::Arc;

use scms_asn1::camp::base_types::{EncryptedIndividualPLV, ToBeEncryptedIndividualPLV};
use scms_asn1::camp::la_ra::{
    LaRaInterfacePDU, LaRaPreLinkageValueResponseMsgReply, RaLaIndividualPreLinkageValueRequestMsg,
    RaLaPreLinkageValueRequestMsgHeader,
};
use scms_asn1::camp::pca_ra::{
    IdCertRequestInfo, PcaRaCertResponseMsgReply, PcaRaCertResponseMsgReplySuccess,
    PcaRaInterfacePDU, PlaintextCertificateResponse, PseudonymCertRequestInfo, RaPcaCertRequestMsg,
    RaPcaCertRequestMsgCertRequestInfo, ToBeSignedEncryptedCertificateResponse,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, SignedCertificateRequest};
use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Duration, HeaderInfo, Hostname,
    Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid, PsidSsp, ServiceSpecificPermissions,
    SignedDataPayload, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_ca::{init, Config, Layout};
use scms_core::convert::compressed;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::sign::{self, Issuer, SignerId};
use scms_core::time::{i_period_start, Clock, ManualClock};
use scms_crypto::butterfly::CaterpillarPrivate;
use scms_crypto::linkage::linkage_value;
use scms_crypto::{default_backend, AesKey, PrivateKey, Scalar};
use scms_la::{La, Which};
use scms_pca::{Pca, PcaError};
use scms_store::keystore::Keystore;

const I0: u16 = 520;

struct Env {
    _dir: tempfile::TempDir,
    layout: Layout,
    keys: Keystore,
    clock: Arc<ManualClock>,
    cfg: Config,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::new(dir.path().join("scms"));
    let cfg = Config {
        start: Some(i_period_start(u32::from(I0) - 1).unwrap()),
        la1_id: Some(0x0101),
        la2_id: Some(0x0202),
        ..Config::default()
    };
    init(&layout, &cfg, None).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let clock = Arc::new(ManualClock::new(
        i_period_start(u32::from(I0)).unwrap() + 60,
    ));
    Env {
        _dir: dir,
        layout,
        keys,
        clock,
        cfg,
    }
}

fn cert(layout: &Layout, name: &str) -> Certificate {
    Certificate::from_coer(&std::fs::read(layout.cert(name)).unwrap()).unwrap()
}

fn header(gen: Option<u64>) -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(0x23),
        generation_time: gen,
        expiry_time: None,
        generation_location: None,
        p2pcd_learning_request: None,
        missing_crl_identifier: None,
        encryption_key: None,
        inline_p2pcd_request: None,
        requested_certificate: None,
        pdu_functional_type: None,
        contributed_extensions: None,
    }
}

/// As the RA: one fresh chain from `la` for `i = I0`, `j < j_max`; returns `values[0]`.
fn plvs(e: &Env, la: &La, j_max: u8) -> Vec<EncryptedIndividualPLV> {
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: RaLaPreLinkageValueRequestMsgHeader {
                    version: 1,
                    ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
                    pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
                    i_min: I0,
                    i_max: I0,
                },
                j_max,
                number_of_fresh_ind: Some(1),
                continuations_ind: None,
            },
        )),
    };
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data {
                protocol_version: 3,
                content: Ieee1609Dot2Content::UnsecuredData(Opaque::new(pdu.to_coer()).unwrap()),
            })),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: header(Some(e.clock.now64())),
    };
    let ra = cert(&e.layout, "ra");
    let sd = sign::sign_data(
        &e.keys.load_key_pair("ra").unwrap(),
        tbs,
        SignerId::Digest(&ra),
    )
    .unwrap();
    let req = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    }
    .to_coer();
    let resp = Ieee1609Dot2Data::from_coer(&la.handle(&req).unwrap()).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = resp.content else {
        panic!()
    };
    let Some(Ieee1609Dot2Data {
        content: Ieee1609Dot2Content::UnsecuredData(o),
        ..
    }) = sd.tbs_data.payload.data.as_deref()
    else {
        panic!()
    };
    let ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(m)) =
        ScmsPDU::from_coer(o.as_bytes()).unwrap().content
    else {
        panic!()
    };
    let LaRaPreLinkageValueResponseMsgReply::Success(s) = m.reply else {
        panic!()
    };
    s.individual[0].values[0].clone()
}

/// As the RA: a SecuredRaPcaCertificateRequest for `info`.
fn pca_request(e: &Env, info: RaPcaCertRequestMsgCertRequestInfo) -> (Vec<u8>, [u8; 32]) {
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(RaPcaCertRequestMsg {
            version: 1,
            ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
            cert_request_info: info,
        })),
    };
    let ra = cert(&e.layout, "ra");
    let scr = sign::sign_certificate_request(
        &e.keys.load_key_pair("ra").unwrap(),
        pdu,
        SignerId::Certificate(&ra),
    )
    .unwrap();
    let hash = Pca::request_hash(&scr);
    let bytes = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(Opaque::new(scr.to_coer()).unwrap()),
    }
    .to_coer();
    (bytes, hash)
}

/// Verifies a PCA SignedData and returns its unsecured payload.
fn pca_payload(pca_cert: &Certificate, d: &Ieee1609Dot2Data) -> Vec<u8> {
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        panic!("not signed")
    };
    let key = sign::certificate_key(default_backend(), pca_cert, None).unwrap();
    sign::verify_signed_data(default_backend(), sd, Some(pca_cert), &key).unwrap();
    assert_eq!(sd.tbs_data.header_info, header(None));
    let Some(Ieee1609Dot2Data {
        content: Ieee1609Dot2Content::UnsecuredData(o),
        ..
    }) = sd.tbs_data.payload.data.as_deref()
    else {
        panic!("payload")
    };
    o.as_bytes().to_vec()
}

/// As the RA: opens the reply and returns the SignedEncryptedCertificateResponse.
fn ra_open(e: &Env, pca_cert: &Certificate, reply: &[u8], hash: &[u8; 32]) -> Ieee1609Dot2Data {
    let outer = Ieee1609Dot2Data::from_coer(reply).unwrap();
    let pdu = ScmsPDU::from_coer(&pca_payload(pca_cert, &outer)).unwrap();
    let ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(m)) = pdu.content else {
        panic!("not a PcaRaCertResponse")
    };
    assert_eq!(m.request_hash[..], hash[24..]);
    assert_eq!(m.pca_id.0, e.cfg.fqdn("pca"));
    match m.reply {
        PcaRaCertResponseMsgReply::Success(PcaRaCertResponseMsgReplySuccess::SignedEncrypted(
            d,
        )) => d,
        other => panic!("unexpected reply {other:?}"),
    }
}

/// As the device: verifies, decrypts with `q`, returns the plaintext response.
fn device_open(
    pca_cert: &Certificate,
    sercr: &Ieee1609Dot2Data,
    q: &PrivateKey,
) -> PlaintextCertificateResponse {
    let tbs =
        ToBeSignedEncryptedCertificateResponse::from_coer(&pca_payload(pca_cert, sercr)).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = &tbs.encrypted_cert.content else {
        panic!("not encrypted")
    };
    assert_eq!(ed.recipients.len(), 1);
    let q_pub = q.public_key(default_backend()).unwrap();
    let pt = decrypt(
        default_backend(),
        ed,
        Decryptor::Key {
            public: &q_pub,
            key: q,
        },
    )
    .unwrap();
    let Ieee1609Dot2Content::UnsecuredData(o) = Ieee1609Dot2Data::from_coer(&pt).unwrap().content
    else {
        panic!("not unsecured")
    };
    PlaintextCertificateResponse::from_coer(o.as_bytes()).unwrap()
}

fn check_key(pca_cert: &Certificate, cert: &Certificate, b: &PrivateKey, r: &[u8; 32]) {
    let be = default_backend();
    let pca_key = sign::certificate_key(be, pca_cert, None).unwrap();
    let d =
        sign::reconstruct_private_key(cert, pca_cert, b, &Scalar::from_bytes(r).unwrap()).unwrap();
    let public = sign::certificate_key(
        be,
        cert,
        Some(Issuer {
            cert: pca_cert,
            key: &pca_key,
        }),
    )
    .unwrap();
    assert_eq!(d.public_key(be).unwrap(), public);
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn db_bytes(path: &std::path::Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM requests").unwrap();
    let n = stmt.column_count();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        for c in 0..n {
            if let rusqlite::types::ValueRef::Blob(b) = row.get_ref(c).unwrap() {
                out.extend_from_slice(b);
            }
        }
    }
    out
}

#[test]
fn pseudonym_issuance_end_to_end() {
    let e = env();
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    let la2 = La::open(&e.layout, &e.keys, Which::La2, e.clock.clone()).unwrap();
    let pca = Pca::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let pca_cert = pca.certificate().clone();
    let be = default_backend();

    // Device caterpillar keys; the RA expands the public ones.
    let device = CaterpillarPrivate::generate().unwrap();
    let caterpillar = device.public(be).unwrap();
    let (p1s, p2s) = (plvs(&e, &la1, 2), plvs(&e, &la2, 2));
    let j = 1u32;
    let (b_pub, q_pub) = caterpillar.cocoon(be, u32::from(I0), j).unwrap();
    let info = PseudonymCertRequestInfo {
        psid_ssp: vec![
            PsidSsp {
                psid: Psid::new(0x20),
                ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![]))),
            },
            PsidSsp {
                psid: Psid::new(0x26),
                ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![]))),
            },
        ],
        performance_assurance_level: None,
        region: None,
        i_value: I0,
        pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
        sig_butterfly_key_b: compressed(&b_pub),
        la1_id: Hostname::new(e.cfg.fqdn("la1")).unwrap(),
        la2_id: Hostname::new(e.cfg.fqdn("la2")).unwrap(),
        enc_plv1: p1s[j as usize].clone(),
        enc_plv2: p2s[j as usize].clone(),
        group_linkage_info: None,
        enc_butterfly_key_h: compressed(&q_pub),
    };
    let (req, hash) = pca_request(
        &e,
        RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(info),
    );
    let reply = pca.handle(&req).unwrap();
    let sercr = ra_open(&e, &pca_cert, &reply, &hash);

    // The device opens it and reconstructs its key.
    let (b, q) = device.cocoon(u32::from(I0), j).unwrap();
    let PlaintextCertificateResponse::ImplicitButterfly(resp) = device_open(&pca_cert, &sercr, &q)
    else {
        panic!("not implicit-butterfly")
    };
    let cert = resp.certificate;
    check_key(&pca_cert, &cert, &b, &resp.priv_key_reconstruction_s);
    assert_eq!(cert.r#type, CertificateType::Implicit);
    assert_eq!(
        cert.to_be_signed.validity_period.start,
        i_period_start(u32::from(I0)).unwrap()
    );
    assert_eq!(
        cert.to_be_signed.validity_period.duration,
        Duration::Minutes(10_140)
    );

    // lv = plv1 ⊕ plv2 (decrypted here with the shared keys, as only the PCA can).
    let open = |name: &str, p: &EncryptedIndividualPLV| {
        let k: AesKey = e.keys.load_secret_array(name).unwrap();
        let pt = decrypt(be, &p.enc_plv, Decryptor::Symmetric(&k)).unwrap();
        ToBeEncryptedIndividualPLV::from_coer(&pt).unwrap().plv
    };
    let plv1 = open("la1-pca", &p1s[j as usize]);
    let plv2 = open("la2-pca", &p2s[j as usize]);
    let CertificateId::LinkageData(ld) = &cert.to_be_signed.id else {
        panic!("no linkage data")
    };
    assert_eq!(ld.i_cert, I0);
    assert_eq!(ld.linkage_value, linkage_value(&plv1, &plv2));

    // A replay returns the identical stored response; one record.
    assert_eq!(pca.handle(&req).unwrap(), reply);
    assert_eq!(pca.store().count().unwrap(), 1);
    let rec = pca
        .store()
        .find_by_certificate(&scms_core::hash::certificate_id8(&cert))
        .unwrap()
        .unwrap();
    assert_eq!(rec.intent.request_hash, hash);
    assert_eq!(rec.intent.enc_plv1, Some(p1s[j as usize].to_coer()));
    assert_eq!(rec.intent.enc_plv2, Some(p2s[j as usize].to_coer()));

    // A PCA restarted on the same state still answers the replay from the store.
    drop(pca);
    let pca = Pca::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    assert_eq!(pca.handle(&req).unwrap(), reply);

    // No plaintext PLV in the database.
    let blobs = db_bytes(&e.layout.state("pca").join("pca.sqlite"));
    assert!(!contains(&blobs, &plv1));
    assert!(!contains(&blobs, &plv2));

    // Refusals: signed by someone else; PLVs swapped into one LA.
    let (b2, _) = caterpillar.cocoon(be, u32::from(I0), 0).unwrap();
    let bad = PseudonymCertRequestInfo {
        psid_ssp: vec![PsidSsp {
            psid: Psid::new(0x20),
            ssp: None,
        }],
        performance_assurance_level: None,
        region: None,
        i_value: I0,
        pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
        sig_butterfly_key_b: compressed(&b2),
        la1_id: Hostname::new(e.cfg.fqdn("la1")).unwrap(),
        la2_id: Hostname::new(e.cfg.fqdn("la2")).unwrap(),
        enc_plv1: p1s[0].clone(),
        enc_plv2: p1s[1].clone(),
        group_linkage_info: None,
        enc_butterfly_key_h: compressed(&q_pub),
    };
    let (req, _) = pca_request(
        &e,
        RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(bad),
    );
    let outer = Ieee1609Dot2Data::from_coer(&pca.handle(&req).unwrap()).unwrap();
    let pdu = ScmsPDU::from_coer(&pca_payload(&pca_cert, &outer)).unwrap();
    let ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(m)) = pdu.content else {
        panic!()
    };
    assert!(matches!(m.reply, PcaRaCertResponseMsgReply::Failure(_)));
    assert_eq!(pca.store().count().unwrap(), 1);
    let scr_bytes = match Ieee1609Dot2Data::from_coer(&req).unwrap().content {
        Ieee1609Dot2Content::SignedCertificateRequest(o) => o.as_bytes().to_vec(),
        _ => panic!(),
    };
    let mut scr = SignedCertificateRequest::from_coer(&scr_bytes).unwrap();
    scr.signature = sign::sign(&e.keys.load_key_pair("pca").unwrap(), b"x", None).unwrap();
    let forged = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(Opaque::new(scr.to_coer()).unwrap()),
    }
    .to_coer();
    assert!(matches!(
        pca.handle(&forged),
        Err(PcaError::InvalidSignature(_))
    ));
}

#[test]
fn identification_and_application_certificates() {
    let e = env();
    let pca = Pca::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let pca_cert = pca.certificate().clone();
    let be = default_backend();
    for (kind, hours, butterfly) in [
        (CertKind::ObeIdentification, 721u16, true),
        (CertKind::RseApplication, 169, false),
    ] {
        let device = CaterpillarPrivate::generate().unwrap();
        let (b, q) = device.cocoon(0, 0).unwrap();
        let tbs = template(
            kind,
            &TemplateParams {
                start: e.clock.now(),
                verification_key: Some(b.public_key(be).unwrap()),
                app_permissions: Some(vec![PsidSsp {
                    psid: Psid::new(0x20),
                    ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![]))),
                }]),
                duration: Some(Duration::Hours(hours)),
                binary_id: Some([7; 8]),
                ..TemplateParams::default()
            },
        )
        .unwrap();
        let info = IdCertRequestInfo {
            pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
            r#type: CertificateType::Implicit,
            to_be_signed_cert: tbs,
            response_encryption_key: compressed(&q.public_key(be).unwrap()),
        };
        let (req, hash) = pca_request(&e, RaPcaCertRequestMsgCertRequestInfo::AuthCertReq(info));
        let sercr = ra_open(&e, &pca_cert, &pca.handle(&req).unwrap(), &hash);
        let resp = match (device_open(&pca_cert, &sercr, &q), butterfly) {
            (PlaintextCertificateResponse::ImplicitButterfly(r), true) => r,
            (PlaintextCertificateResponse::Implicit(r), false) => r,
            (other, _) => panic!("unexpected {other:?}"),
        };
        check_key(
            &pca_cert,
            &resp.certificate,
            &b,
            &resp.priv_key_reconstruction_s,
        );
        assert_eq!(resp.certificate.to_be_signed.crl_series, 3);
        assert_eq!(
            resp.certificate.to_be_signed.id,
            CertificateId::BinaryId(OctetString(vec![7; 8]))
        );
    }
    assert_eq!(pca.store().count().unwrap(), 2);
}

/// A pseudonym request for certificate `j` of i-period `I0` of `caterpillar`.
fn pseudonym_info(
    e: &Env,
    caterpillar: &scms_crypto::butterfly::CaterpillarPublic,
    j: u32,
    plv1: &EncryptedIndividualPLV,
    plv2: &EncryptedIndividualPLV,
) -> RaPcaCertRequestMsgCertRequestInfo {
    let (b, q) = caterpillar
        .cocoon(default_backend(), u32::from(I0), j)
        .unwrap();
    RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(PseudonymCertRequestInfo {
        psid_ssp: vec![PsidSsp {
            psid: Psid::new(0x20),
            ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![]))),
        }],
        performance_assurance_level: None,
        region: None,
        i_value: I0,
        pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
        sig_butterfly_key_b: compressed(&b),
        la1_id: Hostname::new(e.cfg.fqdn("la1")).unwrap(),
        la2_id: Hostname::new(e.cfg.fqdn("la2")).unwrap(),
        enc_plv1: plv1.clone(),
        enc_plv2: plv2.clone(),
        group_linkage_info: None,
        enc_butterfly_key_h: compressed(&q),
    })
}

#[test]
fn batches_answer_as_single_requests() {
    let e = env();
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    let la2 = La::open(&e.layout, &e.keys, Which::La2, e.clock.clone()).unwrap();
    let pca = Pca::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let pca_cert = pca.certificate().clone();
    let device = CaterpillarPrivate::generate().unwrap();
    let caterpillar = device.public(default_backend()).unwrap();
    let (p1s, p2s) = (plvs(&e, &la1, 4), plvs(&e, &la2, 4));
    let good: Vec<(Vec<u8>, [u8; 32])> = (0..4u32)
        .map(|j| {
            let info = pseudonym_info(&e, &caterpillar, j, &p1s[j as usize], &p2s[j as usize]);
            pca_request(&e, info)
        })
        .collect();
    // Both PLVs from LA1: refused with a signed failure reply, nothing recorded.
    let (refused, _) = pca_request(&e, pseudonym_info(&e, &caterpillar, 0, &p1s[0], &p1s[1]));
    let garbage = vec![0u8; 7];
    let batch: Vec<&[u8]> = vec![
        &good[0].0, &good[1].0, &garbage, &good[0].0, &refused, &good[2].0, &good[3].0,
    ];
    let replies = pca.handle_batch(&batch).unwrap();
    assert_eq!(replies.len(), batch.len());
    assert!(matches!(replies[2], Err(PcaError::Malformed(_))));
    // The same request twice in one batch: one certificate, the same reply.
    assert_eq!(replies[0].as_ref().unwrap(), replies[3].as_ref().unwrap());
    let outer = Ieee1609Dot2Data::from_coer(replies[4].as_ref().unwrap()).unwrap();
    let ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(m)) =
        ScmsPDU::from_coer(&pca_payload(&pca_cert, &outer))
            .unwrap()
            .content
    else {
        panic!()
    };
    assert!(matches!(m.reply, PcaRaCertResponseMsgReply::Failure(_)));
    assert_eq!(pca.store().count().unwrap(), 4);
    let mut lvs = std::collections::HashSet::new();
    for (j, k) in [(0u32, 0usize), (1, 1), (2, 5), (3, 6)] {
        let (req, hash) = &good[j as usize];
        let reply = replies[k].as_ref().unwrap();
        // A replay, alone, is answered from the record: the identical reply.
        assert_eq!(&pca.handle(req).unwrap(), reply);
        let sercr = ra_open(&e, &pca_cert, reply, hash);
        let (b, q) = device.cocoon(u32::from(I0), j).unwrap();
        let PlaintextCertificateResponse::ImplicitButterfly(resp) =
            device_open(&pca_cert, &sercr, &q)
        else {
            panic!("not implicit-butterfly")
        };
        check_key(
            &pca_cert,
            &resp.certificate,
            &b,
            &resp.priv_key_reconstruction_s,
        );
        let CertificateId::LinkageData(ld) = &resp.certificate.to_be_signed.id else {
            panic!("no linkage data")
        };
        assert!(lvs.insert(ld.linkage_value));
        // Recorded for the MA.
        let rec = pca
            .store()
            .find_by_certificate(&scms_core::hash::certificate_id8(&resp.certificate))
            .unwrap()
            .unwrap();
        assert_eq!(&rec.intent.request_hash, hash);
    }
    assert_eq!(pca.store().count().unwrap(), 4);
}
