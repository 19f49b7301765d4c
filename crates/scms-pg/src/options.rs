//! The policy options of seed 004 Tables 51 (global) and 52 (local), with the PoC
//! values as defaults. Durations are written as in the seed: `"1 week"`, `"3 years"`,
//! `"169 hours"` (see [`DurationText`]).

use scms_asn1::camp::policy::*;
use scms_asn1::ieee1609dot2::{Duration, Hostname};
use serde::{Deserialize, Serialize};

use crate::PolicyError;

/// A 1609.2 `Duration` written as `"<n> <unit>"`: unit one of microseconds,
/// milliseconds, seconds, minutes, hours, days, weeks, sixty-hours, years
/// (days and weeks are stored as hours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DurationText(pub Duration);

impl TryFrom<String> for DurationText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let mut it = s.split_whitespace();
        let (Some(n), Some(unit), None) = (it.next(), it.next(), it.next()) else {
            return Err(format!("duration {s:?}: expected \"<number> <unit>\""));
        };
        let n: u32 = n
            .parse()
            .map_err(|_| format!("duration {s:?}: bad number"))?;
        let unit = unit.trim_end_matches('s');
        let (n, ctor): (u32, fn(u16) -> Duration) = match unit {
            "microsecond" => (n, Duration::Microseconds),
            "millisecond" => (n, Duration::Milliseconds),
            "second" => (n, Duration::Seconds),
            "minute" => (n, Duration::Minutes),
            "hour" => (n, Duration::Hours),
            "day" => (n * 24, Duration::Hours),
            "week" => (n * 168, Duration::Hours),
            "sixty-hour" => (n, Duration::SixtyHours),
            "year" => (n, Duration::Years),
            _ => return Err(format!("duration {s:?}: unknown unit")),
        };
        let n = u16::try_from(n).map_err(|_| format!("duration {s:?}: too large for its unit"))?;
        Ok(DurationText(ctor(n)))
    }
}

impl From<DurationText> for String {
    fn from(d: DurationText) -> String {
        let (n, unit) = match d.0 {
            Duration::Microseconds(n) => (n, "microseconds"),
            Duration::Milliseconds(n) => (n, "milliseconds"),
            Duration::Seconds(n) => (n, "seconds"),
            Duration::Minutes(n) => (n, "minutes"),
            Duration::Hours(n) => (n, "hours"),
            Duration::SixtyHours(n) => (n, "sixty-hours"),
            Duration::Years(n) => (n, "years"),
        };
        format!("{n} {unit}")
    }
}

fn d(s: &str) -> DurationText {
    DurationText::try_from(s.to_string()).unwrap_or(DurationText(Duration::Hours(0)))
}

/// Global policy options (Table 51), PoC values by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GlobalPolicy {
    /// `scms_version`.
    pub scms_version: u8,
    /// `global_cert_chain_file_id`: the GCCF version.
    pub global_cert_chain_file_id: u16,
    /// `overdue_CRL_tolerance`.
    pub overdue_crl_tolerance: DurationText,
    /// `i_period`.
    pub i_period: DurationText,
    /// `min_certs_per_i_period` (at most 255 because of the CRL plan).
    pub min_certs_per_i_period: u8,
    /// `cert_validity_model`: `true` for concurrent.
    pub concurrent_validity: bool,
    /// `max_available_cert_supply`.
    pub max_available_cert_supply: DurationText,
    /// `max_cert_request_age`.
    pub max_cert_request_age: DurationText,
    /// `shuffle_threshold`.
    pub shuffle_threshold: u32,
    /// `hash_of_request_size` in bytes.
    pub hash_of_request_size: u8,
    /// `max_gpf_gccf_retrieval_interval`.
    pub max_gpf_gccf_retrieval_interval: DurationText,
    /// `rse_application_cert_validity` (including the overlap).
    pub rse_application_cert_validity: DurationText,
    /// `rse_application_cert_overlap`.
    pub rse_application_cert_overlap: DurationText,
}

impl Default for GlobalPolicy {
    fn default() -> Self {
        GlobalPolicy {
            scms_version: 1,
            global_cert_chain_file_id: 1,
            overdue_crl_tolerance: d("2 weeks"),
            i_period: d("10080 minutes"),
            min_certs_per_i_period: 20,
            concurrent_validity: true,
            max_available_cert_supply: d("3 years"),
            max_cert_request_age: d("2 days"),
            shuffle_threshold: 1000,
            hash_of_request_size: 32,
            max_gpf_gccf_retrieval_interval: d("1 day"),
            rse_application_cert_validity: d("169 hours"),
            rse_application_cert_overlap: d("1 hour"),
        }
    }
}

impl GlobalPolicy {
    /// The ASN.1 `GlobalPolicyData`, every option present with no later changes.
    pub fn to_asn(&self) -> Result<GlobalPolicyData, PolicyError> {
        if self.min_certs_per_i_period == 0 {
            return Err(PolicyError::InvalidOption(
                "min_certs_per_i_period must be at least 1",
            ));
        }
        if !(1..=32).contains(&self.hash_of_request_size) {
            return Err(PolicyError::InvalidOption(
                "hash_of_request_size must be 1..=32",
            ));
        }
        Ok(GlobalPolicyData {
            temporal_series_of_scms_version: Some(GlobalPolicyDataTemporalSeriesOfScmsVersion {
                initial_scms_version: self.scms_version,
                intervals: vec![],
            }),
            temporal_series_of_cert_chain_file_id: Some(
                GlobalPolicyDataTemporalSeriesOfCertChainFileID {
                    initial_global_cert_chain_file_id: self.global_cert_chain_file_id,
                    intervals: vec![],
                },
            ),
            temporal_series_of_overdue_crl_tolerance: Some(
                GlobalPolicyDataTemporalSeriesOfOverdueCrlTolerance {
                    initial_overdue_crl_tolerance: self.overdue_crl_tolerance.0.clone(),
                    intervals: vec![],
                },
            ),
            temporal_series_of_i_period: Some(GlobalPolicyDataTemporalSeriesOfIPeriod {
                initial_i_period: self.i_period.0.clone(),
                intervals: vec![],
            }),
            temporal_series_of_min_certs_per_i_period: Some(
                GlobalPolicyDataTemporalSeriesOfMinCertsPerIPeriod {
                    initial_min_certs_per_i_period: self.min_certs_per_i_period,
                    intervals: vec![],
                },
            ),
            temporal_series_of_cert_validity_model: Some(
                GlobalPolicyDataTemporalSeriesOfCertValidityModel {
                    initial_cert_validity_model: if self.concurrent_validity {
                        CertValidityModel::Concurrent
                    } else {
                        CertValidityModel::NonConcurrent
                    },
                    intervals: vec![],
                },
            ),
            temporal_series_of_max_available_cert_supply: Some(
                GlobalPolicyDataTemporalSeriesOfMaxAvailableCertSupply {
                    initial_max_available_cert_supply: self.max_available_cert_supply.0.clone(),
                    intervals: vec![],
                },
            ),
            temporal_series_of_max_cert_request_age: Some(
                GlobalPolicyDataTemporalSeriesOfMaxCertRequestAge {
                    initial_max_cert_request_age: self.max_cert_request_age.0.clone(),
                    intervals: vec![],
                },
            ),
            temporal_series_of_shuffle_threshold: Some(
                GlobalPolicyDataTemporalSeriesOfShuffleThreshold {
                    initial_shuffle_threshold: self.shuffle_threshold,
                    intervals: vec![],
                },
            ),
            temporal_series_of_hash_of_request_size: Some(
                GlobalPolicyDataTemporalSeriesOfHashOfRequestSize {
                    initial_hash_of_request_size: self.hash_of_request_size,
                    intervals: vec![],
                },
            ),
            temporal_series_of_max_gpf_gccf_retrieval_interval: Some(
                GlobalPolicyDataTemporalSeriesOfMaxGpfGccfRetrievalInterval {
                    initial_max_gpf_gccf_retrieval_interval: self
                        .max_gpf_gccf_retrieval_interval
                        .0
                        .clone(),
                    intervals: vec![],
                },
            ),
            temporal_series_of_rse_application_cert_validity: Some(
                GlobalPolicyDataTemporalSeriesOfRseApplicationCertValidity {
                    initial_rse_application_cert_validity: self
                        .rse_application_cert_validity
                        .0
                        .clone(),
                    intervals: vec![],
                },
            ),
            temporal_series_of_rse_application_cert_overlap: Some(
                GlobalPolicyDataTemporalSeriesOfRseApplicationCertOverlap {
                    initial_rse_application_cert_overlap: self
                        .rse_application_cert_overlap
                        .0
                        .clone(),
                    intervals: vec![],
                },
            ),
        })
    }
}

/// Local policy options (Table 52) of one RA, PoC values by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalPolicy {
    /// `shuffle_threshold` (within the global limits).
    pub shuffle_threshold: u32,
    /// `certs_per_i_period` (≥ `min_certs_per_i_period`, ≤ 255).
    pub certs_per_i_period: u8,
    /// `address_la1`: LA1's hostname.
    pub la1_host: String,
    /// `address_la2`: LA2's hostname.
    pub la2_host: String,
    /// `address_pca`: the PCA's hostname.
    pub pca_host: String,
    /// `tls_cert_ra`: the RA's X.509 TLS certificate (DER).
    #[serde(skip)]
    pub ra_tls_cert: Vec<u8>,
    /// `tls_cert_la`: the LAs' X.509 TLS certificate (DER).
    #[serde(skip)]
    pub la_tls_cert: Vec<u8>,
    /// `tls_cert_pca`: the PCA's X.509 TLS certificate (DER).
    #[serde(skip)]
    pub pca_tls_cert: Vec<u8>,
    /// `shared_key_update_interval` between the LAs and the PCA.
    pub shared_key_update_interval: DurationText,
}

impl Default for LocalPolicy {
    fn default() -> Self {
        LocalPolicy {
            shuffle_threshold: 1000,
            certs_per_i_period: 20,
            la1_host: "la1.v2xscms.com".into(),
            la2_host: "la2.v2xscms.com".into(),
            pca_host: "pca.v2xscms.com".into(),
            ra_tls_cert: Vec::new(),
            la_tls_cert: Vec::new(),
            pca_tls_cert: Vec::new(),
            shared_key_update_interval: d("1 week"),
        }
    }
}

fn host(h: &str) -> Result<Hostname, PolicyError> {
    Hostname::new(h).map_err(|_| PolicyError::InvalidOption("hostname longer than 255 characters"))
}

impl LocalPolicy {
    /// The ASN.1 `LocalPolicyData`, every option present with no later changes.
    pub fn to_asn(&self) -> Result<LocalPolicyData, PolicyError> {
        if self.certs_per_i_period == 0 {
            return Err(PolicyError::InvalidOption(
                "certs_per_i_period must be at least 1",
            ));
        }
        let tls = |b: &[u8]| {
            scms_asn1::ieee1609dot2::Opaque::new(b.to_vec())
                .map_err(|_| PolicyError::InvalidOption("TLS certificate"))
        };
        Ok(LocalPolicyData {
            temporal_series_of_shuffle_threshold: Some(
                LocalPolicyDataTemporalSeriesOfShuffleThreshold {
                    initial_shuffle_threshold: self.shuffle_threshold,
                    intervals: vec![],
                },
            ),
            temporal_series_of_certs_per_i_period: Some(
                LocalPolicyDataTemporalSeriesOfCertsPerIPeriod {
                    initial_certs_per_i_period: self.certs_per_i_period,
                    intervals: vec![],
                },
            ),
            temporal_series_of_la_one_host: Some(LocalPolicyDataTemporalSeriesOfLaOneHost {
                initial_la_one_host: host(&self.la1_host)?,
                intervals: vec![],
            }),
            temporal_series_of_la_two_host: Some(LocalPolicyDataTemporalSeriesOfLaTwoHost {
                initial_la_two_host: host(&self.la2_host)?,
                intervals: vec![],
            }),
            temporal_series_of_pca_host: Some(LocalPolicyDataTemporalSeriesOfPcaHost {
                initial_pca_host: host(&self.pca_host)?,
                intervals: vec![],
            }),
            temporal_series_of_ra_x509_tls_cert: Some(
                LocalPolicyDataTemporalSeriesOfRaX509TlsCert {
                    initial_ra_x509_tls_cert: tls(&self.ra_tls_cert)?,
                    intervals: vec![],
                },
            ),
            temporal_series_of_la_x509_tls_cert: Some(
                LocalPolicyDataTemporalSeriesOfLaX509TlsCert {
                    initial_la_x509_tls_cert: tls(&self.la_tls_cert)?,
                    intervals: vec![],
                },
            ),
            temporal_series_of_pca_x509_tls_cert: Some(
                LocalPolicyDataTemporalSeriesOfPcaX509TlsCert {
                    initial_pca_x509_tls_cert: tls(&self.pca_tls_cert)?,
                    intervals: vec![],
                },
            ),
            temporal_series_of_shared_key_update_interval: Some(
                LocalPolicyDataTemporalSeriesOfSharedKeyUpdateInterval {
                    initial_shared_key_update_interval: self.shared_key_update_interval.0.clone(),
                    intervals: vec![],
                },
            ),
        })
    }
}
