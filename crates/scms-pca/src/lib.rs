//! The Pseudonym Certificate Authority (PCA) of the SCMS (seed "Use Case 3" step 3.2,
//! "SCP1: Butterfly Keys", Use Cases 13 and 19).
//!
//! [`Pca::handle`] takes a `SecuredRaPcaCertificateRequest` (COER: an `Ieee1609Dot2Data`
//! whose content is a `signedCertificateRequest` signed by the RA certificate; an
//! `encryptedData` wrapper to the PCA certificate is also accepted) and returns a
//! `SecuredPcaRaCertificateRequestReply` (COER, signed by the PCA) carrying a
//! `PcaRaCertResponseMsg`. A successful reply holds a `SignedEncryptedCertificateResponse`:
//! signed by the PCA, encrypted (`rekRecipInfo`) to the request's response encryption key
//! (the butterfly cocoon key `Q(i,j)` for pseudonyms), decrypting to a
//! `PlaintextCertificateResponse` with the implicit certificate and the private-key
//! reconstruction value `r`. The RA cannot read it.
//!
//! Pseudonym requests: both `EncryptedIndividualPLV`s are decrypted with the LA–PCA key of
//! the LA their `laId` names (keystore `la1-pca` / `la2-pca`), `lv = plv1 ⊕ plv2`, and the
//! `ObePseudonym` certificate gets `linkageData {iCert = iValue, lv}`, validity from the
//! i-period start for 10,140 minutes.
//!
//! Crash safety: the SHA-256 of the COER `tbsRequest` (the HPCR) is the idempotency key.
//! The intent (with the encrypted PLVs as received) is persisted before issuing, the
//! response before it is returned; a repeated request gets the stored response.
//! See `docs/provisioning-pca.md`.
//!
//! Throughput: [`Pca::handle_batch`] takes many requests at once (the RA's in-process
//! link uses it); their intents are persisted in one durable commit before any is signed,
//! their results in one before any is returned, and the per-request work (verification,
//! PLV decryption, issuance, encryption, signatures) runs on all cores.

#![forbid(unsafe_code)]

pub mod ma;

use std::sync::Arc;

use scms_asn1::camp::base_types::{EncryptedIndividualPLV, ToBeEncryptedIndividualPLV};
use scms_asn1::camp::errors::{PcaRaError, PcaRaRequestErrorCode, ScmsError};
use scms_asn1::camp::pca_ra::{
    IdCertRequestInfo, ImplicitCertResponse, PcaRaCertResponseMsg, PcaRaCertResponseMsgReply,
    PcaRaCertResponseMsgReplySuccess, PcaRaInterfacePDU, PlaintextCertificateResponse,
    PseudonymCertRequestInfo, RaPcaCertRequestMsgCertRequestInfo,
    ToBeSignedEncryptedCertificateResponse,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, Duration, HashedId8, Hostname, Ieee1609Dot2Content,
    Ieee1609Dot2Data, LinkageData, SignerIdentifier, ToBeSignedCertificate,
    VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::convert::{point, verification_key};
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::{certificate_id10, certificate_id8};
use scms_core::issue::{issue_implicit_checked, root_id3, IssueError};
use scms_core::par;
use scms_core::pdu::{self, Envelope, OpenError};
use scms_core::profile::{crl_series, template, CertKind, TemplateParams};
use scms_core::sign;
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{duration_seconds, i_period_start, Clock};
use scms_core::CoreError;
use scms_crypto::hash::sha256;
use scms_crypto::linkage::linkage_value;
use scms_crypto::{fast_backend, AesKey, CurveBackend, Point, PrivateKey};
use scms_store::keystore::Keystore;
use scms_store::pca::{Begin, DbError, Intent, Issued, PcaStore, SqlitePcaStore};
use scms_store::StoreError;

/// `SecurityMgmtPsid` (0x23).
pub const SECURITY_MGMT_PSID: u64 = pdu::SECURITY_MGMT_PSID;
/// Pseudonym validity: 10,140 minutes (one week and one hour).
pub const PSEUDONYM_MINUTES: u16 = 10_140;

/// Why the PCA refused or failed a request (requests with a bad parameter instead get a
/// signed failure reply carrying a `PcaRaRequestErrorCode`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PcaError {
    /// The bytes are not the expected message.
    #[error("pcaMalformedRequest: {0}")]
    Malformed(String),
    /// The request is not signed by the RA (or the signature does not verify).
    #[error("pcaInvalidSignature: {0}")]
    InvalidSignature(String),
    /// The request names another RA than the one that signed it.
    #[error("pcaUnauthorizedRequest: {0}")]
    Unauthorized(String),
    /// The setup (init directory, configuration, certificates) is unusable.
    #[error("PCA setup: {0}")]
    Setup(String),
    /// The keystore failed.
    #[error("keystore: {0}")]
    Keys(#[from] StoreError),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] DbError),
    /// A cryptographic operation failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CoreError),
}

impl From<OpenError> for PcaError {
    fn from(e: OpenError) -> Self {
        if e.is_signature() {
            PcaError::InvalidSignature(e.to_string())
        } else {
            PcaError::Malformed(e.to_string())
        }
    }
}

impl From<scms_crypto::Error> for PcaError {
    fn from(e: scms_crypto::Error) -> Self {
        PcaError::Crypto(CoreError::Crypto(e))
    }
}

/// A request refused with a protocol error code.
#[derive(Debug)]
struct Reject(PcaRaRequestErrorCode, String);

/// A validated request, ready to issue.
struct Prepared {
    kind: CertKind,
    tbs: ToBeSignedCertificate,
    /// The key certified (cocoon `B(i,j)` or the requested key).
    key: Point,
    /// The response encryption key (`Q(i,j)`).
    response_key: Point,
    /// Whether the reply is `implicit-butterfly` (else `implicit`).
    butterfly: bool,
    intent: Intent,
}

/// A request after verification, before anything is persisted.
enum Stage {
    /// Refused with a protocol error code: the signed failure reply.
    Answered(Vec<u8>),
    /// Ready to persist and issue; with the reply's `requestHash`.
    Prepared(Box<Prepared>, HashedId8),
}

/// The per-request results of a batch.
pub type BatchReplies = Vec<Result<Vec<u8>, PcaError>>;

/// A Pseudonym Certificate Authority.
pub struct Pca {
    name: String,
    ra_name: String,
    cert: Certificate,
    signer: KeyPair,
    enc_key: PrivateKey,
    ra_cert: Certificate,
    ra_id8: HashedId8,
    ra_key: Point,
    las: [(u16, String, AesKey); 2],
    store: Box<dyn PcaStore>,
    clock: Arc<dyn Clock>,
    backend: &'static dyn CurveBackend,
    ma: ma::MaSupport,
}

impl std::fmt::Debug for Pca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pca")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn read_cert(layout: &Layout, name: &str) -> Result<Certificate, PcaError> {
    let path = layout.cert(name);
    let bytes =
        std::fs::read(&path).map_err(|e| PcaError::Setup(format!("{}: {e}", path.display())))?;
    Certificate::from_coer(&bytes)
        .map_err(|e| PcaError::Setup(format!("{}: {e:?}", path.display())))
}

fn issue_code(e: &IssueError) -> PcaRaRequestErrorCode {
    match e {
        IssueError::ValidityOutsideIssuer => PcaRaRequestErrorCode::InvalidValidity,
        IssueError::RegionOutsideIssuer | IssueError::UnsupportedRegion(_) => {
            PcaRaRequestErrorCode::InvalidRegion
        }
        IssueError::PermissionNotGranted { .. }
        | IssueError::SspNotGranted { .. }
        | IssueError::EeTypeNotGranted { .. }
        | IssueError::ChainDepth { .. } => PcaRaRequestErrorCode::InvalidPsidSsp,
        IssueError::Core(_) => PcaRaRequestErrorCode::InvalidSignaturePublicKey,
        _ => PcaRaRequestErrorCode::InvalidCertificateRequestType,
    }
}

impl Pca {
    /// Opens the PCA of the `scms init` directory `layout`: its certificate, signing and
    /// encryption keys, the RA certificate, the LA ids (`scms.toml`) and LA–PCA keys, and its
    /// database `DIR/pca/pca.sqlite`.
    pub fn open(layout: &Layout, keys: &Keystore, clock: Arc<dyn Clock>) -> Result<Pca, PcaError> {
        let path = layout.config();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PcaError::Setup(format!("{}: {e}", path.display())))?;
        let cfg = Config::from_toml(&text).map_err(PcaError::Setup)?;
        let backend = fast_backend();
        let cert = read_cert(layout, "pca")?;
        let signer = KeyPair::with_backend(keys.load_key_pair("pca")?.private().clone(), backend)?;
        if sign::certificate_key(backend, &cert, None)? != *signer.public_key() {
            return Err(PcaError::Setup(
                "the pca key does not match certs/pca.oer".into(),
            ));
        }
        let enc_key = keys.load_key_pair("pca-enc")?.private().clone();
        let ra_cert = read_cert(layout, "ra")?;
        let ra_key = sign::certificate_key(backend, &ra_cert, None)?;
        let la = |n: &str, id: Option<u16>| -> Result<(u16, String, AesKey), PcaError> {
            let id = id.ok_or_else(|| PcaError::Setup(format!("{n}_id missing in scms.toml")))?;
            Ok((
                id,
                cfg.fqdn(n),
                keys.load_secret_array(&format!("{n}-pca"))?,
            ))
        };
        let las = [la("la1", cfg.la1_id)?, la("la2", cfg.la2_id)?];
        let store = SqlitePcaStore::open(&layout.state("pca").join("pca.sqlite"))?;
        let ma = ma::MaSupport::open(layout, &cfg, backend)?;
        Ok(Pca {
            name: cfg.fqdn("pca"),
            ra_name: cfg.fqdn("ra"),
            cert,
            signer,
            enc_key,
            ra_id8: certificate_id8(&ra_cert),
            ra_cert,
            ra_key,
            las,
            store: Box::new(store),
            clock,
            backend,
            ma,
        })
    }

    /// The PCA's certificate (verifies its signatures; issuer of its certificates).
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The PCA's hostname (`pca-id`).
    pub fn hostname(&self) -> &str {
        &self.name
    }

    /// The store (records for the MA).
    pub fn store(&self) -> &dyn PcaStore {
        self.store.as_ref()
    }

    /// The request hash (HPCR) of a `SignedCertificateRequest`: SHA-256 of the COER
    /// `tbsRequest`. The reply's `requestHash` is its low-order 8 bytes.
    pub fn request_hash(request: &SignedCertificateRequest) -> [u8; 32] {
        sha256(&request.tbs_request.to_coer())
    }

    /// Handles one `SecuredRaPcaCertificateRequest` (COER) and returns the
    /// `SecuredPcaRaCertificateRequestReply` (COER).
    pub fn handle(&self, request: &[u8]) -> Result<Vec<u8>, PcaError> {
        self.handle_batch(&[request])?
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(PcaError::Setup("request left unanswered".into())))
    }

    /// Handles many `SecuredRaPcaCertificateRequest`s (COER), each exactly as
    /// [`Pca::handle`] would: one reply or error per request, in order. The intents of the
    /// batch are persisted in one transaction before any certificate is signed and the
    /// results in one before any reply is returned; the per-request work runs on all cores.
    /// The outer error is a failure of the whole batch (database): nothing was returned, a
    /// retry of the same requests is answered from what was persisted.
    pub fn handle_batch<R: AsRef<[u8]> + Sync>(
        &self,
        requests: &[R],
    ) -> Result<BatchReplies, PcaError> {
        let result = self.handle_batch_inner(requests);
        match &result {
            Ok(replies) => {
                for e in replies.iter().filter_map(|r| r.as_ref().err()) {
                    tracing::warn!(error = %e, "certificate request refused");
                }
            }
            Err(e) => tracing::warn!(error = %e, "certificate requests failed"),
        }
        result
    }

    fn handle_batch_inner<R: AsRef<[u8]> + Sync>(
        &self,
        requests: &[R],
    ) -> Result<BatchReplies, PcaError> {
        let mut replies: Vec<Option<Result<Vec<u8>, PcaError>>> =
            requests.iter().map(|_| None).collect();
        let mut todo = Vec::new();
        for (k, staged) in par::map(requests, |r| self.stage(r.as_ref()))
            .into_iter()
            .enumerate()
        {
            match staged {
                Ok(Stage::Prepared(p, request_hash)) => todo.push((k, p, request_hash)),
                Ok(Stage::Answered(reply)) => replies[k] = Some(Ok(reply)),
                Err(e) => replies[k] = Some(Err(e)),
            }
        }
        // Indexed for the MA and the intents recorded before anything is issued
        // (both idempotent).
        let certs: Vec<_> = todo
            .iter()
            .map(|(_, p, _)| (&p.tbs, &p.intent.request_hash))
            .collect();
        self.ma.index(&certs)?;
        let intents: Vec<&Intent> = todo.iter().map(|(_, p, _)| &p.intent).collect();
        let begun = self.store.begin(&intents)?;
        let mut to_issue = Vec::with_capacity(todo.len());
        for ((k, p, request_hash), b) in todo.into_iter().zip(begun) {
            match b {
                Begin::Done(response) => {
                    tracing::info!("repeated certificate request: stored response returned");
                    replies[k] = Some(Ok(response));
                }
                Begin::New | Begin::Pending => to_issue.push((k, p, request_hash)),
            }
        }
        let issued = par::map(&to_issue, |(_, p, request_hash)| {
            self.issue(p.kind, p, *request_hash)
        });
        let mut done = Vec::with_capacity(to_issue.len());
        for ((k, p, request_hash), result) in to_issue.iter().zip(issued) {
            match result {
                Ok(Ok((cert, response))) => done.push((
                    *k,
                    p.kind,
                    p.intent.request_hash,
                    Issued {
                        cert_id8: certificate_id8(&cert),
                        cert_id10: certificate_id10(&cert),
                        certificate: cert.to_coer(),
                        response,
                    },
                )),
                Ok(Err(Reject(code, why))) => {
                    tracing::info!(?code, why, "certificate request rejected at issuance");
                    replies[*k] = Some(self.failure(*request_hash, code));
                }
                Err(e) => replies[*k] = Some(Err(e)),
            }
        }
        let results: Vec<_> = done.iter().map(|(_, _, h, i)| (h, i)).collect();
        let responses = self.store.complete(&results)?;
        for ((k, kind, _, _), response) in done.iter().zip(responses) {
            tracing::info!(kind = %kind, "certificate issued");
            replies[*k] = Some(Ok(response));
        }
        Ok(replies
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(PcaError::Setup("request left unanswered".into()))))
            .collect())
    }

    /// Opens and verifies one request and prepares its certificate (nothing persisted).
    fn stage(&self, request: &[u8]) -> Result<Stage, PcaError> {
        let spdu = pdu::unwrap(self.backend, request, self.envelope())?;
        let Ieee1609Dot2Content::SignedCertificateRequest(o) = &spdu.content else {
            return Err(PcaError::InvalidSignature(
                "not a signedCertificateRequest".into(),
            ));
        };
        let scr = SignedCertificateRequest::from_coer(o.as_bytes())
            .map_err(|e| PcaError::Malformed(format!("SignedCertificateRequest: {e:?}")))?;
        match &scr.signer {
            SignerIdentifier::Certificate(list) if list.len() == 1 && list[0] == self.ra_cert => {}
            SignerIdentifier::Digest(h) if *h == self.ra_id8 => {}
            _ => {
                return Err(PcaError::InvalidSignature(
                    "signer is not the RA certificate".into(),
                ))
            }
        }
        sign::verify_certificate_request(self.backend, &scr, Some(&self.ra_cert), &self.ra_key)
            .map_err(|e| PcaError::InvalidSignature(e.to_string()))?;
        let hpcr = Self::request_hash(&scr);
        let mut request_hash: HashedId8 = [0; 8];
        request_hash.copy_from_slice(&hpcr[24..]);
        let pdu = &scr.tbs_request;
        let msg = match &pdu.content {
            ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(m)) if pdu.version == 1 => m,
            _ => return Err(PcaError::Malformed("not a raPcaCertRequest".into())),
        };
        if msg.version != 1 {
            return Err(PcaError::Malformed("request version".into()));
        }
        if msg.ra_id.0 != self.ra_name {
            return Err(PcaError::Unauthorized(format!(
                "raId {} is not {}",
                msg.ra_id.0, self.ra_name
            )));
        }
        let prepared = match &msg.cert_request_info {
            RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(p) => {
                self.prepare_pseudonym(p, hpcr)
            }
            RaPcaCertRequestMsgCertRequestInfo::AuthCertReq(a) => self.prepare_auth(a, hpcr),
            _ => Err(Reject(
                PcaRaRequestErrorCode::InvalidCertificateRequestType,
                "unknown certificate request type".into(),
            )),
        };
        match prepared {
            Ok(p) => Ok(Stage::Prepared(Box::new(p), request_hash)),
            Err(Reject(code, why)) => {
                tracing::info!(?code, why, "certificate request rejected");
                Ok(Stage::Answered(self.failure(request_hash, code)?))
            }
        }
    }

    /// The signed failure reply carrying `code`.
    fn failure(
        &self,
        request_hash: HashedId8,
        code: PcaRaRequestErrorCode,
    ) -> Result<Vec<u8>, PcaError> {
        self.reply(
            request_hash,
            PcaRaCertResponseMsgReply::Failure(ScmsError::PcaRa(PcaRaError::PcaRaRequestError(
                code,
            ))),
        )
    }

    /// Decrypts one encrypted PLV with the key of the LA it names.
    fn open_plv(
        &self,
        p: &EncryptedIndividualPLV,
    ) -> Result<(u16, ToBeEncryptedIndividualPLV), Reject> {
        let bad = |why: &str| {
            Reject(
                PcaRaRequestErrorCode::InvalidEncryptedPreLinkageValue,
                why.into(),
            )
        };
        if p.version != 1 || p.enc_plv.recipients.len() != 1 {
            return Err(bad("version or recipients"));
        }
        let la_id = u16::from_be_bytes(p.la_id);
        let (_, _, key) = self
            .las
            .iter()
            .find(|(id, _, _)| *id == la_id)
            .ok_or_else(|| bad("unknown laId"))?;
        let pt = decrypt(self.backend, &p.enc_plv, Decryptor::Symmetric(key))
            .map_err(|_| bad("cannot decrypt"))?;
        let plv = ToBeEncryptedIndividualPLV::from_coer(&pt).map_err(|_| bad("not a PLV"))?;
        Ok((la_id, plv))
    }

    fn check_pca_id(&self, id: &Hostname) -> Result<(), Reject> {
        if id.0 != self.name {
            return Err(Reject(
                PcaRaRequestErrorCode::InvalidCertificateRequestType,
                format!("pca-id {} is not this PCA", id.0),
            ));
        }
        Ok(())
    }

    fn prepare_pseudonym(
        &self,
        p: &PseudonymCertRequestInfo,
        hpcr: [u8; 32],
    ) -> Result<Prepared, Reject> {
        self.check_pca_id(&p.pca_id)?;
        if p.group_linkage_info.is_some() {
            return Err(Reject(
                PcaRaRequestErrorCode::InvalidEncryptedGroupPreLinkageValue,
                "group linkage is not supported".into(),
            ));
        }
        let (id1, plv1) = self.open_plv(&p.enc_plv1)?;
        let (id2, plv2) = self.open_plv(&p.enc_plv2)?;
        if id1 == id2 || plv1.i_value != p.i_value || plv2.i_value != p.i_value {
            return Err(Reject(
                PcaRaRequestErrorCode::InvalidEncryptedPreLinkageValue,
                "PLVs not from two LAs for this i".into(),
            ));
        }
        let lv = linkage_value(&plv1.plv, &plv2.plv);
        let key = point(&p.sig_butterfly_key_b)
            .map_err(|_| Reject(PcaRaRequestErrorCode::InvalidSignaturePublicKey, "B".into()))?;
        let response_key = point(&p.enc_butterfly_key_h).map_err(|_| {
            Reject(
                PcaRaRequestErrorCode::InvalidEncryptionPublicKey,
                "H".into(),
            )
        })?;
        let start = i_period_start(u32::from(p.i_value))
            .ok_or_else(|| Reject(PcaRaRequestErrorCode::InvalidValidity, "iValue".into()))?;
        let params = TemplateParams {
            start,
            craca_id: root_id3(&self.cert),
            verification_key: Some(key),
            region: p.region.clone(),
            app_permissions: Some(p.psid_ssp.clone()),
            duration: Some(Duration::Minutes(PSEUDONYM_MINUTES)),
            linkage_data: Some(LinkageData {
                i_cert: p.i_value,
                linkage_value: lv,
                group_linkage_value: None,
            }),
            ..TemplateParams::default()
        };
        let mut tbs = template(CertKind::ObePseudonym, &params)
            .map_err(|e| Reject(PcaRaRequestErrorCode::InvalidPsidSsp, e.to_string()))?;
        tbs.assurance_level = p.performance_assurance_level;
        self.check_not_expired(&tbs)?;
        Ok(Prepared {
            kind: CertKind::ObePseudonym,
            tbs,
            key,
            response_key,
            butterfly: true,
            intent: Intent {
                request_hash: hpcr,
                kind: CertKind::ObePseudonym.name().into(),
                i_value: Some(p.i_value),
                enc_plv1: Some(p.enc_plv1.to_coer()),
                enc_plv2: Some(p.enc_plv2.to_coer()),
                received_at: self.clock.now(),
            },
        })
    }

    fn prepare_auth(&self, a: &IdCertRequestInfo, hpcr: [u8; 32]) -> Result<Prepared, Reject> {
        self.check_pca_id(&a.pca_id)?;
        if a.r#type != CertificateType::Implicit {
            return Err(Reject(
                PcaRaRequestErrorCode::InvalidType,
                "only implicit certificates are issued".into(),
            ));
        }
        let mut tbs = a.to_be_signed_cert.clone();
        let bad_key = |_: CoreError| {
            Reject(
                PcaRaRequestErrorCode::InvalidSignaturePublicKey,
                "key".into(),
            )
        };
        let key = match &tbs.verify_key_indicator {
            VerificationKeyIndicator::ReconstructionValue(p) => point(p).map_err(bad_key)?,
            VerificationKeyIndicator::VerificationKey(k) => verification_key(k).map_err(bad_key)?,
            _ => return Err(bad_key(CoreError::Unsupported("verify key indicator"))),
        };
        let response_key = point(&a.response_encryption_key).map_err(|_| {
            Reject(
                PcaRaRequestErrorCode::InvalidEncryptionPublicKey,
                "response key".into(),
            )
        })?;
        tbs.crl_series = crl_series::EE_NON_PSEUDONYM;
        tbs.craca_id = root_id3(&self.cert);
        // Identification certificates live a month (721 h), application certificates a
        // week (169 h); the two profiles are otherwise alike.
        let kind = if duration_seconds(&tbs.validity_period.duration)
            > CertKind::RseApplication.max_duration_seconds()
        {
            CertKind::ObeIdentification
        } else {
            CertKind::RseApplication
        };
        self.check_not_expired(&tbs)?;
        Ok(Prepared {
            kind,
            tbs,
            key,
            response_key,
            butterfly: kind == CertKind::ObeIdentification,
            intent: Intent {
                request_hash: hpcr,
                kind: kind.name().into(),
                i_value: None,
                enc_plv1: None,
                enc_plv2: None,
                received_at: self.clock.now(),
            },
        })
    }

    fn check_not_expired(&self, tbs: &ToBeSignedCertificate) -> Result<(), Reject> {
        let end =
            u64::from(tbs.validity_period.start) + duration_seconds(&tbs.validity_period.duration);
        if end <= u64::from(self.clock.now()) {
            return Err(Reject(
                PcaRaRequestErrorCode::InvalidValidity,
                "validity already over".into(),
            ));
        }
        Ok(())
    }

    /// Issues the certificate and builds the complete reply.
    #[allow(clippy::type_complexity)]
    fn issue(
        &self,
        kind: CertKind,
        p: &Prepared,
        request_hash: HashedId8,
    ) -> Result<Result<(Certificate, Vec<u8>), Reject>, PcaError> {
        let (cert, r) = match issue_implicit_checked(
            self.backend,
            &self.signer,
            &self.cert,
            kind,
            p.tbs.clone(),
            &p.key,
        ) {
            Ok(x) => x,
            Err(IssueError::Core(CoreError::Crypto(e))) => return Err(PcaError::from(e)),
            Err(e) => return Ok(Err(Reject(issue_code(&e), e.to_string()))),
        };
        let inner = ImplicitCertResponse {
            certificate: cert.clone(),
            priv_key_reconstruction_s: r.to_bytes(),
        };
        let plaintext = if p.butterfly {
            PlaintextCertificateResponse::ImplicitButterfly(inner)
        } else {
            PlaintextCertificateResponse::Implicit(inner)
        };
        let decrypted = pdu::unsecured(plaintext.to_coer())?;
        let encrypted = Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(encrypt(
                self.backend,
                &decrypted.to_coer(),
                &[Recipient::Key(&p.response_key)],
            )?),
        };
        let v = &cert.to_be_signed.validity_period;
        let expiration = u64::from(v.start) + duration_seconds(&v.duration);
        let tbs_response = ToBeSignedEncryptedCertificateResponse {
            psid_ssp: cert
                .to_be_signed
                .app_permissions
                .clone()
                .unwrap_or_default(),
            expiration: u32::try_from(expiration).unwrap_or(u32::MAX),
            lifetime: v.duration.clone(),
            encrypted_cert: encrypted,
        };
        let signed_encrypted = self.signed(tbs_response.to_coer())?;
        let reply = self.reply(
            request_hash,
            PcaRaCertResponseMsgReply::Success(PcaRaCertResponseMsgReplySuccess::SignedEncrypted(
                signed_encrypted,
            )),
        )?;
        Ok(Ok((cert, reply)))
    }

    /// A SignedData by the PCA (signer digest) over unsecured `payload`.
    fn signed(&self, payload: Vec<u8>) -> Result<Ieee1609Dot2Data, PcaError> {
        Ok(pdu::sign_payload(&self.signer, &self.cert, payload, None)?)
    }

    /// What the PCA accepts: a message encrypted to its certificate, or a bare one.
    fn envelope(&self) -> Envelope<'_> {
        Envelope::MaybeEncrypted(Decryptor::Certificate {
            cert: &self.cert,
            key: &self.enc_key,
        })
    }

    /// The `SecuredPcaRaCertificateRequestReply` (COER).
    fn reply(
        &self,
        request_hash: HashedId8,
        reply: PcaRaCertResponseMsgReply,
    ) -> Result<Vec<u8>, PcaError> {
        let pdu = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(
                PcaRaCertResponseMsg {
                    version: 1,
                    request_hash,
                    pca_id: Hostname::new(self.name.clone())
                        .map_err(|_| PcaError::Setup("hostname too long".into()))?,
                    reply,
                },
            )),
        };
        Ok(self.signed(pdu.to_coer())?.to_coer())
    }
}
