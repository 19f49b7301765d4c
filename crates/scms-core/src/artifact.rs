//! Decoded artifacts of any kind, and checking every signature in them that can be
//! checked with the certificates at hand (used by `scms inspect --verify`).
//!
//! Signer keys are found by walking issuer digests through a pool: the certificates the
//! artifact carries plus the ones the caller knows (`--issuer`). Self-signed roots and
//! electors verify on their own; implicit certificates get their keys by reconstruction.

use scms_asn1::camp::cert_chain_files::{CertificateChainFiles, CertificateStore};
use scms_asn1::camp::component_cert_management::{CompositeCrl, ElectorBallot};
use scms_asn1::camp::eca_ee::EcaEndEntityInterfacePDU;
use scms_asn1::camp::policy::{BasePolicyFile, PolicyFiles};
use scms_asn1::camp::protocol::{
    ScmsFile, ScmsFileContent, ScmsPDU, ScmsPDUContent, SignedCertificateRequest,
};
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, HashedData, Ieee1609Dot2Content, Ieee1609Dot2Data, IssuerIdentifier,
    SignerIdentifier, VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_crypto::hash::sha256;
use scms_crypto::{default_backend, CurveBackend, Point};

use crate::hash::certificate_id8;
use crate::sign::{self, Issuer};
use crate::CoreError;

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
    /// A certificate chain or policy file.
    File(Box<ScmsFile>),
    /// A composite CRL.
    CompositeCrl(Box<CompositeCrl>),
    /// An elector ballot.
    Ballot(Box<ElectorBallot>),
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
    ScmsFile => |f| Artifact::File(Box::new(f)),
    CompositeCrl => |c| Artifact::CompositeCrl(Box::new(c)),
    ElectorBallot => |b| Artifact::Ballot(Box::new(b)),
    ScmsPDU => |_| Artifact::Unsigned,
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
    fn record(&mut self, what: &str, r: Result<(), CoreError>) {
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

/// The certificates available for finding signers and issuers.
struct Pool<'a> {
    be: &'a dyn CurveBackend,
    certs: Vec<Certificate>,
}

const MAX_CHAIN: usize = 8;

impl Pool<'_> {
    fn by_digest(&self, h: &[u8; 8]) -> Option<&Certificate> {
        self.certs.iter().find(|c| certificate_id8(c) == *h)
    }

    /// The verification key of `cert`, verifying every explicit signature on the way up
    /// to a self-signed certificate.
    fn key(&self, cert: &Certificate, depth: usize) -> Result<Point, CoreError> {
        if depth > MAX_CHAIN {
            return Err(CoreError::Invalid("certificate chain too long"));
        }
        match &cert.issuer {
            IssuerIdentifier::SelfSigned(_) => {
                sign::verify_explicit(self.be, cert, None)?;
                sign::certificate_key(self.be, cert, None)
            }
            IssuerIdentifier::Sha256AndDigest(h) => {
                let issuer = self.by_digest(h).ok_or(CoreError::SignerUnavailable(
                    "issuer certificate (give --issuer)",
                ))?;
                let ik = self.key(issuer, depth + 1)?;
                let i = Issuer {
                    cert: issuer,
                    key: &ik,
                };
                if cert.signature.is_some() {
                    sign::verify_explicit(self.be, cert, Some(i))?;
                }
                sign::certificate_key(self.be, cert, Some(i))
            }
            _ => Err(CoreError::Unsupported("issuer identifier")),
        }
    }

    fn signer<'s>(&'s self, s: &'s SignerIdentifier) -> Option<&'s Certificate> {
        match s {
            SignerIdentifier::Certificate(list) => list.first(),
            SignerIdentifier::Digest(h) => self.by_digest(h),
            _ => None,
        }
    }
}

impl Artifact {
    /// Checks every signature that can be checked with what the artifact carries and the
    /// `known` certificates (issuers, electors, signers).
    pub fn verify(&self, known: &[Certificate]) -> VerifyReport {
        let mut pool = Pool {
            be: default_backend(),
            certs: known.to_vec(),
        };
        let mut rep = VerifyReport::default();
        match self {
            Artifact::Certificate(c) => {
                pool.certs.push((**c).clone());
                certificate(&pool, c, "certificate", &mut rep);
            }
            Artifact::Data(d) => data(&pool, d, "SPDU", &mut rep),
            Artifact::CertificateRequest(r) => request(&pool, r, &mut rep),
            Artifact::File(f) => file(&mut pool, f, &mut rep),
            Artifact::CompositeCrl(c) => crl(&mut pool, c, &mut rep),
            Artifact::Ballot(b) => ballot(&pool, b, "ballot", &mut rep),
            Artifact::Unsigned => rep.skip("artifact", "carries no signature"),
        }
        rep
    }
}

fn describe(c: &Certificate) -> String {
    use scms_asn1::ieee1609dot2::CertificateId;
    match &c.to_be_signed.id {
        CertificateId::Name(n) => format!("certificate {}", n.0),
        _ => format!("certificate {}", hex(&certificate_id8(c))),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn certificate(pool: &Pool<'_>, c: &Certificate, what: &str, rep: &mut VerifyReport) {
    let what = format!("{what} ({})", describe(c));
    if c.signature.is_none() {
        // Implicit: its key reconstructs only through a verified issuer chain.
        match pool.key(c, 0) {
            Ok(_) => {
                rep.checked += 1;
                rep.lines
                    .push(format!("{what}: implicit, issuer chain valid"));
            }
            Err(CoreError::SignerUnavailable(w)) => rep.skip(&what, w),
            Err(e) => rep.record(&what, Err(e)),
        }
        return;
    }
    match pool.key(c, 0) {
        Err(CoreError::SignerUnavailable(w)) => rep.skip(&what, w),
        r => rep.record(&what, r.map(|_| ())),
    }
}

fn data(pool: &Pool<'_>, d: &Ieee1609Dot2Data, what: &str, rep: &mut VerifyReport) {
    match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => {
            let Some(signer) = pool.signer(&sd.signer) else {
                rep.skip(what, "signer certificate unavailable (give --issuer)");
                return;
            };
            let mut extended = Pool {
                be: pool.be,
                certs: pool.certs.clone(),
            };
            extended.certs.push(signer.clone());
            match extended.key(signer, 0) {
                Ok(k) => rep.record(
                    &format!("{what} signed by {}", describe(signer)),
                    sign::verify_signed_data(pool.be, sd, Some(signer), &k),
                ),
                Err(CoreError::SignerUnavailable(w)) => rep.skip(what, w),
                Err(e) => rep.record(what, Err(e)),
            }
            if let Some(inner) = &sd.tbs_data.payload.data {
                if !matches!(inner.content, Ieee1609Dot2Content::UnsecuredData(_)) {
                    data(pool, inner, "inner SPDU", rep);
                }
            }
        }
        Ieee1609Dot2Content::SignedCertificateRequest(o) => {
            match SignedCertificateRequest::from_coer(o.as_bytes()) {
                Ok(r) => request(pool, &r, rep),
                Err(e) => rep.record("signedCertificateRequest", Err(CoreError::Decode(e))),
            }
        }
        Ieee1609Dot2Content::EncryptedData(_) => rep.skip(what, "encrypted"),
        _ => rep.skip(what, "unsigned"),
    }
}

fn request(pool: &Pool<'_>, r: &SignedCertificateRequest, rep: &mut VerifyReport) {
    // A self-signed request is verified with the key it requests a certificate for.
    let key = match &r.signer {
        SignerIdentifier::SelfSigned(()) => match &r.tbs_request.content {
            ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(req)) => {
                match &req.tbs_data.verify_key_indicator {
                    VerificationKeyIndicator::VerificationKey(k) => {
                        crate::convert::verification_key(k).map(|k| (None, k))
                    }
                    _ => Err(CoreError::Invalid(
                        "self-signed request without a verification key",
                    )),
                }
            }
            _ => Err(CoreError::Unsupported("self-signed request of this kind")),
        },
        other => match pool.signer(other) {
            Some(c) => pool.key(c, 0).map(|k| (Some(c), k)),
            None => Err(CoreError::SignerUnavailable(
                "signer certificate (give --issuer)",
            )),
        },
    };
    match key {
        Ok((cert, k)) => rep.record(
            "SignedCertificateRequest",
            sign::verify_certificate_request(pool.be, r, cert, &k),
        ),
        Err(CoreError::SignerUnavailable(w)) => rep.skip("SignedCertificateRequest", w),
        Err(e) => rep.record("SignedCertificateRequest", Err(e)),
    }
}

fn ballot(pool: &Pool<'_>, b: &ElectorBallot, what: &str, rep: &mut VerifyReport) {
    for (i, e) in b.endorsements.iter().enumerate() {
        data(pool, e, &format!("{what} endorsement {}", i + 1), rep);
    }
}

fn store(pool: &mut Pool<'_>, s: &CertificateStore, rep: &mut VerifyReport) {
    pool.certs.push(s.ma_certificate.clone());
    pool.certs.extend(s.certs.iter().cloned());
    for b in &s.root_ca_endorsements {
        for e in &b.endorsements {
            if let Ieee1609Dot2Content::SignedData(sd) = &e.content {
                if let SignerIdentifier::Certificate(list) = &sd.signer {
                    pool.certs.extend(list.iter().cloned());
                }
            }
        }
    }
    for (i, b) in s.root_ca_endorsements.iter().enumerate() {
        ballot(pool, b, &format!("root endorsement ballot {}", i + 1), rep);
    }
    for (i, b) in s.elector_endorsements.iter().enumerate() {
        ballot(
            pool,
            b,
            &format!("elector endorsement ballot {}", i + 1),
            rep,
        );
    }
    certificate(pool, &s.ma_certificate, "MA certificate", rep);
    for c in &s.certs {
        certificate(pool, c, "certificate", rep);
    }
}

fn policy(pool: &Pool<'_>, name: &str, base: &BasePolicyFile, rep: &mut VerifyReport) {
    let digest = sha256(&base.tbs_data.to_coer());
    if base.signatures.is_empty() {
        rep.record(name, Err(CoreError::Invalid("no countersignature")));
    }
    for (i, sig) in base.signatures.iter().enumerate() {
        let what = format!("{name} countersignature {}", i + 1);
        if let Ieee1609Dot2Content::SignedData(sd) = &sig.content {
            let covers = matches!(&sd.tbs_data.payload.ext_data_hash,
                Some(HashedData::Sha256HashedData(h)) if *h == digest);
            if !covers {
                rep.record(
                    &what,
                    Err(CoreError::Invalid(
                        "extDataHash does not cover the policy data",
                    )),
                );
                continue;
            }
        }
        data(pool, sig, &what, rep);
    }
}

fn file(pool: &mut Pool<'_>, f: &ScmsFile, rep: &mut VerifyReport) {
    match &f.content {
        ScmsFileContent::CertChain(CertificateChainFiles::GlobalCertificateChainFile(g)) => {
            store(pool, &g.cert_store, rep)
        }
        ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) => {
            store(pool, &l.required_cert_store, rep);
            for c in &l.optional_cert_list {
                certificate(pool, c, "optional certificate", rep);
            }
        }
        ScmsFileContent::Policy(PolicyFiles::GlobalPolicyFile(g)) => {
            policy(pool, "global policy", g, rep)
        }
        ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(l)) => {
            policy(pool, "global policy", &l.global_parameters, rep);
            policy(pool, "local policy", &l.local_parameters, rep);
        }
        _ => rep.skip("file", "unknown kind"),
    }
}

fn crl(pool: &mut Pool<'_>, c: &CompositeCrl, rep: &mut VerifyReport) {
    for (i, s) in c.secured_crl_series.iter().enumerate() {
        data(pool, s, &format!("CRL {}", i + 1), rep);
    }
    for (i, b) in c.revoked_root_cas.iter().enumerate() {
        ballot(pool, b, &format!("root revocation ballot {}", i + 1), rep);
    }
    for (i, b) in c.revoked_electors.iter().enumerate() {
        ballot(
            pool,
            b,
            &format!("elector revocation ballot {}", i + 1),
            rep,
        );
    }
}
