#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Misbehavior reporting, investigation and revocation on a real `scms init` hierarchy with
//! the real ECA, LA, PCA and RA libraries in process: three OBEs enrolled by the ECA and
//! provisioned by the RA pipeline; two of them report the third's implausible BSMs →
//! suspect → PCA (HPCR) → RA (LCIs) → LA1, LA2 (seeds) → CRL, and the RA blacklists the
//! device. The CRL revokes exactly that device's chain from the current period on; the RA
//! refuses the device afterwards; no database holds what it must not.

mod common;

use common::*;
use scms_asn1::camp::base_types::{EncryptedIndividualPLV, ToBeEncryptedIndividualPLV};
use scms_asn1::camp::ma_pca::{
    Lv2PlvReply, MaPcaInterfacePDU, MaPcaPreLinkageValueRequestMsg,
    ToBeSignedMaPcaPreLinkageValueRequestMsg,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CrlContentsTypeSpecific, HeaderInfo, Hostname, Ieee1609Dot2Content,
    Ieee1609Dot2Data, NinetyDegreeInt, OneEightyDegreeInt, Opaque, Psid, SignedDataPayload,
    ThreeDLocation, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::hash::certificate_id8;
use scms_core::revocation::RevocationList;
use scms_core::sign::{self, SignerId};
use scms_core::signer::KeyPair;
use scms_core::time::{i_period_start, time64_from_time32};
use scms_crypto::butterfly::CaterpillarPrivate;
use scms_crypto::linkage::{linkage_value, pre_linkage_value, LinkageValue};
use scms_crypto::{default_backend, AesKey};
use scms_ee::misbehavior::{build_report, Reporter};
use scms_ma::bsm::Bsm;
use scms_ma::{Ma, MaError, Policy};
use scms_ra::RaErrorCode;

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

fn unsecured_of(d: &Ieee1609Dot2Data) -> Vec<u8> {
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        panic!("not signed")
    };
    let Some(Ieee1609Dot2Content::UnsecuredData(o)) =
        sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
    else {
        panic!("payload")
    };
    o.as_bytes().to_vec()
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

/// `(plv1, plv2)` of a device's chain at (i, j), from the LAs' seeds.
fn plvs(w: &World, d: &Device, i: u16, j: u8) -> (LinkageValue, LinkageValue) {
    let (_, l1, l2) = w.chains(d);
    let s1 = w.la1.linkage_seed(&l1, i).unwrap();
    let s2 = w.la2.linkage_seed(&l2, i).unwrap();
    (
        pre_linkage_value(w.la1.la_id(), &s1, u32::from(j)),
        pre_linkage_value(w.la2.la_id(), &s2, u32::from(j)),
    )
}

#[test]
fn reports_investigation_and_crl() {
    let w = world();
    let be = default_backend();
    let (la1_id, la2_id) = (w.la1.la_id(), w.la2.la_id());

    // Provisioning (week I0) by the RA pipeline: device A misbehaves; B and C report; B is
    // also checked not to be revoked.
    let a = w.device();
    let b = w.device();
    let c = w.device();
    let rep = w.ra.run_until_idle(w.now()).unwrap();
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    assert_eq!(rep.certificates, 3 * 4 * usize::from(J_MAX), "{rep:?}");
    let a_early = w.pseudonyms(&a, I0).swap_remove(1);
    let a_now = w.pseudonyms(&a, I0 + 2);
    let a_later = w.pseudonyms(&a, I0 + 3).swap_remove(2);
    let b_now = w.pseudonyms(&b, I0 + 2).swap_remove(0);
    let b_later = w.pseudonyms(&b, I0 + 3).swap_remove(0);
    let c_now = w.pseudonyms(&c, I0 + 2).swap_remove(3);
    // The certificates carry lv = plv1 ⊕ plv2 of the device's chains.
    for (j, p) in a_now.iter().enumerate() {
        let (p1, p2) = plvs(&w, &a, I0 + 2, j as u8);
        assert_eq!(lv_of(&p.cert), (I0 + 2, linkage_value(&p1, &p2)));
    }

    // Week I0+2: A sends BSMs at 80 m/s that jump 5 km in one second.
    w.clock
        .set(i_period_start(u32::from(I0) + 2).unwrap() + 3600);
    let ma = Ma::open(&w.layout, &w.keys, w.clock.clone()).unwrap();
    let ma_cert = ma.certificate().clone();
    let t = time64_from_time32(w.now()) - 5_000_000;
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
    let now64 = time64_from_time32(w.now());
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
    let self_report = report(&a_now[0]);
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

    // Investigation through the real PCA, RA and LAs.
    let links = w.links();
    let inv = ma.investigate(&suspects[0], links.peers()).unwrap();
    // The HPCR is that of the PCA request that issued A's certificate, which the RA made
    // for A's provisioning request, period I0+2.
    assert_eq!(inv.hpcr.len(), 1);
    let issued = w
        .pca
        .store()
        .record(&inv.hpcr[0])
        .unwrap()
        .unwrap()
        .issued
        .unwrap();
    assert_eq!(issued.certificate, a_now[0].cert.to_coer());
    let (a_stream, a_lci1, a_lci2) = w.chains(&a);
    let rec = w.ra.store().hpcr(&inv.hpcr[0]).unwrap().unwrap();
    assert_eq!((rec.stream_id, rec.i), (a_stream, u32::from(I0 + 2)));
    let entry = inv.entry.linkage().unwrap().clone();
    assert_eq!(entry.i_rev, I0 + 2);
    assert_eq!(entry.i_max, I_MAX);
    assert_eq!(
        entry.seed1,
        *w.la1.linkage_seed(&a_lci1, I0 + 2).unwrap().expose()
    );
    assert_eq!(
        entry.seed2,
        *w.la2.linkage_seed(&a_lci2, I0 + 2).unwrap().expose()
    );
    assert!(ma.suspects().unwrap().is_empty());

    // The RA blacklisted A (and only A): its next request and downloads are refused, B's
    // are served.
    assert!(inv.blacklisted);
    for (d, listed) in [(&a, true), (&b, false), (&c, false)] {
        let id = certificate_id8(&d.enrollment);
        assert_eq!(w.ra.store().is_blacklisted(&id).unwrap(), listed);
    }
    let again = w.pseudonym_request(&a, &CaterpillarPrivate::generate().unwrap());
    let err = w.ra.provision_pseudonym(&again, w.now()).unwrap_err();
    assert_eq!(err.code(), Some(RaErrorCode::RaBlacklisted), "{err}");
    let err = w.download(&a, I0 + 3).unwrap_err();
    assert_eq!(err.code(), Some(RaErrorCode::RaBlacklisted), "{err}");
    w.download(&b, I0 + 3).unwrap();

    // The CRL (as published in files/CRL.oer) holds exactly A's two seeds of I0+2.
    let published = std::fs::read(w.layout.file("CRL.oer")).unwrap();
    assert_eq!(published, inv.crl.to_coer());
    let crlg = cert(&w.layout, "crlg");
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
    assert_eq!(lag.contents[0].contents[0].linkage_seed1, entry.seed1);
    assert_eq!(lag.contents[0].contents[0].linkage_seed2, entry.seed2);

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
    let open_plv = |name: &str, p: &EncryptedIndividualPLV| {
        let k: AesKey = w.keys.load_secret_array(name).unwrap();
        ToBeEncryptedIndividualPLV::from_coer(
            &decrypt(be, &p.enc_plv, Decryptor::Symmetric(&k)).unwrap(),
        )
        .unwrap()
    };
    let (i_cert, lv) = lv_of(&a_now[1].cert);
    assert_eq!(i_cert, I0 + 2);
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaPreLinkageValueRequest(
            MaPcaPreLinkageValueRequestMsg {
                version: 1,
                tbs: ToBeSignedMaPcaPreLinkageValueRequestMsg {
                    ma_id: Hostname::new(w.cfg.fqdn("ma")).unwrap(),
                    linkage_values: vec![lv],
                    group_linkage_values: vec![],
                },
                signatures: vec![],
            },
        )),
    };
    let req = signed(
        &w.keys.load_key_pair("ma").unwrap(),
        SignerId::Digest(&ma_cert),
        0x23,
        None,
        pdu.to_coer(),
    );
    let reply = Ieee1609Dot2Data::from_coer(&w.pca.handle_ma(&req.to_coer()).unwrap()).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = &reply.content else {
        panic!()
    };
    let pt = decrypt(
        be,
        ed,
        Decryptor::Certificate {
            cert: &ma_cert,
            key: w.keys.load_key_pair("ma-enc").unwrap().private(),
        },
    )
    .unwrap();
    let payload = unsecured_of(&Ieee1609Dot2Data::from_coer(&pt).unwrap());
    let ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(r)) =
        ScmsPDU::from_coer(&payload).unwrap().content
    else {
        panic!()
    };
    let got: Vec<(String, EncryptedIndividualPLV)> = r
        .plv_info
        .iter()
        .map(|x| match &x.reply {
            Lv2PlvReply::Success(s) => (s.hostname.0.to_string(), s.encrypted_plv.clone()),
            f => panic!("{f:?}"),
        })
        .collect();
    assert_eq!(got.len(), 2);
    let (plv1, plv2) = plvs(&w, &a, I0 + 2, 1);
    for ((host, p), (la, id, key, plv)) in got.iter().zip([
        ("la1", la1_id, "la1-pca", plv1),
        ("la2", la2_id, "la2-pca", plv2),
    ]) {
        assert_eq!(*host, w.cfg.fqdn(la));
        assert_eq!(p.la_id, id.to_be_bytes());
        let opened = open_plv(key, p);
        assert_eq!((opened.i_value, opened.plv), (I0 + 2, plv));
    }
    assert_eq!(linkage_value(&plv1, &plv2), lv);
    // A request signed by someone else is refused.
    let forged = signed(
        &w.keys.load_key_pair("ra").unwrap(),
        SignerId::Digest(&cert(&w.layout, "ra")),
        0x23,
        None,
        pdu.to_coer(),
    );
    assert!(w.pca.handle_ma(&forged.to_coer()).is_err());
    assert!(w.la1.handle_ma(&forged.to_coer()).is_err());

    // Databases: no plaintext PLV at the MA, PCA, LAs or RA; no seed at the PCA, LAs or
    // RA; no linkage value at the LAs.
    let db = |name: &str| db_blobs(&w.layout.state(name).join(format!("{name}.sqlite")));
    let ma_db = db("ma");
    let pca_db = db("pca");
    let ra_db = db("ra");
    let la_dbs = [db("la1"), db("la2")];
    assert!(!ma_db.is_empty() && !pca_db.is_empty() && !ra_db.is_empty());
    for d in [&a, &b, &c] {
        let (_, l1, l2) = w.chains(d);
        for i in I0..=I_MAX {
            for j in 0..J_MAX {
                let (p1, p2) = plvs(&w, d, i, j);
                for plv in [p1, p2] {
                    assert!(!contains(&ma_db, &plv));
                    assert!(!contains(&pca_db, &plv));
                    assert!(!contains(&ra_db, &plv));
                    assert!(!la_dbs.iter().any(|x| contains(x, &plv)));
                }
                let lv = linkage_value(&p1, &p2);
                assert!(!la_dbs.iter().any(|x| contains(x, &lv)));
            }
            let s1 = *w.la1.linkage_seed(&l1, i).unwrap().expose();
            let s2 = *w.la2.linkage_seed(&l2, i).unwrap().expose();
            for s in [s1, s2] {
                assert!(!contains(&pca_db, &s) && !contains(&ra_db, &s));
                assert!(!la_dbs.iter().any(|x| contains(x, &s)));
            }
        }
    }
    // The MA holds the revoked chain's seeds (public in the CRL), nothing of B's or C's.
    assert!(contains(&ma_db, &entry.seed1));
    for d in [&b, &c] {
        let (_, l1, _) = w.chains(d);
        let s1 = *w.la1.linkage_seed(&l1, I0 + 2).unwrap().expose();
        assert!(!contains(&ma_db, &s1));
    }

    // A restarted MA (and CRLG) still publishes the entry, with a new serial.
    drop(ma);
    w.clock.set(i_period_start(u32::from(I0) + 3).unwrap() + 10);
    let mut ma = Ma::open(&w.layout, &w.keys, w.clock.clone()).unwrap();
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
        time64_from_time32(w.now()) - 1_000_000,
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
        time64_from_time32(w.now()),
        loc,
    );
    // C's I0+2 certificate is still valid 10 s into I0+3 (the one-hour overlap).
    let out = ma.receive_report(&r.unwrap()).unwrap();
    assert!(out.reported[0].1.is_empty());
    assert_eq!(ma.suspects().unwrap().len(), 1);
}
