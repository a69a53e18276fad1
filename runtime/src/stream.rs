//! Actions that answer with server-sent events (hunyuan's `ChatCompletions` with
//! `"Stream": true`, trtc's `TextToSpeechSSE`, ...): the generator marks them
//! ([`Streaming`]) and each event's data is read as the action's response type.
use crate::read::{FromJson, from_slice};
use crate::{Action, Error};

/// A request whose action answers with server-sent events, each event's `data` one JSON
/// object of the action's response type (a plain JSON answer is one such object). The
/// generated crates implement it where the spec says so (the response's `RequestId` doc:
/// "a streaming response API"); transport-std's `Client::stream` takes it.
pub trait Streaming: Action {}

/// One event's `data` as the action's response type (an error event is the transport's to
/// recognise first: this reads only the success shape).
///
/// ```
/// use tencentcloud_runtime as rt;
/// rt::model! { both debug;
///     /// A chunk.
///     ChatResponse { "Note" note set_note: str, }
/// }
/// rt::model! { both debug;
///     /// The request.
///     ChatRequest { "Stream" stream set_stream: bool, }
/// }
/// rt::action!("hunyuan", "2023-09-01", "ChatCompletions", ChatRequest => ChatResponse, stream);
/// let chunk = rt::decode_event::<ChatRequest>(br#"{"Note":"hi","Choices":[]}"#)?;
/// assert_eq!(chunk.note(), Some("hi"));
/// # Ok::<(), rt::Error>(())
/// ```
pub fn decode_event<A>(data: &[u8]) -> Result<A::Response, Error>
where
    A: Streaming,
    A::Response: FromJson,
{
    from_slice(data)
}
