//! The Misbehavior Authority (MA) of the SCMS (seed Use Cases 5, 8 and 16; SCP2): it
//! receives misbehavior reports, runs a global detection policy, investigates suspects
//! with the PCA, the RA and both LAs, and revokes them through the CRL Generator.
//!
//! - [`Ma::receive_report`]: a `SecuredMisbehaviorReport` (encrypted to the MA
//!   certificate) → decrypted, the reporter's pseudonym signature and chain verified, every
//!   reported SPDU verified (signature and chain), BSM plausibility checked ([`bsm`]),
//!   stored (`scms_store::ma`).
//! - [`Ma::suspects`]: certificates that meet the [`Policy`] (N distinct reporters with
//!   evidence).
//! - [`Ma::investigate`]: PCA (linkage value → HPCR) → RA (HPCR → the two LinkageChainIds and
//!   iMax) → LA1, LA2 (LCI → `ls1(i)`, `ls2(i)` of the current period) → check the seeds
//!   reproduce the reported linkage value → RA blacklist (HPCR) → CRL entry → new composite
//!   CRL. Every exchange is a signed (and, where the recipient has an encryption key,
//!   encrypted) COER message through the byte-level [`PcaClient`], [`RaClient`], [`LaClient`]
//!   traits, so HTTPS can implement them.
//!   Identification and application certificates (CRL series 3) carry the device's RIF
//!   (HashedId8 of its enrollment certificate, seed Use Case 16) as `binaryId`: they are
//!   revoked by a series-3 hash entry and the RA blacklists the device by its RIF
//!   (`maRaRseObeIdBlacklistRequest`).
//! - [`Ma::revoke_by_operator`]: the same for a certificate named by an operator (pseudonym:
//!   linkage entry; identification/application: hash entry and RIF blacklisting;
//!   enrollment certificates: hash entry and blacklisting of that enrollment certificate;
//!   SCMS components: hash entry).
//! - Root management ([`Ma::publish_ballot`], [`Ma::add_root_crl`], [`manager`]):
//!   `removeRoot` / `removeElector` ballots verified against the SCMS's electors and
//!   root-signed CRLs of series 256 go into every composite CRL; `addRoot` / `addElector`
//!   ballots into the certificate chain files.
//!
//! The MA never sees a pre-linkage value: the PCA returns only the HPCR (or encrypted PLVs
//! it cannot open), and the LAs return seeds only of chains being revoked, which the CRL
//! publishes. See `docs/misbehavior.md`.

#![forbid(unsafe_code)]

pub mod bsm;
pub mod manager;
mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use scms_asn1::camp::base_types::{LCIAndHostInfo, LinkageSeedAndLaId};
use scms_asn1::camp::component_cert_management::{CompositeCrl, ElectorBallot, EndorsementType};
use scms_asn1::camp::ee_ma::EndEntityMaInterfacePDU;
use scms_asn1::camp::errors::{MaRaBlacklistErrorCode, MaRaError, ScmsError};
use scms_asn1::camp::la_ma::{
    LCI2LSReply, LaMaInterfacePDU, MaLaLinkageSeedRequestMsg, ToBeSignedLSRequestMsg,
};
use scms_asn1::camp::ma_pca::{
    Lv2HPCRReply, MaPcaHPCRRequestMsg, MaPcaInterfacePDU, ToBeSignedMaPcaHPCRRequestMsg,
};
use scms_asn1::camp::ma_ra::{
    BlacklistingStatusReply, HPCR2LCIReply, MaRaBlacklistRequestMsg, MaRaInterfacePDU,
    MaRaLCIRequestMsg, MaRaRseObeIdBlacklistRequestMsg, RseObeIdBlacklistingStatusReply,
    ToBeSignedBlacklistingInstructionMsg, ToBeSignedLCIRequestMsg,
    ToBeSignedRseObeIdBlacklistingInstructionMsg,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CrlSeries, HashedId10, HashedId8, Hostname, Ieee1609Dot2Content,
    Ieee1609Dot2Data, IssuerIdentifier, Psid, SecuredCrl, SignerIdentifier, Time32,
};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::ballot::{BallotEffect, BallotError};
use scms_core::chain::validate_chain;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::hash::{certificate_id10, certificate_id8};
use scms_core::pdu::Peer;
use scms_core::profile::crl_series;
use scms_core::sign;
use scms_core::signer::KeyPair;
use scms_core::time::{i_period, time32_from_time64, validity_end, Clock};
use scms_core::trust::TrustStore;
use scms_core::CoreError;
use scms_crl::generator::{CrlGenerator, GeneratorError, LinkageRevocation};
use scms_crypto::hash::sha256;
use scms_crypto::linkage::{linkage_value_from_seeds, LinkageSeed};
use scms_crypto::{default_backend, CurveBackend, PrivateKey};
use scms_store::keystore::Keystore;
use scms_store::ma::{
    DbError, LinkageSeeds, MaStore, ReportRecord, RevocationRecord, SqliteMaStore,
};
use scms_store::StoreError;

use crate::bsm::{distance_m, Bsm};

/// `MisbehaviorReportingPsid` (38).
pub const MISBEHAVIOR_REPORTING_PSID: u64 = 38;
/// PSID of Basic Safety Messages (0x20).
pub const BSM_PSID: u64 = 0x20;
/// Most SPDUs accepted in one report.
pub const MAX_REPORTED_SPDUS: usize = 100;

/// Why the MA refused a message or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MaError {
    /// The bytes are not the expected message.
    #[error("maMalformedRequest: {0}")]
    Malformed(String),
    /// A report is not encrypted to the MA.
    #[error("maReportNotEncrypted")]
    NotEncrypted,
    /// A signature or certificate chain does not verify.
    #[error("maInvalidSignature: {0}")]
    InvalidSignature(String),
    /// A reporter reports its own certificate.
    #[error("maSelfReport")]
    SelfReport,
    /// A peer answered with an error code or without the requested item.
    #[error("maPeerRefused: {0}")]
    PeerRefused(String),
    /// The peers' answers do not fit together (e.g. the seeds do not reproduce the
    /// reported linkage value).
    #[error("maInconsistentInvestigation: {0}")]
    Inconsistent(String),
    /// The certificate cannot be revoked this way.
    #[error("maUnsupported: {0}")]
    Unsupported(&'static str),
    /// A transport to a peer failed.
    #[error("transport: {0}")]
    Transport(#[from] ClientError),
    /// The setup (init directory, configuration, certificates) is unusable.
    #[error("MA setup: {0}")]
    Setup(String),
    /// The keystore failed.
    #[error("keystore: {0}")]
    Keys(#[from] StoreError),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] DbError),
    /// The CRL generator failed.
    #[error("CRLG: {0}")]
    Crl(#[from] GeneratorError),
    /// A cryptographic operation failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CoreError),
    /// An elector ballot does not verify against the SCMS's electors (or is malformed).
    #[error("maBallotRefused: {0}")]
    Ballot(#[from] BallotError),
}

impl MaError {
    /// The error code an HTTPS route logs (and answers in QA mode).
    pub fn code(&self) -> &'static str {
        match self {
            MaError::Malformed(_) => "maMalformedRequest",
            MaError::NotEncrypted => "maReportNotEncrypted",
            MaError::InvalidSignature(_) => "maInvalidSignature",
            MaError::SelfReport => "maSelfReport",
            MaError::PeerRefused(_) => "maPeerRefused",
            MaError::Inconsistent(_) => "maInconsistentInvestigation",
            MaError::Unsupported(_) => "maUnsupported",
            MaError::Transport(_) => "maPeerUnreachable",
            MaError::Ballot(_) => "maBallotRefused",
            MaError::Crl(_) => "maCrlRefused",
            MaError::Setup(_) | MaError::Keys(_) | MaError::Store(_) | MaError::Crypto(_) => {
                "maInternalError"
            }
        }
    }
}

/// A transport failure (connection, HTTP status, …) reported by a client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ClientError(pub String);

/// The MA's view of the PCA: one request/response exchange per call (COER bytes).
pub trait PcaClient: Send + Sync {
    /// Sends a `SecuredMaPcaHPCRRequest` (or PLV request); returns the PCA's secured reply.
    fn ma_pca(&self, request: &[u8]) -> Result<Vec<u8>, ClientError>;
}

/// The MA's view of a Linkage Authority.
pub trait LaClient: Send + Sync {
    /// Sends a `SignedLSRequest`; returns the LA's `SecuredLSReply`.
    fn linkage_seed(&self, request: &[u8]) -> Result<Vec<u8>, ClientError>;
}

/// The MA's view of the RA (ma-ra.asn).
pub trait RaClient: Send + Sync {
    /// Sends a `maRaLCIRequest` (HPCR → LinkageChainIds); returns the RA's reply.
    fn lci_for_hpcr(&self, request: &[u8]) -> Result<Vec<u8>, ClientError>;
    /// Sends a blacklisting request: `maRaBlacklistRequest` (HPCR → blacklist the
    /// enrollment certificate) or `maRaRseObeIdBlacklistRequest` (RIF → the same).
    fn blacklist(&self, request: &[u8]) -> Result<Vec<u8>, ClientError>;
}

/// The peers an investigation talks to.
#[derive(Clone, Copy)]
pub struct Peers<'a> {
    /// The PCA.
    pub pca: &'a dyn PcaClient,
    /// The RA.
    pub ra: &'a dyn RaClient,
    /// LA1.
    pub la1: &'a dyn LaClient,
    /// LA2.
    pub la2: &'a dyn LaClient,
}

/// A reported message: its generation time (Time64) and BSM core data, if it is a BSM.
type Timed = (u64, Option<Bsm>);

/// The global detection policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Distinct reporters (reporter certificates) needed against a certificate.
    pub min_reporters: usize,
    /// Whether a report counts only if a plausibility check failed (else every verified
    /// report counts: the PoC's "every reported certificate is revoked" with 1 reporter).
    pub require_evidence: bool,
    /// Highest plausible speed (m/s).
    pub max_speed_mps: f64,
    /// Tolerance added to `speed · Δt` between consecutive positions (m).
    pub position_margin_m: f64,
    /// How far a BSM may be ahead of the report that carries it (s).
    pub future_tolerance_s: u64,
    /// Oldest BSM accepted as current evidence (s before receipt).
    pub max_age_s: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_reporters: 2,
            require_evidence: true,
            max_speed_mps: 70.0,
            position_margin_m: 50.0,
            future_tolerance_s: 10,
            max_age_s: 7 * 24 * 3600,
        }
    }
}

/// What [`Ma::receive_report`] made of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOutcome {
    /// HashedId8 of the reporter's certificate.
    pub reporter: HashedId8,
    /// Per reported certificate: its HashedId8 and the plausibility findings.
    pub reported: Vec<(HashedId8, Vec<String>)>,
}

/// A certificate the policy flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// The reported certificate.
    pub certificate: Certificate,
    /// Distinct reporters that count.
    pub reporters: usize,
    /// The findings of those reports.
    pub findings: BTreeSet<String>,
}

/// The MA's state as [`Ma::status`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaStatus {
    /// Misbehavior reports received (distinct).
    pub reports: u64,
    /// Revocations decided (by the policy or the operator).
    pub revocations: u64,
    /// Reported certificates that meet the policy and are not revoked yet.
    pub suspects: usize,
    /// The last composite CRL's `crlSerial`.
    pub crl_serial: u32,
    /// Linkage-seed entries (revoked pseudonym devices) on the CRL.
    pub linkage_entries: usize,
    /// Hash entries on the CRL, per CRL series.
    pub hash_entries: BTreeMap<u16, usize>,
    /// removeRoot ballots on the CRL.
    pub removed_roots: usize,
    /// removeElector ballots on the CRL.
    pub removed_electors: usize,
    /// Root-signed CRLs (series 256) carried.
    pub root_crls: usize,
    /// The HashedId8 of the CRL Generator certificate in use.
    pub crlg: [u8; 8],
}

/// The CRL entry of a revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationEntry {
    /// A pseudonym linkage chain (series 1): the seeds of period `i_rev`.
    Linkage(LinkageRevocation),
    /// A certificate by hash: its CRL series, HashedId10 and expiry.
    Hash {
        /// The CRL series (2, 3 or 4).
        series: CrlSeries,
        /// HashedId10 of the certificate.
        id10: HashedId10,
        /// Its expiry (Time32).
        expiry: Time32,
    },
}

impl RevocationEntry {
    /// The linkage entry, for a pseudonym revocation.
    pub fn linkage(&self) -> Option<&LinkageRevocation> {
        match self {
            RevocationEntry::Linkage(l) => Some(l),
            RevocationEntry::Hash { .. } => None,
        }
    }
}

/// The result of an investigation or an operator's revocation.
#[derive(Debug, Clone)]
pub struct Investigation {
    /// HashedId8 of the revoked certificate.
    pub subject: HashedId8,
    /// The HPCRs the PCA named (pseudonyms; empty otherwise).
    pub hpcr: Vec<[u8; 32]>,
    /// The CRL entry.
    pub entry: RevocationEntry,
    /// Whether the RA confirmed the blacklisting of the device (always false for SCMS
    /// components, which the RA does not serve).
    pub blacklisted: bool,
    /// The composite CRL published with the entry.
    pub crl: CompositeCrl,
    /// The `crlSerial` of that publication.
    pub crl_serial: u32,
}

/// What [`Ma::publish_ballot`] or [`Ma::add_root_crl`] did.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The ballot's effect (ballots only).
    pub effect: Option<BallotEffect>,
    /// Whether the CRLG did not hold it yet.
    pub new: bool,
    /// The composite CRL published.
    pub crl: CompositeCrl,
    /// Its `crlSerial`.
    pub crl_serial: u32,
}

/// How a certificate is revoked.
enum Plan {
    /// Pseudonym: the linkage investigation.
    Pseudonym,
    /// A hash entry in `series`, and the device blacklisted by `rif` if given.
    Hash {
        series: CrlSeries,
        rif: Option<HashedId8>,
    },
}

/// The Misbehavior Authority.
pub struct Ma {
    name: String,
    cert: Certificate,
    signer: KeyPair,
    dec_key: PrivateKey,
    pca: Peer,
    ra: Peer,
    la1: Peer,
    la2: Peer,
    la_ids: (u16, u16),
    j_max: u8,
    trust: TrustStore,
    intermediates: Vec<Certificate>,
    policy: Policy,
    store: Box<dyn MaStore>,
    crlg: Mutex<CrlGenerator>,
    crl_path: std::path::PathBuf,
    layout: Layout,
    clock: Arc<dyn Clock>,
    backend: &'static dyn CurveBackend,
}

impl std::fmt::Debug for Ma {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ma")
            .field("name", &self.name)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn read_cert(layout: &Layout, name: &str) -> Result<Certificate, MaError> {
    let path = layout.cert(name);
    let bytes =
        std::fs::read(&path).map_err(|e| MaError::Setup(format!("{}: {e}", path.display())))?;
    Certificate::from_coer(&bytes).map_err(|e| MaError::Setup(format!("{}: {e:?}", path.display())))
}

fn hostname(s: &str) -> Result<Hostname, MaError> {
    Hostname::new(s).map_err(|_| MaError::Setup(format!("hostname too long: {s}")))
}

impl Ma {
    /// Opens the MA of the `scms init` directory `layout`: its certificate, signing key
    /// (`ma`) and decryption key (`ma-enc`), the certificates of the PCA, RA, LAs, root and
    /// ICA, its database `DIR/ma/ma.sqlite`, and the CRL Generator it drives (keystore
    /// `crlg`, `certs/crlg.oer`, state `DIR/crlg/crlg-state.json`).
    pub fn open(layout: &Layout, keys: &Keystore, clock: Arc<dyn Clock>) -> Result<Ma, MaError> {
        let path = layout.config();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| MaError::Setup(format!("{}: {e}", path.display())))?;
        let cfg = Config::from_toml(&text).map_err(MaError::Setup)?;
        let backend = default_backend();
        let cert = read_cert(layout, "ma")?;
        let signer = keys.load_key_pair("ma")?;
        if sign::certificate_key(backend, &cert, None)?
            != *scms_core::signer::Signer::public_key(&signer)
        {
            return Err(MaError::Setup(
                "the ma key does not match certs/ma.oer".into(),
            ));
        }
        let dec_key = keys.load_key_pair("ma-enc")?.private().clone();
        let root = read_cert(layout, "root")?;
        let mut trust = TrustStore::new(vec![], 1).map_err(|e| MaError::Setup(e.to_string()))?;
        trust
            .add_root_by_ceremony(backend, root.clone())
            .map_err(|e| MaError::Setup(e.to_string()))?;
        let intermediates = vec![read_cert(layout, "ica")?, read_cert(layout, "pca")?];
        let la_ids = match (cfg.la1_id, cfg.la2_id) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                return Err(MaError::Setup(
                    "la1_id / la2_id missing in scms.toml".into(),
                ))
            }
        };
        let crlg_cert = read_cert(layout, "crlg")?;
        let crlg = CrlGenerator::open(
            Box::new(keys.load_key_pair("crlg")?),
            crlg_cert,
            certificate_id8(&root),
            &layout.state("crlg").join("crlg-state.json"),
        )?;
        let store = SqliteMaStore::open(&layout.state("ma").join("ma.sqlite"))?;
        Ok(Ma {
            name: cfg.fqdn("ma"),
            pca: wire::load_peer(layout, "pca", backend)?,
            ra: wire::load_peer(layout, "ra", backend)?,
            la1: wire::load_peer(layout, "la1", backend)?,
            la2: wire::load_peer(layout, "la2", backend)?,
            la_ids,
            j_max: cfg.local_policy.certs_per_i_period,
            cert,
            signer,
            dec_key,
            trust,
            intermediates,
            policy: Policy::default(),
            store: Box::new(store),
            crlg: Mutex::new(crlg),
            crl_path: layout.file("CRL.oer"),
            layout: layout.clone(),
            clock,
            backend,
        })
    }

    /// Replaces the detection policy.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// The MA certificate (EEs encrypt reports to it).
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The store.
    pub fn store(&self) -> &dyn MaStore {
        self.store.as_ref()
    }

    /// Receives one `SecuredMisbehaviorReport` (COER). Refuses reports that are not
    /// encrypted to the MA, not signed by a valid pseudonym certificate, or whose reported
    /// SPDUs do not verify; stores the others with their plausibility findings.
    pub fn receive_report(&self, bytes: &[u8]) -> Result<ReportOutcome, MaError> {
        let result = self.receive_inner(bytes);
        match &result {
            Ok(o) => tracing::info!(reported = o.reported.len(), "misbehavior report accepted"),
            Err(e) => tracing::warn!(error = %e, "misbehavior report refused"),
        }
        result
    }

    fn receive_inner(&self, bytes: &[u8]) -> Result<ReportOutcome, MaError> {
        let now = self.clock.now();
        let outer = Ieee1609Dot2Data::from_coer(bytes)
            .map_err(|e| MaError::Malformed(format!("not an Ieee1609Dot2Data: {e:?}")))?;
        let Ieee1609Dot2Content::EncryptedData(ed) = &outer.content else {
            return Err(MaError::NotEncrypted);
        };
        let plain = decrypt(
            self.backend,
            ed,
            Decryptor::Certificate {
                cert: &self.cert,
                key: &self.dec_key,
            },
        )
        .map_err(|e| MaError::Malformed(format!("cannot decrypt: {e}")))?;
        let signed = Ieee1609Dot2Data::from_coer(&plain)
            .map_err(|e| MaError::Malformed(format!("decrypted data: {e:?}")))?;
        let Ieee1609Dot2Content::SignedData(sd) = &signed.content else {
            return Err(MaError::InvalidSignature("report is not signed".into()));
        };
        let h = &sd.tbs_data.header_info;
        let report_time = match (
            h.psid == Psid::new(MISBEHAVIOR_REPORTING_PSID),
            h.generation_time,
        ) {
            (true, Some(t)) => t,
            _ => {
                return Err(MaError::Malformed(
                    "header: MisbehaviorReportingPsid with generationTime".into(),
                ))
            }
        };
        let SignerIdentifier::Certificate(list) = &sd.signer else {
            return Err(MaError::InvalidSignature(
                "reporter certificate not carried".into(),
            ));
        };
        let [reporter] = list.as_slice() else {
            return Err(MaError::InvalidSignature(
                "signer must be one certificate".into(),
            ));
        };
        if !matches!(reporter.to_be_signed.id, CertificateId::LinkageData(_)) {
            return Err(MaError::InvalidSignature(
                "reporter is not a pseudonym".into(),
            ));
        }
        let chain = validate_chain(
            self.backend,
            reporter,
            &self.intermediates,
            &self.trust,
            now,
        )
        .map_err(|e| MaError::InvalidSignature(format!("reporter chain: {e}")))?;
        sign::verify_signed_data(self.backend, sd, Some(reporter), &chain.leaf_key)
            .map_err(|e| MaError::InvalidSignature(format!("reporter: {e}")))?;
        let reporter_id = certificate_id8(reporter);
        let payload = match sd.tbs_data.payload.data.as_deref() {
            Some(Ieee1609Dot2Data {
                content: Ieee1609Dot2Content::UnsecuredData(o),
                ..
            }) => o.as_bytes(),
            _ => return Err(MaError::Malformed("payload is not unsecuredData".into())),
        };
        let pdu = ScmsPDU::from_coer(payload)
            .map_err(|e| MaError::Malformed(format!("not a ScmsPDU: {e:?}")))?;
        let contents = match pdu.content {
            ScmsPDUContent::EeMa(EndEntityMaInterfacePDU::MisbehaviorReport(c))
                if pdu.version == 1 && c.version == 1 =>
            {
                c
            }
            _ => {
                return Err(MaError::Malformed(
                    "not a misbehaviorReport (version 1)".into(),
                ))
            }
        };
        let list = contents
            .misbehaving_device_bsms
            .as_ref()
            .ok_or_else(|| MaError::Malformed("no misbehavingDeviceBSMs".into()))?;
        let spdus = Vec::<OctetString>::from_coer(&list.0)
            .map_err(|e| MaError::Malformed(format!("misbehavingDeviceBSMs: {e:?}")))?;
        if spdus.is_empty() || spdus.len() > MAX_REPORTED_SPDUS {
            return Err(MaError::Malformed(format!(
                "1 to {MAX_REPORTED_SPDUS} reported SPDUs"
            )));
        }
        let at = time32_from_time64(report_time);
        let mut by_cert: BTreeMap<HashedId8, (Certificate, Vec<Timed>)> = BTreeMap::new();
        let parsed: Vec<Ieee1609Dot2Data> = spdus
            .iter()
            .map(|s| Ieee1609Dot2Data::from_coer(&s.0))
            .collect::<Result<_, _>>()
            .map_err(|e| MaError::Malformed(format!("reported SPDU: {e:?}")))?;
        let carried: Vec<Certificate> = parsed
            .iter()
            .filter_map(|d| match &d.content {
                Ieee1609Dot2Content::SignedData(sd) => {
                    sign::carried_certificate(&sd.signer).cloned()
                }
                _ => None,
            })
            .collect();
        for d in &parsed {
            let Ieee1609Dot2Content::SignedData(bsd) = &d.content else {
                return Err(MaError::InvalidSignature(
                    "reported SPDU is not signed".into(),
                ));
            };
            let cert = match &bsd.signer {
                SignerIdentifier::Certificate(l) if l.len() == 1 => l[0].clone(),
                SignerIdentifier::Digest(h) => carried
                    .iter()
                    .find(|c| certificate_id8(c) == *h)
                    .cloned()
                    .ok_or_else(|| MaError::InvalidSignature("reported signer unknown".into()))?,
                _ => return Err(MaError::InvalidSignature("reported signer".into())),
            };
            let chain = validate_chain(self.backend, &cert, &self.intermediates, &self.trust, at)
                .map_err(|e| MaError::InvalidSignature(format!("reported chain: {e}")))?;
            sign::verify_signed_data(self.backend, bsd, Some(&cert), &chain.leaf_key)
                .map_err(|e| MaError::InvalidSignature(format!("reported SPDU: {e}")))?;
            let hi = &bsd.tbs_data.header_info;
            let t = hi
                .generation_time
                .ok_or_else(|| MaError::Malformed("reported SPDU without generationTime".into()))?;
            let bsm = match bsd.tbs_data.payload.data.as_deref() {
                Some(Ieee1609Dot2Data {
                    content: Ieee1609Dot2Content::UnsecuredData(o),
                    ..
                }) if hi.psid == Psid::new(BSM_PSID) => Bsm::decode(o.as_bytes()),
                _ => None,
            };
            by_cert
                .entry(certificate_id8(&cert))
                .or_insert_with(|| (cert.clone(), Vec::new()))
                .1
                .push((t, bsm));
        }
        if by_cert.contains_key(&reporter_id) {
            return Err(MaError::SelfReport);
        }
        let mut reported = Vec::new();
        for (id, (cert, msgs)) in by_cert {
            let findings = self.plausibility(msgs, report_time, now);
            let mut h = plain.clone();
            h.extend_from_slice(&id);
            self.store.add_report(&ReportRecord {
                report_hash: sha256(&h),
                received_at: now,
                reporter: reporter_id,
                reported: id,
                reported_certificate: cert.to_coer(),
                report: plain.clone(),
                findings: findings.join(";"),
            })?;
            reported.push((id, findings));
        }
        Ok(ReportOutcome {
            reporter: reporter_id,
            reported,
        })
    }

    /// The plausibility findings on one certificate's messages.
    fn plausibility(&self, mut msgs: Vec<Timed>, report_time: u64, now: u32) -> Vec<String> {
        let p = &self.policy;
        let mut out = BTreeSet::new();
        let now64 = scms_core::time::time64_from_time32(now);
        msgs.sort_by_key(|(t, _)| *t);
        for (t, bsm) in &msgs {
            if *t > report_time.saturating_add(p.future_tolerance_s * 1_000_000) {
                out.insert("timestamp in the future".to_string());
            }
            if now64.saturating_sub(*t) > p.max_age_s * 1_000_000 {
                out.insert("stale timestamp".to_string());
            }
            if let Some(v) = bsm.and_then(|b| b.speed_mps()) {
                if v > p.max_speed_mps {
                    out.insert(format!("speed above {} m/s", p.max_speed_mps));
                }
            }
        }
        for w in msgs.windows(2) {
            if let [(t1, Some(a)), (t2, Some(b))] = w {
                let dt = (t2 - t1) as f64 / 1e6;
                let v = a
                    .speed_mps()
                    .unwrap_or(p.max_speed_mps)
                    .max(b.speed_mps().unwrap_or(p.max_speed_mps));
                if distance_m(a, b) > v * dt + p.position_margin_m {
                    out.insert("position jump".to_string());
                }
            }
        }
        out.into_iter().collect()
    }

    /// What the MA holds and has published (for the operator; no report contents, no
    /// seeds, no certificates).
    pub fn status(&self) -> Result<MaStatus, MaError> {
        let (reports, revocations) = self.store.counts()?;
        let suspects = self.suspects()?.len();
        let g = self
            .crlg
            .lock()
            .map_err(|_| MaError::Setup("CRLG lock poisoned".into()))?;
        let mut hash_entries = BTreeMap::new();
        for (series, _, _) in g.hash_entries() {
            *hash_entries.entry(series).or_insert(0usize) += 1;
        }
        Ok(MaStatus {
            reports,
            revocations,
            suspects,
            crl_serial: g.crl_serial(),
            linkage_entries: g.linkage_entries().len(),
            hash_entries,
            removed_roots: g.revoked_roots().len(),
            removed_electors: g.revoked_electors().len(),
            root_crls: g.root_crls().len(),
            crlg: certificate_id8(g.certificate()),
        })
    }

    /// The certificates that meet the policy and are not revoked yet, first reported first.
    pub fn suspects(&self) -> Result<Vec<Suspect>, MaError> {
        let mut out = Vec::new();
        for id in self.store.reported()? {
            if self.store.revocation(&id)?.is_some() {
                continue;
            }
            let reports = self.store.reports_against(&id)?;
            let counted: Vec<&ReportRecord> = reports
                .iter()
                .filter(|r| !self.policy.require_evidence || !r.findings.is_empty())
                .collect();
            let reporters: BTreeSet<[u8; 8]> = counted.iter().map(|r| r.reporter).collect();
            if reporters.len() < self.policy.min_reporters.max(1) {
                continue;
            }
            let Some(first) = reports.first() else {
                continue;
            };
            let certificate = Certificate::from_coer(&first.reported_certificate)
                .map_err(|_| MaError::Store(DbError::Corrupt("reported certificate")))?;
            out.push(Suspect {
                certificate,
                reporters: reporters.len(),
                findings: counted
                    .iter()
                    .flat_map(|r| r.findings.split(';').filter(|s| !s.is_empty()))
                    .map(str::to_string)
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Investigates and revokes a suspect (see the crate docs for the message flow):
    /// pseudonym certificates through the linkage investigation, identification and
    /// application certificates by hash and RIF blacklisting.
    pub fn investigate(
        &self,
        suspect: &Suspect,
        peers: Peers<'_>,
    ) -> Result<Investigation, MaError> {
        self.revoke(&suspect.certificate, "detection policy", peers)
    }

    /// Revokes a certificate on an operator's order (`POST /admin/revoke`): a pseudonym
    /// certificate through the same investigation (its whole chain from the current
    /// period); an identification or application certificate (series 3) by hash, with the
    /// device blacklisted at the RA by its RIF; an enrollment certificate (series 4) by
    /// hash, with that enrollment certificate blacklisted; an SCMS component (series 2) by
    /// hash. Hash entries stay until the certificate expires. Certificates of series 256
    /// (CRLG, PG, MA) are revoked by the root ([`Ma::add_root_crl`]), roots and electors by
    /// ballot ([`Ma::publish_ballot`]).
    pub fn revoke_by_operator(
        &self,
        cert: &Certificate,
        reason: &str,
        peers: Peers<'_>,
    ) -> Result<Investigation, MaError> {
        self.revoke(cert, reason, peers)
    }

    fn revoke(
        &self,
        cert: &Certificate,
        reason: &str,
        peers: Peers<'_>,
    ) -> Result<Investigation, MaError> {
        match self.plan(cert)? {
            Plan::Pseudonym => self.revoke_pseudonym(cert, reason, peers),
            Plan::Hash { series, rif } => self.revoke_hash(cert, series, rif, reason, peers),
        }
    }

    /// How `cert` is revoked (see [`Ma::revoke_by_operator`]).
    fn plan(&self, cert: &Certificate) -> Result<Plan, MaError> {
        let tbs = &cert.to_be_signed;
        match (&tbs.id, tbs.crl_series) {
            (CertificateId::LinkageData(_), _) => Ok(Plan::Pseudonym),
            (CertificateId::BinaryId(b), crl_series::EE_NON_PSEUDONYM) => {
                let rif: HashedId8 =
                    b.0.as_slice()
                        .try_into()
                        .map_err(|_| MaError::Malformed("binaryId is not an 8-byte RIF".into()))?;
                if cert.issuer
                    != IssuerIdentifier::Sha256AndDigest(certificate_id8(self.pca.certificate()))
                {
                    return Err(MaError::Unsupported("issued by an unknown PCA"));
                }
                Ok(Plan::Hash {
                    series: crl_series::EE_NON_PSEUDONYM,
                    rif: Some(rif),
                })
            }
            (_, crl_series::EE_NON_PSEUDONYM) => Err(MaError::Unsupported(
                "a series-3 certificate without a RIF (binaryId)",
            )),
            (_, crl_series::EE_ENROLLMENT) => Ok(Plan::Hash {
                series: crl_series::EE_ENROLLMENT,
                rif: Some(certificate_id8(cert)),
            }),
            (_, crl_series::SCMS_COMPONENT) => Ok(Plan::Hash {
                series: crl_series::SCMS_COMPONENT,
                rif: None,
            }),
            (_, crl_series::SCMS_SPCL_COMPONENT) => Err(MaError::Unsupported(
                "CRLG, PG and MA certificates are revoked by the root (scms admin root-crl)",
            )),
            _ => Err(MaError::Unsupported(
                "certificate not in a revocable CRL series",
            )),
        }
    }

    /// A hash entry for `cert` in `series`, the device blacklisted by `rif` (if given), a
    /// new composite CRL.
    fn revoke_hash(
        &self,
        cert: &Certificate,
        series: CrlSeries,
        rif: Option<HashedId8>,
        reason: &str,
        peers: Peers<'_>,
    ) -> Result<Investigation, MaError> {
        let now = self.clock.now();
        let id10 = certificate_id10(cert);
        let expiry =
            u32::try_from(validity_end(&cert.to_be_signed.validity_period)).unwrap_or(u32::MAX);
        self.crlg
            .lock()
            .map_err(|_| MaError::Setup("CRLG lock poisoned".into()))?
            .add_hash(series, id10, expiry)?;
        let mut record = RevocationRecord {
            subject: certificate_id8(cert),
            decided_at: now,
            reason: reason.to_string(),
            hpcr: None,
            linkage: None,
            hash: Some((id10, series, expiry)),
            blacklisted: false,
        };
        self.store.record_revocation(&record)?;
        if let Some(rif) = rif {
            record.blacklisted = self.blacklist_rif(rif, peers)?;
            self.store.record_revocation(&record)?;
        }
        let (crl, crl_serial) = self.publish()?;
        tracing::warn!(
            series,
            blacklisted = record.blacklisted,
            "certificate revoked by hash"
        );
        Ok(Investigation {
            subject: record.subject,
            hpcr: vec![],
            entry: RevocationEntry::Hash {
                series,
                id10,
                expiry,
            },
            blacklisted: record.blacklisted,
            crl,
            crl_serial,
        })
    }

    /// Asks the RA to blacklist the device of `rif` (`maRaRseObeIdBlacklistRequest`);
    /// whether the RA confirmed it (or had already). A refusal or an unreachable RA is
    /// logged: the revocation stands.
    fn blacklist_rif(&self, rif: HashedId8, peers: Peers<'_>) -> Result<bool, MaError> {
        let content = ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest(
            MaRaRseObeIdBlacklistRequestMsg {
                version: 1,
                tbs: ToBeSignedRseObeIdBlacklistingInstructionMsg {
                    ma_id: hostname(&self.name)?,
                    rif: vec![rif],
                },
                signatures: vec![],
            },
        ));
        let (req, rh) = wire::request(self, content, Some(&self.ra))?;
        let bytes = match peers.ra.blacklist(&req) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "blacklisting at the RA failed; revocation stands");
                return Ok(false);
            }
        };
        let ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(r)) =
            wire::open_reply(self, &self.ra, &bytes, rh)?
        else {
            return Err(MaError::Malformed(
                "not a raMaRseObeIdBlacklistResponse".into(),
            ));
        };
        let mut confirmed = false;
        for s in r.status.iter().filter(|s| s.rif == rif) {
            match &s.reply {
                RseObeIdBlacklistingStatusReply::Success(())
                | RseObeIdBlacklistingStatusReply::Failure(ScmsError::MaRa(
                    MaRaError::MaRaBlacklistError(MaRaBlacklistErrorCode::AlreadyBlacklisted),
                )) => confirmed = true,
                RseObeIdBlacklistingStatusReply::Failure(f) => {
                    tracing::warn!(failure = ?f, "the RA did not blacklist the RIF");
                }
            }
        }
        Ok(confirmed)
    }

    /// Publishes a `removeRoot` or `removeElector` ballot (`POST /admin/ballot`): verified
    /// against the SCMS's electors and quorum ([`manager::trust_store`]), handed to the CRLG
    /// and a new composite CRL published. `addRoot` / `addElector` ballots are refused:
    /// they go into the certificate chain files ([`manager::publish_add_ballot`]).
    pub fn publish_ballot(&self, ballot: &ElectorBallot) -> Result<Publication, MaError> {
        let tbs = manager::statement(ballot)?;
        if !matches!(
            tbs.r#type,
            EndorsementType::RemoveRoot | EndorsementType::RemoveElector
        ) {
            return Err(MaError::Unsupported(
                "addRoot and addElector ballots are published in the certificate chain files",
            ));
        }
        let now = self.clock.now();
        let mut trust = manager::trust_store(&self.layout, now)?;
        let effect = trust.apply_ballot(self.backend, ballot, now)?;
        let new = self
            .crlg
            .lock()
            .map_err(|_| MaError::Setup("CRLG lock poisoned".into()))?
            .add_ballot(ballot)?;
        let (crl, crl_serial) = self.publish()?;
        tracing::warn!(?effect, new, "elector ballot published in the CRL");
        Ok(Publication {
            effect: Some(effect),
            new,
            crl,
            crl_serial,
        })
    }

    /// Publishes a root-signed CRL of series 256 (`POST /admin/root-crl`): it must verify
    /// with a root the SCMS trusts ([`manager::trust_store`]); the CRLG keeps the newest
    /// of each root and a new composite CRL is published.
    pub fn add_root_crl(&self, crl: &SecuredCrl) -> Result<Publication, MaError> {
        let trust = manager::trust_store(&self.layout, self.clock.now())?;
        let new = self
            .crlg
            .lock()
            .map_err(|_| MaError::Setup("CRLG lock poisoned".into()))?
            .add_root_crl(crl, trust.roots())?;
        let (crl, crl_serial) = self.publish()?;
        tracing::warn!(new, "root CRL published");
        Ok(Publication {
            effect: None,
            new,
            crl,
            crl_serial,
        })
    }

    /// Publishes the composite CRL now (e.g. daily, before `nextCrl`).
    pub fn publish_crl(&self) -> Result<CompositeCrl, MaError> {
        self.publish().map(|(crl, _)| crl)
    }

    /// Signs, writes and returns the composite CRL and its serial (the file is written
    /// under the CRLG lock, so a later serial never gets overwritten by an earlier one).
    fn publish(&self) -> Result<(CompositeCrl, u32), MaError> {
        let mut g = self
            .crlg
            .lock()
            .map_err(|_| MaError::Setup("CRLG lock poisoned".into()))?;
        let crl = g.publish(self.clock.now())?;
        self.write_crl(&crl)?;
        Ok((crl, g.crl_serial()))
    }

    /// Writes the composite CRL the CRL store serves (`files/CRL.oer`), atomically.
    fn write_crl(&self, crl: &CompositeCrl) -> Result<(), MaError> {
        let tmp = self.crl_path.with_extension("oer.tmp");
        let io = |e: std::io::Error| MaError::Setup(format!("{}: {e}", self.crl_path.display()));
        std::fs::write(&tmp, crl.to_coer()).map_err(io)?;
        std::fs::rename(&tmp, &self.crl_path).map_err(io)?;
        Ok(())
    }

    fn revoke_pseudonym(
        &self,
        cert: &Certificate,
        reason: &str,
        peers: Peers<'_>,
    ) -> Result<Investigation, MaError> {
        let CertificateId::LinkageData(ld) = &cert.to_be_signed.id else {
            return Err(MaError::Unsupported("not a pseudonym certificate"));
        };
        if cert.issuer != IssuerIdentifier::Sha256AndDigest(certificate_id8(self.pca.certificate()))
        {
            return Err(MaError::Unsupported("issued by an unknown PCA"));
        }
        let subject = certificate_id8(cert);
        let lv = ld.linkage_value;
        let ma_id = hostname(&self.name)?;

        // 1. PCA: linkage value → HPCR.
        let content =
            ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaHPCRRequest(MaPcaHPCRRequestMsg {
                version: 1,
                tbs: ToBeSignedMaPcaHPCRRequestMsg {
                    ma_id: ma_id.clone(),
                    linkage_values: vec![lv],
                },
                signatures: vec![],
            }));
        let (req, rh) = wire::request(self, content, Some(&self.pca))?;
        let reply = wire::open_reply(self, &self.pca, &peers.pca.ma_pca(&req)?, rh)?;
        let ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaHPCRResponse(r)) = reply else {
            return Err(MaError::Malformed("not a pcaMaHPCRResponse".into()));
        };
        let mut hpcrs: Vec<[u8; 32]> = Vec::new();
        for e in r.hpcrinfo.iter().filter(|e| e.lv == lv) {
            match &e.reply {
                Lv2HPCRReply::Success(s) if !hpcrs.contains(&s.hpcr) => hpcrs.push(s.hpcr),
                Lv2HPCRReply::Success(_) => {}
                Lv2HPCRReply::Failure(f) => {
                    return Err(MaError::PeerRefused(format!("PCA: {f:?}")))
                }
            }
        }
        if hpcrs.is_empty() {
            return Err(MaError::PeerRefused("PCA: no HPCR".into()));
        }

        // 2. RA: HPCR → LinkageChainIds (+ iMax).
        let content = ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaLCIRequest(MaRaLCIRequestMsg {
            version: 1,
            tbs: ToBeSignedLCIRequestMsg {
                ma_id: ma_id.clone(),
                hpcr: hpcrs.clone(),
            },
            signatures: vec![],
        }));
        let (req, rh) = wire::request(self, content, Some(&self.ra))?;
        let reply = wire::open_reply(self, &self.ra, &peers.ra.lci_for_hpcr(&req)?, rh)?;
        let ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaLCIResponse(r)) = reply else {
            return Err(MaError::Malformed("not a raMaLCIResponse".into()));
        };
        let info: LCIAndHostInfo = r
            .lci_info
            .into_iter()
            .find_map(|e| match e.reply {
                HPCR2LCIReply::Success(s) if hpcrs.contains(&e.hpcr) => Some(s.info),
                _ => None,
            })
            .ok_or_else(|| MaError::PeerRefused("RA: no LinkageChainId for the HPCR".into()))?;
        let i_max = u16::try_from(u32::from_be_bytes(info.i_max)).unwrap_or(u16::MAX);

        // 3. LA1, LA2: LCI → ls(i) of the current period (retried if a period boundary
        //    passed during the exchange).
        let (i_rev, s1, s2) = {
            let mut attempt = 0;
            loop {
                let before = self.current_i();
                let a = self.seed(&self.la1, peers.la1, &info.la1_lci, self.la_ids.0)?;
                let b = self.seed(&self.la2, peers.la2, &info.la2_lci, self.la_ids.1)?;
                if before == self.current_i() || attempt == 1 {
                    break (before, a, b);
                }
                attempt += 1;
            }
        };
        if u32::from(i_rev) == u32::from(ld.i_cert) {
            let (la1, la2) = self.la_ids;
            let found = (0..u32::from(self.j_max))
                .any(|j| linkage_value_from_seeds((la1, &s1), (la2, &s2), j) == lv);
            if !found {
                return Err(MaError::Inconsistent(
                    "the LAs' seeds do not reproduce the reported linkage value".into(),
                ));
            }
        } else if ld.i_cert > i_rev {
            return Err(MaError::Inconsistent(
                "certificate of a future period".into(),
            ));
        }
        let entry = LinkageRevocation {
            i_rev,
            la1_id: self.la_ids.0,
            seed1: *s1.expose(),
            la2_id: self.la_ids.1,
            seed2: *s2.expose(),
            j_max: self.j_max,
            i_max: i_max.max(i_rev),
        };
        self.crlg
            .lock()
            .map_err(|_| MaError::Setup("CRLG lock poisoned".into()))?
            .add_linkage(&entry)?;
        let mut record = RevocationRecord {
            subject,
            decided_at: self.clock.now(),
            reason: reason.to_string(),
            hpcr: hpcrs.first().copied(),
            linkage: Some(LinkageSeeds {
                i_rev,
                la1_id: entry.la1_id,
                seed1: entry.seed1,
                la2_id: entry.la2_id,
                seed2: entry.seed2,
                j_max: entry.j_max,
                i_max: entry.i_max,
            }),
            hash: None,
            blacklisted: false,
        };
        self.store.record_revocation(&record)?;

        // 4. RA: blacklist the enrollment certificate behind the HPCR.
        let content = ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaBlacklistRequest(
            MaRaBlacklistRequestMsg {
                version: 1,
                tbs: ToBeSignedBlacklistingInstructionMsg {
                    ma_id,
                    hpcr: hpcrs.clone(),
                },
                signatures: vec![],
            },
        ));
        let (req, rh) = wire::request(self, content, Some(&self.ra))?;
        let blacklisted = match peers.ra.blacklist(&req) {
            Ok(bytes) => match wire::open_reply(self, &self.ra, &bytes, rh)? {
                ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaBlacklistResponse(r)) => {
                    !r.status.is_empty()
                        && r.status.iter().all(|s| {
                            matches!(
                                s.reply,
                                BlacklistingStatusReply::Success(_)
                                    | BlacklistingStatusReply::Failure(ScmsError::MaRa(
                                        MaRaError::MaRaBlacklistError(
                                            MaRaBlacklistErrorCode::AlreadyBlacklisted
                                        )
                                    ))
                            )
                        })
                }
                _ => false,
            },
            Err(e) => {
                tracing::warn!(error = %e, "blacklisting at the RA failed; revocation stands");
                false
            }
        };
        record.blacklisted = blacklisted;
        self.store.record_revocation(&record)?;

        // 5. Publish.
        let (crl, crl_serial) = self.publish()?;
        tracing::warn!(
            i_rev,
            i_max = entry.i_max,
            blacklisted,
            "pseudonym chain revoked"
        );
        Ok(Investigation {
            subject,
            hpcr: hpcrs,
            entry: RevocationEntry::Linkage(entry),
            blacklisted,
            crl,
            crl_serial,
        })
    }

    fn current_i(&self) -> u16 {
        i_period(self.clock.now())
            .and_then(|i| u16::try_from(i).ok())
            .unwrap_or(0)
    }

    /// One LA's seed for `lci`.
    fn seed(
        &self,
        peer: &Peer,
        client: &dyn LaClient,
        lci: &scms_asn1::camp::base_types::LinkageChainId,
        la_id: u16,
    ) -> Result<LinkageSeed, MaError> {
        let content = ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(
            MaLaLinkageSeedRequestMsg {
                version: 1,
                tbs: ToBeSignedLSRequestMsg {
                    ma_id: hostname(&self.name)?,
                    lci: vec![lci.clone()],
                },
                signatures: vec![],
            },
        ));
        // The LA certificates carry no encryption key: the request is only signed.
        let (req, rh) = wire::request(self, content, None)?;
        let reply = wire::open_reply(self, peer, &client.linkage_seed(&req)?, rh)?;
        let ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(r)) = reply else {
            return Err(MaError::Malformed("not a laMaLinkageSeedResponse".into()));
        };
        match r
            .ls_info
            .into_iter()
            .find(|e| e.lci == *lci)
            .map(|e| e.reply)
        {
            Some(LCI2LSReply::Success(LinkageSeedAndLaId {
                linkage_seed,
                la_id: id,
            })) if u16::from_be_bytes(id) == la_id => Ok(LinkageSeed::new(linkage_seed)),
            Some(LCI2LSReply::Success(_)) => Err(MaError::Inconsistent(
                "seed from an unexpected LA id".into(),
            )),
            Some(LCI2LSReply::Failure(f)) => Err(MaError::PeerRefused(format!("LA: {f:?}"))),
            None => Err(MaError::PeerRefused("LA: LCI not answered".into())),
        }
    }
}
