//! The MA's message wrappers (scms-protocol.asn, MA–PCA / MA–RA / LA–MA), built and opened
//! with [`scms_core::pdu`]: requests are a SignedData by the MA (signer digest, psid
//! `SecurityMgmtPsid`, no other header field) over an unsecured `ScmsPDU`, encrypted
//! (`certRecipInfo`) to the recipient when its certificate has an encryption key; replies
//! are the peer's SignedData, encrypted to the MA, echoing the request's `requestHash`.

use scms_asn1::camp::la_ma::LaMaInterfacePDU;
use scms_asn1::camp::ma_pca::MaPcaInterfacePDU;
use scms_asn1::camp::ma_ra::MaRaInterfacePDU;
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::HashedId8;
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::encrypt::Decryptor;
use scms_core::pdu::{self, Envelope, Peer};
use scms_crypto::CurveBackend;

use crate::{read_cert, Ma, MaError};

/// The peer authority of `certs/<name>.oer`.
pub(crate) fn load_peer(
    layout: &Layout,
    name: &str,
    backend: &dyn CurveBackend,
) -> Result<Peer, MaError> {
    Ok(Peer::new(backend, read_cert(layout, name)?)?)
}

/// A signed (and, if `to` has an encryption key, encrypted) request; returns it with the
/// `requestHash` the reply must echo (HashedId8 of the COER `ToBeSignedData`).
pub(crate) fn request(
    ma: &Ma,
    content: ScmsPDUContent,
    to: Option<&Peer>,
) -> Result<(Vec<u8>, HashedId8), MaError> {
    let pdu = ScmsPDU {
        version: 1,
        content,
    };
    let (signed, rh) = pdu::sign_request(&ma.signer, &ma.cert, pdu.to_coer(), None)?;
    let out = match to {
        Some(p) if p.encryption_key().is_some() => pdu::encrypt_to(ma.backend, &signed, p)?,
        _ => signed,
    };
    Ok((out.to_coer(), rh))
}

/// Opens a reply of `peer`: decrypts (if encrypted to the MA), verifies the peer's
/// signature and that it answers request `rh`; returns the PDU content.
pub(crate) fn open_reply(
    ma: &Ma,
    peer: &Peer,
    bytes: &[u8],
    rh: HashedId8,
) -> Result<ScmsPDUContent, MaError> {
    let envelope = Envelope::MaybeEncrypted(Decryptor::Certificate {
        cert: &ma.cert,
        key: &ma.dec_key,
    });
    let pdu = pdu::open(ma.backend, bytes, envelope, peer)
        .map_err(|e| {
            if e.is_signature() {
                MaError::InvalidSignature(format!("reply: {e}"))
            } else {
                MaError::Malformed(format!("reply: {e}"))
            }
        })?
        .pdu;
    let echoed = match &pdu.content {
        ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaHPCRResponse(m)) => Some(m.request_hash),
        ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(m)) => {
            Some(m.request_hash)
        }
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaLCIResponse(m)) => Some(m.request_hash),
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaBlacklistResponse(m)) => Some(m.request_hash),
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(m)) => {
            Some(m.request_hash)
        }
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaCDVResponse(m)) => Some(m.request_hash),
        ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(m)) => Some(m.request_hash),
        _ => None,
    };
    if echoed != Some(rh) {
        return Err(MaError::Inconsistent("reply to another request".into()));
    }
    Ok(pdu.content)
}
