//! Property tests of the signer: no panics, streamed hashing equals hashing the whole
//! string, dates agree with a naive calendar, and written requests parse back.

use hmac::{Hmac, Mac};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use tencentcloud_core::request::Body;
use tencentcloud_core::time::{Date, MAX_TIMESTAMP, parse_http_date};
use tencentcloud_core::{Credential, Language, Request, Signer, sign::sign};

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn body_strategy() -> impl Strategy<Value = (u8, Vec<u8>, String)> {
    (0u8..4, proptest::collection::vec(any::<u8>(), 0..300), "[A-Za-z0-9.=&%+~_-]{0,80}")
}

fn build<'a>(kind: u8, bytes: &'a [u8], query: &'a str, service: &'a str, action: &'a str) -> Request<'a> {
    let body = match kind {
        0 => Body::Json(bytes),
        1 => Body::Query(query),
        2 => Body::OctetStream(bytes),
        _ => Body::Multipart { content_type: "multipart/form-data; boundary=xyz", body: bytes },
    };
    Request::new(service, "2017-03-12", action, body)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// Arbitrary input either signs or is refused; it never panics.
    #[test]
    fn signing_never_panics(
        service in any::<String>(), version in any::<String>(), action in any::<String>(),
        region in any::<Option<String>>(), host in any::<String>(), ct in any::<String>(),
        body in any::<Vec<u8>>(), query in any::<String>(), id in any::<String>(), key in any::<String>(),
        token in any::<String>(), ts in any::<u64>(), hname in any::<String>(), hval in any::<String>(),
        signed in any::<String>(), kind in 0u8..4, flags in 0u8..8,
    ) {
        let body = match kind {
            0 => Body::Json(&body),
            1 => Body::Query(&query),
            2 => Body::OctetStream(&body),
            _ => Body::Multipart { content_type: &ct, body: &body },
        };
        let headers = [(hname.as_str(), hval.as_str())];
        let signed_names = [signed.as_str()];
        let mut req = Request::new(&service, &version, &action, body).host(&host).headers(&headers);
        if let Some(r) = &region { req = req.region(r); }
        if flags & 1 != 0 { req = req.content_type(&ct); }
        if flags & 2 != 0 { req = req.sign_headers(&signed_names); }
        if flags & 4 != 0 { req = req.unsigned_payload(); }
        if let Ok(cred) = Credential::new(&id, &key).and_then(|c| c.with_token(&token))
            && let Ok(s) = sign(&req, &cred, ts)
        {
            let mut buf = vec![0u8; s.http1_len()];
            prop_assert_eq!(s.write_http1(&mut buf).unwrap(), buf.len());
            let _ = s.canonical_request().to_string();
        }
    }

    /// The streamed stages equal hashing and HMAC-ing the concatenated strings.
    #[test]
    fn streamed_hashing_matches_concatenation(
        (kind, bytes, query) in body_strategy(),
        service in "[a-z]{2,12}", action in "[a-zA-Z]{1,30}",
        key in "[!-~]{1,80}", ts in 0u64..=MAX_TIMESTAMP,
        extra_signed in proptest::bool::ANY, trace in "[ -~]{0,40}",
    ) {
        let headers = [("X-TC-TraceId", trace.as_str())];
        let mut req = build(kind, &bytes, &query, &service, &action).region("ap-guangzhou").headers(&headers);
        if extra_signed { req = req.sign_headers(&["X-TC-Action", "x-tc-traceid", "X-TC-Timestamp"]); }
        let cred = Credential::new("AKIDEXAMPLE", &key).unwrap();
        let s = sign(&req, &cred, ts).unwrap();

        let canonical = s.canonical_request().to_string();
        let body_hash = hex(&Sha256::digest(req.body().bytes()));
        prop_assert!(canonical.ends_with(&body_hash));
        let sts = s.string_to_sign().to_string();
        let canonical_hash = hex(&Sha256::digest(canonical.as_bytes()));
        prop_assert!(sts.ends_with(&canonical_hash));
        let date = s.date().to_string();
        let k = hmac(&hmac(&hmac(format!("TC3{key}").as_bytes(), date.as_bytes()), service.as_bytes()), b"tc3_request");
        prop_assert_eq!(s.signature(), hex(&hmac(&k, sts.as_bytes())));
        // Signed header names are sorted and lower-case; values lower-cased and trimmed.
        let names: Vec<&str> = s.signed_headers().split(';').collect();
        let mut sorted = names.clone();
        sorted.sort();
        prop_assert_eq!(&names, &sorted);
        if extra_signed {
            let line = format!("x-tc-traceid:{}\n", trace.trim_matches([' ', '\t']).to_ascii_lowercase());
            prop_assert!(canonical.contains(&line));
        }
        // The cache gives the same signature.
        let mut signer = Signer::<1>::new();
        signer.sign(&req, &cred, ts).unwrap();
        let cached = signer.sign(&req, &cred, ts).unwrap();
        prop_assert_eq!(cached.signature(), s.signature());
    }

    /// A written request parses back with httparse to the same method, target, headers and body.
    #[test]
    fn written_request_parses_back(
        (kind, bytes, query) in body_strategy(),
        service in "[a-z]{2,12}", action in "[a-zA-Z]{1,30}", ts in 0u64..=MAX_TIMESTAMP,
        token in proptest::option::of("[!-~]{1,60}"), lang in proptest::bool::ANY,
    ) {
        let mut req = build(kind, &bytes, &query, &service, &action)
            .language(if lang { Language::EnUs } else { Language::ZhCn })
            .request_client("SDK_RUST_0.1");
        if kind == 2 { req = req.unsigned_payload(); }
        let mut cred = Credential::new("AKIDEXAMPLE", "key").unwrap();
        if let Some(t) = &token { cred = cred.with_token(t).unwrap(); }
        let s = sign(&req, &cred, ts).unwrap();
        let mut buf = vec![0u8; s.http1_len()];
        let n = s.write_http1(&mut buf).unwrap();
        let mut parsed_headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Request::new(&mut parsed_headers);
        let head_len = match parsed.parse(&buf[..n]).unwrap() {
            httparse::Status::Complete(len) => len,
            httparse::Status::Partial => panic!("partial"),
        };
        prop_assert_eq!(parsed.method, Some(req.method().as_str()));
        let target = if query.is_empty() || kind != 1 { "/".to_string() } else { format!("/?{query}") };
        prop_assert_eq!(parsed.path, Some(target.as_str()));
        let mut expected: Vec<(String, String)> = s.headers().map(|h| (h.name.to_string(), h.value.to_string())).collect();
        if kind != 1 {
            expected.insert(2, ("Content-Length".into(), bytes.len().to_string()));
        }
        let got: Vec<(String, String)> = parsed.headers.iter()
            .map(|h| (h.name.to_string(), String::from_utf8(h.value.to_vec()).unwrap())).collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(&buf[head_len..n], req.body().bytes());
        // The streaming writer produces the same bytes.
        let mut streamed = Vec::new();
        s.write_to(&mut embedded_io_vec(&mut streamed)).unwrap();
        prop_assert_eq!(&streamed[..], &buf[..n]);
    }

    /// IMF-fixdate round trip for every second in range.
    #[test]
    fn http_date_round_trip(ts in 0u64..=MAX_TIMESTAMP) {
        let d = Date::from_unix(ts).unwrap();
        let days = ts / 86_400;
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
        let month = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"][usize::from(d.month() - 1)];
        let secs = ts % 86_400;
        let text = format!("{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT", d.day(), d.year(), secs / 3600, secs / 60 % 60, secs % 60);
        prop_assert_eq!(parse_http_date(text.as_bytes()), Ok(ts));
    }

    /// Arbitrary bytes never make the date parser panic.
    #[test]
    fn http_date_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let _ = parse_http_date(&bytes);
    }
}

/// `embedded_io::Write` over a `Vec` (embedded-io's std adapters are not a dependency).
fn embedded_io_vec(v: &mut Vec<u8>) -> VecWriter<'_> {
    VecWriter(v)
}

struct VecWriter<'a>(&'a mut Vec<u8>);

impl embedded_io::ErrorType for VecWriter<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for VecWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Every day from 1970-01-01 to 9999-12-31 against a naive day-by-day calendar.
#[test]
#[allow(clippy::manual_is_multiple_of)] // the Gregorian rule spelled out independently
fn date_agrees_with_naive_calendar_for_every_day() {
    let (mut y, mut m, mut d) = (1970u16, 1u8, 1u8);
    let leap = |y: u16| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut day = 0u64;
    loop {
        let got = Date::from_unix(day * 86_400 + (day * 7919) % 86_400).unwrap();
        assert_eq!((got.year(), got.month(), got.day()), (y, m, d), "day {day}");
        assert_eq!(got.days_since_epoch(), day);
        if (y, m, d) == (9999, 12, 31) {
            break;
        }
        let len = match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        d += 1;
        if d > len {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
        day += 1;
    }
    assert_eq!(day, MAX_TIMESTAMP / 86_400);
    assert_eq!(Date::from_unix(MAX_TIMESTAMP + 1), None);
}

/// An unsigned request sends the usual headers, `Authorization: SKIP`, and no credential.
#[test]
fn unsigned_request_bytes() {
    let req = Request::post_json("sts", "2018-08-13", "assumeRoleWithWebIdentity", b"{}").region("ap-guangzhou");
    let unsigned = tencentcloud_core::SignedRequest::unsigned(&req, 1_700_000_000).unwrap();
    let mut buf = vec![0u8; unsigned.http1_len()];
    let n = unsigned.write_http1(&mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        "POST / HTTP/1.1\r\nHost: sts.tencentcloudapi.com\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\nX-TC-Action: AssumeRoleWithWebIdentity\r\nX-TC-Timestamp: 1700000000\r\n\
         X-TC-Version: 2018-08-13\r\nX-TC-Region: ap-guangzhou\r\nAuthorization: SKIP\r\n\r\n{}"
    );
    // The same as the signer's output for a skip-sign request, minus the credential's token.
    let cred = Credential::new("AKIDEXAMPLE", "key").unwrap();
    let skipped = sign(&req.skip_sign(), &cred, 1_700_000_000).unwrap();
    let mut other = vec![0u8; skipped.http1_len()];
    skipped.write_http1(&mut other).unwrap();
    assert_eq!(other, buf[..n]);
    // An invalid request is still refused.
    let bad = Request::post_json("sts", "2018-08-13", "Assume Role", b"{}");
    assert!(tencentcloud_core::SignedRequest::unsigned(&bad, 1_700_000_000).is_err());
}
