//! Random answers through the client's real engine (a fake [`HttpSend`]): `Date` headers
//! valid, near, far, absurd and garbage; error envelopes with and without a `Code`, a
//! non-string one, duplicate members, surrogate pairs; bodies split at random. Whatever
//! comes back, the client never panics, never reads an answer carrying an `Error` member
//! as a success, keeps its clock offset within a day of the system clock, and signs the
//! next call.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tencentcloud_core::policy::MAX_CLOCK_STEP;

use super::*;

/// The cases run (a `PROPTEST_CASES` in the environment overrides it).
const CASES: u32 = 1024;

#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    json: bool,
    date: Option<String>,
    body: String,
    /// The answer carries an `Error` member that is not a lone `null`: never a success.
    has_error: bool,
    /// Where the body is cut into chunks.
    cuts: Vec<usize>,
}

const CODES: &[&str] = &[
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureExpire",
    "RequestLimitExceeded",
    "InternalError",
    "AuthFailure.TokenFailure",
    "ResourceNotFound",
    "",
    "\\ud83d\\ude00",
];

const TEXTS: &[&str] = &["plain", "\\ud83d\\ude00", "\\u00e9\\n\\t", "a\\\"b\\\\", "\\ud83d", "\\ude00x", "\u{672a}"];

/// The `Date` header: near, hours off, days off, absurd, garbage, or none.
fn date() -> impl Strategy<Value = Option<String>> {
    let now = system_now();
    prop_oneof![
        (-300i64..300).prop_map(move |d| Some(http_date(now + d))),
        (-23 * 3600i64..23 * 3600).prop_map(move |d| Some(http_date(now + d))),
        (86_401i64..1_000 * 86_400, any::<bool>()).prop_map(move |(d, ahead)| Some(http_date(if ahead {
            now + d
        } else {
            now - d
        }))),
        (0i64..253_402_300_800).prop_map(|t| Some(http_date(t))),
        prop::sample::select(vec![
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Sun, 31 Dec 2017 23:59:59 GMT",
            "Fri, 01 Jan 2100 00:00:01 GMT",
            "Mon, 25 Feb 2019 16:44:60 GMT",
        ])
        .prop_map(|d| Some(d.to_owned())),
        "[ -~]{0,40}".prop_map(Some),
        Just(None),
    ]
}

/// An `Error` value as JSON text, and whether it counts as an error (not `null`).
fn error_value() -> impl Strategy<Value = (String, bool)> {
    let code = prop_oneof![
        prop::sample::select(CODES).prop_map(|c| format!(r#""Code":"{c}""#)),
        Just(r#""Code":4000"#.to_owned()),
        Just(r#""Code":null"#.to_owned()),
        Just(r#""Code":{"x":1}"#.to_owned()),
        prop::sample::select(CODES).prop_map(|c| format!(r#""Code":"{c}","Code":"X""#)),
        Just(String::new()),
    ];
    let message = prop_oneof![
        prop::sample::select(TEXTS).prop_map(|m| format!(r#""Message":"{m}""#)),
        Just(r#""Message":7"#.to_owned()),
        Just(String::new()),
    ];
    prop_oneof![
        4 => (code, message).prop_map(|(c, m)| {
            let sep = if c.is_empty() || m.is_empty() { "" } else { "," };
            (format!("{{{c}{sep}{m}}}"), true)
        }),
        1 => prop::sample::select(vec![r#""denied""#, "[]", "4000", "true", "{}"]).prop_map(|v| (v.to_owned(), true)),
        1 => Just(("null".to_owned(), false)),
    ]
}

/// A body: the envelope's shape, its members, and whether it carries an error.
fn body() -> impl Strategy<Value = (String, bool)> {
    let errors = prop::collection::vec(error_value(), 0..3);
    let request_ids =
        prop::sample::select(vec!["", r#""RequestId":"r-1","#, r#""RequestId":"r-1","RequestId":"r-2","#]);
    let payload = prop::sample::select(TEXTS).prop_map(|t| format!(r#""X":1,"Text":"{t}","Set":[{{"Error":1}}]"#));
    (errors, request_ids, payload, 0u8..10).prop_map(|(errors, rid, payload, shape)| {
        // One member `null` alone is no error; any other (or a second member) is.
        let has_error = errors.iter().any(|(_, e)| *e) || errors.len() > 1;
        let members: String = errors.iter().map(|(v, _)| format!(r#""Error":{v},"#)).collect();
        let response = format!("{{{members}{rid}{payload}}}");
        match shape {
            0 => (format!(r#"{{"Error":{},"RequestId":"r"}}"#, errors.first().map_or("null", |e| &e.0)), true),
            1 => (format!(r#"{{"Response":{response},"Response":{{"X":1,"RequestId":"r-2"}}}}"#), true),
            2 => (format!(r#"{{"Response":{{"X":1,"RequestId":"r-2"}},"Response":{response}}}"#), true),
            3 => (response.chars().take(response.len() / 2).collect(), has_error),
            _ => (format!(r#"{{"Response":{response}}}"#), has_error),
        }
    })
}

/// A well-formed `AuthFailure.SignatureExpire` answer (what moves the clock, when its
/// `Date` is adopted).
fn signature_expire() -> impl Strategy<Value = (String, bool)> {
    prop::sample::select(&TEXTS[..4]).prop_map(|m| {
        let error = format!(r#"{{"Code":"AuthFailure.SignatureExpire","Message":"{m}"}}"#);
        (format!(r#"{{"Response":{{"Error":{error},"RequestId":"r"}}}}"#), true)
    })
}

fn answer() -> impl Strategy<Value = Answer> {
    let status = prop::sample::select(vec![200u16, 200, 200, 200, 400, 500, 503]);
    let body = prop_oneof![3 => body(), 1 => signature_expire()];
    (status, any::<bool>(), date(), body, prop::collection::vec(any::<prop::sample::Index>(), 0..6)).prop_map(
        |(status, json, date, (body, has_error), cuts)| {
            let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
            cuts.sort_unstable();
            Answer { status, json: json || status == 200, date, body, has_error, cuts }
        },
    )
}

impl Answer {
    fn step(&self) -> Step {
        let mut headers = Vec::new();
        if self.json {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        if let Some(d) = &self.date {
            headers.push(("Date".to_owned(), d.clone()));
        }
        let bytes = self.body.as_bytes();
        let mut parts = Vec::new();
        let mut at = 0;
        for &cut in self.cuts.iter().chain([&bytes.len()]) {
            parts.push(bytes[at..cut].to_vec());
            at = cut;
        }
        Step::Parts(self.status, headers, parts)
    }
}

fn within_a_day(ts: i64) -> bool {
    (ts - system_now()).unsigned_abs() <= MAX_CLOCK_STEP + 5
}

/// The properties, over [`CASES`] random answers; prints how many ran.
#[test]
fn random_answers_through_the_engine() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    assert!(tencentcloud_core::policy::plausible(system_now() as u64), "the test needs a system clock with the time");
    let ran = AtomicUsize::new(0);
    let (errors, successes, moved) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
    let config = Config { cases: CASES, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&(answer(), 0usize..3), |(answer, kind)| {
        ran.fetch_add(1, Ordering::SeqCst);
        runtime.block_on(async {
            // The same answer to every attempt, so a retry or a re-signed attempt meets it too.
            let fake = Fake::new((0..4).map(|_| answer.step()));
            let c = client(&fake, ClientProfile::new().retry(fast_retry(3)));
            let ok = match kind {
                0 => c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.is_ok(),
                1 => c.send(&tencentcloud_cvm::v20170312::DescribeZonesRequest::default()).await.is_ok(),
                _ => c.call::<_, Value>("cvm", "2017-03-12", "DescribeZones", &json!({})).await.is_ok(),
            };
            prop_assert!(!(ok && answer.has_error), "an answer with an Error member read as a success");
            errors.fetch_add(usize::from(answer.has_error), Ordering::SeqCst);
            successes.fetch_add(usize::from(ok), Ordering::SeqCst);
            moved.fetch_add(usize::from(c.clock_offset() != 0), Ordering::SeqCst);
            prop_assert!(c.clock_offset().unsigned_abs() <= MAX_CLOCK_STEP, "offset {}", c.clock_offset());
            for r in fake.seen() {
                prop_assert!(within_a_day(timestamp(&r)), "signed at {}", timestamp(&r));
            }
            // The next call is signed (within a day of the system clock) and succeeds.
            fake.script.lock().unwrap().clear();
            let before = fake.seen().len();
            let next = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await;
            prop_assert!(next.is_ok(), "the next call failed: {next:?}");
            let seen = fake.seen();
            prop_assert_eq!(seen.len(), before + 1);
            prop_assert!(within_a_day(timestamp(&seen[before])));
            Ok(())
        })
    });
    let ran = ran.load(Ordering::SeqCst);
    let [errors, successes, moved] = [errors, successes, moved].map(|n| n.load(Ordering::SeqCst));
    println!(
        "engine proptest: {ran} cases ran ({errors} answers with an Error member, {successes} successes, {moved} moved the clock)"
    );
    if let Err(e) = result {
        panic!("{e}\n{runner}");
    }
    assert!(ran >= CASES as usize, "{ran} cases");
}
