//! `scms inspect` end to end on the seed's enrollment request (seed 004, Code Block 5).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture_hex() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed-code-block-5.hex");
    std::fs::read_to_string(p)
        .unwrap()
        .split_whitespace()
        .collect()
}

fn fixture() -> Vec<u8> {
    hex::decode(fixture_hex()).unwrap()
}

fn inspect(bytes: &[u8], args: &[&str]) -> Output {
    let dir = tempdir();
    let path = dir.join("input.oer");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .arg("inspect")
        .args(args)
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "scms-inspect-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn seed_request_decodes_and_verifies() {
    let bytes = fixture();
    assert_eq!(bytes.len(), 169);
    let out = inspect(&bytes, &["--verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "id name : \"obeenr\"",
        "currentTime 431026272",
        "crlSeries 4",
        "duration hours : 4320",
        "countryOnly : 124",
        "countryOnly : 484",
        "countryOnly : 840",
        "psid 32",
        "psid 38",
        "signer self : NULL",
        "SignedCertificateRequest: signature valid",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn hex_input_and_json() {
    let dir = tempdir();
    let path = dir.join("req.hex");
    std::fs::write(&path, fixture_hex()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["inspect", "--hex", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["type"], "Ieee1609Dot2Data");
    assert_eq!(j["value"]["protocolVersion"], 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flipped_signature_byte_exits_1() {
    let mut bytes = fixture();
    let last = bytes.len() - 1; // inside s
    bytes[last] ^= 0x01;
    let out = inspect(&bytes, &["--verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("INVALID"));
    // Without --verify it still decodes.
    assert_eq!(inspect(&bytes, &[]).status.code(), Some(0));
}

#[test]
fn truncated_exits_2_with_one_line() {
    let bytes = fixture();
    let out = inspect(&bytes[..bytes.len() - 1], &["--verify"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn forced_type_and_unknown_type() {
    let bytes = fixture();
    assert_eq!(
        inspect(&bytes, &["--type", "SecuredScmsPDU"]).status.code(),
        Some(0)
    );
    assert_eq!(
        inspect(&bytes, &["--type", "Certificate"]).status.code(),
        Some(2)
    );
    assert_eq!(
        inspect(&bytes, &["--type", "NoSuchType"]).status.code(),
        Some(2)
    );
    assert_eq!(
        inspect(
            &bytes[4..],
            &["--type", "SignedCertificateRequest", "--verify"]
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn never_panics_on_mutations() {
    // Every truncation and a spread of single-byte mutations: exit 0, 1 or 2, never a panic (101).
    let bytes = fixture();
    let mut cases: Vec<Vec<u8>> = (0..bytes.len())
        .step_by(7)
        .map(|n| bytes[..n].to_vec())
        .collect();
    for i in (0..bytes.len()).step_by(5) {
        for v in [0x00u8, 0xff, 0x80] {
            let mut m = bytes.clone();
            m[i] = v;
            cases.push(m);
        }
    }
    for c in cases {
        let out = inspect(&c, &["--verify"]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "exit {code:?} for {}",
            hex::encode(&c)
        );
    }
}
