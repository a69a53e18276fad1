//! The `chunked` transfer coding (RFC 9112 §7.1) and whole-body collection.
//!
//! [`ChunkedDecoder`] is a byte-driven state machine: feed it input in pieces
//! of any size (even one byte) and it writes the decoded data to a caller
//! slice. Chunk extensions and trailer fields are skipped within fixed bounds.
//! Every line of the framing must end in CRLF.
//!
//! ```
//! use tencentcloud_core::response::ChunkedDecoder;
//!
//! let mut dec = ChunkedDecoder::new();
//! let mut out = [0u8; 16];
//! let p = dec.decode(b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n", &mut out)?;
//! assert!(p.done);
//! assert_eq!(&out[..p.written], b"Wikipedia");
//! # Ok::<(), tencentcloud_core::response::ResponseError>(())
//! ```

use super::ResponseError;
use super::head::Framing;

/// Bound on the chunk extensions of one chunk-size line, in bytes.
pub const MAX_CHUNK_EXT_LEN: usize = 1024;
/// Bound on the whole trailer section, in bytes.
pub const MAX_TRAILER_LEN: usize = 4096;

/// What one [`ChunkedDecoder::decode`] call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Progress {
    /// Input bytes consumed; feed the rest again.
    pub consumed: usize,
    /// Decoded bytes written to the start of the output slice.
    pub written: usize,
    /// The last chunk and trailer section are complete; bytes after
    /// `consumed` belong to whatever follows the body.
    pub done: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a chunk-size line: at least one hex digit must follow.
    SizeStart,
    /// Reading more hex digits.
    Size,
    /// After the size: only whitespace, `;` or CR may follow.
    SizeWs,
    /// Inside chunk extensions until CR.
    Ext,
    /// Saw CR ending the size line; LF must follow.
    SizeLf,
    /// Inside chunk data.
    Data,
    /// After data: CR must follow.
    DataCr,
    /// After data CR: LF must follow.
    DataLf,
    /// At the start of a trailer line (or the final empty line).
    TrailerStart,
    /// Inside a trailer field line.
    Trailer,
    /// Saw CR ending a trailer field line.
    TrailerLf,
    /// Saw CR of the final empty line.
    EndLf,
    /// The body is complete.
    Done,
    /// An error occurred; it is reported again on every call.
    Failed(ResponseError),
}

/// Incremental decoder for a `chunked` body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkedDecoder {
    state: State,
    /// Size of the chunk being read, then bytes of it still to come.
    remaining: u64,
    /// Bytes of extension seen on the current size line.
    ext_len: usize,
    /// Bytes of trailer section seen.
    trailer_len: usize,
}

/// One step of the state machine.
enum Step {
    /// This many framing bytes were consumed.
    Framing(usize),
    /// The first `n` input bytes are chunk data.
    Data(usize),
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    pub const fn new() -> Self {
        Self { state: State::SizeStart, remaining: 0, ext_len: 0, trailer_len: 0 }
    }

    /// Whether the final chunk and trailer section have been read.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Bytes of the current chunk not yet decoded (0 between chunks).
    pub fn chunk_remaining(&self) -> u64 {
        if matches!(self.state, State::Data) { self.remaining } else { 0 }
    }

    /// Decodes as much of `input` as fits into `out`.
    ///
    /// Stops when the input is used up, `out` is full in the middle of chunk
    /// data, or the body is complete. An error is sticky: later calls repeat it.
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, ResponseError> {
        let mut p = Progress::default();
        loop {
            if matches!(self.state, State::Done) {
                p.done = true;
                return Ok(p);
            }
            let rest = input.get(p.consumed..).unwrap_or(&[]);
            let room = out.len().saturating_sub(p.written);
            if rest.is_empty() || (matches!(self.state, State::Data) && room == 0) {
                return Ok(p);
            }
            match self.step(rest, room)? {
                Step::Framing(n) => p.consumed += n,
                Step::Data(n) => {
                    let (Some(src), Some(dst)) = (rest.get(..n), out.get_mut(p.written..p.written + n)) else {
                        return Err(self.fail(ResponseError::UnexpectedEnd));
                    };
                    dst.copy_from_slice(src);
                    p.consumed += n;
                    p.written += n;
                }
            }
        }
    }

    fn fail(&mut self, e: ResponseError) -> ResponseError {
        self.state = State::Failed(e);
        e
    }

    /// Advances over framing bytes or reports a run of data (`input` is non-empty).
    fn step(&mut self, input: &[u8], room: usize) -> Result<Step, ResponseError> {
        if let State::Failed(e) = self.state {
            return Err(e);
        }
        if matches!(self.state, State::Data) {
            let n = usize::try_from(self.remaining).unwrap_or(usize::MAX).min(input.len()).min(room);
            self.remaining -= n as u64;
            if self.remaining == 0 {
                self.state = State::DataCr;
            }
            return Ok(Step::Data(n));
        }
        let Some(&b) = input.first() else {
            return Ok(Step::Framing(0));
        };
        self.byte(b).map_err(|e| self.fail(e))?;
        Ok(Step::Framing(1))
    }

    fn byte(&mut self, b: u8) -> Result<(), ResponseError> {
        use State::*;
        self.state = match self.state {
            SizeStart | Size => match hex_val(b) {
                Some(d) => {
                    self.remaining = self
                        .remaining
                        .checked_mul(16)
                        .and_then(|v| v.checked_add(u64::from(d)))
                        .ok_or(ResponseError::ChunkSizeOverflow)?;
                    Size
                }
                None if self.state == SizeStart => return Err(ResponseError::InvalidChunkSize),
                None => self.after_size(b)?,
            },
            SizeWs => self.after_size(b)?,
            Ext => match b {
                b'\r' => SizeLf,
                b'\n' => return Err(ResponseError::InvalidChunkTerminator),
                _ => {
                    self.ext_len += 1;
                    if self.ext_len > MAX_CHUNK_EXT_LEN {
                        return Err(ResponseError::ChunkExtensionTooLarge { max: MAX_CHUNK_EXT_LEN });
                    }
                    Ext
                }
            },
            SizeLf => {
                if b != b'\n' {
                    return Err(ResponseError::InvalidChunkTerminator);
                }
                self.ext_len = 0;
                if self.remaining == 0 { TrailerStart } else { Data }
            }
            DataCr if b == b'\r' => DataLf,
            DataLf if b == b'\n' => SizeStart,
            DataCr | DataLf => return Err(ResponseError::InvalidChunkTerminator),
            TrailerStart | Trailer => {
                self.trailer_len += 1;
                if self.trailer_len > MAX_TRAILER_LEN {
                    return Err(ResponseError::TrailerTooLarge { max: MAX_TRAILER_LEN });
                }
                match (self.state, b) {
                    (TrailerStart, b'\r') => EndLf,
                    (Trailer, b'\r') => TrailerLf,
                    (_, b'\n') => return Err(ResponseError::InvalidChunkTerminator),
                    _ => Trailer,
                }
            }
            TrailerLf if b == b'\n' => {
                self.trailer_len += 1;
                TrailerStart
            }
            EndLf if b == b'\n' => Done,
            TrailerLf | EndLf => return Err(ResponseError::InvalidChunkTerminator),
            // Handled by the callers; kept total for safety.
            Data | Done | Failed(_) => self.state,
        };
        Ok(())
    }

    fn after_size(&mut self, b: u8) -> Result<State, ResponseError> {
        match b {
            b' ' | b'\t' => Ok(State::SizeWs),
            b';' => {
                self.ext_len = 1;
                Ok(State::Ext)
            }
            b'\r' => Ok(State::SizeLf),
            b'\n' => Err(ResponseError::InvalidChunkTerminator),
            _ => Err(ResponseError::InvalidChunkSize),
        }
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a complete chunked body held in `buf`, in place.
///
/// Returns the decoded length; the data is at `buf[..len]`. Bytes after the
/// end of the chunked body are ignored. An incomplete body is
/// [`ResponseError::UnexpectedEnd`].
///
/// ```
/// # use tencentcloud_core::response::decode_in_place;
/// let mut buf = *b"3\r\nabc\r\n0\r\n\r\n";
/// let n = decode_in_place(&mut buf)?;
/// assert_eq!(&buf[..n], b"abc");
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
pub fn decode_in_place(buf: &mut [u8]) -> Result<usize, ResponseError> {
    let mut dec = ChunkedDecoder::new();
    let (mut read, mut written) = (0usize, 0usize);
    while !dec.is_done() {
        let rest = buf.get(read..).unwrap_or(&[]);
        if rest.is_empty() {
            return Err(ResponseError::UnexpectedEnd);
        }
        match dec.step(rest, usize::MAX)? {
            Step::Framing(n) => read += n,
            Step::Data(n) => {
                // written <= read always holds, so the copy moves data leftwards.
                buf.copy_within(read..read + n, written);
                read += n;
                written += n;
            }
        }
    }
    Ok(written)
}

/// Collects a complete response body of any [`Framing`] into a caller buffer.
///
/// A body that does not fit is [`ResponseError::BodyTooLarge`], never truncated.
///
/// ```
/// use tencentcloud_core::response::{BodyReader, Framing};
///
/// let mut buf = [0u8; 8];
/// let mut r = BodyReader::new(Framing::Chunked, &mut buf)?;
/// for piece in [&b"2\r\nhi\r"[..], b"\n0\r\n", b"\r\n"] {
///     r.feed(piece)?;
/// }
/// assert!(r.is_done());
/// assert_eq!(r.finish()?, b"hi");
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
#[derive(Debug)]
pub struct BodyReader<'o> {
    framing: Framing,
    decoder: ChunkedDecoder,
    out: &'o mut [u8],
    len: usize,
    done: bool,
}

impl<'o> BodyReader<'o> {
    /// Starts collecting a body with the given framing into `out`.
    ///
    /// A `Content-Length` larger than `out` fails at once with the exact size needed.
    pub fn new(framing: Framing, out: &'o mut [u8]) -> Result<Self, ResponseError> {
        let done = match framing {
            Framing::NoBody => true,
            Framing::ContentLength(n) => {
                if usize::try_from(n).map_or(true, |n| n > out.len()) {
                    return Err(ResponseError::BodyTooLarge { needed: n });
                }
                n == 0
            }
            Framing::Chunked | Framing::UntilClose => false,
        };
        Ok(Self { framing, decoder: ChunkedDecoder::new(), out, len: 0, done })
    }

    /// Consumes body bytes from `input` and returns how many were used.
    ///
    /// Once the body is complete, the rest of `input` is left unconsumed.
    pub fn feed(&mut self, input: &[u8]) -> Result<usize, ResponseError> {
        if self.done {
            return Ok(0);
        }
        match self.framing {
            Framing::NoBody => Ok(0),
            Framing::ContentLength(total) => {
                let left = usize::try_from(total).unwrap_or(usize::MAX).saturating_sub(self.len);
                let n = left.min(input.len());
                self.copy(input.get(..n).unwrap_or(&[]))?;
                self.done = n == left;
                Ok(n)
            }
            Framing::UntilClose => {
                self.copy(input)?;
                Ok(input.len())
            }
            Framing::Chunked => {
                let out = self.out.get_mut(self.len..).unwrap_or(&mut []);
                let p = self.decoder.decode(input, out)?;
                self.len += p.written;
                self.done = p.done;
                if !p.done && p.consumed < input.len() {
                    // Stopped with input left: the output is full mid-chunk.
                    let needed = (self.len as u64).saturating_add(self.decoder.chunk_remaining());
                    return Err(ResponseError::BodyTooLarge { needed });
                }
                Ok(p.consumed)
            }
        }
    }

    fn copy(&mut self, data: &[u8]) -> Result<(), ResponseError> {
        let end = self.len.checked_add(data.len());
        match end.and_then(|end| self.out.get_mut(self.len..end)) {
            Some(dst) => {
                dst.copy_from_slice(data);
                self.len += data.len();
                Ok(())
            }
            None => Err(ResponseError::BodyTooLarge { needed: (self.len as u64).saturating_add(data.len() as u64) }),
        }
    }

    /// Whether the body is known to be complete (always false for [`Framing::UntilClose`]).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The body bytes collected so far.
    pub fn body(&self) -> &[u8] {
        self.out.get(..self.len).unwrap_or(&[])
    }

    /// Returns the complete body.
    ///
    /// Call once [`is_done`](Self::is_done) or, for [`Framing::UntilClose`], once
    /// the peer has closed the connection; otherwise [`ResponseError::UnexpectedEnd`].
    pub fn finish(self) -> Result<&'o [u8], ResponseError> {
        if !self.done && self.framing != Framing::UntilClose {
            return Err(ResponseError::UnexpectedEnd);
        }
        let out: &'o [u8] = self.out;
        Ok(out.get(..self.len).unwrap_or(&[]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_bytewise(input: &[u8]) -> Result<([u8; 64], usize, bool), ResponseError> {
        let mut dec = ChunkedDecoder::new();
        let mut out = [0u8; 64];
        let mut w = 0;
        for b in input {
            let p = dec.decode(core::slice::from_ref(b), &mut out[w..])?;
            w += p.written;
            if p.done {
                return Ok((out, w, true));
            }
        }
        Ok((out, w, false))
    }

    #[test]
    fn bytewise_with_ext_and_trailer() {
        let input = b"4;a=b;c\r\nWiki\r\n05\r\npedia\r\nE \r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
        let (out, n, done) = decode_bytewise(input).unwrap();
        assert!(done);
        assert_eq!(&out[..n], b"Wikipedia in\r\n\r\nchunks.");
    }

    #[test]
    fn errors_are_sticky() {
        let mut dec = ChunkedDecoder::new();
        let mut out = [0u8; 4];
        assert_eq!(dec.decode(b"g\r\n", &mut out), Err(ResponseError::InvalidChunkSize));
        assert_eq!(dec.decode(b"0\r\n\r\n", &mut out), Err(ResponseError::InvalidChunkSize));
    }

    #[test]
    fn error_cases() {
        let cases: &[(&[u8], ResponseError)] = &[
            (b"\r\n", ResponseError::InvalidChunkSize),
            (b"1\n", ResponseError::InvalidChunkTerminator),
            (b"1\r\nab", ResponseError::InvalidChunkTerminator),
            (b"1\r\na\rx", ResponseError::InvalidChunkTerminator),
            (b"1 x\r\n", ResponseError::InvalidChunkSize),
            (b"10000000000000000\r\n", ResponseError::ChunkSizeOverflow),
            (b"0\r\nA: b\n", ResponseError::InvalidChunkTerminator),
        ];
        for (input, err) in cases {
            assert_eq!(decode_bytewise(input).map(|r| r.1), Err(*err), "{input:?}");
        }
        let mut long = [b'a'; MAX_CHUNK_EXT_LEN + 8];
        long[..2].copy_from_slice(b"1;");
        assert_eq!(
            decode_bytewise(&long).map(|r| r.1),
            Err(ResponseError::ChunkExtensionTooLarge { max: MAX_CHUNK_EXT_LEN })
        );
        let mut trailer = [b'a'; MAX_TRAILER_LEN + 8];
        trailer[..3].copy_from_slice(b"0\r\n");
        let mut dec = ChunkedDecoder::new();
        assert_eq!(dec.decode(&trailer, &mut []), Err(ResponseError::TrailerTooLarge { max: MAX_TRAILER_LEN }));
    }

    #[test]
    fn leaves_following_bytes() {
        let mut dec = ChunkedDecoder::new();
        let mut out = [0u8; 4];
        let p = dec.decode(b"0\r\n\r\nHTTP/1.1", &mut out).unwrap();
        assert_eq!(p, Progress { consumed: 5, written: 0, done: true });
        assert_eq!(dec.decode(b"more", &mut out).unwrap().consumed, 0);
    }

    #[test]
    fn small_output_pauses() {
        let mut dec = ChunkedDecoder::new();
        let mut out = [0u8; 2];
        let input = b"5\r\nhello\r\n0\r\n\r\n";
        let p = dec.decode(input, &mut out).unwrap();
        assert_eq!((p.consumed, p.written, p.done), (5, 2, false));
        assert_eq!(dec.chunk_remaining(), 3);
    }

    #[test]
    fn in_place() {
        let mut buf = *b"5\r\nhello\r\n1;e\r\n!\r\n0\r\n\r\n";
        let n = decode_in_place(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello!");
        let mut buf = *b"5\r\nhello\r\n";
        assert_eq!(decode_in_place(&mut buf), Err(ResponseError::UnexpectedEnd));
    }

    #[test]
    fn body_reader() {
        let mut buf = [0u8; 4];
        assert_eq!(
            BodyReader::new(Framing::ContentLength(5), &mut buf).err(),
            Some(ResponseError::BodyTooLarge { needed: 5 })
        );
        let mut r = BodyReader::new(Framing::ContentLength(3), &mut buf).unwrap();
        assert_eq!(r.feed(b"ab").unwrap(), 2);
        assert!(!r.is_done());
        assert_eq!(r.feed(b"cdef").unwrap(), 1);
        assert_eq!(r.finish().unwrap(), b"abc");

        let mut r = BodyReader::new(Framing::Chunked, &mut buf).unwrap();
        assert_eq!(r.feed(b"6\r\nabcdef\r\n0\r\n\r\n"), Err(ResponseError::BodyTooLarge { needed: 6 }));

        let mut r = BodyReader::new(Framing::UntilClose, &mut buf).unwrap();
        r.feed(b"abc").unwrap();
        assert_eq!(r.feed(b"de"), Err(ResponseError::BodyTooLarge { needed: 5 }));

        let r = BodyReader::new(Framing::Chunked, &mut buf).unwrap();
        assert_eq!(r.finish(), Err(ResponseError::UnexpectedEnd));

        let r = BodyReader::new(Framing::NoBody, &mut buf).unwrap();
        assert_eq!(r.finish().unwrap(), b"");
    }
}
