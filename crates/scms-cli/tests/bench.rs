//! `scms bench crl` on a small list: it runs, checks every answer itself (a wrong one
//! fails it), and reports its figures as JSON.

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
