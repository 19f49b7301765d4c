//! CRL use on the device (seed Step 8.4 / 16.4, Steps 11.2.1–11.2.3): verifying a
//! downloaded composite CRL and turning it into a [`RevocationList`] for
//! [`crate::messages::Verifier`] and the certificate store.
//!
//! A composite CRL holds CRLG-signed CRLs (series 4, 3, 1, 2: the CRLG's certificate
//! must chain to a trusted root; anti-rollback on its validity start), root-signed CRLs of
//! series 256 (signer = a root certificate of the trust store; they revoke CRLG, PG and
//! MA certificates by HashedId10) and the `removeRoot` / `removeElector` ballots. The
//! root-signed CRLs are verified first: a CRL whose CRLG (or anything in the CRLG's chain)
//! they revoke is ignored (stop processing CRLs from a revoked CRLG). The ballots are
//! applied to the trust store before the CRLs are verified (see [`crate::trust_state`]).

use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, CrlContentsTypeSpecific, HashBasedRevocationInfo,
    Ieee1609Dot2Content, IssuerIdentifier, SecuredCrl, SignerIdentifier, Time32,
};
use scms_asn1::Coer;
use scms_core::chain::{validate_chain, ChainError};
use scms_core::hash::certificate_id8;
use scms_core::profile::crl_series;
use scms_core::revocation::RevocationList;
use scms_core::trust::TrustStore;
use scms_crypto::default_backend;

use crate::trust_state::{apply_ballots, BallotOutcome, BallotSource};

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
    /// Every entry of every series used.
    pub revocations: RevocationList,
    /// The CRLG certificate's validity start (the new anti-rollback high-water mark).
    pub crlg_start: Time32,
    /// The earliest `nextCrl` of its CRLG-signed CRLs (of its root-signed ones when there
    /// is none), for `overdue_CRL_tolerance`.
    pub next_crl: Time32,
    /// The hash entries revoking SCMS components: series 2 (ICA, ECA, PCA, RA, LA, DCM)
    /// and series 256 (CRLG, PG, MA).
    pub component_entries: Vec<HashBasedRevocationInfo>,
    /// The CRLs not used, and why (their CRLG is revoked by a root-signed CRL).
    pub ignored: Vec<String>,
    /// The composite CRL's ballots and what became of them.
    pub ballots: Vec<BallotOutcome>,
}

/// Decodes a COER `CompositeCrl`.
pub fn decode_composite(bytes: &[u8]) -> Result<CompositeCrl, CrlCheckError> {
    CompositeCrl::from_coer(bytes).map_err(|e| CrlCheckError::Malformed(e.to_string()))
}

/// The composite CRL's ballots, `revokedElectors` first.
pub fn ballots_of(
    composite: &CompositeCrl,
) -> Vec<scms_asn1::camp::component_cert_management::ElectorBallot> {
    composite
        .revoked_electors
        .iter()
        .chain(&composite.revoked_root_cas)
        .cloned()
        .collect()
}

/// Verifies a COER `CompositeCrl` at `now` against a copy of `trust` to which its ballots
/// are applied first (the caller's store is not changed: a device applies and persists
/// them with [`crate::provision::Device::install_crl`]); see [`verify_crls`].
pub fn verify_composite(
    bytes: &[u8],
    trust: &TrustStore,
    intermediates: &[Certificate],
    now: Time32,
    high_water: Option<Time32>,
) -> Result<VerifiedCrl, CrlCheckError> {
    let composite = decode_composite(bytes)?;
    let mut trust = trust.clone();
    let ballots = apply_ballots(&mut trust, BallotSource::Crl, &ballots_of(&composite), now);
    let mut v = verify_crls(&composite, &trust, intermediates, now, high_water)?;
    v.ballots = ballots;
    Ok(v)
}

/// The one certificate a CRL is signed with.
fn crl_signer(crl: &SecuredCrl) -> Result<&Certificate, CrlCheckError> {
    let Ieee1609Dot2Content::SignedData(sd) = &crl.content else {
        return Err(CrlCheckError::Malformed("a CRL is not signed".into()));
    };
    let SignerIdentifier::Certificate(l) = &sd.signer else {
        return Err(CrlCheckError::Malformed(
            "a CRL does not carry its signer's certificate".into(),
        ));
    };
    let [signer] = l.as_slice() else {
        return Err(CrlCheckError::Malformed(
            "signer is not one certificate".into(),
        ));
    };
    Ok(signer)
}

fn hash_entries(c: &CrlContents) -> &[HashBasedRevocationInfo] {
    match &c.type_specific {
        CrlContentsTypeSpecific::FullHashCrl(h) | CrlContentsTypeSpecific::DeltaHashCrl(h) => {
            &h.entries
        }
        _ => &[],
    }
}

/// Verifies the CRLs of a composite CRL at `now` (its ballots are not looked at):
///
/// - a CRL signed by a self-signed certificate must be signed by a trusted root of
///   `trust`, be of series 256 and name that root as `cracaId`;
/// - any other CRL's signer certificate (the CRLG) must chain through `intermediates` to
///   `trust` and start no earlier than `high_water` (the start of the CRLG certificate of
///   the CRL held); it cannot be of series 256. It is ignored (listed in
///   [`VerifiedCrl::ignored`]) when a root-signed CRL revokes its CRLG or anything in its
///   chain, or when `trust` already holds them revoked; a composite CRL none of whose
///   CRLs is usable is refused.
pub fn verify_crls(
    composite: &CompositeCrl,
    trust: &TrustStore,
    intermediates: &[Certificate],
    now: Time32,
    high_water: Option<Time32>,
) -> Result<VerifiedCrl, CrlCheckError> {
    let be = default_backend();
    let sig = |e: &dyn std::fmt::Display| CrlCheckError::Signature(e.to_string());
    let mut by_root = Vec::new();
    let mut by_crlg = Vec::new();
    for crl in &composite.secured_crl_series {
        let signer = crl_signer(crl)?;
        if matches!(signer.issuer, IssuerIdentifier::SelfSigned(_)) {
            by_root.push((crl, signer));
        } else {
            by_crlg.push((crl, signer));
        }
    }
    let mut revocations = RevocationList::new();
    let mut root_revoked = RevocationList::new();
    let mut component_entries = Vec::new();
    let mut ignored = Vec::new();
    let mut next_root = Time32::MAX;
    let by_root_count = by_root.len();
    for (crl, root) in by_root {
        if !trust.is_trusted_root(root) {
            return Err(sig(&"a root-signed CRL's signer is not a trusted root"));
        }
        let chain = validate_chain(be, root, &[], trust, now).map_err(|e| sig(&e))?;
        let contents = scms_crl::open(crl, root, &chain.leaf_key).map_err(|e| sig(&e))?;
        if contents.crl_series != crl_series::SCMS_SPCL_COMPONENT {
            return Err(sig(&format!(
                "a root-signed CRL of series {} (only series {} is root-signed)",
                contents.crl_series,
                crl_series::SCMS_SPCL_COMPONENT
            )));
        }
        if contents.craca_id != certificate_id8(root) {
            return Err(sig(&"a root-signed CRL's cracaId is not its root"));
        }
        component_entries.extend_from_slice(hash_entries(&contents));
        next_root = next_root.min(contents.next_crl);
        root_revoked.add_crl(&contents);
        revocations.add_crl(&contents);
    }
    let mut crlg_start: Option<Time32> = None;
    let mut next_crl = Time32::MAX;
    let mut used = by_root_count;
    for (crl, crlg) in by_crlg {
        let chain = match validate_chain(be, crlg, intermediates, trust, now) {
            Ok(c) => c,
            Err(e @ ChainError::Revoked { .. }) => {
                ignored.push(format!(
                    "a CRL signed by CRLG {}: {e} (revoked earlier)",
                    hex::encode(certificate_id8(crlg))
                ));
                continue;
            }
            Err(e) => return Err(sig(&e)),
        };
        if let Some(c) = chain.path.iter().find(|c| root_revoked.is_revoked(c)) {
            ignored.push(format!(
                "a CRL signed by CRLG {}: certificate {} of its chain is revoked by a \
                 root-signed CRL",
                hex::encode(certificate_id8(crlg)),
                hex::encode(certificate_id8(c))
            ));
            continue;
        }
        let contents = scms_crl::open(crl, crlg, &chain.leaf_key).map_err(|e| sig(&e))?;
        if contents.crl_series == crl_series::SCMS_SPCL_COMPONENT {
            return Err(sig(&"a CRL of series 256 is not signed by a root"));
        }
        let start = crlg.to_be_signed.validity_period.start;
        if let Some(held) = high_water {
            if start < held {
                return Err(CrlCheckError::Rollback { got: start, held });
            }
        }
        crlg_start = Some(crlg_start.map_or(start, |s: Time32| s.min(start)));
        next_crl = next_crl.min(contents.next_crl);
        if contents.crl_series == crl_series::SCMS_COMPONENT {
            component_entries.extend_from_slice(hash_entries(&contents));
        }
        revocations.add_crl(&contents);
        used += 1;
    }
    if used == 0 && !composite.secured_crl_series.is_empty() {
        return Err(sig(&"every CRL is signed by a revoked CRL Generator"));
    }
    if next_crl == Time32::MAX {
        next_crl = next_root;
    }
    Ok(VerifiedCrl {
        revocations,
        crlg_start: crlg_start.or(high_water).unwrap_or(0),
        next_crl,
        component_entries,
        ignored,
        ballots: Vec::new(),
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
