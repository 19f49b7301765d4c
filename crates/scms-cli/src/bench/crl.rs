//! `scms bench crl`: a device's CRL work for a national-scale revocation list.
//!
//! A linkage CRL (1609.2 `ToBeSignedLinkageValueCrl`, series 1) with one entry per revoked
//! device is built from random seeds and COER-encoded; the benchmark then times what a
//! device does with it: decoding it into a [`RevocationList`], expanding it for a new
//! i-period (one seed hash per LA per entry, `jMax` pre-linkage values per LA per entry),
//! and checking linkage values against the expanded set (half revoked, half not; every
//! answer is checked, then the lookups are timed). Reference figures from the same run: the bare hashing and AES the
//! expansion cannot avoid, on one core, and the same lookups in a standard `HashSet`.

use std::collections::HashSet;
use std::time::Instant;

use scms_asn1::ieee1609dot2::{
    CrlContents, CrlContentsTypeSpecific, CrlPriorityInfo, IMaxGroup, IndividualRevocation,
    JMaxGroup, LAGroup, ToBeSignedLinkageValueCrl,
};
use scms_asn1::Coer;
use scms_core::revocation::RevocationList;
use scms_crypto::linkage::{
    advance_seed, linkage_value_from_seeds, next_seed, pre_linkage_values, LinkageSeed,
    LinkageValue,
};

const LA1: u16 = 0x0101;
const LA2: u16 = 0x0202;
const I_REV: u16 = 600;

/// The figures of one run.
pub struct CrlReport {
    devices: u32,
    j_max: u8,
    crl_bytes: usize,
    decode_s: f64,
    expand_s: f64,
    values: usize,
    floor_s: f64,
    threads: usize,
    lookups: u32,
    lookup_ns: f64,
    std_lookup_ns: f64,
}

impl CrlReport {
    /// Human-readable summary.
    pub fn text(&self) -> String {
        let floor_wall = self.floor_s / self.threads as f64;
        format!(
            "crl: {} revoked devices, jMax {}: CRL {:.1} MB (COER)\n\
             decode + load: {:.2} s\n\
             expand for a new i-period: {:.2} s ({} linkage values, {} threads)\n  \
             crypto floor (2 seed hashes + 2·jMax AES per entry, 1 core): {:.2} s = {:.2} s on {} threads; floor / expand: {:.2}\n\
             check: {:.0} ns per linkage value ({} lookups, half revoked); std HashSet (SipHash): {:.0} ns; ratio {:.2}\n",
            self.devices,
            self.j_max,
            self.crl_bytes as f64 / 1e6,
            self.decode_s,
            self.expand_s,
            self.values,
            self.threads,
            self.floor_s,
            floor_wall,
            self.threads,
            floor_wall / self.expand_s.max(1e-9),
            self.lookup_ns,
            self.lookups,
            self.std_lookup_ns,
            self.std_lookup_ns / self.lookup_ns.max(1e-9),
        )
    }

    /// The figures as one JSON object.
    pub fn json(&self) -> String {
        format!(
            "{{\"devices\":{},\"j_max\":{},\"crl_bytes\":{},\"decode_seconds\":{:.4},\
             \"expand_seconds\":{:.4},\"linkage_values\":{},\"threads\":{},\
             \"floor_seconds_one_core\":{:.4},\"lookups\":{},\"lookup_ns\":{:.1},\
             \"std_hashset_lookup_ns\":{:.1}}}\n",
            self.devices,
            self.j_max,
            self.crl_bytes,
            self.decode_s,
            self.expand_s,
            self.values,
            self.threads,
            self.floor_s,
            self.lookups,
            self.lookup_ns,
            self.std_lookup_ns
        )
    }
}

fn crl(seeds: &[(LinkageSeed, LinkageSeed)], j_max: u8) -> CrlContents {
    CrlContents {
        version: 1,
        crl_series: scms_core::profile::crl_series::OBE_PSEUDONYM,
        craca_id: [0; 8],
        issue_date: 0,
        next_crl: 86_400,
        priority_info: CrlPriorityInfo { priority: None },
        type_specific: CrlContentsTypeSpecific::FullLinkedCrl(ToBeSignedLinkageValueCrl {
            i_value: I_REV,
            index_within_i: 0,
            individual: Some(vec![JMaxGroup {
                jmax: j_max,
                contents: vec![LAGroup {
                    la1_id: LA1.to_be_bytes(),
                    la2_id: LA2.to_be_bytes(),
                    contents: vec![IMaxGroup {
                        i_max: I_REV + 52,
                        contents: seeds
                            .iter()
                            .map(|(a, b)| IndividualRevocation {
                                linkage_seed1: *a.expose(),
                                linkage_seed2: *b.expose(),
                            })
                            .collect(),
                    }],
                }],
            }]),
            groups: None,
        }),
    }
}

/// The bare crypto of an expansion on one core: per entry, one next-seed hash and `jMax`
/// AES blocks (one key schedule) for each LA.
fn floor(seeds: &[(LinkageSeed, LinkageSeed)], j_max: u8) -> f64 {
    let mut out = Vec::with_capacity(usize::from(j_max));
    let mut sink = 0u8;
    let t = Instant::now();
    for (a, b) in seeds {
        for (la, s) in [(LA1, a), (LA2, b)] {
            let n = next_seed(la, s);
            out.clear();
            pre_linkage_values(la, &n, u32::from(j_max), &mut out);
            sink ^= out.first().map_or(0, |v| v[0]);
        }
    }
    let s = t.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    s
}

/// Runs the benchmark.
pub fn run(devices: u32, j_max: u8, lookups: u32) -> Result<CrlReport, String> {
    if devices == 0 || j_max == 0 || lookups < 2 {
        return Err("devices, j-max must be positive and lookups at least 2".into());
    }
    let seeds: Vec<(LinkageSeed, LinkageSeed)> = (0..devices)
        .map(|_| Ok((LinkageSeed::random()?, LinkageSeed::random()?)))
        .collect::<Result<_, scms_crypto::Error>>()
        .map_err(|e| e.to_string())?;
    let bytes = crl(&seeds, j_max).to_coer();

    // Decode and load, as a device does with a downloaded CRL.
    let t = Instant::now();
    let contents = CrlContents::from_coer(&bytes).map_err(|e| e.to_string())?;
    let mut list = RevocationList::new();
    list.add_crl(&contents);
    drop(contents);
    let decode_s = t.elapsed().as_secs_f64();

    // Expansion for the next i-period (one hash per seed).
    let i = u32::from(I_REV) + 1;
    let t = Instant::now();
    let values = list.expand(i).len();
    let expand_s = t.elapsed().as_secs_f64();
    let expected = usize::try_from(devices).unwrap_or(usize::MAX) * usize::from(j_max);
    if values != expected {
        return Err(format!(
            "expanded {values} linkage values, expected {expected}"
        ));
    }

    // Queries: every other one a revoked device's value for (i, j), the rest random.
    let mut queries: Vec<(LinkageValue, bool)> = Vec::with_capacity(lookups as usize);
    for k in 0..lookups {
        if k % 2 == 0 {
            let d = (k as usize / 2 * 7919) % seeds.len();
            let (a, b) = &seeds[d];
            let lv = linkage_value_from_seeds(
                (LA1, &advance_seed(LA1, a, 1)),
                (LA2, &advance_seed(LA2, b, 1)),
                k % u32::from(j_max),
            );
            queries.push((lv, true));
        } else {
            let r = LinkageSeed::random().map_err(|e| e.to_string())?;
            let mut lv = [0u8; 9];
            lv.copy_from_slice(&r.expose()[..9]);
            queries.push((lv, false));
        }
    }
    // A first pass checks every answer (and warms the caches); the second is timed.
    let wrong = queries
        .iter()
        .filter(|(lv, revoked)| list.is_linkage_revoked(i, lv) != *revoked)
        .count();
    if wrong > 0 {
        return Err(format!("{wrong} wrong answers"));
    }
    let t = Instant::now();
    let hits = queries
        .iter()
        .filter(|(lv, _)| list.is_linkage_revoked(i, lv))
        .count();
    let lookup_ns = t.elapsed().as_secs_f64() * 1e9 / f64::from(lookups);
    std::hint::black_box(hits);

    // References: the same lookups in a std HashSet, and the bare crypto on one core.
    let std_set: HashSet<LinkageValue> = list.expand(i).iter().copied().collect();
    let warm = queries
        .iter()
        .filter(|(lv, _)| std_set.contains(lv))
        .count();
    std::hint::black_box(warm);
    let t = Instant::now();
    let hits = queries
        .iter()
        .filter(|(lv, _)| std_set.contains(lv))
        .count();
    let std_lookup_ns = t.elapsed().as_secs_f64() * 1e9 / f64::from(lookups);
    std::hint::black_box(hits);
    drop(std_set);
    let floor_s = floor(&seeds, j_max);

    Ok(CrlReport {
        devices,
        j_max,
        crl_bytes: bytes.len(),
        decode_s,
        expand_s,
        values,
        floor_s,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        lookups,
        lookup_ns,
        std_lookup_ns,
    })
}
