//! Signing, verification, certificate issuance and encryption round trips, with the
//! exact 1609.2 hash inputs checked independently.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use scms_asn1::ieee1609dot2::*;
use scms_asn1::Coer;
use scms_core::encrypt::{self, Decryptor, Recipient};
use scms_core::hash::certificate_id8;
use scms_core::sign::{self, Issuer, SignerId};
use scms_core::signer::KeyPair;
use scms_core::CoreError;
use scms_crypto::hash::sha256;
use scms_crypto::{default_backend, ecdsa, AesKey, OpenSslBackend, PrivateKey};

fn tbs(name: &str, key: &PrivateKey, issue: bool) -> ToBeSignedCertificate {
    let be = default_backend();
    ToBeSignedCertificate {
        id: CertificateId::Name(Hostname::new(name).unwrap()),
        craca_id: [0; 3],
        crl_series: 1,
        validity_period: ValidityPeriod {
            start: 500_000_000,
            duration: Duration::Years(5),
        },
        region: None,
        assurance_level: None,
        app_permissions: if issue {
            None
        } else {
            Some(vec![PsidSsp {
                psid: Psid(scms_asn1::coer::VarUint(32)),
                ssp: None,
            }])
        },
        cert_issue_permissions: if issue {
            Some(vec![PsidGroupPermissions {
                subject_permissions: SubjectPermissions::All(()),
                min_chain_depth: scms_asn1::coer::VarInt(1),
                chain_depth_range: scms_asn1::coer::VarInt(0),
                ee_type: EndEntityType::with(&[EndEntityType::app]),
            }])
        } else {
            None
        },
        cert_request_permissions: None,
        can_request_rollover: None,
        encryption_key: None,
        verify_key_indicator: VerificationKeyIndicator::VerificationKey(
            PublicVerificationKey::EcdsaNistP256(scms_core::convert::compressed(
                &key.public_key(be).unwrap(),
            )),
        ),
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
    }
}

fn header() -> HeaderInfo {
    HeaderInfo {
        psid: Psid(scms_asn1::coer::VarUint(32)),
        generation_time: Some(600_000_000_000_000),
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

#[test]
fn root_issues_explicit_then_implicit_and_both_verify() {
    let be = default_backend();
    let root_key = PrivateKey::generate().unwrap();
    let root = sign::issue_explicit(
        &KeyPair::from_private(root_key.clone()).unwrap(),
        tbs("root.example", &root_key, true),
        None,
    )
    .unwrap();
    let root_pub = root_key.public_key(be).unwrap();
    sign::verify_explicit(be, &root, None).unwrap();
    // The signature is over H(H(tbs) ‖ H("")) — recomputed here independently.
    let digest = sha256(&[sha256(&root.to_be_signed.to_coer()), sha256(b"")].concat());
    let sig = scms_core::convert::signature(root.signature.as_ref().unwrap()).unwrap();
    ecdsa::verify_digest(be, &root_pub, &digest, &sig).unwrap();

    let ica_key = PrivateKey::generate().unwrap();
    let ica = sign::issue_explicit(
        &KeyPair::from_private(root_key.clone()).unwrap(),
        tbs("ica.example", &ica_key, true),
        Some(&root),
    )
    .unwrap();
    let issuer = Issuer {
        cert: &root,
        key: &root_pub,
    };
    sign::verify_explicit(be, &ica, Some(issuer)).unwrap();
    // Tampering with the tbs breaks it.
    let mut bad = ica.clone();
    bad.to_be_signed.crl_series = 2;
    assert_eq!(
        sign::verify_explicit(be, &bad, Some(issuer)),
        Err(CoreError::BadSignature)
    );

    // Implicit certificate: the reconstructed keys match, on both backends.
    let ica_pub = ica_key.public_key(be).unwrap();
    let k_u = PrivateKey::generate().unwrap();
    let r_u = k_u.public_key(be).unwrap();
    let (cert, r) = sign::issue_implicit(
        be,
        &KeyPair::from_private(ica_key.clone()).unwrap(),
        &ica,
        tbs("ee", &k_u, false),
        &r_u,
    )
    .unwrap();
    assert!(cert.signature.is_none());
    let d = sign::reconstruct_private_key(&cert, &ica, &k_u, &r).unwrap();
    let q = sign::certificate_key(
        be,
        &cert,
        Some(Issuer {
            cert: &ica,
            key: &ica_pub,
        }),
    )
    .unwrap();
    assert_eq!(d.public_key(be).unwrap(), q);
    let os = OpenSslBackend::new().unwrap();
    assert_eq!(
        sign::certificate_key(
            &os,
            &cert,
            Some(Issuer {
                cert: &ica,
                key: &ica_pub
            })
        )
        .unwrap(),
        q
    );
    // Decode/encode keeps everything.
    assert_eq!(Certificate::from_coer(&cert.to_coer()).unwrap(), cert);

    // The implicit key signs SignedData that a receiver verifies with the reconstructed key.
    let tbs_data = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data {
                protocol_version: 3,
                content: Ieee1609Dot2Content::UnsecuredData(Opaque::new(b"BSM".to_vec()).unwrap()),
            })),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: header(),
    };
    for signer in [SignerId::Certificate(&cert), SignerId::Digest(&cert)] {
        let sd = sign::sign_data(
            &KeyPair::from_private(d.clone()).unwrap(),
            tbs_data.clone(),
            signer,
        )
        .unwrap();
        let sd = SignedData::from_coer(&sd.to_coer()).unwrap();
        sign::verify_signed_data(be, &sd, Some(&cert), &q).unwrap();
        let mut t = sd.clone();
        t.tbs_data.header_info.generation_time = Some(1);
        assert_eq!(
            sign::verify_signed_data(be, &t, Some(&cert), &q),
            Err(CoreError::BadSignature)
        );
        // Signed for `cert`, not for the ICA certificate.
        assert!(sign::verify_signed_data(be, &sd, Some(&ica), &q).is_err());
    }
    let sd = sign::sign_data(
        &KeyPair::from_private(d.clone()).unwrap(),
        tbs_data.clone(),
        SignerId::Digest(&cert),
    )
    .unwrap();
    assert_eq!(sd.signer, SignerIdentifier::Digest(certificate_id8(&cert)));
}

#[test]
fn encryption_to_every_recipient_kind() {
    let be = default_backend();
    let cert_key = PrivateKey::generate().unwrap();
    let cert_pub = cert_key.public_key(be).unwrap();
    let mut t = tbs("ra.example", &cert_key, true);
    t.encryption_key = Some(scms_core::convert::public_encryption_key(&cert_pub));
    let cert =
        sign::issue_explicit(&KeyPair::from_private(cert_key.clone()).unwrap(), t, None).unwrap();
    let rek = PrivateKey::generate().unwrap();
    let rek_pub = rek.public_key(be).unwrap();
    let sd_key = PrivateKey::generate().unwrap();
    let sd_pub = sd_key.public_key(be).unwrap();
    let carrier = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(Opaque::new(vec![1, 2, 3]).unwrap()),
    };
    let sym = AesKey::random().unwrap();
    let msg = b"a certificate response".to_vec();
    let ed = encrypt::encrypt(
        be,
        &msg,
        &[
            Recipient::Certificate {
                cert: &cert,
                key: &cert_pub,
            },
            Recipient::SignedData {
                data: &carrier,
                key: &sd_pub,
            },
            Recipient::Key(&rek_pub),
            Recipient::Symmetric(&sym),
        ],
    )
    .unwrap();
    let ed = EncryptedData::from_coer(&ed.to_coer()).unwrap();
    assert_eq!(ed.recipients.len(), 4);
    assert_eq!(
        encrypt::decrypt(
            be,
            &ed,
            Decryptor::Certificate {
                cert: &cert,
                key: &cert_key
            }
        )
        .unwrap(),
        msg
    );
    assert_eq!(
        encrypt::decrypt(
            be,
            &ed,
            Decryptor::SignedData {
                data: &carrier,
                key: &sd_key
            }
        )
        .unwrap(),
        msg
    );
    assert_eq!(
        encrypt::decrypt(
            be,
            &ed,
            Decryptor::Key {
                public: &rek_pub,
                key: &rek
            }
        )
        .unwrap(),
        msg
    );
    assert_eq!(
        encrypt::decrypt(be, &ed, Decryptor::Symmetric(&sym)).unwrap(),
        msg
    );
    // Each recipient kind binds its own P1: the certificate recipient's wrapped key does not
    // open as a rekRecipInfo with the same private key.
    let mut swapped = ed.clone();
    if let RecipientInfo::CertRecipInfo(p) = &ed.recipients[0] {
        let mut p = p.clone();
        p.recipient_id = encrypt::public_key_id(&cert_pub);
        swapped.recipients = vec![RecipientInfo::RekRecipInfo(p)];
    }
    assert!(encrypt::decrypt(
        be,
        &swapped,
        Decryptor::Key {
            public: &cert_pub,
            key: &cert_key
        }
    )
    .is_err());
    // A stranger finds no recipient.
    let other = AesKey::random().unwrap();
    assert_eq!(
        encrypt::decrypt(be, &ed, Decryptor::Symmetric(&other)),
        Err(CoreError::NoRecipient)
    );
    // Pre-shared key.
    let psk = encrypt::encrypt_psk(&sym, &msg).unwrap();
    assert_eq!(
        encrypt::decrypt(be, &psk, Decryptor::Symmetric(&sym)).unwrap(),
        msg
    );
    // A flipped ciphertext byte fails authentication.
    let mut bad = ed.clone();
    if let SymmetricCiphertext::Aes128ccm(c) = &mut bad.ciphertext {
        c.ccm_ciphertext.0[0] ^= 1;
    }
    assert!(encrypt::decrypt(be, &bad, Decryptor::Symmetric(&sym)).is_err());
}
