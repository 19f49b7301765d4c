#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The RA's answers to the MA's RIF requests (ma-ra.asn, seed Use Case 16): a
//! `maRaRseObeIdBlacklistRequest` blacklists the device whose enrollment certificate has
//! that HashedId8 (its later requests fail with `raBlacklisted`), answers
//! `alreadyBlacklisted` the second time and `raInvalidRIFValue` for a device the RA does
//! not know; a `maRaCDVRequest` is answered `noCertificateDigestValuesKnownForRIF` (the RA
//! cannot know the digests of certificates the PCA encrypted to the device).

mod common;

use common::*;
use scms_asn1::camp::errors::{
    MaRaBaseErrorCode, MaRaBlacklistErrorCode, MaRaCDVErrorCode, MaRaError, ScmsError,
};
use scms_asn1::camp::ma_ra::{
    CdvInfoReply, MaRaCDVRequestMsg, MaRaInterfacePDU, MaRaRseObeIdBlacklistRequestMsg,
    RseObeIdBlacklistingStatusReply, ToBeSignedCDVRequestMsg,
    ToBeSignedRseObeIdBlacklistingInstructionMsg,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, HeaderInfo, Hostname, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque,
    Psid, SignedDataPayload, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::sign::{sign_data, SignerId};
use scms_crypto::default_backend;
use scms_ra::{RaErrorCode, RaOptions};
use scms_store::keystore::Keystore;

/// The MA's side: its certificate, signing key and decryption key.
struct Ma {
    cert: Certificate,
    keys: Keystore,
}

impl Ma {
    fn open(env: &Env) -> Ma {
        let layout = scms_ca::Layout::new(env.scms());
        let cert = Certificate::from_coer(&std::fs::read(layout.cert("ma")).unwrap()).unwrap();
        Ma {
            cert,
            keys: Keystore::open(&layout.keys(), None).unwrap(),
        }
    }

    /// A request as the MA sends it (signed by `signer`, encrypted to the RA) and its
    /// requestHash.
    fn request(&self, env: &Env, signer: &str, m: MaRaInterfacePDU) -> (Vec<u8>, HashedId8) {
        let pdu = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaRa(m),
        };
        let tbs = ToBeSignedData {
            payload: SignedDataPayload {
                data: Some(Box::new(Ieee1609Dot2Data {
                    protocol_version: 3,
                    content: Ieee1609Dot2Content::UnsecuredData(
                        Opaque::new(pdu.to_coer()).unwrap(),
                    ),
                })),
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
        let rh = hashed_id(&tbs.to_coer());
        let key = self.keys.load_signer(signer).unwrap();
        let sd = sign_data(key.as_ref(), tbs, SignerId::Digest(&self.cert)).unwrap();
        let signed = Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
        };
        (encrypt_to(&env.ra_cert, &signed), rh)
    }

    /// The MA–RA PDU of the RA's reply (decrypted; request hash checked).
    fn open_reply(&self, bytes: &[u8], rh: HashedId8) -> MaRaInterfacePDU {
        let outer = Ieee1609Dot2Data::from_coer(bytes).unwrap();
        let Ieee1609Dot2Content::EncryptedData(ed) = &outer.content else {
            panic!("reply not encrypted")
        };
        let dec = self.keys.load_key_pair("ma-enc").unwrap();
        let plain = decrypt(
            default_backend(),
            ed,
            Decryptor::Certificate {
                cert: &self.cert,
                key: dec.private(),
            },
        )
        .unwrap();
        let inner = Ieee1609Dot2Data::from_coer(&plain).unwrap();
        let Ieee1609Dot2Content::SignedData(sd) = inner.content else {
            panic!("reply not signed")
        };
        let Some(Ieee1609Dot2Content::UnsecuredData(o)) =
            sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
        else {
            panic!("reply payload")
        };
        let ScmsPDUContent::MaRa(m) = ScmsPDU::from_coer(o.as_bytes()).unwrap().content else {
            panic!("not MA–RA")
        };
        let echoed = match &m {
            MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(r) => r.request_hash,
            MaRaInterfacePDU::RaMaCDVResponse(r) => r.request_hash,
            other => panic!("unexpected reply {other:?}"),
        };
        assert_eq!(echoed, rh);
        m
    }
}

fn blacklist_request(rifs: Vec<HashedId8>) -> MaRaInterfacePDU {
    MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest(MaRaRseObeIdBlacklistRequestMsg {
        version: 1,
        tbs: ToBeSignedRseObeIdBlacklistingInstructionMsg {
            ma_id: Hostname::new("ma.v2xscms.com".to_owned()).unwrap(),
            rif: rifs,
        },
        signatures: vec![],
    })
}

fn statuses(m: MaRaInterfacePDU) -> Vec<(HashedId8, RseObeIdBlacklistingStatusReply)> {
    let MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(r) = m else {
        panic!("not a raMaRseObeIdBlacklistResponse")
    };
    r.status.into_iter().map(|s| (s.rif, s.reply)).collect()
}

#[test]
fn rif_blacklisting_and_cdv() {
    let env = env();
    let ra = open_ra(&env, RaOptions::default());
    let ma = Ma::open(&env);
    // The RSE made a request here; the other device never did.
    let rse = rse(&env, T0);
    let (pdu, _) = application_pdu(T0, T0 + 60);
    let req = encrypt_to(
        &env.ra_cert,
        &signed(
            &rse,
            scms_asn1::camp::ee_ra::EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(pdu),
        ),
    );
    ra.provision_application(&req, T0).unwrap();
    let stranger = obe(&env, T0);
    let (known, unknown) = (certificate_id8(&rse.cert), certificate_id8(&stranger.cert));

    // Not signed by the MA: refused.
    let (bad, _) = ma.request(&env, "ra", blacklist_request(vec![known]));
    assert!(ra.handle_ma(&bad, T0).is_err());

    let (r, rh) = ma.request(&env, "ma", blacklist_request(vec![known, unknown]));
    let s = statuses(ma.open_reply(&ra.handle_ma(&r, T0).unwrap(), rh));
    assert_eq!(
        s,
        vec![
            (known, RseObeIdBlacklistingStatusReply::Success(())),
            (
                unknown,
                RseObeIdBlacklistingStatusReply::Failure(ScmsError::MaRa(
                    MaRaError::MaRaBaseError(MaRaBaseErrorCode::RaInvalidRIFValue)
                ))
            ),
        ]
    );
    // The RSE is refused from now on; the stranger is not blacklisted.
    let (pdu, _) = application_pdu(T0 + 5, T0 + 120);
    let again = encrypt_to(
        &env.ra_cert,
        &signed(
            &rse,
            scms_asn1::camp::ee_ra::EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(pdu),
        ),
    );
    assert_eq!(
        ra.provision_application(&again, T0 + 5).unwrap_err().code(),
        Some(RaErrorCode::RaBlacklisted)
    );
    let (r, rh) = ma.request(&env, "ma", blacklist_request(vec![known]));
    let s = statuses(ma.open_reply(&ra.handle_ma(&r, T0 + 6).unwrap(), rh));
    assert_eq!(
        s,
        vec![(
            known,
            RseObeIdBlacklistingStatusReply::Failure(ScmsError::MaRa(
                MaRaError::MaRaBlacklistError(MaRaBlacklistErrorCode::AlreadyBlacklisted)
            ))
        )]
    );

    // CDV: the RA cannot name the digests.
    let (r, rh) = ma.request(
        &env,
        "ma",
        MaRaInterfacePDU::MaRaCDVRequest(MaRaCDVRequestMsg {
            version: 1,
            tbs: ToBeSignedCDVRequestMsg {
                ma_id: Hostname::new("ma.v2xscms.com".to_owned()).unwrap(),
                rif_values: vec![known, unknown],
            },
            signatures: vec![],
        }),
    );
    let MaRaInterfacePDU::RaMaCDVResponse(c) = ma.open_reply(&ra.handle_ma(&r, T0).unwrap(), rh)
    else {
        panic!()
    };
    let replies: Vec<_> = c.cdv_info.into_iter().map(|i| (i.rif, i.reply)).collect();
    assert_eq!(
        replies,
        vec![
            (
                known,
                CdvInfoReply::Failure(ScmsError::MaRa(MaRaError::MaRaCdvError(
                    MaRaCDVErrorCode::NoCertificateDigestValuesKnownForRIF
                )))
            ),
            (
                unknown,
                CdvInfoReply::Failure(ScmsError::MaRa(MaRaError::MaRaBaseError(
                    MaRaBaseErrorCode::RaInvalidRIFValue
                )))
            ),
        ]
    );
}
