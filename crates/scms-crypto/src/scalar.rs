//! Integers modulo the P-256 group order `n`, and private keys.

use core::fmt;

use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::backend::CurveBackend;
use crate::point::Point;
use crate::secret::Secret;
use crate::{Error, Result};

/// An integer modulo the P-256 group order `n`.
///
/// Scalars are treated as sensitive: `Debug` is redacted and the value is wiped on drop.
#[derive(Clone)]
pub struct Scalar(pub(crate) p256::Scalar);

impl Scalar {
    /// Zero.
    pub fn zero() -> Self {
        Self(p256::Scalar::ZERO)
    }

    /// One.
    pub fn one() -> Self {
        Self(p256::Scalar::ONE)
    }

    /// Parses a canonical big-endian encoding (must be `< n`; zero is allowed).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        Option::<p256::Scalar>::from(p256::Scalar::from_repr((*bytes).into()))
            .map(Self)
            .ok_or(Error::InvalidScalar)
    }

    /// Parses a canonical big-endian encoding from a slice of exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        Self::from_bytes(&to_array32(bytes)?)
    }

    /// Interprets up to 64 big-endian bytes as an integer and reduces it modulo `n`.
    pub fn reduce(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > 64 {
            return Err(Error::InvalidLength {
                expected: 64,
                actual: bytes.len(),
            });
        }
        let split = bytes.len().saturating_sub(32);
        let (hi, lo) = bytes.split_at(split);
        let lo = Self::reduce32(&pad32(lo));
        if hi.is_empty() {
            return Ok(Self(lo));
        }
        let hi = Self::reduce32(&pad32(hi));
        // 2^256 mod n, computed as (2^128)^2.
        let two128 = p256::Scalar::from(u128::MAX) + p256::Scalar::ONE;
        let two256 = two128.square();
        Ok(Self(hi * two256 + lo))
    }

    fn reduce32(bytes: &[u8; 32]) -> p256::Scalar {
        <p256::Scalar as Reduce<p256::FieldBytes>>::reduce(&(*bytes).into())
    }

    /// Draws a uniformly random non-zero scalar from `rng` (64 random bytes reduced mod `n`).
    pub fn random_nonzero<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self> {
        loop {
            let mut buf = [0u8; 64];
            rng.try_fill_bytes(&mut buf).map_err(|_| Error::Rng)?;
            let s = Self::reduce(&buf);
            buf.zeroize();
            let s = s?;
            if !s.is_zero() {
                return Ok(s);
            }
        }
    }

    /// Big-endian 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_repr().into()
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero().into()
    }

    /// `self + other mod n`.
    pub fn add(&self, other: &Scalar) -> Scalar {
        Scalar(self.0 + other.0)
    }

    /// `self - other mod n`.
    pub fn sub(&self, other: &Scalar) -> Scalar {
        Scalar(self.0 - other.0)
    }

    /// `self · other mod n`.
    pub fn mul(&self, other: &Scalar) -> Scalar {
        Scalar(self.0 * other.0)
    }

    /// `self^-1 mod n`; fails for zero.
    pub fn invert(&self) -> Result<Scalar> {
        Option::<p256::Scalar>::from(self.0.invert())
            .map(Scalar)
            .ok_or(Error::InvalidScalar)
    }
}

impl PartialEq for Scalar {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Scalar {}

impl Drop for Scalar {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scalar(..)")
    }
}

/// A P-256 private key: a non-zero scalar, wiped on drop, with a redacted `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey(Scalar);

impl PrivateKey {
    /// Generates a key from the OS CSPRNG.
    pub fn generate() -> Result<Self> {
        Self::generate_with(&mut crate::OsRng)
    }

    /// Generates a key from `rng`.
    pub fn generate_with<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self> {
        Scalar::random_nonzero(rng).map(Self)
    }

    /// Parses a big-endian private key (must be in `[1, n-1]`).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        Self::from_scalar(Scalar::from_bytes(bytes)?)
    }

    /// Parses a big-endian private key from a slice of exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        Self::from_scalar(Scalar::from_slice(bytes)?)
    }

    /// Wraps a scalar; fails if it is zero.
    pub fn from_scalar(s: Scalar) -> Result<Self> {
        if s.is_zero() {
            Err(Error::InvalidScalar)
        } else {
            Ok(Self(s))
        }
    }

    /// The key as a scalar.
    pub fn as_scalar(&self) -> &Scalar {
        &self.0
    }

    /// Big-endian encoding, as a [`Secret`].
    pub fn to_bytes(&self) -> Secret<32> {
        Secret::new(self.0.to_bytes())
    }

    /// The public key `d·G`.
    pub fn public_key(&self, backend: &dyn CurveBackend) -> Result<Point> {
        backend.mul_base(&self.0)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

pub(crate) fn to_array32(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes.try_into().map_err(|_| Error::InvalidLength {
        expected: 32,
        actual: bytes.len(),
    })
}

fn pad32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduce_wide_matches_arithmetic() {
        // (2^256 + 5) mod n == (2^256 mod n) + 5
        let mut wide = [0u8; 33];
        wide[0] = 1;
        wide[32] = 5;
        let r = Scalar::reduce(&wide).unwrap();
        let mut one_then_zeros = [0u8; 33];
        one_then_zeros[0] = 1;
        let t = Scalar::reduce(&one_then_zeros).unwrap();
        let five = Scalar::reduce(&[5]).unwrap();
        assert_eq!(r, t.add(&five));
        // n - 1 + 1 == 0: encode n-1 as -1
        let minus_one = Scalar::zero().sub(&Scalar::one());
        assert!(minus_one.add(&Scalar::one()).is_zero());
        // Non-canonical encoding (n itself) is rejected by from_bytes, accepted by reduce.
        let mut n = minus_one.to_bytes();
        n[31] += 1;
        assert!(Scalar::from_bytes(&n).is_err());
        assert!(Scalar::reduce(&n).unwrap().is_zero());
    }

    #[test]
    fn private_key_rejects_zero() {
        assert_eq!(
            PrivateKey::from_bytes(&[0u8; 32]),
            Err(Error::InvalidScalar)
        );
        assert!(PrivateKey::from_slice(&[1u8; 31]).is_err());
        assert_eq!(
            format!("{:?}", PrivateKey::generate().unwrap()),
            "PrivateKey(..)"
        );
    }
}
