//! Reading COER primitives from untrusted bytes.

use super::DecodeError;

/// Maximum nesting of constructed values (SEQUENCE, CHOICE, open types) a decode accepts.
pub const MAX_DEPTH: usize = 48;

/// A cursor over untrusted input. Every read checks bounds; nothing is allocated
/// beyond the bytes that remain.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` in the outermost input, for error positions.
    base: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole input.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            base: 0,
            depth: 0,
        }
    }

    /// Position in the outermost input.
    pub fn pos(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes {
                at: self.pos(),
                count: self.remaining(),
            })
        }
    }

    /// Enters a constructed value; fails past [`MAX_DEPTH`].
    pub fn enter(&mut self) -> Result<(), DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(DecodeError::TooDeep {
                limit: MAX_DEPTH,
                at: self.pos(),
            });
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a constructed value entered with [`Reader::enter`].
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn truncated(&self, needed: usize) -> DecodeError {
        DecodeError::Truncated {
            at: self.pos(),
            needed: needed - self.remaining(),
        }
    }

    /// One byte.
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        let b = *self.data.get(self.pos).ok_or_else(|| self.truncated(1))?;
        self.pos += 1;
        Ok(b)
    }

    /// The next `n` bytes, borrowed.
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.truncated(n));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// The next `N` bytes as an array.
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.read_bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// A length determinant (X.696 §8.6), canonical form only. The length is checked
    /// against the bytes that remain, so it is safe to slice or allocate with.
    pub fn read_length(&mut self) -> Result<usize, DecodeError> {
        let at = self.pos();
        let first = self.read_u8()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 {
                return Err(DecodeError::Invalid {
                    ty: "length",
                    at,
                    what: "indefinite length form",
                });
            }
            if n > std::mem::size_of::<usize>() {
                return Err(DecodeError::Invalid {
                    ty: "length",
                    at,
                    what: "length determinant wider than the platform's usize",
                });
            }
            let bytes = self.read_bytes(n)?;
            if bytes[0] == 0 {
                return Err(DecodeError::NonCanonical {
                    at,
                    what: "length with leading zero octet",
                });
            }
            let v = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if v < 0x80 {
                return Err(DecodeError::NonCanonical {
                    at,
                    what: "long-form length below 128",
                });
            }
            v
        };
        if len > self.remaining() {
            return Err(self.truncated(len));
        }
        Ok(len)
    }

    /// A length-prefixed sub-input (an open type or a variable-size string),
    /// as a reader that shares this one's depth and positions.
    pub fn read_sub(&mut self) -> Result<Reader<'a>, DecodeError> {
        let len = self.read_length()?;
        let base = self.pos();
        let data = self.read_bytes(len)?;
        Ok(Reader {
            data,
            pos: 0,
            base,
            depth: self.depth,
        })
    }

    /// An unsigned integer of `len` bytes in minimal form (no leading zero byte
    /// unless the value is zero), at most 8 bytes.
    pub fn read_uint_bytes(&mut self, len: usize, ty: &'static str) -> Result<u64, DecodeError> {
        let at = self.pos();
        if len == 0 {
            return Err(DecodeError::Invalid {
                ty,
                at,
                what: "empty integer",
            });
        }
        let bytes = self.read_bytes(len)?;
        if len > 1 && bytes[0] == 0 {
            return Err(DecodeError::NonCanonical {
                at,
                what: "integer with leading zero octet",
            });
        }
        if len > 8 {
            return Err(DecodeError::OutOfRange { ty, at });
        }
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// A quantity (SEQUENCE OF count or similar): length-prefixed unsigned integer.
    pub fn read_quantity(&mut self) -> Result<u64, DecodeError> {
        let len = self.read_length()?;
        self.read_uint_bytes(len, "quantity")
    }

    /// A preamble bitmap of `nbits` bits (X.696 §16.2/16.3), padded to whole octets
    /// with zero bits. Bit 0 is the most significant bit of the first octet.
    pub fn read_bitmap(&mut self, nbits: usize) -> Result<Bitmap, DecodeError> {
        let at = self.pos();
        let nbytes = nbits.div_ceil(8);
        let bytes = self.read_bytes(nbytes)?;
        let bm = Bitmap::from_bytes(bytes, nbits);
        if !bm.padding_is_zero(bytes) {
            return Err(DecodeError::NonCanonical {
                at,
                what: "non-zero padding bits in preamble",
            });
        }
        Ok(bm)
    }

    /// An extension-addition presence bitmap (length + unused-bit count + bits).
    pub fn read_extension_bitmap(&mut self) -> Result<Bitmap, DecodeError> {
        let at = self.pos();
        let len = self.read_length()?;
        if len < 2 {
            return Err(DecodeError::Invalid {
                ty: "extension bitmap",
                at,
                what: "empty extension presence bitmap",
            });
        }
        let unused = self.read_u8()?;
        if unused > 7 {
            return Err(DecodeError::Invalid {
                ty: "extension bitmap",
                at,
                what: "more than 7 unused bits",
            });
        }
        let bytes = self.read_bytes(len - 1)?;
        let nbits = (len - 1) * 8 - usize::from(unused);
        let bm = Bitmap::from_bytes(bytes, nbits);
        if !bm.padding_is_zero(bytes) {
            return Err(DecodeError::NonCanonical {
                at,
                what: "non-zero unused bits in extension bitmap",
            });
        }
        if !bm.any() {
            return Err(DecodeError::NonCanonical {
                at,
                what: "extension bit set but no extension present",
            });
        }
        Ok(bm)
    }

    /// A CHOICE tag (X.696 §8.7); only context-specific tags are used by this schema.
    pub fn read_tag(&mut self) -> Result<u64, DecodeError> {
        let at = self.pos();
        let first = self.read_u8()?;
        if first & 0xc0 != 0x80 {
            return Err(DecodeError::Invalid {
                ty: "tag",
                at,
                what: "tag class is not context-specific",
            });
        }
        let low = u64::from(first & 0x3f);
        if low < 0x3f {
            return Ok(low);
        }
        let mut v: u64 = 0;
        let mut count = 0;
        loop {
            let b = self.read_u8()?;
            if count == 0 && b == 0x80 {
                return Err(DecodeError::NonCanonical {
                    at,
                    what: "tag number with leading zero group",
                });
            }
            count += 1;
            if count > 8 {
                return Err(DecodeError::Invalid {
                    ty: "tag",
                    at,
                    what: "tag number too large",
                });
            }
            v = (v << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        if v < 0x3f {
            return Err(DecodeError::NonCanonical {
                at,
                what: "long-form tag number below 63",
            });
        }
        Ok(v)
    }

    /// Skips one open type (length-prefixed encoding).
    pub fn skip_open(&mut self) -> Result<(), DecodeError> {
        let len = self.read_length()?;
        self.read_bytes(len).map(|_| ())
    }
}

/// A small bitmap read from a preamble or extension bitmap.
#[derive(Debug, Clone)]
pub struct Bitmap {
    bits: Vec<bool>,
    next: usize,
}

impl Bitmap {
    fn from_bytes(bytes: &[u8], nbits: usize) -> Self {
        let bits = (0..nbits)
            .map(|i| bytes[i / 8] & (0x80 >> (i % 8)) != 0)
            .collect();
        Bitmap { bits, next: 0 }
    }

    fn padding_is_zero(&self, bytes: &[u8]) -> bool {
        (self.bits.len()..bytes.len() * 8).all(|i| bytes[i / 8] & (0x80 >> (i % 8)) == 0)
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.bits.len()
    }

    /// True when there are no bits.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// True if any bit is set.
    pub fn any(&self) -> bool {
        self.bits.iter().any(|b| *b)
    }

    /// Bit `i`, false past the end.
    pub fn get(&self, i: usize) -> bool {
        self.bits.get(i).copied().unwrap_or(false)
    }

    /// The next bit in order, false past the end.
    pub fn take(&mut self) -> bool {
        let b = self.get(self.next);
        self.next += 1;
        b
    }
}
