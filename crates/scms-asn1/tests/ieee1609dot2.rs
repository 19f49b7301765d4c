//! The IEEE 1609.2 modules: round trips of certificates, SPDUs and CRLs (2016 and 2022
//! forms), hand-checked encodings, a seed fixture and hostile inputs.

use scms_asn1::coer::{Coer, OctetString, Utf8String, VarInt, VarUint};
use scms_asn1::ieee1609dot2::wsa;
use scms_asn1::ieee1609dot2::*;

fn rt<T: Coer + PartialEq + std::fmt::Debug>(v: &T) -> Vec<u8> {
    let enc = v.to_coer();
    match T::from_coer(&enc) {
        Ok(back) => assert_eq!(&back, v, "round trip of {}", T::NAME),
        Err(e) => panic!("{} does not decode its own encoding: {e}", T::NAME),
    }
    enc
}

fn point(b: u8) -> EccP256CurvePoint {
    EccP256CurvePoint::CompressedY0([b; 32])
}

fn validity() -> ValidityPeriod {
    ValidityPeriod {
        start: 0x1234_5678,
        duration: Duration::Years(3),
    }
}

fn sig() -> Signature {
    Signature::EcdsaNistP256Signature(EcdsaP256Signature {
        r: EccP256CurvePoint::XOnly([0x11; 32]),
        s: [0x22; 32],
    })
}

fn tbs_minimal(vki: VerificationKeyIndicator) -> ToBeSignedCertificate {
    ToBeSignedCertificate {
        id: CertificateId::None(()),
        craca_id: [0; 3],
        crl_series: 1,
        validity_period: validity(),
        region: None,
        assurance_level: None,
        app_permissions: Some(vec![PsidSsp {
            psid: Psid::new(0x20),
            ssp: None,
        }]),
        cert_issue_permissions: None,
        cert_request_permissions: None,
        can_request_rollover: None,
        encryption_key: None,
        verify_key_indicator: vki,
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
    }
}

fn explicit_cert() -> Certificate {
    let mut tbs = tbs_minimal(VerificationKeyIndicator::VerificationKey(
        PublicVerificationKey::EcdsaNistP256(point(0x33)),
    ));
    tbs.id = CertificateId::Name(Utf8String("pca.example".into()));
    tbs.region = Some(GeographicRegion::IdentifiedRegion(vec![
        IdentifiedRegion::CountryOnly(840),
        IdentifiedRegion::CountryAndRegions(CountryAndRegions {
            country_only: 124,
            regions: vec![1, 2, 3],
        }),
        IdentifiedRegion::CountryAndSubregions(CountryAndSubregions {
            country: 276,
            region_and_subregions: vec![RegionAndSubregions {
                region: 9,
                subregions: vec![1, 0xffff],
            }],
        }),
    ]));
    tbs.assurance_level = Some([0xe0]);
    tbs.app_permissions = Some(vec![
        PsidSsp {
            psid: Psid::new(0x20),
            ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![
                0, 1, 2,
            ]))),
        },
        PsidSsp {
            psid: Psid::new(0x2000_0000),
            ssp: Some(ServiceSpecificPermissions::BitmapSsp(OctetString(vec![
                0x80,
            ]))),
        },
    ]);
    tbs.cert_issue_permissions = Some(vec![
        PsidGroupPermissions {
            subject_permissions: SubjectPermissions::Explicit(vec![
                PsidSspRange {
                    psid: Psid::new(0x23),
                    ssp_range: Some(SspRange::Opaque(vec![OctetString(vec![1])])),
                },
                PsidSspRange {
                    psid: Psid::new(0x24),
                    ssp_range: Some(SspRange::BitmapSspRange(BitmapSspRange {
                        ssp_value: OctetString(vec![0x01, 0x00]),
                        ssp_bitmask: OctetString(vec![0xff, 0x00]),
                    })),
                },
                PsidSspRange {
                    psid: Psid::new(0x25),
                    ssp_range: None,
                },
            ]),
            min_chain_depth: VarInt(2),
            chain_depth_range: VarInt(-1),
            ee_type: EndEntityType::with(&[EndEntityType::app, EndEntityType::enrol]),
        },
        PsidGroupPermissions {
            subject_permissions: SubjectPermissions::All(()),
            min_chain_depth: VarInt(1),
            chain_depth_range: VarInt(0),
            ee_type: EndEntityType::with(&[EndEntityType::app]),
        },
    ]);
    tbs.cert_request_permissions = Some(vec![PsidGroupPermissions {
        subject_permissions: SubjectPermissions::All(()),
        min_chain_depth: VarInt(0),
        chain_depth_range: VarInt(0),
        ee_type: EndEntityType::with(&[EndEntityType::enrol]),
    }]);
    tbs.can_request_rollover = Some(());
    tbs.encryption_key = Some(PublicEncryptionKey {
        supported_symm_alg: SymmAlgorithm::Aes128Ccm,
        public_key: BasePublicEncryptionKey::EciesNistP256(EccP256CurvePoint::Uncompressed(
            EccP256CurvePointUncompressed {
                x: [0x44; 32],
                y: [0x55; 32],
            },
        )),
    });
    CertificateBase {
        version: 3,
        r#type: CertificateType::Explicit,
        issuer: IssuerIdentifier::Sha256AndDigest([0xab; 8]),
        to_be_signed: tbs,
        signature: Some(sig()),
    }
}

fn implicit_cert() -> Certificate {
    let mut tbs = tbs_minimal(VerificationKeyIndicator::ReconstructionValue(
        EccP256CurvePoint::CompressedY1([0x66; 32]),
    ));
    tbs.id = CertificateId::LinkageData(LinkageData {
        i_cert: 7,
        linkage_value: [9; 9],
        group_linkage_value: Some(GroupLinkageValue {
            j_value: [1, 2, 3, 4],
            value: [5; 9],
        }),
    });
    tbs.region = Some(GeographicRegion::CircularRegion(CircularRegion {
        center: TwoDLocation {
            latitude: NinetyDegreeInt(423_000_000),
            longitude: OneEightyDegreeInt(-830_000_000),
        },
        radius: 5000,
    }));
    tbs.validity_period.duration = Duration::SixtyHours(1);
    CertificateBase {
        version: 3,
        r#type: CertificateType::Implicit,
        issuer: IssuerIdentifier::Sha256AndDigest([0xcd; 8]),
        to_be_signed: tbs,
        signature: None,
    }
}

fn cert_2022() -> Certificate {
    let mut c = explicit_cert();
    let tbs = &mut c.to_be_signed;
    tbs.flags = Some(CertificateFlags::with(&[CertificateFlags::usesCubk]));
    // OperatingOrganizationId: the OID 1.3.6.1 as an open type (BER/OER contents 06 03 2b 06 01).
    tbs.app_extensions = Some(vec![AppExtension {
        id: CERT_EXT_ID_OPERATING_ORGANIZATION,
        content: OctetString(vec![0x06, 0x03, 0x2b, 0x06, 0x01]),
    }]);
    tbs.cert_issue_extensions = Some(vec![CertIssueExtension {
        id: CERT_EXT_ID_OPERATING_ORGANIZATION,
        permissions: CertIssueExtensionPermissions::All(()),
    }]);
    tbs.cert_request_extension = Some(vec![CertRequestExtension {
        id: CERT_EXT_ID_OPERATING_ORGANIZATION,
        permissions: CertRequestExtensionPermissions::Content(OctetString(vec![])),
    }]);
    c.issuer = IssuerIdentifier::Sha384AndDigest([0xef; 8]);
    c.signature = Some(Signature::EcdsaNistP384Signature(EcdsaP384Signature {
        r_sig: EccP384CurvePoint::XOnly([0x77; 48]),
        s_sig: [0x88; 48],
    }));
    c
}

#[test]
fn explicit_certificate_byte_exact() {
    let c = CertificateBase {
        version: 3,
        r#type: CertificateType::Explicit,
        issuer: IssuerIdentifier::Sha256AndDigest([0xab; 8]),
        to_be_signed: tbs_minimal(VerificationKeyIndicator::VerificationKey(
            PublicVerificationKey::EcdsaNistP256(point(0x33)),
        )),
        signature: Some(sig()),
    };
    let mut want = vec![0x80, 0x03, 0x00, 0x80];
    want.extend([0xab; 8]);
    // tbs: preamble (appPermissions), id none, cracaId, crlSeries, validity (years 3)
    want.extend([
        0x10, 0x83, 0, 0, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78, 0x86, 0x00, 0x03,
    ]);
    // appPermissions: quantity 1, PsidSsp { psid 0x20 }
    want.extend([0x01, 0x01, 0x00, 0x01, 0x20]);
    // verificationKey ecdsaNistP256 compressed-y-0
    want.extend([0x80, 0x80, 0x82]);
    want.extend([0x33; 32]);
    // signature ecdsaNistP256Signature { x-only r, s }
    want.extend([0x80, 0x80]);
    want.extend([0x11; 32]);
    want.extend([0x22; 32]);
    assert_eq!(rt(&c), want);
}

#[test]
fn certificates_round_trip() {
    let e = explicit_cert();
    rt(&e);
    let i = implicit_cert();
    rt(&i);
    rt(&vec![e, i]);
    let text = explicit_cert().to_value().notation("Certificate");
    assert!(text.contains("type explicit"), "{text}");
    assert!(text.contains("compressed-y-0"), "{text}");
    let text = implicit_cert().to_value().notation("Certificate");
    assert!(text.contains("linkage-value"), "{text}");
    assert!(text.contains("group-linkage-value"), "{text}");
}

#[test]
fn psid_group_permissions_defaults_are_not_encoded() {
    let p = PsidGroupPermissions {
        subject_permissions: SubjectPermissions::All(()),
        min_chain_depth: VarInt(1),
        chain_depth_range: VarInt(0),
        ee_type: EndEntityType::with(&[EndEntityType::app]),
    };
    assert_eq!(rt(&p), vec![0x00, 0x81]);
    let enrol = PsidGroupPermissions {
        min_chain_depth: VarInt(0),
        ee_type: EndEntityType::with(&[EndEntityType::enrol]),
        ..p
    };
    assert_eq!(rt(&enrol), vec![0xa0, 0x81, 0x01, 0x00, 0x40]);
    // DEFAULT value sent explicitly is refused.
    assert!(PsidGroupPermissions::from_coer(&[0x80, 0x81, 0x01, 0x01]).is_err());
}

#[test]
fn certificate_with_2022_extensions() {
    let c = cert_2022();
    let enc = rt(&c);
    // The ToBeSignedCertificate preamble has its extension bit set.
    let tbs = c.to_be_signed.to_coer();
    assert_eq!(tbs[0] & 0x80, 0x80);
    // Extension bitmap (4 additions, all present) then the four open types.
    let tail: Vec<u8> = [
        vec![0x02, 0x04, 0xf0],
        vec![0x01, 0x80], // flags {usesCubk}
        vec![0x09, 0x01, 0x01, 0x01, 0x05, 0x06, 0x03, 0x2b, 0x06, 0x01], // appExtensions
        vec![0x04, 0x01, 0x01, 0x01, 0x81], // certIssueExtensions: all
        vec![0x05, 0x01, 0x01, 0x01, 0x80, 0x00], // certRequestExtension: content ''
    ]
    .concat();
    assert!(tbs.ends_with(&tail), "{}", hex::encode(&tbs));
    assert!(enc.windows(tbs.len()).any(|w| w == tbs.as_slice()));
    // A 2016-only certificate has no extension bit.
    assert_eq!(explicit_cert().to_be_signed.to_coer()[0] & 0x80, 0);
    let text = c.to_value().notation("Certificate");
    assert!(text.contains("usesCubk"), "{text}");
    assert!(text.contains("appExtensions"), "{text}");
}

#[test]
fn unknown_extension_additions_are_skipped_or_kept() {
    // A ToBeSignedCertificate with a fifth (future) extension addition decodes, dropping it.
    let c = cert_2022();
    let mut tbs = c.to_be_signed.to_coer();
    let tail_at = tbs.len() - 26;
    assert_eq!(&tbs[tail_at..tail_at + 3], &[0x02, 0x04, 0xf0]);
    tbs[tail_at + 1] = 0x03;
    tbs[tail_at + 2] = 0xf8;
    tbs.extend([0x02, 0xaa, 0xbb]);
    let back = ToBeSignedCertificate::from_coer(&tbs);
    assert_eq!(back.ok().as_ref(), Some(&c.to_be_signed));
    // An unknown Signature alternative is kept as bytes and re-encoded unchanged.
    let future = [0x85, 0x03, 0x01, 0x02, 0x03];
    let s = Signature::from_coer(&future);
    assert!(matches!(s, Ok(Signature::Unknown(_))));
    assert_eq!(s.map(|s| s.to_coer()).ok(), Some(future.to_vec()));
    // A non-extensible CHOICE refuses an unknown alternative.
    assert!(Duration::from_coer(&[0x87, 0x00, 0x01]).is_err());
    assert!(RecipientInfo::from_coer(&[0x85, 0x00]).is_err());
}

fn header(psid: u64) -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(psid),
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

fn full_header() -> HeaderInfo {
    HeaderInfo {
        generation_time: Some(0x0001_0203_0405_0607),
        expiry_time: Some(u64::MAX),
        generation_location: Some(ThreeDLocation {
            latitude: NinetyDegreeInt::UNKNOWN,
            longitude: OneEightyDegreeInt::MIN,
            elevation: 0xf000,
        }),
        p2pcd_learning_request: Some([1, 2, 3]),
        missing_crl_identifier: Some(MissingCrlIdentifier {
            craca_id: [4, 5, 6],
            crl_series: 7,
        }),
        encryption_key: Some(EncryptionKey::Symmetric(SymmetricEncryptionKey::Aes128Ccm(
            [8; 16],
        ))),
        inline_p2pcd_request: Some(vec![[1, 1, 1], [2, 2, 2]]),
        requested_certificate: Some(implicit_cert()),
        pdu_functional_type: Some(TLS_HANDSHAKE),
        contributed_extensions: Some(vec![ContributedExtensionBlock {
            contributor_id: ETSI_HEADER_INFO_CONTRIBUTOR_ID,
            extns: vec![OctetString(vec![0xde, 0xad]), OctetString(vec![])],
        }]),
        ..header(0x8003)
    }
}

fn signed(
    signer: SignerIdentifier,
    header_info: HeaderInfo,
    inner: Ieee1609Dot2Data,
) -> Ieee1609Dot2Data {
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(SignedData {
            hash_id: HashAlgorithm::Sha256,
            tbs_data: ToBeSignedData {
                payload: SignedDataPayload {
                    data: Some(Box::new(inner)),
                    ext_data_hash: None,
                    omitted: None,
                },
                header_info,
            },
            signer,
            signature: sig(),
        })),
    }
}

fn unsecured(b: &[u8]) -> Ieee1609Dot2Data {
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(OctetString(b.to_vec())),
    }
}

#[test]
fn unsecured_and_header_byte_exact() {
    assert_eq!(rt(&unsecured(b"hi")), vec![0x03, 0x80, 0x02, 0x68, 0x69]);
    assert_eq!(rt(&header(0x20)), vec![0x00, 0x01, 0x20]);
    let h = HeaderInfo {
        pdu_functional_type: Some(ISO21177_EXTENDED_AUTH),
        ..header(0x20)
    };
    assert_eq!(rt(&h), vec![0x80, 0x01, 0x20, 0x02, 0x04, 0x20, 0x01, 0x02]);
    let h = HeaderInfo {
        generation_time: Some(1),
        ..header(0x8003)
    };
    assert_eq!(rt(&h), vec![0x40, 0x02, 0x80, 0x03, 0, 0, 0, 0, 0, 0, 0, 1]);
}

#[test]
fn signed_data_with_each_signer() {
    let signers = [
        SignerIdentifier::Digest([0x5a; 8]),
        SignerIdentifier::Certificate(vec![explicit_cert(), cert_2022()]),
        SignerIdentifier::SelfSigned(()),
    ];
    for signer in signers {
        rt(&signed(signer.clone(), header(0x20), unsecured(b"payload")));
        rt(&signed(signer, full_header(), unsecured(b"")));
    }
    // Nested: signed inside signed; extDataHash only (a countersignature) and `omitted`.
    let inner = signed(
        SignerIdentifier::SelfSigned(()),
        header(0x23),
        unsecured(b"x"),
    );
    let outer = signed(SignerIdentifier::Digest([1; 8]), full_header(), inner);
    rt(&outer);
    let counter: Countersignature = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(SignedData {
            hash_id: HashAlgorithm::Sha384,
            tbs_data: ToBeSignedData {
                payload: SignedDataPayload {
                    data: None,
                    ext_data_hash: Some(HashedData::Sha256HashedData([0x99; 32])),
                    omitted: Some(()),
                },
                header_info: HeaderInfo {
                    generation_time: Some(42),
                    ..header(0x20)
                },
            },
            signer: SignerIdentifier::Digest([2; 8]),
            signature: Signature::Sm2Signature(EcsigP256Signature {
                r_sig: [3; 32],
                s_sig: [4; 32],
            }),
        })),
    };
    rt(&counter);
    let text = outer.to_value().notation("Ieee1609Dot2Data");
    assert!(text.contains("self : NULL"), "{text}");
    assert!(text.contains("contributedExtensions"), "{text}");
}

#[test]
fn encrypted_data_with_each_recipient_kind() {
    let ct = SymmetricCiphertext::Aes128ccm(AesCcmCiphertext {
        nonce: [0x0c; 12],
        ccm_ciphertext: OctetString(vec![0xcc; 40]),
    });
    let ecies = EciesP256EncryptedKey {
        v: point(0x12),
        c: [0x34; 16],
        t: [0x56; 16],
    };
    let pk = |k: EncryptedDataEncryptionKey| PKRecipientInfo {
        recipient_id: [0x78; 8],
        enc_key: k,
    };
    let recipients = vec![
        RecipientInfo::PskRecipInfo([0x01; 8]),
        RecipientInfo::SymmRecipInfo(SymmRecipientInfo {
            recipient_id: [0x02; 8],
            enc_key: ct.clone(),
        }),
        RecipientInfo::CertRecipInfo(pk(EncryptedDataEncryptionKey::EciesNistP256(ecies.clone()))),
        RecipientInfo::SignedDataRecipInfo(pk(EncryptedDataEncryptionKey::EciesBrainpoolP256r1(
            ecies.clone(),
        ))),
        RecipientInfo::RekRecipInfo(pk(EncryptedDataEncryptionKey::EcencSm2256(
            EcencP256EncryptedKey {
                v: EccP256CurvePoint::Fill(()),
                c: [0x9a; 16],
                t: [0xbc; 32],
            },
        ))),
    ];
    for r in &recipients {
        let d = Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(EncryptedData {
                recipients: vec![r.clone()],
                ciphertext: ct.clone(),
            }),
        };
        rt(&d);
    }
    let all = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::EncryptedData(EncryptedData {
            recipients,
            ciphertext: SymmetricCiphertext::Sm4Ccm(AesCcmCiphertext {
                nonce: [0; 12],
                ccm_ciphertext: OctetString(vec![]),
            }),
        }),
    };
    rt(&all);
    // A pskRecipInfo-only EncryptedData, by hand.
    let d = EncryptedData {
        recipients: vec![RecipientInfo::PskRecipInfo([0x01; 8])],
        ciphertext: SymmetricCiphertext::Aes128ccm(AesCcmCiphertext {
            nonce: [0x0c; 12],
            ccm_ciphertext: OctetString(vec![0xee]),
        }),
    };
    let mut want = vec![0x01, 0x01, 0x80];
    want.extend([0x01; 8]);
    want.push(0x80);
    want.extend([0x0c; 12]);
    want.extend([0x01, 0xee]);
    assert_eq!(rt(&d), want);
}

#[test]
fn seed_004_signed_certificate_request_fixture() {
    let hex_text = concat!(
        "038381a500018180000119b0f0604481066f6265656e72000000000419b0f0608410e083010380007c8001e48003480101808",
        "0010280012080010080012680010001008080838751d2fdc5d7bf8cce4a7face5e5ad7b92fa6b8ca0b202fbc93cbc08412aa934",
        "828080301d57f8d01e98c685428c49328be8164bae24e18d46030048911c5fd4275df73121b89c7919fd75d7ab411cfb254a446",
        "60997f7b1ae9235f2d0f19491988265",
    );
    let bytes = hex::decode(hex_text).unwrap();
    assert_eq!(bytes.len(), 169);
    let d = Ieee1609Dot2Data::from_coer(&bytes).unwrap();
    assert_eq!(d.protocol_version, 3);
    match &d.content {
        Ieee1609Dot2Content::SignedCertificateRequest(o) => {
            assert_eq!(o.as_bytes().len(), 165);
            assert_eq!(o.as_bytes(), &bytes[4..]);
        }
        other => panic!("unexpected content {other:?}"),
    }
    assert_eq!(d.to_coer(), bytes);
}

#[test]
fn hostile_recipient_count_is_refused() {
    // Ieee1609Dot2Data { 3, encryptedData { recipients: quantity 2^40, ... } } in 71 bytes.
    let mut bad = vec![0x03, 0x82, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
    bad.resize(71, 0x00);
    assert_eq!(bad.len(), 71);
    assert!(Ieee1609Dot2Data::from_coer(&bad).is_err());
    // Same with plausible-looking recipient bytes after the count.
    let mut bad2 = vec![0x03, 0x82, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
    while bad2.len() < 71 {
        bad2.push(0x80);
        bad2.extend([0x01; 8]);
    }
    bad2.truncate(71);
    assert!(Ieee1609Dot2Data::from_coer(&bad2).is_err());
    // Truncations of a valid SPDU are errors, never panics.
    let good = signed(
        SignerIdentifier::Certificate(vec![cert_2022()]),
        full_header(),
        unsecured(b"abc"),
    )
    .to_coer();
    for n in 0..good.len() {
        assert!(
            Ieee1609Dot2Data::from_coer(&good[..n]).is_err(),
            "prefix {n}"
        );
    }
}

#[test]
fn basic_types_byte_exact_and_ranges() {
    assert_eq!(rt(&Duration::Hours(168)), vec![0x84, 0x00, 0xa8]);
    assert_eq!(rt(&Psid::new(0x20)), vec![0x01, 0x20]);
    assert_eq!(rt(&Psid::new(0x2000_0000)), vec![0x04, 0x20, 0, 0, 0]);
    assert!(Psid::from_coer(&[0x02, 0x00, 0x20]).is_err()); // not minimal
    assert_eq!(rt(&Uint3(7)), vec![0x07]);
    assert!(Uint3::from_coer(&[0x08]).is_err());
    // Latitude (-900000000..900000001) is a signed 4-octet integer.
    assert_eq!(
        rt(&NinetyDegreeInt::MIN),
        (-900_000_000i32).to_be_bytes().to_vec()
    );
    assert!(NinetyDegreeInt::from_coer(&900_000_002i32.to_be_bytes()).is_err());
    assert!(OneEightyDegreeInt::from_coer(&(-1_800_000_000i32).to_be_bytes()).is_err());
    rt(&OneEightyDegreeInt::UNKNOWN);
    // Curve points.
    let mut u = vec![0x84];
    u.extend([1; 32]);
    u.extend([2; 32]);
    assert_eq!(
        rt(&EccP256CurvePoint::Uncompressed(
            EccP256CurvePointUncompressed {
                x: [1; 32],
                y: [2; 32]
            }
        )),
        u
    );
    assert_eq!(rt(&EccP256CurvePoint::Fill(())), vec![0x81]);
    rt(&EccP384CurvePoint::UncompressedP384(
        EccP384CurvePointUncompressed {
            x: [1; 48],
            y: [2; 48],
        },
    ));
    // Hostname is at most 255 characters.
    let long = Utf8String::<0, 1000>("a".repeat(256)).to_coer();
    assert!(Hostname::from_coer(&long).is_err());
    // Enumerated extension values.
    assert_eq!(rt(&HashAlgorithm::Sm3), vec![0x02]);
    assert_eq!(rt(&SymmAlgorithm::Sm4Ccm), vec![0x01]);
    assert!(CertificateType::from_coer(&[0x02]).is_err());
    // Regions.
    rt(&GeographicRegion::RectangularRegion(vec![
        RectangularRegion {
            north_west: TwoDLocation {
                latitude: NinetyDegreeInt(1),
                longitude: OneEightyDegreeInt(2),
            },
            south_east: TwoDLocation {
                latitude: NinetyDegreeInt(-1),
                longitude: OneEightyDegreeInt(-2),
            },
        },
    ]));
    let tri: PolygonalRegion = (0..3)
        .map(|i| TwoDLocation {
            latitude: NinetyDegreeInt(i),
            longitude: OneEightyDegreeInt(-i),
        })
        .collect();
    rt(&GeographicRegion::PolygonalRegion(tri));
    rt(&PublicVerificationKey::EcsigSm2(point(1)));
    rt(&PublicVerificationKey::EcdsaBrainpoolP384r1(
        EccP384CurvePoint::CompressedY1([3; 48]),
    ));
    rt(&BasePublicEncryptionKey::EcencSm2(point(2)));
    rt(&EncryptionKey::Public(PublicEncryptionKey {
        supported_symm_alg: SymmAlgorithm::Sm4Ccm,
        public_key: BasePublicEncryptionKey::EciesBrainpoolP256r1(point(4)),
    }));
    rt(&SymmetricEncryptionKey::Sm4Ccm([5; 16]));
    rt(&HashedData::Sha384HashedData([6; 48]));
    rt(&HashedData::Sm3HashedData([7; 32]));
    rt(&IssuerIdentifier::SelfSigned(HashAlgorithm::Sha384));
    rt(&IssuerIdentifier::Sm3AndDigest([8; 8]));
    rt(&CertificateId::BinaryId(OctetString(vec![1; 64])));
    assert!(CertificateId::from_coer(&[0x82, 0x00]).is_err()); // SIZE(1..64)
    rt(&Ieee1609Dot2Content::SignedX509CertificateRequest(
        OctetString(vec![1, 2]),
    ));
    rt(&VarUint(0));
}

fn hash_crl() -> CrlContents {
    CrlContents {
        version: 1,
        crl_series: 4,
        craca_id: [0x10; 8],
        issue_date: 0x1000_0000,
        next_crl: 0x1001_0000,
        priority_info: CrlPriorityInfo { priority: Some(2) },
        type_specific: CrlContentsTypeSpecific::FullHashCrl(ToBeSignedHashIdCrl {
            crl_serial: 9,
            entries: vec![
                HashBasedRevocationInfo {
                    id: [0xaa; 10],
                    expiry: 0x2000_0000,
                },
                HashBasedRevocationInfo {
                    id: [0xbb; 10],
                    expiry: 0x2000_0001,
                },
            ],
        }),
    }
}

fn linked_crl(delta: bool) -> CrlContents {
    let tbs = ToBeSignedLinkageValueCrl {
        i_value: 100,
        index_within_i: 0,
        individual: Some(vec![JMaxGroup {
            jmax: 20,
            contents: vec![LAGroup {
                la1_id: [0, 1],
                la2_id: [0, 2],
                contents: vec![IMaxGroup {
                    i_max: 200,
                    contents: vec![
                        IndividualRevocation {
                            linkage_seed1: [1; 16],
                            linkage_seed2: [2; 16],
                        },
                        IndividualRevocation {
                            linkage_seed1: [3; 16],
                            linkage_seed2: [4; 16],
                        },
                    ],
                }],
            }],
        }]),
        groups: Some(vec![GroupCrlEntry {
            i_max: 300,
            la1_id: [0, 1],
            linkage_seed1: [5; 16],
            la2_id: [0, 2],
            linkage_seed2: [6; 16],
        }]),
    };
    CrlContents {
        type_specific: if delta {
            CrlContentsTypeSpecific::DeltaLinkedCrl(ToBeSignedLinkageValueCrl {
                groups: None,
                ..tbs
            })
        } else {
            CrlContentsTypeSpecific::FullLinkedCrl(tbs)
        },
        priority_info: CrlPriorityInfo { priority: None },
        ..hash_crl()
    }
}

#[test]
fn crl_contents_round_trip() {
    rt(&hash_crl());
    rt(&linked_crl(false));
    rt(&linked_crl(true));
    let delta_hash = CrlContents {
        type_specific: CrlContentsTypeSpecific::DeltaHashCrl(ToBeSignedHashIdCrl {
            crl_serial: 10,
            entries: vec![],
        }),
        ..hash_crl()
    };
    rt(&delta_hash);
    // Byte-exact: the start of the hash CRL.
    let enc = hash_crl().to_coer();
    let mut want = vec![0x01, 0x00, 0x04];
    want.extend([0x10; 8]);
    want.extend([0x10, 0, 0, 0, 0x10, 0x01, 0, 0]);
    want.extend([0x40, 0x02]); // CrlPriorityInfo { priority 2 }
    want.extend([0x80, 0x00, 0, 0, 0, 9, 0x01, 0x02]); // fullHashCrl, serial, 2 entries
    assert!(enc.starts_with(&want), "{}", hex::encode(&enc));
    assert_eq!(enc.len(), want.len() + 2 * 14);
    let text = linked_crl(false).to_value().notation("CrlContents");
    assert!(text.contains("linkage-seed1"), "{text}");
    // A SecuredCrl carries the CRL contents as unsecured data signed under CRL_PSID.
    let secured: SecuredCrl = signed(
        SignerIdentifier::Digest([0x42; 8]),
        header(CRL_PSID.0 .0),
        unsecured(&linked_crl(false).to_coer()),
    );
    let back = rt(&secured);
    let d = Ieee1609Dot2Data::from_coer(&back).unwrap();
    let Ieee1609Dot2Content::SignedData(sd) = d.content else {
        panic!("not signed")
    };
    let Some(inner) = sd.tbs_data.payload.data else {
        panic!("no data")
    };
    let Ieee1609Dot2Content::UnsecuredData(o) = inner.content else {
        panic!("not unsecured")
    };
    assert_eq!(
        CrlContents::from_coer(o.as_bytes()).unwrap(),
        linked_crl(false)
    );
}

#[test]
fn crl_ssp_request_p2p_and_wsa_round_trip() {
    let ssp = CrlSsp {
        version: 1,
        associated_craca: CracaType::IssuerIsCraca,
        crls: vec![1, 2, 0xffff],
    };
    assert_eq!(
        rt(&ssp),
        vec![0x00, 0x01, 0x01, 0x01, 0x03, 0, 1, 0, 2, 0xff, 0xff]
    );
    rt(&CrlRequest {
        content: OctetString(vec![1, 2, 3]),
    });
    let p2p = Ieee1609dot2Peer2PeerPDU {
        version: 1,
        content: Ieee1609dot2Peer2PeerPDUContent::CaCerts(vec![explicit_cert(), implicit_cert()]),
    };
    rt(&p2p);
    let crl = Ieee1609dot2Peer2PeerPDU {
        version: 1,
        content: Ieee1609dot2Peer2PeerPDUContent::Crl(()),
    };
    assert_eq!(rt(&crl), vec![0x01, 0x81]);

    let chan = wsa::protocol::ChannelIdentifier {
        country_string: *b"US ",
        operating_class: 17,
        channel_number: 172,
    };
    let proto = wsa::protocol::WsaSsp {
        version: 1,
        advertiser_permissions: Some(vec![chan.clone()]),
        provider_permissions: Some(vec![wsa::protocol::ChannelSpecificProviderPermission {
            channel_id: chan,
            permitted_psids: Some(vec![Psid::new(0x20), Psid::new(0x8003)]),
            permitted_psid_ssp_range: Some(vec![PsidSspRange {
                psid: Psid::new(0x20),
                ssp_range: Some(SspRange::All(())),
            }]),
            permitted_edca_parameters: Some(vec![
                wsa::protocol::EdcaIdentifier::Enum(
                    wsa::protocol::EnumeratedEdcaIdentifier::UsJ2945Bsm,
                ),
                wsa::protocol::EdcaIdentifier::Explicit(wsa::protocol::ExplicitEdcaIdentifier {
                    qos_info: 1,
                    reserved: 0,
                    set1: [1; 4],
                    set2: [2; 4],
                    set3: [3; 4],
                    set4: [4; 4],
                }),
            ]),
        }]),
    };
    rt(&proto);
    let text = proto.to_value().notation("WsaSsp");
    assert!(text.contains("us-j2945-bsm"), "{text}");
    let s = wsa::ssp::WsaSsp {
        version: 1,
        advertiser_permissions: None,
        provider_permissions: Some(vec![wsa::ssp::ChannelSpecificProviderPermission {
            channel_id: wsa::ssp::ChannelIdentifier {
                country_string: *b"US ",
                operating_class: 17,
                channel_number: 178,
            },
            permitted_psids: None,
            permitted_edca_parameters: None,
            maximum_transmit_power: Some(20),
        }]),
    };
    assert_eq!(
        rt(&s),
        vec![0x20, 0x01, 0x01, 0x01, 0x10, b'U', b'S', b' ', 17, 178, 20]
    );
}

#[test]
fn mutated_inputs_never_panic_and_decode_stably() {
    let samples: Vec<Vec<u8>> = vec![
        cert_2022().to_coer(),
        signed(
            SignerIdentifier::Certificate(vec![implicit_cert()]),
            full_header(),
            unsecured(b"abc"),
        )
        .to_coer(),
        linked_crl(false).to_coer(),
    ];
    for good in &samples {
        for i in 0..good.len() {
            for x in [0x00u8, 0x01, 0x7f, 0x80, 0xff, good[i] ^ 0x20] {
                let mut m = good.clone();
                m[i] = x;
                // Whatever decodes must re-encode to something that decodes to the same value.
                if let Ok(v) = Ieee1609Dot2Data::from_coer(&m) {
                    assert_eq!(Ieee1609Dot2Data::from_coer(&v.to_coer()).ok(), Some(v));
                }
                if let Ok(v) = Certificate::from_coer(&m) {
                    assert_eq!(Certificate::from_coer(&v.to_coer()).ok(), Some(v));
                }
                if let Ok(v) = CrlContents::from_coer(&m) {
                    assert_eq!(CrlContents::from_coer(&v.to_coer()).ok(), Some(v));
                }
            }
        }
    }
}
