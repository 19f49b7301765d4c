//! The COER (canonical octet encoding rules, ITU-T X.696) codec: a [`Reader`] and
//! [`Writer`] of primitives, the [`Coer`] trait every ASN.1 type implements, and
//! one declarative macro per ASN.1 construct (see [`crate::asn_sequence`] and friends).

mod error;
mod macros;
mod primitives;
mod reader;
mod writer;

pub use error::DecodeError;
pub use primitives::*;
pub use reader::{Bitmap, Reader, MAX_DEPTH};
pub use writer::Writer;

use crate::value::Value;

/// An ASN.1 type with its canonical OER encoding.
pub trait Coer: Sized {
    /// The ASN.1 type name (for messages and value notation).
    const NAME: &'static str;

    /// Appends the canonical encoding.
    fn encode(&self, w: &mut Writer);

    /// Reads one value; strict: non-canonical encodings are errors.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// The value as a tree, for printing.
    fn to_value(&self) -> Value;

    /// The canonical encoding as bytes.
    fn to_coer(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.into_bytes()
    }

    /// Decodes a complete input: trailing bytes are an error.
    fn from_coer(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::decode(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

/// How a type sits in a SEQUENCE: mandatory (any [`Coer`] type) or OPTIONAL
/// (`Option<T>`). Used by [`crate::asn_sequence`] to build the preamble.
pub trait Field: Sized {
    /// Whether the component has a presence bit.
    const OPTIONAL: bool;
    /// Whether the component is present.
    fn is_present(&self) -> bool;
    /// Encodes the component if present.
    fn encode_field(&self, w: &mut Writer);
    /// Decodes the component given its presence bit.
    fn decode_field(r: &mut Reader<'_>, present: bool) -> Result<Self, DecodeError>;
    /// Encodes the component as an extension addition (open type) if present.
    fn encode_extension(&self, w: &mut Writer);
    /// Decodes the component as an extension addition (open type) given its bit.
    fn decode_extension(r: &mut Reader<'_>, present: bool) -> Result<Self, DecodeError>;
    /// The component's value, if present.
    fn field_value(&self) -> Option<Value>;
}

impl<T: Coer> Field for T {
    const OPTIONAL: bool = false;
    fn is_present(&self) -> bool {
        true
    }
    fn encode_field(&self, w: &mut Writer) {
        self.encode(w)
    }
    fn decode_field(r: &mut Reader<'_>, _present: bool) -> Result<Self, DecodeError> {
        T::decode(r)
    }
    fn encode_extension(&self, w: &mut Writer) {
        w.open(|w| self.encode(w))
    }
    fn decode_extension(r: &mut Reader<'_>, present: bool) -> Result<Self, DecodeError> {
        if !present {
            return Err(DecodeError::Invalid {
                ty: T::NAME,
                at: r.pos(),
                what: "mandatory extension addition absent",
            });
        }
        decode_open(r)
    }
    fn field_value(&self) -> Option<Value> {
        Some(self.to_value())
    }
}

impl<T: Coer> Field for Option<T> {
    const OPTIONAL: bool = true;
    fn is_present(&self) -> bool {
        self.is_some()
    }
    fn encode_field(&self, w: &mut Writer) {
        if let Some(v) = self {
            v.encode(w)
        }
    }
    fn decode_field(r: &mut Reader<'_>, present: bool) -> Result<Self, DecodeError> {
        if present {
            T::decode(r).map(Some)
        } else {
            Ok(None)
        }
    }
    fn encode_extension(&self, w: &mut Writer) {
        if let Some(v) = self {
            w.open(|w| v.encode(w))
        }
    }
    fn decode_extension(r: &mut Reader<'_>, present: bool) -> Result<Self, DecodeError> {
        if present {
            decode_open(r).map(Some)
        } else {
            Ok(None)
        }
    }
    fn field_value(&self) -> Option<Value> {
        self.as_ref().map(Coer::to_value)
    }
}

/// Decodes an open type: a length-prefixed encoding that must be consumed exactly.
pub fn decode_open<T: Coer>(r: &mut Reader<'_>) -> Result<T, DecodeError> {
    let mut sub = r.read_sub()?;
    let v = T::decode(&mut sub)?;
    sub.finish()?;
    Ok(v)
}
