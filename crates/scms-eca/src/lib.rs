//! The Enrollment Certificate Authority (ECA) of the SCMS (seed Use Case 2, "OBE
//! Bootstrapping (Manual)"; RSE bootstrapping is identical, SCMS-1095).
//!
//! [`Eca::process`] takes one `SignedEeEnrollmentCertRequest` (COER), verifies its
//! self-signature with the key it requests a certificate for, applies every
//! "Enrollment certificate request check" of the seed, records the public key as
//! used (durably, before issuing), issues an implicit `ObeEnrollmentCertificate` or
//! `RseEnrollmentCertificate` and returns the ECA-signed
//! `SignedEeEnrollmentCertResponse`.

#![forbid(unsafe_code)]

mod policy;
mod rejection;
#[cfg(feature = "testing")]
pub mod testing;
mod used_keys;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use scms_asn1::camp::eca_ee::{EcaEeCertResponse, EcaEndEntityInterfacePDU, EeEcaCertRequest};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, SignedCertificateRequest};
use scms_asn1::coer::VarInt;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, Duration, EndEntityType, GeographicRegion, HashAlgorithm,
    HashedId3, HashedId8, IdentifiedRegion, Ieee1609Dot2Content, Ieee1609Dot2Data,
    IssuerIdentifier, PsidGroupPermissions, PsidSspRange, SignerIdentifier, SspRange,
    SubjectPermissions, ToBeSignedCertificate, ValidityPeriod, VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_core::hash::{certificate_id3, certificate_id8, hashed_id};
use scms_core::issue::{issue_implicit_checked, root_id3};
use scms_core::pdu;
use scms_core::profile::CertKind;
use scms_core::sign::{self, Issuer};
use scms_core::signer::Signer;
use scms_crypto::{default_backend, CurveBackend, Point};

pub use policy::{DeviceKind, EcaConfig, SspRule, SUPPORTED_PSIDS, YEAR_SECS};
pub use rejection::{check, EnrollmentRejection};
pub use used_keys::{UsedKeys, UsedKeysError};

/// `SecurityMgmtPsid` (0x23): the PSID of SCMS messages.
pub const SECURITY_MGMT_PSID: u64 = pdu::SECURITY_MGMT_PSID;

/// Why an [`Eca`] could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EcaError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A certificate file does not decode.
    #[error("{path}: not a COER 1609.2 certificate: {source}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The error.
        source: scms_asn1::DecodeError,
    },
    /// The ECA certificate's chain to a self-signed root is incomplete or invalid.
    #[error("ECA certificate chain: {0}")]
    Chain(String),
    /// The signing key is not the ECA certificate's key.
    #[error("the ECA signing key does not match the ECA certificate")]
    KeyMismatch,
    /// The used-key store failed.
    #[error(transparent)]
    UsedKeys(#[from] UsedKeysError),
}

/// A successful enrollment: the response SPDU and its parts.
#[derive(Debug, Clone)]
pub struct EnrollmentResponse {
    /// The profile the certificate was issued under.
    pub kind: DeviceKind,
    /// The `SignedEeEnrollmentCertResponse`.
    pub response: Ieee1609Dot2Data,
    /// Its COER encoding.
    pub response_bytes: Vec<u8>,
    /// The implicit enrollment certificate.
    pub enrollment_cert: Certificate,
    /// The private-key reconstruction value `r` (the EE computes `e·k + r`).
    pub priv_key_reconstruction: [u8; 32],
    /// `requestHash`: see [`request_hash`].
    pub request_hash: HashedId8,
    /// The enrolled public key (compressed SEC1).
    pub public_key: [u8; 33],
    /// HashedId8 of the enrollment certificate.
    pub cert_id8: HashedId8,
}

/// `requestHash` of the response: HashedId8 (low 8 bytes of SHA-256) of the complete
/// `SignedEeEnrollmentCertRequest` exactly as received (the `.oer` file's bytes).
pub fn request_hash(csr: &[u8]) -> HashedId8 {
    hashed_id(csr)
}

/// The length in seconds of a 1609.2 Duration (years of 365.2425 days).
pub fn duration_secs(d: &Duration) -> u64 {
    match d {
        Duration::Microseconds(v) => u64::from(*v) / 1_000_000,
        Duration::Milliseconds(v) => u64::from(*v) / 1_000,
        Duration::Seconds(v) => u64::from(*v),
        Duration::Minutes(v) => u64::from(*v) * 60,
        Duration::Hours(v) => u64::from(*v) * 3_600,
        Duration::SixtyHours(v) => u64::from(*v) * 216_000,
        Duration::Years(v) => u64::from(*v) * YEAR_SECS,
    }
}

/// `(start, end)` of a validity period, in Time32 seconds (end may exceed u32).
pub fn validity_bounds(vp: &ValidityPeriod) -> (u64, u64) {
    let start = u64::from(vp.start);
    (start, start + duration_secs(&vp.duration))
}

/// Decodes a `SignedEeEnrollmentCertRequest` down to its parts, checking the
/// envelope (protocol version 3, `signedCertificateRequest`, sha256, `signer self`,
/// ScmsPDU version 1, `eca-ee : eeEcaCertRequest`, request version 1).
pub fn decode_request(
    csr: &[u8],
) -> Result<(SignedCertificateRequest, EeEcaCertRequest), EnrollmentRejection> {
    let spdu = Ieee1609Dot2Data::from_coer(csr)
        .map_err(|e| EnrollmentRejection::Malformed(e.to_string()))?;
    if spdu.protocol_version != 3 {
        return Err(EnrollmentRejection::ProtocolVersion(spdu.protocol_version));
    }
    let Ieee1609Dot2Content::SignedCertificateRequest(inner) = &spdu.content else {
        return Err(EnrollmentRejection::NotCertificateRequest);
    };
    let scr = SignedCertificateRequest::from_coer(inner.as_bytes())
        .map_err(|e| EnrollmentRejection::Malformed(format!("SignedCertificateRequest: {e}")))?;
    if scr.hash_id != HashAlgorithm::Sha256 {
        return Err(EnrollmentRejection::HashAlgorithm);
    }
    if !matches!(scr.signer, SignerIdentifier::SelfSigned(())) {
        return Err(EnrollmentRejection::NotSelfSigned);
    }
    if scr.tbs_request.version != 1 {
        return Err(EnrollmentRejection::PduVersion(scr.tbs_request.version));
    }
    let ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(req)) =
        &scr.tbs_request.content
    else {
        return Err(EnrollmentRejection::NotEnrollmentRequest);
    };
    if req.version != 1 {
        return Err(EnrollmentRejection::RequestVersion(req.version));
    }
    let req = req.clone();
    Ok((scr, req))
}

/// The requested verification key of an enrollment request.
pub fn requested_key(req: &EeEcaCertRequest) -> Result<Point, EnrollmentRejection> {
    match &req.tbs_data.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(k) => scms_core::convert::verification_key(k)
            .map_err(|e| EnrollmentRejection::VerifyKey(e.to_string())),
        _ => Err(EnrollmentRejection::VerifyKey(
            "verifyKeyIndicator is not verificationKey".into(),
        )),
    }
}

/// The Enrollment Certificate Authority.
pub struct Eca {
    cert: Certificate,
    signer: Box<dyn Signer>,
    /// Issuers of `cert`, nearest first, the self-signed root last.
    chain: Vec<Certificate>,
    config: EcaConfig,
    used_keys: UsedKeys,
    backend: &'static dyn CurveBackend,
}

impl std::fmt::Debug for Eca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Eca")
            .field("cert", &hex::encode(certificate_id8(&self.cert)))
            .field("chain", &self.chain.len())
            .field("used_keys", &self.used_keys.len())
            .finish_non_exhaustive()
    }
}

fn read_cert(path: &Path) -> Result<Certificate, EcaError> {
    let bytes = std::fs::read(path).map_err(|source| EcaError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Certificate::from_coer(&bytes).map_err(|source| EcaError::Decode {
        path: path.to_path_buf(),
        source,
    })
}

impl Eca {
    /// An ECA with certificate `cert`, its key `signer`, the issuer chain (nearest
    /// first, root last; every link is verified) and the used-key set.
    pub fn new(
        cert: Certificate,
        signer: Box<dyn Signer>,
        chain: Vec<Certificate>,
        config: EcaConfig,
        used_keys: UsedKeys,
    ) -> Result<Self, EcaError> {
        let backend = default_backend();
        let own = sign::certificate_key(backend, &cert, None)
            .map_err(|e| EcaError::Chain(format!("ECA certificate key: {e}")))?;
        if own != *signer.public_key() {
            return Err(EcaError::KeyMismatch);
        }
        let mut links = vec![&cert];
        links.extend(chain.iter());
        for (i, pair) in links.windows(2).enumerate() {
            let (sub, iss) = (pair[0], pair[1]);
            let key = sign::certificate_key(backend, iss, None)
                .map_err(|e| EcaError::Chain(format!("issuer {i}: {e}")))?;
            sign::verify_explicit(
                backend,
                sub,
                Some(Issuer {
                    cert: iss,
                    key: &key,
                }),
            )
            .map_err(|e| EcaError::Chain(format!("link {i}: {e}")))?;
        }
        if let Some(last) = links.last() {
            if matches!(last.issuer, IssuerIdentifier::SelfSigned(_)) {
                sign::verify_explicit(backend, last, None)
                    .map_err(|e| EcaError::Chain(format!("root: {e}")))?;
            } else if !chain.is_empty() {
                return Err(EcaError::Chain("chain does not end at a root".into()));
            }
        }
        if let Some(root) = chain.last() {
            if certificate_id3(root) != root_id3(&cert) {
                return Err(EcaError::Chain(
                    "the ECA certificate's cracaId is not the root's HashedId3".into(),
                ));
            }
        }
        Ok(Eca {
            cert,
            signer,
            chain,
            config,
            used_keys,
            backend,
        })
    }

    /// Opens the ECA of an `scms init` directory: `certs/eca.oer`, its issuers found
    /// among `certs/*.oer` by HashedId8, and the used-key file `eca/used-keys`.
    pub fn open(dir: &Path, signer: Box<dyn Signer>, config: EcaConfig) -> Result<Self, EcaError> {
        let certs_dir = dir.join("certs");
        let cert = read_cert(&certs_dir.join("eca.oer"))?;
        let entries = std::fs::read_dir(&certs_dir).map_err(|source| EcaError::Io {
            path: certs_dir.clone(),
            source,
        })?;
        let mut pool = Vec::new();
        for entry in entries.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "oer") {
                if let Ok(c) = read_cert(&p) {
                    pool.push(c);
                }
            }
        }
        let mut chain: Vec<Certificate> = Vec::new();
        let mut seen = HashSet::new();
        let mut cur = cert.clone();
        while let IssuerIdentifier::Sha256AndDigest(h) = &cur.issuer {
            if !seen.insert(*h) {
                return Err(EcaError::Chain("issuer loop".into()));
            }
            let next = pool
                .iter()
                .find(|c| certificate_id8(c) == *h)
                .cloned()
                .ok_or_else(|| {
                    EcaError::Chain(format!(
                        "issuer {} not in {}",
                        hex::encode(h),
                        certs_dir.display()
                    ))
                })?;
            chain.push(next.clone());
            cur = next;
        }
        let used = UsedKeys::open(dir.join("eca").join("used-keys"))?;
        Eca::new(cert, signer, chain, config, used)
    }

    /// The ECA's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The issuers of the ECA certificate, nearest first.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The configuration.
    pub fn config(&self) -> &EcaConfig {
        &self.config
    }

    /// The used-key set.
    pub fn used_keys(&self) -> &UsedKeys {
        &self.used_keys
    }

    /// The HashedId3 enrollment certificates carry as `cracaId`: the Root CA's, which
    /// the ECA certificate carries as its own `cracaId` (checked against the chain).
    pub fn root_craca_id(&self) -> HashedId3 {
        root_id3(&self.cert)
    }

    /// Processes one `SignedEeEnrollmentCertRequest`; the device kind is decided by
    /// the requested PSIDs (OBE when an OBE is eligible to all of them, else RSE).
    pub fn process(
        &mut self,
        csr: &[u8],
        now: u32,
    ) -> Result<EnrollmentResponse, EnrollmentRejection> {
        self.process_as(csr, now, None)
    }

    /// [`Self::process`] with an explicit device kind (`None`: decided by PSIDs).
    pub fn process_as(
        &mut self,
        csr: &[u8],
        now: u32,
        kind: Option<DeviceKind>,
    ) -> Result<EnrollmentResponse, EnrollmentRejection> {
        let (_, req, key, kind) = self.check(csr, now, kind)?;
        let compressed = key.to_compressed();
        match self.used_keys.record(&compressed) {
            Ok(true) => {}
            Ok(false) => return Err(EnrollmentRejection::KeyReused(hex::encode(compressed))),
            Err(e) => return Err(EnrollmentRejection::Internal(e.to_string())),
        }
        self.issue(csr, &req, &key, kind, compressed)
    }

    /// Every check of an enrollment request without issuing or recording anything:
    /// returns the decoded request, its key and the device kind.
    pub fn check(
        &self,
        csr: &[u8],
        now: u32,
        kind: Option<DeviceKind>,
    ) -> Result<
        (
            SignedCertificateRequest,
            EeEcaCertRequest,
            Point,
            DeviceKind,
        ),
        EnrollmentRejection,
    > {
        let (scr, req) = decode_request(csr)?;
        let key = requested_key(&req)?;
        sign::verify_certificate_request(self.backend, &scr, None, &key).map_err(|e| match e {
            scms_core::CoreError::BadSignature => EnrollmentRejection::BadSignature,
            other => EnrollmentRejection::VerifyKey(other.to_string()),
        })?;
        let (eca_start, eca_end) = validity_bounds(&self.cert.to_be_signed.validity_period);
        if u64::from(now) < eca_start || u64::from(now) >= eca_end {
            return Err(EnrollmentRejection::EcaNotValid { now });
        }
        self.check_time(&req, now)?;
        let tbs = &req.tbs_data;
        self.check_fields(tbs)?;
        self.check_id(&tbs.id)?;
        let want = self.root_craca_id();
        if tbs.craca_id != want && !(self.config.accept_zero_craca_id && tbs.craca_id == [0; 3]) {
            return Err(EnrollmentRejection::CracaId {
                got: tbs.craca_id,
                want,
            });
        }
        if tbs.crl_series != self.config.crl_series {
            return Err(EnrollmentRejection::CrlSeries {
                got: tbs.crl_series,
                want: self.config.crl_series,
            });
        }
        self.check_validity(&tbs.validity_period, now, (eca_start, eca_end))?;
        self.check_region(tbs.region.as_ref())?;
        let kind = self.check_permissions(tbs, kind)?;
        if self.used_keys.contains(&key.to_compressed()) {
            return Err(EnrollmentRejection::KeyReused(hex::encode(
                key.to_compressed(),
            )));
        }
        Ok((scr, req, key, kind))
    }

    fn check_time(&self, req: &EeEcaCertRequest, now: u32) -> Result<(), EnrollmentRejection> {
        let c = u64::from(req.current_time);
        let n = u64::from(now);
        if c > n + u64::from(self.config.max_clock_skew_secs) {
            return Err(EnrollmentRejection::CurrentTime {
                current: req.current_time,
                now,
                why: "in the future",
            });
        }
        if c + u64::from(self.config.max_request_age_secs) < n {
            return Err(EnrollmentRejection::CurrentTime {
                current: req.current_time,
                now,
                why: "older than the maximum request age",
            });
        }
        Ok(())
    }

    fn check_fields(&self, tbs: &ToBeSignedCertificate) -> Result<(), EnrollmentRejection> {
        if tbs.app_permissions.is_some() {
            return Err(EnrollmentRejection::ForbiddenField("appPermissions"));
        }
        if tbs.cert_issue_permissions.is_some() {
            return Err(EnrollmentRejection::ForbiddenField("certIssuePermissions"));
        }
        if tbs.assurance_level.is_some() {
            return Err(EnrollmentRejection::AssuranceLevel);
        }
        if tbs.encryption_key.is_some() {
            return Err(EnrollmentRejection::EncryptionKey);
        }
        if tbs.flags.is_some() {
            return Err(EnrollmentRejection::ForbiddenField("flags"));
        }
        if tbs.app_extensions.is_some()
            || tbs.cert_issue_extensions.is_some()
            || tbs.cert_request_extension.is_some()
        {
            return Err(EnrollmentRejection::ForbiddenField(
                "appExtensions/certIssueExtensions/certRequestExtension",
            ));
        }
        Ok(())
    }

    /// Useful: `none`, a binary id, or a name of visible ASCII characters (the profile's
    /// `""` included) that does not claim a name in the SCMS components' domain.
    fn check_id(&self, id: &CertificateId) -> Result<(), EnrollmentRejection> {
        match id {
            CertificateId::LinkageData(_) => {
                Err(EnrollmentRejection::ForbiddenField("id linkageData"))
            }
            CertificateId::Name(n) => {
                let s = n.0.as_str();
                if !s.chars().all(|c| c.is_ascii_graphic()) {
                    return Err(EnrollmentRejection::CertificateId(format!(
                        "name {s:?} has characters other than visible ASCII"
                    )));
                }
                if let Some(domain) = self.component_domain() {
                    let lower = s.to_ascii_lowercase();
                    if lower == domain || lower.ends_with(&format!(".{domain}")) {
                        return Err(EnrollmentRejection::CertificateId(format!(
                            "name {s:?} lies in the SCMS components' domain {domain}"
                        )));
                    }
                }
                Ok(())
            }
            CertificateId::BinaryId(_) | CertificateId::None(()) => Ok(()),
            CertificateId::Unknown(_) => Err(EnrollmentRejection::CertificateId(
                "unknown CertificateId alternative".into(),
            )),
        }
    }

    /// The components' domain: the ECA's own name without its first label.
    fn component_domain(&self) -> Option<String> {
        match &self.cert.to_be_signed.id {
            CertificateId::Name(n) => {
                n.0.split_once('.')
                    .map(|(_, d)| d.to_ascii_lowercase())
                    .filter(|d| d.contains('.'))
            }
            _ => None,
        }
    }

    fn check_validity(
        &self,
        vp: &ValidityPeriod,
        now: u32,
        (eca_start, eca_end): (u64, u64),
    ) -> Result<(), EnrollmentRejection> {
        let (start, end) = validity_bounds(vp);
        let len = end - start;
        if len == 0 {
            return Err(EnrollmentRejection::Validity("empty duration".into()));
        }
        if len > self.config.max_validity_secs {
            return Err(EnrollmentRejection::Validity(format!(
                "{len} s is longer than the enrollment maximum {} s",
                self.config.max_validity_secs
            )));
        }
        if start < eca_start || end > eca_end {
            return Err(EnrollmentRejection::Validity(format!(
                "[{start}, {end}) is not inside the ECA's [{eca_start}, {eca_end})"
            )));
        }
        let n = u64::from(now);
        if end <= n {
            return Err(EnrollmentRejection::Validity(format!(
                "ends at {end}, before now {now}"
            )));
        }
        if start > n + u64::from(self.config.max_start_delay_secs)
            || start + u64::from(self.config.max_request_age_secs) < n
        {
            return Err(EnrollmentRejection::StartTime {
                start: vp.start,
                now,
            });
        }
        Ok(())
    }

    fn eca_countries(&self) -> Option<Vec<u16>> {
        match &self.cert.to_be_signed.region {
            Some(GeographicRegion::IdentifiedRegion(list)) => Some(
                list.iter()
                    .filter_map(|r| match r {
                        IdentifiedRegion::CountryOnly(c) => Some(*c),
                        IdentifiedRegion::CountryAndRegions(c) => Some(c.country_only),
                        IdentifiedRegion::CountryAndSubregions(c) => Some(c.country),
                        IdentifiedRegion::Unknown(_) => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn check_region(&self, region: Option<&GeographicRegion>) -> Result<(), EnrollmentRejection> {
        let Some(region) = region else {
            return Err(EnrollmentRejection::Region("absent".into()));
        };
        let GeographicRegion::IdentifiedRegion(list) = region else {
            return Err(EnrollmentRejection::Region(
                "not an identifiedRegion of countries".into(),
            ));
        };
        if list.is_empty() {
            return Err(EnrollmentRejection::Region("no country".into()));
        }
        let eca = self.eca_countries();
        for r in list {
            let country = match r {
                IdentifiedRegion::CountryOnly(c) => *c,
                IdentifiedRegion::CountryAndRegions(c) => c.country_only,
                IdentifiedRegion::CountryAndSubregions(c) => c.country,
                IdentifiedRegion::Unknown(_) => {
                    return Err(EnrollmentRejection::Region("unknown region form".into()))
                }
            };
            if !self.config.allowed_countries.contains(&country) {
                return Err(EnrollmentRejection::Region(format!(
                    "country {country} is not allowed (allowed: {:?})",
                    self.config.allowed_countries
                )));
            }
            if let Some(eca) = &eca {
                if !eca.contains(&country) {
                    return Err(EnrollmentRejection::Region(format!(
                        "country {country} is outside the ECA certificate's region"
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_permissions(
        &self,
        tbs: &ToBeSignedCertificate,
        kind: Option<DeviceKind>,
    ) -> Result<DeviceKind, EnrollmentRejection> {
        let groups = match &tbs.cert_request_permissions {
            Some(g) if !g.is_empty() => g,
            _ => return Err(EnrollmentRejection::NoPermissions),
        };
        if groups.len() != 1 {
            return Err(EnrollmentRejection::PermissionsShape(format!(
                "{} PsidGroupPermissions, expected 1",
                groups.len()
            )));
        }
        let g = &groups[0];
        let ranges = match &g.subject_permissions {
            SubjectPermissions::Explicit(r) => r,
            _ => {
                return Err(EnrollmentRejection::PermissionsShape(
                    "subjectPermissions must be explicit".into(),
                ))
            }
        };
        if ranges.is_empty() {
            return Err(EnrollmentRejection::NoPermissions);
        }
        if g.min_chain_depth != VarInt(0) || g.chain_depth_range != VarInt(0) {
            return Err(EnrollmentRejection::PermissionsShape(format!(
                "minChainDepth {} / chainDepthRange {}, expected 0 / 0",
                g.min_chain_depth.0, g.chain_depth_range.0
            )));
        }
        if !g.ee_type.has(EndEntityType::app) {
            return Err(EnrollmentRejection::PermissionsShape(
                "eeType must include app".into(),
            ));
        }
        let mut seen = HashSet::new();
        for r in ranges {
            let p = r.psid.0 .0;
            if !self.config.supported_psids.contains(&p) {
                return Err(EnrollmentRejection::UnsupportedPsid(p));
            }
            if !seen.insert(p) {
                return Err(EnrollmentRejection::DuplicatePsid(p));
            }
        }
        let kind = match kind {
            Some(k) => k,
            None => [DeviceKind::Obe, DeviceKind::Rse]
                .into_iter()
                .find(|k| {
                    let el = self.config.eligible(*k);
                    ranges.iter().all(|r| el.contains_key(&r.psid.0 .0))
                })
                .ok_or_else(|| EnrollmentRejection::IneligiblePsid {
                    psid: ranges
                        .iter()
                        .map(|r| r.psid.0 .0)
                        .find(|p| !self.config.obe_eligible.contains_key(p))
                        .unwrap_or_default(),
                    kind: None,
                })?,
        };
        let other = match kind {
            DeviceKind::Obe => DeviceKind::Rse,
            DeviceKind::Rse => DeviceKind::Obe,
        };
        for r in ranges {
            let p = r.psid.0 .0;
            let Some(rule) = self.config.eligible(kind).get(&p) else {
                return Err(EnrollmentRejection::IneligiblePsid {
                    psid: p,
                    kind: Some(kind),
                });
            };
            if let Err(why) = ssp_ok(rule, r.ssp_range.as_ref()) {
                let other_ok = self
                    .config
                    .eligible(other)
                    .get(&p)
                    .is_some_and(|o| ssp_ok(o, r.ssp_range.as_ref()).is_ok());
                return Err(if other_ok {
                    EnrollmentRejection::IneligibleSsp { psid: p, kind }
                } else {
                    EnrollmentRejection::WrongSsp { psid: p, why }
                });
            }
            if !self.may_issue(r) {
                return Err(EnrollmentRejection::NotIssuable(p));
            }
        }
        Ok(kind)
    }

    /// Whether the ECA certificate's certIssuePermissions cover `r`.
    fn may_issue(&self, r: &PsidSspRange) -> bool {
        let Some(groups) = &self.cert.to_be_signed.cert_issue_permissions else {
            return false;
        };
        groups.iter().any(|g| match &g.subject_permissions {
            SubjectPermissions::All(()) => true,
            SubjectPermissions::Explicit(list) => list
                .iter()
                .filter(|e| e.psid == r.psid)
                .any(|e| range_covers(e.ssp_range.as_ref(), r.ssp_range.as_ref())),
            SubjectPermissions::Unknown(_) => false,
        })
    }

    fn issue(
        &self,
        csr: &[u8],
        req: &EeEcaCertRequest,
        key: &Point,
        kind: DeviceKind,
        public_key: [u8; 33],
    ) -> Result<EnrollmentResponse, EnrollmentRejection> {
        let internal = |e: scms_core::CoreError| EnrollmentRejection::Internal(e.to_string());
        let t = &req.tbs_data;
        let group = t
            .cert_request_permissions
            .as_ref()
            .and_then(|g| g.first())
            .cloned()
            .ok_or(EnrollmentRejection::NoPermissions)?;
        let tbs = ToBeSignedCertificate {
            id: t.id.clone(),
            craca_id: self.root_craca_id(),
            crl_series: self.config.crl_series,
            validity_period: t.validity_period.clone(),
            region: t.region.clone(),
            assurance_level: None,
            app_permissions: None,
            cert_issue_permissions: None,
            cert_request_permissions: Some(vec![PsidGroupPermissions {
                subject_permissions: group.subject_permissions,
                min_chain_depth: VarInt(0),
                chain_depth_range: VarInt(0),
                ee_type: group.ee_type,
            }]),
            can_request_rollover: Some(()),
            encryption_key: None,
            verify_key_indicator: t.verify_key_indicator.clone(),
            flags: None,
            app_extensions: None,
            cert_issue_extensions: None,
            cert_request_extension: None,
        };
        let cert_kind = match kind {
            DeviceKind::Obe => CertKind::ObeEnrollment,
            DeviceKind::Rse => CertKind::RseEnrollment,
        };
        let (cert, r) = issue_implicit_checked(
            self.backend,
            self.signer.as_ref(),
            &self.cert,
            cert_kind,
            tbs,
            key,
        )
        .map_err(|e| EnrollmentRejection::Internal(format!("checked issuance: {e}")))?;
        let priv_key_reconstruction = r.to_bytes();
        let request_hash = request_hash(csr);
        let msg = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EcaEeCertResponse(
                EcaEeCertResponse {
                    version: 1,
                    request_hash,
                    eca_cert: self.cert.clone(),
                    enrollment_cert: cert.clone(),
                    priv_key_reconstruction,
                },
            )),
        };
        let response = pdu::sign_payload(self.signer.as_ref(), &self.cert, msg.to_coer(), None)
            .map_err(internal)?;
        let response_bytes = response.to_coer();
        let cert_id8 = certificate_id8(&cert);
        Ok(EnrollmentResponse {
            kind,
            response,
            response_bytes,
            enrollment_cert: cert,
            priv_key_reconstruction,
            request_hash,
            public_key,
            cert_id8,
        })
    }
}

/// Whether a requested SSP range satisfies `rule`.
fn ssp_ok(rule: &SspRule, range: Option<&SspRange>) -> Result<(), String> {
    match (rule, range) {
        (SspRule::Any, _) => Ok(()),
        (_, None) => Err("sspRange absent (any SSP); a specific range is required".into()),
        (_, Some(SspRange::All(()))) => Err("sspRange all; a specific range is required".into()),
        (SspRule::DefaultOnly, Some(SspRange::Opaque(list))) => {
            match list.iter().find(|s| !s.as_bytes().is_empty()) {
                None => Ok(()),
                Some(s) => Err(format!(
                    "SSP {} where only the default (empty) SSP is right",
                    hex::encode(s.as_bytes())
                )),
            }
        }
        (SspRule::OneOf(allowed), Some(SspRange::Opaque(list))) => {
            match list
                .iter()
                .map(|s| s.as_bytes())
                .find(|s| !s.is_empty() && !allowed.iter().any(|a| a.as_slice() == *s))
            {
                None => Ok(()),
                Some(s) => Err(format!(
                    "SSP {} is not one of the right SSPs",
                    hex::encode(s)
                )),
            }
        }
        (_, Some(_)) => Err("sspRange form other than opaque".into()),
    }
}

/// Whether an issuer's SSP range `issuer` covers a requested `req` (absent = all).
fn range_covers(issuer: Option<&SspRange>, req: Option<&SspRange>) -> bool {
    match (issuer, req) {
        (None | Some(SspRange::All(())), _) => true,
        (Some(SspRange::Opaque(have)), Some(SspRange::Opaque(want))) => want
            .iter()
            .all(|w| have.iter().any(|h| h == w) || (w.as_bytes().is_empty() && have.is_empty())),
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
