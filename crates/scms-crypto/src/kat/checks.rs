//! Per-file vector checks.

use super::parser::{parse, Entry, Parsed, Section, Value};
use crate::backend::{CurveBackend, OpenSslBackend, RustCryptoBackend};
use crate::block::{aes128_encrypt_block, davies_meyer};
use crate::butterfly::{self, KeyKind};
use crate::point::Point;
use crate::scalar::{PrivateKey, Scalar};
use crate::secret::AesKey;
use crate::{ccm, ecdh, ecies, implicit, kdf, linkage, mac};

/// `(vector id, failure descriptions)`; no failures = passed.
pub(crate) type Outcome = (String, Vec<String>);

/// Runs one file; `None` if the name is not a vector file.
pub(crate) fn run_file(name: &str, text: &str, supplement: Option<&str>) -> Option<Vec<Outcome>> {
    type Runner = fn(&Parsed, Option<&Parsed>, &[&dyn CurveBackend]) -> Vec<Outcome>;
    let runner: Runner = match name {
        "ecdh.txt" => ecdh_file,
        "kdf.txt" => kdf_file,
        "mac1.txt" => mac1_file,
        "aesccm.txt" => aesccm_file,
        "ecies.txt" => ecies_file,
        "implicit.txt" => implicit_file,
        "bfkeyexp.txt" => bfkeyexp_file,
        "lv.txt" => |p, _, _| linkage_file(p, false),
        "glv.txt" => |p, _, _| linkage_file(p, true),
        _ => return None,
    };
    let parsed = match parse(text) {
        Ok(p) => p,
        Err(e) => return Some(vec![("parse".to_string(), vec![e])]),
    };
    let supplement = match supplement.map(parse) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => return Some(vec![("supplement parse".to_string(), vec![e])]),
        None => None,
    };
    let os = match OpenSslBackend::new() {
        Ok(b) => b,
        Err(e) => return Some(vec![("backend".to_string(), vec![e.to_string()])]),
    };
    let backends: [&dyn CurveBackend; 2] = [&RustCryptoBackend, &os];
    let mut outcomes = runner(&parsed, supplement.as_ref(), &backends);
    if outcomes.is_empty() {
        outcomes.push(("file".to_string(), vec!["no vectors found".to_string()]));
    }
    Some(outcomes)
}

/// Lookup and comparison helper for one section; records failures instead of stopping.
struct Ctx<'a> {
    section: &'a [Entry],
    globals: &'a [Entry],
    /// Which section entries were read (every printed value must be used).
    used: Vec<bool>,
    fails: Vec<String>,
}

impl<'a> Ctx<'a> {
    fn new(section: &'a Section, globals: &'a [Entry]) -> Self {
        Self {
            section: &section.entries,
            globals,
            used: vec![false; section.entries.len()],
            fails: Vec::new(),
        }
    }

    fn entry(&mut self, key: &str) -> Option<&'a Entry> {
        let matches = |e: &Entry| e.label == key || e.name.as_deref() == Some(key);
        let hit = match self.section.iter().position(matches) {
            Some(i) => {
                if let Some(u) = self.used.get_mut(i) {
                    *u = true;
                }
                self.section.get(i)
            }
            None => self.globals.iter().find(|e| matches(e)),
        };
        if hit.is_none() {
            self.fails.push(format!("missing value '{key}'"));
        }
        hit
    }

    fn bytes(&mut self, key: &str) -> Option<&'a [u8]> {
        match &self.entry(key)?.value {
            Value::Bytes(b) => Some(b),
            Value::Int(_) => {
                self.fails.push(format!("'{key}' is not an octet string"));
                None
            }
        }
    }

    fn int(&mut self, key: &str) -> Option<u64> {
        match &self.entry(key)?.value {
            Value::Int(i) => Some(*i),
            Value::Bytes(_) => {
                self.fails.push(format!("'{key}' is not a count"));
                None
            }
        }
    }

    fn arr<const N: usize>(&mut self, key: &str) -> Option<[u8; N]> {
        let b = self.bytes(key)?;
        match b.try_into() {
            Ok(a) => Some(a),
            Err(_) => {
                self.fails
                    .push(format!("'{key}' has {} bytes, expected {N}", b.len()));
                None
            }
        }
    }

    fn u16(&mut self, key: &str) -> Option<u16> {
        self.arr::<2>(key).map(u16::from_be_bytes)
    }

    fn u32(&mut self, key: &str) -> Option<u32> {
        self.arr::<4>(key).map(u32::from_be_bytes)
    }

    fn point(&mut self, key: &str) -> Option<Point> {
        let b = self.bytes(key)?;
        self.ok(key, Point::from_uncompressed(b))
    }

    fn point_xy(&mut self, kx: &str, ky: &str) -> Option<Point> {
        let x = self.arr::<32>(kx)?;
        let y = self.arr::<32>(ky)?;
        self.ok(kx, Point::from_affine(&x, &y))
    }

    fn private(&mut self, key: &str) -> Option<PrivateKey> {
        let b = self.bytes(key)?;
        self.ok(key, PrivateKey::from_slice(b))
    }

    fn aes_key(&mut self, key: &str) -> Option<AesKey> {
        let b = self.bytes(key)?;
        self.ok(key, AesKey::from_slice(b))
    }

    fn ok<T>(&mut self, what: &str, r: crate::Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.fails.push(format!("{what}: {e}"));
                None
            }
        }
    }

    /// Compares a computed value with the expected value `key`.
    fn expect(&mut self, key: &str, got: &[u8]) {
        if let Some(want) = self.bytes(key) {
            if want != got {
                self.fails.push(format!(
                    "'{key}': computed {}, expected {}",
                    hexs(got),
                    hexs(want)
                ));
            }
        }
    }

    fn expect_point(&mut self, key: &str, got: crate::Result<Point>, backend: &str) {
        match got {
            Ok(p) => {
                let mut xy = p.x().to_vec();
                xy.extend_from_slice(p.y());
                if let Some(want) = self.bytes(key) {
                    if want != xy.as_slice() {
                        self.fails
                            .push(format!("'{key}' ({backend}): point mismatch"));
                    }
                }
            }
            Err(e) => self.fails.push(format!("'{key}' ({backend}): {e}")),
        }
    }

    fn expect_xy(&mut self, kx: &str, ky: &str, got: crate::Result<Point>, backend: &str) {
        match got {
            Ok(p) => {
                self.expect(kx, p.x());
                self.expect(ky, p.y());
            }
            Err(e) => self.fails.push(format!("'{kx}/{ky}' ({backend}): {e}")),
        }
    }

    fn check(&mut self, cond: bool, what: &str) {
        if !cond {
            self.fails.push(what.to_string());
        }
    }

    fn finish(mut self, title: &str, complete: Option<()>) -> Outcome {
        if complete.is_none() && self.fails.is_empty() {
            self.fails.push("incomplete vector".to_string());
        }
        if complete.is_some() {
            for (e, used) in self.section.iter().zip(&self.used) {
                if !used {
                    self.fails.push(format!(
                        "value '{}' (line {}) was not checked",
                        e.label, e.line
                    ));
                }
            }
        }
        (title.to_string(), self.fails)
    }
}

fn hexs(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn each_section(
    p: &Parsed,
    mut f: impl FnMut(&mut Ctx<'_>, &Section, usize) -> Option<()>,
) -> Vec<Outcome> {
    p.sections
        .iter()
        .enumerate()
        .map(|(idx, s)| {
            let mut ctx = Ctx::new(s, &p.globals);
            let done = f(&mut ctx, s, idx);
            ctx.finish(&s.title, done)
        })
        .collect()
}

fn ecdh_file(p: &Parsed, _: Option<&Parsed>, backends: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, _, _| {
        let a = c.private("a")?;
        let b = c.point_xy("Bx", "By")?;
        for be in backends {
            let z = c.ok(be.name(), ecdh::shared_secret(*be, &a, &b))?;
            c.expect("Z", z.expose());
        }
        Some(())
    })
}

fn kdf_file(p: &Parsed, sup: Option<&Parsed>, _: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, _, idx| {
        let ss = c.bytes("ss")?;
        let kdp = c.bytes("kdp")?;
        let dl = usize::try_from(c.int("dl")?).ok()?;
        let Some(expected) = sup
            .and_then(|s| s.sections.get(idx))
            .and_then(|s| s.entries.iter().find(|e| e.label == "key"))
        else {
            c.check(false, "no expected output (kdf_expected.txt not supplied)");
            return None;
        };
        let Value::Bytes(want) = &expected.value else {
            c.check(false, "expected output is not an octet string");
            return None;
        };
        c.check(want.len() == dl, "expected output length differs from dl");
        let got = kdf::kdf2(ss, kdp, dl);
        c.check(&got == want, "KDF2 output differs from the expected output");
        Some(())
    })
}

fn mac1_file(p: &Parsed, _: Option<&Parsed>, _: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, _, _| {
        let k = c.bytes("K")?;
        let m = c.bytes("M")?;
        let t = c.bytes("T")?;
        let full = mac::hmac_sha256(k, m);
        c.check(t.len() <= 32, "tag longer than HMAC-SHA-256");
        c.expect("T", &full[..t.len().min(32)]);
        c.check(
            mac::verify_hmac_sha256(k, m, t),
            "verify_hmac_sha256 rejected the tag",
        );
        Some(())
    })
}

fn aesccm_file(p: &Parsed, _: Option<&Parsed>, _: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, _, _| {
        let key = c.aes_key("K")?;
        let nonce = c.arr::<12>("N")?;
        let pt = c.bytes("P")?;
        let ct = c.ok("encrypt", ccm::encrypt(&key, &nonce, pt))?;
        c.expect("C_T", &ct);
        let want = c.bytes("C_T")?;
        let dec = c.ok("decrypt", ccm::decrypt(&key, &nonce, want))?;
        c.check(dec == pt, "decryption does not give P");
        let mut bad = want.to_vec();
        if let Some(last) = bad.last_mut() {
            *last ^= 1;
        }
        c.check(
            ccm::decrypt(&key, &nonce, &bad).is_err(),
            "tampered ciphertext accepted",
        );
        Some(())
    })
}

fn ecies_file(p: &Parsed, sup: Option<&Parsed>, backends: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, _, idx| {
        let v = c.private("v")?;
        let k = c.aes_key("k")?;
        let r = c.private("r")?;
        let rp = c.point_xy("Rx", "Ry")?;
        let file_p1 = c.bytes("P1")?;
        let p1: Vec<u8> = match sup
            .and_then(|s| s.sections.get(idx))
            .and_then(|s| s.entries.iter().find(|e| e.label == "P1"))
        {
            Some(Entry {
                value: Value::Bytes(b),
                ..
            }) => b.clone(),
            _ => file_p1.to_vec(),
        };
        for be in backends {
            c.expect_point_eq(r.public_key(*be), &rp, "r·G = R", be.name());
            c.expect_xy("Vx", "Vy", v.public_key(*be), be.name());
            let ct = c.ok(
                be.name(),
                ecies::encrypt_with_ephemeral(*be, &rp, &k, &p1, &v),
            )?;
            c.expect("Vx", ct.v.x());
            c.expect("Vy", ct.v.y());
            c.expect("C", &ct.c);
            c.expect("T", &ct.t);
            let given = ecies::EciesCiphertext {
                v: c.point_xy("Vx", "Vy")?,
                c: c.arr("C")?,
                t: c.arr("T")?,
            };
            let dec = c.ok("decrypt", ecies::decrypt(*be, &r, &given, &p1))?;
            c.check(dec == k, "decryption does not give k");
        }
        Some(())
    })
}

impl Ctx<'_> {
    fn expect_point_eq(&mut self, got: crate::Result<Point>, want: &Point, what: &str, be: &str) {
        match got {
            Ok(p) if p == *want => {}
            Ok(_) => self.fails.push(format!("{what} ({be}): mismatch")),
            Err(e) => self.fails.push(format!("{what} ({be}): {e}")),
        }
    }
}

fn implicit_file(p: &Parsed, _: Option<&Parsed>, backends: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, _, _| {
        let tbs = c.bytes("tbsCert")?;
        let ku = c.private("kU")?;
        let ru = c.point_xy("RUx", "RUy")?;
        let dca = c.private("dCA")?;
        let qca = c.point_xy("QCAx", "QCAy")?;
        let kb = c.arr::<32>("k")?;
        for be in backends {
            let name = be.name();
            c.expect_point_eq(ku.public_key(*be), &ru, "kU·G = RU", name);
            c.expect_point_eq(dca.public_key(*be), &qca, "dCA·G = QCA", name);
            let k = c.ok("k", Scalar::from_bytes(&kb))?;
            let iss = c.ok(name, implicit::Issuance::start_with_k(*be, &ru, k))?;
            let pu = *iss.reconstruction_point();
            c.expect("PUx", pu.x());
            c.expect("PUy", pu.y());
            let mut cert_u = tbs.to_vec();
            cert_u.extend_from_slice(&pu.to_compressed());
            c.expect("CertU", &cert_u);
            let e = implicit::hash_to_scalar(&cert_u);
            let r = iss.finish(&e, &dca);
            c.expect("r", &r.to_bytes());
            let rb = c.arr::<32>("r")?;
            let r_given = c.ok("r", Scalar::from_bytes(&rb))?;
            let du = c.ok("dU", implicit::reconstruct_private(&e, &ku, &r_given))?;
            c.expect("dU", du.as_scalar().to_bytes().as_slice());
            let pu_given = c.point_xy("PUx", "PUy")?;
            let qu = implicit::reconstruct_public(*be, &e, &pu_given, &qca);
            c.expect_xy("QUx", "QUy", qu, name);
            let qu2 = c.point_xy("QUx", "QUy")?;
            c.expect_point_eq(du.public_key(*be), &qu2, "dU·G = QU", name);
        }
        Some(())
    })
}

fn bfkeyexp_file(p: &Parsed, _: Option<&Parsed>, backends: &[&dyn CurveBackend]) -> Vec<Outcome> {
    each_section(p, |c, s, _| {
        let (kind, key, seed, seed_pub, x, tag, exp, exp_pub) = if s.title.contains("Certificate") {
            (
                KeyKind::Signing,
                "ck",
                "a",
                "A",
                "x_cert",
                "cert",
                "a_exp",
                "A_exp",
            )
        } else if s.title.contains("Encryption") {
            (
                KeyKind::Encryption,
                "ek",
                "h",
                "H",
                "x_enc",
                "enc",
                "h_exp",
                "H_exp",
            )
        } else {
            c.check(false, "unknown expansion part");
            return None;
        };
        let i = c.u32("i (32 bits)")?;
        let j = c.u32("j (in range [1,20], padded to 32 bits)")?;
        let k = c.aes_key(key)?;
        let a = c.private(seed)?;
        let a_pub = c.point(seed_pub)?;
        let xin = butterfly::expansion_input(kind, i, j);
        c.expect(x, &xin);
        for d in 1..=3u8 {
            let xd = butterfly::add_block(&xin, u128::from(d));
            c.expect(&format!("xp{d}"), &xd);
            c.expect(&format!("aes_xp{d}"), &aes128_encrypt_block(&k, &xd));
            c.expect(&format!("block_{d}"), &davies_meyer(&k, &xd));
        }
        c.expect(
            &format!("f_k_int_x_{tag}"),
            &butterfly::expansion_int(&k, kind, i, j),
        );
        c.expect(
            &format!("f_k_x_{tag}"),
            &butterfly::expansion_value(&k, kind, i, j).to_bytes(),
        );
        let b = c.ok(exp, butterfly::expand_private(&a, &k, kind, i, j))?;
        c.expect(exp, b.as_scalar().to_bytes().as_slice());
        for be in backends {
            c.expect_point_eq(a.public_key(*be), &a_pub, "seed·G = seed public", be.name());
            c.expect_point(
                exp_pub,
                butterfly::expand_public(*be, &a_pub, &k, kind, i, j),
                be.name(),
            );
            c.expect_point(exp_pub, b.public_key(*be), be.name());
        }
        Some(())
    })
}

/// `lv.txt` (`group` = false) and `glv.txt` (`group` = true). Seeds carry over from the
/// section of period i-1 to period i.
fn linkage_file(p: &Parsed, group: bool) -> Vec<Outcome> {
    let (seed_pfx, plv_pfx, lv_pfx, j_label) = if group {
        ("gs", "gplv", "glv", "j (32 bits)")
    } else {
        ("ls", "plv", "lv", "j (in range [1,20], padded to 32 bits)")
    };
    let mut seeds: [Option<(u64, linkage::LinkageSeed)>; 2] = [None, None];
    let mut first: [Option<linkage::LinkageSeed>; 2] = [None, None];
    each_section(p, |c, s, _| {
        let i: u64 = s.title.strip_prefix("i = ")?.parse().ok()?;
        let j = c.u32(j_label)?;
        let mut plvs = [[0u8; 9]; 2];
        for la in 0..2 {
            let n = la + 1;
            let la_id = c.u16(&format!("LA{n} ID (16 bits)"))?;
            let seed = if i == 0 {
                let s0 = c.aes_key(&format!("{seed_pfx}{n}_0"))?;
                first[la] = Some(s0.clone());
                s0
            } else {
                let Some((pi, prev)) = seeds[la].as_ref().filter(|(pi, _)| *pi + 1 == i) else {
                    c.check(false, "no seed of the previous period");
                    return None;
                };
                let _ = pi;
                let mut input = vec![0u8; 32];
                input[..2].copy_from_slice(&la_id.to_be_bytes());
                input[2..18].copy_from_slice(prev.expose());
                c.expect(&format!("sha256_in{n}_{i}"), &input);
                c.expect(&format!("sha256_out{n}_{i}"), &crate::hash::sha256(&input));
                let next = linkage::next_seed(la_id, prev);
                c.expect(&format!("{seed_pfx}{n}_{i}"), next.expose());
                if let Some(s0) = &first[la] {
                    let adv = linkage::advance_seed(la_id, s0, u32::try_from(i).ok()?);
                    c.check(adv == next, "advance_seed disagrees with next_seed");
                }
                next
            };
            let block = linkage::plv_input(la_id, j);
            c.expect(&format!("aes_in{n}_j"), &block);
            c.expect(
                &format!("aes_out{n}_{i}_j"),
                &aes128_encrypt_block(&seed, &block),
            );
            plvs[la] = linkage::pre_linkage_value(la_id, &seed, j);
            c.expect(&format!("{plv_pfx}{n}_{i}_j"), &plvs[la]);
            seeds[la] = Some((i, seed));
        }
        c.expect(
            &format!("{lv_pfx}_{i}_j"),
            &linkage::linkage_value(&plvs[0], &plvs[1]),
        );
        if group {
            let k = c.u32("k")?;
            let ik = c.aes_key("ik")?;
            let block = linkage::encrypted_index_input(j, k);
            c.expect("aes_in_j_k", &block);
            c.expect("aes_out_j_k", &aes128_encrypt_block(&ik, &block));
            c.expect("ei_j_k", &linkage::encrypted_index(&ik, j, k));
        }
        Some(())
    })
}
