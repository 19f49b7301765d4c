//! What the ECA will enroll: the supported PSIDs, the PSIDs and SSPs each kind of
//! device is eligible to, the regions, lifetimes and time tolerances
//! (seed §"Enrollment certificate request checks", §"SCMS Supported V2X Applications").

use std::collections::BTreeMap;

/// The kind of end entity an enrollment certificate is for (selects the certificate
/// profile: `ObeEnrollmentCertificate` or `RseEnrollmentCertificate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// On-board equipment (vehicle).
    Obe,
    /// Road-side equipment.
    Rse,
}

impl DeviceKind {
    /// `"OBE"` or `"RSE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Obe => "OBE",
            DeviceKind::Rse => "RSE",
        }
    }
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which SSP ranges a device may request for one PSID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SspRule {
    /// Only the default (absent) SSP: `sspRange opaque {}` or `opaque {''}`, as in the
    /// seed's example CSR and the `ObeEnrollmentCertificate` profile.
    DefaultOnly,
    /// `sspRange opaque {...}` whose every octet string is one of these (the empty
    /// list and the empty string are accepted too: they name the default SSP).
    OneOf(Vec<Vec<u8>>),
    /// Any range, including `all` and an absent `sspRange`.
    Any,
}

/// The ECA's enrollment policy.
#[derive(Debug, Clone)]
pub struct EcaConfig {
    /// PSIDs of "SCMS PoC Supported V2X Applications": anything else is refused.
    pub supported_psids: Vec<u64>,
    /// PSIDs (with their SSP rules) an OBE is eligible to.
    pub obe_eligible: BTreeMap<u64, SspRule>,
    /// PSIDs (with their SSP rules) an RSE is eligible to.
    pub rse_eligible: BTreeMap<u64, SspRule>,
    /// Countries (`CountryOnly`, ISO 3166-1 numeric) a CSR may name; the seed: USA only.
    pub allowed_countries: Vec<u16>,
    /// The CRL series of enrollment certificates (`EeEnrollmentCrlSeries` = 4).
    pub crl_series: u16,
    /// Accept `cracaId '000000'H` (the seed's example CSR) besides the Root CA's HashedId3.
    pub accept_zero_craca_id: bool,
    /// Longest enrollment certificate lifetime, seconds (`ObeEnrollmentCertExpirationPoc`:
    /// 30 years).
    pub max_validity_secs: u64,
    /// How far in the future a CSR's `currentTime` may be (clock skew), seconds.
    pub max_clock_skew_secs: u32,
    /// How old a CSR's `currentTime` may be (manual bootstrapping: days pass between
    /// the vendor's signing and the operator's run), seconds.
    pub max_request_age_secs: u32,
    /// How far after processing the requested validity may start, seconds.
    pub max_start_delay_secs: u32,
}

/// Seconds in a 1609.2 year (365.2425 days).
pub const YEAR_SECS: u64 = 31_556_952;

/// The PSIDs of the seed's table "SCMS PoC Supported V2X Applications" (0x23 security
/// management, 0x88 P2P distribution and 0x100 CRL are listed but never enrollable).
pub const SUPPORTED_PSIDS: &[u64] = &[
    0x20, 0x23, 0x26, 0x27, 0x80, 0x81, 0x82, 0x83, 0x84, 0x87, 0x88, 0x100, 0x4082, 0x204083,
    0x204088, 0x204089, 0x20408A, 0x20408B, 0x20408C, 0x20408D, 0x20408E, 0x20408F, 0x204090,
    0x204091, 0x204092, 0x204093, 0x204094, 0x204095, 0x204096, 0x204097,
];

/// The SSPs of PSID 0x82 (Intersection Safety and Awareness) the ECA profile lists.
fn intersection_ssps() -> Vec<Vec<u8>> {
    vec![
        vec![0x90, 0x01],
        vec![0x90, 0xFF, 0xFF, 0x01],
        vec![0x90, 0xFF, 0xFF, 0x02],
        vec![0x90, 0xFF, 0xFF, 0x03],
        vec![0x90, 0xFF, 0xFF, 0x04],
    ]
}

impl Default for EcaConfig {
    fn default() -> Self {
        let obe_eligible = BTreeMap::from([
            (0x20, SspRule::DefaultOnly),
            (0x26, SspRule::DefaultOnly),
            // Wyoming distress notification: the J2945/2 DSRC-SSP of the seed.
            (
                0x4082,
                SspRule::OneOf(vec![vec![0x00, 0x80, 0x01, 0xF0, 0x40]]),
            ),
            (0x204096, SspRule::DefaultOnly),
        ]);
        let mut rse_eligible = BTreeMap::from([
            (0x26, SspRule::DefaultOnly),
            (0x27, SspRule::DefaultOnly),
            (0x80, SspRule::DefaultOnly),
            (0x81, SspRule::DefaultOnly),
            (0x82, SspRule::OneOf(intersection_ssps())),
            (0x83, SspRule::Any),
            (0x84, SspRule::DefaultOnly),
            (0x87, SspRule::Any),
            (0x204083, SspRule::DefaultOnly),
        ]);
        for p in 0x204088..=0x204097u64 {
            if p != 0x204096 {
                rse_eligible.insert(p, SspRule::DefaultOnly);
            }
        }
        EcaConfig {
            supported_psids: SUPPORTED_PSIDS.to_vec(),
            obe_eligible,
            rse_eligible,
            allowed_countries: vec![840],
            crl_series: 4,
            accept_zero_craca_id: true,
            max_validity_secs: 30 * YEAR_SECS,
            max_clock_skew_secs: 300,
            max_request_age_secs: 90 * 86_400,
            max_start_delay_secs: 366 * 86_400,
        }
    }
}

impl EcaConfig {
    /// The PSIDs (and SSP rules) `kind` is eligible to.
    pub fn eligible(&self, kind: DeviceKind) -> &BTreeMap<u64, SspRule> {
        match kind {
            DeviceKind::Obe => &self.obe_eligible,
            DeviceKind::Rse => &self.rse_eligible,
        }
    }
}
