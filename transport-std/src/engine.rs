//! The engine under every call: per attempt it resolves the endpoint, asks the
//! credential provider, signs, sends through [`HttpSend`] and hands the answer to a
//! response handler; around the attempts it runs the retry policy, the region breaker
//! and the clock-skew correction. The [`crate::Client`] and the STS credential
//! providers both call through it.

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tencentcloud_core::{Signer, policy};
use tracing::Instrument;

use crate::breaker::{Breaker, Outcome, Ticket};
use crate::endpoint::{Route, Targets, parse_endpoint};
use crate::error::{Error, ErrorKind};
use crate::http::{HeaderValue, HttpRequest, HttpSend, ReqwestSend, Sender};
use crate::prepare::{Call, Prepared, PreparedBody};
use crate::profile::ClientProfile;
use crate::provider::CredentialProvider;
use crate::redact;
use crate::response::{Handler, JsonHandler};
use crate::signing::{self, FixedHeaders, Signing};
use crate::skew::{ClockSkew, Expired};
use crate::sync::lock;

/// Signs, sends and retries prepared calls for one profile, region and credential.
pub(crate) struct Engine {
    /// `None` for an engine that only makes unsigned calls (web identity).
    credential: Option<Arc<dyn CredentialProvider>>,
    pub(crate) region: Option<String>,
    pub(crate) profile: ClientProfile,
    http: Sender,
    signer: Mutex<Signer<8>>,
    fixed: FixedHeaders,
    targets: Targets,
    pub(crate) skew: ClockSkew,
    pub(crate) breaker: Option<Mutex<Breaker>>,
}

impl Engine {
    /// Checks the profile and builds the engine (and, without `http`, its reqwest pool).
    pub(crate) fn new(
        credential: Option<Arc<dyn CredentialProvider>>,
        region: Option<String>,
        profile: ClientProfile,
        http: Option<Arc<dyn HttpSend>>,
    ) -> Result<Self, Error> {
        let http_profile = &profile.http;
        if let Some(ep) = &http_profile.endpoint {
            parse_endpoint(ep, http_profile.scheme)?;
        }
        if let Some(gw) = &http_profile.api_gateway {
            parse_endpoint(gw, http_profile.scheme)?;
        }
        if let Some(b) = &profile.breaker {
            if b.backup_endpoint.contains("://") {
                parse_endpoint(&b.backup_endpoint, http_profile.scheme)?;
            }
            if !(0.0..=1.0).contains(&b.failure_ratio) {
                return Err(Error::configuration("breaker failure ratio must be within 0..=1"));
            }
        }
        if http_profile.timeout.is_zero() {
            return Err(Error::configuration("the request timeout must not be zero"));
        }
        let http = match http {
            Some(h) => Sender::Custom(h),
            None => Sender::Reqwest(ReqwestSend::new(http_profile)?),
        };
        let fixed = FixedHeaders::new(region.as_deref(), &profile);
        let breaker = profile.breaker.clone().map(|cfg| Mutex::new(Breaker::new(cfg, Instant::now())));
        Ok(Self {
            credential,
            region,
            profile,
            http,
            signer: Mutex::new(Signer::<8>::new()),
            fixed,
            targets: Targets::default(),
            skew: ClockSkew::default(),
            breaker,
        })
    }

    /// Calls an action with typed parameters and a typed `Response`.
    pub(crate) async fn call<Req, Resp>(&self, call: Call<'_>, request: &Req) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let params = serde_json::to_value(request)
            .map_err(|e| Error::configuration(format!("cannot serialize the request: {e}")))?;
        let p = self.prepare_json(call, params)?;
        self.execute(p, JsonHandler::<Resp>::new()).await
    }

    /// A call with JSON parameters, under this engine's profile and region.
    pub(crate) fn prepare_json<'a>(&'a self, call: Call<'a>, params: serde_json::Value) -> Result<Prepared<'a>, Error> {
        call.json(&self.profile, self.region.as_deref(), params)
    }

    /// A call with parameters already written as JSON, under this engine's profile and region.
    pub(crate) fn prepare_json_text<'a>(&'a self, call: Call<'a>, text: String) -> Result<Prepared<'a>, Error> {
        call.json_text(&self.profile, self.region.as_deref(), text)
    }

    /// A call with a body of its own, under this engine's profile and region.
    pub(crate) fn prepare_raw<'a>(&'a self, call: Call<'a>, body: PreparedBody) -> Prepared<'a> {
        call.raw(&self.profile, self.region.as_deref(), body)
    }

    /// Runs a call: attempts, retries, breaker, clock-skew correction, logging.
    pub(crate) async fn execute<H: Handler>(&self, p: Prepared<'_>, handler: H) -> Result<H::Output, Error> {
        let span = tracing::info_span!(
            "tencentcloud.call",
            service = %p.service,
            action = %p.action,
            region = p.region.unwrap_or(""),
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.execute_in_span(p, handler, span.clone()).instrument(span).await
    }

    async fn execute_in_span<H: Handler>(
        &self,
        p: Prepared<'_>,
        handler: H,
        span: tracing::Span,
    ) -> Result<H::Output, Error> {
        let started = Instant::now();
        let mut counted = 0u32; // attempts that count against the retry policy
        let mut attempt = 0u32;
        let mut skew_corrected = false;
        loop {
            attempt += 1;
            counted += 1;
            let ticket: Option<Ticket> = match (&self.breaker, &p.endpoint) {
                (Some(b), None) => Some(lock(b).before_request(Instant::now())),
                _ => None,
            };
            let backup = ticket.is_some_and(|t| t.backup);
            let attempt_span = tracing::debug_span!("attempt", attempt, backup);
            let (result, date, signed_at) = self.attempt(&p, &handler, backup).instrument(attempt_span).await;
            if let (Some(t), Some(b)) = (ticket, &self.breaker) {
                let mut b = lock(b);
                b.after_request(t, breaker_outcome(&result), Instant::now());
            }
            let err = match result {
                Ok((out, request_id)) => {
                    finish(&span, started, attempt, request_id.as_deref());
                    tracing::debug!(latency_ms = started.elapsed().as_millis() as u64, "call succeeded");
                    return Ok(out);
                }
                Err(e) => e,
            };
            let skew = Expired {
                code: err.api_code(),
                date: date.as_ref().and_then(|d| d.to_str().ok()),
                signed_at,
                already: skew_corrected,
            };
            if let Some(offset) = skew.correction(SystemTime::now()) {
                tracing::warn!(offset_secs = offset, "clock skew detected: correcting the signing time and retrying");
                self.skew.set(offset);
                skew_corrected = true;
                counted -= 1;
                continue;
            }
            if let Some(delay) = self.profile.retry.next_delay(&err, p.idempotent, counted) {
                tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            finish(&span, started, attempt, err.request_id());
            tracing::debug!(error = %err, "call failed");
            return Err(err);
        }
    }

    /// One attempt, with its `Date` response header and the time it was signed with
    /// (for the clock-skew correction).
    async fn attempt<H: Handler>(
        &self,
        p: &Prepared<'_>,
        handler: &H,
        backup: bool,
    ) -> (Result<(H::Output, Option<String>), Error>, Option<HeaderValue>, u64) {
        let (request, signed_at) = match self.sign_attempt(p, backup).await {
            Ok(r) => r,
            Err(e) => return (Err(e), None, 0),
        };
        if tracing::enabled!(target: "tencentcloud::http", tracing::Level::DEBUG) {
            tracing::debug!(
                target: "tencentcloud::http",
                method = request.method.as_str(),
                url = %redact::url(request.url.as_str()),
                headers = %redact::headers(&request.headers),
                body = %redact::body(request.header("Content-Type"), &request.body),
                "request"
            );
        }
        let mut date = None;
        let exchange = async {
            let resp = self.http.send(request).await?;
            date = resp.headers.get(http::header::DATE).cloned();
            handler.handle(resp, self.profile.http.max_response_size).await
        };
        match tokio::time::timeout(p.timeout, exchange).await {
            Ok(result) => (result, date, signed_at),
            Err(_) => (Err(Error::timeout(p.timeout)), None, signed_at),
        }
    }

    /// The signed request and the time it was signed with (taken once the credential is
    /// at hand: waiting for a refresh must not age the signature).
    async fn sign_attempt(&self, p: &Prepared<'_>, backup: bool) -> Result<(HttpRequest, u64), Error> {
        let backup_endpoint = match (backup, &self.breaker) {
            (true, Some(b)) => Some(lock(b).config().backup_endpoint.clone()),
            _ => None,
        };
        let route = match (&p.endpoint, &backup_endpoint) {
            (Some(ep), _) => Route::Override(ep),
            (None, Some(b)) => Route::Backup(b),
            (None, None) => Route::Default,
        };
        let target = self.targets.resolve(&self.profile.http, p.service, route)?;
        let cred = match (p.signing.needs_credential(), &self.credential) {
            // Credentials at hand are shared, not copied; others are awaited.
            (true, Some(provider)) => match provider.credential_now() {
                Some(c) => Some(c),
                None => Some(Arc::new(provider.credential().await?)),
            },
            (true, None) => return Err(Error::configuration("this client makes unsigned calls only")),
            (false, _) => None,
        };
        let timestamp = self.skew.now();
        let signing = Signing { signer: &self.signer, profile: &self.profile, fixed: &self.fixed };
        Ok((signing::sign(&signing, p, &target, cred.as_deref(), timestamp)?, timestamp))
    }
}

/// How an attempt went, for the breaker.
fn breaker_outcome<T>(result: &Result<T, Error>) -> Outcome {
    let Err(e) = result else { return Outcome::Success };
    match e.kind() {
        ErrorKind::Api { code, .. } if code == policy::code::INTERNAL_ERROR => Outcome::Failure,
        ErrorKind::Api { .. } => Outcome::Success,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Decode => Outcome::Failure,
        ErrorKind::HttpStatus { status } if *status >= 500 => Outcome::Failure,
        ErrorKind::HttpStatus { .. } => Outcome::Success,
        _ => Outcome::Ignore,
    }
}

fn finish(span: &tracing::Span, started: Instant, attempts: u32, request_id: Option<&str>) {
    if span.is_disabled() {
        return;
    }
    span.record("attempts", attempts);
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
}
