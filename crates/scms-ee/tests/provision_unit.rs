//! Requests as the RA reads them, responses built the way the PCA builds them, and
//! signed messages between devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod provision_common;

use std::io::Write;

use provision_common::{env, Env, T0};
use scms_asn1::camp::ee_ra::EndEntityRaInterfacePDU;
use scms_asn1::camp::pca_ra::{
    ImplicitCertResponse, PlaintextCertificateResponse, ToBeSignedEncryptedCertificateResponse,
};
use scms_asn1::camp::protocol::{ScmsPDUContent, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{
    Duration, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, LinkageData, Opaque, Psid,
    PsidSsp, SignedDataPayload, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::convert::point;
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::issue::root_id3;
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::sign::{
    certificate_key, issue_implicit, sign_data, verify_certificate_request, SignerId,
};
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{i_period, i_period_start, time64_from_time32};
use scms_crypto::default_backend;
use scms_ee::certstore::{CertStore, Stored};
use scms_ee::download::{batch_member, Expect, Opener};
use scms_ee::messages::{MessageError, MessageSigner, Verifier, PSID_BSM, PSID_SPAT};
use scms_ee::provision::{
    hash16, new_request, Device, EeErrorCode, ProvisionError, RequestKeys, RequestKind,
};

/// Opens a request body as the RA does: decrypt with the RA key, verify the enrollment
/// signature; returns the signed request.
fn open_as_ra(env: &Env, dev: &Device, body: &[u8]) -> SignedCertificateRequest {
    let ra = env.cert("ra");
    let ra_enc = env.keys().load_key_pair("ra-enc").unwrap();
    let data = Ieee1609Dot2Data::from_coer(body).unwrap();
    let Ieee1609Dot2Content::EncryptedData(ed) = &data.content else {
        panic!("not encrypted")
    };
    let plain = decrypt(
        default_backend(),
        ed,
        Decryptor::Certificate {
            cert: &ra,
            key: ra_enc.private(),
        },
    )
    .unwrap();
    let inner = Ieee1609Dot2Data::from_coer(&plain).unwrap();
    let Ieee1609Dot2Content::SignedCertificateRequest(o) = &inner.content else {
        panic!()
    };
    let scr = SignedCertificateRequest::from_coer(o.as_bytes()).unwrap();
    let key = certificate_key(
        default_backend(),
        &dev.enrollment_cert,
        Some(scms_core::sign::Issuer {
            cert: &env.cert("eca"),
            key: &certificate_key(default_backend(), &env.cert("eca"), None).unwrap(),
        }),
    )
    .unwrap();
    verify_certificate_request(default_backend(), &scr, Some(&dev.enrollment_cert), &key).unwrap();
    match &scr.signer {
        scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(l) => {
            assert_eq!(l, &vec![dev.enrollment_cert.clone()])
        }
        _ => panic!("signer is not the enrollment certificate"),
    }
    scr
}

#[test]
fn requests_decode_verify_and_keys_are_stored_first() {
    let env = env();
    let obe = env.device("obe", false, T0);
    let (rec, att) = new_request(&obe, RequestKind::Pseudonym, T0, T0).unwrap();
    let scr = open_as_ra(&env, &obe, &att.body);
    // The hash names the files: low 8 bytes of SHA-256 of the COER tbsRequest.
    let h: [u8; 8] = hashed_id(&scr.tbs_request.to_coer());
    assert_eq!(h, att.request_hash);
    assert_eq!(rec.id, hash16(&h));
    let ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(p)) =
        &scr.tbs_request.content
    else {
        panic!("not a pseudonym request")
    };
    assert_eq!(
        (
            p.version,
            p.common.current_time,
            p.common.requested_start_time
        ),
        (1, T0, T0)
    );
    // The keys were persisted and are the ones in the request.
    let RequestKeys::Butterfly(cat) = RequestKeys::load(&obe.keys, &rec).unwrap() else {
        panic!()
    };
    let public = cat.public(default_backend()).unwrap();
    assert_eq!(
        point(&p.verify_key_info.seed_key).unwrap(),
        public.signing_seed
    );
    assert_eq!(
        p.verify_key_info.expansion,
        *public.signing_expansion.expose()
    );
    assert_eq!(
        point(&p.resp_enc_key_info.seed_key).unwrap(),
        public.encryption_seed
    );
    assert_eq!(
        p.resp_enc_key_info.expansion,
        *public.encryption_expansion.expose()
    );
    assert!(obe
        .dir
        .path()
        .join("requests")
        .join(format!("{}.toml", rec.id))
        .exists());

    let (_, att) = new_request(&obe, RequestKind::Identification, T0, T0).unwrap();
    let scr = open_as_ra(&env, &obe, &att.body);
    assert!(matches!(
        scr.tbs_request.content,
        ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(_))
    ));
    // An OBE cannot ask for application certificates, an RSE can.
    assert!(new_request(&obe, RequestKind::Application, T0, T0).is_err());
    let rse = env.device("rse", true, T0);
    let (_, att) = new_request(&rse, RequestKind::Application, T0, T0 + 60).unwrap();
    let scr = open_as_ra(&env, &rse, &att.body);
    let ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(a)) =
        &scr.tbs_request.content
    else {
        panic!()
    };
    assert_eq!(a.common.requested_start_time, T0 + 60);
}

/// A `SignedEncryptedCertificateResponse` built as the PCA builds it: implicit
/// certificate on `B(i,j)`, `(cert, r)` encrypted to `Q(i,j)` (rekRecipInfo), signed by
/// the PCA (signer digest, SecurityMgmtPsid).
fn pca_response(
    env: &Env,
    b: &scms_crypto::Point,
    q: &scms_crypto::Point,
    i: u32,
    tamper: bool,
) -> Vec<u8> {
    let pca = env.cert("pca");
    let pca_key = env.keys().load_key_pair("pca").unwrap();
    let tbs = template(
        CertKind::ObePseudonym,
        &TemplateParams {
            start: i_period_start(i).unwrap(),
            craca_id: root_id3(&pca),
            verification_key: Some(*b),
            app_permissions: Some(vec![PsidSsp {
                psid: Psid::new(PSID_BSM),
                ssp: None,
            }]),
            duration: Some(Duration::Minutes(10_140)),
            linkage_data: Some(LinkageData {
                i_cert: i as u16,
                linkage_value: [7; 9],
                group_linkage_value: None,
            }),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let (cert, r) = issue_implicit(default_backend(), &pca_key, &pca, tbs, b).unwrap();
    let pt = PlaintextCertificateResponse::ImplicitButterfly(ImplicitCertResponse {
        certificate: cert.clone(),
        priv_key_reconstruction_s: r.to_bytes(),
    });
    let unsecured = |b: Vec<u8>| Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(Opaque::new(b).unwrap()),
    };
    let enc = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::EncryptedData(
            encrypt(
                default_backend(),
                &unsecured(pt.to_coer()).to_coer(),
                &[Recipient::Key(q)],
            )
            .unwrap(),
        ),
    };
    let v = &cert.to_be_signed.validity_period;
    let resp = ToBeSignedEncryptedCertificateResponse {
        psid_ssp: cert.to_be_signed.app_permissions.clone().unwrap(),
        expiration: v.start + 10_140 * 60,
        lifetime: v.duration.clone(),
        encrypted_cert: enc,
    };
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(unsecured(resp.to_coer()))),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: HeaderInfo {
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
        },
    };
    let mut sd = sign_data(&pca_key, tbs, SignerId::Digest(&pca)).unwrap();
    if tamper {
        if let scms_asn1::ieee1609dot2::Signature::EcdsaNistP256Signature(s) = &mut sd.signature {
            s.s[5] ^= 1;
        }
    }
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    }
    .to_coer()
}

fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, b) in members {
        w.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn opening_a_pca_response_reconstructs_the_key_and_tampering_is_refused() {
    let env = env();
    let obe = env.device("obe", false, T0);
    let (rec, _) = new_request(&obe, RequestKind::Pseudonym, T0, T0).unwrap();
    let RequestKeys::Butterfly(cat) = RequestKeys::load(&obe.keys, &rec).unwrap() else {
        panic!()
    };
    let public = cat.public(default_backend()).unwrap();
    let i = i_period(T0).unwrap();
    let members: Vec<(String, Vec<u8>)> = (0..3)
        .map(|j| {
            let (b, q) = public.cocoon(default_backend(), i, j).unwrap();
            (batch_member(i, j), pca_response(&env, &b, &q, i, false))
        })
        .collect();
    let opened = Opener::of(&obe)
        .open_batch(&zip_of(&members), i, &cat, T0)
        .unwrap();
    assert_eq!(opened.len(), 3);
    let store = CertStore::open(&obe.dir, &obe.keys).unwrap();
    for (j, o) in opened {
        let pca = env.cert("pca");
        let expected = certificate_key(
            default_backend(),
            &o.cert,
            Some(scms_core::sign::Issuer {
                cert: &pca,
                key: &certificate_key(default_backend(), &pca, None).unwrap(),
            }),
        )
        .unwrap();
        assert_eq!(*o.key.public_key(), expected);
        store
            .put_pseudonym(
                i,
                j,
                &Stored {
                    cert: o.cert,
                    key: o.key,
                },
            )
            .unwrap();
    }
    store.complete_batch(i).unwrap();
    let cur = store.current(T0).unwrap().unwrap();
    assert_eq!(
        cur.cert.to_be_signed.validity_period.start,
        i_period_start(i).unwrap()
    );

    // A tampered PCA signature is refused before anything is decrypted.
    let (b, q) = public.cocoon(default_backend(), i, 0).unwrap();
    let bad = pca_response(&env, &b, &q, i, true);
    let (bk, qk) = scms_ee::download::cocoon(&cat, i, 0).unwrap();
    let e = Opener::of(&obe)
        .open(&bad, &qk, &bk, Expect::Pseudonym { i }, T0)
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(EeErrorCode::EeCertFileVerificationFailed),
        "{e}"
    );
    // Encrypted to another key: decryption fails.
    let (_, q_other) = public.cocoon(default_backend(), i, 1).unwrap();
    let wrong = pca_response(&env, &b, &q_other, i, false);
    let e = Opener::of(&obe)
        .open(&wrong, &qk, &bk, Expect::Pseudonym { i }, T0)
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(EeErrorCode::EeCertificateFileDecryptionFailed),
        "{e}"
    );
    // The wrong i: the content check refuses it.
    let good = pca_response(&env, &b, &q, i, false);
    let e = Opener::of(&obe)
        .open(&good, &qk, &bk, Expect::Pseudonym { i: i + 1 }, T0)
        .unwrap_err();
    assert!(
        matches!(
            e,
            ProvisionError::Check {
                code: EeErrorCode::EeCertContentFalse,
                ..
            }
        ),
        "{e}"
    );
    // A member of another i inside the batch is refused.
    let e = Opener::of(&obe)
        .open_batch(&zip_of(&[(batch_member(i + 1, 0), good)]), i, &cat, T0)
        .unwrap_err();
    assert_eq!(e.code(), Some(EeErrorCode::EeCertContentFalse));
}

/// A pseudonym certificate for a device, issued directly by the PCA key.
fn pseudonym(env: &Env, i: u32, psid: u64) -> Stored {
    let key = KeyPair::generate().unwrap();
    let pca = env.cert("pca");
    let pca_key = env.keys().load_key_pair("pca").unwrap();
    let tbs = template(
        CertKind::ObePseudonym,
        &TemplateParams {
            start: i_period_start(i).unwrap(),
            craca_id: root_id3(&pca),
            verification_key: Some(*key.public_key()),
            app_permissions: Some(vec![PsidSsp {
                psid: Psid::new(psid),
                ssp: None,
            }]),
            duration: Some(Duration::Minutes(10_140)),
            linkage_data: Some(LinkageData {
                i_cert: i as u16,
                linkage_value: [1; 9],
                group_linkage_value: None,
            }),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let (cert, r) =
        issue_implicit(default_backend(), &pca_key, &pca, tbs, key.public_key()).unwrap();
    let d = scms_core::sign::reconstruct_private_key(&cert, &pca, key.private(), &r).unwrap();
    Stored {
        cert,
        key: KeyPair::from_private(d).unwrap(),
    }
}

#[test]
fn bsm_round_trip_between_two_devices() {
    let env = env();
    let a = env.device("a", false, T0);
    let b = env.device("b", false, T0);
    let i = i_period(T0).unwrap();
    let cert = pseudonym(&env, i, PSID_BSM);
    let now64 = time64_from_time32(T0);
    let mut signer = MessageSigner::new();
    let first = signer
        .sign(&cert.cert, &cert.key, PSID_BSM, b"bsm-1", now64, false)
        .unwrap();
    let second = signer
        .sign(
            &cert.cert,
            &cert.key,
            PSID_BSM,
            b"bsm-2",
            now64 + 100_000,
            false,
        )
        .unwrap();
    let third = signer
        .sign(
            &cert.cert,
            &cert.key,
            PSID_BSM,
            b"bsm-3",
            now64 + 1_100_000,
            false,
        )
        .unwrap();
    let is_full = |d: &Ieee1609Dot2Data| match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => {
            matches!(
                sd.signer,
                scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(_)
            )
        }
        _ => false,
    };
    assert!(is_full(&first) && !is_full(&second) && is_full(&third));
    let _ = &a;

    let mut v = Verifier::new(b.trust.clone(), b.intermediates.clone());
    // A digest-signed message before the certificate is known: unknown signer.
    assert!(matches!(
        v.verify(&second.to_coer(), T0, Some(PSID_BSM)),
        Err(MessageError::UnknownSigner(_))
    ));
    let ok = v.verify(&first.to_coer(), T0, Some(PSID_BSM)).unwrap();
    assert_eq!(ok.payload, b"bsm-1");
    assert_eq!(ok.signer, certificate_id8(&cert.cert));
    assert_eq!(
        v.verify(&second.to_coer(), T0, Some(PSID_BSM))
            .unwrap()
            .payload,
        b"bsm-2"
    );
    assert_eq!(v.cached(), 1);

    // A PSID the certificate does not permit.
    let spat = signer
        .sign(&cert.cert, &cert.key, PSID_SPAT, b"x", now64, true)
        .unwrap();
    assert!(matches!(
        v.verify(&spat.to_coer(), T0, None),
        Err(MessageError::PsidNotPermitted(0x82))
    ));
    // Expired: signed after the certificate's validity.
    let late = T0 + 3 * 7 * 86_400;
    let expired = signer
        .sign(
            &cert.cert,
            &cert.key,
            PSID_BSM,
            b"late",
            time64_from_time32(late),
            true,
        )
        .unwrap();
    let e = v
        .verify(&expired.to_coer(), late, Some(PSID_BSM))
        .unwrap_err();
    assert!(
        matches!(e, MessageError::NotValidAt(_) | MessageError::Chain(_)),
        "{e}"
    );
    // Stale message.
    assert!(matches!(
        v.verify(&first.to_coer(), T0 + 600, Some(PSID_BSM)),
        Err(MessageError::Stale(..))
    ));
    // Tampered payload.
    let mut bytes = first.to_coer();
    let pos = bytes.windows(5).position(|w| w == b"bsm-1").unwrap();
    bytes[pos] ^= 1;
    assert!(matches!(
        v.verify(&bytes, T0, Some(PSID_BSM)),
        Err(MessageError::BadSignature)
    ));
    // Garbage is malformed.
    assert!(v.verify(b"\x03\x80", T0, None).unwrap_err().is_malformed());
}

#[test]
fn local_policy_file_is_verified_before_it_is_applied() {
    let env = env();
    let dev = env.device("lpf-check", false, T0);
    let lpf = std::fs::read(env.layout.file("LPF.oer")).unwrap();
    dev.check_lpf(&lpf, T0).unwrap();
    // Any change to the signed policy data breaks the PG's countersignature.
    let mut file = scms_asn1::camp::protocol::ScmsFile::from_coer(&lpf).unwrap();
    if let scms_asn1::camp::protocol::ScmsFileContent::Policy(
        scms_asn1::camp::policy::PolicyFiles::LocalPolicyFile(l),
    ) = &mut file.content
    {
        l.local_parameters.tbs_data.generation_time += 1;
    }
    let err = dev.check_lpf(&file.to_coer(), T0).unwrap_err();
    assert!(
        err.to_string().contains("eePolicyVerificationFailed"),
        "{err}"
    );
    // A global policy file is not a local one.
    let gpf = std::fs::read(env.layout.file("GPF.oer")).unwrap();
    assert!(dev.check_lpf(&gpf, T0).is_err());
}

#[test]
fn an_overdue_crl_stops_trust_in_every_message() {
    let env = env();
    let b = env.device("b-overdue", false, T0);
    let i = i_period(T0).unwrap();
    let cert = pseudonym(&env, i, PSID_BSM);
    let msg = MessageSigner::new()
        .sign(
            &cert.cert,
            &cert.key,
            PSID_BSM,
            b"bsm",
            time64_from_time32(T0),
            true,
        )
        .unwrap()
        .to_coer();
    // The policy's tolerance (PoC: 2 weeks) read from the LPF init wrote.
    let lpf = std::fs::read(env.layout.file("LPF.oer")).unwrap();
    assert_eq!(scms_ee::crl::overdue_tolerance(&lpf), Some(14 * 24 * 3600));
    let mut v = Verifier::new(b.trust.clone(), b.intermediates.clone());
    v.set_crl_deadline(Some(T0 + 10));
    v.verify(&msg, T0, Some(PSID_BSM)).unwrap();
    v.set_crl_deadline(Some(T0 - 1));
    assert!(matches!(
        v.verify(&msg, T0, Some(PSID_BSM)),
        Err(MessageError::CrlOverdue(_))
    ));
}
