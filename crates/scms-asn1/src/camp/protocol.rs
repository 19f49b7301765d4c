//! `IEEE1609dot2ScmsProtocol` (scms-protocol.asn): the ScmsPDU and ScmsFile envelopes, the
//! scoped, signed and secured message subtypes of every interface, and the SCMS SSPs.
//!
//! The `Scoped*`, `Signed*` and `Secured*` subtypes are aliases: their constraints (which
//! alternative, which header fields) are checked by scms-core, not by the codec.

use super::cert_chain_files::CertificateChainFiles;
use super::component_cert_management::ScmsComponentCertificateManagementPDU;
use super::eca_ee::EcaEndEntityInterfacePDU;
use super::ee_ma::EndEntityMaInterfacePDU;
use super::ee_ra::EndEntityRaInterfacePDU;
use super::la_ma::LaMaInterfacePDU;
use super::la_pca::LaPcaInterfacePDU;
use super::la_ra::LaRaInterfacePDU;
use super::ma_pca::MaPcaInterfacePDU;
use super::ma_ra::MaRaInterfacePDU;
use super::pca_ra::PcaRaInterfacePDU;
use super::policy::PolicyFiles;
use super::ra_pg::RaPgInterfacePDU;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_sequence! {
    /// The parent structure of all the SCMS interface structures.
    pub struct ScmsPDU {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub content: ScmsPDUContent,
    }
}

asn_choice! {
    /// `ScmsPDU.content` (an unnamed CHOICE in the ASN.1): the information of one SCMS interface.
    #[allow(clippy::large_enum_variant)]
    pub enum ScmsPDUContent {
        Ccm(ScmsComponentCertificateManagementPDU),
        EcaEe as "eca-ee" (EcaEndEntityInterfacePDU),
        EeMa as "ee-ma" (EndEntityMaInterfacePDU),
        EeRa as "ee-ra" (EndEntityRaInterfacePDU),
        LaMa as "la-ma" (LaMaInterfacePDU),
        LaPca as "la-pca" (LaPcaInterfacePDU),
        LaRa as "la-ra" (LaRaInterfacePDU),
        MaPca as "ma-pca" (MaPcaInterfacePDU),
        MaRa as "ma-ra" (MaRaInterfacePDU),
        PcaRa as "pca-ra" (PcaRaInterfacePDU),
        RaPg as "ra-pg" (RaPgInterfacePDU),
    }
    extensible {}
}

asn_sequence! {
    /// A collection structure for transferring certificate and policy files among SCMS entities.
    pub struct ScmsFile {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub content: ScmsFileContent,
    }
}

asn_choice! {
    /// `ScmsFile.content` (an unnamed CHOICE in the ASN.1): a certificate chain or policy file.
    #[allow(clippy::large_enum_variant)]
    pub enum ScmsFileContent {
        CertChain as "cert-chain" (CertificateChainFiles),
        Policy(PolicyFiles),
    }
    extensible {}
}

/// This structure defines the EeEcaCertRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `eca-ee : eeEcaCertRequest`.
pub type ScopedEeEnrollmentCertRequest = ScmsPDU;

/// This structure defines the EcaEeCertResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `eca-ee : ecaEeCertResponse`.
pub type ScopedEeEnrollmentCertResponse = ScmsPDU;

/// This structure defines the MisbehaviorReport as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ma : misbehaviorReport`.
pub type ScopedMisbehaviorReport = ScmsPDU;

/// This structure defines the EeRaCertRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : eeRaCertRequest`.
pub type ScopedEeRaCertRequest = ScmsPDU;

/// This structure defines the RaEeCertResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : raEeCertResponse`.
pub type ScopedRaEeCertResponse = ScmsPDU;

/// This structure defines the EeRaPseudonymCertProvisioningRequest as a scoped version of the
/// ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : eeRaPseudonymCertProvisioningRequest`.
pub type ScopedPseudonymCertProvisioningRequest = ScmsPDU;

/// This structure defines the RaEePseudonymCertProvisioningAck as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : raEePseudonymCertProvisioningAck`.
pub type ScopedPseudonymCertProvisioningAck = ScmsPDU;

/// This structure defines the EeRaIdCertProvisioningRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : eeRaIdCertProvisioningRequest`.
pub type ScopedIdCertProvisioningRequest = ScmsPDU;

/// This structure defines the RaEeIdCertProvisioningAck as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : raEeIdCertProvisioningAck`.
pub type ScopedIdCertProvisioningAck = ScmsPDU;

/// This structure defines the EeRaAppCertProvisioningRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : eeRaAppCertProvisioningRequest`.
pub type ScopedAppCertProvisioningRequest = ScmsPDU;

/// This structure defines the RaEeAppCertProvisioningAck as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : raEeAppCertProvisioningAck`.
pub type ScopedAppCertProvisioningAck = ScmsPDU;

/// This structure defines the GlobalCertificateChainFile as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsFile` with `content` `cert-chain : globalCertificateChainFile`.
pub type ScopedGlobalCertificateChainFile = ScmsFile;

/// This structure defines the LocalCertificateChainFile as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsFile` with `content` `cert-chain : localCertificateChainFile`.
pub type ScopedLocalCertificateChainFile = ScmsFile;

/// This structure defines the GlobalPolicyFile as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsFile` with `content` `policy : globalPolicyFile`.
pub type ScopedGlobalPolicyFile = ScmsFile;

/// This structure defines the LocalPolicyFile as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsFile` with `content` `policy : localPolicyFile`.
pub type ScopedLocalPolicyFile = ScmsFile;

/// This structure defines the EeRaAuthenticatedDownloadRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ee-ra : eeRaAuthenticatedDownloadRequest`.
pub type ScopedAuthenticatedDownloadRequest = ScmsPDU;

/// This structure defines the MaLaLinkageInfoRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ma : maLaLinkageInfoRequest`.
pub type ScopedLIRequest = ScmsPDU;

/// This structure defines the LaMaLinkageInfoResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ma : laMaLinkageInfoResponse`.
pub type ScopedLIReply = ScmsPDU;

/// This structure defines the MaLaLinkageSeedRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ma : maLaLinkageSeedRequest`.
pub type ScopedLSRequest = ScmsPDU;

/// This structure defines the LaMaLinkageSeedResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ma : laMaLinkageSeedResponse`.
pub type ScopedLSReply = ScmsPDU;

/// This structure defines the PcaLaKeyAgreementRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-pca : pcaLaKeyAgreementRequest`.
pub type ScopedPcaLaKeyAgreementRequest = ScmsPDU;

/// This structure defines the LaPcaKeyAgreementResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-pca : laPcaKeyAgreementResponse`.
pub type ScopedLaPcaKeyAgreementResponse = ScmsPDU;

/// This structure defines the PcaLaKeyAgreementAck as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-pca : pcaLaKeyAgreementAck`.
pub type ScopedPcaLaKeyAgreementAck = ScmsPDU;

/// This structure defines the RaLaIndividualPreLinkageValueRequest as a scoped version of the
/// ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ra : raLaIndividualPreLinkageValueRequest`.
pub type ScopedRaLaIndividualPreLinkageValueRequest = ScmsPDU;

/// This structure defines the RaLaGroupPreLinkageValueRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ra : raLaGroupPreLinkageValueRequest`.
pub type ScopedRaLaGroupPreLinkageValueRequest = ScmsPDU;

/// This structure defines the LaRaPreLinkageValueResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `la-ra : laRaPreLinkageValueResponse`.
pub type ScopedLaRaPreLinkageValueResponse = ScmsPDU;

/// This structure defines the MaPcaPreLinkageValueRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-pca : maPcaPreLinkageValueRequest`.
pub type ScopedMaPcaPreLinkageValueRequest = ScmsPDU;

/// This structure defines the PcaMaPreLinkageValueResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-pca : pcaMaPreLinkageValueResponse`.
pub type ScopedPcaMaPreLinkageValueResponse = ScmsPDU;

/// This structure defines the MaPcaHPCRRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-pca : maPcaHPCRRequest`.
pub type ScopedMaPcaHPCRRequest = ScmsPDU;

/// This structure defines the PcaMaHPCRResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-pca : pcaMaHPCRResponse`.
pub type ScopedPcaMaHPCRResponse = ScmsPDU;

/// This structure defines the MaRaBlacklistRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-ra : maRaBlacklistRequest`.
pub type ScopedBlacklistRequest = ScmsPDU;

/// This structure defines the RaMaBlacklistResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-ra : raMaBlacklistResponse`.
pub type ScopedBlacklistResponse = ScmsPDU;

/// This structure defines the MaRaLCIRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-ra : maRaLCIRequest`.
pub type ScopedLCIRequest = ScmsPDU;

/// This structure defines the RaMaLCIResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-ra : raMaLCIResponse`.
pub type ScopedLCIResponse = ScmsPDU;

/// This structure defines the MaRaRseObeIdBlacklistRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-ra : maRaRseObeIdBlacklistRequest`.
pub type ScopedRseObeIdBlacklistRequest = ScmsPDU;

/// This structure defines the RaMaRseObeIdBlacklistResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ma-ra : raMaRseObeIdBlacklistResponse`.
pub type ScopedRseObeIdBlacklistResponse = ScmsPDU;

/// This structure defines the RaPcaCertRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `pca-ra : raPcaCertRequest`.
pub type ScopedRaPcaCertificateRequest = ScmsPDU;

/// This structure defines the PcaRaCertResponse as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `pca-ra : pcaRaCertResponse`.
pub type ScopedPcaRaCertificateRequestReply = ScmsPDU;

/// This structure defines the RaPgPolicySignatureRequest as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ra-pg : raPgPolicySignatureRequest`.
pub type ScopedRaPgPolicySignatureRequest = ScmsPDU;

/// This structure defines the RaPgPolicySignatureRequestReply as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ra-pg : raPgPolicySignatureRequestReply`.
pub type ScopedRaPgPolicySignatureRequestReply = ScmsPDU;

/// All certificate request messages as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU (ScopedEeRaCertRequest | ScopedEeEnrollmentCertRequest |
/// ScopedPseudonymCertProvisioningRequest | ScopedIdCertProvisioningRequest |
/// ScopedAppCertProvisioningRequest | ScopedRaPcaCertificateRequest |
/// ScopedAuthenticatedDownloadRequest)`.
pub type ScopedCertificateRequest = ScmsPDU;

asn_sequence! {
    /// The format of a signed certificate request (the `signedCertificateRequest` Opaque of
    /// `Ieee1609Dot2Content` contains one).
    pub struct SignedCertificateRequest {
        /// The hash algorithm of the request.
        pub hash_id: HashAlgorithm,
        /// The signed request: a [`ScopedCertificateRequest`].
        pub tbs_request: ScopedCertificateRequest,
        pub signer: SignerIdentifier,
        pub signature: Signature,
    }
}

/// Secured (signed or encrypted) or unsecured SCMS data: `Ieee1609Dot2Data` of 1609dot2-schema.asn.
pub type SecuredScmsPDU = Ieee1609Dot2Data;

/// This structure contains the ScopedEeEnrollmentCertRequest which encloses the EeEcaCertRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedCertificateRequest` CONTAINING
/// `SignedCertificateRequest` {tbsRequest `ScopedEeEnrollmentCertRequest`, signer self}.
pub type SignedEeEnrollmentCertRequest = SecuredScmsPDU;

/// This structure contains the ScopedEeEnrollmentCertResponse which encloses the EcaEeCertResponse.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedEeEnrollmentCertResponse`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedEeEnrollmentCertResponse = SecuredScmsPDU;

/// This structure contains SignedMisbehaviorReport and is sent by an EE to MA through RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedMisbehaviorReport`).
pub type SecuredMisbehaviorReport = SecuredScmsPDU;

/// This structure contains the misbehavior reports generated by an EE and sent to the RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedMisbehaviorReport`; headerInfo psid = MisbehaviorReportingPsid,
/// generationTime, generationLocation PRESENT, expiryTime, p2pcdLearningRequest,
/// missingCrlIdentifier, encryptionKey ABSENT; signer certificate (SIZE(1)).
pub type SignedMisbehaviorReport = SecuredScmsPDU;

/// This structure contains the encrypted ScopedEeRaCertRequest which contains the
/// EeRaCertRequestMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `unsecuredData` CONTAINING `ScopedEeRaCertRequest`.
pub type SecuredRACertRequest = SecuredScmsPDU;

/// This structure contains the encrypted ScopedRaEeCertResponse which contains the
/// RaEeCertResponseMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `unsecuredData` CONTAINING `ScopedRaEeCertResponse`.
pub type SecuredRACertResponse = SecuredScmsPDU;

/// This structure contains the ScopedPseudonymCertProvisioningRequest which contains the
/// EeRaPseudonymCertProvisioningRequest structure.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedCertificateRequest` CONTAINING
/// `SignedCertificateRequest` {tbsRequest `ScopedPseudonymCertProvisioningRequest`, signer
/// certificate (SIZE(1))}.
pub type SignedPseudonymCertProvisioningRequest = SecuredScmsPDU;

/// This structure contains SignedPseudonymCertProvisioningRequest generated by the requesting EE
/// and sent to the RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedPseudonymCertProvisioningRequest`).
pub type SecuredPseudonymCertProvisioningRequest = SecuredScmsPDU;

/// This structure contains ScopedPseudonymCertProvisioningAck which contains
/// RaEePseudonymCertProvisioningAck.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedPseudonymCertProvisioningAck`; headerInfo psid = SecurityMgmtPsid,
/// generationTime, expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier,
/// encryptionKey ABSENT.
pub type SignedPseudonymCertProvisioningAck = SecuredScmsPDU;

/// This structure contains the SignedPseudonymCertProvisioningAck.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedPseudonymCertProvisioningAck`).
pub type SecuredPseudonymCertProvisioningAck = SecuredScmsPDU;

/// This structure contains the ScopedIdCertProvisioningRequest which contains the
/// EeRaIdCertProvisioningRequest structure.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedCertificateRequest` CONTAINING
/// `SignedCertificateRequest` {tbsRequest `ScopedIdCertProvisioningRequest`, signer certificate
/// (SIZE(1))}.
pub type SignedIdCertProvisioningRequest = SecuredScmsPDU;

/// This structure contains SignedIdCertProvisioningRequest generated by the requesting EE and sent
/// to the RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedIdCertProvisioningRequest`).
pub type SecuredIdCertProvisioningRequest = SecuredScmsPDU;

/// This structure contains the ScopedIdCertProvisioningAck which contains the
/// RaEeIdCertProvisioningAck.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedIdCertProvisioningAck`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedIdCertProvisioningAck = SecuredScmsPDU;

/// This structure contains the SignedIdCertProvisioningAck.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedIdCertProvisioningAck`).
pub type SecuredIdCertProvisioningAck = SecuredScmsPDU;

/// This structure contains the ScopedAppCertProvisioningRequest which contains the
/// EeRaAppCertProvisioningRequest structure.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedCertificateRequest` CONTAINING
/// `SignedCertificateRequest` {tbsRequest `ScopedAppCertProvisioningRequest`, signer certificate
/// (SIZE(1))}.
pub type SignedAppCertProvisioningRequest = SecuredScmsPDU;

/// This structure contains SignedAppCertProvisioningRequest generated by the requesting EE and sent
/// to the RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedAppCertProvisioningRequest`).
pub type SecuredAppCertProvisioningRequest = SecuredScmsPDU;

/// This structure contains the ScopedAppCertProvisioningAck which contains the
/// RaEeAppCertProvisioningAck.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedAppCertProvisioningAck`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedAppCertProvisioningAck = SecuredScmsPDU;

/// This structure contains the SignedAppCertProvisioningAck.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedAppCertProvisioningAck`).
pub type SecuredAppCertProvisioningAck = SecuredScmsPDU;

/// This structure contains the ScopedAuthenticatedDownloadRequest which contains the
/// AuthenticatedDownloadRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedCertificateRequest` CONTAINING
/// `SignedCertificateRequest` {tbsRequest `ScopedAuthenticatedDownloadRequest`, signer certificate
/// (SIZE(1))}.
pub type SignedAuthenticatedDownloadRequest = SecuredScmsPDU;

/// This structure contains the SignedAuthenticatedDownloadRequest and is sent by an EE to the RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedAuthenticatedDownloadRequest`).
pub type SecuredAuthenticatedDownloadRequest = SecuredScmsPDU;

/// This structure contains ScopedGlobalPolicyFile which contains GlobalPolicyFile.
///
/// Constraint: `Ieee1609Dot2Data` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedGlobalPolicyFile`.
pub type SignedGlobalPolicyFile = Ieee1609Dot2Data;

/// This structure contains ScopedLocalPolicyFile which contains LocalPolicyFile.
///
/// Constraint: `Ieee1609Dot2Data` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLocalPolicyFile`.
pub type SignedLocalPolicyFile = Ieee1609Dot2Data;

/// This structure contains ScopedLIRequest which contains MaLaLinkageInfoRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLIRequest`; headerInfo psid = SecurityMgmtPsid, generationTime, expiryTime,
/// generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLIRequest = SecuredScmsPDU;

/// This stucture contains SignedLIRequest and is sent by MA to LA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a `SignedLIRequest`).
pub type SecuredLIRequest = SecuredScmsPDU;

/// This structure contains ScopedLIReply which contains LaMaLinkageInfoResponseMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLIReply`; headerInfo psid = SecurityMgmtPsid, generationTime, expiryTime,
/// generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLIReply = SecuredScmsPDU;

/// This structure contains SignedLIReply and is sent by LA to an MA's SecuredLIRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a `SignedLIReply`).
pub type SecuredLIReply = SecuredScmsPDU;

/// This structure contains ScopedLSRequest which contains MaLaLinkageSeedRequestMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLSRequest`; headerInfo psid = SecurityMgmtPsid, generationTime, expiryTime,
/// generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLSRequest = SecuredScmsPDU;

/// This structure contains SignedLSRequest that is sent by MA to LA to request linkage seed
/// information for misbehavior report analysis.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a `SignedLSRequest`).
pub type SecuredLSRequest = SecuredScmsPDU;

/// This structure contains ScopedLSReply which contains LaMaLinkageSeedResponseMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLSReply`; headerInfo psid = SecurityMgmtPsid, generationTime, expiryTime,
/// generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLSReply = SecuredScmsPDU;

/// This structure contains SignedLSReply and is sent by LA to an MA's SecuredLSRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a `SignedLSReply`).
pub type SecuredLSReply = SecuredScmsPDU;

/// This structure contains ScopedPcaLaKeyAgreementRequest which contains
/// PcaLaKeyAgreementRequestMsg and is sent from PCA to LA to initiate key agreement.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedPcaLaKeyAgreementRequest`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedPcaLaKeyAgreementRequest = SecuredScmsPDU;

/// This structure contains ScopedLaPcaKeyAgreementResponse which contains LaPcaKeyAgreementResponse
/// and is sent from LA to PCA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLaPcaKeyAgreementResponse`; headerInfo psid = SecurityMgmtPsid,
/// generationTime, expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier,
/// encryptionKey ABSENT.
pub type SignedLaPcaKeyAgreementResponse = SecuredScmsPDU;

/// This structure contains ScopedPcaLaKeyAgreementAck which contains PcaLaKeyAgreementAck and is
/// sent from PCA to LA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedPcaLaKeyAgreementAck`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedPcaLaKeyAgreementAck = SecuredScmsPDU;

/// This structure contains ScopedRaLaIndividualPreLinkageValueRequest which contains
/// RaLaIndividualPreLinkageValueRequest and is sent from RA to LA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedRaLaIndividualPreLinkageValueRequest`; headerInfo psid = SecurityMgmtPsid,
/// generationTime PRESENT, expiryTime, generationLocation, p2pcdLearningRequest,
/// missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedRaLaIndividualPreLinkageValueRequest = SecuredScmsPDU;

/// This structure contains ScopedRaLaGroupPreLinkageValueRequest which contains
/// RaLaGroupPreLinkageValueRequest and is sent by RA to LA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedRaLaGroupPreLinkageValueRequest`; headerInfo psid = SecurityMgmtPsid,
/// generationTime PRESENT, expiryTime, generationLocation, p2pcdLearningRequest,
/// missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedRaLaGroupPreLinkageValueRequest = SecuredScmsPDU;

/// This structure contains ScopedLaRaPreLinkageValueResponse which contains
/// LaRaPreLinkageValueResponse and is sent by LA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLaRaPreLinkageValueResponse`; headerInfo psid = SecurityMgmtPsid,
/// generationTime PRESENT, expiryTime, generationLocation, p2pcdLearningRequest,
/// missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLaRaPreLinkageValueResponse = SecuredScmsPDU;

/// This structure contains ScopedMaPcaPreLinkageValueRequest which contains
/// MaPcaPreLinkageValueRequest and is sent from MA to PCA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedMaPcaPreLinkageValueRequest`; headerInfo psid = SecurityMgmtPsid,
/// generationTime, expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier,
/// encryptionKey ABSENT.
pub type SignedMaPcaPreLinkageValueRequest = SecuredScmsPDU;

/// This structure contains SignedMaPcaPreLinkageValueRequest and is sent by MA to PCA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedMaPcaPreLinkageValueRequest`).
pub type SecuredMaPcaPreLinkageValueRequest = SecuredScmsPDU;

/// This structure contains ScopedPcaMaPreLinkageValueResponse which contains
/// PcaMaPreLinkageValueResponse and is sent by PCA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedPcaMaPreLinkageValueResponse`; headerInfo psid = SecurityMgmtPsid,
/// generationTime, expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier,
/// encryptionKey ABSENT.
pub type SignedPcaMaPreLinkageValueResponse = SecuredScmsPDU;

/// This structure contains SignedPcaMaPreLinkageValueResponse and is sent by PCA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedPcaMaPreLinkageValueResponse`).
pub type SecuredPcaMaPreLinkageValueResponse = SecuredScmsPDU;

/// This structure contains ScopedMaPcaHPCRRequest which contains MaPcaHPCRRequest and is sent by MA
/// to PCA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedMaPcaHPCRRequest`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedMaPcaHPCRRequest = SecuredScmsPDU;

/// This structure contains SignedMaPcaHPCRRequest and is sent by MA to PCA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedMaPcaHPCRRequest`).
pub type SecuredMaPcaHPCRRequest = SecuredScmsPDU;

/// This structure contains ScopedPcaMaHPCRResponse which contains PcaMaHPCRResponse and is sent by
/// PCA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedPcaMaHPCRResponse`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedPcaMaHPCRResponse = SecuredScmsPDU;

/// This structure contains SignedPcaMaHPCRResponse and is sent by PCA to MA as a response to MA's
/// SecuredMaPcaHPCRRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedPcaMaHPCRResponse`).
pub type SecuredPcaMaHPCRResponse = SecuredScmsPDU;

/// This structure contains ScopedBlacklistRequest which contains MaRaBlacklistRequest and is sent
/// by MA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedBlacklistRequest`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedBlacklistRequest = SecuredScmsPDU;

/// This structure contains SignedBlacklistRequest and is sent my MA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedBlacklistRequest`).
pub type SecuredBlacklistRequest = SecuredScmsPDU;

/// This structure contains ScopedBlacklistResponse which contains RaMaBlacklistResponse and is sent
/// by RA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedBlacklistResponse`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedBlacklistResponse = SecuredScmsPDU;

/// This structure contains SignedBlacklistResponse and is sent as a response by RA to MA's
/// SecuredBlacklistRequest.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedBlacklistResponse`).
pub type SecuredBlacklistResponse = SecuredScmsPDU;

/// This structure contains ScopedRseObeIdBlacklistRequest which contains
/// MaRaRseObeIdBlacklistRequest and is sent by MA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedRseObeIdBlacklistRequest`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedRseObeIdBlacklistRequest = SecuredScmsPDU;

/// This structure contains SignedRseObeIdBlacklistRequest and is sent by MA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedRseObeIdBlacklistRequest`).
pub type SecuredRseObeIdBlacklistRequest = SecuredScmsPDU;

/// This structure contains ScopedBlacklistResponse which contains RaMaBlacklistResponse and is sent
/// by RA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedBlacklistResponse`; headerInfo psid = SecurityMgmtPsid, generationTime,
/// expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey
/// ABSENT.
pub type SignedRseObeIdBlacklistResponse = SecuredScmsPDU;

/// This structure contains SignedRseObeIdBlacklistResponse and is sent by RA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a
/// `SignedRseObeIdBlacklistResponse`).
pub type SecuredRseObeIdBlacklistResponse = SecuredScmsPDU;

/// This structure contains ScopedLCIRequest which contains MaRaLCIRequest and is sent by MA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLCIRequest`; headerInfo psid = SecurityMgmtPsid, generationTime, expiryTime,
/// generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLCIRequest = SecuredScmsPDU;

/// This structure contains SignedLCIRequest and is sent by MA to RA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a `SignedLCIRequest`).
pub type SecuredLCIRequest = SecuredScmsPDU;

/// This structure contains ScopedLCIResponse which contains RaMaLCIResponse and is sent by RA to
/// MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedLCIResponse`; headerInfo psid = SecurityMgmtPsid, generationTime, expiryTime,
/// generationLocation, p2pcdLearningRequest, missingCrlIdentifier, encryptionKey ABSENT.
pub type SignedLCIResponse = SecuredScmsPDU;

/// This structure contains SignedLCIResponse and is sent by RA to MA.
///
/// Constraint: `SecuredScmsPDU` with `content` `encryptedData` (decrypts to a `SignedLCIResponse`).
pub type SecuredLCIResponse = SecuredScmsPDU;

/// This structure contains ScopedRaPcaCertificateRequest which contains RaPcaCertRequestMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedCertificateRequest` CONTAINING
/// `SignedCertificateRequest` {tbsRequest `ScopedRaPcaCertificateRequest`, signer certificate
/// (SIZE(1))}.
pub type SecuredRaPcaCertificateRequest = SecuredScmsPDU;

/// This structure contains ScopedPcaRaCertificateRequestReply which contains PcaRaCertResponseMsg.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedPcaRaCertificateRequestReply`; headerInfo psid = SecurityMgmtPsid,
/// generationTime, expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier,
/// encryptionKey ABSENT.
pub type SecuredPcaRaCertificateRequestReply = SecuredScmsPDU;

/// This structure defines the TbsElectorEndorsement as a scoped version of the ScmsPDU.
///
/// Constraint: `ScmsPDU` with `content` `ccm : tbsElectorEndorsement`.
pub type ScopedElectorEndorsement = ScmsPDU;

/// This structure contains ScopedElectorEndorsement which contains TbsElectorEndorsement and is
/// used by Electors to endorse addition of a new Elector to the SCMS.
///
/// Constraint: `SecuredScmsPDU` with `content` `signedData` whose payload is `unsecuredData`
/// CONTAINING `ScopedElectorEndorsement`; headerInfo psid = SecurityMgmtPsid, generationTime
/// PRESENT, expiryTime, generationLocation, p2pcdLearningRequest, missingCrlIdentifier,
/// encryptionKey ABSENT.
pub type SignedElectorEndorsement = SecuredScmsPDU;

asn_choice! {
    /// The parent structure of all the Service Specific Permission (SSP) structures of the SCMS.
    pub enum ScmsSsp {
        Elector(ElectorSsp),
        Root(RootCaSsp),
        Pg(PGSsp),
        Ica(IcaSsp),
        Eca(EcaSsp),
        Pca(PcaSsp),
        Crl(CrlSignerSsp),
        Dcm(DcmSsp),
        La(LaSsp),
        Lop(LopSsp),
        Ma(MaSsp),
        Ra(RaSsp),
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an Elector.
    pub struct ElectorSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of a Root CA.
    pub struct RootCaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of a PG.
    pub struct PGSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an ICA.
    pub struct IcaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an ECA.
    pub struct EcaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of a PCA.
    pub struct PcaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of a CRL signer.
    pub struct CrlSignerSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of a DCM.
    pub struct DcmSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an LA.
    pub struct LaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub la_id: Uint16,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an LOP.
    pub struct LopSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an MA.
    pub struct MaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub relevant_psids: SequenceOfPsid,
    }
    extensible {}
}

asn_sequence! {
    /// The SSP of an RA.
    pub struct RaSsp {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
    }
    extensible {}
}
