//! The end-entity side of the SCMS (OBE and RSE): enrollment certificate requests and
//! manual bootstrapping (seed 004, Use Case 2).
//!
//! - [`enrollment`]: key generation and the `SignedEeEnrollmentCertRequest` CSR.
//! - [`bootstrap`]: checking the DCM's response zip (SCMS-1906/1907) and the device's
//!   trust material.
//! - [`device`]: the device directory (configuration, keystore, trust files).
//! - [`provision`]: pseudonym, identification and application certificate requests
//!   (Use Cases 3, 19, 13) and the RA's acknowledgements.
//! - [`download`]: authenticated downloads and opening the PCA's encrypted responses.
//! - [`certstore`]: the certificates and keys the device holds.
//! - [`messages`]: signing and verifying BSMs and RSE messages.
//! - [`client`]: the EE flow over an [`client::RaTransport`] (HTTPS or in-process).
//! - [`crl`]: verifying composite CRLs (CRLG- and root-signed CRLs, ballots).
//! - [`trust_state`]: electors, ballots and revoked components, persisted.

#![forbid(unsafe_code)]

pub mod bootstrap;
pub mod certstore;
pub mod client;
pub mod crl;
pub mod device;
pub mod download;
pub mod enrollment;
pub mod messages;
pub mod misbehavior;
pub mod provision;
pub mod trust_state;

pub use bootstrap::{bootstrap, BootstrapError, DeviceTrust, PendingRequest};
pub use device::{DeviceConfig, DeviceDir, DeviceError};
pub use enrollment::{keygen, CsrParams, DeviceKind, EnrollmentCsr, EnrollmentError};
