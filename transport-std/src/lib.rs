//! # tencentcloud-transport-std
//!
//! An async Tencent Cloud API 3.0 client on tokio + reqwest (rustls), built on the
//! sans-I/O [`tencentcloud_core`]: requests are described with its `Request`, signed
//! with its `Signer` (TC3-HMAC-SHA256, or the legacy v1 signature), and answers are
//! parsed with its envelope and SSE parsers.
//!
//! - Any service and action: [`Client::call_json`] (JSON in, the `Response` object out),
//!   typed [`Client::call`], [`Client::call_octet_stream`], [`Client::call_multipart`],
//!   and [`Client::call_sse`] (a `Stream` of server-sent events).
//! - [`ClientProfile`] / [`HttpProfile`]: sign method, language, endpoints, API gateway,
//!   GET/POST, timeouts, pool, proxies (with `NO_PROXY`), custom CA.
//! - [`RetryPolicy`] (off by default) that never silently repeats a write, the region
//!   breaker ([`BreakerConfig`], off by default), clock-skew correction, `tracing` spans
//!   with secrets redacted, and one [`Error`] type.
//! - [`CredentialProvider`]: [`StaticProvider`], [`EnvProvider`], or your own.
//! - Feature `blocking`: [`blocking::Client`].
//!
//! ```no_run
//! use tencentcloud_transport_std::{Client, ClientProfile, EnvProvider, RetryPolicy};
//!
//! # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
//! let client = Client::builder()
//!     .credential(EnvProvider::new())
//!     .region("ap-guangzhou")
//!     .profile(ClientProfile::new().retry(RetryPolicy::standard(3)))
//!     .build()?;
//! let resp = client.call_json("cvm", "2017-03-12", "DescribeInstances", serde_json::json!({"Limit": 1})).await?;
//! println!("{} instances", resp["TotalCount"]);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod breaker;
mod client;
mod credential;
mod error;
pub mod http;
mod profile;
mod proxy;
mod redact;
mod retry;
mod skew;
mod sse;

#[cfg(feature = "blocking")]
pub mod blocking;

pub use breaker::{BreakerConfig, BreakerState, DEFAULT_BACKUP_ENDPOINT};
pub use client::{CallOptions, Client, ClientBuilder, OctetOutput, TRACE_ID_HEADER};
pub use credential::{
    CredentialFuture, CredentialProvider, Credentials, ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN, EnvProvider,
    StaticProvider,
};
pub use error::{CredentialErrorKind, Error, ErrorKind};
pub use profile::{ClientProfile, HttpMethod, HttpProfile, Scheme, SignMethod};
pub use proxy::{NoProxy, ProxyConfig};
pub use retry::{RetryPolicy, is_read_only_action};
pub use sse::{SseEvent, SseStream};
pub use tencentcloud_core::Language;
pub use tencentcloud_core::multipart::Multipart;

/// The `Stream` trait the SSE stream implements (also `futures::Stream`).
pub use futures_core::Stream;

#[cfg(test)]
mod tests;
