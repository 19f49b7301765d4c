//! The key ceremony end to end: every certificate chains to a root that the Add-Root
//! ballot puts in a fresh trust store, every file verifies, keys are private, and a
//! second run refuses to overwrite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;

use scms_asn1::camp::component_cert_management::ElectorBallot;
use scms_asn1::ieee1609dot2::Certificate;
use scms_asn1::Coer;
use scms_ca::layout::COMPONENTS;
use scms_ca::{init, Config, Layout};
use scms_core::artifact::Artifact;
use scms_core::chain::validate_chain;
use scms_core::profile::{classify, CertKind};
use scms_core::trust::TrustStore;
use scms_crypto::default_backend;

fn cert(layout: &Layout, name: &str) -> Certificate {
    Certificate::from_coer(&std::fs::read(layout.cert(name)).unwrap()).unwrap()
}

#[test]
fn ceremony_builds_a_valid_hierarchy() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::new(tmp.path().join("scms"));
    let report = init(&layout, &Config::default(), None).unwrap();
    assert_ne!(report.la_ids.0, report.la_ids.1);

    // A device-like trust store: the electors, then the Add-Root ballot.
    let electors: Vec<Certificate> = (1..=3)
        .map(|k| cert(&layout, &format!("elector-{k}")))
        .collect();
    let mut trust = TrustStore::new(electors.clone(), 2).unwrap();
    let ballot =
        ElectorBallot::from_coer(&std::fs::read(layout.file("add-root-ballot.oer")).unwrap())
            .unwrap();
    trust
        .apply_ballot(default_backend(), &ballot, report.start)
        .unwrap();
    let root = cert(&layout, "root");
    assert!(trust.is_trusted_root(&root));

    let all: Vec<Certificate> = COMPONENTS.iter().map(|n| cert(&layout, n)).collect();
    let at = report.start + 60;
    for (name, c) in COMPONENTS.iter().zip(&all) {
        let chain = validate_chain(default_backend(), c, &all, &trust, at)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(chain.root(), Some(&root), "{name}");
    }
    assert_eq!(classify(&cert(&layout, "crlg")), Some(CertKind::Crlg));
    assert_eq!(classify(&cert(&layout, "ra")), Some(CertKind::Ra));
    assert!(cert(&layout, "ra").to_be_signed.encryption_key.is_some());
    assert!(cert(&layout, "ma").to_be_signed.encryption_key.is_some());
    assert!(cert(&layout, "pca").to_be_signed.encryption_key.is_some());
    assert!(cert(&layout, "la1").to_be_signed.encryption_key.is_none());

    // Every file decodes and every signature in it verifies with the certificates at hand.
    let mut known = all.clone();
    known.extend(electors);
    for (name, artifact) in [
        (
            "GCCF.oer",
            Artifact::from(
                scms_asn1::camp::protocol::ScmsFile::from_coer(
                    &std::fs::read(layout.file("GCCF.oer")).unwrap(),
                )
                .unwrap(),
            ),
        ),
        (
            "LCCF.oer",
            Artifact::from(
                scms_asn1::camp::protocol::ScmsFile::from_coer(
                    &std::fs::read(layout.file("LCCF.oer")).unwrap(),
                )
                .unwrap(),
            ),
        ),
        (
            "GPF.oer",
            Artifact::from(
                scms_asn1::camp::protocol::ScmsFile::from_coer(
                    &std::fs::read(layout.file("GPF.oer")).unwrap(),
                )
                .unwrap(),
            ),
        ),
        (
            "LPF.oer",
            Artifact::from(
                scms_asn1::camp::protocol::ScmsFile::from_coer(
                    &std::fs::read(layout.file("LPF.oer")).unwrap(),
                )
                .unwrap(),
            ),
        ),
        (
            "CRL.oer",
            Artifact::from(
                scms_asn1::camp::component_cert_management::CompositeCrl::from_coer(
                    &std::fs::read(layout.file("CRL.oer")).unwrap(),
                )
                .unwrap(),
            ),
        ),
        ("add-root-ballot.oer", Artifact::from(ballot.clone())),
    ] {
        let rep = artifact.verify(&known);
        assert!(rep.checked > 0, "{name}: nothing checked\n{:#?}", rep.lines);
        assert_eq!(rep.failed, 0, "{name}: {:#?}", rep.lines);
    }

    // Private keys are 0600.
    for e in std::fs::read_dir(layout.keys()).unwrap() {
        let mode = e.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The configuration written reloads to the one used.
    let written = Config::from_toml(&std::fs::read_to_string(layout.config()).unwrap()).unwrap();
    assert_eq!(written, report.config);

    // A second run refuses to overwrite.
    assert!(matches!(
        init(&layout, &Config::default(), None),
        Err(scms_ca::CeremonyError::NotEmpty(_))
    ));
}
