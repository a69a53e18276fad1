//! Actions every service answers when its schema has no action of that name: `Echo`,
//! `ChatCompletions` (server-sent events), `UploadFile` and `GetObjectBytes` (octet-stream); and
//! hunyuan's `ChatCompletions`, which always streams.

use std::time::Duration;

use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::{Backend, Check};
use crate::error::ApiError;
use crate::params::{obj, param_bool, param_int, param_str};
use crate::request::{ApiRequest, Outcome};
use crate::state::State;
use crate::tc3::{find_header, sha256_hex};

const MAX_OBJECT_BYTES: i64 = 64 * 1024 * 1024;

/// The canned actions of every service.
pub(crate) struct Canned;

impl Backend for Canned {
    fn serves(&self, service: &str, action: &str, schema: Option<&ActionRef<'static>>) -> Option<Check> {
        let known = schema.is_some();
        let generic = matches!(action, "Echo" | "ChatCompletions" | "UploadFile" | "GetObjectBytes");
        // hunyuan's takes the emulator's own `EmulatorEventDelayMs`, which its schema does not declare.
        ((service, action) == ("hunyuan", "ChatCompletions") || (generic && !known)).then_some(Check::Own)
    }

    fn answer(&self, _: &State, req: &ApiRequest<'_>, _: Option<&ActionRef<'static>>) -> Result<Outcome, ApiError> {
        match req.action {
            "Echo" => Ok(echo(req)),
            "ChatCompletions" => chat_completions(req),
            "UploadFile" => Ok(upload_file(req)),
            _ => get_object_bytes(req),
        }
    }
}

fn canonical_header_name(lower: &str) -> String {
    if let Some(rest) = lower.strip_prefix("x-tc-") {
        let known = match rest {
            "action" => Some("Action"),
            "version" => Some("Version"),
            "region" => Some("Region"),
            "timestamp" => Some("Timestamp"),
            "token" => Some("Token"),
            "language" => Some("Language"),
            "requestclient" => Some("RequestClient"),
            "traceid" => Some("TraceId"),
            "content-sha256" => Some("Content-SHA256"),
            _ => None,
        };
        return format!("X-TC-{}", known.map_or_else(|| title_case(rest), str::to_owned));
    }
    title_case(lower)
}

fn title_case(s: &str) -> String {
    s.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn echo(req: &ApiRequest<'_>) -> Outcome {
    let mut headers = Map::new();
    for (k, v) in req.headers {
        let lower = k.to_ascii_lowercase();
        if lower.starts_with("x-tc-") || lower == "content-type" || lower == "user-agent" {
            headers.entry(canonical_header_name(&lower)).or_insert_with(|| Value::String(v.clone()));
        }
    }
    Outcome::Json(obj(json!({
        "Params": req.params,
        "Action": req.action,
        "Service": req.service,
        "Version": req.version,
        "Region": req.region,
        "Method": req.method,
        "Headers": headers,
    })))
}

fn chat_completions(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let p = &req.params;
    let messages = match p.get("Messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => return Err(ApiError::missing("Messages")),
    };
    let prompt = messages
        .iter()
        .rev()
        .find(|m| m.get("Role").and_then(Value::as_str) == Some("user"))
        .or_else(|| messages.last())
        .and_then(|m| m.get("Content"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let stream = param_bool(p, "Stream")?.unwrap_or(true);
    let delay_ms = param_int(p, "EmulatorEventDelayMs")?.unwrap_or(10).clamp(0, 10_000);
    let reply = format!("Hello from the emulator. You said: {prompt}");
    let created = req.now_ms.div_euclid(1000);
    let prompt_tokens = prompt.split_whitespace().count() + 1;
    let usage = |completion: usize| json!({"PromptTokens": prompt_tokens, "CompletionTokens": completion, "TotalTokens": prompt_tokens + completion});
    if !stream {
        let n = reply.split_whitespace().count();
        return Ok(Outcome::Json(obj(json!({
            "Id": req.request_id,
            "Created": created,
            "Choices": [{"Index": 0, "Message": {"Role": "assistant", "Content": reply}, "FinishReason": "stop"}],
            "Usage": usage(n),
        }))));
    }
    let chunks: Vec<&str> = reply.split_inclusive(' ').collect();
    let last = chunks.len() - 1;
    let events = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            json!({
                "Id": req.request_id,
                "Created": created,
                "Choices": [{
                    "Index": 0,
                    "Delta": {"Role": "assistant", "Content": chunk},
                    "FinishReason": if i == last { "stop" } else { "" },
                }],
                "Usage": usage(i + 1),
            })
        })
        .collect();
    Ok(Outcome::Sse { events, delay: Duration::from_millis(delay_ms as u64) })
}

fn upload_file(req: &ApiRequest<'_>) -> Outcome {
    let ct = find_header(req.headers, "content-type").unwrap_or("");
    Outcome::Json(obj(json!({
        "Length": req.body.len(),
        "Sha256": sha256_hex(req.body),
        "ContentType": ct,
    })))
}

/// `Length` bytes (byte `i` is `i % 256`) or the bytes of `Content`, with their
/// `Content-Length`; with the emulator's own `EmulatorChunkBytes`, chunked in pieces of that
/// many bytes instead.
fn get_object_bytes(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let bytes = match param_str(&req.params, "Content")? {
        Some(content) => content.as_bytes().to_vec(),
        None => {
            let len = param_int(&req.params, "Length")?.unwrap_or(1024);
            if !(0..=MAX_OBJECT_BYTES).contains(&len) {
                return Err(ApiError::invalid_value("Length", "must be between 0 and 67108864"));
            }
            (0..len).map(|i| (i % 256) as u8).collect()
        }
    };
    match param_int(&req.params, "EmulatorChunkBytes")? {
        None => Ok(Outcome::Bytes(bytes)),
        Some(piece @ 1..=MAX_OBJECT_BYTES) => Ok(Outcome::ByteStream { bytes, piece: piece as usize }),
        Some(_) => Err(ApiError::invalid_value("EmulatorChunkBytes", "must be between 1 and 67108864")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert_eq!(canonical_header_name("x-tc-traceid"), "X-TC-TraceId");
        assert_eq!(canonical_header_name("x-tc-requestclient"), "X-TC-RequestClient");
        assert_eq!(canonical_header_name("x-tc-foo-bar"), "X-TC-Foo-Bar");
        assert_eq!(canonical_header_name("content-type"), "Content-Type");
    }
}
