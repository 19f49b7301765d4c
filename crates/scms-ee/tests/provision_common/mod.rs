//! Test support for the provisioning tests: a real `scms init` hierarchy, devices enrolled
//! by the ECA and installed in device directories as bootstrap leaves them, and the RA,
//! LA and PCA libraries wired in-process behind an [`RaTransport`].
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use scms_asn1::ieee1609dot2::{Certificate, Psid, PsidSspRange, SspRange, SubjectPermissions};
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::sign::reconstruct_private_key;
use scms_core::signer::KeyPair;
use scms_core::time::ManualClock;
use scms_crypto::Scalar;
use scms_eca::{Eca, EcaConfig};
use scms_ee::client::{RaTransport, Response, TransportError};
use scms_ee::device::{DeviceConfig, DeviceDir, ENROLLMENT_KEY};
use scms_ee::provision::Device;
use scms_ra::{DownloadKind, LaClient, LaIndex, PcaClient, Ra, RaError, RaOptions, Served};
use scms_store::keystore::Keystore;

/// 2017-08-28 17:31:07 UTC, i = 137.
pub const T0: u32 = 431_026_272;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub layout: Layout,
    pub eca: Mutex<Eca>,
}

pub fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::new(dir.path().join("scms"));
    let cfg = scms_ca::Config {
        // The hierarchy starts at the i-period start, so this week's pseudonyms fit.
        start: scms_core::time::i_period(T0).and_then(scms_core::time::i_period_start),
        la1_id: Some(0x1111),
        la2_id: Some(0x2222),
        ..Default::default()
    };
    scms_ca::init(&layout, &cfg, None).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
    Env {
        dir,
        layout,
        eca: Mutex::new(eca),
    }
}

impl Env {
    pub fn cert(&self, name: &str) -> Certificate {
        Certificate::from_coer(&std::fs::read(self.layout.cert(name)).unwrap()).unwrap()
    }

    pub fn keys(&self) -> Keystore {
        Keystore::open(&self.layout.keys(), None).unwrap()
    }

    /// A device enrolled at `now` and installed in `dir/<name>` as bootstrap leaves it.
    pub fn device(&self, name: &str, rse: bool, now: u32) -> Device {
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
                        psid: Psid::new(0x82),
                        ssp_range: Some(SspRange::Opaque(vec![scms_asn1::coer::OctetString(
                            vec![0x90, 0x01],
                        )])),
                    },
                ]);
            }
        })
        .unwrap();
        let mut eca = self.eca.lock().unwrap();
        let resp = eca.process(&csr, now).unwrap();
        let r = Scalar::from_bytes(&resp.priv_key_reconstruction).unwrap();
        let key = reconstruct_private_key(
            &resp.enrollment_cert,
            eca.certificate(),
            req_key.private(),
            &r,
        )
        .unwrap();
        let d = DeviceDir::new(self.dir.path().join(name));
        std::fs::create_dir_all(d.trust_dir()).unwrap();
        let keys = Keystore::open(&d.keys_dir(), None).unwrap();
        keys.store_private_key(ENROLLMENT_KEY, &key).unwrap();
        std::fs::write(d.enrollment_cert_path(), resp.enrollment_cert.to_coer()).unwrap();
        for (file, cert) in [("root.oer", "root"), ("ECA.oer", "eca"), ("RA.oer", "ra")] {
            std::fs::write(d.trust_dir().join(file), self.cert(cert).to_coer()).unwrap();
        }
        for f in ["LCCF.oer", "LPF.oer", "CRL.oer"] {
            std::fs::copy(self.layout.file(f), d.trust_dir().join(f)).unwrap();
        }
        // The initial electors, as bootstrap installs them from the DCM's zip.
        let electors = d.trust_dir().join("electors");
        std::fs::create_dir_all(&electors).unwrap();
        for k in 1..=3 {
            let name = format!("elector-{k}");
            std::fs::copy(
                self.layout.cert(&name),
                electors.join(format!("{name}.oer")),
            )
            .unwrap();
        }
        d.save_config(&DeviceConfig {
            kind: if rse { "rse" } else { "obe" }.into(),
            device_id: name.into(),
            ra_hostname: Some("ra.example".into()),
            eca_hostname: None,
            bootstrapped_at: Some(now),
            quorum: None,
        })
        .unwrap();
        Device::open(&d, keys).unwrap()
    }
}

struct Las(Mutex<scms_la::La>, Mutex<scms_la::La>);
impl LaClient for Las {
    fn pre_linkage_values(&self, which: LaIndex, request: Vec<u8>) -> Result<Vec<u8>, RaError> {
        let la = match which {
            LaIndex::La1 => &self.0,
            LaIndex::La2 => &self.1,
        };
        la.lock()
            .unwrap()
            .handle(&request)
            .map_err(|e| RaError::peer(which.name(), e.to_string()))
    }
}

struct PcaLink(Mutex<scms_pca::Pca>);
impl PcaClient for PcaLink {
    fn certify(&self, request: Vec<u8>) -> Result<Vec<u8>, RaError> {
        self.0
            .lock()
            .unwrap()
            .handle(&request)
            .map_err(|e| RaError::peer("pca", e.to_string()))
    }
}

/// The RA (with its LAs and PCA) in-process, at the time of a shared manual clock.
pub struct InProcess {
    pub ra: Ra,
    pub clock: Arc<ManualClock>,
    /// Cut every download body after this many bytes once (to test `Range`).
    pub cut_next: Mutex<Option<usize>>,
    pub log: Mutex<Vec<String>>,
}

pub fn in_process(env: &Env, clock: Arc<ManualClock>, supply_weeks: u32) -> InProcess {
    let keys = env.keys();
    let la1 = scms_la::La::open(&env.layout, &keys, scms_la::Which::La1, clock.clone()).unwrap();
    let la2 = scms_la::La::open(&env.layout, &keys, scms_la::Which::La2, clock.clone()).unwrap();
    let pca = scms_pca::Pca::open(&env.layout, &keys, clock.clone()).unwrap();
    let ra = Ra::open(
        env.layout.root(),
        RaOptions {
            supply_weeks: Some(supply_weeks),
            initial_provisioning_bypass: true,
            ..Default::default()
        },
        Arc::new(Las(Mutex::new(la1), Mutex::new(la2))),
        Arc::new(PcaLink(Mutex::new(pca))),
    )
    .unwrap();
    InProcess {
        ra,
        clock,
        cut_next: Mutex::new(None),
        log: Mutex::new(Vec::new()),
    }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl RaTransport for InProcess {
    fn post(&self, path: &str, body: &[u8]) -> Result<Vec<u8>, TransportError> {
        use scms_core::time::Clock;
        let now = self.clock.now();
        self.log.lock().unwrap().push(format!("POST {path}"));
        let r = match path {
            "/provision-pseudonym-certificate-batch" => self.ra.provision_pseudonym(body, now),
            "/provision-identity-certificate" => self.ra.provision_identity(body, now),
            "/provision-application-certificate" => self.ra.provision_application(body, now),
            _ => return Err(TransportError::Status(404)),
        };
        r.map_err(|e| {
            self.log.lock().unwrap().push(format!("500 {e}"));
            TransportError::Status(500)
        })
    }

    fn get(&self, path: &str, headers: &[(String, String)]) -> Result<Response, TransportError> {
        use scms_core::time::Clock;
        let now = self.clock.now();
        self.log.lock().unwrap().push(format!("GET {path}"));
        let ok = |status: u16, name: Option<String>, body: Vec<u8>| {
            Ok(Response {
                status,
                headers: name
                    .map(|n| vec![("etag".to_owned(), format!("\"{n}\""))])
                    .unwrap_or_default(),
                body,
            })
        };
        let served = match path {
            "/download/policy/local" => {
                Some(self.ra.local_policy(header(headers, "If-None-Match")))
            }
            "/download/local-certificate-chain" => Some(
                self.ra
                    .local_certificate_chain(header(headers, "If-None-Match")),
            ),
            _ => None,
        };
        if let Some(s) = served {
            return match s {
                Ok(Served::NotModified) => ok(304, None, vec![]),
                Ok(Served::File(f)) => ok(200, Some(f.name), f.bytes),
                Err(_) => ok(500, None, vec![]),
            };
        }
        let kind = match path {
            "/download/batch" => DownloadKind::Batch,
            "/download/info" => DownloadKind::Info,
            "/download/identity-certificate" => DownloadKind::Identity,
            "/download/application-certificate" => DownloadKind::Application,
            _ => return ok(404, None, vec![]),
        };
        if let Some(r) = header(headers, "Range") {
            self.log.lock().unwrap().push(format!("Range {r}"));
        }
        let Some(req) = header(headers, "Download-Req") else {
            return ok(500, None, vec![]);
        };
        let f = match self.ra.download(kind, req, now) {
            Ok(f) => f,
            Err(e) => {
                self.log.lock().unwrap().push(format!("500 {e}"));
                return ok(500, None, vec![]);
            }
        };
        let (status, mut body) = match header(headers, "Range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) if n <= f.bytes.len() => (206, f.bytes[n..].to_vec()),
            _ => (200, f.bytes),
        };
        if let Some(cut) = self.cut_next.lock().unwrap().take() {
            if cut < body.len() {
                body.truncate(cut);
                return Err(TransportError::Interrupted {
                    partial: body,
                    status,
                });
            }
        }
        ok(status, None, body)
    }
}
