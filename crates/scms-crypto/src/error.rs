//! Error type of the crate.

/// Errors returned by `scms-crypto` operations.
///
/// No operation panics on malformed input: wrong lengths, points off the curve, zero scalars and
/// failed authentication are all reported through this type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input had the wrong length.
    #[error("invalid length: expected {expected} bytes, got {actual}")]
    InvalidLength {
        /// Length the operation needs.
        expected: usize,
        /// Length it was given.
        actual: usize,
    },
    /// A scalar was zero where a non-zero value is needed, or not below the group order.
    #[error("invalid scalar (zero or not below the group order)")]
    InvalidScalar,
    /// Bytes do not encode a point on P-256 (or encode the point at infinity).
    #[error("invalid point encoding or point not on P-256")]
    InvalidPoint,
    /// A computation produced the point at infinity, which no key or signature may be.
    #[error("result is the point at infinity")]
    PointAtInfinity,
    /// An x-only point was given where a full point (public key) is needed.
    #[error("x-only point cannot be used where a full point is needed")]
    XOnlyPoint,
    /// A signature did not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// An authentication tag (ECIES or AES-CCM) did not verify.
    #[error("authentication tag mismatch")]
    BadTag,
    /// The random number generator failed.
    #[error("random number generator failure")]
    Rng,
    /// A message is too long for the operation (AES-CCM with a 12-byte nonce takes < 2^24 bytes).
    #[error("message too long")]
    MessageTooLong,
    /// The OpenSSL backend reported an error.
    #[error("OpenSSL backend error: {0}")]
    Backend(String),
}

/// Result alias for this crate.
pub type Result<T> = core::result::Result<T, Error>;
