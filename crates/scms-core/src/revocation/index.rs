//! The expanded linkage values of one i-period, laid out for a device with little cache:
//! every value in one array, grouped by its first `bits` bits (two radix passes, each a
//! sequential scan), with an offset table per group. `bits` grows with the set (about four
//! values per group, 8 to 24 bits) and linkage values are AES outputs, so a lookup reads
//! one offset pair and scans one short group: expected O(1), no hashing, no pointer chasing.

use scms_crypto::linkage::LinkageValue;

/// A set of linkage values with O(1) expected lookups (see the module documentation).
#[derive(Clone, Default)]
pub struct LinkageValueIndex {
    bits: u32,
    offsets: Vec<u32>,
    values: Vec<LinkageValue>,
}

impl std::fmt::Debug for LinkageValueIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkageValueIndex")
            .field("len", &self.values.len())
            .finish_non_exhaustive()
    }
}

/// The group of `v`: its first `bits` bits (8 <= bits <= 24).
fn group(v: &LinkageValue, bits: u32) -> usize {
    (u32::from_be_bytes([v[0], v[1], v[2], v[3]]) >> (32 - bits)) as usize
}

impl LinkageValueIndex {
    /// Builds the index from `values` (duplicates are kept; they do no harm).
    pub fn new(mut values: Vec<LinkageValue>) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let per_group = (values.len() / 4).max(1);
        let bits = (usize::BITS - per_group.leading_zeros()).clamp(8, 24);
        let inner_bits = bits - 8;
        let inner_mask = (1usize << inner_bits) - 1;
        // Pass 1: by the first byte into `tmp` (256 sequential write streams).
        let mut count = [0usize; 257];
        for v in &values {
            count[usize::from(v[0]) + 1] += 1;
        }
        for b in 1..257 {
            count[b] += count[b - 1];
        }
        let starts = count;
        let mut tmp = vec![[0u8; 9]; values.len()];
        let mut next = count;
        for v in &values {
            let b = usize::from(v[0]);
            tmp[next[b]] = *v;
            next[b] += 1;
        }
        // Pass 2: within each first-byte bucket (cache-sized), by the next `inner_bits` bits
        // back into `values`, recording the group offsets.
        let mut offsets = vec![0u32; (1 << bits) + 1];
        let mut inner = vec![0usize; inner_mask + 2];
        for b in 0..256 {
            let (lo, hi) = (starts[b], starts[b + 1]);
            inner.iter_mut().for_each(|c| *c = 0);
            for v in &tmp[lo..hi] {
                inner[(group(v, bits) & inner_mask) + 1] += 1;
            }
            for k in 1..inner.len() {
                inner[k] += inner[k - 1];
            }
            for k in 0..=inner_mask {
                offsets[(b << inner_bits) | k] = u32::try_from(lo + inner[k]).unwrap_or(u32::MAX);
            }
            for v in &tmp[lo..hi] {
                let k = group(v, bits) & inner_mask;
                values[lo + inner[k]] = *v;
                inner[k] += 1;
            }
        }
        offsets[1 << bits] = u32::try_from(values.len()).unwrap_or(u32::MAX);
        LinkageValueIndex {
            bits,
            offsets,
            values,
        }
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: &LinkageValue) -> bool {
        if self.values.is_empty() {
            return false;
        }
        let g = group(v, self.bits);
        let (Some(&lo), Some(&hi)) = (self.offsets.get(g), self.offsets.get(g + 1)) else {
            return false;
        };
        self.values
            .get(lo as usize..hi as usize)
            .is_some_and(|s| s.contains(v))
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, grouped (not sorted).
    pub fn iter(&self) -> impl Iterator<Item = &LinkageValue> {
        self.values.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scms_crypto::hash::sha256;

    fn lv(k: u32) -> LinkageValue {
        let h = sha256(&k.to_be_bytes());
        let mut v = [0u8; 9];
        v.copy_from_slice(&h[..9]);
        v
    }

    #[test]
    fn small_and_large_sets_size_their_groups() {
        for n in [1u32, 3, 300, 5_000] {
            let members: Vec<LinkageValue> = (0..n).map(lv).collect();
            let idx = LinkageValueIndex::new(members.clone());
            assert!(members.iter().all(|v| idx.contains(v)), "n={n}");
            assert!(!idx.contains(&lv(n)), "n={n}");
            assert!((8..=24).contains(&idx.bits));
        }
    }

    #[test]
    fn finds_exactly_its_members() {
        let members: Vec<LinkageValue> = (0..50_000).map(lv).collect();
        let mut with_edges = members.clone();
        with_edges.push([0; 9]);
        with_edges.push([0xff; 9]);
        let idx = LinkageValueIndex::new(with_edges);
        assert_eq!(idx.len(), 50_002);
        assert!(members.iter().all(|v| idx.contains(v)));
        assert!(idx.contains(&[0; 9]) && idx.contains(&[0xff; 9]));
        assert!((50_000..100_000).map(lv).all(|v| !idx.contains(&v)));
        let mut near = [0xffu8; 9];
        near[8] = 0xfe;
        assert!(!idx.contains(&near));
        assert!(!LinkageValueIndex::default().contains(&[0; 9]));
    }
}
