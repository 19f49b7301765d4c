//! Linkage values (seed "SCP2: Linkage Values") and group linkage / encrypted indices.
//!
//! `ls(i) = [SHA-256(la_id ‖ ls(i-1) ‖ 0^112)]_128`;
//! `plv(i, j) = [AES_{ls(i)}(la_id ‖ j ‖ 0^80) ⊕ (la_id ‖ j ‖ 0^80)]_72`;
//! `lv(i, j) = plv1(i, j) ⊕ plv2(i, j)`. `la_id` is 16 bits, `j` 32 bits, all big-endian.
//! Group linkage values use the same functions on group seeds (`gs`), with `j` a 32-bit value;
//! encrypted indices are `ei(j, k) = AES_ik(b) ⊕ b`, `b = k ‖ j ‖ 0^64` (the order in CAMP's
//! `glv.txt` data, whose prose labels it `j ‖ k`).

use crate::block::{davies_meyer, davies_meyer_many};
use crate::hash::sha256;
use crate::secret::{AesKey, Secret};

/// A 128-bit linkage seed `ls(i)` (or group seed `gs(i)`).
pub type LinkageSeed = Secret<16>;
/// A 72-bit (pre-)linkage value, 1609.2 `LinkageValue`.
pub type LinkageValue = [u8; 9];

/// Next-period seed: `[SHA-256(la_id ‖ ls ‖ 0^112)]_128`.
pub fn next_seed(la_id: u16, seed: &LinkageSeed) -> LinkageSeed {
    let mut input = [0u8; 32];
    input[..2].copy_from_slice(&la_id.to_be_bytes());
    input[2..18].copy_from_slice(seed.expose());
    let h = sha256(&input);
    let mut out = [0u8; 16];
    out.copy_from_slice(&h[..16]);
    zeroize::Zeroize::zeroize(&mut input);
    LinkageSeed::new(out)
}

/// Seed advanced by `periods` i-periods (`periods` = 0 returns a copy).
pub fn advance_seed(la_id: u16, seed: &LinkageSeed, periods: u32) -> LinkageSeed {
    let mut s = seed.clone();
    for _ in 0..periods {
        s = next_seed(la_id, &s);
    }
    s
}

/// The AES input block `la_id ‖ j ‖ 0^80`.
pub fn plv_input(la_id: u16, j: u32) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..2].copy_from_slice(&la_id.to_be_bytes());
    b[2..6].copy_from_slice(&j.to_be_bytes());
    b
}

/// Pre-linkage value `plv(i, j)` from the period seed `ls(i)`.
pub fn pre_linkage_value(la_id: u16, seed: &LinkageSeed, j: u32) -> LinkageValue {
    let dm = davies_meyer(seed, &plv_input(la_id, j));
    let mut out = [0u8; 9];
    out.copy_from_slice(&dm[..9]);
    out
}

/// `plv(i, j)` for every `j < j_max` from the period seed `ls(i)`, appended to `out`
/// (one AES key schedule for all of them; what CRL expansion needs).
pub fn pre_linkage_values(la_id: u16, seed: &LinkageSeed, j_max: u32, out: &mut Vec<LinkageValue>) {
    let mut blocks: Vec<[u8; 16]> = (0..j_max).map(|j| plv_input(la_id, j)).collect();
    davies_meyer_many(seed, &mut blocks);
    out.extend(blocks.iter().map(|b| {
        let mut v = [0u8; 9];
        v.copy_from_slice(&b[..9]);
        v
    }));
}

/// `lv = plv1 ⊕ plv2`.
pub fn linkage_value(plv1: &LinkageValue, plv2: &LinkageValue) -> LinkageValue {
    let mut out = [0u8; 9];
    for ((o, a), b) in out.iter_mut().zip(plv1).zip(plv2) {
        *o = a ^ b;
    }
    out
}

/// Convenience: `lv(i, j)` from both LAs' period seeds.
pub fn linkage_value_from_seeds(
    la1: (u16, &LinkageSeed),
    la2: (u16, &LinkageSeed),
    j: u32,
) -> LinkageValue {
    linkage_value(
        &pre_linkage_value(la1.0, la1.1, j),
        &pre_linkage_value(la2.0, la2.1, j),
    )
}

/// Encrypted-index input block `k ‖ j ‖ 0^64`.
pub fn encrypted_index_input(j: u32, k: u32) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&k.to_be_bytes());
    b[4..8].copy_from_slice(&j.to_be_bytes());
    b
}

/// Encrypted index `ei(j, k) = AES_ik(k ‖ j ‖ 0^64) ⊕ (k ‖ j ‖ 0^64)` (128 bits).
pub fn encrypted_index(indices_key: &AesKey, j: u32, k: u32) -> [u8; 16] {
    davies_meyer(indices_key, &encrypted_index_input(j, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_plvs_equal_single_ones() {
        let s = LinkageSeed::new([3u8; 16]);
        let mut out = Vec::new();
        pre_linkage_values(0x1234, &s, 20, &mut out);
        assert_eq!(out.len(), 20);
        for (j, v) in out.iter().enumerate() {
            assert_eq!(*v, pre_linkage_value(0x1234, &s, j as u32));
        }
    }

    #[test]
    fn advance_equals_repeated_next() {
        let s0 = LinkageSeed::new([9u8; 16]);
        let s2 = next_seed(7, &next_seed(7, &s0));
        assert_eq!(advance_seed(7, &s0, 2), s2);
        assert_eq!(advance_seed(7, &s0, 0), s0);
        assert_ne!(next_seed(7, &s0), next_seed(8, &s0));
    }
}
