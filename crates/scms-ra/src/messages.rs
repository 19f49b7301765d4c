//! The scms-protocol wrappers the RA builds and opens.

use scms_asn1::camp::protocol::{ScmsPDU, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{
    Certificate, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, SignedDataPayload, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::pdu::{self, Envelope, Peer};
use scms_core::sign::{self, SignerId};
use scms_core::signer::Signer;
use scms_core::time::time64_from_time32;
use scms_crypto::CurveBackend;

use crate::error::internal;
use crate::RaError;

/// `Ieee1609Dot2Data { unsecuredData (COER pdu) }`.
pub(crate) fn unsecured(pdu: &ScmsPDU) -> Result<Ieee1609Dot2Data, RaError> {
    pdu::unsecured(pdu.to_coer()).map_err(internal)
}

/// A SignedData over `pdu` with `psid SecurityMgmtPsid` and only `generationTime` (when
/// given) in the header, as every scms-protocol `Signed…` message of the RA.
pub(crate) fn signed_data(
    key: &dyn Signer,
    signer: SignerId<'_>,
    pdu: &ScmsPDU,
    generation_time: Option<u32>,
) -> Result<Ieee1609Dot2Data, RaError> {
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(unsecured(pdu)?)),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: pdu::header(generation_time.map(time64_from_time32)),
    };
    let sd = sign::sign_data(key, tbs, signer).map_err(internal)?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    })
}

/// A `signedCertificateRequest` over `pdu`, signer = `certificate { cert }`, with its HPCR
/// (SHA-256 of the COER `tbsRequest`, as the PCA computes it).
pub(crate) fn signed_request(
    key: &dyn Signer,
    cert: &Certificate,
    pdu: ScmsPDU,
) -> Result<(Ieee1609Dot2Data, [u8; 32]), RaError> {
    let scr =
        sign::sign_certificate_request(key, pdu, SignerId::Certificate(cert)).map_err(internal)?;
    let hpcr = scms_crypto::hash::sha256(&scr.tbs_request.to_coer());
    Ok((
        Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::SignedCertificateRequest(
                Opaque::new(scr.to_coer()).map_err(|e| internal(format!("{e:?}")))?,
            ),
        },
        hpcr,
    ))
}

/// Opens a SignedData from `peer` signed by `from`'s certificate (carried or by digest,
/// psid `SecurityMgmtPsid`) and returns the ScmsPDU of its unsecured payload.
pub(crate) fn open_signed_data(
    backend: &dyn CurveBackend,
    bytes: &[u8],
    from: &Peer,
    peer: &'static str,
) -> Result<ScmsPDU, RaError> {
    pdu::open(backend, bytes, Envelope::Signed, from)
        .map(|o| o.pdu)
        .map_err(|e| RaError::peer(peer, format!("reply: {e}")))
}

/// Decodes the `SignedCertificateRequest` carried by a `signedCertificateRequest` SPDU.
pub(crate) fn certificate_request(
    data: &Ieee1609Dot2Data,
) -> Option<Result<SignedCertificateRequest, scms_asn1::DecodeError>> {
    match &data.content {
        Ieee1609Dot2Content::SignedCertificateRequest(o) => {
            Some(SignedCertificateRequest::from_coer(o.as_bytes()))
        }
        _ => None,
    }
}
