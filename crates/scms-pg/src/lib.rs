//! The Policy Generator (PG): builds the Global and Local Policy Files of seed 004's
//! Use Case 18 with every configuration option of Tables 51/52, and countersigns them.
//!
//! A policy file is an `ScmsFile` whose `BasePolicyFile.signatures` carry the PG's
//! `Countersignature`: a SignedData (PSID 0x23) over `extDataHash` = SHA-256 of the COER
//! `ToBeSignedPolicyData`, with the PG certificate as signer.

#![forbid(unsafe_code)]

mod options;

pub use options::{GlobalPolicy, LocalPolicy};

use scms_asn1::camp::policy::{
    BasePolicyFile, LocalPolicyFile, Policy, PolicyFiles, ToBeSignedPolicyData,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::{
    Certificate, Countersignature, HashedData, Ieee1609Dot2Content, Ieee1609Dot2Data,
    SignedDataPayload, Time64, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::pdu;
use scms_core::sign::{self, SignerId};
use scms_core::signer::Signer;
use scms_core::CoreError;
use scms_crypto::hash::sha256;
use scms_crypto::Point;

/// PSID of SCMS security management messages (0x23).
pub const SECURITY_MGMT_PSID: u64 = 0x23;

/// Why a policy file could not be built or does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Signing or verification failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The file is not a policy file of the expected kind.
    #[error("not a {0}")]
    WrongKind(&'static str),
    /// A countersignature does not cover this file's data.
    #[error("countersignature {0} does not cover the policy data")]
    HashMismatch(usize),
    /// No countersignature at all.
    #[error("policy file carries no countersignature")]
    Unsigned,
    /// An option is outside what the seed allows.
    #[error("invalid option: {0}")]
    InvalidOption(&'static str),
}

/// Countersigns `tbs`: the PG's SignedData over `extDataHash` = SHA-256(COER tbs).
pub fn countersign(
    pg: &dyn Signer,
    pg_cert: &Certificate,
    tbs: &ToBeSignedPolicyData,
    generation_time: Time64,
) -> Result<Countersignature, PolicyError> {
    let tbs_data = ToBeSignedData {
        payload: SignedDataPayload {
            data: None,
            ext_data_hash: Some(HashedData::Sha256HashedData(sha256(&tbs.to_coer()))),
            omitted: None,
        },
        header_info: pdu::header(Some(generation_time)),
    };
    let sd = sign::sign_data(pg, tbs_data, SignerId::Certificate(pg_cert))?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    })
}

fn tbs(
    policy_id: &[u8],
    generation_time: Time64,
    active_time: Time64,
    policy: Policy,
) -> Result<ToBeSignedPolicyData, PolicyError> {
    Ok(ToBeSignedPolicyData {
        policy_id: OctetString::new(policy_id.to_vec())
            .map_err(|_| PolicyError::InvalidOption("policy id longer than 32 bytes"))?,
        generation_time,
        active_time,
        policy,
    })
}

/// Builds and countersigns a Global Policy File (`ScmsFile` / `globalPolicyFile`).
pub fn global_policy_file(
    pg: &dyn Signer,
    pg_cert: &Certificate,
    policy: &GlobalPolicy,
    generation_time: Time64,
) -> Result<ScmsFile, PolicyError> {
    let base = signed_base(
        pg,
        pg_cert,
        b"GPF",
        generation_time,
        Policy::Global(policy.to_asn()?),
    )?;
    Ok(ScmsFile {
        version: 1,
        content: ScmsFileContent::Policy(PolicyFiles::GlobalPolicyFile(base)),
    })
}

/// Builds a Local Policy File: the GPF's global parameters and the RA's local ones,
/// countersigned by the PG.
pub fn local_policy_file(
    pg: &dyn Signer,
    pg_cert: &Certificate,
    global: &ScmsFile,
    local: &LocalPolicy,
    generation_time: Time64,
) -> Result<ScmsFile, PolicyError> {
    let global_parameters = match &global.content {
        ScmsFileContent::Policy(PolicyFiles::GlobalPolicyFile(g)) => g.clone(),
        _ => return Err(PolicyError::WrongKind("global policy file")),
    };
    let local_parameters = signed_base(
        pg,
        pg_cert,
        b"LPF",
        generation_time,
        Policy::Local(local.to_asn()?),
    )?;
    Ok(ScmsFile {
        version: 1,
        content: ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(LocalPolicyFile {
            global_parameters,
            local_parameters,
        })),
    })
}

fn signed_base(
    pg: &dyn Signer,
    pg_cert: &Certificate,
    id: &[u8],
    generation_time: Time64,
    policy: Policy,
) -> Result<BasePolicyFile, PolicyError> {
    let tbs_data = tbs(id, generation_time, generation_time, policy)?;
    let sig = countersign(pg, pg_cert, &tbs_data, generation_time)?;
    Ok(BasePolicyFile {
        version: 1,
        tbs_data,
        signatures: vec![sig],
    })
}

/// Verifies every countersignature of a base policy file with `pg_key` (the PG's key,
/// from its explicit certificate, already chained to the root by the caller).
pub fn verify_base(
    base: &BasePolicyFile,
    pg_cert: &Certificate,
    pg_key: &Point,
) -> Result<(), PolicyError> {
    if base.signatures.is_empty() {
        return Err(PolicyError::Unsigned);
    }
    let digest = sha256(&base.tbs_data.to_coer());
    for (i, sig) in base.signatures.iter().enumerate() {
        let Ieee1609Dot2Content::SignedData(sd) = &sig.content else {
            return Err(PolicyError::WrongKind("countersignature"));
        };
        match &sd.tbs_data.payload.ext_data_hash {
            Some(HashedData::Sha256HashedData(h)) if *h == digest => {}
            _ => return Err(PolicyError::HashMismatch(i)),
        }
        if sd.tbs_data.payload.data.is_some() {
            return Err(PolicyError::WrongKind("countersignature (data present)"));
        }
        sign::verify_signed_data(scms_crypto::default_backend(), sd, Some(pg_cert), pg_key)?;
    }
    Ok(())
}

/// Verifies a Global or Local Policy File (every base file in it).
pub fn verify_policy_file(
    file: &ScmsFile,
    pg_cert: &Certificate,
    pg_key: &Point,
) -> Result<(), PolicyError> {
    match &file.content {
        ScmsFileContent::Policy(PolicyFiles::GlobalPolicyFile(g)) => {
            verify_base(g, pg_cert, pg_key)
        }
        ScmsFileContent::Policy(PolicyFiles::LocalPolicyFile(l)) => {
            verify_base(&l.global_parameters, pg_cert, pg_key)?;
            verify_base(&l.local_parameters, pg_cert, pg_key)
        }
        _ => Err(PolicyError::WrongKind("policy file")),
    }
}
