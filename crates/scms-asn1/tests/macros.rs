//! The construct macros against hand-checked COER encodings.

use scms_asn1::coer::{Coer, DecodeError, OctetString, VarInt, VarUint};
use scms_asn1::{asn_choice, asn_enumerated, asn_integer, asn_named_bits, asn_sequence};

asn_enumerated! {
    pub enum Hash { Sha256 = 0, Sha384 = 1, Big = 300 } extensible
}

asn_named_bits! {
    pub struct EeType[8] { app = 0, enrol = 1 }
}

asn_integer! {
    pub struct Uint3(u8) range(0, 7);
}

asn_sequence! {
    pub struct Inner {
        pub a: u8,
        pub b: Option<u16>,
        pub depth: VarInt = VarInt(1),
        pub ee: EeType = EeType::with(&[EeType::app]),
    }
    extensible {
        pub x: Option<VarUint>,
        pub y: Option<OctetString>,
    }
}

asn_choice! {
    pub enum Alt {
        First(Inner),
        Second as "second-one" (()),
    }
    extensible {
        Third(Uint3),
    }
}

asn_sequence! {
    pub struct Outer {
        pub list: Vec<Alt>,
        pub h: Hash,
        pub boxed: Option<Box<Outer>>,
    }
}

fn inner() -> Inner {
    Inner {
        a: 5,
        b: None,
        depth: VarInt(1),
        ee: EeType::with(&[EeType::app]),
        x: None,
        y: None,
    }
}

#[test]
fn sequence_with_defaults_and_extensions() {
    let v = inner();
    assert_eq!(v.to_coer(), vec![0x00, 0x05]);
    let mut v2 = v.clone();
    v2.depth = VarInt(0);
    v2.b = Some(0x0102);
    assert_eq!(v2.to_coer(), vec![0x60, 0x05, 0x01, 0x02, 0x01, 0x00]);
    assert_eq!(Inner::from_coer(&v2.to_coer()).unwrap(), v2);
    let mut v3 = v.clone();
    v3.y = Some(OctetString(vec![0xaa]));
    let enc = v3.to_coer();
    // ext bit, a, bitmap (len 2, 6 unused, 01000000), open type(len 2: len 1, aa)
    assert_eq!(enc, vec![0x80, 0x05, 0x02, 0x06, 0x40, 0x02, 0x01, 0xaa]);
    assert_eq!(Inner::from_coer(&enc).unwrap(), v3);
    // An unknown third addition is skipped.
    let unknown = vec![0x80, 0x05, 0x02, 0x05, 0x20, 0x01, 0x00];
    assert_eq!(Inner::from_coer(&unknown).unwrap(), v);
    // DEFAULT sent explicitly is refused.
    let explicit_default = vec![0x20, 0x05, 0x01, 0x01];
    assert!(matches!(
        Inner::from_coer(&explicit_default),
        Err(DecodeError::NonCanonical { .. })
    ));
    // Extension bit with an empty bitmap is refused.
    assert!(Inner::from_coer(&[0x80, 0x05, 0x02, 0x07, 0x00]).is_err());
    // Trailing bytes and padding bits are refused.
    assert!(matches!(
        Inner::from_coer(&[0x00, 0x05, 0x00]),
        Err(DecodeError::TrailingBytes { .. })
    ));
    assert!(Inner::from_coer(&[0x01, 0x05]).is_err());
}

#[test]
fn choice_and_enumerated() {
    let o = Outer {
        list: vec![Alt::Second(()), Alt::Third(Uint3(7)), Alt::First(inner())],
        h: Hash::Big,
        boxed: None,
    };
    let enc = o.to_coer();
    assert_eq!(
        enc,
        vec![0x00, 0x01, 0x03, 0x81, 0x82, 0x01, 0x07, 0x80, 0x00, 0x05, 0x82, 0x01, 0x2c]
    );
    assert_eq!(Outer::from_coer(&enc).unwrap(), o);
    assert!(Alt::from_coer(&[0x82, 0x01, 0x08]).is_err()); // out of range
    let unk = Alt::from_coer(&[0x85, 0x02, 0x01, 0x02]).unwrap();
    assert!(matches!(unk, Alt::Unknown(_)));
    assert_eq!(unk.to_coer(), vec![0x85, 0x02, 0x01, 0x02]);
    assert!(Hash::from_coer(&[0x05]).is_err());
    assert!(Hash::from_coer(&[0x82, 0x00, 0x01]).is_err()); // non-minimal
    let text = o.to_value().notation("Outer");
    assert!(text.contains("second-one : NULL"), "{text}");
}

#[test]
fn hostile_inputs_are_refused_without_allocation() {
    // A SEQUENCE OF claiming 2^56 elements in 10 bytes.
    let bad = [0x00, 0x08, 0x01, 0, 0, 0, 0, 0, 0, 0];
    assert!(Outer::from_coer(&bad).is_err());
    // Deep recursion through the boxed field.
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&[0x80, 0x01, 0x00, 0x00]);
    }
    assert!(matches!(
        Outer::from_coer(&deep),
        Err(DecodeError::TooDeep { .. })
    ));
    // Non-canonical lengths.
    assert!(OctetString::<0>::from_coer(&[0x81, 0x05, 1, 2, 3, 4, 5]).is_err());
    assert!(OctetString::<0>::from_coer(&[0x80]).is_err());
}
