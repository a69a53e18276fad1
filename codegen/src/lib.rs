//! # tencentcloud-codegen
//!
//! Turns the official API specs (the `tccli` package's `services/` folder, fetched by
//! `codegen/fetch-specs.sh` into `specs/`) into one typed crate per service under
//! `services/`. [`spec`] is the data model of the specs, reusable on its own.
pub mod spec;
