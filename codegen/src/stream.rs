//! Which actions answer with server-sent events: the rule behind the typed streams
//! (`rt::action!(..., stream)`, transport-std's `Client::stream`) and the emulator's.
//!
//! The specs carry no flag for it. The official SDKs' generators mark these actions (Go's
//! `tchttp.BaseSSEResponse`, Python's `_call_and_deserialize` reading `text/event-stream`)
//! from the one place the specs say it: the response's `RequestId` documentation reads
//! "本接口为流式响应接口" (the international edition: "As a streaming response API"). An
//! action so marked may answer with events when asked (`"Stream": true`, where its request has
//! that member) or always (hunyuan's `RunThread`, trtc's `TextToSpeechSSE`); a plain JSON
//! answer from it is one event.
//!
//! ```
//! use tencentcloud_codegen::stream::doc_says_stream;
//! assert!(doc_says_stream("唯一请求 ID……本接口为流式响应接口，当请求成功时，RequestId 会被放在 HTTP 响应的 Header \"X-TC-RequestId\" 中。"));
//! assert!(!doc_says_stream("唯一请求 ID，每次请求都会返回。"));
//! ```
use crate::spec::{Action, Api};

/// Whether a response's `RequestId` documentation marks a streaming response API.
pub fn doc_says_stream(doc: &str) -> bool {
    doc.contains("流式响应接口") || doc.contains("streaming response API")
}

/// Whether `action` of `api` streams its answer, by the rule above.
pub fn streams(api: &Api, action: &Action) -> bool {
    api.objects
        .get(&action.output)
        .and_then(|o| o.members.iter().find(|m| m.name == "RequestId"))
        .is_some_and(|m| doc_says_stream(&m.document))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(request_id_doc: &str) -> Api {
        serde_json::from_value(serde_json::json!({
            "metadata": {"apiVersion": "2023-09-01", "serviceShortName": "hunyuan"},
            "actions": {"ChatCompletions": {"input": "ChatCompletionsRequest", "output": "ChatCompletionsResponse"}},
            "objects": {
                "ChatCompletionsRequest": {"members": [{"name": "Stream", "type": "bool", "member": "bool"}]},
                "ChatCompletionsResponse": {"members": [
                    {"name": "Choices", "type": "list", "member": "Choice"},
                    {"name": "RequestId", "type": "string", "member": "string", "document": request_id_doc}]}
            }
        }))
        .unwrap()
    }

    #[test]
    fn the_request_id_doc_marks_a_streaming_action() {
        let streaming = api(
            "唯一请求 ID，由服务端生成。本接口为流式响应接口，当请求成功时，RequestId 会被放在 HTTP 响应的 Header \"X-TC-RequestId\" 中。",
        );
        assert!(streams(&streaming, &streaming.actions["ChatCompletions"]));
        let plain = api("唯一请求 ID，由服务端生成，每次请求都会返回。");
        assert!(!streams(&plain, &plain.actions["ChatCompletions"]), "a Stream member alone is not the rule");
        let english = api(
            "As a streaming response API, when the request is successfully completed, the RequestId will be placed in the Header.",
        );
        assert!(streams(&english, &english.actions["ChatCompletions"]));
    }
}
