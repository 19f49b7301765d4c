//! CAMP SCMS envelopes, files and errors (protocol, policy, certificate chain files,
//! component certificate management, errors): round trips, hand-checked encodings and
//! the seed 004 Code Block 5 enrollment request.

use scms_asn1::camp::base_types::*;
use scms_asn1::camp::cert_chain_files::*;
use scms_asn1::camp::component_cert_management::*;
use scms_asn1::camp::eca_ee::*;
use scms_asn1::camp::ee_ma::*;
use scms_asn1::camp::ee_ra::*;
use scms_asn1::camp::errors::*;
use scms_asn1::camp::la_ma::*;
use scms_asn1::camp::la_pca::*;
use scms_asn1::camp::la_ra::*;
use scms_asn1::camp::ma_pca::*;
use scms_asn1::camp::ma_ra::*;
use scms_asn1::camp::pca_ra::*;
use scms_asn1::camp::policy::*;
use scms_asn1::camp::protocol::*;
use scms_asn1::camp::ra_pg::*;
use scms_asn1::coer::{Coer, DecodeError, OctetString, UnknownAlternative, Utf8String, VarInt};
use scms_asn1::ieee1609dot2::*;
use std::fmt::Debug;

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// Encodes, checks the decode gives the value back, and returns the encoding.
fn rt<T: Coer + PartialEq + Debug>(v: &T) -> Vec<u8> {
    let b = v.to_coer();
    let back = T::from_coer(&b).unwrap_or_else(|e| panic!("{}: {e:?}", T::NAME));
    assert_eq!(&back, v);
    b
}

fn hn(s: &str) -> Hostname {
    Utf8String(s.to_owned())
}

fn sig(b: u8) -> Signature {
    Signature::EcdsaNistP256Signature(EcdsaP256Signature {
        r: EccP256CurvePoint::XOnly([b; 32]),
        s: [b.wrapping_add(1); 32],
    })
}

fn aes(b: u8, n: usize) -> SymmetricCiphertext {
    SymmetricCiphertext::Aes128ccm(AesCcmCiphertext {
        nonce: [b; 12],
        ccm_ciphertext: OctetString(vec![b; n]),
    })
}

/// An `EncryptedData` with one `symmRecipInfo` recipient (as for PLVs and LCIs).
fn enc_data(b: u8) -> EncryptedData {
    EncryptedData {
        recipients: vec![RecipientInfo::SymmRecipInfo(SymmRecipientInfo {
            recipient_id: [b; 8],
            enc_key: aes(b, 16),
        })],
        ciphertext: aes(b.wrapping_add(1), 25),
    }
}

fn enc_plv(b: u8) -> EncryptedIndividualPLV {
    EncryptedIndividualPLV {
        version: 1,
        la_id: [0, b],
        enc_plv: enc_data(b),
    }
}

fn enc_gplv(b: u8) -> EncryptedGroupPLV {
    EncryptedGroupPLV {
        version: 1,
        la_id: [0, b],
        enc_group_index: [b; 16],
        enc_group_plv: enc_data(b),
    }
}

fn psid_range(psid: u64) -> PsidSspRange {
    PsidSspRange {
        psid: Psid::new(psid),
        ssp_range: Some(SspRange::Opaque(vec![])),
    }
}

/// The `tbsData` of the seed 004 enrollment request.
fn seed_tbs_cert() -> ToBeSignedCertificate {
    ToBeSignedCertificate {
        id: CertificateId::Name(hn("obeenr")),
        craca_id: [0; 3],
        crl_series: 4,
        validity_period: ValidityPeriod {
            start: 431_026_272,
            duration: Duration::Hours(4320),
        },
        region: Some(GeographicRegion::IdentifiedRegion(vec![
            IdentifiedRegion::CountryOnly(124),
            IdentifiedRegion::CountryOnly(484),
            IdentifiedRegion::CountryOnly(840),
        ])),
        assurance_level: None,
        app_permissions: None,
        cert_issue_permissions: None,
        cert_request_permissions: Some(vec![PsidGroupPermissions {
            subject_permissions: SubjectPermissions::Explicit(vec![psid_range(32), psid_range(38)]),
            min_chain_depth: VarInt(0),
            chain_depth_range: VarInt(0),
            ee_type: EndEntityType::with(&[EndEntityType::app]),
        }]),
        can_request_rollover: None,
        encryption_key: None,
        verify_key_indicator: VerificationKeyIndicator::VerificationKey(
            PublicVerificationKey::EcdsaNistP256(EccP256CurvePoint::CompressedY1(h32(
                "8751d2fdc5d7bf8cce4a7face5e5ad7b92fa6b8ca0b202fbc93cbc08412aa934",
            ))),
        ),
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
    }
}

fn h32(s: &str) -> [u8; 32] {
    match hex::decode(s).ok().and_then(|v| v.try_into().ok()) {
        Some(a) => a,
        None => panic!("not 32 hex octets: {s}"),
    }
}

/// A self-signed explicit component certificate (PG-like profile).
fn cert(b: u8) -> Certificate {
    let mut tbs = seed_tbs_cert();
    tbs.id = CertificateId::Name(hn("pg.test.v2xscms.com"));
    tbs.crl_series = 256;
    tbs.region = None;
    tbs.cert_request_permissions = None;
    tbs.app_permissions = Some(vec![PsidSsp {
        psid: Psid::new(35),
        ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![
            0x82, 0x00,
        ]))),
    }]);
    tbs.can_request_rollover = Some(());
    Certificate {
        version: 3,
        r#type: CertificateType::Explicit,
        issuer: IssuerIdentifier::SelfSigned(HashAlgorithm::Sha256),
        to_be_signed: tbs,
        signature: Some(sig(b)),
    }
}

fn header(psid: u64, generation_time: Option<Time64>) -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(psid),
        generation_time,
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

/// `signedData` over `payload` (or over an external hash when `payload` is None).
fn signed(
    payload: Option<Vec<u8>>,
    psid: u64,
    generation_time: Option<Time64>,
) -> Ieee1609Dot2Data {
    let (data, ext_data_hash) = match payload {
        Some(p) => (
            Some(Box::new(Ieee1609Dot2Data {
                protocol_version: 3,
                content: Ieee1609Dot2Content::UnsecuredData(OctetString(p)),
            })),
            None,
        ),
        None => (None, Some(HashedData::Sha256HashedData([0x5a; 32]))),
    };
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(SignedData {
            hash_id: HashAlgorithm::Sha256,
            tbs_data: ToBeSignedData {
                payload: SignedDataPayload {
                    data,
                    ext_data_hash,
                    omitted: None,
                },
                header_info: header(psid, generation_time),
            },
            signer: SignerIdentifier::Digest([0x11; 8]),
            signature: sig(0x22),
        })),
    }
}

fn countersig() -> Countersignature {
    signed(None, 35, Some(600_000_000_000_000))
}

fn endorsement(kind: EndorsementType, effective_time: Option<Time64>) -> TbsElectorEndorsement {
    TbsElectorEndorsement {
        r#type: kind,
        certificate: cert(0x31),
        effective_time,
    }
}

fn signed_endorsement(kind: EndorsementType) -> SignedElectorEndorsement {
    let scoped: ScopedElectorEndorsement = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::Ccm(
            ScmsComponentCertificateManagementPDU::TbsElectorEndorsement(endorsement(
                kind,
                Some(610_000_000_000_000),
            )),
        ),
    };
    signed(Some(scoped.to_coer()), 35, Some(610_000_000_000_000))
}

fn ballot(kind: EndorsementType) -> ElectorBallot {
    ElectorBallot {
        endorsements: vec![signed_endorsement(kind), signed_endorsement(kind)],
    }
}

fn composite_crl() -> CompositeCrl {
    CompositeCrl {
        secured_crl_series: vec![
            signed(Some(vec![1, 2, 3]), 256, None),
            signed(Some(vec![4]), 256, None),
        ],
        revoked_root_cas: vec![ballot(EndorsementType::RemoveRoot)],
        revoked_electors: vec![ballot(EndorsementType::RemoveElector)],
    }
}

fn pdu(content: ScmsPDUContent) -> ScmsPDU {
    ScmsPDU {
        version: 1,
        content,
    }
}

// ---------------------------------------------------------------------------------
// Seed 004 Code Block 5
// ---------------------------------------------------------------------------------

const SEED_004_BLOCK_5: &str = concat!(
    "038381a5",
    "00018180000119b0f0604481066f6265656e72000000000419b0f0608410e083010380007c8001e48003480101808",
    "0010280012080010080012680010001008080838751d2fdc5d7bf8cce4a7face5e5ad7b92fa6b8ca0b202fbc93cbc08412aa934",
    "828080301d57f8d01e98c685428c49328be8164bae24e18d46030048911c5fd4275df73121b89c7919fd75d7ab411cfb254a446",
    "60997f7b1ae9235f2d0f19491988265",
);

#[test]
fn seed_004_enrollment_request_decodes() {
    let all = hex::decode(SEED_004_BLOCK_5).unwrap();
    // The Ieee1609Dot2Data header: version 3, signedCertificateRequest, length 165.
    assert_eq!(&all[..4], &[0x03, 0x83, 0x81, 0xa5]);
    let inner = &all[4..];
    assert_eq!(inner.len(), 165);

    // The outer envelope carries the request as an Opaque.
    let outer = Ieee1609Dot2Data::from_coer(&all).unwrap();
    match &outer.content {
        Ieee1609Dot2Content::SignedCertificateRequest(o) => assert_eq!(o.as_bytes(), inner),
        other => panic!("unexpected content {other:?}"),
    }

    let req = SignedCertificateRequest::from_coer(inner).unwrap();
    let expected = SignedCertificateRequest {
        hash_id: HashAlgorithm::Sha256,
        tbs_request: pdu(ScmsPDUContent::EcaEe(
            EcaEndEntityInterfacePDU::EeEcaCertRequest(EeEcaCertRequest {
                version: 1,
                current_time: 431_026_272,
                tbs_data: seed_tbs_cert(),
            }),
        )),
        signer: SignerIdentifier::SelfSigned(()),
        signature: Signature::EcdsaNistP256Signature(EcdsaP256Signature {
            r: EccP256CurvePoint::XOnly(h32(
                "301d57f8d01e98c685428c49328be8164bae24e18d46030048911c5fd4275df7",
            )),
            s: h32("3121b89c7919fd75d7ab411cfb254a44660997f7b1ae9235f2d0f19491988265"),
        }),
    };
    assert_eq!(req, expected);
    assert_eq!(req.to_coer(), inner);

    let text = req.to_value().notation("SignedCertificateRequest");
    assert!(text.contains("name : \"obeenr\""), "{text}");
    assert!(text.contains("currentTime 431026272"), "{text}");
    assert!(text.contains("hashId sha256"), "{text}");
    assert!(text.contains("eca-ee : eeEcaCertRequest"), "{text}");
    assert!(text.contains("signer self : NULL"), "{text}");
    assert!(text.contains("x-only : '301D57"), "{text}");
}

// ---------------------------------------------------------------------------------
// ScmsPDU
// ---------------------------------------------------------------------------------

#[test]
fn scms_pdu_hand_checked() {
    // version 1, ee-ra (tag 3), eeRaCertRequest (tag 0), EeRaCertRequestMsg {ext 0, version 1}
    let v = pdu(ScmsPDUContent::EeRa(
        EndEntityRaInterfacePDU::EeRaCertRequest(EeRaCertRequestMsg { version: 1 }),
    ));
    assert_eq!(rt(&v), vec![0x01, 0x83, 0x80, 0x00, 0x01]);
    // An unknown (future) content alternative is kept as an open type.
    let future = [0x01, 0x8b, 0x02, 0xaa, 0xbb];
    let u = ScmsPDU::from_coer(&future).unwrap();
    assert_eq!(
        u.content,
        ScmsPDUContent::Unknown(UnknownAlternative {
            tag: 11,
            bytes: vec![0xaa, 0xbb]
        })
    );
    assert_eq!(u.to_coer(), future);
    // Trailing bytes are refused.
    assert!(matches!(
        ScmsPDU::from_coer(&[0x01, 0x83, 0x80, 0x00, 0x01, 0x00]),
        Err(DecodeError::TrailingBytes { .. })
    ));
}

#[test]
fn scms_pdu_every_interface() {
    let ccm = [
        pdu(ScmsPDUContent::Ccm(
            ScmsComponentCertificateManagementPDU::TbsElectorEndorsement(endorsement(
                EndorsementType::AddElector,
                Some(620_000_000_000_000),
            )),
        )),
        pdu(ScmsPDUContent::Ccm(
            ScmsComponentCertificateManagementPDU::TbsElectorEndorsement(endorsement(
                EndorsementType::AddRoot,
                None,
            )),
        )),
    ];
    let eca_ee = [
        pdu(ScmsPDUContent::EcaEe(
            EcaEndEntityInterfacePDU::EeEcaCertRequest(EeEcaCertRequest {
                version: 1,
                current_time: 431_026_272,
                tbs_data: seed_tbs_cert(),
            }),
        )),
        pdu(ScmsPDUContent::EcaEe(
            EcaEndEntityInterfacePDU::EcaEeCertResponse(EcaEeCertResponse {
                version: 1,
                request_hash: [9; 8],
                eca_cert: cert(0x41),
                enrollment_cert: Certificate {
                    r#type: CertificateType::Implicit,
                    issuer: IssuerIdentifier::Sha256AndDigest([0x42; 8]),
                    signature: None,
                    ..cert(0x42)
                },
                priv_key_reconstruction: [0x43; 32],
            }),
        )),
    ];
    let ee_ma = [
        pdu(ScmsPDUContent::EeMa(
            EndEntityMaInterfacePDU::MisbehaviorReport(MisbehaviorReportContents {
                version: 1,
                misbehaving_device_info: OctetString(vec![1, 2, 3]),
                misbehaving_device_bsms: Some(OctetString(vec![4; 40])),
                reporter_device_bsms: Some(OctetString(vec![5; 40])),
                sensor_info: Some(OctetString(vec![6])),
            }),
        )),
        pdu(ScmsPDUContent::EeMa(
            EndEntityMaInterfacePDU::MisbehaviorReport(MisbehaviorReportContents {
                version: 1,
                misbehaving_device_info: OctetString(vec![]),
                misbehaving_device_bsms: None,
                reporter_device_bsms: None,
                sensor_info: None,
            }),
        )),
    ];
    let ack = RaEePseudonymCertProvisioningAck {
        version: 1,
        request_hash: [0x51; 8],
        reply: RaEePseudonymCertProvisioningAckReply::Ack(PseudonymCertProvisioningAck {
            cert_dl_time: 431_030_000,
            cert_dl_url: hn("ra.test.v2xscms.com/certs"),
        }),
    };
    let ee_ra = [
        pdu(ScmsPDUContent::EeRa(
            EndEntityRaInterfacePDU::RaEeCertResponse(RaEeCertResponseMsg {
                version: 1,
                reply: RaEeCertResponseMsgReply::Ack(RaEeCertResponseAck {
                    ra_certificate: cert(0x52),
                    crl: composite_crl(),
                }),
            }),
        )),
        pdu(ScmsPDUContent::EeRa(
            EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(ack.clone()),
        )),
        pdu(ScmsPDUContent::EeRa(
            EndEntityRaInterfacePDU::RaEeAppCertProvisioningAck(ack),
        )),
        pdu(ScmsPDUContent::EeRa(
            EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(
                AuthenticatedDownloadRequest {
                    timestamp: 431_030_001,
                    filename: Utf8String::new("1A2B3C_0.zip").unwrap(),
                },
            ),
        )),
    ];
    let la_ma = [
        pdu(ScmsPDUContent::LaMa(
            LaMaInterfacePDU::MaLaLinkageSeedRequest(MaLaLinkageSeedRequestMsg {
                version: 1,
                tbs: ToBeSignedLSRequestMsg {
                    ma_id: hn("ma.test.v2xscms.com"),
                    lci: vec![enc_data(0x61), enc_data(0x62)],
                },
                signatures: vec![countersig()],
            }),
        )),
        pdu(ScmsPDUContent::LaMa(
            LaMaInterfacePDU::LaMaLinkageSeedResponse(LaMaLinkageSeedResponseMsg {
                version: 1,
                request_hash: [0x63; 8],
                la_id: hn("la1.test.v2xscms.com"),
                ls_info: vec![
                    LCI2LS {
                        lci: enc_data(0x64),
                        reply: LCI2LSReply::Success(LinkageSeedAndLaId {
                            linkage_seed: [0x65; 16],
                            la_id: [0, 1],
                        }),
                    },
                    LCI2LS {
                        lci: enc_data(0x66),
                        reply: LCI2LSReply::Failure(ScmsError::LaMa(
                            LaMaError::LaMaLinkageSeedError(
                                LaMaLinkageSeedErrorCode::LaInvalidLinkageValue,
                            ),
                        )),
                    },
                ],
            }),
        )),
    ];
    let la_pca = [pdu(ScmsPDUContent::LaPca(
        LaPcaInterfacePDU::PcaLaKeyAgreementAck(PcaLaKeyAgreementAckMsg {
            version: 1,
            request_hash: [0x71; 8],
            pca_id: hn("pca.test.v2xscms.com"),
            reply: PcaLaKeyAgreementAckMsgReply::Failure(ScmsError::LaPca(LaPcaError::LaPca(
                LaPcaErrorCode::InvalidMacValue,
            ))),
        }),
    ))];
    let la_ra = [pdu(ScmsPDUContent::LaRa(
        LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest(RaLaGroupPreLinkageValueRequestMsg {
            header: RaLaPreLinkageValueRequestMsgHeader {
                version: 1,
                ra_id: hn("ra.test.v2xscms.com"),
                pca_id: hn("pca.test.v2xscms.com"),
                i_min: 100,
                i_max: 120,
            },
            j_max: 20,
            other_la: [0, 2],
            group_identifier: [1, 2, 3, 4],
        }),
    ))];
    let ma_pca = [pdu(ScmsPDUContent::MaPca(
        MaPcaInterfacePDU::MaPcaHPCRRequest(MaPcaHPCRRequestMsg {
            version: 1,
            tbs: ToBeSignedMaPcaHPCRRequestMsg {
                ma_id: hn("ma.test.v2xscms.com"),
                linkage_values: vec![[0x81; 9], [0x82; 9]],
            },
            signatures: vec![countersig(), countersig()],
        }),
    ))];
    let ma_ra = [pdu(ScmsPDUContent::MaRa(
        MaRaInterfacePDU::RaMaBlacklistResponse(RaMaBlacklistResponseMsg {
            version: 1,
            request_hash: [0x91; 8],
            ra_id: hn("ra.test.v2xscms.com"),
            status: vec![
                BlacklistingStatus {
                    hpcr: [0x92; 32],
                    reply: BlacklistingStatusReply::Success(()),
                },
                BlacklistingStatus {
                    hpcr: [0x93; 32],
                    reply: BlacklistingStatusReply::Failure(ScmsError::MaRa(
                        MaRaError::MaRaBlacklistError(MaRaBlacklistErrorCode::AlreadyBlacklisted),
                    )),
                },
            ],
        }),
    ))];
    let pca_ra = [pdu(ScmsPDUContent::PcaRa(
        PcaRaInterfacePDU::PcaRaCertResponse(PcaRaCertResponseMsg {
            version: 1,
            request_hash: [0xa1; 8],
            pca_id: hn("pca.test.v2xscms.com"),
            reply: PcaRaCertResponseMsgReply::Failure(ScmsError::PcaRa(
                PcaRaError::PcaRaRequestError(PcaRaRequestErrorCode::InvalidRegion),
            )),
        }),
    ))];
    let ra_pg = [pdu(ScmsPDUContent::RaPg(
        RaPgInterfacePDU::RaPgPolicySignatureRequest(RaPgPolicySignatureRequestMsg {
            version: 1,
            tbs: ToBeSignedPolicyData {
                policy_id: OctetString::new(vec![7; 32]).unwrap(),
                generation_time: 1,
                active_time: 2,
                policy: Policy::Custom(CustomPolicyData {
                    requesting_ra_hostname: Some(hn("ra.test.v2xscms.com")),
                    global_policy: global_policy_data_all(),
                }),
            },
        }),
    ))];
    let all: Vec<(&str, ScmsPDU)> = [
        ("ccm", &ccm[..]),
        ("eca-ee", &eca_ee[..]),
        ("ee-ma", &ee_ma[..]),
        ("ee-ra", &ee_ra[..]),
        ("la-ma", &la_ma[..]),
        ("la-pca", &la_pca[..]),
        ("la-ra", &la_ra[..]),
        ("ma-pca", &ma_pca[..]),
        ("ma-ra", &ma_ra[..]),
        ("pca-ra", &pca_ra[..]),
        ("ra-pg", &ra_pg[..]),
    ]
    .into_iter()
    .flat_map(|(n, vs)| vs.iter().map(move |v| (n, v.clone())))
    .collect();
    for (tag, (name, v)) in [
        "ccm", "eca-ee", "ee-ma", "ee-ra", "la-ma", "la-pca", "la-ra", "ma-pca", "ma-ra", "pca-ra",
        "ra-pg",
    ]
    .iter()
    .enumerate()
    .flat_map(|(i, n)| all.iter().filter(move |(m, _)| m == n).map(move |x| (i, x)))
    {
        let b = rt(v);
        // version, then the content alternative's tag.
        assert_eq!(b[0], 1, "{name}");
        assert_eq!(b[1], 0x80 | tag as u8, "{name}");
        let text = v.to_value().notation("ScmsPDU");
        assert!(text.contains(&format!("content {name} : ")), "{text}");
    }
}

#[test]
fn signed_certificate_request_round_trip() {
    let v = SignedCertificateRequest {
        hash_id: HashAlgorithm::Sha256,
        tbs_request: pdu(ScmsPDUContent::EeRa(
            EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(
                AuthenticatedDownloadRequest {
                    timestamp: 5,
                    filename: Utf8String::new("f").unwrap(),
                },
            ),
        )),
        signer: SignerIdentifier::Certificate(vec![cert(0xb1)]),
        signature: sig(0xb2),
    };
    let b = rt(&v);
    // hashId sha256, ScmsPDU version 1, ee-ra, eeRaAuthenticatedDownloadRequest (tag 8),
    // AuthenticatedDownloadRequest {ext 0, timestamp 5, filename "f"}.
    assert_eq!(
        &b[..11],
        &[0x00, 0x01, 0x83, 0x88, 0x00, 0, 0, 0, 5, 0x01, b'f']
    );
    // signer certificate (tag 1), one certificate.
    assert_eq!(&b[11..14], &[0x81, 0x01, 0x01]);
    // Inside the 1609.2 envelope as an Opaque.
    let env = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(OctetString(b.clone())),
    };
    let eb = rt(&env);
    let back = Ieee1609Dot2Data::from_coer(&eb).unwrap();
    let Ieee1609Dot2Content::SignedCertificateRequest(o) = back.content else {
        panic!("not a signedCertificateRequest");
    };
    assert_eq!(
        SignedCertificateRequest::from_coer(o.as_bytes()).unwrap(),
        v
    );
}

#[test]
fn scms_ssp_round_trip() {
    let v = vec![
        ScmsSsp::Elector(ElectorSsp { version: 1 }),
        ScmsSsp::Root(RootCaSsp { version: 1 }),
        ScmsSsp::Pg(PGSsp { version: 1 }),
        ScmsSsp::Ica(IcaSsp { version: 1 }),
        ScmsSsp::Eca(EcaSsp { version: 1 }),
        ScmsSsp::Pca(PcaSsp { version: 1 }),
        ScmsSsp::Crl(CrlSignerSsp { version: 1 }),
        ScmsSsp::Dcm(DcmSsp { version: 1 }),
        ScmsSsp::La(LaSsp {
            version: 1,
            la_id: 0x0102,
        }),
        ScmsSsp::Lop(LopSsp { version: 1 }),
        ScmsSsp::Ma(MaSsp {
            version: 1,
            relevant_psids: vec![Psid::new(32), Psid::new(38)],
        }),
        ScmsSsp::Ra(RaSsp { version: 1 }),
    ];
    rt(&v);
    // The SSP in a CRL signer certificate: crl (tag 6), {ext 0, version 1}.
    assert_eq!(
        rt(&ScmsSsp::Crl(CrlSignerSsp { version: 1 })),
        vec![0x86, 0x00, 0x01]
    );
    assert_eq!(
        rt(&ScmsSsp::La(LaSsp {
            version: 1,
            la_id: 0x0102
        })),
        vec![0x88, 0x00, 0x01, 0x01, 0x02]
    );
}

// ---------------------------------------------------------------------------------
// ScmsFile: certificate chain files
// ---------------------------------------------------------------------------------

fn cert_store(full: bool) -> CertificateStore {
    if full {
        CertificateStore {
            root_ca_endorsements: vec![ballot(EndorsementType::AddRoot)],
            elector_endorsements: vec![
                ballot(EndorsementType::AddElector),
                ballot(EndorsementType::AddElector),
            ],
            ma_certificate: cert(0xc1),
            certs: vec![cert(0xc2), cert(0xc3), cert(0xc4)],
        }
    } else {
        CertificateStore {
            root_ca_endorsements: vec![],
            elector_endorsements: vec![],
            ma_certificate: cert(0xc5),
            certs: vec![],
        }
    }
}

#[test]
fn scms_file_certificate_chains() {
    let gccf = ScmsFile {
        version: 1,
        content: ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(
            GlobalCertificateChainFile {
                version: 7,
                cert_store: cert_store(false),
            },
        )),
    };
    let b = rt(&gccf);
    let c = cert(0xc5).to_coer();
    let mut expected = vec![
        0x01, 0x80, 0x80, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x01, 0x00,
    ];
    expected.extend_from_slice(&c);
    expected.extend_from_slice(&[0x01, 0x00]);
    assert_eq!(b, expected);

    let gccf_full = ScmsFile {
        version: 1,
        content: ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(
            GlobalCertificateChainFile {
                version: 8,
                cert_store: cert_store(true),
            },
        )),
    };
    rt(&gccf_full);

    for (full, optional) in [(true, vec![cert(0xd1), cert(0xd2)]), (false, vec![])] {
        let lccf = ScmsFile {
            version: 1,
            content: ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(
                LocalCertificateChainFile {
                    version: CompositeVersion {
                        gccf_version: 8,
                        lccf_version: 3,
                        ra_hostname: hn("ra.test.v2xscms.com"),
                    },
                    required_cert_store: cert_store(full),
                    optional_cert_list: optional,
                },
            )),
        };
        let b = rt(&lccf);
        // version 1, cert-chain, localCertificateChainFile, {ext 0, CompositeVersion {8, 3, ..}}
        assert_eq!(
            &b[..9],
            &[0x01, 0x80, 0x81, 0x00, 0x00, 0x08, 0x00, 0x03, 19]
        );
    }
    let text = gccf_full.to_value().notation("ScmsFile");
    assert!(text.contains("rootCAEndorsements"), "{text}");
    assert!(
        text.contains("cert-chain : globalCertificateChainFile"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------
// ScmsFile: policy files
// ---------------------------------------------------------------------------------

fn global_policy_data_all() -> GlobalPolicyData {
    GlobalPolicyData {
        temporal_series_of_scms_version: Some(GlobalPolicyDataTemporalSeriesOfScmsVersion {
            initial_scms_version: 2,
            intervals: vec![GlobalPolicyDataTemporalSeriesOfScmsVersionInterval {
                start_time: 10,
                scms_version: 3,
            }],
        }),
        temporal_series_of_cert_chain_file_id: Some(
            GlobalPolicyDataTemporalSeriesOfCertChainFileID {
                initial_global_cert_chain_file_id: 7,
                intervals: vec![
                    GlobalPolicyDataTemporalSeriesOfCertChainFileIDInterval {
                        start_time: 11,
                        global_cert_chain_file_id: 8,
                    },
                    GlobalPolicyDataTemporalSeriesOfCertChainFileIDInterval {
                        start_time: 12,
                        global_cert_chain_file_id: 9,
                    },
                ],
            },
        ),
        temporal_series_of_overdue_crl_tolerance: Some(
            GlobalPolicyDataTemporalSeriesOfOverdueCrlTolerance {
                initial_overdue_crl_tolerance: Duration::Hours(168 * 4),
                intervals: vec![],
            },
        ),
        temporal_series_of_i_period: Some(GlobalPolicyDataTemporalSeriesOfIPeriod {
            initial_i_period: Duration::Hours(168),
            intervals: vec![GlobalPolicyDataTemporalSeriesOfIPeriodInterval {
                start_time: 13,
                i_period: Duration::Hours(24),
            }],
        }),
        temporal_series_of_min_certs_per_i_period: Some(
            GlobalPolicyDataTemporalSeriesOfMinCertsPerIPeriod {
                initial_min_certs_per_i_period: 20,
                intervals: vec![GlobalPolicyDataTemporalSeriesOfMinCertsPerIPeriodInterval {
                    start_time: 14,
                    min_certs_per_i_period: 10,
                }],
            },
        ),
        temporal_series_of_cert_validity_model: Some(
            GlobalPolicyDataTemporalSeriesOfCertValidityModel {
                initial_cert_validity_model: CertValidityModel::Concurrent,
                intervals: vec![GlobalPolicyDataTemporalSeriesOfCertValidityModelInterval {
                    start_time: 15,
                    cert_validity_model: CertValidityModel::NonConcurrent,
                }],
            },
        ),
        temporal_series_of_max_available_cert_supply: Some(
            GlobalPolicyDataTemporalSeriesOfMaxAvailableCertSupply {
                initial_max_available_cert_supply: Duration::Years(3),
                intervals: vec![],
            },
        ),
        temporal_series_of_max_cert_request_age: Some(
            GlobalPolicyDataTemporalSeriesOfMaxCertRequestAge {
                initial_max_cert_request_age: Duration::Hours(48),
                intervals: vec![],
            },
        ),
        temporal_series_of_shuffle_threshold: Some(
            GlobalPolicyDataTemporalSeriesOfShuffleThreshold {
                initial_shuffle_threshold: 500,
                intervals: vec![GlobalPolicyDataTemporalSeriesOfShuffleThresholdInterval {
                    start_time: 16,
                    shuffle_threshold: 1000,
                }],
            },
        ),
        temporal_series_of_hash_of_request_size: Some(
            GlobalPolicyDataTemporalSeriesOfHashOfRequestSize {
                initial_hash_of_request_size: 16,
                intervals: vec![],
            },
        ),
        temporal_series_of_max_gpf_gccf_retrieval_interval: Some(
            GlobalPolicyDataTemporalSeriesOfMaxGpfGccfRetrievalInterval {
                initial_max_gpf_gccf_retrieval_interval: Duration::Hours(1),
                intervals: vec![
                    GlobalPolicyDataTemporalSeriesOfMaxGpfGccfRetrievalIntervalInterval {
                        start_time: 17,
                        max_gpf_gccf_retrieval_interval: Duration::Minutes(30),
                    },
                ],
            },
        ),
        temporal_series_of_rse_application_cert_validity: Some(
            GlobalPolicyDataTemporalSeriesOfRseApplicationCertValidity {
                initial_rse_application_cert_validity: Duration::Hours(169),
                intervals: vec![],
            },
        ),
        temporal_series_of_rse_application_cert_overlap: Some(
            GlobalPolicyDataTemporalSeriesOfRseApplicationCertOverlap {
                initial_rse_application_cert_overlap: Duration::Hours(1),
                intervals: vec![
                    GlobalPolicyDataTemporalSeriesOfRseApplicationCertOverlapInterval {
                        start_time: 18,
                        rse_application_cert_overlap: Duration::Hours(2),
                    },
                ],
            },
        ),
    }
}

fn global_policy_data_none() -> GlobalPolicyData {
    GlobalPolicyData {
        temporal_series_of_scms_version: None,
        temporal_series_of_cert_chain_file_id: None,
        temporal_series_of_overdue_crl_tolerance: None,
        temporal_series_of_i_period: None,
        temporal_series_of_min_certs_per_i_period: None,
        temporal_series_of_cert_validity_model: None,
        temporal_series_of_max_available_cert_supply: None,
        temporal_series_of_max_cert_request_age: None,
        temporal_series_of_shuffle_threshold: None,
        temporal_series_of_hash_of_request_size: None,
        temporal_series_of_max_gpf_gccf_retrieval_interval: None,
        temporal_series_of_rse_application_cert_validity: None,
        temporal_series_of_rse_application_cert_overlap: None,
    }
}

fn local_policy_data_all() -> LocalPolicyData {
    let tls = |b: u8| OctetString(vec![0x30, 0x82, b, b]);
    LocalPolicyData {
        temporal_series_of_shuffle_threshold: Some(
            LocalPolicyDataTemporalSeriesOfShuffleThreshold {
                initial_shuffle_threshold: 1000,
                intervals: vec![LocalPolicyDataTemporalSeriesOfShuffleThresholdInterval {
                    start_time: 20,
                    shuffle_threshold: 2000,
                }],
            },
        ),
        temporal_series_of_certs_per_i_period: Some(
            LocalPolicyDataTemporalSeriesOfCertsPerIPeriod {
                initial_certs_per_i_period: 30,
                intervals: vec![LocalPolicyDataTemporalSeriesOfCertsPerIPeriodInterval {
                    start_time: 21,
                    certs_per_i_period: 20,
                }],
            },
        ),
        temporal_series_of_la_one_host: Some(LocalPolicyDataTemporalSeriesOfLaOneHost {
            initial_la_one_host: hn("la1.test.v2xscms.com"),
            intervals: vec![LocalPolicyDataTemporalSeriesOfLaOneHostInterval {
                start_time: 22,
                la_one_host: hn("la1b.test.v2xscms.com"),
            }],
        }),
        temporal_series_of_la_two_host: Some(LocalPolicyDataTemporalSeriesOfLaTwoHost {
            initial_la_two_host: hn("la2.test.v2xscms.com"),
            intervals: vec![],
        }),
        temporal_series_of_pca_host: Some(LocalPolicyDataTemporalSeriesOfPcaHost {
            initial_pca_host: hn("pca.test.v2xscms.com"),
            intervals: vec![],
        }),
        temporal_series_of_ra_x509_tls_cert: Some(LocalPolicyDataTemporalSeriesOfRaX509TlsCert {
            initial_ra_x509_tls_cert: tls(1),
            intervals: vec![LocalPolicyDataTemporalSeriesOfRaX509TlsCertInterval {
                start_time: 23,
                ra_x509_tls_cert: tls(2),
            }],
        }),
        temporal_series_of_la_x509_tls_cert: Some(LocalPolicyDataTemporalSeriesOfLaX509TlsCert {
            initial_la_x509_tls_cert: tls(3),
            intervals: vec![],
        }),
        temporal_series_of_pca_x509_tls_cert: Some(LocalPolicyDataTemporalSeriesOfPcaX509TlsCert {
            initial_pca_x509_tls_cert: tls(4),
            intervals: vec![],
        }),
        temporal_series_of_shared_key_update_interval: Some(
            LocalPolicyDataTemporalSeriesOfSharedKeyUpdateInterval {
                initial_shared_key_update_interval: Duration::Hours(24),
                intervals: vec![
                    LocalPolicyDataTemporalSeriesOfSharedKeyUpdateIntervalInterval {
                        start_time: 24,
                        shared_key_update_interval: Duration::Hours(12),
                    },
                ],
            },
        ),
    }
}

fn base_policy_file(policy: Policy, n_sigs: usize) -> BasePolicyFile {
    BasePolicyFile {
        version: 1,
        tbs_data: ToBeSignedPolicyData {
            policy_id: OctetString(b"gpf-2024-01".to_vec()),
            generation_time: 620_000_000_000_000,
            active_time: 620_100_000_000_000,
            policy,
        },
        signatures: (0..n_sigs).map(|_| countersig()).collect(),
    }
}

#[test]
fn scms_file_policy_files() {
    for gpd in [global_policy_data_all(), global_policy_data_none()] {
        let gpf = ScmsFile {
            version: 1,
            content: ScmsFileContent::Policy(PolicyFiles::GlobalPolicyFile(base_policy_file(
                Policy::Global(gpd),
                2,
            ))),
        };
        let b = rt(&gpf);
        // version 1, policy (tag 1), globalPolicyFile (tag 0), BasePolicyFile {ext 0, version 1,
        // ToBeSignedPolicyData {ext 0, policyID (len 11) ...}}
        assert_eq!(&b[..7], &[0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 11]);
    }
    let lpf = ScmsFile {
        version: 1,
        content: ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(LocalPolicyFile {
            global_parameters: base_policy_file(
                Policy::Custom(CustomPolicyData {
                    requesting_ra_hostname: Some(hn("ra.test.v2xscms.com")),
                    global_policy: global_policy_data_all(),
                }),
                1,
            ),
            local_parameters: base_policy_file(Policy::Local(local_policy_data_all()), 1),
        })),
    };
    rt(&lpf);
    let text = lpf.to_value().notation("ScmsFile");
    assert!(text.contains("localParamters"), "{text}");
    assert!(
        text.contains("temporalSeriesOfRseApplicationCertOVerlap"),
        "{text}"
    );
    assert!(text.contains("policyID"), "{text}");
    assert!(text.contains("certValidityModel non-concurrent"), "{text}");
    let lpf_min = ScmsFile {
        version: 1,
        content: ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(LocalPolicyFile {
            global_parameters: base_policy_file(
                Policy::Custom(CustomPolicyData {
                    requesting_ra_hostname: None,
                    global_policy: global_policy_data_none(),
                }),
                1,
            ),
            local_parameters: base_policy_file(
                Policy::Local(LocalPolicyData {
                    temporal_series_of_shuffle_threshold: None,
                    temporal_series_of_certs_per_i_period: None,
                    temporal_series_of_la_one_host: None,
                    temporal_series_of_la_two_host: None,
                    temporal_series_of_pca_host: None,
                    temporal_series_of_ra_x509_tls_cert: None,
                    temporal_series_of_la_x509_tls_cert: None,
                    temporal_series_of_pca_x509_tls_cert: None,
                    temporal_series_of_shared_key_update_interval: None,
                }),
                1,
            ),
        })),
    };
    rt(&lpf_min);
    // policyID longer than 32 octets is refused.
    assert!(OctetString::<0, 32>::new(vec![0; 33]).is_err());
}

#[test]
fn policy_defaults_hand_checked() {
    // MinCertsPerIPeriod DEFAULT 20: absent when 20, present otherwise, refused when sent.
    let mut s = GlobalPolicyDataTemporalSeriesOfMinCertsPerIPeriod {
        initial_min_certs_per_i_period: 20,
        intervals: vec![],
    };
    assert_eq!(rt(&s), vec![0x00, 0x01, 0x00]);
    s.initial_min_certs_per_i_period = 5;
    assert_eq!(rt(&s), vec![0x80, 0x05, 0x01, 0x00]);
    assert!(matches!(
        GlobalPolicyDataTemporalSeriesOfMinCertsPerIPeriod::from_coer(&[0x80, 20, 0x01, 0x00]),
        Err(DecodeError::NonCanonical { .. })
    ));
    // ScmsVersion DEFAULT 1, HashOfRequestSize DEFAULT 32, CertsPerIPeriod DEFAULT 20.
    let v = GlobalPolicyDataTemporalSeriesOfScmsVersion {
        initial_scms_version: 1,
        intervals: vec![],
    };
    assert_eq!(rt(&v), vec![0x00, 0x01, 0x00]);
    assert!(
        GlobalPolicyDataTemporalSeriesOfScmsVersion::from_coer(&[0x80, 1, 0x01, 0x00]).is_err()
    );
    let h = GlobalPolicyDataTemporalSeriesOfHashOfRequestSize {
        initial_hash_of_request_size: 32,
        intervals: vec![],
    };
    assert_eq!(rt(&h), vec![0x00, 0x01, 0x00]);
    let c = LocalPolicyDataTemporalSeriesOfCertsPerIPeriod {
        initial_certs_per_i_period: 20,
        intervals: vec![],
    };
    assert_eq!(rt(&c), vec![0x00, 0x01, 0x00]);
    // The local ShuffleThreshold has no DEFAULT: always encoded.
    let l = LocalPolicyDataTemporalSeriesOfShuffleThreshold {
        initial_shuffle_threshold: 1000,
        intervals: vec![],
    };
    assert_eq!(rt(&l), vec![0x00, 0x00, 0x03, 0xe8, 0x01, 0x00]);

    // GlobalPolicyData with only the shuffle threshold (DEFAULT 1000) and one interval:
    // preamble: ext bit + 13 presence bits, the 9th option set -> 0x00 0x40.
    let mut g = global_policy_data_none();
    g.temporal_series_of_shuffle_threshold =
        Some(GlobalPolicyDataTemporalSeriesOfShuffleThreshold {
            initial_shuffle_threshold: 1000,
            intervals: vec![GlobalPolicyDataTemporalSeriesOfShuffleThresholdInterval {
                start_time: 1,
                shuffle_threshold: 2000,
            }],
        });
    assert_eq!(
        rt(&g),
        vec![0x00, 0x40, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x00, 0x07, 0xd0]
    );
    assert_eq!(rt(&global_policy_data_none()), vec![0x00, 0x00]);
    // CertValidityModel: concurrent (1), non-concurrent (2).
    assert_eq!(rt(&CertValidityModel::NonConcurrent), vec![0x02]);
    assert!(CertValidityModel::from_coer(&[0x00]).is_err());
}

// ---------------------------------------------------------------------------------
// Component certificate management
// ---------------------------------------------------------------------------------

#[test]
fn composite_crl_round_trip() {
    let empty = CompositeCrl {
        secured_crl_series: vec![],
        revoked_root_cas: vec![],
        revoked_electors: vec![],
    };
    assert_eq!(rt(&empty), vec![0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00]);
    let full = composite_crl();
    let b = rt(&full);
    assert_eq!(&b[..3], &[0x00, 0x01, 0x02]);
    let text = full.to_value().notation("CompositeCrl");
    assert!(text.contains("revokedRootCAs"), "{text}");

    // The endorsement inside a ballot decodes back to its ScopedElectorEndorsement.
    let se = &full.revoked_electors[0].endorsements[0];
    let Ieee1609Dot2Content::SignedData(sd) = &se.content else {
        panic!("not signed");
    };
    let inner = sd.tbs_data.payload.data.as_ref().unwrap();
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        panic!("not unsecured");
    };
    let scoped = ScopedElectorEndorsement::from_coer(o.as_bytes()).unwrap();
    let ScmsPDUContent::Ccm(ScmsComponentCertificateManagementPDU::TbsElectorEndorsement(e)) =
        scoped.content
    else {
        panic!("not an endorsement");
    };
    assert_eq!(e.r#type, EndorsementType::RemoveElector);
    let text = e.to_value().notation("TbsElectorEndorsement");
    assert!(text.contains("type removeElector"), "{text}");
}

#[test]
fn tbs_elector_endorsement_hand_checked() {
    let e = endorsement(EndorsementType::AddRoot, Some(0x0102));
    let b = rt(&e);
    let c = cert(0x31).to_coer();
    let mut expected = vec![0x80, 0x00];
    expected.extend_from_slice(&c);
    expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
    assert_eq!(b, expected);
    let e2 = endorsement(EndorsementType::RemoveElector, None);
    assert_eq!(rt(&e2)[..2], [0x00, 0x03]);
}

// ---------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------

#[test]
fn scms_errors_hand_checked() {
    let cases: Vec<(ScmsError, Vec<u8>)> = vec![
        (
            ScmsError::Common(ScmsCommonError::Baseline),
            vec![0x80, 0x01],
        ),
        (
            ScmsError::Ccm(ComponentCertificateManagementError::Baseline),
            vec![0x81, 0x01],
        ),
        (
            ScmsError::EcaEe(EcaEndEntityError::EcaMalformedRequest),
            vec![0x82, 0x08],
        ),
        (
            ScmsError::LaMa(LaMaError::LaMaLinkageSeedError(
                LaMaLinkageSeedErrorCode::LaInvalidLinkageValue,
            )),
            vec![0x83, 0x82, 0x01],
        ),
        (
            ScmsError::LaPca(LaPcaError::LaPca(LaPcaErrorCode::InvalidMacValue)),
            vec![0x84, 0x80, 0x05],
        ),
        (
            ScmsError::LaRa(LaRaError::LaRa(LaRaErrorCode::InvalidJMax)),
            vec![0x85, 0x80, 0x05],
        ),
        (
            ScmsError::MaPca(MaPcaError::MaPca(
                MaPcaErrorCode::PcaInvalidInputValueFormat,
            )),
            vec![0x86, 0x80, 0x0a],
        ),
        (
            ScmsError::MaRa(MaRaError::MaRaCdvError(
                MaRaCDVErrorCode::NoCertificateDigestValuesKnownForRIF,
            )),
            vec![0x87, 0x83, 0x00],
        ),
        (
            ScmsError::PcaRa(PcaRaError::PcaRaRequestError(
                PcaRaRequestErrorCode::InvalidEncryptedGroupPreLinkageValue,
            )),
            vec![0x88, 0x81, 0x08],
        ),
    ];
    for (v, b) in &cases {
        assert_eq!(&rt(v), b, "{v:?}");
    }
    assert_eq!(rt(&RaPgError::RaPgPolicyError), vec![0x02]);
    // Unknown enumerated values are refused; unknown alternatives are kept.
    assert!(EcaEndEntityError::from_coer(&[0x0b]).is_err());
    assert!(matches!(
        ScmsError::from_coer(&[0x89, 0x01, 0x00]).unwrap(),
        ScmsError::Unknown(_)
    ));
    let text = cases[3].0.to_value().notation("ScmsError");
    assert!(
        text.contains("la-ma : la-ma-linkage-seed-error : laInvalidLinkageValue"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------
// Base types
// ---------------------------------------------------------------------------------

#[test]
fn base_types_round_trip() {
    let plv = ToBeEncryptedIndividualPLV {
        i_value: 0x0102,
        plv: [9; 9],
    };
    assert_eq!(rt(&plv), vec![0x01, 0x02, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    let gi = ToBeEncryptedGroupIndex {
        padding: ZERO8,
        group_identifier: [1, 2, 3, 4],
        j: 5,
    };
    assert_eq!(
        rt(&gi),
        vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 5]
    );
    rt(&ToBeEncryptedGroupPLV {
        i_value: 1,
        j: 2,
        plv: [3; 9],
    });
    rt(&EncryptedPlvAndHostInfo {
        encrypted_plv: enc_plv(1),
        hostname: hn("la1.test.v2xscms.com"),
    });
    rt(&EncryptedGroupPlvAndHostInfo {
        encrypted_gplv: enc_gplv(2),
        hostname: hn("la2.test.v2xscms.com"),
    });
    rt(&HPCRAndHostInfo {
        hpcr: [4; 32],
        hostname: hn("pca.test.v2xscms.com"),
    });
    let lci = LCIAndHostInfo {
        i_max: [0, 0, 0, 9],
        la1_lci: enc_data(5),
        la2_lci: enc_data(6),
        la1_id: hn("la1"),
        la2_id: hn("la2"),
    };
    rt(&lci);
    let text = lci.to_value().notation("LCIAndHostInfo");
    assert!(text.contains("la1-lci"), "{text}");
    rt(&SignatureAndSignerIdentifier {
        signer: SignerIdentifier::SelfSigned(()),
        signature: sig(7),
    });
    rt(&LinkageSeedAndLaId {
        linkage_seed: [8; 16],
        la_id: [0, 1],
    });
    let text = enc_plv(3).to_value().notation("EncryptedIndividualPLV");
    assert!(text.contains("enc-plv"), "{text}");
}
