//! Why the ECA refused an enrollment request: one variant per check, each mapped to
//! the `EcaEndEntityError` of eca-ee-errors.asn and, where the seed lists it, to the
//! seed's "Enrollment certificate request checks" item.

use scms_asn1::camp::errors::EcaEndEntityError;

use crate::DeviceKind;

/// The seed's checks (§"Enrollment certificate request checks"), verbatim.
pub mod check {
    /// Check 1.
    pub const SUPPORTED_PSID: &str =
        "The CSR only contains PSID from SCMS PoC Supported V2X Applications";
    /// Check 2.
    pub const ELIGIBLE_PSID: &str = "The CSR only contains PSIDs the device is eligible to";
    /// Check 3.
    pub const RIGHT_SSP: &str = "The CSR contains the right SSP values for the requested PSID";
    /// Check 4.
    pub const ELIGIBLE_SSP: &str = "The CSR only contains SSP values the device is eligible to";
    /// Check 5.
    pub const REGION: &str = "The CSR only contains Region USA";
    /// Check 6.
    pub const FRESH_KEY: &str =
        "The CSR does not contain a public key that was used with a previous enrollment cert request";
    /// Check 7.
    pub const VALIDITY: &str =
        "The CSR does have a validity period that fits the ECA's validity period";
    /// Check 8.
    pub const CRACA_ID: &str = "The CSR contains the correct cracaId";
    /// Check 9.
    pub const CRL_SERIES: &str = "The CSR contains the correct crlSeries";
    /// Check 10.
    pub const CERTIFICATE_ID: &str = "The CSR contains a useful CertificateId";
}

/// A refused enrollment request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnrollmentRejection {
    /// The bytes are not a COER `SignedEeEnrollmentCertRequest`.
    Malformed(String),
    /// `Ieee1609Dot2Data.protocolVersion` is not 3.
    ProtocolVersion(u8),
    /// The SPDU content is not `signedCertificateRequest`.
    NotCertificateRequest,
    /// `SignedCertificateRequest.hashId` is not sha256.
    HashAlgorithm,
    /// The request is not self-signed (`signer self`).
    NotSelfSigned,
    /// `ScmsPDU.version` is not 1.
    PduVersion(u8),
    /// The ScmsPDU is not `eca-ee : eeEcaCertRequest`.
    NotEnrollmentRequest,
    /// `EeEcaCertRequest.version` is not 1.
    RequestVersion(u8),
    /// The requested verification key is absent, not NIST P-256, or not a curve point.
    VerifyKey(String),
    /// The self-signature does not verify with the requested key.
    BadSignature,
    /// The ECA's own certificate is not valid now.
    EcaNotValid {
        /// Processing time.
        now: u32,
    },
    /// `currentTime` lies too far in the future or the past.
    CurrentTime {
        /// The request's currentTime.
        current: u32,
        /// Processing time.
        now: u32,
        /// Which way it is off.
        why: &'static str,
    },
    /// A field the enrollment request must not carry (ASN.1 constraint or profile).
    ForbiddenField(&'static str),
    /// `assuranceLevel` present (profile: ABSENT).
    AssuranceLevel,
    /// `encryptionKey` present (profile: ABSENT).
    EncryptionKey,
    /// The CertificateId is not useful.
    CertificateId(String),
    /// `cracaId` is not the Root CA's HashedId3.
    CracaId {
        /// The requested cracaId.
        got: [u8; 3],
        /// The Root CA's HashedId3.
        want: [u8; 3],
    },
    /// `crlSeries` is not the enrollment series.
    CrlSeries {
        /// The requested series.
        got: u16,
        /// The enrollment series.
        want: u16,
    },
    /// The validity period does not fit the ECA's, is empty, too long or already over.
    Validity(String),
    /// The requested start lies too far from processing time.
    StartTime {
        /// The requested start.
        start: u32,
        /// Processing time.
        now: u32,
    },
    /// The region is absent or not made of allowed countries.
    Region(String),
    /// `certRequestPermissions` absent or without any PSID.
    NoPermissions,
    /// `certRequestPermissions` not of the enrollment shape (one group, explicit PSIDs,
    /// chain depth 0, eeType app).
    PermissionsShape(String),
    /// A PSID not on the supported list.
    UnsupportedPsid(u64),
    /// A PSID requested twice.
    DuplicatePsid(u64),
    /// A PSID the device (kind) is not eligible to.
    IneligiblePsid {
        /// The PSID.
        psid: u64,
        /// The device kind (None: no kind is eligible to the whole set).
        kind: Option<DeviceKind>,
    },
    /// An SSP range that is not a right one for the PSID.
    WrongSsp {
        /// The PSID.
        psid: u64,
        /// What is wrong.
        why: String,
    },
    /// An SSP valid for the PSID but not one this device kind is eligible to.
    IneligibleSsp {
        /// The PSID.
        psid: u64,
        /// The device kind.
        kind: DeviceKind,
    },
    /// A PSID/SSP the ECA's own certificate may not issue.
    NotIssuable(u64),
    /// The public key was used in a previous enrollment request.
    KeyReused(String),
    /// The ECA failed (storage, signing).
    Internal(String),
}

impl EnrollmentRejection {
    /// The eca-ee-errors.asn error this maps to.
    pub fn code(&self) -> EcaEndEntityError {
        use EnrollmentRejection as R;
        match self {
            R::Malformed(_)
            | R::ProtocolVersion(_)
            | R::NotCertificateRequest
            | R::HashAlgorithm
            | R::NotSelfSigned
            | R::PduVersion(_)
            | R::NotEnrollmentRequest
            | R::RequestVersion(_)
            | R::ForbiddenField(_)
            | R::CertificateId(_)
            | R::CracaId { .. }
            | R::CrlSeries { .. } => EcaEndEntityError::EcaMalformedRequest,
            R::VerifyKey(_) | R::BadSignature | R::KeyReused(_) => {
                EcaEndEntityError::EcaInvalidVerifyKey
            }
            R::CurrentTime { .. } => EcaEndEntityError::EcaInvalidCurrentTime,
            R::AssuranceLevel => EcaEndEntityError::EcaInvalidAssuranceLevel,
            R::EncryptionKey => EcaEndEntityError::EcaInvalidEncryptionKey,
            R::Validity(_) => EcaEndEntityError::EcaInvalidValidityPeriod,
            R::StartTime { .. } => EcaEndEntityError::EcaInvalidRequestedStartTime,
            R::Region(_) => EcaEndEntityError::EcaInvalidRegion,
            R::NoPermissions
            | R::PermissionsShape(_)
            | R::UnsupportedPsid(_)
            | R::DuplicatePsid(_)
            | R::IneligiblePsid { .. }
            | R::WrongSsp { .. }
            | R::IneligibleSsp { .. }
            | R::NotIssuable(_) => EcaEndEntityError::EcaInvalidPsid,
            R::EcaNotValid { .. } | R::Internal(_) => EcaEndEntityError::EcaInternalServerError,
        }
    }

    /// The ASN.1 name of [`Self::code`] (e.g. `ecaInvalidPsid`).
    pub fn code_name(&self) -> &'static str {
        match self.code() {
            EcaEndEntityError::EcaInvalidCurrentTime => "ecaInvalidCurrentTime",
            EcaEndEntityError::EcaInvalidRequestedStartTime => "ecaInvalidRequestedStartTime",
            EcaEndEntityError::EcaInvalidPsid => "ecaInvalidPsid",
            EcaEndEntityError::EcaInvalidValidityPeriod => "ecaInvalidValidityPeriod",
            EcaEndEntityError::EcaInvalidRegion => "ecaInvalidRegion",
            EcaEndEntityError::EcaInvalidAssuranceLevel => "ecaInvalidAssuranceLevel",
            EcaEndEntityError::EcaInvalidEncryptionKey => "ecaInvalidEncryptionKey",
            EcaEndEntityError::EcaInvalidVerifyKey => "ecaInvalidVerifyKey",
            EcaEndEntityError::EcaMalformedRequest => "ecaMalformedRequest",
            EcaEndEntityError::EcaInternalServerError => "ecaInternalServerError",
            EcaEndEntityError::EcaResponseTimeout => "ecaResponseTimeout",
        }
    }

    /// The seed check this failure belongs to, if it is one of the listed ten.
    pub fn seed_check(&self) -> Option<&'static str> {
        use EnrollmentRejection as R;
        Some(match self {
            R::UnsupportedPsid(_) => check::SUPPORTED_PSID,
            R::IneligiblePsid { .. } | R::NotIssuable(_) | R::DuplicatePsid(_) => {
                check::ELIGIBLE_PSID
            }
            R::WrongSsp { .. } => check::RIGHT_SSP,
            R::IneligibleSsp { .. } => check::ELIGIBLE_SSP,
            R::Region(_) => check::REGION,
            R::KeyReused(_) => check::FRESH_KEY,
            R::Validity(_) | R::StartTime { .. } => check::VALIDITY,
            R::CracaId { .. } => check::CRACA_ID,
            R::CrlSeries { .. } => check::CRL_SERIES,
            R::CertificateId(_) => check::CERTIFICATE_ID,
            _ => return None,
        })
    }

    fn detail(&self) -> String {
        use EnrollmentRejection as R;
        match self {
            R::Malformed(e) => format!("not a SignedEeEnrollmentCertRequest: {e}"),
            R::ProtocolVersion(v) => format!("protocolVersion {v}, expected 3"),
            R::NotCertificateRequest => "content is not signedCertificateRequest".into(),
            R::HashAlgorithm => "hashId is not sha256".into(),
            R::NotSelfSigned => "signer is not self".into(),
            R::PduVersion(v) => format!("ScmsPDU version {v}, expected 1"),
            R::NotEnrollmentRequest => "ScmsPDU is not eca-ee : eeEcaCertRequest".into(),
            R::RequestVersion(v) => format!("EeEcaCertRequest version {v}, expected 1"),
            R::VerifyKey(e) => format!("verification key unusable: {e}"),
            R::BadSignature => {
                "self-signature does not verify with the requested verification key".into()
            }
            R::EcaNotValid { now } => format!("the ECA certificate is not valid at {now}"),
            R::CurrentTime { current, now, why } => {
                format!("currentTime {current} is {why} (now {now})")
            }
            R::ForbiddenField(f) => format!("{f} must be absent"),
            R::AssuranceLevel => "assuranceLevel must be absent".into(),
            R::EncryptionKey => "encryptionKey must be absent".into(),
            R::CertificateId(e) => format!("CertificateId not useful: {e}"),
            R::CracaId { got, want } => format!(
                "cracaId {} is not the Root CA's HashedId3 {}",
                hex::encode(got),
                hex::encode(want)
            ),
            R::CrlSeries { got, want } => format!("crlSeries {got}, expected {want}"),
            R::Validity(e) => format!("validity period: {e}"),
            R::StartTime { start, now } => {
                format!("requested start {start} too far from now {now}")
            }
            R::Region(e) => format!("region: {e}"),
            R::NoPermissions => "certRequestPermissions name no PSID".into(),
            R::PermissionsShape(e) => format!("certRequestPermissions: {e}"),
            R::UnsupportedPsid(p) => format!("PSID {p:#x} is not a supported application"),
            R::DuplicatePsid(p) => format!("PSID {p:#x} requested twice"),
            R::IneligiblePsid {
                psid,
                kind: Some(k),
            } => format!("an {k} is not eligible to PSID {psid:#x}"),
            R::IneligiblePsid { psid, kind: None } => {
                format!("PSID {psid:#x}: neither an OBE nor an RSE is eligible to this PSID set")
            }
            R::WrongSsp { psid, why } => format!("SSP of PSID {psid:#x}: {why}"),
            R::IneligibleSsp { psid, kind } => {
                format!("an {kind} is not eligible to the requested SSP of PSID {psid:#x}")
            }
            R::NotIssuable(p) => {
                format!("the ECA certificate may not issue PSID {p:#x} with that SSP")
            }
            R::KeyReused(k) => format!("public key {k} was already enrolled"),
            R::Internal(e) => e.clone(),
        }
    }
}

impl std::fmt::Display for EnrollmentRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code_name(), self.detail())?;
        if let Some(c) = self.seed_check() {
            write!(f, " [check: {c}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for EnrollmentRejection {}
