//! AES-128-CCM with the IEEE 1609.2 parameters: 12-byte nonce, 16-byte tag, no associated data.

use ccm::aead::AeadInOut;
use ccm::consts::{U12, U16};
use ccm::{Ccm, KeyInit};

use crate::secret::AesKey;
use crate::{Error, Result};

type Aes128Ccm = Ccm<aes::Aes128, U16, U12>;

/// Nonce length (bytes).
pub const NONCE_LEN: usize = 12;
/// Tag length (bytes).
pub const TAG_LEN: usize = 16;
/// Largest plaintext: the 3-byte length field of CCM with a 12-byte nonce.
pub const MAX_MESSAGE_LEN: usize = (1 << 24) - 1;

/// Encrypts `plaintext`, returning `ciphertext ‖ tag` (1609.2 `AesCcmCiphertext.ccmCiphertext`).
pub fn encrypt(key: &AesKey, nonce: &[u8; NONCE_LEN], plaintext: &[u8]) -> Result<Vec<u8>> {
    if plaintext.len() > MAX_MESSAGE_LEN {
        return Err(Error::MessageTooLong);
    }
    let cipher = Aes128Ccm::new(key.expose().into());
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(nonce.into(), &[], buf.as_mut_slice().into())
        .map_err(|_| Error::MessageTooLong)?;
    buf.extend_from_slice(&tag);
    Ok(buf)
}

/// Decrypts and authenticates `ciphertext ‖ tag`.
pub fn decrypt(
    key: &AesKey,
    nonce: &[u8; NONCE_LEN],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>> {
    if ciphertext_and_tag.len() < TAG_LEN {
        return Err(Error::InvalidLength {
            expected: TAG_LEN,
            actual: ciphertext_and_tag.len(),
        });
    }
    if ciphertext_and_tag.len() - TAG_LEN > MAX_MESSAGE_LEN {
        return Err(Error::MessageTooLong);
    }
    let (ct, tag) = ciphertext_and_tag.split_at(ciphertext_and_tag.len() - TAG_LEN);
    let cipher = Aes128Ccm::new(key.expose().into());
    let mut buf = ct.to_vec();
    let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| Error::BadTag)?;
    cipher
        .decrypt_inout_detached(nonce.into(), &[], buf.as_mut_slice().into(), &tag.into())
        .map_err(|_| Error::BadTag)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = AesKey::new([7u8; 16]);
        let nonce = [1u8; 12];
        let ct = encrypt(&key, &nonce, b"hello 1609.2").unwrap();
        assert_eq!(ct.len(), 12 + TAG_LEN);
        assert_eq!(decrypt(&key, &nonce, &ct).unwrap(), b"hello 1609.2");
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_eq!(decrypt(&key, &nonce, &bad), Err(Error::BadTag));
        assert!(decrypt(&key, &nonce, &ct[..10]).is_err());
        assert_eq!(
            decrypt(&key, &nonce, &encrypt(&key, &nonce, b"").unwrap()).unwrap(),
            b""
        );
    }
}
