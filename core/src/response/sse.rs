//! Server-Sent Events (WHATWG HTML §9.2 "event stream interpretation").
//!
//! [`SseParser`] assembles events in a caller-owned buffer: feed it bytes in
//! pieces of any size and it hands back each event as it completes. Handled per
//! the spec: `data` (lines joined with `\n`), `event`, `id` (persists across
//! events; ignored if it contains NUL), `retry` (only if all ASCII digits),
//! comments, one optional space after the colon, CR / LF / CRLF line endings
//! (CRLF may be split across feeds), a leading BOM, and no dispatch for a
//! block without `data`. An event that does not fit in the buffer is an error
//! carrying the buffer size it needed — never truncated. Non-UTF-8 text is an
//! error. The parser stays usable after an error (the bad event is dropped).
//!
//! ```
//! use tencentcloud_core::response::SseParser;
//!
//! let mut buf = [0u8; 256];
//! let mut sse = SseParser::new(&mut buf);
//! let mut input = &b"data: {\"Choices\":[]}\n\nid: 7\ndata: a\ndata: b\n\n"[..];
//! let mut seen = 0;
//! while !input.is_empty() {
//!     let (used, event) = sse.feed(input)?;
//!     input = &input[used..];
//!     if let Some(ev) = event {
//!         assert_eq!(ev.event, "message");
//!         match seen {
//!             0 => assert_eq!((ev.data, ev.id), ("{\"Choices\":[]}", None)),
//!             _ => assert_eq!((ev.data, ev.id), ("a\nb", Some("7"))),
//!         }
//!         seen += 1;
//!     }
//! }
//! assert_eq!(seen, 2);
//! # Ok::<(), tencentcloud_core::response::ResponseError>(())
//! ```

use super::ResponseError;

/// One dispatched event, borrowing from the parser's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// Event type; `"message"` when the block had no `event` field.
    pub event: &'a str,
    /// Data lines joined with `\n`.
    pub data: &'a str,
    /// The last event id at dispatch time (`None` if empty).
    pub id: Option<&'a str>,
    /// A valid `retry` value given in this event's block, if any.
    pub retry: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Data,
    Event,
    Id,
    Retry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// Nothing of the line seen yet.
    Start,
    /// Reading the field name.
    Name,
    /// Just after the colon: one space is skipped.
    ValueStart(Field),
    /// Reading the value.
    Value(Field),
    /// Comment or unknown field: ignore until end of line.
    Skip,
}

enum Outcome {
    Nothing,
    Dispatch,
    Error(ResponseError),
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
const BOM_DONE: u8 = 3;

/// Incremental Server-Sent Events parser over a caller-owned buffer.
///
/// The buffer holds the last event id, the event type, the data of the event
/// being assembled, and the value of the current `event`/`id` line.
#[derive(Debug)]
pub struct SseParser<'b> {
    buf: &'b mut [u8],
    // Stored regions, in this order: id, event type, data (with '\n' after each line).
    id_len: usize,
    event_len: usize,
    data_len: usize,
    // Sizes the event would occupy if nothing were lost; their peak sum is `needed`.
    v_id: usize,
    v_event: usize,
    v_data: usize,
    peak: usize,
    overflow: bool,
    pending_error: Option<ResponseError>,
    // Current line.
    line: Line,
    name: [u8; 5],
    name_len: usize,
    value_len: usize,
    value_lost: bool,
    value_has_nul: bool,
    retry_acc: Option<u32>,
    after_cr: bool,
    bom: u8,
    // Stream state.
    event_retry: Option<u32>,
    retry: Option<u32>,
    dispatched: bool,
    position: u64,
}

impl<'b> SseParser<'b> {
    /// A parser at the start of a stream, assembling events in `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            id_len: 0,
            event_len: 0,
            data_len: 0,
            v_id: 0,
            v_event: 0,
            v_data: 0,
            peak: 0,
            overflow: false,
            pending_error: None,
            line: Line::Start,
            name: [0; 5],
            name_len: 0,
            value_len: 0,
            value_lost: false,
            value_has_nul: false,
            retry_acc: None,
            after_cr: false,
            bom: 0,
            event_retry: None,
            retry: None,
            dispatched: false,
            position: 0,
        }
    }

    /// Consumes bytes from `input` until an event completes or the input ends.
    ///
    /// Returns how many bytes were used and the event, if one completed; call
    /// again with the rest. The event borrows the parser until the next call.
    ///
    /// On error the offending event has been dropped and the input consumed up
    /// to the end of its blank line; [`position`](Self::position) tells how far,
    /// so parsing can resume after it.
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, Option<Event<'_>>), ResponseError> {
        if self.dispatched {
            self.dispatched = false;
            self.reset_event();
        }
        for (i, &b) in input.iter().enumerate() {
            self.position = self.position.saturating_add(1);
            match self.byte(b) {
                Outcome::Nothing => {}
                Outcome::Error(e) => return Err(e),
                Outcome::Dispatch => return self.take_event().map(|ev| (i + 1, Some(ev))),
            }
        }
        Ok((input.len(), None))
    }

    /// Total bytes consumed since the parser was created.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The last event id (the `id` field persists across events).
    pub fn last_event_id(&self) -> Option<&str> {
        let id = self.buf.get(..self.id_len)?;
        core::str::from_utf8(id).ok().filter(|s| !s.is_empty())
    }

    /// The reconnection time in milliseconds from the latest valid `retry` field.
    pub fn retry(&self) -> Option<u32> {
        self.retry
    }

    /// Whether a partial line or event is buffered (at end of stream it is discarded).
    pub fn has_pending(&self) -> bool {
        self.line != Line::Start || self.data_len > 0 || self.event_len > 0 || self.overflow
    }

    fn byte(&mut self, b: u8) -> Outcome {
        if self.bom != BOM_DONE {
            let k = usize::from(self.bom);
            if BOM.get(k) == Some(&b) {
                self.bom += 1;
                return Outcome::Nothing;
            }
            self.bom = BOM_DONE;
            for &p in BOM.get(..k).unwrap_or(&[]) {
                self.text_byte(p);
            }
        }
        match b {
            b'\n' if self.after_cr => {
                self.after_cr = false;
                Outcome::Nothing
            }
            b'\r' | b'\n' => {
                self.after_cr = b == b'\r';
                self.end_of_line()
            }
            _ => {
                self.after_cr = false;
                self.text_byte(b);
                Outcome::Nothing
            }
        }
    }

    fn text_byte(&mut self, b: u8) {
        match self.line {
            Line::Start if b == b':' => self.line = Line::Skip,
            Line::Start | Line::Name if b != b':' => {
                self.line = Line::Name;
                if let Some(slot) = self.name.get_mut(self.name_len) {
                    *slot = b;
                }
                self.name_len = self.name_len.saturating_add(1).min(self.name.len() + 1);
            }
            Line::Start | Line::Name => match self.field() {
                Some(f) => self.line = Line::ValueStart(f),
                None => self.line = Line::Skip,
            },
            Line::ValueStart(f) => {
                self.line = Line::Value(f);
                if b != b' ' {
                    self.value_byte(f, b);
                }
            }
            Line::Value(f) => self.value_byte(f, b),
            Line::Skip => {}
        }
    }

    fn field(&self) -> Option<Field> {
        match self.name.get(..self.name_len)? {
            b"data" => Some(Field::Data),
            b"event" => Some(Field::Event),
            b"id" => Some(Field::Id),
            b"retry" => Some(Field::Retry),
            _ => None,
        }
    }

    fn value_byte(&mut self, f: Field, b: u8) {
        if f == Field::Retry {
            self.retry_acc = match (self.value_len, b) {
                (0, b'0'..=b'9') => Some(u32::from(b - b'0')),
                (_, b'0'..=b'9') => {
                    self.retry_acc.and_then(|v| v.checked_mul(10)).and_then(|v| v.checked_add(u32::from(b - b'0')))
                }
                _ => None,
            };
            self.value_len = self.value_len.saturating_add(1);
            return;
        }
        if b == 0 {
            self.value_has_nul = true;
        }
        self.store(b);
    }

    /// Stores one byte of the current value after the data region.
    fn store(&mut self, b: u8) {
        let pos = (self.id_len + self.event_len + self.data_len).saturating_add(self.value_len);
        self.value_len = self.value_len.saturating_add(1);
        match self.buf.get_mut(pos) {
            Some(slot) if !self.value_lost => *slot = b,
            _ => self.value_lost = true,
        }
        self.note_peak();
    }

    /// Tracks the most buffer this event would have used had nothing been lost.
    /// While an `id`/`event` value is read the old one is still stored, so the
    /// plain sum is the real usage.
    fn note_peak(&mut self) {
        let now = self.v_id.saturating_add(self.v_event).saturating_add(self.v_data).saturating_add(self.value_len);
        self.peak = self.peak.max(now);
    }

    fn end_of_line(&mut self) -> Outcome {
        let line = core::mem::replace(&mut self.line, Line::Start);
        let field = match line {
            Line::Start => return self.end_event(),
            Line::Skip => None,
            Line::Name => self.field(),
            Line::ValueStart(f) | Line::Value(f) => Some(f),
        };
        match field {
            Some(Field::Data) => self.finish_data(),
            Some(Field::Event) => self.finish_event_type(),
            Some(Field::Id) => self.finish_id(),
            Some(Field::Retry) => {
                if let (Some(v), true) = (self.retry_acc, self.value_len > 0) {
                    self.retry = Some(v);
                    self.event_retry = Some(v);
                }
            }
            None => {}
        }
        self.name_len = 0;
        self.value_len = 0;
        self.value_lost = false;
        self.value_has_nul = false;
        self.retry_acc = None;
        Outcome::Nothing
    }

    fn lose_event(&mut self) {
        self.overflow = true;
        self.event_len = 0;
        self.data_len = 0;
    }

    fn finish_data(&mut self) {
        self.store(b'\n');
        self.v_data = self.v_data.saturating_add(self.value_len);
        if self.value_lost || self.overflow {
            self.lose_event();
        } else {
            self.data_len += self.value_len;
        }
    }

    fn finish_event_type(&mut self) {
        self.v_event = self.value_len;
        if self.value_lost || self.overflow {
            self.lose_event();
            return;
        }
        // [event][data][value] -> [value][data]
        let start = self.id_len;
        let end = start + self.event_len + self.data_len + self.value_len;
        if let Some(region) = self.buf.get_mut(start..end) {
            region.rotate_right(self.value_len);
            if let Some(rest) = region.get_mut(self.value_len..) {
                rest.rotate_left(self.event_len);
            }
            self.event_len = self.value_len;
        }
    }

    fn finish_id(&mut self) {
        if self.value_has_nul {
            return;
        }
        if self.value_lost {
            self.v_id = self.value_len;
            self.lose_event();
            return;
        }
        let start = self.id_len + self.event_len + self.data_len;
        let end = start + self.value_len;
        let valid = self.buf.get(start..end).is_some_and(|v| core::str::from_utf8(v).is_ok());
        if !valid {
            self.pending_error = Some(ResponseError::InvalidUtf8);
            return;
        }
        // [id][event][data][value] -> [value][event][data]
        if let Some(region) = self.buf.get_mut(..end) {
            region.rotate_right(self.value_len);
            if let Some(rest) = region.get_mut(self.value_len..) {
                rest.rotate_left(self.id_len);
            }
            self.id_len = self.value_len;
            self.v_id = self.value_len;
        }
    }

    fn end_event(&mut self) -> Outcome {
        if let Some(e) = self.pending_error {
            self.reset_event();
            return Outcome::Error(e);
        }
        if self.overflow {
            let needed = self.peak;
            self.reset_event();
            return Outcome::Error(ResponseError::SseEventTooLarge { needed });
        }
        if self.data_len == 0 {
            self.reset_event();
            return Outcome::Nothing;
        }
        Outcome::Dispatch
    }

    fn reset_event(&mut self) {
        self.event_len = 0;
        self.data_len = 0;
        self.v_id = self.id_len;
        self.v_event = 0;
        self.v_data = 0;
        self.peak = self.id_len;
        self.overflow = false;
        self.pending_error = None;
        self.event_retry = None;
    }

    fn take_event(&mut self) -> Result<Event<'_>, ResponseError> {
        let (id_end, event_end) = (self.id_len, self.id_len + self.event_len);
        // Drop the final '\n' of the data buffer.
        let data_end = event_end + self.data_len.saturating_sub(1);
        let valid = [(0, id_end), (id_end, event_end), (event_end, data_end)]
            .iter()
            .all(|&(s, e)| self.buf.get(s..e).is_some_and(|t| core::str::from_utf8(t).is_ok()));
        if !valid {
            self.reset_event();
            return Err(ResponseError::InvalidUtf8);
        }
        self.dispatched = true;
        let buf: &[u8] = self.buf;
        let text = |s: usize, e: usize| buf.get(s..e).and_then(|t| core::str::from_utf8(t).ok()).unwrap_or_default();
        let event = text(id_end, event_end);
        let id = text(0, id_end);
        Ok(Event {
            event: if event.is_empty() { "message" } else { event },
            data: text(event_end, data_end),
            id: if id.is_empty() { None } else { Some(id) },
            retry: self.event_retry,
        })
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::{String, ToString};
    use std::vec::Vec;

    type Owned = (String, String, Option<String>, Option<u32>);

    /// Feeds `pieces` one after another; collects events and errors.
    fn run(buf: &mut [u8], pieces: &[&[u8]]) -> Vec<Result<Owned, ResponseError>> {
        let mut sse = SseParser::new(buf);
        let mut out = Vec::new();
        for piece in pieces {
            let mut rest = *piece;
            while !rest.is_empty() {
                let before = sse.position();
                match sse.feed(rest) {
                    Ok((used, ev)) => {
                        if let Some(ev) = ev {
                            out.push(Ok((
                                ev.event.to_string(),
                                ev.data.to_string(),
                                ev.id.map(str::to_string),
                                ev.retry,
                            )));
                        }
                        rest = &rest[used..];
                    }
                    Err(e) => {
                        out.push(Err(e));
                        rest = &rest[(sse.position() - before) as usize..];
                    }
                }
            }
        }
        out
    }

    fn ev(data: &str) -> Result<Owned, ResponseError> {
        Ok(("message".into(), data.into(), None, None))
    }

    #[test]
    fn crlf_split_across_feeds() {
        let mut buf = [0u8; 32];
        assert_eq!(run(&mut buf, &[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]), [ev("a\nb")]);
        assert_eq!(run(&mut buf, &[b"data: a\r\rdata: b\n\n"]), [ev("a"), ev("b")]);
    }

    #[test]
    fn bom_only_at_start() {
        let mut buf = [0u8; 32];
        assert_eq!(run(&mut buf, &[b"\xEF", b"\xBB\xBFdata: x\n\n"]), [ev("x")]);
        assert_eq!(run(&mut buf, &["\u{FEFF}\u{FEFF}data: x\n\n".as_bytes()]), []);
        assert_eq!(run(&mut buf, &[b"\xEF\xBBdata: x\n\ndata: y\n\n"]), [ev("y")]);
    }

    #[test]
    fn too_large_is_reported_with_size_and_recovers() {
        let mut buf = [0u8; 8];
        let out = run(&mut buf, &[b"data: 0123456789\n\ndata: ok\n\n"]);
        assert_eq!(out, [Err(ResponseError::SseEventTooLarge { needed: 11 }), ev("ok")]);
        let mut exact = [0u8; 11];
        assert_eq!(run(&mut exact, &[b"data: 0123456789\n\n"]), [ev("0123456789")]);
        let mut buf = [0u8; 8];
        let out = run(&mut buf, &[b"id: abc\n\ndata: 0123456789\ndata: x\n\n"]);
        assert_eq!(out, [Err(ResponseError::SseEventTooLarge { needed: 3 + 11 + 2 })]);
        // Event type and id values count while they are read.
        let mut buf = [0u8; 4];
        let out = run(&mut buf, &[b"event: abcde\ndata: x\n\n"]);
        assert_eq!(out, [Err(ResponseError::SseEventTooLarge { needed: 7 })]);
        let mut buf = [0u8; 7];
        assert_eq!(run(&mut buf, &[b"event: abcde\ndata: x\n\n"])[0].as_ref().unwrap().0, "abcde");
    }

    #[test]
    fn invalid_utf8_recovers() {
        let mut buf = [0u8; 32];
        let out = run(&mut buf, &[b"data: \xff\n\nid: \xfe\ndata: a\n\ndata: b\n\n"]);
        assert_eq!(out, [Err(ResponseError::InvalidUtf8), Err(ResponseError::InvalidUtf8), ev("b")]);
    }

    #[test]
    fn accessors() {
        let mut buf = [0u8; 32];
        let mut sse = SseParser::new(&mut buf);
        assert!(!sse.has_pending());
        let (used, ev) = sse.feed(b"retry: 250\nid: 9\ndata").unwrap();
        assert_eq!((used, ev), (21, None));
        assert!(sse.has_pending());
        assert_eq!(sse.retry(), Some(250));
        assert_eq!(sse.last_event_id(), Some("9"));
        let (_, ev) = sse.feed(b"\n\n").unwrap();
        assert_eq!(ev, Some(Event { event: "message", data: "", id: Some("9"), retry: Some(250) }));
    }
}
