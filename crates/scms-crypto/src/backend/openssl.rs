//! OpenSSL backend (system libcrypto through the `openssl` crate; P-256 uses OpenSSL's
//! optimised `nistz256` code where available).

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcPoint};
use openssl::error::ErrorStack;
use openssl::nid::Nid;

use super::CurveBackend;
use crate::point::Point;
use crate::scalar::Scalar;
use crate::{Error, Result};

/// A `BigNum` holding a secret scalar, cleared (`BN_clear`) before it is freed.
struct SecretBn(BigNum);

impl Drop for SecretBn {
    fn drop(&mut self) {
        self.0.clear();
    }
}

impl core::ops::Deref for SecretBn {
    type Target = BigNum;
    fn deref(&self) -> &BigNum {
        &self.0
    }
}

/// Backend on OpenSSL's EC API (`EC_POINT_mul` and friends).
#[derive(Debug)]
pub struct OpenSslBackend {
    group: EcGroup,
}

fn ossl(e: ErrorStack) -> Error {
    Error::Backend(e.to_string())
}

impl OpenSslBackend {
    /// Loads the P-256 group from OpenSSL.
    pub fn new() -> Result<Self> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(ossl)?;
        Ok(Self { group })
    }

    fn bn_secret(k: &Scalar) -> Result<SecretBn> {
        let mut bytes = k.to_bytes();
        let bn = BigNum::from_slice(&bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        let mut bn = bn.map_err(ossl)?;
        bn.set_const_time();
        Ok(SecretBn(bn))
    }

    fn point_in(&self, p: &Point, ctx: &mut BigNumContext) -> Result<EcPoint> {
        let x = BigNum::from_slice(p.x()).map_err(ossl)?;
        let y = BigNum::from_slice(p.y()).map_err(ossl)?;
        let mut pt = EcPoint::new(&self.group).map_err(ossl)?;
        pt.set_affine_coordinates_gfp(&self.group, &x, &y, ctx)
            .map_err(|_| Error::InvalidPoint)?;
        Ok(pt)
    }

    fn point_out(&self, pt: &EcPoint, ctx: &mut BigNumContext) -> Result<Point> {
        if pt.is_infinity(&self.group) {
            return Err(Error::PointAtInfinity);
        }
        let mut x = BigNum::new().map_err(ossl)?;
        let mut y = BigNum::new().map_err(ossl)?;
        pt.affine_coordinates(&self.group, &mut x, &mut y, ctx)
            .map_err(ossl)?;
        let xb = x.to_vec_padded(32).map_err(ossl)?;
        let yb = y.to_vec_padded(32).map_err(ossl)?;
        Point::from_backend(
            crate::scalar::to_array32(&xb)?,
            crate::scalar::to_array32(&yb)?,
        )
    }

    fn ctx() -> Result<BigNumContext> {
        BigNumContext::new().map_err(ossl)
    }
}

impl CurveBackend for OpenSslBackend {
    fn name(&self) -> &'static str {
        "openssl"
    }

    fn mul_base(&self, k: &Scalar) -> Result<Point> {
        let mut ctx = Self::ctx()?;
        let kb = Self::bn_secret(k)?;
        let mut r = EcPoint::new(&self.group).map_err(ossl)?;
        r.mul_generator2(&self.group, &kb, &mut ctx).map_err(ossl)?;
        self.point_out(&r, &mut ctx)
    }

    fn mul(&self, k: &Scalar, p: &Point) -> Result<Point> {
        let mut ctx = Self::ctx()?;
        let kb = Self::bn_secret(k)?;
        let pp = self.point_in(p, &mut ctx)?;
        let mut r = EcPoint::new(&self.group).map_err(ossl)?;
        r.mul2(&self.group, &pp, &kb, &mut ctx).map_err(ossl)?;
        self.point_out(&r, &mut ctx)
    }

    fn add(&self, p: &Point, q: &Point) -> Result<Point> {
        let mut ctx = Self::ctx()?;
        let pp = self.point_in(p, &mut ctx)?;
        let qq = self.point_in(q, &mut ctx)?;
        let mut r = EcPoint::new(&self.group).map_err(ossl)?;
        r.add(&self.group, &pp, &qq, &mut ctx).map_err(ossl)?;
        self.point_out(&r, &mut ctx)
    }

    fn mul_base_add(&self, k: &Scalar, p: &Point) -> Result<Point> {
        let mut ctx = Self::ctx()?;
        let kb = Self::bn_secret(k)?;
        let pp = self.point_in(p, &mut ctx)?;
        let mut kg = EcPoint::new(&self.group).map_err(ossl)?;
        kg.mul_generator2(&self.group, &kb, &mut ctx)
            .map_err(ossl)?;
        let mut r = EcPoint::new(&self.group).map_err(ossl)?;
        r.add(&self.group, &kg, &pp, &mut ctx).map_err(ossl)?;
        self.point_out(&r, &mut ctx)
    }

    fn double_mul(&self, a: &Scalar, b: &Scalar, p: &Point) -> Result<Point> {
        let mut ctx = Self::ctx()?;
        let ab = BigNum::from_slice(&a.to_bytes()).map_err(ossl)?;
        let bb = BigNum::from_slice(&b.to_bytes()).map_err(ossl)?;
        let pp = self.point_in(p, &mut ctx)?;
        let mut r = EcPoint::new(&self.group).map_err(ossl)?;
        r.mul_full(&self.group, &ab, &pp, &bb, &mut ctx)
            .map_err(ossl)?;
        self.point_out(&r, &mut ctx)
    }
}
