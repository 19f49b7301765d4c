//! The RA's errors: the seed's named RA error codes ([`RaErrorCode`]) and the crate's
//! error type ([`RaError`]).

use std::fmt;

/// The seed's RA error codes (log names; an EE only ever sees HTTP 500, or 404 for
/// [`RaErrorCode::RaInvalidUrl`]). `Display` is the seed's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RaErrorCode {
    /// SCMS-1083: the request is not a 1609.2 encrypted SPDU.
    RaRequestNotEncrypted,
    /// SCMS-1082: the signature is missing or does not verify.
    RaInvalidSignature,
    /// SCMS-1065: the enrollment certificate is on the RA's blacklist.
    RaBlacklisted,
    /// SCMS-1084: the enrollment certificate (chain) is invalid, expired, revoked or from an
    /// ECA this RA does not serve.
    RaInvalidCredentials,
    /// SCMS-1088: the signed time is more than `client_signature_ttl` from the RA's clock.
    RaInvalidTimeReceived,
    /// SCMS-1085: the enrollment certificate does not permit this request.
    RaUnauthorizedRequest,
    /// SCMS-1087: the request is not for this RA (not encrypted to its certificate).
    RaMismatch,
    /// SCMS-1070: the request (or its parameter set) was already accepted.
    RaDuplicateRequestReceived,
    /// SCMS-987: a field has a value the RA does not accept.
    RaWrongParameters,
    /// SCMS-1086: the request does not decode or is not the expected message.
    RaMalformedRequest,
    /// SCMS-990: more than the allowed requests per hour from one device.
    RaMoreThanAllowedTries,
    /// SCMS-964: the requested file is not (yet) available.
    RaCertFileUnavailable,
    /// SCMS-981: no local certificate chain file to serve.
    RaNoPcaCertificateChainFileAvailable,
    /// SCMS-976: the file name does not match the service's pattern (HTTP 404).
    RaInvalidUrl,
    /// SCMS-1068: an application certificate overlapping an existing one was requested.
    RaRequestForMultipleCerts,
}

impl RaErrorCode {
    /// The seed's name.
    pub fn name(self) -> &'static str {
        match self {
            RaErrorCode::RaRequestNotEncrypted => "raRequestNotEncrypted",
            RaErrorCode::RaInvalidSignature => "raInvalidSignature",
            RaErrorCode::RaBlacklisted => "raBlacklisted",
            RaErrorCode::RaInvalidCredentials => "raInvalidCredentials",
            RaErrorCode::RaInvalidTimeReceived => "raInvalidTimeReceived",
            RaErrorCode::RaUnauthorizedRequest => "raUnauthorizedRequest",
            RaErrorCode::RaMismatch => "raMismatch",
            RaErrorCode::RaDuplicateRequestReceived => "raDuplicateRequestReceived",
            RaErrorCode::RaWrongParameters => "raWrongParameters",
            RaErrorCode::RaMalformedRequest => "raMalformedRequest",
            RaErrorCode::RaMoreThanAllowedTries => "raMoreThanAllowedTries",
            RaErrorCode::RaCertFileUnavailable => "raCertFileUnavailable",
            RaErrorCode::RaNoPcaCertificateChainFileAvailable => {
                "raNoPcaCertificateChainFileAvailable"
            }
            RaErrorCode::RaInvalidUrl => "raInvalidURL",
            RaErrorCode::RaRequestForMultipleCerts => "raRequestForMultipleCerts",
        }
    }

    /// The seed's requirement number (SCMS-nnnn).
    pub fn requirement(self) -> u16 {
        match self {
            RaErrorCode::RaRequestNotEncrypted => 1083,
            RaErrorCode::RaInvalidSignature => 1082,
            RaErrorCode::RaBlacklisted => 1065,
            RaErrorCode::RaInvalidCredentials => 1084,
            RaErrorCode::RaInvalidTimeReceived => 1088,
            RaErrorCode::RaUnauthorizedRequest => 1085,
            RaErrorCode::RaMismatch => 1087,
            RaErrorCode::RaDuplicateRequestReceived => 1070,
            RaErrorCode::RaWrongParameters => 987,
            RaErrorCode::RaMalformedRequest => 1086,
            RaErrorCode::RaMoreThanAllowedTries => 990,
            RaErrorCode::RaCertFileUnavailable => 964,
            RaErrorCode::RaNoPcaCertificateChainFileAvailable => 981,
            RaErrorCode::RaInvalidUrl => 976,
            RaErrorCode::RaRequestForMultipleCerts => 1068,
        }
    }

    /// The HTTP status an EE gets: 404 for an invalid URL, 500 for everything else.
    pub fn http_status(self) -> u16 {
        match self {
            RaErrorCode::RaInvalidUrl => 404,
            _ => 500,
        }
    }
}

impl fmt::Display for RaErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Errors of the RA.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RaError {
    /// An EE request was rejected with a seed error code.
    #[error("{code}: {detail}")]
    Rejected {
        /// The code.
        code: RaErrorCode,
        /// Why (for the log only; never sent to the EE).
        detail: String,
    },
    /// The RA could not be set up from its directory.
    #[error("RA setup: {0}")]
    Setup(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] scms_store::ra::RaStoreError),
    /// A call to an LA or the PCA failed (transport, or a reply that cannot be used).
    #[error("{peer}: {detail}")]
    Peer {
        /// `la1`, `la2` or `pca`.
        peer: &'static str,
        /// What failed.
        detail: String,
    },
    /// An internal failure (encoding, signing, zip).
    #[error("RA internal error: {0}")]
    Internal(String),
    /// An MA request was refused (the ma-ra error name and the detail).
    #[error("MA request refused: {0}")]
    MaRequest(String),
}

impl RaError {
    /// A rejection with `code`.
    pub fn rejected(code: RaErrorCode, detail: impl Into<String>) -> Self {
        RaError::Rejected {
            code,
            detail: detail.into(),
        }
    }

    /// A transport failure talking to `peer` (for [`crate::LaClient`] / [`crate::PcaClient`]
    /// implementations).
    pub fn peer(peer: &'static str, detail: impl Into<String>) -> Self {
        RaError::Peer {
            peer,
            detail: detail.into(),
        }
    }

    /// The seed code, if this is a rejection.
    pub fn code(&self) -> Option<RaErrorCode> {
        match self {
            RaError::Rejected { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status to answer with (500 unless the code says otherwise).
    pub fn http_status(&self) -> u16 {
        self.code().map_or(500, RaErrorCode::http_status)
    }
}

pub(crate) fn internal(e: impl fmt::Display) -> RaError {
    RaError::Internal(e.to_string())
}
