//! `IEEE1609dot2CrlBaseTypes` (`1609dot2/crl-base-types.asn`): the contents of a CRL.

use super::base_types::*;
use crate::{asn_choice, asn_sequence};

asn_sequence! {
    /// CrlContents: the CRL's version (`Uint8(1)`), series, CRACA, dates and entries.
    pub struct CrlContents {
        pub version: Uint8,
        pub crl_series: CrlSeries,
        pub craca_id: HashedId8,
        pub issue_date: Time32,
        pub next_crl: Time32,
        pub priority_info: CrlPriorityInfo,
        pub type_specific: CrlContentsTypeSpecific,
    }
}

asn_choice! {
    /// The `typeSpecific` CHOICE of CrlContents: a full or delta hash-id or linked CRL.
    pub enum CrlContentsTypeSpecific {
        FullHashCrl(ToBeSignedHashIdCrl),
        DeltaHashCrl(ToBeSignedHashIdCrl),
        FullLinkedCrl(ToBeSignedLinkageValueCrl),
        DeltaLinkedCrl(ToBeSignedLinkageValueCrl),
    }
    extensible {}
}

asn_sequence! {
    /// CrlPriorityInfo: the CRL's priority.
    pub struct CrlPriorityInfo {
        pub priority: Option<Uint8>,
    }
    extensible {}
}

asn_sequence! {
    /// ToBeSignedHashIdCrl: a CRL of certificate hashes.
    pub struct ToBeSignedHashIdCrl {
        pub crl_serial: Uint32,
        pub entries: SequenceOfHashBasedRevocationInfo,
    }
    extensible {}
}

asn_sequence! {
    /// HashBasedRevocationInfo: a revoked certificate's HashedId10 and its expiry.
    pub struct HashBasedRevocationInfo {
        pub id: HashedId10,
        pub expiry: Time32,
    }
}

/// SequenceOfHashBasedRevocationInfo ::= SEQUENCE OF HashBasedRevocationInfo
pub type SequenceOfHashBasedRevocationInfo = Vec<HashBasedRevocationInfo>;

asn_sequence! {
    /// ToBeSignedLinkageValueCrl: a CRL of linkage seeds (at least one of `individual` /
    /// `groups` present: checked by scms-core, not the codec).
    pub struct ToBeSignedLinkageValueCrl {
        pub i_value: IValue,
        pub index_within_i: Uint8,
        pub individual: Option<SequenceOfJMaxGroup>,
        pub groups: Option<SequenceOfGroupCrlEntry>,
    }
    extensible {}
}

asn_sequence! {
    /// JMaxGroup: the LA groups revoked with a given jmax.
    pub struct JMaxGroup {
        pub jmax: Uint8,
        /// SEQUENCE OF LAGroup.
        pub contents: Vec<LAGroup>,
    }
    extensible {}
}

/// SequenceOfJMaxGroup ::= SEQUENCE OF JMaxGroup
pub type SequenceOfJMaxGroup = Vec<JMaxGroup>;

asn_sequence! {
    /// LAGroup: the revocations under a pair of linkage authorities.
    pub struct LAGroup {
        pub la1_id: LaId,
        pub la2_id: LaId,
        pub contents: SequenceOfIMaxGroup,
    }
}

/// SequenceOfLAGroup ::= SEQUENCE OF LAGroup
pub type SequenceOfLAGroup = Vec<LAGroup>;

asn_sequence! {
    /// IMaxGroup: the individual revocations with a given iMax.
    pub struct IMaxGroup {
        pub i_max: Uint16,
        pub contents: SequenceOfIndividualRevocation,
    }
    extensible {}
}

/// SequenceOfIMaxGroup ::= SEQUENCE OF IMaxGroup
pub type SequenceOfIMaxGroup = Vec<IMaxGroup>;

asn_sequence! {
    /// IndividualRevocation: the two linkage seeds of one revoked device.
    pub struct IndividualRevocation {
        pub linkage_seed1 as "linkage-seed1": LinkageSeed,
        pub linkage_seed2 as "linkage-seed2": LinkageSeed,
    }
    extensible {}
}

/// SequenceOfIndividualRevocation ::= SEQUENCE OF IndividualRevocation
pub type SequenceOfIndividualRevocation = Vec<IndividualRevocation>;

asn_sequence! {
    /// GroupCrlEntry: a revoked group's iMax, LA ids and linkage seeds.
    pub struct GroupCrlEntry {
        pub i_max: Uint16,
        pub la1_id: LaId,
        pub linkage_seed1: LinkageSeed,
        pub la2_id: LaId,
        pub linkage_seed2: LinkageSeed,
    }
    extensible {}
}

/// SequenceOfGroupCrlEntry ::= SEQUENCE OF GroupCrlEntry
pub type SequenceOfGroupCrlEntry = Vec<GroupCrlEntry>;
