//! The PKI end to end through the `scms` binary: `scms init`, two OBEs and one RSE
//! bootstrapped through `scms ee keygen` → `scms dcm enroll` → `scms ee bootstrap`,
//! every certificate and file verified by `scms inspect --verify`, rejected CSRs named
//! by their check, and elector ballots applied only with a quorum.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .env_remove("SCMS_PASSPHRASE")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = scms(args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "scms {args:?} failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn zip_dir(dir: &Path, out: &Path) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        z.start_file(
            p.file_name().unwrap().to_str().unwrap(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    z.finish().unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn csr_of(device: &Path) -> PathBuf {
    let cfg = std::fs::read_to_string(device.join("device.toml")).unwrap();
    let id = cfg
        .lines()
        .find(|l| l.starts_with("device_id"))
        .unwrap()
        .split('"')
        .nth(1)
        .unwrap()
        .to_string();
    PathBuf::from(id)
}

#[test]
fn init_enroll_bootstrap_and_ballots() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let dir = t.join("scms");
    ok(&["init", "--dir", s(&dir)]);
    // init refuses to overwrite.
    assert!(!scms(&["init", "--dir", s(&dir)]).status.success());

    // Every file init wrote decodes and verifies.
    let certs = dir.join("certs");
    for sub in ["certs", "files"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let f = e.unwrap().path();
            let text = ok(&["inspect", "--verify", "--issuer", s(&certs), s(&f)]);
            assert!(!text.contains("INVALID"), "{}: {text}", f.display());
        }
    }

    // Devices: two OBEs, one RSE, one asking for an unsupported PSID.
    let csrs = t.join("csrs");
    for (name, extra) in [
        ("obe1", vec![]),
        ("obe2", vec![]),
        ("rse1", vec!["--kind", "rse"]),
        ("bad", vec!["--psid", "32", "--psid", "9999"]),
    ] {
        let d = t.join(name);
        let mut args = vec!["ee", "keygen", "--dir", s(&d), "--out", s(&csrs)];
        args.extend(extra);
        ok(&args);
    }
    let requests = t.join("requests.zip");
    zip_dir(&csrs, &requests);
    let responses = t.join("responses.zip");
    let report = ok(&[
        "dcm",
        "enroll",
        s(&requests),
        "-o",
        s(&responses),
        "--dir",
        s(&dir),
    ]);
    assert!(report.contains("3 enrolled, 1 rejected"), "{report}");
    assert!(report.contains("ecaInvalidPsid"), "{report}");
    assert!(report.contains("RSE enrollment certificate"), "{report}");
    let log = std::fs::read_to_string(dir.join("dcm/bootstrap.log")).unwrap();
    assert_eq!(log.lines().count(), 4, "{log}");

    // A CSR whose public key was used before is rejected with that check named.
    let again = t.join("again");
    std::fs::create_dir_all(&again).unwrap();
    let obe1_csr = csr_of(&t.join("obe1"));
    let name = format!("{}.oer", obe1_csr.display());
    std::fs::copy(csrs.join(&name), again.join(&name)).unwrap();
    let again_zip = t.join("again.zip");
    zip_dir(&again, &again_zip);
    let report2 = ok(&[
        "dcm",
        "enroll",
        s(&again_zip),
        "-o",
        s(&t.join("again-out.zip")),
        "--dir",
        s(&dir),
    ]);
    assert!(report2.contains("0 enrolled, 1 rejected"), "{report2}");
    assert!(report2.to_lowercase().contains("key"), "{report2}");

    // Bootstrap, then every certificate the devices hold validates to the root.
    for name in ["obe1", "obe2", "rse1"] {
        let d = t.join(name);
        ok(&["ee", "bootstrap", s(&responses), "--dir", s(&d)]);
        let text = ok(&[
            "inspect",
            "--verify",
            "--issuer",
            s(&d.join("trust")),
            "--issuer",
            s(&certs),
            s(&d.join("enrollment.oer")),
        ]);
        assert!(text.contains("issuer chain valid"), "{text}");
    }
    // The rejected device has nothing to bootstrap from.
    assert!(
        !scms(&["ee", "bootstrap", s(&responses), "--dir", s(&t.join("bad"))])
            .status
            .success()
    );

    // Ballots: one elector is not a quorum, two are.
    let root = certs.join("root.oer");
    for k in 1..=2 {
        let e = format!("elector-{k}");
        ok(&[
            "admin",
            "endorse",
            "--dir",
            s(&dir),
            "--elector",
            &e,
            "--type",
            "add-root",
            "--cert",
            s(&root),
            "-o",
            s(&t.join(format!("vote{k}.oer"))),
        ]);
    }
    let one = t.join("one.oer");
    ok(&["admin", "ballot", s(&t.join("vote1.oer")), "-o", s(&one)]);
    let refused = scms(&["admin", "apply-ballot", "--dir", s(&dir), s(&one)]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        scms(&["inspect", "--verify", "--issuer", s(&certs), s(&one)])
            .status
            .code(),
        Some(1)
    );
    let two = t.join("two.oer");
    ok(&[
        "admin",
        "ballot",
        s(&t.join("vote1.oer")),
        s(&t.join("vote2.oer")),
        "-o",
        s(&two),
    ]);
    let applied = ok(&["admin", "apply-ballot", "--dir", s(&dir), s(&two)]);
    assert!(applied.contains("applied"), "{applied}");
    ok(&["inspect", "--verify", "--issuer", s(&certs), s(&two)]);
}
