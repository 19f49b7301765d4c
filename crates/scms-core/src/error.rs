//! The core's typed errors.

use scms_asn1::DecodeError;

/// Why a 1609.2 operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// Bytes that are not a valid encoding.
    #[error("malformed: {0}")]
    Decode(#[from] DecodeError),
    /// A cryptographic operation failed (bad point, bad tag, ...).
    #[error("crypto: {0}")]
    Crypto(#[from] scms_crypto::Error),
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// An algorithm or form this implementation does not support (e.g. Brainpool, P-384).
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The signer's certificate is needed but was not given or not found.
    #[error("signer certificate unavailable: {0}")]
    SignerUnavailable(&'static str),
    /// No recipient info addressed to the given key.
    #[error("no recipient matches the decryption key")]
    NoRecipient,
    /// A structural rule of IEEE 1609.2 is broken.
    #[error("invalid: {0}")]
    Invalid(&'static str),
}
