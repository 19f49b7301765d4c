//! SHA-256 and the IEEE 1609.2 data-and-signer hash.

use sha2::{Digest, Sha256};

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256_concat(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// IEEE 1609.2 hash input for signatures and implicit certificates:
/// `SHA-256( SHA-256(data) ‖ SHA-256(signer) )`.
///
/// `data` is the COER `ToBeSignedData` / `ToBeSignedCertificate`; `signer` is the COER signer
/// (or issuer) certificate, or the empty string for `signer self`.
pub fn sha256_with_signer(data: &[u8], signer: &[u8]) -> [u8; 32] {
    sha256_concat(&[&sha256(data), &sha256(signer)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_equals_single() {
        assert_eq!(sha256_concat(&[b"ab", b"c"]), sha256(b"abc"));
        let inner = [sha256(b"tbs"), sha256(b"")].concat();
        assert_eq!(sha256_with_signer(b"tbs", b""), sha256(&inner));
    }
}
