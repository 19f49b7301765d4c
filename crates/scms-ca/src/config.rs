//! The configuration of an SCMS instance (`scms.toml`). Every option has a default;
//! `scms init --config FILE` overrides any of them, and `scms init` writes the complete
//! configuration it used next to what it created.

use scms_pg::{GlobalPolicy, LocalPolicy};
use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// DNS domain of the components: certificate ids are `<component>.<domain>`.
    pub domain: String,
    /// Number of electors created by the ceremony (PoC: 3).
    pub electors: u8,
    /// Elector quorum for ballots (PoC: 2).
    pub quorum: u8,
    /// Start of every certificate's validity, as Time32 (`None`: now).
    pub start: Option<u32>,
    /// Linkage Authority ids (16 bit, distinct; `None`: random).
    pub la1_id: Option<u16>,
    /// Linkage Authority 2 id.
    pub la2_id: Option<u16>,
    /// Countries (ISO 3166-1 numeric) of the SCMS region.
    pub countries: Vec<u16>,
    /// TCP ports of the services.
    pub ports: Ports,
    /// Global policy options (seed Table 51).
    pub global_policy: GlobalPolicy,
    /// Local policy options of the RA (seed Table 52).
    pub local_policy: LocalPolicy,
}

/// Ports of the HTTPS services (seed defaults: RA 8892, MA 8894).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ports {
    /// RA (EE-facing).
    pub ra: u16,
    /// MA and CRL store (EE-facing).
    pub ma: u16,
    /// PCA.
    pub pca: u16,
    /// LA1.
    pub la1: u16,
    /// LA2.
    pub la2: u16,
    /// Policy Generator.
    pub pg: u16,
    /// Location Obscurer Proxy.
    pub lop: u16,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            ra: 8892,
            ma: 8894,
            pca: 8893,
            la1: 8895,
            la2: 8896,
            pg: 8897,
            lop: 8890,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: "v2xscms.com".into(),
            electors: 3,
            quorum: 2,
            start: None,
            la1_id: None,
            la2_id: None,
            countries: vec![124, 484, 840],
            ports: Ports::default(),
            global_policy: GlobalPolicy::default(),
            local_policy: LocalPolicy::default(),
        }
    }
}

impl Config {
    /// The FQDN of a component.
    pub fn fqdn(&self, component: &str) -> String {
        format!("{component}.{}", self.domain)
    }

    /// Parses `scms.toml`.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Serializes as `scms.toml`.
    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string_pretty(self).map_err(|e| e.to_string())
    }
}
