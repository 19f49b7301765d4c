//! The devices and the simulated weeks: bootstrap, provisioning, traffic, misbehavior.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scms_asn1::camp::eca_ee::{EcaEndEntityInterfacePDU, EeEcaCertRequest};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, HashedId8, Ieee1609Dot2Content, Ieee1609Dot2Data, NinetyDegreeInt,
    OneEightyDegreeInt, SignerIdentifier, ThreeDLocation,
};
use scms_asn1::ieee1609dot2::{Psid, SspRange, SubjectPermissions};
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::hash::certificate_id8;
use scms_core::sign::{sign_certificate_request, SignerId};
use scms_core::signer::{KeyPair, Signer as _};
use scms_core::time::{
    i_period, i_period_start, time64_from_time32, validity_end, Clock, ManualClock,
};
use scms_ee::certstore::Stored;
use scms_ee::client::{Client, HttpsTransport, RaTransport, Response, TransportError};
use scms_ee::device::{DeviceDir, REQUEST_KEY};
use scms_ee::enrollment::{keygen, CsrParams, DeviceKind};
use scms_ee::messages::{MessageError, MessageSigner, Verifier, PSID_BSM, PSID_SPAT};
use scms_ee::misbehavior::{build_report, Reporter};
use scms_ee::provision::{Device, ProvisionError, RequestKind};
use scms_ee::PendingRequest;
use scms_ma::bsm::{distance_m, Bsm};
use scms_serve::Running;
use scms_store::keystore::Keystore;

use crate::revocation;
use crate::rng::Rng;
use crate::road::{Car, Road};
use crate::stats::{Summary, REVOKED};
use crate::{io, DemoError, Options, Phases, Ui};

/// The EE's misbehavior report path at the RA.
const REPORT_PATH: &str = "/process-misbehavior-report";
/// Longest simulated misbehavior before the reports must have flagged it, seconds.
const MAX_MISBEHAVIOR_SECONDS: u32 = 120;
/// Position jump of the misbehaving vehicle, metres (north of its real position).
const JUMP_M: f64 = 1_500.0;
/// Reports at most this many (one per reporting vehicle).
const MAX_REPORTS: u64 = 6;

/// One HTTPS transport (one connection pool) shared by every device of the demo.
#[derive(Clone)]
pub(crate) struct Shared(pub(crate) Arc<HttpsTransport>);

impl RaTransport for Shared {
    fn post(&self, path: &str, body: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.post(path, body)
    }

    fn get(&self, path: &str, headers: &[(String, String)]) -> Result<Response, TransportError> {
        self.0.get(path, headers)
    }
}

/// What a vehicle knows of the messages it hears.
pub(crate) struct Receiver {
    verifier: Verifier,
    /// Full certificates seen (for messages signed by digest).
    certs: HashMap<HashedId8, Certificate>,
    last: HashMap<HashedId8, Bsm>,
    recent: HashMap<HashedId8, Vec<Vec<u8>>>,
    reported: HashSet<HashedId8>,
}

pub(crate) struct Obe {
    pub(crate) name: String,
    pub(crate) client: Client<Shared>,
    car: Car,
    signer: MessageSigner,
    current: Option<(u64, Stored)>,
    pub(crate) rx: Receiver,
    blacklisted: bool,
}

struct Rse {
    name: String,
    client: Client<Shared>,
    s_m: f64,
    signer: MessageSigner,
    spat_cnt: u32,
}

struct Broadcast {
    from_vehicle: Option<usize>,
    s_m: f64,
    psid: u64,
    bytes: Vec<u8>,
}

fn reason(e: &MessageError) -> &'static str {
    match e {
        MessageError::Malformed(_) => "malformed",
        MessageError::UnknownSigner(_) => "unknown signer (no certificate yet)",
        MessageError::Chain(_) => "certificate chain invalid",
        MessageError::NotValidAt(_) => "certificate not valid at generation time",
        MessageError::PsidNotPermitted(_) => "PSID not permitted",
        MessageError::WrongPsid => "unexpected PSID",
        MessageError::Stale(..) => "stale generation time",
        MessageError::BadSignature => "bad signature",
        MessageError::Revoked(_) => REVOKED,
        _ => "other",
    }
}

/// The signer certificate of an SPDU: carried, or known by its digest.
fn signer_cert(bytes: &[u8], known: &HashMap<HashedId8, Certificate>) -> Option<Certificate> {
    let d = Ieee1609Dot2Data::from_coer(bytes).ok()?;
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return None;
    };
    match &sd.signer {
        SignerIdentifier::Certificate(l) if l.len() == 1 => Some(l[0].clone()),
        SignerIdentifier::Digest(h) => known.get(h).cloned(),
        _ => None,
    }
}

fn carries_certificate(bytes: &[u8]) -> bool {
    matches!(
        Ieee1609Dot2Data::from_coer(bytes).map(|d| d.content),
        Ok(Ieee1609Dot2Content::SignedData(sd)) if matches!(sd.signer, SignerIdentifier::Certificate(_))
    )
}

fn i_cert(cert: &Certificate) -> Option<u32> {
    match &cert.to_be_signed.id {
        CertificateId::LinkageData(ld) => Some(u32::from(ld.i_cert)),
        _ => None,
    }
}

impl Obe {
    /// Picks the pseudonym certificate to sign with at `now` into `current` (re-read from
    /// the store at each rotation); `false` when the certificate store's guard refuses the
    /// vehicle's certificates (they are revoked by a CRL it installed).
    fn refresh(&mut self, now: u32) -> Result<bool, DemoError> {
        let slot = u64::from(now / scms_ee::certstore::ROTATION_SECONDS);
        let fresh = matches!(&self.current, Some((s, c)) if *s == slot
            && scms_core::time::is_valid_at(&c.cert.to_be_signed.validity_period, now));
        if !fresh {
            self.current = None;
            let s = match self.client.store.current(now) {
                Ok(s) => s,
                Err(ProvisionError::Revoked(why)) => {
                    tracing::info!(vehicle = %self.name, %why, "own certificates refused");
                    return Ok(false);
                }
                Err(e) => return Err(DemoError::device(&self.name, "certificate store", e)),
            }
            .ok_or_else(|| {
                DemoError::device(&self.name, "signing", "no pseudonym certificate valid now")
            })?;
            self.current = Some((slot, s));
        }
        Ok(true)
    }

    /// Downloads and installs the CRL ([`revocation::install_crl`]); the receiver checks
    /// against the device's (possibly updated) trust store and the CRL's revocations from
    /// now on, and the next signing goes through the certificate store's renewed guard.
    fn install_crl(&mut self) -> Result<(bool, revocation::CrlFacts), DemoError> {
        let (v, facts) = revocation::install_crl(&mut self.client)?;
        let revokes = !v.revocations.is_empty();
        let dev = &self.client.device;
        self.rx
            .verifier
            .set_trust(dev.trust.clone(), dev.intermediates.clone());
        self.rx.verifier.set_revocations(v.revocations);
        self.current = None;
        Ok((revokes, facts))
    }

    fn stocked(&self, now: u32) -> bool {
        i_period(now)
            .is_some_and(|i| self.client.store.has_batch(i) && self.client.store.has_batch(i + 1))
    }
}

fn new_device(
    dir: &Path,
    name: &str,
    kind: DeviceKind,
    now: u32,
) -> Result<(DeviceDir, Keystore, scms_ee::EnrollmentCsr), DemoError> {
    let mut params = CsrParams::new(kind);
    let csr = if kind == DeviceKind::Rse {
        // SPaT (Intersection Safety and Awareness) next to the RSE defaults.
        params.psids.insert(0, Psid::new(PSID_SPAT));
        rse_csr(&params, now).map_err(|e| DemoError::device(name, "keygen", e))?
    } else {
        keygen(&params, now).map_err(|e| DemoError::device(name, "keygen", e))?
    };
    let d = DeviceDir::new(dir.join(name));
    std::fs::create_dir_all(d.path()).map_err(io(d.path()))?;
    let keys =
        Keystore::open(&d.keys_dir(), None).map_err(|e| DemoError::device(name, "keystore", e))?;
    d.init_request(&keys, kind, &csr)
        .map_err(|e| DemoError::device(name, "keygen", e))?;
    Ok((d, keys, csr))
}

/// SSP asked for PSID 0x82 (the first of the ECA profile's Intersection Safety SSPs).
const SPAT_SSP: [u8; 2] = [0x90, 0x01];

/// An RSE's keygen as [`keygen`], except that PSID 0x82 asks for [`SPAT_SSP`] (the ECA
/// grants 0x82 only with one of its listed SSPs).
fn rse_csr(
    params: &CsrParams,
    now: u32,
) -> Result<scms_ee::EnrollmentCsr, scms_ee::EnrollmentError> {
    let key = KeyPair::generate()?;
    let mut tbs_data = params.tbs_data(key.public_key(), now)?;
    for g in tbs_data.cert_request_permissions.iter_mut().flatten() {
        if let SubjectPermissions::Explicit(list) = &mut g.subject_permissions {
            for r in list.iter_mut().filter(|r| r.psid == Psid::new(PSID_SPAT)) {
                r.ssp_range = Some(SspRange::Opaque(vec![OctetString(SPAT_SSP.to_vec())]));
            }
        }
    }
    let scoped = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(
            EeEcaCertRequest {
                version: 1,
                current_time: now,
                tbs_data,
            },
        )),
    };
    let signed = sign_certificate_request(&key, scoped, SignerId::SelfSigned)?;
    let request = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(OctetString(signed.to_coer())),
    }
    .to_coer();
    let file_name = format!(
        "{}.oer",
        scms_ee::enrollment::enrollment_pub_hex(key.public_key())
    );
    Ok(scms_ee::EnrollmentCsr {
        key,
        request,
        file_name,
    })
}

/// Keygen → DCM/ECA → bootstrap for every device; returns the devices (vehicles first).
fn bootstrap_all(
    opts: &Options,
    layout: &Layout,
    devices_dir: &Path,
    now: u32,
    ui: &mut Ui<'_>,
    summary: &mut Summary,
) -> Result<Vec<(String, Device)>, DemoError> {
    let n = opts.vehicles + opts.rses;
    let bar = ui.bar(u64::from(n) * 2, "bootstrap (keygen, DCM, ECA)");
    let mut pending = Vec::new();
    for k in 0..n {
        let (name, kind) = if k < opts.vehicles {
            (format!("obe-{:02}", k + 1), DeviceKind::Obe)
        } else {
            (format!("rse-{:02}", k - opts.vehicles + 1), DeviceKind::Rse)
        };
        let (d, keys, csr) = new_device(devices_dir, &name, kind, now)?;
        pending.push((name, kind, d, keys, csr));
        bar.inc(1);
    }
    // The zip of CSRs the DCM receives.
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let zopts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, _, _, _, csr) in &pending {
        zw.start_file(csr.file_name.as_str(), zopts)
            .and_then(|()| zw.write_all(&csr.request).map_err(Into::into))
            .map_err(|e| DemoError::device(name, "requests zip", e))?;
    }
    let zip = zw
        .finish()
        .map_err(|e| DemoError::authority("dcm", e))?
        .into_inner();
    let keys = Keystore::open(&layout.keys(), None).map_err(|e| DemoError::authority("eca", e))?;
    let mut eca = scms_eca::Eca::open(
        layout.root(),
        keys.load_signer("eca")
            .map_err(|e| DemoError::authority("eca", e))?,
        scms_eca::EcaConfig::default(),
    )
    .map_err(|e| DemoError::authority("eca", e))?;
    let files = scms_dcm::BootstrapFiles::load(layout.root())
        .map_err(|e| DemoError::authority("dcm", e))?;
    let mut log = scms_dcm::BootstrapLog::open(&layout.root().join("dcm").join("bootstrap.log"))
        .map_err(|e| DemoError::authority("dcm", e))?;
    let (responses, report) = scms_dcm::enroll(
        &mut eca,
        &files,
        &zip,
        now,
        &scms_dcm::Limits::default(),
        Some(&mut log),
    )
    .map_err(|e| DemoError::authority("dcm", e))?;
    if report.accepted() != pending.len() {
        let why: Vec<String> = report
            .entries
            .iter()
            .filter(|e| !matches!(e.outcome, scms_dcm::Outcome::Accepted { .. }))
            .map(|e| format!("{}: {:?}", e.name, e.outcome))
            .collect();
        return Err(DemoError::Outcome(format!(
            "the DCM enrolled {} of {} devices ({})",
            report.accepted(),
            pending.len(),
            why.join("; ")
        )));
    }
    let mut out = Vec::new();
    for (name, kind, d, keys, csr) in pending {
        let cfg = d
            .load_config()
            .map_err(|e| DemoError::device(&name, "bootstrap", e))?;
        let key = keys
            .load_key_pair(REQUEST_KEY)
            .map_err(|e| DemoError::device(&name, "bootstrap", e))?;
        let p = PendingRequest {
            kind,
            request: &csr.request,
            key: &key,
        };
        let trust = scms_ee::bootstrap(&responses, &cfg.device_id, &p, now)
            .map_err(|e| DemoError::device(&name, "bootstrap", e))?;
        trust
            .store(&d, &keys, now)
            .map_err(|e| DemoError::device(&name, "bootstrap", e))?;
        let dev = Device::open(&d, keys).map_err(|e| DemoError::device(&name, "open", e))?;
        summary.certificates.enrollment += 1;
        out.push((name, dev));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(out)
}

/// A condition that ends a drive early.
type StopWhen<'w> = dyn FnMut(&mut World<'_>, &mut Summary) -> Result<bool, DemoError> + 'w;

/// The state of the run.
pub(crate) struct World<'a> {
    opts: &'a Options,
    layout: &'a Layout,
    running: &'a Running,
    clock: Arc<ManualClock>,
    transport: Shared,
    road: Road,
    pub(crate) obes: Vec<Obe>,
    rses: Vec<Rse>,
    pub(crate) bad: usize,
    tick: u64,
    /// Set once every other vehicle holds the CRL that revokes the misbehaving vehicle.
    after_revocation: bool,
    periods_rejected: BTreeSet<u32>,
    reporters: BTreeSet<usize>,
    ma_cert: Certificate,
    issuance: Duration,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn scenario(
    opts: &Options,
    layout: &Layout,
    lop: &str,
    running: &Running,
    clock: Arc<ManualClock>,
    ui: &mut Ui<'_>,
    phases: &mut Phases,
    summary: &mut Summary,
) -> Result<(), DemoError> {
    let devices_dir = layout
        .root()
        .parent()
        .unwrap_or(layout.root())
        .join("devices");
    let now = clock.now();
    let devices = bootstrap_all(opts, layout, &devices_dir, now, ui, summary)?;
    ui.say(&format!(
        "bootstrap: {} vehicles and {} RSEs: keygen -> DCM -> ECA -> bootstrap ({} enrollment certificates)",
        opts.vehicles, opts.rses, summary.certificates.enrollment
    ));
    phases.done("bootstrap (keygen, DCM, ECA)");

    let first = devices
        .first()
        .map(|(_, d)| d.dir.trust_dir().join("root.tls"))
        .ok_or_else(|| DemoError::Options("no device".into()))?;
    let root_tls = std::fs::read(&first).map_err(io(&first))?;
    let transport = Shared(Arc::new(
        HttpsTransport::new(lop, &root_tls, Duration::from_secs(20))
            .map_err(|e| DemoError::authority("lop", e))?,
    ));
    let mut rng = Rng::new(opts.seed);
    let road = Road::new(opts.vehicles);
    let mut cars = road.place(opts.vehicles, &mut rng).into_iter();
    let mut rse_pos = road.rse_positions(opts.rses).into_iter();
    let bad = (rng.next_u64() % u64::from(opts.vehicles)) as usize;
    let mut obes = Vec::new();
    let mut rses = Vec::new();
    for (name, dev) in devices {
        let verifier = Verifier::new(dev.trust.clone(), dev.intermediates.clone());
        let kind = dev.kind;
        let sleeper_clock = clock.clone();
        let client = Client::new(dev, transport.clone(), clock.clone())
            .map_err(|e| DemoError::device(&name, "client", e))?
            .with_sleeper(Box::new(move |s| sleeper_clock.advance(u64::from(s))));
        if kind == DeviceKind::Obe {
            let car = cars
                .next()
                .ok_or_else(|| DemoError::Options("road model".into()))?;
            obes.push(Obe {
                name,
                client,
                car,
                signer: MessageSigner::new(),
                current: None,
                rx: Receiver {
                    verifier,
                    certs: HashMap::new(),
                    last: HashMap::new(),
                    recent: HashMap::new(),
                    reported: HashSet::new(),
                },
                blacklisted: false,
            });
        } else {
            rses.push(Rse {
                name,
                client,
                s_m: rse_pos.next().unwrap_or(0.0),
                signer: MessageSigner::new(),
                spat_cnt: 0,
            });
        }
    }
    let ma_path = layout.cert("ma");
    let ma_cert = Certificate::from_coer(&std::fs::read(&ma_path).map_err(io(&ma_path))?)
        .map_err(|e| DemoError::authority("ma", format!("certs/ma.oer: {e:?}")))?;
    let mut w = World {
        opts,
        layout,
        running,
        clock,
        transport,
        road,
        obes,
        rses,
        bad,
        tick: 0,
        after_revocation: false,
        periods_rejected: BTreeSet::new(),
        reporters: BTreeSet::new(),
        ma_cert,
        issuance: Duration::ZERO,
    };
    summary.misbehavior.vehicle = w.obes[bad].name.clone();

    // Initial provisioning.
    let t = Instant::now();
    for k in 0..w.obes.len() {
        w.clock.advance(1);
        let o = &mut w.obes[k];
        o.client
            .request(RequestKind::Pseudonym, None)
            .map_err(|e| DemoError::device(&o.name, "pseudonym request", e))?;
    }
    for k in 0..w.rses.len() {
        w.clock.advance(1);
        let r = &mut w.rses[k];
        r.client
            .request(RequestKind::Application, None)
            .map_err(|e| DemoError::device(&r.name, "application request", e))?;
    }
    w.supply("provision", ui, summary)?;
    w.issuance += t.elapsed();
    ui.say(&format!(
        "provision: {} pseudonym certificates for {} vehicles, {} application certificates for {} RSEs (HTTPS via the LOP; RA -> LA1, LA2, PCA over mutual TLS)",
        summary.certificates.pseudonym,
        opts.vehicles,
        summary.certificates.application,
        opts.rses
    ));
    phases.done("provisioning");

    let mis_week = opts.weeks.saturating_sub(2);
    for week in 0..opts.weeks {
        if week > 0 {
            let i = i_period(w.clock.now()).unwrap_or(0) + 1;
            let start = i_period_start(i).unwrap_or(w.clock.now());
            w.clock.set(start + 600);
            w.running.kick_ra();
            let t = Instant::now();
            let before = (
                summary.certificates.pseudonym,
                summary.certificates.application,
            );
            for k in 0..w.rses.len() {
                // The renewal starts when the certificate in use ends (they may not overlap).
                let now = w.clock.now();
                let r = &mut w.rses[k];
                let end = r
                    .client
                    .store
                    .current_application(now, PSID_SPAT)
                    .map_err(|e| DemoError::device(&r.name, "certificate store", e))?
                    .map(|s| validity_end(&s.cert.to_be_signed.validity_period))
                    .and_then(|e| u32::try_from(e).ok());
                r.client
                    .request(RequestKind::Application, end)
                    .map_err(|e| DemoError::device(&r.name, "application renewal", e))?;
            }
            w.supply(&format!("week {}: top-off", week + 1), ui, summary)?;
            w.issuance += t.elapsed();
            ui.say(&format!(
                "week {}: i-period {i}: vehicles topped off {} pseudonym certificates as .info told them, RSEs renewed {} application certificates",
                week + 1,
                summary.certificates.pseudonym - before.0,
                summary.certificates.application - before.1
            ));
            phases.done(&format!("week {}: top-off, renewal", week + 1));
        }
        let before = summary.messages.clone();
        w.drive(
            u64::from(opts.drive_seconds) * 10,
            false,
            &format!("week {}: traffic", week + 1),
            ui,
            summary,
            None,
        )?;
        ui.say(&format!(
            "week {}: {} BSMs and {} SPaT messages signed, {} receptions verified, {} rejected",
            week + 1,
            summary.messages.bsm_signed - before.bsm_signed,
            summary.messages.spat_signed - before.spat_signed,
            summary.messages.verified - before.verified,
            summary.messages.rejected_total() - before.rejected_total()
        ));
        phases.done(&format!("week {}: traffic", week + 1));
        if week == mis_week {
            w.misbehave(ui, phases, summary)?;
        }
    }
    w.revoked_vehicle_installs_crl(ui, phases, summary)?;
    let mb = &mut summary.misbehavior;
    mb.periods_rejected = w.periods_rejected.iter().copied().collect();
    let issued = summary.certificates.pseudonym + summary.certificates.application;
    summary.certificates.issuance_seconds = w.issuance.as_secs_f64();
    summary.certificates.issuance_per_second = issued as f64 / w.issuance.as_secs_f64().max(1e-9);
    if mb.rejected_after_revocation == 0 || mb.accepted_after_revocation != 0 {
        return Err(DemoError::Outcome(format!(
            "after revocation {} of the revoked vehicle's messages were rejected and {} accepted",
            mb.rejected_after_revocation, mb.accepted_after_revocation
        )));
    }
    ui.say(&format!(
        "result: vehicle {} was revoked; after the CRL its later messages were rejected by every vehicle that heard them ({} rejected, {} accepted; pseudonym periods i = {:?}); its RA answered: {}; once it installed the CRL itself, its own guard refused {} transmissions",
        mb.vehicle,
        mb.rejected_after_revocation,
        mb.accepted_after_revocation,
        mb.periods_rejected,
        mb.ra_answer,
        mb.refused_by_own_guard
    ));
    Ok(())
}

impl World<'_> {
    fn wait_limit(&self) -> Duration {
        Duration::from_secs(self.opts.wait_limit_seconds)
    }

    /// Downloads until every (non-revoked) vehicle holds the current and next period and
    /// every RSE an application certificate valid now.
    fn supply(
        &mut self,
        what: &str,
        ui: &mut Ui<'_>,
        summary: &mut Summary,
    ) -> Result<(), DemoError> {
        let n = (self.obes.len() + self.rses.len()) as u64;
        let bar = ui.bar(n, what);
        let deadline = Instant::now() + self.wait_limit();
        let mut done = vec![false; self.obes.len() + self.rses.len()];
        loop {
            self.running.kick_ra();
            let now = self.clock.now();
            for (k, o) in self.obes.iter_mut().enumerate() {
                if done[k] || o.blacklisted {
                    if !done[k] {
                        done[k] = true;
                        bar.inc(1);
                    }
                    continue;
                }
                if !o.stocked(now) {
                    let rep = o
                        .client
                        .download()
                        .map_err(|e| DemoError::device(&o.name, "download", e))?;
                    summary.certificates.pseudonym += rep.certificates as u64;
                    summary.certificates.batches += rep.files.len() as u64;
                }
                if o.stocked(now) {
                    done[k] = true;
                    bar.inc(1);
                }
            }
            let base = self.obes.len();
            for (k, r) in self.rses.iter_mut().enumerate() {
                if done[base + k] {
                    continue;
                }
                let rep = r
                    .client
                    .download()
                    .map_err(|e| DemoError::device(&r.name, "download", e))?;
                summary.certificates.application += rep.certificates as u64;
                if !rep.waiting.is_empty() && rep.certificates == 0 {
                    // certDLTime in the future: the device waits (simulated time).
                    r.client
                        .wait_for_download()
                        .map_err(|e| DemoError::device(&r.name, "download", e))?;
                }
                let have = r
                    .client
                    .store
                    .current_application(self.clock.now(), PSID_SPAT)
                    .map_err(|e| DemoError::device(&r.name, "certificate store", e))?
                    .is_some();
                let pending = scms_ee::provision::records(&r.client.device)
                    .map_err(|e| DemoError::device(&r.name, "records", e))?
                    .iter()
                    .any(|rec| !rec.done);
                if have && !pending {
                    done[base + k] = true;
                    bar.inc(1);
                }
            }
            if done.iter().all(|d| *d) {
                bar.finish_and_clear();
                return Ok(());
            }
            if Instant::now() > deadline {
                bar.finish_and_clear();
                return Err(DemoError::Timeout {
                    what: what.to_owned(),
                    seconds: self.opts.wait_limit_seconds,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Drives `ticks` × 100 ms. With `misbehaving`, the bad vehicle reports jumping
    /// positions; `until` stops early once it returns true.
    fn drive(
        &mut self,
        ticks: u64,
        misbehaving: bool,
        what: &str,
        ui: &mut Ui<'_>,
        summary: &mut Summary,
        mut until: Option<&mut StopWhen<'_>>,
    ) -> Result<(), DemoError> {
        let bar = ui.bar(ticks, what);
        for _ in 0..ticks {
            self.step(misbehaving, summary)?;
            bar.inc(1);
            if let Some(f) = until.as_mut() {
                if f(self, summary)? {
                    break;
                }
            }
        }
        bar.finish_and_clear();
        Ok(())
    }

    /// One 100 ms tick: everyone moves and broadcasts, everyone in range listens.
    fn step(&mut self, misbehaving: bool, summary: &mut Summary) -> Result<(), DemoError> {
        let sub = self.tick % 10;
        if sub == 0 && self.tick > 0 {
            self.clock.advance(1);
        }
        self.tick += 1;
        let now = self.clock.now();
        let gen = time64_from_time32(now) + sub * 100_000;
        let ms_in_minute = ((u64::from(now) % 60) * 1000 + sub * 100) as u16;
        let mut out = Vec::new();
        for k in 0..self.obes.len() {
            let jump = if misbehaving && k == self.bad && self.tick.is_multiple_of(2) {
                JUMP_M
            } else {
                0.0
            };
            let o = &mut self.obes[k];
            self.road.advance(&mut o.car, 0.1);
            let bsm = self.road.bsm(&mut o.car, ms_in_minute, 0.0);
            let s_m = o.car.s_m;
            if !o.refresh(now)? {
                if k != self.bad {
                    return Err(DemoError::Outcome(format!(
                        "{}: its certificate store refuses its certificates, but it was not revoked",
                        o.name
                    )));
                }
                summary.misbehavior.refused_by_own_guard += 1;
                continue;
            }
            let Some((_, st)) = &o.current else {
                return Err(DemoError::device(&o.name, "signing", "no certificate"));
            };
            let bsm = if jump > 0.0 {
                summary.misbehavior.implausible_sent += 1;
                Bsm {
                    lat: bsm.lat + (jump / 111_320.0 * 1e7) as i32,
                    ..bsm
                }
            } else {
                bsm
            };
            let spdu = o
                .signer
                .sign(&st.cert, &st.key, PSID_BSM, &bsm.encode(), gen, false)
                .map_err(|e| DemoError::device(&o.name, "BSM signing", e))?;
            let bytes = spdu.to_coer();
            summary.messages.bsm_signed += 1;
            if carries_certificate(&bytes) {
                summary.messages.signed_with_full_certificate += 1;
            }
            out.push(Broadcast {
                from_vehicle: Some(k),
                s_m,
                psid: PSID_BSM,
                bytes,
            });
        }
        for r in &mut self.rses {
            let s = r
                .client
                .store
                .current_application(now, PSID_SPAT)
                .map_err(|e| DemoError::device(&r.name, "certificate store", e))?
                .ok_or_else(|| {
                    DemoError::device(&r.name, "SPaT signing", "no application certificate")
                })?;
            r.spat_cnt = r.spat_cnt.wrapping_add(1);
            // A SPaT-like payload: intersection id, message count, phase state.
            let mut payload = b"SPaT".to_vec();
            payload.extend_from_slice(&(r.s_m as u32).to_be_bytes());
            payload.extend_from_slice(&r.spat_cnt.to_be_bytes());
            payload.push(((self.tick / 50) % 3) as u8);
            let spdu = r
                .signer
                .sign(&s.cert, &s.key, PSID_SPAT, &payload, gen, false)
                .map_err(|e| DemoError::device(&r.name, "SPaT signing", e))?;
            summary.messages.spat_signed += 1;
            out.push(Broadcast {
                from_vehicle: None,
                s_m: r.s_m,
                psid: PSID_SPAT,
                bytes: spdu.to_coer(),
            });
        }
        let mut detections = Vec::new();
        for k in 0..self.obes.len() {
            let pos = self.obes[k].car.s_m;
            for b in &out {
                if b.from_vehicle == Some(k) || !self.road.in_range(pos, b.s_m) {
                    continue;
                }
                if let Some(id) = self.receive(k, b, now, summary) {
                    detections.push((k, id));
                }
            }
        }
        for (k, id) in detections {
            self.report(k, id, summary)?;
        }
        Ok(())
    }

    /// Vehicle `k` receives `b`: CRL check, verification, plausibility. Returns the
    /// signer to report when the message is implausible.
    fn receive(
        &mut self,
        k: usize,
        b: &Broadcast,
        now: u32,
        summary: &mut Summary,
    ) -> Option<HashedId8> {
        let from_bad = b.from_vehicle == Some(self.bad);
        let watch = from_bad && self.after_revocation;
        let rx = &mut self.obes[k].rx;
        summary.messages.received += 1;
        if watch {
            summary.misbehavior.received_after_revocation += 1;
        }
        let full = carries_certificate(&b.bytes);
        if full {
            if let Some(c) = signer_cert(&b.bytes, &rx.certs) {
                rx.certs.insert(certificate_id8(&c), c);
            }
        }
        let v = match rx.verifier.verify(&b.bytes, now, Some(b.psid)) {
            Ok(v) => v,
            Err(MessageError::Revoked(_)) => {
                summary.messages.reject(REVOKED);
                if watch {
                    summary.misbehavior.rejected_after_revocation += 1;
                    if let Some(i) = signer_cert(&b.bytes, &rx.certs).and_then(|c| i_cert(&c)) {
                        self.periods_rejected.insert(i);
                    }
                }
                return None;
            }
            Err(e) => {
                summary.messages.reject(reason(&e));
                if watch {
                    summary.misbehavior.rejected_after_revocation += 1;
                }
                return None;
            }
        };
        summary.messages.verified += 1;
        if watch {
            summary.misbehavior.accepted_after_revocation += 1;
        }
        if b.psid != PSID_BSM {
            return None;
        }
        let recent = rx.recent.entry(v.signer).or_default();
        if full {
            recent.clear();
        }
        if recent.len() < 20 {
            recent.push(b.bytes.clone());
        }
        let bsm = Bsm::decode(&v.payload)?;
        let prev = rx.last.insert(v.signer, bsm);
        let prev = prev?;
        let dt = f64::from((u32::from(bsm.sec_mark) + 60_000 - u32::from(prev.sec_mark)) % 60_000)
            / 1000.0;
        let v_max = prev
            .speed_mps()
            .unwrap_or(70.0)
            .max(bsm.speed_mps().unwrap_or(70.0));
        if distance_m(&prev, &bsm) > v_max * dt + 50.0 {
            summary.messages.implausible += 1;
            if !rx.reported.contains(&v.signer) {
                return Some(v.signer);
            }
        }
        None
    }

    /// Vehicle `k` reports `id`: a signed, encrypted report posted to the RA through the
    /// LOP, and delivered to the MA.
    fn report(&mut self, k: usize, id: HashedId8, summary: &mut Summary) -> Result<(), DemoError> {
        if summary.misbehavior.reports_sent >= MAX_REPORTS || self.reporters.contains(&k) {
            return Ok(());
        }
        let now = self.clock.now();
        let (lat, lon) = self.road.lat_lon(self.obes[k].car.s_m);
        let ma_cert = self.ma_cert.clone();
        let o = &mut self.obes[k];
        let spdus = o.rx.recent.get(&id).cloned().unwrap_or_default();
        if spdus.first().is_none_or(|s| !carries_certificate(s)) {
            return Ok(()); // wait until the report can carry the certificate
        }
        if !o.refresh(now)? {
            return Ok(()); // its own certificates are revoked: it does not report
        }
        let Some((_, own)) = &o.current else {
            return Err(DemoError::device(&o.name, "signing", "no certificate"));
        };
        let bytes = build_report(
            &spdus,
            &[],
            &Reporter {
                certificate: &own.cert,
                key: &own.key,
            },
            &ma_cert,
            time64_from_time32(now),
            ThreeDLocation {
                latitude: NinetyDegreeInt(lat),
                longitude: OneEightyDegreeInt(lon),
                elevation: 0,
            },
        )
        .map_err(|e| DemoError::device(&o.name, "misbehavior report", e))?;
        o.rx.reported.insert(id);
        summary.misbehavior.reports_sent += 1;
        match self.transport.post(REPORT_PATH, &bytes) {
            Ok(_) => {
                summary.misbehavior.reports_accepted_by_ra += 1;
                self.reporters.insert(k);
            }
            Err(e) => tracing::warn!(error = %e, "the RA did not accept the report"),
        }
        Ok(())
    }

    /// The misbehavior week: implausible BSMs, reports, investigation, CRL, rejection.
    fn misbehave(
        &mut self,
        ui: &mut Ui<'_>,
        phases: &mut Phases,
        summary: &mut Summary,
    ) -> Result<(), DemoError> {
        let name = self.obes[self.bad].name.clone();
        // At least one simulated second of misbehavior, then until two vehicles reported it.
        let start = self.tick;
        let mut until = |w: &mut World<'_>, _: &mut Summary| -> Result<bool, DemoError> {
            Ok(w.tick >= start + 10 && w.reporters.len() >= 2)
        };
        self.drive(
            u64::from(MAX_MISBEHAVIOR_SECONDS) * 10,
            true,
            "misbehavior: position jumps",
            ui,
            summary,
            Some(&mut until),
        )?;
        let mb = &summary.misbehavior;
        if self.reporters.len() < 2 {
            return Err(DemoError::Outcome(format!(
                "only {} vehicles reported {name} (the RA accepted {} reports)",
                self.reporters.len(),
                mb.reports_accepted_by_ra
            )));
        }
        ui.say(&format!(
            "misbehavior: {name} sent {} BSMs with position jumps of {JUMP_M} m; {} vehicles noticed and posted signed reports encrypted to the MA to the RA through the LOP ({} accepted)",
            mb.implausible_sent, mb.reports_sent, mb.reports_accepted_by_ra
        ));
        phases.done("misbehavior and reports");

        // The RA forwards the reports to the MA, whose task runs the detection policy and
        // investigates; wait for the CRL that revokes the vehicle.
        let bad_ids: HashSet<HashedId8> = {
            let store = &self.obes[self.bad].client.store;
            store
                .batches()
                .into_iter()
                .flat_map(|i| {
                    store
                        .pseudonym_js(i)
                        .into_iter()
                        .filter_map(move |j| store.pseudonym(i, j).ok().flatten())
                })
                .map(|s| certificate_id8(&s.cert))
                .collect()
        };
        let deadline = Instant::now() + self.wait_limit();
        // Another vehicle watches the CRL store (the misbehaving one fetches it last).
        let watcher = usize::from(self.bad == 0);
        loop {
            self.running.kick_ra();
            self.running.kick_ma();
            std::thread::sleep(Duration::from_millis(100));
            if self.obes[watcher].install_crl()?.0 {
                break;
            }
            if Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: "the MA's CRL revoking the misbehaving vehicle".into(),
                    seconds: self.opts.wait_limit_seconds,
                });
            }
        }
        revocation::ma_figures(self.layout, &bad_ids, &mut summary.misbehavior)?;
        let mb = &mut summary.misbehavior;
        mb.report_path = "EE -> LOP -> RA (pooled, shuffled) -> MA, HTTPS".into();
        mb.investigation_path = "MA -> PCA, RA, LA1, LA2 over mutual TLS".into();
        if !mb.revoked {
            return Err(DemoError::Outcome(format!(
                "a CRL was published but the MA did not revoke {name}"
            )));
        }
        ui.say(&format!(
            "MA: {} reports against {name} from {} reporters verified; detection policy flagged it; investigation over mutual TLS (PCA: hash of the pseudonym request -> RA: linkage chain ids{} -> LA1, LA2: linkage seeds); the CRL Generator published a new CRL",
            mb.reports_received_by_ma,
            mb.reporters,
            if mb.blacklisted { ", enrollment certificate blacklisted" } else { "" }
        ));
        phases.done("investigation and CRL");
        self.clock.advance(5);

        // Every other vehicle downloads the CRL through the LOP and installs it; the
        // misbehaving one has not fetched it yet.
        let bad = self.bad;
        for (_, o) in self.obes.iter_mut().enumerate().filter(|(k, _)| *k != bad) {
            let (revokes, facts) = o.install_crl()?;
            if !revokes {
                return Err(DemoError::Outcome(format!(
                    "{}: the CRL revokes nothing",
                    o.name
                )));
            }
            facts.record(&mut summary.misbehavior);
            summary.misbehavior.crl_downloads += 1;
        }
        self.after_revocation = true;
        ui.say(&format!(
            "CRL: {} vehicles downloaded the composite CRL ({} bytes, {} linkage entries) from the CRL store through the LOP and installed it (CRLG signature and chain verified, ballots applied, certificate store guard renewed); {name} has not fetched it yet",
            summary.misbehavior.crl_downloads,
            summary.misbehavior.crl_bytes,
            summary.misbehavior.crl_linkage_entries
        ));

        // The revoked vehicle keeps broadcasting: everyone rejects it.
        let before = summary.misbehavior.rejected_after_revocation;
        self.drive(
            u64::from(self.opts.drive_seconds) * 10,
            false,
            "traffic after revocation",
            ui,
            summary,
            None,
        )?;
        ui.say(&format!(
            "after revocation: {} receptions of {name}'s BSMs, {} rejected as revoked, {} accepted",
            summary.misbehavior.received_after_revocation,
            summary.misbehavior.rejected_after_revocation - before,
            summary.misbehavior.accepted_after_revocation
        ));

        // Its RA refuses it.
        let answer = revocation::ask_ra(&mut self.obes[self.bad], self.clock.now())?;
        self.obes[self.bad].blacklisted = true;
        ui.say(&format!("RA: {name} asked for more certificates: {answer}"));
        summary.misbehavior.ra_answer = answer;
        phases.done("CRL download, traffic after it");
        Ok(())
    }

    /// The revoked vehicle finally installs the CRL too: its certificate store's guard
    /// refuses its revoked pseudonyms, so it stops transmitting by itself.
    fn revoked_vehicle_installs_crl(
        &mut self,
        ui: &mut Ui<'_>,
        phases: &mut Phases,
        summary: &mut Summary,
    ) -> Result<(), DemoError> {
        let o = &mut self.obes[self.bad];
        let name = o.name.clone();
        // (The summary's CRL figures stay those of the CRL that revoked it.)
        if !o.install_crl()?.0 {
            return Err(DemoError::Outcome(format!(
                "{name}: the CRL revokes nothing"
            )));
        }
        summary.misbehavior.crl_downloads += 1;
        let before = (
            summary.misbehavior.refused_by_own_guard,
            summary.misbehavior.received_after_revocation,
        );
        self.drive(
            u64::from(self.opts.drive_seconds) * 10,
            false,
            "revoked vehicle with the CRL",
            ui,
            summary,
            None,
        )?;
        let mb = &summary.misbehavior;
        let refused = mb.refused_by_own_guard - before.0;
        if refused == 0 || mb.received_after_revocation != before.1 {
            return Err(DemoError::Outcome(format!(
                "{name} installed the CRL revoking it, yet its guard refused {refused} transmissions and {} of its messages were heard",
                mb.received_after_revocation - before.1
            )));
        }
        ui.say(&format!(
            "{name} installed the CRL itself: its certificate store's guard refuses its revoked pseudonyms; it stopped transmitting ({refused} BSMs not sent)"
        ));
        phases.done("revoked vehicle installs the CRL");
        Ok(())
    }
}
