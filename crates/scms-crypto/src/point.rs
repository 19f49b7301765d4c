//! P-256 points: validated affine points and the IEEE 1609.2 `EccP256CurvePoint` forms.

use p256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use p256::elliptic_curve::subtle::Choice;

use crate::{Error, Result};

/// Plain-data mirror of IEEE 1609.2 `EccP256CurvePoint`.
///
/// The ASN.1 layer converts to and from this; [`Point`] converts a full point form into a
/// validated curve point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EccPoint {
    /// `x-only`: just the x-coordinate (used for ECDSA `r`).
    XOnly([u8; 32]),
    /// `compressed-y-0`: x-coordinate of a point whose y is even.
    CompressedY0([u8; 32]),
    /// `compressed-y-1`: x-coordinate of a point whose y is odd.
    CompressedY1([u8; 32]),
    /// `uncompressedP256`: both coordinates.
    Uncompressed {
        /// x-coordinate, big-endian.
        x: [u8; 32],
        /// y-coordinate, big-endian.
        y: [u8; 32],
    },
}

impl EccPoint {
    /// The x-coordinate carried in any form.
    pub fn x(&self) -> &[u8; 32] {
        match self {
            EccPoint::XOnly(x) | EccPoint::CompressedY0(x) | EccPoint::CompressedY1(x) => x,
            EccPoint::Uncompressed { x, .. } => x,
        }
    }
}

/// An affine P-256 point, guaranteed on the curve and not the point at infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point {
    x: [u8; 32],
    y: [u8; 32],
}

impl Point {
    /// The base point `G`.
    pub fn generator() -> Point {
        Self::from_p256(&p256::AffinePoint::GENERATOR).unwrap_or(Point {
            x: [0; 32],
            y: [0; 32],
        })
    }

    /// Builds a point from affine coordinates, checking that it lies on the curve.
    pub fn from_affine(x: &[u8; 32], y: &[u8; 32]) -> Result<Point> {
        let p: Option<p256::AffinePoint> =
            p256::AffinePoint::from_coordinates(&(*x).into(), &(*y).into()).into_option();
        p.ok_or(Error::InvalidPoint)?;
        Ok(Point { x: *x, y: *y })
    }

    /// Decompresses an x-coordinate with the parity of y.
    pub fn from_x(x: &[u8; 32], y_is_odd: bool) -> Result<Point> {
        let p: Option<p256::AffinePoint> =
            p256::AffinePoint::decompress(&(*x).into(), Choice::from(u8::from(y_is_odd)))
                .into_option();
        Self::from_p256(&p.ok_or(Error::InvalidPoint)?)
    }

    /// Parses SEC 1 encodings: `02|03 ‖ x` (33 bytes) or `04 ‖ x ‖ y` (65 bytes).
    pub fn from_sec1(bytes: &[u8]) -> Result<Point> {
        match (bytes.len(), bytes.first()) {
            (33, Some(&tag)) if tag == 2 || tag == 3 => {
                Self::from_x(&array32(&bytes[1..])?, tag == 3)
            }
            (65, Some(4)) => Self::from_affine(&array32(&bytes[1..33])?, &array32(&bytes[33..])?),
            _ => Err(Error::InvalidPoint),
        }
    }

    /// Parses the 64-byte `x ‖ y` form (1609.2 `uncompressedP256` contents).
    pub fn from_uncompressed(xy: &[u8]) -> Result<Point> {
        if xy.len() != 64 {
            return Err(Error::InvalidLength {
                expected: 64,
                actual: xy.len(),
            });
        }
        Self::from_affine(&array32(&xy[..32])?, &array32(&xy[32..])?)
    }

    /// Converts a 1609.2 curve point; the x-only form is rejected.
    pub fn from_ecc_point(p: &EccPoint) -> Result<Point> {
        match p {
            EccPoint::XOnly(_) => Err(Error::XOnlyPoint),
            EccPoint::CompressedY0(x) => Self::from_x(x, false),
            EccPoint::CompressedY1(x) => Self::from_x(x, true),
            EccPoint::Uncompressed { x, y } => Self::from_affine(x, y),
        }
    }

    /// x-coordinate, big-endian.
    pub fn x(&self) -> &[u8; 32] {
        &self.x
    }

    /// y-coordinate, big-endian.
    pub fn y(&self) -> &[u8; 32] {
        &self.y
    }

    /// Whether y is odd.
    pub fn y_is_odd(&self) -> bool {
        self.y[31] & 1 == 1
    }

    /// SEC 1 compressed encoding `02|03 ‖ x`.
    pub fn to_compressed(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = if self.y_is_odd() { 3 } else { 2 };
        out[1..].copy_from_slice(&self.x);
        out
    }

    /// SEC 1 uncompressed encoding `04 ‖ x ‖ y`.
    pub fn to_uncompressed(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[0] = 4;
        out[1..33].copy_from_slice(&self.x);
        out[33..].copy_from_slice(&self.y);
        out
    }

    /// The 1609.2 compressed form (`compressed-y-0` / `compressed-y-1`).
    pub fn to_ecc_compressed(&self) -> EccPoint {
        if self.y_is_odd() {
            EccPoint::CompressedY1(self.x)
        } else {
            EccPoint::CompressedY0(self.x)
        }
    }

    /// The 1609.2 uncompressed form.
    pub fn to_ecc_uncompressed(&self) -> EccPoint {
        EccPoint::Uncompressed {
            x: self.x,
            y: self.y,
        }
    }

    pub(crate) fn to_p256(self) -> Result<p256::AffinePoint> {
        let p: Option<p256::AffinePoint> =
            p256::AffinePoint::from_coordinates(&self.x.into(), &self.y.into()).into_option();
        p.ok_or(Error::InvalidPoint)
    }

    pub(crate) fn from_p256(p: &p256::AffinePoint) -> Result<Point> {
        if bool::from(p.is_identity()) {
            return Err(Error::PointAtInfinity);
        }
        Ok(Point {
            x: p.x().into(),
            y: p.y().into(),
        })
    }

    /// Builds a point from coordinates that a backend computed (still validated).
    pub(crate) fn from_backend(x: [u8; 32], y: [u8; 32]) -> Result<Point> {
        Self::from_affine(&x, &y)
    }
}

fn array32(b: &[u8]) -> Result<[u8; 32]> {
    crate::scalar::to_array32(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip() {
        let g = Point::generator();
        assert_eq!(Point::from_sec1(&g.to_compressed()).unwrap(), g);
        assert_eq!(Point::from_sec1(&g.to_uncompressed()).unwrap(), g);
        assert_eq!(
            Point::from_uncompressed(&g.to_uncompressed()[1..]).unwrap(),
            g
        );
        assert_eq!(Point::from_ecc_point(&g.to_ecc_compressed()).unwrap(), g);
        assert_eq!(Point::from_ecc_point(&g.to_ecc_uncompressed()).unwrap(), g);
        assert_eq!(
            Point::from_ecc_point(&EccPoint::XOnly(*g.x())),
            Err(Error::XOnlyPoint)
        );
    }

    #[test]
    fn invalid_points_are_rejected() {
        let g = Point::generator();
        let mut bad = *g.y();
        bad[31] ^= 1;
        assert_eq!(Point::from_affine(g.x(), &bad), Err(Error::InvalidPoint));
        assert!(Point::from_sec1(&[2u8; 32]).is_err());
        assert!(Point::from_sec1(&[]).is_err());
        assert!(Point::from_uncompressed(&[0u8; 63]).is_err());
        // x = 0 ... some x have no point; all-0xFF is >= p and must be rejected.
        assert!(Point::from_x(&[0xFF; 32], false).is_err());
    }
}
