//! Setup shared by the HTTPS integration tests: devices enrolled at the directory's ECA
//! (the DCM path is exercised by `root_scenarios`), the directory's certificates, and
//! bounded downloads that kick the RA pipeline. Each test binary uses a part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use scms_asn1::ieee1609dot2::{Certificate, Psid, PsidSspRange, SspRange, SubjectPermissions};
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::sign::reconstruct_private_key;
use scms_core::signer::KeyPair;
use scms_crypto::Scalar;
use scms_eca::{Eca, EcaConfig};
use scms_ee::client::{Client, RaTransport};
use scms_ee::device::{DeviceConfig, DeviceDir, ENROLLMENT_KEY};
use scms_ee::messages::PSID_SPAT;
use scms_ee::provision::Device;
use scms_serve::Running;
use scms_store::keystore::Keystore;

/// How long a test waits for the RA pipeline to deliver.
pub const WAIT: Duration = Duration::from_secs(60);

/// A certificate of the directory (`certs/<name>.oer`).
pub fn cert(layout: &Layout, name: &str) -> Certificate {
    Certificate::from_coer(&std::fs::read(layout.cert(name)).unwrap()).unwrap()
}

/// The directory's ECA, with its key from the keystore.
pub fn eca(layout: &Layout) -> Eca {
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap()
}

/// A device enrolled by `eca` at `now` and installed in `base/name` with the directory's
/// trust files (root, ECA, RA, LCCF, LPF, CRL). An RSE also holds SPaT (SSP 90 01) and
/// misbehavior-report (0x26) permissions.
pub fn device(
    layout: &Layout,
    eca: &mut Eca,
    base: &Path,
    name: &str,
    rse: bool,
    now: u32,
) -> Device {
    let req_key = KeyPair::generate().unwrap();
    let csr = scms_eca::testing::obe_request(&req_key, now, |r| {
        if rse {
            let perms = r.tbs_data.cert_request_permissions.as_mut().unwrap();
            perms[0].subject_permissions = SubjectPermissions::Explicit(vec![
                PsidSspRange {
                    psid: Psid::new(0x26),
                    ssp_range: Some(SspRange::Opaque(vec![])),
                },
                PsidSspRange {
                    psid: Psid::new(PSID_SPAT),
                    ssp_range: Some(SspRange::Opaque(vec![scms_asn1::coer::OctetString(vec![
                        0x90, 0x01,
                    ])])),
                },
            ]);
        }
    })
    .unwrap();
    let resp = eca.process(&csr, now).unwrap();
    let r = Scalar::from_bytes(&resp.priv_key_reconstruction).unwrap();
    let key = reconstruct_private_key(
        &resp.enrollment_cert,
        eca.certificate(),
        req_key.private(),
        &r,
    )
    .unwrap();
    let d = DeviceDir::new(base.join(name));
    std::fs::create_dir_all(d.trust_dir()).unwrap();
    let keys = Keystore::open(&d.keys_dir(), None).unwrap();
    keys.store_private_key(ENROLLMENT_KEY, &key).unwrap();
    std::fs::write(d.enrollment_cert_path(), resp.enrollment_cert.to_coer()).unwrap();
    for (file, cert) in [("root.oer", "root"), ("ECA.oer", "eca"), ("RA.oer", "ra")] {
        std::fs::copy(layout.cert(cert), d.trust_dir().join(file)).unwrap();
    }
    for f in ["LCCF.oer", "LPF.oer", "CRL.oer"] {
        std::fs::copy(layout.file(f), d.trust_dir().join(f)).unwrap();
    }
    d.save_config(&DeviceConfig {
        kind: if rse { "rse" } else { "obe" }.into(),
        device_id: name.into(),
        ra_hostname: None,
        eca_hostname: None,
        bootstrapped_at: Some(now),
        quorum: None,
    })
    .unwrap();
    Device::open(&d, keys).unwrap()
}

/// Downloads until `want` certificates arrived (at most [`WAIT`]), kicking the RA
/// pipeline; fails the test if fewer arrived. Returns how many arrived.
pub fn download_all<T: RaTransport>(running: &Running, c: &mut Client<T>, want: usize) -> usize {
    let deadline = Instant::now() + WAIT;
    let mut got = 0;
    while got < want && Instant::now() < deadline {
        running.kick_ra();
        got += c.download().unwrap().certificates;
        if got < want {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    assert!(got >= want, "{got} of {want} certificates downloaded");
    got
}
