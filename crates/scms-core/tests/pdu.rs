//! SecurityMgmt messages between authorities: what `pdu::open` accepts and refuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use scms_asn1::camp::la_ma::{LaMaInterfacePDU, MaLaLinkageSeedRequestMsg, ToBeSignedLSRequestMsg};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::*;
use scms_asn1::Coer;
use scms_core::encrypt::Decryptor;
use scms_core::hash::hashed_id;
use scms_core::pdu::{self, Envelope, OpenError, Peer};
use scms_core::sign;
use scms_core::signer::{KeyPair, Signer};
use scms_crypto::{default_backend, PrivateKey};

/// A self-signed explicit certificate of `key`, with an encryption key if given.
fn authority(name: &str, key: &KeyPair, enc: Option<&PrivateKey>) -> Certificate {
    let be = default_backend();
    let tbs = ToBeSignedCertificate {
        id: CertificateId::Name(Hostname::new(name).unwrap()),
        craca_id: [0; 3],
        crl_series: 2,
        validity_period: ValidityPeriod {
            start: 500_000_000,
            duration: Duration::Years(5),
        },
        region: None,
        assurance_level: None,
        app_permissions: Some(vec![PsidSsp {
            psid: Psid::new(pdu::SECURITY_MGMT_PSID),
            ssp: None,
        }]),
        cert_issue_permissions: None,
        cert_request_permissions: None,
        can_request_rollover: None,
        encryption_key: enc
            .map(|k| scms_core::convert::public_encryption_key(&k.public_key(be).unwrap())),
        verify_key_indicator: VerificationKeyIndicator::VerificationKey(
            PublicVerificationKey::EcdsaNistP256(scms_core::convert::compressed(key.public_key())),
        ),
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
    };
    sign::issue_explicit(key, tbs, None).unwrap()
}

fn request_pdu() -> ScmsPDU {
    ScmsPDU {
        version: 1,
        content: ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(
            MaLaLinkageSeedRequestMsg {
                version: 1,
                tbs: ToBeSignedLSRequestMsg {
                    ma_id: Hostname::new("ma.example").unwrap(),
                    lci: vec![],
                },
                signatures: vec![],
            },
        )),
    }
}

#[test]
fn signed_and_encrypted_messages_open_only_as_allowed() {
    let be = default_backend();
    let sender_key = KeyPair::generate().unwrap();
    let sender_cert = authority("ma.example", &sender_key, None);
    let sender = Peer::new(be, sender_cert.clone()).unwrap();
    let dec = PrivateKey::generate().unwrap();
    let recipient_key = KeyPair::generate().unwrap();
    let recipient_cert = authority("pca.example", &recipient_key, Some(&dec));
    let recipient = Peer::new(be, recipient_cert.clone()).unwrap();
    let key = Decryptor::Certificate {
        cert: &recipient_cert,
        key: &dec,
    };

    let signed =
        pdu::sign_payload(&sender_key, &sender_cert, request_pdu().to_coer(), None).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = &signed.content else {
        panic!()
    };
    assert_eq!(
        sd.signer,
        SignerIdentifier::Digest(scms_core::hash::certificate_id8(&sender_cert))
    );
    let rh = hashed_id(&sd.tbs_data.to_coer());
    let encrypted = pdu::encrypt_to(be, &signed, &recipient).unwrap();
    assert!(matches!(
        encrypted.content,
        Ieee1609Dot2Content::EncryptedData(_)
    ));
    let (signed, encrypted) = (signed.to_coer(), encrypted.to_coer());

    // Accepted: bare where allowed, encrypted where allowed; same PDU and request hash.
    for (bytes, env) in [
        (&signed, Envelope::Signed),
        (&signed, Envelope::MaybeEncrypted(key)),
        (&encrypted, Envelope::MaybeEncrypted(key)),
        (&encrypted, Envelope::Encrypted(key)),
    ] {
        let o = pdu::open(be, bytes, env, &sender).unwrap();
        assert_eq!(o.pdu, request_pdu());
        assert_eq!(o.request_hash, rh);
    }
    // Refused: encryption where none is expected, none where it is required.
    assert_eq!(
        pdu::open(be, &encrypted, Envelope::Signed, &sender).unwrap_err(),
        OpenError::NotSigned
    );
    assert_eq!(
        pdu::open(be, &signed, Envelope::Encrypted(key), &sender).unwrap_err(),
        OpenError::NotEncrypted
    );
    // Refused: another key; another signer; another psid; a broken signature; junk.
    let other = PrivateKey::generate().unwrap();
    let wrong_key = Decryptor::Certificate {
        cert: &recipient_cert,
        key: &other,
    };
    assert!(matches!(
        pdu::open(be, &encrypted, Envelope::Encrypted(wrong_key), &sender),
        Err(OpenError::Decrypt(_))
    ));
    let e = pdu::open(be, &signed, Envelope::Signed, &recipient).unwrap_err();
    assert_eq!(e, OpenError::WrongSigner);
    assert!(e.is_signature());
    let edited = |edit: &dyn Fn(&mut HeaderInfo)| {
        let mut d = Ieee1609Dot2Data::from_coer(&signed).unwrap();
        let Ieee1609Dot2Content::SignedData(sd) = &mut d.content else {
            panic!()
        };
        edit(&mut sd.tbs_data.header_info);
        d.to_coer()
    };
    let e = pdu::open(
        be,
        &edited(&|h| h.generation_time = Some(1)),
        Envelope::Signed,
        &sender,
    )
    .unwrap_err();
    assert!(
        matches!(e, OpenError::Signature(_)) && e.is_signature(),
        "{e}"
    );
    assert_eq!(
        pdu::open(
            be,
            &edited(&|h| h.psid = Psid::new(0x20)),
            Envelope::Signed,
            &sender
        )
        .unwrap_err(),
        OpenError::WrongPsid
    );
    assert!(matches!(
        pdu::open(be, b"junk", Envelope::Signed, &sender),
        Err(OpenError::Decode(_))
    ));
    let not_pdu = pdu::sign_payload(&sender_key, &sender_cert, vec![0xff; 3], None).unwrap();
    let e = pdu::open(be, &not_pdu.to_coer(), Envelope::Signed, &sender).unwrap_err();
    assert!(matches!(e, OpenError::Pdu(_)) && !e.is_signature());
    // A recipient without an encryption key cannot be encrypted to.
    let bare = Ieee1609Dot2Data::from_coer(&signed).unwrap();
    assert!(pdu::encrypt_to(be, &bare, &sender).is_err());
}

#[test]
fn a_request_carries_the_hash_its_reply_echoes() {
    let be = default_backend();
    let key = KeyPair::generate().unwrap();
    let cert = authority("ma.example", &key, None);
    let peer = Peer::new(be, cert.clone()).unwrap();
    let t = 600_000_000_000_000;
    let (signed, rh) = pdu::sign_request(&key, &cert, request_pdu().to_coer(), Some(t)).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = &signed.content else {
        panic!()
    };
    assert_eq!(sd.tbs_data.header_info, pdu::header(Some(t)));
    let opened = pdu::open(be, &signed.to_coer(), Envelope::Signed, &peer).unwrap();
    assert_eq!((opened.pdu, opened.request_hash), (request_pdu(), rh));
    // The same request signed again (a fresh signature) has the same hash; another
    // generation time another one.
    let (_, again) = pdu::sign_request(&key, &cert, request_pdu().to_coer(), Some(t)).unwrap();
    let (_, later) = pdu::sign_request(&key, &cert, request_pdu().to_coer(), Some(t + 1)).unwrap();
    assert_eq!(again, rh);
    assert_ne!(later, rh);

    // The header for another psid: only psid and generation time set.
    let h = pdu::header_with_psid(0x100, None);
    assert_eq!(h.psid, Psid::new(0x100));
    assert_eq!(
        HeaderInfo {
            psid: Psid::new(pdu::SECURITY_MGMT_PSID),
            generation_time: Some(t),
            ..h
        },
        pdu::header(Some(t))
    );
}
