#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Root management on a real `scms init` directory (seed Steps 11.1.2–11.2.3): addElector
//! and addRoot ballots go into the certificate chain files (quorum checked against the
//! electors the directory knows, including those added before); removeElector ballots
//! and root-signed CRLs go into the MA's composite CRL, survive a restart, and change the
//! directory's view of its electors and roots. Component certificates (a new hierarchy's
//! CAs) go into the chain files once they validate.

use std::sync::Arc;

use scms_asn1::camp::cert_chain_files::{
    CertificateChainFiles, GlobalCertificateChainFile, LocalCertificateChainFile,
};
use scms_asn1::camp::component_cert_management::{
    CompositeCrl, ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::Certificate;
use scms_asn1::Coer;
use scms_ca::{init, Config, Layout};
use scms_core::ballot::{BallotEffect, BallotError};
use scms_core::hash::certificate_id8;
use scms_core::issue::{issue_explicit_checked, root_id3};
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{i_period_start, time64_from_time32, Clock, ManualClock};
use scms_ma::manager::{publish_add_ballot, publish_certificates, recertify, trust_store};
use scms_ma::{Ma, MaError};
use scms_store::keystore::Keystore;

struct Env {
    _dir: tempfile::TempDir,
    layout: Layout,
    keys: Keystore,
    clock: Arc<ManualClock>,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::new(dir.path().join("scms"));
    let cfg = Config {
        start: Some(i_period_start(600).unwrap()),
        ..Config::default()
    };
    init(&layout, &cfg, None).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let clock = Arc::new(ManualClock::new(i_period_start(600).unwrap() + 3600));
    Env {
        _dir: dir,
        layout,
        keys,
        clock,
    }
}

fn cert(layout: &Layout, name: &str) -> Certificate {
    Certificate::from_coer(&std::fs::read(layout.cert(name)).unwrap()).unwrap()
}

/// A fresh self-signed root or elector certificate and its key.
fn self_signed(kind: CertKind, name: &str, start: u32) -> (Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let tbs = template(
        kind,
        &TemplateParams {
            name: Some(name.into()),
            start,
            verification_key: Some(*key.public_key()),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    (
        scms_core::sign::issue_explicit(&key, tbs, None).unwrap(),
        key,
    )
}

/// A ballot of `ty` on `c` endorsed by `voters` (elector certificate and key) at `now`.
fn ballot(
    voters: &[(Certificate, &dyn Signer)],
    ty: EndorsementType,
    c: &Certificate,
    now: u32,
) -> ElectorBallot {
    let tbs = TbsElectorEndorsement {
        r#type: ty,
        certificate: c.clone(),
        effective_time: Some(time64_from_time32(now)),
    };
    scms_core::ballot::ballot(
        voters
            .iter()
            .map(|(ec, k)| {
                scms_core::ballot::endorse(*k, ec, &tbs, time64_from_time32(now)).unwrap()
            })
            .collect(),
    )
}

/// The directory's GCCF and LCCF.
fn chain_file_contents(layout: &Layout) -> (GlobalCertificateChainFile, LocalCertificateChainFile) {
    let read = |n: &str| ScmsFile::from_coer(&std::fs::read(layout.file(n)).unwrap()).unwrap();
    let ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) =
        read("GCCF.oer").content
    else {
        panic!("GCCF.oer")
    };
    let ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) =
        read("LCCF.oer").content
    else {
        panic!("LCCF.oer")
    };
    (g, l)
}

/// GCCF version, LCCF (gccfVersion, lccfVersion), root and elector endorsements; both
/// files hold the same certificate store.
fn chain_files(layout: &Layout) -> (u16, (u16, u16), usize, usize) {
    let (g, l) = chain_file_contents(layout);
    assert_eq!(g.cert_store, l.required_cert_store);
    (
        g.version,
        (l.version.gccf_version, l.version.lccf_version),
        g.cert_store.root_ca_endorsements.len(),
        g.cert_store.elector_endorsements.len(),
    )
}

#[test]
fn ballots_go_to_the_chain_files_or_the_crl() {
    let e = env();
    let now = e.clock.now();
    let electors: Vec<(Certificate, Box<dyn Signer>)> = (1..=3)
        .map(|k| {
            let n = format!("elector-{k}");
            (cert(&e.layout, &n), e.keys.load_signer(&n).unwrap())
        })
        .collect();
    let v = |k: usize| (electors[k].0.clone(), electors[k].1.as_ref());
    let t = trust_store(&e.layout, now).unwrap();
    assert_eq!((t.electors().len(), t.roots().len(), t.quorum()), (3, 1, 2));
    assert_eq!(chain_files(&e.layout), (1, (1, 1), 1, 0));

    // addElector D (electors 1 and 2) → electorEndorsements, versions bumped.
    let (d, d_key) = self_signed(CertKind::Elector, "elector-d.v2xscms.com", now - 60);
    let add_d = ballot(&[v(0), v(1)], EndorsementType::AddElector, &d, now);
    let u = publish_add_ballot(&e.layout, &add_d, now).unwrap();
    assert!(matches!(
        u.effect,
        BallotEffect::ElectorAdded { changed: true, .. }
    ));
    assert_eq!((u.gccf_version, u.lccf_version), (2, 2));
    assert_eq!(chain_files(&e.layout), (2, (2, 2), 1, 1));
    assert!(matches!(
        publish_add_ballot(&e.layout, &add_d, now),
        Err(MaError::Unsupported(_))
    ));
    let t = trust_store(&e.layout, now).unwrap();
    assert!(t.elector(&certificate_id8(&d)).is_some());

    // addRoot R2, endorsed by elector 2 and the new elector D.
    let (r2, r2_key) = self_signed(CertKind::Root, "root2.v2xscms.com", now - 60);
    let add_r2 = ballot(
        &[v(1), (d.clone(), &d_key as &dyn Signer)],
        EndorsementType::AddRoot,
        &r2,
        now,
    );
    publish_add_ballot(&e.layout, &add_r2, now).unwrap();
    assert_eq!(chain_files(&e.layout), (3, (3, 3), 2, 1));
    assert_eq!(trust_store(&e.layout, now).unwrap().roots().len(), 2);
    // One vote is no quorum; nothing changes.
    let (r3, r3_key) = self_signed(CertKind::Root, "root3.v2xscms.com", now - 60);
    assert!(matches!(
        publish_add_ballot(
            &e.layout,
            &ballot(&[v(0)], EndorsementType::AddRoot, &r3, now),
            now
        ),
        Err(MaError::Ballot(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        }))
    ));
    // The ceremony's electors need no ballot.
    let r = publish_add_ballot(
        &e.layout,
        &ballot(
            &[v(0), v(1)],
            EndorsementType::AddElector,
            &electors[2].0,
            now,
        ),
        now,
    );
    assert!(matches!(r, Err(MaError::Unsupported(_))), "{r:?}");
    // Removals are not for the chain files.
    let rm_1 = ballot(
        &[v(1), v(2)],
        EndorsementType::RemoveElector,
        &electors[0].0,
        now,
    );
    assert!(matches!(
        publish_add_ballot(&e.layout, &rm_1, now),
        Err(MaError::Unsupported(_))
    ));
    assert_eq!(chain_files(&e.layout), (3, (3, 3), 2, 1));

    // The MA: removeElector 1 → revokedElectors of the CRL; additions refused.
    let ma = Ma::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    assert!(matches!(
        ma.publish_ballot(&add_d),
        Err(MaError::Unsupported(_))
    ));
    let p = ma.publish_ballot(&rm_1).unwrap();
    assert!(p.new);
    assert!(matches!(
        p.effect,
        Some(BallotEffect::ElectorRemoved { changed: true, .. })
    ));
    assert_eq!(p.crl.revoked_electors, vec![rm_1.clone()]);
    // Elector 1's vote no longer counts: with elector 2 it is no quorum.
    let t = trust_store(&e.layout, now).unwrap();
    assert!(t.elector(&certificate_id8(&electors[0].0)).is_none());
    assert!(matches!(
        publish_add_ballot(
            &e.layout,
            &ballot(&[v(0), v(1)], EndorsementType::AddRoot, &r3, now),
            now
        ),
        Err(MaError::Ballot(BallotError::QuorumNotReached {
            valid: 1,
            ..
        }))
    ));

    // A root CRL of the ballot-added root R2 is accepted; one of an unknown root is not.
    let r2_crl =
        scms_crl::root::build_root_crl(&r2_key, &r2, None, &[], now, now + 86_400 * 365).unwrap();
    let p = ma.add_root_crl(&r2_crl).unwrap();
    assert!(p.new);
    assert_eq!(p.crl.secured_crl_series.last(), Some(&r2_crl));
    let r3_crl = scms_crl::root::build_root_crl(&r3_key, &r3, None, &[], now, now + 60).unwrap();
    assert!(matches!(ma.add_root_crl(&r3_crl), Err(MaError::Crl(_))));

    // After a restart the MA's CRL still carries both.
    drop(ma);
    e.clock.advance(3600);
    let ma = Ma::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    let crl = ma.publish_crl().unwrap();
    assert_eq!(crl.revoked_electors, vec![rm_1]);
    assert_eq!(crl.secured_crl_series.len(), 5);
    assert_eq!(crl.secured_crl_series[4], r2_crl);
    let on_disk =
        CompositeCrl::from_coer(&std::fs::read(e.layout.file("CRL.oer")).unwrap()).unwrap();
    assert_eq!(on_disk, crl);
}

/// A CA certificate of `kind` issued by `issuer`.
fn ca(
    kind: CertKind,
    name: &str,
    issuer: (&Certificate, &KeyPair),
    start: u32,
) -> (Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let enc = (kind == CertKind::Pca).then(|| *KeyPair::generate().unwrap().public_key());
    let tbs = template(
        kind,
        &TemplateParams {
            name: Some(name.into()),
            start,
            craca_id: root_id3(issuer.0),
            verification_key: Some(*key.public_key()),
            encryption_key: enc,
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let c = issue_explicit_checked(issuer.1, Some(issuer.0), kind, tbs).unwrap();
    (c, key)
}

/// The certificates of the GCCF's store and the LCCF's required store.
fn published(layout: &Layout) -> (Vec<Certificate>, Vec<Certificate>) {
    let (g, l) = chain_file_contents(layout);
    (g.cert_store.certs, l.required_cert_store.certs)
}

#[test]
fn component_certificates_go_to_the_chain_files_once_they_validate() {
    let e = env();
    let now = e.clock.now();
    let before = chain_files(&e.layout);
    let (certs_before, _) = published(&e.layout);

    // A new hierarchy: R2 (not yet endorsed), an ICA and a PCA under it.
    let (r2, r2_key) = self_signed(CertKind::Root, "root-2.example.com", now - 60);
    let (ica, ica_key) = ca(CertKind::Ica, "ica-2.example.com", (&r2, &r2_key), now - 60);
    let (pca, _) = ca(
        CertKind::Pca,
        "pca-2.example.com",
        (&ica, &ica_key),
        now - 60,
    );

    // Without its root, the ICA does not validate: nothing is written.
    let r = publish_certificates(&e.layout, &[ica.clone(), pca.clone()], now);
    assert!(matches!(r, Err(MaError::InvalidSignature(_))), "{r:?}");
    assert_eq!(chain_files(&e.layout), before);
    // A tampered certificate does not validate either.
    let mut forged = pca.clone();
    forged.to_be_signed.validity_period.start += 1;
    let r = publish_certificates(&e.layout, &[r2.clone(), ica.clone(), forged], now);
    assert!(matches!(r, Err(MaError::InvalidSignature(_))), "{r:?}");
    assert_eq!(chain_files(&e.layout), before);
    // A root alone is never published as a certificate.
    let r = publish_certificates(&e.layout, std::slice::from_ref(&r2), now);
    assert!(matches!(r, Err(MaError::Unsupported(_))), "{r:?}");

    // With R2 given as the anchor: ICA and PCA are published in both files, R2 is not.
    let u = publish_certificates(&e.layout, &[r2.clone(), ica.clone(), pca.clone()], now).unwrap();
    assert_eq!(u.added, vec![certificate_id8(&ica), certificate_id8(&pca)]);
    assert_eq!(u.anchors, vec![certificate_id8(&r2)]);
    let after = chain_files(&e.layout);
    assert_eq!(after.0, before.0 + 1);
    assert_eq!(after.1, (before.0 + 1, before.1 .1 + 1));
    assert_eq!((u.gccf_version, u.lccf_version), (after.0, after.1 .1));
    let (gccf, lccf) = published(&e.layout);
    assert_eq!(gccf, lccf);
    assert_eq!(gccf.len(), certs_before.len() + 2);
    assert!(gccf.contains(&ica) && gccf.contains(&pca) && !gccf.contains(&r2));

    // Publishing again is refused; a certificate under the directory's own root (an ICA
    // of root R1) is published without any anchor.
    let r = publish_certificates(&e.layout, std::slice::from_ref(&pca), now);
    assert!(matches!(r, Err(MaError::Unsupported(_))), "{r:?}");
    let root = cert(&e.layout, "root");
    let root_key = e.keys.load_signer("root").unwrap();
    let tbs = template(
        CertKind::Ica,
        &TemplateParams {
            name: Some("ica-1b.example.com".into()),
            start: now - 60,
            craca_id: root_id3(&root),
            verification_key: Some(*KeyPair::generate().unwrap().public_key()),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let ica_b = issue_explicit_checked(&*root_key, Some(&root), CertKind::Ica, tbs).unwrap();
    let u = publish_certificates(&e.layout, std::slice::from_ref(&ica_b), now).unwrap();
    assert_eq!(u.added, vec![certificate_id8(&ica_b)]);
    assert!(u.anchors.is_empty());
    assert!(published(&e.layout).1.contains(&ica_b));
}

/// The MA certificate of the GCCF and of the LCCF.
fn ma_certificate(layout: &Layout) -> (Certificate, Certificate) {
    let (g, l) = chain_file_contents(layout);
    (
        g.cert_store.ma_certificate,
        l.required_cert_store.ma_certificate,
    )
}

#[test]
fn components_are_recertified_only_under_a_root_the_electors_added() {
    let e = env();
    let now = e.clock.now();
    let (r2, r2_key) = self_signed(CertKind::Root, "root-2.example.com", now - 60);
    let before = chain_files(&e.layout);
    let old_crlg = cert(&e.layout, "crlg");

    // R2 is not trusted yet: refused, nothing written.
    let r = recertify(&e.layout, "crlg", (&r2, &r2_key), now);
    assert!(matches!(r, Err(MaError::InvalidSignature(_))), "{r:?}");
    assert_eq!(chain_files(&e.layout), before);
    assert_eq!(cert(&e.layout, "crlg"), old_crlg);
    // Roots and electors are replaced by ballots, not re-certified.
    let r = recertify(&e.layout, "elector-1", (&r2, &r2_key), now);
    assert!(matches!(r, Err(MaError::Unsupported(_))), "{r:?}");

    // Electors 1 and 2 add R2; the CRLG and the MA are re-certified under it.
    let keys: Vec<_> = (1..=2)
        .map(|k| e.keys.load_signer(&format!("elector-{k}")).unwrap())
        .collect();
    let voters: Vec<(Certificate, &dyn Signer)> = (1..=2)
        .map(|k| {
            (
                cert(&e.layout, &format!("elector-{k}")),
                keys[k - 1].as_ref(),
            )
        })
        .collect();
    publish_add_ballot(
        &e.layout,
        &ballot(&voters, EndorsementType::AddRoot, &r2, now),
        now,
    )
    .unwrap();
    let re = recertify(&e.layout, "crlg", (&r2, &r2_key), now).unwrap();
    let new_crlg = cert(&e.layout, "crlg");
    assert_eq!(new_crlg, re.certificate);
    assert_eq!(
        Certificate::from_coer(&std::fs::read(&re.previous).unwrap()).unwrap(),
        old_crlg
    );
    assert_eq!(
        new_crlg.to_be_signed.verify_key_indicator,
        old_crlg.to_be_signed.verify_key_indicator
    );
    assert_eq!(new_crlg.to_be_signed.id, old_crlg.to_be_signed.id);
    assert_eq!(new_crlg.to_be_signed.validity_period.start, now);
    assert!(published(&e.layout).0.contains(&new_crlg));

    let old_ma = cert(&e.layout, "ma");
    assert_eq!(ma_certificate(&e.layout), (old_ma.clone(), old_ma.clone()));
    let re = recertify(&e.layout, "ma", (&r2, &r2_key), now).unwrap();
    assert_eq!(
        ma_certificate(&e.layout),
        (re.certificate.clone(), re.certificate.clone()),
        "devices encrypt reports to the new MA certificate"
    );
    assert_eq!(
        re.certificate.to_be_signed.encryption_key,
        old_ma.to_be_signed.encryption_key
    );
    // The MA opens with its re-certified certificate (same keys).
    let ma = Ma::open(&e.layout, &e.keys, e.clock.clone()).unwrap();
    assert_eq!(ma.certificate(), &re.certificate);
}
