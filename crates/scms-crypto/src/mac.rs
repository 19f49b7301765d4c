//! MAC1: HMAC-SHA-256 (RFC 2104 / 4231, IEEE 1363a).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// HMAC-SHA-256 of `msg` under `key` (any key length).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // `new_from_slice` accepts keys of any length for HMAC.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA-256 truncated to its leftmost 16 bytes (the IEEE 1609.2 ECIES tag length).
pub fn hmac_sha256_128(key: &[u8], msg: &[u8]) -> [u8; 16] {
    let full = hmac_sha256(key, msg);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Constant-time check of a (possibly truncated, ≥ 16 bytes) HMAC-SHA-256 tag.
pub fn verify_hmac_sha256(key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    if tag.len() < 16 || tag.len() > 32 {
        return false;
    }
    let full = hmac_sha256(key, msg);
    full[..tag.len()].ct_eq(tag).into()
}

#[cold]
fn unreachable_hmac() -> ! {
    // HMAC accepts every key length; this is never reached.
    panic!("HMAC rejected a key")
}
