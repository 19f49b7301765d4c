//! `Ieee1609Dot2LaRaInterface` (la-ra.asn): the pre-linkage value requests of the
//! Registration Authority (RA) to a Linkage Authority (LA) and their responses.

use super::base_types::*;
use super::errors::ScopedLaRaError;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between the LA and the RA.
    pub enum LaRaInterfacePDU {
        RaLaIndividualPreLinkageValueRequest(RaLaIndividualPreLinkageValueRequestMsg),
        RaLaGroupPreLinkageValueRequest(RaLaGroupPreLinkageValueRequestMsg),
        LaRaPreLinkageValueResponse(LaRaPreLinkageValueResponseMsg),
    }
    extensible {}
}

asn_sequence! {
    /// The header of the pre-linkage value requests sent by the RA to an LA.
    pub struct RaLaPreLinkageValueRequestMsgHeader {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        pub ra_id: RaHostnameId,
        pub pca_id: PcaHostnameId,
        /// Lower bound of i for which the PLVs are requested.
        pub i_min: Uint16,
        /// Upper bound of i for which the PLVs are requested.
        pub i_max: Uint16,
    }
}

asn_sequence! {
    /// Used by the RA to request individual PLVs from an LA. Constraint:
    /// `numberOfFreshInd PRESENT | continuationsInd PRESENT` (at least one present).
    pub struct RaLaIndividualPreLinkageValueRequestMsg {
        pub header: RaLaPreLinkageValueRequestMsgHeader,
        pub j_max: Uint8,
        pub number_of_fresh_ind: Option<Uint32>,
        pub continuations_ind: Option<Vec<LinkageChainId>>,
    }
}

asn_sequence! {
    /// Used by the RA to request group PLVs from an LA.
    pub struct RaLaGroupPreLinkageValueRequestMsg {
        pub header: RaLaPreLinkageValueRequestMsgHeader,
        pub j_max: Uint32,
        /// The 16-bit ID of the second LA.
        pub other_la: LaId,
        /// `OCTET STRING (SIZE(4))`: the group to create or continue.
        pub group_identifier: [u8; 4],
    }
}

asn_sequence! {
    /// Used by the LA to respond to an individual or group PLV request.
    pub struct LaRaPreLinkageValueResponseMsg {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        /// Hash of the original request.
        pub request_hash: HashedId8,
        pub la_id: LaHostnameId,
        pub reply: LaRaPreLinkageValueResponseMsgReply,
    }
}

asn_choice! {
    /// The inline `reply` CHOICE of `LaRaPreLinkageValueResponseMsg`.
    pub enum LaRaPreLinkageValueResponseMsgReply {
        Success(PreLinkageValueRequestResponse),
        Failure(ScopedLaRaError),
    }
}

asn_sequence! {
    /// All requested PLV information of an LA response.
    pub struct PreLinkageValueRequestResponse {
        pub i_min: Uint16,
        pub i_max: Uint16,
        /// `SEQUENCE (SIZE (0..MAX)) OF IndividualPlvResponseLinkageChain`.
        pub individual: Vec<IndividualPlvResponseLinkageChain>,
        /// `SEQUENCE (SIZE (0..MAX)) OF GroupPlvResponseLinkageChain`.
        pub group: Vec<GroupPlvResponseLinkageChain>,
    }
    extensible {}
}

asn_sequence! {
    /// The individual PLVs of one linkage chain (outer: i, inner: j).
    pub struct IndividualPlvResponseLinkageChain {
        pub j_max: Uint8,
        pub values: Vec<Vec<EncryptedIndividualPLV>>,
        pub linkage_chain_id: LinkageChainId,
    }
}

asn_sequence! {
    /// The group PLVs of one group linkage chain (outer: i, inner: j).
    pub struct GroupPlvResponseLinkageChain {
        pub j_max: Uint32,
        pub other_la: LaId,
        pub values: Vec<Vec<EncryptedGroupPLV>>,
        /// `OCTET STRING (SIZE(4))`.
        pub group_identifier: [u8; 4],
    }
}
