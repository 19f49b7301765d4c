//! Revocation checking on the device side (seed Step 8.4 / 16.4, SCP2): the CRLs of a
//! composite CRL turned into O(1) lookups.
//!
//! Hash-based entries revoke a certificate by its HashedId10 (identification,
//! application, enrollment and component certificates). Linkage-based entries publish
//! the two linkage seeds `ls1(i_rev)`, `ls2(i_rev)` of a pseudonym chain: for the current
//! i-period a receiver hashes each seed forward `i − i_rev` times (one hash per entry per
//! week) and recomputes `lv(i, j) = plv1 ⊕ plv2` for every j < jMax, once per period;
//! earlier periods stay unlinkable because hashing cannot go backwards.

mod index;

use std::collections::HashSet;

use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CrlContents, CrlContentsTypeSpecific, HashedId10, LinkageValue,
    Time32,
};
use scms_crypto::linkage::{advance_seed, linkage_value, pre_linkage_values, LinkageSeed};

use crate::hash::certificate_id10;
pub use index::LinkageValueIndex;

/// One revoked pseudonym linkage chain: both LAs' seeds at period `i_rev`.
#[derive(Clone)]
pub struct LinkageEntry {
    /// LA1's id.
    pub la1_id: u16,
    /// LA2's id.
    pub la2_id: u16,
    /// `ls1(i_rev)`.
    pub seed1: LinkageSeed,
    /// `ls2(i_rev)`.
    pub seed2: LinkageSeed,
    /// The period the seeds belong to (the first revoked period).
    pub i_rev: u32,
    /// Last period the entry applies to (`iMax`).
    pub i_max: u32,
    /// Certificates per period (`jMax`).
    pub j_max: u8,
}

impl std::fmt::Debug for LinkageEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkageEntry")
            .field("la1_id", &self.la1_id)
            .field("la2_id", &self.la2_id)
            .field("i_rev", &self.i_rev)
            .field("i_max", &self.i_max)
            .field("j_max", &self.j_max)
            .finish_non_exhaustive()
    }
}

/// The revocation state a device (or component) holds: revoked certificate hashes and
/// revoked linkage chains, with the linkage values of each period expanded on demand.
#[derive(Debug, Default)]
pub struct RevocationList {
    hashes: HashSet<HashedId10>,
    chains: Vec<LinkageEntry>,
    /// Expanded periods (at most [`Self::CACHED_PERIODS`]), searched linearly.
    expanded: Vec<(u32, LinkageValueIndex)>,
}

/// The linkage values of every chain that covers period `i`, computed on all cores.
fn expand_chains(chains: &[LinkageEntry], i: u32) -> LinkageValueIndex {
    let live: Vec<&LinkageEntry> = chains
        .iter()
        .filter(|c| i >= c.i_rev && i <= c.i_max)
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    let per = live.len().div_ceil(threads).max(1);
    let fill = |part: &[&LinkageEntry], out: &mut [LinkageValue]| {
        let (mut p1, mut p2) = (Vec::new(), Vec::new());
        let mut at = 0;
        for c in part {
            p1.clear();
            p2.clear();
            let s1 = advance_seed(c.la1_id, &c.seed1, i - c.i_rev);
            let s2 = advance_seed(c.la2_id, &c.seed2, i - c.i_rev);
            pre_linkage_values(c.la1_id, &s1, u32::from(c.j_max), &mut p1);
            pre_linkage_values(c.la2_id, &s2, u32::from(c.j_max), &mut p2);
            for (a, b) in p1.iter().zip(&p2) {
                if let Some(o) = out.get_mut(at) {
                    *o = linkage_value(a, b);
                }
                at += 1;
            }
        }
    };
    // Each thread fills its own slice of one array.
    let total: usize = live.iter().map(|c| usize::from(c.j_max)).sum();
    let mut values = vec![[0u8; 9]; total];
    let failed = std::thread::scope(|s| {
        let mut rest: &mut [LinkageValue] = &mut values;
        let mut handles = Vec::new();
        for part in live.chunks(per) {
            let n: usize = part.iter().map(|c| usize::from(c.j_max)).sum();
            let all = std::mem::take(&mut rest);
            let len = n.min(all.len());
            let (mine, tail) = all.split_at_mut(len);
            rest = tail;
            handles.push(s.spawn(move || fill(part, mine)));
        }
        handles.into_iter().map(|h| h.join()).any(|r| r.is_err())
    });
    if failed {
        // Short of allocation failure a filling thread cannot fail; if one did, redo the
        // whole expansion here rather than miss revoked values.
        fill(&live, &mut values);
    }
    LinkageValueIndex::new(values)
}

static EMPTY: std::sync::LazyLock<LinkageValueIndex> =
    std::sync::LazyLock::new(LinkageValueIndex::default);

impl RevocationList {
    /// How many expanded periods are kept (the current one and a neighbour).
    pub const CACHED_PERIODS: usize = 2;

    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every entry of one CRL's contents (already verified by the caller).
    pub fn add_crl(&mut self, crl: &CrlContents) {
        match &crl.type_specific {
            CrlContentsTypeSpecific::FullHashCrl(h) | CrlContentsTypeSpecific::DeltaHashCrl(h) => {
                self.hashes.extend(h.entries.iter().map(|e| e.id));
            }
            CrlContentsTypeSpecific::FullLinkedCrl(l)
            | CrlContentsTypeSpecific::DeltaLinkedCrl(l) => {
                let i_rev = u32::from(l.i_value);
                for jg in l.individual.iter().flatten() {
                    for la in &jg.contents {
                        for ig in &la.contents {
                            for r in &ig.contents {
                                self.chains.push(LinkageEntry {
                                    la1_id: u16::from_be_bytes(la.la1_id),
                                    la2_id: u16::from_be_bytes(la.la2_id),
                                    seed1: LinkageSeed::new(r.linkage_seed1),
                                    seed2: LinkageSeed::new(r.linkage_seed2),
                                    i_rev,
                                    i_max: u32::from(ig.i_max),
                                    j_max: jg.jmax,
                                });
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        self.expanded.clear();
    }

    /// Adds a revoked linkage chain directly.
    pub fn add_chain(&mut self, e: LinkageEntry) {
        self.chains.push(e);
        self.expanded.clear();
    }

    /// Number of hash entries and linkage chains.
    pub fn len(&self) -> (usize, usize) {
        (self.hashes.len(), self.chains.len())
    }

    /// True when nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty() && self.chains.is_empty()
    }

    /// Expands every chain to period `i` (one seed hash per entry per period elapsed, then
    /// jMax pre-linkage values per LA, spread over the available cores); done once per
    /// period and cached (the [`Self::CACHED_PERIODS`] most recently used periods).
    pub fn expand(&mut self, i: u32) -> &LinkageValueIndex {
        let at = match self.expanded.iter().position(|(p, _)| *p == i) {
            Some(at) => at,
            None => {
                if self.expanded.len() >= Self::CACHED_PERIODS {
                    // Drop the period farthest from the one asked for.
                    if let Some(far) = (0..self.expanded.len())
                        .max_by_key(|k| self.expanded.get(*k).map(|(p, _)| p.abs_diff(i)))
                    {
                        self.expanded.swap_remove(far);
                    }
                }
                self.expanded.push((i, expand_chains(&self.chains, i)));
                self.expanded.len() - 1
            }
        };
        match self.expanded.get(at) {
            Some((_, index)) => index,
            None => &EMPTY,
        }
    }

    /// Whether `cert` is revoked: by its linkage value for pseudonyms (period `iCert`),
    /// by its HashedId10 otherwise. O(1) once the period is expanded.
    pub fn is_revoked(&mut self, cert: &Certificate) -> bool {
        if let CertificateId::LinkageData(ld) = &cert.to_be_signed.id {
            if self.is_linkage_revoked(u32::from(ld.i_cert), &ld.linkage_value) {
                return true;
            }
        }
        !self.hashes.is_empty() && self.hashes.contains(&certificate_id10(cert))
    }

    /// Whether the linkage value `lv` of period `i` is revoked (O(1) once `i` is expanded).
    pub fn is_linkage_revoked(&mut self, i: u32, lv: &LinkageValue) -> bool {
        !self.chains.is_empty() && self.expand(i).contains(lv)
    }
}

/// Whether a CRL is overdue: `now` is past `nextCrl` plus the tolerance (seconds).
pub fn overdue(crl: &CrlContents, now: Time32, tolerance_seconds: u32) -> bool {
    now > crl.next_crl.saturating_add(tolerance_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scms_asn1::ieee1609dot2::{
        CrlPriorityInfo, IMaxGroup, IndividualRevocation, JMaxGroup, LAGroup,
        ToBeSignedLinkageValueCrl,
    };
    use scms_crypto::linkage::linkage_value_from_seeds;

    #[test]
    fn linkage_entries_revoke_from_i_rev_on_and_not_before() {
        let (la1, la2) = (0x1111u16, 0x2222u16);
        let s1_0 = LinkageSeed::random().unwrap();
        let s2_0 = LinkageSeed::random().unwrap();
        // The chain's seeds at period 10 are published.
        let i_rev = 10u32;
        let s1 = advance_seed(la1, &s1_0, i_rev);
        let s2 = advance_seed(la2, &s2_0, i_rev);
        let crl = CrlContents {
            version: 1,
            crl_series: 1,
            craca_id: [0; 8],
            issue_date: 0,
            next_crl: 100,
            priority_info: CrlPriorityInfo { priority: None },
            type_specific: CrlContentsTypeSpecific::FullLinkedCrl(ToBeSignedLinkageValueCrl {
                i_value: i_rev as u16,
                index_within_i: 0,
                individual: Some(vec![JMaxGroup {
                    jmax: 20,
                    contents: vec![LAGroup {
                        la1_id: la1.to_be_bytes(),
                        la2_id: la2.to_be_bytes(),
                        contents: vec![IMaxGroup {
                            i_max: 200,
                            contents: vec![IndividualRevocation {
                                linkage_seed1: *s1.expose(),
                                linkage_seed2: *s2.expose(),
                            }],
                        }],
                    }],
                }]),
                groups: None,
            }),
        };
        let mut rl = RevocationList::new();
        rl.add_crl(&crl);
        for i in [10u32, 11, 50] {
            let set = rl.expand(i).clone();
            for j in 0..20 {
                let lv = linkage_value_from_seeds(
                    (la1, &advance_seed(la1, &s1_0, i)),
                    (la2, &advance_seed(la2, &s2_0, i)),
                    j,
                );
                assert!(set.contains(&lv), "i={i} j={j}");
            }
            assert!(!set.contains(&linkage_value_from_seeds(
                (la1, &advance_seed(la1, &s1_0, i)),
                (la2, &advance_seed(la2, &s2_0, i)),
                20
            )));
        }
        // Earlier periods stay unlinkable: nothing is revoked before i_rev.
        assert!(rl.expand(9).is_empty());
        assert!(overdue(&crl, 101, 0));
        assert!(!overdue(&crl, 101, 10));
    }
}
