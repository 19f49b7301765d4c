//! Secret byte strings: symmetric keys, seeds, shared secrets.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A fixed-size secret byte string, wiped from memory when dropped.
///
/// It has no `Display`, no serialization, and its `Debug` prints only `Secret(..)`.
/// Read it with [`Secret::expose`].
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret<const N: usize>([u8; N]);

impl<const N: usize> Secret<N> {
    /// Wraps `bytes` (the caller should wipe its own copy).
    pub fn new(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Copies a slice of exactly `N` bytes.
    pub fn from_slice(bytes: &[u8]) -> crate::Result<Self> {
        let arr: [u8; N] = bytes.try_into().map_err(|_| crate::Error::InvalidLength {
            expected: N,
            actual: bytes.len(),
        })?;
        Ok(Self(arr))
    }

    /// Draws `N` bytes from the OS CSPRNG.
    pub fn random() -> crate::Result<Self> {
        Self::random_with(&mut crate::OsRng)
    }

    /// Draws `N` bytes from `rng`.
    pub fn random_with<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> crate::Result<Self> {
        let mut bytes = [0u8; N];
        rng.try_fill_bytes(&mut bytes)
            .map_err(|_| crate::Error::Rng)?;
        Ok(Self(bytes))
    }

    /// Gives read access to the secret bytes.
    pub fn expose(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl<const N: usize> PartialEq for Secret<N> {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.ct_eq(&other.0).into()
    }
}

impl<const N: usize> Eq for Secret<N> {}

/// A 128-bit AES key (AES-CCM data keys, butterfly expansion keys `ck`/`ek`, linkage seeds).
pub type AesKey = Secret<16>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new([0x42u8; 16]);
        assert_eq!(format!("{s:?}"), "Secret(..)");
    }

    #[test]
    fn from_slice_checks_length() {
        assert!(Secret::<16>::from_slice(&[0u8; 15]).is_err());
        assert!(Secret::<16>::from_slice(&[0u8; 16]).is_ok());
    }
}
