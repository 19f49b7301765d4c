//! Test support: a real `scms init` hierarchy with the real ECA, LA1, LA2, PCA and RA
//! libraries in process, devices enrolled by the ECA and provisioned by the RA pipeline,
//! and the MA's links to its peers (byte-level, no HTTPS).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use base64::Engine;
use scms_asn1::camp::base_types::LinkageChainId;
use scms_asn1::camp::ee_ra::{
    AuthenticatedDownloadRequest, CommonProvisioningRequestFields,
    EeRaPseudonymCertProvisioningRequest, EndEntityRaInterfacePDU, UnsignedButterflyParams,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::Utf8String;
use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque};
use scms_asn1::Coer;
use scms_ca::{init, Config, Layout};
use scms_core::convert::{compressed, encryption_key};
use scms_core::encrypt::{encrypt, Recipient};
use scms_core::sign::{reconstruct_private_key, sign_certificate_request, SignerId};
use scms_core::signer::KeyPair;
use scms_core::time::{i_period_start, Clock, ManualClock};
use scms_core::trust::TrustStore;
use scms_crypto::butterfly::CaterpillarPrivate;
use scms_crypto::{default_backend, Scalar};
use scms_eca::{Eca, EcaConfig};
use scms_ee::download::Opener;
use scms_la::{La, Which};
use scms_ma::ClientError;
use scms_pca::Pca;
use scms_ra::{DownloadKind, LaIndex, Ra, RaError, RaOptions};
use scms_store::keystore::Keystore;

/// The first i-period of the test.
pub const I0: u16 = 520;
/// Pseudonym certificates per i-period.
pub const J_MAX: u8 = 4;
/// The last i-period the RA provisions (a supply of four weeks).
pub const I_MAX: u16 = I0 + 3;

/// The RA's links to the LAs and the PCA: the real libraries, called in process.
struct Backends {
    la1: Arc<La>,
    la2: Arc<La>,
    pca: Arc<Pca>,
}

impl scms_ra::LaClient for Backends {
    fn pre_linkage_values(&self, which: LaIndex, r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        let la = match which {
            LaIndex::La1 => &self.la1,
            LaIndex::La2 => &self.la2,
        };
        la.handle(&r)
            .map_err(|e| RaError::peer(which.name(), e.to_string()))
    }
}

impl scms_ra::PcaClient for Backends {
    fn certify(&self, r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        self.pca
            .handle(&r)
            .map_err(|e| RaError::peer("pca", e.to_string()))
    }
}

/// The hierarchy and its authorities, sharing one manual clock.
pub struct World {
    _dir: tempfile::TempDir,
    pub layout: Layout,
    pub keys: Keystore,
    pub cfg: Config,
    pub clock: Arc<ManualClock>,
    pub la1: Arc<La>,
    pub la2: Arc<La>,
    pub pca: Arc<Pca>,
    pub ra: Ra,
    eca: Mutex<Eca>,
    trust: TrustStore,
    intermediates: Vec<Certificate>,
}

/// `scms init` (start one period before `I0`, `J_MAX` certificates per period), the clock
/// one minute into `I0`, the authorities opened on it.
pub fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::new(dir.path().join("scms"));
    let mut cfg = Config {
        start: Some(i_period_start(u32::from(I0) - 1).unwrap()),
        la1_id: Some(0x0101),
        la2_id: Some(0x0202),
        ..Config::default()
    };
    cfg.local_policy.certs_per_i_period = J_MAX;
    init(&layout, &cfg, None).unwrap();
    let cfg = Config::from_toml(&std::fs::read_to_string(layout.config()).unwrap()).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let clock = Arc::new(ManualClock::new(
        i_period_start(u32::from(I0)).unwrap() + 60,
    ));
    let la1 = Arc::new(La::open(&layout, &keys, Which::La1, clock.clone()).unwrap());
    let la2 = Arc::new(La::open(&layout, &keys, Which::La2, clock.clone()).unwrap());
    let pca = Arc::new(Pca::open(&layout, &keys, clock.clone()).unwrap());
    let backends = Arc::new(Backends {
        la1: la1.clone(),
        la2: la2.clone(),
        pca: pca.clone(),
    });
    let ra = Ra::open(
        layout.root(),
        RaOptions {
            supply_weeks: Some(u32::from(I_MAX - I0) + 1),
            initial_provisioning_bypass: true,
            ..RaOptions::default()
        },
        backends.clone(),
        backends,
    )
    .unwrap();
    let eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
    // The device's trust material: the root by ceremony, the ICA and PCA as issuers.
    let mut trust = TrustStore::new(Vec::new(), 1).unwrap();
    trust
        .add_root_by_ceremony(default_backend(), cert(&layout, "root"))
        .unwrap();
    let intermediates = vec![cert(&layout, "ica"), cert(&layout, "pca")];
    World {
        _dir: dir,
        layout,
        keys,
        cfg,
        clock,
        la1,
        la2,
        pca,
        ra,
        eca: Mutex::new(eca),
        trust,
        intermediates,
    }
}

/// A certificate of `certs/`.
pub fn cert(layout: &Layout, name: &str) -> Certificate {
    Certificate::from_coer(&std::fs::read(layout.cert(name)).unwrap()).unwrap()
}

/// An OBE: enrollment certificate and key, caterpillar keys, and the hash `X` of its
/// accepted pseudonym provisioning request.
pub struct Device {
    pub enrollment: Certificate,
    key: KeyPair,
    pub cat: CaterpillarPrivate,
    pub request_hash: [u8; 8],
}

/// A pseudonym certificate and its reconstructed key.
pub struct Pseudonym {
    pub cert: Certificate,
    pub key: KeyPair,
}

fn params(c: &CaterpillarPrivate) -> (UnsignedButterflyParams, UnsignedButterflyParams) {
    let p = c.public(default_backend()).unwrap();
    (
        UnsignedButterflyParams {
            seed_key: compressed(&p.signing_seed),
            expansion: *p.signing_expansion.expose(),
        },
        UnsignedButterflyParams {
            seed_key: compressed(&p.encryption_seed),
            expansion: *p.encryption_expansion.expose(),
        },
    )
}

impl World {
    /// The current Time32.
    pub fn now(&self) -> u32 {
        self.clock.now()
    }

    /// An EE request to the RA: signed with the enrollment key, encrypted to the RA.
    fn ee_request(
        &self,
        key: &KeyPair,
        enrollment: &Certificate,
        pdu: EndEntityRaInterfacePDU,
    ) -> Vec<u8> {
        let scoped = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::EeRa(pdu),
        };
        let scr = sign_certificate_request(key, scoped, SignerId::Certificate(enrollment)).unwrap();
        let signed = Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::SignedCertificateRequest(
                Opaque::new(scr.to_coer()).unwrap(),
            ),
        };
        let ra = self.ra.certificate();
        let k = encryption_key(ra.to_be_signed.encryption_key.as_ref().unwrap()).unwrap();
        let ed = encrypt(
            default_backend(),
            &signed.to_coer(),
            &[Recipient::Certificate { cert: ra, key: &k }],
        )
        .unwrap();
        Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(ed),
        }
        .to_coer()
    }

    /// A `SecuredPseudonymCertProvisioningRequest` of `d` for a new caterpillar `cat`.
    pub fn pseudonym_request(&self, d: &Device, cat: &CaterpillarPrivate) -> Vec<u8> {
        let now = self.now();
        let (verify_key_info, resp_enc_key_info) = params(cat);
        let pdu = EeRaPseudonymCertProvisioningRequest {
            version: 1,
            verify_key_info,
            resp_enc_key_info,
            common: CommonProvisioningRequestFields {
                current_time: now,
                requested_start_time: now,
            },
        };
        self.ee_request(
            &d.key,
            &d.enrollment,
            EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pdu),
        )
    }

    /// A new OBE, enrolled by the ECA, whose pseudonym request the RA accepted.
    pub fn device(&self) -> Device {
        let now = self.now();
        let req_key = KeyPair::generate().unwrap();
        let csr = scms_eca::testing::obe_request(&req_key, now, |_| {}).unwrap();
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
        let mut d = Device {
            enrollment: resp.enrollment_cert,
            key: KeyPair::from_private(key).unwrap(),
            cat: CaterpillarPrivate::generate().unwrap(),
            request_hash: [0; 8],
        };
        let ack = self
            .ra
            .provision_pseudonym(&self.pseudonym_request(&d, &d.cat), now)
            .unwrap();
        d.request_hash = ack_hash(&ack);
        d
    }

    /// Downloads batch `i` of `d` (`Download-Req` signed and encrypted as the device does).
    pub fn download(&self, d: &Device, i: u16) -> Result<Vec<u8>, RaError> {
        let now = self.now();
        let name = format!("{}_{:X}.zip", hex_upper(&d.request_hash), i);
        let pdu = EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(
            AuthenticatedDownloadRequest {
                timestamp: now,
                filename: Utf8String::new(&name).unwrap(),
            },
        );
        let header = base64::engine::general_purpose::STANDARD.encode(self.ee_request(
            &d.key,
            &d.enrollment,
            pdu,
        ));
        Ok(self.ra.download(DownloadKind::Batch, &header, now)?.bytes)
    }

    /// The pseudonym certificates of `d` for period `i`, by j, opened as the device does
    /// (PCA signature and chain, decryption with q(i,j), key reconstruction with b(i,j)).
    pub fn pseudonyms(&self, d: &Device, i: u16) -> Vec<Pseudonym> {
        let opener = Opener {
            trust: &self.trust,
            intermediates: &self.intermediates,
        };
        let opened = opener
            .open_batch(
                &self.download(d, i).unwrap(),
                u32::from(i),
                &d.cat,
                self.now(),
            )
            .unwrap();
        assert_eq!(opened.len(), usize::from(J_MAX));
        opened
            .into_iter()
            .enumerate()
            .map(|(k, (j, o))| {
                assert_eq!(j as usize, k);
                Pseudonym {
                    cert: o.cert,
                    key: o.key,
                }
            })
            .collect()
    }

    /// The RA's stream id and LinkageChainIds (LA1, LA2) of `d`'s pseudonym request.
    pub fn chains(&self, d: &Device) -> (i64, LinkageChainId, LinkageChainId) {
        let s = self
            .ra
            .store()
            .stream_by_hash(&d.request_hash)
            .unwrap()
            .unwrap();
        let lci = |b: &Option<Vec<u8>>| LinkageChainId::from_coer(b.as_ref().unwrap()).unwrap();
        (s.id, lci(&s.la1_chain), lci(&s.la2_chain))
    }

    /// The MA's in-process links to the PCA, the RA and the LAs.
    pub fn links(&self) -> Links<'_> {
        Links {
            w: self,
            la1: LaLink(&self.la1),
            la2: LaLink(&self.la2),
        }
    }
}

/// The request hash an RA ack echoes (the ack is a SignedData over the `RaEe…Ack`).
fn ack_hash(ack: &[u8]) -> [u8; 8] {
    let Ieee1609Dot2Content::SignedData(sd) = Ieee1609Dot2Data::from_coer(ack).unwrap().content
    else {
        panic!("ack not signed")
    };
    let Some(Ieee1609Dot2Content::UnsecuredData(o)) =
        sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
    else {
        panic!("ack payload")
    };
    match ScmsPDU::from_coer(o.as_bytes()).unwrap().content {
        ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(a)) => {
            a.request_hash
        }
        _ => panic!("not a pseudonym ack"),
    }
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The MA's link to one LA.
pub struct LaLink<'a>(&'a La);
impl scms_ma::LaClient for LaLink<'_> {
    fn linkage_seed(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.0.handle_ma(r).map_err(|e| ClientError(e.to_string()))
    }
}

/// The MA's links to its peers.
pub struct Links<'a> {
    w: &'a World,
    la1: LaLink<'a>,
    la2: LaLink<'a>,
}

impl scms_ma::PcaClient for Links<'_> {
    fn ma_pca(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.w
            .pca
            .handle_ma(r)
            .map_err(|e| ClientError(e.to_string()))
    }
}

impl scms_ma::RaClient for Links<'_> {
    fn lci_for_hpcr(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.w
            .ra
            .handle_ma(r, self.w.now())
            .map_err(|e| ClientError(e.to_string()))
    }
    fn blacklist(&self, r: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.w
            .ra
            .handle_ma(r, self.w.now())
            .map_err(|e| ClientError(e.to_string()))
    }
}

impl<'a> Links<'a> {
    /// The peers of an investigation.
    pub fn peers(&'a self) -> scms_ma::Peers<'a> {
        scms_ma::Peers {
            pca: self,
            ra: self,
            la1: &self.la1,
            la2: &self.la2,
        }
    }
}

/// Every blob and text of every table of an SQLite database, concatenated.
pub fn db_blobs(path: &std::path::Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for c in 0..n {
                match row.get_ref(c).unwrap() {
                    rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                        out.extend_from_slice(b)
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
