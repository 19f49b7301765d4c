//! One declarative macro per ASN.1 construct. Each type is a few lines next to its
//! ASN.1 name; the macros generate the Rust type and its [`Coer`](super::Coer) impl.
//!
//! Names: Rust `snake_case` fields and `CamelCase` variants map to the ASN.1
//! lowerCamelCase names automatically; `as "asn-name"` overrides (e.g. `x-only`).

/// `SEQUENCE { ... }`. Components are `name: Type` (mandatory), `name: Option<Type>`
/// (OPTIONAL) or `name: Type = default` (DEFAULT: never encoded when equal to the
/// default, and refused when received explicitly). An `extensible { ... }` block after
/// the body marks the extension marker `...` and lists the known extension additions
/// (each `Option<T>`, encoded as open types); unknown additions are skipped on decode.
///
/// ```
/// scms_asn1::asn_sequence! {
///     /// MissingCrlIdentifier
///     pub struct Example {
///         pub craca_id: [u8; 3],
///         pub crl_series: u16,
///         pub depth: scms_asn1::coer::VarInt = scms_asn1::coer::VarInt(1),
///     }
///     extensible {}
/// }
/// ```
#[macro_export]
macro_rules! asn_sequence {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(as $asn:literal)? {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident $(as $fasn:literal)? : $fty:ty $(= $fdef:expr)? ),* $(,)?
        }
    ) => {
        $crate::asn_sequence!(@impl [$(#[$meta])*] $vis $name [$($asn)?] false
            [ $( [$(#[$fmeta])*] [$fvis] $field [$($fasn)?] [$fty] [$($fdef)?] )* ]
            [ ]
        );
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(as $asn:literal)? {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident $(as $fasn:literal)? : $fty:ty $(= $fdef:expr)? ),* $(,)?
        }
        extensible {
            $( $(#[$emeta:meta])* $evis:vis $efield:ident $(as $easn:literal)? : $ety:ty ),* $(,)?
        }
    ) => {
        $crate::asn_sequence!(@impl [$(#[$meta])*] $vis $name [$($asn)?] true
            [ $( [$(#[$fmeta])*] [$fvis] $field [$($fasn)?] [$fty] [$($fdef)?] )* ]
            [ $( [$(#[$emeta])*] [$evis] $efield [$($easn)?] [$ety] )* ]
        );
    };
    (@impl [$(#[$meta:meta])*] $vis:vis $name:ident [$($asn:literal)?] $ext:literal
        [ $( [$(#[$fmeta:meta])*] [$fvis:vis] $field:ident [$($fasn:literal)?] [$fty:ty] [$($fdef:expr)?] )* ]
        [ $( [$(#[$emeta:meta])*] [$evis:vis] $efield:ident [$($easn:literal)?] [$ety:ty] )* ]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $fty, )*
            $( $(#[$emeta])* $evis $efield: $ety, )*
        }

        impl $crate::coer::Coer for $name {
            const NAME: &'static str = $crate::__asn_pick!(stringify!($name) $(, $asn)?);

            #[allow(unused_variables)]
            fn encode(&self, w: &mut $crate::coer::Writer) {
                let ext_bits: &[bool] = &[ $( $crate::coer::Field::is_present(&self.$efield) ),* ];
                let ext_present = ext_bits.iter().any(|b| *b);
                let mut pre: Vec<bool> = Vec::new();
                if $ext {
                    pre.push(ext_present);
                }
                $( $crate::__asn_seq_bit!(pre, &self.$field, $fty $(= $fdef)?); )*
                w.bits(&pre);
                $( $crate::__asn_seq_enc!(w, &self.$field, $fty $(= $fdef)?); )*
                if ext_present {
                    w.extension_bitmap(ext_bits);
                    $( $crate::coer::Field::encode_extension(&self.$efield, w); )*
                }
            }

            #[allow(unused_variables, unused_mut)]
            fn decode(r: &mut $crate::coer::Reader<'_>) -> Result<Self, $crate::coer::DecodeError> {
                r.enter()?;
                const NBITS: usize = ($ext as usize) $( + ($crate::__asn_seq_opt!($fty $(= $fdef)?) as usize) )*;
                let mut bm = r.read_bitmap(NBITS)?;
                let ext_present = $ext && bm.take();
                $( let $field = $crate::__asn_seq_dec!(r, bm, $fty $(= $fdef)?); )*
                let mut ebm = if ext_present { Some(r.read_extension_bitmap()?) } else { None };
                $(
                    let $efield = {
                        let p = ebm.as_mut().map(|b| b.take()).unwrap_or(false);
                        <$ety as $crate::coer::Field>::decode_extension(r, p)?
                    };
                )*
                if let Some(b) = &ebm {
                    const KNOWN: usize = 0 $( + $crate::__asn_one!($efield) )*;
                    for i in KNOWN..b.len() {
                        if b.get(i) {
                            r.skip_open()?;
                        }
                    }
                }
                r.leave();
                Ok(Self { $($field,)* $($efield,)* })
            }

            fn to_value(&self) -> $crate::value::Value {
                let mut fields: Vec<(String, $crate::value::Value)> = Vec::new();
                $(
                    if let Some(v) = $crate::__asn_seq_val!(&self.$field, $fty $(= $fdef)?) {
                        fields.push(($crate::__asn_field_name!($field $(, $fasn)?), v));
                    }
                )*
                $(
                    if let Some(v) = $crate::coer::Field::field_value(&self.$efield) {
                        fields.push(($crate::__asn_field_name!($efield $(, $easn)?), v));
                    }
                )*
                $crate::value::Value::Sequence(fields)
            }
        }
    };
}

/// `CHOICE { ... }`: one tuple variant per alternative, `Variant(Type)`. An
/// `extensible { ... }` block marks `...` and lists extension alternatives (encoded
/// as open types); an extensible CHOICE also gets `Unknown(UnknownAlternative)` for
/// alternatives added after this schema.
#[macro_export]
macro_rules! asn_choice {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $(as $asn:literal)? {
            $( $(#[$vmeta:meta])* $variant:ident $(as $vasn:literal)? ($vty:ty) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant($vty), )*
        }
        $crate::asn_choice!(@impl $name [$($asn)?] false
            [ $( $variant [$($vasn)?] [$vty] )* ] [ ]);
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $(as $asn:literal)? {
            $( $(#[$vmeta:meta])* $variant:ident $(as $vasn:literal)? ($vty:ty) ),* $(,)?
        }
        extensible {
            $( $(#[$emeta:meta])* $evariant:ident $(as $easn:literal)? ($ety:ty) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant($vty), )*
            $( $(#[$emeta])* $evariant($ety), )*
            /// An alternative this schema does not know (received from a newer peer).
            Unknown($crate::coer::UnknownAlternative),
        }
        $crate::asn_choice!(@impl $name [$($asn)?] true
            [ $( $variant [$($vasn)?] [$vty] )* ] [ $( $evariant [$($easn)?] [$ety] )* ]);
    };
    (@impl $name:ident [$($asn:literal)?] $ext:tt
        [ $( $variant:ident [$($vasn:literal)?] [$vty:ty] )* ]
        [ $( $evariant:ident [$($easn:literal)?] [$ety:ty] )* ]
    ) => {
        impl $crate::coer::Coer for $name {
            const NAME: &'static str = $crate::__asn_pick!(stringify!($name) $(, $asn)?);

            #[allow(unused_assignments, unused_mut)]
            fn encode(&self, w: &mut $crate::coer::Writer) {
                let mut tag: u64 = 0;
                $(
                    if let Self::$variant(v) = self {
                        w.tag(tag);
                        $crate::coer::Coer::encode(v, w);
                        return;
                    }
                    tag += 1;
                )*
                $(
                    if let Self::$evariant(v) = self {
                        w.tag(tag);
                        w.open(|w| $crate::coer::Coer::encode(v, w));
                        return;
                    }
                    tag += 1;
                )*
                $crate::__asn_choice_unknown!($ext encode self w);
            }

            #[allow(unused_assignments, unused_mut)]
            fn decode(r: &mut $crate::coer::Reader<'_>) -> Result<Self, $crate::coer::DecodeError> {
                r.enter()?;
                let at = r.pos();
                let tag = r.read_tag()?;
                let mut i: u64 = 0;
                $(
                    if tag == i {
                        let v = <$vty as $crate::coer::Coer>::decode(r)?;
                        r.leave();
                        return Ok(Self::$variant(v));
                    }
                    i += 1;
                )*
                $(
                    if tag == i {
                        let v = $crate::coer::decode_open::<$ety>(r)?;
                        r.leave();
                        return Ok(Self::$evariant(v));
                    }
                    i += 1;
                )*
                $crate::__asn_choice_unknown!($ext decode r tag at);
            }

            #[allow(unreachable_code)]
            fn to_value(&self) -> $crate::value::Value {
                $(
                    if let Self::$variant(v) = self {
                        return $crate::value::Value::Choice(
                            $crate::__asn_variant_name!($variant $(, $vasn)?),
                            Box::new($crate::coer::Coer::to_value(v)),
                        );
                    }
                )*
                $(
                    if let Self::$evariant(v) = self {
                        return $crate::value::Value::Choice(
                            $crate::__asn_variant_name!($evariant $(, $easn)?),
                            Box::new($crate::coer::Coer::to_value(v)),
                        );
                    }
                )*
                $crate::__asn_choice_unknown!($ext value self)
            }
        }
    };
}

/// `ENUMERATED { ... }`: unit variants with their numbers; `extensible` after the
/// body marks `...` (unknown values are still refused: they cannot be represented).
#[macro_export]
macro_rules! asn_enumerated {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $(as $asn:literal)? {
            $( $(#[$vmeta:meta])* $variant:ident $(as $vasn:literal)? = $num:literal ),* $(,)?
        } $(extensible)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $num, )*
        }

        impl $crate::coer::Coer for $name {
            const NAME: &'static str = $crate::__asn_pick!(stringify!($name) $(, $asn)?);
            fn encode(&self, w: &mut $crate::coer::Writer) {
                let v = *self as i64;
                if (0..128).contains(&v) {
                    w.u8(v as u8);
                } else {
                    let mut tmp = $crate::coer::Writer::new();
                    tmp.var_int(v);
                    let b = tmp.into_bytes();
                    w.u8(0x80 | (b.len() as u8 - 1));
                    w.bytes(&b[1..]);
                }
            }
            fn decode(r: &mut $crate::coer::Reader<'_>) -> Result<Self, $crate::coer::DecodeError> {
                let at = r.pos();
                let v = $crate::coer::read_enumerated(r)?;
                $( if v == $num { return Ok(Self::$variant); } )*
                Err($crate::coer::DecodeError::UnknownEnumerated { ty: <Self as $crate::coer::Coer>::NAME, value: v, at })
            }
            fn to_value(&self) -> $crate::value::Value {
                match self {
                    $( Self::$variant => $crate::value::Value::Enumerated(
                        $crate::__asn_variant_name!($variant $(, $vasn)?)), )*
                }
            }
        }
    };
}

/// A constrained INTEGER as a newtype: `struct Name(u8);` (full range of the fixed
/// width), `struct Name(u8) range(0, 7);` (fixed width, checked range),
/// `struct Name(VarUint);` / `struct Name(VarInt);` (length-prefixed).
#[macro_export]
macro_rules! asn_integer {
    ($(#[$meta:meta])* $vis:vis struct $name:ident($inner:ty) $(range($lo:expr, $hi:expr))?;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub $inner);

        impl $crate::coer::Coer for $name {
            const NAME: &'static str = stringify!($name);
            fn encode(&self, w: &mut $crate::coer::Writer) {
                $crate::coer::Coer::encode(&self.0, w)
            }
            fn decode(r: &mut $crate::coer::Reader<'_>) -> Result<Self, $crate::coer::DecodeError> {
                let at = r.pos();
                let v = <$inner as $crate::coer::Coer>::decode(r)?;
                $(
                    if !($lo..=$hi).contains(&v) {
                        return Err($crate::coer::DecodeError::OutOfRange { ty: stringify!($name), at });
                    }
                )?
                let _ = at;
                Ok(Self(v))
            }
            fn to_value(&self) -> $crate::value::Value {
                $crate::coer::Coer::to_value(&self.0)
            }
        }
    };
}

/// `BIT STRING { name(n), ... } (SIZE(N))`: a fixed-size bit string with named bits.
#[macro_export]
macro_rules! asn_named_bits {
    ($(#[$meta:meta])* $vis:vis struct $name:ident[$n:literal] { $( $(#[$bmeta:meta])* $bit:ident = $num:literal ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        $vis struct $name(pub [u8; usize::div_ceil($n, 8)]);

        #[allow(non_upper_case_globals)]
        impl $name {
            $( $(#[$bmeta])* pub const $bit: usize = $num; )*

            /// A value with the given bits set.
            pub fn with(bits: &[usize]) -> Self {
                let mut v = [0u8; usize::div_ceil($n, 8)];
                for b in bits {
                    if *b < $n {
                        v[b / 8] |= 0x80 >> (b % 8);
                    }
                }
                Self(v)
            }

            /// Whether bit `b` is set.
            pub fn has(&self, b: usize) -> bool {
                b < $n && self.0[b / 8] & (0x80 >> (b % 8)) != 0
            }
        }

        impl $crate::coer::Coer for $name {
            const NAME: &'static str = stringify!($name);
            fn encode(&self, w: &mut $crate::coer::Writer) {
                w.bytes(&self.0)
            }
            fn decode(r: &mut $crate::coer::Reader<'_>) -> Result<Self, $crate::coer::DecodeError> {
                Ok(Self(r.read_array()?))
            }
            fn to_value(&self) -> $crate::value::Value {
                let names: &[(&str, usize)] = &[ $( (stringify!($bit), $num) ),* ];
                let set = (0..$n)
                    .filter(|i| self.has(*i))
                    .map(|i| names.iter().find(|(_, n)| *n == i).map(|(s, _)| s.to_string()).unwrap_or_else(|| i.to_string()))
                    .collect();
                $crate::value::Value::Bits { set, bytes: self.0.to_vec(), len: $n }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_pick {
    ($d:expr) => {
        $d
    };
    ($d:expr, $n:literal) => {
        $n
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_one {
    ($x:ident) => {
        1
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_field_name {
    ($f:ident) => {
        $crate::value::asn_name(stringify!($f))
    };
    ($f:ident, $n:literal) => {
        String::from($n)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_variant_name {
    ($v:ident) => {
        $crate::value::asn_variant_name(stringify!($v))
    };
    ($v:ident, $n:literal) => {
        String::from($n)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_seq_opt {
    ($t:ty) => {
        <$t as $crate::coer::Field>::OPTIONAL
    };
    ($t:ty = $d:expr) => {
        true
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_seq_bit {
    ($pre:ident, $v:expr, $t:ty) => {
        if <$t as $crate::coer::Field>::OPTIONAL {
            $pre.push($crate::coer::Field::is_present($v));
        }
    };
    ($pre:ident, $v:expr, $t:ty = $d:expr) => {
        $pre.push(*$v != $d);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_seq_enc {
    ($w:ident, $v:expr, $t:ty) => {
        $crate::coer::Field::encode_field($v, $w);
    };
    ($w:ident, $v:expr, $t:ty = $d:expr) => {
        if *$v != $d {
            $crate::coer::Coer::encode($v, $w);
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_seq_dec {
    ($r:ident, $bm:ident, $t:ty) => {{
        let p = if <$t as $crate::coer::Field>::OPTIONAL {
            $bm.take()
        } else {
            true
        };
        <$t as $crate::coer::Field>::decode_field($r, p)?
    }};
    ($r:ident, $bm:ident, $t:ty = $d:expr) => {{
        if $bm.take() {
            let at = $r.pos();
            let v = <$t as $crate::coer::Coer>::decode($r)?;
            if v == $d {
                return Err($crate::coer::DecodeError::NonCanonical {
                    at,
                    what: "DEFAULT value encoded explicitly",
                });
            }
            v
        } else {
            $d
        }
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_seq_val {
    ($v:expr, $t:ty) => {
        $crate::coer::Field::field_value($v)
    };
    ($v:expr, $t:ty = $d:expr) => {
        if *$v != $d {
            Some($crate::coer::Coer::to_value($v))
        } else {
            None
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __asn_choice_unknown {
    (false encode $s:ident $w:ident) => {};
    (true encode $s:ident $w:ident) => {
        if let Self::Unknown(u) = $s {
            $w.tag(u.tag);
            $w.length_prefixed(&u.bytes);
        }
    };
    (false decode $r:ident $tag:ident $at:ident) => {
        return Err($crate::coer::DecodeError::UnknownAlternative {
            ty: <Self as $crate::coer::Coer>::NAME,
            tag: $tag,
            at: $at,
        })
    };
    (true decode $r:ident $tag:ident $at:ident) => {{
        let _ = $at;
        let len = $r.read_length()?;
        let bytes = $r.read_bytes(len)?.to_vec();
        $r.leave();
        return Ok(Self::Unknown($crate::coer::UnknownAlternative {
            tag: $tag,
            bytes,
        }));
    }};
    (false value $s:ident) => {
        unreachable!("every alternative is handled above")
    };
    (true value $s:ident) => {
        match $s {
            Self::Unknown(u) => $crate::value::Value::Unknown {
                tag: u.tag,
                bytes: u.bytes.clone(),
            },
            _ => $crate::value::Value::Null,
        }
    };
}
