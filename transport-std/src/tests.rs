//! End-to-end tests of the client logic over a fake [`HttpSend`]: no network.

mod engine_props;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::http::{HeaderMap, HeaderName, HeaderValue, HttpRequest, HttpResponse, HttpSend, ResponseBody, SendFuture};
use crate::skew::unix_secs;
use crate::*;

/// Answers that are never a success, however the JSON is read: duplicate envelope
/// members (a parser keeping the last one would see a success), an `Error` that is not
/// an object with a string `Code`, no `Response`.
pub(crate) const NEVER_SUCCESS: &[&str] = &[
    r#"{"Response":{"Error":{"Code":"X","Message":"m"},"RequestId":"r"},"Response":{"Done":true,"RequestId":"r2"}}"#,
    r#"{"Response":{"Done":true,"RequestId":"r2"},"Response":{"Error":{"Code":"X"},"RequestId":"r"}}"#,
    r#"{"Response":{"Error":null,"Error":{"Code":"X"},"RequestId":"r"}}"#,
    r#"{"Response":{"Error":{"Code":"X"},"Error":null,"RequestId":"r"}}"#,
    r#"{"Response":{"Done":true,"RequestId":"a","RequestId":"b"}}"#,
    r#"{"Response":{"Error":{"Code":"X","Code":"Y"},"RequestId":"r"}}"#,
    r#"{"Response":{"Error":{"Code":4000},"RequestId":"r"}}"#,
    r#"{"Response":{"Error":{"Code":null},"RequestId":"r"}}"#,
    r#"{"Response":{"Error":{"Message":"denied"},"RequestId":"r"}}"#,
    r#"{"Response":{"Error":"denied","RequestId":"r"}}"#,
    r#"{"Response":{"Error":[],"RequestId":"r"}}"#,
    r#"{"Response":{"Error":false,"RequestId":"r"}}"#,
    r#"{"Error":"denied"}"#,
    r#"{"Error":{"Code":"AuthFailure","Message":"no"}}"#,
];

/// What the fake does with the next request.
enum Step {
    Reply(u16, Vec<(String, String)>, Vec<u8>),
    Chunks(Vec<(String, String)>, Vec<&'static [u8]>),
    /// This status and headers, the body in these chunks.
    Parts(u16, Vec<(String, String)>, Vec<Vec<u8>>),
    /// 200 with these headers and a body of 1 MiB chunks that never ends, counting the
    /// chunks read.
    Endless(Vec<(String, String)>, Arc<AtomicUsize>),
    Connect,
    Reset,
    Hang,
}

fn ok(response: Value) -> Step {
    let mut r = response;
    r["RequestId"] = json!("req-ok");
    json_reply(200, json!({ "Response": r }), &[])
}

fn api_err(code: &str, date: Option<&str>) -> Step {
    let extra: Vec<(&str, &str)> = date.map(|d| ("Date", d)).into_iter().collect();
    json_reply(
        200,
        json!({"Response": {"Error": {"Code": code, "Message": format!("{code} happened")}, "RequestId": "req-err"}}),
        &extra,
    )
}

fn json_reply(status: u16, body: Value, extra: &[(&str, &str)]) -> Step {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Step::Reply(status, headers, body.to_string().into_bytes())
}

struct InFlight(Arc<AtomicUsize>);
impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Default)]
struct Fake {
    script: Mutex<VecDeque<Step>>,
    seen: Mutex<Vec<HttpRequest>>,
    in_flight: Arc<AtomicUsize>,
}

impl Fake {
    fn new(steps: impl IntoIterator<Item = Step>) -> Arc<Self> {
        Arc::new(Self { script: Mutex::new(steps.into_iter().collect()), ..Self::default() })
    }

    fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl HttpSend for Fake {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        self.seen.lock().unwrap().push(request);
        let step = self.script.lock().unwrap().pop_front().unwrap_or_else(|| ok(json!({})));
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(self.in_flight.clone());
        Box::pin(async move {
            let _guard = guard;
            let io = |kind, msg| std::io::Error::new(kind, msg);
            match step {
                Step::Reply(status, headers, body) => Ok(HttpResponse::from_bytes(status, header_map(&headers), body)),
                Step::Chunks(headers, chunks) => Ok(HttpResponse {
                    status: 200,
                    headers: header_map(&headers),
                    body: ResponseBody::from_stream(futures_util::stream::iter(
                        chunks.into_iter().map(|c| Ok(bytes::Bytes::from_static(c))),
                    )),
                }),
                Step::Parts(status, headers, parts) => Ok(HttpResponse {
                    status,
                    headers: header_map(&headers),
                    body: ResponseBody::from_stream(futures_util::stream::iter(
                        parts.into_iter().map(|c| Ok(bytes::Bytes::from(c))),
                    )),
                }),
                Step::Endless(headers, pulled) => Ok(HttpResponse {
                    status: 200,
                    headers: header_map(&headers),
                    body: ResponseBody::from_stream(futures_util::stream::repeat_with(move || {
                        pulled.fetch_add(1, Ordering::SeqCst);
                        Ok(bytes::Bytes::from(vec![b' '; 1 << 20]))
                    })),
                }),
                Step::Connect => Err(Error::connect(io(std::io::ErrorKind::ConnectionRefused, "connection refused"))),
                Step::Reset => Err(Error::network(io(std::io::ErrorKind::ConnectionReset, "connection reset"))),
                Step::Hang => std::future::pending().await,
            }
        })
    }
}

fn header_map(pairs: &[(String, String)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| (HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap()))
        .collect()
}

/// Counts how often the client asks for credentials.
struct Counting {
    calls: AtomicUsize,
    creds: Credentials,
}

impl CredentialProvider for Counting {
    fn credential(&self) -> CredentialFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let c = self.creds.clone();
        Box::pin(async move { Ok(c) })
    }
}

const ID: &str = "AKIDFAKE0123456789";
const KEY: &str = "FakeSecretKey-do-not-log";
const TOKEN: &str = "FakeSessionToken-do-not-log";

fn client(fake: &Arc<Fake>, profile: ClientProfile) -> Client {
    Client::builder()
        .credential(StaticProvider::new(ID, KEY))
        .region("ap-guangzhou")
        .profile(profile)
        .http_send(fake.clone())
        .build()
        .unwrap()
}

fn fast_retry(n: u32) -> RetryPolicy {
    RetryPolicy::standard(n).base_delay(Duration::from_millis(1)).max_delay(Duration::from_millis(5))
}

fn header<'a>(r: &'a HttpRequest, name: &str) -> &'a str {
    r.header(name).unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn common_call_signs_and_parses() {
    let fake = Fake::new([ok(json!({"TotalCount": 2}))]);
    let c = client(&fake, ClientProfile::new().language(Language::EnUs));
    let resp = c.call_json("cvm", "2017-03-12", "describeZones", json!({"Limit": 1})).await.unwrap();
    assert_eq!(resp, json!({"TotalCount": 2, "RequestId": "req-ok"}));

    let seen = fake.seen();
    let r = &seen[0];
    assert_eq!(r.method, http::Method::Post);
    assert_eq!(r.url.as_str(), "https://cvm.tencentcloudapi.com/");
    assert_eq!(header(r, "Host"), "cvm.tencentcloudapi.com");
    assert_eq!(header(r, "X-TC-Action"), "DescribeZones");
    assert_eq!(header(r, "X-TC-Region"), "ap-guangzhou");
    assert_eq!(header(r, "X-TC-Language"), "en-US");
    assert!(header(r, "X-TC-RequestClient").starts_with("SDK_RUST_"));
    assert!(header(r, "Authorization").starts_with(&format!("TC3-HMAC-SHA256 Credential={ID}/")));
    assert!(uuid::Uuid::parse_str(header(r, TRACE_ID_HEADER)).is_ok());
    assert_eq!(&r.body[..], br#"{"Limit":1}"#);
    let ts: i64 = header(r, "X-TC-Timestamp").parse().unwrap();
    assert!((ts - unix_secs(SystemTime::now())).abs() < 5);
}

#[tokio::test]
async fn typed_call_get_method_and_overrides() {
    #[derive(serde::Serialize)]
    struct Req {
        #[serde(rename = "Filters")]
        filters: Vec<Value>,
    }
    #[derive(serde::Deserialize, Debug)]
    struct Resp {
        #[serde(rename = "TotalCount")]
        total: u32,
    }
    let fake = Fake::new([ok(json!({"TotalCount": 7}))]);
    let c = client(&fake, ClientProfile::new().http_profile(HttpProfile::new().method(HttpMethod::Get)));
    let opts =
        CallOptions::new().region("ap-shanghai").endpoint("http://127.0.0.1:9999").header("X-TC-TraceId", "my-trace");
    let req = Req { filters: vec![json!({"Name": "zone", "Values": ["ap-shanghai-1"]})] };
    let resp: Resp = c.call_with("cvm", "2017-03-12", "DescribeInstances", &req, &opts).await.unwrap();
    assert_eq!(resp.total, 7);
    let r = &fake.seen()[0];
    assert_eq!(r.method, http::Method::Get);
    assert_eq!(r.url.as_str(), "http://127.0.0.1:9999/?Filters.0.Name=zone&Filters.0.Values.0=ap-shanghai-1");
    assert_eq!(header(r, "Host"), "127.0.0.1:9999");
    assert_eq!(header(r, "X-TC-Region"), "ap-shanghai");
    assert_eq!(header(r, "X-TC-TraceId"), "my-trace");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn api_gateway_signs_for_the_service_host() {
    let fake = Fake::new([]);
    let http = HttpProfile::new().api_gateway("https://gw.example.com/tc/");
    let c = client(&fake, ClientProfile::new().http_profile(http));
    c.call_json("cvm", "2017-03-12", "DescribeRegions", json!({})).await.unwrap();
    let r = &fake.seen()[0];
    assert_eq!(r.url.as_str(), "https://gw.example.com/tc/");
    assert_eq!(header(r, "Host"), "cvm.tencentcloudapi.com");

    let fake = Fake::new([]);
    let http = HttpProfile::new().scheme(Scheme::Http).root_domain("internal.tencentcloudapi.com");
    let c = client(&fake, ClientProfile::new().http_profile(http));
    c.call_json("cvm", "2017-03-12", "DescribeRegions", json!(null)).await.unwrap();
    assert_eq!(fake.seen()[0].url.as_str(), "http://cvm.internal.tencentcloudapi.com/");
}

#[tokio::test]
async fn api_errors_surface_with_request_id() {
    let fake = Fake::new([api_err("ResourceNotFound", None)]);
    let c = client(&fake, ClientProfile::new().retry(fast_retry(3)));
    let e = c.call_json("cvm", "2017-03-12", "DescribeInstances", json!({})).await.unwrap_err();
    assert_eq!(e.to_string(), "ResourceNotFound: ResourceNotFound happened (RequestId: req-err)");
    assert_eq!(e.request_id(), Some("req-err"));
    assert_eq!(fake.seen().len(), 1, "not retried");

    let fake = Fake::new([Step::Reply(502, vec![("X-TC-RequestId".into(), "gw-1".into())], b"<html>".to_vec())]);
    let e = client(&fake, ClientProfile::new()).call_json("cvm", "2017-03-12", "RunInstances", json!({})).await;
    let e = e.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::HttpStatus { status: 502 });
    assert_eq!(e.request_id(), Some("gw-1"));

    let fake = Fake::new([Step::Reply(200, vec![], b"not json".to_vec())]);
    let e = client(&fake, ClientProfile::new()).call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await;
    assert_eq!(e.unwrap_err().kind(), &ErrorKind::Decode);
}

#[tokio::test]
async fn rate_limits_are_retried_with_fresh_signatures() {
    let fake =
        Fake::new([api_err("RequestLimitExceeded", None), api_err("RequestLimitExceeded.UinLimitExceeded", None)]);
    let provider = Arc::new(Counting { calls: AtomicUsize::new(0), creds: Credentials::new(ID, KEY) });
    let c = Client::builder()
        .credential_provider(provider.clone())
        .profile(ClientProfile::new().retry(fast_retry(3)))
        .http_send(fake.clone())
        .build()
        .unwrap();
    // A write: rate limits are still retried (the request was refused, not executed).
    let resp = c.call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.unwrap();
    assert_eq!(resp["RequestId"], "req-ok");
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(provider.calls.load(Ordering::SeqCst), 3, "credentials fetched and signed per attempt");
    assert!(seen.iter().all(|r| r.header("X-TC-Region").is_none()));
    // One trace id for the whole call.
    assert!(seen.iter().all(|r| header(r, TRACE_ID_HEADER) == header(&seen[0], TRACE_ID_HEADER)));

    // Retries exhausted: the last error surfaces.
    let fake = Fake::new((0..3).map(|_| api_err("RequestLimitExceeded", None)));
    let e = client(&fake, ClientProfile::new().retry(fast_retry(2)))
        .call_json("cvm", "2017-03-12", "DescribeZones", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some("RequestLimitExceeded"));
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn writes_are_not_silently_duplicated() {
    let retry = ClientProfile::new().retry(fast_retry(3));
    // A reset after sending: a write is not retried...
    let fake = Fake::new([Step::Reset, Step::Reset]);
    let e = client(&fake, retry.clone()).call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network);
    assert!(e.to_string().contains("connection reset"), "{e}");
    assert_eq!(fake.seen().len(), 1);
    // ... nor a 5xx ...
    let fake = Fake::new([Step::Reply(503, vec![], vec![])]);
    let e = client(&fake, retry.clone()).call_json("cvm", "2017-03-12", "TerminateInstances", json!({})).await;
    assert_eq!(e.unwrap_err().kind(), &ErrorKind::HttpStatus { status: 503 });
    assert_eq!(fake.seen().len(), 1);
    // ... unless it carries a ClientToken, or is declared idempotent.
    let fake = Fake::new([Step::Reset, Step::Reply(503, vec![], vec![])]);
    let c = client(&fake, retry.clone());
    c.call_json("cvm", "2017-03-12", "RunInstances", json!({"ClientToken": "t-1"})).await.unwrap();
    assert_eq!(fake.seen().len(), 3);
    let fake = Fake::new([Step::Reset]);
    let opts = CallOptions::new().idempotent(true);
    client(&fake, retry.clone()).call_json_with("cvm", "2017-03-12", "RunInstances", json!({}), &opts).await.unwrap();
    assert_eq!(fake.seen().len(), 2);
    // A connect failure never reached the server: retried even for a write.
    let fake = Fake::new([Step::Connect, Step::Connect]);
    client(&fake, retry.clone()).call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.unwrap();
    assert_eq!(fake.seen().len(), 3);
    // Reads are retried after any network failure.
    let fake = Fake::new([Step::Reset, Step::Reply(500, vec![], vec![])]);
    client(&fake, retry).call_json("cvm", "2017-03-12", "DescribeInstances", json!({})).await.unwrap();
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn timeouts_fire_and_cancel() {
    let fake = Fake::new([Step::Hang, Step::Hang]);
    let c = client(&fake, ClientProfile::new().retry(fast_retry(2)));
    let opts = CallOptions::new().timeout(Duration::from_millis(30));
    let started = std::time::Instant::now();
    let e = c.call_json_with("cvm", "2017-03-12", "DescribeZones", json!({}), &opts).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout);
    assert!(e.is_retryable());
    assert_eq!(fake.seen().len(), 2);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(fake.in_flight.load(Ordering::SeqCst), 0, "timed-out sends are dropped");

    // Dropping the call's future cancels the send (nothing keeps running).
    let fake = Fake::new([Step::Hang]);
    let c = client(&fake, ClientProfile::new());
    let call = c.call_json("cvm", "2017-03-12", "RunInstances", json!({}));
    let r = tokio::time::timeout(Duration::from_millis(20), call).await;
    assert!(r.is_err());
    assert_eq!(fake.seen().len(), 1);
    assert_eq!(fake.in_flight.load(Ordering::SeqCst), 0);
}

fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{}, {d:02} {} {y} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[tokio::test]
async fn clock_skew_is_corrected_once_and_kept() {
    let now = unix_secs(SystemTime::now());
    let server_date = http_date(now + 3600);
    assert_eq!(tencentcloud_core::time::parse_http_date(server_date.as_bytes()), Ok((now + 3600) as u64));
    let fake = Fake::new([api_err("AuthFailure.SignatureExpire", Some(&server_date))]);
    let c = client(&fake, ClientProfile::new()); // no retry policy needed
    c.call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let ts: i64 = header(&seen[1], "X-TC-Timestamp").parse().unwrap();
    assert!((ts - (now + 3600)).abs() <= 3, "{ts} vs {}", now + 3600);
    assert!((c.clock_offset() - 3600).abs() <= 3);

    // Later calls (and clones) sign with the offset straight away.
    c.clone().call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    let ts: i64 = header(&seen[2], "X-TC-Timestamp").parse().unwrap();
    assert!((ts - (now + 3600)).abs() <= 3);

    // Corrected once per call: a second SignatureExpire surfaces.
    let fake = Fake::new([
        api_err("AuthFailure.SignatureExpire", Some(&server_date)),
        api_err("AuthFailure.SignatureExpire", Some(&server_date)),
    ]);
    let c = client(&fake, ClientProfile::new().retry(fast_retry(3)));
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.api_code(), Some("AuthFailure.SignatureExpire"));
    assert_eq!(fake.seen().len(), 2);

    // Without a Date header there is nothing to correct with.
    let fake = Fake::new([api_err("AuthFailure.SignatureExpire", None)]);
    let c = client(&fake, ClientProfile::new());
    assert!(c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.is_err());
    assert_eq!(c.clock_offset(), 0);
}

#[tokio::test]
async fn region_breaker_end_to_end() {
    let cfg = BreakerConfig::default()
        .backup_endpoint("http://backup.local:9000")
        .open_duration(Duration::from_millis(100))
        .half_open_successes(2);
    let fake = Fake::new(
        [Step::Reset, Step::Connect, Step::Reply(503, vec![], vec![]), api_err("InternalError", None), Step::Reset]
            .into_iter()
            .chain([Step::Reset]),
    );
    let c = client(&fake, ClientProfile::new().region_breaker(cfg));
    assert_eq!(c.breaker_state(), Some(BreakerState::Closed));
    // An answered API error is not a failure of the region.
    let fake_ok = Fake::new([api_err("ResourceNotFound", None)]);
    let c2 = client(&fake_ok, ClientProfile::new().region_breaker(BreakerConfig::default().thresholds(1, 0.1)));
    assert!(c2.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.is_err());
    assert_eq!(c2.breaker_state(), Some(BreakerState::Closed));

    for i in 0..5 {
        let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
        assert!(e.is_retryable() || e.api_code() == Some("InternalError"), "{i}: {e}");
    }
    assert_eq!(c.breaker_state(), Some(BreakerState::Open));
    // Open: to the backup, and its network error still surfaces.
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network);
    let seen = fake.seen();
    assert!(seen[..5].iter().all(|r| r.url.as_str() == "https://cvm.tencentcloudapi.com/"));
    assert_eq!(seen[5].url.as_str(), "http://backup.local:9000/");
    assert_eq!(header(&seen[5], "Host"), "backup.local:9000");
    assert_eq!(c.breaker_state(), Some(BreakerState::Open));

    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(c.breaker_state(), Some(BreakerState::HalfOpen));
    for _ in 0..2 {
        c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    }
    assert_eq!(c.breaker_state(), Some(BreakerState::Closed));
    let seen = fake.seen();
    assert!(seen[6..].iter().all(|r| r.url.as_str() == "https://cvm.tencentcloudapi.com/"));

    // The root-domain form of the backup endpoint.
    let fake = Fake::new((0..5).map(|_| Step::Reset));
    let c = client(&fake, ClientProfile::new().region_breaker(BreakerConfig::default()));
    for _ in 0..5 {
        let _ = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await;
    }
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    assert_eq!(fake.seen()[5].url.as_str(), "https://cvm.ap-guangzhou.tencentcloudapi.com/");
}

#[tokio::test]
async fn credential_errors_send_nothing() {
    let fake = Fake::new([]);
    let c = Client::builder()
        .credential(EnvProvider::with_env(Env::from_slice(&[])))
        .http_send(fake.clone())
        .build()
        .unwrap();
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert!(e.is_not_configured(), "{e}");
    assert!(fake.seen().is_empty());

    let c = Client::builder().credential(StaticProvider::new(ID, " padded ")).http_send(fake.clone()).build().unwrap();
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Credential(CredentialErrorKind::Invalid));
    assert!(fake.seen().is_empty());

    // Skip-sign calls need no credential.
    let opts = CallOptions::new().skip_sign(true);
    let c = Client::builder()
        .credential(EnvProvider::with_env(Env::from_slice(&[])))
        .http_send(fake.clone())
        .build()
        .unwrap();
    c.call_json_with("sts", "2018-08-13", "AssumeRoleWithWebIdentity", json!({}), &opts).await.unwrap();
    assert_eq!(header(&fake.seen()[0], "Authorization"), "SKIP");
}

#[tokio::test]
async fn configuration_errors() {
    let bad = |p: ClientProfile| Client::builder().profile(p).build().unwrap_err();
    assert_eq!(
        bad(ClientProfile::new().http_profile(HttpProfile::new().endpoint("ftp://x"))).kind(),
        &ErrorKind::Configuration
    );
    assert_eq!(
        bad(ClientProfile::new().http_profile(HttpProfile::new().ca_file("/nonexistent/ca.pem"))).kind(),
        &ErrorKind::Configuration
    );
    assert_eq!(
        bad(ClientProfile::new().http_profile(HttpProfile::new().ca_pem(b"not a pem".to_vec()))).kind(),
        &ErrorKind::Configuration
    );
    let fake = Fake::new([]);
    let c = client(&fake, ClientProfile::new());
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!([1])).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
    let opts = CallOptions::new().header("Content-Type", "text/plain");
    let e = c.call_json_with("cvm", "2017-03-12", "DescribeZones", json!({}), &opts).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn octet_stream_calls() {
    let fake = Fake::new([
        ok(json!({"Length": 3})),
        Step::Reply(
            200,
            vec![("Content-Type".into(), "application/octet-stream".into()), ("X-TC-RequestId".into(), "bin-1".into())],
            vec![9, 8, 7],
        ),
    ]);
    let c = client(&fake, ClientProfile::new().unsigned_payload(true));
    let out = c
        .call_octet_stream(
            "cos",
            "2020-01-01",
            "UploadFile",
            &[("X-TC-Name", "a.bin")],
            vec![1u8, 2, 3],
            &CallOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(out, OctetOutput::Json(json!({"Length": 3, "RequestId": "req-ok"})));
    let r = &fake.seen()[0];
    assert_eq!(header(r, "Content-Type"), "application/octet-stream");
    assert_eq!(header(r, "X-TC-Name"), "a.bin");
    assert_eq!(header(r, "X-TC-Content-SHA256"), "UNSIGNED-PAYLOAD");
    assert_eq!(&r.body[..], [1, 2, 3]);

    let out =
        c.call_octet_stream("cos", "2020-01-01", "GetObjectBytes", &[], vec![], &CallOptions::new()).await.unwrap();
    assert_eq!(
        out,
        OctetOutput::Binary {
            content_type: Some("application/octet-stream".into()),
            data: bytes::Bytes::from_static(&[9, 8, 7]),
            request_id: Some("bin-1".into())
        }
    );
}

#[tokio::test]
async fn multipart_calls() {
    let fake = Fake::new([ok(json!({"Uploaded": true}))]);
    let c = client(&fake, ClientProfile::new());
    let mut form = Multipart::new("tc-boundary-xyz");
    form.text("Name", "demo").file("File", "a.bin", "application/octet-stream", &[0, 255]);
    let resp = c.call_multipart("ocr", "2018-11-19", "Upload", form, &CallOptions::new()).await.unwrap();
    assert_eq!(resp["Uploaded"], true);
    let r = &fake.seen()[0];
    assert_eq!(header(r, "Content-Type"), "multipart/form-data; boundary=tc-boundary-xyz");
    assert!(r.body.windows(2).any(|w| w == [0, 255]));
}

#[tokio::test]
async fn sse_calls() {
    let sse_headers = vec![
        ("Content-Type".to_owned(), "text/event-stream".to_owned()),
        ("X-TC-RequestId".to_owned(), "sse-1".to_owned()),
    ];
    let fake = Fake::new([
        Step::Chunks(
            sse_headers,
            vec![b"data: {\"Choices\":[{\"Delta\":{\"Content\":\"he", b"l\"}}]}\n\ndata: [DONE]\n\n"],
        ),
        api_err("LimitExceeded", None),
        ok(json!({"Choices": []})),
    ]);
    let c = client(&fake, ClientProfile::new());
    let opts = CallOptions::new();
    let stream = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", json!({"Stream": true}), &opts).await.unwrap();
    assert_eq!(stream.request_id(), Some("sse-1"));
    let events: Vec<SseEvent> = stream.map(Result::unwrap).collect().await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].json::<Value>().unwrap()["Choices"][0]["Delta"]["Content"], "hel");
    assert_eq!(events[1].data, "[DONE]");

    // An error envelope instead of a stream.
    let e = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", json!({}), &CallOptions::new()).await.unwrap_err();
    assert_eq!(e.api_code(), Some("LimitExceeded"));
    // A non-streamed answer: one event.
    let s = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", json!({}), &CallOptions::new()).await.unwrap();
    let events: Vec<_> = s.collect().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].as_ref().unwrap().json::<Value>().unwrap()["RequestId"], "req-ok");
}

#[tokio::test]
async fn legacy_signature() {
    let fake = Fake::new([ok(json!({})), ok(json!({}))]);
    let creds = Credentials::new(ID, KEY).with_token(TOKEN);
    let c = Client::builder()
        .credential(StaticProvider::from_credentials(creds))
        .region("ap-guangzhou")
        .profile(ClientProfile::new().sign_method(SignMethod::HmacSha256).request_client(None))
        .http_send(fake.clone())
        .build()
        .unwrap();
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({"Limit": 1, "Filters": [{"Name": "a b"}]})).await.unwrap();
    let r = &fake.seen()[0];
    assert_eq!(header(r, "Content-Type"), "application/x-www-form-urlencoded");
    assert_eq!(header(r, "Host"), "cvm.tencentcloudapi.com");
    assert!(r.header("Authorization").is_none());
    let form = std::str::from_utf8(&r.body).unwrap();
    let pairs: Vec<(String, String)> = form
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let dec = |s: &str| {
                let s = s.replace('+', " ");
                let mut out = Vec::new();
                let b = s.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'%' {
                        out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                        i += 3;
                    } else {
                        out.push(b[i]);
                        i += 1;
                    }
                }
                String::from_utf8(out).unwrap()
            };
            (dec(k), dec(v))
        })
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("Action"), Some("DescribeZones"));
    assert_eq!(get("SecretId"), Some(ID));
    assert_eq!(get("Token"), Some(TOKEN));
    assert_eq!(get("Region"), Some("ap-guangzhou"));
    assert_eq!(get("SignatureMethod"), Some("HmacSHA256"));
    assert_eq!(get("Filters.0.Name"), Some("a b"));
    assert_eq!(pairs.last().unwrap().0, "Signature");
    let signed: Vec<(&str, &str)> = pairs[..pairs.len() - 1].iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let want = tencentcloud_core::legacy_v1::signature(
        KEY,
        "POST",
        "cvm.tencentcloudapi.com",
        "/",
        &signed,
        tencentcloud_core::legacy_v1::SignMethod::HmacSha256,
    )
    .expect("the form the client sent is signable");
    assert_eq!(get("Signature"), Some(want.as_str()));

    // GET puts the form in the URL.
    let fake = Fake::new([]);
    let profile =
        ClientProfile::new().sign_method(SignMethod::HmacSha1).http_profile(HttpProfile::new().method(HttpMethod::Get));
    client(&fake, profile).call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    let r = &fake.seen()[0];
    assert!(r.url.as_str().starts_with("https://cvm.tencentcloudapi.com/?Action=DescribeZones&"), "{}", r.url.as_str());
    assert!(r.url.as_str().contains("SignatureMethod=HmacSHA1") && r.url.as_str().contains("&Signature="));
}

/// Credentials at hand (`credential_now`) are used as they are: the boxed
/// `credential()` is never awaited, and the call is signed with them.
#[tokio::test]
async fn credentials_at_hand_skip_the_future() {
    struct AtHand(Arc<Credentials>, AtomicUsize);
    impl CredentialProvider for AtHand {
        fn credential(&self) -> CredentialFuture<'_> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Err(Error::configuration("not this way")) })
        }
        fn credential_now(&self) -> Option<Arc<Credentials>> {
            Some(self.0.clone())
        }
    }
    let provider = Arc::new(AtHand(Arc::new(Credentials::new(ID, KEY)), AtomicUsize::new(0)));
    let fake = Fake::new([ok(json!({})), ok(json!({}))]);
    let c = Client::builder().credential_provider(provider.clone()).http_send(fake.clone()).build().unwrap();
    for _ in 0..2 {
        c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    }
    assert_eq!(provider.1.load(Ordering::SeqCst), 0);
    assert!(fake.seen().iter().all(|r| header(r, "Authorization").contains(&format!("Credential={ID}/"))));
}

#[tokio::test]
async fn typed_calls_send_the_written_body_and_keep_the_retry_rules() {
    use tencentcloud_cvm::v20170312::{DescribeInstancesRequest, RunInstancesRequest};
    let retry = ClientProfile::new().retry(fast_retry(3));
    // The JSON the models write is the body, as written.
    let mut describe = DescribeInstancesRequest::default();
    describe.limit = Some(2);
    describe.instance_ids = Some(vec!["ins-1".into(), "ins-\"2\"".into()]);
    let fake = Fake::new([ok(json!({"TotalCount": 0}))]);
    client(&fake, retry.clone()).send(&describe).await.unwrap();
    let seen = fake.seen();
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body, json!({"InstanceIds": ["ins-1", "ins-\"2\""], "Limit": 2}));
    assert_eq!(header(&seen[0], "X-TC-Action"), "DescribeInstances");
    // A typed write is not repeated after a reset...
    let fake = Fake::new([Step::Reset]);
    let e = client(&fake, retry.clone()).send(&RunInstancesRequest::default()).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network);
    assert_eq!(fake.seen().len(), 1);
    // ... nor with an empty ClientToken, unless it carries one.
    let mut run = RunInstancesRequest::default();
    run.client_token = Some(String::new());
    let fake = Fake::new([Step::Reset]);
    assert!(client(&fake, retry.clone()).send(&run).await.is_err());
    assert_eq!(fake.seen().len(), 1);
    run.client_token = Some("t-1".into());
    let fake = Fake::new([Step::Reset, ok(json!({"InstanceIdSet": ["ins-9"]}))]);
    let out = client(&fake, retry.clone()).send(&run).await.unwrap();
    assert_eq!(out.instance_id_set, Some(vec!["ins-9".to_owned()]));
    assert_eq!(fake.seen().len(), 2);
    // GET puts the same parameters in the query; the legacy signature in the form.
    let get = retry.clone().http_profile(HttpProfile::new().method(HttpMethod::Get));
    let fake = Fake::new([ok(json!({}))]);
    client(&fake, get).send(&describe).await.unwrap();
    let query = fake.seen()[0].url.query().unwrap_or_default().to_owned();
    assert!(query.contains("Limit=2") && query.contains("InstanceIds.1=ins-%222%22"), "{query}");
    let legacy = retry.sign_method(SignMethod::HmacSha256);
    let fake = Fake::new([ok(json!({}))]);
    client(&fake, legacy).send(&describe).await.unwrap();
    let form = String::from_utf8(fake.seen()[0].body.to_vec()).unwrap();
    assert!(form.contains("Action=DescribeInstances") && form.contains("Limit=2"), "{form}");
}

fn json_body(body: &str) -> Step {
    Step::Reply(200, vec![("Content-Type".into(), "application/json".into())], body.as_bytes().to_vec())
}

/// Issue 5/6: every kind of call reads the envelope as core does, so an answer with an
/// `Error` member (or a second `Response`) is never a success.
#[tokio::test]
async fn error_envelopes_are_never_a_success() {
    use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    for body in NEVER_SUCCESS {
        let fake = Fake::new((0..5).map(|_| json_body(body)));
        let c = client(&fake, ClientProfile::new());
        let r = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await;
        assert!(r.is_err(), "call_json {body}: {r:?}");
        let r: Result<Value, _> = c.call("cvm", "2017-03-12", "DescribeZones", &json!({})).await;
        assert!(r.is_err(), "call {body}: {r:?}");
        let r = c.send(&DescribeInstancesRequest::default()).await;
        assert!(r.is_err(), "send {body}: {r:?}");
        let r = c.call_octet_stream("cos", "2020-01-01", "Get", &[], vec![], &CallOptions::new()).await;
        assert!(r.is_err(), "octet {body}: {r:?}");
        let r = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", json!({}), &CallOptions::new()).await;
        assert!(r.is_err(), "sse {body}: {r:?}");
        assert_eq!(fake.seen().len(), 5);
    }
    // A surrogate pair in the message decodes on every path.
    let body = r#"{"Response":{"Error":{"Code":"X","Message":"\ud83d\ude00"},"RequestId":"r"}}"#;
    let fake = Fake::new([json_body(body), json_body(body)]);
    let c = client(&fake, ClientProfile::new());
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.to_string(), "X: \u{1f600} (RequestId: r)");
    let e = c.send(&DescribeInstancesRequest::default()).await.unwrap_err();
    assert_eq!(e.to_string(), "X: \u{1f600} (RequestId: r)");
}

/// The blocking facade goes through the same engine and handlers.
#[cfg(feature = "blocking")]
#[test]
fn blocking_error_envelopes_are_never_a_success() {
    use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    for body in NEVER_SUCCESS {
        let fake = Fake::new([json_body(body), json_body(body)]);
        let c = crate::blocking::Client::new(client(&fake, ClientProfile::new())).unwrap();
        let r = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({}));
        assert!(r.is_err(), "blocking call_json {body}: {r:?}");
        let r = c.send(&DescribeInstancesRequest::default());
        assert!(r.is_err(), "blocking send {body}: {r:?}");
    }
}

/// Issue 8: an answer larger than the limit is refused with an error naming it, as soon
/// as the stream passes it (or up front, from `Content-Length`), never read whole.
#[tokio::test]
async fn oversize_answers_are_refused_while_streaming() {
    let limit = 4 << 20;
    let profile = ClientProfile::new().http_profile(HttpProfile::new().max_response_size(limit));
    let json = || vec![("Content-Type".to_owned(), "application/json".to_owned())];
    let binary = || vec![("Content-Type".to_owned(), "application/octet-stream".to_owned())];
    let announced = |mut h: Vec<(String, String)>| {
        h.push(("Content-Length".to_owned(), (limit + 1).to_string()));
        h
    };
    for (headers, read_at_most) in [(json(), 5), (binary(), 5), (announced(json()), 0), (announced(binary()), 0)] {
        let pulled = Arc::new(AtomicUsize::new(0));
        let fake = Fake::new((0..4).map(|_| Step::Endless(headers.clone(), pulled.clone())));
        let c = client(&fake, profile.clone());
        let errors = [
            c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err(),
            c.send(&tencentcloud_cvm::v20170312::DescribeInstancesRequest::default()).await.unwrap_err(),
            c.call_octet_stream("cos", "2020-01-01", "Get", &[], vec![], &CallOptions::new()).await.unwrap_err(),
            c.call::<_, Value>("cvm", "2017-03-12", "DescribeZones", &json!({})).await.unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.kind(), &ErrorKind::Decode, "{e}");
            assert!(e.to_string().contains("larger than the limit of 4194304 bytes"), "{e}");
        }
        let pulled = pulled.load(Ordering::SeqCst);
        assert!(pulled <= 4 * read_at_most, "{headers:?}: {pulled} MiB read");
    }
    // The default is 32 MiB; an answer within the limit is read.
    assert_eq!(crate::http::DEFAULT_MAX_RESPONSE_SIZE, 32 << 20);
    let fake = Fake::new([ok(json!({"Big": "x".repeat(3 << 20)}))]);
    let r = client(&fake, profile).call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    assert_eq!(r["Big"].as_str().map(str::len), Some(3 << 20));
}

fn timestamp(r: &HttpRequest) -> i64 {
    header(r, "X-TC-Timestamp").parse().unwrap()
}

fn system_now() -> i64 {
    unix_secs(SystemTime::now())
}

/// Issue 1: a `Date` core's policy refuses (absurd, or more than a day from the system
/// clock) never becomes the offset: the call returns the SignatureExpire error and the
/// next call is signed with the system time.
#[tokio::test]
async fn hostile_dates_never_move_the_clock() {
    let now = system_now();
    let dates = [
        "Fri, 31 Dec 9999 23:59:59 GMT".to_owned(),
        http_date(now + 30 * 86_400),
        "Thu, 01 Jan 1970 00:00:00 GMT".to_owned(),
        http_date(now - 30 * 86_400),
        http_date(now + 86_400 + 120),
        "Sun, 31 Dec 2100 23:59:59 GMT".to_owned(),
        "garbage".to_owned(),
    ];
    for date in dates {
        let fake = Fake::new([api_err("AuthFailure.SignatureExpire", Some(&date)), ok(json!({}))]);
        let c = client(&fake, ClientProfile::new().retry(fast_retry(3)));
        let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
        assert_eq!(e.api_code(), Some("AuthFailure.SignatureExpire"), "{date}");
        assert_eq!(fake.seen().len(), 1, "{date}: not re-signed");
        assert_eq!(c.clock_offset(), 0, "{date}");
        c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
        let ts = timestamp(&fake.seen()[1]);
        assert!((ts - system_now()).abs() <= 5, "{date}: signed at {ts}");
    }
}

/// Issue 1: an hour off is adopted; a later right `Date` moves the offset back; and a
/// series of answers cannot walk the clock further than a day from the system clock
/// (each `Date` is measured against the system clock, not the corrected time).
#[tokio::test]
async fn the_offset_follows_the_system_clock() {
    let now = system_now();
    let fake = Fake::new([
        api_err("AuthFailure.SignatureExpire", Some(&http_date(now + 3600))),
        ok(json!({})),
        api_err("AuthFailure.SignatureExpire", Some(&http_date(now))),
        ok(json!({})),
    ]);
    let c = client(&fake, ClientProfile::new());
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    assert!((c.clock_offset() - 3600).abs() <= 3, "{}", c.clock_offset());
    assert!((timestamp(&fake.seen()[1]) - (now + 3600)).abs() <= 3);
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    let seen = fake.seen();
    assert!((timestamp(&seen[2]) - (now + 3600)).abs() <= 3, "still the learned offset");
    assert!(c.clock_offset().abs() <= 3, "moved back: {}", c.clock_offset());
    assert!((timestamp(&seen[3]) - system_now()).abs() <= 5, "re-signed with the system time");

    // 23 h ahead is adopted; 46 h is within a day of the corrected time, not of the
    // system clock: refused.
    let fake = Fake::new([
        api_err("AuthFailure.SignatureExpire", Some(&http_date(now + 23 * 3600))),
        ok(json!({})),
        api_err("AuthFailure.SignatureExpire", Some(&http_date(now + 46 * 3600))),
    ]);
    let c = client(&fake, ClientProfile::new());
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    assert!((c.clock_offset() - 23 * 3600).abs() <= 3);
    let e = c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.api_code(), Some("AuthFailure.SignatureExpire"));
    assert!((c.clock_offset() - 23 * 3600).abs() <= 3, "{}", c.clock_offset());
    assert!(c.clock_offset().unsigned_abs() <= tencentcloud_core::policy::MAX_CLOCK_STEP);
}

/// Issue 9: probe futures dropped while the breaker is half-open give their slots back,
/// so the region is probed again and, once it answers, used again.
#[tokio::test]
async fn dropped_probes_do_not_wedge_the_breaker() {
    let cfg =
        BreakerConfig::default().backup_endpoint("http://backup.local:9000").open_duration(Duration::from_millis(100));
    let fake = Fake::new((0..5).map(|_| Step::Reset).chain((0..5).map(|_| Step::Hang)));
    let c = client(&fake, ClientProfile::new().region_breaker(cfg));
    for _ in 0..5 {
        assert!(c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.is_err());
    }
    assert_eq!(c.breaker_state(), Some(BreakerState::Open));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(c.breaker_state(), Some(BreakerState::HalfOpen));
    // Five probes in flight at once, then dropped (their caller gave up).
    let probes = (0..5).map(|_| {
        tokio::time::timeout(Duration::from_millis(50), c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})))
    });
    for r in futures_util::future::join_all(probes).await {
        assert!(r.is_err(), "the probe hangs until dropped");
    }
    assert_eq!(fake.in_flight.load(Ordering::SeqCst), 0);
    assert!(fake.seen()[5..10].iter().all(|r| r.url.as_str() == "https://cvm.tencentcloudapi.com/"));
    // The region answers again: the next calls probe it and close the breaker.
    for _ in 0..6 {
        c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    }
    assert_eq!(c.breaker_state(), Some(BreakerState::Closed));
    let seen = fake.seen();
    assert!(seen[10..].iter().all(|r| r.url.as_str() == "https://cvm.tencentcloudapi.com/"), "the primary again");
}

/// Never answers.
struct Never;

impl CredentialProvider for Never {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(std::future::pending())
    }
}

/// Issue 10: one deadline bounds the whole call: a credential provider that never
/// answers, attempts and backoff.
#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_the_whole_call() {
    let fake = Fake::new([]);
    let build = |profile: ClientProfile| {
        Client::builder().credential(Never).profile(profile).http_send(fake.clone()).build().unwrap()
    };
    let cases = [
        (build(ClientProfile::new()), CallOptions::new(), DEFAULT_DEADLINE),
        (build(ClientProfile::new().deadline(Duration::from_secs(30))), CallOptions::new(), Duration::from_secs(30)),
        (build(ClientProfile::new()), CallOptions::new().deadline(Duration::from_secs(2)), Duration::from_secs(2)),
    ];
    assert_eq!(DEFAULT_DEADLINE, Duration::from_secs(300));
    for (c, opts, want) in cases {
        let started = tokio::time::Instant::now();
        let e = c.call_json_with("cvm", "2017-03-12", "DescribeZones", json!({}), &opts).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Timeout);
        assert_eq!(e.to_string(), format!("request timed out after {want:?}: the call's deadline passed"));
        assert_eq!(started.elapsed(), want);
    }
    assert!(fake.seen().is_empty());

    // Attempts and the pauses between them count too.
    let fake = Fake::new((0..20).map(|_| Step::Hang));
    let retry = RetryPolicy::standard(20).base_delay(Duration::from_secs(1)).jitter(false);
    let profile = ClientProfile::new()
        .retry(retry)
        .deadline(Duration::from_secs(25))
        .http_profile(HttpProfile::new().timeout(Duration::from_secs(10)));
    let started = tokio::time::Instant::now();
    let e = client(&fake, profile).call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("deadline"), "{e}");
    assert_eq!(started.elapsed(), Duration::from_secs(25));
    assert_eq!(fake.seen().len(), 3); // 10 s, 1 s, 10 s, 2 s, then cut 2 s into the third
    assert_eq!(fake.in_flight.load(Ordering::SeqCst), 0);

    let e = Client::builder().profile(ClientProfile::new().deadline(Duration::ZERO)).build().unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
}

/// Mints numbered temporary credentials (`AKIDTMP<n>`) that expire `life` after the
/// server's time: `clock` plus `server_ahead`.
struct Minting {
    clock: Clock,
    server_ahead: Duration,
    life: Duration,
    calls: AtomicUsize,
}

impl Minting {
    fn new(clock: &Clock, server_ahead: Duration, life: Duration) -> Arc<Self> {
        Arc::new(Self { clock: clock.clone(), server_ahead, life, calls: AtomicUsize::new(0) })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl CredentialProvider for Minting {
    fn credential(&self) -> CredentialFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let expiry = self.clock.now() + self.server_ahead + self.life;
        Box::pin(async move { Ok(Credentials::new(format!("AKIDTMP{n}"), KEY).with_token(TOKEN).with_expiry(expiry)) })
    }
}

fn signed_by(r: &HttpRequest) -> String {
    let auth = header(r, "Authorization");
    auth.split("Credential=").nth(1).and_then(|c| c.split('/').next()).unwrap_or_default().to_owned()
}

fn cached_client(fake: &Arc<Fake>, cache: CachedProvider, profile: ClientProfile) -> Client {
    Client::builder().credential(cache).profile(profile).http_send(fake.clone()).build().unwrap()
}

fn sts_answer(expired_time: i64) -> Step {
    ok(json!({
        "Credentials": {"Token": TOKEN, "TmpSecretId": "AKIDSTS1", "TmpSecretKey": KEY},
        "ExpiredTime": expired_time,
        "Expiration": "2030-01-01T00:00:00Z"
    }))
}

/// Issue 3: with the local clock 3 h fast, a fresh 2 h STS credential (its `ExpiredTime`
/// an hour in the local clock's past) is used, not refused: its expiry is judged on the
/// clock corrected by the offset the STS call learned.
#[tokio::test]
async fn a_clock_hours_fast_keeps_a_fresh_sts_credential() {
    let server = system_now() - 3 * 3600;
    let fake = Fake::new([
        api_err("AuthFailure.SignatureExpire", Some(&http_date(server))), // AssumeRole
        sts_answer(server + 7200),
        api_err("AuthFailure.SignatureExpire", Some(&http_date(server))), // the call
        ok(json!({})),
        ok(json!({})),
    ]);
    let role = AssumeRoleProvider::builder(StaticProvider::new(ID, KEY), "qcs::cam::uin/1:roleName/r", "s1")
        .http_send(fake.clone())
        .build()
        .unwrap();
    let c = Client::builder().credential(role.clone()).http_send(fake.clone()).build().unwrap();
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 5);
    assert!(seen[..2].iter().all(|r| header(r, "Host") == "sts.tencentcloudapi.com"));
    assert!(seen[2..].iter().all(|r| signed_by(r) == "AKIDSTS1"), "signed with the STS credential");
    assert!((timestamp(&seen[4]) - server).abs() <= 5);
    assert_eq!(role.cache().refresh_count(), 1, "fetched once, kept");
    assert!(role.credential_now().is_some(), "usable, no refresh due");
}

/// Issue 3: with the local clock 10 min slow, a credential the server sees expired is
/// refreshed before use (the local clock alone would still hand it out).
#[tokio::test]
async fn a_clock_minutes_slow_refreshes_an_expired_credential() {
    let start = SystemTime::now();
    let clock = Clock::manual(start);
    let ahead = Duration::from_secs(600);
    let source = Minting::new(&clock, ahead, Duration::from_secs(7200));
    let config = CacheConfig::new().jitter(Duration::ZERO);
    let cache = CachedProvider::with_clock(source.clone(), config, clock.clone());
    let server_date = http_date(system_now() + 600);
    let fake = Fake::new([api_err("AuthFailure.SignatureExpire", Some(&server_date)), ok(json!({})), ok(json!({}))]);
    let c = cached_client(&fake, cache.clone(), ClientProfile::new());
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    assert!((c.clock_offset() - 600).abs() <= 3);
    // 2 h 2 min later: 8 min left on the local clock, 2 min expired on the server's.
    clock.advance(Duration::from_secs(7320));
    c.call_json("cvm", "2017-03-12", "DescribeZones", json!({})).await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.iter().map(signed_by).collect::<Vec<_>>(), ["AKIDTMP1", "AKIDTMP1", "AKIDTMP2"]);
    assert_eq!(source.calls(), 2);
}

/// Issue 3: an answer refusing the temporary credential (an expired token) makes the
/// client refresh it once and retry once, even for a write; a permanent key is not
/// retried.
#[tokio::test]
async fn a_refused_credential_is_refreshed_and_retried_once() {
    for code in ["AuthFailure.TokenFailure", "AuthFailure.SecretIdNotFound"] {
        let clock = Clock::system();
        let source = Minting::new(&clock, Duration::ZERO, Duration::from_secs(7200));
        let cache = CachedProvider::with_clock(source.clone(), CacheConfig::new(), clock);
        let fake = Fake::new([
            api_err(code, None),
            ok(json!({})),
            api_err(code, None),
            api_err(code, None),
            api_err(code, None),
        ]);
        let c = cached_client(&fake, cache.clone(), ClientProfile::new().retry(fast_retry(3)));
        c.call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.unwrap();
        assert_eq!(fake.seen().iter().map(signed_by).collect::<Vec<_>>(), ["AKIDTMP1", "AKIDTMP2"], "{code}");
        assert_eq!((source.calls(), cache.refresh_count()), (2, 2), "{code}");
        // Refused again after the refresh: the error surfaces, after exactly one more
        // refresh and one retry.
        let e = c.call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.unwrap_err();
        assert_eq!(e.api_code(), Some(code));
        let signed: Vec<String> = fake.seen().iter().map(signed_by).collect();
        assert_eq!(signed[2..], ["AKIDTMP2", "AKIDTMP3"], "{code}");
        assert_eq!(source.calls(), 3, "{code}");
        // Nothing to refresh: a permanent key, or a provider that cannot refresh.
        let fake = Fake::new([api_err(code, None)]);
        assert!(
            client(&fake, ClientProfile::new())
                .call_json("cvm", "2017-03-12", "RunInstances", json!({}))
                .await
                .is_err()
        );
        assert_eq!(fake.seen().len(), 1);
        let fixed =
            Credentials::new(ID, KEY).with_token(TOKEN).with_expiry(SystemTime::now() + Duration::from_secs(60));
        let fake = Fake::new([api_err(code, None)]);
        let c = Client::builder()
            .credential(StaticProvider::from_credentials(fixed))
            .http_send(fake.clone())
            .build()
            .unwrap();
        assert!(c.call_json("cvm", "2017-03-12", "RunInstances", json!({})).await.is_err());
        assert_eq!(fake.seen().len(), 1);
    }
    // Another code is not a reason to refresh.
    let clock = Clock::system();
    let source = Minting::new(&clock, Duration::ZERO, Duration::from_secs(7200));
    let cache = CachedProvider::with_clock(source.clone(), CacheConfig::new(), clock);
    let fake = Fake::new([api_err("AuthFailure.SignatureFailure", None)]);
    assert!(
        cached_client(&fake, cache, ClientProfile::new())
            .call_json("cvm", "2017-03-12", "RunInstances", json!({}))
            .await
            .is_err()
    );
    assert_eq!((fake.seen().len(), source.calls()), (1, 1));
}
