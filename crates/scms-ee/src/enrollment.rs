//! Enrollment certificate requests (Use Case 2, steps 3–4): the device generates a
//! verification key pair and signs a `SignedEeEnrollmentCertRequest` with it, written as
//! `<enrollment pub hex>.oer`.
//!
//! The CSR has exactly the shape of seed 004's example (Code Blocks 3 and 5): a
//! `SecuredScmsPDU` (protocol version 3) whose `signedCertificateRequest` holds a
//! `SignedCertificateRequest` (sha256, `signer self`) over
//! `ScmsPDU { version 1, eca-ee : eeEcaCertRequest { version 1, currentTime, tbsData } }`,
//! where `tbsData` carries `id name`, `cracaId`, `crlSeries`, `validityPeriod {start =
//! currentTime, duration hours}`, `region identifiedRegion` (countryOnly each),
//! `certRequestPermissions` (one group: `explicit` PSIDs with `sspRange opaque {}`,
//! `minChainDepth 0`) and the compressed verification key.

use scms_asn1::camp::eca_ee::{EcaEndEntityInterfacePDU, EeEcaCertRequest};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, SignedCertificateRequest};
use scms_asn1::coer::{OctetString, VarInt};
use scms_asn1::ieee1609dot2::{
    CertificateId, CrlSeries, Duration, GeographicRegion, HashedId3, Hostname, IdentifiedRegion,
    Ieee1609Dot2Content, Ieee1609Dot2Data, PsidGroupPermissions, PsidSspRange,
    PublicVerificationKey, SignerIdentifier, SspRange, SubjectPermissions, Time32,
    ToBeSignedCertificate, ValidityPeriod, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2::{EndEntityType, Psid};
use scms_asn1::Coer;
use scms_core::convert::compressed;
use scms_core::sign::{sign_certificate_request, verify_certificate_request, SignerId};
use scms_core::signer::{KeyPair, Signer};
use scms_core::CoreError;
use scms_crypto::{default_backend, Point};

/// BSM PSID (0x20).
pub const PSID_BSM: u64 = 0x20;
/// Traveler Information and Roadside Signage PSID (0x83), an RSE application.
pub const PSID_TRAVELER_INFORMATION: u64 = 0x83;
/// Misbehavior reporting PSID (0x26).
pub const PSID_MISBEHAVIOR_REPORTING: u64 = 0x26;
/// `EeEnrollmentCrlSeries` (scms-base-types.asn): 4.
pub const EE_ENROLLMENT_CRL_SERIES: CrlSeries = 4;
/// Canada, Mexico, USA (UN M49), as in the seed's example CSR.
pub const NORTH_AMERICA: [u16; 3] = [124, 484, 840];
/// USA (UN M49): the only region the ECA accepts ("Enrollment certificate request
/// checks": "The CSR only contains Region USA"), so the default of new CSRs.
pub const USA: u16 = 840;
/// The example CSR's lifetime: 4,320 hours (180 days).
pub const DEFAULT_DURATION_HOURS: u16 = 4320;

/// The kind of end entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// On-board equipment (vehicle).
    Obe,
    /// Road-side equipment.
    Rse,
}

impl DeviceKind {
    /// `"obe"` or `"rse"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Obe => "obe",
            DeviceKind::Rse => "rse",
        }
    }
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DeviceKind {
    type Err = EnrollmentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "obe" => Ok(DeviceKind::Obe),
            "rse" => Ok(DeviceKind::Rse),
            _ => Err(EnrollmentError::InvalidParams("kind must be obe or rse")),
        }
    }
}

/// What a device asks for in its enrollment certificate request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrParams {
    /// OBE or RSE.
    pub kind: DeviceKind,
    /// The `CertificateId` name (seed: `"obeenr"`; `"rseenr"` for RSEs).
    pub name: String,
    /// The PSIDs requested (each with `sspRange opaque {}`); at least one (SCMS-1305).
    pub psids: Vec<Psid>,
    /// UN M49 country codes (`identifiedRegion` of `countryOnly`); at least one.
    pub regions: Vec<u16>,
    /// The lifetime in hours (`Duration.hours`), starting at the request time.
    pub duration_hours: u16,
    /// The `crlSeries` (seed: 4, `EeEnrollmentCrlSeries`).
    pub crl_series: CrlSeries,
    /// The `cracaId` (seed: `000000`; the ECA sets the Root CA's HashedId3).
    pub craca_id: HashedId3,
}

impl CsrParams {
    /// The seed's example request for `kind`: name `obeenr`/`rseenr`, PSIDs 0x20 and
    /// 0x26 (an RSE: 0x83 and 0x26), 4,320 hours, CRL series 4, cracaId `000000`; region USA only (the example
    /// lists 124/484/840, which the ECA's request checks refuse).
    pub fn new(kind: DeviceKind) -> Self {
        CsrParams {
            kind,
            name: match kind {
                DeviceKind::Obe => "obeenr",
                DeviceKind::Rse => "rseenr",
            }
            .to_owned(),
            psids: match kind {
                DeviceKind::Obe => vec![Psid::new(PSID_BSM), Psid::new(PSID_MISBEHAVIOR_REPORTING)],
                DeviceKind::Rse => vec![
                    Psid::new(PSID_TRAVELER_INFORMATION),
                    Psid::new(PSID_MISBEHAVIOR_REPORTING),
                ],
            },
            regions: vec![USA],
            duration_hours: DEFAULT_DURATION_HOURS,
            crl_series: EE_ENROLLMENT_CRL_SERIES,
            craca_id: [0; 3],
        }
    }

    /// The `tbsData` this request asks for, with the given key, starting at `now`.
    pub fn tbs_data(
        &self,
        key: &Point,
        now: Time32,
    ) -> Result<ToBeSignedCertificate, EnrollmentError> {
        if self.psids.is_empty() {
            return Err(EnrollmentError::InvalidParams(
                "at least one PSID is required",
            ));
        }
        if self.regions.is_empty() {
            return Err(EnrollmentError::InvalidParams(
                "at least one region is required",
            ));
        }
        if self.duration_hours == 0 {
            return Err(EnrollmentError::InvalidParams(
                "the duration must be positive",
            ));
        }
        let name = Hostname::new(self.name.clone())
            .map_err(|_| EnrollmentError::InvalidParams("name longer than 255 bytes"))?;
        Ok(ToBeSignedCertificate {
            id: CertificateId::Name(name),
            craca_id: self.craca_id,
            crl_series: self.crl_series,
            validity_period: ValidityPeriod {
                start: now,
                duration: Duration::Hours(self.duration_hours),
            },
            region: Some(GeographicRegion::IdentifiedRegion(
                self.regions
                    .iter()
                    .map(|c| IdentifiedRegion::CountryOnly(*c))
                    .collect(),
            )),
            assurance_level: None,
            app_permissions: None,
            cert_issue_permissions: None,
            cert_request_permissions: Some(vec![PsidGroupPermissions {
                subject_permissions: SubjectPermissions::Explicit(
                    self.psids
                        .iter()
                        .map(|p| PsidSspRange {
                            psid: *p,
                            ssp_range: Some(SspRange::Opaque(Vec::new())),
                        })
                        .collect(),
                ),
                min_chain_depth: VarInt(0),
                chain_depth_range: VarInt(0),
                ee_type: EndEntityType::with(&[EndEntityType::app]),
            }]),
            can_request_rollover: None,
            encryption_key: None,
            verify_key_indicator: VerificationKeyIndicator::VerificationKey(
                PublicVerificationKey::EcdsaNistP256(compressed(key)),
            ),
            flags: None,
            app_extensions: None,
            cert_issue_extensions: None,
            cert_request_extension: None,
        })
    }
}

/// A freshly generated enrollment request.
#[derive(Debug)]
pub struct EnrollmentCsr {
    /// The device's verification key pair (the request key `k`; keep it secret: the
    /// enrollment private key is reconstructed from it).
    pub key: KeyPair,
    /// The COER `SignedEeEnrollmentCertRequest`.
    pub request: Vec<u8>,
    /// `"<enrollment pub hex>.oer"` (see [`enrollment_pub_hex`]).
    pub file_name: String,
}

/// Why a request could not be built or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnrollmentError {
    /// The parameters cannot form a valid request.
    #[error("invalid request parameters: {0}")]
    InvalidParams(&'static str),
    /// The bytes are not a `SignedEeEnrollmentCertRequest`.
    #[error("not a SignedEeEnrollmentCertRequest: {0}")]
    NotARequest(&'static str),
    /// Signing, encoding or verification failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Malformed COER.
    #[error("malformed request: {0}")]
    Decode(#[from] scms_asn1::DecodeError),
}

/// The "enrollment pub hex" of a key: uppercase hex of the 33-byte SEC 1 compressed
/// form of the verification public key (`02`/`03` ‖ x), 66 characters. The seed leaves
/// the form open; this is the form the CSR itself carries (`compressed-y-0/1`).
pub fn enrollment_pub_hex(key: &Point) -> String {
    hex::encode_upper(key.to_compressed())
}

/// Generates a verification key pair and the signed enrollment request for it.
pub fn keygen(params: &CsrParams, now: Time32) -> Result<EnrollmentCsr, EnrollmentError> {
    let key = KeyPair::generate()?;
    let request = build_request(params, &key, now)?.to_coer();
    let file_name = format!("{}.oer", enrollment_pub_hex(key.public_key()));
    Ok(EnrollmentCsr {
        key,
        request,
        file_name,
    })
}

/// Builds the `SignedEeEnrollmentCertRequest` for an existing key (e.g. one held in an
/// HSM), self-signed with it.
pub fn build_request(
    params: &CsrParams,
    key: &dyn Signer,
    now: Time32,
) -> Result<Ieee1609Dot2Data, EnrollmentError> {
    let tbs_data = params.tbs_data(key.public_key(), now)?;
    let scoped = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(
            EeEcaCertRequest {
                version: 1,
                current_time: now,
                tbs_data,
            },
        )),
    };
    let signed = sign_certificate_request(key, scoped, SignerId::SelfSigned)?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(OctetString(signed.to_coer())),
    })
}

/// A decoded and self-signature-verified enrollment request.
#[derive(Debug, Clone)]
pub struct ParsedRequest {
    /// The signed request.
    pub signed: SignedCertificateRequest,
    /// The `EeEcaCertRequest` inside it.
    pub request: EeEcaCertRequest,
    /// The verification key it requests a certificate for (and is signed with).
    pub key: Point,
}

/// Decodes a `SignedEeEnrollmentCertRequest`, checks its shape (protocol version 3,
/// `signer self`, `eca-ee : eeEcaCertRequest`, a verification key) and verifies its
/// self-signature.
pub fn parse_request(bytes: &[u8]) -> Result<ParsedRequest, EnrollmentError> {
    let data = Ieee1609Dot2Data::from_coer(bytes)?;
    if data.protocol_version != 3 {
        return Err(EnrollmentError::NotARequest("protocol version is not 3"));
    }
    let Ieee1609Dot2Content::SignedCertificateRequest(inner) = &data.content else {
        return Err(EnrollmentError::NotARequest(
            "content is not signedCertificateRequest",
        ));
    };
    let signed = SignedCertificateRequest::from_coer(inner.as_bytes())?;
    if signed.signer != SignerIdentifier::SelfSigned(()) {
        return Err(EnrollmentError::NotARequest("signer is not self"));
    }
    let ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(request)) =
        &signed.tbs_request.content
    else {
        return Err(EnrollmentError::NotARequest(
            "content is not eca-ee : eeEcaCertRequest",
        ));
    };
    let request = request.clone();
    let VerificationKeyIndicator::VerificationKey(k) = &request.tbs_data.verify_key_indicator
    else {
        return Err(EnrollmentError::NotARequest("no verification key"));
    };
    let key = scms_core::convert::verification_key(k)?;
    verify_certificate_request(default_backend(), &signed, None, &key)?;
    Ok(ParsedRequest {
        signed,
        request,
        key,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use scms_asn1::ieee1609dot2::EccP256CurvePoint;
    use scms_core::artifact::Artifact;

    const SEED_NOW: Time32 = 431_026_272;

    fn fixture() -> Vec<u8> {
        let text = include_str!("../../scms-cli/tests/fixtures/seed-code-block-5.hex");
        hex::decode(text.split_whitespace().collect::<String>()).unwrap()
    }

    #[test]
    fn csr_matches_the_seed_example_field_by_field() {
        let seed = parse_request(&fixture()).unwrap();
        // The seed's example asks for Canada, Mexico and USA; our default is USA only.
        let params = CsrParams {
            regions: NORTH_AMERICA.to_vec(),
            ..CsrParams::new(DeviceKind::Obe)
        };
        let csr = keygen(&params, SEED_NOW).unwrap();
        let ours = parse_request(&csr.request).unwrap();

        assert_eq!(ours.signed.hash_id, seed.signed.hash_id);
        assert_eq!(ours.signed.signer, seed.signed.signer);
        assert_eq!(
            ours.signed.tbs_request.version,
            seed.signed.tbs_request.version
        );
        assert_eq!(ours.request.version, seed.request.version);
        assert_eq!(ours.request.current_time, seed.request.current_time);
        let (a, b) = (&ours.request.tbs_data, &seed.request.tbs_data);
        assert_eq!(a.id, b.id);
        assert_eq!(a.craca_id, b.craca_id);
        assert_eq!(a.crl_series, b.crl_series);
        assert_eq!(a.validity_period, b.validity_period);
        assert_eq!(a.region, b.region);
        assert_eq!(a.assurance_level, b.assurance_level);
        assert_eq!(a.app_permissions, b.app_permissions);
        assert_eq!(a.cert_issue_permissions, b.cert_issue_permissions);
        assert_eq!(a.cert_request_permissions, b.cert_request_permissions);
        assert_eq!(a.can_request_rollover, b.can_request_rollover);
        assert_eq!(a.encryption_key, b.encryption_key);
        assert!(matches!(
            a.verify_key_indicator,
            VerificationKeyIndicator::VerificationKey(PublicVerificationKey::EcdsaNistP256(
                EccP256CurvePoint::CompressedY0(_) | EccP256CurvePoint::CompressedY1(_)
            ))
        ));

        // Byte for byte, only the key (and its y-parity tag) and the signature differ.
        let seed_bytes = fixture();
        let n = seed_bytes.len();
        assert_eq!(csr.request.len(), n);
        let key_tag = n - 66 - 1 - 32 - 1; // signature 66, signer 1, key 32, tag 1
        assert_eq!(csr.request[..key_tag], seed_bytes[..key_tag]);
        assert!(matches!(csr.request[key_tag], 0x82 | 0x83));
        assert_eq!(csr.request[n - 67..n - 64], seed_bytes[n - 67..n - 64]);
    }

    #[test]
    fn file_name_is_the_compressed_key_hex() {
        let csr = keygen(&CsrParams::new(DeviceKind::Rse), SEED_NOW).unwrap();
        let parsed = parse_request(&csr.request).unwrap();
        assert_eq!(parsed.key, *csr.key.public_key());
        let stem = csr.file_name.strip_suffix(".oer").unwrap();
        assert_eq!(stem.len(), 66);
        assert_eq!(stem, enrollment_pub_hex(&parsed.key));
        assert_eq!(
            parsed.request.tbs_data.id,
            CertificateId::Name(Hostname::new("rseenr").unwrap())
        );
    }

    #[test]
    fn inspect_verify_accepts_the_csr() {
        let csr = keygen(&CsrParams::new(DeviceKind::Obe), SEED_NOW).unwrap();
        let artifact: Artifact = Ieee1609Dot2Data::from_coer(&csr.request).unwrap().into();
        let report = artifact.verify(&[]);
        assert_eq!(
            (report.checked, report.failed),
            (1, 0),
            "{:?}",
            report.lines
        );
    }

    #[test]
    fn tampered_request_is_refused() {
        let csr = keygen(&CsrParams::new(DeviceKind::Obe), SEED_NOW).unwrap();
        let mut bytes = csr.request.clone();
        let n = bytes.len();
        bytes[n - 40] ^= 1;
        assert!(parse_request(&bytes).is_err());
    }

    #[test]
    fn empty_psids_are_refused() {
        let mut p = CsrParams::new(DeviceKind::Obe);
        p.psids.clear();
        assert!(matches!(
            keygen(&p, SEED_NOW),
            Err(EnrollmentError::InvalidParams(_))
        ));
    }
}
