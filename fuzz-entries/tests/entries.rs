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

proptest! {
    #[test]
    fn fuzz_entries_never_panic(data in prop::collection::vec(any::<u8>(), 0..1024)) {
        entries::response_head(&data);
        entries::chunked(&data);
        entries::sse(&data);
        entries::envelope(&data);
        entries::sign(&data);
    }

    #[test]
    fn fuzz_entries_on_structured_input(sse in sse_alphabet(), json in json_alphabet(), chunk in chunk_alphabet(), seed in any::<u8>()) {
        let with_seed = |d: &[u8]| { let mut v = vec![seed]; v.extend_from_slice(d); v };
        entries::sse(&with_seed(&sse));
        entries::envelope(&json);
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
