//! Bootstrap tests on an in-memory hierarchy: root → ICA → {ECA, RA}, the ECA issuing
//! implicit enrollment certificates, zipped as in seed 004 Code Block 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use scms_asn1::camp::cert_chain_files::{
    CertificateChainFiles, CertificateStore, CompositeVersion, LocalCertificateChainFile,
};
use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, Duration, Hostname, Psid, PsidSspRange, SspRange,
    SubjectPermissions, Time32, ToBeSignedCertificate,
};
use scms_asn1::Coer;
use scms_core::hash::certificate_id3;
use scms_core::sign::issue_implicit;
use scms_core::signer::{KeyPair, Signer};
use scms_crypto::default_backend;

use super::*;
use crate::device::{DeviceDir, DeviceError, REQUEST_KEY};
use crate::enrollment::{keygen, parse_request, CsrParams, DeviceKind, EnrollmentCsr};

const T0: Time32 = 431_026_272;
const NOW: Time32 = T0 + 3_600;

struct Pki {
    root: Certificate,
    ica: Certificate,
    eca_key: KeyPair,
    eca: Certificate,
    ra: Certificate,
}

fn pki() -> Pki {
    // A profile-conformant hierarchy (root → ICA → ECA, RA), as `scms init` makes.
    let t = scms_eca::testing::TestPki::new(T0 - 86_400).unwrap();
    let eca_key = KeyPair::from_private(t.eca_private_key().unwrap()).unwrap();
    Pki {
        root: t.root,
        ica: t.ica,
        eca_key,
        eca: t.eca,
        ra: t.ra,
    }
}

/// A device's CSR and the ECA's answer to it (certificate, reconstruction value).
struct Issued {
    csr: EnrollmentCsr,
    cert: Certificate,
    r: [u8; 32],
}

fn issue(pki: &Pki, csr: EnrollmentCsr, edit: impl FnOnce(&mut ToBeSignedCertificate)) -> Issued {
    let req = parse_request(&csr.request).unwrap();
    let mut tbs = req.request.tbs_data.clone();
    tbs.id = CertificateId::Name(Hostname::new("").unwrap());
    tbs.craca_id = certificate_id3(&pki.root);
    edit(&mut tbs);
    let (cert, r) =
        issue_implicit(default_backend(), &pki.eca_key, &pki.eca, tbs, &req.key).unwrap();
    Issued {
        csr,
        cert,
        r: r.to_bytes(),
    }
}

fn device(pki: &Pki) -> Issued {
    let csr = keygen(&CsrParams::new(DeviceKind::Obe), T0).unwrap();
    issue(pki, csr, |_| {})
}

fn lccf(pki: &Pki) -> Vec<u8> {
    ScmsFile {
        version: 1,
        content: ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(
            LocalCertificateChainFile {
                version: CompositeVersion {
                    gccf_version: 1,
                    lccf_version: 1,
                    ra_hostname: Hostname::new("ra.v2xscms.com").unwrap(),
                },
                required_cert_store: CertificateStore {
                    root_ca_endorsements: vec![],
                    elector_endorsements: vec![],
                    ma_certificate: pki.ica.clone(),
                    certs: vec![pki.ica.clone()],
                },
                optional_cert_list: vec![],
            },
        )),
    }
    .to_coer()
}

fn stem(i: &Issued) -> String {
    i.csr.file_name.strip_suffix(".oer").unwrap().to_owned()
}

/// The response zip: shared files plus one directory per device, with overrides.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn entries(pki: &Pki, devices: &[&Issued]) -> Vec<(String, Vec<u8>)> {
    let crl = CompositeCrl {
        secured_crl_series: vec![],
        revoked_root_cas: vec![],
        revoked_electors: vec![],
    }
    .to_coer();
    let mut v = vec![
        ("root.oer".to_owned(), pki.root.to_coer()),
        ("LCCF.oer".to_owned(), lccf(pki)),
        ("LPF.oer".to_owned(), lccf(pki)),
        ("CRL.oer".to_owned(), crl),
        (
            "root.tls".to_owned(),
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec(),
        ),
    ];
    for d in devices {
        let s = stem(d);
        v.push((format!("{s}/RA.oer"), pki.ra.to_coer()));
        v.push((format!("{s}/ECA.oer"), pki.eca.to_coer()));
        v.push((format!("{s}/enrollment.oer"), d.cert.to_coer()));
        v.push((format!("{s}/enrollment.s"), d.r.to_vec()));
    }
    v
}

fn set(entries: &mut [(String, Vec<u8>)], name: &str, bytes: Vec<u8>) {
    let e = entries.iter_mut().find(|(n, _)| n == name).unwrap();
    e.1 = bytes;
}

fn run(zip: &[u8], d: &Issued, id: &str) -> Result<DeviceTrust, BootstrapError> {
    let pending = PendingRequest {
        kind: DeviceKind::Obe,
        request: &d.csr.request,
        key: &d.csr.key,
    };
    bootstrap(zip, id, &pending, NOW)
}

#[test]
fn happy_path_checks_and_stores() {
    let pki = pki();
    let (a, b) = (device(&pki), device(&pki));
    let zip = zip_of(&entries(&pki, &[&a, &b]));
    let trust = run(&zip, &a, &stem(&a)).unwrap();
    assert_eq!(trust.ra_hostname, "ra.v2xscms.com");
    assert_eq!(trust.eca_hostname.as_deref(), Some("eca.v2xscms.com"));
    assert_eq!(trust.enrollment_cert, a.cert);

    // The reconstructed key signs for the certificate's public key.
    let eca_key = *pki.eca_key.public_key();
    let q = certificate_key(
        default_backend(),
        &a.cert,
        Some(Issuer {
            cert: &pki.eca,
            key: &eca_key,
        }),
    )
    .unwrap();
    assert_eq!(*trust.enrollment_key.public_key(), q);

    // Store into a device directory prepared by keygen.
    let tmp = tempfile::tempdir().unwrap();
    let dir = DeviceDir::new(tmp.path().join("dev"));
    let keys = scms_store::Keystore::open(&dir.keys_dir(), None).unwrap();
    dir.init_request(&keys, DeviceKind::Obe, &a.csr).unwrap();
    assert!(keys.exists(REQUEST_KEY).unwrap());
    let written = trust.store(&dir, &keys, NOW).unwrap();
    assert!(written.contains(&dir.enrollment_cert_path()));
    for f in [
        "root.oer", "ECA.oer", "RA.oer", "LCCF.oer", "LPF.oer", "CRL.oer", "root.tls",
    ] {
        assert!(dir.trust_dir().join(f).is_file(), "{f}");
    }
    assert_eq!(
        std::fs::read(dir.enrollment_cert_path()).unwrap(),
        a.cert.to_coer()
    );
    let loaded = keys.load_key_pair(ENROLLMENT_KEY).unwrap();
    assert_eq!(loaded.public_key(), trust.enrollment_key.public_key());
    {
        use std::os::unix::fs::PermissionsExt;
        let file = std::fs::read_dir(dir.keys_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_stem().is_some_and(|s| s == ENROLLMENT_KEY))
            .unwrap();
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let cfg = dir.load_config().unwrap();
    assert_eq!(cfg.kind, "obe");
    assert_eq!(cfg.device_id, stem(&a));
    assert_eq!(cfg.ra_hostname.as_deref(), Some("ra.v2xscms.com"));
    assert_eq!(cfg.bootstrapped_at, Some(NOW));
    // No staging left behind; a second store is refused.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".bootstrap"))
        .collect();
    assert!(leftovers.is_empty());
    assert!(matches!(
        trust.store(&dir, &keys, NOW),
        Err(BootstrapError::Device(DeviceError::AlreadyBootstrapped(_)))
    ));
}

#[test]
fn wrong_device_id() {
    let pki = pki();
    let (a, b) = (device(&pki), device(&pki));
    // The zip only has b's directory.
    let zip = zip_of(&entries(&pki, &[&b]));
    assert!(matches!(
        run(&zip, &a, &stem(&a)),
        Err(BootstrapError::DeviceNotFound(_))
    ));
    // a's pending request with b's id.
    let zip = zip_of(&entries(&pki, &[&a, &b]));
    assert!(matches!(
        run(&zip, &a, &stem(&b)),
        Err(BootstrapError::DeviceIdMismatch { .. })
    ));
    assert!(matches!(
        run(&zip, &a, "../etc"),
        Err(BootstrapError::InvalidDeviceId(_))
    ));
}

#[test]
fn key_mismatch_with_another_devices_reconstruction_value() {
    let pki = pki();
    let (a, b) = (device(&pki), device(&pki));
    let mut e = entries(&pki, &[&a, &b]);
    set(&mut e, &format!("{}/enrollment.s", stem(&a)), b.r.to_vec());
    assert!(matches!(
        run(&zip_of(&e), &a, &stem(&a)),
        Err(BootstrapError::KeyMismatch)
    ));
    // Another device's certificate in a's directory.
    let mut e = entries(&pki, &[&a, &b]);
    set(
        &mut e,
        &format!("{}/enrollment.oer", stem(&a)),
        b.cert.to_coer(),
    );
    assert!(matches!(
        run(&zip_of(&e), &a, &stem(&a)),
        Err(BootstrapError::KeyMismatch)
    ));
}

#[test]
fn tampered_eca_certificate() {
    let pki = pki();
    let a = device(&pki);
    let mut eca = pki.eca.clone();
    eca.to_be_signed.validity_period.duration = Duration::Years(50);
    let mut e = entries(&pki, &[&a]);
    set(&mut e, &format!("{}/ECA.oer", stem(&a)), eca.to_coer());
    match run(&zip_of(&e), &a, &stem(&a)) {
        Err(BootstrapError::BadSignature { file, .. }) => assert_eq!(file, "ECA.oer"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn chain_to_a_different_root() {
    let pki = pki();
    let other = pki_other_root();
    let a = device(&pki);
    let mut e = entries(&pki, &[&a]);
    set(&mut e, "root.oer", other.to_coer());
    assert!(matches!(
        run(&zip_of(&e), &a, &stem(&a)),
        Err(BootstrapError::UnknownIssuer(_))
    ));
}

fn pki_other_root() -> Certificate {
    pki().root
}

#[test]
fn unsafe_entries_are_refused() {
    let pki = pki();
    let a = device(&pki);
    let mut e = entries(&pki, &[&a]);
    e.push(("../evil".to_owned(), b"x".to_vec()));
    assert!(matches!(
        run(&zip_of(&e), &a, &stem(&a)),
        Err(BootstrapError::UnsafeEntry(_))
    ));
}

#[test]
fn missing_shared_file() {
    let pki = pki();
    let a = device(&pki);
    let e: Vec<_> = entries(&pki, &[&a])
        .into_iter()
        .filter(|(n, _)| n != "CRL.oer")
        .collect();
    match run(&zip_of(&e), &a, &stem(&a)) {
        Err(BootstrapError::MissingFile(f)) => assert_eq!(f, "CRL.oer"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn permissions_and_validity_must_match_the_request() {
    let pki = pki();
    let csr = keygen(&CsrParams::new(DeviceKind::Obe), T0).unwrap();
    let a = issue(&pki, csr, |t| {
        if let Some(g) = t.cert_request_permissions.as_mut() {
            g[0].subject_permissions = SubjectPermissions::Explicit(vec![PsidSspRange {
                psid: Psid::new(0x27),
                ssp_range: Some(SspRange::Opaque(vec![])),
            }]);
        }
    });
    assert!(matches!(
        run(&zip_of(&entries(&pki, &[&a])), &a, &stem(&a)),
        Err(BootstrapError::PermissionsMismatch(_))
    ));

    let csr = keygen(&CsrParams::new(DeviceKind::Obe), T0).unwrap();
    let b = issue(&pki, csr, |t| {
        t.validity_period.duration = Duration::Hours(9000)
    });
    assert!(matches!(
        run(&zip_of(&entries(&pki, &[&b])), &b, &stem(&b)),
        Err(BootstrapError::ValidityMismatch(_))
    ));

    // Expired by the time of bootstrapping.
    let c = device(&pki);
    let pending = PendingRequest {
        kind: DeviceKind::Obe,
        request: &c.csr.request,
        key: &c.csr.key,
    };
    let late = T0 + 4321 * 3600;
    assert!(matches!(
        bootstrap(&zip_of(&entries(&pki, &[&c])), &stem(&c), &pending, late),
        Err(BootstrapError::NotValid { .. })
    ));
}

#[test]
fn request_key_must_be_the_csrs() {
    let pki = pki();
    let (a, b) = (device(&pki), device(&pki));
    let pending = PendingRequest {
        kind: DeviceKind::Obe,
        request: &a.csr.request,
        key: &b.csr.key,
    };
    assert!(matches!(
        bootstrap(&zip_of(&entries(&pki, &[&a])), &stem(&a), &pending, NOW),
        Err(BootstrapError::RequestKeyMismatch)
    ));
}

#[test]
fn reconstruction_value_as_hex_is_accepted() {
    let pki = pki();
    let a = device(&pki);
    let mut e = entries(&pki, &[&a]);
    set(
        &mut e,
        &format!("{}/enrollment.s", stem(&a)),
        format!("{}\n", hex::encode(a.r)).into_bytes(),
    );
    run(&zip_of(&e), &a, &stem(&a)).unwrap();
}

#[test]
fn dcm_rejection_is_reported() {
    let pki = pki();
    let a = device(&pki);
    let mut e: Vec<_> = entries(&pki, &[]).into_iter().collect();
    e.push((
        format!("{}/error.txt", stem(&a)),
        b"x.oer: rejected\nregion not allowed\n".to_vec(),
    ));
    match run(&zip_of(&e), &a, &stem(&a)) {
        Err(BootstrapError::RejectedByDcm(t)) => assert!(t.contains("region"), "{t}"),
        other => panic!("{other:?}"),
    }
}
