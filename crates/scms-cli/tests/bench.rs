//! `scms bench` on small inputs: `crl` checks every answer itself (a wrong one fails
//! it), `provision --https` issues every certificate over HTTPS; both report JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn bench_crl_runs_small_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("crl.json");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["bench", "crl", "--devices", "2000", "--lookups", "1000"])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("expand for a new i-period"), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["devices"], 2000);
    assert_eq!(v["linkage_values"], 40_000);
    assert!(v["lookup_ns"].as_f64().unwrap() > 0.0);
}

#[test]
fn bench_crl_refuses_nonsense() {
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["bench", "crl", "--devices", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// `scms bench provision --https`: LA1, LA2 and the PCA as HTTPS services, the RA's
/// concurrent PCA requests batched at the PCA; every certificate issued, figures as JSON.
#[test]
fn bench_provision_over_https_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("provision.json");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args([
            "bench",
            "provision",
            "--devices",
            "2",
            "--weeks",
            "2",
            "--https",
        ])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("loopback HTTPS"), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["transport"], "https");
    assert_eq!(v["certificates"], 80);
    assert!(v["certificates_per_second"].as_f64().unwrap() > 0.0);
}
