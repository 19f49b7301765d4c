//! The [`Signer`] trait: a CA's or device's private key wherever it lives (memory, an
//! encrypted key file, an HSM). Everything that signs or issues takes a `&dyn Signer`.

use scms_crypto::{default_backend, ecdsa, CurveBackend, Point, PrivateKey, Scalar};

use crate::CoreError;

/// A P-256 private key that can sign and take part in implicit issuance.
pub trait Signer: Send + Sync {
    /// The public key.
    fn public_key(&self) -> &Point;
    /// ECDSA signature over a 32-byte digest (1609.2 `r` in x-only form).
    fn sign_digest(&self, digest: &[u8; 32]) -> Result<ecdsa::Signature, CoreError>;
    /// Implicit issuance: returns `s + d` for this key `d` (`s = e·k`).
    fn add_private(&self, s: &Scalar) -> Result<Scalar, CoreError>;
}

/// A key pair held in memory.
pub struct KeyPair {
    key: PrivateKey,
    public: Point,
    backend: &'static dyn CurveBackend,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A fresh key from the OS CSPRNG.
    pub fn generate() -> Result<Self, CoreError> {
        Self::from_private(PrivateKey::generate()?)
    }

    /// Wraps an existing private key.
    pub fn from_private(key: PrivateKey) -> Result<Self, CoreError> {
        Self::with_backend(key, default_backend())
    }

    /// Wraps a private key, computing with `backend` (e.g. OpenSSL on the hot paths).
    pub fn with_backend(
        key: PrivateKey,
        backend: &'static dyn CurveBackend,
    ) -> Result<Self, CoreError> {
        let public = key.public_key(backend)?;
        Ok(KeyPair {
            key,
            public,
            backend,
        })
    }

    /// The private key (for storing it).
    pub fn private(&self) -> &PrivateKey {
        &self.key
    }
}

impl Signer for KeyPair {
    fn public_key(&self) -> &Point {
        &self.public
    }

    fn sign_digest(&self, digest: &[u8; 32]) -> Result<ecdsa::Signature, CoreError> {
        Ok(ecdsa::sign_digest(self.backend, &self.key, digest)?)
    }

    fn add_private(&self, s: &Scalar) -> Result<Scalar, CoreError> {
        Ok(s.add(self.key.as_scalar()))
    }
}
