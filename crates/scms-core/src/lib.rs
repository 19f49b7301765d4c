//! scms-core
