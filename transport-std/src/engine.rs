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

use crate::breaker::{Breaker, Outcome as BreakerOutcome, TicketGuard};
use crate::endpoint::{Route, Targets, parse_endpoint};
use crate::error::{Error, ErrorKind};
use crate::http::{HeaderValue, HttpRequest, HttpSend, ReqwestSend, Sender};
use crate::prepare::{Call, Prepared, PreparedBody};
use crate::profile::ClientProfile;
use crate::provider::{CredentialProvider, Credentials};
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
    /// Shared with the credential cache of an STS provider built around this engine.
    pub(crate) skew: Arc<ClockSkew>,
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
        if profile.deadline.is_zero() {
            return Err(Error::configuration("the call deadline must not be zero"));
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
            skew: Arc::default(),
            breaker,
        })
    }

    /// Shares `skew` (the clock offset) with whoever else holds it.
    pub(crate) fn with_skew(mut self, skew: Arc<ClockSkew>) -> Self {
        self.skew = skew;
        self
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

    /// Runs a call: attempts, retries, breaker, clock-skew correction, logging, all
    /// within the call's deadline.
    ///
    /// The deadline bounds every wait of the call (the credential, each attempt, each
    /// backoff) rather than wrapping the call in a timer of its own: an attempt waits on
    /// one timer, at its own time limit or the deadline, whichever comes first.
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
        let limit = Deadline::after(p.deadline);
        let started = Instant::now();
        self.execute_in_span(p, handler, &span, started, limit).instrument(span.clone()).await
    }

    async fn execute_in_span<H: Handler>(
        &self,
        p: Prepared<'_>,
        handler: H,
        span: &tracing::Span,
        started: Instant,
        limit: Deadline,
    ) -> Result<H::Output, Error> {
        let passed = || {
            let err = Error::deadline(limit.after);
            tracing::debug!(error = %err, "call failed");
            finish(span, started, None, None);
            Err(err)
        };
        let mut counted = 0u32; // attempts that count against the retry policy
        let mut attempt = 0u32;
        let mut skew_corrected = false;
        let mut credential_refreshed = false;
        loop {
            attempt += 1;
            counted += 1;
            let Some(Attempt { result, date, signed_at, credential }) =
                self.attempt(&p, &handler, attempt, limit).await
            else {
                return passed();
            };
            let err = match result {
                Ok((out, request_id)) => {
                    finish(span, started, Some(attempt), request_id.as_deref());
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
                self.learn_offset(offset);
                skew_corrected = true;
                counted -= 1;
                continue;
            }
            if self.credential_rejected(&err, credential.as_deref(), credential_refreshed) {
                tracing::warn!(error = %err, "the temporary credential was refused: refreshing it and retrying once");
                credential_refreshed = true;
                counted -= 1;
                continue;
            }
            if let Some(delay) = self.profile.retry.next_delay(&err, p.idempotent, counted) {
                tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying");
                let wake = tokio::time::Instant::now().checked_add(delay);
                match wake.filter(|&w| w < limit.at) {
                    Some(w) => tokio::time::sleep_until(w).await,
                    None => {
                        tokio::time::sleep_until(limit.at).await;
                        return passed();
                    }
                }
                continue;
            }
            finish(span, started, Some(attempt), err.request_id());
            tracing::debug!(error = %err, "call failed");
            return Err(err);
        }
    }

    /// Keeps an offset core's policy adopted, and tells the credential provider (whose
    /// credentials expire at the server's times).
    fn learn_offset(&self, offset: i64) {
        self.skew.set(offset);
        if let Some(provider) = &self.credential {
            provider.observe_clock_offset(offset);
        }
    }

    /// Whether core's refused-credential rule ([`policy::refresh_credential`]) applies to
    /// `err` and the temporary credential `used`, and the provider dropped it, so that one
    /// more attempt gets a fresh one.
    fn credential_rejected(&self, err: &Error, used: Option<&Credentials>, already: bool) -> bool {
        let (Some(provider), Some(used), Some(code)) = (&self.credential, used, err.api_code()) else { return false };
        policy::refresh_credential(code, used.expires_at().is_some(), already) && provider.credential_rejected(used)
    }

    /// One attempt: the credential, then the breaker's ticket (held only while the request
    /// is signed and sent, and reported even if this future is dropped), the signed
    /// request, and the answer within the attempt's time limit; `None` when the call's
    /// deadline passed first (the ticket then reports nothing).
    async fn attempt<H: Handler>(
        &self,
        p: &Prepared<'_>,
        handler: &H,
        n: u32,
        limit: Deadline,
    ) -> Option<Attempt<H::Output>> {
        let failed = |e, credential| Some(Attempt { result: Err(e), date: None, signed_at: 0, credential });
        let credential = match self.credential_for(p, limit).await? {
            Ok(c) => c,
            Err(e) => return failed(e, None),
        };
        let mut ticket = match (&self.breaker, &p.endpoint) {
            (Some(b), None) => Some(TicketGuard::take(b, p.timeout)),
            _ => None,
        };
        let backup = ticket.as_ref().is_some_and(TicketGuard::backup);
        let span = tracing::debug_span!("attempt", attempt = n, backup);
        let (request, signed_at) = match span.in_scope(|| self.sign_attempt(p, backup, credential.as_deref())) {
            Ok(r) => r,
            Err(e) => {
                if let Some(t) = &mut ticket {
                    t.report(BreakerOutcome::Ignore);
                }
                return failed(e, credential);
            }
        };
        let (result, date) = self.exchange(p, handler, request, limit).instrument(span).await?;
        if let Some(t) = &mut ticket {
            t.report(breaker_outcome(&result));
        }
        Some(Attempt { result, date, signed_at, credential })
    }

    /// Sends a signed request and reads the answer, within the attempt's time limit;
    /// with the answer's `Date` header. `None` when the call's deadline passed first.
    async fn exchange<H: Handler>(
        &self,
        p: &Prepared<'_>,
        handler: &H,
        request: HttpRequest,
        limit: Deadline,
    ) -> Option<(Result<(H::Output, Option<String>), Error>, Option<HeaderValue>)> {
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
        // One timer: the attempt's limit, unless the call's deadline comes first.
        let own = tokio::time::Instant::now().checked_add(p.timeout).filter(|&t| t <= limit.at);
        match tokio::time::timeout_at(own.unwrap_or(limit.at), exchange).await {
            Ok(result) => Some((result, date)),
            Err(_) if own.is_some() => Some((Err(Error::timeout(p.timeout)), None)),
            Err(_) => None,
        }
    }

    /// The credential of an attempt (`None` for unsigned calls): at hand it is shared,
    /// not copied; else it is awaited (within the call's deadline).
    /// `None` when the call's deadline passed while waiting.
    async fn credential_for(
        &self,
        p: &Prepared<'_>,
        limit: Deadline,
    ) -> Option<Result<Option<Arc<Credentials>>, Error>> {
        Some(match (p.signing.needs_credential(), &self.credential) {
            (true, Some(provider)) => match provider.credential_now() {
                Some(c) => Ok(Some(c)),
                None => match tokio::time::timeout_at(limit.at, provider.credential()).await.ok()? {
                    Ok(c) => Ok(Some(Arc::new(c))),
                    Err(e) => Err(e),
                },
            },
            (true, None) => Err(Error::configuration("this client makes unsigned calls only")),
            (false, _) => Ok(None),
        })
    }

    /// The signed request and the time it was signed with (taken once the credential is
    /// at hand: waiting for a refresh must not age the signature).
    fn sign_attempt(
        &self,
        p: &Prepared<'_>,
        backup: bool,
        cred: Option<&Credentials>,
    ) -> Result<(HttpRequest, u64), Error> {
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
        let timestamp = self.skew.now();
        let signing = Signing { signer: &self.signer, profile: &self.profile, fixed: &self.fixed };
        Ok((signing::sign(&signing, p, &target, cred, timestamp)?, timestamp))
    }
}

/// A call's deadline: its length and when it passes.
#[derive(Clone, Copy)]
struct Deadline {
    after: std::time::Duration,
    at: tokio::time::Instant,
}

impl Deadline {
    /// The deadline `after` from now (about thirty years away when that overflows, as
    /// `tokio::time::timeout` does).
    fn after(after: std::time::Duration) -> Self {
        let now = tokio::time::Instant::now();
        let far = || now + std::time::Duration::from_secs(86_400 * 365 * 30);
        Self { after, at: now.checked_add(after).unwrap_or_else(far) }
    }
}

/// How one attempt ended: the answer or error, the answer's `Date`, the time signed with
/// and the credential signed with (for the clock-skew and credential rules).
struct Attempt<T> {
    result: Result<(T, Option<String>), Error>,
    date: Option<HeaderValue>,
    signed_at: u64,
    credential: Option<Arc<Credentials>>,
}

/// How an attempt went, for the breaker.
fn breaker_outcome<T>(result: &Result<T, Error>) -> BreakerOutcome {
    let Err(e) = result else { return BreakerOutcome::Success };
    match e.kind() {
        ErrorKind::Api { code, .. } if code == policy::code::INTERNAL_ERROR => BreakerOutcome::Failure,
        ErrorKind::Api { .. } => BreakerOutcome::Success,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Decode => BreakerOutcome::Failure,
        ErrorKind::HttpStatus { status } if *status >= 500 => BreakerOutcome::Failure,
        ErrorKind::HttpStatus { .. } => BreakerOutcome::Success,
        _ => BreakerOutcome::Ignore,
    }
}

fn finish(span: &tracing::Span, started: Instant, attempts: Option<u32>, request_id: Option<&str>) {
    if span.is_disabled() {
        return;
    }
    if let Some(n) = attempts {
        span.record("attempts", n);
    }
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
}
