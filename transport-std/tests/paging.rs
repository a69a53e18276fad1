//! Typed pages and waiters against the emulator (seeded with more resources than one page,
//! instances that boot over time) and, for servers that misbehave, a scripted `HttpSend`.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use tencentcloud_alb::v20251030::DescribeHealthCheckTemplatesRequest;
use tencentcloud_cloudaudit::v20190319::{DescribeAuditTracksRequest, LookUpEventsRequest};
use tencentcloud_cvm::v20170312::{DescribeInstancesRequest, DescribeInstancesResponse, RunInstancesRequest};
use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};
use tencentcloud_transport_std::http::{HeaderMap, HeaderValue, HttpRequest, HttpResponse, HttpSend, SendFuture};
use tencentcloud_transport_std::{
    Client, ClientProfile, ErrorKind, HttpProfile, Paginated, ProxyConfig, Stateful, StaticProvider, WaitOptions,
};

fn client(emu: &RunningEmulator) -> Client {
    let (id, key) = default_test_key();
    let profile =
        ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none()));
    Client::builder().credential(StaticProvider::new(id, key)).region("ap-guangzhou").profile(profile).build().unwrap()
}

/// The parameter `name` of every call of `action` the emulator saw.
fn sent(emu: &RunningEmulator, action: &str, name: &str) -> Vec<Value> {
    emu.requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some(action))
        .map(|r| r.params.clone().unwrap().get(name).cloned().unwrap_or(Value::Null))
        .collect()
}

fn named(prefix: &str, n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({ "InstanceName": format!("{prefix}-{i:03}") })).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn offsets_read_250_instances_through_pages_of_100() {
    // 248 seeded and the region's two fixed instances.
    let emu = Emulator::builder().seed(json!({"cvm": {"Instance": named("i", 248)}})).start().await.unwrap();
    let c = client(&emu);
    let req = DescribeInstancesRequest::new().set_limit(100);
    let pages: Vec<DescribeInstancesResponse> = c.pages(req.clone()).try_collect().await.unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.instance_set().len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(sent(&emu, "DescribeInstances", "Offset"), [Value::Null, json!(100), json!(200)]);
    let items: Vec<_> = c.items(req.clone()).try_collect().await.unwrap();
    let ids: HashSet<&str> = items.iter().filter_map(|i| i.instance_id()).collect();
    assert_eq!((items.len(), ids.len()), (250, 250), "each instance once");
    // The cap: 150 items, from two pages; none asked for after.
    let before = emu.requests().len();
    let capped: Vec<_> = c.items(req.clone()).max_items(150).try_collect().await.unwrap();
    assert_eq!(capped.len(), 150);
    assert_eq!(emu.requests().len() - before, 2);
    assert_eq!(capped[..], items[..150]);
    // Starting further on: the rest.
    let rest: Vec<_> = c.items(req.set_offset(220)).try_collect().await.unwrap();
    assert_eq!(rest[..], items[220..]);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn page_numbers_and_tokens_read_250_resources() {
    let tracks: Vec<Value> = (0..250).map(|i| json!({"Name": format!("track-{i:03}")})).collect();
    let templates: Vec<Value> = (0..250).map(|i| json!({"HealthCheckTemplateName": format!("hc-{i:03}")})).collect();
    let seed = json!({"cloudaudit": {"AuditTrack": tracks}, "alb": {"HealthCheckTemplate": templates}});
    let emu = Emulator::builder().seed(seed).start().await.unwrap();
    let c = client(&emu);

    let pages = c.pages(DescribeAuditTracksRequest::new().set_page_number(1).set_page_size(100));
    let sizes: Vec<usize> = pages.map(|p| p.unwrap().tracks().len()).collect().await;
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(sent(&emu, "DescribeAuditTracks", "PageNumber"), [json!(1), json!(2), json!(3)]);
    let names: HashSet<String> = c
        .items(DescribeAuditTracksRequest::new().set_page_number(1).set_page_size(100))
        .map_ok(|t| t.name().unwrap().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 250);

    let req = DescribeHealthCheckTemplatesRequest::new().set_max_results("100");
    let items: Vec<_> = c.items(req.clone()).try_collect().await.unwrap();
    let names: HashSet<&str> = items.iter().filter_map(|t| t.health_check_template_name()).collect();
    assert_eq!((items.len(), names.len()), (250, 250));
    let tokens = sent(&emu, "DescribeHealthCheckTemplates", "NextToken");
    assert_eq!(tokens, [Value::Null, json!("100"), json!("200")]);
    let capped: Vec<_> = c.items(req).max_items(120).try_collect().await.unwrap();
    assert_eq!(capped[..], items[..120]);
    emu.shutdown().await;
}

/// Answers each request with the next scripted `Response` and keeps the request bodies.
struct Script {
    answers: Mutex<VecDeque<Value>>,
    bodies: Mutex<Vec<Value>>,
}

impl Script {
    fn client(answers: impl IntoIterator<Item = Value>) -> (Client, Arc<Script>) {
        let s = Arc::new(Script { answers: Mutex::new(answers.into_iter().collect()), bodies: Mutex::default() });
        let c = Client::builder()
            .credential(StaticProvider::new("AKIDEXAMPLE", "secret"))
            .region("ap-guangzhou")
            .http_send(s.clone())
            .build()
            .unwrap();
        (c, s)
    }
}

impl HttpSend for Script {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        self.bodies.lock().unwrap().push(serde_json::from_slice(&request.body).unwrap());
        let next = self.answers.lock().unwrap().pop_front();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let body = match next {
            Some(mut r) => {
                r["RequestId"] = json!("req");
                json!({ "Response": r })
            }
            None => json!({"Response": {"Error": {"Code": "Script.Ended", "Message": "no more answers"}}}),
        };
        Box::pin(async move { Ok(HttpResponse::from_bytes(200, headers, body.to_string())) })
    }
}

fn events(ids: std::ops::Range<u32>) -> Value {
    Value::Array(ids.map(|i| json!({"EventId": i.to_string()})).collect())
}

#[tokio::test]
async fn tokens_are_followed_until_none() {
    let (c, script) = Script::client([
        json!({"Events": events(0..2), "NextToken": "t1"}),
        json!({"Events": events(2..4), "NextToken": "t2"}),
        json!({"Events": events(4..5), "NextToken": ""}),
    ]);
    let items: Vec<_> = c.items(LookUpEventsRequest::new()).try_collect().await.unwrap();
    assert_eq!(items.iter().map(|e| e.event_id().unwrap()).collect::<Vec<_>>(), ["0", "1", "2", "3", "4"]);
    let tokens: Vec<Value> = script.bodies.lock().unwrap().iter().map(|b| b["NextToken"].clone()).collect();
    assert_eq!(tokens, [Value::Null, json!("t1"), json!("t2")]);
}

#[tokio::test]
async fn a_server_repeating_itself_is_an_error_not_a_loop() {
    // The same token again: the page is handed out, then the error.
    let (c, script) = Script::client([
        json!({"Events": events(0..2), "NextToken": "t1"}),
        json!({"Events": events(2..4), "NextToken": "t1"}),
    ]);
    let got: Vec<_> = c.items(LookUpEventsRequest::new()).collect().await;
    assert_eq!(got.len(), 5);
    let e = got[4].as_ref().unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Paging);
    assert_eq!(
        e.to_string(),
        "the pages did not end: LookUpEvents: page 2 answered a next token already sent: stopped rather than loop"
    );
    assert_eq!(script.bodies.lock().unwrap().len(), 2);

    // A server ignoring the offset: the same page twice.
    let same = json!({"InstanceSet": [{"InstanceId": "ins-1"}, {"InstanceId": "ins-2"}], "TotalCount": 9});
    let (c, script) = Script::client([same.clone(), same.clone(), same]);
    let mut pages = c.pages(DescribeInstancesRequest::new().set_limit(2));
    assert_eq!(pages.next().await.unwrap().unwrap().instance_set().len(), 2);
    let e = pages.next().await.unwrap().unwrap_err();
    assert!(e.to_string().contains("page 2 has the same items as page 1"), "{e}");
    assert!(pages.next().await.is_none(), "it ended");
    assert_eq!(script.bodies.lock().unwrap().len(), 2);

    // An API error ends the stream too.
    let (c, _) = Script::client([json!({"InstanceSet": [{"InstanceId": "ins-1"}], "TotalCount": 9})]);
    let mut items = c.items(DescribeInstancesRequest::new().set_limit(1));
    assert!(items.next().await.unwrap().is_ok());
    assert_eq!(items.next().await.unwrap().unwrap_err().api_code(), Some("Script.Ended"));
    assert!(items.next().await.is_none());
    assert_eq!(<DescribeInstancesRequest as Paginated>::CURSOR, tencentcloud_runtime::Cursor::Offset);
}

fn state(r: &DescribeInstancesResponse) -> Option<&str> {
    r.instance_set().first().and_then(|i| i.instance_state())
}

#[tokio::test(flavor = "multi_thread")]
async fn waiters_see_an_instance_boot_and_time_out_on_a_state_never_reached() {
    let emu = Emulator::builder().resources(true).instance_boot(Duration::from_millis(600)).start().await.unwrap();
    let c = client(&emu);
    let ran = c.send(&RunInstancesRequest::new().set_image_id("img-1")).await.unwrap();
    let id = ran.instance_id_set()[0].clone();
    let req = DescribeInstancesRequest::new().set_instance_ids([id.clone()]);
    assert_eq!(state(&c.send(&req).await.unwrap()), Some("PENDING"));
    let opts = WaitOptions::new()
        .delay(Duration::from_millis(100))
        .backoff(2)
        .max_delay(Duration::from_millis(300))
        .deadline(Duration::from_secs(10));
    let started = std::time::Instant::now();
    let done = c.wait_until(&req, |r| state(r) == Some("RUNNING"), &opts).await.unwrap();
    assert_eq!(state(&done), Some("RUNNING"));
    let polls = sent(&emu, "DescribeInstances", "InstanceIds").len() - 1;
    println!("waiter: RUNNING after {:?}, {polls} polls", started.elapsed());
    // Polled at 0, 100, 300 (+200), 600 (+300) ms...: a few polls, not a busy loop.
    assert!((2..=6).contains(&polls), "{polls} polls");

    let opts = opts.deadline(Duration::from_millis(700));
    let started = std::time::Instant::now();
    let e = c.wait_until(&req, |r| state(r) == Some("STOPPED"), &opts).await.unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.kind(), &ErrorKind::WaitTimeout);
    let text = e.to_string();
    assert!(text.starts_with("the wait timed out: DescribeInstances did not reach the state within 700ms ("), "{text}");
    assert!(text.contains("instance_state: Some(\"RUNNING\")"), "the last state: {text}");
    assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(3), "{waited:?}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_generated_waiter_waits_for_every_listed_instance() {
    let emu = Emulator::builder().resources(true).instance_boot(Duration::from_millis(400)).start().await.unwrap();
    let c = client(&emu);
    let first = c.send(&RunInstancesRequest::new().set_image_id("img-1").set_instance_count(2)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let second = c.send(&RunInstancesRequest::new().set_image_id("img-1")).await.unwrap();
    let ids: Vec<String> = first.instance_id_set().iter().chain(second.instance_id_set()).cloned().collect();
    assert_eq!(ids.len(), 3);
    let req = DescribeInstancesRequest::new().set_instance_ids(ids.iter().cloned());
    let opts = WaitOptions::new().delay(Duration::from_millis(50)).deadline(Duration::from_secs(10));
    let done = c.wait_for_state(&req, "RUNNING", &opts).await.unwrap();
    assert_eq!(done.instance_set().len(), 3);
    assert!(done.instance_set().iter().all(|i| i.instance_state() == Some("RUNNING")));
    // It polled while the first two were RUNNING and the third was not: "every", not "any".
    let polls = sent(&emu, "DescribeInstances", "InstanceIds").len();
    assert!(polls >= 3, "{polls} polls");
    assert!(!DescribeInstancesRequest::all_in(&DescribeInstancesResponse::default(), "RUNNING"));

    // No instance listed (an id that does not exist) is never "all RUNNING".
    let none = DescribeInstancesRequest::new().set_instance_ids(["ins-none"]);
    let e = c.wait_for_state(&none, "RUNNING", &opts.clone().deadline(Duration::from_millis(300))).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::WaitTimeout, "{e}");
    emu.shutdown().await;
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_pages_items_and_waits() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let seed = json!({"cvm": {"Instance": named("b", 248)}});
    let emu = rt.block_on(Emulator::builder().seed(seed).instance_boot(Duration::from_millis(300)).start()).unwrap();
    let c = tencentcloud_transport_std::blocking::Client::new(client(&emu)).unwrap();
    let req = DescribeInstancesRequest::new().set_limit(100);
    let sizes: Vec<usize> = c.pages(req.clone()).map(|p| p.unwrap().instance_set().len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(c.items(req.clone(), None).count(), 250);
    let capped: Vec<_> = c.items(req, Some(101)).collect::<Result<_, _>>().unwrap();
    assert_eq!(capped.len(), 101);

    let ran = c.send(&RunInstancesRequest::new().set_image_id("img-1")).unwrap();
    let req = DescribeInstancesRequest::new().set_instance_ids(ran.instance_id_set().iter().cloned());
    let opts = WaitOptions::new().delay(Duration::from_millis(50)).deadline(Duration::from_secs(10));
    let done = c.wait_until(&req, |r| state(r) == Some("RUNNING"), &opts).unwrap();
    assert_eq!(state(&done), Some("RUNNING"));
    assert_eq!(state(&c.wait_for_state(&req, "RUNNING", &opts).unwrap()), Some("RUNNING"));
    rt.block_on(emu.shutdown());
}
