//! The expanded linkage values of one i-period, laid out for a device with little cache:
//! every value in one array, grouped by its first 20 bits (two radix passes, each a
//! sequential scan), with an offset table per group. Linkage values are AES outputs, so the
//! groups hold `n / 2^20` values on average: a lookup reads one offset pair and scans one
//! short group, expected O(1), with no hashing and no pointer chasing.

use scms_crypto::linkage::LinkageValue;

const BITS: u32 = 20;
const GROUPS: usize = 1 << BITS;

/// A set of linkage values with O(1) expected lookups (see the module documentation).
#[derive(Clone, Default)]
pub struct LinkageValueIndex {
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

fn group(v: &LinkageValue) -> usize {
    (usize::from(v[0]) << 12) | (usize::from(v[1]) << 4) | (usize::from(v[2]) >> 4)
}

impl LinkageValueIndex {
    /// Builds the index from `values` (duplicates are kept; they do no harm).
    pub fn new(mut values: Vec<LinkageValue>) -> Self {
        if values.is_empty() {
            return Self::default();
        }
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
        // Pass 2: within each first-byte bucket (cache-sized), by the next 12 bits back into
        // `values`, recording the group offsets.
        let mut offsets = vec![0u32; GROUPS + 1];
        let mut inner = vec![0usize; 4097];
        for b in 0..256 {
            let (lo, hi) = (starts[b], starts[b + 1]);
            inner.iter_mut().for_each(|c| *c = 0);
            for v in &tmp[lo..hi] {
                inner[(group(v) & 0xfff) + 1] += 1;
            }
            for k in 1..4097 {
                inner[k] += inner[k - 1];
            }
            for k in 0..4096 {
                offsets[(b << 12) | k] = u32::try_from(lo + inner[k]).unwrap_or(u32::MAX);
            }
            for v in &tmp[lo..hi] {
                let k = group(v) & 0xfff;
                values[lo + inner[k]] = *v;
                inner[k] += 1;
            }
        }
        offsets[GROUPS] = u32::try_from(values.len()).unwrap_or(u32::MAX);
        LinkageValueIndex { offsets, values }
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: &LinkageValue) -> bool {
        let g = group(v);
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
