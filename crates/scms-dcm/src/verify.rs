//! The DCM's check of an ECA response before provisioning it (SCMS-1906/1907 as far as
//! the DCM can go without the device's private key): the ECA signature, the
//! `requestHash`, the ECA certificate, and that the certificate's reconstructed public
//! key equals `e·K + r·G` for the requested key `K`, i.e. that the key the device will
//! reconstruct (`e·k + r`) matches the certificate.

use scms_asn1::camp::eca_ee::{EcaEeCertResponse, EcaEndEntityInterfacePDU};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, Ieee1609Dot2Content, Ieee1609Dot2Data, IssuerIdentifier,
};
use scms_asn1::Coer;
use scms_core::hash::{canonical_certificate, certificate_id8};
use scms_core::sign::{self, Issuer};
use scms_crypto::{default_backend, implicit, Scalar};

/// Why an ECA response does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(String);

/// A checked `SignedEeEnrollmentCertResponse`.
#[derive(Debug, Clone)]
pub struct VerifiedResponse {
    /// The response content.
    pub response: EcaEeCertResponse,
}

fn bad(s: impl Into<String>) -> VerifyError {
    VerifyError(s.into())
}

/// Checks a `SignedEeEnrollmentCertResponse` against the CSR it answers and the ECA
/// certificate (with its issuer chain, nearest first) that must have signed it.
pub fn verify_response(
    response: &[u8],
    csr: &[u8],
    eca_cert: &Certificate,
    chain: &[Certificate],
) -> Result<VerifiedResponse, VerifyError> {
    let be = default_backend();
    let d = Ieee1609Dot2Data::from_coer(response).map_err(|e| bad(format!("decode: {e}")))?;
    if d.protocol_version != 3 {
        return Err(bad("protocolVersion is not 3"));
    }
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return Err(bad("not SignedData"));
    };
    if sd.tbs_data.header_info.psid.0 .0 != scms_eca::SECURITY_MGMT_PSID {
        return Err(bad("headerInfo psid is not SecurityMgmtPsid"));
    }
    let eca_issuer = chain
        .first()
        .map(|c| (c, sign::certificate_key(be, c, None)));
    let eca_key = sign::certificate_key(be, eca_cert, None).map_err(|e| bad(e.to_string()))?;
    if let Some((iss, Ok(k))) = &eca_issuer {
        sign::verify_explicit(be, eca_cert, Some(Issuer { cert: iss, key: k }))
            .map_err(|e| bad(format!("ECA certificate: {e}")))?;
    }
    sign::verify_signed_data(be, sd, Some(eca_cert), &eca_key)
        .map_err(|e| bad(format!("ECA signature: {e}")))?;
    let inner = sd
        .tbs_data
        .payload
        .data
        .as_ref()
        .ok_or_else(|| bad("no payload"))?;
    let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
        return Err(bad("payload is not unsecuredData"));
    };
    let pdu = ScmsPDU::from_coer(o.as_bytes()).map_err(|e| bad(format!("ScmsPDU: {e}")))?;
    let ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EcaEeCertResponse(r)) = pdu.content else {
        return Err(bad("not an ecaEeCertResponse"));
    };
    if pdu.version != 1 || r.version != 1 {
        return Err(bad("version is not 1"));
    }
    if r.request_hash != scms_eca::request_hash(csr) {
        return Err(bad("requestHash does not match the CSR"));
    }
    if r.eca_cert != *eca_cert {
        return Err(bad("ecaCert is not the ECA's certificate"));
    }
    let cert = &r.enrollment_cert;
    if cert.r#type != CertificateType::Implicit || cert.signature.is_some() {
        return Err(bad("enrollment certificate is not implicit"));
    }
    if cert.issuer != IssuerIdentifier::Sha256AndDigest(certificate_id8(eca_cert)) {
        return Err(bad("enrollment certificate is not issued by the ECA"));
    }
    let (_, req) = scms_eca::decode_request(csr).map_err(|e| bad(e.to_string()))?;
    let k = scms_eca::requested_key(&req).map_err(|e| bad(e.to_string()))?;
    let from_cert = sign::certificate_key(
        be,
        cert,
        Some(Issuer {
            cert: eca_cert,
            key: &eca_key,
        }),
    )
    .map_err(|e| bad(format!("reconstruct: {e}")))?;
    let e = implicit::cert_hash_1609(
        &cert.to_be_signed.to_coer(),
        &canonical_certificate(eca_cert),
    );
    let rr = Scalar::from_bytes(&r.priv_key_reconstruction)
        .map_err(|e| bad(format!("privKeyReconstruction: {e}")))?;
    let ek = be.mul(&e, &k).map_err(|e| bad(e.to_string()))?;
    let expected = be.mul_base_add(&rr, &ek).map_err(|e| bad(e.to_string()))?;
    if expected != from_cert {
        return Err(bad(
            "the certificate's public key does not match the key the device will reconstruct",
        ));
    }
    Ok(VerifiedResponse { response: r })
}
