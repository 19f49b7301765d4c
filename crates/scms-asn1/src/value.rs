//! A decoded value as a tree, printed as ASN.1 value notation (the style of seed 004's
//! Code Blocks 3 and 6) or as JSON. Used by `scms inspect`.

use std::fmt::Write as _;

/// One ASN.1 value, independent of its Rust type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// INTEGER.
    Integer(i128),
    /// BOOLEAN.
    Boolean(bool),
    /// NULL.
    Null,
    /// OCTET STRING (and open types), shown as `'..'H`.
    Octets(Vec<u8>),
    /// An OCTET STRING whose contents were decoded as another type.
    Containing {
        /// The raw bytes.
        bytes: Vec<u8>,
        /// The contained type's name.
        ty: &'static str,
        /// Its decoded value.
        value: Box<Value>,
    },
    /// BIT STRING: the set named bits (or bit numbers) and the raw bits.
    Bits {
        /// Names (or numbers) of the bits that are set.
        set: Vec<String>,
        /// The raw octets.
        bytes: Vec<u8>,
        /// Number of bits.
        len: usize,
    },
    /// A character string.
    Text(String),
    /// An ENUMERATED value's name.
    Enumerated(String),
    /// SEQUENCE: present components in order.
    Sequence(Vec<(String, Value)>),
    /// SEQUENCE OF.
    SequenceOf(Vec<Value>),
    /// CHOICE: alternative name and value.
    Choice(String, Box<Value>),
    /// An unknown extension alternative or addition, kept as its open-type bytes.
    Unknown {
        /// The tag or index.
        tag: u64,
        /// The open-type contents.
        bytes: Vec<u8>,
    },
}

/// `snake_case` Rust field name to the lowerCamelCase ASN.1 name.
pub fn asn_name(rust: &str) -> String {
    let mut out = String::with_capacity(rust.len());
    let mut upper = false;
    for c in rust.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `CamelCase` Rust variant name to the lowerCamelCase ASN.1 name.
pub fn asn_variant_name(rust: &str) -> String {
    let mut cs = rust.chars();
    match cs.next() {
        Some(f) => f.to_lowercase().chain(cs).collect(),
        None => String::new(),
    }
}

fn hex_upper(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02X}");
    }
    s
}

impl Value {
    /// ASN.1 value notation: `value TYPE ::= {...}`.
    pub fn notation(&self, type_name: &str) -> String {
        let mut s = format!("value {type_name} ::= ");
        self.write_notation(&mut s, 0);
        s.push('\n');
        s
    }

    fn write_notation(&self, s: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Value::Integer(i) => {
                let _ = write!(s, "{i}");
            }
            Value::Boolean(b) => s.push_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Null => s.push_str("NULL"),
            Value::Octets(b) => {
                let _ = write!(s, "'{}'H", hex_upper(b));
            }
            Value::Containing { bytes, ty, value } => {
                let _ = write!(
                    s,
                    "'{}'H -- CONTAINING {ty} --\n{}",
                    hex_upper(bytes),
                    pad(indent + 1)
                );
                value.write_notation(s, indent + 1);
            }
            Value::Bits { set, .. } => {
                let _ = write!(s, "{{{}}}", set.join(", "));
            }
            Value::Text(t) => {
                let _ = write!(s, "\"{}\"", t.replace('"', "\"\""));
            }
            Value::Enumerated(n) => s.push_str(n),
            Value::Sequence(fields) => {
                if fields.is_empty() {
                    s.push_str("{}");
                    return;
                }
                s.push_str("{\n");
                for (i, (name, v)) in fields.iter().enumerate() {
                    let _ = write!(s, "{}{name} ", pad(indent + 1));
                    v.write_notation(s, indent + 1);
                    if i + 1 < fields.len() {
                        s.push(',');
                    }
                    s.push('\n');
                }
                let _ = write!(s, "{}}}", pad(indent));
            }
            Value::SequenceOf(items) => {
                if items.is_empty() {
                    s.push_str("{}");
                    return;
                }
                s.push_str("{\n");
                for (i, v) in items.iter().enumerate() {
                    s.push_str(&pad(indent + 1));
                    v.write_notation(s, indent + 1);
                    if i + 1 < items.len() {
                        s.push(',');
                    }
                    s.push('\n');
                }
                let _ = write!(s, "{}}}", pad(indent));
            }
            Value::Choice(alt, v) => {
                let _ = write!(s, "{alt} : ");
                v.write_notation(s, indent);
            }
            Value::Unknown { tag, bytes } => {
                let _ = write!(s, "[{tag}] '{}'H -- unknown extension --", hex_upper(bytes));
            }
        }
    }

    /// The value as JSON: SEQUENCE → object, CHOICE → `{"alt": value}`, octets → hex string.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value as J};
        match self {
            Value::Integer(i) => match i64::try_from(*i) {
                Ok(v) => json!(v),
                Err(_) => json!(i.to_string()),
            },
            Value::Boolean(b) => json!(b),
            Value::Null => J::Null,
            Value::Octets(b) => json!(hex::encode(b)),
            Value::Containing { bytes, ty, value } => {
                json!({ "bytes": hex::encode(bytes), "containing": ty, "value": value.to_json() })
            }
            Value::Bits { set, bytes, len } => {
                json!({ "set": set, "bits": hex::encode(bytes), "length": len })
            }
            Value::Text(t) => json!(t),
            Value::Enumerated(n) => json!(n),
            Value::Sequence(fields) => {
                let mut m = Map::new();
                for (k, v) in fields {
                    m.insert(k.clone(), v.to_json());
                }
                J::Object(m)
            }
            Value::SequenceOf(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Choice(alt, v) => {
                let mut m = Map::new();
                m.insert(alt.clone(), v.to_json());
                J::Object(m)
            }
            Value::Unknown { tag, bytes } => {
                json!({ "unknownTag": tag, "bytes": hex::encode(bytes) })
            }
        }
    }
}
