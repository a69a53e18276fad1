//! # tencentcloud-core
//!
//! Sans-I/O building blocks for the Tencent Cloud API 3.0: TC3-HMAC-SHA256 signing,
//! signed HTTP/1.1 request bytes, and bounded incremental response parsing.
//!
//! The crate is `#![no_std]` and makes no heap allocation unless the `alloc` feature
//! asks for one. It never reads a clock and never does I/O: the caller passes the
//! unix time, the buffers and the bytes it received.
//!
//! ```
//! use tencentcloud_core::{Credential, Request, Signer};
//!
//! let cred = Credential::new("AKIDEXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let body = br#"{"Limit": 1}"#;
//! let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", body)
//!     .region("ap-guangzhou");
//! let signed = Signer::<1>::new().sign(&req, &cred, 1551113065)?;
//!
//! let mut buf = [0u8; 1024];
//! let n = signed.write_http1(&mut buf)?;
//! assert!(buf[..n].starts_with(b"POST / HTTP/1.1\r\nHost: cvm.tencentcloudapi.com\r\n"));
//! # Ok::<(), tencentcloud_core::Error>(())
//! ```
//!
//! ## Features
//! - `alloc`: nested GET query flattening, multipart bodies, owned inspection strings,
//!   envelope parsing with `serde_json`.
//! - `std`: the environment and profile-file credential providers (implies `alloc`).
//! - `legacy-v1`: the legacy HmacSHA1 / HmacSHA256 signature.
//! - `defmt` / `log`: log through one of these facades (trace level: signing-key
//!   derivations). Both at once is a compile error for a device; on a host `log` wins.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod fmt;

pub mod action;
mod credential;
mod error;
mod hex;
mod http1;
mod key;
pub mod policy;
pub mod query;
pub mod request;
pub mod response;
pub mod secret;
pub mod sign;
pub mod time;

#[cfg(feature = "legacy-v1")]
pub mod legacy_v1;
#[cfg(feature = "alloc")]
pub mod multipart;
#[cfg(feature = "std")]
pub mod provider;

pub use credential::{Credential, InvalidCredential};
pub use error::{BufferTooSmall, Error, RequestError};
pub use request::{Body, Endpoint, Language, Method, Request};
pub use sign::{SignedRequest, Signer, SigningKeyCache};
