//! `scms selftest` on the built-in vectors and on a directory, corrupted or not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn selftest(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .arg("selftest")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn built_in_vectors_all_pass() {
    let (code, text) = selftest(&[]);
    assert_eq!(code, Some(0), "{text}");
    let last = text.trim_end().lines().last().unwrap();
    assert_eq!(last, "54 passed, 0 failed");
}

#[test]
fn a_corrupted_directory_fails_and_says_where() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scms-crypto/vectors/camp");
    let dir = std::env::temp_dir().join(format!("scms-selftest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let (code, text) = selftest(&["--vectors", dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    // Flip one hex digit of an expected linkage value.
    let lv = std::fs::read_to_string(dir.join("lv.txt")).unwrap();
    let pos = lv
        .find("lv(0,j) = plv1")
        .and_then(|p| lv[p..].find("0x").map(|q| p + q + 2))
        .unwrap();
    let mut bytes = lv.into_bytes();
    bytes[pos] = if bytes[pos] == b'0' { b'1' } else { b'0' };
    std::fs::write(dir.join("lv.txt"), bytes).unwrap();
    let (code, text) = selftest(&["--vectors", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("FAILED lv.txt"), "{text}");
    assert!(text.trim_end().ends_with("1 failed"), "{text}");
}
