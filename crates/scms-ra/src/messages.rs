//! The scms-protocol wrappers the RA builds and opens.

use scms_asn1::camp::protocol::{ScmsPDU, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{
    Certificate, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid,
    SignedDataPayload, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::sign::{self, SignerId};
use scms_core::signer::Signer;
use scms_core::time::time64_from_time32;
use scms_crypto::CurveBackend;

use crate::error::internal;
use crate::RaError;

/// `SecurityMgmtPsid`.
pub(crate) const SECURITY_MGMT_PSID: u64 = 0x23;

/// `Ieee1609Dot2Data { unsecuredData (COER pdu) }`.
pub(crate) fn unsecured(pdu: &ScmsPDU) -> Result<Ieee1609Dot2Data, RaError> {
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::UnsecuredData(
            Opaque::new(pdu.to_coer()).map_err(|e| internal(format!("{e:?}")))?,
        ),
    })
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
        header_info: HeaderInfo {
            psid: Psid::new(SECURITY_MGMT_PSID),
            generation_time: generation_time.map(time64_from_time32),
            expiry_time: None,
            generation_location: None,
            p2pcd_learning_request: None,
            missing_crl_identifier: None,
            encryption_key: None,
            inline_p2pcd_request: None,
            requested_certificate: None,
            pdu_functional_type: None,
            contributed_extensions: None,
        },
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

/// Opens a SignedData from `peer` signed with `signer`'s key (certificate carried or by
/// digest) and returns the ScmsPDU of its unsecured payload.
pub(crate) fn open_signed_data(
    backend: &dyn CurveBackend,
    bytes: &[u8],
    signer: &Certificate,
    peer: &'static str,
) -> Result<ScmsPDU, RaError> {
    let bad = |d: String| RaError::peer(peer, d);
    let data = Ieee1609Dot2Data::from_coer(bytes).map_err(|e| bad(format!("reply: {e}")))?;
    let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
        return Err(bad("reply is not SignedData".into()));
    };
    let key = sign::certificate_key(backend, signer, None)
        .map_err(|e| bad(format!("{peer} certificate key: {e}")))?;
    sign::verify_signed_data(backend, sd, Some(signer), &key)
        .map_err(|e| bad(format!("reply signature: {e}")))?;
    let inner = sd
        .tbs_data
        .payload
        .data
        .as_ref()
        .ok_or_else(|| bad("reply without payload".into()))?;
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        return Err(bad("reply payload is not unsecuredData".into()));
    };
    ScmsPDU::from_coer(o.as_bytes()).map_err(|e| bad(format!("reply ScmsPDU: {e}")))
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
