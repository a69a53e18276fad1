//! Every action that answers with server-sent events (the generator's rule: 27 of them) through
//! the typed stream against the emulator: a typed request with its required parameters, asked
//! to stream, every event read as the typed response. The table must list
//! exactly the actions the schema marks, so a new streaming action fails here until listed.
// hunyuan's actions are deprecated in the spec, and still answered: they are tested too.
#![allow(deprecated)]

use std::collections::BTreeSet;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};
use tencentcloud_runtime::{Action, FromJson, Streaming, ToJson};
use tencentcloud_schema::{Member, Scalar, Type, Version};
use tencentcloud_transport_std::{Client, ClientProfile, HttpProfile, ProxyConfig, StaticProvider};

fn profile(emu: &RunningEmulator) -> ClientProfile {
    ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none()))
}

fn client(emu: &RunningEmulator) -> Client {
    let (id, key) = default_test_key();
    Client::builder()
        .credential(StaticProvider::new(id, key))
        .region("ap-guangzhou")
        .profile(profile(emu))
        .build()
        .unwrap()
}

/// A request of `A` with every required parameter (a value of its declared type, objects
/// with their own required members), asked to stream. (The streaming actions' documented
/// examples answer with event text, so the schema data does not keep them.)
fn minimal_request<A: Action + FromJson>() -> A {
    let service = tencentcloud_schema::service(A::SERVICE).unwrap().expect("the service in the schema");
    let version = service.version(A::VERSION).expect("the version in the schema");
    let action = version.action(A::ACTION).expect("the action in the schema");
    let mut params = required(version, action.input(), 0);
    if action.input().iter().any(|m| m.name == "Stream") {
        params["Stream"] = Value::Bool(true);
    }
    tencentcloud_runtime::from_slice(params.to_string().as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", A::ACTION))
}

fn required(version: &Version, members: &[Member], depth: usize) -> Value {
    let mut out = serde_json::Map::new();
    for m in members.iter().filter(|m| m.required) {
        out.insert(m.name.clone(), value(version, &m.ty, depth));
    }
    Value::Object(out)
}

fn value(version: &Version, ty: &Type, depth: usize) -> Value {
    match ty {
        Type::Scalar(Scalar::Int64 | Scalar::Uint64) => json!(1),
        Type::Scalar(Scalar::Float) => json!(1.5),
        Type::Scalar(Scalar::Bool) => json!(true),
        Type::Scalar(Scalar::Datetime) => json!("2026-01-01 00:00:00"),
        Type::Scalar(Scalar::DatetimeIso) => json!("2026-01-01T00:00:00Z"),
        Type::Scalar(Scalar::Date) => json!("2026-01-01"),
        Type::Scalar(_) => json!("user"),
        Type::List(item) => json!([value(version, item, depth)]),
        Type::Object(name) if depth < 4 => required(version, version.object(name).unwrap_or(&[]), depth + 1),
        Type::Object(_) => json!({}),
    }
}

/// Streams `A` and reads every event typed: (events, events with a field read).
async fn stream_all<A>(client: &Client) -> (usize, usize)
where
    A: Streaming + FromJson + ToJson + Sync,
    A::Response: FromJson + Default + PartialEq + std::fmt::Debug,
{
    let request = minimal_request::<A>();
    let mut events = client.stream(&request).await.unwrap_or_else(|e| panic!("{} {}: {e}", A::SERVICE, A::ACTION));
    assert!(events.request_id().is_some(), "{}: the stream's request id", A::ACTION);
    let (mut n, mut read) = (0, 0);
    while let Some(event) = events.next().await {
        let event = event.unwrap_or_else(|e| panic!("{} {} event {n}: {e}", A::SERVICE, A::ACTION));
        // Some specs model the response as its RequestId alone (dataagent's ChatAI).
        read += usize::from(event != A::Response::default());
        n += 1;
    }
    (n, read)
}

macro_rules! streaming_actions {
    ($($krate:ident :: $module:ident :: $req:ident),* $(,)?) => {
        /// (service, action) of every listed streaming action.
        fn listed() -> BTreeSet<(String, String)> {
            [$((<$krate::$module::$req as Action>::SERVICE.to_owned(), <$krate::$module::$req as Action>::ACTION.to_owned())),*]
                .into_iter()
                .collect()
        }

        /// Streams each listed action; (service, action, (events, events with a field read)).
        async fn stream_each(client: &Client) -> Vec<(&'static str, &'static str, (usize, usize))> {
            let mut out = Vec::new();
            $({
                type R = $krate::$module::$req;
                out.push((R::SERVICE, R::ACTION, stream_all::<R>(client).await));
            })*
            out
        }
    };
}

streaming_actions! {
    tencentcloud_cloudmate::v20251030::CloudMateAgentRequest,
    tencentcloud_cls::v20201016::ChatCompletionsRequest,
    tencentcloud_dataagent::v20250513::ChatAIRequest,
    tencentcloud_dataagent::v20250513::ExecuteAgentApiV1Request,
    tencentcloud_es::v20250101::ChatCompletionsRequest,
    tencentcloud_es::v20250101::ParseDocumentRequest,
    tencentcloud_hunyuan::v20230901::ChatCompletionsRequest,
    tencentcloud_hunyuan::v20230901::ChatTranslationsRequest,
    tencentcloud_hunyuan::v20230901::CreateThreadRequest,
    tencentcloud_hunyuan::v20230901::FilesDeletionsRequest,
    tencentcloud_hunyuan::v20230901::FilesListRequest,
    tencentcloud_hunyuan::v20230901::FilesUploadsRequest,
    tencentcloud_hunyuan::v20230901::GetThreadRequest,
    tencentcloud_hunyuan::v20230901::GetThreadMessageRequest,
    tencentcloud_hunyuan::v20230901::GetThreadMessageListRequest,
    tencentcloud_hunyuan::v20230901::GroupChatCompletionsRequest,
    tencentcloud_hunyuan::v20230901::ImageQuestionRequest,
    tencentcloud_hunyuan::v20230901::RunThreadRequest,
    tencentcloud_ig::v20210518::GetLLMDiagnosisDrugRequest,
    tencentcloud_ig::v20210518::GetLLMDiagnosisDrugChatRequest,
    tencentcloud_ig::v20210518::GetLLMDiagnosisHealthRequest,
    tencentcloud_ig::v20210518::GetLLMReportInterpretationRequest,
    tencentcloud_lkeap::v20240522::ChatCompletionsRequest,
    tencentcloud_lkeap::v20240522::ReconstructDocumentSSERequest,
    tencentcloud_tdai::v20250717::CreateChatCompletionRequest,
    tencentcloud_trtc::v20190722::TextToSpeechSSERequest,
    tencentcloud_waf::v20180125::GenerateLLMSecAnswerRequest,
}

#[test]
fn the_table_is_the_schemas_streaming_actions() {
    let mut marked = BTreeSet::new();
    for entry in tencentcloud_schema::services() {
        let svc = entry.load().unwrap();
        for v in &svc.versions {
            for a in v.actions().filter(|a| a.action.stream) {
                marked.insert((svc.name.clone(), a.name.to_owned()));
            }
        }
    }
    assert_eq!(listed(), marked);
    assert_eq!(marked.len(), 27);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_streaming_action_streams_typed_events() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = client(&emu);
    let streamed = stream_each(&client).await;
    assert_eq!(streamed.len(), 27);
    for (service, action, (n, _)) in &streamed {
        if (*service, *action) == ("hunyuan", "ChatCompletions") {
            // canned.rs's reply, a word per event.
            assert!(*n > 3, "{service} {action}: {n} events");
        } else {
            assert_eq!(*n, 3, "{service} {action}: {n} events");
        }
    }
    let events: usize = streamed.iter().map(|s| s.2.0).sum();
    let with_fields: usize = streamed.iter().map(|s| s.2.1).sum();
    let actions_with_fields = streamed.iter().filter(|s| s.2.1 > 0).count();
    println!(
        "typed streams: {} actions, {events} events read typed, {with_fields} with fields ({actions_with_fields} actions)",
        streamed.len()
    );
    assert!(actions_with_fields >= 20, "only {actions_with_fields} actions' events read any field");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_not_asked_for_is_one_typed_event() {
    use tencentcloud_lkeap::v20240522::{ChatCompletionsRequest, Message};
    let emu = Emulator::builder().start().await.unwrap();
    let request = ChatCompletionsRequest::new()
        .set_model("deepseek-r1")
        .set_messages([Message::new().set_role("user").set_content("hi")])
        .set_stream(false);
    let events: Vec<_> = client(&emu).stream(&request).await.unwrap().collect().await;
    assert_eq!(events.len(), 1);
    assert!(events[0].as_ref().unwrap().request_id().is_some(), "the JSON answer read whole: {events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_error_before_the_stream_is_the_calls_error() {
    use tencentcloud_lkeap::v20240522::ChatCompletionsRequest;
    let emu = Emulator::builder().start().await.unwrap();
    // No Messages (required): the emulator answers MissingParameter instead of a stream.
    let request = ChatCompletionsRequest::new().set_model("deepseek-v3").set_stream(true);
    let err = client(&emu).stream(&request).await.unwrap_err();
    assert_eq!(err.api_code(), Some("MissingParameter"), "{err}");
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_iterates_typed_events() {
    use tencentcloud_hunyuan::v20230901::{ChatCompletionsRequest, Message};
    use tencentcloud_transport_std::blocking;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(Emulator::builder().start()).unwrap();
    let client = blocking::Client::new(client(&emu)).unwrap();
    let request = ChatCompletionsRequest::new()
        .set_model("hunyuan-lite")
        .set_messages([Message::new().set_role("user").set_content("one two three")])
        .set_stream(true);
    let mut text = String::new();
    for chunk in client.stream(&request).unwrap() {
        for choice in chunk.unwrap().choices() {
            text.push_str(choice.delta().and_then(|d| d.content()).unwrap_or(""));
        }
    }
    assert_eq!(text, "Hello from the emulator. You said: one two three");
}
