//! IEEE 1609.2 module (to be written).
