//! CRL use on the device (seed Step 8.4 / 16.4): verifying a downloaded composite CRL
//! (each series' CRL signed by the CRL Generator, whose certificate must chain to a trusted
//! root; anti-rollback on the CRLG certificate's validity start) and turning it into a
//! [`RevocationList`] for [`crate::messages::Verifier`] and the certificate store.

use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Content, SignerIdentifier, Time32};
use scms_asn1::Coer;
use scms_core::chain::validate_chain;
use scms_core::revocation::RevocationList;
use scms_core::trust::TrustStore;
use scms_crypto::default_backend;

/// Why a CRL was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrlCheckError {
    /// The bytes are not a composite CRL.
    #[error("eeCRLMalformed: {0}")]
    Malformed(String),
    /// A CRL's signer does not chain to a trusted root or its signature is invalid.
    #[error("eeCRLInvalidSignature: {0}")]
    Signature(String),
    /// The CRLG certificate starts before the one of the CRL already held (rollback).
    #[error("eeCRLRollback: CRLG certificate start {got} < {held}")]
    Rollback {
        /// Start of the CRLG certificate of the downloaded CRL.
        got: Time32,
        /// The high-water mark held.
        held: Time32,
    },
}

/// A verified composite CRL.
#[derive(Debug)]
pub struct VerifiedCrl {
    /// Every entry of every series.
    pub revocations: RevocationList,
    /// The CRLG certificate's validity start (the new anti-rollback high-water mark).
    pub crlg_start: Time32,
    /// The earliest `nextCrl` of its CRLs (for `overdue_CRL_tolerance`).
    pub next_crl: Time32,
}

/// Verifies a COER `CompositeCrl` at `now`: every CRL's signer certificate (the CRLG)
/// chains through `intermediates` to `trust`, its signature verifies, and its validity
/// start is not before `high_water` (the start of the CRLG certificate of the CRL held).
pub fn verify_composite(
    bytes: &[u8],
    trust: &TrustStore,
    intermediates: &[Certificate],
    now: Time32,
    high_water: Option<Time32>,
) -> Result<VerifiedCrl, CrlCheckError> {
    let composite =
        CompositeCrl::from_coer(bytes).map_err(|e| CrlCheckError::Malformed(e.to_string()))?;
    let mut revocations = RevocationList::new();
    let mut crlg_start: Option<Time32> = None;
    let mut next_crl = Time32::MAX;
    for crl in &composite.secured_crl_series {
        let Ieee1609Dot2Content::SignedData(sd) = &crl.content else {
            return Err(CrlCheckError::Malformed("a CRL is not signed".into()));
        };
        let SignerIdentifier::Certificate(l) = &sd.signer else {
            return Err(CrlCheckError::Malformed(
                "a CRL does not carry its signer's certificate".into(),
            ));
        };
        let [crlg] = l.as_slice() else {
            return Err(CrlCheckError::Malformed(
                "signer is not one certificate".into(),
            ));
        };
        let chain = validate_chain(default_backend(), crlg, intermediates, trust, now)
            .map_err(|e| CrlCheckError::Signature(e.to_string()))?;
        let contents = scms_crl::open(crl, crlg, &chain.leaf_key)
            .map_err(|e| CrlCheckError::Signature(e.to_string()))?;
        let start = crlg.to_be_signed.validity_period.start;
        if let Some(held) = high_water {
            if start < held {
                return Err(CrlCheckError::Rollback { got: start, held });
            }
        }
        crlg_start = Some(crlg_start.map_or(start, |s: Time32| s.min(start)));
        next_crl = next_crl.min(contents.next_crl);
        revocations.add_crl(&contents);
    }
    Ok(VerifiedCrl {
        revocations,
        crlg_start: crlg_start.or(high_water).unwrap_or(0),
        next_crl,
    })
}

/// The global policy's `overdue_CRL_tolerance` in seconds, from a (verified) Local Policy
/// File; `None` when the file does not carry it.
pub fn overdue_tolerance(lpf: &[u8]) -> Option<u32> {
    use scms_asn1::camp::policy::{Policy, PolicyFiles};
    use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
    let file = ScmsFile::from_coer(lpf).ok()?;
    let ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(l)) = &file.content else {
        return None;
    };
    let Policy::Global(g) = &l.global_parameters.tbs_data.policy else {
        return None;
    };
    let d = &g
        .temporal_series_of_overdue_crl_tolerance
        .as_ref()?
        .initial_overdue_crl_tolerance;
    u32::try_from(scms_core::time::duration_seconds(d)).ok()
}
