//! scms-crypto
