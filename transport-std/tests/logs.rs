//! No secret reaches a log: the client's spans and its redacted request/response dumps,
//! captured at every level.
//!
//! Its own test binary on purpose: tracing caches per call site whether anyone listens,
//! and tests on other threads of a shared binary (with no subscriber) can make those
//! caches drop this test's events.

#[path = "support/log_capture.rs"]
mod log_capture;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use log_capture::Capture;
use serde_json::json;
use tencentcloud_transport_std::http::{HttpRequest, HttpResponse, HttpSend, SendFuture};
use tencentcloud_transport_std::{Client, ClientProfile, Credentials, Error, RetryPolicy, StaticProvider};

const ID: &str = "AKIDFAKE0123456789";
const KEY: &str = "FakeSecretKey-do-not-log";
const TOKEN: &str = "FakeSessionToken-do-not-log";

/// Answers each request with the next scripted JSON envelope and keeps the requests.
struct Fake {
    script: Mutex<VecDeque<serde_json::Value>>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Fake {
    fn new(responses: impl IntoIterator<Item = serde_json::Value>) -> Arc<Self> {
        Arc::new(Self { script: Mutex::new(responses.into_iter().collect()), seen: Mutex::default() })
    }

    fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl HttpSend for Fake {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        self.seen.lock().unwrap().push(request);
        let body = self.script.lock().unwrap().pop_front().expect("a scripted response");
        let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        Box::pin(async move { Ok(HttpResponse::from_bytes(200, headers, body.to_string())) })
    }
}

fn ok(response: serde_json::Value) -> serde_json::Value {
    let mut r = response;
    r["RequestId"] = json!("req-ok");
    json!({ "Response": r })
}

fn api_err(code: &str) -> serde_json::Value {
    json!({"Response": {"Error": {"Code": code, "Message": format!("{code} happened")}, "RequestId": "req-err"}})
}

fn fast_retry(n: u32) -> RetryPolicy {
    RetryPolicy::standard(n).base_delay(Duration::from_millis(1)).max_delay(Duration::from_millis(5))
}

fn header<'a>(r: &'a HttpRequest, name: &str) -> &'a str {
    r.header(name).unwrap_or_else(|| panic!("no {name} header"))
}

#[test]
fn logs_never_contain_secrets() {
    let capture = Capture::default();
    let subscriber = capture.subscriber();
    let sts_answer = json!({
        "Credentials": {"Token": "StsToken-do-not-log", "TmpSecretId": "AKIDtmp", "TmpSecretKey": "StsKey-do-not-log"},
        "ExpiredTime": 1_700_000_000,
    });
    let fake = Fake::new([api_err("RequestLimitExceeded"), ok(sts_answer)]);
    let creds = Credentials::new(ID, KEY).with_token(TOKEN);
    let c = Client::builder()
        .credential(StaticProvider::from_credentials(creds))
        .profile(ClientProfile::new().retry(fast_retry(2)))
        .http_send(fake.clone())
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let resp = tracing::subscriber::with_default(subscriber, || {
        rt.block_on(c.call_json(
            "sts",
            "2018-08-13",
            "AssumeRole",
            json!({"RoleArn": "qcs::cam::uin/1:roleName/r", "Policy": "{}", "SecretKey": "InParams-do-not-log"}),
        ))
    })
    .unwrap();
    assert_eq!(resp["Credentials"]["TmpSecretKey"], "StsKey-do-not-log");

    let logs = capture.text();
    let signatures: Vec<String> = fake
        .seen()
        .iter()
        .map(|r| header(r, "Authorization").rsplit("Signature=").next().unwrap().to_owned())
        .collect();
    for secret in [KEY, TOKEN, "StsToken-do-not-log", "StsKey-do-not-log", "InParams-do-not-log"]
        .into_iter()
        .chain(signatures.iter().map(String::as_str))
    {
        assert!(!logs.contains(secret), "{secret} leaked into the logs:\n{logs}");
    }
    // The dump and the span are there, redacted.
    for expected in [
        "tencentcloud.call",
        "service=sts",
        "action=AssumeRole",
        "Authorization: <redacted>",
        "X-TC-Token: <redacted>",
        "\"Token\":\"<redacted>\"",
        "retrying",
        "attempt=2",
    ] {
        assert!(logs.contains(expected), "{expected} missing from the logs:\n{logs}");
    }
    // The error Display and Debug hold no secret either.
    let e = Error::api("AuthFailure", "bad", "r");
    assert!(!format!("{e} {e:?} {c:?}").contains(KEY));
}
