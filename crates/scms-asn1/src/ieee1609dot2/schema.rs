//! `IEEE1609dot2` (`1609dot2/1609dot2-schema.asn`): secured data, encrypted data and
//! certificates, with the extension additions of IEEE 1609.2-2016, 1609.2a-2017 and
//! 1609.2-2022 at the positions the standards give them.

use super::base_types::*;
use crate::coer::{OctetString, VarInt};
use crate::{asn_choice, asn_enumerated, asn_named_bits, asn_sequence};

// ---------------------------------------------------------------------
// Structures for describing secured data
// ---------------------------------------------------------------------

asn_sequence! {
    /// SignedDataPayload: the signed data, or the hash of external data (at least one
    /// of `data` / `extDataHash` present: checked by scms-core, not the codec).
    pub struct SignedDataPayload {
        pub data: Option<Box<Ieee1609Dot2Data>>,
        pub ext_data_hash: Option<HashedData>,
    }
    extensible {
        /// 1609.2-2022 addition: the payload is omitted from the SPDU.
        pub omitted: Option<()>,
    }
}

asn_sequence! {
    /// Ieee1609Dot2Data: the outermost structure of secured data; `protocolVersion` is
    /// `Uint8(3)` (checked by scms-core).
    pub struct Ieee1609Dot2Data {
        pub protocol_version: Uint8,
        pub content: Ieee1609Dot2Content,
    }
}

asn_choice! {
    /// Ieee1609Dot2Content: unsecured, signed or encrypted data, or a signed certificate request.
    pub enum Ieee1609Dot2Content {
        UnsecuredData(Opaque),
        SignedData(Box<SignedData>),
        EncryptedData(EncryptedData),
        /// A certificate request (the CAMP `SignedCertificateRequest`), as bytes.
        SignedCertificateRequest(Opaque),
    }
    extensible {
        /// 1609.2-2022 addition: a certificate request signed with an X.509 certificate.
        SignedX509CertificateRequest(Opaque),
    }
}

asn_sequence! {
    /// SignedData: the hash algorithm, the data to be signed, the signer and the signature.
    pub struct SignedData {
        pub hash_id: HashAlgorithm,
        pub tbs_data: ToBeSignedData,
        pub signer: SignerIdentifier,
        pub signature: Signature,
    }
}

asn_choice! {
    /// SignerIdentifier: the signer's certificate digest, its certificate chain, or self-signed.
    pub enum SignerIdentifier {
        Digest(HashedId8),
        Certificate(SequenceOfCertificate),
        SelfSigned as "self" (()),
    }
    extensible {}
}

asn_sequence! {
    /// ToBeSignedData: the payload and the header information that are signed.
    pub struct ToBeSignedData {
        pub payload: SignedDataPayload,
        pub header_info: HeaderInfo,
    }
}

asn_choice! {
    /// HashedData: the hash of external data.
    pub enum HashedData {
        Sha256HashedData([u8; 32]),
    }
    extensible {
        /// 1609.2-2016 addition.
        Sha384HashedData(HashedId48),
        /// 1609.2-2022 addition.
        Sm3HashedData(HashedId32),
    }
}

asn_sequence! {
    /// HeaderInfo: the PSID and the other header fields of signed data.
    pub struct HeaderInfo {
        pub psid: Psid,
        pub generation_time: Option<Time64>,
        pub expiry_time: Option<Time64>,
        pub generation_location: Option<ThreeDLocation>,
        pub p2pcd_learning_request: Option<HashedId3>,
        pub missing_crl_identifier: Option<MissingCrlIdentifier>,
        pub encryption_key: Option<EncryptionKey>,
    }
    extensible {
        /// 1609.2-2016 addition.
        pub inline_p2pcd_request: Option<SequenceOfHashedId3>,
        /// 1609.2-2016 addition.
        pub requested_certificate: Option<Certificate>,
        /// 1609.2a-2017 / 1609.2-2022 addition.
        pub pdu_functional_type: Option<PduFunctionalType>,
        /// 1609.2a-2017 / 1609.2-2022 addition.
        pub contributed_extensions: Option<ContributedExtensionBlocks>,
    }
}

asn_sequence! {
    /// MissingCrlIdentifier: the CRACA and CRL series of a CRL the sender is missing.
    pub struct MissingCrlIdentifier {
        pub craca_id: HashedId3,
        pub crl_series: CrlSeries,
    }
    extensible {}
}

/// Countersignature ::= Ieee1609Dot2Data (WITH COMPONENTS signedData with extDataHash
/// only and generationTime as the only header field; checked by scms-core)
pub type Countersignature = Ieee1609Dot2Data;

// ---------------------------------------------------------------------
// Structures for describing encrypted data
// ---------------------------------------------------------------------

asn_sequence! {
    /// EncryptedData: the recipients and the ciphertext.
    pub struct EncryptedData {
        pub recipients: SequenceOfRecipientInfo,
        pub ciphertext: SymmetricCiphertext,
    }
}

asn_choice! {
    /// RecipientInfo: how one recipient obtains the data encryption key.
    pub enum RecipientInfo {
        PskRecipInfo(PreSharedKeyRecipientInfo),
        SymmRecipInfo(SymmRecipientInfo),
        CertRecipInfo(PKRecipientInfo),
        SignedDataRecipInfo(PKRecipientInfo),
        RekRecipInfo(PKRecipientInfo),
    }
}

/// SequenceOfRecipientInfo ::= SEQUENCE OF RecipientInfo
pub type SequenceOfRecipientInfo = Vec<RecipientInfo>;

/// PreSharedKeyRecipientInfo ::= HashedId8
pub type PreSharedKeyRecipientInfo = HashedId8;

asn_sequence! {
    /// SymmRecipientInfo: the data key encrypted with a symmetric key the recipient holds.
    pub struct SymmRecipientInfo {
        pub recipient_id: HashedId8,
        pub enc_key: SymmetricCiphertext,
    }
}

asn_sequence! {
    /// PKRecipientInfo: the data key encrypted with the recipient's public key.
    pub struct PKRecipientInfo {
        pub recipient_id: HashedId8,
        pub enc_key: EncryptedDataEncryptionKey,
    }
}

asn_choice! {
    /// EncryptedDataEncryptionKey: a data encryption key encrypted with ECIES.
    pub enum EncryptedDataEncryptionKey {
        EciesNistP256(EciesP256EncryptedKey),
        EciesBrainpoolP256r1(EciesP256EncryptedKey),
    }
    extensible {
        /// 1609.2-2022 addition (SM2 encryption).
        EcencSm2256(EcencP256EncryptedKey),
    }
}

asn_choice! {
    /// SymmetricCiphertext: data encrypted with a symmetric algorithm.
    pub enum SymmetricCiphertext {
        Aes128ccm(AesCcmCiphertext),
    }
    extensible {
        /// 1609.2-2022 addition (SM4-CCM; `One28BitCcmCiphertext` in 2022).
        Sm4Ccm(AesCcmCiphertext),
    }
}

asn_sequence! {
    /// AesCcmCiphertext: a nonce and the CCM ciphertext (16 octets longer than the plaintext).
    pub struct AesCcmCiphertext {
        pub nonce: [u8; 12],
        pub ccm_ciphertext: Opaque,
    }
}

/// One28BitCcmCiphertext: the 1609.2-2022 name of AesCcmCiphertext.
pub type One28BitCcmCiphertext = AesCcmCiphertext;

// ---------------------------------------------------------------------
// Certificates and other security management data structures
// ---------------------------------------------------------------------

/// Certificate ::= CertificateBase (ImplicitCertificate | ExplicitCertificate)
pub type Certificate = CertificateBase;

/// SequenceOfCertificate ::= SEQUENCE OF Certificate
pub type SequenceOfCertificate = Vec<Certificate>;

asn_sequence! {
    /// CertificateBase: version (`Uint8(3)`), type, issuer, the signed part and the signature.
    pub struct CertificateBase {
        pub version: Uint8,
        pub r#type: CertificateType,
        pub issuer: IssuerIdentifier,
        pub to_be_signed: ToBeSignedCertificate,
        pub signature: Option<Signature>,
    }
}

asn_enumerated! {
    /// CertificateType: explicit or implicit.
    pub enum CertificateType {
        Explicit = 0,
        Implicit = 1,
    } extensible
}

/// ImplicitCertificate ::= CertificateBase (type implicit, verifyKeyIndicator
/// reconstructionValue, signature ABSENT; checked by scms-core)
pub type ImplicitCertificate = CertificateBase;

/// ExplicitCertificate ::= CertificateBase (type explicit, verifyKeyIndicator
/// verificationKey, signature PRESENT; checked by scms-core)
pub type ExplicitCertificate = CertificateBase;

asn_choice! {
    /// IssuerIdentifier: the issuer's certificate digest, or self-signed with a hash algorithm.
    pub enum IssuerIdentifier {
        Sha256AndDigest(HashedId8),
        SelfSigned as "self" (HashAlgorithm),
    }
    extensible {
        /// 1609.2-2016 addition.
        Sha384AndDigest(HashedId8),
        /// 1609.2-2022 addition.
        Sm3AndDigest(HashedId8),
    }
}

asn_sequence! {
    /// ToBeSignedCertificate: the signed part of a certificate (at least one of the three
    /// permission fields present: checked by scms-core).
    pub struct ToBeSignedCertificate {
        pub id: CertificateId,
        pub craca_id: HashedId3,
        pub crl_series: CrlSeries,
        pub validity_period: ValidityPeriod,
        pub region: Option<GeographicRegion>,
        pub assurance_level: Option<SubjectAssurance>,
        pub app_permissions: Option<SequenceOfPsidSsp>,
        pub cert_issue_permissions: Option<SequenceOfPsidGroupPermissions>,
        pub cert_request_permissions: Option<SequenceOfPsidGroupPermissions>,
        pub can_request_rollover: Option<()>,
        pub encryption_key: Option<PublicEncryptionKey>,
        pub verify_key_indicator: VerificationKeyIndicator,
    }
    extensible {
        /// 1609.2a-2017 / 1609.2-2022 addition: `BIT STRING {usesCubk (0)} (SIZE (8)) OPTIONAL`.
        pub flags: Option<CertificateFlags>,
        /// 1609.2-2022 addition (mandatory in 2022's extension group, optional here).
        pub app_extensions: Option<SequenceOfAppExtensions>,
        /// 1609.2-2022 addition (mandatory in 2022's extension group, optional here).
        pub cert_issue_extensions: Option<SequenceOfCertIssueExtensions>,
        /// 1609.2-2022 addition (mandatory in 2022's extension group, optional here).
        pub cert_request_extension: Option<SequenceOfCertRequestExtensions>,
    }
}

asn_choice! {
    /// CertificateId: linkage data, a name, a binary id, or none.
    pub enum CertificateId {
        LinkageData(LinkageData),
        Name(Hostname),
        BinaryId(OctetString<1, 64>),
        None(()),
    }
    extensible {}
}

asn_sequence! {
    /// LinkageData: the i value, linkage value and optional group linkage value.
    pub struct LinkageData {
        pub i_cert: IValue,
        pub linkage_value as "linkage-value": LinkageValue,
        pub group_linkage_value as "group-linkage-value": Option<GroupLinkageValue>,
    }
}

asn_named_bits! {
    /// EndEntityType ::= BIT STRING {app (0), enrol (1)} (SIZE (8))
    pub struct EndEntityType[8] { app = 0, enrol = 1 }
}

asn_sequence! {
    /// PsidGroupPermissions: permissions a CA certificate may issue or request, with the
    /// chain depth (1609.2-2016 calls the depths `minChainLength` / `chainLengthRange`).
    pub struct PsidGroupPermissions {
        pub subject_permissions: SubjectPermissions,
        /// 0 for enrolment certificates.
        pub min_chain_depth: VarInt = VarInt(1),
        /// max depth = min + range.
        pub chain_depth_range: VarInt = VarInt(0),
        pub ee_type: EndEntityType = EndEntityType::with(&[EndEntityType::app]),
    }
}

/// SequenceOfPsidGroupPermissions ::= SEQUENCE OF PsidGroupPermissions
pub type SequenceOfPsidGroupPermissions = Vec<PsidGroupPermissions>;

asn_choice! {
    /// SubjectPermissions: explicit PSID/SSP ranges, or all.
    pub enum SubjectPermissions {
        Explicit(SequenceOfPsidSspRange),
        All(()),
    }
    extensible {}
}

asn_choice! {
    /// VerificationKeyIndicator: a verification key (explicit) or a reconstruction value (implicit).
    pub enum VerificationKeyIndicator {
        VerificationKey(PublicVerificationKey),
        ReconstructionValue(EccP256CurvePoint),
    }
    extensible {}
}

// ---------------------------------------------------------------------
// Types of the 1609.2a-2017 / 1609.2-2022 extension additions (not in this
// schema file; definitions as in IEEE 1609.2-2022)
// ---------------------------------------------------------------------

/// An ASN.1 open type (a value of a type given by an information object class):
/// COER encodes it as a length-prefixed octet string holding the value's encoding,
/// so it is kept here as those octets.
pub type OpenType = OctetString;

asn_named_bits! {
    /// The `flags` of ToBeSignedCertificate: BIT STRING {usesCubk (0)} (SIZE (8)).
    pub struct CertificateFlags[8] { usesCubk = 0 }
}

/// PduFunctionalType ::= INTEGER (0..255)
pub type PduFunctionalType = u8;
/// tlsHandshake PduFunctionalType ::= 1
pub const TLS_HANDSHAKE: PduFunctionalType = 1;
/// iso21177ExtendedAuth PduFunctionalType ::= 2
pub const ISO21177_EXTENDED_AUTH: PduFunctionalType = 2;
/// iso21177SessionExtension PduFunctionalType ::= 3
pub const ISO21177_SESSION_EXTENSION: PduFunctionalType = 3;

/// ContributedExtensionBlocks ::= SEQUENCE (SIZE(1..MAX)) OF ContributedExtensionBlock
pub type ContributedExtensionBlocks = Vec<ContributedExtensionBlock>;

asn_sequence! {
    /// ContributedExtensionBlock: a contributor id and its extensions, each an open type
    /// (`IEEE1609DOT2-HEADERINFO-CONTRIBUTED-EXTENSION.&Extn`) kept as its octets.
    pub struct ContributedExtensionBlock {
        pub contributor_id: HeaderInfoContributorId,
        /// SEQUENCE (SIZE(1..MAX)) OF open type.
        pub extns: Vec<OpenType>,
    }
}

/// HeaderInfoContributorId ::= INTEGER (0..255)
pub type HeaderInfoContributorId = u8;
/// ieee1609HeaderInfoContributorId HeaderInfoContributorId ::= 1
pub const IEEE1609_HEADER_INFO_CONTRIBUTOR_ID: HeaderInfoContributorId = 1;
/// etsiHeaderInfoContributorId HeaderInfoContributorId ::= 2
pub const ETSI_HEADER_INFO_CONTRIBUTOR_ID: HeaderInfoContributorId = 2;

/// ExtId ::= INTEGER (0..255)
pub type ExtId = u8;

/// SequenceOfAppExtensions ::= SEQUENCE (SIZE(1..MAX)) OF AppExtension
pub type SequenceOfAppExtensions = Vec<AppExtension>;

asn_sequence! {
    /// AppExtension: an extension id and its content (`CERT-EXT-TYPE.&App`, an open type
    /// kept as its octets).
    pub struct AppExtension {
        pub id: ExtId,
        pub content: OpenType,
    }
}

/// SequenceOfCertIssueExtensions ::= SEQUENCE (SIZE(1..MAX)) OF CertIssueExtension
pub type SequenceOfCertIssueExtensions = Vec<CertIssueExtension>;

asn_sequence! {
    /// CertIssueExtension: an extension id and the values of it the certificate may issue.
    pub struct CertIssueExtension {
        pub id: ExtId,
        pub permissions: CertIssueExtensionPermissions,
    }
}

asn_choice! {
    /// The `permissions` CHOICE of CertIssueExtension: `specific` is `CERT-EXT-TYPE.&Issue`
    /// (an open type kept as its octets).
    pub enum CertIssueExtensionPermissions {
        Specific(OpenType),
        All(()),
    }
}

/// SequenceOfCertRequestExtensions ::= SEQUENCE (SIZE(1..MAX)) OF CertRequestExtension
pub type SequenceOfCertRequestExtensions = Vec<CertRequestExtension>;

asn_sequence! {
    /// CertRequestExtension: an extension id and the values of it the certificate may request.
    pub struct CertRequestExtension {
        pub id: ExtId,
        pub permissions: CertRequestExtensionPermissions,
    }
}

asn_choice! {
    /// The `permissions` CHOICE of CertRequestExtension: `content` is `CERT-EXT-TYPE.&Req`
    /// (an open type kept as its octets).
    pub enum CertRequestExtensionPermissions {
        Content(OpenType),
        All(()),
    }
}

/// OperatingOrganizationId ::= OBJECT IDENTIFIER: the AppExtension of
/// certExtId-OperatingOrganization (ExtId 1); kept as the open type's octets.
pub const CERT_EXT_ID_OPERATING_ORGANIZATION: ExtId = 1;
