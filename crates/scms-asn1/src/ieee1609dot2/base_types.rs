//! `IEEE1609dot2BaseTypes` (`1609dot2/1609dot2-base-types.asn`), with the extension
//! additions of IEEE 1609.2-2016 and 1609.2-2022 at the positions the standards give them.

use crate::coer::{OctetString, Utf8String, VarUint};
use crate::{asn_choice, asn_enumerated, asn_integer, asn_sequence};

// ------------------------------------------------------------------
// Integers
// ------------------------------------------------------------------

asn_integer! {
    /// Uint3 ::= INTEGER (0..7)
    pub struct Uint3(u8) range(0, 7);
}

/// Uint8 ::= INTEGER (0..255)
pub type Uint8 = u8;
/// Uint16 ::= INTEGER (0..65535)
pub type Uint16 = u16;
/// Uint32 ::= INTEGER (0..4294967295)
pub type Uint32 = u32;
/// Uint64 ::= INTEGER (0..18446744073709551615)
pub type Uint64 = u64;

/// SequenceOfUint8 ::= SEQUENCE OF Uint8
pub type SequenceOfUint8 = Vec<Uint8>;
/// SequenceOfUint16 ::= SEQUENCE OF Uint16
pub type SequenceOfUint16 = Vec<Uint16>;

// ------------------------------------------------------------------
// OCTET STRING types
// ------------------------------------------------------------------

/// Opaque ::= OCTET STRING
pub type Opaque = OctetString;

/// HashedId32 ::= OCTET STRING (SIZE(32))
pub type HashedId32 = [u8; 32];
/// HashedId10 ::= OCTET STRING (SIZE(10))
pub type HashedId10 = [u8; 10];
/// HashedId8 ::= OCTET STRING (SIZE(8))
pub type HashedId8 = [u8; 8];
/// HashedId4 ::= OCTET STRING (SIZE(4))
pub type HashedId4 = [u8; 4];
/// HashedId3 ::= OCTET STRING (SIZE(3))
pub type HashedId3 = [u8; 3];

// ------------------------------------------------------------------
// Time
// ------------------------------------------------------------------

/// Time32 ::= Uint32 (TAI seconds since 2004-01-01 00:00:00 UTC)
pub type Time32 = Uint32;
/// Time64 ::= Uint64 (TAI microseconds since 2004-01-01 00:00:00 UTC)
pub type Time64 = Uint64;

asn_sequence! {
    /// ValidityPeriod: a start time and a duration.
    pub struct ValidityPeriod {
        pub start: Time32,
        pub duration: Duration,
    }
}

asn_choice! {
    /// Duration: a length of time in one of seven units.
    pub enum Duration {
        Microseconds(Uint16),
        Milliseconds(Uint16),
        Seconds(Uint16),
        Minutes(Uint16),
        Hours(Uint16),
        SixtyHours(Uint16),
        Years(Uint16),
    }
}

// ------------------------------------------------------------------
// Location
// ------------------------------------------------------------------

asn_choice! {
    /// GeographicRegion: a circle, rectangles, a polygon or identified regions.
    pub enum GeographicRegion {
        CircularRegion(CircularRegion),
        RectangularRegion(SequenceOfRectangularRegion),
        PolygonalRegion(PolygonalRegion),
        IdentifiedRegion(SequenceOfIdentifiedRegion),
    }
    extensible {}
}

asn_sequence! {
    /// CircularRegion: a center and a radius in meters.
    pub struct CircularRegion {
        pub center: TwoDLocation,
        pub radius: Uint16,
    }
}

asn_sequence! {
    /// RectangularRegion: north-west and south-east corners.
    pub struct RectangularRegion {
        pub north_west: TwoDLocation,
        pub south_east: TwoDLocation,
    }
}

/// SequenceOfRectangularRegion ::= SEQUENCE OF RectangularRegion
pub type SequenceOfRectangularRegion = Vec<RectangularRegion>;

/// PolygonalRegion ::= SEQUENCE SIZE(3..MAX) OF TwoDLocation (size not checked by COER)
pub type PolygonalRegion = Vec<TwoDLocation>;

asn_sequence! {
    /// TwoDLocation: a latitude and a longitude.
    pub struct TwoDLocation {
        pub latitude: Latitude,
        pub longitude: Longitude,
    }
}

asn_choice! {
    /// IdentifiedRegion: a country, or a country with regions or subregions.
    pub enum IdentifiedRegion {
        CountryOnly(CountryOnly),
        CountryAndRegions(CountryAndRegions),
        CountryAndSubregions(CountryAndSubregions),
    }
    extensible {}
}

/// SequenceOfIdentifiedRegion ::= SEQUENCE OF IdentifiedRegion
pub type SequenceOfIdentifiedRegion = Vec<IdentifiedRegion>;

/// CountryOnly ::= Uint16 (UN Stats M49 country code)
pub type CountryOnly = Uint16;

asn_sequence! {
    /// CountryAndRegions: a country and regions within it.
    pub struct CountryAndRegions {
        pub country_only: CountryOnly,
        pub regions: SequenceOfUint8,
    }
}

asn_sequence! {
    /// CountryAndSubregions: a country and regions with their subregions.
    pub struct CountryAndSubregions {
        pub country: CountryOnly,
        pub region_and_subregions: SequenceOfRegionAndSubregions,
    }
}

asn_sequence! {
    /// RegionAndSubregions: a region and subregions within it.
    pub struct RegionAndSubregions {
        pub region: Uint8,
        pub subregions: SequenceOfUint16,
    }
}

/// SequenceOfRegionAndSubregions ::= SEQUENCE OF RegionAndSubregions
pub type SequenceOfRegionAndSubregions = Vec<RegionAndSubregions>;

asn_sequence! {
    /// ThreeDLocation: latitude, longitude and elevation.
    pub struct ThreeDLocation {
        pub latitude: Latitude,
        pub longitude: Longitude,
        pub elevation: Elevation,
    }
}

/// Latitude ::= NinetyDegreeInt
pub type Latitude = NinetyDegreeInt;
/// Longitude ::= OneEightyDegreeInt
pub type Longitude = OneEightyDegreeInt;
/// Elevation ::= ElevInt
pub type Elevation = ElevInt;

asn_integer! {
    /// NinetyDegreeInt ::= INTEGER {min, max, unknown} (-900000000..900000001), in 0.1 microdegrees
    pub struct NinetyDegreeInt(i32) range(-900_000_000, 900_000_001);
}

impl NinetyDegreeInt {
    /// The named number `min` (-90 degrees).
    pub const MIN: Self = Self(-900_000_000);
    /// The named number `max` (+90 degrees).
    pub const MAX: Self = Self(900_000_000);
    /// The named number `unknown`.
    pub const UNKNOWN: Self = Self(900_000_001);
}

/// KnownLatitude ::= NinetyDegreeInt (min..max)
pub type KnownLatitude = NinetyDegreeInt;
/// UnknownLatitude ::= NinetyDegreeInt (unknown)
pub type UnknownLatitude = NinetyDegreeInt;

asn_integer! {
    /// OneEightyDegreeInt ::= INTEGER {min, max, unknown} (-1799999999..1800000001)
    pub struct OneEightyDegreeInt(i32) range(-1_799_999_999, 1_800_000_001);
}

impl OneEightyDegreeInt {
    /// The named number `min` (just above -180 degrees).
    pub const MIN: Self = Self(-1_799_999_999);
    /// The named number `max` (+180 degrees).
    pub const MAX: Self = Self(1_800_000_000);
    /// The named number `unknown`.
    pub const UNKNOWN: Self = Self(1_800_000_001);
}

/// KnownLongitude ::= OneEightyDegreeInt (min..max)
pub type KnownLongitude = OneEightyDegreeInt;
/// UnknownLongitude ::= OneEightyDegreeInt (unknown)
pub type UnknownLongitude = OneEightyDegreeInt;

/// ElevInt ::= Uint16 (-4096 to 61439 in units of 0.1 m, offset encoding)
pub type ElevInt = Uint16;

// ------------------------------------------------------------------
// Crypto
// ------------------------------------------------------------------

asn_choice! {
    /// Signature: an ECDSA signature on one of the supported curves.
    pub enum Signature {
        EcdsaNistP256Signature(EcdsaP256Signature),
        EcdsaBrainpoolP256r1Signature(EcdsaP256Signature),
    }
    extensible {
        /// 1609.2-2016 addition.
        EcdsaBrainpoolP384r1Signature(EcdsaP384Signature),
        /// 1609.2a-2017 / 1609.2-2022 addition.
        EcdsaNistP384Signature(EcdsaP384Signature),
        /// 1609.2-2022 addition (SM2).
        Sm2Signature(EcsigP256Signature),
    }
}

asn_sequence! {
    /// EcdsaP256Signature: r as a curve point (or x-only), s as 32 octets.
    /// (1609.2-2016 names the fields `rSig` and `sSig`; this schema says `r` and `s`.)
    pub struct EcdsaP256Signature {
        pub r: EccP256CurvePoint,
        pub s: [u8; 32],
    }
}

asn_choice! {
    /// EccP256CurvePoint: an x-only, compressed or uncompressed NIST/Brainpool P-256 point.
    pub enum EccP256CurvePoint {
        XOnly as "x-only" ([u8; 32]),
        /// `fill NULL`: consistency with IEEE 1363 / X9.62.
        Fill(()),
        CompressedY0 as "compressed-y-0" ([u8; 32]),
        CompressedY1 as "compressed-y-1" ([u8; 32]),
        /// `uncompressed` (1609.2-2016: `uncompressedP256`).
        Uncompressed(EccP256CurvePointUncompressed),
    }
}

asn_sequence! {
    /// The SEQUENCE { x, y } of EccP256CurvePoint's `uncompressed` alternative.
    pub struct EccP256CurvePointUncompressed {
        pub x: [u8; 32],
        pub y: [u8; 32],
    }
}

asn_enumerated! {
    /// SymmAlgorithm: the symmetric algorithm.
    pub enum SymmAlgorithm {
        Aes128Ccm = 0,
        /// 1609.2-2022 addition.
        Sm4Ccm = 1,
    } extensible
}

asn_enumerated! {
    /// HashAlgorithm: the hash algorithm.
    pub enum HashAlgorithm {
        Sha256 = 0,
        /// 1609.2-2016 addition.
        Sha384 = 1,
        /// 1609.2-2022 addition.
        Sm3 = 2,
    } extensible
}

asn_sequence! {
    /// EciesP256EncryptedKey: an ECIES-encrypted 16-octet key with its tag.
    pub struct EciesP256EncryptedKey {
        pub v: EccP256CurvePoint,
        pub c: [u8; 16],
        pub t: [u8; 16],
    }
}

asn_choice! {
    /// EncryptionKey: a public or a symmetric encryption key.
    pub enum EncryptionKey {
        Public(PublicEncryptionKey),
        Symmetric(SymmetricEncryptionKey),
    }
}

asn_sequence! {
    /// PublicEncryptionKey: a public key with the symmetric algorithm it goes with.
    pub struct PublicEncryptionKey {
        pub supported_symm_alg: SymmAlgorithm,
        pub public_key: BasePublicEncryptionKey,
    }
}

asn_choice! {
    /// BasePublicEncryptionKey: an ECIES public key.
    pub enum BasePublicEncryptionKey {
        EciesNistP256(EccP256CurvePoint),
        EciesBrainpoolP256r1(EccP256CurvePoint),
    }
    extensible {
        /// 1609.2-2022 addition (SM2 encryption).
        EcencSm2(EccP256CurvePoint),
    }
}

asn_choice! {
    /// PublicVerificationKey: a signature verification key.
    pub enum PublicVerificationKey {
        EcdsaNistP256(EccP256CurvePoint),
        EcdsaBrainpoolP256r1(EccP256CurvePoint),
    }
    extensible {
        /// 1609.2-2016 addition.
        EcdsaBrainpoolP384r1(EccP384CurvePoint),
        /// 1609.2a-2017 / 1609.2-2022 addition.
        EcdsaNistP384(EccP384CurvePoint),
        /// 1609.2-2022 addition (SM2).
        EcsigSm2(EccP256CurvePoint),
    }
}

asn_choice! {
    /// SymmetricEncryptionKey: a symmetric key.
    pub enum SymmetricEncryptionKey {
        Aes128Ccm([u8; 16]),
    }
    extensible {
        /// 1609.2-2022 addition.
        Sm4Ccm([u8; 16]),
    }
}

// ------------------------------------------------------------------
// PSID / ITS-AID
// ------------------------------------------------------------------

asn_sequence! {
    /// PsidSsp: a PSID with its optional service specific permissions.
    pub struct PsidSsp {
        pub psid: Psid,
        pub ssp: Option<ServiceSpecificPermissions>,
    }
}

/// SequenceOfPsidSsp ::= SEQUENCE OF PsidSsp
pub type SequenceOfPsidSsp = Vec<PsidSsp>;

asn_integer! {
    /// Psid ::= INTEGER (0..MAX): the provider service identifier.
    pub struct Psid(VarUint);
}

impl Psid {
    /// A PSID from its number.
    pub const fn new(v: u64) -> Self {
        Self(VarUint(v))
    }
}

/// SequenceOfPsid ::= SEQUENCE OF Psid
pub type SequenceOfPsid = Vec<Psid>;

asn_choice! {
    /// ServiceSpecificPermissions: the SSP of a PSID.
    pub enum ServiceSpecificPermissions {
        Opaque(OctetString),
    }
    extensible {
        /// 1609.2-2016 addition.
        BitmapSsp(BitmapSsp),
    }
}

asn_sequence! {
    /// PsidSspRange: a PSID with its optional SSP range.
    pub struct PsidSspRange {
        pub psid: Psid,
        pub ssp_range: Option<SspRange>,
    }
}

/// SequenceOfPsidSspRange ::= SEQUENCE OF PsidSspRange
pub type SequenceOfPsidSspRange = Vec<PsidSspRange>;

asn_choice! {
    /// SspRange: the SSPs a certificate may issue or request for a PSID.
    pub enum SspRange {
        Opaque(SequenceOfOctetString),
        All(()),
    }
    extensible {
        /// 1609.2-2016 addition.
        BitmapSspRange(BitmapSspRange),
    }
}

/// SequenceOfOctetString ::= SEQUENCE (SIZE (0..MAX)) OF OCTET STRING (SIZE(0..MAX))
pub type SequenceOfOctetString = Vec<OctetString>;

// ------------------------------------------------------------------
// Goes in certs
// ------------------------------------------------------------------

/// SubjectAssurance ::= OCTET STRING (SIZE(1)): assurance level and confidence
pub type SubjectAssurance = [u8; 1];

/// CrlSeries ::= Uint16
pub type CrlSeries = Uint16;

// ------------------------------------------------------------------
// Pseudonym Linkage
// ------------------------------------------------------------------

/// IValue ::= Uint16
pub type IValue = Uint16;
/// Hostname ::= UTF8String (SIZE(0..255))
pub type Hostname = Utf8String<0, 255>;
/// LinkageValue ::= OCTET STRING (SIZE(9))
pub type LinkageValue = [u8; 9];

asn_sequence! {
    /// GroupLinkageValue: the j value and the group linkage value.
    pub struct GroupLinkageValue {
        pub j_value: [u8; 4],
        pub value: [u8; 9],
    }
}

/// LaId ::= OCTET STRING (SIZE(2))
pub type LaId = [u8; 2];
/// LinkageSeed ::= OCTET STRING (SIZE(16))
pub type LinkageSeed = [u8; 16];

// ------------------------------------------------------------------
// Types used by the 1609.2-2016 / 1609.2-2022 extension additions
// (not in this schema file; definitions as in IEEE 1609.2-2022)
// ------------------------------------------------------------------

/// HashedId48 ::= OCTET STRING (SIZE(48)) (1609.2-2016)
pub type HashedId48 = [u8; 48];

/// SequenceOfHashedId3 ::= SEQUENCE OF HashedId3 (1609.2-2016)
pub type SequenceOfHashedId3 = Vec<HashedId3>;

asn_sequence! {
    /// EcdsaP384Signature: r as a P-384 curve point, s as 48 octets (1609.2-2016).
    pub struct EcdsaP384Signature {
        pub r_sig: EccP384CurvePoint,
        pub s_sig: [u8; 48],
    }
}

asn_sequence! {
    /// EcsigP256Signature: an SM2 signature, r and s as 32 octets each (1609.2-2022).
    pub struct EcsigP256Signature {
        pub r_sig: [u8; 32],
        pub s_sig: [u8; 32],
    }
}

asn_choice! {
    /// EccP384CurvePoint: an x-only, compressed or uncompressed P-384 point (1609.2-2016).
    pub enum EccP384CurvePoint {
        XOnly as "x-only" ([u8; 48]),
        Fill(()),
        CompressedY0 as "compressed-y-0" ([u8; 48]),
        CompressedY1 as "compressed-y-1" ([u8; 48]),
        UncompressedP384(EccP384CurvePointUncompressed),
    }
}

asn_sequence! {
    /// The SEQUENCE { x, y } of EccP384CurvePoint's `uncompressedP384` alternative.
    pub struct EccP384CurvePointUncompressed {
        pub x: [u8; 48],
        pub y: [u8; 48],
    }
}

asn_sequence! {
    /// EcencP256EncryptedKey: an SM2-encrypted 16-octet key with its 32-octet tag (1609.2-2022).
    pub struct EcencP256EncryptedKey {
        pub v: EccP256CurvePoint,
        pub c: [u8; 16],
        pub t: [u8; 32],
    }
}

/// BitmapSsp ::= OCTET STRING (SIZE(0..31)) (1609.2-2016)
pub type BitmapSsp = OctetString<0, 31>;

asn_sequence! {
    /// BitmapSspRange: an SSP value and the bitmask of its fixed bits (1609.2-2016).
    pub struct BitmapSspRange {
        pub ssp_value: OctetString<1, 32>,
        pub ssp_bitmask: OctetString<1, 32>,
    }
}
