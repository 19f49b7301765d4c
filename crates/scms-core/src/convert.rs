//! Conversions between the ASN.1 types and the crypto types.

use scms_asn1::ieee1609dot2::{
    BasePublicEncryptionKey, EccP256CurvePoint, EccP256CurvePointUncompressed, EcdsaP256Signature,
    PublicEncryptionKey, PublicVerificationKey, Signature, SymmAlgorithm,
};
use scms_crypto::{ecdsa, EccPoint, Point};

use crate::CoreError;

/// ASN.1 `EccP256CurvePoint` → crypto `EccPoint` (`fill` is refused).
pub fn ecc_point(p: &EccP256CurvePoint) -> Result<EccPoint, CoreError> {
    Ok(match p {
        EccP256CurvePoint::XOnly(x) => EccPoint::XOnly(*x),
        EccP256CurvePoint::CompressedY0(x) => EccPoint::CompressedY0(*x),
        EccP256CurvePoint::CompressedY1(x) => EccPoint::CompressedY1(*x),
        EccP256CurvePoint::Uncompressed(u) => EccPoint::Uncompressed { x: u.x, y: u.y },
        EccP256CurvePoint::Fill(()) => return Err(CoreError::Invalid("fill point")),
    })
}

/// Crypto `EccPoint` → ASN.1 `EccP256CurvePoint`.
pub fn asn_point(p: &EccPoint) -> EccP256CurvePoint {
    match p {
        EccPoint::XOnly(x) => EccP256CurvePoint::XOnly(*x),
        EccPoint::CompressedY0(x) => EccP256CurvePoint::CompressedY0(*x),
        EccPoint::CompressedY1(x) => EccP256CurvePoint::CompressedY1(*x),
        EccPoint::Uncompressed { x, y } => {
            EccP256CurvePoint::Uncompressed(EccP256CurvePointUncompressed { x: *x, y: *y })
        }
    }
}

/// A full curve point from a compressed or uncompressed `EccP256CurvePoint`.
pub fn point(p: &EccP256CurvePoint) -> Result<Point, CoreError> {
    Ok(Point::from_ecc_point(&ecc_point(p)?)?)
}

/// A point as the compressed `EccP256CurvePoint` 1609.2 prefers.
pub fn compressed(p: &Point) -> EccP256CurvePoint {
    asn_point(&p.to_ecc_compressed())
}

/// The NIST P-256 verification key of a `PublicVerificationKey`.
pub fn verification_key(k: &PublicVerificationKey) -> Result<Point, CoreError> {
    match k {
        PublicVerificationKey::EcdsaNistP256(p) => point(p),
        _ => Err(CoreError::Unsupported(
            "verification key other than ecdsaNistP256",
        )),
    }
}

/// The ECIES NIST P-256 key of a `PublicEncryptionKey` (AES-128-CCM).
pub fn encryption_key(k: &PublicEncryptionKey) -> Result<Point, CoreError> {
    match (&k.supported_symm_alg, &k.public_key) {
        (SymmAlgorithm::Aes128Ccm, BasePublicEncryptionKey::EciesNistP256(p)) => point(p),
        _ => Err(CoreError::Unsupported(
            "encryption key other than eciesNistP256/aes128Ccm",
        )),
    }
}

/// A `PublicEncryptionKey` (ECIES P-256, AES-128-CCM) for a point.
pub fn public_encryption_key(p: &Point) -> PublicEncryptionKey {
    PublicEncryptionKey {
        supported_symm_alg: SymmAlgorithm::Aes128Ccm,
        public_key: BasePublicEncryptionKey::EciesNistP256(compressed(p)),
    }
}

/// ASN.1 `Signature` → crypto ECDSA signature (NIST P-256 only).
pub fn signature(s: &Signature) -> Result<ecdsa::Signature, CoreError> {
    match s {
        Signature::EcdsaNistP256Signature(sig) => Ok(ecdsa::Signature {
            r: ecc_point(&sig.r)?,
            s: sig.s,
        }),
        _ => Err(CoreError::Unsupported("signature other than ecdsaNistP256")),
    }
}

/// Crypto ECDSA signature → ASN.1 `Signature`.
pub fn asn_signature(s: &ecdsa::Signature) -> Signature {
    Signature::EcdsaNistP256Signature(EcdsaP256Signature {
        r: asn_point(&s.r),
        s: s.s,
    })
}
