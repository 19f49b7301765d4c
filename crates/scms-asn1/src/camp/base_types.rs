//! `Ieee1609dot2ScmsBaseTypes` (scms-base-types.asn): the SCMS base types shared by all
//! interfaces (validity periods, PSIDs and CRL series of the PoC, PLV and LCI containers).

use crate::asn_sequence;
use crate::ieee1609dot2::*;

/// Any operations in Canada: `CountryOnly (124)`.
pub type Canada = CountryOnly;
/// Any operations in Mexico: `CountryOnly (484)`.
pub type Mexico = CountryOnly;
/// Any operations in the USA: `CountryOnly (840)`.
pub type USA = CountryOnly;

/// Expiration period of a CRL certificate: `Duration (WITH COMPONENTS {hours(26448)})`.
pub type CrlgCertExpiration = Duration;
/// Expiration period of a DCM certificate: `Duration (WITH COMPONENTS {hours(26448)})`.
pub type DcmCertExpiration = Duration;
/// Expiration period of an ECA certificate for CV pilots: `Duration (WITH COMPONENTS {years(7)})`.
pub type EcaCertExpirationCvp = Duration;
/// Expiration period of an ECA certificate for PoC: `Duration (WITH COMPONENTS {years(40)})`.
pub type EcaCertExpirationPoc = Duration;
/// Expiration period of an Elector certificate: `Duration (WITH COMPONENTS {years(60)})`.
pub type ElectorCertExpiration = Duration;
/// Expiration period of an ICA certificate for CV pilots: `Duration (WITH COMPONENTS {years(11)})`.
pub type IcaCertExpirationCvp = Duration;
/// Expiration period of an ICA certificate for PoC: `Duration (WITH COMPONENTS {years(50)})`.
pub type IcaCertExpirationPoc = Duration;
/// Expiration period of an LA certificate: `Duration (WITH COMPONENTS {hours(26448)})`.
pub type LaCertExpiration = Duration;
/// Expiration period of an MA certificate: `Duration (WITH COMPONENTS {hours(26448)})`.
pub type MaCertExpiration = Duration;
/// Expiration period of a PCA certificate: `Duration (WITH COMPONENTS {years(4)})`.
pub type PcaCertExpiration = Duration;
/// Expiration period of a PG certificate: `Duration (WITH COMPONENTS {hours(26448)})`.
pub type PgCertExpiration = Duration;
/// Expiration period of an OBE enrollment certificate for CV pilots: `Duration (WITH COMPONENTS
/// {years(1..7)})`.
pub type ObeEnrollmentCertExpirationCvp = Duration;
/// Expiration period of an OBE enrollment certificate for PoC: `Duration (WITH COMPONENTS
/// {years(30)})`.
pub type ObeEnrollmentCertExpirationPoc = Duration;
/// Expiration period of an OBE identification certificate: `Duration (WITH COMPONENTS
/// {hours(721)})`.
pub type ObeIdentificationCertExpiration = Duration;
/// Expiration period of an OBE pseudonym certificate: `Duration (WITH COMPONENTS {hours(169)})`.
pub type ObePseudonymCertExpiration = Duration;
/// Expiration period of an RA certificate: `Duration (WITH COMPONENTS {hours(26448)})`.
pub type RaCertExpiration = Duration;
/// Expiration period of an RSE application certificate: `Duration (WITH COMPONENTS {hours(169)})`.
pub type RseApplicationCertExpiration = Duration;
/// Expiration period of an RSE enrollment certificate for CV pilots: `Duration (WITH COMPONENTS
/// {years(1..7)})`.
pub type RseEnrollmentCertExpirationCvp = Duration;
/// Expiration period of an RSE enrollment certificate for PoC: `Duration (WITH COMPONENTS
/// {years(30)})`.
pub type RseEnrollmentCertExpirationPoc = Duration;
/// Expiration period of a Root CA certificate: `Duration (WITH COMPONENTS {years(70)})`.
pub type RootCaCertExpiration = Duration;

/// PSID for BSM usage: `Psid (32)` (0x20).
pub type BsmPsid = Psid;
/// PSID for security management: `Psid (35)` (0x23).
pub type SecurityMgmtPsid = Psid;
/// PSID for misbehavior reporting: `Psid (38)` (0x26).
pub type MisbehaviorReportingPsid = Psid;
/// PSID for vulnerable road users safety: `Psid (39)` (0x27).
pub type VulnerableRoadUsersSafetyPsid = Psid;
/// PSID for uncompressed differential GPS corrections: `Psid (128)` (0x80).
pub type DifferentialGpsCorrectionsUncompressedPsid = Psid;
/// PSID for compressed differential GPS corrections: `Psid (129)` (0x81).
pub type DifferentialGpsCorrectionsCompressedPsid = Psid;
/// PSID for intersection safety and awareness: `Psid (130)` (0x82).
pub type IntersectionSafetyAndAwarenessPsid = Psid;
/// PSID for traveller information and roadside signage: `Psid (131)` (0x83).
pub type TravellerInformationAndRoadsideSignagePsid = Psid;
/// PSID for WAVE service advertisement: `Psid (135)` (0x87).
pub type WaveServiceAdvertisementPsid = Psid;
/// PSID for vehicle initiated distress notification: `Psid (16514)` (0x4082).
pub type VehicleInitiatedDistressNotificationPsid = Psid;
/// PSID for Transcore software update: `Psid (2113667)` (0x204083).
pub type TranscoreSoftwareUpdatePsid = Psid;
/// PSID reserved for CV pilot application #1: `Psid (2113672)` (0x204088).
pub type CVPApplication1Psid = Psid;
/// PSID reserved for CV pilot application #2: `Psid (2113673)` (0x204089).
pub type CVPApplication2Psid = Psid;
/// PSID reserved for CV pilot application #3: `Psid (2113674)` (0x20408A).
pub type CVPApplication3Psid = Psid;
/// PSID reserved for CV pilot application #4: `Psid (2113675)` (0x20408B).
pub type CVPApplication4Psid = Psid;
/// PSID reserved for CV pilot application #5: `Psid (2113676)` (0x20408C).
pub type CVPApplication5Psid = Psid;
/// PSID reserved for CV pilot application #6: `Psid (2113677)` (0x20408D).
pub type CVPApplication6Psid = Psid;
/// PSID reserved for CV pilot application #7: `Psid (2113678)` (0x20408E).
pub type CVPApplication7Psid = Psid;
/// PSID reserved for CV pilot application #8: `Psid (2113679)` (0x20408F).
pub type CVPApplication8Psid = Psid;
/// PSID reserved for CV pilot application #9: `Psid (2113680)` (0x204090).
pub type CVPApplication9Psid = Psid;
/// PSID reserved for CV pilot application 10: `Psid (2113681)` (0x204091).
pub type CVPApplication10Psid = Psid;
/// PSID reserved for CV pilot application 11: `Psid (2113682)` (0x204092).
pub type CVPApplication11Psid = Psid;
/// PSID reserved for CV pilot application 12: `Psid (2113683)` (0x204093).
pub type CVPApplication12Psid = Psid;
/// PSID reserved for CV pilot application 13: `Psid (2113684)` (0x204094).
pub type CVPApplication13Psid = Psid;
/// PSID reserved for CV pilot application 14: `Psid (2113685)` (0x204095).
pub type CVPApplication14Psid = Psid;
/// PSID reserved for CV pilot application 15: `Psid (2113686)` (0x204096).
pub type CVPApplication15Psid = Psid;
/// PSID reserved for CV pilot application 16: `Psid (2113687)` (0x204097).
pub type CVPApplication16Psid = Psid;

/// CRL series for EE enrollment: `CrlSeries (4)`.
pub type EeEnrollmentCrlSeries = CrlSeries;
/// CRL series for EE non-pseudonym certificates: `CrlSeries (3)`.
pub type EeNonPseudonymCrlSeries = CrlSeries;
/// CRL series for OBE pseudonym certificates: `CrlSeries (1)`.
pub type ObePseudonymCrlSeries = CrlSeries;
/// CRL series for SCMS components: `CrlSeries (2)`.
pub type ScmsComponentCrlSeries = CrlSeries;
/// CRL series for special SCMS components: `CrlSeries (256)`.
pub type ScmsSpclComponentCrlSeries = CrlSeries;

/// A 256-bit private key reconstruction value: `OCTET STRING (SIZE(32))`.
pub type EccP256PrivateKeyReconstruction = [u8; 32];

asn_sequence! {
    /// An LA's response to a linkage value request from the MA: an encrypted individual PLV.
    pub struct EncryptedIndividualPLV {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub la_id: LaId,
        /// `EncryptedData` with exactly one `symmRecipInfo` recipient; decrypts to a
        /// [`ToBeEncryptedIndividualPLV`].
        pub enc_plv as "enc-plv": EncryptedData,
    }
}

asn_sequence! {
    /// All the information of an encrypted group PLV.
    pub struct EncryptedGroupPLV {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub la_id: LaId,
        /// Decrypts to a [`ToBeEncryptedGroupIndex`].
        pub enc_group_index: [u8; 16],
        /// `EncryptedData` with exactly one `symmRecipInfo` recipient; decrypts to a
        /// [`ToBeEncryptedGroupPLV`].
        pub enc_group_plv as "enc-group-plv": EncryptedData,
    }
}

/// `zero8 OCTET STRING ::= '0000000000000000'H`: 64 zero bits, used as padding.
pub const ZERO8: [u8; 8] = [0; 8];

asn_sequence! {
    /// `j` group identifiers (one 32-bit group identifier and the indexes per week).
    pub struct ToBeEncryptedGroupIndex {
        /// `OCTET STRING (SIZE(8)) (zero8)`: must equal [`ZERO8`].
        pub padding: [u8; 8],
        pub group_identifier: [u8; 4],
        pub j: Uint32,
    }
}

asn_sequence! {
    /// The PLV information signed by the PCA at scms-protocol level.
    pub struct ToBeEncryptedIndividualPLV {
        pub i_value: IValue,
        pub plv: PreLinkageValue,
    }
}

asn_sequence! {
    /// The group PLV information signed by the PCA at scms-protocol level.
    pub struct ToBeEncryptedGroupPLV {
        pub i_value: IValue,
        pub j: Uint32,
        pub plv: PreLinkageValue,
    }
}

/// A Linkage Chain Identifier (LCI): `EncryptedData (WITH COMPONENTS {recipients (SIZE(1))
/// of symmRecipInfo, ciphertext})`; the ciphertext holds the encrypted LinkageSeed.
pub type LinkageChainId = EncryptedData;

/// A 72-bit (9-byte) pre-linkage value: `OCTET STRING (SIZE(9))`.
pub type PreLinkageValue = [u8; 9];

/// A 32-byte hash value: `OCTET STRING (SIZE(32))`.
pub type FullSizeHash = [u8; 32];

/// The unique hostname of an RA: `Hostname`.
pub type RaHostnameId = Hostname;
/// The unique hostname of a PCA: `Hostname`.
pub type PcaHostnameId = Hostname;
/// The unique hostname of an MA: `Hostname`.
pub type MaHostnameId = Hostname;
/// The unique hostname of an LA: `Hostname`.
pub type LaHostnameId = Hostname;

/// Hash of Pseudonym Certificate Request: `FullSizeHash`.
pub type HPCR = FullSizeHash;

asn_sequence! {
    /// A linkage seed and the ID of the LA providing it.
    pub struct LinkageSeedAndLaId {
        pub linkage_seed: LinkageSeed,
        pub la_id: LaId,
    }
}

asn_sequence! {
    /// A signature and the corresponding signer.
    pub struct SignatureAndSignerIdentifier {
        pub signer: SignerIdentifier,
        pub signature: Signature,
    }
}

asn_sequence! {
    /// An encrypted PLV and its corresponding host.
    pub struct EncryptedPlvAndHostInfo {
        pub encrypted_plv as "encryptedPLV": EncryptedIndividualPLV,
        pub hostname: Hostname,
    }
}

asn_sequence! {
    /// An encrypted group PLV and its corresponding host.
    pub struct EncryptedGroupPlvAndHostInfo {
        pub encrypted_gplv as "encryptedGPLV": EncryptedGroupPLV,
        pub hostname: Hostname,
    }
}

asn_sequence! {
    /// An HPCR and its corresponding host.
    pub struct HPCRAndHostInfo {
        pub hpcr: HPCR,
        pub hostname: Hostname,
    }
}

asn_sequence! {
    /// The LCIs of both LAs and their host information.
    pub struct LCIAndHostInfo {
        /// Upper bound of i for which the PLVs are requested: `OCTET STRING (SIZE(4))`.
        pub i_max: [u8; 4],
        pub la1_lci as "la1-lci": LinkageChainId,
        pub la2_lci as "la2-lci": LinkageChainId,
        pub la1_id as "la1-id": LaHostnameId,
        pub la2_id as "la2-id": LaHostnameId,
    }
}

/// Revocation Identifier: an 8-byte hash of an enrollment certificate (`HashedId8`).
pub type RIF = HashedId8;
