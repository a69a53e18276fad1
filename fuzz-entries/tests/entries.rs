//! The fuzz entry points on random and on structured input, so `cargo test` runs what
//! the cargo-fuzz targets run.

use proptest::prelude::*;
use tencentcloud_fuzz_entries as entries;

/// Byte strings made of up to `max` tokens drawn from `tokens`.
fn sequences(tokens: Vec<&'static [u8]>, max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(tokens), 0..max).prop_map(|t| t.concat())
}

fn sse_alphabet() -> impl Strategy<Value = Vec<u8>> {
    let tokens: Vec<&'static [u8]> = vec![
        b"data",
        b"data:",
        b"data: ",
        b"event:",
        b"id:",
        b"id: 7",
        b"retry:",
        b"retry: 12",
        b": c",
        b"x",
        b"\xE4\xBD\xA0",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b" ",
        b":",
        b"\0",
        b"\xEF\xBB\xBF",
        b"\xff",
        b"0123456789",
    ];
    sequences(tokens, 80)
}

fn json_alphabet() -> impl Strategy<Value = Vec<u8>> {
    let tokens: Vec<&'static [u8]> = vec![
        br#"{"Response":"#,
        br#"{"Error":"#,
        br#""Code":"#,
        br#""Message":"#,
        br#""RequestId":"#,
        br#""Name":"#,
        br#""Raw":"#,
        br#""Count":"#,
        br#""Items":"#,
        br#""DeprecatedWarning":"#,
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"",
        br#""x""#,
        br#""\u672a""#,
        br#""\ud83d\ude00""#,
        br"\",
        b"1",
        b"-2.5e3",
        b"null",
        b"true",
        b" ",
    ];
    sequences(tokens, 60)
}

fn chunk_alphabet() -> impl Strategy<Value = Vec<u8>> {
    let tokens: Vec<&'static [u8]> =
        vec![b"0", b"1", b"a", b"F", b"\r\n", b"\r", b"\n", b";", b"x=y", b" ", b"abc", b"ffffffffffffffffff"];
    sequences(tokens, 60)
}

/// HTTP/1.1 response pieces for the device's response reader.
fn response_alphabet() -> impl Strategy<Value = Vec<u8>> {
    let tokens: Vec<&'static [u8]> = vec![
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.0 200 OK\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.1 503 Busy\r\n",
        b"HTTP/1.",
        b"Content-Type: application/json\r\n",
        b"Content-Length: 2\r\n",
        b"Content-Length: 70\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Connection: close\r\n",
        b"Connection: keep-alive\r\n",
        b"Date: Mon, 25 Feb 2019 16:44:25 GMT\r\n",
        b"\r\n",
        b"\r",
        b"\n",
        b" ",
        b"5\r\nhello\r\n",
        b"0\r\n\r\n",
        b"{}",
        br#"{"Response":{"RequestId":"r"}}"#,
        br#"{"Response":{"Error":{"Code":"InternalError","Message":"m"},"RequestId":"r"}}"#,
    ];
    sequences(tokens, 24)
}

/// JSON documents shaped like the generated response types: their member names, values of
/// every JSON type (numbers as the API writes them, sometimes as strings), nested objects and
/// lists; sometimes wrapped in the envelope.
fn typed_json() -> impl Strategy<Value = Vec<u8>> {
    use serde_json::{Map, Value};
    let names = prop::sample::select(vec![
        "InstanceSet",
        "InstanceId",
        "InstanceName",
        "CPU",
        "Memory",
        "TotalCount",
        "Placement",
        "Zone",
        "Tags",
        "Key",
        "Value",
        "VpcSet",
        "VpcId",
        "CidrBlock",
        "IsDefault",
        "EnableMulticast",
        "Ipv6CidrBlockSet",
        "RoleInfo",
        "PolicyDocument",
        "SecretString",
        "SecretBinary",
        "Choices",
        "Delta",
        "Content",
        "Usage",
        "TotalTokens",
        "RequestId",
        "Response",
        "Error",
        "Code",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "[0-9]{1,25}|-?[0-9]{1,3}\\.[0-9]{1,20}|True|false|\\PC{0,12}".prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())),
        ]
    });
    (value, any::<bool>()).prop_map(|(v, wrap)| {
        let v = if wrap { serde_json::json!({"Response": v}) } else { v };
        serde_json::to_vec(&v).unwrap()
    })
}

proptest! {
    /// The typed decoder on JSON shaped like the generated types, and on damaged copies of it
    /// (a byte changed or cut): never a panic, the same JSON as serde_json, and every typed
    /// value read writes and reads back the same.
    #[test]
    fn typed_decoder_on_json_shaped_like_the_models(doc in typed_json(), at in any::<usize>(), byte in any::<u8>()) {
        entries::typed_decode(&doc);
        let mut damaged = doc.clone();
        if !damaged.is_empty() {
            let i = at % damaged.len();
            damaged[i] = byte;
            entries::typed_decode(&damaged);
            entries::typed_decode(&doc[..i]);
        }
    }

    #[test]
    fn fuzz_entries_never_panic(data in prop::collection::vec(any::<u8>(), 0..1024)) {
        entries::response_head(&data);
        entries::chunked(&data);
        entries::sse(&data);
        entries::envelope(&data);
        entries::sign(&data);
        entries::typed_decode(&data);
    }

    #[test]
    fn fuzz_entries_on_structured_input(sse in sse_alphabet(), json in json_alphabet(), chunk in chunk_alphabet(), seed in any::<u8>()) {
        let with_seed = |d: &[u8]| { let mut v = vec![seed]; v.extend_from_slice(d); v };
        entries::sse(&with_seed(&sse));
        entries::envelope(&json);
        entries::typed_decode(&json);
        entries::chunked(&with_seed(&chunk));
        let mut head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n".to_vec();
        head.extend_from_slice(&chunk);
        entries::response_head(&head);
    }

    /// The cargo-fuzz signing entry on input shaped to pass validation most of the time.
    #[test]
    fn fuzz_sign_entry_on_structured_input(
        control in any::<u8>(),
        fields in proptest::collection::vec("[a-zA-Z0-9._-]{0,12}|[ -~]{0,20}|\\PC{0,8}", 13),
        ts in proptest::collection::vec(any::<u8>(), 0..6),
    ) {
        let mut data = vec![control];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 { data.push(0xFF); }
            if i == 12 { data.extend_from_slice(&ts); } else { data.extend_from_slice(f.as_bytes()); }
        }
        entries::sign(&data);
    }

    /// The device's response reader: whole and in pieces agree, on random bytes and on
    /// responses built from HTTP pieces.
    #[test]
    fn embassy_response_entry(data in prop::collection::vec(any::<u8>(), 0..512), response in response_alphabet(), seed in any::<u8>()) {
        entries::embassy_response(&data);
        let mut input = vec![seed];
        input.extend_from_slice(&response);
        entries::embassy_response(&input);
    }
}

/// Inputs the fuzzers found (each failed before its fix).
#[test]
fn regressions() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        match path.file_name().unwrap().to_str().unwrap().split('-').next().unwrap() {
            "embassy_response" => entries::embassy_response(&data),
            other => panic!("no entry point {other} for {path:?}"),
        }
        seen += 1;
    }
    assert!(seen > 0);
}

/// The device client's whole path (sign, write, read, check the certificate dates, learn
/// the time, classify, retry) over a scripted connection, on answers built from random
/// `Date` headers, error envelopes, framings, bytes past the body and splits into reads.
mod device_exchange {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use embedded_io::ErrorKind;
    use embedded_io_async::{ErrorType, Read, Write};
    use proptest::prelude::*;
    use tencentcloud_core::policy::{EARLIEST_DATE, LATEST_DATE, MAX_CLOCK_STEP, plausible};
    use tencentcloud_core::time::MAX_TIMESTAMP;
    use tencentcloud_core::{Credential, Request};
    use tencentcloud_transport_embassy::{Client, Clock, Config, Connection};

    /// 2026-01-01T00:00:00Z.
    const T: u64 = 1_767_225_600;
    const DAY: i64 = 86_400;

    /// One answer: its bytes in reads (the last read also carries the bytes past the
    /// message, as one TLS record would), and whether its envelope has an `Error` member.
    #[derive(Debug, Clone)]
    struct Answer {
        pieces: Vec<Vec<u8>>,
        has_error: bool,
    }

    #[derive(Debug, Default)]
    struct Log {
        /// The answers' indices, in the order requests took them.
        taken: Vec<usize>,
        /// Requests written while bytes of an earlier answer were unread.
        sent_over_unread: usize,
    }

    struct Script {
        answers: VecDeque<(usize, Answer)>,
        unread: VecDeque<Vec<u8>>,
        writing: bool,
        log: Rc<RefCell<Log>>,
    }

    impl ErrorType for Script {
        type Error = ErrorKind;
    }

    impl Write for Script {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            if !self.writing {
                self.writing = true;
                let mut log = self.log.borrow_mut();
                if !self.unread.is_empty() {
                    log.sent_over_unread += 1;
                }
                self.unread.clear();
                if let Some((i, answer)) = self.answers.pop_front() {
                    log.taken.push(i);
                    self.unread = answer.pieces.into();
                }
            }
            Ok(buf.len())
        }

        async fn flush(&mut self) -> Result<(), ErrorKind> {
            Ok(())
        }
    }

    impl Read for Script {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
            self.writing = false;
            let Some(piece) = self.unread.front_mut() else { return Ok(0) };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            piece.drain(..n);
            if piece.is_empty() {
                self.unread.pop_front();
            }
            Ok(n)
        }
    }

    /// An RTC that does not tick during a case and takes what it is set to.
    struct Rtc {
        now: Option<u64>,
        sets: Vec<u64>,
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

    /// An IMF-fixdate for unix seconds (Howard Hinnant's civil_from_days).
    fn http_date(unix: u64) -> String {
        let (days, secs) = (unix / 86_400, unix % 86_400);
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
        let (h, m, s) = (secs / 3_600, secs / 60 % 60, secs % 60);
        let (wd, mo) = (WEEKDAYS[(days % 7) as usize], MONTHS[(month - 1) as usize]);
        format!("{wd}, {day:02} {mo} {year} {h:02}:{m:02}:{s:02} GMT")
    }

    #[test]
    fn http_dates_round_trip() {
        for t in [0, T, EARLIEST_DATE, LATEST_DATE, MAX_TIMESTAMP, 951_782_400] {
            assert_eq!(tencentcloud_core::time::parse_http_date(http_date(t).as_bytes()), Ok(t));
        }
    }

    /// A `Date` header: none, near or far from `base` (the device clock, or 2026 without
    /// one), anywhere plausible, absurd, or not a date.
    #[derive(Debug, Clone)]
    enum DateHeader {
        None,
        Offset(i64),
        /// 23 hours further per answer (the n-th answer: `n * 23` hours ahead, or behind):
        /// each a step from the one before.
        Walk(i64),
        At(u64),
        Text(&'static str),
    }

    fn date_header() -> impl Strategy<Value = DateHeader> {
        prop_oneof![
            1 => Just(DateHeader::None),
            2 => prop::sample::select(vec![1i64, -1]).prop_map(DateHeader::Walk),
            3 => (-600i64..600).prop_map(DateHeader::Offset),
            3 => (-40 * 24i64..40 * 24).prop_map(|h| DateHeader::Offset(h * 3_600)),
            2 => prop::sample::select(vec![DAY, -DAY, DAY + 1, -DAY - 1, 23 * 3_600, 30 * DAY])
                .prop_map(DateHeader::Offset),
            1 => (EARLIEST_DATE..=LATEST_DATE).prop_map(DateHeader::At),
            2 => prop::sample::select(vec![0, 1, EARLIEST_DATE - 1, LATEST_DATE + 1, MAX_TIMESTAMP, 946_684_800])
                .prop_map(DateHeader::At),
            1 => prop::sample::select(vec![
                "yesterday",
                "",
                "Mon, 30 Feb 2019 16:44:25 GMT",
                "Thu, 01 Jan 2026 00:00:00 UTC",
                "Fri, 01 Jan 2026 00:00:00 GMT",
                "Thu, 01 Jan 2026 24:00:00 GMT",
                "Thursday, 01-Jan-26 00:00:00 GMT",
                "Fri, 31 Dec 9999 23:59:60 GMT",
                "\u{7}",
            ])
            .prop_map(DateHeader::Text),
        ]
    }

    /// A JSON value the `Code` or `Message` member may hold.
    fn code_value() -> impl Strategy<Value = Option<&'static str>> {
        prop::sample::select(vec![
            Some(r#""RequestLimitExceeded""#),
            Some(r#""RequestLimitExceeded.UinLimitExceeded""#),
            Some(r#""InternalError""#),
            Some(r#""ResourceNotFound""#),
            Some(r#""AuthFailure.SignatureExpire""#),
            Some(r#""AuthFailure.SignatureExpire""#),
            Some(r#""AuthFailure.Signature\u0045xpire""#),
            Some(r#""InternalError""#),
            Some(r#""ResourceNotFound""#),
            Some(r#""\ud83d\ude00""#),
            Some(r#""\ud83d""#),
            Some("1"),
            Some("null"),
            Some("true"),
            Some("{}"),
            Some(r#"["x"]"#),
            None,
        ])
    }

    fn message_value() -> impl Strategy<Value = Option<&'static str>> {
        prop::sample::select(vec![
            Some(r#""m""#),
            Some(r#""m""#),
            Some(r#""m""#),
            Some(r#""\ud83d\ude00 \u7b7e\u540d""#),
            Some(r#""\ud83d\ude00 \u7b7e\u540d""#),
            Some(r#""\ude00\ud83d""#),
            Some("2"),
            None,
        ])
    }

    /// The `Response` envelope and whether it has an `Error` member (not `null`): such an
    /// answer must never be a success.
    fn envelope() -> impl Strategy<Value = (String, bool)> {
        let error_object =
            (code_value(), message_value(), prop::bool::weighted(0.1)).prop_map(|(code, message, dup)| {
                let mut members = Vec::new();
                if let Some(c) = code {
                    members.push(format!(r#""Code":{c}"#));
                    if dup {
                        members.push(r#""Code":"ResourceNotFound""#.to_owned());
                    }
                }
                if let Some(m) = message {
                    members.push(format!(r#""Message":{m}"#));
                }
                format!("{{{}}}", members.join(","))
            });
        let error = prop_oneof![
            3 => error_object.prop_map(Some),
            1 => prop::sample::select(vec![r#""InternalError""#, "1", "[]", "true"]).prop_map(|v| Some(v.to_owned())),
            1 => Just(Some("null".to_owned())),
            3 => Just(None),
        ];
        let error_key = prop::sample::select(vec!["Error", r"Err\u006fr"]);
        let response_key = prop::sample::select(vec!["Response", "Response", r"Resp\u006fnse"]);
        let request_ids = prop::sample::select(vec![0usize, 1, 1, 1, 2]);
        let payload = prop::sample::select(vec![
            "",
            "",
            "",
            r#""TotalCount":1,"#,
            r#""TotalCount":1,"#,
            r#""TotalCount":1,"#,
            r#""Name":"\ud83d\ude00","#,
            r#""Name":"\ud83d\ude00","#,
            r#""Name":"\ud83d","#,
            r#""Deep":{"Error":{"Code":"Inner"}},"#,
        ]);
        let duplicate_response = prop::sample::select(vec![0u8, 0, 0, 0, 0, 0, 1, 2]);
        let dup_error = prop::bool::weighted(0.1);
        (error, error_key, dup_error, response_key, request_ids, payload, duplicate_response).prop_map(
            |(error, error_key, dup_error, response_key, request_ids, payload, duplicate_response)| {
                let mut inner = payload.to_owned();
                let mut has_error = false;
                if let Some(e) = &error {
                    has_error |= e != "null";
                    inner += &format!(r#""{error_key}":{e},"#);
                    if dup_error {
                        inner += r#""Error":{"Code":"InternalError"},"#;
                        has_error = true;
                    }
                }
                for _ in 0..request_ids {
                    inner += r#""RequestId":"r","#;
                }
                let inner = format!("{{{}}}", inner.trim_end_matches(','));
                let body = match duplicate_response {
                    0 => format!(r#"{{"{response_key}":{inner}}}"#),
                    1 => format!(r#"{{"{response_key}":{inner},"Response":{{"RequestId":"r"}}}}"#),
                    _ => {
                        has_error = true;
                        format!(r#"{{"Response":{{"RequestId":"r"}},"{response_key}":{inner}}}"#).replace(
                            r#"{"Response":{"RequestId":"r"}"#,
                            r#"{"Response":{"Error":{"Code":"InternalError"},"RequestId":"r"}"#,
                        )
                    }
                };
                (body, has_error)
            },
        )
    }

    /// How an answer is framed and what follows it.
    #[derive(Debug, Clone)]
    struct Shape {
        date: DateHeader,
        second_date: Option<DateHeader>,
        envelope: (String, bool),
        status: u16,
        chunked: Option<usize>,
        close: bool,
        extra: Vec<u8>,
    }

    fn shape() -> impl Strategy<Value = Shape> {
        (
            date_header(),
            prop::option::weighted(0.1, date_header()),
            envelope(),
            prop::sample::select(vec![200u16, 200, 200, 200, 200, 200, 200, 200, 204, 404, 503]),
            prop::option::weighted(0.3, 1usize..40),
            prop::bool::weighted(0.15),
            prop_oneof![
                4 => Just(Vec::new()),
                1 => prop::collection::vec(any::<u8>(), 1..8),
                1 => Just(b"HTTP/1.1 200 OK\r\nContent-Length: 34\r\n\r\n{\"Response\":{\"RequestId\":\"stale\"}}".to_vec()),
            ],
        )
            .prop_map(|(date, second_date, envelope, status, chunked, close, extra)| Shape {
                date,
                second_date,
                envelope,
                status,
                chunked,
                close,
                extra,
            })
    }

    fn date_line(date: &DateHeader, base: u64, index: usize) -> String {
        match date {
            DateHeader::None => String::new(),
            DateHeader::Walk(sign) => {
                let offset = sign * (index as i64 + 1) * 23 * 3_600;
                format!("Date: {}\r\n", http_date(base.saturating_add_signed(offset)))
            }
            DateHeader::Offset(o) => format!("Date: {}\r\n", http_date(base.saturating_add_signed(*o))),
            DateHeader::At(t) => format!("Date: {}\r\n", http_date(*t)),
            DateHeader::Text(t) => format!("Date: {t}\r\n"),
        }
    }

    /// The answer's bytes, cut into reads by `sizes` (cycled); the bytes past the message
    /// ride with its last read.
    fn build(shape: &Shape, index: usize, base: u64, sizes: &[usize]) -> Answer {
        let (body, has_error) = &shape.envelope;
        let mut head = format!("HTTP/1.1 {} X\r\nContent-Type: application/json\r\n", shape.status);
        head += &date_line(&shape.date, base, index);
        if let Some(d) = &shape.second_date {
            head += &date_line(d, base, index);
        }
        if shape.close {
            head += "Connection: close\r\n";
        }
        let mut message = head.into_bytes();
        match (shape.status, shape.chunked) {
            (204, _) => message.extend_from_slice(b"\r\n"),
            (_, Some(size)) => {
                message.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                for c in body.as_bytes().chunks(size) {
                    message.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                    message.extend_from_slice(c);
                    message.extend_from_slice(b"\r\n");
                }
                message.extend_from_slice(b"0\r\n\r\n");
            }
            (_, None) => {
                message.extend_from_slice(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
            }
        }
        let mut pieces = Vec::new();
        let mut rest = &message[..];
        for &size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at(size.min(rest.len()));
            pieces.push(piece.to_vec());
            rest = tail;
        }
        pieces.last_mut().unwrap().extend_from_slice(&shape.extra);
        Answer { pieces, has_error: *has_error && shape.status != 204 }
    }

    /// The device clock at the start: none, right, a reset RTC, or any plausible time.
    fn device_clock() -> impl Strategy<Value = Option<u64>> {
        prop_oneof![
            2 => Just(None),
            2 => Just(Some(T)),
            1 => prop::sample::select(vec![0u64, 946_684_800, MAX_TIMESTAMP]).prop_map(Some),
            2 => (EARLIEST_DATE..=LATEST_DATE).prop_map(Some),
        ]
    }

    /// A certificate validity left for the first `Date` (no clock at the handshake).
    fn validity() -> impl Strategy<Value = Option<(u64, u64)>> {
        prop::option::weighted(
            0.3,
            (-60 * DAY..60 * DAY, 0..120 * DAY).prop_map(|(from, len)| {
                let nb = T.saturating_add_signed(from);
                (nb, nb + len as u64)
            }),
        )
    }

    /// The cases run.
    const CASES: u32 = 4_096;

    /// One case's input.
    type Case = (Option<u64>, Vec<Shape>, Vec<usize>, Option<(u64, u64)>, usize, usize);

    fn case() -> impl Strategy<Value = Case> {
        (
            device_clock(),
            prop::collection::vec(shape(), 1..6),
            prop::collection::vec(1usize..80, 1..6),
            validity(),
            prop::sample::select(vec![160usize, 256, 512, 4096]),
            1usize..4,
        )
    }

    /// What the cases covered (so the test is not vacuous).
    #[derive(Debug, Default)]
    struct Seen {
        calls: usize,
        ok: usize,
        api_errors: usize,
        moved: usize,
        refused_far: usize,
        set: usize,
        reused: usize,
        not_reused_after_extra: usize,
    }

    /// No panic; an answer with an `Error` member is never a success; the time the client
    /// signs with never moves more than `MAX_CLOCK_STEP` from a device clock that has a
    /// plausible time (and one without is set at most once, to a time at which the
    /// server's certificate is valid); no request is written over unread answer bytes.
    fn check((device, shapes, sizes, validity, buf_len, calls): Case, seen: &mut Seen) -> Result<(), TestCaseError> {
        let plausible_device = device.filter(|&t| plausible(t));
        let base = plausible_device.unwrap_or(T);
        let answers: Vec<Answer> = shapes.iter().enumerate().map(|(i, s)| build(s, i, base, &sizes)).collect();
        let log = Rc::new(RefCell::new(Log::default()));
        let script = Script {
            answers: answers.iter().cloned().enumerate().collect(),
            unread: VecDeque::new(),
            writing: false,
            log: log.clone(),
        };
        let mut conn = match validity {
            Some((nb, na)) => Connection::with_unchecked_validity(script, nb, na),
            None => Connection::new(script),
        };
        let mut rtc = Rtc { now: device, sets: Vec::new() };
        let mut config = Config::new();
        config.rate_limit_retries = 2;
        config.backoff = embassy_time::Duration::from_ticks(0);
        config.max_backoff = embassy_time::Duration::from_ticks(0);
        let cred = Credential::new("AKIDEXAMPLE", "secret").unwrap();
        let mut client: Client<'_, &mut Rtc> = Client::with_config(cred, &mut rtc, config);
        let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", b"{}");
        let mut buf = vec![0u8; buf_len];
        for call in 0..calls {
            let result = block_on(client.call_raw_on(&mut conn, &req, &mut buf)).map(<[u8]>::to_vec);
            seen.calls += 1;
            let taken = log.borrow().taken.clone();
            match &result {
                Ok(_) => {
                    seen.ok += 1;
                    let last = *taken.last().unwrap();
                    prop_assert!(!answers[last].has_error, "call {call}: answer {last} has an Error member");
                }
                Err(e) if e.api_code().is_some() => seen.api_errors += 1,
                Err(_) => {}
            }
            let now = client.now();
            if let Some(d) = plausible_device {
                let now = now.unwrap();
                prop_assert!(now.abs_diff(d) <= MAX_CLOCK_STEP + 1, "call {call}: {now} from the device's {d}");
                seen.moved += usize::from(now.abs_diff(d) > 60);
                let far = taken.iter().any(|&i| match shapes[i].date {
                    DateHeader::Offset(o) => o.unsigned_abs() > MAX_CLOCK_STEP,
                    DateHeader::Walk(_) => i > 0,
                    _ => false,
                });
                seen.refused_far += usize::from(far);
            }
            if !conn.is_reusable() {
                let extra = taken.last().is_some_and(|&i| !shapes[i].extra.is_empty());
                seen.not_reused_after_extra += usize::from(extra);
                break;
            }
            seen.reused += usize::from(call + 1 < calls);
        }
        let now = client.now();
        drop(client);
        prop_assert_eq!(log.borrow().sent_over_unread, 0, "a request written over unread bytes");
        match plausible_device {
            Some(_) => prop_assert!(rtc.sets.is_empty(), "a device clock with the time was set: {:?}", rtc.sets),
            None => {
                prop_assert!(rtc.sets.len() <= 1, "{:?}", rtc.sets);
                if let Some(&set) = rtc.sets.first() {
                    seen.set += 1;
                    prop_assert!(plausible(set));
                    if let Some((nb, na)) = validity {
                        prop_assert!((nb..=na).contains(&set), "set to {set}, outside the certificate's {nb}..={na}");
                    }
                    let now = now.unwrap();
                    prop_assert!(now.abs_diff(set) <= MAX_CLOCK_STEP + 1, "{now} from the time set, {set}");
                }
            }
        }
        Ok(())
    }

    #[test]
    fn device_exchanges_keep_their_invariants() {
        use proptest::test_runner::{Config as RunnerConfig, TestRunner};
        let mut runner = TestRunner::new(RunnerConfig { cases: CASES, ..RunnerConfig::default() });
        let seen = RefCell::new(Seen::default());
        let result = runner.run(&case(), |case| check(case, &mut seen.borrow_mut()));
        let seen = seen.into_inner();
        println!("device exchanges: {CASES} cases, {seen:?}");
        if let Err(e) = result {
            panic!("{e}");
        }
        // Not vacuous: successes, API errors, reuse, adopted and refused times all came up.
        let n = CASES as usize;
        assert!(seen.ok > n / 20 && seen.api_errors > n / 40, "{seen:?}");
        assert!(seen.moved > n / 50 && seen.refused_far > n / 50 && seen.set > n / 50, "{seen:?}");
        assert!(seen.reused > n / 20 && seen.not_reused_after_extra > n / 50, "{seen:?}");
    }
}
