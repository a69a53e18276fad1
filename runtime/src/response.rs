//! [`decode_response`]: the `{"Response": {...}}` envelope into a typed response or the
//! API error.
use crate::error::{Error, ErrorKind};
use crate::json::{MAX_DEPTH, Node, Value, next_node, parse, parse_tape};
use crate::read::{FromJson, from_value};
use alloc::string::{String, ToString};
use core::fmt;
use tencentcloud_core::action::Action;

/// An error answer of the API (`{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// `InvalidParameter`, `AuthFailure.SignatureFailure`, ...
    pub code: String,
    /// The service's explanation.
    pub message: String,
    /// The request id, when the answer has one.
    pub request_id: Option<String>,
}

/// A typed answer that is not a typed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// The API answered with an error.
    Api(ApiError),
    /// The answer could not be read into the response type of `action`.
    Decode {
        /// The action called.
        action: &'static str,
        /// The request id, when the answer has one.
        request_id: Option<String>,
        /// What could not be read, with its path (`Response.InstanceSet[0].CPU`).
        error: Error,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Api(e) => {
                write!(f, "{}: {}", e.code, e.message)?;
                if let Some(id) = &e.request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            ResponseError::Decode { action, request_id, error } => {
                write!(f, "cannot read the {action} response: {error}")?;
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for ResponseError {}

/// Reads an answer of action `A` into `A::Response`, or the API error it carries.
///
/// ```
/// use tencentcloud_runtime::{decode_response_as, ResponseError};
/// let body = br#"{"Response": {"Error": {"Code": "AuthFailure", "Message": "no"}, "RequestId": "r-1"}}"#;
/// match decode_response_as::<String>("Ping", body) {
///     Err(ResponseError::Api(e)) => assert_eq!((e.code.as_str(), e.request_id.as_deref()), ("AuthFailure", Some("r-1"))),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn decode_response<A: Action>(body: &[u8]) -> Result<A::Response, ResponseError>
where
    A::Response: FromJson,
{
    decode_response_as::<A::Response>(A::ACTION, body)
}

/// [`decode_response`] for a response type named directly; `action` goes into errors.
///
/// The envelope rules are core's (`tencentcloud_core::response`): `Response`, `Error`,
/// `RequestId` and the error's `Code` and `Message` appear at most once
/// ([`ErrorKind::DuplicateMember`]); an `Error` that is not `null` is an error, and one
/// that is not an object with a string `Code` is [`ErrorKind::InvalidError`], never read
/// as a success.
pub fn decode_response_as<T: FromJson>(action: &'static str, body: &[u8]) -> Result<T, ResponseError> {
    // A success is read off the document's tape; anything else (an error, an API error, an
    // unusual envelope) is read again from the tree below, which says what went wrong.
    if let Ok(tape) = parse_tape(body, MAX_DEPTH)
        && let Some(resp) = plain_success(&tape)
        && let Ok(Some(v)) = T::from_tape(&tape, resp)
    {
        return Ok(v);
    }
    let fail = |request_id, error| ResponseError::Decode { action, request_id, error };
    let doc = parse(body).map_err(|e| fail(None, e))?;
    let Some(resp @ Value::Object(_)) = unique(&doc, "Response").map_err(|e| fail(None, e))? else {
        return Err(fail(None, Error::new(ErrorKind::NoResponse)));
    };
    // Copied only into an error.
    let request_id = unique(resp, "RequestId").map_err(|e| fail(None, e.in_field("Response")))?.and_then(Value::as_str);
    let owned = || request_id.map(ToString::to_string);
    let error = unique(resp, "Error").map_err(|e| fail(owned(), e.in_field("Response")))?;
    if let Some(err) = error.filter(|e| !matches!(e, Value::Null)) {
        return Err(match api_error(err) {
            Ok((code, message)) => ResponseError::Api(ApiError { code, message, request_id: owned() }),
            Err(e) => fail(owned(), e.in_field("Error").in_field("Response")),
        });
    }
    from_value(resp).map_err(|e| fail(owned(), e.in_field("Response")))
}

/// The tape index of `Response` when the envelope is what the rules below read as a success
/// (`Response` once and an object, `RequestId` at most once, `Error` absent or once and
/// `null`); `None` for anything else.
fn plain_success(tape: &[Node<'_>]) -> Option<usize> {
    let name = |at: usize| match &tape[at] {
        Node::String(k) => &**k,
        _ => "",
    };
    let Node::Object { len, .. } = tape[0] else { return None };
    let (mut at, mut resp) = (1, None);
    for _ in 0..len {
        if name(at) == "Response" {
            if resp.is_some() {
                return None;
            }
            resp = Some(at + 1);
        }
        at = next_node(tape, at + 1);
    }
    let resp = resp?;
    let Node::Object { len, .. } = tape[resp] else { return None };
    let (mut at, mut request_ids, mut errors) = (resp + 1, 0, 0);
    for _ in 0..len {
        match name(at) {
            "RequestId" => request_ids += 1,
            "Error" if matches!(tape[at + 1], Node::Null) => errors += 1,
            "Error" => return None,
            _ => {}
        }
        at = next_node(tape, at + 1);
    }
    (request_ids <= 1 && errors <= 1).then_some(resp)
}

/// The member `name` of `v` if `v` is an object holding it once; twice is an error.
fn unique<'v, 'a>(v: &'v Value<'a>, name: &'static str) -> Result<Option<&'v Value<'a>>, Error> {
    let Value::Object(members) = v else { return Ok(None) };
    let mut found = members.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
    match (found.next(), found.next()) {
        (_, Some(_)) => Err(Error::new(ErrorKind::DuplicateMember { name })),
        (first, None) => Ok(first),
    }
}

/// The code and message of an `Error` object.
fn api_error(err: &Value<'_>) -> Result<(String, String), Error> {
    let invalid = || Error::new(ErrorKind::InvalidError);
    if !matches!(err, Value::Object(_)) {
        return Err(invalid());
    }
    let code = unique(err, "Code")?.ok_or_else(invalid)?.as_str().ok_or_else(invalid)?;
    let message = match unique(err, "Message")? {
        None => "",
        Some(m) => m.as_str().ok_or_else(invalid)?,
    };
    Ok((code.to_string(), message.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Obj;
    #[allow(unused_imports)]
    use alloc::string::ToString;

    #[derive(Debug)]
    struct Resp {
        total: Option<i64>,
        request_id: Option<String>,
    }
    impl FromJson for Resp {
        fn from_json(v: &Value<'_>) -> crate::Result<Option<Self>> {
            let Some(o) = Obj::of(v)? else { return Ok(None) };
            Ok(Some(Resp { total: o.f("TotalCount")?, request_id: o.f("RequestId")? }))
        }
    }
    struct Call;
    impl Action for Call {
        const SERVICE: &'static str = "cvm";
        const VERSION: &'static str = "2017-03-12";
        const ACTION: &'static str = "DescribeInstances";
        type Response = Resp;
    }

    #[test]
    fn decodes_success_error_and_bad_answers() {
        let ok = decode_response::<Call>(br#"{"Response": {"TotalCount": "3", "RequestId": "r"}}"#).unwrap();
        assert_eq!((ok.total, ok.request_id.as_deref()), (Some(3), Some("r")));
        let e = decode_response::<Call>(br#"{"Response": {"TotalCount": [], "RequestId": "r-9"}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read the DescribeInstances response: Response.TotalCount: expected a 64-bit integer, found a list (request id r-9)"
        );
        let e = decode_response::<Call>(br#"{"Response": {"Error": {"Code": "X", "Message": "m"}, "RequestId": "r"}}"#)
            .unwrap_err();
        assert_eq!(
            e,
            ResponseError::Api(ApiError { code: "X".into(), message: "m".into(), request_id: Some("r".into()) })
        );
        assert!(
            matches!(decode_response::<Call>(b"{}"), Err(ResponseError::Decode { error, .. }) if error.kind() == &ErrorKind::NoResponse)
        );
        assert!(
            matches!(decode_response::<Call>(b"{"), Err(ResponseError::Decode { error, .. }) if matches!(error.kind(), ErrorKind::Syntax { .. }))
        );
    }

    /// The review's cases: an `Error` member without a string `Code` is never a success.
    #[test]
    fn an_error_member_is_an_error() {
        for body in [
            &br#"{"Response":{"Error":{"Code":4000},"RequestId":"r"}}"#[..],
            br#"{"Response":{"Error":{"Message":"denied"},"RequestId":"r"}}"#,
            br#"{"Response":{"Error":"denied","RequestId":"r"}}"#,
            br#"{"Response":{"Error":{"Code":"X","Message":7},"RequestId":"r"}}"#,
            br#"{"Response":{"Error":[],"RequestId":"r"}}"#,
        ] {
            let e = decode_response::<Call>(body).unwrap_err();
            let ResponseError::Decode { error, request_id, .. } = &e else { panic!("{e:?}") };
            assert_eq!((error.kind(), request_id.as_deref()), (&ErrorKind::InvalidError, Some("r")), "{e}");
            assert_eq!(error.path(), "Response.Error");
        }
        let ok = decode_response::<Call>(br#"{"Response":{"Error":null,"TotalCount":1,"RequestId":"r"}}"#).unwrap();
        assert_eq!(ok.total, Some(1));
    }

    /// The review's cases: duplicate envelope members read one way here and another by
    /// serde_json, so they are refused.
    #[test]
    fn duplicate_envelope_members_are_refused() {
        for (body, name) in [
            (&br#"{"Response":{"Error":{"Code":"A"}},"Response":{"TotalCount":1}}"#[..], "Response"),
            (br#"{"Response":{"Error":null,"Error":{"Code":"AuthFailure"}}}"#, "Error"),
            (br#"{"Response":{"RequestId":"a","RequestId":"b"}}"#, "RequestId"),
            (br#"{"Response":{"Error":{"Code":"A","Code":"B"}}}"#, "Code"),
            (br#"{"Response":{"Error":{"Code":"A","Message":"x","Message":"y"}}}"#, "Message"),
        ] {
            let e = decode_response::<Call>(body).unwrap_err();
            let ResponseError::Decode { error, .. } = &e else { panic!("{e:?}") };
            assert_eq!(error.kind(), &ErrorKind::DuplicateMember { name }, "{e}");
        }
    }
}
