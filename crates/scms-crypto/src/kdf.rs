//! KDF2 (IEEE 1363a §13.2, ANSI X9.63) with SHA-256.

use sha2::{Digest, Sha256};

/// Fills `out` with KDF2-SHA-256(`z`, `param`):
/// `SHA-256(z ‖ 1_32 ‖ param) ‖ SHA-256(z ‖ 2_32 ‖ param) ‖ …`, truncated to `out.len()`.
pub fn kdf2_into(z: &[u8], param: &[u8], out: &mut [u8]) {
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        let counter = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut h = Sha256::new();
        h.update(z);
        h.update(counter.to_be_bytes());
        h.update(param);
        let block: [u8; 32] = h.finalize().into();
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

/// KDF2-SHA-256 returning `len` bytes.
pub fn kdf2(z: &[u8], param: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    kdf2_into(z, param, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_property() {
        let long = kdf2(b"secret", b"info", 100);
        assert_eq!(&kdf2(b"secret", b"info", 33)[..], &long[..33]);
        assert_eq!(
            &long[..32],
            &crate::hash::sha256(b"secret\x00\x00\x00\x01info")[..]
        );
        assert!(kdf2(b"z", b"", 0).is_empty());
    }
}
