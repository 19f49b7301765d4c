//! Elliptic-curve arithmetic behind a small trait, with a portable and an OpenSSL implementation.
//!
//! Everything else in the crate (ECDSA, ECDH/ECIES, implicit certificates, butterfly expansion)
//! does its point arithmetic through [`CurveBackend`], so the hot paths (RA butterfly expansion,
//! PCA implicit issuance) can run on OpenSSL while the default stays pure Rust.

mod openssl;
mod rustcrypto;

pub use self::openssl::OpenSslBackend;
pub use self::rustcrypto::RustCryptoBackend;

use crate::point::Point;
use crate::scalar::Scalar;
use crate::Result;

/// Point arithmetic on P-256. Results equal to the point at infinity are errors
/// ([`crate::Error::PointAtInfinity`]).
pub trait CurveBackend: Send + Sync + core::fmt::Debug {
    /// Short name for reports and benchmarks.
    fn name(&self) -> &'static str;
    /// `k·G` (constant time in `k`).
    fn mul_base(&self, k: &Scalar) -> Result<Point>;
    /// `k·P` (constant time in `k`).
    fn mul(&self, k: &Scalar, p: &Point) -> Result<Point>;
    /// `P + Q`.
    fn add(&self, p: &Point, q: &Point) -> Result<Point>;
    /// `k·G + P`.
    fn mul_base_add(&self, k: &Scalar, p: &Point) -> Result<Point>;
    /// `a·G + b·P` (may be variable time: used only with public values, e.g. verification).
    fn double_mul(&self, a: &Scalar, b: &Scalar, p: &Point) -> Result<Point>;
}

/// The portable default backend (RustCrypto `p256`).
pub fn default_backend() -> &'static dyn CurveBackend {
    &RustCryptoBackend
}

/// The fastest backend available, for hot paths: OpenSSL when libcrypto loads (once per
/// process), else the portable default.
pub fn fast_backend() -> &'static dyn CurveBackend {
    static OPENSSL: std::sync::OnceLock<Option<OpenSslBackend>> = std::sync::OnceLock::new();
    match OPENSSL.get_or_init(|| OpenSslBackend::new().ok()) {
        Some(b) => b,
        None => default_backend(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rand_scalar() -> Scalar {
        Scalar::random_nonzero(&mut crate::OsRng).unwrap()
    }

    /// Both backends must give identical results on random inputs.
    #[test]
    fn backends_agree() {
        let rc = RustCryptoBackend;
        let os = OpenSslBackend::new().unwrap();
        for _ in 0..8 {
            let (a, b, k) = (rand_scalar(), rand_scalar(), rand_scalar());
            let p = rc.mul_base(&k).unwrap();
            assert_eq!(rc.mul_base(&a).unwrap(), os.mul_base(&a).unwrap());
            assert_eq!(rc.mul(&a, &p).unwrap(), os.mul(&a, &p).unwrap());
            let q = os.mul_base(&b).unwrap();
            assert_eq!(rc.add(&p, &q).unwrap(), os.add(&p, &q).unwrap());
            assert_eq!(rc.add(&p, &p).unwrap(), os.add(&p, &p).unwrap());
            assert_eq!(
                rc.mul_base_add(&a, &p).unwrap(),
                os.mul_base_add(&a, &p).unwrap()
            );
            assert_eq!(
                rc.double_mul(&a, &b, &p).unwrap(),
                os.double_mul(&a, &b, &p).unwrap()
            );
            // consistency: a·G + b·P == mul_base(a) + mul(b, P)
            let lhs = rc.double_mul(&a, &b, &p).unwrap();
            let rhs = rc
                .add(&rc.mul_base(&a).unwrap(), &rc.mul(&b, &p).unwrap())
                .unwrap();
            assert_eq!(lhs, rhs);
        }
    }

    #[test]
    fn infinity_is_an_error() {
        let rc = RustCryptoBackend;
        let os = OpenSslBackend::new().unwrap();
        let k = rand_scalar();
        let p = rc.mul_base(&k).unwrap();
        let minus_k = Scalar::zero().sub(&k);
        let neg_p = rc.mul_base(&minus_k).unwrap();
        for b in [&rc as &dyn CurveBackend, &os] {
            assert_eq!(b.add(&p, &neg_p), Err(crate::Error::PointAtInfinity));
            assert_eq!(
                b.mul_base(&Scalar::zero()),
                Err(crate::Error::PointAtInfinity)
            );
            assert_eq!(
                b.mul(&Scalar::zero(), &p),
                Err(crate::Error::PointAtInfinity)
            );
            assert_eq!(
                b.mul_base_add(&minus_k, &p),
                Err(crate::Error::PointAtInfinity)
            );
        }
    }
}
