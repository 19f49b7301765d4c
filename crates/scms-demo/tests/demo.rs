#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The demo scenario with tiny parameters: every authority over HTTPS on loopback, one
//! vehicle misbehaves and is revoked; the counters add up.

use scms_demo::{run, DemoError, Options};

#[test]
fn tiny_demo_revokes_the_misbehaving_vehicle() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let opts = Options {
        dir: Some(dir.clone()),
        vehicles: 4,
        rses: 1,
        weeks: 2,
        seed: 7,
        drive_seconds: 1,
        ..Options::default()
    };
    let mut lines = Vec::new();
    let s = run(&opts, &mut |l: &str| lines.push(l.to_owned())).unwrap();
    let text = lines.join("\n");

    // Revocation outcome.
    let m = &s.misbehavior;
    assert!(m.revoked, "{text}");
    assert!(m.blacklisted, "{text}");
    assert!(m.reporters >= 2 && m.reports_received_by_ma >= 2, "{m:?}");
    assert!(m.reports_accepted_by_ra >= 2 && m.reports_accepted_by_ra <= m.reports_sent);
    assert!(m.crl_linkage_entries >= 1, "{m:?}");
    assert_eq!(m.crl_downloads, 4);
    assert!(m.rejected_after_revocation > 0, "{m:?}");
    assert_eq!(m.accepted_after_revocation, 0);
    assert!(m.ra_answer.contains("raBlacklisted"), "{}", m.ra_answer);
    // Once it installs the CRL itself, its own guard stops it from transmitting.
    assert!(m.refused_by_own_guard > 0, "{m:?}");
    assert!(text.contains("stopped transmitting"), "{text}");
    assert!(text.contains("was revoked"), "{text}");
    // The week after the revocation, its next-period pseudonyms are rejected too.
    assert!(m.periods_rejected.len() >= 2, "{:?}", m.periods_rejected);

    // Counters.
    s.consistent().unwrap();
    let c = &s.certificates;
    assert_eq!(c.enrollment, 5);
    assert!(c.pseudonym >= 4 * 40, "{c:?}");
    assert!(c.application >= 2, "{c:?}");
    assert!(c.issuance_per_second > 0.0);
    let msg = &s.messages;
    assert!(msg.bsm_signed >= 4 * 10 * 2);
    assert!(msg.spat_signed >= 10 * 2);
    assert!(msg.verified > 0);
    assert!(
        msg.rejected
            .get(scms_demo::stats::REVOKED)
            .copied()
            .unwrap_or(0)
            >= m.rejected_after_revocation
    );
    assert!(s.phases.iter().any(|p| p.name.contains("bootstrap")));
    let json: serde_json::Value = serde_json::from_str(&s.json().unwrap()).unwrap();
    assert_eq!(json["misbehavior"]["revoked"], serde_json::json!(true));
    assert_eq!(
        json["messages"]["received"].as_u64().unwrap(),
        msg.verified + msg.rejected_total()
    );

    // --dir keeps the state; a second run into it is refused.
    assert!(dir.join("scms").join("files").join("CRL.oer").is_file());
    assert!(dir.join("devices").is_dir());
    match run(&opts, &mut |_: &str| {}) {
        Err(DemoError::DirNotEmpty(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_few_vehicles_is_refused() {
    let opts = Options {
        vehicles: 2,
        ..Options::default()
    };
    assert!(matches!(
        run(&opts, &mut |_: &str| {}),
        Err(DemoError::Options(_))
    ));
}
