//! Interoperability with the DCM and ECA crates: a CSR from `keygen` goes through
//! `scms_dcm::enroll` (the real ECA), and the response zip bootstraps the device.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use scms_asn1::camp::cert_chain_files::{
    CertificateChainFiles, CertificateStore, CompositeVersion, LocalCertificateChainFile,
};
use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::Hostname;
use scms_asn1::Coer;
use scms_dcm::{enroll, BootstrapFiles, Limits};
use scms_eca::testing::TestPki;
use scms_eca::EcaConfig;
use scms_ee::bootstrap::{bootstrap, BootstrapError, PendingRequest};
use scms_ee::enrollment::{keygen, CsrParams, DeviceKind};

const T0: u32 = 431_026_272;

fn files(pki: &TestPki) -> BootstrapFiles {
    let lccf = ScmsFile {
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
    .to_coer();
    BootstrapFiles {
        root: pki.root.to_coer(),
        lccf: lccf.clone(),
        lpf: lccf,
        crl: CompositeCrl {
            secured_crl_series: vec![],
            revoked_root_cas: vec![],
            revoked_electors: vec![],
        }
        .to_coer(),
        root_tls: b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec(),
        ra: pki.ra.to_coer(),
        electors: Vec::new(),
        quorum: None,
    }
}

#[test]
fn keygen_dcm_enroll_bootstrap() {
    let pki = TestPki::new(T0 - 86_400).unwrap();
    let mut eca = pki.eca_with(EcaConfig::default()).unwrap();
    let mut params = CsrParams::new(DeviceKind::Obe);
    params.regions = vec![840];
    let (a, b) = (keygen(&params, T0).unwrap(), keygen(&params, T0).unwrap());

    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for c in [&a, &b] {
        w.start_file(
            c.file_name.as_str(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(&c.request).unwrap();
    }
    let requests = w.finish().unwrap().into_inner();
    let now = T0 + 60;
    let (responses, report) = enroll(
        &mut eca,
        &files(&pki),
        &requests,
        now,
        &Limits::default(),
        None,
    )
    .unwrap();
    assert_eq!(report.accepted(), 2, "{report:?}");

    let stem = a.file_name.strip_suffix(".oer").unwrap();
    let pending = PendingRequest {
        kind: DeviceKind::Obe,
        request: &a.request,
        key: &a.key,
    };
    let trust = bootstrap(&responses, stem, &pending, now + 60).unwrap();
    assert_eq!(trust.device_id, stem);
    assert!(!trust.ra_hostname.is_empty());

    // b's directory with a's key: the reconstructed key cannot match.
    let b_stem = b.file_name.strip_suffix(".oer").unwrap();
    assert!(matches!(
        bootstrap(&responses, b_stem, &pending, now + 60),
        Err(BootstrapError::DeviceIdMismatch { .. })
    ));
}
