//! # tencentcloud-codegen
//!
//! Turns the official API specs (the `tccli` package's `services/` folder, fetched by
//! `codegen/fetch-specs.sh` into `specs/`) into one typed crate per service under
//! `services/`, the umbrella crate `umbrella/` (`tencentcloud-api`) and the corpus test's
//! dispatch table; and the schema data of `tencentcloud-schema` (the emulator's and `tcloud`'s
//! view of the API, [`schema`]). [`spec`] is the data model of the specs, reusable on its own.
//!
//! Rules, each in its module with tests: [`naming`] (snake_case fields, keywords, case
//! collisions, crate names), [`docs`] (HTML to plain text, no doctests), [`model`]
//! (direction by reachability, boxes for recursion), [`paging`] (which actions page, and
//! how), [`stream`] (which actions answer with server-sent events), [`secret`] (which members
//! `Debug` hides), [`english`] (the international edition's English docs where it has them),
//! [`emit`] (the text of every file).
pub mod docs;
pub mod emit;
pub mod english;
pub mod model;
pub mod naming;
pub mod paging;
pub mod schema;
pub mod secret;
pub mod spec;
pub mod stream;
pub mod waiter;
