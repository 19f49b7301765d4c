//! A Linkage Authority (LA1 or LA2) of the SCMS (seed "Use Case 3", "SCP2: Linkage
//! Values"): it creates and continues linkage chains and hands the RA the chains'
//! pre-linkage values, each encrypted for the PCA.
//!
//! [`La::handle`] takes a `SignedRaLaIndividualPreLinkageValueRequest` (COER), verifies the
//! RA's signature with the RA certificate of the `scms init` directory and returns a
//! `SignedLaRaPreLinkageValueResponse` (COER) signed by the LA. Conventions (see
//! `docs/provisioning-la.md`):
//!
//! - a chain is a random seed `ls(start_i)` stored (sealed under the LA's chain key) with the
//!   LA id and `start_i` = the `iMin` of the request that created it; `ls(i)` for later `i`
//!   is derived by hashing forward. The LA never stores a pre-linkage or linkage value.
//! - a `LinkageChainId` is an `EncryptedData` with one `symmRecipInfo` under the LA's own
//!   chain key (keystore secret `la1-chains` / `la2-chains`, created on first use) whose
//!   plaintext is `"LCI1" ‖ la_id (2) ‖ chain row id (8, big-endian)`: opaque to the RA.
//! - each PLV is `EncryptedIndividualPLV {1, la_id, EncryptedData}` with one `symmRecipInfo`
//!   under the LA–PCA key (keystore `la1-pca` / `la2-pca`), plaintext
//!   `ToBeEncryptedIndividualPLV {iValue, plv}`; `values[k][j]` is for `i = iMin + k`
//!   (`iMin..=iMax`), `j = 0..jMax`.
//! - `requestHash` = HashedId8 of the COER `ToBeSignedData` of the RA's SignedData (payload
//!   and generationTime). A repeated request — the same bytes, signature included — returns
//!   the same chains (idempotent); two requests signed separately are two requests even if
//!   their content and generationTime are equal (the RA signs with a fresh nonce), so two
//!   devices never share a chain.

#![forbid(unsafe_code)]

pub mod ma;

use std::sync::Arc;

use scms_asn1::camp::base_types::{
    EncryptedIndividualPLV, LinkageChainId, ToBeEncryptedIndividualPLV,
};
use scms_asn1::camp::errors::{LaRaError, LaRaErrorCode, ScmsError};
use scms_asn1::camp::la_ra::{
    IndividualPlvResponseLinkageChain, LaRaInterfacePDU, LaRaPreLinkageValueResponseMsg,
    LaRaPreLinkageValueResponseMsgReply, PreLinkageValueRequestResponse,
    RaLaIndividualPreLinkageValueRequestMsg,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, HashedId8, Hostname, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid,
};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::hashed_id;
use scms_core::pdu::{self, OpenError};
use scms_core::sign;
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::Clock;
use scms_core::CoreError;
use scms_crypto::hash::sha256;
use scms_crypto::linkage::{advance_seed, pre_linkage_value, LinkageSeed};
use scms_crypto::{ccm, fast_backend, AesKey, CurveBackend, Point, Secret};
use scms_store::keystore::Keystore;
use scms_store::la::{ChainRecord, DbError, LaStore, NewChain, SqliteLaStore};
use scms_store::StoreError;

/// `SecurityMgmtPsid` (0x23).
pub const SECURITY_MGMT_PSID: u64 = pdu::SECURITY_MGMT_PSID;
/// Most fresh chains in one request.
pub const MAX_FRESH_CHAINS: u32 = 10_000;
/// Most i-periods in one request (`iMax − iMin + 1`): about 5 years.
pub const MAX_I_SPAN: u16 = 260;
/// Most encrypted PLVs in one response.
pub const MAX_PLVS_PER_RESPONSE: u64 = 2_000_000;

const LCI_MAGIC: &[u8; 4] = b"LCI1";

/// Which of the two Linkage Authorities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// LA1 (`la1` in the init directory).
    La1,
    /// LA2.
    La2,
}

impl Which {
    /// `la1` / `la2`: the component name (keys, certificate, state directory).
    pub fn name(self) -> &'static str {
        match self {
            Which::La1 => "la1",
            Which::La2 => "la2",
        }
    }
}

/// Why the LA refused or failed a request (requests with a bad parameter instead get a
/// signed failure response carrying an [`LaRaErrorCode`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaError {
    /// The bytes are not the expected message.
    #[error("laMalformedRequest: {0}")]
    Malformed(String),
    /// The request is not signed by the RA (or the signature does not verify).
    #[error("laInvalidSignature: {0}")]
    InvalidSignature(String),
    /// The request names another RA than the one whose certificate signed it.
    #[error("laUnauthorizedRequest: {0}")]
    Unauthorized(String),
    /// A request this LA does not implement (group linkage values).
    #[error("laUnsupportedRequest: {0}")]
    Unsupported(&'static str),
    /// The request asks for more than the LA serves in one response.
    #[error("laRequestTooLarge: {0}")]
    TooLarge(String),
    /// The setup (init directory, configuration, certificates) is unusable.
    #[error("LA setup: {0}")]
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

impl From<OpenError> for LaError {
    fn from(e: OpenError) -> Self {
        if e.is_signature() {
            LaError::InvalidSignature(e.to_string())
        } else {
            LaError::Malformed(e.to_string())
        }
    }
}

impl From<scms_crypto::Error> for LaError {
    fn from(e: scms_crypto::Error) -> Self {
        LaError::Crypto(CoreError::Crypto(e))
    }
}

/// A request refused with a protocol error code (answered as a signed failure).
struct Reject(LaRaErrorCode, String);

/// A Linkage Authority.
pub struct La {
    which: Which,
    la_id: u16,
    name: String,
    ra_name: String,
    pca_name: String,
    cert: Certificate,
    signer: KeyPair,
    ra_cert: Certificate,
    ra_key: Point,
    pca_key: AesKey,
    chain_key: AesKey,
    store: Box<dyn LaStore>,
    clock: Arc<dyn Clock>,
    backend: &'static dyn CurveBackend,
    ma: ma::MaPeer,
}

impl std::fmt::Debug for La {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("La")
            .field("which", &self.which)
            .field("la_id", &self.la_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn read_cert(layout: &Layout, name: &str) -> Result<Certificate, LaError> {
    let path = layout.cert(name);
    let bytes =
        std::fs::read(&path).map_err(|e| LaError::Setup(format!("{}: {e}", path.display())))?;
    Certificate::from_coer(&bytes).map_err(|e| LaError::Setup(format!("{}: {e:?}", path.display())))
}

/// Reads `scms.toml` of an init directory.
fn read_config(layout: &Layout) -> Result<Config, LaError> {
    let path = layout.config();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| LaError::Setup(format!("{}: {e}", path.display())))?;
    Config::from_toml(&text).map_err(LaError::Setup)
}

fn hostname(s: &str) -> Result<Hostname, LaError> {
    Hostname::new(s).map_err(|_| LaError::Setup(format!("hostname too long: {s}")))
}

impl La {
    /// Opens LA `which` of the `scms init` directory `layout`: its certificate and signing
    /// key, the RA certificate, the LA–PCA key, the LA id from `scms.toml`, and its database
    /// `DIR/<la>/<la>.sqlite`. Creates the chain key `<la>-chains` on first use.
    pub fn open(
        layout: &Layout,
        keys: &Keystore,
        which: Which,
        clock: Arc<dyn Clock>,
    ) -> Result<La, LaError> {
        let cfg = read_config(layout)?;
        let name = which.name();
        let la_id = match which {
            Which::La1 => cfg.la1_id,
            Which::La2 => cfg.la2_id,
        }
        .ok_or_else(|| LaError::Setup(format!("{name}_id missing in scms.toml")))?;
        let store = SqliteLaStore::open(&layout.state(name).join(format!("{name}.sqlite")))?;
        let chain_name = format!("{name}-chains");
        if !keys.exists(&chain_name)? {
            keys.store_secret(&chain_name, Secret::<16>::random()?.expose())?;
        }
        let backend = fast_backend();
        let signer = KeyPair::with_backend(keys.load_key_pair(name)?.private().clone(), backend)?;
        let cert = read_cert(layout, name)?;
        let own = sign::certificate_key(backend, &cert, None)?;
        if own != *signer.public_key() {
            return Err(LaError::Setup(format!(
                "the {name} key does not match certs/{name}.oer"
            )));
        }
        let ra_cert = read_cert(layout, "ra")?;
        let ra_key = sign::certificate_key(backend, &ra_cert, None)?;
        let ma = ma::MaPeer::load(layout, &cfg, backend)?;
        Ok(La {
            which,
            la_id,
            name: cfg.fqdn(name),
            ra_name: cfg.fqdn("ra"),
            pca_name: cfg.fqdn("pca"),
            cert,
            signer,
            ra_cert,
            ra_key,
            pca_key: keys.load_secret_array(&format!("{name}-pca"))?,
            chain_key: keys.load_secret_array(&chain_name)?,
            store: Box::new(store),
            clock,
            backend,
            ma,
        })
    }

    /// Which LA this is.
    pub fn which(&self) -> Which {
        self.which
    }

    /// The 16-bit LA id.
    pub fn la_id(&self) -> u16 {
        self.la_id
    }

    /// The LA's hostname (`laId` of its responses).
    pub fn hostname(&self) -> &str {
        &self.name
    }

    /// The LA's certificate (verifies its responses).
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The store (e.g. to count chains).
    pub fn store(&self) -> &dyn LaStore {
        self.store.as_ref()
    }

    /// Handles one RA→LA message: a `SignedRaLaIndividualPreLinkageValueRequest` (COER);
    /// returns the `SignedLaRaPreLinkageValueResponse` (COER). A group request is refused with
    /// [`LaError::Unsupported`]; a request with a bad parameter is answered with a signed
    /// failure response.
    pub fn handle(&self, request: &[u8]) -> Result<Vec<u8>, LaError> {
        let result = self.handle_inner(request);
        if let Err(e) = &result {
            tracing::warn!(la = self.which.name(), error = %e, "PLV request refused");
        }
        result
    }

    fn handle_inner(&self, request: &[u8]) -> Result<Vec<u8>, LaError> {
        let spdu = Ieee1609Dot2Data::from_coer(request)
            .map_err(|e| LaError::Malformed(format!("not an Ieee1609Dot2Data: {e:?}")))?;
        let Ieee1609Dot2Content::SignedData(sd) = &spdu.content else {
            return Err(LaError::InvalidSignature(
                "request is not signed data".into(),
            ));
        };
        let h = &sd.tbs_data.header_info;
        if h.psid != Psid::new(SECURITY_MGMT_PSID) || h.generation_time.is_none() {
            return Err(LaError::Malformed(
                "header: psid must be SecurityMgmtPsid with generationTime".into(),
            ));
        }
        sign::verify_signed_data(self.backend, sd, Some(&self.ra_cert), &self.ra_key)
            .map_err(|e| LaError::InvalidSignature(e.to_string()))?;
        let request_hash: HashedId8 = hashed_id(&sd.tbs_data.to_coer());
        // The idempotency key of the fresh chains: the whole signed request. Keying them on
        // `requestHash` would hand the same chains to two devices whose requests the RA
        // signed in the same second with equal content.
        let replay_key = sha256(request);
        let msg = pdu::signed_pdu(sd)?;
        if msg.version != 1 {
            return Err(LaError::Malformed("ScmsPDU version".into()));
        }
        let req = match msg.content {
            ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(r)) => r,
            ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest(_)) => {
                return Err(LaError::Unsupported("group pre-linkage values"))
            }
            _ => {
                return Err(LaError::Malformed(
                    "not a raLaIndividualPreLinkageValueRequest".into(),
                ))
            }
        };
        if req.header.ra_id.0 != self.ra_name {
            return Err(LaError::Unauthorized(format!(
                "raId {} is not {}",
                req.header.ra_id.0, self.ra_name
            )));
        }
        let reply = match self.serve(&req, &replay_key)? {
            Ok(r) => LaRaPreLinkageValueResponseMsgReply::Success(r),
            Err(Reject(code, why)) => {
                tracing::info!(la = self.which.name(), ?code, why, "PLV request rejected");
                LaRaPreLinkageValueResponseMsgReply::Failure(ScmsError::LaRa(LaRaError::LaRa(code)))
            }
        };
        self.respond(request_hash, reply)
    }

    /// Computes the response of a verified request.
    fn serve(
        &self,
        req: &RaLaIndividualPreLinkageValueRequestMsg,
        replay_key: &[u8; 32],
    ) -> Result<Result<PreLinkageValueRequestResponse, Reject>, LaError> {
        let h = &req.header;
        if h.version != 1 {
            return Err(LaError::Malformed("header version".into()));
        }
        if h.pca_id.0 != self.pca_name {
            return Ok(Err(Reject(
                LaRaErrorCode::InvalidPcaKey,
                format!("no key shared with PCA {}", h.pca_id.0),
            )));
        }
        if req.j_max == 0 {
            return Ok(Err(Reject(LaRaErrorCode::InvalidJMax, "jMax 0".into())));
        }
        if h.i_max < h.i_min {
            return Ok(Err(Reject(
                LaRaErrorCode::InvalidIMax,
                "iMax < iMin".into(),
            )));
        }
        let span = h.i_max - h.i_min + 1;
        if span > MAX_I_SPAN {
            return Ok(Err(Reject(
                LaRaErrorCode::InvalidIMax,
                format!("more than {MAX_I_SPAN} i-periods"),
            )));
        }
        let fresh = req.number_of_fresh_ind.unwrap_or(0);
        let continued = req.continuations_ind.as_deref().unwrap_or(&[]);
        if req.number_of_fresh_ind.is_none() && req.continuations_ind.is_none() {
            return Err(LaError::Malformed(
                "neither numberOfFreshInd nor continuationsInd".into(),
            ));
        }
        if fresh > MAX_FRESH_CHAINS {
            return Err(LaError::TooLarge(format!(
                "{fresh} fresh chains (at most {MAX_FRESH_CHAINS})"
            )));
        }
        let chains = u64::from(fresh) + continued.len() as u64;
        let plvs = chains * u64::from(span) * u64::from(req.j_max);
        if plvs > MAX_PLVS_PER_RESPONSE {
            return Err(LaError::TooLarge(format!(
                "{plvs} PLVs (at most {MAX_PLVS_PER_RESPONSE})"
            )));
        }
        // Continuations first resolve, so a bad one refuses the request before any chain
        // is created.
        let mut continued_chains = Vec::with_capacity(continued.len());
        for lci in continued {
            let Some(chain) = self.chain_of(lci)? else {
                return Ok(Err(Reject(
                    LaRaErrorCode::InvalidLinkagechainId,
                    "unknown linkage chain id".into(),
                )));
            };
            if h.i_min < chain.start_i {
                return Ok(Err(Reject(
                    LaRaErrorCode::InvalidIMin,
                    "iMin before the chain's start".into(),
                )));
            }
            continued_chains.push((chain, lci.clone()));
        }
        let fresh_chains = if fresh > 0 {
            self.fresh_chains(replay_key, fresh, h.i_min)?
        } else {
            Vec::new()
        };
        let mut individual = Vec::with_capacity(fresh_chains.len() + continued_chains.len());
        for chain in &fresh_chains {
            let lci = self.chain_id(chain.id)?;
            individual.push(self.chain_values(chain, lci, h.i_min, h.i_max, req.j_max)?);
        }
        for (chain, lci) in continued_chains {
            individual.push(self.chain_values(&chain, lci, h.i_min, h.i_max, req.j_max)?);
        }
        tracing::info!(
            la = self.which.name(),
            fresh,
            continued = continued.len(),
            i_min = h.i_min,
            i_max = h.i_max,
            j_max = req.j_max,
            "PLVs served"
        );
        Ok(Ok(PreLinkageValueRequestResponse {
            i_min: h.i_min,
            i_max: h.i_max,
            individual,
            group: Vec::new(),
        }))
    }

    /// The fresh chains of a request: created now, or the ones created by an earlier copy
    /// (same `replay_key`).
    fn fresh_chains(
        &self,
        replay_key: &[u8; 32],
        n: u32,
        start_i: u16,
    ) -> Result<Vec<ChainRecord>, LaError> {
        if let Some(existing) = self.store.request_chains(replay_key)? {
            return Ok(existing);
        }
        let mut new = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let seed = LinkageSeed::random()?;
            new.push(NewChain {
                la_id: self.la_id,
                start_i,
                sealed_seed: self.seal(&seed)?,
            });
        }
        Ok(self
            .store
            .create_chains(replay_key, self.clock.now(), new)?)
    }

    fn seal(&self, seed: &LinkageSeed) -> Result<Vec<u8>, LaError> {
        let nonce = *Secret::<12>::random()?.expose();
        let mut out = nonce.to_vec();
        out.extend(ccm::encrypt(&self.chain_key, &nonce, seed.expose())?);
        Ok(out)
    }

    fn unseal(&self, sealed: &[u8]) -> Result<LinkageSeed, LaError> {
        let (nonce, ct) = sealed
            .split_first_chunk::<12>()
            .ok_or(DbError::Corrupt("sealed seed"))?;
        let pt = ccm::decrypt(&self.chain_key, nonce, ct)?;
        Ok(LinkageSeed::from_slice(&pt)?)
    }

    /// The LinkageChainId of chain row `id`.
    fn chain_id(&self, id: i64) -> Result<LinkageChainId, LaError> {
        let mut pt = LCI_MAGIC.to_vec();
        pt.extend(self.la_id.to_be_bytes());
        pt.extend(id.to_be_bytes());
        Ok(encrypt(
            self.backend,
            &pt,
            &[Recipient::Symmetric(&self.chain_key)],
        )?)
    }

    /// The chain a LinkageChainId names (`None`: not one of this LA's).
    fn chain_of(&self, lci: &LinkageChainId) -> Result<Option<ChainRecord>, LaError> {
        let Ok(pt) = decrypt(self.backend, lci, Decryptor::Symmetric(&self.chain_key)) else {
            return Ok(None);
        };
        if pt.len() != 14 || &pt[..4] != LCI_MAGIC || pt[4..6] != self.la_id.to_be_bytes() {
            return Ok(None);
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&pt[6..]);
        let chain = self.store.chain(i64::from_be_bytes(id))?;
        Ok(chain.filter(|c| c.la_id == self.la_id))
    }

    /// `ls(i)` of a chain (`i` ≥ its start).
    fn seed_at(&self, chain: &ChainRecord, i: u16) -> Result<LinkageSeed, LaError> {
        let periods = i
            .checked_sub(chain.start_i)
            .ok_or(LaError::Malformed("i before the chain's start".into()))?;
        let s0 = self.unseal(&chain.sealed_seed)?;
        Ok(advance_seed(self.la_id, &s0, u32::from(periods)))
    }

    fn chain_values(
        &self,
        chain: &ChainRecord,
        lci: LinkageChainId,
        i_min: u16,
        i_max: u16,
        j_max: u8,
    ) -> Result<IndividualPlvResponseLinkageChain, LaError> {
        let mut seed = self.seed_at(chain, i_min)?;
        let mut values = Vec::with_capacity(usize::from(i_max - i_min) + 1);
        for i in i_min..=i_max {
            if i > i_min {
                seed = scms_crypto::linkage::next_seed(self.la_id, &seed);
            }
            let mut row = Vec::with_capacity(usize::from(j_max));
            for j in 0..u32::from(j_max) {
                let plv = ToBeEncryptedIndividualPLV {
                    i_value: i,
                    plv: pre_linkage_value(self.la_id, &seed, j),
                };
                row.push(EncryptedIndividualPLV {
                    version: 1,
                    la_id: self.la_id.to_be_bytes(),
                    enc_plv: encrypt(
                        self.backend,
                        &plv.to_coer(),
                        &[Recipient::Symmetric(&self.pca_key)],
                    )?,
                });
            }
            values.push(row);
        }
        Ok(IndividualPlvResponseLinkageChain {
            j_max,
            values,
            linkage_chain_id: lci,
        })
    }

    /// Signs a response (`SignedLaRaPreLinkageValueResponse`, signer = LA certificate digest).
    fn respond(
        &self,
        request_hash: HashedId8,
        reply: LaRaPreLinkageValueResponseMsgReply,
    ) -> Result<Vec<u8>, LaError> {
        let msg = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(
                LaRaPreLinkageValueResponseMsg {
                    version: 1,
                    request_hash,
                    la_id: hostname(&self.name)?,
                    reply,
                },
            )),
        };
        Ok(pdu::sign_payload(
            &self.signer,
            &self.cert,
            msg.to_coer(),
            Some(self.clock.now64()),
        )?
        .to_coer())
    }

    /// For the MA: the linkage seed `ls(i)` of the chain named by `lci` (one of this LA's
    /// LinkageChainIds) at i-period `i` (not before the chain's start).
    pub fn linkage_seed(&self, lci: &LinkageChainId, i: u16) -> Result<LinkageSeed, LaError> {
        let chain = self
            .chain_of(lci)?
            .ok_or_else(|| LaError::Malformed("unknown linkage chain id".into()))?;
        self.seed_at(&chain, i)
    }

    /// The name of the certificate's id (for diagnostics).
    pub fn certificate_name(&self) -> Option<&str> {
        match &self.cert.to_be_signed.id {
            CertificateId::Name(n) => Some(&n.0),
            _ => None,
        }
    }
}
