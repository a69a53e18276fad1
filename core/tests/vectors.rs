//! Signs every case of the official SDK's test vectors and checks every stage.
//!
//! Reads every `tc3-*.json` and `v1-*.json` in `$TC3_VECTORS_DIR` (default: this
//! crate's copy in `tests/vectors`). Run with `--nocapture` to see the summary line.

use std::path::PathBuf;

use base64::Engine;
use serde_json::Value;
use tencentcloud_core::legacy_v1::{self, SignMethod};
use tencentcloud_core::request::Body;
use tencentcloud_core::{Credential, Language, Request, Signer, sign::sign};

fn vectors_dir() -> PathBuf {
    std::env::var_os("TC3_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"))
}

fn files(prefix: &str) -> Vec<PathBuf> {
    let dir = vectors_dir();
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read vectors dir {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".json")
        })
        .collect();
    out.sort();
    out
}

fn cases(path: &PathBuf) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap_or_else(|| panic!("{}: no `cases` array", path.display())).clone()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("case field {key} is not a string"))
}

/// Compares one stage, recording a failure with the case name and stage.
fn check(failures: &mut Vec<String>, case: &str, stage: &str, got: &str, want: &str) {
    if got != want {
        failures.push(format!("{case}: stage `{stage}` differs\n  got:  {got:?}\n  want: {want:?}"));
    }
}

fn check_tc3_case(c: &Value, failures: &mut Vec<String>) {
    let name = s(c, "name");
    let payload = base64::engine::general_purpose::STANDARD.decode(s(c, "payload_base64")).unwrap();
    let body = match (s(c, "method"), s(c, "content_type")) {
        ("GET", _) => Body::Query(s(c, "query")),
        ("POST", "application/octet-stream") => Body::OctetStream(&payload),
        ("POST", _) => Body::Json(&payload),
        (m, _) => panic!("{name}: unexpected method {m}"),
    };
    let mut req = Request::new(s(c, "service"), s(c, "version"), s(c, "action"), body)
        .host(s(c, "host"))
        .content_type(s(c, "content_type"));
    if let Some(region) = c["region"].as_str() {
        req = req.region(region);
    }
    req = match c["language"].as_str() {
        Some("zh-CN") => req.language(Language::ZhCn),
        Some("en-US") => req.language(Language::EnUs),
        Some(other) => panic!("{name}: unexpected language {other}"),
        None => req,
    };
    if c["unsigned_payload"].as_bool() == Some(true) {
        req = req.unsigned_payload();
    }
    let mut cred = Credential::new(s(c, "secret_id"), s(c, "secret_key")).unwrap();
    if let Some(token) = c["token"].as_str() {
        cred = cred.with_token(token).unwrap();
    }
    let ts = c["timestamp"].as_u64().unwrap();
    let signed = match sign(&req, &cred, ts) {
        Ok(signed) => signed,
        Err(e) => {
            failures.push(format!("{name}: signing failed: {e}"));
            return;
        }
    };
    let want = &c["expected"];
    check(failures, name, "canonical_request", &signed.canonical_request().to_string(), s(want, "canonical_request"));
    check(failures, name, "string_to_sign", &signed.string_to_sign().to_string(), s(want, "string_to_sign"));
    check(failures, name, "signature", signed.signature(), s(want, "signature"));
    check(failures, name, "authorization", &signed.authorization().to_string(), s(want, "authorization"));
    check(failures, name, "date", signed.date(), s(want, "date"));

    let got: Vec<(String, String)> = signed.headers().map(|h| (h.name.to_string(), h.value.to_string())).collect();
    let want_headers = want["headers"].as_object().unwrap();
    for (k, v) in want_headers {
        let ours = got.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("<missing>");
        check(failures, name, &format!("header {k}"), ours, v.as_str().unwrap());
    }
    for (k, _) in &got {
        if !want_headers.contains_key(k) {
            failures.push(format!("{name}: header {k} sent but not expected"));
        }
    }

    // The cached signer must agree with the uncached one.
    let mut signer = Signer::<2>::new();
    for _ in 0..2 {
        let again = signer.sign(&req, &cred, ts).unwrap();
        check(failures, name, "cached signature", again.signature(), s(want, "signature"));
    }
}

fn check_v1_case(c: &Value, failures: &mut Vec<String>) {
    let name = s(c, "name");
    let params: Vec<(&str, &str)> =
        c["params"].as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
    let method = match s(c, "sign_method") {
        "HmacSHA1" => SignMethod::HmacSha1,
        "HmacSHA256" => SignMethod::HmacSha256,
        other => panic!("{name}: unexpected sign method {other}"),
    };
    let (m, host, path) = (s(c, "method"), s(c, "host"), s(c, "path"));
    let want = &c["expected"];
    let sts = legacy_v1::string_to_sign(m, host, path, &params).to_string();
    check(failures, name, "string_to_sign", &sts, s(want, "string_to_sign"));
    let sig = legacy_v1::signature(s(c, "secret_key"), m, host, path, &params, method).unwrap();
    check(failures, name, "signature", &sig, s(want, "signature"));
    let mut buf = vec![0u8; legacy_v1::form_len(&params, &sig)];
    let form = legacy_v1::write_form(&params, &sig, &mut buf).unwrap();
    check(failures, name, "form_body", form, s(want, "form_body"));
}

#[test]
fn official_sdk_vectors() {
    let mut failures = Vec::new();
    let (mut tc3, mut v1) = (0, 0);
    for file in files("tc3-") {
        for c in cases(&file) {
            check_tc3_case(&c, &mut failures);
            tc3 += 1;
        }
    }
    for file in files("v1-") {
        for c in cases(&file) {
            check_v1_case(&c, &mut failures);
            v1 += 1;
        }
    }
    assert!(tc3 > 0, "no tc3 case found in {}", vectors_dir().display());
    assert!(v1 > 0, "no v1 case found in {}", vectors_dir().display());
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
    println!("vectors: {tc3} tc3 cases, {v1} v1 cases passed");
}

/// The published documentation example (CVM DescribeInstances at 1551113065).
#[test]
fn documentation_example() {
    let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", body)
        .region("ap-guangzhou")
        .content_type("application/json; charset=utf-8");
    let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******").unwrap();
    let signed = sign(&req, &cred, 1551113065).unwrap();
    assert_eq!(
        signed.canonical_request().to_string(),
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
         content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    );
    assert_eq!(
        signed.string_to_sign().to_string(),
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
         5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    );
    assert_eq!(signed.signature(), "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c");
    assert_eq!(
        signed.authorization().to_string(),
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
         SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
    );
}
