//! A response read as a stream: the head into the caller's buffer, then the body through
//! the core's framing (`Content-Length`, chunked, or until the connection closes) a piece
//! at a time, its whole length checked. The memory is the caller's buffer plus a
//! [`WINDOW`]-byte window of raw bytes in the call's own state.

use embassy_time::{Duration, Instant};
use embedded_io_async::Read;
use tencentcloud_core::response::head::complete_head_len;
use tencentcloud_core::response::{ChunkedDecoder, Framing, Header, Parsed, ResponseError, parse_head};

use crate::error::Fault;
use crate::http::{HeadInfo, MAX_HEADERS, Receiver, Waits};

/// Raw bytes read at a time while a head or a chunked body is read: the most a read of the
/// head may bring past the head, kept here until the body is read.
pub(crate) const WINDOW: usize = 256;

/// What the head said.
pub(crate) struct Head {
    pub(crate) info: HeadInfo,
    /// The media type is `text/event-stream`.
    pub(crate) event_stream: bool,
}

/// The body's framing and how much of it is left.
enum Frame {
    /// `Content-Length`: this many bytes are still to come.
    Sized(u64),
    Chunked(ChunkedDecoder),
    UntilClose,
    /// The whole body was read (its length checked).
    Done,
}

/// The body of a response whose head was read: [`BodyStream::read`] hands out the decoded
/// body a piece at a time.
pub(crate) struct BodyStream {
    frame: Frame,
    /// The `Content-Length`, if given.
    length: Option<u64>,
    /// Raw bytes not yet used: `raw[start..end]`.
    raw: [u8; WINDOW],
    start: usize,
    end: usize,
    /// The last read filled all the room it had: more bytes may be waiting.
    full: bool,
    /// Bytes arrived past the body (or may have): the connection is not reused.
    past_end: bool,
    deadline: Instant,
    io_wait: Duration,
}

/// Reads a head (skipping interim 1xx responses) into `buf`, at most [`WINDOW`] bytes a
/// read, and returns it with the body's reader. The response deadline bounds the head
/// and, until [`BodyStream::unbounded`], the body.
pub(crate) async fn open<S: Read>(io: &mut S, buf: &mut [u8], waits: Waits) -> Result<(Head, BodyStream), Fault> {
    let deadline = Instant::now().saturating_add(waits.response);
    let (mut skipped, mut filled) = (0, 0);
    loop {
        if let Some(len) = complete_head_len(buf.get(skipped..filled).unwrap_or(&[]), MAX_HEADERS)? {
            let raw = buf.get(skipped..skipped + len).unwrap_or(&[]);
            let info = HeadInfo::parse(raw)?;
            skipped += len;
            if (100..200).contains(&info.status) {
                continue;
            }
            let head = Head { event_stream: is_event_stream(raw), info };
            // Every head byte arrived in reads of at most `WINDOW` bytes, and the head ends
            // in the last one: what follows it fits the window.
            let rest = buf.get(skipped..filled).unwrap_or(&[]);
            let body = BodyStream::new(head.info.framing, rest, deadline, waits.io)?;
            return Ok((head, body));
        }
        if filled == buf.len() {
            return Err(ResponseError::HeadTooLarge { max: buf.len() }.into());
        }
        let end = buf.len().min(filled + WINDOW);
        let mut rx = Receiver { io: &mut *io, deadline, io_wait: waits.io };
        let n = rx.read_small(buf.get_mut(filled..end).unwrap_or(&mut []), filled == 0).await?;
        if n == 0 {
            return Err(if filled == 0 { Fault::ConnectionClosed } else { ResponseError::UnexpectedEnd.into() });
        }
        filled += n;
    }
}

/// Whether a complete head's media type is `text/event-stream`.
#[inline(never)]
fn is_event_stream(raw: &[u8]) -> bool {
    let mut headers = [Header::EMPTY; MAX_HEADERS];
    matches!(parse_head(raw, &mut headers), Ok(Parsed::Complete(head)) if head.media_type_is("text/event-stream"))
}

impl BodyStream {
    fn new(framing: Framing, rest: &[u8], deadline: Instant, io_wait: Duration) -> Result<Self, Fault> {
        let mut raw = [0u8; WINDOW];
        let start = raw.get_mut(..rest.len()).ok_or(ResponseError::UnexpectedEnd)?;
        start.copy_from_slice(rest);
        let (frame, length) = match framing {
            Framing::NoBody => (Frame::Done, Some(0)),
            Framing::ContentLength(n) => (Frame::Sized(n), Some(n)),
            Framing::Chunked => (Frame::Chunked(ChunkedDecoder::new()), None),
            Framing::UntilClose => (Frame::UntilClose, None),
        };
        let past_end = matches!(frame, Frame::Done) && !rest.is_empty();
        Ok(Self { frame, length, raw, start: 0, end: rest.len(), full: false, past_end, deadline, io_wait })
    }

    /// The `Content-Length`, if given.
    pub(crate) fn length(&self) -> Option<u64> {
        self.length
    }

    /// Lifts the response deadline: from now on only each read is bounded (a stream may
    /// last longer than one answer may take).
    pub(crate) fn unbounded(&mut self) {
        self.deadline = Instant::MAX;
    }

    /// Whether the connection may carry another exchange after this body: the server keeps
    /// it alive, the body was read whole and nothing past it arrived or may be waiting.
    pub(crate) fn reusable(&self, keep_alive: bool) -> bool {
        keep_alive && matches!(self.frame, Frame::Done) && !self.past_end && !self.full
    }

    /// Reads decoded body bytes into `out` (not empty): `Ok(0)` once the whole body was
    /// read, its length checked (a body that ends early is [`ResponseError::UnexpectedEnd`]).
    pub(crate) async fn read<S: Read>(&mut self, io: &mut S, out: &mut [u8]) -> Result<usize, Fault> {
        if out.is_empty() {
            // (Never asked: a zero would read as the end of the body.)
            return Err(ResponseError::BodyTooLarge { needed: 1 }.into());
        }
        loop {
            if let Some(n) = self.take_pending(out)? {
                return Ok(n);
            }
            let mut rx = Receiver { io: &mut *io, deadline: self.deadline, io_wait: self.io_wait };
            // Nothing pending: read, straight into `out` unless the bytes need decoding.
            let room = match self.frame {
                Frame::Done => return Ok(0),
                Frame::Chunked(_) => {
                    let n = rx.read_small(&mut self.raw, false).await?;
                    self.full = n == WINDOW;
                    if n == 0 {
                        return Err(ResponseError::UnexpectedEnd.into());
                    }
                    (self.start, self.end) = (0, n);
                    continue;
                }
                // Room for a byte past the body: one that arrives is seen (no reuse).
                Frame::Sized(left) => out.len().min(usize::try_from(left.saturating_add(1)).unwrap_or(usize::MAX)),
                Frame::UntilClose => out.len(),
            };
            let n = rx.read_small(out.get_mut(..room).unwrap_or(&mut []), false).await?;
            self.full = n == room;
            return match &mut self.frame {
                Frame::Sized(_) if n == 0 => Err(ResponseError::UnexpectedEnd.into()),
                Frame::Sized(left) => {
                    let body = n.min(usize::try_from(*left).unwrap_or(usize::MAX));
                    *left -= body as u64;
                    if *left == 0 {
                        self.past_end |= n > body;
                        self.frame = Frame::Done;
                    }
                    Ok(body)
                }
                _ if n == 0 => {
                    self.frame = Frame::Done;
                    self.past_end = true;
                    Ok(0)
                }
                _ => Ok(n),
            };
        }
    }

    /// Decodes raw bytes already read into `out`; `None` when there are none.
    fn take_pending(&mut self, out: &mut [u8]) -> Result<Option<usize>, Fault> {
        while self.start < self.end {
            let pending = self.raw.get(self.start..self.end).unwrap_or(&[]);
            let n = match &mut self.frame {
                Frame::Done => {
                    self.past_end = true;
                    return Ok(Some(0));
                }
                Frame::Chunked(decoder) => {
                    let progress = decoder.decode(pending, out)?;
                    self.start += progress.consumed;
                    if progress.done {
                        self.past_end |= self.start < self.end;
                        self.frame = Frame::Done;
                    }
                    if progress.written > 0 || progress.done {
                        return Ok(Some(progress.written));
                    }
                    if progress.consumed == 0 {
                        // (The decoder always moves with room in `out`: never an end.)
                        return Err(ResponseError::UnexpectedEnd.into());
                    }
                    continue;
                }
                Frame::Sized(left) => {
                    let n = pending.len().min(out.len()).min(usize::try_from(*left).unwrap_or(usize::MAX));
                    *left -= n as u64;
                    n
                }
                Frame::UntilClose => pending.len().min(out.len()),
            };
            if let (Some(to), Some(from)) = (out.get_mut(..n), pending.get(..n)) {
                to.copy_from_slice(from);
            }
            self.start += n;
            if matches!(self.frame, Frame::Sized(0)) {
                self.past_end |= self.start < self.end;
                self.frame = Frame::Done;
            }
            return Ok(Some(n));
        }
        if matches!(self.frame, Frame::Sized(0)) {
            self.frame = Frame::Done;
        }
        Ok(None)
    }

    /// Reads the body into `buf`: its length if it fits, else `None` with `buf` full of its
    /// first bytes.
    pub(crate) async fn read_whole<S: Read>(&mut self, io: &mut S, buf: &mut [u8]) -> Result<Option<usize>, Fault> {
        let mut len = 0;
        loop {
            let Some(rest) = buf.get_mut(len..).filter(|rest| !rest.is_empty()) else {
                return Ok(matches!(self.frame, Frame::Done).then_some(len));
            };
            match self.read(io, rest).await? {
                0 => return Ok(Some(len)),
                n => len += n,
            }
        }
    }
}
