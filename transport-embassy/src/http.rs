//! One HTTP/1.1 exchange over a connection: the signed request out, the response head and
//! body in, into one caller buffer, with the core's parsers and a timeout on every wait.

use embassy_time::{Duration, Instant, with_deadline};
use embedded_io::Error as _;
use embedded_io::ErrorKind;
use embedded_io_async::{Read, Write};
use tencentcloud_core::SignedRequest;
use tencentcloud_core::response::head::complete_head_len;
use tencentcloud_core::response::{ChunkedDecoder, Framing, Header, Parsed, ResponseError, parse_head};
use tencentcloud_core::time::parse_http_date;

use crate::conn::Connection;
use crate::error::{Error, Fault, Phase};

/// Most response header fields accepted.
pub(crate) const MAX_HEADERS: usize = 32;

/// Space kept between decoded and raw bytes when a chunked body is compacted.
const CHUNKED_GAP: usize = 16;

/// What a response said, once its body sits at the start of the buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// `Date` in unix seconds, if present and valid.
    pub(crate) date: Option<u64>,
    /// Whether the media type is `application/json`.
    pub(crate) json: bool,
    /// The body is `buf[..body_len]`.
    pub(crate) body_len: usize,
}

/// The waits of one exchange.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waits {
    /// Bound on each single read or on writing the request.
    pub(crate) io: Duration,
    /// Bound on the whole response, from the end of the request.
    pub(crate) response: Duration,
}

/// Sends `signed` (then [`receive`] reads the answer: two awaited pieces, so the signed
/// request is not kept while the response is read). Anything but a clean, complete
/// exchange leaves the connection unusable. `left` is set once the stream took a byte of
/// the request: from then on the server may receive it, and, if it ends up received
/// whole, run it.
pub(crate) async fn send<S: Read + Write>(
    conn: &mut Connection<S>,
    signed: &SignedRequest<'_>,
    io_wait: Duration,
    left: &mut bool,
) -> Result<(), Error> {
    if !conn.is_reusable() {
        return Err(Error::NotReusable);
    }
    conn.set_reusable(false);
    match embassy_time::with_timeout(io_wait, write_request(conn.io(), signed, left)).await {
        Err(_) => Err(Error::Timeout(Phase::Write)),
        Ok(written) => written,
    }
}

/// Writes the request (request line, headers, body: not copied), then flushes. `left` is
/// set once the stream took a byte of it.
async fn write_request<S: Write>(io: &mut S, signed: &SignedRequest<'_>, left: &mut bool) -> Result<(), Error> {
    for piece in signed.http1_pieces().map(str::as_bytes).chain(core::iter::once(signed.body())) {
        let mut rest = piece;
        while !rest.is_empty() {
            match io.write(rest).await {
                Ok(0) => return Err(Error::Io(ErrorKind::WriteZero)),
                Ok(n) => {
                    *left = true;
                    rest = rest.get(n..).unwrap_or_default();
                }
                Err(e) => return Err(closed_or_io(e.kind(), true)),
            }
        }
    }
    io.flush().await.map_err(|e| closed_or_io(e.kind(), true))
}

/// Reads the response to what [`send`] sent into `buf`. On success the body (de-chunked)
/// is at the start of `buf` and the connection is marked reusable only if the server keeps
/// it alive and nothing past the body may be waiting: no read returned bytes past it, and
/// the last read did not fill all the room it was given.
pub(crate) async fn receive<S: Read>(conn: &mut Connection<S>, buf: &mut [u8], waits: Waits) -> Result<Reply, Error> {
    let mut rx = Receiver { io: conn.io(), deadline: Instant::now().saturating_add(waits.response), io_wait: waits.io };
    let (reply, keep_alive) = read_response(&mut rx, buf).await?;
    conn.count_exchange();
    conn.set_reusable(keep_alive);
    Ok(reply)
}

/// A read side with the two deadlines applied.
pub(crate) struct Receiver<'s, S> {
    pub(crate) io: &'s mut S,
    pub(crate) deadline: Instant,
    pub(crate) io_wait: Duration,
}

impl<S: Read> Receiver<'_, S> {
    /// Reads some bytes; `Ok(0)` at the end of the stream.
    pub(crate) async fn read(&mut self, buf: &mut [u8], nothing_yet: bool) -> Result<usize, Error> {
        let until = Instant::now().saturating_add(self.io_wait).min(self.deadline);
        match with_deadline(until, self.io.read(buf)).await {
            Err(_) => Err(Error::Timeout(Phase::Read)),
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => Err(closed_or_io(e.kind(), nothing_yet)),
        }
    }

    /// [`Receiver::read`] failing with a small [`Fault`], for the streamed body's reads.
    pub(crate) async fn read_small(&mut self, buf: &mut [u8], nothing_yet: bool) -> Result<usize, Fault> {
        let until = Instant::now().saturating_add(self.io_wait).min(self.deadline);
        match with_deadline(until, self.io.read(buf)).await {
            Err(_) => Err(Fault::Timeout(Phase::Read)),
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) if closes(e.kind(), nothing_yet) => Err(Fault::ConnectionClosed),
            Ok(Err(e)) => Err(Fault::Io(e.kind())),
        }
    }
}

/// A reset before any response byte (or while sending) is the connection closing.
fn closed_or_io(kind: ErrorKind, nothing_yet: bool) -> Error {
    if closes(kind, nothing_yet) { Error::ConnectionClosed } else { Error::Io(kind) }
}

/// Whether a read or write failing with `kind` is the connection closing (see [`closed_or_io`]).
fn closes(kind: ErrorKind, nothing_yet: bool) -> bool {
    let closed = matches!(
        kind,
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe | ErrorKind::NotConnected
    );
    closed && nothing_yet
}

/// Reads a head (skipping interim 1xx responses) and the body it announces. All parsing is
/// in the synchronous [`ResponseReader`]; this loop only reads (one await point, which keeps
/// the async state machine, and the image, small).
async fn read_response<S: Read>(rx: &mut Receiver<'_, S>, buf: &mut [u8]) -> Result<(Reply, bool), Error> {
    let mut reader = ResponseReader::new();
    loop {
        if let Some(done) = reader.advance(buf)? {
            return Ok(done);
        }
        let mut probe = [0u8; 1];
        let nothing_yet = !reader.received_any;
        let window = reader.window(buf.len())?;
        let probed = matches!(window, Window::Probe);
        let target = match window {
            Window::Buffer(range) => buf.get_mut(range).unwrap_or(&mut []),
            Window::Probe => &mut probe[..],
        };
        let n = rx.read(target, nothing_yet).await?;
        if let Some(done) = reader.received(n, buf.len(), probed)? {
            return Ok(done);
        }
    }
}

/// Where the next read goes.
enum Window {
    /// This part of the buffer.
    Buffer(core::ops::Range<usize>),
    /// One byte outside it: the buffer is full and the body ends at the end of the stream.
    Probe,
}

/// What is being read.
enum State {
    /// The head: `buf[..filled]`.
    Head,
    /// A `Content-Length` body, moved to `buf[..]`; bytes past `len` were sent past it.
    Sized { len: usize },
    /// A chunked body: decoded bytes at `buf[..written]`, raw ones at `buf[raw..filled]`.
    Chunked { decoder: ChunkedDecoder, written: usize, raw: usize },
    /// A body delimited by the end of the connection, at `buf[..filled]`.
    UntilClose,
}

/// The response parser: the core's head parser and chunked decoder over one buffer.
struct ResponseReader {
    state: State,
    /// Bytes of interim (1xx) responses at the start of the buffer.
    skipped: usize,
    filled: usize,
    received_any: bool,
    /// The last read filled all the room it had: more bytes may be waiting.
    filled_room: bool,
    status: u16,
    date: Option<u64>,
    json: bool,
    keep_alive: bool,
}

impl ResponseReader {
    const fn new() -> Self {
        Self {
            state: State::Head,
            skipped: 0,
            filled: 0,
            received_any: false,
            filled_room: false,
            status: 0,
            date: None,
            json: false,
            keep_alive: false,
        }
    }

    #[inline(always)]
    fn done(&self, body_len: usize, leftover: usize) -> Option<(Reply, bool)> {
        let reply = Reply { status: self.status, date: self.date, json: self.json, body_len };
        Some((reply, self.keep_alive && leftover == 0 && !self.filled_room))
    }

    /// Parses what is buffered; the response once it is complete.
    fn advance(&mut self, buf: &mut [u8]) -> Result<Option<(Reply, bool)>, Error> {
        loop {
            match &mut self.state {
                State::Head => {
                    let (start, filled) = (self.skipped, self.filled);
                    let Some(head_len) = complete_head_len(buf.get(start..filled).unwrap_or(&[]), MAX_HEADERS)? else {
                        return Ok(None);
                    };
                    let head = HeadInfo::parse(buf.get(start..start + head_len).unwrap_or(&[]))?;
                    let body_start = start + head_len;
                    if (100..200).contains(&head.status) {
                        // An interim response (e.g. 100 Continue): skip it, read the real one.
                        self.skipped = body_start;
                        continue;
                    }
                    (self.status, self.date, self.json, self.keep_alive) =
                        (head.status, head.date, head.json, head.keep_alive);
                    if let Framing::ContentLength(n) = head.framing
                        && usize::try_from(n).map_or(true, |len| len > buf.len())
                    {
                        return Err(ResponseError::BodyTooLarge { needed: n }.into());
                    }
                    if !matches!(head.framing, Framing::Chunked) {
                        // The body goes to the front of the buffer.
                        buf.copy_within(body_start..filled, 0);
                        self.filled -= body_start;
                    }
                    self.state = match head.framing {
                        Framing::NoBody => return Ok(self.done(0, self.filled)),
                        Framing::Chunked => {
                            State::Chunked { decoder: ChunkedDecoder::new(), written: 0, raw: body_start }
                        }
                        Framing::ContentLength(n) => State::Sized { len: n as usize },
                        Framing::UntilClose => State::UntilClose,
                    };
                }
                State::Sized { len } => {
                    let len = *len;
                    return Ok(if self.filled >= len { self.done(len, self.filled - len) } else { None });
                }
                State::Chunked { decoder, written, raw } => {
                    let filled = self.filled;
                    while *raw < filled && !decoder.is_done() {
                        // Decoded output never overtakes the raw input it comes from.
                        let (out, input) = buf.split_at_mut(*raw);
                        let progress = decoder.decode(
                            input.get(..filled - *raw).unwrap_or(&[]),
                            out.get_mut(*written..).unwrap_or(&mut []),
                        )?;
                        *written += progress.written;
                        *raw += progress.consumed;
                        if progress.consumed == 0 {
                            break;
                        }
                    }
                    if decoder.is_done() {
                        let (written, leftover) = (*written, filled - *raw);
                        return Ok(self.done(written, leftover));
                    }
                    if filled == buf.len() {
                        // Full: move the raw bytes down, keeping a small gap.
                        let gap = *raw - *written;
                        if gap <= CHUNKED_GAP {
                            let needed = ((*written + CHUNKED_GAP) as u64).saturating_add(decoder.chunk_remaining());
                            return Err(ResponseError::BodyTooLarge { needed: needed.max(buf.len() as u64 + 1) }.into());
                        }
                        buf.copy_within(*raw..filled, *written + CHUNKED_GAP);
                        self.filled -= gap - CHUNKED_GAP;
                        *raw = *written + CHUNKED_GAP;
                    }
                    return Ok(None);
                }
                State::UntilClose => return Ok(None),
            }
        }
    }

    /// Where to read next.
    fn window(&self, capacity: usize) -> Result<Window, Error> {
        let from = self.filled;
        match self.state {
            State::Head if from == capacity => Err(ResponseError::HeadTooLarge { max: capacity }.into()),
            // A sized body is read with room for a byte past it: a read that brings bytes
            // past it (a record holding the body's end and more) shows them, and the
            // connection is not reused.
            State::Sized { len } => Ok(Window::Buffer(from..capacity.min(len + 1))),
            State::UntilClose if from == capacity => Ok(Window::Probe),
            _ => Ok(Window::Buffer(from..capacity)),
        }
    }

    /// Takes the result of a read of `n` bytes into the window (`probed`: into the one-byte
    /// probe) of a buffer of `capacity` bytes.
    fn received(&mut self, n: usize, capacity: usize, probed: bool) -> Result<Option<(Reply, bool)>, Error> {
        if n == 0 {
            return match self.state {
                State::Head if !self.received_any => Err(Error::ConnectionClosed),
                State::UntilClose => Ok(self.done(self.filled, 1)),
                _ => Err(ResponseError::UnexpectedEnd.into()),
            };
        }
        self.received_any = true;
        if probed {
            return Err(ResponseError::BodyTooLarge { needed: self.filled as u64 + 1 }.into());
        }
        self.filled += n;
        // A window ends at the end of the buffer, or one byte past a sized body (a read
        // that fills that one leaves bytes past the body: not reusable either way).
        self.filled_room = self.filled >= capacity;
        Ok(None)
    }
}

/// The parts of a head the client needs, copied out so the buffer can take the body.
#[derive(Clone, Copy)]
pub(crate) struct HeadInfo {
    pub(crate) status: u16,
    pub(crate) framing: Framing,
    pub(crate) date: Option<u64>,
    pub(crate) json: bool,
    pub(crate) keep_alive: bool,
}

impl HeadInfo {
    #[inline(never)]
    pub(crate) fn parse(raw: &[u8]) -> Result<Self, ResponseError> {
        let mut headers = [Header::EMPTY; MAX_HEADERS];
        let Parsed::Complete(head) = parse_head(raw, &mut headers)? else {
            return Err(ResponseError::UnexpectedEnd);
        };
        let mut close = false;
        let mut keep_alive_token = false;
        for token in head.header_values("connection").flat_map(|v| v.split(|&b| b == b',')) {
            let token = token.trim_ascii();
            close |= token.eq_ignore_ascii_case(b"close");
            keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
        }
        let keep_alive = !close && (head.minor_version >= 1 || keep_alive_token);
        Ok(Self {
            status: head.status,
            framing: head.framing()?,
            date: head.date().and_then(|d| parse_http_date(d).ok()),
            json: head.media_type_is("application/json"),
            keep_alive,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::string::String;
    use std::vec::Vec;

    use embedded_io::ErrorType;

    use super::*;

    /// A scripted stream: each read returns the next piece (at most the buffer size).
    struct Script {
        pieces: Vec<Vec<u8>>,
        written: Vec<u8>,
    }

    impl ErrorType for Script {
        type Error = ErrorKind;
    }

    impl Read for Script {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
            let Some(piece) = self.pieces.first_mut() else { return Ok(0) };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            piece.drain(..n);
            if piece.is_empty() {
                self.pieces.remove(0);
            }
            Ok(n)
        }
    }

    impl Write for Script {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }

        async fn flush(&mut self) -> Result<(), ErrorKind> {
            Ok(())
        }
    }

    fn run(pieces: &[&[u8]], buf: &mut [u8]) -> Result<(Reply, bool), Error> {
        let mut s = Script { pieces: pieces.iter().map(|p| p.to_vec()).collect(), written: Vec::new() };
        let mut rx = Receiver { io: &mut s, deadline: Instant::MAX, io_wait: Duration::from_secs(1) };
        block_on(read_response(&mut rx, buf))
    }

    fn block_on<F: core::future::Future>(f: F) -> F::Output {
        use core::task::{Context, Poll, Waker};
        let mut f = core::pin::pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

    fn chunked(body: &[u8], size: usize) -> Vec<u8> {
        let mut out = HEAD.to_vec();
        for c in body.chunks(size) {
            out.extend_from_slice(format!("{:x};ext=1\r\n", c.len()).as_bytes());
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\nX-Trailer: y\r\n\r\n");
        out
    }

    #[test]
    fn chunked_in_place_any_split() {
        let body: Vec<u8> = (0..300u32).map(|i| b'a' + (i % 26) as u8).collect();
        let raw = chunked(&body, 7);
        for piece in [1, 2, 3, 5, 64, 1000] {
            let pieces: Vec<&[u8]> = raw.chunks(piece).collect();
            // Large enough for the raw message; and just larger than the body (compaction).
            for size in [raw.len(), raw.len() + 1, body.len() + CHUNKED_GAP + 40] {
                let mut buf = vec![0u8; size];
                let (reply, keep) = run(&pieces, &mut buf).unwrap();
                assert_eq!(&buf[..reply.body_len], &body[..], "piece {piece} size {size}");
                // A buffer the message fills exactly may have left bytes unread: no reuse.
                assert_eq!(keep, size != raw.len(), "piece {piece} size {size}");
                assert!(reply.json);
            }
        }
    }

    #[test]
    fn oversize_is_an_error_with_the_size() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
        let mut buf = [0u8; 512];
        assert_eq!(run(&[head], &mut buf).unwrap_err(), Error::Response(ResponseError::BodyTooLarge { needed: 5000 }));
        let body = vec![b'x'; 600];
        let raw = chunked(&body, 100);
        let err = run(&[&raw], &mut buf).unwrap_err();
        assert!(matches!(err, Error::Response(ResponseError::BodyTooLarge { needed }) if needed > 512), "{err:?}");
        let mut small = [0u8; 16];
        assert_eq!(run(&[&raw], &mut small).unwrap_err(), Error::Response(ResponseError::HeadTooLarge { max: 16 }));
    }

    #[test]
    fn truncated_and_closed() {
        let mut buf = [0u8; 256];
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        assert_eq!(run(&[r], &mut buf).unwrap_err(), Error::Response(ResponseError::UnexpectedEnd));
        assert_eq!(run(&[], &mut buf).unwrap_err(), Error::ConnectionClosed);
        assert_eq!(run(&[b"HTTP/1.1 2"], &mut buf).unwrap_err(), Error::Response(ResponseError::UnexpectedEnd));
        let raw = chunked(b"hello", 2);
        assert_eq!(run(&[&raw[..raw.len() - 3]], &mut buf).unwrap_err(), Error::Response(ResponseError::UnexpectedEnd));
    }

    #[test]
    fn keep_alive_rules() {
        let mut buf = [0u8; 256];
        let cases: &[(&[u8], bool)] = &[
            (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true),
            (b"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 2\r\n\r\nok", false),
            (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false),
            (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", true),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", false),
            (b"HTTP/1.1 200 OK\r\n\r\nuntil close", false),
            (
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nDate: Mon, 25 Feb 2019 16:44:25 GMT\r\n\r\n",
                true,
            ),
        ];
        for (raw, keep) in cases {
            let (reply, k) = run(&[raw], &mut buf).unwrap();
            assert_eq!(k, *keep, "{}", String::from_utf8_lossy(raw));
            if reply.status == 204 {
                assert_eq!(reply.date, Some(1551113065));
            }
        }
        let (reply, _) = run(&[b"HTTP/1.1 200 OK\r\n\r\nuntil close"], &mut buf).unwrap();
        assert_eq!(&buf[..reply.body_len], b"until close");
    }

    /// Bytes past the body, in a read after the head's (one TLS record holding the body's
    /// end and more): the body is answered, the connection never reused.
    #[test]
    fn bytes_past_the_body_in_a_later_read_refuse_reuse() {
        let head = &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"[..];
        let cases: &[&[&[u8]]] = &[
            &[head, b"hello!"],
            &[head, b"helloHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
            &[head, b"he", b"llo!"],
            &[head, b"h", b"e", b"l", b"l", b"o!"],
            &[&head[..head.len() - 1], b"\nhello!"],
            // After an answer without a body.
            &[b"HTTP/1.1 204 No Content\r\n", b"\r\nX"],
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", b"\r\nX"],
            &[b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r", b"\nX"],
        ];
        for pieces in cases {
            let mut buf = [0u8; 256];
            let (reply, keep) = run(pieces, &mut buf).unwrap();
            assert!(!keep, "{pieces:?}");
            if reply.status == 200 && reply.body_len > 0 {
                assert_eq!(&buf[..reply.body_len], b"hello");
            }
        }
        // The same without the extra byte keeps the connection.
        for pieces in [&[head, b"hello"][..], &[head, b"he", b"llo"], &[b"HTTP/1.1 204 No Content\r\n", b"\r\n"]] {
            let mut buf = [0u8; 256];
            assert!(run(pieces, &mut buf).unwrap().1, "{pieces:?}");
        }
    }

    /// A read that fills all the room it was given may have left bytes behind (the rest of
    /// a record): the connection is not reused.
    #[test]
    fn a_read_that_fills_the_buffer_refuses_reuse() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let mut exact = [0u8; 43];
        assert_eq!(raw.len(), exact.len());
        let (reply, keep) = run(&[raw], &mut exact).unwrap();
        assert_eq!((&exact[..reply.body_len], keep), (&b"hello"[..], false));
        let mut roomy = [0u8; 44];
        assert!(run(&[raw], &mut roomy).unwrap().1);
        // A body that fills the buffer exactly, read after the head.
        let mut buf = [0u8; 38];
        let (reply, keep) = run(&[&raw[..38], b"hello"], &mut buf).unwrap();
        assert_eq!((reply.body_len, keep), (5, true));
        let big = b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n";
        let mut buf = [0u8; 64];
        let (reply, keep) = run(&[big, &[b'x'; 64]], &mut buf).unwrap();
        assert_eq!((reply.body_len, keep), (64, false));
    }
}
