//! # tencentcloud-runtime
//!
//! What every generated service crate (`tencentcloud-cvm`, ...) shares: a bounded JSON
//! reader ([`parse`] into a borrowed [`Value`] tree, numbers kept as their text) and writer
//! ([`Writer`]), the [`FromJson`] / [`ToJson`] traits the generator implements for every
//! model type, and [`decode_response`] for the `{"Response": {...}}` envelope.
//!
//! `#![no_std]` with `alloc`. The generator writes one line per field calling the
//! generic helpers here ([`ObjReader::f`], [`ObjWriter::f`]) instead of deriving serde: the
//! derives cost several times more compile time over the ~217,000 fields of all services.
//! The [`model!`] macro also gives every model `new()`, chainable `set_<field>` setters and
//! accessors named like its fields.
//!
//! Feature `serde` (turned on by the service crates' `serde` feature): `Serialize` and
//! `Deserialize` for every model through its own JSON (`serialize`, `deserialize`), so serde
//! and the models' reader and writer agree by construction: the wire names and the same
//! tolerant reading, one line per model each way instead of derives.
//!
//! ## Tolerant reading
//! The real API and its documentation disagree with the declared types, so readers accept
//! every reading that loses nothing and refuse the rest with the field path
//! (`Response.InstanceSet[3].CPU: expected an integer, found an object`):
//! - integers and floats given as numeric strings; `""` or `null` for a number, bool,
//!   list or object reads as absent (`None`);
//! - `true`/`false`, `"true"`/`"True"`/`"false"`/`"False"`, `0`/`1` for a bool;
//! - a number, bool, object or array where a string is declared keeps its exact JSON text;
//! - integers never pass through `f64`: `int64` fields are `i64`, `uint64` fields are
//!   `i128` (every `u64` and the negative values some services document fit exactly);
//! - unknown fields are ignored; members differing only by case stay apart.
//!
//! ```
//! use tencentcloud_runtime::{FromJson, Obj, ObjWriter, ToJson, Value, Writer};
//!
//! #[derive(Debug, Default, PartialEq)]
//! struct Filter { name: Option<String>, values: Option<Vec<String>>, limit: Option<i128> }
//! impl FromJson for Filter {
//!     fn from_json(v: &Value<'_>) -> tencentcloud_runtime::Result<Option<Self>> {
//!         let Some(o) = Obj::of(v)? else { return Ok(None) };
//!         Ok(Some(Self { name: o.f("Name")?, values: o.f("Values")?, limit: o.f("Limit")? }))
//!     }
//! }
//! impl ToJson for Filter {
//!     fn to_json(&self, w: &mut Writer) {
//!         let mut o = ObjWriter::new(w);
//!         o.f("Name", &self.name);
//!         o.f("Values", &self.values);
//!         o.f("Limit", &self.limit);
//!         o.end();
//!     }
//! }
//! let f: Filter = tencentcloud_runtime::from_slice(br#"{"Name":"zone","Values":["ap-1"],"Limit":"18446744073709551615","X":1}"#)?;
//! assert_eq!(f.limit, Some(18446744073709551615));
//! assert_eq!(tencentcloud_runtime::to_string(&f)?, r#"{"Name":"zone","Values":["ap-1"],"Limit":18446744073709551615}"#);
//! let err = tencentcloud_runtime::from_slice::<Filter>(br#"{"Values":["a",null]}"#).unwrap_err();
//! assert_eq!(err.to_string(), "Values[1]: null in a list");
//! # Ok::<(), tencentcloud_runtime::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
// The tests expand `model!`, whose gate names the calling crate's `full-json` feature.
#![cfg_attr(test, allow(unexpected_cfgs))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

extern crate alloc;

mod error;
mod json;
mod model;
mod paging;
mod read;
mod redact;
mod response;
#[cfg(feature = "serde")]
mod serde_impl;
mod state;
mod stream;
mod write;

pub use error::{Error, ErrorKind, Read, Result};
pub use json::{MAX_DEPTH, Value, parse, parse_with_depth};
pub use paging::{Cursor, PageError, PageNum, Pager, Paginated};
pub use read::{FromJson, Obj, ObjReader, from_slice, from_value};
pub use redact::{Redacted, redact};
pub use response::{ApiError, ResponseError, decode_response, decode_response_as};
#[cfg(feature = "serde")]
pub use serde_impl::{deserialize, serialize};
pub use state::Stateful;
pub use stream::{Streaming, decode_event};
pub use tencentcloud_core::action::Action;
pub use write::{ObjWriter, ToJson, Writer, to_string};

/// What the [`model!`] expansion names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::json::Node;
    pub use crate::read::TapeReader;
    pub use alloc::boxed::Box;
    pub use alloc::string::String;
    pub use alloc::vec::Vec;

    #[cfg(feature = "serde")]
    pub use serde;

    /// A list field as a slice, empty when absent.
    #[inline]
    pub fn slice<T>(v: &Option<Vec<T>>) -> &[T] {
        v.as_deref().unwrap_or_default()
    }

    /// The items of a list setter.
    #[inline]
    pub fn collect<T, V: Into<T>>(v: impl IntoIterator<Item = V>) -> Vec<T> {
        v.into_iter().map(Into::into).collect()
    }
}
