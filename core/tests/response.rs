//! Response-side integration tests: head, chunked, SSE, envelope, fuzz entry points.

use proptest::prelude::*;
use serde::Deserialize;
use tencentcloud_core::response::head::{complete_head_len, parse_head_limited};
use tencentcloud_core::response::{
    ApiError, BodyReader, ChunkedDecoder, Framing, Header, Parsed, ResponseError, SseParser, check_response,
    decode_in_place, envelope_error, parse_envelope, parse_envelope_in_place, parse_event_data, parse_head,
    parse_result,
};

// ---------------------------------------------------------------- helpers

type OwnedEvent = (String, String, Option<String>, Option<u32>);

/// Feeds `pieces` in order; collects events and errors (resuming after errors).
fn sse_run(buf_len: usize, pieces: &[&[u8]]) -> Vec<Result<OwnedEvent, ResponseError>> {
    let mut buf = vec![0u8; buf_len];
    let mut sse = SseParser::new(&mut buf);
    let mut out = Vec::new();
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() {
            let before = sse.position();
            match sse.feed(rest) {
                Ok((used, ev)) => {
                    if let Some(ev) = ev {
                        out.push(Ok((ev.event.into(), ev.data.into(), ev.id.map(Into::into), ev.retry)));
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

fn msg(data: &str, id: Option<&str>) -> Result<OwnedEvent, ResponseError> {
    Ok(("message".into(), data.into(), id.map(Into::into), None))
}

fn chunk_encode(data: &[u8], sizes: &[usize], ext: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes.get(i).copied().unwrap_or(7).clamp(1, rest.len());
        i += 1;
        out.extend_from_slice(format!("{n:x}").as_bytes());
        if ext && i % 2 == 0 {
            out.extend_from_slice(b" ;name=\"v\"");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&rest[..n]);
        out.extend_from_slice(b"\r\n");
        rest = &rest[n..];
    }
    out.extend_from_slice(b"0\r\n");
    if ext {
        out.extend_from_slice(b"X-Trailer: yes\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn split_at_sizes<'a>(data: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes.get(i).copied().unwrap_or(rest.len()).clamp(1, rest.len());
        i += 1;
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    out
}

// ---------------------------------------------------------------- a captured-looking exchange

#[derive(Debug, Deserialize, PartialEq)]
struct Placement {
    #[serde(rename = "Zone")]
    zone: heapless::String<32>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Instance {
    #[serde(rename = "InstanceId")]
    instance_id: heapless::String<32>,
    #[serde(rename = "InstanceName")]
    name: heapless::String<64>,
    #[serde(rename = "Placement")]
    placement: Placement,
    #[serde(rename = "CPU")]
    cpu: u32,
}

#[derive(Debug, Deserialize, PartialEq)]
struct DescribeInstances {
    #[serde(rename = "TotalCount")]
    total: u32,
    #[serde(rename = "InstanceSet")]
    instances: heapless::Vec<Instance, 4>,
    #[serde(rename = "RequestId")]
    request_id: heapless::String<64>,
}

const CVM_JSON: &str = r#"{"Response":{"TotalCount":1,"InstanceSet":[{"Placement":{"Zone":"ap-guangzhou-3","ProjectId":0,"HostId":null},"InstanceId":"ins-xlsyru2j","InstanceType":"S2.SMALL1","CPU":1,"Memory":1,"RestrictState":"NORMAL","InstanceName":"\u6d4b\u8bd5 \"web\"","Tags":[],"CreatedTime":"2020-09-22T00:00:00+00:00"}],"RequestId":"ab48a3a6-e0e8-4f6e-b2b6-2a0a8a2b1c2d"}}"#;

fn cvm_response() -> Vec<u8> {
    let (a, b) = CVM_JSON.as_bytes().split_at(100);
    let mut raw = b"HTTP/1.1 200 OK\r\nDate: Tue, 22 Sep 2020 08:44:25 GMT\r\n\
        Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\
        Server: tencent\r\n\r\n"
        .to_vec();
    for part in [a, b] {
        raw.extend_from_slice(format!("{:X}\r\n", part.len()).as_bytes());
        raw.extend_from_slice(part);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    raw
}

#[test]
fn captured_chunked_describe_instances() {
    let raw = cvm_response();
    // Receive loop: bytes arrive 13 at a time; only the length is kept during the loop.
    let mut received = 0;
    let head_len = loop {
        received = (received + 13).min(raw.len());
        if let Some(n) = complete_head_len(&raw[..received], 16).unwrap() {
            break n;
        }
    };
    let mut headers = [Header::EMPTY; 16];
    let Parsed::Complete(head) = parse_head(&raw[..received], &mut headers).unwrap() else { panic!() };
    assert_eq!(head.len, head_len);
    assert_eq!(head.status, 200);
    assert_eq!(head.date(), Some(&b"Tue, 22 Sep 2020 08:44:25 GMT"[..]));
    assert_eq!(head.framing(), Ok(Framing::Chunked));
    check_response(&head).unwrap();

    let mut body = [0u8; 1024];
    let mut reader = BodyReader::new(Framing::Chunked, &mut body).unwrap();
    for piece in raw[head.len..].chunks(9) {
        assert_eq!(reader.feed(piece).unwrap(), piece.len());
    }
    assert!(reader.is_done());
    let body = reader.finish().unwrap();
    assert_eq!(body, CVM_JSON.as_bytes());

    let env = parse_envelope::<DescribeInstances>(body, &mut [0u8; 32]).unwrap();
    assert_eq!(env.request_id, "ab48a3a6-e0e8-4f6e-b2b6-2a0a8a2b1c2d");
    let r = env.result.unwrap();
    assert_eq!(r.total, 1);
    assert_eq!(r.request_id, env.request_id);
    assert_eq!(r.instances[0].name, "测试 \"web\"");
    assert_eq!(r.instances[0].placement.zone, "ap-guangzhou-3");
    assert_eq!(r.instances[0].cpu, 1);
    assert_eq!(r.instances[0].instance_id, "ins-xlsyru2j");

    // The scratch needed is the longest unescaped string (12 bytes here).
    assert_eq!(
        parse_envelope::<DescribeInstances>(body, &mut [0u8; 11]).err(),
        Some(ResponseError::ScratchTooSmall { needed: 12 })
    );
    // Too small a body buffer is an error with a size, never a truncated body.
    let mut small = [0u8; 64];
    let mut reader = BodyReader::new(Framing::Chunked, &mut small).unwrap();
    assert_eq!(reader.feed(&raw[head.len..]), Err(ResponseError::BodyTooLarge { needed: 100 }));
}

#[test]
fn non_200_and_non_json() {
    let mut hs = [Header::EMPTY; 8];
    let raw = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n";
    let Parsed::Complete(h) = parse_head(raw, &mut hs).unwrap() else { panic!() };
    assert_eq!(check_response(&h), Err(ResponseError::HttpStatus { status: 503 }));

    let raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n";
    let Parsed::Complete(h) = parse_head(raw, &mut hs).unwrap() else { panic!() };
    assert_eq!(check_response(&h), Err(ResponseError::UnexpectedContentType));

    let raw = b"HTTP/1.1 200 OK\r\n\r\n";
    let Parsed::Complete(h) = parse_head(raw, &mut hs).unwrap() else { panic!() };
    assert_eq!(check_response(&h), Err(ResponseError::UnexpectedContentType));

    let raw = b"HTTP/1.1 200 OK\r\ncontent-type: APPLICATION/JSON ; charset=UTF-8\r\n\r\n";
    let Parsed::Complete(h) = parse_head(raw, &mut hs).unwrap() else { panic!() };
    assert_eq!(check_response(&h), Ok(()));

    let raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
    let Parsed::Complete(h) = parse_head(raw, &mut hs).unwrap() else { panic!() };
    assert!(h.media_type_is("text/event-stream"));
}

// ---------------------------------------------------------------- chunked

#[test]
fn mdn_chunked_example_with_trailer() {
    let input = b"7\r\nMozilla\r\n11\r\nDeveloper Network\r\n0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n";
    let mut dec = ChunkedDecoder::new();
    let mut out = [0u8; 64];
    let p = dec.decode(input, &mut out).unwrap();
    assert_eq!(p.consumed, input.len());
    assert!(p.done);
    assert_eq!(&out[..p.written], b"MozillaDeveloper Network");

    let mut buf = input.to_vec();
    let n = decode_in_place(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"MozillaDeveloper Network");
}

#[test]
fn wikipedia_chunked_example_bytewise() {
    let input = b"4\r\nWiki\r\n7\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\n\r\n";
    let mut dec = ChunkedDecoder::new();
    let mut out = Vec::new();
    for &b in input.iter() {
        let mut one = [0u8; 1];
        let p = dec.decode(&[b], &mut one).unwrap();
        assert_eq!(p.consumed, 1);
        out.extend_from_slice(&one[..p.written]);
    }
    assert!(dec.is_done());
    assert_eq!(out, b"Wikipedia in \r\nchunks.");
}

#[test]
fn content_length_body_in_pieces() {
    let mut buf = [0u8; 16];
    let mut r = BodyReader::new(Framing::ContentLength(10), &mut buf).unwrap();
    assert_eq!(r.feed(b"0123").unwrap(), 4);
    assert_eq!(r.body(), b"0123");
    assert_eq!(r.feed(b"456789HTTP/1.1").unwrap(), 6);
    assert!(r.is_done());
    assert_eq!(r.finish().unwrap(), b"0123456789");
    let mut buf = [0u8; 16];
    let r = BodyReader::new(Framing::ContentLength(10), &mut buf).unwrap();
    assert_eq!(r.finish(), Err(ResponseError::UnexpectedEnd));
}

// ---------------------------------------------------------------- SSE (WHATWG examples)

#[test]
fn whatwg_stock_example_multiline() {
    let out = sse_run(64, &[b"data: YHOO\ndata: +2\ndata: 10\n\n"]);
    assert_eq!(out, [msg("YHOO\n+2\n10", None)]);
}

#[test]
fn whatwg_ids_and_comment() {
    let stream = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n";
    let out = sse_run(64, &[stream]);
    // The third block is not followed by a blank line and is never dispatched.
    assert_eq!(out, [msg("first event", Some("1")), msg("second event", None)]);
}

#[test]
fn whatwg_empty_data_blocks() {
    let out = sse_run(64, &[b"data\n\ndata\ndata\n\ndata:"]);
    assert_eq!(out, [msg("", None), msg("\n", None)]);
}

#[test]
fn whatwg_space_after_colon() {
    let out = sse_run(64, &[b"data:test\n\ndata: test\n\n"]);
    assert_eq!(out, [msg("test", None), msg("test", None)]);
}

#[test]
fn id_persists_and_nul_id_ignored() {
    let stream =
        b"id: 42\n\ndata: a\n\nid: x\x00y\ndata: b\n\nevent: add\ndata: c\nretry: 1500\n\nretry: 15x\ndata: d\n\n";
    let out = sse_run(64, &[stream]);
    assert_eq!(
        out,
        [
            msg("a", Some("42")),
            msg("b", Some("42")),
            Ok(("add".into(), "c".into(), Some("42".into()), Some(1500))),
            msg("d", Some("42")),
        ]
    );
    // Empty id resets the last event id.
    assert_eq!(sse_run(64, &[b"id: 1\ndata: a\n\nid:\ndata: b\n\n"]), [msg("a", Some("1")), msg("b", None)]);
}

#[test]
fn line_endings_and_crlf_split() {
    let want = [msg("a\nb", None), msg("c", None)];
    assert_eq!(sse_run(32, &[b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"]), want);
    assert_eq!(sse_run(32, &[b"data: a\rdata: b\r\rdata: c\r\r"]), want);
    assert_eq!(sse_run(32, &[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\ndata: c\r", b"\n", b"\r", b"\n"]), want);
}

#[test]
fn hunyuan_stream_with_error_event() {
    #[derive(Debug, Deserialize)]
    struct Delta {
        #[serde(rename = "Content")]
        content: heapless::String<64>,
    }
    #[derive(Debug, Deserialize)]
    struct Choice {
        #[serde(rename = "Delta")]
        delta: Delta,
    }
    #[derive(Debug, Deserialize)]
    struct Chunk {
        #[serde(rename = "Choices")]
        choices: heapless::Vec<Choice, 2>,
    }
    let stream = "data: {\"Note\":\"以上内容为AI生成\",\"Choices\":[{\"Delta\":{\"Role\":\"assistant\",\"Content\":\"\\u4f60\\u597d\"},\"FinishReason\":\"\"}],\"Created\":1710000000,\"Id\":\"a1\"}\r\n\r\n\
                  data: {\"Response\":{\"Error\":{\"Code\":\"InternalError\",\"Message\":\"\\u670d\\u52a1\\u7e41\\u5fd9\"},\"RequestId\":\"r-1\"}}\r\n\r\n";
    let mut buf = [0u8; 512];
    let mut sse = SseParser::new(&mut buf);
    let mut rest = stream.as_bytes();
    let mut results = Vec::new();
    while !rest.is_empty() {
        let (used, ev) = sse.feed(rest).unwrap();
        rest = &rest[used..];
        if let Some(ev) = ev {
            results.push(parse_event_data::<Chunk>(ev.data.as_bytes(), &mut [0u8; 64]).unwrap());
        }
    }
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().choices[0].delta.content, "你好");
    let err: &ApiError = results[1].as_ref().unwrap_err();
    assert_eq!(err.to_string(), "InternalError: 服务繁忙 (RequestId: r-1)");
}

// ---------------------------------------------------------------- envelope

#[derive(Debug, Deserialize, PartialEq)]
struct Zones {
    #[serde(rename = "TotalCount")]
    total: u32,
    #[serde(rename = "ZoneSet")]
    zones: heapless::Vec<heapless::String<32>, 4>,
}

#[test]
fn error_envelope_with_escaped_chinese() {
    let body = br#"{"Response":{"Error":{"Code":"InvalidParameter","Message":"\u672a\u547d\u540d: \"x\\y\" \ud83d\ude00"},"RequestId":"req-1"}}"#;
    let env = parse_envelope::<Zones>(body, &mut []).unwrap();
    let err = env.result.unwrap_err();
    assert_eq!(err.code, "InvalidParameter");
    assert_eq!(err.message, "未命名: \"x\\y\" 😀");
    assert!(!err.message_truncated);
    assert_eq!(err.request_id, "req-1");
    assert_eq!(env.request_id, "req-1");
    assert_eq!(err.to_string(), "InvalidParameter: 未命名: \"x\\y\" 😀 (RequestId: req-1)");
    let e: &dyn std::error::Error = &err;
    assert!(e.source().is_none());
}

#[test]
fn success_unknown_fields_and_warning() {
    let body = br#"{"Response":{"Unknown":{"Deep":[1,2,{"x":"\u0041"}]},"TotalCount":2,"ZoneSet":["ap-guangzhou-3","ap-shanghai-2"],"DeprecatedWarning":"API \u5df2\u5e9f\u5f03","RequestId":"r"}}"#;
    let env = parse_envelope::<Zones>(body, &mut [0u8; 32]).unwrap();
    assert_eq!(
        env.result,
        Ok(Zones {
            total: 2,
            zones: ["ap-guangzhou-3".try_into().unwrap(), "ap-shanghai-2".try_into().unwrap()].into_iter().collect()
        })
    );
    let w = env.deprecated_warning.unwrap();
    assert!(w.is_string && !w.truncated);
    assert_eq!(w.text, "API 已废弃");

    let body = br#"{"Response":{"TotalCount":0,"ZoneSet":[],"DeprecatedWarning":{"Message":"use v2","Since":"2024"},"RequestId":"r"}}"#;
    let env = parse_envelope::<Zones>(body, &mut []).unwrap();
    let w = env.deprecated_warning.unwrap();
    assert!(!w.is_string);
    assert_eq!(w.text, r#"{"Message":"use v2","Since":"2024"}"#);
    // Unit type works for actions without output fields.
    #[derive(Deserialize)]
    struct Empty {}
    assert!(parse_envelope::<Empty>(body, &mut []).unwrap().result.is_ok());
    assert!(parse_envelope::<serde::de::IgnoredAny>(body, &mut []).unwrap().result.is_ok());
}

#[test]
fn surrogates_in_typed_part() {
    #[derive(Debug, Deserialize)]
    struct Text {
        #[serde(rename = "Text")]
        text: heapless::String<32>,
    }
    let body = br#"{"Response":{"Text":"\ud83d\ude00 ok","RequestId":"r"}}"#;
    assert_eq!(parse_envelope::<Text>(body, &mut [0; 32]).unwrap().result.unwrap().text, "😀 ok");
    let mut owned = body.to_vec();
    let env = parse_envelope_in_place::<Text>(&mut owned, &mut [0; 32]).unwrap();
    assert_eq!(env.result.unwrap().text, "😀 ok");
}

#[test]
fn borrowed_strings() {
    #[derive(Debug, Deserialize)]
    struct Borrowed<'a> {
        #[serde(rename = "RequestId")]
        request_id: &'a str,
    }
    let body = br#"{"Response":{"RequestId":"plain"}}"#;
    assert_eq!(parse_envelope::<Borrowed<'_>>(body, &mut []).unwrap().result.unwrap().request_id, "plain");
}

#[test]
fn deep_nesting_is_bounded() {
    let mut body = br#"{"Response":{"X":"#.to_vec();
    body.extend(std::iter::repeat_n(b'[', 100_000));
    assert_eq!(
        parse_envelope::<Zones>(&body, &mut []).err(),
        Some(ResponseError::JsonTooDeep { max: tencentcloud_core::response::envelope::MAX_JSON_DEPTH })
    );
}

#[cfg(feature = "alloc")]
#[test]
fn serde_json_envelope() {
    use tencentcloud_core::response::envelope::parse_envelope_json;
    #[derive(Debug, Deserialize)]
    struct Owned {
        #[serde(rename = "Text")]
        text: String,
        #[serde(rename = "RequestId")]
        request_id: String,
    }
    let body = br#"{"Response":{"Text":"\ud83d\ude00 \u672a","RequestId":"r9","Extra":[1]}}"#;
    let env = parse_envelope_json::<Owned>(body).unwrap();
    let r = env.result.unwrap();
    assert_eq!((r.text.as_str(), r.request_id.as_str()), ("😀 未", "r9"));
    let err = br#"{"Response":{"Error":{"Code":"A.B","Message":"m"},"RequestId":"r9"}}"#;
    assert_eq!(parse_envelope_json::<Owned>(err).unwrap().result.unwrap_err().code, "A.B");
}

// ---------------------------------------------------------------- properties

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
    prop::collection::vec(prop::sample::select(tokens), 0..80).prop_map(|t| t.concat())
}

proptest! {
    #[test]
    fn parsers_never_panic(data in prop::collection::vec(any::<u8>(), 0..512), limit in 0usize..600) {
        let mut hs = [Header::EMPTY; 4];
        let _ = parse_head_limited(&data, &mut hs, limit);
        let mut out = [0u8; 32];
        let _ = ChunkedDecoder::new().decode(&data, &mut out);
        let _ = sse_run(limit % 64, &[&data]);
        let _ = parse_envelope::<Zones>(&data, &mut [0u8; 16]);
    }

    #[test]
    fn chunked_roundtrip(
        data in prop::collection::vec(any::<u8>(), 0..600),
        chunk_sizes in prop::collection::vec(1usize..64, 0..40),
        pieces in prop::collection::vec(1usize..20, 0..200),
        ext in any::<bool>(),
    ) {
        let encoded = chunk_encode(&data, &chunk_sizes, ext);
        let mut dec = ChunkedDecoder::new();
        let mut out = vec![0u8; data.len()];
        let mut written = 0;
        let mut consumed = 0;
        for piece in split_at_sizes(&encoded, &pieces) {
            let p = dec.decode(piece, &mut out[written..]).unwrap();
            prop_assert_eq!(p.consumed, piece.len());
            written += p.written;
            consumed += p.consumed;
        }
        prop_assert!(dec.is_done());
        prop_assert_eq!(consumed, encoded.len());
        prop_assert_eq!(&out[..written], &data[..]);

        let mut buf = encoded.clone();
        let n = decode_in_place(&mut buf).unwrap();
        prop_assert_eq!(&buf[..n], &data[..]);

        let mut body = vec![0u8; data.len()];
        let mut reader = BodyReader::new(Framing::Chunked, &mut body).unwrap();
        for piece in split_at_sizes(&encoded, &pieces) {
            prop_assert_eq!(reader.feed(piece).unwrap(), piece.len());
        }
        prop_assert_eq!(reader.finish().unwrap(), &data[..]);
    }

    #[test]
    fn chunked_body_too_large_is_an_error(data in prop::collection::vec(any::<u8>(), 1..300), sizes in prop::collection::vec(1usize..64, 0..10)) {
        let encoded = chunk_encode(&data, &sizes, false);
        let mut body = vec![0u8; data.len() - 1];
        let mut reader = BodyReader::new(Framing::Chunked, &mut body).unwrap();
        let too_large = matches!(
            reader.feed(&encoded),
            Err(ResponseError::BodyTooLarge { needed }) if needed > (data.len() - 1) as u64
        );
        prop_assert!(too_large);
    }

    #[test]
    fn sse_split_independent(stream in sse_alphabet(), pieces in prop::collection::vec(1usize..8, 0..100), buf_len in 0usize..48) {
        let whole = sse_run(buf_len, &[&stream]);
        let split = sse_run(buf_len, &split_at_sizes(&stream, &pieces));
        prop_assert_eq!(&whole, &split);
        let bytewise: Vec<&[u8]> = stream.chunks(1).collect();
        prop_assert_eq!(&whole, &sse_run(buf_len, &bytewise));
    }

    #[test]
    fn sse_needed_is_exact(lines in prop::collection::vec(
        prop_oneof![
            "[a-z0-9 ]{0,20}".prop_map(|v| format!("data: {v}")),
            "[a-z]{0,12}".prop_map(|v| format!("event:{v}")),
            "[a-z0-9]{0,12}".prop_map(|v| format!("id: {v}")),
            "[0-9]{1,4}".prop_map(|v| format!("retry: {v}")),
            "[a-z ]{0,30}".prop_map(|v| format!(": {v}")),
        ],
        1..8,
    ), buf_len in 0usize..40) {
        let mut stream = lines.join("\n");
        stream.push_str("\ndata: end\n\n");
        let small = sse_run(buf_len, &[stream.as_bytes()]);
        prop_assert_eq!(small.len(), 1);
        if let Err(ResponseError::SseEventTooLarge { needed }) = small[0] {
            prop_assert!(needed > buf_len);
            let exact = sse_run(needed, &[stream.as_bytes()]);
            prop_assert!(exact[0].is_ok(), "{:?} with {}", exact, needed);
            let short = sse_run(needed - 1, &[stream.as_bytes()]);
            prop_assert_eq!(&short[0], &Err(ResponseError::SseEventTooLarge { needed }));
        } else {
            prop_assert!(small[0].is_ok());
        }
    }

    #[test]
    fn head_agrees_with_httparse(
        minor in 0u8..2,
        status in 100u16..600,
        reason in "[A-Za-z][A-Za-z ]{0,19}",
        headers in prop::collection::vec(("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}", "[ \t]{0,2}", "[!-~]([ -~]{0,30}[!-~])?", "[ \t]{0,2}"), 0..12),
        lf_only in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let eol = if lf_only { "\n" } else { "\r\n" };
        let mut raw = format!("HTTP/1.{minor} {status} {reason}{eol}");
        for (name, pre, value, post) in &headers {
            raw.push_str(&format!("{name}:{pre}{value}{post}{eol}"));
        }
        raw.push_str(eol);
        raw.push_str("body");
        let raw = raw.as_bytes();

        let mut theirs = [httparse::EMPTY_HEADER; 16];
        let mut resp = httparse::Response::new(&mut theirs);
        let len = match resp.parse(raw).unwrap() {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial => unreachable!(),
        };
        let mut ours = [Header::EMPTY; 16];
        let Parsed::Complete(head) = parse_head(raw, &mut ours).unwrap() else { panic!("partial") };
        prop_assert_eq!(head.len, len);
        prop_assert_eq!(Some(head.status), resp.code);
        prop_assert_eq!(Some(head.minor_version), resp.version);
        prop_assert_eq!(std::str::from_utf8(head.reason).ok(), resp.reason);
        prop_assert_eq!(head.headers.len(), resp.headers.len());
        for (a, b) in head.headers.iter().zip(resp.headers.iter()) {
            prop_assert_eq!(a.name, b.name);
            prop_assert_eq!(a.value, b.value);
        }
        // Any strict prefix is Partial for both.
        let n = cut.index(len);
        let mut ours = [Header::EMPTY; 16];
        prop_assert_eq!(parse_head(&raw[..n], &mut ours).unwrap(), Parsed::Partial);
        let mut theirs = [httparse::EMPTY_HEADER; 16];
        prop_assert!(httparse::Response::new(&mut theirs).parse(&raw[..n]).unwrap().is_partial());
    }
}

// ---------------------------------------------------------------- typed part vs serde_json

#[derive(Debug, PartialEq, Deserialize)]
enum Kind {
    A,
    B(u8),
    C { x: i16 },
}

/// A target type touching every kind of value the envelope's deserializer reads.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct Typed {
    n: Option<u32>,
    i: Option<i64>,
    f: Option<f64>,
    g: Option<f32>,
    s: Option<heapless::String<8>>,
    b: Option<bool>,
    v: Option<heapless::Vec<u8, 3>>,
    t: Option<(u8, bool)>,
    k: Option<Kind>,
    u: Option<()>,
    w: Option<Wrapped>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Wrapped(i8);

fn typed_member() -> impl Strategy<Value = String> {
    let keys: &'static [&str] = &["N", "I", "F", "G", "S", "B", "V", "T", "K", "U", "W", "X", "\\u004e"];
    let values: &'static [&str] = &[
        "0",
        "-0",
        "-1",
        "7",
        "255",
        "256",
        "-128",
        "4294967296",
        "1.5",
        "-2.25e-3",
        "1e3",
        "1E400",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "\"a\"",
        "\"\\u00e9\\n\"",
        "\"toolongstring\"",
        "\"\"",
        "true",
        "false",
        "null",
        "[]",
        "[1,2]",
        "[1,2,3,4]",
        "[1,true]",
        "[300]",
        "{}",
        "{\"x\":1}",
        "\"A\"",
        "\"B\"",
        "\"Z\"",
        "{\"B\":7}",
        "{\"C\":{\"x\":-2}}",
        "{\"A\":null}",
        "{\"A\":1}",
        "{\"B\":7,\"C\":{\"x\":1}}",
    ];
    (prop::sample::select(keys), prop::sample::select(values)).prop_map(|(k, v)| format!("\"{k}\" : {v}"))
}

proptest! {
    /// The envelope's own deserializer agrees with serde_json on the `Response` object:
    /// the same value, or both refuse it.
    #[test]
    fn typed_part_agrees_with_serde_json(members in prop::collection::vec(typed_member(), 0..6)) {
        let response = format!("{{{}}}", members.join(","));
        let body = format!("{{\"Response\":{response}}}");
        let ours = parse_envelope::<Typed>(body.as_bytes(), &mut [0u8; 64]).map(|env| env.result.unwrap());
        let theirs = serde_json::from_str::<Typed>(&response);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(ResponseError::JsonDecode), Err(_)) => {}
            _ => prop_assert!(false, "{response}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }
}

/// One member of a generated `Response` object: its raw JSON text and what it means for the
/// envelope.
#[derive(Clone, Debug)]
struct Member {
    text: &'static str,
    role: Role,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    /// `Error` with a string `Code` (and maybe a string `Message`): an API error.
    ErrorOk(&'static str),
    /// `Error` that is `null`: no error.
    ErrorNull,
    /// `Error` that is not an object with one string `Code` / at most one string `Message`.
    ErrorBad(ResponseError),
    RequestId,
    Other,
}

fn envelope_member() -> impl Strategy<Value = Member> {
    use Role::*;
    const BAD: ResponseError = ResponseError::InvalidErrorObject;
    let members: &'static [(&str, Role)] = &[
        (
            r#""Error":{"Code":"AuthFailure.SignatureFailure","Message":"\u7b7e\u540d \ud83d\ude00"}"#,
            ErrorOk("AuthFailure.SignatureFailure"),
        ),
        (r#""\u0045rror":{"Code":"LimitExceeded"}"#, ErrorOk("LimitExceeded")),
        (r#""Error":null"#, ErrorNull),
        (r#""Error":{"Code":4000}"#, ErrorBad(BAD)),
        (r#""Error":{"Message":"denied"}"#, ErrorBad(BAD)),
        (r#""Error":"denied""#, ErrorBad(BAD)),
        (r#""Error":[]"#, ErrorBad(BAD)),
        (r#""Error":{"Code":"A","Message":7}"#, ErrorBad(BAD)),
        (r#""Error":{"Code":"A","Code":"B"}"#, ErrorBad(ResponseError::DuplicateMember { name: "Code" })),
        (
            r#""Error":{"Code":"A","Message":"x","Message":"y"}"#,
            ErrorBad(ResponseError::DuplicateMember { name: "Message" }),
        ),
        (r#""RequestId":"6e6f5b5a""#, RequestId),
        (r#""RequestId":"r \ud83d\ude80""#, RequestId),
        (r#""Request\u0049d":"r""#, RequestId),
        (r#""InstanceName":"web \ud83d\ude80""#, Other),
        (r#""Names":["\ud83d\ude00\ud83d\ude01","\u00e9",""]"#, Other),
        (r#""TotalCount":1"#, Other),
        (r#""Set":[{"Error":{"Code":4000}},{"Response":{}}]"#, Other),
        (r#""Deep":{"RequestId":"inner","Error":"nested"}"#, Other),
    ];
    prop::sample::select(members).prop_map(|(text, role)| Member { text, role })
}

/// What core must make of a `Response` object holding `members`, in core's order of checks.
fn expected(members: &[Member], responses: usize) -> Result<Option<&'static str>, ResponseError> {
    if responses > 1 {
        return Err(ResponseError::DuplicateMember { name: "Response" });
    }
    let errors: Vec<Role> = members
        .iter()
        .map(|m| m.role)
        .filter(|r| matches!(r, Role::ErrorOk(_) | Role::ErrorNull | Role::ErrorBad(_)))
        .collect();
    if errors.len() > 1 {
        return Err(ResponseError::DuplicateMember { name: "Error" });
    }
    if members.iter().filter(|m| m.role == Role::RequestId).count() > 1 {
        return Err(ResponseError::DuplicateMember { name: "RequestId" });
    }
    match errors.first() {
        Some(Role::ErrorOk(code)) => Ok(Some(code)),
        Some(Role::ErrorBad(e)) => Err(*e),
        _ => Ok(None),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]
    /// Answers with surrogate pairs, escaped keys, duplicate and malformed envelope members:
    /// every core entry point reads them one way (the rule above), a success decodes to the
    /// same value serde_json reads, and an `Error` member is never a success.
    #[test]
    fn envelopes_read_one_way(members in prop::collection::vec(envelope_member(), 0..5), responses in 1usize..3) {
        let object = format!("{{{}}}", members.iter().map(|m| m.text).collect::<Vec<_>>().join(","));
        let body = format!("{{{}}}", vec![format!("\"Response\":{object}"); responses].join(","));
        let want = expected(&members, responses);
        let mut scratch = [0u8; 128];
        let got = parse_result::<serde_json::Value>(body.as_bytes(), &mut scratch);
        match (&want, &got) {
            (Err(w), Err(g)) => prop_assert_eq!(w, g, "{}", body),
            (Ok(Some(code)), Ok(Err(api))) => prop_assert_eq!(api.code.as_str(), *code, "{}", body),
            (Ok(None), Ok(Ok(value))) => {
                // The same value serde_json reads (it keeps the last of a repeated member, as
                // the deserializer's map does).
                let theirs: serde_json::Value = serde_json::from_str(&object).unwrap();
                prop_assert_eq!(value, &theirs, "{}", body);
            }
            _ => prop_assert!(false, "{body}: want {want:?}, got {got:?}"),
        }
        let err_only = envelope_error(body.as_bytes());
        prop_assert_eq!(err_only.clone().map(|e| e.map(|e| e.code.to_string())), want.map(|c| c.map(str::to_owned)), "{}", body);
        let in_place = parse_envelope_in_place::<serde::de::IgnoredAny>(&mut body.clone().into_bytes(), &mut []).map(|e| e.result.is_ok());
        prop_assert_eq!(in_place, err_only.map(|e| e.is_none()), "{}", body);
    }
}
