//! Step 3.1: every RA check with its seed error code, the ack, and the EE-facing
//! file services (no LA or PCA involved).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use scms_asn1::camp::ee_ra::EndEntityRaInterfacePDU;
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::Coer;
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::signer::KeyPair;
use scms_ra::{DownloadKind, RaErrorCode, RaErrorCode::*, RaOptions, Served};

fn code<T: std::fmt::Debug>(r: Result<T, scms_ra::RaError>) -> RaErrorCode {
    r.expect_err("the request must be rejected")
        .code()
        .expect("a seed error code")
}

#[test]
fn codes_display_as_the_seed_names() {
    assert_eq!(RaInvalidSignature.to_string(), "raInvalidSignature");
    assert_eq!(RaInvalidUrl.to_string(), "raInvalidURL");
    assert_eq!(RaInvalidUrl.http_status(), 404);
    assert_eq!(RaMoreThanAllowedTries.http_status(), 500);
}

#[test]
fn accepted_request_gets_a_signed_ack_with_the_request_hash() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let now = T0 + 10;
    let signed = signed(
        &d,
        EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pseudonym_pdu(&d, now)),
    );
    let body = encrypt_to(&env.ra_cert, &signed);
    let ack = ra.provision_pseudonym(&body, now).unwrap();
    let ack = Ieee1609Dot2Data::from_coer(&ack).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = &ack.content else {
        panic!("not signed")
    };
    assert_eq!(
        sd.tbs_data.header_info.psid,
        scms_asn1::ieee1609dot2::Psid::new(0x23)
    );
    assert!(sd.tbs_data.header_info.generation_time.is_none());
    let key = scms_core::sign::certificate_key(scms_crypto::default_backend(), &env.ra_cert, None)
        .unwrap();
    scms_core::sign::verify_signed_data(
        scms_crypto::default_backend(),
        sd,
        Some(&env.ra_cert),
        &key,
    )
    .unwrap();
    let Some(inner) = &sd.tbs_data.payload.data else {
        panic!()
    };
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!()
    };
    let pdu = ScmsPDU::from_coer(o.as_bytes()).unwrap();
    let ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(a)) =
        pdu.content
    else {
        panic!("not an ack")
    };
    // requestHash = HashedId8 of the COER tbsRequest (the ScopedPseudonymCertProvisioningRequest).
    let Ieee1609Dot2Content::SignedCertificateRequest(scr) = &signed.content else {
        panic!()
    };
    let scr =
        scms_asn1::camp::protocol::SignedCertificateRequest::from_coer(scr.as_bytes()).unwrap();
    assert_eq!(a.request_hash, hashed_id::<8>(&scr.tbs_request.to_coer()));
    let scms_asn1::camp::ee_ra::RaEePseudonymCertProvisioningAckReply::Ack(r) = a.reply else {
        panic!()
    };
    assert_eq!(r.cert_dl_url.0, "ra.v2xscms.com");
    assert!(r.cert_dl_time >= now);
    let stream = ra.store().stream_by_hash(&a.request_hash).unwrap().unwrap();
    assert_eq!(stream.enrollment_id, certificate_id8(&d.cert));
    assert_eq!(stream.first_i, scms_core::time::i_period(now).unwrap());
}

#[test]
fn not_encrypted() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let body = signed(
        &d,
        EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pseudonym_pdu(&d, T0)),
    )
    .to_coer();
    assert_eq!(
        code(ra.provision_pseudonym(&body, T0)),
        RaRequestNotEncrypted
    );
}

#[test]
fn invalid_signature() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let other = KeyPair::generate().unwrap();
    let pdu = EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pseudonym_pdu(&d, T0));
    let body = encrypt_to(&env.ra_cert, &signed_with(&other, &d.cert, pdu));
    assert_eq!(code(ra.provision_pseudonym(&body, T0)), RaInvalidSignature);
    // Encrypted but not signed at all.
    let unsigned = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(
            scms_asn1::ieee1609dot2::Opaque::new(vec![1, 2]).unwrap(),
        ),
    };
    assert_eq!(
        code(ra.provision_pseudonym(&encrypt_to(&env.ra_cert, &unsigned), T0)),
        RaInvalidSignature
    );
}

#[test]
fn blacklisted() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    ra.blacklist(certificate_id8(&d.cert), T0).unwrap();
    assert_eq!(
        code(ra.provision_pseudonym(&pseudonym_request(&env, &d, T0), T0)),
        RaBlacklisted
    );
}

#[test]
fn invalid_credentials() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    // The enrollment certificate is not yet valid at the RA's time.
    let early = T0 - 3 * 86_400;
    assert_eq!(
        code(ra.provision_pseudonym(&pseudonym_request(&env, &d, early), early)),
        RaInvalidCredentials
    );
    // Signed by a certificate that is not an enrollment certificate from this RA's ECA
    // (here: the RA's own certificate, with a wrong key).
    let k = KeyPair::generate().unwrap();
    let pdu = EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pseudonym_pdu(&d, T0));
    let body = encrypt_to(&env.ra_cert, &signed_with(&k, &env.ra_cert, pdu));
    assert_eq!(
        code(ra.provision_pseudonym(&body, T0)),
        RaInvalidCredentials
    );
}

#[test]
fn invalid_time() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let now = T0 + 100;
    let body = pseudonym_request(&env, &d, now - 6);
    assert_eq!(
        code(ra.provision_pseudonym(&body, now)),
        RaInvalidTimeReceived
    );
    let body = pseudonym_request(&env, &d, now + 6);
    assert_eq!(
        code(ra.provision_pseudonym(&body, now)),
        RaInvalidTimeReceived
    );
    // ±5 s is accepted.
    ra.provision_pseudonym(&pseudonym_request(&env, &d, now - 5), now)
        .unwrap();
}

#[test]
fn unauthorized_request() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    // An RSE cannot request pseudonyms ...
    let r = rse(&env, T0);
    assert_eq!(
        code(ra.provision_pseudonym(&pseudonym_request(&env, &r, T0), T0)),
        RaUnauthorizedRequest
    );
    // ... and an OBE cannot request RSE application certificates.
    let d = obe(&env, T0);
    let (app, _) = application_pdu(T0, T0);
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &d,
            EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(app),
        ),
    );
    assert_eq!(
        code(ra.provision_application(&body, T0)),
        RaUnauthorizedRequest
    );
}

#[test]
fn mismatch() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let pdu = EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pseudonym_pdu(&d, T0));
    // Encrypted to another component (the PCA), not to this RA.
    let body = encrypt_to(&env.pca_cert, &signed(&d, pdu));
    assert_eq!(code(ra.provision_pseudonym(&body, T0)), RaMismatch);
}

#[test]
fn duplicate() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let body = pseudonym_request(&env, &d, T0);
    ra.provision_pseudonym(&body, T0).unwrap();
    assert_eq!(
        code(ra.provision_pseudonym(&body, T0 + 1)),
        RaDuplicateRequestReceived
    );
    // Same butterfly parameters in a new request (new time): still a duplicate (SCMS-520).
    assert_eq!(
        code(ra.provision_pseudonym(&pseudonym_request(&env, &d, T0 + 30), T0 + 30)),
        RaDuplicateRequestReceived
    );
}

#[test]
fn wrong_parameters() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let mut p = pseudonym_pdu(&d, T0);
    p.verify_key_info.expansion = [0; 16];
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &d,
            EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(p),
        ),
    );
    assert_eq!(code(ra.provision_pseudonym(&body, T0)), RaWrongParameters);
    let mut p = pseudonym_pdu(&d, T0);
    p.common.requested_start_time = T0 + 3 * 366 * 86_400;
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &d,
            EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(p),
        ),
    );
    assert_eq!(code(ra.provision_pseudonym(&body, T0)), RaWrongParameters);
}

#[test]
fn malformed() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    assert_eq!(
        code(ra.provision_pseudonym(b"\x03\x82garbage", T0)),
        RaMalformedRequest
    );
    // A valid identification request sent to the pseudonym service.
    let d = obe(&env, T0);
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &d,
            EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(identity_pdu(&d, T0)),
        ),
    );
    assert_eq!(code(ra.provision_pseudonym(&body, T0)), RaMalformedRequest);
}

#[test]
fn more_than_allowed_tries() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    ra.provision_pseudonym(&pseudonym_request(&env, &d, T0), T0)
        .unwrap();
    for k in 1..10 {
        let t = T0 + 60 * k;
        assert_eq!(
            code(ra.provision_pseudonym(&pseudonym_request(&env, &d, t), t)),
            RaDuplicateRequestReceived
        );
    }
    let t = T0 + 600 + 60;
    assert_eq!(
        code(ra.provision_pseudonym(&pseudonym_request(&env, &d, t), t)),
        RaMoreThanAllowedTries
    );
    // An hour later the device may talk again.
    let t = T0 + 3_600 + 61;
    assert_eq!(
        code(ra.provision_pseudonym(&pseudonym_request(&env, &d, t), t)),
        RaDuplicateRequestReceived
    );
}

#[test]
fn request_for_multiple_certs() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let r = rse(&env, T0);
    let (app, _) = application_pdu(T0, T0);
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &r,
            EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(app),
        ),
    );
    let ack = ra.provision_application(&body, T0).unwrap();
    assert!(matches!(
        Ieee1609Dot2Data::from_coer(&ack).unwrap().content,
        Ieee1609Dot2Content::EncryptedData(_)
    ));
    let (app, _) = application_pdu(T0 + 60, T0 + 86_400);
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &r,
            EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(app),
        ),
    );
    assert_eq!(
        code(ra.provision_application(&body, T0 + 60)),
        RaRequestForMultipleCerts
    );
    // The next week (1 h tolerated overlap) is fine.
    let (app, _) = application_pdu(T0 + 120, T0 + 168 * 3_600);
    let body = encrypt_to(
        &env.ra_cert,
        &signed(
            &r,
            EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(app),
        ),
    );
    ra.provision_application(&body, T0 + 120).unwrap();
}

#[test]
fn downloads_check_url_time_owner_and_availability() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let d = obe(&env, T0);
    let other = obe(&env, T0);
    let ack = ra
        .provision_pseudonym(&pseudonym_request(&env, &d, T0), T0)
        .unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = Ieee1609Dot2Data::from_coer(&ack).unwrap().content
    else {
        panic!()
    };
    let Some(inner) = &sd.tbs_data.payload.data else {
        panic!()
    };
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!()
    };
    let ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(a)) =
        ScmsPDU::from_coer(o.as_bytes()).unwrap().content
    else {
        panic!()
    };
    let x = hex::encode_upper(a.request_hash);
    let i = scms_core::time::i_period(T0).unwrap();
    let name = format!("{x}_{i:X}.zip");
    let now = T0 + 100;
    // Not generated yet.
    assert_eq!(
        code(ra.download(
            DownloadKind::Batch,
            &download_req(&env, &d, &name, now),
            now
        )),
        RaCertFileUnavailable
    );
    // Bad names.
    for bad in [
        "foo.zip",
        &format!("{x}.zip"),
        &format!("{}_{i:X}.zip", x.to_lowercase()),
        &format!("../{name}"),
    ] {
        assert_eq!(
            code(ra.download(DownloadKind::Batch, &download_req(&env, &d, bad, now), now)),
            RaInvalidUrl
        );
    }
    // Stale timestamp.
    assert_eq!(
        code(ra.download(
            DownloadKind::Batch,
            &download_req(&env, &d, &name, now - 6),
            now
        )),
        RaInvalidTimeReceived
    );
    // Another device's file.
    assert_eq!(
        code(ra.download(
            DownloadKind::Batch,
            &download_req(&env, &other, &name, now),
            now
        )),
        RaUnauthorizedRequest
    );
    // Not Base64.
    assert_eq!(
        code(ra.download(DownloadKind::Info, "%%%", now)),
        RaMalformedRequest
    );
    // Blacklisted devices cannot download.
    ra.blacklist(certificate_id8(&d.cert), now).unwrap();
    assert_eq!(
        code(ra.download(
            DownloadKind::Batch,
            &download_req(&env, &d, &name, now),
            now
        )),
        RaBlacklisted
    );
}

#[test]
fn policy_and_chain_files() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let Served::File(f) = ra.local_policy(None).unwrap() else {
        panic!()
    };
    assert_eq!(f.name, "local_policy_0000_0000.oer");
    assert_eq!(
        f.bytes,
        std::fs::read(env.scms().join("files/LPF.oer")).unwrap()
    );
    assert_eq!(
        ra.local_policy(Some("\"local_policy_0000_0000.oer\""))
            .unwrap(),
        Served::NotModified
    );
    let Served::File(c) = ra
        .local_certificate_chain(Some("\"local_certificate_chains_0000_0000.oer\""))
        .unwrap()
    else {
        panic!()
    };
    assert!(
        c.name.starts_with("local_certificate_chains_") && c.name.ends_with("_0001.oer"),
        "{}",
        c.name
    );
    assert_eq!(
        ra.local_certificate_chain(Some(&c.name)).unwrap(),
        Served::NotModified
    );
    // RA certificate retrieval.
    let req = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::EeRaCertRequest(
            scms_asn1::camp::ee_ra::EeRaCertRequestMsg { version: 1 },
        )),
    };
    let body = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(
            scms_asn1::ieee1609dot2::Opaque::new(req.to_coer()).unwrap(),
        ),
    };
    let resp = ra.retrieve_ra_certificate(&body.to_coer()).unwrap();
    let Ieee1609Dot2Content::UnsecuredData(o) = Ieee1609Dot2Data::from_coer(&resp).unwrap().content
    else {
        panic!()
    };
    let ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEeCertResponse(m)) =
        ScmsPDU::from_coer(o.as_bytes()).unwrap().content
    else {
        panic!()
    };
    let scms_asn1::camp::ee_ra::RaEeCertResponseMsgReply::Ack(ack) = m.reply else {
        panic!()
    };
    assert_eq!(ack.ra_certificate, env.ra_cert);
    // Without an LCCF.
    std::fs::remove_file(env.scms().join("files/LCCF.oer")).unwrap();
    assert_eq!(
        code(ra.local_certificate_chain(None)),
        RaNoPcaCertificateChainFileAvailable
    );
}
