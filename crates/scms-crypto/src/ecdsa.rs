//! ECDSA over P-256 with SHA-256, in the IEEE 1609.2 signature forms.
//!
//! The caller hashes: 1609.2 signs `SHA-256(SHA-256(tbs) ‖ SHA-256(signer))`
//! (see [`crate::hash::sha256_with_signer`]), so the API takes the 32-byte digest.
//! `r` is carried as an [`EccPoint`]: x-only (the default), or the full point `R = k·G` in
//! compressed or uncompressed form, which allows fast verification schemes.

use zeroize::Zeroize;

use crate::backend::CurveBackend;
use crate::mac::hmac_sha256;
use crate::point::{EccPoint, Point};
use crate::scalar::{PrivateKey, Scalar};
use crate::{Error, Result};

/// A 1609.2 `EcdsaP256Signature`: `rSig` as a curve point form, and `sSig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    /// `rSig`: x-only, compressed-y-0/1, or uncompressed.
    pub r: EccPoint,
    /// `sSig`, big-endian.
    pub s: [u8; 32],
}

impl Signature {
    /// The same signature with `r` reduced to the x-only form (what 1609.2 hashes use).
    pub fn to_x_only(&self) -> Signature {
        Signature {
            r: EccPoint::XOnly(*self.r.x()),
            s: self.s,
        }
    }
}

/// Signs a 32-byte digest with a fresh nonce from the OS CSPRNG; `r` is x-only.
pub fn sign_digest(
    backend: &dyn CurveBackend,
    key: &PrivateKey,
    digest: &[u8; 32],
) -> Result<Signature> {
    sign_digest_with_rng(backend, key, digest, &mut crate::OsRng)
}

/// Signs with randomness from `rng`; `r` is x-only.
pub fn sign_digest_with_rng<R: rand_core::TryCryptoRng + ?Sized>(
    backend: &dyn CurveBackend,
    key: &PrivateKey,
    digest: &[u8; 32],
    rng: &mut R,
) -> Result<Signature> {
    let (r_point, s) = sign_inner(backend, key, digest, rng)?;
    Ok(Signature {
        r: EccPoint::XOnly(*r_point.x()),
        s,
    })
}

/// Signs and keeps `R` as a compressed point (`compressed-y-0/1`), for fast verification.
pub fn sign_digest_with_point(
    backend: &dyn CurveBackend,
    key: &PrivateKey,
    digest: &[u8; 32],
) -> Result<Signature> {
    let (r_point, s) = sign_inner(backend, key, digest, &mut crate::OsRng)?;
    Ok(Signature {
        r: r_point.to_ecc_compressed(),
        s,
    })
}

/// Hedged nonce: `HMAC-SHA-256(d, rand ‖ digest ‖ i)` for i = 1, 2, reduced mod n.
/// Safe even with a weak RNG (then it degrades to a deterministic nonce).
fn nonce<R: rand_core::TryCryptoRng + ?Sized>(
    key: &PrivateKey,
    digest: &[u8; 32],
    rng: &mut R,
) -> Result<Scalar> {
    let mut extra = [0u8; 32];
    rng.try_fill_bytes(&mut extra).map_err(|_| Error::Rng)?;
    let d = key.to_bytes();
    let mut wide = [0u8; 64];
    for (i, half) in wide.chunks_mut(32).enumerate() {
        let mut msg = [0u8; 65];
        msg[..32].copy_from_slice(&extra);
        msg[32..64].copy_from_slice(digest);
        msg[64] = u8::try_from(i + 1).unwrap_or(0);
        let mut block = hmac_sha256(d.expose(), &msg);
        half.copy_from_slice(&block);
        block.zeroize();
        msg.zeroize();
    }
    extra.zeroize();
    let k = Scalar::reduce(&wide);
    wide.zeroize();
    k
}

fn sign_inner<R: rand_core::TryCryptoRng + ?Sized>(
    backend: &dyn CurveBackend,
    key: &PrivateKey,
    digest: &[u8; 32],
    rng: &mut R,
) -> Result<(Point, [u8; 32])> {
    let e = Scalar::reduce(digest)?;
    loop {
        let k = nonce(key, digest, rng)?;
        if k.is_zero() {
            continue;
        }
        let r_point = backend.mul_base(&k)?;
        let r = Scalar::reduce(r_point.x())?;
        if r.is_zero() {
            continue;
        }
        let s = k.invert()?.mul(&e.add(&r.mul(key.as_scalar())));
        if s.is_zero() {
            continue;
        }
        return Ok((r_point, s.to_bytes()));
    }
}

/// Verifies a signature on a 32-byte digest, accepting every `r` form.
///
/// For the point forms the recomputed `R' = e/s·G + r/s·Q` must equal the transmitted `R`.
pub fn verify_digest(
    backend: &dyn CurveBackend,
    public: &Point,
    digest: &[u8; 32],
    sig: &Signature,
) -> Result<()> {
    let s = Scalar::from_bytes(&sig.s).map_err(|_| Error::BadSignature)?;
    if s.is_zero() {
        return Err(Error::BadSignature);
    }
    let r = Scalar::reduce(sig.r.x())?;
    if r.is_zero() {
        return Err(Error::BadSignature);
    }
    let transmitted_r = match sig.r {
        EccPoint::XOnly(x) => {
            // r must be canonical (< n) in the x-only form.
            Scalar::from_bytes(&x).map_err(|_| Error::BadSignature)?;
            None
        }
        ref p => Some(Point::from_ecc_point(p).map_err(|_| Error::BadSignature)?),
    };
    let e = Scalar::reduce(digest)?;
    let w = s.invert()?;
    let u1 = e.mul(&w);
    let u2 = r.mul(&w);
    let r_prime = backend
        .double_mul(&u1, &u2, public)
        .map_err(|_| Error::BadSignature)?;
    let ok = match transmitted_r {
        None => Scalar::reduce(r_prime.x())? == r,
        Some(rp) => rp == r_prime,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{OpenSslBackend, RustCryptoBackend};

    #[test]
    fn sign_verify_all_forms_both_backends() {
        let os = OpenSslBackend::new().unwrap();
        let backends: [&dyn CurveBackend; 2] = [&RustCryptoBackend, &os];
        let key = PrivateKey::generate().unwrap();
        let digest = crate::hash::sha256(b"message");
        for signer in backends {
            let public = key.public_key(signer).unwrap();
            let sig = sign_digest(signer, &key, &digest).unwrap();
            let sig_pt = sign_digest_with_point(signer, &key, &digest).unwrap();
            assert!(matches!(
                sig_pt.r,
                EccPoint::CompressedY0(_) | EccPoint::CompressedY1(_)
            ));
            let rp = Point::from_ecc_point(&sig_pt.r).unwrap();
            let sig_unc = Signature {
                r: rp.to_ecc_uncompressed(),
                s: sig_pt.s,
            };
            for verifier in backends {
                verify_digest(verifier, &public, &digest, &sig).unwrap();
                verify_digest(verifier, &public, &digest, &sig_pt).unwrap();
                verify_digest(verifier, &public, &digest, &sig_unc).unwrap();
                verify_digest(verifier, &public, &digest, &sig_pt.to_x_only()).unwrap();
                let mut bad = digest;
                bad[0] ^= 1;
                assert_eq!(
                    verify_digest(verifier, &public, &bad, &sig),
                    Err(Error::BadSignature)
                );
                // Wrong-parity R must fail in the point forms.
                let flipped = match sig_pt.r {
                    EccPoint::CompressedY0(x) => EccPoint::CompressedY1(x),
                    EccPoint::CompressedY1(x) => EccPoint::CompressedY0(x),
                    other => other,
                };
                let sig_flip = Signature {
                    r: flipped,
                    s: sig_pt.s,
                };
                assert!(verify_digest(verifier, &public, &digest, &sig_flip).is_err());
                let zero_s = Signature {
                    r: sig.r,
                    s: [0; 32],
                };
                assert!(verify_digest(verifier, &public, &digest, &zero_s).is_err());
            }
        }
    }

    /// Cross-check with RustCrypto's `ecdsa` implementation (prehash API) in both directions.
    #[test]
    fn interoperates_with_p256_ecdsa() {
        use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
        let rc = RustCryptoBackend;
        let key = PrivateKey::generate().unwrap();
        let public = key.public_key(&rc).unwrap();
        let digest = crate::hash::sha256(b"interop");
        let sk = p256::ecdsa::SigningKey::from_slice(key.to_bytes().expose()).unwrap();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&public.to_compressed()).unwrap();
        // ours -> theirs
        let ours = sign_digest(&rc, &key, &digest).unwrap();
        let mut rs = [0u8; 64];
        rs[..32].copy_from_slice(ours.r.x());
        rs[32..].copy_from_slice(&ours.s);
        let theirs_sig = p256::ecdsa::Signature::from_slice(&rs).unwrap();
        vk.verify_prehash(&digest, &theirs_sig).unwrap();
        // theirs -> ours
        let theirs: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let bytes = theirs.to_bytes();
        let sig = Signature {
            r: EccPoint::XOnly(bytes[..32].try_into().unwrap()),
            s: bytes[32..].try_into().unwrap(),
        };
        verify_digest(&rc, &public, &digest, &sig).unwrap();
    }

    /// Cross-check with OpenSSL's own ECDSA (`ECDSA_do_sign` / `ECDSA_do_verify`).
    #[test]
    fn interoperates_with_openssl_ecdsa() {
        use openssl::bn::BigNum;
        use openssl::ec::{EcGroup, EcKey, EcPoint};
        use openssl::ecdsa::EcdsaSig;
        use openssl::nid::Nid;
        let rc = RustCryptoBackend;
        let key = PrivateKey::generate().unwrap();
        let public = key.public_key(&rc).unwrap();
        let digest = crate::hash::sha256(b"openssl interop");
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let mut ctx = openssl::bn::BigNumContext::new().unwrap();
        let pt = EcPoint::from_bytes(&group, &public.to_uncompressed(), &mut ctx).unwrap();
        let d = BigNum::from_slice(key.to_bytes().expose()).unwrap();
        let sk = EcKey::from_private_components(&group, &d, &pt).unwrap();
        let vk = EcKey::from_public_key(&group, &pt).unwrap();
        // ours -> OpenSSL
        let ours = sign_digest(&rc, &key, &digest).unwrap();
        let r = BigNum::from_slice(ours.r.x()).unwrap();
        let s = BigNum::from_slice(&ours.s).unwrap();
        let sig = EcdsaSig::from_private_components(r, s).unwrap();
        assert!(sig.verify(&digest, &vk).unwrap());
        // OpenSSL -> ours
        let theirs = EcdsaSig::sign(&digest, &sk).unwrap();
        let sig = Signature {
            r: EccPoint::XOnly(theirs.r().to_vec_padded(32).unwrap().try_into().unwrap()),
            s: theirs.s().to_vec_padded(32).unwrap().try_into().unwrap(),
        };
        verify_digest(&rc, &public, &digest, &sig).unwrap();
        verify_digest(&OpenSslBackend::new().unwrap(), &public, &digest, &sig).unwrap();
    }
}
