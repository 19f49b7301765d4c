//! Single-block AES-128 and its Davies–Meyer form `AES_k(m) ⊕ m` (used by butterfly
//! expansion and linkage values).

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::Aes128;

use crate::secret::AesKey;

/// AES-128 encryption of one block (ECB).
pub fn aes128_encrypt_block(key: &AesKey, block: &[u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(key.expose().into());
    let mut b = (*block).into();
    cipher.encrypt_block(&mut b);
    b.into()
}

/// Davies–Meyer: `AES_k(m) ⊕ m`.
pub fn davies_meyer(key: &AesKey, block: &[u8; 16]) -> [u8; 16] {
    let mut out = aes128_encrypt_block(key, block);
    for (o, m) in out.iter_mut().zip(block) {
        *o ^= m;
    }
    out
}

/// Davies–Meyer of many blocks under one key (one key schedule, pipelined AES):
/// each `m` in `blocks` becomes `AES_k(m) ⊕ m`.
pub fn davies_meyer_many(key: &AesKey, blocks: &mut [[u8; 16]]) {
    let cipher = Aes128::new(key.expose().into());
    let mut buf: Vec<aes::Block> = blocks.iter().map(|b| (*b).into()).collect();
    cipher.encrypt_blocks(&mut buf);
    for (m, c) in blocks.iter_mut().zip(&buf) {
        for (x, y) in m.iter_mut().zip(c.iter()) {
            *x ^= y;
        }
    }
}
