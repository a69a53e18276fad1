//! The generated models' `Debug` never shows a secret: the ssm secret value and the kms
//! data key plaintext, read from a response or set by hand, print as `Some(<redacted>)`
//! while the fields beside them stay visible.

use tencentcloud_kms::v20190118 as kms;
use tencentcloud_runtime::decode_response;
use tencentcloud_ssm::v20190923 as ssm;

const REDACTED: &str = "Some(<redacted>)";

/// `{:?}` and `{:#?}` of `v`, checked for none of `secrets` and all of `shown`.
fn assert_debug<T: std::fmt::Debug>(v: &T, secrets: &[&str], shown: &[&str]) {
    for text in [format!("{v:?}"), format!("{v:#?}")] {
        for s in secrets {
            assert!(!text.contains(s), "{s} in {text}");
        }
        for s in shown {
            assert!(text.contains(s), "{s} missing from {text}");
        }
    }
}

#[test]
fn ssm_secret_value_is_redacted() {
    let body = br#"{"Response": {"SecretName": "db-root", "VersionId": "v1",
        "SecretString": "hunter2-do-not-print", "SecretBinary": "aHVudGVyMg-do-not-print",
        "RequestId": "req-1"}}"#;
    let resp = decode_response::<ssm::GetSecretValueRequest>(body).unwrap();
    assert_eq!(resp.secret_string.as_deref(), Some("hunter2-do-not-print"));
    assert_debug(
        &resp,
        &["hunter2", "aHVudGVyMg"],
        &["db-root", "\"v1\"", "req-1", &format!("secret_string: {REDACTED}"), &format!("secret_binary: {REDACTED}")],
    );

    let mut by_hand = ssm::GetSecretValueResponse::default();
    by_hand.secret_name = Some("db-root".into());
    by_hand.secret_string = Some("typed-secret-do-not-print".into());
    assert_debug(&by_hand, &["typed-secret"], &["db-root", "secret_binary: None", REDACTED]);

    // The request side too: the secret sent to CreateSecret.
    let mut create = ssm::CreateSecretRequest::default();
    create.secret_name = Some("db-root".into());
    create.secret_string = Some("new-secret-do-not-print".into());
    assert_debug(&create, &["new-secret"], &["db-root", REDACTED]);
}

#[test]
fn kms_plaintext_is_redacted() {
    let body = br#"{"Response": {"KeyId": "kms-key-1", "Plaintext": "ZGF0YWtleQ-do-not-print",
        "CiphertextBlob": "ciphertext-blob", "RequestId": "req-2"}}"#;
    let resp = decode_response::<kms::GenerateDataKeyRequest>(body).unwrap();
    assert_eq!(resp.plaintext.as_deref(), Some("ZGF0YWtleQ-do-not-print"));
    assert_debug(&resp, &["ZGF0YWtleQ"], &["kms-key-1", "ciphertext-blob", &format!("plaintext: {REDACTED}")]);

    let mut decrypted = kms::DecryptResponse::default();
    decrypted.key_id = Some("kms-key-1".into());
    decrypted.plaintext = Some("cGxhaW4-do-not-print".into());
    assert_debug(&decrypted, &["cGxhaW4"], &["kms-key-1", REDACTED]);
}
