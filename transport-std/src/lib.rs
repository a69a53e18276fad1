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
//!   GET/POST, a time limit per attempt and a deadline per call, the largest answer
//!   read, pool, proxies (with `NO_PROXY`), custom CA.
//! - [`RetryPolicy`] (off by default) that never silently repeats a write, the region
//!   breaker ([`BreakerConfig`], off by default), clock-skew correction, `tracing` spans
//!   with secrets redacted, and one [`Error`] type.
//! - [`CredentialProvider`]s: [`StaticProvider`], [`EnvProvider`], [`ProfileFileProvider`],
//!   [`InstanceRoleProvider`] (CVM metadata), [`AssumeRoleProvider`] (STS),
//!   [`WebIdentityProvider`] (OIDC) and [`TkeProvider`]; [`ChainProvider::default_chain`]
//!   (environment, profile file, instance role, TKE: the client's default) which
//!   explains every provider it tried; [`CachedProvider`] refreshes temporary
//!   credentials ahead of expiry, once, however many callers wait.
//! - Feature `blocking`: [`blocking::Client`].
//!
//! ```no_run
//! use tencentcloud_transport_std::{ChainProvider, Client, ClientProfile, RetryPolicy};
//!
//! # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
//! let client = Client::builder()
//!     .credential(ChainProvider::default_chain())
//!     .region("ap-guangzhou")
//!     .profile(ClientProfile::new().retry(RetryPolicy::standard(3)))
//!     .build()?;
//! let resp = client.call_json("cvm", "2017-03-12", "DescribeInstances", serde_json::json!({"Limit": 1})).await?;
//! println!("{} instances", resp["TotalCount"]);
//! # Ok(()) }
//! ```
//!
//! ## Layers
//!
//! A module uses only the modules on its own line and the lines below it, so every
//! arrow between lines runs one way (the credential providers never reach the client):
//!
//! ```text
//! client, builder, blocking      the public calls; the builder picks the default chain
//!    |            \
//!    |          credential/      providers: static, env, profile file, instance role,
//!    |            |      \        STS AssumeRole / web identity / TKE, chain, cache
//!    v            v       \
//! engine  <-------+        |      retry loop, breaker, clock skew (STS calls go through it)
//!    |                     |
//! prepare, signing, endpoint, response    one call: encode, sign, route, read the answer
//!    |                     |
//! provider  <--------------+      Credentials + CredentialProvider (the seam between them)
//!    |                     |
//! http (HttpSend), sse  <--+      reqwest by default; the metadata service sends through it
//!    |
//! error, options, profile, retry, skew, breaker, clock, redact, proxy, sync
//! ```
//!
//! Within a line, `prepare` and `signing` go together: a prepared call names its
//! signing strategy, which `signing` carries out.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod breaker;
mod builder;
mod client;
mod clock;
mod credential;
mod endpoint;
mod engine;
mod error;
pub mod http;
mod options;
mod paginate;
mod prepare;
mod profile;
mod provider;
mod proxy;
mod redact;
mod response;
mod retry;
mod signing;
mod skew;
mod sse;
mod sync;
mod wait;

#[cfg(feature = "blocking")]
pub mod blocking;

pub use breaker::{BreakerConfig, BreakerState, DEFAULT_BACKUP_ENDPOINT};
pub use builder::ClientBuilder;
pub use client::Client;
pub use clock::Clock;
pub use credential::{
    AssumeRoleBuilder, AssumeRoleProvider, CacheConfig, CachedProvider, ChainProvider, DEFAULT_METADATA_ENDPOINT,
    DEFAULT_STS_REGION, DefaultChainBuilder, ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN, ENV_TKE_PROVIDER_ID,
    ENV_TKE_REGION, ENV_TKE_ROLE_ARN, ENV_TKE_WEB_IDENTITY_TOKEN_FILE, EnvProvider, InstanceRoleProvider,
    ProfileFileProvider, STS_VERSION, StaticProvider, TkeProvider, WebIdentityBuilder, WebIdentityProvider,
};
pub use error::{CredentialErrorKind, Error, ErrorKind};
pub use options::CallOptions;
pub use paginate::{Items, Pages};
pub use prepare::TRACE_ID_HEADER;
pub use profile::{ClientProfile, DEFAULT_DEADLINE, HttpMethod, HttpProfile, Scheme, SignMethod};
pub use provider::{CredentialFuture, CredentialProvider, Credentials};
pub use proxy::{NoProxy, ProxyConfig};
pub use response::OctetOutput;
pub use retry::{RetryPolicy, is_read_only_action};
pub use sse::{SseEvent, SseStream, TypedStream};
pub use tencentcloud_core::Language;
pub use tencentcloud_core::multipart::Multipart;
/// The environment and file system the providers read, real or in-memory fakes.
pub use tencentcloud_core::provider::{Env, Fs};
pub use tencentcloud_runtime::{PageError, Paginated, Stateful};
pub use wait::{MAX_SHOWN, WaitOptions};

/// The `Stream` trait the SSE stream implements (also `futures::Stream`).
pub use futures_core::Stream;

#[cfg(test)]
mod tests;
