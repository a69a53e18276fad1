//! Every service version of the pinned specs against the emulator, through the common JSON client:
//! a seeded sample of actions per version called with their documented example requests (the
//! answer must be the documented response), and invalid variants of them (unknown, mistyped,
//! missing parameters) answered with the real error codes.

use serde_json::{Map, Value, json};
use tencentcloud_emulator::{AnswerSource, Emulator, RunningEmulator, default_test_key};
use tencentcloud_schema::{ActionRef, Scalar, Type, Version};
use tencentcloud_transport_std::{Client, ClientProfile, HttpMethod, HttpProfile, ProxyConfig, StaticProvider};

/// Actions sampled per version (all of them when a version has fewer).
const PER_VERSION: usize = 3;
/// The sample's seed: change it to sample other actions.
const SEED: u64 = 0x5EED_0010;

fn client(emu: &RunningEmulator) -> Client {
    let (id, key) = default_test_key();
    let profile =
        ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none()));
    Client::builder().credential(StaticProvider::new(id, key)).region("ap-guangzhou").profile(profile).build().unwrap()
}

/// splitmix64: a small seeded generator, so the sample is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The first documented example of `a` whose request is readable, valid and answered with success.
fn usable_example(a: &ActionRef<'_>) -> Option<(Value, Value)> {
    a.examples().iter().find_map(|ex| {
        let input: Value = serde_json::from_str(ex.input.as_ref()?.get()).ok()?;
        let output: Value = serde_json::from_str(ex.output.get()).ok()?;
        (a.validate(&input).is_ok() && output.get("Error").is_none()).then_some((input, output))
    })
}

/// `n` distinct actions of `v` with a usable example (or, past those, any), chosen by `rng`.
fn sample<'v>(v: &'v Version, rng: &mut Rng, n: usize) -> Vec<ActionRef<'v>> {
    // The actions answering with server-sent events are tests/streams.rs's.
    let plain = || v.actions().filter(|a| !a.action.stream);
    let mut with: Vec<ActionRef<'v>> = plain().filter(|a| usable_example(a).is_some()).collect();
    let mut without: Vec<ActionRef<'v>> = plain().filter(|a| usable_example(a).is_none()).collect();
    let mut out = Vec::new();
    for pool in [&mut with, &mut without] {
        while out.len() < n && !pool.is_empty() {
            let i = (rng.next() % pool.len() as u64) as usize;
            out.push(pool.swap_remove(i));
        }
    }
    out
}

fn without_request_id(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("RequestId");
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_version_answers_its_documented_examples() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let mut rng = Rng(SEED);
    let (mut versions, mut expected, mut from_examples, mut synthesized, mut stateful) = (0, 0, 0, 0, 0);
    for entry in tencentcloud_schema::services() {
        let svc = entry.load().unwrap();
        for v in &svc.versions {
            versions += 1;
            let picked = sample(v, &mut rng, PER_VERSION);
            expected += PER_VERSION.min(v.actions().filter(|a| !a.action.stream).count());
            for a in picked {
                let what = format!("{} {} {}", svc.name, v.version, a.name);
                let (params, documented) =
                    usable_example(&a).map_or_else(|| (required(v, a.input(), 0), None), |(i, o)| (i, Some(o)));
                let got = c.call_json(&svc.name, &v.version, a.name, params).await;
                let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert!(got["RequestId"].as_str().is_some_and(|id| !id.is_empty()), "{what}: {got}");
                let source = emu
                    .requests()
                    .last()
                    .and_then(|r| r.answer)
                    .unwrap_or_else(|| panic!("{what}: {:?}", emu.requests().last()));
                match source {
                    AnswerSource::Example(_) => {
                        from_examples += 1;
                        // Called with made-up parameters, the nearest example answers (any of them).
                        if let Some(documented) = &documented {
                            assert_eq!(without_request_id(&got), without_request_id(documented), "{what}");
                            assert_ne!(got["RequestId"], documented["RequestId"], "{what}: a fresh RequestId");
                        }
                    }
                    AnswerSource::Synthesized => {
                        synthesized += 1;
                        for m in a.output() {
                            assert!(got.get(&m.name).is_some(), "{what}: {} missing in {got}", m.name);
                        }
                    }
                    AnswerSource::Stateful => stateful += 1,
                }
            }
            emu.clear_requests();
        }
    }
    println!(
        "catalog: {versions} versions, {} calls: {from_examples} documented answers, {synthesized} synthesized, {stateful} stateful",
        from_examples + synthesized + stateful
    );
    assert_eq!(versions, 300);
    assert_eq!(
        from_examples + synthesized + stateful,
        expected,
        "every version sampled (all actions of the small ones)"
    );
    assert!(from_examples * 100 >= expected * 95, "{from_examples} of {expected} from documented examples");
    emu.shutdown().await;
}

/// Valid parameters made of the required members only.
fn required(v: &Version, members: &[tencentcloud_schema::Member], depth: usize) -> Value {
    let value = |ty: &Type| -> Value {
        match ty {
            Type::Scalar(Scalar::Int64 | Scalar::Uint64) => json!(1),
            Type::Scalar(Scalar::Float) => json!(1.5),
            Type::Scalar(Scalar::Bool) => json!(true),
            Type::Scalar(_) => json!("emulator"),
            Type::Object(o) => required(v, v.object(o).unwrap_or(&[]), depth + 1),
            Type::List(_) => json!([]),
        }
    };
    let mut out = Map::new();
    if depth < 8 {
        for m in members.iter().filter(|m| m.required) {
            out.insert(m.name.clone(), value(&m.ty));
        }
    }
    Value::Object(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_without_examples_get_synthesized_answers() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let mut n = 0;
    for entry in tencentcloud_schema::services() {
        let svc = entry.load().unwrap();
        for v in &svc.versions {
            // The actions answering with server-sent events are tests/streams.rs's.
            let streams = |a: &ActionRef<'_>| a.action.stream;
            for a in v.actions().filter(|a| a.examples().is_empty() && !streams(a)) {
                let what = format!("{} {} {}", svc.name, v.version, a.name);
                let got = c.call_json(&svc.name, &v.version, a.name, required(v, a.input(), 0)).await;
                let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(emu.requests().last().and_then(|r| r.answer), Some(AnswerSource::Synthesized), "{what}");
                for m in a.output() {
                    assert!(got.get(&m.name).is_some(), "{what}: {} missing in {got}", m.name);
                }
                n += 1;
            }
        }
    }
    println!("synthesized: {n} actions without documented examples answered");
    // 6 in the pinned specs: the other 21 without examples in the schema data answer with
    // server-sent events (their documented answers are event text), tests/streams.rs's.
    assert!(n >= 6, "{n}");
    emu.shutdown().await;
}

/// A scalar value that is not a `ty`, and the code it must get.
fn mistyped(ty: &Type) -> (Value, &'static str) {
    match ty {
        Type::Scalar(Scalar::Int64 | Scalar::Uint64 | Scalar::Float) => {
            (json!("not-a-number"), "InvalidParameterValue")
        }
        Type::Scalar(Scalar::Bool) => (json!("maybe"), "InvalidParameterValue"),
        Type::Scalar(_) => (json!({"an": "object"}), "InvalidParameter"),
        Type::List(_) => (json!({"not": "a list"}), "InvalidParameter"),
        Type::Object(_) => (json!(["not an object"]), "InvalidParameter"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_get_the_real_codes() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let mut rng = Rng(SEED ^ 1);
    let mut checked = [0usize; 4];
    for entry in tencentcloud_schema::services() {
        let svc = entry.load().unwrap();
        for v in &svc.versions {
            for a in sample(v, &mut rng, 1) {
                let what = format!("{} {} {}", svc.name, v.version, a.name);
                let base = usable_example(&a).map_or(Map::new(), |(i, _)| i.as_object().cloned().unwrap_or_default());
                let call = |params: Map<String, Value>| {
                    let c = c.clone();
                    let (s, ver, name) = (svc.name.clone(), v.version.clone(), a.name.to_owned());
                    async move { c.call_json(&s, &ver, &name, Value::Object(params)).await.unwrap_err() }
                };
                let mut unknown = base.clone();
                unknown.insert("EmulatorNoSuchParameter".into(), json!(1));
                let e = call(unknown).await;
                assert_eq!(e.api_code(), Some("UnknownParameter"), "{what}: {e}");
                assert!(e.to_string().contains("EmulatorNoSuchParameter"), "{what}: {e}");
                checked[0] += 1;

                if let Some(m) = a.input().iter().find(|m| base.contains_key(&m.name)) {
                    let (value, code) = mistyped(&m.ty);
                    let mut wrong = base.clone();
                    wrong.insert(m.name.clone(), value);
                    let e = call(wrong).await;
                    assert_eq!(e.api_code(), Some(code), "{what} {}: {e}", m.name);
                    assert!(e.to_string().contains(&m.name), "{what}: {e}");
                    checked[1 + usize::from(code == "InvalidParameterValue")] += 1;
                }
                if let Some(m) = a.input().iter().find(|m| m.required) {
                    let mut missing = base.clone();
                    missing.remove(&m.name);
                    let e = call(missing).await;
                    assert_eq!(e.api_code(), Some("MissingParameter"), "{what}: {e}");
                    assert!(e.to_string().contains(&m.name), "{what}: {e}");
                    checked[3] += 1;
                }
            }
            let e = c.call_json(&svc.name, &v.version, "EmulatorNoSuchAction", json!({})).await.unwrap_err();
            assert_eq!(e.api_code(), Some("InvalidAction"), "{e}");
        }
    }
    let e = c.call_json("cvm", "2001-01-01", "DescribeRegions", json!({})).await.unwrap_err();
    assert_eq!(e.api_code(), Some("NoSuchVersion"), "{e}");
    let e = c.call_json("emulatornosuchservice", "2017-03-12", "DescribeRegions", json!({})).await.unwrap_err();
    assert_eq!(e.api_code(), Some("InvalidAction"), "{e}");
    println!(
        "invalid: {} unknown, {} InvalidParameter, {} InvalidParameterValue, {} missing",
        checked[0], checked[1], checked[2], checked[3]
    );
    assert!(checked.iter().all(|&n| n >= 20), "{checked:?}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_form_is_validated_like_json() {
    let emu = Emulator::builder().start().await.unwrap();
    let (id, key) = default_test_key();
    let http = HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none()).method(HttpMethod::Get);
    let get = Client::builder()
        .credential(StaticProvider::new(id, key))
        .region("ap-guangzhou")
        .profile(ClientProfile::new().http_profile(http))
        .build()
        .unwrap();
    let ok = get
        .call_json(
            "cvm",
            "2017-03-12",
            "DescribeInstances",
            json!({"Filters": [{"Name": "zone", "Values": ["a"]}], "Limit": 5}),
        )
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    assert!(emu.requests().last().unwrap().query.contains("Filters.0.Name=zone"));
    let cases = [
        (json!({"Limit": "five"}), "InvalidParameterValue", "`Limit`"),
        (json!({"Filters": [{"Nme": "x"}]}), "UnknownParameter", "`Filters.0.Nme`"),
        (json!({"Filters": [{"Values": ["x"]}]}), "MissingParameter", "`Filters.0.Name`"),
        (json!({"Filters": {"Name": "x"}}), "InvalidParameter", "`Filters`"),
    ];
    for (params, code, name) in cases {
        let e = get.call_json("cvm", "2017-03-12", "DescribeInstances", params.clone()).await.unwrap_err();
        assert_eq!(e.api_code(), Some(code), "{params}: {e}");
        assert!(e.to_string().contains(name), "{params}: {e}");
    }
    // A parameter nested deeper than the form reader allows: refused, not followed.
    let mut deep = json!("x");
    for _ in 0..40 {
        deep = json!({ "A": deep });
    }
    let e = get.call_json("cvm", "2017-03-12", "DescribeInstances", json!({ "Filters": deep })).await.unwrap_err();
    assert_eq!(e.api_code(), Some("InvalidParameter"), "{e}");
    assert!(e.to_string().contains("nested too deeply"), "{e}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_and_oversize_requests_are_refused_without_harm() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    // Past serde_json's nesting limit (128) on the emulator's side.
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let e = c.call_json("vpc", "2017-03-12", "DescribeVpcs", json!({ "Filters": deep })).await.unwrap_err();
    assert_eq!(e.api_code(), Some("InvalidParameter"), "{e}");
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    // The emulator still answers.
    assert!(c.call_json("vpc", "2017-03-12", "DescribeVpcs", json!({})).await.is_ok());
    emu.shutdown().await;

    // A body past the limit is refused unread.
    let emu = Emulator::builder().max_body(64 * 1024).start().await.unwrap();
    let c = client(&emu);
    let big = json!({"VpcIds": ["x".repeat(100 * 1024)]});
    let e = c.call_json("vpc", "2017-03-12", "DescribeVpcs", big).await.unwrap_err();
    assert_eq!(e.api_code(), Some("RequestSizeLimitExceeded"), "{e}");
    assert!(emu.requests().last().unwrap().body.is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_latency_and_request_log() {
    let emu = Emulator::builder()
        .rate_limit(tencentcloud_emulator::DEFAULT_RATE_LIMIT)
        .latency(std::time::Duration::from_millis(30))
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let started = std::time::Instant::now();
    assert!(c.call_json("vpc", "2017-03-12", "DescribeVpcs", json!({})).await.is_ok());
    assert!(started.elapsed() >= std::time::Duration::from_millis(30), "latency added");

    // 25 calls of one action at once: 20 a second pass (one already spent), the rest are limited,
    // unless the second turned over between them (then a few more pass).
    let calls = (0..25).map(|_| {
        let c = c.clone();
        async move { c.call_json("vpc", "2017-03-12", "DescribeVpcs", json!({})).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let limited: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(!limited.is_empty() && limited.len() <= 6, "{}", limited.len());
    for e in &limited {
        assert_eq!(e.api_code(), Some("RequestLimitExceeded"), "{e}");
    }
    // Another action has its own budget.
    assert!(c.call_json("vpc", "2017-03-12", "DescribeSubnets", json!({})).await.is_ok());

    // The request log: action, parameters, result, where the answer came from.
    let log = emu.requests();
    let last = log.last().unwrap();
    assert_eq!(last.action.as_deref(), Some("DescribeSubnets"));
    assert_eq!(last.params, Some(json!({})));
    assert_eq!(
        (last.status, last.error_code.as_deref(), last.answer),
        (Some(200), None, Some(AnswerSource::Example(0)))
    );
    let limited_logged = log.iter().filter(|r| r.error_code.as_deref() == Some("RequestLimitExceeded")).count();
    assert_eq!(limited_logged, limited.len());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_matching_the_request_answers() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let mut checked = 0;
    for name in ["vpc", "cbs", "clb", "tke"] {
        let svc = tencentcloud_schema::service(name).unwrap().unwrap();
        let v = svc.latest();
        for a in v.actions() {
            // Success examples with valid and distinct requests.
            let mut examples: Vec<(Value, Value)> = Vec::new();
            for ex in a.examples() {
                let Some(input) = ex.input.as_ref().and_then(|i| serde_json::from_str::<Value>(i.get()).ok()) else {
                    continue;
                };
                let output: Value = serde_json::from_str(ex.output.get()).unwrap();
                if output.get("Error").is_none()
                    && a.validate(&input).is_ok()
                    && examples.iter().all(|(i, _)| *i != input)
                {
                    examples.push((input, output));
                }
            }
            if examples.len() < 2 {
                continue;
            }
            for (input, output) in examples {
                let got = c.call_json(name, &v.version, a.name, input).await.unwrap();
                assert_eq!(without_request_id(&got), without_request_id(&output), "{name} {}", a.name);
                checked += 1;
            }
        }
    }
    println!("matching: {checked} examples of actions with several answered by their own");
    assert!(checked >= 20, "{checked}");
    emu.shutdown().await;
}
