//! Decoded artifacts of any kind, and checking every signature in them that can be
//! checked (used by `scms inspect --verify`).

use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::camp::eca_ee::EcaEndEntityInterfacePDU;
use scms_asn1::camp::protocol::ScmsPDUContent;
use scms_asn1::camp::protocol::{ScmsFile, ScmsPDU, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, Ieee1609Dot2Content, Ieee1609Dot2Data, IssuerIdentifier,
    VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_crypto::{default_backend, CurveBackend};

use crate::sign::{self, Issuer};

/// Any artifact `scms inspect` decodes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Artifact {
    /// A certificate.
    Certificate(Box<Certificate>),
    /// An IEEE 1609.2 SPDU (SecuredScmsPDU, SecuredCrl, ...).
    Data(Box<Ieee1609Dot2Data>),
    /// A signed certificate request (the `signedCertificateRequest` contents).
    CertificateRequest(Box<SignedCertificateRequest>),
    /// Anything else: decodes, carries no signature of its own.
    Unsigned,
}

macro_rules! into_artifact {
    ($($t:ty => $e:expr),* $(,)?) => {$(
        impl From<$t> for Artifact {
            fn from(v: $t) -> Self {
                #[allow(clippy::redundant_closure_call)]
                ($e)(v)
            }
        }
    )*};
}

into_artifact! {
    Certificate => |c| Artifact::Certificate(Box::new(c)),
    Ieee1609Dot2Data => |d| Artifact::Data(Box::new(d)),
    SignedCertificateRequest => |r| Artifact::CertificateRequest(Box::new(r)),
    ScmsPDU => |_| Artifact::Unsigned,
    ScmsFile => |_| Artifact::Unsigned,
    CompositeCrl => |_| Artifact::Unsigned,
    CrlContents => |_| Artifact::Unsigned,
}

/// What `verify` found: one line per signature, with counts.
#[derive(Debug, Default, Clone)]
pub struct VerifyReport {
    /// Human-readable lines, one per signature examined.
    pub lines: Vec<String>,
    /// Signatures checked.
    pub checked: usize,
    /// Signatures that did not verify.
    pub failed: usize,
}

impl VerifyReport {
    fn record(&mut self, what: &str, r: Result<(), crate::CoreError>) {
        self.checked += 1;
        match r {
            Ok(()) => self.lines.push(format!("{what}: signature valid")),
            Err(e) => {
                self.failed += 1;
                self.lines.push(format!("{what}: signature INVALID ({e})"));
            }
        }
    }

    fn skip(&mut self, what: &str, why: &str) {
        self.lines.push(format!("{what}: not checked ({why})"));
    }
}

impl Artifact {
    /// Checks every signature that can be checked with what the artifact carries and
    /// the optional `issuer` (signer) certificate.
    pub fn verify(&self, issuer: Option<&Certificate>) -> VerifyReport {
        let be = default_backend();
        let mut rep = VerifyReport::default();
        match self {
            Artifact::Certificate(c) => verify_certificate(be, c, issuer, &mut rep),
            Artifact::Data(d) => verify_data(be, d, issuer, &mut rep),
            Artifact::CertificateRequest(r) => verify_request(be, r, issuer, &mut rep),
            Artifact::Unsigned => rep.skip("artifact", "carries no signature"),
        }
        rep
    }
}

/// A given issuer's key, when it is explicit (or self-signed) and so usable directly.
fn explicit_issuer(
    be: &dyn CurveBackend,
    issuer: Option<&Certificate>,
) -> Option<scms_crypto::Point> {
    let c = issuer?;
    match &c.to_be_signed.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(_) => sign::certificate_key(be, c, None).ok(),
        _ => None,
    }
}

fn verify_certificate(
    be: &dyn CurveBackend,
    c: &Certificate,
    issuer: Option<&Certificate>,
    rep: &mut VerifyReport,
) {
    if c.signature.is_none() {
        rep.skip(
            "certificate",
            "implicit: authenticated by use, no signature",
        );
        return;
    }
    match (&c.issuer, issuer) {
        (IssuerIdentifier::SelfSigned(_), _) => rep.record(
            "self-signed certificate",
            sign::verify_explicit(be, c, None),
        ),
        (_, Some(i)) => match explicit_issuer(be, Some(i)) {
            Some(k) => rep.record(
                "certificate",
                sign::verify_explicit(be, c, Some(Issuer { cert: i, key: &k })),
            ),
            None => rep.skip("certificate", "issuer key is implicit"),
        },
        (_, None) => rep.skip("certificate", "issuer certificate not given (--issuer)"),
    }
}

fn verify_data(
    be: &dyn CurveBackend,
    d: &Ieee1609Dot2Data,
    issuer: Option<&Certificate>,
    rep: &mut VerifyReport,
) {
    match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => {
            let signer = sign::carried_certificate(&sd.signer).or(issuer);
            let key = match signer {
                Some(c) if c.signature.is_some() || issuer.is_none() => {
                    // The signer is explicit, or implicit with its issuer given.
                    let iss_key = explicit_issuer(be, issuer);
                    let i = match (issuer, &iss_key) {
                        (Some(ic), Some(k)) if !std::ptr::eq(ic, c) => {
                            Some(Issuer { cert: ic, key: k })
                        }
                        _ => None,
                    };
                    sign::certificate_key(be, c, i).ok()
                }
                Some(c) => sign::certificate_key(be, c, None).ok(),
                None => None,
            };
            match (signer, key) {
                (Some(c), Some(k)) => {
                    rep.record("SignedData", sign::verify_signed_data(be, sd, Some(c), &k))
                }
                _ => rep.skip("SignedData", "signer key unavailable (give --issuer)"),
            }
            if let Some(inner) = &sd.tbs_data.payload.data {
                verify_data(be, inner, issuer, rep);
            }
        }
        Ieee1609Dot2Content::SignedCertificateRequest(o) => {
            match SignedCertificateRequest::from_coer(o.as_bytes()) {
                Ok(r) => verify_request(be, &r, issuer, rep),
                Err(e) => {
                    rep.checked += 1;
                    rep.failed += 1;
                    rep.lines
                        .push(format!("signedCertificateRequest: malformed ({e})"));
                }
            }
        }
        Ieee1609Dot2Content::EncryptedData(_) => rep.skip("EncryptedData", "encrypted"),
        _ => rep.skip("data", "unsigned"),
    }
}

fn verify_request(
    be: &dyn CurveBackend,
    r: &SignedCertificateRequest,
    issuer: Option<&Certificate>,
    rep: &mut VerifyReport,
) {
    // A self-signed request is verified with the key it requests a certificate for.
    let own_key = match &r.tbs_request.content {
        ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(req)) => {
            match &req.tbs_data.verify_key_indicator {
                VerificationKeyIndicator::VerificationKey(k) => {
                    crate::convert::verification_key(k).ok()
                }
                _ => None,
            }
        }
        _ => None,
    };
    let signer = sign::carried_certificate(&r.signer).or(issuer);
    let key = match signer {
        Some(c) => sign::certificate_key(be, c, None).ok(),
        None => own_key,
    };
    match key {
        Some(k) => rep.record(
            "SignedCertificateRequest",
            sign::verify_certificate_request(be, r, signer, &k),
        ),
        None => rep.skip(
            "SignedCertificateRequest",
            "signer key unavailable (give --issuer)",
        ),
    }
}
