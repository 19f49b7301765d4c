//! Signing and verifying application SPDUs (IEEE 1609.2 SignedData): BSMs (PSID 0x20)
//! signed with pseudonym certificates, SPaT-like messages (PSID 0x82) signed with RSE
//! application certificates.
//!
//! Signing ([`MessageSigner`]): `headerInfo { psid, generationTime }`, the payload as
//! `unsecuredData`, signer `digest` (HashedId8 of the certificate), except that the full
//! `certificate` is sent once per second, after a certificate change, and on request
//! (1609.2's BSM rule, §6.3.9 / SAE J2945/1).
//!
//! Verifying ([`Verifier`]): the signing certificate (carried, or known by digest from an
//! earlier message or [`Verifier::add_certificate`]) is validated to a trusted root with
//! [`scms_core::chain::validate_chain`] at the message's generation time and cached by
//! HashedId8 (with the window in which its whole chain is valid); then neither it (by
//! linkage value or HashedId10) nor any certificate of its chain (by HashedId10: PCA, ICA,
//! ...) may be on the CRL (the chain's verdict is cached per certificate until the next
//! [`Verifier::set_revocations`]), the certificate's `appPermissions` must contain the
//! PSID, the generation time must be fresh, and the signature must verify with the
//! (reconstructed) key.

use std::collections::HashMap;

use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedDataPayload,
    SignerIdentifier, Time32, Time64, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::chain::{validate_chain, ChainError};
use scms_core::hash::certificate_id8;
use scms_core::pdu;
use scms_core::sign::{sign_data, verify_signed_data, SignerId};
use scms_core::signer::Signer;
use scms_core::time::{time32_from_time64, validity_end};
use scms_core::trust::TrustStore;
use scms_core::CoreError;
use scms_crypto::{default_backend, Point};

/// Basic Safety Message PSID (0x20).
pub const PSID_BSM: u64 = 0x20;
/// Intersection Safety and Awareness (SPaT/MAP) PSID (0x82).
pub const PSID_SPAT: u64 = 0x82;
/// Send the full certificate at least this often (microseconds): once per second.
pub const FULL_CERT_INTERVAL_US: u64 = 1_000_000;
/// Largest SPDU accepted.
pub const MAX_SPDU: usize = 8 * 1024;

/// Why a message was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Not a well-formed signed SPDU.
    #[error("malformed SPDU: {0}")]
    Malformed(String),
    /// Signed by a certificate digest this verifier has not seen.
    #[error("unknown signer {0} (its certificate was not received yet)")]
    UnknownSigner(String),
    /// The signing certificate does not validate to a trusted root.
    #[error("signing certificate: {0}")]
    Chain(#[from] ChainError),
    /// The signing certificate (or its chain) is not valid at the generation time.
    #[error("the signing certificate is not valid at the generation time {0}")]
    NotValidAt(Time32),
    /// The certificate's appPermissions do not include the message's PSID.
    #[error("PSID {0:#x} is not in the signing certificate's appPermissions")]
    PsidNotPermitted(u64),
    /// The message's PSID is not the expected one.
    #[error("unexpected PSID")]
    WrongPsid,
    /// The generation time is missing, too old or in the future.
    #[error("generation time {0}: {1}")]
    Stale(Time32, &'static str),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The signing certificate is revoked (its linkage value or hash is on the CRL).
    #[error("the signing certificate {0} is revoked")]
    Revoked(String),
    /// A certificate of the signing certificate's chain (its PCA, ICA, ...) is revoked.
    #[error("certificate {0} of the signing certificate's chain is revoked")]
    IssuerRevoked(String),
    /// The CRL is overdue beyond `overdue_CRL_tolerance` (deadline Time32): no message is
    /// trustworthy until a fresh CRL is downloaded (seed Table 51).
    #[error("the CRL is overdue (next CRL plus tolerance was {0})")]
    CrlOverdue(Time32),
    /// Signing failed.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl MessageError {
    /// Whether the bytes were not a decodable signed message (CLI exit code 2).
    pub fn is_malformed(&self) -> bool {
        matches!(self, MessageError::Malformed(_))
    }
}

/// Signs application messages, sending the full certificate when 1609.2 requires it.
#[derive(Debug, Default)]
pub struct MessageSigner {
    last_full: Option<(HashedId8, Time64)>,
}

impl MessageSigner {
    /// A signer that will send the full certificate with its first message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Signs `payload` for `psid` at `generation_time` (Time64, µs) with `cert`/`key`;
    /// `force_full` sends the full certificate (e.g. when a neighbour asked for it).
    pub fn sign(
        &mut self,
        cert: &Certificate,
        key: &dyn Signer,
        psid: u64,
        payload: &[u8],
        generation_time: Time64,
        force_full: bool,
    ) -> Result<Ieee1609Dot2Data, MessageError> {
        let id = certificate_id8(cert);
        let full = force_full
            || match self.last_full {
                Some((last, t)) => {
                    last != id || generation_time.saturating_sub(t) >= FULL_CERT_INTERVAL_US
                }
                None => true,
            };
        let data = sign_message(cert, key, psid, payload, generation_time, full)?;
        if full {
            self.last_full = Some((id, generation_time));
        }
        Ok(data)
    }
}

/// Signs one SPDU: `headerInfo { psid, generationTime }`, signer `certificate` when
/// `full_certificate`, else `digest`.
pub fn sign_message(
    cert: &Certificate,
    key: &dyn Signer,
    psid: u64,
    payload: &[u8],
    generation_time: Time64,
    full_certificate: bool,
) -> Result<Ieee1609Dot2Data, MessageError> {
    let inner = pdu::unsecured(payload.to_vec())
        .map_err(|_| MessageError::Malformed("payload too long".into()))?;
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(inner)),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: pdu::header_with_psid(psid, Some(generation_time)),
    };
    let signer = if full_certificate {
        SignerId::Certificate(cert)
    } else {
        SignerId::Digest(cert)
    };
    let sd = sign_data(key, tbs, signer)?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    })
}

/// A verified message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The PSID.
    pub psid: Psid,
    /// The payload.
    pub payload: Vec<u8>,
    /// The generation time (Time64, µs).
    pub generation_time: Time64,
    /// HashedId8 of the signing certificate.
    pub signer: HashedId8,
}

#[derive(Debug, Clone)]
struct Known {
    cert: Certificate,
    key: Point,
    /// The window in which the whole chain is valid: [start, end).
    window: (u64, u64),
    /// The chain above it (issuer first, root last).
    issuers: Vec<Certificate>,
    /// The revocation generation the issuers were checked at, and the revoked one's
    /// HashedId8 if any.
    issuers_checked: Option<(u64, Option<HashedId8>)>,
}

/// Verifies application SPDUs against a trust store, caching validated certificates.
pub struct Verifier {
    trust: TrustStore,
    intermediates: Vec<Certificate>,
    cache: HashMap<HashedId8, Known>,
    unvalidated: HashMap<HashedId8, Certificate>,
    revocations: Option<scms_core::revocation::RevocationList>,
    /// Bumped by every change of the revocation list or the trust store.
    generation: u64,
    crl_deadline: Option<Time32>,
    /// How old a message may be (seconds).
    pub max_age: u32,
    /// How far in the future a generation time may be (seconds).
    pub max_future: u32,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier trusting `trust`'s roots, finding issuers among `intermediates`
    /// (e.g. the LCCF's certificates). Messages up to 30 s old and 5 s ahead pass.
    pub fn new(trust: TrustStore, intermediates: Vec<Certificate>) -> Self {
        Verifier {
            trust,
            intermediates,
            cache: HashMap::new(),
            unvalidated: HashMap::new(),
            revocations: None,
            generation: 0,
            crl_deadline: None,
            max_age: 30,
            max_future: 5,
        }
    }

    /// Makes a certificate known (for messages signed by digest); it is validated when
    /// first used.
    pub fn add_certificate(&mut self, cert: Certificate) {
        self.unvalidated.insert(certificate_id8(&cert), cert);
    }

    /// Uses `list` (from a verified CRL) from now on: messages whose signing certificate
    /// (linkage value of its period, or HashedId10) is revoked are refused. Linkage values
    /// are expanded once per i-period, then each check is O(1).
    pub fn set_revocations(&mut self, list: scms_core::revocation::RevocationList) {
        self.revocations = Some(list);
        self.generation += 1;
    }

    /// Replaces the trust store and the intermediates (after ballots changed the roots or
    /// a new LCCF arrived): every cached certificate is validated again when next used.
    pub fn set_trust(&mut self, trust: TrustStore, intermediates: Vec<Certificate>) {
        self.trust = trust;
        self.intermediates = intermediates;
        for (id, k) in self.cache.drain() {
            self.unvalidated.insert(id, k.cert);
        }
        self.generation += 1;
    }

    /// Checks `cert` as the signer of a message generated at `at`: it validates to a
    /// trusted root, its whole chain is valid at `at`, and neither it nor any certificate
    /// of its chain is revoked. The result is cached (O(1) once warmed).
    pub fn check_certificate(
        &mut self,
        cert: &Certificate,
        at: Time32,
    ) -> Result<(), MessageError> {
        let id = self.checked(cert, at)?;
        let window = self.cache.get(&id).map(|k| k.window).unwrap_or((0, 0));
        if u64::from(at) < window.0 || u64::from(at) >= window.1 {
            return Err(MessageError::NotValidAt(at));
        }
        Ok(())
    }

    /// Validates `cert` (cached) and checks it and its chain against the revocation
    /// list; returns its HashedId8, the key of its [`Known`] entry.
    fn checked(&mut self, cert: &Certificate, at: Time32) -> Result<HashedId8, MessageError> {
        let id = self.validate(cert, at)?;
        let (Some(list), Some(k)) = (self.revocations.as_mut(), self.cache.get_mut(&id)) else {
            return Ok(id);
        };
        let revoked_issuer = match k.issuers_checked {
            Some((g, r)) if g == self.generation => r,
            _ => {
                let r = k
                    .issuers
                    .iter()
                    .find(|c| list.is_revoked(c))
                    .map(certificate_id8);
                k.issuers_checked = Some((self.generation, r));
                r
            }
        };
        if let Some(bad) = revoked_issuer {
            return Err(MessageError::IssuerRevoked(hex::encode(bad)));
        }
        if list.is_revoked(&k.cert) {
            return Err(MessageError::Revoked(hex::encode(id)));
        }
        Ok(id)
    }

    /// Refuses every message after `deadline` (the CRL's `nextCrl` plus the policy's
    /// `overdue_CRL_tolerance`) until a newer CRL sets a later one; `None` disables it.
    pub fn set_crl_deadline(&mut self, deadline: Option<Time32>) {
        self.crl_deadline = deadline;
    }

    /// The trust store in use.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Number of validated certificates cached.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Validates `cert` to a trusted root (cached); returns its HashedId8.
    fn validate(&mut self, cert: &Certificate, at: Time32) -> Result<HashedId8, MessageError> {
        let id = certificate_id8(cert);
        if self.cache.get(&id).is_some_and(|k| k.cert == *cert) {
            return Ok(id);
        }
        let chain = validate_chain(
            default_backend(),
            cert,
            &self.intermediates,
            &self.trust,
            at,
        )?;
        let mut window = (0u64, u64::MAX);
        for c in &chain.path {
            let vp = &c.to_be_signed.validity_period;
            window.0 = window.0.max(u64::from(vp.start));
            window.1 = window.1.min(validity_end(vp));
        }
        let k = Known {
            cert: cert.clone(),
            key: chain.leaf_key,
            window,
            issuers: chain.path.get(1..).unwrap_or_default().to_vec(),
            issuers_checked: None,
        };
        self.cache.insert(id, k);
        Ok(id)
    }

    /// Verifies a COER SPDU at `now`, optionally requiring `expect_psid`.
    pub fn verify(
        &mut self,
        bytes: &[u8],
        now: Time32,
        expect_psid: Option<u64>,
    ) -> Result<Verified, MessageError> {
        if bytes.len() > MAX_SPDU {
            return Err(MessageError::Malformed("SPDU too large".into()));
        }
        if let Some(deadline) = self.crl_deadline {
            if now > deadline {
                return Err(MessageError::CrlOverdue(deadline));
            }
        }
        let data = Ieee1609Dot2Data::from_coer(bytes)
            .map_err(|e| MessageError::Malformed(e.to_string()))?;
        if data.protocol_version != 3 {
            return Err(MessageError::Malformed("protocolVersion is not 3".into()));
        }
        let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
            return Err(MessageError::Malformed("not signedData".into()));
        };
        let Some(Ieee1609Dot2Content::UnsecuredData(payload)) =
            sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
        else {
            return Err(MessageError::Malformed(
                "payload is not unsecuredData".into(),
            ));
        };
        let header = &sd.tbs_data.header_info;
        let gen = header
            .generation_time
            .ok_or(MessageError::Stale(0, "no generation time"))?;
        let gen32 = time32_from_time64(gen);
        if let Some(p) = expect_psid {
            if header.psid != Psid::new(p) {
                return Err(MessageError::WrongPsid);
            }
        }
        let cert = match &sd.signer {
            SignerIdentifier::Certificate(l) if l.len() == 1 => l[0].clone(),
            SignerIdentifier::Digest(h) => match self.cache.get(h) {
                Some(k) => k.cert.clone(),
                None => self
                    .unvalidated
                    .get(h)
                    .cloned()
                    .ok_or_else(|| MessageError::UnknownSigner(hex::encode(h)))?,
            },
            _ => {
                return Err(MessageError::Malformed(
                    "signer is not a certificate or digest".into(),
                ))
            }
        };
        let id = self.checked(&cert, gen32)?;
        let known = self
            .cache
            .get(&id)
            .ok_or_else(|| MessageError::UnknownSigner(hex::encode(id)))?;
        if u64::from(gen32) < known.window.0 || u64::from(gen32) >= known.window.1 {
            return Err(MessageError::NotValidAt(gen32));
        }
        let permitted = known
            .cert
            .to_be_signed
            .app_permissions
            .as_ref()
            .is_some_and(|ps| ps.iter().any(|p| p.psid == header.psid));
        if !permitted {
            return Err(MessageError::PsidNotPermitted(psid_value(&header.psid)));
        }
        if gen32 > now.saturating_add(self.max_future) {
            return Err(MessageError::Stale(gen32, "in the future"));
        }
        if now.saturating_sub(gen32) > self.max_age {
            return Err(MessageError::Stale(gen32, "too old"));
        }
        verify_signed_data(default_backend(), sd, Some(&known.cert), &known.key)
            .map_err(|_| MessageError::BadSignature)?;
        Ok(Verified {
            psid: header.psid,
            payload: payload.as_bytes().to_vec(),
            generation_time: gen,
            signer: id,
        })
    }
}

/// The numeric value of a PSID (from its COER encoding: length byte + value).
pub fn psid_value(p: &Psid) -> u64 {
    let b = p.to_coer();
    b.iter()
        .skip(1)
        .fold(0u64, |acc, x| (acc << 8) | u64::from(*x))
}
