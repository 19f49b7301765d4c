//! scms-asn1
