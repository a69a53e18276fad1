//! The async [`Client`]: one method per kind of call, over the [`Engine`].

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tencentcloud_core::action::Action;
use tencentcloud_core::multipart::Multipart;
use tencentcloud_runtime::{FromJson, Paginated, Streaming, ToJson};

use crate::breaker::BreakerState;
use crate::builder::ClientBuilder;
use crate::engine::Engine;
use crate::error::Error;
use crate::options::CallOptions;
use crate::paginate::{Items, Pages};
use crate::prepare::{Call, PreparedBody};
use crate::profile::ClientProfile;
use crate::provider::CredentialProvider;
use crate::response::{OctetHandler, OctetOutput, SseHandler, TypedHandler, ValueHandler};
use crate::sse::{SseStream, TypedStream};
use crate::sync::lock;

/// An async Tencent Cloud API 3.0 client for every service. Cheap to clone (shared
/// connection pool, signing-key cache, clock offset and breaker).
///
/// ```no_run
/// use tencentcloud_transport_std::{Client, StaticProvider};
///
/// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
/// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
/// let zones = client.call_json("cvm", "2017-03-12", "DescribeZones", serde_json::json!({})).await?;
/// println!("{}", zones["TotalCount"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    engine: Arc<Engine>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("region", &self.engine.region).field("profile", &self.engine.profile).finish()
    }
}

impl Client {
    /// A builder with the default profile.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with the default profile.
    pub fn new(credential: impl CredentialProvider + 'static, region: impl Into<String>) -> Result<Self, Error> {
        Self::builder().credential(credential).region(region).build()
    }

    /// The default region.
    pub fn region(&self) -> Option<&str> {
        self.engine.region.as_deref()
    }

    /// The profile.
    pub fn profile(&self) -> &ClientProfile {
        &self.engine.profile
    }

    /// The learned clock offset (server minus local), in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.engine.skew.offset()
    }

    /// The region breaker's state, if the breaker is on.
    pub fn breaker_state(&self) -> Option<BreakerState> {
        self.engine.breaker.as_ref().map(|b| lock(b).state(Instant::now()))
    }

    /// Sends a typed request (any request type of the generated service crates, e.g.
    /// `tencentcloud_cvm::v20170312::DescribeInstancesRequest`) and reads its typed response.
    ///
    /// ```no_run
    /// use tencentcloud_cvm::v20170312::{DescribeInstancesRequest, Filter};
    /// use tencentcloud_transport_std::{Client, StaticProvider};
    ///
    /// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
    /// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
    /// let mut zone = Filter::default();
    /// zone.name = Some("zone".into());
    /// zone.values = Some(vec!["ap-guangzhou-3".into()]);
    /// let mut req = DescribeInstancesRequest::default();
    /// req.filters = Some(vec![zone]);
    /// req.limit = Some(10);
    /// let resp = client.send(&req).await?;
    /// for i in resp.instance_set.unwrap_or_default() {
    ///     println!("{:?} {:?}", i.instance_id, i.instance_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send<A>(&self, request: &A) -> Result<A::Response, Error>
    where
        A: Action + ToJson + Sync,
        A::Response: FromJson + Send,
    {
        self.send_with(request, &CallOptions::default()).await
    }

    /// [`Client::send`] with per-call options.
    pub async fn send_with<A>(&self, request: &A, opts: &CallOptions) -> Result<A::Response, Error>
    where
        A: Action + ToJson + Sync,
        A::Response: FromJson + Send,
    {
        let json = tencentcloud_runtime::to_string(request)
            .map_err(|e| Error::configuration(format!("cannot write the {} request: {e}", A::ACTION)))?;
        let call = Call { service: A::SERVICE, version: A::VERSION, action: A::ACTION, opts };
        let p = self.engine.prepare_json_text(call, json)?;
        self.engine.execute(p, TypedHandler::<A>::new()).await
    }

    /// The pages of a paging action (any request type implementing [`Paginated`], e.g.
    /// `DescribeInstancesRequest`), from the one `request` asks for to the end of the list:
    /// each page one [`Client::send`]. It ends at an empty page, the total reached (else a
    /// short page), no next token, or the cap ([`Pages::max_items`]); a server answering a page or a token
    /// again is an [`ErrorKind::Paging`](crate::ErrorKind) error, never a loop.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    /// use tencentcloud_transport_std::{Client, StaticProvider};
    ///
    /// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
    /// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
    /// let mut pages = client.pages(DescribeInstancesRequest::new().set_limit(100));
    /// while let Some(page) = pages.next().await {
    ///     println!("{} instances", page?.instance_set().len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<R>(&self, request: R) -> Pages<R>
    where
        R: Paginated + ToJson + Send + Sync + 'static,
        R::Response: FromJson + Send + 'static,
        R::Item: Clone + PartialEq,
    {
        Pages::new(self.clone(), request)
    }

    /// The items of [`Client::pages`], one by one; [`Items::max_items`] caps them.
    ///
    /// ```no_run
    /// use futures_util::{StreamExt, TryStreamExt};
    /// use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    /// use tencentcloud_transport_std::{Client, StaticProvider};
    ///
    /// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
    /// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
    /// let first_250: Vec<_> =
    ///     client.items(DescribeInstancesRequest::new().set_limit(100)).max_items(250).try_collect().await?;
    /// for i in &first_250 {
    ///     println!("{:?}", i.instance_id());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items<R>(&self, request: R) -> Items<R>
    where
        R: Paginated + ToJson + Send + Sync + 'static,
        R::Response: FromJson + Send + 'static,
        R::Item: Clone + PartialEq,
    {
        self.pages(request).items()
    }

    /// Calls any action with JSON parameters and returns the `Response` object
    /// (`RequestId` included).
    pub async fn call_json(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.call_json_with(service, version, action, params, &CallOptions::default()).await
    }

    /// [`Client::call_json`] with per-call options.
    pub async fn call_json_with(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        let p = self.engine.prepare_json(Call { service, version, action, opts }, params)?;
        self.engine.execute(p, ValueHandler).await
    }

    /// Calls an action with typed parameters and a typed `Response`.
    pub async fn call<Req, Resp>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        request: &Req,
    ) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.call_with(service, version, action, request, &CallOptions::default()).await
    }

    /// [`Client::call`] with per-call options.
    pub async fn call_with<Req, Resp>(
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
        self.engine.call(Call { service, version, action, opts }, request).await
    }

    /// Calls an octet-stream action: `body` as the raw payload, the parameters as
    /// headers (e.g. `("X-TC-Name", "a.bin")`). The answer is JSON or bytes.
    pub async fn call_octet_stream(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
        body: impl Into<Bytes>,
        opts: &CallOptions,
    ) -> Result<OctetOutput, Error> {
        let call = Call { service, version, action, opts };
        let mut p = self.engine.prepare_raw(call, PreparedBody::OctetStream(body.into()));
        p.headers.to_mut().extend(params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        self.engine.execute(p, OctetHandler).await
    }

    /// Calls a `multipart/form-data` action (binary fields) and returns the `Response`.
    pub async fn call_multipart(
        &self,
        service: &str,
        version: &str,
        action: &str,
        mut form: Multipart,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        let (content_type, body) = form.finish();
        let body = PreparedBody::Multipart { content_type, body: body.into() };
        let p = self.engine.prepare_raw(Call { service, version, action, opts }, body);
        self.engine.execute(p, ValueHandler).await
    }

    /// Calls a streaming action (e.g. hunyuan `ChatCompletions` with `Stream: true`) and
    /// returns its events as they arrive. An error answer instead of a stream is
    /// returned as an error; a non-streamed answer arrives as one event.
    pub async fn call_sse(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<SseStream, Error> {
        let p = self.engine.prepare_json(Call { service, version, action, opts }, params)?;
        let handler = SseHandler { idle_timeout: p.timeout, max_event: self.engine.profile.http.sse_max_event_size };
        self.engine.execute(p, handler).await
    }

    /// Calls an action that answers with server-sent events (hunyuan's `ChatCompletions`,
    /// trtc's `TextToSpeechSSE`: the generated request types implementing [`Streaming`]) and
    /// returns its events as they arrive, each read as the action's response type. Ask for the
    /// stream where the request has a `stream` member (`set_stream(true)`); a plain JSON
    /// answer arrives as one event. Attempts, retries, the deadline and API errors are as in
    /// [`Client::send`] until the stream starts; then a stall longer than the call's timeout
    /// ends it with an error.
    ///
    /// ```no_run
    /// # async fn run(client: tencentcloud_transport_std::Client) -> Result<(), tencentcloud_transport_std::Error> {
    /// use futures_util::StreamExt;
    /// use tencentcloud_lkeap::v20240522::{ChatCompletionsRequest, Message};
    /// let request = ChatCompletionsRequest::new()
    ///     .set_model("deepseek-v3")
    ///     .set_messages([Message::new().set_role("user").set_content("Hello")])
    ///     .set_stream(true);
    /// let mut events = client.stream(&request).await?;
    /// while let Some(chunk) = events.next().await {
    ///     for choice in chunk?.choices() {
    ///         print!("{}", choice.delta().and_then(|d| d.content()).unwrap_or(""));
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream<A>(&self, request: &A) -> Result<TypedStream<A::Response>, Error>
    where
        A: Streaming + ToJson + Sync,
        A::Response: FromJson,
    {
        self.stream_with(request, &CallOptions::default()).await
    }

    /// [`Client::stream`] with per-call options.
    pub async fn stream_with<A>(&self, request: &A, opts: &CallOptions) -> Result<TypedStream<A::Response>, Error>
    where
        A: Streaming + ToJson + Sync,
        A::Response: FromJson,
    {
        let json = tencentcloud_runtime::to_string(request)
            .map_err(|e| Error::configuration(format!("cannot write the {} request: {e}", A::ACTION)))?;
        let call = Call { service: A::SERVICE, version: A::VERSION, action: A::ACTION, opts };
        let p = self.engine.prepare_json_text(call, json)?;
        let handler = SseHandler { idle_timeout: p.timeout, max_event: self.engine.profile.http.sse_max_event_size };
        Ok(TypedStream::new(self.engine.execute(p, handler).await?))
    }

    pub(crate) fn from_engine(engine: Engine) -> Self {
        Self { engine: Arc::new(engine) }
    }
}
