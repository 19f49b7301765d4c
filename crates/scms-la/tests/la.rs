#![allow(clippy::unwrap_used, clippy::expect_used)]
//! LA1 and LA2 on a real `scms init` hierarchy: fresh chains, continuations, the PCA's view
//! of the encrypted PLVs, idempotent replay, refusals, and what the database holds.

use std::sync::Arc;

use scms_asn1::camp::base_types::{
    EncryptedIndividualPLV, LinkageChainId, ToBeEncryptedIndividualPLV,
};
use scms_asn1::camp::errors::{LaRaError, LaRaErrorCode, ScmsError};
use scms_asn1::camp::la_ra::{
    LaRaInterfacePDU, LaRaPreLinkageValueResponseMsgReply, PreLinkageValueRequestResponse,
    RaLaGroupPreLinkageValueRequestMsg, RaLaIndividualPreLinkageValueRequestMsg,
    RaLaPreLinkageValueRequestMsgHeader,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, HeaderInfo, Hostname, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid,
    SignedDataPayload, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_ca::{init, Config, Layout};
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::sign::{self, SignerId};
use scms_core::signer::Signer;
use scms_core::time::{i_period_start, Clock, ManualClock};
use scms_crypto::linkage::{linkage_value, next_seed, pre_linkage_value};
use scms_crypto::{default_backend, AesKey};
use scms_la::{La, LaError, Which};
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
    let start = i_period_start(u32::from(I0) - 1).unwrap();
    let cfg = Config {
        start: Some(start),
        la1_id: Some(0x1234),
        la2_id: Some(0xABCD),
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

fn header() -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(0x23),
        generation_time: None,
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

/// Signs `content` as the RA (or as `signer_name`) would.
fn signed(e: &Env, content: LaRaInterfacePDU, signer_name: &str) -> Vec<u8> {
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::LaRa(content),
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
        header_info: HeaderInfo {
            generation_time: Some(e.clock.now64()),
            ..header()
        },
    };
    let key = e.keys.load_key_pair(signer_name).unwrap();
    let ra = cert(&e.layout, "ra");
    let sd = sign::sign_data(&key, tbs, SignerId::Digest(&ra)).unwrap();
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    }
    .to_coer()
}

fn request(
    e: &Env,
    i_min: u16,
    i_max: u16,
    j_max: u8,
    fresh: Option<u32>,
    cont: Option<Vec<LinkageChainId>>,
) -> Vec<u8> {
    signed(
        e,
        LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: RaLaPreLinkageValueRequestMsgHeader {
                    version: 1,
                    ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
                    pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
                    i_min,
                    i_max,
                },
                j_max,
                number_of_fresh_ind: fresh,
                continuations_ind: cont,
            },
        ),
        "ra",
    )
}

/// Opens a response as the RA: verifies the LA's signature, returns the reply.
fn open(e: &Env, la: &La, response: &[u8]) -> LaRaPreLinkageValueResponseMsgReply {
    let spdu = Ieee1609Dot2Data::from_coer(response).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = spdu.content else {
        panic!("not signed")
    };
    assert!(sd.tbs_data.header_info.generation_time.is_some());
    let la_cert = la.certificate();
    let key = sign::certificate_key(default_backend(), la_cert, None).unwrap();
    sign::verify_signed_data(default_backend(), &sd, Some(la_cert), &key).unwrap();
    let Some(Ieee1609Dot2Data {
        content: Ieee1609Dot2Content::UnsecuredData(o),
        ..
    }) = sd.tbs_data.payload.data.as_deref()
    else {
        panic!("payload")
    };
    let pdu = ScmsPDU::from_coer(o.as_bytes()).unwrap();
    let ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(msg)) = pdu.content
    else {
        panic!("not a PLV response")
    };
    assert_eq!(msg.la_id.0, e.cfg.fqdn(la.which().name()));
    msg.reply
}

fn success(reply: LaRaPreLinkageValueResponseMsgReply) -> PreLinkageValueRequestResponse {
    match reply {
        LaRaPreLinkageValueResponseMsgReply::Success(r) => r,
        LaRaPreLinkageValueResponseMsgReply::Failure(f) => panic!("failure {f:?}"),
    }
}

/// Acting as the PCA: decrypts one encrypted PLV.
fn pca_open(key: &AesKey, la_id: u16, p: &EncryptedIndividualPLV) -> ToBeEncryptedIndividualPLV {
    assert_eq!(p.version, 1);
    assert_eq!(p.la_id, la_id.to_be_bytes());
    assert_eq!(p.enc_plv.recipients.len(), 1);
    let pt = decrypt(default_backend(), &p.enc_plv, Decryptor::Symmetric(key)).unwrap();
    ToBeEncryptedIndividualPLV::from_coer(&pt).unwrap()
}

fn all_blobs(path: &std::path::Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for c in 0..n {
                match row.get_ref(c).unwrap() {
                    rusqlite::types::ValueRef::Blob(b) => out.extend_from_slice(b),
                    rusqlite::types::ValueRef::Text(b) => out.extend_from_slice(b),
                    rusqlite::types::ValueRef::Integer(i) => out.extend(i.to_be_bytes()),
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

#[test]
fn fresh_chains_continuations_and_privacy() {
    let e = env();
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    let la2 = La::open(&e.layout, &e.keys, Which::La2, e.clock.clone()).unwrap();
    assert_eq!((la1.la_id(), la2.la_id()), (0x1234, 0xABCD));
    let k1: AesKey = e.keys.load_secret_array("la1-pca").unwrap();
    let k2: AesKey = e.keys.load_secret_array("la2-pca").unwrap();

    // Two fresh chains from each LA, i = I0..=I0+2, j < 4.
    let (i_min, i_max, j_max) = (I0, I0 + 2, 4u8);
    let req1 = request(&e, i_min, i_max, j_max, Some(2), None);
    let r1 = success(open(&e, &la1, &la1.handle(&req1).unwrap()));
    let req2 = request(&e, i_min, i_max, j_max, Some(2), None);
    let r2 = success(open(&e, &la2, &la2.handle(&req2).unwrap()));
    assert_eq!((r1.i_min, r1.i_max), (i_min, i_max));
    assert_eq!(r1.individual.len(), 2);
    assert!(r1.group.is_empty());
    assert_ne!(
        r1.individual[0].linkage_chain_id,
        r1.individual[1].linkage_chain_id
    );

    let mut all_plvs = Vec::new();
    let mut all_lvs = Vec::new();
    for (c1, c2) in r1.individual.iter().zip(&r2.individual) {
        assert_eq!(c1.j_max, j_max);
        assert_eq!(c1.values.len(), 3);
        // The MA's view: the seeds of both chains at I0.
        let mut s1 = la1.linkage_seed(&c1.linkage_chain_id, I0).unwrap();
        let mut s2 = la2.linkage_seed(&c2.linkage_chain_id, I0).unwrap();
        for (k, (row1, row2)) in c1.values.iter().zip(&c2.values).enumerate() {
            let i = I0 + k as u16;
            if k > 0 {
                s1 = next_seed(0x1234, &s1);
                s2 = next_seed(0xABCD, &s2);
            }
            assert_eq!(
                la1.linkage_seed(&c1.linkage_chain_id, i).unwrap().expose(),
                s1.expose()
            );
            assert_eq!(row1.len(), usize::from(j_max));
            for (j, (p1, p2)) in row1.iter().zip(row2).enumerate() {
                let d1 = pca_open(&k1, 0x1234, p1);
                let d2 = pca_open(&k2, 0xABCD, p2);
                assert_eq!((d1.i_value, d2.i_value), (i, i));
                let j = j as u32;
                assert_eq!(d1.plv, pre_linkage_value(0x1234, &s1, j));
                assert_eq!(d2.plv, pre_linkage_value(0xABCD, &s2, j));
                let lv = linkage_value(&d1.plv, &d2.plv);
                assert_eq!(
                    lv,
                    scms_crypto::linkage::linkage_value_from_seeds((0x1234, &s1), (0xABCD, &s2), j)
                );
                // The other LA's key does not open it.
                assert!(
                    decrypt(default_backend(), &p1.enc_plv, Decryptor::Symmetric(&k2)).is_err()
                );
                all_plvs.push(d1.plv);
                all_lvs.push(lv);
            }
        }
    }

    // Continuation of LA1's first chain for the next two periods.
    let lci = r1.individual[0].linkage_chain_id.clone();
    let s_next = la1.linkage_seed(&lci, I0 + 3).unwrap();
    let req3 = request(&e, I0 + 3, I0 + 4, j_max, None, Some(vec![lci.clone()]));
    let r3 = success(open(&e, &la1, &la1.handle(&req3).unwrap()));
    assert_eq!(r3.individual.len(), 1);
    assert_eq!(r3.individual[0].linkage_chain_id, lci);
    let first = pca_open(&k1, 0x1234, &r3.individual[0].values[0][1]);
    assert_eq!(first.i_value, I0 + 3);
    assert_eq!(first.plv, pre_linkage_value(0x1234, &s_next, 1));
    let second = pca_open(&k1, 0x1234, &r3.individual[0].values[1][0]);
    assert_eq!(
        second.plv,
        pre_linkage_value(0x1234, &next_seed(0x1234, &s_next), 0)
    );
    assert_eq!(la1.store().chain_count().unwrap(), 2);

    // A repeated request returns the same chains (no new chain, same PLVs).
    let again = success(open(&e, &la1, &la1.handle(&req1).unwrap()));
    assert_eq!(la1.store().chain_count().unwrap(), 2);
    for (a, b) in again.individual.iter().zip(&r1.individual) {
        let pa = pca_open(&k1, 0x1234, &a.values[2][3]);
        let pb = pca_open(&k1, 0x1234, &b.values[2][3]);
        assert_eq!(pa, pb);
    }

    // The database holds no PLV, no linkage value and no seed in clear.
    let db = e.layout.state("la1").join("la1.sqlite");
    drop(la1);
    let blobs = all_blobs(&db);
    assert!(!blobs.is_empty());
    for plv in &all_plvs {
        assert!(!contains(&blobs, plv), "a PLV is stored");
    }
    for lv in &all_lvs {
        assert!(!contains(&blobs, lv), "a linkage value is stored");
    }
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    for c in &r1.individual {
        let s = la1.linkage_seed(&c.linkage_chain_id, I0).unwrap();
        assert!(!contains(&blobs, s.expose()), "a seed is stored in clear");
    }
}

#[test]
fn equal_requests_signed_apart_get_distinct_chains() {
    // The RA pipeline may plan two devices in separate runs within one second: the two
    // requests then have the same content and generationTime, only their signatures
    // differ. They must not share chains (the devices would share linkage values).
    let e = env();
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    let k1: AesKey = e.keys.load_secret_array("la1-pca").unwrap();
    let a = request(&e, I0, I0, 2, Some(1), None);
    let b = request(&e, I0, I0, 2, Some(1), None);
    assert_ne!(a, b);
    let ra = success(open(&e, &la1, &la1.handle(&a).unwrap()));
    let rb = success(open(&e, &la1, &la1.handle(&b).unwrap()));
    assert_eq!(la1.store().chain_count().unwrap(), 2);
    assert_ne!(
        ra.individual[0].linkage_chain_id,
        rb.individual[0].linkage_chain_id
    );
    assert_ne!(
        pca_open(&k1, 0x1234, &ra.individual[0].values[0][0]).plv,
        pca_open(&k1, 0x1234, &rb.individual[0].values[0][0]).plv
    );
    // The same bytes again: the same chain (its id is re-encrypted: compare values).
    let again = success(open(&e, &la1, &la1.handle(&b).unwrap()));
    assert_eq!(la1.store().chain_count().unwrap(), 2);
    assert_eq!(
        pca_open(&k1, 0x1234, &again.individual[0].values[0][1]),
        pca_open(&k1, 0x1234, &rb.individual[0].values[0][1])
    );
}

#[test]
fn refusals() {
    let e = env();
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    let la2 = La::open(&e.layout, &e.keys, Which::La2, e.clock.clone()).unwrap();
    let code = |la: &La, req: &[u8]| match open(&e, la, &la.handle(req).unwrap()) {
        LaRaPreLinkageValueResponseMsgReply::Failure(ScmsError::LaRa(LaRaError::LaRa(c))) => c,
        other => panic!("expected failure, got {other:?}"),
    };
    assert_eq!(
        code(&la1, &request(&e, I0, I0, 0, Some(1), None)),
        LaRaErrorCode::InvalidJMax
    );
    assert_eq!(
        code(&la1, &request(&e, I0 + 1, I0, 20, Some(1), None)),
        LaRaErrorCode::InvalidIMax
    );
    // LA2 does not know LA1's chains; LA1 refuses continuing before the chain's start.
    let r = success(open(
        &e,
        &la1,
        &la1.handle(&request(&e, I0, I0, 1, Some(1), None)).unwrap(),
    ));
    let lci = r.individual[0].linkage_chain_id.clone();
    assert_eq!(
        code(&la2, &request(&e, I0, I0, 1, None, Some(vec![lci.clone()]))),
        LaRaErrorCode::InvalidLinkagechainId
    );
    assert_eq!(
        code(&la1, &request(&e, I0 - 1, I0, 1, None, Some(vec![lci]))),
        LaRaErrorCode::InvalidIMin
    );
    // Not signed by the RA.
    let forged = signed(
        &e,
        LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: RaLaPreLinkageValueRequestMsgHeader {
                    version: 1,
                    ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
                    pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
                    i_min: I0,
                    i_max: I0,
                },
                j_max: 1,
                number_of_fresh_ind: Some(1),
                continuations_ind: None,
            },
        ),
        "pca",
    );
    assert!(matches!(
        la1.handle(&forged),
        Err(LaError::InvalidSignature(_))
    ));
    // Group requests are not implemented.
    let group = signed(
        &e,
        LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest(RaLaGroupPreLinkageValueRequestMsg {
            header: RaLaPreLinkageValueRequestMsgHeader {
                version: 1,
                ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
                pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
                i_min: I0,
                i_max: I0,
            },
            j_max: 1,
            other_la: [0xAB, 0xCD],
            group_identifier: [1, 2, 3, 4],
        }),
        "ra",
    );
    assert!(matches!(la1.handle(&group), Err(LaError::Unsupported(_))));
    assert!(matches!(la1.handle(b"junk"), Err(LaError::Malformed(_))));
    // The signer's key matches its certificate.
    let ra_key = e.keys.load_key_pair("ra").unwrap();
    let ra = cert(&e.layout, "ra");
    assert_eq!(
        sign::certificate_key(default_backend(), &ra, None).unwrap(),
        *ra_key.public_key()
    );
}
