//! A scripted device connection: what the server answers to each request, read by read,
//! and what the client sent; a connector handing out such connections; a device clock.
#![allow(dead_code, missing_docs)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use embedded_io::ErrorKind;
use embedded_io_async::{ErrorType, Read, Write};
use tencentcloud_transport_embassy::{Clock, Config, Connect, Connection, Error};

/// 2026-01-01T00:00:00Z.
pub const T: u64 = 1_767_225_600;
pub const HOUR: u64 = 3_600;
pub const DAY: u64 = 86_400;

/// What the server does with one request on a connection.
#[derive(Debug, Clone)]
pub enum Turn {
    /// Reads the request and answers with these pieces, one per read (a read returns at
    /// most one piece, and at most what the reader has room for; the rest of a piece stays
    /// for the next read, like the rest of a TLS record).
    Answer(Vec<Vec<u8>>),
    /// Reads the request (it may run it), then the connection ends before any answer: a
    /// FIN without close_notify, or a reset.
    Drop,
    /// The peer is gone before the request: the first write fails, nothing leaves.
    RefuseWrite,
}

/// What happened, over every connection of a test.
#[derive(Debug, Default)]
pub struct Log {
    /// Each request the server received (the bytes the client wrote for it).
    pub requests: Vec<Vec<u8>>,
    /// Connections opened by the connector.
    pub connects: usize,
    /// Requests written while bytes of an earlier answer were still unread on the connection.
    pub sent_over_unread: usize,
}

impl Log {
    pub fn shared() -> Rc<RefCell<Log>> {
        Rc::new(RefCell::new(Log::default()))
    }
}

/// One connection following its turns.
pub struct Script {
    turns: VecDeque<Turn>,
    /// The unread pieces of the current answer.
    answer: VecDeque<Vec<u8>>,
    writing: bool,
    log: Rc<RefCell<Log>>,
}

impl Script {
    pub fn new(turns: Vec<Turn>, log: &Rc<RefCell<Log>>) -> Self {
        Self { turns: turns.into(), answer: VecDeque::new(), writing: false, log: log.clone() }
    }
}

impl ErrorType for Script {
    type Error = ErrorKind;
}

impl Write for Script {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if !self.writing {
            // A new request: the server takes the next turn.
            if !self.answer.is_empty() {
                self.log.borrow_mut().sent_over_unread += 1;
            }
            match self.turns.pop_front() {
                Some(Turn::RefuseWrite) => return Err(ErrorKind::ConnectionReset),
                Some(Turn::Answer(pieces)) => self.answer = pieces.into(),
                Some(Turn::Drop) | None => self.answer.clear(),
            }
            self.writing = true;
            self.log.borrow_mut().requests.push(Vec::new());
        }
        self.log.borrow_mut().requests.last_mut().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl Read for Script {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.writing = false;
        let Some(piece) = self.answer.front_mut() else { return Ok(0) };
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.answer.pop_front();
        }
        Ok(n)
    }
}

/// A connection's turns, and a certificate validity left for when the time is known.
pub type Planned = (Vec<Turn>, Option<(u64, u64)>);

/// Hands out scripted connections, one per `connect`, then refuses.
pub struct Connector {
    pub conns: VecDeque<Planned>,
    pub log: Rc<RefCell<Log>>,
}

impl Connector {
    pub fn new(conns: Vec<Vec<Turn>>, log: &Rc<RefCell<Log>>) -> Self {
        Self { conns: conns.into_iter().map(|t| (t, None)).collect(), log: log.clone() }
    }
}

impl Connect for Connector {
    type Stream<'c> = Script;

    async fn connect(&mut self, _: &str, _: Option<u16>, _: Option<u64>) -> Result<Connection<Script>, Error> {
        let (turns, validity) = self.conns.pop_front().ok_or(Error::Connect)?;
        self.log.borrow_mut().connects += 1;
        let script = Script::new(turns, &self.log);
        Ok(match validity {
            Some((not_before, not_after)) => Connection::with_unchecked_validity(script, not_before, not_after),
            None => Connection::new(script),
        })
    }
}

/// A device clock: a fixed reading (an RTC that does not tick during a test), which takes
/// what the client sets; remembers every set.
#[derive(Debug, Default, Clone)]
pub struct Rtc {
    pub now: Option<u64>,
    pub sets: Vec<u64>,
}

impl Rtc {
    pub fn at(now: Option<u64>) -> Self {
        Self { now, sets: Vec::new() }
    }
}

impl Clock for Rtc {
    fn now_unix(&mut self) -> Option<u64> {
        self.now
    }

    fn set_unix(&mut self, unix: u64) {
        self.sets.push(unix);
        self.now = Some(unix);
    }
}

/// No waits: rate limits retried at once.
pub fn config() -> Config {
    let mut c = Config::new();
    c.backoff = embassy_time::Duration::from_ticks(0);
    c.max_backoff = embassy_time::Duration::from_ticks(0);
    c
}

/// The scripted connections never wait, so polling until ready terminates.
pub fn block_on<F: core::future::Future>(f: F) -> F::Output {
    use core::task::{Context, Poll, Waker};
    let mut f = core::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// An IMF-fixdate (`Thu, 01 Jan 2026 00:00:00 GMT`) for unix seconds.
pub fn http_date(unix: u64) -> String {
    let (days, secs) = (unix / 86_400, unix % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A 200 `application/json` answer with `body` (Content-Length), and a `Date` if given.
pub fn answer(date: Option<&str>, body: &str) -> Vec<u8> {
    let date = date.map(|d| format!("Date: {d}\r\n")).unwrap_or_default();
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{date}Content-Length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
}

pub const OK_BODY: &str = r#"{"Response":{"TotalCount":1,"RequestId":"r-ok"}}"#;

pub fn error_body(code: &str) -> String {
    format!(r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r-err"}}}}"#)
}

/// A whole answer in one read.
pub fn whole(bytes: Vec<u8>) -> Turn {
    Turn::Answer(vec![bytes])
}
