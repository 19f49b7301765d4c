#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `scms dcm enroll` end to end.
//!
//! NOTE: `scms init` was still a stub when this was written, so the init directory is
//! built by `scms_eca::testing::TestPki` (root → ICA → ECA/RA, placeholder LCCF/LPF/CRL
//! and TLS root) with the ECA key in the keystore. Switch to `scms init` when it lands.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::Command;

use scms_core::signer::{KeyPair, Signer};
use scms_eca::testing::{obe_request, TestPki};
use scms_store::{Keystore, Passphrase};

const START: u32 = 600_000_000;
const NOW: u32 = START + 3_600;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        zw.start_file(*name, opts).unwrap();
        zw.write_all(data).unwrap();
    }
    zw.finish().unwrap().into_inner()
}

fn names(zip_bytes: &[u8]) -> Vec<String> {
    let mut a = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    (0..a.len())
        .map(|i| a.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

fn read(zip_bytes: &[u8], name: &str) -> Vec<u8> {
    let mut a = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut f = a.by_name(name).unwrap();
    let mut b = Vec::new();
    f.read_to_end(&mut b).unwrap();
    b
}

fn init_dir(dir: &Path, passphrase: Option<&str>) -> TestPki {
    let pki = TestPki::new(START).unwrap();
    pki.write_init_dir(dir).unwrap();
    let ks = Keystore::open(&dir.join("keys"), passphrase.map(Passphrase::new)).unwrap();
    ks.store_private_key("eca", &pki.eca_private_key().unwrap())
        .unwrap();
    pki
}

fn scms(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn enroll_writes_the_response_zip_and_reports_each_csr() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    init_dir(dir, None);
    let good = KeyPair::generate().unwrap();
    let bad = KeyPair::generate().unwrap();
    let good_name = format!(
        "{}.oer",
        hex::encode_upper(good.public_key().to_compressed())
    );
    let bad_name = format!("{}.oer", hex::encode(bad.public_key().to_compressed()));
    let reqs = zip_of(&[
        (&good_name, &obe_request(&good, NOW, |_| {}).unwrap()),
        (
            &bad_name,
            &obe_request(&bad, NOW, |r| r.tbs_data.crl_series = 1).unwrap(),
        ),
    ]);
    std::fs::write(dir.join("requests.zip"), reqs).unwrap();
    let time = NOW.to_string();
    let out = scms(
        dir,
        &[
            "dcm",
            "enroll",
            "requests.zip",
            "-o",
            "responses.zip",
            "--time",
            &time,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("enrolled  {good_name}: OBE")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("rejected  {bad_name}: ecaMalformedRequest")),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 CSRs processed: 1 enrolled, 1 rejected"),
        "{stdout}"
    );

    let resp = std::fs::read(dir.join("responses.zip")).unwrap();
    let n = names(&resp);
    let stem = good_name.trim_end_matches(".oer");
    assert!(n.contains(&format!("{stem}/enrollment.oer")), "{n:?}");
    assert!(n.contains(&"root.tls".to_string()));
    let bad_stem = bad_name.trim_end_matches(".oer");
    let err = String::from_utf8(read(&resp, &format!("{bad_stem}/error.txt"))).unwrap();
    assert!(
        err.contains("The CSR contains the correct crlSeries"),
        "{err}"
    );
    assert!(dir.join("dcm/bootstrap.log").exists());
    assert!(dir.join("eca/used-keys").exists());
}

#[test]
fn unusable_input_exits_2_and_a_passphrase_comes_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    init_dir(dir, Some("correct horse"));
    std::fs::write(dir.join("junk.zip"), b"not a zip").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .current_dir(dir)
        .env("SCMS_PASSPHRASE", "correct horse")
        .args(["dcm", "enroll", "junk.zip", "-o", "r.zip", "--dir", "."])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A nested entry is refused; the response is still written, exit 2.
    let k = KeyPair::generate().unwrap();
    let name = format!("d/{}.oer", hex::encode(k.public_key().to_compressed()));
    std::fs::write(
        dir.join("nested.zip"),
        zip_of(&[(&name, &obe_request(&k, NOW, |_| {}).unwrap())]),
    )
    .unwrap();
    let time = NOW.to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .current_dir(dir)
        .env("SCMS_PASSPHRASE", "correct horse")
        .args([
            "dcm",
            "enroll",
            "nested.zip",
            "-o",
            "r.zip",
            "--time",
            &time,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("refused"), "{stdout}");
    assert!(dir.join("r.zip").exists());

    // Without the passphrase the ECA key cannot be loaded: exit 1.
    let out = scms(dir, &["dcm", "enroll", "nested.zip", "-o", "r2.zip"]);
    assert_eq!(out.status.code(), Some(1));
}
