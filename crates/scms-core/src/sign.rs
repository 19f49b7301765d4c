//! Signing and verification with the exact IEEE 1609.2 hash inputs: the digest signed is
//! `SHA-256( SHA-256(COER tbs) ‖ SHA-256(COER signer certificate, or "" for self) )`
//! for SignedData, SignedCertificateRequest and explicit certificates alike; implicit
//! certificates hash the same input into `e` (SEC 4 with 1609.2 §5.3.2).

use scms_asn1::camp::protocol::{ScopedCertificateRequest, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, HashAlgorithm, IssuerIdentifier, SignedData, SignerIdentifier,
    ToBeSignedCertificate, ToBeSignedData, VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_crypto::hash::sha256_with_signer;
use scms_crypto::{ecdsa, implicit, CurveBackend, Point, PrivateKey, Scalar};

use crate::signer::Signer;

use crate::convert::{asn_signature, compressed, point, signature, verification_key};
use crate::hash::{canonical_certificate, certificate_id8};
use crate::CoreError;

/// The digest that 1609.2 signs: `H(H(tbs) ‖ H(signer))`, with `H("")` for self-signed.
pub fn digest(tbs: &[u8], signer: Option<&Certificate>) -> [u8; 32] {
    let signer_bytes = signer.map(canonical_certificate).unwrap_or_default();
    sha256_with_signer(tbs, &signer_bytes)
}

/// Signs `tbs` (COER) as `signer` would (`None` = self-signed); `r` is sent x-only.
pub fn sign(
    key: &dyn Signer,
    tbs: &[u8],
    signer: Option<&Certificate>,
) -> Result<scms_asn1::ieee1609dot2::Signature, CoreError> {
    let sig = key.sign_digest(&digest(tbs, signer))?;
    Ok(asn_signature(&sig))
}

/// Verifies a signature over `tbs` (COER) made with `key` by `signer` (`None` = self).
pub fn verify(
    backend: &dyn CurveBackend,
    key: &Point,
    tbs: &[u8],
    signer: Option<&Certificate>,
    sig: &scms_asn1::ieee1609dot2::Signature,
) -> Result<(), CoreError> {
    let s = signature(sig)?;
    ecdsa::verify_digest(backend, key, &digest(tbs, signer), &s).map_err(|e| match e {
        scms_crypto::Error::BadSignature => CoreError::BadSignature,
        other => CoreError::Crypto(other),
    })
}

/// How the signer is identified in a SignedData.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerId<'a> {
    /// `self`: the verifier knows the key by other means.
    SelfSigned,
    /// `digest`: the HashedId8 of the signer's certificate.
    Digest(&'a Certificate),
    /// `certificate`: the signer's certificate itself.
    Certificate(&'a Certificate),
}

impl SignerId<'_> {
    fn certificate(&self) -> Option<&Certificate> {
        match self {
            SignerId::SelfSigned => None,
            SignerId::Digest(c) | SignerId::Certificate(c) => Some(c),
        }
    }

    fn identifier(&self) -> SignerIdentifier {
        match self {
            SignerId::SelfSigned => SignerIdentifier::SelfSigned(()),
            SignerId::Digest(c) => SignerIdentifier::Digest(certificate_id8(c)),
            SignerId::Certificate(c) => SignerIdentifier::Certificate(vec![(*c).clone()]),
        }
    }
}

/// Builds a SignedData over `tbs_data`.
pub fn sign_data(
    key: &dyn Signer,
    tbs_data: ToBeSignedData,
    signer: SignerId<'_>,
) -> Result<SignedData, CoreError> {
    let signature = sign(key, &tbs_data.to_coer(), signer.certificate())?;
    Ok(SignedData {
        hash_id: HashAlgorithm::Sha256,
        tbs_data,
        signer: signer.identifier(),
        signature,
    })
}

/// The certificate a SignerIdentifier carries, if any.
pub fn carried_certificate(signer: &SignerIdentifier) -> Option<&Certificate> {
    match signer {
        SignerIdentifier::Certificate(list) => list.first(),
        _ => None,
    }
}

/// Verifies a SignedData made with `key`. `signer_cert` is the signer's certificate
/// (from the SPDU or known by digest; `None` only for `self`); a digest signer must
/// match it.
pub fn verify_signed_data(
    backend: &dyn CurveBackend,
    sd: &SignedData,
    signer_cert: Option<&Certificate>,
    key: &Point,
) -> Result<(), CoreError> {
    if sd.hash_id != HashAlgorithm::Sha256 {
        return Err(CoreError::Unsupported("hash algorithm other than sha256"));
    }
    let cert = match (&sd.signer, signer_cert) {
        (SignerIdentifier::SelfSigned(()), _) => None,
        (SignerIdentifier::Digest(h), Some(c)) if *h == certificate_id8(c) => Some(c),
        (SignerIdentifier::Digest(_), Some(_)) => {
            return Err(CoreError::Invalid(
                "signer digest does not match the certificate",
            ))
        }
        (SignerIdentifier::Certificate(list), given) => Some(
            given
                .or(list.first())
                .ok_or(CoreError::Invalid("empty signer list"))?,
        ),
        (SignerIdentifier::Unknown(_), _) => {
            return Err(CoreError::Unsupported("signer identifier"))
        }
        (_, None) => return Err(CoreError::SignerUnavailable("signer certificate")),
    };
    verify(backend, key, &sd.tbs_data.to_coer(), cert, &sd.signature)
}

/// Builds a SignedCertificateRequest (`signer self` when `signer` is `None`).
pub fn sign_certificate_request(
    key: &dyn Signer,
    tbs_request: ScopedCertificateRequest,
    signer: SignerId<'_>,
) -> Result<SignedCertificateRequest, CoreError> {
    let signature = sign(key, &tbs_request.to_coer(), signer.certificate())?;
    Ok(SignedCertificateRequest {
        hash_id: HashAlgorithm::Sha256,
        tbs_request,
        signer: signer.identifier(),
        signature,
    })
}

/// Verifies a SignedCertificateRequest made with `key` (`signer_cert` as for SignedData).
pub fn verify_certificate_request(
    backend: &dyn CurveBackend,
    req: &SignedCertificateRequest,
    signer_cert: Option<&Certificate>,
    key: &Point,
) -> Result<(), CoreError> {
    if req.hash_id != HashAlgorithm::Sha256 {
        return Err(CoreError::Unsupported("hash algorithm other than sha256"));
    }
    let cert = match &req.signer {
        SignerIdentifier::SelfSigned(()) => None,
        SignerIdentifier::Certificate(list) => signer_cert.or(list.first()),
        _ => Some(signer_cert.ok_or(CoreError::SignerUnavailable("signer certificate"))?),
    };
    verify(
        backend,
        key,
        &req.tbs_request.to_coer(),
        cert,
        &req.signature,
    )
}

/// A certificate together with its (verified or reconstructed) public key.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// The issuer's certificate.
    pub cert: &'a Certificate,
    /// The issuer's verification key.
    pub key: &'a Point,
}

/// The verification key of `cert`: explicit certificates carry it; implicit ones are
/// reconstructed from the issuer (`Q = e·P + Q_issuer`).
pub fn certificate_key(
    backend: &dyn CurveBackend,
    cert: &Certificate,
    issuer: Option<Issuer<'_>>,
) -> Result<Point, CoreError> {
    match &cert.to_be_signed.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(k) => verification_key(k),
        VerificationKeyIndicator::ReconstructionValue(rv) => {
            let issuer = issuer.ok_or(CoreError::SignerUnavailable(
                "issuer of an implicit certificate",
            ))?;
            let e = implicit::cert_hash_1609(
                &cert.to_be_signed.to_coer(),
                &canonical_certificate(issuer.cert),
            );
            Ok(implicit::reconstruct_public(
                backend,
                &e,
                &point(rv)?,
                issuer.key,
            )?)
        }
        _ => Err(CoreError::Unsupported("verification key indicator")),
    }
}

/// Verifies an explicit certificate's signature (self-signed when `issuer` is `None`),
/// and that its issuer identifier names that issuer.
pub fn verify_explicit(
    backend: &dyn CurveBackend,
    cert: &Certificate,
    issuer: Option<Issuer<'_>>,
) -> Result<(), CoreError> {
    let sig = cert
        .signature
        .as_ref()
        .ok_or(CoreError::Invalid("explicit certificate without signature"))?;
    let tbs = cert.to_be_signed.to_coer();
    match (&cert.issuer, issuer) {
        (IssuerIdentifier::SelfSigned(HashAlgorithm::Sha256), None) => {
            let own = certificate_key(backend, cert, None)?;
            verify(backend, &own, &tbs, None, sig)
        }
        (IssuerIdentifier::Sha256AndDigest(h), Some(i)) => {
            if *h != certificate_id8(i.cert) {
                return Err(CoreError::Invalid(
                    "issuer digest does not match the issuer",
                ));
            }
            verify(backend, i.key, &tbs, Some(i.cert), sig)
        }
        (IssuerIdentifier::SelfSigned(_), Some(_)) => Err(CoreError::Invalid(
            "self-signed certificate given an issuer",
        )),
        (_, None) => Err(CoreError::SignerUnavailable("issuer certificate")),
        _ => Err(CoreError::Unsupported("issuer identifier")),
    }
}

/// The issuer identifier for certificates issued by `issuer` (`None` = self-signed).
fn issuer_id(issuer: Option<&Certificate>) -> IssuerIdentifier {
    match issuer {
        None => IssuerIdentifier::SelfSigned(HashAlgorithm::Sha256),
        Some(c) => IssuerIdentifier::Sha256AndDigest(certificate_id8(c)),
    }
}

/// Issues an explicit certificate: signs `tbs` with the issuer's key (self-signed when
/// `issuer` is `None`, then `key` is the subject's own key). No profile check: see
/// [`crate::issue`] for the checked path.
pub fn issue_explicit(
    key: &dyn Signer,
    tbs: ToBeSignedCertificate,
    issuer: Option<&Certificate>,
) -> Result<Certificate, CoreError> {
    let signature = sign(key, &tbs.to_coer(), issuer)?;
    Ok(Certificate {
        version: 3,
        r#type: CertificateType::Explicit,
        issuer: issuer_id(issuer),
        to_be_signed: tbs,
        signature: Some(signature),
    })
}

/// Issues an implicit certificate on the requester's point `request` (`R_U = k_U·G`).
/// `tbs.verify_key_indicator` is replaced by the reconstruction value. Returns the
/// certificate and the private-key reconstruction value `r`.
pub fn issue_implicit(
    backend: &dyn CurveBackend,
    issuer_key: &dyn Signer,
    issuer: &Certificate,
    mut tbs: ToBeSignedCertificate,
    request: &Point,
) -> Result<(Certificate, Scalar), CoreError> {
    let issuance = implicit::Issuance::start(backend, request)?;
    tbs.verify_key_indicator =
        VerificationKeyIndicator::ReconstructionValue(compressed(issuance.reconstruction_point()));
    let e = implicit::cert_hash_1609(&tbs.to_coer(), &canonical_certificate(issuer));
    let r = issuance.finish_with(&e, |ek| issuer_key.add_private(ek))?;
    let cert = Certificate {
        version: 3,
        r#type: CertificateType::Implicit,
        issuer: issuer_id(Some(issuer)),
        to_be_signed: tbs,
        signature: None,
    };
    Ok((cert, r))
}

/// The requester's private key for an implicit certificate: `d = e·k + r`.
pub fn reconstruct_private_key(
    cert: &Certificate,
    issuer: &Certificate,
    request_key: &PrivateKey,
    r: &Scalar,
) -> Result<PrivateKey, CoreError> {
    let e = implicit::cert_hash_1609(&cert.to_be_signed.to_coer(), &canonical_certificate(issuer));
    Ok(implicit::reconstruct_private(&e, request_key, r)?)
}
