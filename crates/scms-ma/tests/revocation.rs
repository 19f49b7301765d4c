#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Misbehavior reporting, investigation and revocation on a real `scms init` hierarchy, with
//! the real LA and PCA libraries in process and a stand-in RA (the RA's side of ma-ra is not
//! written yet): two reporters report one device's implausible BSMs → suspect →
//! PCA (HPCR) → RA (LCIs) → LA1, LA2 (seeds) → CRL. The CRL revokes exactly that device's
//! chain from the current period on; no database holds what it must not.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use scms_asn1::camp::base_types::{
    EncryptedIndividualPLV, LCIAndHostInfo, LinkageChainId, ToBeEncryptedIndividualPLV,
};
use scms_asn1::camp::la_ra::{
    LaRaInterfacePDU, LaRaPreLinkageValueResponseMsgReply, RaLaIndividualPreLinkageValueRequestMsg,
    RaLaPreLinkageValueRequestMsgHeader,
};
use scms_asn1::camp::ma_pca::{
    Lv2PlvReply, MaPcaInterfacePDU, MaPcaPreLinkageValueRequestMsg,
    ToBeSignedMaPcaPreLinkageValueRequestMsg,
};
use scms_asn1::camp::ma_ra::{
    BlacklistingStatus, BlacklistingStatusReply, HPCR2LCIReply, HPCR2LCIReplySuccess,
    MaRaInterfacePDU, RaMaBlacklistResponseMsg, RaMaLCIResponseMsg, HPCR2LCI,
};
use scms_asn1::camp::pca_ra::{
    PcaRaCertResponseMsgReply, PcaRaCertResponseMsgReplySuccess, PcaRaInterfacePDU,
    PlaintextCertificateResponse, PseudonymCertRequestInfo, RaPcaCertRequestMsg,
    RaPcaCertRequestMsgCertRequestInfo, ToBeSignedEncryptedCertificateResponse,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CrlContentsTypeSpecific, HeaderInfo, Hostname, Ieee1609Dot2Content,
    Ieee1609Dot2Data, NinetyDegreeInt, OneEightyDegreeInt, Opaque, Psid, PsidSsp,
    SignedDataPayload, ThreeDLocation, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_ca::{init, Config, Layout};
use scms_core::convert::{compressed, encryption_key};
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::hashed_id;
use scms_core::revocation::RevocationList;
use scms_core::sign::{self, SignerId};
use scms_core::signer::KeyPair;
use scms_core::time::{i_period_start, time64_from_time32, Clock, ManualClock};
use scms_crypto::butterfly::CaterpillarPrivate;
use scms_crypto::{default_backend, AesKey, Scalar};
use scms_ee::misbehavior::{build_report, Reporter};
use scms_la::{La, Which};
use scms_ma::bsm::Bsm;
use scms_ma::{ClientError, LaClient, Ma, MaError, PcaClient, Peers, Policy, RaClient};
use scms_pca::Pca;
use scms_store::keystore::Keystore;

const I0: u16 = 520;
const J_MAX: u8 = 4;
const I_MAX: u16 = I0 + 3;

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
    let mut cfg = Config {
        start: Some(i_period_start(u32::from(I0) - 1).unwrap()),
        la1_id: Some(0x0101),
        la2_id: Some(0x0202),
        ..Config::default()
    };
    cfg.local_policy.certs_per_i_period = J_MAX;
    init(&layout, &cfg, None).unwrap();
    let cfg = Config::from_toml(&std::fs::read_to_string(layout.config()).unwrap()).unwrap();
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

fn header(psid: u64, gen: Option<u64>) -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(psid),
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

fn signed(
    key: &KeyPair,
    signer: SignerId<'_>,
    psid: u64,
    gen: Option<u64>,
    payload: Vec<u8>,
) -> Ieee1609Dot2Data {
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data {
                protocol_version: 3,
                content: Ieee1609Dot2Content::UnsecuredData(Opaque::new(payload).unwrap()),
            })),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: header(psid, gen),
    };
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(
            sign::sign_data(key, tbs, signer).unwrap(),
        )),
    }
}

fn unsecured_of(d: &Ieee1609Dot2Data) -> (Box<scms_asn1::ieee1609dot2::SignedData>, Vec<u8>) {
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        panic!("not signed")
    };
    let Some(Ieee1609Dot2Data {
        content: Ieee1609Dot2Content::UnsecuredData(o),
        ..
    }) = sd.tbs_data.payload.data.as_deref()
    else {
        panic!("payload")
    };
    (sd.clone(), o.as_bytes().to_vec())
}

/// As the RA: one fresh chain from `la` for `I0..=I_MAX`, `J_MAX` per period.
fn chain(e: &Env, la: &La) -> (LinkageChainId, Vec<Vec<EncryptedIndividualPLV>>) {
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: RaLaPreLinkageValueRequestMsgHeader {
                    version: 1,
                    ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
                    pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
                    i_min: I0,
                    i_max: I_MAX,
                },
                j_max: J_MAX,
                number_of_fresh_ind: Some(1),
                continuations_ind: None,
            },
        )),
    };
    let ra = cert(&e.layout, "ra");
    let req = signed(
        &e.keys.load_key_pair("ra").unwrap(),
        SignerId::Digest(&ra),
        0x23,
        Some(e.clock.now64()),
        pdu.to_coer(),
    );
    let resp = Ieee1609Dot2Data::from_coer(&la.handle(&req.to_coer()).unwrap()).unwrap();
    let (_, payload) = unsecured_of(&resp);
    let ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(m)) =
        ScmsPDU::from_coer(&payload).unwrap().content
    else {
        panic!()
    };
    let LaRaPreLinkageValueResponseMsgReply::Success(s) = m.reply else {
        panic!()
    };
    let c = s.individual[0].clone();
    (c.linkage_chain_id, c.values)
}

/// A device: caterpillar keys and its two chains (what the RA keeps for it).
struct Device {
    cat: CaterpillarPrivate,
    lci: (LinkageChainId, LinkageChainId),
    plvs: (
        Vec<Vec<EncryptedIndividualPLV>>,
        Vec<Vec<EncryptedIndividualPLV>>,
    ),
}

struct Pseudonym {
    cert: Certificate,
    key: KeyPair,
    hpcr: [u8; 32],
}

/// As the RA then the device: one pseudonym certificate (i, j) from the real PCA.
fn issue(e: &Env, pca: &Pca, d: &Device, i: u16, j: u32) -> Pseudonym {
    let be = default_backend();
    let (b_pub, q_pub) = d
        .cat
        .public(be)
        .unwrap()
        .cocoon(be, u32::from(i), j)
        .unwrap();
    let k = usize::from(i - I0);
    let info = PseudonymCertRequestInfo {
        psid_ssp: vec![
            PsidSsp {
                psid: Psid::new(0x20),
                ssp: None,
            },
            PsidSsp {
                psid: Psid::new(0x26),
                ssp: None,
            },
        ],
        performance_assurance_level: None,
        region: None,
        i_value: i,
        pca_id: Hostname::new(e.cfg.fqdn("pca")).unwrap(),
        sig_butterfly_key_b: compressed(&b_pub),
        la1_id: Hostname::new(e.cfg.fqdn("la1")).unwrap(),
        la2_id: Hostname::new(e.cfg.fqdn("la2")).unwrap(),
        enc_plv1: d.plvs.0[k][j as usize].clone(),
        enc_plv2: d.plvs.1[k][j as usize].clone(),
        group_linkage_info: None,
        enc_butterfly_key_h: compressed(&q_pub),
    };
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(RaPcaCertRequestMsg {
            version: 1,
            ra_id: Hostname::new(e.cfg.fqdn("ra")).unwrap(),
            cert_request_info: RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(info),
        })),
    };
    let ra = cert(&e.layout, "ra");
    let scr = sign::sign_certificate_request(
        &e.keys.load_key_pair("ra").unwrap(),
        pdu,
        SignerId::Certificate(&ra),
    )
    .unwrap();
    let hpcr = Pca::request_hash(&scr);
    let req = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(Opaque::new(scr.to_coer()).unwrap()),
    };
    let reply = Ieee1609Dot2Data::from_coer(&pca.handle(&req.to_coer()).unwrap()).unwrap();
    let (_, payload) = unsecured_of(&reply);
    let ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(m)) =
        ScmsPDU::from_coer(&payload).unwrap().content
    else {
        panic!()
    };
    let PcaRaCertResponseMsgReply::Success(PcaRaCertResponseMsgReplySuccess::SignedEncrypted(
        sercr,
    )) = m.reply
    else {
        panic!("{:?}", m.reply)
    };
    let (_, inner) = unsecured_of(&sercr);
    let tbs = ToBeSignedEncryptedCertificateResponse::from_coer(&inner).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = &tbs.encrypted_cert.content else {
        panic!()
    };
    let (b, q) = d.cat.cocoon(u32::from(i), j).unwrap();
    let q_pub = q.public_key(be).unwrap();
    let pt = decrypt(
        be,
        ed,
        Decryptor::Key {
            public: &q_pub,
            key: &q,
        },
    )
    .unwrap();
    let Ieee1609Dot2Content::UnsecuredData(o) = Ieee1609Dot2Data::from_coer(&pt).unwrap().content
    else {
        panic!()
    };
    let PlaintextCertificateResponse::ImplicitButterfly(r) =
        PlaintextCertificateResponse::from_coer(o.as_bytes()).unwrap()
    else {
        panic!()
    };
    let dkey = sign::reconstruct_private_key(
        &r.certificate,
        pca.certificate(),
        &b,
        &Scalar::from_bytes(&r.priv_key_reconstruction_s).unwrap(),
    )
    .unwrap();
    Pseudonym {
        cert: r.certificate,
        key: KeyPair::from_private(dkey).unwrap(),
        hpcr,
    }
}

fn device(e: &Env, la1: &La, la2: &La) -> Device {
    // A distinct request (generationTime) per device: the LA answers a repeated request
    // with the same chains.
    e.clock.advance(1);
    let (l1, p1) = chain(e, la1);
    let (l2, p2) = chain(e, la2);
    Device {
        cat: CaterpillarPrivate::generate().unwrap(),
        lci: (l1, l2),
        plvs: (p1, p2),
    }
}

/// A signed BSM SPDU.
fn bsm(p: &Pseudonym, t64: u64, b: Bsm) -> Vec<u8> {
    signed(
        &p.key,
        SignerId::Certificate(&p.cert),
        0x20,
        Some(t64),
        b.encode(),
    )
    .to_coer()
}

fn lv_of(c: &Certificate) -> (u16, [u8; 9]) {
    let CertificateId::LinkageData(ld) = &c.to_be_signed.id else {
        panic!()
    };
    (ld.i_cert, ld.linkage_value)
}

// ---- in-process peers -------------------------------------------------------------------

struct PcaPeer<'a>(&'a Pca);
impl PcaClient for PcaPeer<'_> {
    fn ma_pca(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.0.handle_ma(r).map_err(|e| ClientError(e.to_string()))
    }
}
struct LaPeer<'a>(&'a La);
impl LaClient for LaPeer<'_> {
    fn linkage_seed(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.0.handle_ma(r).map_err(|e| ClientError(e.to_string()))
    }
}

/// A stand-in RA: it knows, per HPCR, the device's LCIs (as the real RA records when it
/// builds requests) and keeps a blacklist of device names. It opens the MA's encrypted,
/// signed requests and answers signed by the RA, encrypted to the MA.
struct FakeRa {
    hpcr_to_device: BTreeMap<[u8; 32], &'static str>,
    lcis: BTreeMap<&'static str, (LinkageChainId, LinkageChainId)>,
    blacklist: Mutex<BTreeSet<&'static str>>,
    ra_cert: Certificate,
    ra_key: KeyPair,
    ra_dec: scms_crypto::PrivateKey,
    ma_cert: Certificate,
    fqdn: (String, String, String),
}

impl FakeRa {
    fn open(&self, r: &[u8]) -> (MaRaInterfacePDU, [u8; 8]) {
        let be = default_backend();
        let d = Ieee1609Dot2Data::from_coer(r).unwrap();
        let Ieee1609Dot2Content::EncryptedData(ed) = &d.content else {
            panic!("MA→RA not encrypted")
        };
        let pt = decrypt(
            be,
            ed,
            Decryptor::Certificate {
                cert: &self.ra_cert,
                key: &self.ra_dec,
            },
        )
        .unwrap();
        let (sd, payload) = unsecured_of(&Ieee1609Dot2Data::from_coer(&pt).unwrap());
        let key = sign::certificate_key(be, &self.ma_cert, None).unwrap();
        sign::verify_signed_data(be, &sd, Some(&self.ma_cert), &key).unwrap();
        let ScmsPDUContent::MaRa(m) = ScmsPDU::from_coer(&payload).unwrap().content else {
            panic!()
        };
        (m, hashed_id(&sd.tbs_data.to_coer()))
    }

    fn reply(&self, m: MaRaInterfacePDU) -> Vec<u8> {
        let pdu = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaRa(m),
        };
        let s = signed(
            &self.ra_key,
            SignerId::Digest(&self.ra_cert),
            0x23,
            None,
            pdu.to_coer(),
        );
        let k = encryption_key(self.ma_cert.to_be_signed.encryption_key.as_ref().unwrap()).unwrap();
        let ed = encrypt(
            default_backend(),
            &s.to_coer(),
            &[Recipient::Certificate {
                cert: &self.ma_cert,
                key: &k,
            }],
        )
        .unwrap();
        Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(ed),
        }
        .to_coer()
    }
}

impl RaClient for FakeRa {
    fn lci_for_hpcr(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        let (MaRaInterfacePDU::MaRaLCIRequest(m), rh) = self.open(r) else {
            panic!()
        };
        let lci_info = m
            .tbs
            .hpcr
            .iter()
            .map(|h| {
                let dev = self.hpcr_to_device[h];
                let (l1, l2) = self.lcis[dev].clone();
                HPCR2LCI {
                    hpcr: *h,
                    reply: HPCR2LCIReply::Success(HPCR2LCIReplySuccess {
                        group_identifier: [0; 4],
                        info: LCIAndHostInfo {
                            i_max: u32::from(I_MAX).to_be_bytes(),
                            la1_lci: l1,
                            la2_lci: l2,
                            la1_id: Hostname::new(self.fqdn.1.clone()).unwrap(),
                            la2_id: Hostname::new(self.fqdn.2.clone()).unwrap(),
                        },
                    }),
                }
            })
            .collect();
        Ok(
            self.reply(MaRaInterfacePDU::RaMaLCIResponse(RaMaLCIResponseMsg {
                version: 1,
                request_hash: rh,
                ra_id: Hostname::new(self.fqdn.0.clone()).unwrap(),
                lci_info,
            })),
        )
    }

    fn blacklist(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        let (MaRaInterfacePDU::MaRaBlacklistRequest(m), rh) = self.open(r) else {
            panic!()
        };
        let status = m
            .tbs
            .hpcr
            .iter()
            .map(|h| {
                self.blacklist
                    .lock()
                    .unwrap()
                    .insert(self.hpcr_to_device[h]);
                BlacklistingStatus {
                    hpcr: *h,
                    reply: BlacklistingStatusReply::Success(()),
                }
            })
            .collect();
        Ok(self.reply(MaRaInterfacePDU::RaMaBlacklistResponse(
            RaMaBlacklistResponseMsg {
                version: 1,
                request_hash: rh,
                ra_id: Hostname::new(self.fqdn.0.clone()).unwrap(),
                status,
            },
        )))
    }
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

#[test]
fn reports_investigation_and_crl() {
    let e = env();
    let be = default_backend();
    let la1 = La::open(&e.layout, &e.keys, Which::La1, e.clock.clone()).unwrap();
    let la2 = La::open(&e.layout, &e.keys, Which::La2, e.clock.clone()).unwrap();
    let pca = Pca::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let (la1_id, la2_id) = (la1.la_id(), la2.la_id());

    // Provisioning (week I0): device A misbehaves; B and C report; B is also checked not
    // to be revoked.
    let a = device(&e, &la1, &la2);
    let b = device(&e, &la1, &la2);
    let c = device(&e, &la1, &la2);
    let a_early = issue(&e, &pca, &a, I0, 1);
    let a_now: Vec<Pseudonym> = (0..J_MAX as u32)
        .map(|j| issue(&e, &pca, &a, I0 + 2, j))
        .collect();
    let a_later = issue(&e, &pca, &a, I0 + 3, 2);
    let b_now = issue(&e, &pca, &b, I0 + 2, 0);
    let b_later = issue(&e, &pca, &b, I0 + 3, 0);
    let c_now = issue(&e, &pca, &c, I0 + 2, 3);

    let ra = FakeRa {
        hpcr_to_device: [
            a_early.hpcr,
            a_later.hpcr,
            b_now.hpcr,
            b_later.hpcr,
            c_now.hpcr,
        ]
        .into_iter()
        .zip(["A", "A", "B", "B", "C"])
        .chain(a_now.iter().map(|p| (p.hpcr, "A")))
        .collect(),
        lcis: [
            ("A", a.lci.clone()),
            ("B", b.lci.clone()),
            ("C", c.lci.clone()),
        ]
        .into_iter()
        .collect(),
        blacklist: Mutex::new(BTreeSet::new()),
        ra_cert: cert(&e.layout, "ra"),
        ra_key: e.keys.load_key_pair("ra").unwrap(),
        ra_dec: e.keys.load_key_pair("ra-enc").unwrap().private().clone(),
        ma_cert: cert(&e.layout, "ma"),
        fqdn: (e.cfg.fqdn("ra"), e.cfg.fqdn("la1"), e.cfg.fqdn("la2")),
    };

    // Week I0+2: A sends BSMs at 80 m/s that jump 5 km in one second.
    e.clock
        .set(i_period_start(u32::from(I0) + 2).unwrap() + 3600);
    let ma = Ma::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let ma_cert = ma.certificate().clone();
    let t = time64_from_time32(e.clock.now()) - 5_000_000;
    let base = Bsm {
        msg_cnt: 1,
        id: [9, 9, 9, 9],
        sec_mark: 0,
        lat: 423_000_000,
        long: -833_000_000,
        elev: 0,
        speed: 4000,
        heading: 0,
    };
    let spdus = vec![
        bsm(&a_now[0], t, base),
        bsm(
            &a_now[0],
            t + 1_000_000,
            Bsm {
                msg_cnt: 2,
                lat: base.lat + 450_000,
                ..base
            },
        ),
    ];
    let loc = ThreeDLocation {
        latitude: NinetyDegreeInt(423_000_000),
        longitude: OneEightyDegreeInt(-833_000_000),
        elevation: 0,
    };
    let now64 = time64_from_time32(e.clock.now());
    let report = |r: &Pseudonym| {
        build_report(
            &spdus,
            &[],
            &Reporter {
                certificate: &r.cert,
                key: &r.key,
            },
            &ma_cert,
            now64,
            loc.clone(),
        )
        .unwrap()
    };

    // Refusals: a plaintext report; a device reporting itself.
    let self_report = build_report(
        &spdus,
        &[],
        &Reporter {
            certificate: &a_now[0].cert,
            key: &a_now[0].key,
        },
        &ma_cert,
        now64,
        loc.clone(),
    )
    .unwrap();
    assert!(matches!(
        ma.receive_report(&self_report),
        Err(MaError::SelfReport)
    ));
    assert!(matches!(
        ma.receive_report(&spdus[0]),
        Err(MaError::NotEncrypted)
    ));

    // One reporter is not enough; the second makes A's certificate a suspect.
    let out = ma.receive_report(&report(&b_now)).unwrap();
    assert_eq!(out.reported.len(), 1);
    let findings = &out.reported[0].1;
    assert!(findings.iter().any(|f| f.contains("speed")), "{findings:?}");
    assert!(
        findings.iter().any(|f| f.contains("position jump")),
        "{findings:?}"
    );
    assert!(ma.suspects().unwrap().is_empty());
    ma.receive_report(&report(&b_now)).unwrap(); // same reporter again: still one
    assert!(ma.suspects().unwrap().is_empty());
    ma.receive_report(&report(&c_now)).unwrap();
    let suspects = ma.suspects().unwrap();
    assert_eq!(suspects.len(), 1);
    assert_eq!(suspects[0].certificate, a_now[0].cert);
    assert_eq!(suspects[0].reporters, 2);

    // Investigation.
    let peers = Peers {
        pca: &PcaPeer(&pca),
        ra: &ra,
        la1: &LaPeer(&la1),
        la2: &LaPeer(&la2),
    };
    let inv = ma.investigate(&suspects[0], peers).unwrap();
    assert_eq!(inv.hpcr, vec![a_now[0].hpcr]);
    assert!(inv.blacklisted);
    assert_eq!(*ra.blacklist.lock().unwrap(), ["A"].into_iter().collect());
    assert_eq!(inv.entry.i_rev, I0 + 2);
    assert_eq!(inv.entry.i_max, I_MAX);
    assert_eq!(
        inv.entry.seed1,
        *la1.linkage_seed(&a.lci.0, I0 + 2).unwrap().expose()
    );
    assert_eq!(
        inv.entry.seed2,
        *la2.linkage_seed(&a.lci.1, I0 + 2).unwrap().expose()
    );
    assert!(ma.suspects().unwrap().is_empty());

    // The CRL (as published in files/CRL.oer) holds exactly A's two seeds of I0+2.
    let published = std::fs::read(e.layout.file("CRL.oer")).unwrap();
    assert_eq!(published, inv.crl.to_coer());
    let crlg = cert(&e.layout, "crlg");
    let linked = scms_crl::generator::contents_of(&inv.crl, &crlg, 1)
        .unwrap()
        .unwrap();
    let CrlContentsTypeSpecific::FullLinkedCrl(l) = &linked.type_specific else {
        panic!()
    };
    assert_eq!(l.i_value, I0 + 2);
    let groups = l.individual.as_ref().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].jmax, J_MAX);
    assert_eq!(groups[0].contents.len(), 1);
    let lag = &groups[0].contents[0];
    assert_eq!(
        (lag.la1_id, lag.la2_id),
        (la1_id.to_be_bytes(), la2_id.to_be_bytes())
    );
    assert_eq!(lag.contents.len(), 1);
    assert_eq!(lag.contents[0].i_max, I_MAX);
    assert_eq!(lag.contents[0].contents.len(), 1);
    assert_eq!(lag.contents[0].contents[0].linkage_seed1, inv.entry.seed1);
    assert_eq!(lag.contents[0].contents[0].linkage_seed2, inv.entry.seed2);

    // Expanded: every A certificate from I0+2 on is revoked; A's earlier period and B, C
    // are not.
    let mut rl = RevocationList::new();
    rl.add_crl(&linked);
    for p in a_now.iter().chain([&a_later]) {
        assert!(rl.is_revoked(&p.cert), "A {:?}", lv_of(&p.cert));
    }
    for p in [&a_early, &b_now, &b_later, &c_now] {
        assert!(!rl.is_revoked(&p.cert), "{:?}", lv_of(&p.cert));
    }

    // The PCA answers PLV requests with the encrypted PLVs exactly as the LAs made them.
    let (i_cert, lv) = lv_of(&a_now[1].cert);
    assert_eq!(i_cert, I0 + 2);
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaPreLinkageValueRequest(
            MaPcaPreLinkageValueRequestMsg {
                version: 1,
                tbs: ToBeSignedMaPcaPreLinkageValueRequestMsg {
                    ma_id: Hostname::new(e.cfg.fqdn("ma")).unwrap(),
                    linkage_values: vec![lv],
                    group_linkage_values: vec![],
                },
                signatures: vec![],
            },
        )),
    };
    let req = signed(
        &e.keys.load_key_pair("ma").unwrap(),
        SignerId::Digest(&ma_cert),
        0x23,
        None,
        pdu.to_coer(),
    );
    let reply = Ieee1609Dot2Data::from_coer(&pca.handle_ma(&req.to_coer()).unwrap()).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = &reply.content else {
        panic!()
    };
    let pt = decrypt(
        be,
        ed,
        Decryptor::Certificate {
            cert: &ma_cert,
            key: e.keys.load_key_pair("ma-enc").unwrap().private(),
        },
    )
    .unwrap();
    let (_, payload) = unsecured_of(&Ieee1609Dot2Data::from_coer(&pt).unwrap());
    let ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(r)) =
        ScmsPDU::from_coer(&payload).unwrap().content
    else {
        panic!()
    };
    let got: Vec<EncryptedIndividualPLV> = r
        .plv_info
        .iter()
        .map(|x| match &x.reply {
            Lv2PlvReply::Success(s) => s.encrypted_plv.clone(),
            f => panic!("{f:?}"),
        })
        .collect();
    assert_eq!(got, vec![a.plvs.0[2][1].clone(), a.plvs.1[2][1].clone()]);
    // A request signed by someone else is refused.
    let forged = signed(
        &e.keys.load_key_pair("ra").unwrap(),
        SignerId::Digest(&cert(&e.layout, "ra")),
        0x23,
        None,
        pdu.to_coer(),
    );
    assert!(pca.handle_ma(&forged.to_coer()).is_err());
    assert!(la1.handle_ma(&forged.to_coer()).is_err());

    // Databases: no plaintext PLV anywhere, no seed at the PCA, no linkage value at the LAs.
    let open_plv = |name: &str, p: &EncryptedIndividualPLV| {
        let k: AesKey = e.keys.load_secret_array(name).unwrap();
        ToBeEncryptedIndividualPLV::from_coer(
            &decrypt(be, &p.enc_plv, Decryptor::Symmetric(&k)).unwrap(),
        )
        .unwrap()
        .plv
    };
    let ma_db = db_blobs(&e.layout.state("ma").join("ma.sqlite"));
    let pca_db = db_blobs(&e.layout.state("pca").join("pca.sqlite"));
    let la_dbs = [
        db_blobs(&e.layout.state("la1").join("la1.sqlite")),
        db_blobs(&e.layout.state("la2").join("la2.sqlite")),
    ];
    assert!(!ma_db.is_empty() && !pca_db.is_empty());
    for d in [&a, &b, &c] {
        for k in 0..d.plvs.0.len() {
            for j in 0..usize::from(J_MAX) {
                for plv in [
                    open_plv("la1-pca", &d.plvs.0[k][j]),
                    open_plv("la2-pca", &d.plvs.1[k][j]),
                ] {
                    assert!(!contains(&ma_db, &plv));
                    assert!(!contains(&pca_db, &plv));
                    assert!(!la_dbs.iter().any(|x| contains(x, &plv)));
                }
            }
        }
        for i in I0..=I_MAX {
            let s1 = *la1.linkage_seed(&d.lci.0, i).unwrap().expose();
            let s2 = *la2.linkage_seed(&d.lci.1, i).unwrap().expose();
            assert!(!contains(&pca_db, &s1) && !contains(&pca_db, &s2));
            assert!(!la_dbs.iter().any(|x| contains(x, &s1) || contains(x, &s2)));
        }
    }
    for p in a_now
        .iter()
        .chain([&a_early, &a_later, &b_now, &b_later, &c_now])
    {
        let (_, lv) = lv_of(&p.cert);
        assert!(!la_dbs.iter().any(|x| contains(x, &lv)));
    }
    // The MA holds the revoked chain's seeds (public in the CRL), nothing of B's or C's.
    assert!(contains(&ma_db, &inv.entry.seed1));
    for d in [&b, &c] {
        let s1 = *la1.linkage_seed(&d.lci.0, I0 + 2).unwrap().expose();
        assert!(!contains(&ma_db, &s1));
    }

    // A restarted MA (and CRLG) still publishes the entry, with a new serial.
    drop(ma);
    e.clock.set(i_period_start(u32::from(I0) + 3).unwrap() + 10);
    let mut ma = Ma::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let crl = ma.publish_crl().unwrap();
    let linked = scms_crl::generator::contents_of(&crl, &crlg, 1)
        .unwrap()
        .unwrap();
    let hashed = scms_crl::generator::contents_of(&crl, &crlg, 3)
        .unwrap()
        .unwrap();
    let CrlContentsTypeSpecific::FullHashCrl(h) = &hashed.type_specific else {
        panic!()
    };
    assert_eq!(h.crl_serial, 2);
    let mut rl = RevocationList::new();
    rl.add_crl(&linked);
    assert!(rl.is_revoked(&a_later.cert));
    assert!(!rl.is_revoked(&b_later.cert));

    // PoC policy: one reporter, no evidence needed → B reported once is a suspect.
    ma.set_policy(Policy {
        min_reporters: 1,
        require_evidence: false,
        ..Policy::default()
    });
    let calm = vec![bsm(
        &b_later,
        time64_from_time32(e.clock.now()) - 1_000_000,
        Bsm {
            speed: 1000,
            ..base
        },
    )];
    let r = build_report(
        &calm,
        &[],
        &Reporter {
            certificate: &c_now.cert,
            key: &c_now.key,
        },
        &ma_cert,
        time64_from_time32(e.clock.now()),
        loc,
    );
    // C's I0+2 certificate is still valid 10 s into I0+3 (the one-hour overlap).
    let out = ma.receive_report(&r.unwrap()).unwrap();
    assert!(out.reported[0].1.is_empty());
    assert_eq!(ma.suspects().unwrap().len(), 1);
}
