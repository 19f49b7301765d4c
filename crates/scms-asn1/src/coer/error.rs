//! Typed decoding errors.

/// Why a COER decoding failed. Offsets are byte positions in the outermost input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before the value did.
    #[error("input ends at byte {at}: {needed} more byte(s) needed")]
    Truncated {
        /// Where the missing bytes would start.
        at: usize,
        /// How many more bytes the value needed.
        needed: usize,
    },
    /// Bytes remained after a complete value.
    #[error("{count} trailing byte(s) after the value, at byte {at}")]
    TrailingBytes {
        /// Where the trailing bytes start.
        at: usize,
        /// How many there are.
        count: usize,
    },
    /// The encoding is valid OER but not the canonical (COER) one.
    #[error("non-canonical encoding at byte {at}: {what}")]
    NonCanonical {
        /// Position of the offending element.
        at: usize,
        /// What rule was broken.
        what: &'static str,
    },
    /// A value violates its type's constraints.
    #[error("{ty}: value out of range at byte {at}")]
    OutOfRange {
        /// The ASN.1 type.
        ty: &'static str,
        /// Position of the value.
        at: usize,
    },
    /// A CHOICE tag that the (non-extensible) type does not define.
    #[error("{ty}: unknown alternative with tag {tag} at byte {at}")]
    UnknownAlternative {
        /// The ASN.1 type.
        ty: &'static str,
        /// The received tag number.
        tag: u64,
        /// Position of the tag.
        at: usize,
    },
    /// An ENUMERATED value that the type does not define.
    #[error("{ty}: unknown enumerated value {value} at byte {at}")]
    UnknownEnumerated {
        /// The ASN.1 type.
        ty: &'static str,
        /// The received value.
        value: i64,
        /// Position of the value.
        at: usize,
    },
    /// Nesting deeper than the decoder allows.
    #[error("nesting deeper than {limit} levels at byte {at}")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where the limit was reached.
        at: usize,
    },
    /// Anything else that makes the bytes not a value of the type.
    #[error("{ty}: invalid at byte {at}: {what}")]
    Invalid {
        /// The ASN.1 type.
        ty: &'static str,
        /// Position.
        at: usize,
        /// What is wrong.
        what: &'static str,
    },
}
