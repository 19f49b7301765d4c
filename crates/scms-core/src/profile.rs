//! The certificate profiles of the CAMP SCMS (cert-profile.asn, scms-base-types.asn): a
//! template builder per certificate kind and a checker of a `ToBeSignedCertificate`
//! against its profile.
//!
//! Readings of the profiles, where the ASN.1 leaves room:
//! - **Durations** are upper bounds: the template uses the PoC constant and `check` accepts
//!   any duration up to the longest constant of the profile (CV-Pilot certificates use
//!   shorter `sixtyHours` validities, SCMS-1603/1605).
//! - **Names** are the component FQDN (SCMS-1725), not only the PoC host names listed.
//! - **Region**: the profiles say `identifiedRegion {countryOnly USA}`, which is the
//!   template's default; `check` accepts any identified region made of USA, Canada and
//!   Mexico (the seed's enrollment request asks for all three); issuance then holds it
//!   inside the issuer's region.
//! - **RA** `certRequestPermissions` says `SIZE (25)` but lists 26 PSIDs: the list wins.
//! - **Pseudonym** `group-linkage-value PRESENT` is not enforced: group linkage is not
//!   implemented in the PoC (only `linkageData` is required).
//! - An absent SSP is taken as the empty opaque SSP when matched against SSP ranges, and an
//!   empty `opaque {}` range (as in the seed's enrollment request) as `{ ''H }`.

use scms_asn1::camp::protocol::{
    CrlSignerSsp, DcmSsp, EcaSsp, ElectorSsp, IcaSsp, LaSsp, PGSsp, PcaSsp, RaSsp, RootCaSsp,
    ScmsSsp,
};
use scms_asn1::coer::{OctetString, VarInt};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, CracaType, CrlSeries, CrlSsp, Duration,
    EccP256CurvePoint, EndEntityType, GeographicRegion, HashAlgorithm, HashedId3, IdentifiedRegion,
    IssuerIdentifier, LinkageData, Psid, PsidGroupPermissions, PsidSsp, PsidSspRange,
    PublicVerificationKey, ServiceSpecificPermissions, SspRange, SubjectPermissions, Time32,
    ToBeSignedCertificate, ValidityPeriod, VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_crypto::Point;

use crate::convert::{compressed, public_encryption_key};
use crate::time::duration_seconds;

/// The PSIDs of the PoC (scms-base-types.asn).
pub mod psid {
    /// BsmPsid (0x20).
    pub const BSM: u64 = 0x20;
    /// SecurityMgmtPsid (0x23): SCMS messages and component certificates.
    pub const SECURITY_MGMT: u64 = 0x23;
    /// MisbehaviorReportingPsid (0x26).
    pub const MISBEHAVIOR_REPORTING: u64 = 0x26;
    /// VulnerableRoadUsersSafetyPsid (0x27).
    pub const VULNERABLE_ROAD_USERS: u64 = 0x27;
    /// DifferentialGpsCorrectionsUncompressedPsid (0x80).
    pub const DGPS_UNCOMPRESSED: u64 = 0x80;
    /// DifferentialGpsCorrectionsCompressedPsid (0x81).
    pub const DGPS_COMPRESSED: u64 = 0x81;
    /// IntersectionSafetyAndAwarenessPsid (0x82).
    pub const INTERSECTION_SAFETY: u64 = 0x82;
    /// TravellerInformationAndRoadsideSignagePsid (0x83).
    pub const TRAVELLER_INFORMATION: u64 = 0x83;
    /// WaveServiceAdvertisementPsid (0x87).
    pub const WSA: u64 = 0x87;
    /// CrlPsid (0x100): only in the Root CA's and the CRL generator's certificates.
    pub const CRL: u64 = 0x100;
    /// VehicleInitiatedDistressNotificationPsid (0x4082).
    pub const DISTRESS_NOTIFICATION: u64 = 0x4082;
    /// TranscoreSoftwareUpdatePsid (0x204083).
    pub const TRANSCORE_SOFTWARE_UPDATE: u64 = 0x20_4083;
    /// CVPApplication1Psid (0x204088); applications 1..16 follow consecutively.
    pub const CVP_APPLICATION_1: u64 = 0x20_4088;
    /// CVPApplication16Psid (0x204097).
    pub const CVP_APPLICATION_16: u64 = 0x20_4097;
}

/// The CRL series of the PoC (scms-base-types.asn).
pub mod crl_series {
    use scms_asn1::ieee1609dot2::CrlSeries;
    /// ObePseudonymCrlSeries.
    pub const OBE_PSEUDONYM: CrlSeries = 1;
    /// ScmsComponentCrlSeries.
    pub const SCMS_COMPONENT: CrlSeries = 2;
    /// EeNonPseudonymCrlSeries.
    pub const EE_NON_PSEUDONYM: CrlSeries = 3;
    /// EeEnrollmentCrlSeries.
    pub const EE_ENROLLMENT: CrlSeries = 4;
    /// ScmsSpclComponentCrlSeries (Root-level series: CRLG, PG, MA).
    pub const SCMS_SPCL_COMPONENT: CrlSeries = 256;
}

/// Country codes of the PoC regions.
pub mod country {
    /// USA (840).
    pub const USA: u16 = 840;
    /// Canada (124).
    pub const CANADA: u16 = 124;
    /// Mexico (484).
    pub const MEXICO: u16 = 484;
}

/// The kinds of certificate of the SCMS, one per profile in cert-profile.asn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CertKind {
    /// Root CA: explicit, self-signed.
    Root,
    /// Elector: explicit, self-signed, outside the PKI hierarchy.
    Elector,
    /// Intermediate CA.
    Ica,
    /// Enrollment CA.
    Eca,
    /// Pseudonym CA.
    Pca,
    /// Registration Authority.
    Ra,
    /// Linkage Authority.
    La,
    /// Misbehavior Authority.
    Ma,
    /// CRL Generator.
    Crlg,
    /// Policy Generator.
    Pg,
    /// Device Configuration Manager.
    Dcm,
    /// OBE enrollment certificate (implicit, from the ECA).
    ObeEnrollment,
    /// RSE enrollment certificate (implicit, from the ECA).
    RseEnrollment,
    /// OBE pseudonym certificate (implicit, from the PCA).
    ObePseudonym,
    /// OBE identification certificate (implicit, from the PCA).
    ObeIdentification,
    /// RSE application certificate (implicit, from the PCA).
    RseApplication,
}

impl CertKind {
    /// Every kind.
    pub const ALL: [CertKind; 16] = [
        CertKind::Root,
        CertKind::Elector,
        CertKind::Ica,
        CertKind::Eca,
        CertKind::Pca,
        CertKind::Ra,
        CertKind::La,
        CertKind::Ma,
        CertKind::Crlg,
        CertKind::Pg,
        CertKind::Dcm,
        CertKind::ObeEnrollment,
        CertKind::RseEnrollment,
        CertKind::ObePseudonym,
        CertKind::ObeIdentification,
        CertKind::RseApplication,
    ];

    /// A short lowercase name (`root`, `obe-pseudonym`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CertKind::Root => "root",
            CertKind::Elector => "elector",
            CertKind::Ica => "ica",
            CertKind::Eca => "eca",
            CertKind::Pca => "pca",
            CertKind::Ra => "ra",
            CertKind::La => "la",
            CertKind::Ma => "ma",
            CertKind::Crlg => "crlg",
            CertKind::Pg => "pg",
            CertKind::Dcm => "dcm",
            CertKind::ObeEnrollment => "obe-enrollment",
            CertKind::RseEnrollment => "rse-enrollment",
            CertKind::ObePseudonym => "obe-pseudonym",
            CertKind::ObeIdentification => "obe-identification",
            CertKind::RseApplication => "rse-application",
        }
    }

    /// The kind named by [`CertKind::name`].
    pub fn from_name(name: &str) -> Option<CertKind> {
        CertKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// End-entity certificates are implicit; component certificates explicit (SCMS-1314).
    pub fn is_implicit(self) -> bool {
        matches!(
            self,
            CertKind::ObeEnrollment
                | CertKind::RseEnrollment
                | CertKind::ObePseudonym
                | CertKind::ObeIdentification
                | CertKind::RseApplication
        )
    }

    /// Root CA and Elector certificates are self-signed.
    pub fn is_self_signed(self) -> bool {
        matches!(self, CertKind::Root | CertKind::Elector)
    }

    /// The kinds allowed to issue this kind (empty for self-signed kinds). Root issues
    /// ICA, MA, CRLG and PG; ICA issues sub-ICAs and ECA, PCA, RA, LA, DCM (and PG when
    /// a top-level ICA exists); ECA issues enrollment certificates, PCA the other EE ones.
    pub fn issuers(self) -> &'static [CertKind] {
        match self {
            CertKind::Root | CertKind::Elector => &[],
            CertKind::Ica | CertKind::Pg | CertKind::Dcm => &[CertKind::Root, CertKind::Ica],
            CertKind::Ma | CertKind::Crlg => &[CertKind::Root],
            CertKind::Eca | CertKind::Pca | CertKind::Ra | CertKind::La => &[CertKind::Ica],
            CertKind::ObeEnrollment | CertKind::RseEnrollment => &[CertKind::Eca],
            CertKind::ObePseudonym | CertKind::ObeIdentification | CertKind::RseApplication => {
                &[CertKind::Pca]
            }
        }
    }

    /// The profile's CRL series.
    pub fn crl_series(self) -> CrlSeries {
        match self {
            CertKind::Root | CertKind::Elector => 0,
            CertKind::Ica
            | CertKind::Eca
            | CertKind::Pca
            | CertKind::Ra
            | CertKind::La
            | CertKind::Dcm => crl_series::SCMS_COMPONENT,
            CertKind::Ma | CertKind::Crlg | CertKind::Pg => crl_series::SCMS_SPCL_COMPONENT,
            CertKind::ObeEnrollment | CertKind::RseEnrollment => crl_series::EE_ENROLLMENT,
            CertKind::ObePseudonym => crl_series::OBE_PSEUDONYM,
            CertKind::ObeIdentification | CertKind::RseApplication => crl_series::EE_NON_PSEUDONYM,
        }
    }

    /// The profile's (PoC) duration, from the scms-base-types constants.
    pub fn default_duration(self) -> Duration {
        match self {
            CertKind::Root => Duration::Years(70),
            CertKind::Elector => Duration::Years(60),
            CertKind::Ica => Duration::Years(50),
            CertKind::Eca => Duration::Years(40),
            CertKind::Pca => Duration::Years(4),
            CertKind::Ra
            | CertKind::La
            | CertKind::Ma
            | CertKind::Crlg
            | CertKind::Pg
            | CertKind::Dcm => Duration::Hours(26_448),
            CertKind::ObeEnrollment | CertKind::RseEnrollment => Duration::Years(30),
            CertKind::ObeIdentification => Duration::Hours(721),
            CertKind::ObePseudonym | CertKind::RseApplication => Duration::Hours(169),
        }
    }

    /// The longest duration the profile allows, in seconds (the largest of its PoC and
    /// CV-Pilot constants).
    pub fn max_duration_seconds(self) -> u64 {
        duration_seconds(&self.default_duration())
    }

    /// Whether the profile carries `canRequestRollover NULL`.
    fn can_request_rollover(self) -> bool {
        !matches!(
            self,
            CertKind::Root
                | CertKind::Elector
                | CertKind::ObePseudonym
                | CertKind::ObeIdentification
                | CertKind::RseApplication
        )
    }

    /// `Some(true)`: encryptionKey PRESENT; `Some(false)`: ABSENT; `None`: OPTIONAL.
    fn encryption_key(self) -> Option<bool> {
        match self {
            CertKind::Dcm | CertKind::Eca | CertKind::Ma | CertKind::Pca | CertKind::Ra => {
                Some(true)
            }
            CertKind::ObePseudonym | CertKind::ObeIdentification | CertKind::RseApplication => None,
            _ => Some(false),
        }
    }

    /// Whether the profile has a region (`identifiedRegion`), else region ABSENT.
    fn has_region(self) -> bool {
        !matches!(
            self,
            CertKind::Root | CertKind::Elector | CertKind::Ma | CertKind::Crlg | CertKind::Pg
        )
    }
}

impl std::fmt::Display for CertKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a certificate does not match its profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A parameter the profile needs was not given to [`template`].
    #[error("{kind}: missing parameter {what}")]
    MissingParameter {
        /// The profile.
        kind: CertKind,
        /// The parameter.
        what: &'static str,
    },
    /// A parameter could not be encoded (e.g. a name longer than 255 characters).
    #[error("{kind}: invalid parameter {what}")]
    InvalidParameter {
        /// The profile.
        kind: CertKind,
        /// The parameter.
        what: &'static str,
    },
    /// Explicit vs implicit certificate type.
    #[error("{kind}: wrong certificate type (explicit/implicit)")]
    CertificateType {
        /// The profile.
        kind: CertKind,
    },
    /// Issuer identifier form (self vs sha256AndDigest).
    #[error("{kind}: wrong issuer identifier form")]
    IssuerForm {
        /// The profile.
        kind: CertKind,
    },
    /// Wrong `id` form (name, binaryId, linkageData).
    #[error("{kind}: certificate id must be {expected}")]
    IdForm {
        /// The profile.
        kind: CertKind,
        /// The required form.
        expected: &'static str,
    },
    /// cracaId not as the profile says.
    #[error("{kind}: wrong cracaId")]
    CracaId {
        /// The profile.
        kind: CertKind,
    },
    /// crlSeries not as the profile says.
    #[error("{kind}: crlSeries {found}, profile requires {expected}")]
    CrlSeries {
        /// The profile.
        kind: CertKind,
        /// Required.
        expected: CrlSeries,
        /// Found.
        found: CrlSeries,
    },
    /// Validity longer than the profile allows.
    #[error("{kind}: duration {found} s exceeds the profile's {max} s")]
    Duration {
        /// The profile.
        kind: CertKind,
        /// The maximum, seconds.
        max: u64,
        /// Found, seconds.
        found: u64,
    },
    /// Region presence or content.
    #[error("{kind}: region: {what}")]
    Region {
        /// The profile.
        kind: CertKind,
        /// What is wrong.
        what: &'static str,
    },
    /// assuranceLevel must be absent.
    #[error("{kind}: assuranceLevel must be absent")]
    AssuranceLevel {
        /// The profile.
        kind: CertKind,
    },
    /// appPermissions presence or content.
    #[error("{kind}: appPermissions: {what}")]
    AppPermissions {
        /// The profile.
        kind: CertKind,
        /// What is wrong.
        what: &'static str,
    },
    /// certIssuePermissions presence or content.
    #[error("{kind}: certIssuePermissions: {what}")]
    CertIssuePermissions {
        /// The profile.
        kind: CertKind,
        /// What is wrong.
        what: &'static str,
    },
    /// certRequestPermissions presence or content.
    #[error("{kind}: certRequestPermissions: {what}")]
    CertRequestPermissions {
        /// The profile.
        kind: CertKind,
        /// What is wrong.
        what: &'static str,
    },
    /// canRequestRollover presence.
    #[error("{kind}: canRequestRollover must be {}", if *.present { "present" } else { "absent" })]
    CanRequestRollover {
        /// The profile.
        kind: CertKind,
        /// Whether it must be present.
        present: bool,
    },
    /// encryptionKey presence.
    #[error("{kind}: encryptionKey must be {}", if *.present { "present" } else { "absent" })]
    EncryptionKey {
        /// The profile.
        kind: CertKind,
        /// Whether it must be present.
        present: bool,
    },
    /// verifyKeyIndicator form.
    #[error("{kind}: verifyKeyIndicator must be {expected}")]
    VerifyKeyIndicator {
        /// The profile.
        kind: CertKind,
        /// The required form.
        expected: &'static str,
    },
    /// 1609.2-2022 extension fields are not part of the profiles.
    #[error("{kind}: unexpected 1609.2 extension field")]
    Extension {
        /// The profile.
        kind: CertKind,
    },
}

/// What [`template`] needs; set only the fields a profile uses (`..Default::default()`).
#[derive(Debug, Clone, Default)]
pub struct TemplateParams {
    /// The component FQDN (`id name`); enrollment certificates default to `""`.
    pub name: Option<String>,
    /// validityPeriod.start.
    pub start: Time32,
    /// HashedId3 of the Root CA certificate (ignored for Root and Elector: `000000`).
    pub craca_id: HashedId3,
    /// The subject's verification key: required for explicit kinds; for implicit kinds the
    /// request point (a placeholder is used if absent; issuance replaces it).
    pub verification_key: Option<Point>,
    /// The subject's ECIES encryption key (required where the profile has it PRESENT).
    pub encryption_key: Option<Point>,
    /// Region override (default: `identifiedRegion {countryOnly USA}` where the profile has
    /// a region).
    pub region: Option<GeographicRegion>,
    /// appPermissions for end-entity kinds (required for identification and application
    /// certificates, optional for pseudonyms).
    pub app_permissions: Option<Vec<PsidSsp>>,
    /// certRequestPermissions for enrollment certificates (required for RSE enrollment).
    pub cert_request_permissions: Option<Vec<PsidGroupPermissions>>,
    /// Duration override (at most the profile's).
    pub duration: Option<Duration>,
    /// Pseudonym certificates: the linkage data (`id linkageData`).
    pub linkage_data: Option<LinkageData>,
    /// Identification and application certificates: the 8-byte `binaryId` (RIF).
    pub binary_id: Option<[u8; 8]>,
    /// LA certificates: the 16-bit LA id carried in the LaSsp.
    pub la_id: Option<u16>,
}

/// The `ServiceSpecificPermissions` holding the COER of `ssp`.
pub fn scms_ssp(ssp: &ScmsSsp) -> ServiceSpecificPermissions {
    ServiceSpecificPermissions::Opaque(OctetString(ssp.to_coer()))
}

/// The ScmsSsp carried in an SSP, if it is one.
pub fn parse_scms_ssp(ssp: &ServiceSpecificPermissions) -> Option<ScmsSsp> {
    match ssp {
        ServiceSpecificPermissions::Opaque(o) => ScmsSsp::from_coer(o.as_bytes()).ok(),
        _ => None,
    }
}

/// The CRL SSP of the Root CA (`isCraca`, series 256) or of the CRLG (`issuerIsCraca`,
/// series 4, 3, 1, 2).
fn crl_ssp(kind: CertKind) -> CrlSsp {
    if kind == CertKind::Root {
        CrlSsp {
            version: 1,
            associated_craca: CracaType::IsCraca,
            crls: vec![crl_series::SCMS_SPCL_COMPONENT],
        }
    } else {
        CrlSsp {
            version: 1,
            associated_craca: CracaType::IssuerIsCraca,
            crls: vec![
                crl_series::EE_ENROLLMENT,
                crl_series::EE_NON_PSEUDONYM,
                crl_series::OBE_PSEUDONYM,
                crl_series::SCMS_COMPONENT,
            ],
        }
    }
}

fn psid_ssp(psid: u64, ssp: Option<ServiceSpecificPermissions>) -> PsidSsp {
    PsidSsp {
        psid: Psid::new(psid),
        ssp,
    }
}

fn range(psid: u64, opaque: Option<&[&[u8]]>) -> PsidSspRange {
    PsidSspRange {
        psid: Psid::new(psid),
        ssp_range: opaque
            .map(|list| SspRange::Opaque(list.iter().map(|b| OctetString(b.to_vec())).collect())),
    }
}

/// The 26 application PSIDs (with SSP ranges) that ICA, ECA and PCA may issue and an RA
/// may request.
pub fn application_ranges() -> Vec<PsidSspRange> {
    const EMPTY: &[&[u8]] = &[&[]];
    const INTERSECTION: &[&[u8]] = &[
        &[0x90, 0x01],
        &[0x90, 0xFF, 0xFF, 0x01],
        &[0x90, 0xFF, 0xFF, 0x02],
        &[0x90, 0xFF, 0xFF, 0x03],
        &[0x90, 0xFF, 0xFF, 0x04],
    ];
    let mut v = vec![
        range(psid::BSM, Some(EMPTY)),
        range(psid::MISBEHAVIOR_REPORTING, None),
        range(psid::VULNERABLE_ROAD_USERS, None),
        range(psid::DGPS_UNCOMPRESSED, None),
        range(psid::DGPS_COMPRESSED, None),
        range(psid::INTERSECTION_SAFETY, Some(INTERSECTION)),
        range(psid::TRAVELLER_INFORMATION, None),
        range(psid::WSA, Some(EMPTY)),
        range(psid::DISTRESS_NOTIFICATION, None),
        range(psid::TRANSCORE_SOFTWARE_UPDATE, None),
    ];
    v.extend((psid::CVP_APPLICATION_1..=psid::CVP_APPLICATION_16).map(|p| range(p, None)));
    v
}

fn group(perms: SubjectPermissions, min: i64, range: i64, ee: &[usize]) -> PsidGroupPermissions {
    PsidGroupPermissions {
        subject_permissions: perms,
        min_chain_depth: VarInt(min),
        chain_depth_range: VarInt(range),
        ee_type: EndEntityType::with(ee),
    }
}

const APP: usize = EndEntityType::app;
const ENROL: usize = EndEntityType::enrol;

fn explicit_one(psid: u64) -> SubjectPermissions {
    SubjectPermissions::Explicit(vec![range(psid, None)])
}

/// The profile's certIssuePermissions (Root, ICA, ECA, PCA), else `None`.
pub fn issue_permissions(kind: CertKind) -> Option<Vec<PsidGroupPermissions>> {
    let apps = || SubjectPermissions::Explicit(application_ranges());
    Some(match kind {
        CertKind::Root => vec![
            group(SubjectPermissions::All(()), 3, -1, &[APP, ENROL]),
            group(explicit_one(psid::SECURITY_MGMT), 1, -1, &[APP, ENROL]),
            group(
                explicit_one(psid::MISBEHAVIOR_REPORTING),
                1,
                -1,
                &[APP, ENROL],
            ),
            group(explicit_one(psid::CRL), 1, -1, &[APP, ENROL]),
        ],
        CertKind::Ica => vec![
            group(SubjectPermissions::All(()), 2, 0, &[APP, ENROL]),
            group(apps(), 1, -1, &[APP, ENROL]),
        ],
        CertKind::Eca => vec![group(apps(), 1, 0, &[ENROL])],
        CertKind::Pca => vec![group(apps(), 1, 0, &[APP])],
        _ => return None,
    })
}

/// The profile's fixed certRequestPermissions (RA, DCM, OBE enrollment), else `None`.
pub fn request_permissions(kind: CertKind) -> Option<Vec<PsidGroupPermissions>> {
    const EMPTY: &[&[u8]] = &[&[]];
    Some(match kind {
        CertKind::Ra => vec![group(
            SubjectPermissions::Explicit(application_ranges()),
            0,
            0,
            &[APP],
        )],
        CertKind::Dcm => vec![group(
            SubjectPermissions::Explicit(vec![
                range(psid::BSM, Some(EMPTY)),
                range(psid::MISBEHAVIOR_REPORTING, None),
            ]),
            0,
            0,
            &[ENROL],
        )],
        CertKind::ObeEnrollment => vec![group(
            SubjectPermissions::Explicit(vec![
                range(psid::BSM, Some(EMPTY)),
                range(psid::MISBEHAVIOR_REPORTING, Some(EMPTY)),
            ]),
            0,
            0,
            &[APP],
        )],
        _ => return None,
    })
}

/// The ScmsSsp variant a component kind carries under SecurityMgmtPsid (`None` for MA,
/// whose SSP is absent in the PoC, and for EEs).
fn component_ssp(kind: CertKind, la_id: u16) -> Option<ScmsSsp> {
    Some(match kind {
        CertKind::Root => ScmsSsp::Root(RootCaSsp { version: 1 }),
        CertKind::Elector => ScmsSsp::Elector(ElectorSsp { version: 1 }),
        CertKind::Ica => ScmsSsp::Ica(IcaSsp { version: 1 }),
        CertKind::Eca => ScmsSsp::Eca(EcaSsp { version: 1 }),
        CertKind::Pca => ScmsSsp::Pca(PcaSsp { version: 1 }),
        CertKind::Ra => ScmsSsp::Ra(RaSsp { version: 1 }),
        CertKind::La => ScmsSsp::La(LaSsp { version: 1, la_id }),
        CertKind::Crlg => ScmsSsp::Crl(CrlSignerSsp { version: 1 }),
        CertKind::Pg => ScmsSsp::Pg(PGSsp { version: 1 }),
        CertKind::Dcm => ScmsSsp::Dcm(DcmSsp { version: 1 }),
        _ => return None,
    })
}

/// Whether `ssp` is the ScmsSsp variant of `kind` with version 1.
fn is_component_ssp(kind: CertKind, ssp: &ScmsSsp) -> bool {
    match (kind, ssp) {
        (CertKind::Root, ScmsSsp::Root(s)) => s.version == 1,
        (CertKind::Elector, ScmsSsp::Elector(s)) => s.version == 1,
        (CertKind::Ica, ScmsSsp::Ica(s)) => s.version == 1,
        (CertKind::Eca, ScmsSsp::Eca(s)) => s.version == 1,
        (CertKind::Pca, ScmsSsp::Pca(s)) => s.version == 1,
        (CertKind::Ra, ScmsSsp::Ra(s)) => s.version == 1,
        (CertKind::La, ScmsSsp::La(s)) => s.version == 1,
        (CertKind::Crlg, ScmsSsp::Crl(s)) => s.version == 1,
        (CertKind::Pg, ScmsSsp::Pg(s)) => s.version == 1,
        (CertKind::Dcm, ScmsSsp::Dcm(s)) => s.version == 1,
        _ => false,
    }
}

/// The component appPermissions of the profile (SecurityMgmtPsid with the kind's ScmsSsp,
/// plus CrlPsid with its CrlSsp for Root and CRLG).
fn component_app_permissions(kind: CertKind, la_id: u16) -> Vec<PsidSsp> {
    let mut v = vec![psid_ssp(
        psid::SECURITY_MGMT,
        component_ssp(kind, la_id).as_ref().map(scms_ssp),
    )];
    if matches!(kind, CertKind::Root | CertKind::Crlg) {
        v.push(psid_ssp(
            psid::CRL,
            Some(ServiceSpecificPermissions::Opaque(OctetString(
                crl_ssp(kind).to_coer(),
            ))),
        ));
    }
    v
}

/// The default region: `identifiedRegion {countryOnly USA}`.
pub fn usa() -> GeographicRegion {
    GeographicRegion::IdentifiedRegion(vec![IdentifiedRegion::CountryOnly(country::USA)])
}

/// A placeholder reconstruction value for implicit templates (replaced at issuance).
const PLACEHOLDER_POINT: EccP256CurvePoint = EccP256CurvePoint::CompressedY0([0; 32]);

/// Builds the `ToBeSignedCertificate` of `kind` as its profile prescribes.
pub fn template(kind: CertKind, p: &TemplateParams) -> Result<ToBeSignedCertificate, ProfileError> {
    let missing = |what| ProfileError::MissingParameter { kind, what };
    let name = |default: Option<&str>| -> Result<CertificateId, ProfileError> {
        let n = p.name.as_deref().or(default).ok_or(missing("name"))?;
        scms_asn1::ieee1609dot2::Hostname::new(n)
            .map(CertificateId::Name)
            .map_err(|_| ProfileError::InvalidParameter { kind, what: "name" })
    };
    let id = match kind {
        CertKind::Elector | CertKind::ObeEnrollment | CertKind::RseEnrollment => name(Some(""))?,
        CertKind::ObePseudonym => {
            CertificateId::LinkageData(p.linkage_data.clone().ok_or(missing("linkage_data"))?)
        }
        CertKind::ObeIdentification | CertKind::RseApplication => CertificateId::BinaryId(
            OctetString(p.binary_id.ok_or(missing("binary_id"))?.to_vec()),
        ),
        _ => name(None)?,
    };
    let craca_id = if kind.is_self_signed() {
        [0; 3]
    } else {
        p.craca_id
    };
    let region = if kind.has_region() {
        Some(p.region.clone().unwrap_or_else(usa))
    } else {
        None
    };
    let app_permissions = match kind {
        CertKind::ObeEnrollment | CertKind::RseEnrollment => None,
        CertKind::ObePseudonym => Some(p.app_permissions.clone().unwrap_or_else(|| {
            vec![
                psid_ssp(
                    psid::BSM,
                    Some(ServiceSpecificPermissions::Opaque(OctetString(vec![]))),
                ),
                psid_ssp(
                    psid::MISBEHAVIOR_REPORTING,
                    Some(ServiceSpecificPermissions::Opaque(OctetString(vec![]))),
                ),
            ]
        })),
        CertKind::ObeIdentification | CertKind::RseApplication => Some(
            p.app_permissions
                .clone()
                .ok_or(missing("app_permissions"))?,
        ),
        CertKind::La => Some(component_app_permissions(
            kind,
            p.la_id.ok_or(missing("la_id"))?,
        )),
        _ => Some(component_app_permissions(kind, 0)),
    };
    let cert_request_permissions = match kind {
        CertKind::RseEnrollment => Some(
            p.cert_request_permissions
                .clone()
                .ok_or(missing("cert_request_permissions"))?,
        ),
        CertKind::ObeEnrollment => p
            .cert_request_permissions
            .clone()
            .or_else(|| request_permissions(kind)),
        _ => request_permissions(kind),
    };
    let encryption_key = match kind.encryption_key() {
        Some(true) => Some(public_encryption_key(
            p.encryption_key.as_ref().ok_or(missing("encryption_key"))?,
        )),
        Some(false) => None,
        None => p.encryption_key.as_ref().map(public_encryption_key),
    };
    let verify_key_indicator = if kind.is_implicit() {
        VerificationKeyIndicator::ReconstructionValue(
            p.verification_key
                .as_ref()
                .map(compressed)
                .unwrap_or(PLACEHOLDER_POINT),
        )
    } else {
        VerificationKeyIndicator::VerificationKey(PublicVerificationKey::EcdsaNistP256(compressed(
            p.verification_key
                .as_ref()
                .ok_or(missing("verification_key"))?,
        )))
    };
    let tbs = ToBeSignedCertificate {
        id,
        craca_id,
        crl_series: kind.crl_series(),
        validity_period: ValidityPeriod {
            start: p.start,
            duration: p
                .duration
                .clone()
                .unwrap_or_else(|| kind.default_duration()),
        },
        region,
        assurance_level: None,
        app_permissions,
        cert_issue_permissions: issue_permissions(kind),
        cert_request_permissions,
        can_request_rollover: kind.can_request_rollover().then_some(()),
        encryption_key,
        verify_key_indicator,
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
    };
    check(kind, &tbs)?;
    Ok(tbs)
}

fn is_compressed(p: &EccP256CurvePoint) -> bool {
    matches!(
        p,
        EccP256CurvePoint::CompressedY0(_) | EccP256CurvePoint::CompressedY1(_)
    )
}

/// Checks `tbs` against the profile of `kind` (every field the profile constrains).
pub fn check(kind: CertKind, tbs: &ToBeSignedCertificate) -> Result<(), ProfileError> {
    // id
    match (kind, &tbs.id) {
        (CertKind::ObePseudonym, CertificateId::LinkageData(_)) => {}
        (CertKind::ObePseudonym, _) => {
            return Err(ProfileError::IdForm {
                kind,
                expected: "linkageData",
            })
        }
        (CertKind::ObeIdentification | CertKind::RseApplication, CertificateId::BinaryId(b))
            if b.as_bytes().len() == 8 => {}
        (CertKind::ObeIdentification | CertKind::RseApplication, _) => {
            return Err(ProfileError::IdForm {
                kind,
                expected: "binaryId (SIZE(8))",
            })
        }
        (
            CertKind::Elector | CertKind::ObeEnrollment | CertKind::RseEnrollment,
            CertificateId::Name(_),
        ) => {}
        (_, CertificateId::Name(n)) if !kind.is_implicit() && !n.0.is_empty() => {}
        _ => {
            return Err(ProfileError::IdForm {
                kind,
                expected: "name (the component FQDN)",
            })
        }
    }
    // cracaId: self-signed certificates carry 000000; the others the root's HashedId3
    // (checked at issuance and in chain validation, where the root is known).
    if kind.is_self_signed() && tbs.craca_id != [0; 3] {
        return Err(ProfileError::CracaId { kind });
    }
    if tbs.crl_series != kind.crl_series() {
        return Err(ProfileError::CrlSeries {
            kind,
            expected: kind.crl_series(),
            found: tbs.crl_series,
        });
    }
    let found = duration_seconds(&tbs.validity_period.duration);
    if found > kind.max_duration_seconds() || found == 0 {
        return Err(ProfileError::Duration {
            kind,
            max: kind.max_duration_seconds(),
            found,
        });
    }
    check_region(kind, tbs.region.as_ref())?;
    if tbs.assurance_level.is_some() {
        return Err(ProfileError::AssuranceLevel { kind });
    }
    check_app_permissions(kind, tbs.app_permissions.as_deref())?;
    let app_err = |what| ProfileError::CertIssuePermissions { kind, what };
    match (issue_permissions(kind), &tbs.cert_issue_permissions) {
        (None, None) => {}
        (Some(want), Some(have)) if want == *have => {}
        (Some(_), Some(_)) => return Err(app_err("differs from the profile")),
        (Some(_), None) => return Err(app_err("missing")),
        (None, Some(_)) => return Err(app_err("must be absent")),
    }
    check_request_permissions(kind, tbs.cert_request_permissions.as_deref())?;
    if tbs.can_request_rollover.is_some() != kind.can_request_rollover() {
        return Err(ProfileError::CanRequestRollover {
            kind,
            present: kind.can_request_rollover(),
        });
    }
    if let Some(present) = kind.encryption_key() {
        if tbs.encryption_key.is_some() != present {
            return Err(ProfileError::EncryptionKey { kind, present });
        }
    }
    match (&tbs.verify_key_indicator, kind.is_implicit()) {
        (VerificationKeyIndicator::ReconstructionValue(p), true) if is_compressed(p) => {}
        (
            VerificationKeyIndicator::VerificationKey(PublicVerificationKey::EcdsaNistP256(p)),
            false,
        ) if is_compressed(p) => {}
        (_, true) => {
            return Err(ProfileError::VerifyKeyIndicator {
                kind,
                expected: "reconstructionValue (compressed)",
            })
        }
        (_, false) => {
            return Err(ProfileError::VerifyKeyIndicator {
                kind,
                expected: "verificationKey ecdsaNistP256 (compressed)",
            })
        }
    }
    if tbs.flags.is_some()
        || tbs.app_extensions.is_some()
        || tbs.cert_issue_extensions.is_some()
        || tbs.cert_request_extension.is_some()
    {
        return Err(ProfileError::Extension { kind });
    }
    Ok(())
}

fn check_region(kind: CertKind, region: Option<&GeographicRegion>) -> Result<(), ProfileError> {
    let err = |what| ProfileError::Region { kind, what };
    match (kind.has_region(), region) {
        (false, None) => Ok(()),
        (false, Some(_)) => Err(err("must be absent")),
        (true, None) => Err(err("missing")),
        (true, Some(GeographicRegion::IdentifiedRegion(list))) => {
            if list.is_empty() {
                return Err(err("empty identifiedRegion"));
            }
            let allowed = [country::USA, country::CANADA, country::MEXICO];
            for r in list {
                if !crate::issue::country_of(r).is_some_and(|c| allowed.contains(&c)) {
                    return Err(err("country other than USA, Canada, Mexico"));
                }
            }
            Ok(())
        }
        (true, Some(_)) => Err(err("must be an identifiedRegion")),
    }
}

fn check_app_permissions(kind: CertKind, perms: Option<&[PsidSsp]>) -> Result<(), ProfileError> {
    let err = |what| ProfileError::AppPermissions { kind, what };
    match kind {
        CertKind::ObeEnrollment | CertKind::RseEnrollment => match perms {
            None => Ok(()),
            Some(_) => Err(err("must be absent")),
        },
        CertKind::ObePseudonym | CertKind::ObeIdentification | CertKind::RseApplication => {
            let perms = perms.ok_or(err("missing"))?;
            if perms.is_empty() {
                return Err(err("empty"));
            }
            if perms
                .iter()
                .any(|p| p.psid.0 .0 == psid::SECURITY_MGMT || p.psid.0 .0 == psid::CRL)
            {
                return Err(err("SecurityMgmt or CRL PSID in an end-entity certificate"));
            }
            Ok(())
        }
        _ => {
            let perms = perms.ok_or(err("missing"))?;
            let want = if matches!(kind, CertKind::Root | CertKind::Crlg) {
                2
            } else {
                1
            };
            if perms.len() != want {
                return Err(err("wrong number of PSIDs"));
            }
            let mgmt = &perms[0];
            if mgmt.psid.0 .0 != psid::SECURITY_MGMT {
                return Err(err("first PSID must be SecurityMgmtPsid"));
            }
            match (kind, &mgmt.ssp) {
                (CertKind::Ma, None) => {}
                (CertKind::Ma, Some(_)) => return Err(err("MA SSP must be absent in the PoC")),
                (_, Some(ssp)) => match parse_scms_ssp(ssp) {
                    Some(s) if is_component_ssp(kind, &s) => {}
                    _ => return Err(err("SSP is not the profile's ScmsSsp")),
                },
                (_, None) => return Err(err("SecurityMgmtPsid SSP missing")),
            }
            if want == 2 {
                let crl = &perms[1];
                let ok = crl.psid.0 .0 == psid::CRL
                    && matches!(&crl.ssp, Some(ServiceSpecificPermissions::Opaque(o))
                        if CrlSsp::from_coer(o.as_bytes()).ok() == Some(crl_ssp(kind)));
                if !ok {
                    return Err(err("CrlPsid with the profile's CrlSsp required"));
                }
            }
            Ok(())
        }
    }
}

fn check_request_permissions(
    kind: CertKind,
    perms: Option<&[PsidGroupPermissions]>,
) -> Result<(), ProfileError> {
    let err = |what| ProfileError::CertRequestPermissions { kind, what };
    match kind {
        CertKind::ObeEnrollment | CertKind::RseEnrollment => {
            // "THIS MAY CHANGE AS SPECIFIED BY SCMS MANAGER": the shape only.
            let perms = perms.ok_or(err("missing"))?;
            if perms.is_empty() {
                return Err(err("empty"));
            }
            for g in perms {
                if g.min_chain_depth.0 != 0 || g.chain_depth_range.0 != 0 {
                    return Err(err("chain depth must be 0/0"));
                }
                match &g.subject_permissions {
                    SubjectPermissions::Explicit(list) if !list.is_empty() => {}
                    _ => return Err(err("must list explicit PSIDs")),
                }
            }
            Ok(())
        }
        _ => match (request_permissions(kind), perms) {
            (None, None) => Ok(()),
            (Some(want), Some(have)) if want == have => Ok(()),
            (Some(_), Some(_)) => Err(err("differs from the profile")),
            (Some(_), None) => Err(err("missing")),
            (None, Some(_)) => Err(err("must be absent")),
        },
    }
}

/// Checks a whole certificate against the profile of `kind`: its type (explicit or
/// implicit), its issuer identifier form (self for Root and Elector, sha256AndDigest for
/// the others) and its `toBeSigned` ([`check`]).
pub fn check_certificate(kind: CertKind, cert: &Certificate) -> Result<(), ProfileError> {
    let want_type = if kind.is_implicit() {
        CertificateType::Implicit
    } else {
        CertificateType::Explicit
    };
    if cert.r#type != want_type || cert.signature.is_some() == kind.is_implicit() {
        return Err(ProfileError::CertificateType { kind });
    }
    match (&cert.issuer, kind.is_self_signed()) {
        (IssuerIdentifier::SelfSigned(HashAlgorithm::Sha256), true)
        | (IssuerIdentifier::Sha256AndDigest(_), false) => {}
        _ => return Err(ProfileError::IssuerForm { kind }),
    }
    check(kind, &cert.to_be_signed)
}

/// The kind of a certificate, recognised from its SecurityMgmt SSP (components) or its id
/// form and CRL series (end entities). OBE and RSE enrollment certificates look alike
/// (reported as [`CertKind::ObeEnrollment`]), and so do identification and application
/// certificates (reported as [`CertKind::ObeIdentification`]); both pairs have the same
/// issuers.
pub fn classify(cert: &Certificate) -> Option<CertKind> {
    let tbs = &cert.to_be_signed;
    if let Some(mgmt) = tbs
        .app_permissions
        .as_ref()
        .and_then(|p| p.iter().find(|p| p.psid.0 .0 == psid::SECURITY_MGMT))
    {
        return match mgmt.ssp.as_ref().and_then(parse_scms_ssp) {
            None if mgmt.ssp.is_none() => Some(CertKind::Ma),
            None => None,
            Some(ScmsSsp::Root(_)) => Some(CertKind::Root),
            Some(ScmsSsp::Elector(_)) => Some(CertKind::Elector),
            Some(ScmsSsp::Ica(_)) => Some(CertKind::Ica),
            Some(ScmsSsp::Eca(_)) => Some(CertKind::Eca),
            Some(ScmsSsp::Pca(_)) => Some(CertKind::Pca),
            Some(ScmsSsp::Ra(_)) => Some(CertKind::Ra),
            Some(ScmsSsp::La(_)) => Some(CertKind::La),
            Some(ScmsSsp::Crl(_)) => Some(CertKind::Crlg),
            Some(ScmsSsp::Pg(_)) => Some(CertKind::Pg),
            Some(ScmsSsp::Dcm(_)) => Some(CertKind::Dcm),
            Some(_) => None,
        };
    }
    if cert.r#type != CertificateType::Implicit {
        return None;
    }
    match (&tbs.id, tbs.crl_series) {
        (CertificateId::LinkageData(_), crl_series::OBE_PSEUDONYM) => Some(CertKind::ObePseudonym),
        (CertificateId::BinaryId(_), crl_series::EE_NON_PSEUDONYM) => {
            Some(CertKind::ObeIdentification)
        }
        (CertificateId::Name(_), crl_series::EE_ENROLLMENT) => Some(CertKind::ObeEnrollment),
        _ => None,
    }
}
