//! The typed decoder of the generated crates: runtime's JSON reader, the envelope, and
//! `FromJson` over a wide set of generated response types (lists, nested and boxed models,
//! numbers, booleans, strings, secrets), with serde_json as the reference for what is JSON.
use tencentcloud_runtime as rt;

/// Runs the typed decoder on `data`. Panics only on a broken invariant:
/// - the runtime's parser and serde_json agree on what is a JSON document, except where the
///   runtime is documented to differ (numbers keep their text, so a number beyond `f64` is
///   JSON to it; nesting past [`rt::MAX_DEPTH`] is refused by both, at depths one apart);
/// - a typed value read from a document writes as JSON that reads back as the same value.
pub fn typed_decode(data: &[u8]) {
    json_agrees_with_serde_json(data);
    envelopes(data);
    if let Ok(v) = rt::parse(data) {
        round_trip::<tencentcloud_cvm::v20170312::DescribeInstancesResponse>(&v);
        round_trip::<tencentcloud_cvm::v20170312::Instance>(&v);
        round_trip::<tencentcloud_vpc::v20170312::DescribeVpcsResponse>(&v);
        round_trip::<tencentcloud_vpc::v20170312::Vpc>(&v);
        round_trip::<tencentcloud_cam::v20190116::GetRoleResponse>(&v);
        round_trip::<tencentcloud_ssm::v20190923::GetSecretValueResponse>(&v);
        round_trip::<tencentcloud_lkeap::v20240522::ChatCompletionsResponse>(&v);
    }
}

fn envelopes(data: &[u8]) {
    tape_agrees_with_tree::<tencentcloud_cvm::v20170312::DescribeInstancesRequest>(data);
    tape_agrees_with_tree::<tencentcloud_vpc::v20170312::DescribeVpcsRequest>(data);
    tape_agrees_with_tree::<tencentcloud_cam::v20190116::GetRoleRequest>(data);
    tape_agrees_with_tree::<tencentcloud_ssm::v20190923::GetSecretValueRequest>(data);
    let _ = rt::decode_event::<tencentcloud_lkeap::v20240522::ChatCompletionsRequest>(data);
}

/// `decode_response` reads a success off the document's flat tape; what it reads must be
/// what the tree reader (`parse`, then `from_value` of the `Response` member) reads.
fn tape_agrees_with_tree<A: rt::Action>(data: &[u8])
where
    A::Response: rt::FromJson + PartialEq + core::fmt::Debug,
{
    let Ok(typed) = rt::decode_response::<A>(data) else { return };
    let doc = rt::parse(data).unwrap_or_else(|e| panic!("a decoded answer does not parse: {e}"));
    let resp = doc.get("Response").expect("a decoded answer has a Response member");
    let tree: A::Response =
        rt::from_value(resp).unwrap_or_else(|e| panic!("the tree refuses what decode_response read: {e}"));
    assert_eq!(typed, tree, "the tape and the tree read differently");
}

fn round_trip<T: rt::FromJson + rt::ToJson + PartialEq + core::fmt::Debug>(v: &rt::Value<'_>) {
    let Ok(first) = rt::from_value::<T>(v) else { return };
    // A float beyond f64 reads as infinity, which JSON cannot write: refused, not a panic.
    let Ok(text) = rt::to_string(&first) else { return };
    let again: T =
        rt::from_slice(text.as_bytes()).unwrap_or_else(|e| panic!("what was written does not read: {e}: {text}"));
    assert_eq!(first, again, "written as {text}");
}

fn json_agrees_with_serde_json(data: &[u8]) {
    let ours = rt::parse(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => assert!(
            e.to_string().starts_with("number out of range") || e.to_string().starts_with("recursion limit exceeded"),
            "serde_json refuses what the runtime reads: {e}"
        ),
        (Err(e), Ok(_)) => {
            assert!(matches!(e.kind(), rt::ErrorKind::TooDeep { .. }), "the runtime refuses JSON serde_json reads: {e}")
        }
    }
}
