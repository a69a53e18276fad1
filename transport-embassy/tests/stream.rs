//! Answers bigger than the buffer over scripted connections: server-sent events one at a
//! time, bodies to a sink a buffer at a time, every length checked, every failure named.

mod script;

use embedded_io::ErrorKind;
use proptest::prelude::*;
use script::*;
use serde::Deserialize;
use tencentcloud_core::Request;
use tencentcloud_core::response::parse_event_data;
use tencentcloud_transport_embassy::{Client, Connection, Error, ResponseError, Streamed};

fn credential() -> tencentcloud_core::Credential<'static> {
    tencentcloud_core::Credential::new("AKIDEXAMPLE", "secret").unwrap()
}

fn chat() -> Request<'static> {
    Request::post_json("hunyuan", "2023-09-01", "ChatCompletions", br#"{"Stream":true}"#).region("ap-guangzhou")
}

fn object() -> Request<'static> {
    Request::post_json("cvm", "2017-03-12", "GetObjectBytes", br#"{"Length":1048576}"#).region("ap-guangzhou")
}

/// One streamed chunk of a chat answer, as hunyuan sends it.
#[derive(Debug, Deserialize)]
struct Chunk<'a> {
    #[serde(rename = "Id")]
    id: &'a str,
    #[serde(rename = "Choices")]
    choices: heapless::Vec<Choice<'a>, 2>,
}

#[derive(Debug, Deserialize)]
struct Choice<'a> {
    #[serde(rename = "Delta")]
    delta: Delta<'a>,
    #[serde(rename = "FinishReason")]
    finish: &'a str,
}

#[derive(Debug, Deserialize)]
struct Delta<'a> {
    #[serde(rename = "Content")]
    content: &'a str,
}

fn event(i: usize, last: bool) -> String {
    let finish = if last { "stop" } else { "" };
    format!(
        "data: {{\"Id\":\"chat-1\",\"Choices\":[{{\"Index\":0,\"Delta\":{{\"Role\":\"assistant\",\"Content\":\"word{i} \"}},\"FinishReason\":\"{finish}\"}}]}}\n\n"
    )
}

fn sse_body(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| event(i, i + 1 == n).into_bytes()).collect()
}

fn head(framing: &str, media: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Type: {media}\r\nDate: {}\r\n{framing}\r\n", http_date(T)).into_bytes()
}

fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for c in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// A `200` answer with `body`, chunked (in chunks of `chunk`) or with its `Content-Length`.
fn framed(body: &[u8], media: &str, chunk: Option<usize>) -> Vec<u8> {
    match chunk {
        Some(size) => [head("Transfer-Encoding: chunked\r\n", media), chunked(body, size)].concat(),
        None => [head(&format!("Content-Length: {}\r\n", body.len()), media), body.to_vec()].concat(),
    }
}

/// `bytes` cut into reads of `size`.
fn reads(bytes: &[u8], size: usize) -> Turn {
    Turn::Answer(bytes.chunks(size.max(1)).map(<[u8]>::to_vec).collect())
}

/// Every event checked as it arrives: its index, typed data, and that it is the last.
fn stream_events(turns: Vec<Turn>, buf_len: usize) -> (Result<Streamed, Error>, Vec<String>, usize) {
    let log = Log::shared();
    let mut conn = Connection::new(Script::new(turns, &log));
    let mut rtc = Rtc::at(Some(T));
    let mut client: Client<'_, _> = Client::with_config(credential(), &mut rtc, config());
    let mut buf = vec![0u8; buf_len];
    let mut seen = Vec::new();
    let result = block_on(client.call_stream_on(&mut conn, &chat(), &mut buf, |ev| {
        assert_eq!(ev.event, "message");
        let chunk = parse_event_data::<Chunk<'_>>(ev.data.as_bytes(), &mut []).unwrap().unwrap();
        assert_eq!(chunk.id, "chat-1");
        seen.push(format!("{}{}", chunk.choices[0].delta.content, chunk.choices[0].finish));
    }));
    let requests = log.borrow().requests.len();
    (result, seen, requests)
}

fn want_words(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("word{i} {}", if i + 1 == n { "stop" } else { "" })).collect()
}

#[test]
fn sixty_events_arrive_one_at_a_time_whatever_the_framing_and_the_reads() {
    let body = sse_body(60);
    for chunk in [None, Some(1), Some(100), Some(4096)] {
        for size in [1, 7, 64, 300, 5000] {
            let raw = framed(&body, "text/event-stream", chunk);
            let (result, seen, requests) = stream_events(vec![reads(&raw, size)], 512);
            let what = format!("chunk {chunk:?} reads of {size}");
            assert_eq!(result, Ok(Streamed { events: 60, bytes: body.len() as u64 }), "{what}");
            assert_eq!(seen, want_words(60), "{what}");
            assert_eq!(requests, 1, "{what}");
        }
    }
}

#[test]
fn an_event_larger_than_the_buffer_is_an_error_naming_the_size() {
    let big = event(1, false).replace("word1", &"x".repeat(1000));
    let needed = big.len() - "data: ".len() - 2 + 1; // the data and its line end
    let body = [event(0, false), big, event(2, true)].concat().into_bytes();
    for chunk in [None, Some(50)] {
        let raw = framed(&body, "text/event-stream", chunk);
        let (result, seen, _) = stream_events(vec![reads(&raw, 97)], 512);
        assert_eq!(result, Err(Error::Response(ResponseError::SseEventTooLarge { needed })), "{chunk:?}");
        assert_eq!(seen, ["word0 "], "the event before it was delivered");
        // With the buffer it named, the same stream goes through.
        let (result, seen, _) = stream_events(vec![reads(&raw, 97)], needed);
        assert_eq!(result.map(|s| s.events), Ok(3), "{chunk:?}");
        assert_eq!(seen.len(), 3);
    }
}

/// An answer that is not a stream is checked like `call`'s first: `SignatureExpire` is
/// signed again with the server's time; a stream cut after events were delivered is
/// final, never sent again.
#[test]
fn retries_happen_only_before_any_event() {
    let expired = whole(answer(Some(&http_date(T + 3600)), &error_body("AuthFailure.SignatureExpire")));
    let raw = framed(&sse_body(3), "text/event-stream", Some(40));
    let (result, seen, requests) = stream_events(vec![expired, reads(&raw, 33)], 512);
    assert_eq!(result.map(|s| s.events), Ok(3));
    assert_eq!((seen.len(), requests), (3, 2));

    let cut = raw[..raw.len() - 20].to_vec();
    let (result, seen, requests) = stream_events(vec![reads(&cut, 33), reads(&raw, 33)], 512);
    assert_eq!(result, Err(Error::Response(ResponseError::UnexpectedEnd)));
    assert_eq!((seen.len(), requests), (2, 1), "the events that arrived, then no resend");

    // An API error in the stream ends it; JSON instead of a stream is no stream.
    let error_event = format!("data: {}\n\n", error_body("InternalError"));
    let body = [event(0, false), error_event, event(1, true)].concat();
    let (result, seen, _) = stream_events(vec![reads(&framed(body.as_bytes(), "text/event-stream", None), 64)], 512);
    assert_eq!(result.unwrap_err().api_code(), Some("InternalError"));
    assert_eq!(seen.len(), 1);
    let (result, _, _) = stream_events(vec![whole(answer(None, OK_BODY))], 512);
    assert_eq!(result, Err(Error::Response(ResponseError::UnexpectedContentType)));

    // A bad chunk in a chunked stream: the events before it, then the framing's error.
    let raw = framed(&sse_body(3), "text/event-stream", Some(150));
    let last = raw.windows(6).rposition(|w| w == b"\r\n96\r\n").unwrap();
    let bad = [&raw[..last + 2], b"9z", &raw[last + 4..]].concat();
    let (result, seen, requests) = stream_events(vec![reads(&bad, 64)], 512);
    assert_eq!(result, Err(Error::Response(ResponseError::InvalidChunkSize)));
    assert!(!seen.is_empty() && seen.len() < 3, "{seen:?}");
    assert_eq!(requests, 1);
}

/// After a stream read exactly, the kept-alive connection carries the next call; bytes
/// past the stream's end (a forged answer in the same read) are never read as that answer.
#[test]
fn a_stream_read_exactly_keeps_the_connection_and_bytes_past_it_do_not() {
    let raw = framed(&sse_body(2), "text/event-stream", Some(100));
    let forged = answer(None, r#"{"Response":{"TotalCount":666,"RequestId":"forged"}}"#);
    for (pieces, kept) in [(vec![raw.clone()], true), (vec![[raw.clone(), forged].concat()], false)] {
        let log = Log::shared();
        let turns = vec![Turn::Answer(pieces), whole(answer(None, OK_BODY))];
        let mut conn = Connection::new(Script::new(turns, &log));
        let mut rtc = Rtc::at(Some(T));
        let mut client: Client<'_, _> = Client::with_config(credential(), &mut rtc, config());
        let mut buf = [0u8; 512];
        let streamed = block_on(client.call_stream_on(&mut conn, &chat(), &mut buf, |_| {})).unwrap();
        assert_eq!(streamed.events, 2);
        assert_eq!(conn.is_reusable(), kept);
        let next = block_on(client.call_raw_on(&mut conn, &chat(), &mut buf)).map(<[u8]>::to_vec);
        if kept {
            assert_eq!(next.as_deref(), Ok(OK_BODY.as_bytes()));
        } else {
            assert_eq!(next, Err(Error::NotReusable));
        }
        assert_eq!(log.borrow().sent_over_unread, 0);
    }
}

/// A sink that keeps what it is given, and counts the writes.
#[derive(Default)]
struct Collect {
    bytes: Vec<u8>,
    writes: usize,
    fail_after: Option<usize>,
}

impl embedded_io_async::ErrorType for Collect {
    type Error = ErrorKind;
}

impl embedded_io_async::Write for Collect {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if self.fail_after.is_some_and(|n| self.bytes.len() >= n) {
            return Err(ErrorKind::OutOfMemory);
        }
        self.writes += 1;
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

fn megabyte() -> Vec<u8> {
    (0..1_048_576u32).map(|i| (i % 251) as u8).collect()
}

fn into_sink(turns: Vec<Turn>, sink: &mut Collect, conn_out: Option<&mut bool>) -> (Result<u64, Error>, usize) {
    let log = Log::shared();
    let mut conn = Connection::new(Script::new(turns, &log));
    let mut rtc = Rtc::at(Some(T));
    let mut client: Client<'_, _> = Client::with_config(credential(), &mut rtc, config());
    let mut buf = [0u8; 3072];
    let result = block_on(client.call_into_on(&mut conn, &object(), &mut buf, sink));
    if let Some(reusable) = conn_out {
        *reusable = conn.is_reusable();
    }
    let requests = log.borrow().requests.len();
    (result, requests)
}

#[test]
fn a_megabyte_goes_through_a_3_kib_buffer_with_content_length_and_chunked() {
    let body = megabyte();
    for chunk in [None, Some(1000), Some(65_536)] {
        for size in [1460, 16_384] {
            let raw = framed(&body, "application/octet-stream", chunk);
            let mut sink = Collect::default();
            let mut reusable = false;
            let (result, requests) = into_sink(vec![reads(&raw, size)], &mut sink, Some(&mut reusable));
            let what = format!("chunk {chunk:?} reads of {size}");
            assert_eq!(result, Ok(1_048_576), "{what}");
            assert!(sink.bytes == body, "{what}: the body, byte for byte");
            assert!(sink.writes >= 1_048_576 / 3072, "{what}: {} writes", sink.writes);
            assert_eq!(requests, 1);
            assert!(reusable, "{what}: read exactly, the connection is kept");
        }
    }
}

#[test]
fn a_body_that_fits_is_checked_first_and_errors_never_reach_the_sink() {
    let mut sink = Collect::default();
    let (result, _) = into_sink(vec![whole(answer(None, &error_body("ResourceNotFound")))], &mut sink, None);
    assert_eq!(result.unwrap_err().api_code(), Some("ResourceNotFound"));
    assert!(sink.bytes.is_empty());
    // A rate limit, then the answer: sent again; the sink gets the answer once.
    let mut sink = Collect::default();
    let limited = whole(answer(None, &error_body("RequestLimitExceeded")));
    let (result, requests) = into_sink(vec![limited, whole(answer(None, OK_BODY))], &mut sink, None);
    assert_eq!((result, requests), (Ok(OK_BODY.len() as u64), 2));
    assert_eq!(sink.bytes, OK_BODY.as_bytes());
    // A small octet-stream body.
    let mut sink = Collect::default();
    let raw = framed(b"hello", "application/octet-stream", Some(2));
    assert_eq!(into_sink(vec![reads(&raw, 3)], &mut sink, None).0, Ok(5));
    assert_eq!(sink.bytes, b"hello");
}

#[test]
fn a_body_shorter_than_its_length_or_badly_chunked_is_an_error() {
    let body = megabyte();
    let raw = framed(&body, "application/octet-stream", None);
    let mut sink = Collect::default();
    let (result, requests) = into_sink(vec![reads(&raw[..raw.len() - 1], 4096)], &mut sink, None);
    assert_eq!(result, Err(Error::Response(ResponseError::UnexpectedEnd)));
    assert_eq!((sink.bytes.len(), requests), (body.len() - 1, 1), "what arrived, and no resend");

    let good = framed(&body, "application/octet-stream", Some(10_000));
    let at = good.len() / 2;
    let cases: [(Vec<u8>, ResponseError); 3] = [
        // A chunk one byte longer than its size line says.
        ([&good[..at], b"x", &good[at..]].concat(), ResponseError::InvalidChunkTerminator),
        // A size line that is not hex.
        (
            framed(&body, "application/octet-stream", Some(10_000)).replacen_bytes(b"2710\r\n", b"27g0\r\n"),
            ResponseError::InvalidChunkSize,
        ),
        // The last chunk missing.
        (good[..good.len() - 5].to_vec(), ResponseError::UnexpectedEnd),
    ];
    for (raw, want) in cases {
        let mut sink = Collect::default();
        let mut reusable = true;
        let (result, _) = into_sink(vec![reads(&raw, 4096)], &mut sink, Some(&mut reusable));
        assert_eq!(result, Err(Error::Response(want)));
        assert!(!reusable);
    }

    // A sink that fails is named as the sink.
    let mut sink = Collect { fail_after: Some(10_000), ..Collect::default() };
    let (result, _) = into_sink(vec![reads(&raw, 4096)], &mut sink, None);
    assert_eq!(result, Err(Error::Sink(ErrorKind::OutOfMemory)));
}

/// Replaces the first occurrence of a byte string.
trait ReplaceBytes {
    fn replacen_bytes(self, from: &[u8], to: &[u8]) -> Vec<u8>;
}

impl ReplaceBytes for Vec<u8> {
    fn replacen_bytes(mut self, from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = self.windows(from.len()).position(|w| w == from).expect("present");
        self.splice(at..at + from.len(), to.iter().copied());
        self
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any cut of the bytes into reads gives the same events and the same body.
    #[test]
    fn reads_cut_anywhere(cuts in proptest::collection::vec(1usize..600, 1..40), chunk in proptest::option::of(1usize..300), n in 1usize..60) {
        let body = sse_body(n);
        let raw = framed(&body, "text/event-stream", chunk);
        let mut pieces = Vec::new();
        let mut rest = &raw[..];
        for &cut in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at(cut.min(rest.len()));
            pieces.push(piece.to_vec());
            rest = tail;
        }
        let (result, seen, _) = stream_events(vec![Turn::Answer(pieces.clone())], 512);
        prop_assert_eq!(result, Ok(Streamed { events: n as u32, bytes: body.len() as u64 }));
        prop_assert_eq!(seen, want_words(n));

        let mut sink = Collect::default();
        let (result, _) = into_sink(vec![Turn::Answer(pieces)], &mut sink, None);
        prop_assert_eq!(result, Ok(body.len() as u64));
        prop_assert_eq!(sink.bytes, body);
    }
}
