//! CAMP SCMS module (to be written).
