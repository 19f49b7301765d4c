//! Elector endorsements and ballots (component-cert-management.asn, scms-protocol.asn
//! `SignedElectorEndorsement`): signing an endorsement, assembling a ballot, verifying it
//! against a [`TrustStore`] and applying it.
//!
//! A ballot takes effect only when every endorsement carries the identical
//! `TbsElectorEndorsement`, and the endorsements that verify with a current (known,
//! unexpired at processing time and at signing time, not removed, not revoked) elector
//! certificate come from at least `quorum` distinct electors. Endorsements that fail
//! (unknown, expired or removed elector, bad signature) do not count but do not spoil the
//! ballot: the PG keeps ballots whose endorsers partly expired (Step 11.1.2). An elector
//! endorsing its own `addElector` does not count. The endorsed certificate must be
//! explicit; for `addRoot`/`addElector` it must match its profile, be self-signed with a
//! verifying signature and not expired; a removed root or elector cannot be re-added.

use scms_asn1::camp::component_cert_management::{
    ElectorBallot, EndorsementType, ScmsComponentCertificateManagementPDU, TbsElectorEndorsement,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, SignedElectorEndorsement};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, HashAlgorithm, HashedId8, Ieee1609Dot2Content, Ieee1609Dot2Data,
    Psid, SignedData, SignedDataPayload, SignerIdentifier, Time32, Time64, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_crypto::CurveBackend;

use crate::hash::certificate_id8;
use crate::pdu;
use crate::profile::{self, psid, CertKind, ProfileError};
use crate::sign::{self, SignerId};
use crate::signer::Signer;
use crate::time::{is_valid_at, time32_from_time64, time64_from_time32, validity_end};
use crate::trust::TrustStore;
use crate::CoreError;

/// Why a ballot or an endorsement is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BallotError {
    /// The ballot has no endorsement.
    #[error("ballot without endorsements")]
    Empty,
    /// An endorsement is not a SignedData over a ScopedElectorEndorsement as
    /// scms-protocol.asn constrains it.
    #[error("endorsement {index}: malformed: {what}")]
    Malformed {
        /// Index in the ballot.
        index: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The endorsements do not all carry the same TbsElectorEndorsement.
    #[error("endorsements carry different TbsElectorEndorsements")]
    Mismatch,
    /// Fewer distinct valid electors than the quorum.
    #[error("{valid} valid elector endorsement(s), quorum is {quorum}")]
    QuorumNotReached {
        /// Distinct electors whose endorsement counts.
        valid: usize,
        /// The quorum.
        quorum: usize,
    },
    /// The endorsed certificate is implicit or unsigned.
    #[error("the endorsed certificate must be explicit")]
    NotExplicit,
    /// The endorsed root or elector certificate does not match its profile.
    #[error("endorsed certificate: {0}")]
    Profile(#[from] ProfileError),
    /// The endorsed certificate's self-signature does not verify.
    #[error("endorsed certificate self-signature: {0}")]
    SelfSignature(CoreError),
    /// The endorsed certificate has expired.
    #[error("the endorsed certificate has expired")]
    EndorsedExpired,
    /// The endorsed root or elector was removed before and cannot be re-added.
    #[error("the endorsed certificate was removed by an earlier ballot")]
    PreviouslyRemoved,
    /// The endorsement's effectiveTime is later than the processing time.
    #[error("not effective yet")]
    NotYetEffective,
    /// Signing failed.
    #[error("{0}")]
    Core(#[from] CoreError),
}

/// What an applied ballot changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BallotEffect {
    /// A root was added (or was already trusted: `changed` false).
    RootAdded {
        /// HashedId8 of the root.
        id: HashedId8,
        /// Whether the store changed.
        changed: bool,
    },
    /// A root was removed (`changed` false if it was not trusted; it is barred anyway).
    RootRemoved {
        /// HashedId8 of the root.
        id: HashedId8,
        /// Whether a trusted root was dropped.
        changed: bool,
    },
    /// An elector was added.
    ElectorAdded {
        /// HashedId8 of the elector.
        id: HashedId8,
        /// Whether the store changed.
        changed: bool,
    },
    /// An elector was removed.
    ElectorRemoved {
        /// HashedId8 of the elector.
        id: HashedId8,
        /// Whether a current elector was dropped.
        changed: bool,
    },
}

/// Signs an endorsement of `tbs` by an elector: a SignedData (SecurityMgmtPsid,
/// generationTime, signer = digest of the elector's certificate) over unsecuredData
/// containing the ScmsPDU `{ version 1, content ccm : tbsElectorEndorsement }`.
pub fn endorse(
    elector: &dyn Signer,
    elector_cert: &Certificate,
    tbs: &TbsElectorEndorsement,
    generation_time: Time64,
) -> Result<SignedElectorEndorsement, BallotError> {
    let msg = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::Ccm(
            ScmsComponentCertificateManagementPDU::TbsElectorEndorsement(tbs.clone()),
        ),
    };
    let tbs_data = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(pdu::unsecured(msg.to_coer()).map_err(|_| {
                BallotError::Malformed {
                    index: 0,
                    what: "payload size",
                }
            })?)),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: pdu::header(Some(generation_time)),
    };
    let sd = sign::sign_data(elector, tbs_data, SignerId::Digest(elector_cert))?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    })
}

/// Assembles endorsements into a ballot.
pub fn ballot(endorsements: Vec<SignedElectorEndorsement>) -> ElectorBallot {
    ElectorBallot { endorsements }
}

/// The SignedData of an endorsement and the TbsElectorEndorsement it carries, checking
/// the constraints of `SignedElectorEndorsement`.
pub fn open_endorsement(
    index: usize,
    e: &SignedElectorEndorsement,
) -> Result<(&SignedData, TbsElectorEndorsement), BallotError> {
    let bad = |what| BallotError::Malformed { index, what };
    if e.protocol_version != 3 {
        return Err(bad("protocolVersion"));
    }
    let Ieee1609Dot2Content::SignedData(sd) = &e.content else {
        return Err(bad("not signedData"));
    };
    if sd.hash_id != HashAlgorithm::Sha256 {
        return Err(bad("hashId"));
    }
    let h = &sd.tbs_data.header_info;
    if h.psid != Psid::new(psid::SECURITY_MGMT) {
        return Err(bad("psid is not SecurityMgmtPsid"));
    }
    if h.generation_time.is_none() {
        return Err(bad("generationTime missing"));
    }
    if h.expiry_time.is_some()
        || h.generation_location.is_some()
        || h.p2pcd_learning_request.is_some()
        || h.missing_crl_identifier.is_some()
        || h.encryption_key.is_some()
    {
        return Err(bad("headerInfo field that must be absent"));
    }
    let data = sd
        .tbs_data
        .payload
        .data
        .as_deref()
        .ok_or(bad("payload without data"))?;
    let Ieee1609Dot2Content::UnsecuredData(bytes) = &data.content else {
        return Err(bad("payload is not unsecuredData"));
    };
    let pdu = ScmsPDU::from_coer(bytes.as_bytes()).map_err(|_| bad("not a ScmsPDU"))?;
    if pdu.version != 1 {
        return Err(bad("ScmsPDU version"));
    }
    match pdu.content {
        ScmsPDUContent::Ccm(ScmsComponentCertificateManagementPDU::TbsElectorEndorsement(t)) => {
            Ok((sd, t))
        }
        _ => Err(bad("not a tbsElectorEndorsement")),
    }
}

/// The outcome of one endorsement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndorsementStatus {
    /// Counts toward the quorum.
    Counted,
    /// Same elector as an earlier endorsement (counted once).
    Duplicate,
    /// The signer is not a current elector of the trust store.
    UnknownElector,
    /// The elector was removed by ballot or revoked.
    RemovedElector,
    /// The elector's certificate is not valid at processing or at generation time.
    ElectorExpired,
    /// The endorsed elector endorsing itself.
    SelfEndorsement,
    /// The signature does not verify.
    BadSignature,
    /// Not a well-formed endorsement.
    Malformed(&'static str),
}

/// One endorsement in a [`BallotReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndorsementReport {
    /// HashedId8 of the signing elector's certificate, when identified.
    pub elector: Option<HashedId8>,
    /// generationTime of the endorsement.
    pub generation_time: Option<Time64>,
    /// The outcome.
    pub status: EndorsementStatus,
}

/// A ballot checked against a trust store (for `scms inspect --verify`).
#[derive(Debug, Clone)]
pub struct BallotReport {
    /// The endorsed statement (of the first endorsement).
    pub tbs: Option<TbsElectorEndorsement>,
    /// Per endorsement, in ballot order.
    pub endorsements: Vec<EndorsementReport>,
    /// Distinct electors that count.
    pub valid: usize,
    /// The trust store's quorum.
    pub quorum: usize,
    /// `Ok` when [`TrustStore::apply_ballot`] would apply the ballot.
    pub verdict: Result<(), BallotError>,
}

/// Checks a ballot against `trust` at time `at` without changing anything.
pub fn verify_ballot(
    backend: &dyn CurveBackend,
    ballot: &ElectorBallot,
    trust: &TrustStore,
    at: Time32,
) -> BallotReport {
    let mut endorsements = Vec::with_capacity(ballot.endorsements.len());
    let mut tbs: Option<TbsElectorEndorsement> = None;
    let mut structural: Option<BallotError> = None;
    let mut counted: Vec<HashedId8> = Vec::new();
    for (index, e) in ballot.endorsements.iter().enumerate() {
        let (sd, t) = match open_endorsement(index, e) {
            Ok(x) => x,
            Err(err) => {
                let what = match &err {
                    BallotError::Malformed { what, .. } => *what,
                    _ => "malformed",
                };
                structural.get_or_insert(err);
                endorsements.push(EndorsementReport {
                    elector: None,
                    generation_time: None,
                    status: EndorsementStatus::Malformed(what),
                });
                continue;
            }
        };
        match &tbs {
            None => tbs = Some(t.clone()),
            Some(first) if *first != t => {
                structural.get_or_insert(BallotError::Mismatch);
            }
            Some(_) => {}
        }
        let generation_time = sd.tbs_data.header_info.generation_time;
        let (elector, status) = endorsement_status(backend, sd, &t, trust, at, &counted);
        if status == EndorsementStatus::Counted {
            if let Some(id) = elector {
                counted.push(id);
            }
        }
        endorsements.push(EndorsementReport {
            elector,
            generation_time,
            status,
        });
    }
    let valid = counted.len();
    let quorum = trust.quorum();
    let verdict = if ballot.endorsements.is_empty() {
        Err(BallotError::Empty)
    } else if let Some(e) = structural {
        Err(e)
    } else if let Some(t) = &tbs {
        match check_endorsed(backend, t, trust, at) {
            Err(e) => Err(e),
            Ok(()) if valid < quorum => Err(BallotError::QuorumNotReached { valid, quorum }),
            Ok(()) => Ok(()),
        }
    } else {
        Err(BallotError::Empty)
    };
    BallotReport {
        tbs,
        endorsements,
        valid,
        quorum,
        verdict,
    }
}

/// Identifies the elector of one endorsement and decides whether it counts.
fn endorsement_status(
    backend: &dyn CurveBackend,
    sd: &SignedData,
    tbs: &TbsElectorEndorsement,
    trust: &TrustStore,
    at: Time32,
    counted: &[HashedId8],
) -> (Option<HashedId8>, EndorsementStatus) {
    let id = match &sd.signer {
        SignerIdentifier::Digest(h) => *h,
        SignerIdentifier::Certificate(list) => match list.first() {
            Some(c) => certificate_id8(c),
            None => return (None, EndorsementStatus::Malformed("empty signer list")),
        },
        _ => {
            return (
                None,
                EndorsementStatus::Malformed("signer must be digest or certificate"),
            )
        }
    };
    if tbs.r#type == EndorsementType::AddElector && certificate_id8(&tbs.certificate) == id {
        return (Some(id), EndorsementStatus::SelfEndorsement);
    }
    if trust.is_removed_elector(&id) {
        return (Some(id), EndorsementStatus::RemovedElector);
    }
    let Some(cert) = trust.elector(&id) else {
        return (Some(id), EndorsementStatus::UnknownElector);
    };
    if trust.is_revoked(cert) {
        return (Some(id), EndorsementStatus::RemovedElector);
    }
    let generated = sd
        .tbs_data
        .header_info
        .generation_time
        .map(time32_from_time64)
        .unwrap_or(0);
    let v = &cert.to_be_signed.validity_period;
    if !is_valid_at(v, at) || !is_valid_at(v, generated) {
        return (Some(id), EndorsementStatus::ElectorExpired);
    }
    let key = match sign::certificate_key(backend, cert, None) {
        Ok(k) => k,
        Err(_) => return (Some(id), EndorsementStatus::BadSignature),
    };
    if sign::verify_signed_data(backend, sd, Some(cert), &key).is_err() {
        return (Some(id), EndorsementStatus::BadSignature);
    }
    if counted.contains(&id) {
        return (Some(id), EndorsementStatus::Duplicate);
    }
    (Some(id), EndorsementStatus::Counted)
}

/// Checks the endorsed certificate and the effective time.
fn check_endorsed(
    backend: &dyn CurveBackend,
    tbs: &TbsElectorEndorsement,
    trust: &TrustStore,
    at: Time32,
) -> Result<(), BallotError> {
    let cert = &tbs.certificate;
    if cert.r#type != CertificateType::Explicit || cert.signature.is_none() {
        return Err(BallotError::NotExplicit);
    }
    if let Some(t) = tbs.effective_time {
        if t > time64_from_time32(at) {
            return Err(BallotError::NotYetEffective);
        }
    }
    let kind = match tbs.r#type {
        EndorsementType::AddRoot => CertKind::Root,
        EndorsementType::AddElector => CertKind::Elector,
        EndorsementType::RemoveRoot | EndorsementType::RemoveElector => return Ok(()),
    };
    profile::check_certificate(kind, cert)?;
    sign::verify_explicit(backend, cert, None).map_err(BallotError::SelfSignature)?;
    if u64::from(at) >= validity_end(&cert.to_be_signed.validity_period) {
        return Err(BallotError::EndorsedExpired);
    }
    let id = certificate_id8(cert);
    let removed = match kind {
        CertKind::Root => trust.is_removed_root(&id),
        _ => trust.is_removed_elector(&id),
    };
    if removed || trust.is_revoked(cert) {
        return Err(BallotError::PreviouslyRemoved);
    }
    Ok(())
}

impl TrustStore {
    /// Applies a ballot at time `at` if it is valid (see the module documentation):
    /// adds or removes the endorsed root or elector.
    pub fn apply_ballot(
        &mut self,
        backend: &dyn CurveBackend,
        ballot: &ElectorBallot,
        at: Time32,
    ) -> Result<BallotEffect, BallotError> {
        let report = verify_ballot(backend, ballot, self, at);
        report.verdict?;
        let tbs = report.tbs.ok_or(BallotError::Empty)?;
        let id = certificate_id8(&tbs.certificate);
        Ok(match tbs.r#type {
            EndorsementType::AddRoot => BallotEffect::RootAdded {
                id,
                changed: self.insert_root(tbs.certificate),
            },
            EndorsementType::AddElector => BallotEffect::ElectorAdded {
                id,
                changed: self.insert_elector(tbs.certificate),
            },
            EndorsementType::RemoveRoot => BallotEffect::RootRemoved {
                id,
                changed: self.remove_root(id),
            },
            EndorsementType::RemoveElector => BallotEffect::ElectorRemoved {
                id,
                changed: self.remove_elector(id),
            },
        })
    }
}
