//! The CAMP SCMS interface modules (eca-ee, ee-ra, ee-ma, la-ra, la-pca, la-ma,
//! ma-pca, ma-ra, pca-ra, ra-pg): every alternative of every interface PDU round-trips
//! through COER, a few encodings are checked byte by byte, and truncated or mangled
//! encodings are refused without a panic.
//!
//! Nested IEEE 1609.2 and SCMS base values (certificates, encrypted data,
//! countersignatures, errors) are built from hand-written COER bytes, so that these
//! tests also cross-check those modules' encodings.

use scms_asn1::camp::base_types::*;
use scms_asn1::camp::component_cert_management::CompositeCrl;
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
use scms_asn1::camp::ra_pg::*;
use scms_asn1::coer::{Coer, DecodeError, OctetString, Utf8String, VarInt};
use scms_asn1::ieee1609dot2::*;
use std::fmt::Debug;

// ---------------------------------------------------------------------------
// Byte builders and checks
// ---------------------------------------------------------------------------

/// Concatenates byte slices.
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A COER length determinant followed by the bytes.
fn lp(b: &[u8]) -> Vec<u8> {
    let n = b.len();
    let mut out = if n < 128 {
        vec![n as u8]
    } else if n < 256 {
        vec![0x81, n as u8]
    } else {
        vec![0x82, (n >> 8) as u8, n as u8]
    };
    out.extend_from_slice(b);
    out
}

/// Decodes hand-written bytes of a nested type, which must be canonical.
fn dec<T: Coer + Debug>(b: &[u8]) -> T {
    let v = T::from_coer(b).unwrap_or_else(|e| panic!("{}: {e:?} in {}", T::NAME, hex(b)));
    assert_eq!(
        v.to_coer(),
        b,
        "{} does not re-encode to its bytes",
        T::NAME
    );
    v
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn host(s: &str) -> Hostname {
    Utf8String(s.to_string())
}

/// Round-trips `v`, checks that the encoding is canonical, prints it as value
/// notation, and that every truncation and a trailing byte are refused.
fn check<T: Coer + PartialEq + Debug>(v: &T) -> Vec<u8> {
    let enc = v.to_coer();
    let back = T::from_coer(&enc).unwrap_or_else(|e| panic!("{}: {e:?} in {}", T::NAME, hex(&enc)));
    assert_eq!(&back, v, "{} does not round-trip", T::NAME);
    assert_eq!(back.to_coer(), enc);
    let text = v.to_value().notation(T::NAME);
    assert!(text.starts_with("value "), "{text}");
    refuses_truncations::<T>(&enc);
    let mut longer = enc.clone();
    longer.push(0);
    assert!(
        matches!(
            T::from_coer(&longer),
            Err(DecodeError::TrailingBytes { .. })
        ),
        "{}: trailing byte accepted",
        T::NAME
    );
    enc
}

/// Every strict prefix of a valid encoding is an error (and never a panic).
fn refuses_truncations<T: Coer + Debug>(enc: &[u8]) {
    for n in 0..enc.len() {
        let r = T::from_coer(&enc[..n]);
        assert!(
            r.is_err(),
            "{}: truncation to {n} of {} bytes accepted: {r:?}",
            T::NAME,
            enc.len()
        );
    }
}

/// Mangles every byte of a valid encoding in a few ways: decoding may succeed or fail
/// but must not panic, and whatever decodes re-encodes to the same bytes.
fn survives_mangling<T: Coer + PartialEq + Debug>(enc: &[u8]) {
    for i in 0..enc.len() {
        for x in [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0xff, enc[i] ^ 0x01] {
            let mut m = enc.to_vec();
            m[i] = x;
            if let Ok(v) = T::from_coer(&m) {
                assert_eq!(v.to_coer(), m, "{}: non-canonical input accepted", T::NAME);
            }
        }
    }
}

/// The hostile-input checks for one interface PDU.
fn hostile<T: Coer + PartialEq + Debug>(pdus: &[T]) {
    for p in pdus {
        let enc = p.to_coer();
        refuses_truncations::<T>(&enc);
        survives_mangling::<T>(&enc);
    }
    // Length and quantity fields claiming far more than there is.
    for junk in [
        &[0x80, 0x00, 0x84, 0xff, 0xff, 0xff, 0xff][..],
        &[
            0x81, 0x00, 0x01, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ][..],
        &[0x80][..],
        &[][..],
    ] {
        let _ = T::from_coer(junk);
    }
}

// --- nested 1609.2 values, as COER bytes ---------------------------------

/// An `EccP256CurvePoint` alternative (`0x80` x-only, `0x82`/`0x83` compressed).
fn point(tag: u8, fill: u8) -> Vec<u8> {
    cat(&[&[tag], &[fill; 32]])
}

/// `SymmetricCiphertext aes128ccm` of `n` ciphertext bytes.
fn symm_ct(n: usize, fill: u8) -> Vec<u8> {
    cat(&[&[0x80], &[0x4e; 12], &lp(&vec![fill; n])])
}

/// `EncryptedData` to one `symmRecipInfo` recipient (PLVs, LCIs).
fn enc_data_symm(fill: u8) -> Vec<u8> {
    cat(&[
        &[0x01, 0x01, 0x81],
        &[fill; 8],
        &symm_ct(16, 0xee),
        &symm_ct(27, fill),
    ])
}

/// `EncryptedData` to one public-key recipient: `0x82` certRecipInfo, `0x84` rekRecipInfo.
fn enc_data_pk(recip: u8, ct_len: usize) -> Vec<u8> {
    cat(&[
        &[0x01, 0x01, recip],
        &[0x71; 8],
        &[0x80],
        &point(0x82, 0x72),
        &[0x73; 16],
        &[0x74; 16],
        &symm_ct(ct_len, 0x75),
    ])
}

/// `EncryptedIndividualPLV`.
fn eplv(la: u8) -> Vec<u8> {
    cat(&[&[0x01, 0x00, la], &enc_data_symm(la)])
}

/// `EncryptedGroupPLV`.
fn egplv(la: u8) -> Vec<u8> {
    cat(&[&[0x01, 0x00, la], &[0x99; 16], &enc_data_symm(la)])
}

/// A `Countersignature`: signedData, extDataHash, psid 35, generationTime.
fn countersig(fill: u8) -> Vec<u8> {
    cat(&[
        &[0x03, 0x81, 0x00],
        &[0x20, 0x80],
        &[fill; 32],
        &[0x40, 0x01, 0x23],
        &[0x00, 0x00, 0x00, 0x05, 0x2e, 0x6d, 0x8f, 0x00],
        &[0x80],
        &[fill; 8],
        &[0x80],
        &point(0x80, 0x61),
        &[0x62; 32],
    ])
}

/// Region: `identifiedRegion { countryOnly 840 }`.
const REGION_USA: &[u8] = &[0x83, 0x01, 0x01, 0x80, 0x03, 0x48];

/// `ToBeSignedCertificate` of an enrollment request: id none, region, certRequest
/// permissions {all}, verificationKey.
fn tbs_enrol_request() -> Vec<u8> {
    cat(&[
        &[0x44, 0x83],
        &[0x00, 0x00, 0x00],
        &[0x00, 0x04],
        &[0x1f, 0x2e, 0x3d, 0x4c, 0x86, 0x00, 0x1e],
        REGION_USA,
        &[0x01, 0x01, 0x00, 0x81],
        &[0x80, 0x80],
        &point(0x83, 0x11),
    ])
}

/// An implicit enrollment certificate (reconstruction value, no signature).
fn cert_enrol_implicit() -> Vec<u8> {
    cat(&[
        &[0x00, 0x03, 0x01, 0x80],
        &[0xa1; 8],
        &[0x44, 0x83],
        &[0xa2, 0xa3, 0xa4],
        &[0x00, 0x04],
        &[0x1f, 0x2e, 0x3d, 0x4c, 0x86, 0x00, 0x1e],
        REGION_USA,
        &[0x01, 0x01, 0x00, 0x81],
        &[0x81],
        &point(0x82, 0x12),
    ])
}

/// An explicit CA certificate: name, certIssuePermissions {all, eeType enrol}, signature.
fn cert_ca_explicit(name: &str) -> Vec<u8> {
    cat(&[
        &[0x80, 0x03, 0x00, 0x80],
        &[0xb1; 8],
        &[0x48, 0x81],
        &lp(name.as_bytes()),
        &[0xb2, 0xb3, 0xb4],
        &[0x00, 0x02],
        &[0x1f, 0x00, 0x00, 0x00, 0x86, 0x00, 0x28],
        REGION_USA,
        &[0x01, 0x01, 0x20, 0x81, 0x40],
        &[0x80, 0x80],
        &point(0x82, 0x13),
        &[0x80],
        &point(0x80, 0x14),
        &[0x15; 32],
    ])
}

/// A pseudonym certificate (linkage data, appPermissions BSM): implicit or explicit.
fn cert_pseudonym(explicit: bool) -> Vec<u8> {
    let tbs = cat(&[
        &[0x10, 0x80, 0x00, 0x00, 0x05],
        &[0x31; 9],
        &[0xc2, 0xc3, 0xc4],
        &[0x00, 0x01],
        &[0x1f, 0x40, 0x00, 0x00, 0x84, 0x00, 0xa9],
        &[0x01, 0x01, 0x00, 0x01, 0x20],
    ]);
    if explicit {
        cat(&[
            &[0x80, 0x03, 0x00, 0x80],
            &[0xc1; 8],
            &tbs,
            &[0x80, 0x80],
            &point(0x83, 0x16),
            &[0x80],
            &point(0x80, 0x17),
            &[0x18; 32],
        ])
    } else {
        cat(&[
            &[0x00, 0x03, 0x01, 0x80],
            &[0xc1; 8],
            &tbs,
            &[0x81],
            &point(0x83, 0x19),
        ])
    }
}

/// `ScmsError` bytes: `[alternative tag, inner tag, code]`.
fn err(b: &[u8]) -> ScmsError {
    dec(b)
}

fn cvp(fill: u8) -> UnsignedButterflyParams {
    UnsignedButterflyParams {
        seed_key: EccP256CurvePoint::CompressedY0([fill; 32]),
        expansion: [fill ^ 0xff; 16],
    }
}

fn common() -> CommonProvisioningRequestFields {
    CommonProvisioningRequestFields {
        current_time: 0x1f2e_3d4c,
        requested_start_time: 0x1f2f_0000,
    }
}

// ---------------------------------------------------------------------------
// eca-ee
// ---------------------------------------------------------------------------

fn eca_ee_pdus() -> Vec<EcaEndEntityInterfacePDU> {
    vec![
        EcaEndEntityInterfacePDU::EeEcaCertRequest(EeEcaCertRequest {
            version: 1,
            current_time: 0x1f2e_3d4c,
            tbs_data: dec(&tbs_enrol_request()),
        }),
        EcaEndEntityInterfacePDU::EcaEeCertResponse(EcaEeCertResponse {
            version: 1,
            request_hash: [0xd1; 8],
            eca_cert: dec(&cert_ca_explicit("eca.scms.example")),
            enrollment_cert: dec(&cert_enrol_implicit()),
            priv_key_reconstruction: [0x5a; 32],
        }),
    ]
}

#[test]
fn eca_ee_round_trips() {
    for p in eca_ee_pdus() {
        check(&p);
    }
    let unknown = EcaEndEntityInterfacePDU::from_coer(&[0x82, 0x01, 0x00]).unwrap();
    assert!(matches!(unknown, EcaEndEntityInterfacePDU::Unknown(_)));
    assert_eq!(unknown.to_coer(), vec![0x82, 0x01, 0x00]);
}

#[test]
fn eca_ee_cert_request_bytes() {
    let tbs = tbs_enrol_request();
    let req = EeEcaCertRequest {
        version: 1,
        current_time: 0x1f2e_3d4c,
        tbs_data: dec(&tbs),
    };
    // Preamble (extension bit clear), version 1, currentTime, then the TBS data.
    let expected = cat(&[&[0x00, 0x01, 0x1f, 0x2e, 0x3d, 0x4c], &tbs]);
    assert_eq!(req.to_coer(), expected);
    // Inside the PDU: alternative 0.
    let pdu = EcaEndEntityInterfacePDU::EeEcaCertRequest(req.clone());
    assert_eq!(pdu.to_coer(), cat(&[&[0x80], &expected]));
    // The hand-written TBS has the components the request is constrained to.
    let t = &req.tbs_data;
    assert!(t.region.is_some() && t.cert_request_permissions.is_some());
    assert!(t.app_permissions.is_none() && t.cert_issue_permissions.is_none());
    assert!(matches!(
        t.verify_key_indicator,
        VerificationKeyIndicator::VerificationKey(_)
    ));
    let text = pdu.to_value().notation("EcaEndEntityInterfacePDU");
    assert!(text.contains("eeEcaCertRequest"), "{text}");
    assert!(text.contains("currentTime 523124044"), "{text}");
    // An unknown extension addition in the request is skipped.
    let with_ext = cat(&[
        &[0x80, 0x01, 0x1f, 0x2e, 0x3d, 0x4c],
        &tbs,
        &[0x02, 0x07, 0x80, 0x01, 0x00],
    ]);
    assert_eq!(EeEcaCertRequest::from_coer(&with_ext).unwrap(), req);
}

#[test]
fn eca_ee_hostile() {
    hostile(&eca_ee_pdus());
}

// ---------------------------------------------------------------------------
// ee-ra
// ---------------------------------------------------------------------------

fn ee_ra_pdus() -> Vec<EndEntityRaInterfacePDU> {
    let ack = RaEePseudonymCertProvisioningAck {
        version: 1,
        request_hash: [0x42; 8],
        reply: RaEePseudonymCertProvisioningAckReply::Ack(PseudonymCertProvisioningAck {
            cert_dl_time: 0x1f30_0000,
            cert_dl_url: host("ra.scms.example/download"),
        }),
    };
    vec![
        EndEntityRaInterfacePDU::EeRaCertRequest(EeRaCertRequestMsg { version: 1 }),
        EndEntityRaInterfacePDU::RaEeCertResponse(RaEeCertResponseMsg {
            version: 1,
            reply: RaEeCertResponseMsgReply::Ack(RaEeCertResponseAck {
                ra_certificate: dec(&cert_ca_explicit("ra.scms.example")),
                crl: dec::<CompositeCrl>(&[0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00]),
            }),
        }),
        EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(
            EeRaPseudonymCertProvisioningRequest {
                version: 1,
                verify_key_info: cvp(0x21),
                resp_enc_key_info: cvp(0x22),
                common: common(),
            },
        ),
        EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(ack.clone()),
        // All OPTIONAL fields present.
        EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(EeRaIdCertProvisioningRequest {
            version: 1,
            verify_key_info: cvp(0x23),
            cert_enc_key_info: Some(cvp(0x24)),
            resp_enc_key_info: cvp(0x25),
            common: common(),
        }),
        // All OPTIONAL fields absent.
        EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(EeRaIdCertProvisioningRequest {
            version: 1,
            verify_key_info: cvp(0x23),
            cert_enc_key_info: None,
            resp_enc_key_info: cvp(0x25),
            common: common(),
        }),
        EndEntityRaInterfacePDU::RaEeIdCertProvisioningAck(ack.clone()),
        EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(EeRaAppCertProvisioningRequest {
            version: 1,
            verify_key: PublicVerificationKey::EcdsaNistP256(EccP256CurvePoint::CompressedY1(
                [0x26; 32],
            )),
            cert_encryption_key: Some(PublicEncryptionKey {
                supported_symm_alg: SymmAlgorithm::Aes128Ccm,
                public_key: BasePublicEncryptionKey::EciesNistP256(
                    EccP256CurvePoint::CompressedY0([0x27; 32]),
                ),
            }),
            response_encryption_key: PublicEncryptionKey {
                supported_symm_alg: SymmAlgorithm::Aes128Ccm,
                public_key: BasePublicEncryptionKey::EciesNistP256(
                    EccP256CurvePoint::Uncompressed(EccP256CurvePointUncompressed {
                        x: [0x28; 32],
                        y: [0x29; 32],
                    }),
                ),
            },
            common: common(),
        }),
        EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(EeRaAppCertProvisioningRequest {
            version: 1,
            verify_key: PublicVerificationKey::EcdsaNistP256(EccP256CurvePoint::XOnly([0x26; 32])),
            cert_encryption_key: None,
            response_encryption_key: PublicEncryptionKey {
                supported_symm_alg: SymmAlgorithm::Aes128Ccm,
                public_key: BasePublicEncryptionKey::EciesNistP256(
                    EccP256CurvePoint::CompressedY0([0x2a; 32]),
                ),
            },
            common: common(),
        }),
        EndEntityRaInterfacePDU::RaEeAppCertProvisioningAck(ack),
        EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(AuthenticatedDownloadRequest {
            timestamp: 0x1f30_0100,
            filename: Utf8String("1a2b3c4d5e6f7081_0.zip".to_string()),
        }),
    ]
}

#[test]
fn ee_ra_round_trips() {
    let pdus = ee_ra_pdus();
    for p in &pdus {
        check(p);
    }
    // Every root alternative is used, in order.
    let tags: Vec<u8> = pdus.iter().map(|p| p.to_coer()[0]).collect();
    for t in 0x80..=0x88u8 {
        assert!(tags.contains(&t), "alternative {t:#x} not tested");
    }
    let unknown = EndEntityRaInterfacePDU::from_coer(&[0x89, 0x02, 0x01, 0x00]).unwrap();
    assert!(matches!(unknown, EndEntityRaInterfacePDU::Unknown(_)));
    assert_eq!(unknown.to_coer(), vec![0x89, 0x02, 0x01, 0x00]);
}

#[test]
fn authenticated_download_request_bytes() {
    let req = AuthenticatedDownloadRequest {
        timestamp: 0x1234_5678,
        filename: Utf8String("certs_1a2b.zip".to_string()),
    };
    let expected = cat(&[&[0x00, 0x12, 0x34, 0x56, 0x78, 0x0e], b"certs_1a2b.zip"]);
    assert_eq!(req.to_coer(), expected);
    let pdu = EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(req.clone());
    assert_eq!(pdu.to_coer(), cat(&[&[0x88], &expected]));
    assert_eq!(
        EndEntityRaInterfacePDU::from_coer(&pdu.to_coer()).unwrap(),
        pdu
    );
    let text = pdu.to_value().notation("EndEntityRaInterfacePDU");
    assert!(text.contains("filename \"certs_1a2b.zip\""), "{text}");
    // An empty file name is allowed, 255 characters are, 256 are not.
    let empty = [0x00, 0x12, 0x34, 0x56, 0x78, 0x00];
    assert_eq!(
        AuthenticatedDownloadRequest::from_coer(&empty)
            .unwrap()
            .filename
            .0,
        ""
    );
    let ok = cat(&[&[0x00, 0, 0, 0, 0], &lp(&[b'a'; 255])]);
    assert!(AuthenticatedDownloadRequest::from_coer(&ok).is_ok());
    let long = cat(&[&[0x00, 0, 0, 0, 0], &lp(&[b'a'; 256])]);
    assert!(matches!(
        AuthenticatedDownloadRequest::from_coer(&long),
        Err(DecodeError::OutOfRange { .. })
    ));
    assert!(Utf8String::<0, 255>::new("a".repeat(256)).is_err());
    // 255 two-octet characters (510 octets) are within SIZE(0..255).
    let wide = cat(&[&[0x00, 0, 0, 0, 0], &lp("é".repeat(255).as_bytes())]);
    assert!(AuthenticatedDownloadRequest::from_coer(&wide).is_ok());
    // Invalid UTF-8 is refused.
    let bad = [0x00, 0, 0, 0, 0, 0x02, 0xc3, 0x28];
    assert!(AuthenticatedDownloadRequest::from_coer(&bad).is_err());
}

#[test]
fn pseudonym_request_bytes() {
    let req = EeRaPseudonymCertProvisioningRequest {
        version: 1,
        verify_key_info: cvp(0x21),
        resp_enc_key_info: cvp(0x22),
        common: common(),
    };
    let expected = cat(&[
        &[0x00, 0x01],
        &point(0x82, 0x21),
        &[0xde; 16],
        &point(0x82, 0x22),
        &[0xdd; 16],
        &[0x00, 0x1f, 0x2e, 0x3d, 0x4c, 0x1f, 0x2f, 0x00, 0x00],
    ]);
    assert_eq!(req.to_coer(), expected);
    let text = req
        .to_value()
        .notation("EeRaPseudonymCertProvisioningRequest");
    for name in [
        "verify-key-info",
        "resp-enc-key-info",
        "seed-key",
        "expansion",
        "current-time",
        "requested-start-time",
    ] {
        assert!(text.contains(name), "{name} missing in {text}");
    }
    // The id request with cert-enc-key-info: one presence bit after the extension bit.
    let id = EeRaIdCertProvisioningRequest {
        version: 1,
        verify_key_info: cvp(0x21),
        cert_enc_key_info: Some(cvp(0x20)),
        resp_enc_key_info: cvp(0x22),
        common: common(),
    };
    assert_eq!(id.to_coer()[..2], [0x40, 0x01]);
    let ack = RaEePseudonymCertProvisioningAck {
        version: 1,
        request_hash: [0; 8],
        reply: RaEePseudonymCertProvisioningAckReply::Ack(PseudonymCertProvisioningAck {
            cert_dl_time: 0x0102_0304,
            cert_dl_url: host("ra"),
        }),
    };
    assert_eq!(
        ack.to_coer(),
        cat(&[
            &[0x00, 0x01],
            &[0; 8],
            &[0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x02],
            b"ra"
        ])
    );
    assert!(ack.to_value().notation("A").contains("certDLURL \"ra\""));
}

#[test]
fn ee_ra_hostile() {
    hostile(&ee_ra_pdus());
}

// ---------------------------------------------------------------------------
// ee-ma
// ---------------------------------------------------------------------------

fn ee_ma_pdus() -> Vec<EndEntityMaInterfacePDU> {
    vec![
        EndEntityMaInterfacePDU::MisbehaviorReport(MisbehaviorReportContents {
            version: 1,
            misbehaving_device_info: OctetString(vec![]),
            misbehaving_device_bsms: Some(OctetString(vec![0x30; 150])),
            reporter_device_bsms: Some(OctetString(vec![0x31; 40])),
            sensor_info: Some(OctetString(vec![0x01, 0x02])),
        }),
        EndEntityMaInterfacePDU::MisbehaviorReport(MisbehaviorReportContents {
            version: 1,
            misbehaving_device_info: OctetString(vec![0xab]),
            misbehaving_device_bsms: None,
            reporter_device_bsms: None,
            sensor_info: None,
        }),
    ]
}

#[test]
fn ee_ma_round_trips() {
    for p in ee_ma_pdus() {
        check(&p);
    }
    let min = &ee_ma_pdus()[1];
    assert_eq!(min.to_coer(), vec![0x80, 0x00, 0x01, 0x01, 0xab]);
    let text = ee_ma_pdus()[0]
        .to_value()
        .notation("EndEntityMaInterfacePDU");
    assert!(text.contains("misbehavingDeviceBSMs") && text.contains("reporterDeviceBSMs"));
}

#[test]
fn ee_ma_hostile() {
    hostile(&ee_ma_pdus());
}

// ---------------------------------------------------------------------------
// la-ra
// ---------------------------------------------------------------------------

fn la_ra_header() -> RaLaPreLinkageValueRequestMsgHeader {
    RaLaPreLinkageValueRequestMsgHeader {
        version: 1,
        ra_id: host("ra.scms.example"),
        pca_id: host("pca.scms.example"),
        i_min: 100,
        i_max: 103,
    }
}

fn la_ra_pdus() -> Vec<LaRaInterfacePDU> {
    let success = PreLinkageValueRequestResponse {
        i_min: 100,
        i_max: 101,
        individual: vec![IndividualPlvResponseLinkageChain {
            j_max: 2,
            values: vec![
                vec![dec(&eplv(1)), dec(&eplv(2))],
                vec![dec(&eplv(3)), dec(&eplv(4))],
            ],
            linkage_chain_id: dec(&enc_data_symm(0x5c)),
        }],
        group: vec![GroupPlvResponseLinkageChain {
            j_max: 20,
            other_la: [0x00, 0x02],
            values: vec![vec![dec(&egplv(1))], vec![]],
            group_identifier: [0xde, 0xad, 0xbe, 0xef],
        }],
    };
    vec![
        // Both OPTIONAL fields present.
        LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: la_ra_header(),
                j_max: 20,
                number_of_fresh_ind: Some(1000),
                continuations_ind: Some(vec![dec(&enc_data_symm(0x5a)), dec(&enc_data_symm(0x5b))]),
            },
        ),
        LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: la_ra_header(),
                j_max: 20,
                number_of_fresh_ind: Some(1000),
                continuations_ind: None,
            },
        ),
        LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest(RaLaGroupPreLinkageValueRequestMsg {
            header: la_ra_header(),
            j_max: 1_000_000,
            other_la: [0x00, 0x02],
            group_identifier: [0xde, 0xad, 0xbe, 0xef],
        }),
        LaRaInterfacePDU::LaRaPreLinkageValueResponse(LaRaPreLinkageValueResponseMsg {
            version: 1,
            request_hash: [0x77; 8],
            la_id: host("la1.scms.example"),
            reply: LaRaPreLinkageValueResponseMsgReply::Success(success),
        }),
        LaRaInterfacePDU::LaRaPreLinkageValueResponse(LaRaPreLinkageValueResponseMsg {
            version: 1,
            request_hash: [0x77; 8],
            la_id: host("la1.scms.example"),
            reply: LaRaPreLinkageValueResponseMsgReply::Failure(err(&[0x85, 0x80, 0x05])),
        }),
    ]
}

#[test]
fn la_ra_round_trips() {
    for p in la_ra_pdus() {
        check(&p);
    }
    // Preamble of the individual request: both presence bits, no extension bit.
    let LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(r) = &la_ra_pdus()[0] else {
        unreachable!()
    };
    let enc = r.to_coer();
    assert_eq!(enc[0], 0xc0);
    let header = la_ra_header().to_coer();
    assert_eq!(header[..3], [0x01, 0x0f, b'r']);
    assert_eq!(header[header.len() - 4..], [0x00, 0x64, 0x00, 0x67]);
    assert_eq!(enc[1..1 + header.len()], header[..]);
    assert_eq!(
        enc[1 + header.len()..1 + header.len() + 5],
        [0x14, 0x00, 0x00, 0x03, 0xe8]
    );
    // The failure reply: alternative 1, ScmsError la-ra, LaRaError la-ra, invalidJMax.
    let fail = la_ra_pdus()[4].to_coer();
    assert_eq!(fail[fail.len() - 4..], [0x81, 0x85, 0x80, 0x05]);
    // A non-extensible reply refuses an unknown alternative.
    assert!(LaRaPreLinkageValueResponseMsgReply::from_coer(&[0x82, 0x00]).is_err());
}

#[test]
fn la_ra_hostile() {
    hostile(&la_ra_pdus());
}

// ---------------------------------------------------------------------------
// la-pca
// ---------------------------------------------------------------------------

fn la_pca_pdus() -> Vec<LaPcaInterfacePDU> {
    let request = |cert: Option<Vec<u8>>| {
        LaPcaInterfacePDU::PcaLaKeyAgreementRequest(PcaLaKeyAgreementRequestMsg {
            version: 1,
            pca_id: host("pca.scms.example"),
            pca_certificate: cert.map(|c| dec(&c)),
            enc_r_pca: dec(&enc_data_pk(0x82, 48)),
            start_date: 0x1f00_0000,
            end_date: 0x2000_0000,
        })
    };
    vec![
        request(Some(cert_ca_explicit("pca.scms.example"))),
        request(None),
        LaPcaInterfacePDU::LaPcaKeyAgreementResponse(LaPcaKeyAgreementResponseMsg {
            version: 1,
            request_hash: [0x81; 8],
            la_id: host("la2.scms.example"),
            enc_r_la: dec(&enc_data_pk(0x82, 48)),
            reply: LaPcaKeyAgreementResponseMsgReply::Success([0x82; 32]),
        }),
        LaPcaInterfacePDU::LaPcaKeyAgreementResponse(LaPcaKeyAgreementResponseMsg {
            version: 1,
            request_hash: [0x81; 8],
            la_id: host("la2.scms.example"),
            enc_r_la: dec(&enc_data_pk(0x82, 48)),
            reply: LaPcaKeyAgreementResponseMsgReply::Failure(err(&[0x84, 0x80, 0x01])),
        }),
        LaPcaInterfacePDU::PcaLaKeyAgreementAck(PcaLaKeyAgreementAckMsg {
            version: 1,
            request_hash: [0x83; 8],
            pca_id: host("pca.scms.example"),
            reply: PcaLaKeyAgreementAckMsgReply::Success([0x84; 32]),
        }),
        LaPcaInterfacePDU::PcaLaKeyAgreementAck(PcaLaKeyAgreementAckMsg {
            version: 1,
            request_hash: [0x83; 8],
            pca_id: host("pca.scms.example"),
            reply: PcaLaKeyAgreementAckMsgReply::Failure(err(&[0x80, 0x01])),
        }),
    ]
}

#[test]
fn la_pca_round_trips() {
    for p in la_pca_pdus() {
        check(&p);
    }
    let ack = PcaLaKeyAgreementAckMsg {
        version: 1,
        request_hash: [0x83; 8],
        pca_id: host("p"),
        reply: PcaLaKeyAgreementAckMsgReply::Success([0x84; 32]),
    };
    assert_eq!(
        ack.to_coer(),
        cat(&[&[0x01], &[0x83; 8], &[0x01, b'p', 0x80], &[0x84; 32]])
    );
    let text = la_pca_pdus()[0].to_value().notation("LaPcaInterfacePDU");
    assert!(
        text.contains("enc-R-pca") && text.contains("certRecipInfo"),
        "{text}"
    );
}

#[test]
fn la_pca_hostile() {
    hostile(&la_pca_pdus());
}

// ---------------------------------------------------------------------------
// la-ma
// ---------------------------------------------------------------------------

fn la_ma_pdus() -> Vec<LaMaInterfacePDU> {
    let li_request = MaLaLinkageInfoRequestMsg {
        version: 1,
        tbs: ToBeSignedLIRequestMsg {
            ma_id: host("ma.scms.example"),
            encrypted_plvs_and_flags: vec![
                EncryptedPrelinkageValueAndDontCareFlag {
                    encrypted_plv: dec(&eplv(1)),
                    dont_care_flag: false,
                },
                EncryptedPrelinkageValueAndDontCareFlag {
                    encrypted_plv: dec(&eplv(2)),
                    dont_care_flag: true,
                },
            ],
            encrypted_gplvs_and_flags: vec![EncryptedGroupPrelinkageValueAndDontCareFlag {
                encrypted_group_plv: dec(&egplv(1)),
                dont_care_flag: true,
            }],
            expected_reply: ExpectedReply::IndicesLists,
        },
        signatures: vec![dec(&countersig(0x91)), dec(&countersig(0x92))],
    };
    let li_response = |info| {
        LaMaInterfacePDU::LaMaLinkageInfoResponse(LaMaLinkageInfoResponseMsg {
            version: 1,
            request_hash: [0x93; 8],
            la_id: host("la1.scms.example"),
            linkage_info: info,
        })
    };
    vec![
        LaMaInterfacePDU::MaLaLinkageInfoRequest(li_request.clone()),
        LaMaInterfacePDU::MaLaLinkageInfoRequest(MaLaLinkageInfoRequestMsg {
            tbs: ToBeSignedLIRequestMsg {
                encrypted_plvs_and_flags: vec![],
                encrypted_gplvs_and_flags: vec![],
                expected_reply: ExpectedReply::ScalarAnswer,
                ..li_request.tbs.clone()
            },
            signatures: vec![],
            ..li_request
        }),
        li_response(LaMaLinkageInfoResponseMsgLinkageInfo::Success(
            LinkageInformation::Scalar(LinkageInformationScalar {
                matches: VarInt(2),
                lower_bound: true,
            }),
        )),
        li_response(LaMaLinkageInfoResponseMsgLinkageInfo::Success(
            LinkageInformation::IndicesList(LinkageInformationIndicesList {
                unkown_plv: vec![[0x01; 9]],
                reject_plv: vec![],
                assoc_plv: vec![vec![[0x02; 9], [0x03; 9]], vec![[0x04; 9]]],
            }),
        )),
        li_response(LaMaLinkageInfoResponseMsgLinkageInfo::Failure(err(&[
            0x83, 0x81, 0x03,
        ]))),
        LaMaInterfacePDU::MaLaLinkageSeedRequest(MaLaLinkageSeedRequestMsg {
            version: 1,
            tbs: ToBeSignedLSRequestMsg {
                ma_id: host("ma.scms.example"),
                lci: vec![dec(&enc_data_symm(0x94)), dec(&enc_data_symm(0x95))],
            },
            signatures: vec![dec(&countersig(0x96))],
        }),
        LaMaInterfacePDU::LaMaLinkageSeedResponse(LaMaLinkageSeedResponseMsg {
            version: 1,
            request_hash: [0x97; 8],
            la_id: host("la2.scms.example"),
            ls_info: vec![
                LCI2LS {
                    lci: dec(&enc_data_symm(0x94)),
                    reply: LCI2LSReply::Success(dec(&cat(&[&[0x98; 16], &[0x00, 0x02]]))),
                },
                LCI2LS {
                    lci: dec(&enc_data_symm(0x95)),
                    reply: LCI2LSReply::Failure(err(&[0x83, 0x82, 0x01])),
                },
            ],
        }),
    ]
}

#[test]
fn la_ma_round_trips() {
    for p in la_ma_pdus() {
        check(&p);
    }
    // BOOLEAN dontCareFlag: TRUE is 0xff, FALSE 0x00; anything else is refused.
    let flag = EncryptedPrelinkageValueAndDontCareFlag {
        encrypted_plv: dec(&eplv(1)),
        dont_care_flag: true,
    };
    let enc = flag.to_coer();
    assert_eq!(enc, cat(&[&eplv(1), &[0xff]]));
    let mut bad = enc.clone();
    *bad.last_mut().unwrap() = 0x01;
    assert!(matches!(
        EncryptedPrelinkageValueAndDontCareFlag::from_coer(&bad),
        Err(DecodeError::NonCanonical { .. })
    ));
    // Scalar linkage information: alternative 0, INTEGER 2, TRUE.
    let scalar = LinkageInformation::Scalar(LinkageInformationScalar {
        matches: VarInt(2),
        lower_bound: true,
    });
    assert_eq!(scalar.to_coer(), vec![0x80, 0x01, 0x02, 0xff]);
    assert_eq!(ExpectedReply::IndicesLists.to_coer(), vec![0x01]);
    assert!(ExpectedReply::from_coer(&[0x02]).is_err());
    let text = la_ma_pdus()[0].to_value().notation("LaMaInterfacePDU");
    assert!(
        text.contains("encryptedPLVsAndFlags") && text.contains("dontCareFlag TRUE"),
        "{text}"
    );
    assert!(text.contains("expectedReply indicesLists"), "{text}");
    let text = la_ma_pdus()[3].to_value().notation("LaMaInterfacePDU");
    assert!(text.contains("unkownPlv"), "{text}");
}

#[test]
fn la_ma_hostile() {
    hostile(&la_ma_pdus());
}

// ---------------------------------------------------------------------------
// ma-pca
// ---------------------------------------------------------------------------

fn ma_pca_pdus() -> Vec<MaPcaInterfacePDU> {
    vec![
        MaPcaInterfacePDU::MaPcaPreLinkageValueRequest(MaPcaPreLinkageValueRequestMsg {
            version: 1,
            tbs: ToBeSignedMaPcaPreLinkageValueRequestMsg {
                ma_id: host("ma.scms.example"),
                linkage_values: vec![[0xa1; 9], [0xa2; 9]],
                group_linkage_values: vec![GroupLinkageValue {
                    j_value: [0, 0, 0, 3],
                    value: [0xa3; 9],
                }],
            },
            signatures: vec![dec(&countersig(0xa4))],
        }),
        MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(PcaMaPreLinkageValueResponseMsg {
            version: 1,
            request_hash: [0xa5; 8],
            pca_id: host("pca.scms.example"),
            plv_info: vec![
                Lv2Plv {
                    lv: [0xa1; 9],
                    reply: Lv2PlvReply::Success(dec(&cat(&[&eplv(1), &lp(b"la1.scms.example")]))),
                },
                Lv2Plv {
                    lv: [0xa2; 9],
                    reply: Lv2PlvReply::Failure(err(&[0x86, 0x80, 0x09])),
                },
            ],
        }),
        MaPcaInterfacePDU::MaPcaHPCRRequest(MaPcaHPCRRequestMsg {
            version: 1,
            tbs: ToBeSignedMaPcaHPCRRequestMsg {
                ma_id: host("ma.scms.example"),
                linkage_values: vec![[0xa6; 9]],
            },
            signatures: vec![],
        }),
        MaPcaInterfacePDU::PcaMaHPCRResponse(PcaMaHPCRResponseMsg {
            version: 1,
            request_hash: [0xa7; 8],
            pca_id: host("pca.scms.example"),
            hpcrinfo: vec![
                Lv2HPCR {
                    lv: [0xa6; 9],
                    reply: Lv2HPCRReply::Success(dec(&cat(&[
                        &[0xa8; 32],
                        &lp(b"ra.scms.example"),
                    ]))),
                },
                Lv2HPCR {
                    lv: [0xa9; 9],
                    reply: Lv2HPCRReply::Failure(err(&[0x80, 0x01])),
                },
            ],
        }),
    ]
}

#[test]
fn ma_pca_round_trips() {
    for p in ma_pca_pdus() {
        check(&p);
    }
    let req = MaPcaHPCRRequestMsg {
        version: 1,
        tbs: ToBeSignedMaPcaHPCRRequestMsg {
            ma_id: host("m"),
            linkage_values: vec![[0xa6; 9]],
        },
        signatures: vec![],
    };
    assert_eq!(
        MaPcaInterfacePDU::MaPcaHPCRRequest(req).to_coer(),
        cat(&[
            &[0x82, 0x01, 0x00, 0x01, b'm', 0x01, 0x01],
            &[0xa6; 9],
            &[0x01, 0x00]
        ])
    );
    let text = ma_pca_pdus()[2].to_value().notation("MaPcaInterfacePDU");
    assert!(
        text.contains("maPcaHPCRRequest") && text.contains("linkage-values"),
        "{text}"
    );
}

#[test]
fn ma_pca_hostile() {
    hostile(&ma_pca_pdus());
}

// ---------------------------------------------------------------------------
// ma-ra
// ---------------------------------------------------------------------------

fn lci_and_host_info() -> LCIAndHostInfo {
    dec(&cat(&[
        &[0x00, 0x00, 0x00, 0x65],
        &enc_data_symm(0xb1),
        &enc_data_symm(0xb2),
        &lp(b"la1.scms.example"),
        &lp(b"la2.scms.example"),
    ]))
}

fn ma_ra_pdus() -> Vec<MaRaInterfacePDU> {
    let ma = || host("ma.scms.example");
    let ra = || host("ra.scms.example");
    let sigs = || vec![dec(&countersig(0xb3))];
    vec![
        MaRaInterfacePDU::MaRaBlacklistRequest(MaRaBlacklistRequestMsg {
            version: 1,
            tbs: ToBeSignedBlacklistingInstructionMsg {
                ma_id: ma(),
                hpcr: vec![[0xb4; 32], [0xb5; 32]],
            },
            signatures: sigs(),
        }),
        MaRaInterfacePDU::RaMaBlacklistResponse(RaMaBlacklistResponseMsg {
            version: 1,
            request_hash: [0xb6; 8],
            ra_id: ra(),
            status: vec![
                BlacklistingStatus {
                    hpcr: [0xb4; 32],
                    reply: BlacklistingStatusReply::Success(()),
                },
                BlacklistingStatus {
                    hpcr: [0xb5; 32],
                    reply: BlacklistingStatusReply::Failure(err(&[0x87, 0x81, 0x00])),
                },
            ],
        }),
        MaRaInterfacePDU::MaRaLCIRequest(MaRaLCIRequestMsg {
            version: 1,
            tbs: ToBeSignedLCIRequestMsg {
                ma_id: ma(),
                hpcr: vec![[0xb7; 32]],
            },
            signatures: sigs(),
        }),
        MaRaInterfacePDU::RaMaLCIResponse(RaMaLCIResponseMsg {
            version: 1,
            request_hash: [0xb8; 8],
            ra_id: ra(),
            lci_info: vec![
                HPCR2LCI {
                    hpcr: [0xb7; 32],
                    reply: HPCR2LCIReply::Success(HPCR2LCIReplySuccess {
                        group_identifier: [0, 0, 0, 1],
                        info: lci_and_host_info(),
                    }),
                },
                HPCR2LCI {
                    hpcr: [0xb9; 32],
                    reply: HPCR2LCIReply::Failure(err(&[0x87, 0x82, 0x00])),
                },
            ],
        }),
        MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest(MaRaRseObeIdBlacklistRequestMsg {
            version: 1,
            tbs: ToBeSignedRseObeIdBlacklistingInstructionMsg {
                ma_id: ma(),
                rif: vec![[0xba; 8]],
            },
            signatures: vec![],
        }),
        MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(RaMaRseObeIdBlacklistResponseMsg {
            version: 1,
            request_hash: [0xbb; 8],
            ra_id: ra(),
            status: vec![
                RseObeIdBlacklistingStatus {
                    rif: [0xba; 8],
                    reply: RseObeIdBlacklistingStatusReply::Success(()),
                },
                RseObeIdBlacklistingStatus {
                    rif: [0xbc; 8],
                    reply: RseObeIdBlacklistingStatusReply::Failure(err(&[0x87, 0x80, 0x06])),
                },
            ],
        }),
        MaRaInterfacePDU::MaRaCDVRequest(MaRaCDVRequestMsg {
            version: 1,
            tbs: ToBeSignedCDVRequestMsg {
                ma_id: ma(),
                rif_values: vec![[0xbd; 8], [0xbe; 8]],
            },
            signatures: sigs(),
        }),
        MaRaInterfacePDU::RaMaCDVResponse(RaMaCDVResponseMsg {
            version: 1,
            request_hash: [0xbf; 8],
            ra_id: ra(),
            cdv_info: vec![
                CdvInfo {
                    rif: [0xbd; 8],
                    reply: CdvInfoReply::Success(vec![[0xc0; 10], [0xc1; 10]]),
                },
                CdvInfo {
                    rif: [0xbe; 8],
                    reply: CdvInfoReply::Failure(err(&[0x87, 0x80, 0x06])),
                },
            ],
        }),
    ]
}

#[test]
fn ma_ra_round_trips() {
    let pdus = ma_ra_pdus();
    for p in &pdus {
        check(p);
    }
    let tags: Vec<u8> = pdus.iter().map(|p| p.to_coer()[0]).collect();
    assert_eq!(tags, (0x80..=0x87).collect::<Vec<u8>>());
    // Blacklisting status: HPCR, then alternative 0 with its NULL (no octets).
    let ok = BlacklistingStatus {
        hpcr: [0xb4; 32],
        reply: BlacklistingStatusReply::Success(()),
    };
    assert_eq!(ok.to_coer(), cat(&[&[0xb4; 32], &[0x80]]));
    let cdv = CdvInfo {
        rif: [0xbd; 8],
        reply: CdvInfoReply::Success(vec![[0xc0; 10]]),
    };
    assert_eq!(
        cdv.to_coer(),
        cat(&[&[0xbd; 8], &[0x80, 0x01, 0x01], &[0xc0; 10]])
    );
    let text = pdus[3].to_value().notation("MaRaInterfacePDU");
    assert!(
        text.contains("raMaLCIResponse") && text.contains("la1-lci"),
        "{text}"
    );
}

#[test]
fn ma_ra_hostile() {
    hostile(&ma_ra_pdus());
}

// ---------------------------------------------------------------------------
// pca-ra
// ---------------------------------------------------------------------------

fn pseudonym_cert_request(all: bool) -> PseudonymCertRequestInfo {
    PseudonymCertRequestInfo {
        psid_ssp: dec(&[
            0x01, 0x02, 0x00, 0x01, 0x20, 0x80, 0x01, 0x87, 0x80, 0x02, 0x01, 0x02,
        ]),
        performance_assurance_level: all.then_some([0xe0]),
        region: all.then(|| dec(REGION_USA)),
        i_value: 100,
        pca_id: host("pca.scms.example"),
        sig_butterfly_key_b: EccP256CurvePoint::CompressedY1([0xc2; 32]),
        la1_id: host("la1.scms.example"),
        la2_id: host("la2.scms.example"),
        enc_plv1: dec(&eplv(1)),
        enc_plv2: dec(&eplv(2)),
        group_linkage_info: all.then(|| PseudonymCertRequestInfoGroupLinkageInfo {
            gla1_id: host("la1.scms.example"),
            gla2_id: host("la2.scms.example"),
            enc_gplv1: dec(&egplv(1)),
            enc_gplv2: dec(&egplv(2)),
        }),
        enc_butterfly_key_h: EccP256CurvePoint::CompressedY0([0xc3; 32]),
    }
}

/// A `ToBeSignedEncryptedCertificateResponse`, and the signed data carrying it.
fn signed_encrypted_response() -> (ToBeSignedEncryptedCertificateResponse, Vec<u8>) {
    let tbs = ToBeSignedEncryptedCertificateResponse {
        psid_ssp: dec(&[0x01, 0x01, 0x00, 0x01, 0x20]),
        expiration: 0x2000_0000,
        lifetime: Duration::Hours(169),
        encrypted_cert: dec(&cat(&[&[0x03, 0x82], &enc_data_pk(0x84, 160)])),
    };
    let inner = cat(&[&[0x03, 0x80], &lp(&tbs.to_coer())]);
    let signed = cat(&[
        &[0x03, 0x81, 0x00],
        &[0x40],
        &inner,
        &[0x00, 0x01, 0x23],
        &[0x80],
        &[0xc4; 8],
        &[0x80],
        &point(0x80, 0xc5),
        &[0xc6; 32],
    ]);
    (tbs, signed)
}

fn pca_ra_pdus() -> Vec<PcaRaInterfacePDU> {
    let request = |info| {
        PcaRaInterfacePDU::RaPcaCertRequest(RaPcaCertRequestMsg {
            version: 1,
            ra_id: host("ra.scms.example"),
            cert_request_info: info,
        })
    };
    let response = |reply| {
        PcaRaInterfacePDU::PcaRaCertResponse(PcaRaCertResponseMsg {
            version: 1,
            request_hash: [0xc7; 8],
            pca_id: host("pca.scms.example"),
            reply,
        })
    };
    let implicit = || ImplicitCertResponse {
        certificate: dec(&cert_pseudonym(false)),
        priv_key_reconstruction_s: [0xc8; 32],
    };
    use PcaRaCertResponseMsgReply as R;
    use PcaRaCertResponseMsgReplySuccess as S;
    vec![
        request(RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(
            pseudonym_cert_request(true),
        )),
        request(RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(
            pseudonym_cert_request(false),
        )),
        request(RaPcaCertRequestMsgCertRequestInfo::AuthCertReq(
            IdCertRequestInfo {
                pca_id: host("pca.scms.example"),
                r#type: dec(&[0x01]),
                to_be_signed_cert: dec(&cat(&[
                    &[0x10, 0x81],
                    &lp(b"obe-0042"),
                    &[0, 0, 0, 0x00, 0x00],
                    &[0x1f, 0x40, 0x00, 0x00, 0x84, 0x02, 0xd1],
                    &[0x01, 0x01, 0x00, 0x01, 0x20],
                    &[0x80, 0x80],
                    &point(0x82, 0xc9),
                ])),
                response_encryption_key: EccP256CurvePoint::CompressedY1([0xca; 32]),
            },
        )),
        response(R::Success(S::SignedEncrypted(dec(
            &signed_encrypted_response().1,
        )))),
        response(R::Success(S::Raw(
            PlaintextCertificateResponse::ImplicitButterfly(implicit()),
        ))),
        response(R::Success(S::Raw(PlaintextCertificateResponse::Implicit(
            implicit(),
        )))),
        response(R::Success(S::Raw(
            PlaintextCertificateResponse::ExplicitButterfly(ButterflyExplicitCertResponse {
                certificate: dec(&cert_pseudonym(true)),
                priv_key_reconstruction_c: [0xcb; 32],
            }),
        ))),
        response(R::Success(S::Raw(PlaintextCertificateResponse::Explicit(
            dec(&cert_pseudonym(true)),
        )))),
        response(R::Failure(err(&[0x88, 0x81, 0x04]))),
    ]
}

#[test]
fn pca_ra_round_trips() {
    for p in pca_ra_pdus() {
        check(&p);
    }
    // The signed response carries the to-be-signed response as unsecuredData.
    let (tbs, signed) = signed_encrypted_response();
    check(&tbs);
    let data: SignedEncryptedCertificateResponse = dec(&signed);
    let text = data
        .to_value()
        .notation("SignedEncryptedCertificateResponse");
    assert!(text.contains("unsecuredData"), "{text}");
    let tbs_bytes = tbs.to_coer();
    assert!(signed.windows(tbs_bytes.len()).any(|w| w == tbs_bytes));
    // Pseudonym request preamble: no extension bit, three OPTIONAL presence bits.
    assert_eq!(pseudonym_cert_request(true).to_coer()[0], 0xe0);
    assert_eq!(pseudonym_cert_request(false).to_coer()[0], 0x00);
    // Raw implicit-butterfly response: reply 0, success 1 (raw), implicit-butterfly 0.
    let raw = pca_ra_pdus()[4].to_coer();
    let prefix = cat(&[
        &[0x81, 0x00, 0x01],
        &[0xc7; 8],
        &lp(b"pca.scms.example"),
        &[0x80, 0x81, 0x80],
    ]);
    assert_eq!(raw[..prefix.len()], prefix[..]);
    let text = pca_ra_pdus()[0].to_value().notation("PcaRaInterfacePDU");
    for name in [
        "cert-request-info",
        "pseudonym-cert-req",
        "sig-butterfly-key-B",
        "enc-butterfly-key-H",
        "group-linkage-info",
        "gla1-id",
    ] {
        assert!(text.contains(name), "{name} missing in {text}");
    }
    let text = pca_ra_pdus()[2].to_value().notation("PcaRaInterfacePDU");
    assert!(
        text.contains("type implicit") && text.contains("to-be-signed-cert"),
        "{text}"
    );
}

#[test]
fn pca_ra_hostile() {
    hostile(&pca_ra_pdus());
}

// ---------------------------------------------------------------------------
// ra-pg
// ---------------------------------------------------------------------------

/// A custom `ToBeSignedPolicyData` (empty global policy data).
fn custom_policy_tbs() -> Vec<u8> {
    cat(&[
        &[0x00],
        &lp(b"custom-policy-7"),
        &[0x00, 0x00, 0x05, 0x2e, 0x6d, 0x8f, 0x00, 0x00],
        &[0x00, 0x00, 0x05, 0x2e, 0x6d, 0x8f, 0x10, 0x00],
        &[0x81, 0x40],
        &lp(b"ra.scms.example"),
        &[0x00, 0x00],
    ])
}

fn ra_pg_pdus() -> Vec<RaPgInterfacePDU> {
    let signed = cat(&[
        &[0x00, 0x01],
        &custom_policy_tbs(),
        &[0x01, 0x01],
        &countersig(0xd0),
    ]);
    vec![
        RaPgInterfacePDU::RaPgPolicySignatureRequest(RaPgPolicySignatureRequestMsg {
            version: 1,
            tbs: dec(&custom_policy_tbs()),
        }),
        RaPgInterfacePDU::RaPgPolicySignatureRequestReply(RaPgPolicySignatureRequestReplyMsg {
            version: 1,
            signed_file: RaPgPolicySignatureRequestReplyMsgSignedFile::Success(dec(&signed)),
        }),
        RaPgInterfacePDU::RaPgPolicySignatureRequestReply(RaPgPolicySignatureRequestReplyMsg {
            version: 1,
            signed_file: RaPgPolicySignatureRequestReplyMsgSignedFile::Failure(dec(&[0x02])),
        }),
    ]
}

#[test]
fn ra_pg_round_trips() {
    for p in ra_pg_pdus() {
        check(&p);
    }
    assert_eq!(
        ra_pg_pdus()[0].to_coer(),
        cat(&[&[0x80, 0x00, 0x01], &custom_policy_tbs()])
    );
    assert_eq!(ra_pg_pdus()[2].to_coer(), vec![0x81, 0x01, 0x81, 0x02]);
    let text = ra_pg_pdus()[1].to_value().notation("RaPgInterfacePDU");
    assert!(
        text.contains("signedFile") && text.contains("custom"),
        "{text}"
    );
}

#[test]
fn ra_pg_hostile() {
    hostile(&ra_pg_pdus());
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn curve_point() -> impl Strategy<Value = EccP256CurvePoint> {
        (0..4u8, any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(k, x, y)| match k {
            0 => EccP256CurvePoint::XOnly(x),
            1 => EccP256CurvePoint::CompressedY0(x),
            2 => EccP256CurvePoint::CompressedY1(x),
            _ => EccP256CurvePoint::Uncompressed(EccP256CurvePointUncompressed { x, y }),
        })
    }

    fn butterfly() -> impl Strategy<Value = UnsignedButterflyParams> {
        (curve_point(), any::<[u8; 16]>()).prop_map(|(seed_key, expansion)| {
            UnsignedButterflyParams {
                seed_key,
                expansion,
            }
        })
    }

    /// Decoding arbitrary bytes never panics, and what decodes is canonical.
    fn decode_is_canonical<T: Coer + Debug>(bytes: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(v) = T::from_coer(bytes) {
            prop_assert_eq!(v.to_coer(), bytes.to_vec());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn authenticated_download_request(timestamp in any::<u32>(), name in "\\PC{0,255}") {
            let v = AuthenticatedDownloadRequest { timestamp, filename: Utf8String(name) };
            let enc = v.to_coer();
            prop_assert_eq!(AuthenticatedDownloadRequest::from_coer(&enc).unwrap(), v);
            let pdu = EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(
                AuthenticatedDownloadRequest::from_coer(&enc).unwrap(),
            );
            prop_assert_eq!(EndEntityRaInterfacePDU::from_coer(&pdu.to_coer()).unwrap(), pdu);
        }

        #[test]
        fn id_cert_provisioning_request(
            verify in butterfly(),
            cert_enc in proptest::option::of(butterfly()),
            resp in butterfly(),
            now in any::<u32>(),
            start in any::<u32>(),
        ) {
            let v = EeRaIdCertProvisioningRequest {
                version: 1,
                verify_key_info: verify,
                cert_enc_key_info: cert_enc,
                resp_enc_key_info: resp,
                common: CommonProvisioningRequestFields {
                    current_time: now,
                    requested_start_time: start,
                },
            };
            let enc = v.to_coer();
            prop_assert_eq!(enc[0], if v.cert_enc_key_info.is_some() { 0x40 } else { 0x00 });
            prop_assert_eq!(EeRaIdCertProvisioningRequest::from_coer(&enc).unwrap(), v);
        }

        #[test]
        fn individual_plv_request(
            i_min in any::<u16>(),
            i_max in any::<u16>(),
            j_max in any::<u8>(),
            fresh in proptest::option::of(any::<u32>()),
            continued in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..4)),
        ) {
            let v = RaLaIndividualPreLinkageValueRequestMsg {
                header: RaLaPreLinkageValueRequestMsgHeader {
                    version: 1,
                    ra_id: host("ra"),
                    pca_id: host("pca"),
                    i_min,
                    i_max,
                },
                j_max,
                number_of_fresh_ind: fresh,
                continuations_ind: continued
                    .map(|fills| fills.into_iter().map(|f| dec(&enc_data_symm(f))).collect()),
            };
            let enc = v.to_coer();
            prop_assert_eq!(RaLaIndividualPreLinkageValueRequestMsg::from_coer(&enc).unwrap(), v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
            decode_is_canonical::<EcaEndEntityInterfacePDU>(&bytes)?;
            decode_is_canonical::<EndEntityRaInterfacePDU>(&bytes)?;
            decode_is_canonical::<EndEntityMaInterfacePDU>(&bytes)?;
            decode_is_canonical::<LaRaInterfacePDU>(&bytes)?;
            decode_is_canonical::<LaPcaInterfacePDU>(&bytes)?;
            decode_is_canonical::<LaMaInterfacePDU>(&bytes)?;
            decode_is_canonical::<MaPcaInterfacePDU>(&bytes)?;
            decode_is_canonical::<MaRaInterfacePDU>(&bytes)?;
            decode_is_canonical::<PcaRaInterfacePDU>(&bytes)?;
            decode_is_canonical::<RaPgInterfacePDU>(&bytes)?;
        }

        #[test]
        fn plausible_prefixes_never_panic(
            tag in 0x80..0x8cu8,
            version in prop_oneof![Just(0x00u8), Just(0x01u8), Just(0x80u8)],
            rest in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            // A valid-looking alternative tag and preamble, then noise: reaches deeper
            // into each decoder than uniformly random bytes.
            let bytes = cat(&[&[tag, version, 0x01], &rest]);
            decode_is_canonical::<EndEntityRaInterfacePDU>(&bytes)?;
            decode_is_canonical::<MaRaInterfacePDU>(&bytes)?;
            decode_is_canonical::<LaMaInterfacePDU>(&bytes)?;
            decode_is_canonical::<PcaRaInterfacePDU>(&bytes)?;
        }
    }
}
