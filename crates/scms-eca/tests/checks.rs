#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every enrollment request check of the ECA: one accepted request and one rejection
//! per check.

use scms_asn1::camp::eca_ee::{EcaEndEntityInterfacePDU, EeEcaCertRequest};
use scms_asn1::camp::errors::EcaEndEntityError as E;
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, SignedCertificateRequest};
use scms_asn1::coer::{OctetString, VarInt};
use scms_asn1::ieee1609dot2::{
    CertificateId, CertificateType, Duration, GeographicRegion, HashAlgorithm, Hostname,
    IdentifiedRegion, Ieee1609Dot2Content, Ieee1609Dot2Data, LinkageData, Opaque, Psid,
    PsidSspRange, SignerIdentifier, SspRange, SubjectPermissions,
};
use scms_asn1::Coer;
use scms_core::hash::certificate_id3;
use scms_core::profile::{check_certificate, CertKind};
use scms_core::sign::{self, Issuer};
use scms_core::signer::{KeyPair, Signer};
use scms_crypto::default_backend;
use scms_eca::testing::{obe_request, sign_request, TestPki};
use scms_eca::{
    check, DeviceKind, Eca, EcaConfig, EnrollmentRejection as Rej, UsedKeys, YEAR_SECS,
};

const START: u32 = 600_000_000;
const NOW: u32 = START + 86_400;

fn setup() -> (TestPki, Eca) {
    let pki = TestPki::new(START).unwrap();
    let eca = pki.eca_with(EcaConfig::default()).unwrap();
    (pki, eca)
}

fn psids(req: &mut EeEcaCertRequest) -> &mut Vec<PsidSspRange> {
    let g = &mut req.tbs_data.cert_request_permissions.as_mut().unwrap()[0];
    match &mut g.subject_permissions {
        SubjectPermissions::Explicit(v) => v,
        _ => unreachable!(),
    }
}

fn range(p: u64, ssp: Option<SspRange>) -> PsidSspRange {
    PsidSspRange {
        psid: Psid::new(p),
        ssp_range: ssp,
    }
}

fn opaque(list: &[&[u8]]) -> Option<SspRange> {
    Some(SspRange::Opaque(
        list.iter().map(|b| OctetString(b.to_vec())).collect(),
    ))
}

/// Runs a request edited by `edit` and returns the rejection.
fn reject(edit: impl FnOnce(&mut EeEcaCertRequest)) -> Rej {
    let (_, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, edit).unwrap();
    let err = eca.process(&csr, NOW).unwrap_err();
    assert!(eca.used_keys().is_empty(), "a rejected key is not recorded");
    err
}

#[test]
fn accepts_a_good_obe_request_and_the_device_reconstructs_its_key() {
    let (pki, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, |_| {}).unwrap();
    let resp = eca.process(&csr, NOW).unwrap();
    assert_eq!(resp.kind, DeviceKind::Obe);
    let cert = &resp.enrollment_cert;
    assert_eq!(cert.r#type, CertificateType::Implicit);
    check_certificate(CertKind::ObeEnrollment, cert).unwrap();
    assert_eq!(cert.to_be_signed.craca_id, certificate_id3(&pki.root));
    assert_eq!(cert.to_be_signed.crl_series, 4);
    assert!(cert.to_be_signed.can_request_rollover.is_some());
    assert_eq!(resp.request_hash, scms_eca::request_hash(&csr));

    // The device: d = e·k + r, and its public key is the one the certificate gives.
    let be = default_backend();
    let r = scms_crypto::Scalar::from_bytes(&resp.priv_key_reconstruction).unwrap();
    let d = sign::reconstruct_private_key(cert, &pki.eca, key.private(), &r).unwrap();
    let eca_key = sign::certificate_key(be, &pki.eca, None).unwrap();
    let q = sign::certificate_key(
        be,
        cert,
        Some(Issuer {
            cert: &pki.eca,
            key: &eca_key,
        }),
    )
    .unwrap();
    assert_eq!(d.public_key(be).unwrap(), q);

    // The response is ECA-signed SignedData over ScmsPDU eca-ee ecaEeCertResponse.
    let spdu = Ieee1609Dot2Data::from_coer(&resp.response_bytes).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = &spdu.content else {
        panic!("not signed")
    };
    assert_eq!(sd.tbs_data.header_info.psid, Psid::new(0x23));
    assert!(sd.tbs_data.header_info.generation_time.is_none());
    sign::verify_signed_data(be, sd, Some(&pki.eca), &eca_key).unwrap();
    let inner = sd.tbs_data.payload.data.as_ref().unwrap();
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!()
    };
    let pdu = ScmsPDU::from_coer(o.as_bytes()).unwrap();
    let ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EcaEeCertResponse(r)) = pdu.content else {
        panic!()
    };
    assert_eq!(r.version, 1);
    assert_eq!(r.eca_cert, pki.eca);
    assert_eq!(&r.enrollment_cert, cert);
    assert_eq!(r.priv_key_reconstruction, resp.priv_key_reconstruction);
}

#[test]
fn rse_psids_give_an_rse_enrollment_certificate() {
    let (_, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, |r| {
        *psids(r) = vec![
            range(0x82, opaque(&[&[0x90, 0x01]])),
            range(0x83, None),
            range(0x20_4089, opaque(&[])),
        ];
    })
    .unwrap();
    let resp = eca.process(&csr, NOW).unwrap();
    assert_eq!(resp.kind, DeviceKind::Rse);
    check_certificate(CertKind::RseEnrollment, &resp.enrollment_cert).unwrap();
}

#[test]
fn the_seed_example_csr_verifies_and_its_region_is_checked() {
    // Code Block 5: cracaId 000000, crlSeries 4, regions 124/484/840, currentTime 431026272.
    let hex_text = include_str!("../../scms-cli/tests/fixtures/seed-code-block-5.hex");
    let csr = hex::decode(hex_text.split_whitespace().collect::<String>()).unwrap();
    let (scr, req) = scms_eca::decode_request(&csr).unwrap();
    let key = scms_eca::requested_key(&req).unwrap();
    sign::verify_certificate_request(default_backend(), &scr, None, &key).unwrap();

    let t = req.current_time;
    let pki = TestPki::new(t - 1000).unwrap();
    let mut eca = pki.eca_with(EcaConfig::default()).unwrap();
    let err = eca.process(&csr, t + 60).unwrap_err();
    assert!(matches!(err, Rej::Region(_)), "{err}");
    assert_eq!(err.seed_check(), Some(check::REGION));

    let mut eca = pki
        .eca_with(EcaConfig {
            allowed_countries: vec![124, 484, 840],
            ..EcaConfig::default()
        })
        .unwrap();
    // The ECA certificate covers USA only: still refused (region within the ECA's).
    let err = eca.process(&csr, t + 60).unwrap_err();
    assert!(err.to_string().contains("outside the ECA"), "{err}");
}

#[test]
fn malformed_bytes() {
    let (_, mut eca) = setup();
    let e = eca.process(b"\x03\x83garbage", NOW).unwrap_err();
    assert!(matches!(e, Rej::Malformed(_)));
    assert_eq!(e.code(), E::EcaMalformedRequest);
    assert!(e.to_string().starts_with("ecaMalformedRequest"));
}

#[test]
fn envelope_versions_and_shape() {
    let (_, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let good = obe_request(&key, NOW, |_| {}).unwrap();
    let spdu = Ieee1609Dot2Data::from_coer(&good).unwrap();

    let mut v2 = spdu.clone();
    v2.protocol_version = 2;
    assert_eq!(
        eca.process(&v2.to_coer(), NOW).unwrap_err(),
        Rej::ProtocolVersion(2)
    );

    let Ieee1609Dot2Content::SignedCertificateRequest(o) = &spdu.content else {
        panic!()
    };
    let unsecured = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(o.clone()),
    };
    assert_eq!(
        eca.process(&unsecured.to_coer(), NOW).unwrap_err(),
        Rej::NotCertificateRequest
    );

    let scr = SignedCertificateRequest::from_coer(o.as_bytes()).unwrap();
    let wrap = |s: &SignedCertificateRequest| {
        Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::SignedCertificateRequest(
                Opaque::new(s.to_coer()).unwrap(),
            ),
        }
        .to_coer()
    };
    let mut s = scr.clone();
    s.signer = SignerIdentifier::Digest([1; 8]);
    assert_eq!(eca.process(&wrap(&s), NOW).unwrap_err(), Rej::NotSelfSigned);
    let mut s = scr.clone();
    s.hash_id = HashAlgorithm::Sha384;
    assert_eq!(eca.process(&wrap(&s), NOW).unwrap_err(), Rej::HashAlgorithm);

    // Versions inside the signed part: re-signed so only the version is wrong.
    let ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(req)) =
        &scr.tbs_request.content
    else {
        panic!()
    };
    let mut r2 = req.clone();
    r2.version = 2;
    let csr = sign_request(&key, r2).unwrap();
    assert_eq!(eca.process(&csr, NOW).unwrap_err(), Rej::RequestVersion(2));

    let mut pdu = scr.tbs_request.clone();
    pdu.version = 2;
    let s = sign::sign_certificate_request(&key, pdu, sign::SignerId::SelfSigned).unwrap();
    assert_eq!(eca.process(&wrap(&s), NOW).unwrap_err(), Rej::PduVersion(2));
}

#[test]
fn signature_by_another_key_is_refused() {
    let (_, mut eca) = setup();
    let device = KeyPair::generate().unwrap();
    let other = KeyPair::generate().unwrap();
    let mut req = None;
    obe_request(&device, NOW, |r| req = Some(r.clone())).unwrap();
    let csr = sign_request(&other, req.unwrap()).unwrap();
    let e = eca.process(&csr, NOW).unwrap_err();
    assert_eq!(e, Rej::BadSignature);
    assert_eq!(e.code(), E::EcaInvalidVerifyKey);
}

#[test]
fn current_time_plausibility() {
    let e = reject(|r| r.current_time = NOW + 3_600);
    assert!(matches!(e, Rej::CurrentTime { .. }));
    assert_eq!(e.code(), E::EcaInvalidCurrentTime);
    let e = reject(|r| r.current_time = NOW - 91 * 86_400);
    assert!(matches!(e, Rej::CurrentTime { .. }));
}

#[test]
fn forbidden_fields() {
    use scms_asn1::ieee1609dot2::{PsidSsp, PublicEncryptionKey};
    let e = reject(|r| {
        r.tbs_data.app_permissions = Some(vec![PsidSsp {
            psid: Psid::new(0x20),
            ssp: None,
        }])
    });
    assert_eq!(e, Rej::ForbiddenField("appPermissions"));
    let e =
        reject(|r| r.tbs_data.cert_issue_permissions = r.tbs_data.cert_request_permissions.clone());
    assert_eq!(e, Rej::ForbiddenField("certIssuePermissions"));
    let e = reject(|r| r.tbs_data.assurance_level = Some([0xE0]));
    assert_eq!(e.code(), E::EcaInvalidAssuranceLevel);
    let k = KeyPair::generate().unwrap();
    let enc: PublicEncryptionKey = scms_core::convert::public_encryption_key(k.public_key());
    let e = reject(|r| r.tbs_data.encryption_key = Some(enc));
    assert_eq!(e.code(), E::EcaInvalidEncryptionKey);
}

#[test]
fn useful_certificate_id() {
    let e = reject(|r| {
        r.tbs_data.id = CertificateId::LinkageData(LinkageData {
            i_cert: 0,
            linkage_value: [0; 9],
            group_linkage_value: None,
        })
    });
    assert!(matches!(e, Rej::ForbiddenField(_)));
    let e = reject(|r| r.tbs_data.id = CertificateId::Name(Hostname::new("obe\nenr").unwrap()));
    assert!(matches!(e, Rej::CertificateId(_)));
    assert_eq!(e.seed_check(), Some(check::CERTIFICATE_ID));
    let e =
        reject(|r| r.tbs_data.id = CertificateId::Name(Hostname::new("ra.v2xscms.com").unwrap()));
    assert!(matches!(e, Rej::CertificateId(_)), "{e}");
}

#[test]
fn craca_id_and_crl_series() {
    let e = reject(|r| r.tbs_data.craca_id = [1, 2, 3]);
    assert!(matches!(e, Rej::CracaId { .. }));
    assert_eq!(e.seed_check(), Some(check::CRACA_ID));
    let e = reject(|r| r.tbs_data.crl_series = 2);
    assert_eq!(e, Rej::CrlSeries { got: 2, want: 4 });
    assert_eq!(e.seed_check(), Some(check::CRL_SERIES));

    // The root's HashedId3 is the other correct value; 000000 can be turned off.
    let (pki, _) = setup();
    let mut eca = pki
        .eca_with(EcaConfig {
            accept_zero_craca_id: false,
            ..EcaConfig::default()
        })
        .unwrap();
    let key = KeyPair::generate().unwrap();
    let zero = obe_request(&key, NOW, |_| {}).unwrap();
    assert!(matches!(
        eca.process(&zero, NOW).unwrap_err(),
        Rej::CracaId { .. }
    ));
    let root_id = certificate_id3(&pki.root);
    let good = obe_request(&key, NOW, |r| r.tbs_data.craca_id = root_id).unwrap();
    eca.process(&good, NOW).unwrap();
}

#[test]
fn validity_fits_the_eca() {
    // Starts before the ECA.
    let e = reject(|r| r.tbs_data.validity_period.start = START - 10);
    assert!(matches!(e, Rej::Validity(_)), "{e}");
    assert_eq!(e.seed_check(), Some(check::VALIDITY));
    assert_eq!(e.code(), E::EcaInvalidValidityPeriod);
    // Longer than the enrollment maximum.
    let e = reject(|r| r.tbs_data.validity_period.duration = Duration::Years(31));
    assert!(e.to_string().contains("longer"), "{e}");
    // Empty.
    let e = reject(|r| r.tbs_data.validity_period.duration = Duration::Hours(0));
    assert!(matches!(e, Rej::Validity(_)));
    // Ends after the ECA (40 years from START): 30 years starting 11 years later.
    let e = reject(|r| {
        r.tbs_data.validity_period.start = START + (11 * YEAR_SECS) as u32;
    });
    assert!(matches!(e, Rej::Validity(_) | Rej::StartTime { .. }), "{e}");
    // Already over.
    let e = reject(|r| {
        r.tbs_data.validity_period.start = START;
        r.tbs_data.validity_period.duration = Duration::Seconds(60);
    });
    assert!(e.to_string().contains("before now"), "{e}");
    // Starts too far in the future.
    let e = reject(|r| r.tbs_data.validity_period.start = NOW + 2 * 366 * 86_400);
    assert!(matches!(e, Rej::StartTime { .. }));
    assert_eq!(e.code(), E::EcaInvalidRequestedStartTime);
}

#[test]
fn region_usa_only() {
    let e = reject(|r| {
        r.tbs_data.region = Some(GeographicRegion::IdentifiedRegion(vec![
            IdentifiedRegion::CountryOnly(840),
            IdentifiedRegion::CountryOnly(124),
        ]))
    });
    assert!(matches!(e, Rej::Region(_)));
    assert_eq!(e.code(), E::EcaInvalidRegion);
    assert_eq!(e.seed_check(), Some(check::REGION));
    let e = reject(|r| r.tbs_data.region = None);
    assert!(matches!(e, Rej::Region(_)));
    let e = reject(|r| r.tbs_data.region = Some(GeographicRegion::IdentifiedRegion(vec![])));
    assert!(matches!(e, Rej::Region(_)));
}

#[test]
fn psids_supported_eligible_and_unique() {
    let e = reject(|r| psids(r).push(range(0x99, opaque(&[]))));
    assert_eq!(e, Rej::UnsupportedPsid(0x99));
    assert_eq!(e.seed_check(), Some(check::SUPPORTED_PSID));
    assert_eq!(e.code(), E::EcaInvalidPsid);

    let e = reject(|r| psids(r).push(range(0x20, opaque(&[]))));
    assert_eq!(e, Rej::DuplicatePsid(0x20));

    // 0x100 (CRL) is supported but no device is eligible to it.
    let e = reject(|r| psids(r).push(range(0x100, opaque(&[]))));
    assert!(matches!(e, Rej::IneligiblePsid { psid: 0x100, .. }), "{e}");
    assert_eq!(e.seed_check(), Some(check::ELIGIBLE_PSID));

    // BSM with an RSE PSID: no kind is eligible to the set.
    let e = reject(|r| psids(r).push(range(0x82, opaque(&[&[0x90, 0x01]]))));
    assert!(matches!(e, Rej::IneligiblePsid { .. }), "{e}");

    // An explicit kind: an RSE may not request BSM.
    let (_, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, |_| {}).unwrap();
    let e = eca
        .process_as(&csr, NOW, Some(DeviceKind::Rse))
        .unwrap_err();
    assert_eq!(
        e,
        Rej::IneligiblePsid {
            psid: 0x20,
            kind: Some(DeviceKind::Rse)
        }
    );

    let e = reject(|r| psids(r).clear());
    assert_eq!(e, Rej::NoPermissions);
    let e = reject(|r| r.tbs_data.cert_request_permissions = None);
    assert_eq!(e, Rej::NoPermissions);
    let e = reject(|r| {
        r.tbs_data.cert_request_permissions.as_mut().unwrap()[0].subject_permissions =
            SubjectPermissions::All(())
    });
    assert!(matches!(e, Rej::PermissionsShape(_)));
    let e = reject(|r| {
        r.tbs_data.cert_request_permissions.as_mut().unwrap()[0].min_chain_depth = VarInt(1)
    });
    assert!(matches!(e, Rej::PermissionsShape(_)));
}

#[test]
fn ssps_right_and_eligible() {
    // BSM takes only the default SSP.
    let e = reject(|r| psids(r)[0] = range(0x20, opaque(&[&[1, 2]])));
    assert!(matches!(e, Rej::WrongSsp { psid: 0x20, .. }), "{e}");
    assert_eq!(e.seed_check(), Some(check::RIGHT_SSP));
    // `all` / absent is not a right range for BSM.
    let e = reject(|r| psids(r)[0] = range(0x20, Some(SspRange::All(()))));
    assert!(matches!(e, Rej::WrongSsp { .. }));
    let e = reject(|r| psids(r)[0] = range(0x20, None));
    assert!(matches!(e, Rej::WrongSsp { .. }));
    // Intersection safety: only the listed SSPs.
    let (_, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, |r| {
        *psids(r) = vec![range(0x82, opaque(&[&[0x90, 0x02]]))]
    })
    .unwrap();
    let e = eca.process(&csr, NOW).unwrap_err();
    assert!(matches!(e, Rej::WrongSsp { psid: 0x82, .. }), "{e}");

    // An SSP the RSE profile allows but an OBE is not eligible to (0x26 with `all`
    // is fine for nobody; use a config where the RSE may use any SSP for 0x26).
    let (pki, _) = setup();
    let mut cfg = EcaConfig::default();
    cfg.rse_eligible.insert(0x26, scms_eca::SspRule::Any);
    let mut eca = pki.eca_with(cfg).unwrap();
    let csr = obe_request(&key, NOW, |r| psids(r)[1] = range(0x26, opaque(&[&[7]]))).unwrap();
    let e = eca
        .process_as(&csr, NOW, Some(DeviceKind::Obe))
        .unwrap_err();
    assert_eq!(
        e,
        Rej::IneligibleSsp {
            psid: 0x26,
            kind: DeviceKind::Obe
        }
    );
    assert_eq!(e.seed_check(), Some(check::ELIGIBLE_SSP));
}

#[test]
fn psid_the_eca_may_not_issue() {
    // 0x84 (probe data) is on the RSE list by default but not in the ECA profile.
    let (_, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, |r| *psids(r) = vec![range(0x84, opaque(&[]))]).unwrap();
    assert_eq!(eca.process(&csr, NOW).unwrap_err(), Rej::NotIssuable(0x84));
}

#[test]
fn a_public_key_is_enrolled_once_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(START).unwrap();
    let path = dir.path().join("eca").join("used-keys");
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, NOW, |_| {}).unwrap();
    {
        let mut eca = Eca::new(
            pki.eca.clone(),
            pki.eca_signer().unwrap(),
            vec![pki.ica.clone(), pki.root.clone()],
            EcaConfig::default(),
            UsedKeys::open(&path).unwrap(),
        )
        .unwrap();
        eca.process(&csr, NOW).unwrap();
        let e = eca.process(&csr, NOW).unwrap_err();
        assert!(matches!(e, Rej::KeyReused(_)));
    }
    // A new ECA process (or the same request re-signed later) is refused too.
    let mut eca = Eca::new(
        pki.eca.clone(),
        pki.eca_signer().unwrap(),
        vec![pki.ica.clone(), pki.root.clone()],
        EcaConfig::default(),
        UsedKeys::open(&path).unwrap(),
    )
    .unwrap();
    let again = obe_request(&key, NOW + 10, |_| {}).unwrap();
    let e = eca.process(&again, NOW + 10).unwrap_err();
    assert!(matches!(e, Rej::KeyReused(_)));
    assert_eq!(e.seed_check(), Some(check::FRESH_KEY));
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);

    // Two handles on one file (two processes): the second sees the first's record.
    let mut a = UsedKeys::open(&path).unwrap();
    let mut b = UsedKeys::open(&path).unwrap();
    let k = [2u8; 33];
    assert!(a.record(&k).unwrap());
    assert!(!b.record(&k).unwrap());
}

#[test]
fn eca_not_valid_and_open_from_init_dir() {
    let (pki, mut eca) = setup();
    let key = KeyPair::generate().unwrap();
    let csr = obe_request(&key, START - 100, |r| {
        r.tbs_data.validity_period.start = START
    })
    .unwrap();
    let e = eca.process(&csr, START - 100).unwrap_err();
    assert_eq!(e.code(), E::EcaInternalServerError);

    let dir = tempfile::tempdir().unwrap();
    pki.write_init_dir(dir.path()).unwrap();
    let eca = Eca::open(dir.path(), pki.eca_signer().unwrap(), EcaConfig::default()).unwrap();
    assert_eq!(eca.chain(), &[pki.ica.clone(), pki.root.clone()]);
    // A wrong key is refused.
    let wrong: Box<dyn Signer> = Box::new(KeyPair::generate().unwrap());
    assert!(Eca::open(dir.path(), wrong, EcaConfig::default()).is_err());
}
