//! The SCMS error modules: `Ieee1609dot2ScmsCommonError` (scms-common-errors.asn), the
//! per-interface `*-errors.asn` modules and `Ieee1609dot2ScmsError` (scms-error.asn).
//!
//! No type names clash between these modules, so none is prefixed. The ASN.1 briefs
//! of these modules are empty; the doc lines below are ours.

use crate::{asn_choice, asn_enumerated};

// ---- Ieee1609dot2ScmsCommonError (scms-common-errors.asn)

asn_enumerated! {
    /// Errors common to all SCMS interfaces (`Ieee1609dot2ScmsCommonError`).
    pub enum ScmsCommonError {
        Baseline = 1,
    } extensible
}

// ---- Ieee1609Dot2ScmsComponentCertificateManagementError (component-cert-management-errors.asn)

asn_enumerated! {
    /// Errors of component certificate management
    /// (`Ieee1609Dot2ScmsComponentCertificateManagementError`).
    pub enum ComponentCertificateManagementError {
        Baseline = 1,
    } extensible
}

// ---- Ieee1609Dot2EcaEndEntityError (eca-ee-errors.asn)

asn_enumerated! {
    /// Errors of the ECA-EE interface (`Ieee1609Dot2EcaEndEntityError`).
    pub enum EcaEndEntityError {
        /// currentTime out of range.
        EcaInvalidCurrentTime = 0,
        /// requestedStartTime out of range.
        EcaInvalidRequestedStartTime = 1,
        /// passed PSID is invalid for the enrollment.
        EcaInvalidPsid = 2,
        /// ValidityPeriod out of range.
        EcaInvalidValidityPeriod = 3,
        /// GeographicRegion out of range.
        EcaInvalidRegion = 4,
        /// SubjectAssurance out of range.
        EcaInvalidAssuranceLevel = 5,
        /// response encryption key (PublicEncryptionKey) is invalid.
        EcaInvalidEncryptionKey = 6,
        /// enrollment key (SignedPublicKey) is invalid.
        EcaInvalidVerifyKey = 7,
        /// everything else that can go wrong in the request.
        EcaMalformedRequest = 8,
        /// ECA failed to process Enrollment.
        EcaInternalServerError = 9,
        /// ECA response timeout.
        EcaResponseTimeout = 10,
    } extensible
}

// ---- Ieee1609Dot2LaMaError (la-ma-errors.asn)

asn_choice! {
    /// Errors of the LA-MA interface (`Ieee1609Dot2LaMaError`).
    pub enum LaMaError {
        LaMaBaseError as "la-ma-base-error" (LaMaBaseErrorCode),
        LaMaLinkageInfoError as "la-ma-linkage-info-error" (LaMaLinkageInfoErrorCode),
        LaMaLinkageSeedError as "la-ma-linkage-seed-error" (LaMaLinkageSeedErrorCode),
    }
    extensible {}
}

asn_enumerated! {
    /// Errors common to all LA-MA requests (`Ieee1609Dot2LaMaError`).
    pub enum LaMaBaseErrorCode {
        LaNoMaAuthorizationSignature = 0,
        LaInvalidMaAuthorizationSignature = 1,
        /// not used yet.
        NumberOfRequestsExceeded = 2,
        /// not used yet.
        NoSecureConnectionToRequestor = 3,
        LaInternalTimeout = 4,
        MaRequestTimeout = 5,
        LaInvalidInputValueFormat = 6,
    } extensible
}

asn_enumerated! {
    /// Errors of LA-MA linkage information requests (`Ieee1609Dot2LaMaError`).
    pub enum LaMaLinkageInfoErrorCode {
        /// not used yet.
        AtLeastOnePrelinkageValueUnknown = 0,
        /// not used yet.
        AllPrelinkageValuesUnknown = 1,
        /// not used yet.
        OnlyOnePrelinkageValuePresented = 2,
        LaInvalidPrelinkageValuePresented = 3,
    } extensible
}

asn_enumerated! {
    /// Errors of LA-MA linkage seed requests (`Ieee1609Dot2LaMaError`).
    pub enum LaMaLinkageSeedErrorCode {
        /// not used yet.
        LinkageChainIdentifierUnknown = 0,
        LaInvalidLinkageValue = 1,
        LaNumberOfLciValuesExceeded = 2,
    } extensible
}

// ---- Ieee1609Dot2LaPcaError (la-pca-errors.asn)

asn_choice! {
    /// Errors of the LA-PCA interface (`Ieee1609Dot2LaPcaError`).
    pub enum LaPcaError {
        LaPca as "la-pca" (LaPcaErrorCode),
    }
    extensible {}
}

asn_enumerated! {
    /// Error codes of the LA-PCA interface (`Ieee1609Dot2LaPcaError`).
    pub enum LaPcaErrorCode {
        InvalidSignature = 0,
        InvalidCertificate = 1,
        InvalidStartTime = 2,
        InvalidEndTime = 3,
        InvalidAlgorithm = 4,
        InvalidMacValue = 5,
    } extensible
}

// ---- Ieee1609Dot2LaRaError (la-ra-errors.asn)

asn_choice! {
    /// Errors of the LA-RA interface (`Ieee1609Dot2LaRaError`).
    pub enum LaRaError {
        LaRa as "la-ra" (LaRaErrorCode),
    }
    extensible {}
}

asn_enumerated! {
    /// Error codes of the LA-RA interface (`Ieee1609Dot2LaRaError`).
    pub enum LaRaErrorCode {
        /// no valid key for encryption to PCA available.
        InvalidPcaKey = 0,
        /// iMin is invalid.
        InvalidIMin = 1,
        /// iMax is invalid.
        InvalidIMax = 2,
        /// continue chain is neither 0 nor 1.
        InvalidContinueChain = 3,
        /// linkagechainId is invalid.
        InvalidLinkagechainId = 4,
        /// invalid jMax value (e.g. too large).
        InvalidJMax = 5,
    } extensible
}

// ---- Ieee1609Dot2MaPcaError (ma-pca-errors.asn)

asn_choice! {
    /// Errors of the MA-PCA interface (`Ieee1609Dot2MaPcaError`).
    pub enum MaPcaError {
        MaPca as "ma-pca" (MaPcaErrorCode),
    }
    extensible {}
}

asn_enumerated! {
    /// Error codes of the MA-PCA interface (`Ieee1609Dot2MaPcaError`).
    pub enum MaPcaErrorCode {
        PcaInternalTimeout = 0,
        MaRequestTimeout = 1,
        PcaNoMaAuthorizationSignature = 2,
        PcaInvalidMaAuthorizationSignature = 3,
        /// not used yet.
        NumberofRequestsExceeded = 4,
        PcaNumberOfLinkageValuesExceeded = 5,
        /// not used yet.
        NoSecureConnectiontoRequestor = 6,
        /// not used yet.
        TooManyUsers = 7,
        /// not used yet.
        LinkageValueUnknown = 8,
        PcaInvalidLinkageValue = 9,
        PcaInvalidInputValueFormat = 10,
    } extensible
}

// ---- Ieee1609Dot2MaRaError (ma-ra-errors.asn)

asn_choice! {
    /// Errors of the MA-RA interface (`Ieee1609Dot2MaRaError`).
    pub enum MaRaError {
        MaRaBaseError as "ma-ra-base-error" (MaRaBaseErrorCode),
        MaRaBlacklistError as "ma-ra-blacklist-error" (MaRaBlacklistErrorCode),
        MaRaLciError as "ma-ra-lci-error" (MaRaLCIErrorCode),
        /// Added for RSE revocation.
        MaRaCdvError as "ma-ra-cdv-error" (MaRaCDVErrorCode),
    }
    extensible {}
}

asn_enumerated! {
    /// Errors common to all MA-RA requests (`Ieee1609Dot2MaRaError`).
    pub enum MaRaBaseErrorCode {
        RaInternalTimeout = 0,
        MaRequestTimeout = 1,
        RaNoMaAuthorizationSignature = 2,
        RaInvalidMaAuthorizationSignature = 3,
        RaInvalidInputValueFormat = 4,
        RaInvalidHashRequest = 5,
        RaInvalidRIFValue = 6,
        RaInvalidLinkageValue = 7,
        RaNumberOfRequestsExceeded = 8,
        /// not used yet.
        NoSecureConnectionToRequestor = 9,
        /// not used yet.
        HpcrIsUnknownToRA = 10,
    } extensible
}

asn_enumerated! {
    /// Errors of MA-RA blacklist requests (`Ieee1609Dot2MaRaError`).
    pub enum MaRaBlacklistErrorCode {
        /// HPCR points to already blacklisted certificate.
        AlreadyBlacklisted = 0,
    } extensible
}

asn_enumerated! {
    /// Errors of MA-RA linkage chain identifier requests (`Ieee1609Dot2MaRaError`).
    pub enum MaRaLCIErrorCode {
        /// not used yet.
        NoLinkageChainIdentifiersKnownForHPCR = 0,
    } extensible
}

asn_enumerated! {
    /// Errors of MA-RA certificate digest value requests (RSE application and OBE identification
    /// certificate revocation) (`Ieee1609Dot2MaRaError`).
    pub enum MaRaCDVErrorCode {
        NoCertificateDigestValuesKnownForRIF = 0,
    } extensible
}

// ---- Ieee1609Dot2PcaRaError (pca-ra-errors.asn)

asn_choice! {
    /// Errors of the PCA-RA interface (`Ieee1609Dot2PcaRaError`).
    pub enum PcaRaError {
        PcaRaBaseError as "pca-ra-base-error" (PcaRaBaseErrorCode),
        PcaRaRequestError as "pca-ra-request-error" (PcaRaRequestErrorCode),
    }
    extensible {}
}

asn_enumerated! {
    /// Errors common to all PCA-RA requests (`Ieee1609Dot2PcaRaError`).
    pub enum PcaRaBaseErrorCode {
        /// Unknown error.
        UnknownError = 0,
    } extensible
}

asn_enumerated! {
    /// Errors of PCA-RA certificate requests (`Ieee1609Dot2PcaRaError`).
    pub enum PcaRaRequestErrorCode {
        /// invalid certificate type requested.
        InvalidCertificateRequestType = 0,
        /// invalid type (neither implicit nor explicit certificate type).
        InvalidType = 1,
        /// invalid PSID or SSP.
        InvalidPsidSsp = 2,
        /// invalid Region.
        InvalidRegion = 3,
        /// invalid start, end, duration or expiration time.
        InvalidValidity = 4,
        /// an invalid encryption public key is passed.
        InvalidEncryptionPublicKey = 5,
        /// an invalid signing public key is passed.
        InvalidSignaturePublicKey = 6,
        /// invalid encrypted prelinkage value is passed (e.g. cannot be decrypted).
        InvalidEncryptedPreLinkageValue = 7,
        /// invalid encrypted group prelinkage value is passed (e.g. cannot be decrypted).
        InvalidEncryptedGroupPreLinkageValue = 8,
    } extensible
}

// ---- Ieee1609Dot2RaPgError (ra-pg-errors.asn)

asn_enumerated! {
    /// Errors of the RA-PG interface (`Ieee1609Dot2RaPgError`).
    pub enum RaPgError {
        RaPgMalformedRequest = 0,
        RaPgSignatureFailed = 1,
        RaPgPolicyError = 2,
    } extensible
}

// ---- Ieee1609dot2ScmsError (scms-error.asn)

asn_choice! {
    /// All the SCMS errors, by interface.
    pub enum ScmsError {
        Common(ScmsCommonError),
        Ccm(ComponentCertificateManagementError),
        EcaEe as "eca-ee" (EcaEndEntityError),
        LaMa as "la-ma" (LaMaError),
        LaPca as "la-pca" (LaPcaError),
        LaRa as "la-ra" (LaRaError),
        MaPca as "ma-pca" (MaPcaError),
        MaRa as "ma-ra" (MaRaError),
        PcaRa as "pca-ra" (PcaRaError),
    }
    extensible {}
}

/// Errors of component certificate management.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {ccm})`.
pub type ScopedComponentCertificateManagementError = ScmsError;

/// Errors of the ECA-EE interface.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {eca-ee})`.
pub type ScopedEcaEndEntityError = ScmsError;

/// Errors of the LA-MA interface (not used: see the two following types).
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {la-ma})`.
pub type ScopedLaMaError = ScmsError;

/// Errors of LA-MA linkage information requests.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {la-ma (WITH
/// COMPONENTS {la-ma-base-error} | WITH COMPONENTS {la-ma-linkage-info-error})})`.
pub type ScopedLaMaLIError = ScmsError;

/// Errors of LA-MA linkage seed requests.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {la-ma (WITH
/// COMPONENTS {la-ma-base-error} | WITH COMPONENTS {la-ma-linkage-seed-error})})`.
pub type ScopedLaMaLSError = ScmsError;

/// Errors of the LA-PCA interface.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {la-pca})`.
pub type ScopedLaPcaError = ScmsError;

/// Errors of the LA-RA interface.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {la-ra})`.
pub type ScopedLaRaError = ScmsError;

/// Errors of the MA-PCA interface.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {ma-pca})`.
pub type ScopedMaPcaError = ScmsError;

/// Errors of the MA-RA interface.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {ma-ra})`.
pub type ScopedMaRaError = ScmsError;

/// Errors of MA-RA blacklist requests.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {ma-ra (WITH
/// COMPONENTS {ma-ra-base-error} | WITH COMPONENTS {ma-ra-blacklist-error})})`.
pub type ScopedMaRaBlacklistError = ScmsError;

/// Errors of MA-RA linkage chain identifier requests.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {ma-ra (WITH
/// COMPONENTS {ma-ra-base-error} | WITH COMPONENTS {ma-ra-lci-error})})`.
pub type ScopedMaRaLCIError = ScmsError;

/// Errors of the PCA-RA interface.
///
/// Constraint: `ScmsError (WITH COMPONENTS {common} | WITH COMPONENTS {pca-ra})`.
pub type ScopedPcaRaError = ScmsError;
