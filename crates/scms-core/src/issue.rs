//! Checked issuance: before signing, a certificate is checked against its profile and
//! against its issuer (kind, validity, permissions, region, CRACA, chain depth).
//!
//! **Permission consistency** (1609.2 §5.1.2 / 6.4.28–30, as this implementation reads it):
//! - each `appPermissions` entry needs an issuer `certIssuePermissions` group with eeType
//!   `app` covering its PSID and SSP;
//! - each `certRequestPermissions` PSID range needs an issuer group with eeType `enrol`
//!   covering it;
//! - each `certIssuePermissions` group of the subject needs, per PSID range (or for `all`),
//!   an issuer group covering it with every eeType of the subject group;
//! - **chain depth**: the certificates below the subject add one level, so a subject
//!   group allowing chains up to `d` needs an issuer group allowing `d + 1`; end-entity
//!   permissions need `1`. Only the upper bound (`minChainDepth + chainDepthRange`, or
//!   unbounded for `-1`) is enforced: the CAMP profiles themselves would fail the lower
//!   bound (the ICA's `all` group has `minChainDepth 2`, yet the ICA grants SecurityMgmt
//!   to the ECA directly below it). `minChainDepth` must still be ≥ 1 in
//!   `certIssuePermissions`.
//! - SSPs: an absent `sspRange` allows any SSP; `all` any SSP; `opaque` the listed values
//!   (an absent SSP counts as the empty one, an empty list as `{ ''H }`).
//! - **Region**: an absent region inherits the issuer's. Identified regions nest by country
//!   (and region/subregion lists); other region forms must equal the issuer's exactly.

use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::{
    Certificate, EndEntityType, GeographicRegion, IdentifiedRegion, PsidGroupPermissions, PsidSsp,
    PsidSspRange, ServiceSpecificPermissions, SspRange, SubjectPermissions, ToBeSignedCertificate,
    VerificationKeyIndicator,
};
use scms_crypto::{CurveBackend, Point, Scalar};

use crate::convert::{compressed, verification_key};
use crate::hash::certificate_id3;
use crate::profile::{self, CertKind, ProfileError};
use crate::sign;
use crate::signer::Signer;
use crate::time::{validity_end, validity_within};
use crate::CoreError;

/// Why a certificate may not be issued (or, in a chain, was not validly issued).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The subject does not match its profile.
    #[error("profile: {0}")]
    Profile(#[from] ProfileError),
    /// This issuer may not issue this kind of certificate.
    #[error("{} may not issue a {subject} certificate", kind_name(.issuer))]
    IssuerKind {
        /// The issuer's kind (`None`: unrecognised, or self-signed where an issuer is due).
        issuer: Option<CertKind>,
        /// The subject's kind.
        subject: CertKind,
    },
    /// The signer's key is not the issuer's (or, self-signed, the subject's) key.
    #[error("the signing key does not match the issuer certificate")]
    KeyMismatch,
    /// `issue_explicit_checked` for an implicit kind or the reverse.
    #[error("wrong issuance function for {0} certificates (explicit vs implicit)")]
    WrongIssuanceType(CertKind),
    /// The subject's validity period is not inside the issuer's.
    #[error("validity period outside the issuer's")]
    ValidityOutsideIssuer,
    /// The issuer has no certIssuePermissions.
    #[error("the issuer has no certIssuePermissions")]
    IssuerCannotIssue,
    /// No issuer group grants this PSID.
    #[error("PSID {psid:#x} not granted by the issuer")]
    PermissionNotGranted {
        /// The PSID.
        psid: u64,
    },
    /// The issuer grants the PSID but not this SSP (or SSP range).
    #[error("SSP for PSID {psid:#x} not granted by the issuer")]
    SspNotGranted {
        /// The PSID.
        psid: u64,
    },
    /// The issuer grants the PSID only for other end-entity types (app/enrol).
    #[error("PSID {psid:#x} not granted for this end-entity type")]
    EeTypeNotGranted {
        /// The PSID (`u64::MAX` for `all`).
        psid: u64,
    },
    /// The issuer grants the PSID only for shorter chains.
    #[error("chain depth not allowed for PSID {psid:#x}")]
    ChainDepth {
        /// The PSID (`u64::MAX` for `all`).
        psid: u64,
    },
    /// The subject's region is not inside the issuer's.
    #[error("region outside the issuer's")]
    RegionOutsideIssuer,
    /// A region form this implementation cannot compare (circle, rectangle, polygon)
    /// that differs from the issuer's.
    #[error("unsupported region comparison: {0}")]
    UnsupportedRegion(&'static str),
    /// cracaId is not the HashedId3 of the root.
    #[error("cracaId is not the HashedId3 of the Root CA certificate")]
    CracaId,
    /// Signing or key reconstruction failed.
    #[error("{0}")]
    Core(#[from] CoreError),
}

fn kind_name(k: &Option<CertKind>) -> String {
    k.map_or_else(
        || "this issuer".to_owned(),
        |k| format!("a {k} certificate"),
    )
}

/// Marker PSID for `all` in errors.
const ALL_PSID: u64 = u64::MAX;

/// The upper chain depth a group allows (`None` = unbounded).
fn max_depth(g: &PsidGroupPermissions) -> Option<i64> {
    if g.chain_depth_range.0 < 0 {
        None
    } else {
        Some(g.min_chain_depth.0.saturating_add(g.chain_depth_range.0))
    }
}

/// Whether `g` allows a chain of `need` levels below the issuer (`None` = unbounded).
fn depth_ok(g: &PsidGroupPermissions, need: Option<i64>) -> bool {
    match (max_depth(g), need) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(max), Some(n)) => n <= max,
    }
}

/// The opaque values an SSP range allows (empty list read as `{ ''H }`).
fn opaque_values(list: &[OctetString]) -> Vec<&[u8]> {
    if list.is_empty() {
        vec![&[]]
    } else {
        list.iter().map(OctetString::as_bytes).collect()
    }
}

/// Whether an SSP (absent = empty) is within `range` (absent = any).
fn ssp_in_range(ssp: Option<&ServiceSpecificPermissions>, range: Option<&SspRange>) -> bool {
    match range {
        None | Some(SspRange::All(())) => true,
        Some(SspRange::Opaque(list)) => {
            let value: &[u8] = match ssp {
                None => &[],
                Some(ServiceSpecificPermissions::Opaque(o)) => o.as_bytes(),
                Some(_) => return false,
            };
            opaque_values(list).contains(&value)
        }
        Some(_) => false,
    }
}

/// Whether SSP range `inner` is within `outer` (absent = any).
fn range_in_range(inner: Option<&SspRange>, outer: Option<&SspRange>) -> bool {
    match (inner, outer) {
        (_, None) | (_, Some(SspRange::All(()))) => true,
        (None | Some(SspRange::All(())), Some(_)) => false,
        (Some(SspRange::Opaque(a)), Some(SspRange::Opaque(b))) => {
            let b = opaque_values(b);
            opaque_values(a).iter().all(|v| b.contains(v))
        }
        (Some(a), Some(b)) => a == b,
    }
}

/// What a group offers for one PSID.
enum Cover<'a> {
    No,
    Range(Option<&'a SspRange>),
}

fn group_cover(g: &PsidGroupPermissions, psid: u64) -> Cover<'_> {
    match &g.subject_permissions {
        SubjectPermissions::All(()) => Cover::Range(None),
        SubjectPermissions::Explicit(list) => list
            .iter()
            .find(|r| r.psid.0 .0 == psid)
            .map_or(Cover::No, |r| Cover::Range(r.ssp_range.as_ref())),
        _ => Cover::No,
    }
}

/// Finds an issuer group granting `psid` with `fits` (SSP test), every eeType bit in
/// `ee`, and chain depth `need`; returns the most specific error otherwise.
fn grant(
    groups: &[PsidGroupPermissions],
    psid: u64,
    ee: &[usize],
    need: Option<i64>,
    fits: impl Fn(Option<&SspRange>) -> bool,
) -> Result<(), IssueError> {
    // Error ranking: PSID unknown < SSP < eeType < depth (the closest miss wins).
    let mut best = IssueError::PermissionNotGranted { psid };
    let mut rank = 0;
    for g in groups {
        let Cover::Range(r) = group_cover(g, psid) else {
            continue;
        };
        let (e, k) = if !fits(r) {
            (IssueError::SspNotGranted { psid }, 1)
        } else if !ee.iter().all(|b| g.ee_type.has(*b)) {
            (IssueError::EeTypeNotGranted { psid }, 2)
        } else if !depth_ok(g, need) {
            (IssueError::ChainDepth { psid }, 3)
        } else {
            return Ok(());
        };
        if k > rank {
            best = e;
            rank = k;
        }
    }
    Err(best)
}

/// The eeType bits set in `t`.
fn ee_bits(t: &EndEntityType) -> Vec<usize> {
    [EndEntityType::app, EndEntityType::enrol]
        .into_iter()
        .filter(|b| t.has(*b))
        .collect()
}

/// Checks that `subject`'s appPermissions, certRequestPermissions and
/// certIssuePermissions are granted by `issuer`'s certIssuePermissions (see the module
/// documentation for the rules).
pub fn check_permissions(
    issuer: &ToBeSignedCertificate,
    subject: &ToBeSignedCertificate,
) -> Result<(), IssueError> {
    let groups = issuer
        .cert_issue_permissions
        .as_deref()
        .ok_or(IssueError::IssuerCannotIssue)?;
    for PsidSsp { psid, ssp } in subject.app_permissions.iter().flatten() {
        grant(groups, psid.0 .0, &[EndEntityType::app], Some(1), |r| {
            ssp_in_range(ssp.as_ref(), r)
        })?;
    }
    for g in subject.cert_request_permissions.iter().flatten() {
        match &g.subject_permissions {
            SubjectPermissions::Explicit(list) => {
                for PsidSspRange { psid, ssp_range } in list {
                    grant(groups, psid.0 .0, &[EndEntityType::enrol], Some(1), |r| {
                        range_in_range(ssp_range.as_ref(), r)
                    })?;
                }
            }
            _ => {
                if !groups.iter().any(|i| {
                    matches!(i.subject_permissions, SubjectPermissions::All(()))
                        && i.ee_type.has(EndEntityType::enrol)
                        && depth_ok(i, Some(1))
                }) {
                    return Err(IssueError::PermissionNotGranted { psid: ALL_PSID });
                }
            }
        }
    }
    for g in subject.cert_issue_permissions.iter().flatten() {
        if g.min_chain_depth.0 < 1 {
            return Err(IssueError::ChainDepth { psid: ALL_PSID });
        }
        let need = max_depth(g).map(|d| d.saturating_add(1));
        let ee = ee_bits(&g.ee_type);
        match &g.subject_permissions {
            SubjectPermissions::Explicit(list) => {
                for PsidSspRange { psid, ssp_range } in list {
                    grant(groups, psid.0 .0, &ee, need, |r| {
                        range_in_range(ssp_range.as_ref(), r)
                    })?;
                }
            }
            _ => {
                let alls: Vec<PsidGroupPermissions> = groups
                    .iter()
                    .filter(|i| matches!(i.subject_permissions, SubjectPermissions::All(())))
                    .cloned()
                    .collect();
                grant(&alls, ALL_PSID, &ee, need, |_| true)?;
            }
        }
    }
    Ok(())
}

/// The country of an identified region (`None` for an unknown alternative).
pub(crate) fn country_of(r: &IdentifiedRegion) -> Option<u16> {
    match r {
        IdentifiedRegion::CountryOnly(c) => Some(*c),
        IdentifiedRegion::CountryAndRegions(c) => Some(c.country_only),
        IdentifiedRegion::CountryAndSubregions(c) => Some(c.country),
        _ => None,
    }
}

/// Whether identified region `inner` lies in `outer`.
fn identified_within(inner: &IdentifiedRegion, outer: &IdentifiedRegion) -> bool {
    if country_of(inner).is_none() || country_of(inner) != country_of(outer) {
        return false;
    }
    match (inner, outer) {
        (_, IdentifiedRegion::CountryOnly(_)) => true,
        (IdentifiedRegion::CountryOnly(_), _) => false,
        (IdentifiedRegion::CountryAndRegions(a), IdentifiedRegion::CountryAndRegions(b)) => {
            a.regions.iter().all(|r| b.regions.contains(r))
        }
        (IdentifiedRegion::CountryAndSubregions(a), IdentifiedRegion::CountryAndRegions(b)) => a
            .region_and_subregions
            .iter()
            .all(|r| b.regions.contains(&r.region)),
        (IdentifiedRegion::CountryAndRegions(a), IdentifiedRegion::CountryAndSubregions(b)) => {
            // A whole region is inside only if the issuer lists it with no subregion limit.
            a.regions.iter().all(|r| {
                b.region_and_subregions
                    .iter()
                    .any(|s| s.region == *r && s.subregions.is_empty())
            })
        }
        (IdentifiedRegion::CountryAndSubregions(a), IdentifiedRegion::CountryAndSubregions(b)) => {
            a.region_and_subregions.iter().all(|r| {
                b.region_and_subregions.iter().any(|s| {
                    s.region == r.region
                        && (s.subregions.is_empty()
                            || r.subregions.iter().all(|x| s.subregions.contains(x)))
                })
            })
        }
        _ => false,
    }
}

/// Checks that `subject` lies in the issuer's effective region (`None` = unrestricted).
pub fn check_region(
    issuer: Option<&GeographicRegion>,
    subject: Option<&GeographicRegion>,
) -> Result<(), IssueError> {
    let (Some(outer), Some(inner)) = (issuer, subject) else {
        return Ok(());
    };
    if outer == inner {
        return Ok(());
    }
    match (inner, outer) {
        (GeographicRegion::IdentifiedRegion(a), GeographicRegion::IdentifiedRegion(b)) => {
            if a.iter().all(|r| b.iter().any(|o| identified_within(r, o))) {
                Ok(())
            } else {
                Err(IssueError::RegionOutsideIssuer)
            }
        }
        _ => Err(IssueError::UnsupportedRegion(
            "only identified regions (or a region equal to the issuer's) are compared",
        )),
    }
}

/// The HashedId3 of the root above `issuer`: the issuer's own if it is self-signed, else
/// the issuer's cracaId.
pub fn root_id3(issuer: &Certificate) -> [u8; 3] {
    if profile::classify(issuer) == Some(CertKind::Root) {
        certificate_id3(issuer)
    } else {
        issuer.to_be_signed.craca_id
    }
}

/// The issuer-dependent checks of a subject `tbs` of `kind` under `issuer`: issuer kind,
/// validity, cracaId, region (`issuer_region` is the issuer's effective region) and
/// permissions. The profile is not checked here.
pub fn check_against_issuer(
    issuer: &Certificate,
    issuer_region: Option<&GeographicRegion>,
    kind: CertKind,
    tbs: &ToBeSignedCertificate,
) -> Result<(), IssueError> {
    let issuer_kind = profile::classify(issuer);
    if !issuer_kind.is_some_and(|k| kind.issuers().contains(&k)) {
        return Err(IssueError::IssuerKind {
            issuer: issuer_kind,
            subject: kind,
        });
    }
    if !validity_within(&tbs.validity_period, &issuer.to_be_signed.validity_period) {
        return Err(IssueError::ValidityOutsideIssuer);
    }
    if tbs.craca_id != root_id3(issuer) {
        return Err(IssueError::CracaId);
    }
    check_region(issuer_region, tbs.region.as_ref())?;
    check_permissions(&issuer.to_be_signed, tbs)
}

/// Issues an explicit certificate of `kind` after every check: `issuer` is `None` for the
/// self-signed kinds (Root, Elector; `signer` is then the subject's key) and the issuing
/// CA's certificate otherwise (`signer` its key). The issuer's region is taken from its
/// certificate (absent = unrestricted here; chain validation applies inheritance).
pub fn issue_explicit_checked(
    signer: &dyn Signer,
    issuer: Option<&Certificate>,
    kind: CertKind,
    tbs: ToBeSignedCertificate,
) -> Result<Certificate, IssueError> {
    if kind.is_implicit() {
        return Err(IssueError::WrongIssuanceType(kind));
    }
    profile::check(kind, &tbs)?;
    match issuer {
        None => {
            if !kind.is_self_signed() {
                return Err(IssueError::IssuerKind {
                    issuer: None,
                    subject: kind,
                });
            }
            let own = match &tbs.verify_key_indicator {
                VerificationKeyIndicator::VerificationKey(k) => verification_key(k)?,
                _ => return Err(IssueError::KeyMismatch),
            };
            if own != *signer.public_key() {
                return Err(IssueError::KeyMismatch);
            }
        }
        Some(i) => {
            if kind.is_self_signed() {
                return Err(IssueError::IssuerKind {
                    issuer: profile::classify(i),
                    subject: kind,
                });
            }
            check_signer(signer, i)?;
            check_against_issuer(i, i.to_be_signed.region.as_ref(), kind, &tbs)?;
        }
    }
    Ok(sign::issue_explicit(signer, tbs, issuer)?)
}

/// The issuer's key must be the signer's (CA certificates are explicit).
fn check_signer(signer: &dyn Signer, issuer: &Certificate) -> Result<(), IssueError> {
    match &issuer.to_be_signed.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(k)
            if verification_key(k)? == *signer.public_key() =>
        {
            Ok(())
        }
        _ => Err(IssueError::KeyMismatch),
    }
}

/// Issues an implicit certificate of `kind` on `request` (the requester's `R = k·G`)
/// after every check. Returns the certificate and the private-key reconstruction value.
pub fn issue_implicit_checked(
    backend: &dyn CurveBackend,
    signer: &dyn Signer,
    issuer: &Certificate,
    kind: CertKind,
    mut tbs: ToBeSignedCertificate,
    request: &Point,
) -> Result<(Certificate, Scalar), IssueError> {
    if !kind.is_implicit() {
        return Err(IssueError::WrongIssuanceType(kind));
    }
    tbs.verify_key_indicator = VerificationKeyIndicator::ReconstructionValue(compressed(request));
    profile::check(kind, &tbs)?;
    check_signer(signer, issuer)?;
    check_against_issuer(issuer, issuer.to_be_signed.region.as_ref(), kind, &tbs)?;
    Ok(sign::issue_implicit(backend, signer, issuer, tbs, request)?)
}

/// The latest start at which a validity of `duration_seconds` still ends within `issuer`'s.
pub fn latest_start_for(issuer: &ToBeSignedCertificate, duration_seconds: u64) -> Option<u32> {
    validity_end(&issuer.validity_period)
        .checked_sub(duration_seconds)
        .and_then(|s| u32::try_from(s).ok())
}
