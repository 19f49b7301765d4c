//! `Ieee1609Dot2EndEntityMaInterface` (ee-ma.asn): the messages between end entities
//! and the Misbehavior Authority (MA).

use crate::coer::OctetString;
use crate::ieee1609dot2::*;
use crate::{asn_choice, asn_sequence};

asn_choice! {
    /// The parent message type for messages between end entities and the MA.
    pub enum EndEntityMaInterfacePDU {
        MisbehaviorReport(MisbehaviorReportContents),
    }
    extensible {}
}

asn_sequence! {
    /// A misbehavior report sent by an end entity to the MA.
    pub struct MisbehaviorReportContents {
        /// `Uint8(1)`: version 1.
        pub version: Uint8,
        /// Placeholder, currently unused.
        pub misbehaving_device_info: Opaque,
        /// BSMs of the alleged misbehaving EE (non-OER encoded ASN.1 messages).
        pub misbehaving_device_bsms as "misbehavingDeviceBSMs": Option<OctetString>,
        /// BSMs of the reporting EE (non-OER encoded ASN.1 messages).
        pub reporter_device_bsms as "reporterDeviceBSMs": Option<OctetString>,
        /// Placeholder: non-V2V related sensor information, if available.
        pub sensor_info: Option<Opaque>,
    }
    extensible {}
}
