#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Crash safety of pre-generation through the real binary: `scms serve` (all-in-one, real
//! clock, 127.0.0.1 ports from the configuration file) is SIGKILLed while it pre-generates
//! the pseudonym supply of two devices, then restarted. After completion every device
//! has downloaded exactly its certificates (none lost) and the PCA issued exactly as many,
//! with distinct linkage values (none duplicated).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scms_asn1::ieee1609dot2::CertificateId;
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::sign::reconstruct_private_key;
use scms_core::signer::KeyPair;
use scms_core::time::{i_period, Clock, SystemClock};
use scms_crypto::Scalar;
use scms_eca::{Eca, EcaConfig};
use scms_ee::client::{Client, HttpsTransport};
use scms_ee::device::{DeviceConfig, DeviceDir, ENROLLMENT_KEY};
use scms_ee::provision::{Device, RequestKind};
use scms_store::keystore::Keystore;
use scms_store::pca::{PcaStore, SqlitePcaStore};

/// Weeks of pseudonym supply (`max_available_cert_supply` of the configuration).
const WEEKS: u32 = 12;
/// Certificates per week.
const PER_WEEK: usize = 20;
/// Devices.
const DEVICES: usize = 2;
/// Bound of every wait.
const WAIT: Duration = Duration::from_secs(60);

/// The server process, killed (SIGKILL) when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `scms serve --dir DIR all --initial-provisioning-bypass` and waits until it
/// prints the LOP's address (the last service started).
fn serve(dir: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["serve", "--dir", dir.to_str().unwrap(), "all"])
        .args(["--initial-provisioning-bypass", "--step-interval", "1"])
        .env("RUST_LOG", "warn")
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
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("scms serve did not start");
        if let Some(url) = line.strip_prefix("lop ") {
            return (server, url.trim().to_owned());
        }
    }
}

/// Free 127.0.0.1 ports (bound together, then released).
fn free_ports(n: usize) -> Vec<u16> {
    let ls: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    ls.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

/// A device enrolled by the ECA now and installed in `base/name` as bootstrap leaves it.
fn device(layout: &Layout, eca: &mut Eca, base: &Path, name: &str) -> Device {
    let now = SystemClock.now();
    let req_key = KeyPair::generate().unwrap();
    let csr = scms_eca::testing::obe_request(&req_key, now, |_| {}).unwrap();
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
        kind: "obe".into(),
        device_id: name.into(),
        ra_hostname: None,
        eca_hostname: None,
        bootstrapped_at: Some(now),
        quorum: None,
    })
    .unwrap();
    Device::open(&d, keys).unwrap()
}

/// Pseudonym certificates the PCA has recorded (intent or issued), read-only.
fn pca_count(layout: &Layout) -> u64 {
    let path = layout.state("pca").join("pca.sqlite");
    if !path.exists() {
        return 0;
    }
    SqlitePcaStore::open(&path)
        .and_then(|s| s.count())
        .unwrap_or(0)
}

#[test]
fn sigkill_during_pregeneration_loses_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scms");
    let p = free_ports(7);
    let config = format!(
        "[ports]\nra = {}\nma = {}\npca = {}\nla1 = {}\nla2 = {}\npg = {}\nlop = {}\n\n\
         [global_policy]\nmax_available_cert_supply = \"{} hours\"\n",
        p[0],
        p[1],
        p[2],
        p[3],
        p[4],
        p[5],
        p[6],
        WEEKS * 168
    );
    let config_path = tmp.path().join("scms-config.toml");
    std::fs::write(&config_path, config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["init", "--dir", dir.to_str().unwrap(), "--config"])
        .arg(&config_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let layout = Layout::new(&dir);
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let mut eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
    let root_pem = std::fs::read(layout.tls().join("root.pem")).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    let (server, lop) = serve(&dir);
    let mut clients = Vec::new();
    for k in 0..DEVICES {
        let dev = device(&layout, &mut eca, tmp.path(), &format!("obe{k}"));
        let t = HttpsTransport::new(&lop, &root_pem, Duration::from_secs(10)).unwrap();
        let mut c = Client::new(dev, t, clock.clone())
            .unwrap()
            .with_sleeper(Box::new(|s| {
                std::thread::sleep(Duration::from_millis(100 * u64::from(s)))
            }));
        c.policy.supply_periods = WEEKS;
        c.request(RequestKind::Pseudonym, None).unwrap();
        clients.push(c);
    }
    let total = DEVICES * WEEKS as usize * PER_WEEK;

    // Wait until pre-generation is under way, then SIGKILL the server.
    let deadline = Instant::now() + WAIT;
    while pca_count(&layout) < (PER_WEEK * 2) as u64 {
        assert!(Instant::now() < deadline, "pre-generation did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(server);
    let at_kill = pca_count(&layout);
    eprintln!("killed with {at_kill} of {total} certificates recorded by the PCA");
    assert!(
        at_kill < total as u64,
        "the server finished ({at_kill} of {total}) before it was killed"
    );

    // Restart; the devices download everything (bounded).
    let (server, _) = serve(&dir);
    let mut got = vec![0usize; DEVICES];
    let deadline = Instant::now() + WAIT;
    while got.iter().sum::<usize>() < total {
        assert!(
            Instant::now() < deadline,
            "only {got:?} of {total} certificates after the restart (PCA: {})",
            pca_count(&layout)
        );
        for (c, g) in clients.iter_mut().zip(got.iter_mut()) {
            if *g < WEEKS as usize * PER_WEEK {
                *g += c.download().unwrap().certificates;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(server);

    // None lost: every device holds 20 certificates for each week of the supply.
    // None duplicated: the PCA issued exactly that many, all linkage values distinct.
    let cur = i_period(clock.now()).unwrap();
    let mut lvs = HashSet::new();
    for c in &clients {
        let first = c.store.batches()[0];
        assert!(first == cur || first + 1 == cur, "{first} {cur}");
        assert_eq!(c.store.batches().len(), WEEKS as usize);
        for i in c.store.batches() {
            let js = c.store.pseudonym_js(i);
            assert_eq!(js.len(), PER_WEEK, "week {i}");
            for j in js {
                let s = c.store.pseudonym(i, j).unwrap().unwrap();
                let CertificateId::LinkageData(ld) = &s.cert.to_be_signed.id else {
                    panic!("no linkage data");
                };
                assert!(lvs.insert(ld.linkage_value), "duplicate linkage value");
            }
        }
    }
    assert_eq!(got, vec![WEEKS as usize * PER_WEEK; DEVICES]);
    assert_eq!(lvs.len(), total);
    assert_eq!(pca_count(&layout), total as u64);
}
