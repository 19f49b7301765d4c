//! Butterfly key expansion (seed "SCP1: Butterfly Keys").
//!
//! `f_k(i, j) = int( DM(x+1) ‖ DM(x+2) ‖ DM(x+3) ) mod n`, where `DM(m) = AES_k(m) ⊕ m` and the
//! 128-bit block `x = 0^32 ‖ i ‖ j ‖ 0^32` for signing keys (f1, key `ck`) or
//! `1^32 ‖ i ‖ j ‖ 0^32` for encryption keys (f2, key `ek`); `x+1..x+3` are 128-bit integer
//! increments. RA: cocoon public keys `B = A + f1·G`, `Q = P + f2·G`; device: `b = a + f1`,
//! `q = p + f2`. The PCA then either issues an explicit certificate on `B + c·G`
//! ([`explicit_public`], device key `b + c`: [`explicit_private`]) or an implicit certificate
//! on `B` (see [`crate::implicit`]).

use crate::backend::CurveBackend;
use crate::block::davies_meyer;
use crate::point::Point;
use crate::scalar::{PrivateKey, Scalar};
use crate::secret::AesKey;
use crate::Result;

/// Which expansion function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// f1: certificate (signing) keys, `x = 0^32 ‖ i ‖ j ‖ 0^32`.
    Signing,
    /// f2: response-encryption keys, `x = 1^32 ‖ i ‖ j ‖ 0^32`.
    Encryption,
}

/// The 128-bit expansion input `x` for `(i, j)`.
pub fn expansion_input(kind: KeyKind, i: u32, j: u32) -> [u8; 16] {
    let mut x = [0u8; 16];
    if kind == KeyKind::Encryption {
        x[..4].copy_from_slice(&[0xFF; 4]);
    }
    x[4..8].copy_from_slice(&i.to_be_bytes());
    x[8..12].copy_from_slice(&j.to_be_bytes());
    x
}

/// `x + d` as 128-bit big-endian integers (wrapping).
pub(crate) fn add_block(x: &[u8; 16], d: u128) -> [u8; 16] {
    u128::from_be_bytes(*x).wrapping_add(d).to_be_bytes()
}

/// The 384-bit `f_k^int(i, j)` before reduction.
pub fn expansion_int(key: &AesKey, kind: KeyKind, i: u32, j: u32) -> [u8; 48] {
    let x = expansion_input(kind, i, j);
    let mut out = [0u8; 48];
    for (d, chunk) in out.chunks_mut(16).enumerate() {
        let block = add_block(&x, d as u128 + 1);
        chunk.copy_from_slice(&davies_meyer(key, &block));
    }
    out
}

/// `f_k(i, j) = f_k^int(i, j) mod n`.
pub fn expansion_value(key: &AesKey, kind: KeyKind, i: u32, j: u32) -> Scalar {
    let wide = expansion_int(key, kind, i, j);
    Scalar::reduce(&wide).unwrap_or_else(|_| Scalar::zero())
}

/// RA side: cocoon public key `seed + f_k(i, j)·G`.
pub fn expand_public(
    backend: &dyn CurveBackend,
    seed: &Point,
    key: &AesKey,
    kind: KeyKind,
    i: u32,
    j: u32,
) -> Result<Point> {
    backend.mul_base_add(&expansion_value(key, kind, i, j), seed)
}

/// Device side: cocoon private key `seed + f_k(i, j) mod n`.
pub fn expand_private(
    seed: &PrivateKey,
    key: &AesKey,
    kind: KeyKind,
    i: u32,
    j: u32,
) -> Result<PrivateKey> {
    PrivateKey::from_scalar(seed.as_scalar().add(&expansion_value(key, kind, i, j)))
}

/// What the device sends to the RA: caterpillar public keys and expansion keys.
#[derive(Debug, Clone)]
pub struct CaterpillarPublic {
    /// `A = a·G`.
    pub signing_seed: Point,
    /// `ck`.
    pub signing_expansion: AesKey,
    /// `P = p·G`.
    pub encryption_seed: Point,
    /// `ek`.
    pub encryption_expansion: AesKey,
}

impl CaterpillarPublic {
    /// RA: the cocoon pair `(B(i,j), Q(i,j))`.
    pub fn cocoon(&self, backend: &dyn CurveBackend, i: u32, j: u32) -> Result<(Point, Point)> {
        Ok((
            expand_public(
                backend,
                &self.signing_seed,
                &self.signing_expansion,
                KeyKind::Signing,
                i,
                j,
            )?,
            expand_public(
                backend,
                &self.encryption_seed,
                &self.encryption_expansion,
                KeyKind::Encryption,
                i,
                j,
            )?,
        ))
    }
}

/// The device's caterpillar private keys and expansion keys.
#[derive(Debug, Clone)]
pub struct CaterpillarPrivate {
    /// `a`.
    pub signing_seed: PrivateKey,
    /// `ck`.
    pub signing_expansion: AesKey,
    /// `p`.
    pub encryption_seed: PrivateKey,
    /// `ek`.
    pub encryption_expansion: AesKey,
}

impl CaterpillarPrivate {
    /// Generates `a`, `p`, `ck`, `ek` from the OS CSPRNG.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            signing_seed: PrivateKey::generate()?,
            signing_expansion: AesKey::random()?,
            encryption_seed: PrivateKey::generate()?,
            encryption_expansion: AesKey::random()?,
        })
    }

    /// The request contents for the RA.
    pub fn public(&self, backend: &dyn CurveBackend) -> Result<CaterpillarPublic> {
        Ok(CaterpillarPublic {
            signing_seed: self.signing_seed.public_key(backend)?,
            signing_expansion: self.signing_expansion.clone(),
            encryption_seed: self.encryption_seed.public_key(backend)?,
            encryption_expansion: self.encryption_expansion.clone(),
        })
    }

    /// Device: the cocoon private keys `(b(i,j), q(i,j))`.
    pub fn cocoon(&self, i: u32, j: u32) -> Result<(PrivateKey, PrivateKey)> {
        Ok((
            expand_private(
                &self.signing_seed,
                &self.signing_expansion,
                KeyKind::Signing,
                i,
                j,
            )?,
            expand_private(
                &self.encryption_seed,
                &self.encryption_expansion,
                KeyKind::Encryption,
                i,
                j,
            )?,
        ))
    }
}

/// PCA, explicit-certificate variant: random `c`, butterfly public key `B + c·G`.
/// Returns `(c, B + c·G)`; `c` travels to the device encrypted under `Q`.
pub fn explicit_public(backend: &dyn CurveBackend, cocoon: &Point) -> Result<(Scalar, Point)> {
    let c = Scalar::random_nonzero(&mut crate::OsRng)?;
    let p = backend.mul_base_add(&c, cocoon)?;
    Ok((c, p))
}

/// Device, explicit-certificate variant: butterfly private key `b + c mod n`.
pub fn explicit_private(cocoon: &PrivateKey, c: &Scalar) -> Result<PrivateKey> {
    PrivateKey::from_scalar(cocoon.as_scalar().add(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{OpenSslBackend, RustCryptoBackend};

    #[test]
    fn device_and_ra_agree() {
        let os = OpenSslBackend::new().unwrap();
        let rc = RustCryptoBackend;
        let dev = CaterpillarPrivate::generate().unwrap();
        let req = dev.public(&rc).unwrap();
        for (i, j) in [(0u32, 0u32), (137, 19), (u32::MAX, u32::MAX)] {
            let (b, q) = req.cocoon(&os, i, j).unwrap();
            assert_eq!((b, q), req.cocoon(&rc, i, j).unwrap());
            let (bp, qp) = dev.cocoon(i, j).unwrap();
            assert_eq!(bp.public_key(&rc).unwrap(), b);
            assert_eq!(qp.public_key(&rc).unwrap(), q);
            let (c, butterfly) = explicit_public(&os, &b).unwrap();
            let priv_key = explicit_private(&bp, &c).unwrap();
            assert_eq!(priv_key.public_key(&rc).unwrap(), butterfly);
        }
    }

    #[test]
    fn block_increment_carries() {
        let x = [0xFFu8; 16];
        assert_eq!(add_block(&x, 1), [0u8; 16]);
        let mut y = [0u8; 16];
        y[15] = 0xFF;
        let mut z = [0u8; 16];
        z[14] = 1;
        assert_eq!(add_block(&y, 1), z);
    }
}
