//! `scms ee keygen` end to end: the CSR it writes is accepted by `scms inspect --verify`
//! and has the seed's shape; `scms ee bootstrap` refuses a zip without the device.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn keygen_writes_a_csr_that_inspect_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = tmp.path().join("dev");
    let out_dir = tmp.path().join("csrs");
    let out = scms(&[
        "ee",
        "keygen",
        "--dir",
        s(&dev),
        "--psid",
        "32",
        "--psid",
        "0x26",
        "--region",
        "124,484,840",
        "--hours",
        "4320",
        "--time",
        "431026272",
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let csr = PathBuf::from(String::from_utf8(out.stdout.clone()).unwrap().trim());
    assert_eq!(csr.parent().unwrap(), out_dir);
    let stem = csr.file_stem().unwrap().to_str().unwrap().to_owned();
    assert_eq!(stem.len(), 66);
    assert!(stem.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(dev.join("device.toml").is_file());
    assert!(dev.join("enrollment-request.oer").is_file());

    let out = scms(&["inspect", "--verify", s(&csr)]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    for needle in [
        "id name : \"obeenr\"",
        "currentTime 431026272",
        "crlSeries 4",
        "duration hours : 4320",
        "countryOnly : 840",
        "psid 38",
        "minChainDepth 0",
        "signature valid",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    // Same length as the seed's Code Block 5 request.
    assert_eq!(std::fs::metadata(&csr).unwrap().len(), 169);

    // A second keygen in the same directory is refused.
    let out = scms(&["ee", "keygen", "--dir", s(&dev)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // Bootstrapping from a zip that is not a zip fails cleanly, writing nothing.
    let bogus = tmp.path().join("responses.zip");
    std::fs::write(&bogus, b"not a zip").unwrap();
    let out = scms(&[
        "ee",
        "bootstrap",
        s(&bogus),
        "--device",
        &stem,
        "--dir",
        s(&dev),
    ]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!dev.join("enrollment.oer").exists());
    assert!(!dev.join("trust").exists());
}

#[test]
fn rse_keygen_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = tmp.path().join("rse");
    let out = scms(&[
        "ee",
        "keygen",
        "--dir",
        s(&dev),
        "--kind",
        "rse",
        "--psids",
        "32,38",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let csr = PathBuf::from(String::from_utf8(out.stdout.clone()).unwrap().trim());
    assert_eq!(csr.parent().unwrap(), dev);
    let out = scms(&["inspect", "--verify", s(&csr)]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("id name : \"rseenr\""), "{t}");
    let cfg = std::fs::read_to_string(dev.join("device.toml")).unwrap();
    assert!(cfg.contains("kind = \"rse\""), "{cfg}");
}
