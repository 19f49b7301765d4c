//! Portable backend on RustCrypto's `p256` (precomputed base-point tables).

use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::ops::LinearCombination;
use p256::ProjectivePoint;

use super::CurveBackend;
use crate::point::Point;
use crate::scalar::Scalar;
use crate::Result;

/// Pure-Rust backend (RustCrypto `p256`): portable, constant time.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCryptoBackend;

fn proj(p: &Point) -> Result<ProjectivePoint> {
    Ok(ProjectivePoint::from(p.to_p256()?))
}

fn out(p: ProjectivePoint) -> Result<Point> {
    Point::from_p256(&p.to_affine())
}

impl CurveBackend for RustCryptoBackend {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn mul_base(&self, k: &Scalar) -> Result<Point> {
        out(ProjectivePoint::mul_by_generator(&k.0))
    }

    fn mul(&self, k: &Scalar, p: &Point) -> Result<Point> {
        out(proj(p)? * k.0)
    }

    fn add(&self, p: &Point, q: &Point) -> Result<Point> {
        out(proj(p)? + proj(q)?)
    }

    fn mul_base_add(&self, k: &Scalar, p: &Point) -> Result<Point> {
        out(ProjectivePoint::mul_by_generator(&k.0) + proj(p)?)
    }

    fn double_mul(&self, a: &Scalar, b: &Scalar, p: &Point) -> Result<Point> {
        out(ProjectivePoint::lincomb(&[
            (ProjectivePoint::GENERATOR, a.0),
            (proj(p)?, b.0),
        ]))
    }
}
