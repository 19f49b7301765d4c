#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Use Case 2 step 8 on zips: the response layout of Code Block 2, per-CSR errors,
//! refused entries, zip bombs, and the bootstrap log.

use std::io::{Cursor, Read, Write};

use scms_asn1::ieee1609dot2::Certificate;
use scms_asn1::Coer;
use scms_core::signer::{KeyPair, Signer};
use scms_dcm::{enroll, enroll_zip, BootstrapFiles, DcmError, Limits, Outcome};
use scms_eca::testing::{obe_request, TestPki};
use scms_eca::{Eca, EcaConfig, EnrollmentRejection};

const START: u32 = 600_000_000;
const NOW: u32 = START + 3_600;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        if name.ends_with('/') {
            zw.add_directory(*name, opts).unwrap();
        } else {
            zw.start_file(*name, opts).unwrap();
            zw.write_all(data).unwrap();
        }
    }
    zw.finish().unwrap().into_inner()
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut a = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..a.len() {
        let mut f = a.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.insert(f.name().unwrap().to_string(), b);
    }
    out
}

fn device(now: u32) -> (KeyPair, String, Vec<u8>) {
    let k = KeyPair::generate().unwrap();
    let csr = obe_request(&k, now, |_| {}).unwrap();
    let name = format!("{}.oer", hex::encode_upper(k.public_key().to_compressed()));
    (k, name, csr)
}

fn setup() -> (tempfile::TempDir, TestPki, Eca) {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(START).unwrap();
    pki.write_init_dir(dir.path()).unwrap();
    let eca = Eca::open(dir.path(), pki.eca_signer().unwrap(), EcaConfig::default()).unwrap();
    (dir, pki, eca)
}

#[test]
fn response_zip_has_the_code_block_2_layout() {
    let (dir, pki, mut eca) = setup();
    let (k1, n1, c1) = device(NOW);
    let (_, n2, c2) = device(NOW);
    // A rejected one: region Canada.
    let k3 = KeyPair::generate().unwrap();
    let c3 = obe_request(&k3, NOW, |r| {
        r.tbs_data.region = Some(scms_asn1::ieee1609dot2::GeographicRegion::IdentifiedRegion(
            vec![scms_asn1::ieee1609dot2::IdentifiedRegion::CountryOnly(124)],
        ))
    })
    .unwrap();
    let n3 = format!("{}.oer", hex::encode(k3.public_key().x()));
    let req = zip_of(&[(&n1, &c1), (&n2, &c2), (&n3, &c3)]);
    // The initial electors of the init directory travel in the zip (any certificate
    // bytes do here; devices check them at bootstrap).
    std::fs::write(dir.path().join("certs/elector-1.oer"), pki.root.to_coer()).unwrap();
    std::fs::write(dir.path().join("certs/elector-2.oer"), pki.ica.to_coer()).unwrap();
    // ... with the quorum of scms.toml.
    std::fs::write(dir.path().join("scms.toml"), "quorum = 2\n").unwrap();
    let reqs = dir.path().join("requests.zip");
    std::fs::write(&reqs, &req).unwrap();
    let out = dir.path().join("responses.zip");
    let report = enroll_zip(&mut eca, &reqs, dir.path(), &out, NOW).unwrap();
    assert_eq!(
        (report.accepted(), report.rejected(), report.refused()),
        (2, 1, 0)
    );

    let files = unzip(&std::fs::read(&out).unwrap());
    for top in ["root.oer", "LCCF.oer", "LPF.oer", "CRL.oer", "root.tls"] {
        assert!(files.contains_key(top), "{top}");
    }
    assert_eq!(files["root.oer"], pki.root.to_coer());
    assert_eq!(files["electors/elector-1.oer"], pki.root.to_coer());
    assert_eq!(files["electors/elector-2.oer"], pki.ica.to_coer());
    assert_eq!(
        files.keys().filter(|k| k.starts_with("electors/")).count(),
        2
    );
    assert_eq!(files["quorum.txt"], b"2\n");
    let s1 = n1.trim_end_matches(".oer");
    for f in [
        "RA.oer",
        "ECA.oer",
        "enrollment.oer",
        "enrollment.s",
        "response.oer",
    ] {
        assert!(files.contains_key(&format!("{s1}/{f}")), "{s1}/{f}");
    }
    assert!(files.contains_key(&format!("{s1}/")));
    assert_eq!(files[&format!("{s1}/RA.oer")], pki.ra.to_coer());
    assert_eq!(files[&format!("{s1}/ECA.oer")], pki.eca.to_coer());
    assert_eq!(files[&format!("{s1}/enrollment.s")].len(), 32);

    // The device reconstructs its key from enrollment.oer + enrollment.s.
    let cert = Certificate::from_coer(&files[&format!("{s1}/enrollment.oer")]).unwrap();
    let r: [u8; 32] = files[&format!("{s1}/enrollment.s")]
        .clone()
        .try_into()
        .unwrap();
    let r = scms_crypto::Scalar::from_bytes(&r).unwrap();
    let d = scms_core::sign::reconstruct_private_key(&cert, &pki.eca, k1.private(), &r).unwrap();
    let be = scms_crypto::default_backend();
    let eca_key = scms_core::sign::certificate_key(be, &pki.eca, None).unwrap();
    let q = scms_core::sign::certificate_key(
        be,
        &cert,
        Some(scms_core::sign::Issuer {
            cert: &pki.eca,
            key: &eca_key,
        }),
    )
    .unwrap();
    assert_eq!(d.public_key(be).unwrap(), q);
    scms_dcm::verify_response(&files[&format!("{s1}/response.oer")], &c1, &pki.eca, &[]).unwrap();

    // The rejected CSR: error.txt naming the check and the error code, no certificate.
    let s3 = n3.trim_end_matches(".oer");
    let err = String::from_utf8(files[&format!("{s3}/error.txt")].clone()).unwrap();
    assert!(err.contains("The CSR only contains Region USA"), "{err}");
    assert!(err.contains("ecaInvalidRegion"), "{err}");
    assert!(!files.contains_key(&format!("{s3}/enrollment.oer")));

    // The bootstrap log: one line per device.
    let log = std::fs::read_to_string(dir.path().join("dcm/bootstrap.log")).unwrap();
    let lines: Vec<_> = log.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains(&format!("device={s1}")));
    assert!(lines[0].contains("result=enrolled"));
    assert!(lines[0].contains("cert-hashedid8="));
    assert!(lines[0].contains("lccf="));
    assert!(lines[0].contains("lpf="));
    assert!(lines[0].contains("start=20"));
    assert!(lines[2].contains("result=rejected"));

    // Running the same zip again: every key was used before.
    let out2 = dir.path().join("again.zip");
    let report = enroll_zip(&mut eca, &reqs, dir.path(), &out2, NOW).unwrap();
    assert_eq!(report.accepted(), 0);
    assert!(report.entries.iter().all(|e| matches!(
        &e.outcome,
        Outcome::Rejected(EnrollmentRejection::KeyReused(_) | EnrollmentRejection::Region(_))
    )));
}

#[test]
fn entries_that_are_not_flat_oer_files_are_refused_and_the_rest_processed() {
    let (dir, _pki, mut eca) = setup();
    let files = BootstrapFiles::load(dir.path()).unwrap();
    let (_, n1, c1) = device(NOW);
    let (_, n2, c2) = device(NOW);
    let nested = format!("sub/{n2}");
    let (_, _, c4) = device(NOW);
    let req = zip_of(&[
        (&n1, &c1),
        ("sub/", b""),
        (&nested, &c2),
        ("../evil.oer", b"x"),
        ("readme.txt", b"hello"),
        ("nothex.oer", b"x"),
        // A CSR whose file name is not its key.
        (&n1.replacen(&n1[2..4], "00", 1), &c4),
    ]);
    let (out, report) = enroll(&mut eca, &files, &req, NOW, &Limits::default(), None).unwrap();
    assert_eq!(report.accepted(), 1);
    assert_eq!(report.refused(), 5, "{:?}", report.entries);
    assert_eq!(report.rejected(), 1);
    let why = |name: &str| {
        report
            .entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| match &e.outcome {
                Outcome::Refused(w) => w.clone(),
                Outcome::Rejected(r) => r.to_string(),
                _ => "accepted".into(),
            })
            .unwrap()
    };
    assert!(why("sub/").contains("flat"));
    assert!(why(&nested).contains("nested"));
    assert!(why("../evil.oer").contains("nested") || why("../evil.oer").contains("unsafe"));
    assert!(why("readme.txt").contains("not a .oer"));
    assert!(why("nothex.oer").contains("not <enrollment public key hex>.oer"));
    let files = unzip(&out);
    assert!(files
        .keys()
        .all(|k| !k.starts_with("sub") && !k.contains("..")));
}

#[test]
fn unusable_zips() {
    let (dir, _pki, mut eca) = setup();
    let files = BootstrapFiles::load(dir.path()).unwrap();
    let l = Limits::default();
    assert!(matches!(
        enroll(&mut eca, &files, b"not a zip", NOW, &l, None),
        Err(DcmError::BadZip(_))
    ));
    assert!(matches!(
        enroll(&mut eca, &files, &zip_of(&[]), NOW, &l, None),
        Err(DcmError::Empty)
    ));
    // Zip bomb: entries that inflate beyond the limits.
    let big = vec![0u8; 1 << 20];
    let bomb = zip_of(&[("00.oer", &big)]);
    assert!(bomb.len() < 10_000);
    let (_, report) = enroll(&mut eca, &files, &bomb, NOW, &l, None).unwrap();
    assert_eq!(report.refused(), 1);
    let names: Vec<String> = (0..20).map(|i| format!("{i:02x}.oer")).collect();
    let small = vec![0u8; 1000];
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &small[..])).collect();
    let tight = Limits {
        max_entries: 100,
        max_entry_size: 2_000,
        max_total_size: 10_000,
    };
    assert!(matches!(
        enroll(&mut eca, &files, &zip_of(&entries), NOW, &tight, None),
        Err(DcmError::TooLarge { .. })
    ));
    let few = Limits {
        max_entries: 5,
        ..tight
    };
    assert!(matches!(
        enroll(&mut eca, &files, &zip_of(&entries), NOW, &few, None),
        Err(DcmError::TooManyEntries { .. })
    ));
}
