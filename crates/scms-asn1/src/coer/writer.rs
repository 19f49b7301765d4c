//! Writing COER primitives.

/// An output buffer of COER encodings.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// One byte.
    pub fn u8(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// Raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// A length determinant in canonical form.
    pub fn length(&mut self, len: usize) {
        if len < 0x80 {
            self.buf.push(len as u8);
        } else {
            let be = (len as u64).to_be_bytes();
            let skip = be.iter().take_while(|b| **b == 0).count();
            self.buf.push(0x80 | (8 - skip) as u8);
            self.buf.extend_from_slice(&be[skip..]);
        }
    }

    /// Length-prefixed bytes (variable-size strings, open types).
    pub fn length_prefixed(&mut self, b: &[u8]) {
        self.length(b.len());
        self.bytes(b);
    }

    /// An unsigned integer in its minimal number of octets, length-prefixed.
    pub fn var_uint(&mut self, v: u64) {
        let be = v.to_be_bytes();
        let skip = be.iter().take_while(|b| **b == 0).count().min(7);
        self.length(8 - skip);
        self.bytes(&be[skip..]);
    }

    /// A signed integer in its minimal two's complement octets, length-prefixed.
    pub fn var_int(&mut self, v: i64) {
        let be = v.to_be_bytes();
        let mut skip = 0;
        while skip < 7 {
            let (b, next) = (be[skip], be[skip + 1]);
            if (b == 0x00 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
                skip += 1;
            } else {
                break;
            }
        }
        self.length(8 - skip);
        self.bytes(&be[skip..]);
    }

    /// A preamble or extension bitmap body: bits packed MSB first, zero padded.
    pub fn bits(&mut self, bits: &[bool]) {
        for chunk in bits.chunks(8) {
            let mut b = 0u8;
            for (i, bit) in chunk.iter().enumerate() {
                if *bit {
                    b |= 0x80 >> i;
                }
            }
            self.buf.push(b);
        }
    }

    /// An extension-addition presence bitmap with its length and unused-bit count.
    pub fn extension_bitmap(&mut self, bits: &[bool]) {
        let nbytes = bits.len().div_ceil(8);
        self.length(nbytes + 1);
        self.buf.push((nbytes * 8 - bits.len()) as u8);
        self.bits(bits);
    }

    /// A context-specific CHOICE tag.
    pub fn tag(&mut self, n: u64) {
        if n < 0x3f {
            self.buf.push(0x80 | n as u8);
        } else {
            self.buf.push(0xbf);
            let mut groups = Vec::new();
            let mut v = n;
            loop {
                groups.push((v & 0x7f) as u8);
                v >>= 7;
                if v == 0 {
                    break;
                }
            }
            let last = groups.len() - 1;
            for (i, g) in groups.iter().rev().enumerate() {
                self.buf.push(if i < last { g | 0x80 } else { *g });
            }
        }
    }

    /// Encodes `f` into a separate buffer and writes it as an open type.
    pub fn open(&mut self, f: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::new();
        f(&mut inner);
        self.length_prefixed(&inner.buf);
    }
}
