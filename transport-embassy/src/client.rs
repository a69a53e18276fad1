//! The client: signs with the core, exchanges over a [`Connection`], retries what can be
//! retried, and corrects its clock from the server.

use embassy_time::{Duration, Instant, Timer};
use serde::Deserialize;
use tencentcloud_core::policy::{self, Backoff, Class, Outcome};
use tencentcloud_core::response::{ResponseError, envelope_error, parse_result};
use tencentcloud_core::{Body, Credential, Request, RequestError, SignedRequest, Signer};

use crate::clock::{Clock, TimeSync};
use crate::conn::{Connect, Connection, Outlined};
use crate::error::{CertError, Error};
use crate::http::{self, Reply, Waits};

/// Timeouts and retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Bound on every single network wait: each read, writing the request, and (for
    /// [`crate::net::Connector`]) DNS, TCP connect and the TLS handshake. Default 10 s.
    pub io_timeout: Duration,
    /// Bound on receiving one whole response. Default 30 s.
    pub response_timeout: Duration,
    /// How often a rate-limit answer (`RequestLimitExceeded` or one of its
    /// `RequestLimitExceeded.<Reason>` sub-codes) is retried. Default 3.
    pub rate_limit_retries: u8,
    /// The first backoff after `RequestLimitExceeded`; it doubles per retry, with jitter
    /// between half and all of it. Default 1 s.
    pub backoff: Duration,
    /// The longest backoff. Default 8 s.
    pub max_backoff: Duration,
    /// How far the device clock may be from the server's `Date` before the client switches
    /// to the server's time. Default 60 s (the API accepts 300 s of skew).
    pub clock_tolerance_secs: u64,
    /// Retry once, with the time learned from `Date`, when the API answers
    /// `AuthFailure.SignatureExpire`. Default true.
    pub retry_signature_expire: bool,
}

impl Config {
    /// The defaults.
    pub const fn new() -> Self {
        Self {
            io_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(30),
            rate_limit_retries: 3,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
            clock_tolerance_secs: 60,
            retry_signature_expire: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// Calls Tencent Cloud APIs from a device: one credential, a clock, a signing-key cache of
/// `N` entries (one per service and day; `N = 1` suits a device that calls one service).
///
/// Every call takes the caller's response buffer: the response head and body are read into
/// it (a body that does not fit is [`ResponseError::BodyTooLarge`] with the size, never a
/// truncated success), and the result may borrow from it. The unused tail of the buffer is
/// the scratch space for unescaping JSON strings. Answers bigger than the buffer are streamed
/// through it: [`Client::call_stream`] (server-sent events) and [`Client::call_into`] (a body
/// to a sink).
///
/// ```no_run
/// # async fn demo(mut connector: impl tencentcloud_transport_embassy::Connect) -> Result<(), tencentcloud_transport_embassy::Error> {
/// use tencentcloud_core::{Credential, Request};
/// use tencentcloud_transport_embassy::{Client, NoRtc};
///
/// #[derive(serde::Deserialize)]
/// struct Count {
///     #[serde(rename = "TotalCount")]
///     total: u32,
/// }
///
/// let cred = Credential::new("AKID...", "secret").expect("valid credential");
/// let mut client: Client<'_, NoRtc> = Client::new(cred, NoRtc);
/// let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", b"{\"Limit\":1}").region("ap-guangzhou");
/// let mut buf = [0u8; 4096];
/// let count: Count = client.call(&mut connector, &req, &mut buf).await?;
/// # let _ = count.total; Ok(()) }
/// ```
pub struct Client<'c, C, const N: usize = 1> {
    credential: Credential<'c>,
    clock: C,
    sync: TimeSync,
    signer: Signer<N>,
    config: Config,
    jitter: u32,
}

impl<C, const N: usize> core::fmt::Debug for Client<'_, C, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("credential", &self.credential)
            .field("time_learned", &self.sync.is_learned())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

mod stream;

pub use stream::Streamed;

/// What one attempt decided.
enum Step<T = usize> {
    /// The body is `buf[..len]` (or what a streamed call delivered).
    Done(T),
    /// Worth retrying after this delay: on the same connection if it is still reusable, else
    /// (only when the caller can reconnect) on a new one.
    Retry(Duration),
    /// Final.
    Fail(Error),
}

#[derive(Default)]
struct Retries {
    rate_limited: u8,
    expire_retried: bool,
    reconnected: bool,
}

impl<'c, C: Clock, const N: usize> Client<'c, C, N> {
    /// A client with the default [`Config`].
    pub const fn new(credential: Credential<'c>, clock: C) -> Self {
        Self::with_config(credential, clock, Config::new())
    }

    /// A client with the given timeouts and retry policy.
    pub const fn with_config(credential: Credential<'c>, clock: C, config: Config) -> Self {
        Self { credential, clock, sync: TimeSync::new(), signer: Signer::new(), config, jitter: 0x9e37_79b9 }
    }

    /// The configuration.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Replaces the credential (e.g. after rotating temporary credentials).
    pub fn set_credential(&mut self, credential: Credential<'c>) {
        self.credential = credential;
    }

    /// The clock.
    pub fn clock_mut(&mut self) -> &mut C {
        &mut self.clock
    }

    /// The time the client signs with: learned from the server's `Date` if the device clock
    /// was unknown or off, else the device clock; `None` before either is known.
    pub fn now(&mut self) -> Option<u64> {
        self.sync.now(&mut self.clock)
    }

    /// Connects with `connector` to the request's host, calls the API (retries reuse the
    /// connection while the server keeps it alive, else reconnect), closes the connection
    /// and deserializes the `Response` object into `T` (which may borrow from `buf`).
    pub async fn call<'b, T, K>(&mut self, connector: &mut K, req: &Request<'_>, buf: &'b mut [u8]) -> Result<T, Error>
    where
        T: Deserialize<'b>,
        K: Connect,
    {
        let len = self.connect_and_run(connector, req, buf).await?;
        finish(buf, len)
    }

    /// Like [`Client::call`], returning the raw `Response` body (already checked not to be an
    /// API error) instead of deserializing it.
    pub async fn call_raw<'b, K: Connect>(
        &mut self,
        connector: &mut K,
        req: &Request<'_>,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error> {
        let len = self.connect_and_run(connector, req, buf).await?;
        let buf: &'b [u8] = buf;
        Ok(buf.get(..len).unwrap_or(&[]))
    }

    /// Calls the API over a connection the caller keeps, and deserializes the `Response`
    /// object into `T` (which may borrow from `buf`). The connection is reused for as long as
    /// the server keeps it alive; check [`Connection::is_reusable`] and reconnect when it is
    /// not. [`Error::ConnectionClosed`] on a connection that already carried a response
    /// means the connection ended before any answer: the server timed it out, or anyone on
    /// the path ended it. A read-only call, or one with a `ClientToken`, may be made again on
    /// a new connection; any other may have run (the whole request was sent), and calling
    /// it again could run it twice: check its effect first (e.g. with a `Describe` call).
    pub async fn call_on<'b, T, S>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &'b mut [u8],
    ) -> Result<T, Error>
    where
        T: Deserialize<'b>,
        S: embedded_io_async::Read + embedded_io_async::Write,
    {
        let len = self.run_on(conn, req, buf).await?;
        finish(buf, len)
    }

    /// Like [`Client::call_on`], returning the raw `Response` body.
    pub async fn call_raw_on<'b, S>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error>
    where
        S: embedded_io_async::Read + embedded_io_async::Write,
    {
        let len = self.run_on(conn, req, buf).await?;
        let buf: &'b [u8] = buf;
        Ok(buf.get(..len).unwrap_or(&[]))
    }

    async fn run_on<S>(&mut self, conn: &mut Connection<S>, req: &Request<'_>, buf: &mut [u8]) -> Result<usize, Error>
    where
        S: embedded_io_async::Read + embedded_io_async::Write,
    {
        let mut retries = Retries::default();
        loop {
            // The match ends before the wait, so no `Error` is kept across it.
            let delay = match self.attempt(conn, req, buf, &mut retries, false).await {
                Step::Done(len) => return Ok(len),
                Step::Fail(error) => return Err(error),
                Step::Retry(delay) => delay,
            };
            Timer::after(delay).await;
        }
    }

    async fn connect_and_run<K: Connect>(
        &mut self,
        connector: &mut K,
        req: &Request<'_>,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        let authority = Authority::of(req)?;
        let (host, port) = authority.split();
        let mut retries = Retries::default();
        loop {
            let now = self.now();
            let mut conn = Outlined::new(connector.connect(host, port, now)).await?;
            let delay = loop {
                let delay = match self.attempt(&mut conn, req, buf, &mut retries, true).await {
                    Step::Done(len) => return Ok(len),
                    Step::Fail(error) => return Err(error),
                    Step::Retry(delay) => delay,
                };
                if !conn.is_reusable() {
                    break delay;
                }
                Timer::after(delay).await;
            };
            drop(conn); // closes it
            Timer::after(delay).await;
        }
    }

    /// One request and response on `conn`, and what to do next.
    async fn attempt<S>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &mut [u8],
        retries: &mut Retries,
        can_reconnect: bool,
    ) -> Step
    where
        S: embedded_io_async::Read + embedded_io_async::Write,
    {
        // Unknown time: sign anyway; the server's SignatureExpire answer carries its `Date`.
        let timestamp = self.now().unwrap_or(0);
        let waits = Waits { io: self.config.io_timeout, response: self.config.response_timeout };
        // Whether any of the request may have left: the stream took a byte of it.
        let mut left = false;
        // The signed request lives only while it is sent.
        let sent = match sign(&mut self.signer, req, &self.credential, timestamp) {
            Ok(signed) => Outlined::new(http::send(conn, &signed, waits.io, &mut left)).await,
            Err(e) => return Step::Fail(e.into()),
        };
        let received = match sent {
            Ok(()) => Outlined::new(http::receive(conn, buf, waits)).await,
            Err(e) => Err(e),
        };
        let reply = match received {
            Ok(reply) => reply,
            // A kept-alive connection that closed before answering: the server timed it out,
            // or anyone on the path forged the end. Closed before the stream took a byte of
            // the request, the request never left: sent again on a new connection. Once
            // (part of) it left, the server may have run it: only a call safe to repeat is.
            // (A failed exchange is not counted: `exchanges` is what it was before.)
            Err(Error::ConnectionClosed)
                if conn.exchanges() > 0 && can_reconnect && !retries.reconnected && may_send_again(req, left) =>
            {
                debug!("tencentcloud: the kept-alive connection was closed; reconnecting");
                retries.reconnected = true;
                return Step::Retry(Duration::from_ticks(0));
            }
            Err(e) => return Step::Fail(e),
        };
        self.check(conn, reply, buf, timestamp, retries, can_reconnect)
    }

    /// Checks a certificate validity left for when the time is known, then learns the time
    /// from a response whose body is `buf[..reply.body_len]` (to a request signed at
    /// `signed_at`), and classifies the response.
    #[inline(never)]
    fn check<S>(
        &mut self,
        conn: &mut Connection<S>,
        reply: Reply,
        buf: &[u8],
        signed_at: u64,
        retries: &mut Retries,
        can_reconnect: bool,
    ) -> Step {
        let server = match self.learn(conn, reply.date) {
            Ok(server) => server,
            Err(e) => return Step::Fail(e),
        };
        // A retry needs a connection: this one if the server keeps it, else a new one.
        let can_retry = conn.is_reusable() || can_reconnect;
        if reply.status != 200 {
            return Step::Fail(ResponseError::HttpStatus { status: reply.status }.into());
        }
        if !reply.json {
            return Step::Fail(ResponseError::UnexpectedContentType.into());
        }
        // Only the error is read here: the body is deserialized once, by the caller's type.
        let api_error = match envelope_error(buf.get(..reply.body_len).unwrap_or(&[])) {
            Ok(api_error) => api_error,
            Err(e) => return Step::Fail(e.into()),
        };
        let Some(api) = api_error else { return Step::Done(reply.body_len) };
        if !can_retry {
            return Step::Fail(Error::Api(api));
        }
        match policy::classify(Outcome::Api(&api.code)) {
            // Re-signing helps only if the server's time differs from the time signed with.
            Class::SignatureExpired
                if self.config.retry_signature_expire
                    && policy::resign_after_expire(
                        signed_at,
                        server,
                        self.config.clock_tolerance_secs,
                        retries.expire_retried,
                    ) =>
            {
                debug!("tencentcloud: signature expired; signing again with the server's time");
                retries.expire_retried = true;
                Step::Retry(Duration::from_ticks(0))
            }
            Class::RateLimited if retries.rate_limited < self.config.rate_limit_retries => {
                retries.rate_limited += 1;
                let delay = self.backoff(retries.rate_limited);
                debug!("tencentcloud: {}; retry {} in {} ms", api.code, retries.rate_limited, delay.as_millis());
                Step::Retry(delay)
            }
            _ => Step::Fail(Error::Api(api)),
        }
    }

    /// Checks a certificate validity left for when the time is known, then learns the time
    /// from a response's `Date`; the server's time, if the core's rule lets it be adopted.
    #[inline(always)]
    fn learn<S>(&mut self, conn: &mut Connection<S>, date: Option<u64>) -> Result<Option<u64>, Error> {
        // Measured against the device clock's own reading, never against a time learned
        // earlier.
        let device = self.clock.now_unix();
        let server = date.and_then(|date| TimeSync::candidate(date, device));
        // A certificate accepted while the time was unknown is checked now, against the time
        // about to be adopted: a server refused here never sets the clock.
        match server.or_else(|| self.now()) {
            Some(now) => conn.check_validity(now)?,
            None if conn.has_unchecked_validity() => return Err(CertError::ValidityUnknown.into()),
            None => {}
        }
        if let Some(server) = server {
            self.sync.adopt(server, device, &mut self.clock, self.config.clock_tolerance_secs);
        }
        Ok(server)
    }

    /// The policy's jittered backoff before rate-limit retry number `retry` (from 1).
    fn backoff(&mut self, retry: u8) -> Duration {
        // xorshift32, seeded from the monotonic clock: spreads devices that retry together.
        let mut x = self.jitter ^ (Instant::now().as_ticks() as u32);
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.jitter = x;
        let backoff = Backoff { base: self.config.backoff.as_ticks(), max: self.config.max_backoff.as_ticks() };
        Duration::from_ticks(backoff.delay(u32::from(retry), x))
    }
}

/// Signs `req` (kept out of the async state machine: a smaller image).
#[inline(never)]
fn sign<'r, const N: usize>(
    signer: &mut Signer<N>,
    req: &Request<'r>,
    credential: &Credential<'r>,
    timestamp: u64,
) -> Result<SignedRequest<'r>, tencentcloud_core::Error> {
    signer.sign(req, credential, timestamp)
}

/// Whether a request that met a closed connection may be sent again on a new one, by core's
/// policy: a request none of which left (`left`: the stream took a byte of it) is
/// `Class::NotSent`, retried whatever the call; one that may have left is
/// `Class::Interrupted`, retried only if the call is safe to repeat (the classes
/// `policy::classify` gives `Outcome::NotSent` and `Outcome::Interrupted`).
#[inline(never)]
fn may_send_again(req: &Request<'_>, left: bool) -> bool {
    // (Written per class so that a request that never left skips the idempotency scan.)
    if left { Class::Interrupted.may_retry(idempotent(req)) } else { Class::NotSent.may_retry(false) }
}

/// Whether a call is safe to repeat when it may have run (core's `Class::may_retry`): a
/// read-only action ([`policy::is_read_only_action`]), or a JSON body carrying a non-empty
/// `ClientToken` (as transport-std checks it). A query string's `ClientToken` is not
/// looked for (flash): such a call is taken as a write, never repeated.
fn idempotent(req: &Request<'_>) -> bool {
    policy::is_read_only_action(req.action())
        || match req.body() {
            Body::Json(json) => json_has_client_token(json),
            _ => false,
        }
}

/// Whether the top level of a JSON object has a `ClientToken` member (its key written
/// without escapes) that is neither `null` nor an empty string, and no other one that is.
/// A scan, not a parser: anything unexpected counts as no token (the call is then not
/// repeated; a body that is not JSON is refused by the API before it runs anything).
fn json_has_client_token(json: &[u8]) -> bool {
    let skip_ws = |mut i: usize| {
        while matches!(json.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    };
    let (mut depth, mut i, mut found) = (0u32, 0, false);
    while let Some(&b) = json.get(i) {
        match b {
            b'"' => {
                // The string's end: the next quote not escaped.
                let start = i;
                loop {
                    i += 1;
                    match json.get(i) {
                        Some(b'\\') => i += 1,
                        Some(b'"') => break,
                        Some(_) => {}
                        None => return false,
                    }
                }
                let colon = skip_ws(i + 1);
                // A key (a string value is followed by `,`, `}` or `]`) at the top level.
                if depth == 1 && json.get(start..=i) == Some(b"\"ClientToken\"") && json.get(colon) == Some(&b':') {
                    let value = skip_ws(colon + 1);
                    match json.get(value) {
                        None | Some(b'n') => return false,
                        Some(b'"') if json.get(value + 1) == Some(&b'"') => return false,
                        _ => found = true,
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    found
}

/// Deserializes the `Response` object of the body at `buf[..len]`.
fn finish<'b, T: Deserialize<'b>>(buf: &'b mut [u8], len: usize) -> Result<T, Error> {
    let (body, scratch) = buf.split_at_mut(len.min(buf.len()));
    let body: &'b [u8] = body;
    parse_result::<T>(body, scratch)?.map_err(Error::Api)
}

/// `host[:port]` of a request, in one piece.
struct Authority {
    text: heapless::String<256>,
}

impl Authority {
    fn of(req: &Request<'_>) -> Result<Self, Error> {
        let mut text = heapless::String::new();
        for part in req.host_parts() {
            text.push_str(part).map_err(|_| invalid_host())?;
        }
        Ok(Self { text })
    }

    /// The host and the port, if one is given. (IPv6 literals are not supported: the
    /// connector resolves A records.)
    fn split(&self) -> (&str, Option<u16>) {
        let s = self.text.as_str();
        if let Some(colon) = s.bytes().position(|b| b == b':')
            && let (Some(host), Some(port)) = (s.get(..colon), s.as_bytes().get(colon + 1..).and_then(port_number))
        {
            return (host, Some(port));
        }
        (s, None)
    }
}

/// A port: decimal digits only, at most 65535.
fn port_number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() {
        return None;
    }
    digits
        .iter()
        .try_fold(0u16, |n, &d| n.checked_mul(10)?.checked_add(d.is_ascii_digit().then(|| u16::from(d - b'0'))?))
}

fn invalid_host() -> Error {
    Error::Request(tencentcloud_core::Error::Request(RequestError::InvalidName("host")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classes `may_send_again` decides with are the policy's for these outcomes.
    #[test]
    fn a_closed_connection_follows_the_policy() {
        assert_eq!(policy::classify(Outcome::NotSent), Class::NotSent);
        assert_eq!(policy::classify(Outcome::Interrupted), Class::Interrupted);
        let write = Request::post_json("cvm", "v", "RunInstances", b"{}");
        let read = Request::post_json("cvm", "v", "DescribeInstances", b"{}");
        let token = Request::post_json("cvm", "v", "RunInstances", br#"{"ClientToken":"t"}"#);
        // (request, may be sent again when none of it left, when it may have)
        for (req, never_left, left) in [(&write, true, false), (&read, true, true), (&token, true, true)] {
            assert_eq!(may_send_again(req, false), never_left, "{}", req.action());
            assert_eq!(may_send_again(req, true), left, "{}", req.action());
        }
    }

    #[test]
    fn read_only_actions() {
        for (action, read_only) in [
            ("DescribeInstances", true),
            ("Describe", true),
            ("GetSecretValue", true),
            ("ListKeys", true),
            ("QueryTask", true),
            ("InquiryPriceRunInstances", true),
            ("RunInstances", false),
            ("Describer", false),
            ("Getaway", false),
            ("describeInstances", false),
            ("TerminateInstances", false),
            ("", false),
        ] {
            let req = Request::post_json("cvm", "v", action, b"{}");
            assert_eq!(idempotent(&req), read_only, "{action}");
        }
    }

    #[test]
    fn client_tokens() {
        let cases: &[(&[u8], bool)] = &[
            (br#"{"ClientToken":"t-1"}"#, true),
            (br#"{ "Limit" : 1 , "ClientToken" : "t" }"#, true),
            (br#"{"A":{"B":[1,{"C":"}"}]},"ClientToken":"t"}"#, true),
            (br#"{"A":"\\","ClientToken":"t"}"#, true),
            (br#"{"ClientToken":1}"#, true),
            (br#"{"ClientToken":""}"#, false),
            (br#"{"ClientToken": null}"#, false),
            (br#"{"ClientToken":"t","ClientToken":""}"#, false),
            (br#"{"ClientToken":"#, false),
            (br#"{"ClientToken""#, false),
            (br#"{"A":{"ClientToken":"t"}}"#, false),
            (br#"{"A":["ClientToken"]}"#, false),
            (br#"{"A":"ClientToken"}"#, false),
            (br#"{"A":"\"ClientToken\":\"t\""}"#, false),
            (br#"{"Client\u0054oken":"t"}"#, false),
            (br#"{"ClientTokens":"t"}"#, false),
            (br#"["ClientToken"]"#, false),
            (br#"{"A":"unterminated"#, false),
            (b"", false),
        ];
        for &(json, token) in cases {
            assert_eq!(json_has_client_token(json), token, "{}", std::string::String::from_utf8_lossy(json));
        }
        // A query string's ClientToken is not looked for: taken as a write.
        let get = |query: &'static str| Request::get("cvm", "v", "RunInstances", query);
        assert!(!idempotent(&get("Action=RunInstances&ClientToken=t-1")));
        assert!(!idempotent(&get("ClientToken=")));
        let run = |body: &'static [u8]| Request::post_json("cvm", "v", "RunInstances", body);
        assert!(idempotent(&run(br#"{"ClientToken":"t"}"#)));
        assert!(!idempotent(&run(br#"{}"#)));
        assert!(idempotent(&Request::get("cvm", "v", "DescribeZones", "")));
    }

    #[test]
    fn authority_split() {
        let cases = [
            (Request::get("cvm", "v", "A", ""), ("cvm.tencentcloudapi.com", None)),
            (Request::get("cvm", "v", "A", "").host("localhost:8443"), ("localhost", Some(8443))),
            (Request::get("cvm", "v", "A", "").host("10.0.0.1"), ("10.0.0.1", None)),
            (Request::get("cvm", "v", "A", "").root_domain("internal.example"), ("cvm.internal.example", None)),
            (Request::get("cvm", "v", "A", "").host("localhost:65535"), ("localhost", Some(65535))),
            (Request::get("cvm", "v", "A", "").host("localhost:65536"), ("localhost:65536", None)),
            (Request::get("cvm", "v", "A", "").host("localhost:"), ("localhost:", None)),
            (Request::get("cvm", "v", "A", "").host("a:1:2"), ("a:1:2", None)),
            (Request::get("cvm", "v", "A", "").host("[::1]:443"), ("[::1]:443", None)),
        ];
        for (req, want) in cases {
            let a = Authority::of(&req).unwrap();
            assert_eq!(a.split(), want);
        }
    }
}
