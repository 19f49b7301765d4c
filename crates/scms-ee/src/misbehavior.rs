//! Misbehavior reports (seed Use Case 5; ee-ma.asn, scms-protocol.asn
//! `SecuredMisbehaviorReport` / `SignedMisbehaviorReport`).
//!
//! [`build_report`] makes the `SecuredMisbehaviorReport` an EE posts to the RA
//! (`/process-misbehavior-report`), which forwards it to the MA unopened:
//!
//! - `ScmsPDU { version 1, ee-ma: misbehaviorReport MisbehaviorReportContents { version 1,
//!   misbehavingDeviceInfo = '' (placeholder), misbehavingDeviceBSMs, reporterDeviceBSMs } }`.
//!   Each BSM field is a COER `SEQUENCE OF OCTET STRING`, one element per SPDU (the COER
//!   `Ieee1609Dot2Data` exactly as received over the air, signature and signer included), so
//!   the MA can verify every reported message.
//! - signed (`SignedMisbehaviorReport`) with the reporter's current pseudonym certificate
//!   (signer `certificate`, SIZE 1), header psid `MisbehaviorReportingPsid` (38) with
//!   `generationTime` and `generationLocation` present, every other field absent;
//! - encrypted (`SecuredMisbehaviorReport`) to the MA certificate's encryption key, one
//!   `certRecipInfo` (P1 = SHA-256 of the MA certificate).

use scms_asn1::camp::ee_ma::{EndEntityMaInterfacePDU, MisbehaviorReportContents};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::{
    Certificate, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, SignedDataPayload,
    ThreeDLocation, Time64, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_core::convert::encryption_key;
use scms_core::encrypt::{encrypt, Recipient};
use scms_core::pdu;
use scms_core::sign::{self, SignerId};
use scms_core::signer::Signer;
use scms_core::CoreError;
use scms_crypto::default_backend;

/// `MisbehaviorReportingPsid` (38).
pub const MISBEHAVIOR_REPORTING_PSID: u64 = 38;

/// Most SPDUs in one report.
pub const MAX_REPORTED_SPDUS: usize = 100;

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MisbehaviorError {
    /// Nothing to report, too much, or an SPDU that is not an `Ieee1609Dot2Data`.
    #[error("report contents: {0}")]
    Contents(String),
    /// The MA certificate has no encryption key.
    #[error("the MA certificate has no encryption key")]
    NoMaEncryptionKey,
    /// Signing or encryption failed.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// The reporting device: its current pseudonym certificate and the matching private key.
pub struct Reporter<'a> {
    /// The pseudonym certificate (carried in the report as signer).
    pub certificate: &'a Certificate,
    /// Its private key.
    pub key: &'a dyn Signer,
}

impl std::fmt::Debug for Reporter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter").finish_non_exhaustive()
    }
}

/// Encodes SPDUs as the COER `SEQUENCE OF OCTET STRING` the BSM fields carry.
pub fn encode_spdus(spdus: &[Vec<u8>]) -> Result<Vec<u8>, MisbehaviorError> {
    if spdus.len() > MAX_REPORTED_SPDUS {
        return Err(MisbehaviorError::Contents(format!(
            "more than {MAX_REPORTED_SPDUS} SPDUs"
        )));
    }
    for s in spdus {
        Ieee1609Dot2Data::from_coer(s)
            .map_err(|e| MisbehaviorError::Contents(format!("not an Ieee1609Dot2Data: {e:?}")))?;
    }
    let list: Vec<OctetString> = spdus.iter().map(|s| OctetString(s.clone())).collect();
    Ok(list.to_coer())
}

/// Builds a `SecuredMisbehaviorReport` (COER) against the SPDUs `reported` (COER
/// `Ieee1609Dot2Data`, as received), optionally with the reporter's own recent SPDUs
/// `own`, signed by `reporter` at `now` (Time64) and `location`, encrypted to `ma_cert`.
pub fn build_report(
    reported: &[Vec<u8>],
    own: &[Vec<u8>],
    reporter: &Reporter<'_>,
    ma_cert: &Certificate,
    now: Time64,
    location: ThreeDLocation,
) -> Result<Vec<u8>, MisbehaviorError> {
    if reported.is_empty() {
        return Err(MisbehaviorError::Contents("no reported SPDU".into()));
    }
    let contents = MisbehaviorReportContents {
        version: 1,
        misbehaving_device_info: Opaque::default(),
        misbehaving_device_bsms: Some(OctetString(encode_spdus(reported)?)),
        reporter_device_bsms: if own.is_empty() {
            None
        } else {
            Some(OctetString(encode_spdus(own)?))
        },
        sensor_info: None,
    };
    let msg = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeMa(EndEntityMaInterfacePDU::MisbehaviorReport(contents)),
    };
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(pdu::unsecured(msg.to_coer()).map_err(|_| {
                MisbehaviorError::Contents("report too large".into())
            })?)),
            ext_data_hash: None,
            omitted: None,
        },
        header_info: HeaderInfo {
            generation_location: Some(location),
            ..pdu::header_with_psid(MISBEHAVIOR_REPORTING_PSID, Some(now))
        },
    };
    let sd = sign::sign_data(
        reporter.key,
        tbs,
        SignerId::Certificate(reporter.certificate),
    )?;
    let signed = Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(sd)),
    };
    let enc = ma_cert
        .to_be_signed
        .encryption_key
        .as_ref()
        .ok_or(MisbehaviorError::NoMaEncryptionKey)?;
    let key = encryption_key(enc)?;
    let ed = encrypt(
        default_backend(),
        &signed.to_coer(),
        &[Recipient::Certificate {
            cert: ma_cert,
            key: &key,
        }],
    )?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::EncryptedData(ed),
    }
    .to_coer())
}
