//! ECIES key wrap as in IEEE 1609.2 §5.3.5 (non-DHAES mode).
//!
//! `Z = x(v·R)`; `K1 ‖ K2 = KDF2-SHA-256(Z, P1)` with `|K1| = 16`, `|K2| = 32`;
//! `C = k ⊕ K1`; `T = HMAC-SHA-256(K2, C)` truncated to 16 bytes. The MAC covers only `C`
//! (1609.2 uses an empty P2). `P1` is the hash of the recipient info (1609.2 §6.3.31):
//! SHA-256 of the recipient certificate, of the `Ieee1609Dot2Data` carrying the response
//! encryption key, or SHA-256 of the empty string.

use zeroize::Zeroize;

use crate::backend::CurveBackend;
use crate::ecdh::shared_secret;
use crate::kdf::kdf2_into;
use crate::mac::{hmac_sha256_128, verify_hmac_sha256};
use crate::point::Point;
use crate::scalar::PrivateKey;
use crate::secret::AesKey;
use crate::{Error, Result};

/// Output of ECIES encryption (1609.2 `EciesP256EncryptedKey`: `v`, `c`, `t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EciesCiphertext {
    /// Sender's ephemeral public key `V` (encode it compressed).
    pub v: Point,
    /// Wrapped key `C = k ⊕ K1`.
    pub c: [u8; 16],
    /// Tag `T`.
    pub t: [u8; 16],
}

/// Wraps `key` for `recipient` with a fresh ephemeral key from the OS CSPRNG.
pub fn encrypt(
    backend: &dyn CurveBackend,
    recipient: &Point,
    key: &AesKey,
    p1: &[u8],
) -> Result<EciesCiphertext> {
    encrypt_with_rng(backend, recipient, key, p1, &mut crate::OsRng)
}

/// Wraps `key` for `recipient` with an ephemeral key drawn from `rng`.
pub fn encrypt_with_rng<R: rand_core::TryCryptoRng + ?Sized>(
    backend: &dyn CurveBackend,
    recipient: &Point,
    key: &AesKey,
    p1: &[u8],
    rng: &mut R,
) -> Result<EciesCiphertext> {
    let v = PrivateKey::generate_with(rng)?;
    encrypt_with_ephemeral(backend, recipient, key, p1, &v)
}

/// Deterministic variant with a caller-chosen ephemeral private key (known-answer tests only:
/// reusing an ephemeral key across messages breaks security).
pub fn encrypt_with_ephemeral(
    backend: &dyn CurveBackend,
    recipient: &Point,
    key: &AesKey,
    p1: &[u8],
    ephemeral: &PrivateKey,
) -> Result<EciesCiphertext> {
    let v = ephemeral.public_key(backend)?;
    let z = shared_secret(backend, ephemeral, recipient)?;
    let mut k = [0u8; 48];
    kdf2_into(z.expose(), p1, &mut k);
    let mut c = [0u8; 16];
    for ((c, m), k1) in c.iter_mut().zip(key.expose()).zip(&k[..16]) {
        *c = m ^ k1;
    }
    let t = hmac_sha256_128(&k[16..], &c);
    k.zeroize();
    Ok(EciesCiphertext { v, c, t })
}

/// Unwraps an AES key; fails with [`Error::BadTag`] if the tag does not verify.
pub fn decrypt(
    backend: &dyn CurveBackend,
    recipient: &PrivateKey,
    ct: &EciesCiphertext,
    p1: &[u8],
) -> Result<AesKey> {
    let z = shared_secret(backend, recipient, &ct.v)?;
    let mut k = [0u8; 48];
    kdf2_into(z.expose(), p1, &mut k);
    if !verify_hmac_sha256(&k[16..], &ct.c, &ct.t) {
        k.zeroize();
        return Err(Error::BadTag);
    }
    let mut out = [0u8; 16];
    for ((o, c), k1) in out.iter_mut().zip(&ct.c).zip(&k[..16]) {
        *o = c ^ k1;
    }
    k.zeroize();
    let key = AesKey::new(out);
    out.zeroize();
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{OpenSslBackend, RustCryptoBackend};

    #[test]
    fn round_trip_and_tamper() {
        let os = OpenSslBackend::new().unwrap();
        let rc = RustCryptoBackend;
        let recipient = PrivateKey::generate().unwrap();
        let public = recipient.public_key(&rc).unwrap();
        let key = AesKey::random().unwrap();
        let p1 = crate::hash::sha256(b"");
        let ct = encrypt(&rc, &public, &key, &p1).unwrap();
        assert_eq!(decrypt(&os, &recipient, &ct, &p1).unwrap(), key);
        let mut bad = ct;
        bad.t[3] ^= 0x40;
        assert_eq!(decrypt(&rc, &recipient, &bad, &p1), Err(Error::BadTag));
        let mut bad = ct;
        bad.c[0] ^= 1;
        assert_eq!(decrypt(&rc, &recipient, &bad, &p1), Err(Error::BadTag));
        assert_eq!(decrypt(&rc, &recipient, &ct, b"other"), Err(Error::BadTag));
    }
}
