//! # tencentcloud-transport-embassy
//!
//! Signed Tencent Cloud API 3.0 calls from `no_std` devices, with no heap.
//!
//! Two layers:
//!
//! - [`Client`] works over any connection implementing `embedded_io_async::{Read, Write}`
//!   (the pluggable seam, [`Connection`] / [`Connect`]): it writes the request signed by
//!   `tencentcloud-core`, reads the response with the core's incremental parsers
//!   (`Content-Length` and chunked) into the caller's buffer, and returns the caller's
//!   serde type (deserialized by the core, no heap) or the API's error; answers bigger than
//!   the buffer are streamed through it (`call_stream`: server-sent events one at a time;
//!   `call_into`: a body to a sink), their whole length checked. It learns the time
//!   from the server's `Date` header (a device without a real-time clock needs nothing
//!   else), retries `AuthFailure.SignatureExpire` once with the corrected time and
//!   rate limits with backoff (the rules of `tencentcloud_core::policy`, shared with
//!   transport-std), reuses kept-alive connections, and bounds every network wait with an
//!   embassy-time timeout.
//! - [`net::Connector`] (feature `net`, on by default) is the connection this crate
//!   provides: DNS and TCP over an embassy-net `Stack`, then TLS 1.3 (embedded-tls) with
//!   the server certificate verified by [`pki::Verifier`] against the firmware's trust
//!   anchor: chain signatures, host name, validity dates, and CA constraints on
//!   intermediates. Plain HTTP exists only as an explicit opt-in for local testing (feature
//!   `insecure-plain-http`, then `Connector::insecure_plain_http`).
//!
//! Time and randomness come from the firmware through [`Clock`] and [`net::Random`].
//!
//! ## Features
//! - `net` (default): the embassy-net + embedded-tls connector and the X.509 verifier
//!   (P-256 chains, SHA-256 only: with `tencentcloud-core` the image carries one SHA-256).
//! - `rsa`: RSA chains and server keys. The `rsa` crate allocates, so the firmware needs a
//!   global allocator.
//! - `p384`: P-384 chains and server keys (adds SHA-384).
//! - `insecure-plain-http`: compiles in `Connector::insecure_plain_http` (local testing).
//! - `defmt` / `log`: log retries, reconnections and the clock learned from `Date` through
//!   one of these facades; `defmt` also implements `defmt::Format` for the errors and
//!   [`Phase`]. Both at once is a compile error for a device; on a host `log` wins.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
// `Error` carries the API's `ApiError` (code, message, request id in bounded strings) inline:
// there is no heap to box it in.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
#[macro_use]
extern crate std;

#[macro_use]
mod fmt;

mod body;
mod client;
mod clock;
mod conn;
mod error;
mod http;
#[cfg(feature = "alloc")]
mod typed;

#[cfg(feature = "net")]
pub mod net;
#[cfg(feature = "net")]
pub mod pki;

pub use client::{Client, Config, Streamed};
pub use clock::{Clock, NoRtc};
pub use conn::{Connect, Connection};
pub use error::{CertError, Error, Phase, TlsFailure};
pub use tencentcloud_core::response::{ApiError, Event, ResponseError};
#[cfg(feature = "alloc")]
pub use typed::ModelError;
