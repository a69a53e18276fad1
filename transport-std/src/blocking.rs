//! A blocking facade over the async [`crate::Client`] (feature `blocking`). It owns a
//! single-threaded tokio runtime; do not call it from inside an async runtime.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tencentcloud_core::multipart::Multipart;

use tencentcloud_runtime::{FromJson, Paginated, ToJson};

use crate::error::Error;
use crate::options::CallOptions;
use crate::paginate::{Items, Pages};
use crate::response::OctetOutput;
use crate::sse::{SseEvent, SseStream, TypedStream};
use crate::wait::WaitOptions;

/// A blocking client: the same calls as [`crate::Client`], waited for.
///
/// ```no_run
/// use tencentcloud_transport_std::{Client, StaticProvider, blocking};
///
/// let client = blocking::Client::new(Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?)?;
/// let regions = client.call_json("cvm", "2017-03-12", "DescribeRegions", serde_json::json!({}))?;
/// # drop(regions);
/// # Ok::<(), tencentcloud_transport_std::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    /// Wraps an async client with a runtime of its own.
    pub fn new(client: crate::Client) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::configuration("cannot start the tokio runtime").with_source(e))?;
        Ok(Self { inner: client, runtime: Arc::new(runtime) })
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// See [`crate::Client::call_json`].
    pub fn call_json(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.runtime.block_on(self.inner.call_json(service, version, action, params))
    }

    /// See [`crate::Client::call_json_with`].
    pub fn call_json_with(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        self.runtime.block_on(self.inner.call_json_with(service, version, action, params, opts))
    }

    /// See [`crate::Client::call`].
    pub fn call<Req, Resp>(&self, service: &str, version: &str, action: &str, request: &Req) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.runtime.block_on(self.inner.call(service, version, action, request))
    }

    /// See [`crate::Client::call_with`].
    pub fn call_with<Req, Resp>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        request: &Req,
        opts: &CallOptions,
    ) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.runtime.block_on(self.inner.call_with(service, version, action, request, opts))
    }

    /// See [`crate::Client::send`].
    pub fn send<A>(&self, request: &A) -> Result<A::Response, Error>
    where
        A: tencentcloud_core::action::Action + tencentcloud_runtime::ToJson + Sync,
        A::Response: tencentcloud_runtime::FromJson + Send,
    {
        self.runtime.block_on(self.inner.send(request))
    }

    /// See [`crate::Client::send_with`].
    pub fn send_with<A>(&self, request: &A, opts: &CallOptions) -> Result<A::Response, Error>
    where
        A: tencentcloud_core::action::Action + tencentcloud_runtime::ToJson + Sync,
        A::Response: tencentcloud_runtime::FromJson + Send,
    {
        self.runtime.block_on(self.inner.send_with(request, opts))
    }

    /// See [`crate::Client::pages`]; each page is asked for as the iterator advances.
    ///
    /// ```no_run
    /// use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    /// use tencentcloud_transport_std::{Client, StaticProvider, blocking};
    ///
    /// let client = blocking::Client::new(Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?)?;
    /// for page in client.pages(DescribeInstancesRequest::new().set_limit(100)) {
    ///     println!("{} instances", page?.instance_set().len());
    /// }
    /// # Ok::<(), tencentcloud_transport_std::Error>(())
    /// ```
    pub fn pages<R>(&self, request: R) -> BlockingIter<Pages<R>>
    where
        R: Paginated + ToJson + Send + Sync + 'static,
        R::Response: FromJson + Send + 'static,
        R::Item: Clone + PartialEq,
    {
        BlockingIter { stream: self.inner.pages(request), runtime: self.runtime.clone() }
    }

    /// See [`crate::Client::items`]; `max_items` caps them.
    ///
    /// ```no_run
    /// use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    /// use tencentcloud_transport_std::{Client, StaticProvider, blocking};
    ///
    /// let client = blocking::Client::new(Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?)?;
    /// let ids: Vec<String> = client
    ///     .items(DescribeInstancesRequest::new().set_limit(100), Some(250))
    ///     .map(|i| i.map(|i| i.instance_id().unwrap_or_default().to_owned()))
    ///     .collect::<Result<_, _>>()?;
    /// # drop(ids);
    /// # Ok::<(), tencentcloud_transport_std::Error>(())
    /// ```
    pub fn items<R>(&self, request: R, max_items: Option<u64>) -> BlockingIter<Items<R>>
    where
        R: Paginated + ToJson + Send + Sync + 'static,
        R::Response: FromJson + Send + 'static,
        R::Item: Clone + PartialEq,
    {
        let mut items = self.inner.items(request);
        if let Some(n) = max_items {
            items = items.max_items(n);
        }
        BlockingIter { stream: items, runtime: self.runtime.clone() }
    }

    /// See [`crate::Client::wait_until`].
    pub fn wait_until<A, F>(&self, request: &A, done: F, opts: &WaitOptions) -> Result<A::Response, Error>
    where
        A: tencentcloud_core::action::Action + ToJson + Sync,
        A::Response: FromJson + Send + std::fmt::Debug,
        F: FnMut(&A::Response) -> bool,
    {
        self.runtime.block_on(self.inner.wait_until(request, done, opts))
    }

    /// See [`crate::Client::wait_for_state`].
    pub fn wait_for_state<A>(&self, request: &A, state: &str, opts: &WaitOptions) -> Result<A::Response, Error>
    where
        A: tencentcloud_runtime::Stateful + ToJson + Sync,
        A::Response: FromJson + Send + std::fmt::Debug,
    {
        self.runtime.block_on(self.inner.wait_for_state(request, state, opts))
    }

    /// See [`crate::Client::call_octet_stream`].
    pub fn call_octet_stream(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
        body: impl Into<Bytes>,
        opts: &CallOptions,
    ) -> Result<OctetOutput, Error> {
        self.runtime.block_on(self.inner.call_octet_stream(service, version, action, params, body, opts))
    }

    /// See [`crate::Client::call_multipart`].
    pub fn call_multipart(
        &self,
        service: &str,
        version: &str,
        action: &str,
        form: Multipart,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        self.runtime.block_on(self.inner.call_multipart(service, version, action, form, opts))
    }

    /// See [`crate::Client::call_sse`]; the events are read as the iterator advances.
    pub fn call_sse(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<SseIter, Error> {
        let stream = self.runtime.block_on(self.inner.call_sse(service, version, action, params, opts))?;
        Ok(SseIter { stream, runtime: self.runtime.clone() })
    }
}

impl Client {
    /// See [`crate::Client::stream`]; the events are read as the iterator advances.
    pub fn stream<A>(&self, request: &A) -> Result<TypedIter<A::Response>, Error>
    where
        A: tencentcloud_runtime::Streaming + tencentcloud_runtime::ToJson + Sync,
        A::Response: tencentcloud_runtime::FromJson,
    {
        self.stream_with(request, &CallOptions::default())
    }

    /// See [`crate::Client::stream_with`].
    pub fn stream_with<A>(&self, request: &A, opts: &CallOptions) -> Result<TypedIter<A::Response>, Error>
    where
        A: tencentcloud_runtime::Streaming + tencentcloud_runtime::ToJson + Sync,
        A::Response: tencentcloud_runtime::FromJson,
    {
        let stream = self.runtime.block_on(self.inner.stream_with(request, opts))?;
        Ok(TypedIter { stream, runtime: self.runtime.clone() })
    }
}

/// A typed stream's events ([`Client::stream`]), read as the iterator advances.
#[derive(Debug)]
pub struct TypedIter<T> {
    stream: TypedStream<T>,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl<T> TypedIter<T> {
    /// The request id from the response header, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.stream.request_id()
    }
}

impl<T: tencentcloud_runtime::FromJson> Iterator for TypedIter<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}

/// A stream ([`Pages`], [`Items`]) read as the iterator advances.
pub struct BlockingIter<S> {
    stream: S,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for BlockingIter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingIter").field("stream", &self.stream).finish()
    }
}

impl<S: futures_core::Stream + Unpin> Iterator for BlockingIter<S> {
    type Item = S::Item;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}

/// Server-sent events, read as the iterator advances.
#[derive(Debug)]
pub struct SseIter {
    stream: SseStream,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl SseIter {
    /// The request id from the response header, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.stream.request_id()
    }
}

impl Iterator for SseIter {
    type Item = Result<SseEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}
