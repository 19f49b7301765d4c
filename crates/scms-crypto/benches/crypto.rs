//! Criterion benchmarks of the SCMS primitives on both curve backends.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use scms_crypto::butterfly::{self, KeyKind};
use scms_crypto::{
    ecdsa, ecies, hash, implicit, linkage, AesKey, CurveBackend, OpenSslBackend, PrivateKey,
    RustCryptoBackend, Scalar,
};

fn backends() -> Vec<Box<dyn CurveBackend>> {
    vec![
        Box::new(RustCryptoBackend),
        Box::new(OpenSslBackend::new().unwrap()),
    ]
}

fn bench(c: &mut Criterion) {
    let key = PrivateKey::generate().unwrap();
    let k = Scalar::random_nonzero(&mut scms_crypto::OsRng).unwrap();
    let digest = hash::sha256(b"bench");
    let aes = AesKey::random().unwrap();
    let p1 = hash::sha256(b"");
    for be in backends() {
        let be = be.as_ref();
        let n = be.name();
        let public = key.public_key(be).unwrap();
        c.bench_function(&format!("{n}/mul_base"), |b| {
            b.iter(|| be.mul_base(black_box(&k)).unwrap())
        });
        c.bench_function(&format!("{n}/mul_var"), |b| {
            b.iter(|| be.mul(black_box(&k), black_box(&public)).unwrap())
        });
        c.bench_function(&format!("{n}/ecdsa_sign"), |b| {
            b.iter(|| ecdsa::sign_digest(be, &key, black_box(&digest)).unwrap())
        });
        let sig = ecdsa::sign_digest(be, &key, &digest).unwrap();
        c.bench_function(&format!("{n}/ecdsa_verify"), |b| {
            b.iter(|| ecdsa::verify_digest(be, &public, black_box(&digest), &sig).unwrap())
        });
        c.bench_function(&format!("{n}/ecies_encrypt"), |b| {
            b.iter(|| ecies::encrypt(be, &public, &aes, &p1).unwrap())
        });
        let ct = ecies::encrypt(be, &public, &aes, &p1).unwrap();
        c.bench_function(&format!("{n}/ecies_decrypt"), |b| {
            b.iter(|| ecies::decrypt(be, &key, black_box(&ct), &p1).unwrap())
        });
        let dev = butterfly::CaterpillarPrivate::generate().unwrap();
        let req = dev.public(be).unwrap();
        let mut j = 0u32;
        c.bench_function(&format!("{n}/butterfly_ra_pair"), |b| {
            b.iter(|| {
                j = j.wrapping_add(1);
                req.cocoon(be, 137, black_box(j)).unwrap()
            })
        });
        let ru = key.public_key(be).unwrap();
        let ca = PrivateKey::generate().unwrap();
        let ca_pub = ca.public_key(be).unwrap();
        c.bench_function(&format!("{n}/implicit_issue"), |b| {
            b.iter(|| {
                implicit::issue_with_e(be, &ru, &ca, |pu| {
                    Ok(implicit::cert_hash_1609(&pu.to_compressed(), b"issuer"))
                })
                .unwrap()
            })
        });
        let (pu, r) = implicit::issue(be, &ru, &ca, |pu| pu.to_compressed().to_vec()).unwrap();
        let e = implicit::hash_to_scalar(&pu.to_compressed());
        c.bench_function(&format!("{n}/implicit_reconstruct_public"), |b| {
            b.iter(|| implicit::reconstruct_public(be, &e, &pu, &ca_pub).unwrap())
        });
        c.bench_function(&format!("{n}/implicit_reconstruct_private"), |b| {
            b.iter(|| implicit::reconstruct_private(&e, &key, black_box(&r)).unwrap())
        });
    }
    let seed = linkage::LinkageSeed::random().unwrap();
    c.bench_function("plv", |b| {
        b.iter(|| linkage::pre_linkage_value(0x8E09, &seed, black_box(7)))
    });
    c.bench_function("butterfly_f1", |b| {
        b.iter(|| butterfly::expansion_value(&aes, KeyKind::Signing, 137, black_box(3)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
