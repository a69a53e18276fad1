//! The actions that answer with server-sent events (the schema's `stream` flag, the
//! generator's rule): asked to stream (`"Stream": true`, or always when the request has no
//! `Stream` member), they answer [`EVENTS`] events, each the action's stateless answer (its
//! documented example, else its output shape) with the event's index in `Id` when it has one;
//! asked not to, that answer as JSON. hunyuan's `ChatCompletions` is `canned.rs`'s (a reply
//! that echoes the prompt, word by word).

use std::time::Duration;

use serde_json::Value;
use tencentcloud_schema::ActionRef;

use super::{Backend, Check};
use crate::catalog;
use crate::error::ApiError;
use crate::params::param_bool;
use crate::request::{ApiRequest, Outcome};
use crate::state::State;

/// How many events a streamed answer has.
pub(crate) const EVENTS: usize = 3;

/// The streaming actions of every service.
pub(crate) struct Events;

impl Backend for Events {
    fn serves(&self, _: &str, _: &str, schema: Option<&ActionRef<'static>>) -> Option<Check> {
        schema.filter(|a| a.action.stream).map(|_| Check::Schema)
    }

    fn answer(
        &self,
        _: &State,
        req: &ApiRequest<'_>,
        schema: Option<&ActionRef<'static>>,
    ) -> Result<Outcome, ApiError> {
        let action = schema.ok_or_else(|| ApiError::new("InternalError", "a streaming action without its schema"))?;
        let (answer, _) = catalog::answer(action, &req.params);
        let answer = answer?;
        let has_stream_member = action.input().iter().any(|m| m.name == "Stream");
        let stream = param_bool(&req.params, "Stream")?.unwrap_or(!has_stream_member);
        if !stream {
            return Ok(Outcome::Json(answer));
        }
        let events = (0..EVENTS)
            .map(|i| {
                let mut event = answer.clone();
                if let Some(id) = event.get_mut("Id").filter(|id| id.is_string()) {
                    *id = Value::String(format!("{}-{i}", req.request_id));
                }
                Value::Object(event)
            })
            .collect();
        Ok(Outcome::Sse { events, delay: Duration::ZERO })
    }
}
