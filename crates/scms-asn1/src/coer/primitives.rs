//! COER of the primitive types: INTEGER (fixed-size and length-prefixed), BOOLEAN,
//! NULL, OCTET STRING, BIT STRING, character strings, SEQUENCE OF.

use super::{Coer, DecodeError, Reader, Writer};
use crate::value::Value;

macro_rules! fixed_uint {
    ($($t:ty),*) => {$(
        /// Constrained INTEGER encoded in a fixed number of octets (X.696 §10.3).
        impl Coer for $t {
            const NAME: &'static str = "INTEGER";
            fn encode(&self, w: &mut Writer) {
                w.bytes(&self.to_be_bytes());
            }
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(<$t>::from_be_bytes(r.read_array()?))
            }
            fn to_value(&self) -> Value {
                Value::Integer(i128::from(*self))
            }
        }
    )*};
}
fixed_uint!(u8, u16, u32, u64, i8, i16, i32, i64);

/// INTEGER (0..MAX) and other unsigned integers without a fixed size: length-prefixed
/// minimal octets (X.696 §10.4). Values above 2^64-1 are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct VarUint(pub u64);

impl Coer for VarUint {
    const NAME: &'static str = "INTEGER";
    fn encode(&self, w: &mut Writer) {
        w.var_uint(self.0)
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let len = r.read_length()?;
        r.read_uint_bytes(len, "INTEGER (0..MAX)").map(VarUint)
    }
    fn to_value(&self) -> Value {
        Value::Integer(i128::from(self.0))
    }
}

/// An unconstrained INTEGER: length-prefixed minimal two's complement (X.696 §10.8).
/// Values outside i64 are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct VarInt(pub i64);

impl Coer for VarInt {
    const NAME: &'static str = "INTEGER";
    fn encode(&self, w: &mut Writer) {
        w.var_int(self.0)
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        let len = r.read_length()?;
        if len == 0 {
            return Err(DecodeError::Invalid {
                ty: "INTEGER",
                at,
                what: "empty integer",
            });
        }
        if len > 8 {
            return Err(DecodeError::OutOfRange { ty: "INTEGER", at });
        }
        let b = r.read_bytes(len)?;
        if len > 1 && ((b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xff && b[1] & 0x80 != 0)) {
            return Err(DecodeError::NonCanonical {
                at,
                what: "integer not in minimal octets",
            });
        }
        let neg = b[0] & 0x80 != 0;
        let mut v: i64 = if neg { -1 } else { 0 };
        for x in b {
            v = (v << 8) | i64::from(*x);
        }
        Ok(VarInt(v))
    }
    fn to_value(&self) -> Value {
        Value::Integer(i128::from(self.0))
    }
}

/// BOOLEAN: 0x00 or 0xFF (the only canonical TRUE).
impl Coer for bool {
    const NAME: &'static str = "BOOLEAN";
    fn encode(&self, w: &mut Writer) {
        w.u8(if *self { 0xff } else { 0 })
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        match r.read_u8()? {
            0 => Ok(false),
            0xff => Ok(true),
            _ => Err(DecodeError::NonCanonical {
                at,
                what: "BOOLEAN TRUE not encoded as 0xFF",
            }),
        }
    }
    fn to_value(&self) -> Value {
        Value::Boolean(*self)
    }
}

/// NULL: no octets.
impl Coer for () {
    const NAME: &'static str = "NULL";
    fn encode(&self, _w: &mut Writer) {}
    fn decode(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(())
    }
    fn to_value(&self) -> Value {
        Value::Null
    }
}

/// OCTET STRING (SIZE(N)): N octets, no length.
impl<const N: usize> Coer for [u8; N] {
    const NAME: &'static str = "OCTET STRING";
    fn encode(&self, w: &mut Writer) {
        w.bytes(self)
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.read_array()
    }
    fn to_value(&self) -> Value {
        Value::Octets(self.to_vec())
    }
}

/// A value whose size is outside its type's SIZE constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("size {size} outside {min}..={max}")]
pub struct SizeError {
    /// The offered size.
    pub size: usize,
    /// Lower bound.
    pub min: usize,
    /// Upper bound.
    pub max: usize,
}

fn check_size(size: usize, min: usize, max: usize) -> Result<(), SizeError> {
    if size < min || size > max {
        Err(SizeError { size, min, max })
    } else {
        Ok(())
    }
}

fn read_sized<'a>(
    r: &mut Reader<'a>,
    min: usize,
    max: usize,
    ty: &'static str,
) -> Result<&'a [u8], DecodeError> {
    let at = r.pos();
    let b = if min == max {
        r.read_bytes(min)?
    } else {
        let len = r.read_length()?;
        r.read_bytes(len)?
    };
    if check_size(b.len(), min, max).is_err() {
        return Err(DecodeError::OutOfRange { ty, at });
    }
    Ok(b)
}

fn write_sized(w: &mut Writer, b: &[u8], min: usize, max: usize) {
    if min == max {
        w.bytes(b)
    } else {
        w.length_prefixed(b)
    }
}

/// OCTET STRING (SIZE(MIN..MAX)); `MIN == MAX` encodes without a length.
/// Build with [`OctetString::new`] to enforce the size.
#[derive(Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct OctetString<const MIN: usize = 0, const MAX: usize = { usize::MAX }>(pub Vec<u8>);

impl<const MIN: usize, const MAX: usize> OctetString<MIN, MAX> {
    /// Checks the size constraint.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SizeError> {
        let v = bytes.into();
        check_size(v.len(), MIN, MAX)?;
        Ok(Self(v))
    }
    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> std::fmt::Debug for OctetString<MIN, MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OctetString({})", hex::encode(&self.0))
    }
}

impl<const MIN: usize, const MAX: usize> Coer for OctetString<MIN, MAX> {
    const NAME: &'static str = "OCTET STRING";
    fn encode(&self, w: &mut Writer) {
        write_sized(w, &self.0, MIN, MAX)
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        read_sized(r, MIN, MAX, "OCTET STRING").map(|b| Self(b.to_vec()))
    }
    fn to_value(&self) -> Value {
        Value::Octets(self.0.clone())
    }
}

/// UTF8String (SIZE(MIN..MAX) characters); always length-prefixed in octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Utf8String<const MIN: usize = 0, const MAX: usize = { usize::MAX }>(pub String);

impl<const MIN: usize, const MAX: usize> Utf8String<MIN, MAX> {
    /// Checks the size constraint (in characters).
    pub fn new(s: impl Into<String>) -> Result<Self, SizeError> {
        let s = s.into();
        check_size(s.chars().count(), MIN, MAX)?;
        Ok(Self(s))
    }
}

impl<const MIN: usize, const MAX: usize> Coer for Utf8String<MIN, MAX> {
    const NAME: &'static str = "UTF8String";
    fn encode(&self, w: &mut Writer) {
        w.length_prefixed(self.0.as_bytes())
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        let len = r.read_length()?;
        let b = r.read_bytes(len)?;
        let s = std::str::from_utf8(b).map_err(|_| DecodeError::Invalid {
            ty: "UTF8String",
            at,
            what: "not UTF-8",
        })?;
        if check_size(s.chars().count(), MIN, MAX).is_err() {
            return Err(DecodeError::OutOfRange {
                ty: "UTF8String",
                at,
            });
        }
        Ok(Self(s.to_owned()))
    }
    fn to_value(&self) -> Value {
        Value::Text(self.0.clone())
    }
}

/// IA5String (SIZE(MIN..MAX)): 7-bit characters; `MIN == MAX` has no length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Ia5String<const MIN: usize = 0, const MAX: usize = { usize::MAX }>(pub String);

impl<const MIN: usize, const MAX: usize> Ia5String<MIN, MAX> {
    /// Checks the size constraint and the alphabet.
    pub fn new(s: impl Into<String>) -> Result<Self, SizeError> {
        let s: String = s.into();
        check_size(s.len(), MIN, MAX)?;
        if !s.is_ascii() {
            return Err(SizeError {
                size: s.len(),
                min: MIN,
                max: MAX,
            });
        }
        Ok(Self(s))
    }
}

impl<const MIN: usize, const MAX: usize> Coer for Ia5String<MIN, MAX> {
    const NAME: &'static str = "IA5String";
    fn encode(&self, w: &mut Writer) {
        write_sized(w, self.0.as_bytes(), MIN, MAX)
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        let b = read_sized(r, MIN, MAX, "IA5String")?;
        if !b.is_ascii() {
            return Err(DecodeError::Invalid {
                ty: "IA5String",
                at,
                what: "character outside IA5",
            });
        }
        Ok(Self(String::from_utf8_lossy(b).into_owned()))
    }
    fn to_value(&self) -> Value {
        Value::Text(self.0.clone())
    }
}

/// BIT STRING (SIZE(MIN..MAX)) without named bits. Fixed size: ceil(N/8) octets;
/// otherwise length, unused-bit count and octets. Unused bits must be zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BitString<const MIN: usize = 0, const MAX: usize = { usize::MAX }> {
    /// The bits, MSB first, padded with zero bits.
    pub bytes: Vec<u8>,
    /// Number of bits.
    pub len: usize,
}

impl<const MIN: usize, const MAX: usize> Coer for BitString<MIN, MAX> {
    const NAME: &'static str = "BIT STRING";
    fn encode(&self, w: &mut Writer) {
        if MIN == MAX {
            w.bytes(&self.bytes)
        } else {
            w.length(self.bytes.len() + 1);
            w.u8((self.bytes.len() * 8 - self.len) as u8);
            w.bytes(&self.bytes);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        let (bytes, len) = if MIN == MAX {
            (r.read_bytes(MIN.div_ceil(8))?, MIN)
        } else {
            let l = r.read_length()?;
            if l == 0 {
                return Err(DecodeError::Invalid {
                    ty: "BIT STRING",
                    at,
                    what: "missing unused-bits octet",
                });
            }
            let unused = usize::from(r.read_u8()?);
            let b = r.read_bytes(l - 1)?;
            if unused > 7 || (b.is_empty() && unused != 0) {
                return Err(DecodeError::Invalid {
                    ty: "BIT STRING",
                    at,
                    what: "bad unused-bits count",
                });
            }
            (b, b.len() * 8 - unused)
        };
        if len < MIN || len > MAX {
            return Err(DecodeError::OutOfRange {
                ty: "BIT STRING",
                at,
            });
        }
        let pad = bytes.len() * 8 - len;
        if pad > 0 && bytes.last().is_some_and(|b| b & ((1u8 << pad) - 1) != 0) {
            return Err(DecodeError::NonCanonical {
                at,
                what: "non-zero unused bits in BIT STRING",
            });
        }
        Ok(Self {
            bytes: bytes.to_vec(),
            len,
        })
    }
    fn to_value(&self) -> Value {
        let set = (0..self.len)
            .filter(|i| self.bytes[i / 8] & (0x80 >> (i % 8)) != 0)
            .map(|i| i.to_string())
            .collect();
        Value::Bits {
            set,
            bytes: self.bytes.clone(),
            len: self.len,
        }
    }
}

/// SEQUENCE OF T: a quantity, then the elements. The quantity is checked against the
/// bytes that remain, and elements are pushed as they decode (no up-front allocation).
impl<T: Coer> Coer for Vec<T> {
    const NAME: &'static str = "SEQUENCE OF";
    fn encode(&self, w: &mut Writer) {
        w.var_uint(self.len() as u64);
        for x in self {
            x.encode(w);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        let n = r.read_quantity()?;
        if n > r.remaining() as u64 {
            return Err(DecodeError::Invalid {
                ty: "SEQUENCE OF",
                at,
                what: "more elements than remaining bytes",
            });
        }
        r.enter()?;
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(T::decode(r)?);
        }
        r.leave();
        Ok(v)
    }
    fn to_value(&self) -> Value {
        Value::SequenceOf(self.iter().map(Coer::to_value).collect())
    }
}

/// Recursive types are boxed; the encoding is the inner type's.
impl<T: Coer> Coer for Box<T> {
    const NAME: &'static str = T::NAME;
    fn encode(&self, w: &mut Writer) {
        (**self).encode(w)
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        T::decode(r).map(Box::new)
    }
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

/// A CHOICE alternative unknown to this schema, kept as its tag and open-type bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAlternative {
    /// The context-specific tag number.
    pub tag: u64,
    /// The open-type contents.
    pub bytes: Vec<u8>,
}

/// Reads an ENUMERATED value (X.696 §11): one octet 0..127, or 0x80|n and n octets
/// of two's complement for other values, canonical form only.
pub fn read_enumerated(r: &mut Reader<'_>) -> Result<i64, DecodeError> {
    let at = r.pos();
    let first = r.read_u8()?;
    if first < 0x80 {
        return Ok(i64::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 8 {
        return Err(DecodeError::Invalid {
            ty: "ENUMERATED",
            at,
            what: "bad enumerated length",
        });
    }
    let b = r.read_bytes(n)?;
    let neg = b[0] & 0x80 != 0;
    let mut v: i64 = if neg { -1 } else { 0 };
    for x in b {
        v = (v << 8) | i64::from(*x);
    }
    let minimal =
        n == 1 || !((b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xff && b[1] & 0x80 != 0));
    if (0..128).contains(&v) || !minimal {
        return Err(DecodeError::NonCanonical {
            at,
            what: "enumerated value not in canonical form",
        });
    }
    Ok(v)
}
