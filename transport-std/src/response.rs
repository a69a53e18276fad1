//! Response handlers: how an answer becomes a call's output (a JSON `Response`, an
//! octet-stream answer, an event stream), with the request id it carries.

use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use tencentcloud_core::action::Action;
use tencentcloud_core::response::envelope::parse_envelope_json;
use tencentcloud_runtime::{FromJson, ResponseError, decode_response};

use crate::error::Error;
use crate::http::{HeaderMap, HeaderName, HttpResponse, header_str, read_body};
use crate::redact;
use crate::sse::{SseEvent, SseStream};

/// The response header some services put the request id in.
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-tc-requestid");

/// What an octet-stream call answered.
#[derive(Clone, Debug, PartialEq)]
pub enum OctetOutput {
    /// A JSON answer: the `Response` object.
    Json(serde_json::Value),
    /// A binary answer.
    Binary {
        /// The `Content-Type`, if any.
        content_type: Option<String>,
        /// The bytes.
        data: Bytes,
        /// The request id from the `X-TC-RequestId` header, if any.
        request_id: Option<String>,
    },
}

/// Turns a response into the call's output.
pub(crate) trait Handler: Send + Sync {
    type Output;
    /// The output and the request id; a body is read up to `max_body` bytes.
    fn handle(
        &self,
        resp: HttpResponse,
        max_body: usize,
    ) -> impl Future<Output = Result<(Self::Output, Option<String>), Error>> + Send;
}

fn dump_response(status: u16, headers: &HeaderMap, body: &[u8]) {
    if tracing::enabled!(target: "tencentcloud::http", tracing::Level::DEBUG) {
        tracing::debug!(
            target: "tencentcloud::http",
            status,
            headers = %redact::headers(headers),
            body = %redact::body(header_str(headers, "Content-Type"), body),
            "response"
        );
    }
}

fn header_request_id(headers: &HeaderMap) -> Option<String> {
    headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Parses a JSON answer: the `Response` object as `T`, or the error it carries.
fn parse_json<T: DeserializeOwned>(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(T, Option<String>), Error> {
    let header_id = header_request_id(headers);
    if status != 200 {
        if let Ok(env) = parse_envelope_json::<serde::de::IgnoredAny>(body) {
            if let Err(api) = env.result {
                return Err(Error::from_api_error(&api));
            }
            let id = Some(env.request_id.to_string()).filter(|s| !s.is_empty()).or(header_id);
            return Err(Error::http_status(status, id));
        }
        return Err(Error::http_status(status, header_id));
    }
    let env = parse_envelope_json::<T>(body).map_err(|e| Error::from(e).with_request_id(header_id.clone()))?;
    if let Some(w) = &env.deprecated_warning {
        tracing::warn!(warning = %w.text, "the API reports a deprecation");
    }
    let id = Some(env.request_id.to_string()).filter(|s| !s.is_empty()).or(header_id);
    match env.result {
        Ok(v) => Ok((v, id)),
        Err(api) => Err(Error::from_api_error(&api)),
    }
}

/// A JSON answer's `Response` object as a `serde_json::Value`.
pub(crate) struct ValueHandler;

impl Handler for ValueHandler {
    type Output = serde_json::Value;

    async fn handle(&self, resp: HttpResponse, max_body: usize) -> Result<(serde_json::Value, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let body = read_body(&headers, body, max_body).await?;
        dump_response(status, &headers, &body);
        // Core's reading alone: no shortcut that could see the envelope another way.
        parse_json(status, &headers, &body)
    }
}

pub(crate) struct JsonHandler<T>(PhantomData<fn() -> T>);

impl<T> JsonHandler<T> {
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: DeserializeOwned> Handler for JsonHandler<T> {
    type Output = T;

    async fn handle(&self, resp: HttpResponse, max_body: usize) -> Result<(T, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let body = read_body(&headers, body, max_body).await?;
        dump_response(status, &headers, &body);
        parse_json(status, &headers, &body)
    }
}

/// Reads the answer into a generated response type (`A::Response`) with the models'
/// tolerant reader; a value that cannot be read is a decode error naming the action, the
/// field path and the request id.
pub(crate) struct TypedHandler<A>(PhantomData<fn() -> A>);

impl<A> TypedHandler<A> {
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

impl<A> Handler for TypedHandler<A>
where
    A: Action,
    A::Response: FromJson + Send,
{
    type Output = A::Response;

    async fn handle(&self, resp: HttpResponse, max_body: usize) -> Result<(A::Response, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let body = read_body(&headers, body, max_body).await?;
        dump_response(status, &headers, &body);
        let header_id = header_request_id(&headers);
        if status != 200 {
            // The API error in the body if there is one, else the status.
            return Err(match parse_json::<serde::de::IgnoredAny>(status, &headers, &body) {
                Err(e) => e,
                Ok(_) => Error::http_status(status, header_id),
            });
        }
        match decode_response::<A>(&body) {
            Ok(r) => Ok((r, header_id)),
            Err(ResponseError::Api(e)) => Err(Error::api(e.code, e.message, e.request_id.unwrap_or_default())),
            Err(e @ ResponseError::Decode { .. }) => {
                let id = match &e {
                    ResponseError::Decode { request_id, .. } => request_id.clone().or(header_id),
                    ResponseError::Api(_) => None,
                };
                Err(Error::decode(e.to_string()).with_request_id(id))
            }
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m.eq_ignore_ascii_case("application/json"))
}

fn media_type(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, "Content-Type").map(|ct| ct.split(';').next().unwrap_or("").trim())
}

pub(crate) struct OctetHandler;

impl Handler for OctetHandler {
    type Output = OctetOutput;

    async fn handle(&self, resp: HttpResponse, max_body: usize) -> Result<(OctetOutput, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let body = read_body(&headers, body, max_body).await?;
        dump_response(status, &headers, &body);
        if status != 200 || is_json(&headers) {
            let (v, id) = parse_json::<serde_json::Value>(status, &headers, &body)?;
            return Ok((OctetOutput::Json(v), id));
        }
        let request_id = header_request_id(&headers);
        let content_type = header_str(&headers, "Content-Type").map(str::to_owned);
        Ok((OctetOutput::Binary { content_type, data: body, request_id: request_id.clone() }, request_id))
    }
}

pub(crate) struct SseHandler {
    pub(crate) idle_timeout: Duration,
    pub(crate) max_event: usize,
}

impl Handler for SseHandler {
    type Output = SseStream;

    async fn handle(&self, resp: HttpResponse, max_body: usize) -> Result<(SseStream, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let request_id = header_request_id(&headers);
        let is_stream = media_type(&headers).is_some_and(|m| m.eq_ignore_ascii_case("text/event-stream"));
        if status == 200 && is_stream {
            tracing::debug!(target: "tencentcloud::http", status, headers = %redact::headers(&headers), "event stream");
            return Ok((SseStream::new(body, self.idle_timeout, self.max_event, request_id.clone()), request_id));
        }
        // An error envelope (or a non-streamed answer) instead of a stream.
        let body = read_body(&headers, body, max_body).await?;
        dump_response(status, &headers, &body);
        let (response, id) = parse_json::<serde_json::Value>(status, &headers, &body)?;
        let event = SseEvent { event: "message".into(), data: response.to_string(), id: None, retry: None };
        Ok((SseStream::from_events(vec![Ok(event)], id.clone()), id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HeaderValue;
    use crate::tests::NEVER_SUCCESS;

    /// The JSON handler reads every answer as core does, whatever its status.
    #[tokio::test]
    async fn value_handler_is_cores_reading() {
        let mut bodies: Vec<String> = NEVER_SUCCESS.iter().map(|b| (*b).to_owned()).collect();
        bodies.extend([
            r#"{"Response":{"TotalCount":1,"InstanceSet":[{"Name":"a\"b\u672a\ud83d\ude00"}],"RequestId":"id-1"}}"#
                .to_owned(),
            r#"{"Response":{"Error":{"Code":"AuthFailure","Message":"\ud83d\ude00"},"RequestId":"id-2"}}"#.to_owned(),
            r#"{"Response":{"DeprecatedWarning":"old","RequestId":"id-3","X":1}}"#.to_owned(),
            r#"{"Response":{"X":1,"Error":null}}"#.to_owned(),
            format!(r#"{{"Response":{{"X":1,"RequestId":"{}"}}}}"#, "r".repeat(100)),
            r#"{"Response":[1]}"#.to_owned(),
            r#"{"Response":{"X":1,"RequestId":"id-4"}"#.to_owned(),
        ]);
        for status in [200, 500] {
            for body in &bodies {
                let mut headers = HeaderMap::new();
                headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("hdr-id"));
                let want = parse_json::<serde_json::Value>(status, &headers, body.as_bytes());
                let got = ValueHandler.handle(HttpResponse::from_bytes(status, headers, body.clone()), 1 << 20).await;
                match (&want, &got) {
                    (Ok(w), Ok((g, _))) => assert_eq!(&w.0, g, "{status} {body}"),
                    (Err(w), Err(g)) => assert_eq!(format!("{w:?}"), format!("{g:?}"), "{status} {body}"),
                    _ => panic!("{status} {body}: core {want:?}, handler {got:?}"),
                }
            }
        }
        for body in NEVER_SUCCESS {
            let got = ValueHandler.handle(HttpResponse::from_bytes(200, HeaderMap::new(), *body), 1 << 20).await;
            assert!(got.is_err(), "{body}: {got:?}");
        }
        let (v, _) = ValueHandler
            .handle(HttpResponse::from_bytes(200, HeaderMap::new(), bodies[NEVER_SUCCESS.len()].clone()), 1 << 20)
            .await
            .unwrap();
        assert_eq!(v["InstanceSet"][0]["Name"], "a\"b\u{672a}\u{1f600}");
        let e = ValueHandler
            .handle(HttpResponse::from_bytes(200, HeaderMap::new(), bodies[NEVER_SUCCESS.len() + 1].clone()), 1 << 20)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "AuthFailure: \u{1f600} (RequestId: id-2)");
    }
}
