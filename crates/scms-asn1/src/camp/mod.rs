//! The CAMP SCMS protocol modules (`../shared/asn1/camp-scms`, v1.2.1): every message
//! and file of the PoC protocol.

pub mod base_types;
pub mod cert_chain_files;
pub mod cert_profile;
pub mod component_cert_management;
pub mod eca_ee;
pub mod ee_ma;
pub mod ee_ra;
pub mod errors;
pub mod la_ma;
pub mod la_pca;
pub mod la_ra;
pub mod ma_pca;
pub mod ma_ra;
pub mod pca_ra;
pub mod policy;
pub mod protocol;
pub mod ra_pg;
