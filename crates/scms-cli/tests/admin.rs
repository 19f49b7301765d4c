#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `scms admin` revocation and root management through the real binary: root CRLs of
//! series 256 signed offline (cumulative, CRLG/PG/MA only), an addElector ballot
//! published into the chain files, a new root's ICA published with `publish-certs`, and,
//! against `scms serve ma`, an operator revocation,
//! a removeElector ballot and a root CRL handed to the MA with the operator's TLS identity.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use scms_asn1::camp::cert_chain_files::CertificateChainFiles;
use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{Certificate, IssuerIdentifier};
use scms_asn1::Coer;
use scms_core::hash::certificate_id8;
use scms_core::issue::{issue_explicit_checked, root_id3};
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{Clock, SystemClock};

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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `scms serve` killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `scms serve --dir DIR --qa ma`; returns it and the MA's URL.
fn serve_ma(dir: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["serve", "--dir", s(dir), "--qa", "ma"])
        .env("RUST_LOG", "warn")
        .env_remove("SCMS_PASSPHRASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("scms serve did not start");
        if let Some(url) = line.strip_prefix("ma ") {
            return (server, url.trim().to_owned());
        }
    }
}

#[test]
fn admin_revocation_and_root_management() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let dir = t.join("scms");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = t.join("config.toml");
    std::fs::write(&config, format!("[ports]\nma = {port}\n")).unwrap();
    ok(&["init", "--dir", s(&dir), "--config", s(&config)]);
    assert!(dir.join("tls/operator.pem").exists() && dir.join("tls/operator.key.pem").exists());
    let certs = dir.join("certs");

    // Root CRLs: cumulative, serial + 1; an ICA (series 2) is not the root's to list.
    let c1 = t.join("root-crl-1.oer");
    let c2 = t.join("root-crl-2.oer");
    let out = ok(&[
        "admin",
        "root-crl",
        "--dir",
        s(&dir),
        "--revoke",
        s(&certs.join("pg.oer")),
        "-o",
        s(&c1),
    ]);
    assert!(out.contains("serial 1 (1 certificate(s)"), "{out}");
    let out = ok(&[
        "admin",
        "root-crl",
        "--dir",
        s(&dir),
        "--previous",
        s(&c1),
        "--revoke",
        s(&certs.join("crlg.oer")),
        "-o",
        s(&c2),
    ]);
    assert!(out.contains("serial 2 (2 certificate(s)"), "{out}");
    let (ica, bad) = (certs.join("ica.oer"), t.join("bad.oer"));
    let refused = scms(&[
        "admin",
        "root-crl",
        "--dir",
        s(&dir),
        "--revoke",
        s(&ica),
        "-o",
        s(&bad),
    ]);
    assert!(!refused.status.success() && !bad.exists());

    // addElector of a new elector (electors 1 and 2) → the chain files.
    let now = SystemClock.now();
    let key = KeyPair::generate().unwrap();
    let tbs = template(
        CertKind::Elector,
        &TemplateParams {
            name: Some("elector-4.v2xscms.com".into()),
            start: now - 60,
            verification_key: Some(*key.public_key()),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let new_elector = t.join("elector-4.oer");
    std::fs::write(
        &new_elector,
        scms_core::sign::issue_explicit(&key, tbs, None)
            .unwrap()
            .to_coer(),
    )
    .unwrap();
    let vote = |k: u32, ty: &str, cert: &Path, name: &str| {
        let out = t.join(format!("{name}-vote{k}.oer"));
        ok(&[
            "admin",
            "endorse",
            "--dir",
            s(&dir),
            "--elector",
            &format!("elector-{k}"),
            "--type",
            ty,
            "--cert",
            s(cert),
            "-o",
            s(&out),
        ]);
        out
    };
    let add = t.join("add-elector.oer");
    let (v1, v2) = (
        vote(1, "add-elector", &new_elector, "add"),
        vote(2, "add-elector", &new_elector, "add"),
    );
    ok(&["admin", "ballot", s(&v1), s(&v2), "-o", s(&add)]);
    let out = ok(&["admin", "publish-ballot", "--dir", s(&dir), s(&add)]);
    assert!(
        out.contains("files/GCCF.oer version 2, files/LCCF.oer version 2"),
        "{out}"
    );
    assert!(
        !scms(&["admin", "publish-ballot", "--dir", s(&dir), s(&add)])
            .status
            .success()
    );
    let gccf = ScmsFile::from_coer(&std::fs::read(dir.join("files/GCCF.oer")).unwrap()).unwrap();
    let ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) =
        gccf.content
    else {
        panic!("GCCF.oer")
    };
    assert_eq!(
        g.cert_store.elector_endorsements[0].to_coer(),
        std::fs::read(&add).unwrap()
    );

    // publish-certs: a new root's ICA goes into the chain files; the root only validates
    // it; publishing it again is refused.
    let r2_key = KeyPair::generate().unwrap();
    let tbs = template(
        CertKind::Root,
        &TemplateParams {
            name: Some("root-2.v2xscms.com".into()),
            start: now - 60,
            verification_key: Some(*r2_key.public_key()),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let r2 = scms_core::sign::issue_explicit(&r2_key, tbs, None).unwrap();
    let tbs = template(
        CertKind::Ica,
        &TemplateParams {
            name: Some("ica-2.v2xscms.com".into()),
            start: now - 60,
            craca_id: root_id3(&r2),
            verification_key: Some(*KeyPair::generate().unwrap().public_key()),
            ..TemplateParams::default()
        },
    )
    .unwrap();
    let ica2 = issue_explicit_checked(&r2_key, Some(&r2), CertKind::Ica, tbs).unwrap();
    let (r2_path, ica2_path) = (t.join("root-2.oer"), t.join("ica-2.oer"));
    std::fs::write(&r2_path, r2.to_coer()).unwrap();
    std::fs::write(&ica2_path, ica2.to_coer()).unwrap();
    let refused = scms(&["admin", "publish-certs", "--dir", s(&dir), s(&ica2_path)]);
    assert!(!refused.status.success(), "published without its root");
    let out = ok(&[
        "admin",
        "publish-certs",
        "--dir",
        s(&dir),
        s(&r2_path),
        s(&ica2_path),
    ]);
    assert!(
        out.contains(&format!(
            "published {}",
            hex::encode(certificate_id8(&ica2))
        )),
        "{out}"
    );
    assert!(out.contains("(not published)"), "{out}");
    assert!(
        out.contains("files/GCCF.oer version 3, files/LCCF.oer version 3"),
        "{out}"
    );
    let again = scms(&[
        "admin",
        "publish-certs",
        "--dir",
        s(&dir),
        s(&r2_path),
        s(&ica2_path),
    ]);
    assert!(!again.status.success());

    // The MA: revocation of the DCM, a removeElector ballot, the root CRL.
    let (_server, url) = serve_ma(&dir);
    let out = ok(&[
        "admin",
        "revoke",
        "--dir",
        s(&dir),
        "--url",
        &url,
        "--reason",
        "key compromise",
        s(&certs.join("dcm.oer")),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "component", "{out}");
    assert_eq!(v["series"], 2);
    let elector3 = certs.join("elector-3.oer");
    let remove = t.join("remove-elector.oer");
    let (v1, v2) = (
        vote(1, "revoke-elector", &elector3, "rm"),
        vote(2, "revoke-elector", &elector3, "rm"),
    );
    ok(&["admin", "ballot", s(&v1), s(&v2), "-o", s(&remove)]);
    let out = ok(&[
        "admin",
        "publish-ballot",
        "--dir",
        s(&dir),
        "--url",
        &url,
        s(&remove),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["revokedElectors"], 1, "{out}");
    let out = ok(&[
        "admin",
        "root-crl",
        "--dir",
        s(&dir),
        "--previous",
        s(&c2),
        "-o",
        s(&t.join("root-crl-3.oer")),
        "--publish",
        "--url",
        &url,
    ]);
    assert!(out.contains("serial 3 (2 certificate(s)"), "{out}");
    let crl = CompositeCrl::from_coer(&std::fs::read(dir.join("files/CRL.oer")).unwrap()).unwrap();
    assert_eq!(crl.secured_crl_series.len(), 5);
    assert_eq!(crl.revoked_electors.len(), 1);
    // The MA's status: one component revocation (series 2), the ballot, the root CRL.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["admin", "status", "--dir", s(&dir), "--url", &url])).unwrap();
    assert_eq!(v["revocations"], 1, "{v}");
    assert_eq!(v["hashEntries"]["2"], 1, "{v}");
    assert_eq!(v["linkageEntries"], 0, "{v}");
    assert_eq!(v["revokedElectors"], 1, "{v}");
    assert_eq!(v["rootCrls"], 1, "{v}");
    let crlg = Certificate::from_coer(&std::fs::read(certs.join("crlg.oer")).unwrap()).unwrap();
    let contents = scms_crl::generator::contents_of(&crl, &crlg, 2)
        .unwrap()
        .unwrap();
    let scms_asn1::ieee1609dot2::CrlContentsTypeSpecific::FullHashCrl(h) = contents.type_specific
    else {
        panic!("series 2 is a hash CRL")
    };
    assert_eq!(h.entries.len(), 1);
    let serial = h.crl_serial;
    assert_eq!(v["crlSerial"].as_u64(), Some(u64::from(serial)), "{v}");
    // Another TLS identity is refused: the MA's own.
    let other = t.join("other-tls");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(dir.join("tls/root.pem"), other.join("root.pem")).unwrap();
    std::fs::copy(dir.join("tls/ma.pem"), other.join("operator.pem")).unwrap();
    std::fs::copy(dir.join("tls/ma.key.pem"), other.join("operator.key.pem")).unwrap();
    std::fs::remove_dir_all(dir.join("tls")).unwrap();
    std::fs::rename(&other, dir.join("tls")).unwrap();
    let refused = scms(&[
        "admin",
        "revoke",
        "--dir",
        s(&dir),
        "--url",
        &url,
        s(&certs.join("la1.oer")),
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // A new root from its own ceremony: before the electors add it, nothing can be
    // re-certified under it; after their addRoot ballot the CRL Generator is.
    let new_root_dir = t.join("root-3");
    ok(&["init", "--dir", s(&new_root_dir)]);
    let r3 = new_root_dir.join("certs/root.oer");
    let recertify = [
        "admin",
        "recertify",
        "--dir",
        s(&dir),
        "--issuer-dir",
        s(&new_root_dir),
        "crlg",
    ];
    assert!(!scms(&recertify).status.success());
    let add = t.join("add-root-3.oer");
    let (v1, v2) = (
        vote(1, "add-root", &r3, "add-r3"),
        vote(2, "add-root", &r3, "add-r3"),
    );
    ok(&["admin", "ballot", s(&v1), s(&v2), "-o", s(&add)]);
    ok(&["admin", "publish-ballot", "--dir", s(&dir), s(&add)]);
    let before = std::fs::read(certs.join("crlg.oer")).unwrap();
    let out = ok(&recertify);
    assert!(
        out.contains("crlg: certs/crlg.oer re-certified by"),
        "{out}"
    );
    let after = Certificate::from_coer(&std::fs::read(certs.join("crlg.oer")).unwrap()).unwrap();
    let r3_cert = Certificate::from_coer(&std::fs::read(&r3).unwrap()).unwrap();
    assert_eq!(
        after.issuer,
        IssuerIdentifier::Sha256AndDigest(certificate_id8(&r3_cert))
    );
    let kept = std::fs::read_dir(&certs)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("crlg.") && n != "crlg.oer"
        })
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(kept, vec![before]);
}
