//! The HTTP/1.1 form of a signed request: the request line, the headers (with
//! `Content-Length` for a body) and the body, into a caller buffer with the exact size
//! needed, or streamed into a blocking or async writer without copying the body.

use crate::error::{BufferTooSmall, Error};
use crate::sign::{Header, Headers, SignedRequest};

impl SignedRequest<'_> {
    /// The exact length of [`SignedRequest::write_http1`]'s output.
    pub fn http1_len(&self) -> usize {
        self.http1_pieces().map(str::len).sum::<usize>() + self.body().len()
    }

    /// The request line and headers of the HTTP/1.1 request, as pieces.
    pub fn http1_pieces(&self) -> impl Iterator<Item = &str> + '_ {
        Pieces { req: self, line: 0, headers: Headers::http1(self), current: None, part: 0 }
    }

    /// Writes the complete HTTP/1.1 request (request line, headers, body) into `buf`,
    /// returning the bytes written, or the exact size needed.
    ///
    /// ```
    /// use tencentcloud_core::{BufferTooSmall, Credential, Error, Request, sign::sign};
    ///
    /// let cred = Credential::new("AKIDEXAMPLE", "secret")?;
    /// let req = Request::get("cvm", "2017-03-12", "DescribeZones", "Limit=1");
    /// let signed = sign(&req, &cred, 1_700_000_000)?;
    /// let mut small = [0u8; 16];
    /// let needed = signed.http1_len();
    /// assert_eq!(signed.write_http1(&mut small), Err(Error::BufferTooSmall(BufferTooSmall { needed })));
    /// let mut buf = [0u8; 1024];
    /// let n = signed.write_http1(&mut buf)?;
    /// assert!(buf[..n].starts_with(b"GET /?Limit=1 HTTP/1.1\r\n"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn write_http1(&self, buf: &mut [u8]) -> Result<usize, Error> {
        // One pass: copy while the pieces fit, keep counting past the end, so a short
        // buffer still learns the exact size (its contents are then unspecified).
        let mut at = 0;
        for piece in self.http1_pieces().map(str::as_bytes).chain(core::iter::once(self.body())) {
            let end = at + piece.len();
            if let Some(dst) = buf.get_mut(at..end) {
                dst.copy_from_slice(piece);
            }
            at = end;
        }
        if at > buf.len() {
            return Err(BufferTooSmall { needed: at }.into());
        }
        Ok(at)
    }

    /// Streams the HTTP/1.1 request into a blocking writer (the body is not copied), then flushes.
    pub fn write_to<W: embedded_io::Write>(&self, w: &mut W) -> Result<usize, W::Error> {
        let mut n = 0;
        for piece in self.http1_pieces().map(str::as_bytes).chain(core::iter::once(self.body())) {
            w.write_all(piece)?;
            n += piece.len();
        }
        w.flush()?;
        Ok(n)
    }

    /// Streams the HTTP/1.1 request into an async writer (the body is not copied), then flushes.
    pub async fn write_to_async<W: embedded_io_async::Write>(&self, w: &mut W) -> Result<usize, W::Error> {
        let mut n = 0;
        for piece in self.http1_pieces().map(str::as_bytes).chain(core::iter::once(self.body())) {
            w.write_all(piece).await?;
            n += piece.len();
        }
        w.flush().await?;
        Ok(n)
    }
}

/// The pieces of the request line and headers, one at a time (a small cursor: the async
/// writer keeps it across its awaits).
struct Pieces<'s, 'r> {
    req: &'s SignedRequest<'r>,
    /// The next piece of the request line (0 to 4), then 5 (the headers), 6 (done).
    line: u8,
    headers: Headers<'s, 'r>,
    /// The header being written, and its next piece: 0 the name, 1 `: `, then the value's
    /// parts, then the line end. `None` after the last header.
    current: Option<Header<'s>>,
    part: u8,
}

impl<'s> Iterator for Pieces<'s, '_> {
    type Item = &'s str;

    // Not inlined: the async writer's state machine stays small.
    #[inline(never)]
    fn next(&mut self) -> Option<&'s str> {
        if self.line < 5 {
            let i = self.line;
            self.line += 1;
            let [path, query] = self.req.path_and_query();
            return Some(match i {
                0 => self.req.request().method().as_str(),
                1 => " ",
                2 => path,
                3 => query,
                _ => " HTTP/1.1\r\n",
            });
        }
        if self.line > 5 {
            return None;
        }
        if self.part == 0 {
            self.current = self.headers.next();
            if self.current.is_none() {
                // The empty line after the headers ends the head.
                self.line = 6;
                return Some("\r\n");
            }
        }
        let h = self.current.as_ref()?;
        let i = self.part;
        self.part += 1;
        Some(match i {
            0 => h.name,
            1 => ": ",
            _ => match h.value.parts().get(usize::from(i) - 2) {
                Some(p) => p,
                None => {
                    self.part = 0;
                    "\r\n"
                }
            },
        })
    }
}
