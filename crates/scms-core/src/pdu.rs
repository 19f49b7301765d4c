//! Signed SCMS protocol messages between authorities (scms-protocol.asn): a SignedData with
//! psid `SecurityMgmtPsid` over an unsecured COER `ScmsPDU`, optionally wrapped in an
//! `EncryptedData` (`certRecipInfo`) to the recipient's certificate. A reply echoes as
//! `requestHash` the HashedId8 of the COER `ToBeSignedData` of the request.
//!
//! [`open`] is what a server does with a request of a known peer (decrypt as allowed,
//! check the signer is the peer's certificate, the psid and the signature, decode the PDU);
//! [`sign_payload`] and [`encrypt_to`] build the reply ([`sign_request`] a request, with
//! the `requestHash` to expect in the reply).

use scms_asn1::camp::protocol::ScmsPDU;
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid,
    SignedData, SignedDataPayload, SignerIdentifier, ToBeSignedData,
};
use scms_asn1::{Coer, DecodeError};
use scms_crypto::{CurveBackend, Point};

use crate::convert::encryption_key;
use crate::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use crate::hash::{certificate_id8, hashed_id};
use crate::sign::{self, SignerId};
use crate::signer::Signer;
use crate::CoreError;

/// `SecurityMgmtPsid` (0x23), the psid of every message between SCMS components.
pub const SECURITY_MGMT_PSID: u64 = 0x23;

/// A peer authority: its (explicit) certificate, verification key and encryption key.
#[derive(Debug, Clone)]
pub struct Peer {
    cert: Certificate,
    verify_key: Point,
    enc_key: Option<Point>,
}

impl Peer {
    /// The peer of an explicit certificate (the keys are read from it).
    pub fn new(backend: &dyn CurveBackend, cert: Certificate) -> Result<Peer, CoreError> {
        let verify_key = sign::certificate_key(backend, &cert, None)?;
        let enc_key = cert
            .to_be_signed
            .encryption_key
            .as_ref()
            .map(encryption_key)
            .transpose()?;
        Ok(Peer {
            cert,
            verify_key,
            enc_key,
        })
    }

    /// The peer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The peer's encryption key, if its certificate has one.
    pub fn encryption_key(&self) -> Option<&Point> {
        self.enc_key.as_ref()
    }

    /// Whether `signer` names this peer's certificate (by digest or as the one certificate).
    pub fn is_signer(&self, signer: &SignerIdentifier) -> bool {
        match signer {
            SignerIdentifier::Digest(h) => *h == certificate_id8(&self.cert),
            SignerIdentifier::Certificate(l) => l.len() == 1 && l[0] == self.cert,
            _ => false,
        }
    }
}

/// How a message may be wrapped.
#[derive(Clone, Copy)]
pub enum Envelope<'a> {
    /// A bare SignedData only.
    Signed,
    /// An EncryptedData opened with the key, or a bare SignedData.
    MaybeEncrypted(Decryptor<'a>),
    /// An EncryptedData opened with the key only.
    Encrypted(Decryptor<'a>),
}

/// Why a message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The bytes are not an `Ieee1609Dot2Data`.
    #[error("not an Ieee1609Dot2Data: {0:?}")]
    Decode(DecodeError),
    /// A bare SignedData where an EncryptedData is required.
    #[error("not encrypted")]
    NotEncrypted,
    /// The EncryptedData cannot be opened with the key.
    #[error("cannot decrypt: {0}")]
    Decrypt(CoreError),
    /// The decrypted bytes are not an `Ieee1609Dot2Data`.
    #[error("decrypted data: {0:?}")]
    DecryptedDecode(DecodeError),
    /// Not a SignedData.
    #[error("not signed data")]
    NotSigned,
    /// Signed by another certificate than the peer's.
    #[error("signer is not the peer's certificate")]
    WrongSigner,
    /// The header's psid is not `SecurityMgmtPsid`.
    #[error("psid is not SecurityMgmtPsid")]
    WrongPsid,
    /// The signature does not verify.
    #[error("{0}")]
    Signature(CoreError),
    /// The signed payload is not unsecured data.
    #[error("payload is not unsecuredData")]
    Payload,
    /// The payload is not a COER `ScmsPDU`.
    #[error("not a ScmsPDU: {0:?}")]
    Pdu(DecodeError),
}

impl OpenError {
    /// Whether the message is refused for its signature (not signed, wrong signer, bad
    /// signature) rather than for its form.
    pub fn is_signature(&self) -> bool {
        matches!(
            self,
            OpenError::NotSigned | OpenError::WrongSigner | OpenError::Signature(_)
        )
    }
}

/// An opened message.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The PDU.
    pub pdu: ScmsPDU,
    /// HashedId8 of the COER `ToBeSignedData` (the `requestHash` a reply echoes).
    pub request_hash: HashedId8,
}

/// Decodes `bytes` and opens an EncryptedData as `envelope` allows; returns the inner data
/// (an EncryptedData is returned as is where [`Envelope::Signed`] is given).
pub fn unwrap(
    backend: &dyn CurveBackend,
    bytes: &[u8],
    envelope: Envelope<'_>,
) -> Result<Ieee1609Dot2Data, OpenError> {
    let data = Ieee1609Dot2Data::from_coer(bytes).map_err(OpenError::Decode)?;
    let (ed, key) = match (&data.content, envelope) {
        (
            Ieee1609Dot2Content::EncryptedData(ed),
            Envelope::MaybeEncrypted(k) | Envelope::Encrypted(k),
        ) => (ed, k),
        (_, Envelope::Encrypted(_)) => return Err(OpenError::NotEncrypted),
        _ => return Ok(data),
    };
    let plain = decrypt(backend, ed, key).map_err(OpenError::Decrypt)?;
    Ieee1609Dot2Data::from_coer(&plain).map_err(OpenError::DecryptedDecode)
}

/// The `ScmsPDU` a SignedData carries as unsecured data.
pub fn signed_pdu(sd: &SignedData) -> Result<ScmsPDU, OpenError> {
    match sd.tbs_data.payload.data.as_deref() {
        Some(Ieee1609Dot2Data {
            content: Ieee1609Dot2Content::UnsecuredData(o),
            ..
        }) => ScmsPDU::from_coer(o.as_bytes()).map_err(OpenError::Pdu),
        _ => Err(OpenError::Payload),
    }
}

/// Opens a message of `from`: unwraps it as `envelope` allows, requires a SignedData by
/// `from`'s certificate with psid `SecurityMgmtPsid` whose signature verifies, and decodes
/// its `ScmsPDU`.
pub fn open(
    backend: &dyn CurveBackend,
    bytes: &[u8],
    envelope: Envelope<'_>,
    from: &Peer,
) -> Result<Opened, OpenError> {
    let data = unwrap(backend, bytes, envelope)?;
    let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
        return Err(OpenError::NotSigned);
    };
    if !from.is_signer(&sd.signer) {
        return Err(OpenError::WrongSigner);
    }
    if sd.tbs_data.header_info.psid != Psid::new(SECURITY_MGMT_PSID) {
        return Err(OpenError::WrongPsid);
    }
    sign::verify_signed_data(backend, sd, Some(&from.cert), &from.verify_key)
        .map_err(OpenError::Signature)?;
    Ok(Opened {
        pdu: signed_pdu(sd)?,
        request_hash: hashed_id(&sd.tbs_data.to_coer()),
    })
}

/// The SecurityMgmt header: psid `SecurityMgmtPsid`, `generationTime` if given, every
/// other field absent.
pub fn header(generation_time: Option<u64>) -> HeaderInfo {
    header_with_psid(SECURITY_MGMT_PSID, generation_time)
}

/// The same header as [`header`] for another psid (CRLs, application messages): `psid`,
/// `generationTime` if given, every other field absent.
pub fn header_with_psid(psid: u64, generation_time: Option<u64>) -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(psid),
        generation_time,
        expiry_time: None,
        generation_location: None,
        p2pcd_learning_request: None,
        missing_crl_identifier: None,
        encryption_key: None,
        inline_p2pcd_request: None,
        requested_certificate: None,
        pdu_functional_type: None,
        contributed_extensions: None,
    }
}

/// `Ieee1609Dot2Data { unsecuredData }` of `bytes`.
pub fn unsecured(bytes: Vec<u8>) -> Result<Ieee1609Dot2Data, CoreError> {
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(
            Opaque::new(bytes).map_err(|_| CoreError::Invalid("payload size"))?,
        ),
    })
}

/// A SignedData by `key` (signer: digest of `cert`) over unsecured `payload`, with the
/// SecurityMgmt [`header`].
pub fn sign_payload(
    key: &dyn Signer,
    cert: &Certificate,
    payload: Vec<u8>,
    generation_time: Option<u64>,
) -> Result<Ieee1609Dot2Data, CoreError> {
    sign_tbs(key, cert, payload_tbs(payload, generation_time)?)
}

/// [`sign_payload`] for a request: also returns the `requestHash` its reply must echo
/// (HashedId8 of the COER `ToBeSignedData`).
pub fn sign_request(
    key: &dyn Signer,
    cert: &Certificate,
    payload: Vec<u8>,
    generation_time: Option<u64>,
) -> Result<(Ieee1609Dot2Data, HashedId8), CoreError> {
    let tbs = payload_tbs(payload, generation_time)?;
    let request_hash = hashed_id(&tbs.to_coer());
    Ok((sign_tbs(key, cert, tbs)?, request_hash))
}

/// The `ToBeSignedData` of [`sign_payload`].
fn payload_tbs(
    payload: Vec<u8>,
    generation_time: Option<u64>,
) -> Result<ToBeSignedData, CoreError> {
    Ok(ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(unsecured(payload)?)),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: header(generation_time),
    })
}

/// `tbs` signed by `key`, signer: digest of `cert`.
fn sign_tbs(
    key: &dyn Signer,
    cert: &Certificate,
    tbs: ToBeSignedData,
) -> Result<Ieee1609Dot2Data, CoreError> {
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sign::sign_data(
            key,
            tbs,
            SignerId::Digest(cert),
        )?)),
    })
}

/// `data` encrypted (`certRecipInfo`) to `to`, whose certificate must have an encryption key.
pub fn encrypt_to(
    backend: &dyn CurveBackend,
    data: &Ieee1609Dot2Data,
    to: &Peer,
) -> Result<Ieee1609Dot2Data, CoreError> {
    let key = to.enc_key.as_ref().ok_or(CoreError::Invalid(
        "recipient certificate has no encryption key",
    ))?;
    let ed = encrypt(
        backend,
        &data.to_coer(),
        &[Recipient::Certificate {
            cert: &to.cert,
            key,
        }],
    )?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::EncryptedData(ed),
    })
}
