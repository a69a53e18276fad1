//! Server-sent event streams, parsed incrementally with the core [`SseParser`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tencentcloud_core::response::{Event, ResponseError, SseParser, parse_event_data};

use crate::error::Error;
use crate::http::ResponseBody;
use crate::sync::lock;

/// One server-sent event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The event type (`message` unless the server named one).
    pub event: String,
    /// The data lines, joined with `\n`.
    pub data: String,
    /// The last event id, if any.
    pub id: Option<String>,
    /// The reconnection time the event asked for, in milliseconds.
    pub retry: Option<u32>,
}

impl SseEvent {
    fn from_core(ev: &Event<'_>) -> Self {
        Self { event: ev.event.to_owned(), data: ev.data.to_owned(), id: ev.id.map(str::to_owned), retry: ev.retry }
    }

    /// Deserializes `data` as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(&self.data).map_err(|e| Error::decode(format!("SSE data is not the expected JSON: {e}")))
    }
}

/// The API error an event carries, if its data is an error object
/// (`{"Response":{"Error":...}}` or `{"Error":{"Code":...}}`).
pub(crate) fn event_error(data: &str) -> Option<Error> {
    if !data.trim_start().starts_with('{') {
        return None;
    }
    let mut scratch = vec![0u8; data.len()];
    match parse_event_data::<serde::de::IgnoredAny>(data.as_bytes(), &mut scratch) {
        Ok(Err(api)) => Some(Error::from_api_error(&api)),
        _ => None,
    }
}

/// A stream of server-sent events, ended when the server closes the response.
///
/// An event whose data is an API error object is yielded as that error; a malformed or
/// oversized event is yielded as a decode error (the stream goes on after it); a
/// network failure or a stall longer than the timeout ends the stream with an error.
/// Dropping the stream closes the connection.
pub struct SseStream {
    inner: Generator<Result<SseEvent, Error>>,
    request_id: Option<String>,
}

impl SseStream {
    pub(crate) fn new(
        body: ResponseBody,
        idle_timeout: Duration,
        max_event: usize,
        request_id: Option<String>,
    ) -> Self {
        Self { inner: Generator::new(move |y| parse_events(body, idle_timeout, max_event, y)), request_id }
    }

    /// A stream of already known events (a non-streamed answer).
    pub(crate) fn from_events(events: Vec<Result<SseEvent, Error>>, request_id: Option<String>) -> Self {
        Self {
            inner: Generator::new(move |y| async move {
                for ev in events {
                    y.give(ev).await;
                }
            }),
            request_id,
        }
    }

    /// The request id from the `X-TC-RequestId` response header, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Debug for SseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseStream").field("request_id", &self.request_id).finish_non_exhaustive()
    }
}

impl Stream for SseStream {
    type Item = Result<SseEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

async fn parse_events(
    mut body: ResponseBody,
    idle_timeout: Duration,
    max_event: usize,
    y: Yielder<Result<SseEvent, Error>>,
) {
    let mut buf = vec![0u8; max_event];
    let mut parser = SseParser::new(&mut buf);
    loop {
        let chunk = match tokio::time::timeout(idle_timeout, body.next()).await {
            Err(_) => {
                y.give(Err(Error::timeout(idle_timeout))).await;
                return;
            }
            Ok(None) => return,
            Ok(Some(Err(e))) => {
                y.give(Err(e)).await;
                return;
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        let mut input: &[u8] = &chunk;
        while !input.is_empty() {
            let before = parser.position();
            let item = match parser.feed(input) {
                Ok((used, event)) => {
                    let owned = event.as_ref().map(SseEvent::from_core);
                    input = input.get(used..).unwrap_or_default();
                    owned.map(|ev| match event_error(&ev.data) {
                        Some(err) => Err(err),
                        None => Ok(ev),
                    })
                }
                Err(e) => {
                    let used = usize::try_from(parser.position() - before).unwrap_or(input.len());
                    input = input.get(used.max(1)..).unwrap_or_default();
                    Some(Err(match e {
                        ResponseError::SseEventTooLarge { needed } => {
                            Error::decode(format!("server-sent event larger than {max_event} bytes ({needed} needed)"))
                        }
                        other => Error::from(other),
                    }))
                }
            };
            if let Some(item) = item {
                y.give(item).await;
            }
        }
    }
}

type Slot<T> = Arc<Mutex<Option<T>>>;

/// Hands values from the generator's body to its stream.
pub(crate) struct Yielder<T> {
    slot: Slot<T>,
}

impl<T> Yielder<T> {
    /// Yields `value` and waits until the consumer asks for the next one.
    pub(crate) fn give(&self, value: T) -> impl Future<Output = ()> + '_ {
        *lock(&self.slot) = Some(value);
        YieldOnce { yielded: false }
    }
}

/// Pending once (the stream then returns the value), ready the next time.
struct YieldOnce {
    yielded: bool,
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            Poll::Pending
        }
    }
}

/// A stream driven by an async body that yields through a [`Yielder`]. The body runs
/// only while the stream is polled (nothing is spawned), and may keep borrows across
/// awaits (the SSE parser borrows its buffer).
pub(crate) struct Generator<T> {
    slot: Slot<T>,
    body: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<T: Send + 'static> Generator<T> {
    pub(crate) fn new<F, Fut>(f: F) -> Self
    where
        F: FnOnce(Yielder<T>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let slot: Slot<T> = Arc::new(Mutex::new(None));
        let body = f(Yielder { slot: slot.clone() });
        Self { slot, body: Some(Box::pin(body)) }
    }
}

impl<T> Stream for Generator<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        let done = body.as_mut().poll(cx).is_ready();
        if done {
            self.body = None;
        }
        match lock(&self.slot).take() {
            Some(v) => Poll::Ready(Some(v)),
            None if done => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}

/// A typed stream of a [`Streaming`](tencentcloud_runtime::Streaming) action's events
/// ([`Client::stream`](crate::Client::stream)): each event's data read as the action's
/// response type `T`. An event that does not read as `T` is a decode error naming the event
/// (the stream goes on after it); API errors, timeouts and network failures are as in
/// [`SseStream`]. Dropping it closes the connection.
pub struct TypedStream<T> {
    events: SseStream,
    index: usize,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T> TypedStream<T> {
    pub(crate) fn new(events: SseStream) -> Self {
        Self { events, index: 0, _t: std::marker::PhantomData }
    }

    /// The request id from the `X-TC-RequestId` response header, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.events.request_id()
    }
}

impl<T> fmt::Debug for TypedStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedStream")
            .field("type", &std::any::type_name::<T>())
            .field("request_id", &self.events.request_id())
            .field("events_read", &self.index)
            .finish()
    }
}

impl<T: tencentcloud_runtime::FromJson> Stream for TypedStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let event = match Pin::new(&mut self.events).poll_next(cx) {
            Poll::Ready(Some(Ok(event))) => event,
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        let index = self.index;
        self.index += 1;
        Poll::Ready(Some(
            tencentcloud_runtime::from_slice::<T>(event.data.as_bytes())
                .map_err(|e| Error::decode(format!("event {index} is not a {}: {e}", std::any::type_name::<T>()))),
        ))
    }
}

// The stream holds no `T`: it moves as the events do.
impl<T> Unpin for TypedStream<T> {}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn body(chunks: Vec<&'static [u8]>) -> ResponseBody {
        ResponseBody::from_stream(futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c)))))
    }

    async fn collect(s: SseStream) -> Vec<Result<SseEvent, Error>> {
        s.collect().await
    }

    #[tokio::test]
    async fn events_split_across_chunks() {
        let chunks: Vec<&'static [u8]> = vec![
            b"data: {\"Choices\":[1]}\n",
            b"\nid: 7\nevent: delta\nda",
            b"ta: a\ndata: b\r",
            b"\n\r\n: comment\n\n",
        ];
        let events = collect(SseStream::new(body(chunks), Duration::from_secs(5), 1024, None)).await;
        let events: Vec<SseEvent> = events.into_iter().map(Result::unwrap).collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].data, "{\"Choices\":[1]}");
        assert_eq!(events[0].event, "message");
        assert_eq!(
            events[1],
            SseEvent { event: "delta".into(), data: "a\nb".into(), id: Some("7".into()), retry: None }
        );
        #[derive(serde::Deserialize)]
        struct C {
            #[serde(rename = "Choices")]
            choices: Vec<u32>,
        }
        assert_eq!(events[0].json::<C>().unwrap().choices, [1]);
    }

    #[tokio::test]
    async fn error_events_and_oversize() {
        let chunks: Vec<&'static [u8]> = vec![
            b"data: {\"Response\":{\"Error\":{\"Code\":\"LimitExceeded\",\"Message\":\"busy\"},\"RequestId\":\"r9\"}}\n\n",
            b"data: 0123456789012345678901234567890123456789012345678901234567890123456789\ndata: 0123456789012345678901234567890123456789012345678901234567890123456789\n\n",
            b"data: {\"Error\":{\"Code\":\"InternalError\",\"Message\":\"x\"}}\n\ndata: ok\n\n",
        ];
        let events = collect(SseStream::new(body(chunks), Duration::from_secs(5), 128, None)).await;
        assert_eq!(events.len(), 4, "{events:?}");
        let e = events[0].as_ref().unwrap_err();
        assert_eq!(e.api_code(), Some("LimitExceeded"));
        assert_eq!(e.request_id(), Some("r9"));
        assert_eq!(events[1].as_ref().unwrap_err().kind(), &crate::ErrorKind::Decode);
        assert_eq!(events[2].as_ref().unwrap_err().api_code(), Some("InternalError"));
        assert_eq!(events[3].as_ref().unwrap().data, "ok");
    }

    #[tokio::test]
    async fn stall_times_out() {
        let stalled = ResponseBody::from_stream(
            futures_util::stream::iter([Ok(Bytes::from_static(b"data: a\n\n"))]).chain(futures_util::stream::pending()),
        );
        let events = collect(SseStream::new(stalled, Duration::from_millis(50), 1024, None)).await;
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].as_ref().unwrap_err().kind(), &crate::ErrorKind::Timeout);
    }

    #[tokio::test]
    async fn generator_yields_in_order() {
        let g = Generator::new(|y| async move {
            for i in 0..5 {
                tokio::task::yield_now().await;
                y.give(i).await;
            }
        });
        assert_eq!(g.collect::<Vec<i32>>().await, [0, 1, 2, 3, 4]);
    }
}
