//! # tencentcloud-codegen
//!
//! Turns the official API specs (the `tccli` package's `services/` folder, fetched by
//! `codegen/fetch-specs.sh` into `specs/`) into one typed crate per service under
//! `services/`. [`spec`] is the data model of the specs, reusable on its own; [`schema`] writes
//! the compact schema data of `tencentcloud-schema` (the emulator's and `tcloud`'s view of the API).
pub mod schema;
pub mod spec;
