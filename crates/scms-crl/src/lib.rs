//! The CRL Generator (CRLG): builds IEEE 1609.2 CRLs (hash-based and linkage-based),
//! signs them as `SecuredCrl` (PSID 0x100, no generation time, as crl-protocol.asn
//! requires), and assembles the `CompositeCrl` the CRL store publishes; [`root`] builds
//! and verifies the root-signed CRLs of series 256.

#![forbid(unsafe_code)]

pub mod generator;
pub mod root;

use scms_asn1::camp::component_cert_management::{CompositeCrl, ElectorBallot};
use scms_asn1::coer::VarUint;
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, CrlContentsTypeSpecific, CrlPriorityInfo, CrlSeries,
    HashBasedRevocationInfo, HashedId8, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SecuredCrl,
    SignedDataPayload, Time32, ToBeSignedData, ToBeSignedHashIdCrl, ToBeSignedLinkageValueCrl,
};
use scms_asn1::Coer;
use scms_core::pdu;
use scms_core::sign::{self, SignerId};
use scms_core::signer::Signer;
use scms_core::CoreError;
use scms_crypto::Point;

/// PSID of CRLs (0x100).
pub const CRL_PSID: u64 = 0x100;

/// The CRL series of the SCMS (scms-base-types.asn).
pub mod series {
    use super::CrlSeries;
    /// OBE pseudonym certificates (linkage-based).
    pub const OBE_PSEUDONYM: CrlSeries = 1;
    /// SCMS components.
    pub const SCMS_COMPONENT: CrlSeries = 2;
    /// EE non-pseudonym certificates (identification, application).
    pub const EE_NON_PSEUDONYM: CrlSeries = 3;
    /// EE enrollment certificates.
    pub const EE_ENROLLMENT: CrlSeries = 4;
    /// Special SCMS components (the CRLG itself; signed by the root).
    pub const SCMS_SPECIAL_COMPONENT: CrlSeries = 256;
    /// The series the CRLG signs (its CrlSsp).
    pub const CRLG_SERIES: [CrlSeries; 4] = [
        EE_ENROLLMENT,
        EE_NON_PSEUDONYM,
        OBE_PSEUDONYM,
        SCMS_COMPONENT,
    ];
}

/// Why a CRL could not be built or verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// Signing or verification failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The bytes are not a SecuredCrl.
    #[error("not a SecuredCrl: {0}")]
    NotACrl(&'static str),
    /// The contents do not decode.
    #[error(transparent)]
    Decode(#[from] scms_asn1::DecodeError),
    /// The CRL or a certificate to list is not acceptable here.
    #[error("{0}")]
    Invalid(&'static str),
}

/// An empty CRL of `series`: linkage-based for pseudonyms, hash-based otherwise.
pub fn empty_contents(
    series: CrlSeries,
    craca_id: HashedId8,
    issue_date: Time32,
    next_crl: Time32,
    i_value: u16,
) -> CrlContents {
    let type_specific = if series == series::OBE_PSEUDONYM {
        CrlContentsTypeSpecific::FullLinkedCrl(ToBeSignedLinkageValueCrl {
            i_value,
            index_within_i: 0,
            individual: None,
            groups: None,
        })
    } else {
        CrlContentsTypeSpecific::FullHashCrl(ToBeSignedHashIdCrl {
            crl_serial: 0,
            entries: Vec::<HashBasedRevocationInfo>::new(),
        })
    };
    CrlContents {
        version: 1,
        crl_series: series,
        craca_id,
        issue_date,
        next_crl,
        priority_info: CrlPriorityInfo { priority: None },
        type_specific,
    }
}

/// Signs CRL contents as a SecuredCrl by the CRLG.
pub fn secure(
    crlg: &dyn Signer,
    crlg_cert: &Certificate,
    contents: &CrlContents,
) -> Result<SecuredCrl, CrlError> {
    let tbs_data = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(
                pdu::unsecured(contents.to_coer()).map_err(|_| CrlError::NotACrl("size"))?,
            )),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: pdu::header_with_psid(CRL_PSID, None),
    };
    let sd = sign::sign_data(crlg, tbs_data, SignerId::Certificate(crlg_cert))?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    })
}

/// The contents of a SecuredCrl, after verifying its signature with `crlg_key`.
pub fn open(
    crl: &SecuredCrl,
    crlg_cert: &Certificate,
    crlg_key: &Point,
) -> Result<CrlContents, CrlError> {
    let Ieee1609Dot2Content::SignedData(sd) = &crl.content else {
        return Err(CrlError::NotACrl("not signed data"));
    };
    if sd.tbs_data.header_info.psid != Psid(VarUint(CRL_PSID)) {
        return Err(CrlError::NotACrl("PSID is not 0x100"));
    }
    sign::verify_signed_data(
        scms_crypto::default_backend(),
        sd,
        Some(crlg_cert),
        crlg_key,
    )?;
    let data = sd
        .tbs_data
        .payload
        .data
        .as_ref()
        .ok_or(CrlError::NotACrl("no payload"))?;
    let Ieee1609Dot2Content::UnsecuredData(bytes) = &data.content else {
        return Err(CrlError::NotACrl("payload is not unsecured data"));
    };
    Ok(CrlContents::from_coer(bytes.as_bytes())?)
}

/// The composite CRL: the CRLG-signed CRL of each series plus the elector ballots that
/// revoked roots and electors.
pub fn composite(
    crls: Vec<SecuredCrl>,
    revoked_roots: Vec<ElectorBallot>,
    revoked_electors: Vec<ElectorBallot>,
) -> CompositeCrl {
    CompositeCrl {
        secured_crl_series: crls,
        revoked_root_cas: revoked_roots,
        revoked_electors,
    }
}

/// The initial composite CRL: one empty, signed CRL per series the CRLG serves.
pub fn initial(
    crlg: &dyn Signer,
    crlg_cert: &Certificate,
    craca_id: HashedId8,
    issue_date: Time32,
    next_crl: Time32,
    i_value: u16,
) -> Result<CompositeCrl, CrlError> {
    let mut crls = Vec::new();
    for s in series::CRLG_SERIES {
        crls.push(secure(
            crlg,
            crlg_cert,
            &empty_contents(s, craca_id, issue_date, next_crl, i_value),
        )?);
    }
    Ok(composite(crls, vec![], vec![]))
}
