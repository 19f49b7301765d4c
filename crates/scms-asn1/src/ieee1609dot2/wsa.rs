//! The WSA modules: `IEEE1609dot2WsaProtocol` (`1609dot2/wsa-protocol.asn`) in
//! [`protocol`] and `IEEE1609dot2WsaSsp` (`1609dot2/wsa-ssp.asn`) in [`ssp`]. Both define
//! `WsaSsp` and friends (differently), hence one submodule per ASN.1 module; neither is
//! glob re-exported by `ieee1609dot2`.

/// `IEEE1609dot2WsaProtocol` (`1609dot2/wsa-protocol.asn`). It also imports
/// `EccNistP256CurvePoint`, `EciesNistP256EncryptedKey`, `PKAlgorithm` and
/// `Time64WithStandardDeviation`, which the base types module does not define; none is used.
pub mod protocol {
    use crate::ieee1609dot2::base_types::{SequenceOfPsid, SequenceOfPsidSspRange, Uint8};
    use crate::{asn_choice, asn_enumerated, asn_sequence};

    asn_sequence! {
        /// WsaSsp: the SSP of a WSA signer: version (`Uint8(1)`) and advertiser/provider permissions.
        pub struct WsaSsp {
            pub version: Uint8,
            pub advertiser_permissions: Option<AdvertiserPermissions>,
            pub provider_permissions: Option<ProviderPermissions>,
        }
        extensible {}
    }

    /// AdvertiserPermissions ::= SEQUENCE OF ChannelIdentifier
    pub type AdvertiserPermissions = Vec<ChannelIdentifier>;

    asn_sequence! {
        /// ChannelIdentifier: country string, operating class and channel number.
        pub struct ChannelIdentifier {
            pub country_string: [u8; 3],
            pub operating_class: Uint8,
            pub channel_number: Uint8,
        }
    }

    /// ProviderPermissions ::= SEQUENCE OF ChannelSpecificProviderPermission
    pub type ProviderPermissions = Vec<ChannelSpecificProviderPermission>;

    asn_sequence! {
        /// ChannelSpecificProviderPermission: the PSIDs, SSP ranges and EDCA parameters
        /// a provider may advertise on a channel.
        pub struct ChannelSpecificProviderPermission {
            pub channel_id: ChannelIdentifier,
            pub permitted_psids: Option<SequenceOfPsid>,
            pub permitted_psid_ssp_range: Option<SequenceOfPsidSspRange>,
            pub permitted_edca_parameters: Option<SequenceOfEdcaIdentifier>,
        }
        extensible {}
    }

    asn_choice! {
        /// EdcaIdentifier: an enumerated or explicit EDCA parameter set.
        pub enum EdcaIdentifier {
            Enum(EnumeratedEdcaIdentifier),
            Explicit(ExplicitEdcaIdentifier),
        }
        extensible {}
    }

    asn_enumerated! {
        /// EnumeratedEdcaIdentifier: a named EDCA parameter set.
        pub enum EnumeratedEdcaIdentifier {
            UsJ2945Bsm as "us-j2945-bsm" = 0,
        } extensible
    }

    asn_sequence! {
        /// ExplicitEdcaIdentifier: QoS info and the four EDCA parameter records.
        pub struct ExplicitEdcaIdentifier {
            pub qos_info: Uint8,
            pub reserved: Uint8,
            pub set1: [u8; 4],
            pub set2: [u8; 4],
            pub set3: [u8; 4],
            pub set4: [u8; 4],
        }
    }

    /// SequenceOfEdcaIdentifier ::= SEQUENCE OF EdcaIdentifier
    pub type SequenceOfEdcaIdentifier = Vec<EdcaIdentifier>;
}

/// `IEEE1609dot2WsaSsp` (`1609dot2/wsa-ssp.asn`).
pub mod ssp {
    use crate::ieee1609dot2::base_types::{SequenceOfPsid, Uint8};
    use crate::{asn_choice, asn_enumerated, asn_sequence};

    asn_sequence! {
        /// WsaSsp: the SSP of a WSA signer: version (`Uint8(1)`) and advertiser/provider permissions.
        pub struct WsaSsp {
            pub version: Uint8,
            pub advertiser_permissions: Option<AdvertiserPermissions>,
            pub provider_permissions: Option<ProviderPermissions>,
        }
        extensible {}
    }

    /// AdvertiserPermissions ::= SEQUENCE OF ChannelIdentifier
    pub type AdvertiserPermissions = Vec<ChannelIdentifier>;

    asn_sequence! {
        /// ChannelIdentifier: country string, operating class and channel number.
        pub struct ChannelIdentifier {
            pub country_string: [u8; 3],
            pub operating_class: Uint8,
            pub channel_number: Uint8,
        }
    }

    /// ProviderPermissions ::= SEQUENCE OF ChannelSpecificProviderPermission
    pub type ProviderPermissions = Vec<ChannelSpecificProviderPermission>;

    asn_sequence! {
        /// ChannelSpecificProviderPermission: the PSIDs, EDCA parameters and maximum
        /// transmit power a provider may use on a channel.
        pub struct ChannelSpecificProviderPermission {
            pub channel_id: ChannelIdentifier,
            pub permitted_psids: Option<SequenceOfPsid>,
            pub permitted_edca_parameters: Option<SequenceOfEdcaIdentifier>,
            pub maximum_transmit_power: Option<Uint8>,
        }
        extensible {}
    }

    asn_choice! {
        /// EdcaIdentifier: an enumerated or explicit EDCA parameter set.
        pub enum EdcaIdentifier {
            Enum(EnumeratedEdcaIdentifier),
            Explicit(ExplicitEdcaIdentifier),
        }
        extensible {}
    }

    asn_enumerated! {
        /// EnumeratedEdcaIdentifier: a named EDCA parameter set.
        pub enum EnumeratedEdcaIdentifier {
            UsJ2945Bsm as "us-j2945-bsm" = 0,
        } extensible
    }

    asn_sequence! {
        /// ExplicitEdcaIdentifier: QoS info and the four EDCA parameter records.
        pub struct ExplicitEdcaIdentifier {
            pub qos_info: Uint8,
            pub reserved: Uint8,
            pub set1: [u8; 4],
            pub set2: [u8; 4],
            pub set3: [u8; 4],
            pub set4: [u8; 4],
        }
    }

    /// SequenceOfEdcaIdentifier ::= SEQUENCE OF EdcaIdentifier
    pub type SequenceOfEdcaIdentifier = Vec<EdcaIdentifier>;
}
