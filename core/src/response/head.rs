//! Incremental HTTP/1.x response head parser.
//!
//! Accumulate received bytes in one buffer and call [`parse_head`] again on
//! [`Parsed::Partial`]. The head is bounded by [`MAX_HEAD_LEN`] (or the limit
//! given to [`parse_head_limited`]) and the header count by the caller's slice.
//! Lines may end in CRLF or a bare LF; obsolete line folding is rejected.
//!
//! ```
//! use tencentcloud_core::response::{Framing, Header, Parsed, parse_head};
//!
//! let mut headers = [Header::EMPTY; 8];
//! let buf = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n";
//! assert!(matches!(parse_head(&buf[..20], &mut headers)?, Parsed::Partial));
//! let Parsed::Complete(head) = parse_head(buf, &mut headers)? else { unreachable!() };
//! assert_eq!((head.status, head.len), (200, 47));
//! assert_eq!(head.framing()?, Framing::Chunked);
//! # Ok::<(), tencentcloud_core::response::ResponseError>(())
//! ```

use super::{ResponseError, eq_ignore_case, trim_ows};

/// Default bound on the size of a response head, in bytes.
pub const MAX_HEAD_LEN: usize = 16 * 1024;

/// One header field, borrowed from the receive buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'b> {
    /// Field name (an RFC 9110 token, so always ASCII), in the case received.
    pub name: &'b str,
    /// Field value with surrounding whitespace removed; may hold obs-text bytes.
    pub value: &'b [u8],
}

impl Header<'_> {
    /// An empty header, for initialising the caller's header array.
    pub const EMPTY: Header<'static> = Header { name: "", value: b"" };

    /// The value as `&str`, if it is UTF-8.
    ///
    /// ```
    /// # use tencentcloud_core::response::Header;
    /// let h = Header { name: "Server", value: b"tencent" };
    /// assert_eq!(h.value_str(), Some("tencent"));
    /// ```
    pub fn value_str(&self) -> Option<&str> {
        core::str::from_utf8(self.value).ok()
    }
}

/// Outcome of an incremental parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed<T> {
    /// The input is complete; here is the result.
    Complete(T),
    /// More input is needed; call again with more bytes.
    Partial,
}

/// How the body that follows a head is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body: status 1xx, 204 or 304.
    NoBody,
    /// Exactly this many bytes.
    ContentLength(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// The body ends when the server closes the connection.
    UntilClose,
}

/// A parsed response head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseHead<'h, 'b> {
    /// Minor HTTP version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// Status code (100..=999).
    pub status: u16,
    /// Reason phrase as received (may be empty; may hold obs-text bytes).
    pub reason: &'b [u8],
    /// Header fields in order of arrival.
    pub headers: &'h [Header<'b>],
    /// Length of the head including the final empty line; the body starts here.
    pub len: usize,
}

/// Parses a response head with the default [`MAX_HEAD_LEN`] bound.
///
/// Returns [`Parsed::Partial`] while the empty line ending the head has not arrived.
/// Errors are reported as soon as a complete line is invalid.
pub fn parse_head<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Parsed<ResponseHead<'h, 'b>>, ResponseError> {
    parse_head_limited(buf, headers, MAX_HEAD_LEN)
}

/// Parses a response head whose total size must not exceed `max_len` bytes.
pub fn parse_head_limited<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
    max_len: usize,
) -> Result<Parsed<ResponseHead<'h, 'b>>, ResponseError> {
    let max = headers.len();
    let mut count = 0usize;
    let parsed = parse_inner(buf, max_len, |h| {
        let slot = headers.get_mut(count).ok_or(ResponseError::TooManyHeaders { max })?;
        *slot = h;
        count += 1;
        Ok(())
    })?;
    Ok(match parsed {
        Parsed::Partial => Parsed::Partial,
        Parsed::Complete(line) => {
            let headers: &'h [Header<'b>] = headers;
            Parsed::Complete(ResponseHead {
                minor_version: line.minor_version,
                status: line.status,
                reason: line.reason,
                headers: headers.get(..count).unwrap_or(&[]),
                len: line.len,
            })
        }
    })
}

/// Validates a head without storing its headers and returns its length once complete.
///
/// Useful in a receive loop, where the buffer is still being written to and a
/// borrowing [`ResponseHead`] cannot be kept yet. `max_headers` bounds the
/// header count exactly as a slice of that length would in [`parse_head`].
///
/// ```
/// # use tencentcloud_core::response::head::complete_head_len;
/// assert_eq!(complete_head_len(b"HTTP/1.1 204 No Content\r\n", 8)?, None);
/// assert_eq!(complete_head_len(b"HTTP/1.1 204 No Content\r\n\r\n", 8)?, Some(27));
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
pub fn complete_head_len(buf: &[u8], max_headers: usize) -> Result<Option<usize>, ResponseError> {
    let mut count = 0usize;
    let parsed = parse_inner(buf, MAX_HEAD_LEN, |_| {
        if count >= max_headers {
            return Err(ResponseError::TooManyHeaders { max: max_headers });
        }
        count += 1;
        Ok(())
    })?;
    Ok(match parsed {
        Parsed::Partial => None,
        Parsed::Complete(line) => Some(line.len),
    })
}

struct StatusLine<'b> {
    minor_version: u8,
    status: u16,
    reason: &'b [u8],
    len: usize,
}

/// Finds the next line in `buf[start..]`: returns (content end, next line start).
/// Accepts CRLF and bare LF; a CR not followed by LF is an error.
fn next_line(buf: &[u8], start: usize) -> Result<Option<(usize, usize)>, ResponseError> {
    let rest = buf.get(start..).unwrap_or(&[]);
    let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
        return Ok(None);
    };
    let nl_abs = start + nl;
    let content_end = if nl > 0 && rest.get(nl - 1) == Some(&b'\r') { nl_abs - 1 } else { nl_abs };
    Ok(Some((content_end, nl_abs + 1)))
}

fn parse_inner<'b>(
    buf: &'b [u8],
    max_len: usize,
    mut on_header: impl FnMut(Header<'b>) -> Result<(), ResponseError>,
) -> Result<Parsed<StatusLine<'b>>, ResponseError> {
    // Only look at the bytes the limit allows; anything beyond cannot be head.
    let window = buf.get(..max_len).unwrap_or(buf);
    let too_large = buf.len() >= max_len;
    let partial = || {
        if too_large { Err(ResponseError::HeadTooLarge { max: max_len }) } else { Ok(Parsed::Partial) }
    };

    // Status line. Validate a prefix early so garbage fails fast.
    let Some((end, mut pos)) = next_line(window, 0)? else {
        check_status_prefix(window)?;
        return partial();
    };
    let line = window.get(..end).unwrap_or(&[]);
    let (minor_version, status, reason) = parse_status_line(line)?;

    loop {
        let Some((end, next)) = next_line(window, pos)? else {
            // Validate the partial line so far (cheap early errors).
            let rest = window.get(pos..).unwrap_or(&[]);
            check_partial_header(rest)?;
            return partial();
        };
        let line = window.get(pos..end).unwrap_or(&[]);
        if line.is_empty() {
            return Ok(Parsed::Complete(StatusLine { minor_version, status, reason, len: next }));
        }
        on_header(parse_header_line(line)?)?;
        pos = next;
    }
}

/// Checks a status line that has no LF yet. It reports only what the whole line would
/// report first, so the error never depends on how the bytes arrived.
fn check_status_prefix(partial: &[u8]) -> Result<(), ResponseError> {
    const PREFIX: &[u8] = b"HTTP/1.";
    let n = partial.len().min(PREFIX.len());
    if partial.get(..n) != PREFIX.get(..n) || partial.get(7).is_some_and(|&minor| minor != b'0' && minor != b'1') {
        return Err(ResponseError::InvalidVersion);
    }
    // No LF follows, so a CR before the last byte is a bare CR.
    if partial.iter().position(|&b| b == b'\r').is_some_and(|cr| cr + 1 < partial.len()) {
        return Err(ResponseError::InvalidStatusLine);
    }
    Ok(())
}

fn parse_status_line(line: &[u8]) -> Result<(u8, u16, &[u8]), ResponseError> {
    let minor = match line.get(..8) {
        Some(b"HTTP/1.1") => 1,
        Some(b"HTTP/1.0") => 0,
        _ => return Err(ResponseError::InvalidVersion),
    };
    let (Some(b' '), Some(&[a, b, c])) = (line.get(8), line.get(9..12)) else {
        return Err(ResponseError::InvalidStatusLine);
    };
    if !(a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit()) || a == b'0' {
        return Err(ResponseError::InvalidStatusLine);
    }
    let status = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
    let reason = match line.get(12) {
        None => &[][..],
        Some(b' ') => line.get(13..).unwrap_or(&[]),
        Some(_) => return Err(ResponseError::InvalidStatusLine),
    };
    if !reason.iter().all(|&b| is_text(b)) {
        return Err(ResponseError::InvalidStatusLine);
    }
    Ok((minor, status, reason))
}

/// HTAB, SP, VCHAR and obs-text.
fn is_text(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_partial_header(rest: &[u8]) -> Result<(), ResponseError> {
    match rest.first() {
        None => Ok(()),
        Some(b' ' | b'\t') => Err(ResponseError::ObsoleteLineFolding),
        Some(b'\r') if rest.len() == 1 => Ok(()),
        Some(_) => {
            let name_len = rest.iter().take_while(|&&b| is_tchar(b)).count();
            match rest.get(name_len) {
                None => Ok(()),
                Some(b':') if name_len > 0 => {
                    let value = rest.get(name_len + 1..).unwrap_or(&[]);
                    // A trailing CR may be the first half of CRLF.
                    let value = value.strip_suffix(b"\r").unwrap_or(value);
                    if value.iter().all(|&b| is_text(b)) { Ok(()) } else { Err(ResponseError::InvalidHeader) }
                }
                Some(_) => Err(ResponseError::InvalidHeader),
            }
        }
    }
}

fn parse_header_line(line: &[u8]) -> Result<Header<'_>, ResponseError> {
    if matches!(line.first(), Some(b' ' | b'\t')) {
        return Err(ResponseError::ObsoleteLineFolding);
    }
    let name_len = line.iter().take_while(|&&b| is_tchar(b)).count();
    if name_len == 0 || line.get(name_len) != Some(&b':') {
        return Err(ResponseError::InvalidHeader);
    }
    let name = line.get(..name_len).and_then(|n| core::str::from_utf8(n).ok()).ok_or(ResponseError::InvalidHeader)?;
    let value = line.get(name_len + 1..).unwrap_or(&[]);
    if !value.iter().all(|&b| is_text(b)) {
        return Err(ResponseError::InvalidHeader);
    }
    Ok(Header { name, value: trim_ows(value) })
}

impl<'h, 'b> ResponseHead<'h, 'b> {
    /// The first value of the named header (ASCII case-insensitive).
    ///
    /// ```
    /// # use tencentcloud_core::response::{Header, Parsed, parse_head};
    /// let mut hs = [Header::EMPTY; 4];
    /// let Parsed::Complete(h) = parse_head(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n", &mut hs)? else { panic!() };
    /// assert_eq!(h.header("x-a"), Some(&b"1"[..]));
    /// # Ok::<(), tencentcloud_core::response::ResponseError>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.header_values(name).next()
    }

    /// All values of the named header, in order (ASCII case-insensitive).
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'b [u8]> + 'a {
        self.headers.iter().filter(move |h| eq_ignore_case(h.name.as_bytes(), name.as_bytes())).map(|h| h.value)
    }

    /// The raw `Date` header value, e.g. `Mon, 25 Feb 2019 08:44:25 GMT`.
    pub fn date(&self) -> Option<&'b [u8]> {
        self.header("date")
    }

    /// The raw `Content-Type` header value, parameters included.
    pub fn content_type(&self) -> Option<&'b [u8]> {
        self.header("content-type")
    }

    /// The media type of `Content-Type` without parameters, e.g. `application/json`.
    pub fn media_type(&self) -> Option<&'b [u8]> {
        let ct = self.content_type()?;
        let end = ct.iter().position(|&b| b == b';').unwrap_or(ct.len());
        Some(trim_ows(ct.get(..end).unwrap_or(ct)))
    }

    /// Whether the media type equals `expected`, ignoring case and parameters.
    ///
    /// ```
    /// # use tencentcloud_core::response::{Header, Parsed, parse_head};
    /// let mut hs = [Header::EMPTY; 4];
    /// let raw = b"HTTP/1.1 200 OK\r\nContent-Type: Application/JSON; charset=utf-8\r\n\r\n";
    /// let Parsed::Complete(h) = parse_head(raw, &mut hs)? else { panic!() };
    /// assert!(h.media_type_is("application/json"));
    /// # Ok::<(), tencentcloud_core::response::ResponseError>(())
    /// ```
    pub fn media_type_is(&self, expected: &str) -> bool {
        self.media_type().is_some_and(|m| eq_ignore_case(m, expected.as_bytes()))
    }

    /// The body length from `Content-Length`, if present.
    ///
    /// Repeated fields or comma lists are accepted only when all values agree.
    pub fn content_length(&self) -> Result<Option<u64>, ResponseError> {
        let mut found: Option<u64> = None;
        for value in self.header_values("content-length") {
            for part in value.split(|&b| b == b',') {
                let n = parse_decimal(trim_ows(part)).ok_or(ResponseError::InvalidContentLength)?;
                match found {
                    Some(prev) if prev != n => return Err(ResponseError::ConflictingFraming),
                    _ => found = Some(n),
                }
            }
        }
        Ok(found)
    }

    /// Whether `Transfer-Encoding` ends with `chunked`.
    pub fn is_chunked(&self) -> bool {
        self.transfer_codings().last().is_some_and(|c| eq_ignore_case(c, b"chunked"))
    }

    fn transfer_codings(&self) -> impl Iterator<Item = &'b [u8]> + '_ {
        self.header_values("transfer-encoding")
            .flat_map(|v| v.split(|&b| b == b','))
            .map(trim_ows)
            .filter(|c| !c.is_empty())
    }

    /// How the body is delimited.
    ///
    /// Errors on `Content-Length` together with `Transfer-Encoding`, on differing
    /// lengths, and on any transfer coding other than a single `chunked`. The
    /// caller must itself treat responses to `HEAD` requests as bodiless.
    pub fn framing(&self) -> Result<Framing, ResponseError> {
        if self.status < 200 || self.status == 204 || self.status == 304 {
            return Ok(Framing::NoBody);
        }
        let content_length = self.content_length()?;
        let has_te = self.header("transfer-encoding").is_some();
        if has_te {
            if content_length.is_some() {
                return Err(ResponseError::ConflictingFraming);
            }
            let mut codings = self.transfer_codings();
            return match (codings.next(), codings.next()) {
                (Some(c), None) if eq_ignore_case(c, b"chunked") => Ok(Framing::Chunked),
                _ => Err(ResponseError::UnsupportedTransferEncoding),
            };
        }
        Ok(match content_length {
            Some(n) => Framing::ContentLength(n),
            None => Framing::UntilClose,
        })
    }
}

/// Parses a non-empty run of ASCII digits into a `u64`.
fn parse_decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete<'h, 'b>(buf: &'b [u8], hs: &'h mut [Header<'b>]) -> ResponseHead<'h, 'b> {
        match parse_head(buf, hs).unwrap() {
            Parsed::Complete(h) => h,
            Parsed::Partial => panic!("partial"),
        }
    }

    #[test]
    fn basic_and_every_prefix_is_partial() {
        let raw = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\n{}";
        let mut hs = [Header::EMPTY; 4];
        let h = complete(raw, &mut hs);
        assert_eq!(h.status, 200);
        assert_eq!(h.reason, b"OK");
        assert_eq!(h.minor_version, 1);
        assert_eq!(h.headers.len(), 2);
        assert_eq!(&raw[h.len..], b"{}");
        assert_eq!(h.framing().unwrap(), Framing::ContentLength(2));
        for n in 0..h.len {
            let mut hs = [Header::EMPTY; 4];
            assert_eq!(parse_head(&raw[..n], &mut hs).unwrap(), Parsed::Partial, "{n}");
        }
    }

    #[test]
    fn bare_lf_and_http10_and_no_reason() {
        let mut hs = [Header::EMPTY; 2];
        let h = complete(b"HTTP/1.0 404\nA:b \n\n", &mut hs);
        assert_eq!((h.minor_version, h.status, h.reason), (0, 404, &b""[..]));
        assert_eq!(h.headers[0], Header { name: "A", value: b"b" });
        assert_eq!(h.framing().unwrap(), Framing::UntilClose);
    }

    #[test]
    fn errors() {
        let mut hs = [Header::EMPTY; 1];
        let cases: &[(&[u8], ResponseError)] = &[
            (b"HTTP/2 200 OK\r\n\r\n", ResponseError::InvalidVersion),
            (b"GARBAGE", ResponseError::InvalidVersion),
            (b"HTTP/1.1 20 OK\r\n\r\n", ResponseError::InvalidStatusLine),
            (b"HTTP/1.1 200OK\r\n\r\n", ResponseError::InvalidStatusLine),
            (b"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", ResponseError::ObsoleteLineFolding),
            (b"HTTP/1.1 200 OK\r\n c", ResponseError::ObsoleteLineFolding),
            (b"HTTP/1.1 200 OK\r\nA : b\r\n\r\n", ResponseError::InvalidHeader),
            (b"HTTP/1.1 200 OK\r\nA b", ResponseError::InvalidHeader),
            (b"HTTP/1.1 200 OK\r\nA: \x01", ResponseError::InvalidHeader),
            (b"HTTP/1.1 200 OK\r\n: b\r\n\r\n", ResponseError::InvalidHeader),
            (b"HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\n\r\n", ResponseError::TooManyHeaders { max: 1 }),
        ];
        // Found by the embassy_response fuzz target: a prefix must fail as the whole
        // line does (a bare CR before a later CR at the end; a bad minor version before
        // a bare CR).
        for (raw, err) in [
            (&b"HTTP/1.\r/1.\x89\r"[..], ResponseError::InvalidVersion),
            (b"HTTP/1.1 2\r0\x89\r", ResponseError::InvalidStatusLine),
            (b"HTTP/1.x\rY", ResponseError::InvalidVersion),
            (b"HTTP/1.x\rY\n", ResponseError::InvalidVersion),
            (b"HTTP/1.2", ResponseError::InvalidVersion),
        ] {
            assert_eq!(parse_head(raw, &mut hs), Err(err), "{:?}", raw);
            for end in 1..=raw.len() {
                let prefix = parse_head(&raw[..end], &mut hs);
                assert!(matches!(prefix, Ok(Parsed::Partial)) || prefix == Err(err), "{:?}: {prefix:?}", &raw[..end]);
            }
        }
        for (raw, err) in cases {
            assert_eq!(parse_head(raw, &mut hs), Err(*err), "{:?}", core::str::from_utf8(raw));
        }
    }

    #[test]
    fn too_large() {
        let mut hs = [Header::EMPTY; 4];
        let raw = b"HTTP/1.1 200 OK\r\nA: 0123456789\r\n\r\n";
        assert_eq!(parse_head_limited(raw, &mut hs, 20), Err(ResponseError::HeadTooLarge { max: 20 }));
        assert!(matches!(parse_head_limited(raw, &mut hs, raw.len()), Ok(Parsed::Complete(_))));
        assert_eq!(
            parse_head_limited(raw, &mut hs, raw.len() - 1),
            Err(ResponseError::HeadTooLarge { max: raw.len() - 1 })
        );
    }

    #[test]
    fn framing_rules() {
        let f = |raw: &[u8]| {
            let mut hs = [Header::EMPTY; 8];
            match parse_head(raw, &mut hs).unwrap() {
                Parsed::Complete(h) => h.framing(),
                Parsed::Partial => panic!(),
            }
        };
        assert_eq!(f(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"), Ok(Framing::NoBody));
        assert_eq!(f(b"HTTP/1.1 100 Continue\r\n\r\n"), Ok(Framing::NoBody));
        assert_eq!(f(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"), Ok(Framing::Chunked));
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n"),
            Ok(Framing::ContentLength(5))
        );
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            Err(ResponseError::ConflictingFraming)
        );
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(ResponseError::ConflictingFraming)
        );
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            Err(ResponseError::UnsupportedTransferEncoding)
        );
        assert_eq!(f(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), Err(ResponseError::InvalidContentLength));
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"),
            Err(ResponseError::InvalidContentLength)
        );
    }

    #[test]
    fn lookups() {
        let raw = b"HTTP/1.1 200 OK\r\nDate: Mon, 25 Feb 2019 08:44:25 GMT\r\n\
                    Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        let mut hs = [Header::EMPTY; 8];
        let h = complete(raw, &mut hs);
        assert_eq!(h.date(), Some(&b"Mon, 25 Feb 2019 08:44:25 GMT"[..]));
        assert!(h.is_chunked());
        assert!(h.media_type_is("TEXT/EVENT-STREAM"));
        assert!(!h.media_type_is("application/json"));
        assert_eq!(h.content_length(), Ok(None));
        assert_eq!(complete_head_len(raw, 3), Ok(Some(raw.len())));
        assert_eq!(complete_head_len(raw, 2), Err(ResponseError::TooManyHeaders { max: 2 }));
    }
}
