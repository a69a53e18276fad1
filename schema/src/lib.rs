//! The Tencent Cloud API schema as data: every service, API version and action of the pinned
//! official specs, with parameter types, required flags, one-line docs, the output shape and the
//! documented examples.
//!
//! Written by `tencentcloud-codegen schema` (one gzip-compressed JSON document per service,
//! embedded in the binary); a service is decompressed the first time it is looked up, so using
//! the crate costs nothing at start-up. The emulator answers and validates requests with it, and
//! `tcloud` validates parameters, prints help and completes names with it.
//!
//! ```
//! let cvm = tencentcloud_schema::service("cvm")?.expect("cvm is in the pinned specs");
//! let v = cvm.latest();
//! assert_eq!(v.version, "2017-03-12");
//! let action = v.action("DescribeInstances").unwrap();
//! assert!(action.input().iter().any(|m| m.name == "Filters"));
//! let bad = serde_json::json!({"Limit": "one"});
//! assert_eq!(action.validate(&bad).unwrap_err().code(), "InvalidParameterValue");
//! # Ok::<(), tencentcloud_schema::SchemaError>(())
//! ```

use std::fmt;
use std::io::Read;
use std::sync::OnceLock;

#[cfg(feature = "data")]
mod data;
pub mod form;
pub mod model;
mod validate;

pub use model::{Action, Example, Member, Scalar, Service, Status, Type, Version};
pub use validate::{Problem, Violation};

/// Largest decompressed size of one service's data; a larger document is refused as corrupt.
const MAX_SERVICE_BYTES: u64 = 64 * 1024 * 1024;

/// A service's embedded data: its name and versions (readable without decompressing) and the
/// compressed document.
#[derive(Debug)]
pub struct Entry {
    name: &'static str,
    versions: &'static [&'static str],
    compressed: &'static [u8],
    decoded: OnceLock<Result<Service, SchemaError>>,
}

impl Entry {
    #[cfg_attr(not(feature = "data"), allow(dead_code))]
    pub(crate) const fn new(name: &'static str, versions: &'static [&'static str], compressed: &'static [u8]) -> Self {
        Entry { name, versions, compressed, decoded: OnceLock::new() }
    }

    /// Short name (`cvm`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// API versions, oldest first.
    pub fn versions(&self) -> &'static [&'static str] {
        self.versions
    }

    /// Size of the embedded compressed document in bytes.
    pub fn compressed_len(&self) -> usize {
        self.compressed.len()
    }

    /// The full service, decompressed on first use.
    pub fn load(&self) -> Result<&Service, SchemaError> {
        self.decoded.get_or_init(|| decode(self.name, self.compressed)).as_ref().map_err(Clone::clone)
    }
}

fn decode(name: &str, compressed: &[u8]) -> Result<Service, SchemaError> {
    let corrupt = |why: String| SchemaError { service: name.to_owned(), reason: why };
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(compressed)
        .take(MAX_SERVICE_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| corrupt(format!("cannot decompress: {e}")))?;
    if text.len() as u64 > MAX_SERVICE_BYTES {
        return Err(corrupt(format!("larger than {MAX_SERVICE_BYTES} bytes")));
    }
    serde_json::from_slice(&text).map_err(|e| corrupt(format!("cannot read: {e}")))
}

/// The embedded data of a service could not be read (never the case for data the generator
/// wrote; the tests read every service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The service.
    pub service: String,
    /// What went wrong.
    pub reason: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "schema data of service {}: {}", self.service, self.reason)
    }
}

impl std::error::Error for SchemaError {}

/// Every service, sorted by name (none without the `data` feature).
pub fn services() -> &'static [Entry] {
    #[cfg(feature = "data")]
    return &data::SERVICES;
    #[cfg(not(feature = "data"))]
    return &[];
}

/// The service named `name` (`cvm`; the autoscaling service is `as`), decompressed on first use.
pub fn service(name: &str) -> Result<Option<&'static Service>, SchemaError> {
    let all = services();
    match all.binary_search_by(|e| e.name.cmp(name)) {
        Ok(i) => all[i].load().map(Some),
        Err(_) => Ok(None),
    }
}

impl Service {
    /// The latest API version.
    pub fn latest(&self) -> &Version {
        // The generator never writes a service without versions.
        &self.versions[self.versions.len() - 1]
    }

    /// The version `version` (`2017-03-12`).
    pub fn version(&self, version: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.version == version)
    }
}

impl Version {
    /// The action named `name`.
    pub fn action(&self, name: &str) -> Option<ActionRef<'_>> {
        self.actions.get_key_value(name).map(|(name, action)| ActionRef { version: self, name, action })
    }

    /// Every action, by name.
    pub fn actions(&self) -> impl Iterator<Item = ActionRef<'_>> {
        self.actions.iter().map(|(name, action)| ActionRef { version: self, name, action })
    }

    /// The members of the object `name`.
    pub fn object(&self, name: &str) -> Option<&[Member]> {
        self.objects.get(name).map(Vec::as_slice)
    }
}

/// An action together with the version it belongs to (to resolve its objects).
#[derive(Debug, Clone, Copy)]
pub struct ActionRef<'a> {
    /// The version defining the action.
    pub version: &'a Version,
    /// The action's name.
    pub name: &'a str,
    /// The action.
    pub action: &'a Action,
}

impl<'a> ActionRef<'a> {
    /// The request parameters.
    pub fn input(&self) -> &'a [Member] {
        self.version.object(&self.action.input).unwrap_or(&[])
    }

    /// The members of the `Response` object (`RequestId` included).
    pub fn output(&self) -> &'a [Member] {
        self.version.object(&self.action.output).unwrap_or(&[])
    }

    /// The documented examples.
    pub fn examples(&self) -> &'a [Example] {
        &self.action.examples
    }

    /// Checks request parameters (a JSON object; the query form unflattened) against the input
    /// shape: the first unknown, mistyped or missing parameter, with its path. Never stricter
    /// than the documented examples: what one of them does too is let through (see [`check`]).
    ///
    /// [`check`]: ActionRef::check
    pub fn validate(&self, params: &serde_json::Value) -> Result<(), Violation> {
        self.check(params).map(|_| ())
    }

    /// Like [`validate`](ActionRef::validate), with the warnings: the violations a documented
    /// example of the action makes as well (same kind, same path, list indices aside), e.g. a
    /// nested member marked required that the official example leaves out. Where the spec and
    /// its example disagree, the request is sent as the example shows, with a warning.
    pub fn check(&self, params: &serde_json::Value) -> Result<Vec<Violation>, Violation> {
        validate::check(self.version, self.input(), params, self.examples())
    }
}
