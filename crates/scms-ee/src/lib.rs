//! The end-entity side of the SCMS (OBE and RSE): enrollment certificate requests and
//! manual bootstrapping (seed 004, Use Case 2).
//!
//! - [`enrollment`]: key generation and the `SignedEeEnrollmentCertRequest` CSR.
//! - [`bootstrap`]: checking the DCM's response zip (SCMS-1906/1907) and the device's
//!   trust material.
//! - [`device`]: the device directory (configuration, keystore, trust files).

#![forbid(unsafe_code)]

pub mod bootstrap;
pub mod device;
pub mod enrollment;

pub use bootstrap::{bootstrap, BootstrapError, DeviceTrust, PendingRequest};
pub use device::{DeviceConfig, DeviceDir, DeviceError};
pub use enrollment::{keygen, CsrParams, DeviceKind, EnrollmentCsr, EnrollmentError};
