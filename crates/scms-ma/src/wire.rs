//! The MA's message wrappers (scms-protocol.asn, MA–PCA / MA–RA / LA–MA): requests are a
//! SignedData by the MA (signer digest, psid `SecurityMgmtPsid`, no other header field) over
//! an unsecured `ScmsPDU`, encrypted (`certRecipInfo`) to the recipient when its certificate
//! has an encryption key; replies are the peer's SignedData, encrypted to the MA.

use scms_asn1::camp::la_ma::LaMaInterfacePDU;
use scms_asn1::camp::ma_pca::MaPcaInterfacePDU;
use scms_asn1::camp::ma_ra::MaRaInterfacePDU;
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid,
    SignedDataPayload, SignerIdentifier, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::convert::encryption_key;
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::sign::{self, SignerId};
use scms_crypto::{CurveBackend, Point};

use crate::{read_cert, Ma, MaError};

/// `SecurityMgmtPsid`.
const SECURITY_MGMT_PSID: u64 = 0x23;

/// A peer authority: its certificate, verification key and encryption key (if any).
pub(crate) struct Peer {
    pub(crate) cert: Certificate,
    key: Point,
    enc_key: Option<Point>,
}

impl Peer {
    pub(crate) fn load(
        layout: &Layout,
        name: &str,
        backend: &dyn CurveBackend,
    ) -> Result<Peer, MaError> {
        let cert = read_cert(layout, name)?;
        let key = sign::certificate_key(backend, &cert, None)?;
        let enc_key = cert
            .to_be_signed
            .encryption_key
            .as_ref()
            .map(encryption_key)
            .transpose()?;
        Ok(Peer { cert, key, enc_key })
    }
}

fn header() -> HeaderInfo {
    HeaderInfo {
        psid: Psid::new(SECURITY_MGMT_PSID),
        generation_time: None,
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
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data {
                protocol_version: 3,
                content: Ieee1609Dot2Content::UnsecuredData(
                    Opaque::new(pdu.to_coer())
                        .map_err(|_| MaError::Malformed("request too large".into()))?,
                ),
            })),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: header(),
    };
    let rh: HashedId8 = hashed_id(&tbs.to_coer());
    let sd = sign::sign_data(&ma.signer, tbs, SignerId::Digest(&ma.cert))?;
    let signed = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    };
    let out = match to.and_then(|p| p.enc_key.as_ref().map(|k| (&p.cert, k))) {
        Some((cert, key)) => Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(encrypt(
                ma.backend,
                &signed.to_coer(),
                &[Recipient::Certificate { cert, key }],
            )?),
        },
        None => signed,
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
    let mut d = Ieee1609Dot2Data::from_coer(bytes)
        .map_err(|e| MaError::Malformed(format!("reply: {e:?}")))?;
    if let Ieee1609Dot2Content::EncryptedData(ed) = &d.content {
        let pt = decrypt(
            ma.backend,
            ed,
            Decryptor::Certificate {
                cert: &ma.cert,
                key: &ma.dec_key,
            },
        )
        .map_err(|e| MaError::Malformed(format!("cannot decrypt the reply: {e}")))?;
        d = Ieee1609Dot2Data::from_coer(&pt)
            .map_err(|e| MaError::Malformed(format!("decrypted reply: {e:?}")))?;
    }
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return Err(MaError::InvalidSignature("reply is not signed".into()));
    };
    match &sd.signer {
        SignerIdentifier::Digest(h) if *h == certificate_id8(&peer.cert) => {}
        SignerIdentifier::Certificate(l) if l.len() == 1 && l[0] == peer.cert => {}
        _ => {
            return Err(MaError::InvalidSignature(
                "reply not signed by the peer".into(),
            ))
        }
    }
    sign::verify_signed_data(ma.backend, sd, Some(&peer.cert), &peer.key)
        .map_err(|e| MaError::InvalidSignature(format!("reply: {e}")))?;
    let payload = match sd.tbs_data.payload.data.as_deref() {
        Some(Ieee1609Dot2Data {
            content: Ieee1609Dot2Content::UnsecuredData(o),
            ..
        }) => o.as_bytes(),
        _ => return Err(MaError::Malformed("reply payload".into())),
    };
    let pdu = ScmsPDU::from_coer(payload)
        .map_err(|e| MaError::Malformed(format!("reply ScmsPDU: {e:?}")))?;
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
