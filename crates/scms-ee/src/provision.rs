//! Certificate provisioning requests (seed 004 Use Case 3 step 3.1, Use Case 13, Use
//! Case 19): the device's side.
//!
//! A request is built in this order, so that a crash never loses a key the RA may use:
//!
//! 1. generate the keys (butterfly caterpillar `a, ck, p, ek` for pseudonym and
//!    identification certificates; a verification and a response encryption key pair for
//!    an application certificate);
//! 2. build the `ScopedXxxRequest` (`ScmsPDU { version 1, ee-ra : ... }`) and its request
//!    hash: the low-order 8 bytes of SHA-256 of its COER (the `tbsRequest` the EE signs,
//!    as the RA computes it), written `HASH16` (16 upper-case hex digits);
//! 3. store the keys in the device keystore (`ps-<ID>-a`, `ps-<ID>-ck`, `ps-<ID>-p`,
//!    `ps-<ID>-ek`; `id-<ID>-…` for identification; `app-<ID>-v`, `app-<ID>-r` for
//!    application certificates; `ID` = the HASH16 of the first attempt) and the request
//!    record `D/requests/<ID>.toml`;
//! 4. sign it with the enrollment key (`signedCertificateRequest`, signer = `certificate`
//!    { enrollment certificate }) and encrypt it to the RA certificate's encryption key
//!    (`certRecipInfo`), the `SecuredXxxProvisioningRequest` of scms-protocol.asn.
//!
//! A retry re-signs the same keys with a fresh `current-time` (the RA allows ±5 s), so a
//! new attempt has a new hash; every attempt's hash is recorded so that a request whose
//! acknowledgement was lost is still found (its `.info` file answers).
//!
//! The RA's acknowledgement is a `SignedXxxProvisioningAck` signed by the RA (signer
//! digest); for identification and application requests the RA encrypts it to the
//! response encryption key (`rekRecipInfo`): to `P` (the caterpillar response key) and to
//! the application response key respectively.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use scms_asn1::camp::cert_chain_files::CertificateChainFiles;
use scms_asn1::camp::component_cert_management::ElectorBallot;
use scms_asn1::camp::ee_ra::{
    CommonProvisioningRequestFields, EeRaAppCertProvisioningRequest, EeRaIdCertProvisioningRequest,
    EeRaPseudonymCertProvisioningRequest, EndEntityRaInterfacePDU,
    RaEePseudonymCertProvisioningAck, RaEePseudonymCertProvisioningAckReply,
    UnsignedButterflyParams,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent, ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, PublicVerificationKey,
    SignerIdentifier, Time32,
};
use scms_asn1::Coer;
use scms_core::convert::{compressed, encryption_key, public_encryption_key};
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::sign::{certificate_key, sign_certificate_request, verify_signed_data, SignerId};
use scms_core::signer::{KeyPair, Signer};
use scms_core::trust::TrustStore;
use scms_core::CoreError;
use scms_crypto::butterfly::CaterpillarPrivate;
use scms_crypto::{default_backend, AesKey, Point, PrivateKey};
use scms_store::Keystore;
use serde::{Deserialize, Serialize};

use crate::device::{write_atomic, DeviceConfig, DeviceDir, DeviceError, ENROLLMENT_KEY};
use crate::enrollment::DeviceKind;
use crate::trust_state::{self, BallotOutcome, BallotResult, BallotSource};

/// `POST` path of pseudonym requests.
pub const PATH_PSEUDONYM: &str = "/provision-pseudonym-certificate-batch";
/// `POST` path of identification requests.
pub const PATH_IDENTIFICATION: &str = "/provision-identity-certificate";
/// `POST` path of application requests.
pub const PATH_APPLICATION: &str = "/provision-application-certificate";
/// The request records directory in `D`.
pub const REQUESTS_DIR: &str = "requests";
/// Largest message read from the RA or from a device file.
pub const MAX_MESSAGE: u64 = 1 << 20;
/// `SecurityMgmtPsid`.
pub const SECURITY_MGMT_PSID: u64 = 0x23;

/// The seed's EE log codes (§"Overview of Used Error Codes"); `Display` is the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EeErrorCode {
    /// eeInitCertProvFailed (SCMS-949).
    EeInitCertProvFailed,
    /// eePolicyFileDownloadFailed (SCMS-952).
    EePolicyFileDownloadFailed,
    /// eePolicyFileParsingFailed (SCMS-956).
    EePolicyFileParsingFailed,
    /// eePolicyVerificationFailed (SCMS-954/1076): a policy file's signature.
    EePolicyVerificationFailed,
    /// eeConnectionFailed (SCMS-958).
    EeConnectionFailed,
    /// eeAuthenticationFailed (SCMS-979).
    EeAuthenticationFailed,
    /// eeCertFileDownloadFailed (SCMS-965).
    EeCertFileDownloadFailed,
    /// eeCertFileVerificationFailed (SCMS-967): the PCA's signature.
    EeCertFileVerificationFailed,
    /// eeCertificateFileDecryptionFailed (SCMS-969).
    EeCertificateFileDecryptionFailed,
    /// eeCertificateVerificationFailed (SCMS-971): certificate or key check.
    EeCertificateVerificationFailed,
    /// eeCertContentFalse (SCMS-973): wrong profile, validity or linkage data.
    EeCertContentFalse,
    /// obeInfoFileDownloadFailed (SCMS-984).
    ObeInfoFileDownloadFailed,
    /// eeCertificateNotReadable (SCMS-1280).
    EeCertificateNotReadable,
    /// eeDecompressionError (SCMS-1282).
    EeDecompressionError,
}

impl std::fmt::Display for EeErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EeErrorCode::EeInitCertProvFailed => "eeInitCertProvFailed",
            EeErrorCode::EePolicyFileDownloadFailed => "eePolicyFileDownloadFailed",
            EeErrorCode::EePolicyFileParsingFailed => "eePolicyFileParsingFailed",
            EeErrorCode::EePolicyVerificationFailed => "eePolicyVerificationFailed",
            EeErrorCode::EeConnectionFailed => "eeConnectionFailed",
            EeErrorCode::EeAuthenticationFailed => "eeAuthenticationFailed",
            EeErrorCode::EeCertFileDownloadFailed => "eeCertFileDownloadFailed",
            EeErrorCode::EeCertFileVerificationFailed => "eeCertFileVerificationFailed",
            EeErrorCode::EeCertificateFileDecryptionFailed => "eeCertificateFileDecryptionFailed",
            EeErrorCode::EeCertificateVerificationFailed => "eeCertificateVerificationFailed",
            EeErrorCode::EeCertContentFalse => "eeCertContentFalse",
            EeErrorCode::ObeInfoFileDownloadFailed => "obeInfoFileDownloadFailed",
            EeErrorCode::EeCertificateNotReadable => "eeCertificateNotReadable",
            EeErrorCode::EeDecompressionError => "eeDecompressionError",
        })
    }
}

/// Why provisioning failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionError {
    /// A check failed; `code` is the seed's log name.
    #[error("{code}: {detail}")]
    Check {
        /// The seed's code.
        code: EeErrorCode,
        /// What failed.
        detail: String,
    },
    /// The device directory is incomplete or unreadable.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// The keystore refused.
    #[error(transparent)]
    Store(#[from] scms_store::StoreError),
    /// Signing, encoding or encryption failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The RA answered with an HTTP error (`500` for every application error).
    #[error("the RA answered HTTP {status} to {what}")]
    Http {
        /// The status code.
        status: u16,
        /// The request.
        what: String,
    },
    /// The transport failed (connection, TLS, timeout).
    #[error("eeConnectionFailed: {0}")]
    Transport(String),
    /// The EE timing rules forbid another request now (at most 10 per hour, SCMS-523).
    #[error("at most {0} requests per hour may be sent to the RA")]
    RateLimited(u32),
    /// No such request record.
    #[error("no provisioning request {0}")]
    UnknownRequest(String),
    /// This device kind cannot make this request.
    #[error("{0}")]
    NotAllowed(&'static str),
    /// A CRL was refused.
    #[error(transparent)]
    Crl(#[from] crate::crl::CrlCheckError),
    /// The device's enrollment certificate, something in its enrollment chain, or the
    /// certificates it would sign with are revoked: it stops transmitting and does not
    /// talk to the RA (SCMS-1189, SCMS-1224, SCMS-1285/1286).
    #[error("transmission stopped: {0}")]
    Revoked(String),
}

impl ProvisionError {
    /// A failed check.
    pub fn check(code: EeErrorCode, detail: impl Into<String>) -> Self {
        ProvisionError::Check {
            code,
            detail: detail.into(),
        }
    }

    /// The seed's code, when there is one.
    pub fn code(&self) -> Option<EeErrorCode> {
        match self {
            ProvisionError::Check { code, .. } => Some(*code),
            ProvisionError::Transport(_) => Some(EeErrorCode::EeConnectionFailed),
            _ => None,
        }
    }
}

impl From<scms_crypto::Error> for ProvisionError {
    fn from(e: scms_crypto::Error) -> Self {
        ProvisionError::Core(CoreError::Crypto(e))
    }
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProvisionError + '_ {
    move |source| {
        ProvisionError::Device(DeviceError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Reads at most `max` bytes of `path` (an error if larger).
pub(crate) fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, ProvisionError> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut v = Vec::new();
    f.take(max + 1).read_to_end(&mut v).map_err(io_err(path))?;
    if v.len() as u64 > max {
        return Err(ProvisionError::Device(DeviceError::Config {
            path: path.to_path_buf(),
            reason: format!("larger than {max} bytes"),
        }));
    }
    Ok(v)
}

/// Writes `path` atomically, creating its directory.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ProvisionError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    Ok(write_atomic(path, bytes)?)
}

/// What a certificate chain file (LCCF or GCCF) carries for the device.
#[derive(Debug, Clone)]
pub struct ChainFile {
    /// The required store (certificates, MA certificate) and the optional list.
    pub certificates: Vec<Certificate>,
    /// `rootCAEndorsements`: addRoot ballots.
    pub root_ballots: Vec<ElectorBallot>,
    /// `electorEndorsements`: addElector ballots.
    pub elector_ballots: Vec<ElectorBallot>,
}

impl ChainFile {
    /// Every ballot, `electorEndorsements` first.
    pub fn ballots(&self) -> Vec<ElectorBallot> {
        self.elector_ballots
            .iter()
            .chain(&self.root_ballots)
            .cloned()
            .collect()
    }
}

/// An LCCF or GCCF (`ScmsFile`, bare or as the payload of a signed SPDU).
pub fn chain_file(bytes: &[u8]) -> Result<ChainFile, ProvisionError> {
    let bad = |d: String| ProvisionError::check(EeErrorCode::EePolicyFileParsingFailed, d);
    let file = match ScmsFile::from_coer(bytes) {
        Ok(f) => f,
        Err(_) => {
            let data = Ieee1609Dot2Data::from_coer(bytes).map_err(|e| bad(format!("LCCF: {e}")))?;
            let inner = match &data.content {
                Ieee1609Dot2Content::SignedData(sd) => sd.tbs_data.payload.data.as_deref(),
                _ => Some(&data),
            };
            match inner.map(|d| &d.content) {
                Some(Ieee1609Dot2Content::UnsecuredData(o)) => {
                    ScmsFile::from_coer(o.as_bytes()).map_err(|e| bad(format!("LCCF: {e}")))?
                }
                _ => return Err(bad("LCCF: no ScmsFile inside".into())),
            }
        }
    };
    let (store, optional) = match file.content {
        ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) => {
            (l.required_cert_store, l.optional_cert_list)
        }
        ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) => {
            (g.cert_store, Vec::new())
        }
        _ => return Err(bad("not a certificate chain file".into())),
    };
    let mut certificates = store.certs;
    certificates.push(store.ma_certificate);
    certificates.extend(optional);
    Ok(ChainFile {
        certificates,
        root_ballots: store.root_ca_endorsements,
        elector_ballots: store.elector_endorsements,
    })
}

/// The certificates of an LCCF (`ScmsFile`, bare or as the payload of a signed SPDU):
/// the required store (certificates, MA certificate) and the optional list.
pub fn lccf_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, ProvisionError> {
    Ok(chain_file(bytes)?.certificates)
}

/// A bootstrapped device, loaded: configuration, keystore, enrollment certificate and
/// key, RA certificate, and the trust material (the root installed at bootstrap, the
/// LCCF's certificates as intermediates).
pub struct Device {
    /// The directory.
    pub dir: DeviceDir,
    /// `device.toml`.
    pub config: DeviceConfig,
    /// OBE or RSE.
    pub kind: DeviceKind,
    /// The device keystore.
    pub keys: Keystore,
    /// The enrollment certificate.
    pub enrollment_cert: Certificate,
    /// The enrollment key pair.
    pub enrollment_key: KeyPair,
    /// The RA certificate.
    pub ra_cert: Certificate,
    /// The root certificate.
    pub root: Certificate,
    /// The trust store: electors, the root installed at bootstrap, the ballots applied
    /// since, the revoked components.
    pub trust: TrustStore,
    /// The LCCF's certificates (issuers for chain validation).
    pub intermediates: Vec<Certificate>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("dir", &self.dir)
            .field("kind", &self.kind)
            .field(
                "enrollment",
                &hex::encode(certificate_id8(&self.enrollment_cert)),
            )
            .finish_non_exhaustive()
    }
}

fn cert_file(path: &Path) -> Result<Certificate, ProvisionError> {
    let bytes = read_file(path, MAX_MESSAGE)?;
    Certificate::from_coer(&bytes).map_err(|e| {
        ProvisionError::Device(DeviceError::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    })
}

impl Device {
    /// Opens a bootstrapped device directory with its keystore. The trust store holds the
    /// electors of `trust/electors` with the quorum of `device.toml` (default
    /// [`crate::trust_state::POC_QUORUM`]), the root installed at bootstrap, then the
    /// ballot log replayed and the revoked certificates of `trust/revoked.oer` (see
    /// [`crate::trust_state`]). A device bootstrapped without electors opens, but cannot
    /// apply ballots.
    pub fn open(dir: &DeviceDir, keys: Keystore) -> Result<Device, ProvisionError> {
        let config = dir.load_config()?;
        let kind = config.device_kind().ok_or(ProvisionError::NotAllowed(
            "device.toml: unknown device kind",
        ))?;
        let enrollment_cert = cert_file(&dir.enrollment_cert_path())?;
        let enrollment_key = keys.load_key_pair(ENROLLMENT_KEY)?;
        let trust_dir = dir.trust_dir();
        let ra_cert = cert_file(&trust_dir.join("RA.oer"))?;
        let root = cert_file(&trust_dir.join("root.oer"))?;
        let trust = Self::load_trust(dir, &root)?;
        let mut device = Device {
            dir: dir.clone(),
            config,
            kind,
            keys,
            enrollment_cert,
            enrollment_key,
            ra_cert,
            root,
            trust,
            intermediates: Vec::new(),
        };
        let lccf = read_file(&trust_dir.join("LCCF.oer"), 16 << 20)?;
        device.intermediates = lccf_certificates(&lccf)?;
        if let Ok(eca) = cert_file(&trust_dir.join("ECA.oer")) {
            device.intermediates.push(eca);
        }
        Ok(device)
    }

    /// The trust store of `dir` (see [`Device::open`]).
    fn load_trust(dir: &DeviceDir, root: &Certificate) -> Result<TrustStore, ProvisionError> {
        let trust_dir = dir.trust_dir();
        let electors = trust_state::load_electors(&trust_dir)?;
        let quorum = dir.quorum()?.unwrap_or(trust_state::POC_QUORUM);
        let verification =
            |e: String| ProvisionError::check(EeErrorCode::EeCertificateVerificationFailed, e);
        let mut trust =
            TrustStore::new(electors, quorum).map_err(|e| verification(e.to_string()))?;
        trust
            .add_root_by_ceremony(default_backend(), root.clone())
            .map_err(|e| verification(format!("root.oer: {e}")))?;
        trust_state::replay_ballots(&mut trust, &trust_dir)?;
        for e in trust_state::load_revoked(&trust_dir)? {
            trust.revoke_id10(e.id);
        }
        Ok(trust)
    }

    /// Installs a new LCCF (or GCCF) at `now`: its addElector and addRoot ballots are
    /// applied to the trust store (those that change it are persisted), then its
    /// certificates replace the intermediates. Returns the ballots' outcomes.
    pub fn set_lccf(
        &mut self,
        lccf: &[u8],
        now: Time32,
    ) -> Result<Vec<BallotOutcome>, ProvisionError> {
        let file = chain_file(lccf)?;
        let outcomes = self.apply_ballots(BallotSource::Lccf, &file.ballots(), now)?;
        let mut certs = file.certificates;
        if let Ok(eca) = cert_file(&self.dir.trust_dir().join("ECA.oer")) {
            certs.push(eca);
        }
        self.intermediates = certs;
        Ok(outcomes)
    }

    /// Applies `ballots` to the trust store at `now` and appends those that changed it to
    /// the ballot log; an invalid ballot is reported, not fatal.
    pub fn apply_ballots(
        &mut self,
        source: BallotSource,
        ballots: &[ElectorBallot],
        now: Time32,
    ) -> Result<Vec<BallotOutcome>, ProvisionError> {
        let outcomes = trust_state::apply_ballots(&mut self.trust, source, ballots, now);
        let applied: Vec<&ElectorBallot> = outcomes
            .iter()
            .filter(|o| o.applied())
            .filter_map(|o| ballots.get(o.index))
            .collect();
        trust_state::append_ballots(&self.dir.trust_dir(), applied, now)?;
        for o in &outcomes {
            match o.result {
                BallotResult::Applied(_) => tracing::info!(outcome = %o, "trust store changed"),
                BallotResult::Unchanged(_) => tracing::debug!(outcome = %o, "ballot"),
                _ => tracing::warn!(outcome = %o, "ballot skipped"),
            }
        }
        Ok(outcomes)
    }

    /// Verifies a Local Policy File before it is applied: every countersignature must be
    /// the Policy Generator's, whose certificate (carried in the countersignature or in
    /// the LCCF) validates to the device's root as a PG certificate.
    pub fn check_lpf(&self, lpf: &[u8], now: Time32) -> Result<(), ProvisionError> {
        use scms_asn1::camp::policy::PolicyFiles;
        let bad = |d: String| ProvisionError::check(EeErrorCode::EePolicyVerificationFailed, d);
        let file = ScmsFile::from_coer(lpf).map_err(|e| {
            ProvisionError::check(EeErrorCode::EePolicyFileParsingFailed, e.to_string())
        })?;
        let ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(l)) = &file.content else {
            return Err(bad("not a local policy file".into()));
        };
        let signer = [&l.global_parameters, &l.local_parameters]
            .iter()
            .flat_map(|b| b.signatures.iter())
            .find_map(|sig| match &sig.content {
                Ieee1609Dot2Content::SignedData(sd) => match &sd.signer {
                    scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(c) => c.first().cloned(),
                    _ => None,
                },
                _ => None,
            })
            .or_else(|| {
                self.intermediates
                    .iter()
                    .find(|c| {
                        scms_core::profile::classify(c) == Some(scms_core::profile::CertKind::Pg)
                    })
                    .cloned()
            })
            .ok_or_else(|| bad("no Policy Generator certificate".into()))?;
        let chain = scms_core::chain::validate_chain(
            scms_crypto::default_backend(),
            &signer,
            &self.intermediates,
            &self.trust,
            now,
        )
        .map_err(|e| bad(format!("PG certificate: {e}")))?;
        if chain.leaf_kind != Some(scms_core::profile::CertKind::Pg) {
            return Err(bad(
                "the policy file is not signed by a Policy Generator".into()
            ));
        }
        scms_pg::verify_policy_file(&file, &signer, &chain.leaf_key)
            .map_err(|e| bad(format!("countersignature: {e}")))
    }

    /// `D/requests`.
    pub fn requests_dir(&self) -> PathBuf {
        self.dir.path().join(REQUESTS_DIR)
    }

    /// The RA certificate's encryption key.
    fn ra_encryption_key(&self) -> Result<Point, ProvisionError> {
        let k =
            self.ra_cert
                .to_be_signed
                .encryption_key
                .as_ref()
                .ok_or(ProvisionError::NotAllowed(
                    "the RA certificate has no encryption key",
                ))?;
        Ok(encryption_key(k)?)
    }

    /// `Ieee1609Dot2Data { signedCertificateRequest }` over `pdu`, signed with the
    /// enrollment key (signer = the enrollment certificate), encrypted to the RA
    /// certificate (`certRecipInfo`): the COER `SecuredXxx` request.
    pub fn secure(&self, scoped: ScmsPDU) -> Result<Vec<u8>, ProvisionError> {
        let scr = sign_certificate_request(
            &self.enrollment_key,
            scoped,
            SignerId::Certificate(&self.enrollment_cert),
        )?;
        let signed = Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::SignedCertificateRequest(
                Opaque::new(scr.to_coer()).map_err(|_| CoreError::Invalid("request size"))?,
            ),
        };
        let key = self.ra_encryption_key()?;
        let ed = encrypt(
            default_backend(),
            &signed.to_coer(),
            &[Recipient::Certificate {
                cert: &self.ra_cert,
                key: &key,
            }],
        )?;
        Ok(Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(ed),
        }
        .to_coer())
    }
}

/// What is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    /// OBE pseudonym certificates (Use Case 3).
    Pseudonym,
    /// OBE identification certificates (Use Case 19).
    Identification,
    /// An RSE application certificate (Use Case 13).
    Application,
}

impl RequestKind {
    /// The `POST` path.
    pub fn path(self) -> &'static str {
        match self {
            RequestKind::Pseudonym => PATH_PSEUDONYM,
            RequestKind::Identification => PATH_IDENTIFICATION,
            RequestKind::Application => PATH_APPLICATION,
        }
    }

    /// The keystore prefix (`ps`, `id`, `app`).
    pub fn key_prefix(self) -> &'static str {
        match self {
            RequestKind::Pseudonym => "ps",
            RequestKind::Identification => "id",
            RequestKind::Application => "app",
        }
    }

    /// `pseudonym`, `identification`, `application`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Pseudonym => "pseudonym",
            RequestKind::Identification => "identification",
            RequestKind::Application => "application",
        }
    }
}

impl std::str::FromStr for RequestKind {
    type Err = ProvisionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pseudonym" => Ok(RequestKind::Pseudonym),
            "identification" | "identity" => Ok(RequestKind::Identification),
            "application" => Ok(RequestKind::Application),
            _ => Err(ProvisionError::NotAllowed(
                "kind must be pseudonym, identification or application",
            )),
        }
    }
}

/// `D/requests/<ID>.toml`: one provisioning request and its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRecord {
    /// What was requested.
    pub kind: RequestKind,
    /// HASH16 of the first attempt: names the keys.
    pub id: String,
    /// The requested start time.
    pub requested_start: Time32,
    /// When the keys were generated.
    pub created: Time32,
    /// HASH16 of every attempt sent (or about to be), oldest first.
    pub attempts: Vec<String>,
    /// The acknowledged HASH16 (names the RA's files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// `certDLTime` of the acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_dl_time: Option<Time32>,
    /// `certDLURL` of the acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_dl_url: Option<String>,
    /// The last `.info` time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info_time: Option<Time32>,
    /// Whether nothing more is to be downloaded (application certificate stored).
    #[serde(default)]
    pub done: bool,
}

impl RequestRecord {
    /// The hash naming the RA's files: the acknowledged one, else the last attempt.
    pub fn file_hash(&self) -> Option<&str> {
        self.accepted
            .as_deref()
            .or(self.attempts.last().map(String::as_str))
    }

    fn key_name(&self, part: &str) -> String {
        format!("{}-{}-{part}", self.kind.key_prefix(), self.id)
    }
}

/// HASH16: 16 upper-case hex digits of a request hash.
pub fn hash16(h: &HashedId8) -> String {
    hex::encode_upper(h)
}

/// The request hash of a `ScopedXxxRequest`: low-order 8 bytes of SHA-256 of its COER
/// (as the RA computes it from the signed `tbsRequest`).
pub fn request_hash(scoped: &ScmsPDU) -> HashedId8 {
    hashed_id(&scoped.to_coer())
}

/// The device's request keys, loaded from the keystore.
pub enum RequestKeys {
    /// Pseudonym or identification caterpillar keys.
    Butterfly(CaterpillarPrivate),
    /// Application: verification key pair and response encryption key pair.
    Single {
        /// The key the certificate is requested for.
        verify: KeyPair,
        /// The response encryption key.
        response: KeyPair,
    },
}

impl std::fmt::Debug for RequestKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RequestKeys::Butterfly(_) => "RequestKeys::Butterfly(..)",
            RequestKeys::Single { .. } => "RequestKeys::Single(..)",
        })
    }
}

fn butterfly_params(seed: &Point, expansion: &AesKey) -> UnsignedButterflyParams {
    UnsignedButterflyParams {
        seed_key: compressed(seed),
        expansion: *expansion.expose(),
    }
}

impl RequestKeys {
    fn generate(kind: RequestKind) -> Result<Self, ProvisionError> {
        Ok(match kind {
            RequestKind::Application => RequestKeys::Single {
                verify: KeyPair::generate()?,
                response: KeyPair::generate()?,
            },
            _ => RequestKeys::Butterfly(CaterpillarPrivate::generate()?),
        })
    }

    fn store(&self, keys: &Keystore, rec: &RequestRecord) -> Result<(), ProvisionError> {
        match self {
            RequestKeys::Butterfly(c) => {
                keys.store_private_key(&rec.key_name("a"), &c.signing_seed)?;
                keys.store_secret(&rec.key_name("ck"), c.signing_expansion.expose())?;
                keys.store_private_key(&rec.key_name("p"), &c.encryption_seed)?;
                keys.store_secret(&rec.key_name("ek"), c.encryption_expansion.expose())?;
            }
            RequestKeys::Single { verify, response } => {
                keys.store_private_key(&rec.key_name("v"), verify.private())?;
                keys.store_private_key(&rec.key_name("r"), response.private())?;
            }
        }
        Ok(())
    }

    /// Loads the keys of `rec` from the keystore.
    pub fn load(keys: &Keystore, rec: &RequestRecord) -> Result<Self, ProvisionError> {
        Ok(match rec.kind {
            RequestKind::Application => RequestKeys::Single {
                verify: keys.load_key_pair(&rec.key_name("v"))?,
                response: keys.load_key_pair(&rec.key_name("r"))?,
            },
            _ => RequestKeys::Butterfly(CaterpillarPrivate {
                signing_seed: keys.load_key_pair(&rec.key_name("a"))?.private().clone(),
                signing_expansion: keys.load_secret_array::<16>(&rec.key_name("ck"))?,
                encryption_seed: keys.load_key_pair(&rec.key_name("p"))?.private().clone(),
                encryption_expansion: keys.load_secret_array::<16>(&rec.key_name("ek"))?,
            }),
        })
    }

    /// The request PDU for these keys.
    fn pdu(
        &self,
        kind: RequestKind,
        now: Time32,
        start: Time32,
    ) -> Result<EndEntityRaInterfacePDU, ProvisionError> {
        let common = CommonProvisioningRequestFields {
            current_time: now,
            requested_start_time: start,
        };
        Ok(match (kind, self) {
            (RequestKind::Pseudonym, RequestKeys::Butterfly(c)) => {
                let p = c.public(default_backend())?;
                EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(
                    EeRaPseudonymCertProvisioningRequest {
                        version: 1,
                        verify_key_info: butterfly_params(&p.signing_seed, &p.signing_expansion),
                        resp_enc_key_info: butterfly_params(
                            &p.encryption_seed,
                            &p.encryption_expansion,
                        ),
                        common,
                    },
                )
            }
            (RequestKind::Identification, RequestKeys::Butterfly(c)) => {
                let p = c.public(default_backend())?;
                EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(
                    EeRaIdCertProvisioningRequest {
                        version: 1,
                        verify_key_info: butterfly_params(&p.signing_seed, &p.signing_expansion),
                        cert_enc_key_info: None,
                        resp_enc_key_info: butterfly_params(
                            &p.encryption_seed,
                            &p.encryption_expansion,
                        ),
                        common,
                    },
                )
            }
            (RequestKind::Application, RequestKeys::Single { verify, response }) => {
                EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(
                    EeRaAppCertProvisioningRequest {
                        version: 1,
                        verify_key: PublicVerificationKey::EcdsaNistP256(compressed(
                            verify.public_key(),
                        )),
                        cert_encryption_key: None,
                        response_encryption_key: public_encryption_key(response.public_key()),
                        common,
                    },
                )
            }
            _ => {
                return Err(ProvisionError::NotAllowed(
                    "keys do not match the request kind",
                ))
            }
        })
    }

    /// The key pair the RA encrypts its acknowledgement to (identification: `p`/`P`;
    /// application: the response key); `None` for pseudonyms (plain signed ack).
    fn ack_key(&self, kind: RequestKind) -> Result<Option<(Point, PrivateKey)>, ProvisionError> {
        Ok(match (kind, self) {
            (RequestKind::Pseudonym, _) => None,
            (_, RequestKeys::Butterfly(c)) => Some((
                c.encryption_seed.public_key(default_backend())?,
                c.encryption_seed.clone(),
            )),
            (_, RequestKeys::Single { response, .. }) => {
                Some((*response.public_key(), response.private().clone()))
            }
        })
    }
}

/// One attempt, ready to `POST`.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The request.
    pub kind: RequestKind,
    /// The record id.
    pub id: String,
    /// This attempt's request hash.
    pub request_hash: HashedId8,
    /// The COER `SecuredXxxProvisioningRequest`.
    pub body: Vec<u8>,
}

impl Attempt {
    /// The `POST` path.
    pub fn path(&self) -> &'static str {
        self.kind.path()
    }
}

fn record_path(device: &Device, id: &str) -> PathBuf {
    device.requests_dir().join(format!("{id}.toml"))
}

/// Writes a request record.
pub fn save_record(device: &Device, rec: &RequestRecord) -> Result<(), ProvisionError> {
    let text = toml::to_string(rec).map_err(|e| {
        ProvisionError::Device(DeviceError::Config {
            path: record_path(device, &rec.id),
            reason: e.to_string(),
        })
    })?;
    write_file(&record_path(device, &rec.id), text.as_bytes())
}

/// Reads the request record `id`.
pub fn load_record(device: &Device, id: &str) -> Result<RequestRecord, ProvisionError> {
    let path = record_path(device, id);
    if !path.exists() {
        return Err(ProvisionError::UnknownRequest(id.to_owned()));
    }
    let text = read_file(&path, 1 << 20)?;
    let text = String::from_utf8(text).map_err(|_| {
        ProvisionError::Device(DeviceError::Config {
            path: path.clone(),
            reason: "not UTF-8".into(),
        })
    })?;
    toml::from_str(&text).map_err(|e| {
        ProvisionError::Device(DeviceError::Config {
            path,
            reason: e.to_string(),
        })
    })
}

/// Every request record, oldest first.
pub fn records(device: &Device) -> Result<Vec<RequestRecord>, ProvisionError> {
    let dir = device.requests_dir();
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(out);
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".toml") {
            if !id.starts_with('.') {
                out.push(load_record(device, id)?);
            }
        }
    }
    out.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Ok(out)
}

fn check_kind(device: &Device, kind: RequestKind) -> Result<(), ProvisionError> {
    match (device.kind, kind) {
        (DeviceKind::Obe, RequestKind::Application) => Err(ProvisionError::NotAllowed(
            "application certificates are for RSEs",
        )),
        (DeviceKind::Rse, RequestKind::Pseudonym | RequestKind::Identification) => Err(
            ProvisionError::NotAllowed("pseudonym and identification certificates are for OBEs"),
        ),
        _ => Ok(()),
    }
}

/// Starts a new request: generates and stores the keys and the record (before anything
/// is sent), then returns the first attempt.
pub fn new_request(
    device: &Device,
    kind: RequestKind,
    now: Time32,
    requested_start: Time32,
) -> Result<(RequestRecord, Attempt), ProvisionError> {
    check_kind(device, kind)?;
    let keys = RequestKeys::generate(kind)?;
    let scoped = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeRa(keys.pdu(kind, now, requested_start)?),
    };
    let h = request_hash(&scoped);
    let id = hash16(&h);
    let mut rec = RequestRecord {
        kind,
        id: id.clone(),
        requested_start,
        created: now,
        attempts: vec![id.clone()],
        accepted: None,
        cert_dl_time: None,
        cert_dl_url: None,
        info_time: None,
        done: false,
    };
    keys.store(&device.keys, &rec)?;
    save_record(device, &rec)?;
    tracing::info!(kind = kind.as_str(), request = %id, "provisioning keys stored");
    let body = device.secure(scoped)?;
    rec.attempts.dedup();
    Ok((
        rec,
        Attempt {
            kind,
            id,
            request_hash: h,
            body,
        },
    ))
}

/// A new attempt of an existing request: the same keys, `current-time = now` (a new
/// hash, recorded before it is returned).
pub fn retry_request(
    device: &Device,
    rec: &mut RequestRecord,
    now: Time32,
) -> Result<Attempt, ProvisionError> {
    let keys = RequestKeys::load(&device.keys, rec)?;
    let scoped = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeRa(keys.pdu(rec.kind, now, rec.requested_start)?),
    };
    let h = request_hash(&scoped);
    let hs = hash16(&h);
    if !rec.attempts.contains(&hs) {
        rec.attempts.push(hs);
    }
    save_record(device, rec)?;
    Ok(Attempt {
        kind: rec.kind,
        id: rec.id.clone(),
        request_hash: h,
        body: device.secure(scoped)?,
    })
}

/// The content of an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// `requestHash`.
    pub request_hash: HashedId8,
    /// `certDLTime`.
    pub cert_dl_time: Time32,
    /// `certDLURL`.
    pub cert_dl_url: String,
}

/// Opens the RA's acknowledgement to `rec`: decrypts it (identification, application),
/// verifies the RA's signature (RA certificate by digest, `SecurityMgmtPsid`) and checks
/// that `requestHash` is one of the record's attempts; records it.
pub fn accept_ack(
    device: &Device,
    rec: &mut RequestRecord,
    bytes: &[u8],
) -> Result<Ack, ProvisionError> {
    let bad = |d: &str| ProvisionError::check(EeErrorCode::EeAuthenticationFailed, d);
    let mut data = Ieee1609Dot2Data::from_coer(bytes).map_err(|_| bad("ack: not an SPDU"))?;
    if let Ieee1609Dot2Content::EncryptedData(ed) = &data.content {
        let keys = RequestKeys::load(&device.keys, rec)?;
        let (public, key) = keys
            .ack_key(rec.kind)?
            .ok_or_else(|| bad("ack: pseudonym acks are not encrypted"))?;
        let plain = decrypt(
            default_backend(),
            ed,
            Decryptor::Key {
                public: &public,
                key: &key,
            },
        )
        .map_err(|_| bad("ack: cannot decrypt"))?;
        data = Ieee1609Dot2Data::from_coer(&plain).map_err(|_| bad("ack: not an SPDU inside"))?;
    }
    let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
        return Err(bad("ack: not signed"));
    };
    match &sd.signer {
        SignerIdentifier::Digest(h) if *h == certificate_id8(&device.ra_cert) => {}
        SignerIdentifier::Certificate(l) if l.first() == Some(&device.ra_cert) => {}
        _ => return Err(bad("ack: not signed by the RA certificate")),
    }
    let ra_key = certificate_key(default_backend(), &device.ra_cert, None)?;
    verify_signed_data(default_backend(), sd, Some(&device.ra_cert), &ra_key)
        .map_err(|_| bad("ack: RA signature does not verify"))?;
    if sd.tbs_data.header_info.psid != scms_asn1::ieee1609dot2::Psid::new(SECURITY_MGMT_PSID) {
        return Err(bad("ack: psid is not SecurityMgmtPsid"));
    }
    let Some(Ieee1609Dot2Content::UnsecuredData(o)) =
        sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
    else {
        return Err(bad("ack: no unsecured payload"));
    };
    let pdu = ScmsPDU::from_coer(o.as_bytes()).map_err(|_| bad("ack: not an ScmsPDU"))?;
    let ack: RaEePseudonymCertProvisioningAck = match (rec.kind, pdu.content) {
        (
            RequestKind::Pseudonym,
            ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck(a)),
        )
        | (
            RequestKind::Identification,
            ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEeIdCertProvisioningAck(a)),
        )
        | (
            RequestKind::Application,
            ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEeAppCertProvisioningAck(a)),
        ) => a,
        _ => return Err(bad("ack: not the acknowledgement of this request kind")),
    };
    let RaEePseudonymCertProvisioningAckReply::Ack(reply) = ack.reply else {
        return Err(bad("ack: unknown reply"));
    };
    let hs = hash16(&ack.request_hash);
    let known: HashSet<&String> = rec.attempts.iter().collect();
    if !known.contains(&hs) {
        return Err(bad("ack: requestHash is not one of this request's"));
    }
    rec.accepted = Some(hs);
    rec.cert_dl_time = Some(reply.cert_dl_time);
    rec.cert_dl_url = Some(reply.cert_dl_url.0.clone());
    save_record(device, rec)?;
    Ok(Ack {
        request_hash: ack.request_hash,
        cert_dl_time: reply.cert_dl_time,
        cert_dl_url: reply.cert_dl_url.0,
    })
}
