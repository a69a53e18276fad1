//! Answers bigger than the buffer: server-sent events handed to the caller one at a time,
//! and bodies written to the caller's sink a buffer at a time.
//!
//! An answer that fits the buffer whole and is not a stream is checked like any other (an
//! API error is an error, and retried by the same rules); a stream is delivered as it
//! arrives, after the server's `Date` was learned and the certificate's dates checked. Once
//! a byte reached the caller the call is never sent again: any later failure is final.

use embassy_time::Timer;
use embedded_io::Error as _;
use embedded_io_async::{Read, Write};
use tencentcloud_core::Request;
use tencentcloud_core::response::{Event, ResponseError, SseParser, parse_event_data};

use super::{Authority, Client, Retries, Step, may_send_again, sign};
use crate::body::{self, BodyStream, Head, WINDOW};
use crate::clock::Clock;
use crate::conn::{Connect, Connection, Outlined};
use crate::error::{Error, Fault};
use crate::http::{self, Reply, Waits};

/// What [`Client::call_stream`] received.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streamed {
    /// Events handed to the caller.
    pub events: u32,
    /// Bytes of the body (de-chunked), the whole of it.
    pub bytes: u64,
}

/// Where a streamed answer goes.
trait Deliver {
    type Out;
    /// How delivering fails: a sink's failure is a small [`Fault`], kept small on the body's
    /// read path.
    type Fail: Into<Error>;
    /// Whether a `200` body found larger than the buffer is streamed (else it is
    /// [`ResponseError::BodyTooLarge`]).
    const SPILLS: bool;
    /// Whether a `200` answer with this head is delivered as a stream from its start (else
    /// it is read whole into the buffer first).
    fn streams(&self, head: &Head, body: &BodyStream, capacity: usize) -> bool;
    /// A `200` answer read whole (`body`), already checked not to be an API error if JSON.
    async fn whole(&mut self, body: &[u8]) -> Result<Self::Out, Self::Fail>;
    /// The stream: the first `pending` body bytes are at the start of `buf`, the rest
    /// comes from `body`.
    async fn stream<S: Read>(
        &mut self,
        io: &mut S,
        body: &mut BodyStream,
        buf: &mut [u8],
        pending: usize,
    ) -> Result<Self::Out, Self::Fail>;
}

/// Server-sent events to a callback.
struct Events<F>(F);

impl<F: FnMut(Event<'_>)> Deliver for Events<F> {
    type Out = Streamed;
    type Fail = Error;
    const SPILLS: bool = false;

    fn streams(&self, head: &Head, _: &BodyStream, _: usize) -> bool {
        head.event_stream
    }

    async fn whole(&mut self, _: &[u8]) -> Result<Streamed, Error> {
        // A `200` answer that is not `text/event-stream` (e.g. `"Stream": false`).
        Err(ResponseError::UnexpectedContentType.into())
    }

    async fn stream<S: Read>(
        &mut self,
        io: &mut S,
        body: &mut BodyStream,
        buf: &mut [u8],
        _: usize,
    ) -> Result<Streamed, Error> {
        let mut parser = SseParser::new(buf);
        let mut window = [0u8; WINDOW];
        let mut done = Streamed { events: 0, bytes: 0 };
        loop {
            let n = body.read(io, &mut window).await?;
            if n == 0 {
                // (An event not ended by a blank line is dropped, as the standard says.)
                return Ok(done);
            }
            done.bytes += n as u64;
            let mut input = window.get(..n).unwrap_or(&[]);
            while !input.is_empty() {
                let (used, event) = parser.feed(input)?;
                input = input.get(used..).unwrap_or(&[]);
                if let Some(event) = event {
                    if let Some(api) = event_error(event.data) {
                        return Err(Error::Api(api));
                    }
                    done.events += 1;
                    (self.0)(event);
                }
            }
        }
    }
}

/// The API error an event carries (`{"Response":{"Error":...}}` or `{"Error":{...}}`),
/// read by the core's rule, as transport-std reads it.
fn event_error(data: &str) -> Option<tencentcloud_core::response::ApiError> {
    if !data.contains("\"Error\"") {
        return None;
    }
    match parse_event_data::<serde::de::IgnoredAny>(data.as_bytes(), &mut []) {
        Ok(Err(api)) => Some(api),
        _ => None,
    }
}

/// A body to an `embedded_io_async::Write` sink.
struct Sink<'w, W>(&'w mut W);

impl<W: Write> Deliver for Sink<'_, W> {
    type Out = u64;
    type Fail = Fault;
    const SPILLS: bool = true;

    fn streams(&self, _: &Head, body: &BodyStream, capacity: usize) -> bool {
        body.length().is_some_and(|n| n > capacity as u64)
    }

    async fn whole(&mut self, body: &[u8]) -> Result<u64, Fault> {
        write_all(self.0, body).await?;
        self.0.flush().await.map_err(|e| Fault::Sink(e.kind()))?;
        Ok(body.len() as u64)
    }

    async fn stream<S: Read>(
        &mut self,
        io: &mut S,
        body: &mut BodyStream,
        buf: &mut [u8],
        pending: usize,
    ) -> Result<u64, Fault> {
        let mut len = pending;
        let mut total = 0u64;
        loop {
            write_all(self.0, buf.get(..len).unwrap_or(&[])).await?;
            total += len as u64;
            len = body.read(io, buf).await?;
            if len == 0 {
                self.0.flush().await.map_err(|e| Fault::Sink(e.kind()))?;
                return Ok(total);
            }
        }
    }
}

async fn write_all<W: Write>(sink: &mut W, bytes: &[u8]) -> Result<(), Fault> {
    sink.write_all(bytes).await.map_err(|e| Fault::Sink(e.kind()))
}

impl<'c, C: Clock, const N: usize> Client<'c, C, N> {
    /// Calls an API that answers with server-sent events (e.g. hunyuan `ChatCompletions`
    /// with `"Stream": true`), handing each event to `on_event` as it arrives. `buf` holds
    /// the response head, then the event being assembled: an event that does not fit is
    /// [`ResponseError::SseEventTooLarge`] with the size it needs, never cut. An event that
    /// carries an API error ends the call with [`Error::Api`]. Connects with `connector`
    /// like [`Client::call`]; the call is sent again (on the rules of `call`) only while no
    /// event was handed out.
    ///
    /// ```no_run
    /// # async fn demo(mut connector: impl tencentcloud_transport_embassy::Connect, mut client: tencentcloud_transport_embassy::Client<'_, tencentcloud_transport_embassy::NoRtc>) -> Result<(), tencentcloud_transport_embassy::Error> {
    /// use tencentcloud_core::Request;
    ///
    /// let body = br#"{"Model":"hunyuan-lite","Stream":true,"Messages":[{"Role":"user","Content":"Hi"}]}"#;
    /// let req = Request::post_json("hunyuan", "2023-09-01", "ChatCompletions", body).region("ap-guangzhou");
    /// let mut buf = [0u8; 3072];
    /// let streamed = client.call_stream(&mut connector, &req, &mut buf, |event| {
    ///     // `event.data` is one chunk's JSON, e.g. read with `parse_event_data`.
    ///     let _ = event.data;
    /// }).await?;
    /// # let _ = streamed.events; Ok(()) }
    /// ```
    pub async fn call_stream<K: Connect, F: FnMut(Event<'_>)>(
        &mut self,
        connector: &mut K,
        req: &Request<'_>,
        buf: &mut [u8],
        on_event: F,
    ) -> Result<Streamed, Error> {
        self.connect_and_deliver(connector, req, buf, &mut Events(on_event)).await
    }

    /// Like [`Client::call_stream`], over a connection the caller keeps (as
    /// [`Client::call_on`]).
    pub async fn call_stream_on<S: Read + Write, F: FnMut(Event<'_>)>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &mut [u8],
        on_event: F,
    ) -> Result<Streamed, Error> {
        self.deliver_on(conn, req, buf, &mut Events(on_event)).await
    }

    /// Calls the API and writes the answer's body to `sink`, returning its length. A body
    /// that fits `buf` is read whole first and checked like [`Client::call_raw`]'s (an API
    /// error is an error, retried by the same rules, and never reaches the sink); a larger
    /// one (e.g. a text-to-speech answer of hundreds of KB) goes to the sink a buffer at a
    /// time, its whole length checked against `Content-Length` or the chunked framing: a
    /// body that ends early is an error, after the sink got what arrived. Connects with
    /// `connector` like [`Client::call`].
    pub async fn call_into<K: Connect, W: Write>(
        &mut self,
        connector: &mut K,
        req: &Request<'_>,
        buf: &mut [u8],
        sink: &mut W,
    ) -> Result<u64, Error> {
        self.connect_and_deliver(connector, req, buf, &mut Sink(sink)).await
    }

    /// Like [`Client::call_into`], over a connection the caller keeps.
    pub async fn call_into_on<S: Read + Write, W: Write>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &mut [u8],
        sink: &mut W,
    ) -> Result<u64, Error> {
        self.deliver_on(conn, req, buf, &mut Sink(sink)).await
    }

    async fn deliver_on<S: Read + Write, D: Deliver>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &mut [u8],
        deliver: &mut D,
    ) -> Result<D::Out, Error> {
        let mut retries = Retries::default();
        loop {
            let delay = match Outlined::new(self.attempt_delivery(conn, req, buf, &mut retries, false, deliver)).await {
                Step::Done(out) => return Ok(out),
                Step::Fail(error) => return Err(error),
                Step::Retry(delay) => delay,
            };
            Timer::after(delay).await;
        }
    }

    async fn connect_and_deliver<K: Connect, D: Deliver>(
        &mut self,
        connector: &mut K,
        req: &Request<'_>,
        buf: &mut [u8],
        deliver: &mut D,
    ) -> Result<D::Out, Error> {
        let authority = Authority::of(req)?;
        let (host, port) = authority.split();
        let mut retries = Retries::default();
        loop {
            let now = self.now();
            let mut conn = Outlined::new(connector.connect(host, port, now)).await?;
            let delay = loop {
                let delay = match Outlined::new(self.attempt_delivery(&mut conn, req, buf, &mut retries, true, deliver))
                    .await
                {
                    Step::Done(out) => return Ok(out),
                    Step::Fail(error) => return Err(error),
                    Step::Retry(delay) => delay,
                };
                if !conn.is_reusable() {
                    break delay;
                }
                Timer::after(delay).await;
            };
            drop(conn);
            Timer::after(delay).await;
        }
    }

    /// One request, and its answer checked (whole) or delivered (streamed).
    async fn attempt_delivery<S: Read + Write, D: Deliver>(
        &mut self,
        conn: &mut Connection<S>,
        req: &Request<'_>,
        buf: &mut [u8],
        retries: &mut Retries,
        can_reconnect: bool,
        deliver: &mut D,
    ) -> Step<D::Out> {
        let timestamp = self.now().unwrap_or(0);
        let waits = Waits { io: self.config.io_timeout, response: self.config.response_timeout };
        let mut left = false;
        let sent = match sign(&mut self.signer, req, &self.credential, timestamp) {
            Ok(signed) => Outlined::new(http::send(conn, &signed, waits.io, &mut left)).await,
            Err(e) => return Step::Fail(e.into()),
        };
        let opened = match sent {
            Ok(()) => Outlined::new(body::open(conn.io(), buf, waits)).await,
            Err(Error::ConnectionClosed) => Err(Fault::ConnectionClosed),
            Err(e) => return Step::Fail(e),
        };
        let (head, mut body) = match opened {
            Ok(opened) => opened,
            // As in `attempt`: a kept-alive connection closed before any answer.
            Err(Fault::ConnectionClosed)
                if conn.exchanges() > 0 && can_reconnect && !retries.reconnected && may_send_again(req, left) =>
            {
                retries.reconnected = true;
                return Step::Retry(embassy_time::Duration::from_ticks(0));
            }
            Err(e) => return Step::Fail(e.into()),
        };
        let info = head.info;
        let capacity = buf.len();
        let mut pending = 0;
        if info.status != 200 || !deliver.streams(&head, &body, capacity) {
            let whole = match Outlined::new(body.read_whole(conn.io(), buf)).await {
                Ok(whole) => whole,
                Err(e) => return Step::Fail(e.into()),
            };
            match whole {
                Some(len) => {
                    conn.count_exchange();
                    conn.set_reusable(body.reusable(info.keep_alive));
                    // A JSON answer, or any answer but a `200`, is checked like `call`'s.
                    let checked = if info.json || info.status != 200 {
                        let reply = Reply { status: info.status, date: info.date, json: info.json, body_len: len };
                        match self.check(conn, reply, buf, timestamp, retries, can_reconnect) {
                            Step::Done(len) => len,
                            Step::Retry(delay) => return Step::Retry(delay),
                            Step::Fail(e) => return Step::Fail(e),
                        }
                    } else {
                        if let Err(e) = self.learn(conn, info.date) {
                            return Step::Fail(e);
                        }
                        len
                    };
                    let body = buf.get(..checked).unwrap_or(&[]);
                    return match Outlined::new(deliver.whole(body)).await {
                        Ok(out) => Step::Done(out),
                        Err(e) => Step::Fail(e.into()),
                    };
                }
                // Larger than the buffer: a `200` body a sink takes is streamed from here.
                None if info.status == 200 && D::SPILLS => pending = capacity,
                None => {
                    let needed = body.length().unwrap_or(capacity as u64 + 1);
                    return Step::Fail(ResponseError::BodyTooLarge { needed }.into());
                }
            }
        }
        // The stream: the time is learned (and the certificate's dates checked) before any
        // byte reaches the caller; from here nothing is sent again.
        if let Err(e) = self.learn(conn, info.date) {
            return Step::Fail(e);
        }
        body.unbounded();
        let out = Outlined::new(deliver.stream(conn.io(), &mut body, buf, pending)).await;
        conn.count_exchange();
        conn.set_reusable(out.is_ok() && body.reusable(info.keep_alive));
        match out {
            Ok(out) => Step::Done(out),
            Err(e) => Step::Fail(e.into()),
        }
    }
}
