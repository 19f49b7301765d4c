//! IEEE 1609.2 hashed identifiers: the low-order bytes of SHA-256 of a COER encoding.

use scms_asn1::ieee1609dot2::{
    Certificate, EccP256CurvePoint, HashedId10, HashedId3, HashedId8, Signature,
};
use scms_asn1::Coer;
use scms_crypto::hash::sha256;

/// Low-order (last) `N` bytes of SHA-256(`bytes`).
pub fn hashed_id<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let h = sha256(bytes);
    let mut out = [0u8; N];
    out.copy_from_slice(&h[32 - N..]);
    out
}

/// The encoding a certificate is hashed in (1609.2 §6.4.3): an ECDSA signature's `r`
/// is canonicalized to `x-only` first.
pub fn canonical_certificate(cert: &Certificate) -> Vec<u8> {
    let mut c = cert.clone();
    if let Some(Signature::EcdsaNistP256Signature(s)) = &mut c.signature {
        let x = match &s.r {
            EccP256CurvePoint::CompressedY0(x) | EccP256CurvePoint::CompressedY1(x) => Some(*x),
            EccP256CurvePoint::Uncompressed(u) => Some(u.x),
            _ => None,
        };
        if let Some(x) = x {
            s.r = EccP256CurvePoint::XOnly(x);
        }
    }
    c.to_coer()
}

/// SHA-256 of a certificate's canonical encoding.
pub fn certificate_hash(cert: &Certificate) -> [u8; 32] {
    sha256(&canonical_certificate(cert))
}

/// `HashedId8` of a certificate.
pub fn certificate_id8(cert: &Certificate) -> HashedId8 {
    hashed_id(&canonical_certificate(cert))
}

/// `HashedId10` of a certificate (hash-based CRL entries).
pub fn certificate_id10(cert: &Certificate) -> HashedId10 {
    hashed_id(&canonical_certificate(cert))
}

/// `HashedId3` of a certificate (`cracaId`).
pub fn certificate_id3(cert: &Certificate) -> HashedId3 {
    hashed_id(&canonical_certificate(cert))
}
