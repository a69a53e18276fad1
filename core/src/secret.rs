//! Which field names hold secrets: the one name rule behind the generated models' `Debug`
//! (`tencentcloud-codegen`) and the transports' redacted request/response dumps.
//!
//! A name is secret when its last word is a secret noun (`Password`, `Pwd`, `Passphrase`,
//! `Secret`, `SecretKey`, `SecretAccessKey`, `PrivateKey`, `ApiKey`, `AppKey`, `Plaintext`,
//! `Token`, `Signature`, `UserSig`, `Credential`, `Authorization`, `Psk`, `Kubeconfig`),
//! optionally followed by `s`, `Value(s)`, `New`, `String` or `Binary` (`SecretString`,
//! `PasswordNew`, `Passwords`). A word after the noun that names something else makes it an
//! ordinary field (`SecretName`, `SecretKeyId`, `PasswordPolicy`, `TokenCount`), and so does a
//! token that only pages, deduplicates or counts (`NextToken`, `PageToken`, `ClientToken`,
//! `InputTokens`). Case, the separators `_`, `-`, `.`, space and a trailing index
//! (`Passwords.0`) are ignored.
//!
//! The rule is about names only: a caller also looks at the value. Only text (a string, or a
//! list of strings) carries a secret; an object under a secret name is walked, its own
//! members judged by their names.

/// Secret nouns, as the last word of a name (lowercase, no separators).
const NOUNS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secretkey",
    "secretaccesskey",
    "privatekey",
    "apikey",
    "appkey",
    "plaintext",
    "token",
    "signature",
    "usersig",
    "credential",
    "authorization",
    "psk",
    "kubeconfig",
];

/// What may follow a secret noun and still name the secret itself.
const TAILS: &[&str] = &["", "s", "value", "values", "new", "string", "binary"];

/// Words before `token` that make it a cursor, an idempotency key or a count.
const PLAIN_TOKENS: &[&str] = &[
    "next",
    "page",
    "pagination",
    "continue",
    "scroll",
    "client",
    "creation",
    "idempotency",
    "total",
    "input",
    "output",
    "cached",
    "reasoning",
    "prompt",
    "completion",
];

/// Whether a field, JSON key or parameter named `name` holds a secret (see the [module
/// docs](self) for the rule). Compares ASCII case-insensitively; never allocates.
///
/// ```
/// use tencentcloud_core::secret::is_secret_name;
///
/// for name in ["SecretKey", "SecretString", "ClientSecret", "Plaintext", "DbPwd", "x-tc-token", "private_key"] {
///     assert!(is_secret_name(name), "{name}");
/// }
/// for name in ["SecretName", "SecretKeyId", "KeyId", "PublicKey", "NextToken", "TokenCount", "PasswordPolicy"] {
///     assert!(!is_secret_name(name), "{name}");
/// }
/// ```
pub fn is_secret_name(name: &str) -> bool {
    let name = trim_index(name.as_bytes());
    TAILS.iter().filter_map(|tail| strip_suffix(name, tail)).any(|head| {
        NOUNS.iter().any(|noun| match strip_suffix(head, noun) {
            Some(before) if *noun == "token" => !PLAIN_TOKENS.iter().any(|p| strip_suffix(before, p).is_some()),
            Some(_) => true,
            None => false,
        })
    })
}

fn is_separator(b: u8) -> bool {
    matches!(b, b'_' | b'-' | b'.' | b' ')
}

/// `name` without trailing separators and digits (`Passwords.0` -> `Passwords`).
fn trim_index(mut name: &[u8]) -> &[u8] {
    while let Some((&last, rest)) = name.split_last() {
        if !(is_separator(last) || last.is_ascii_digit()) {
            break;
        }
        name = rest;
    }
    name
}

/// `name` before `suffix` (lowercase ASCII), compared case-insensitively, separators in
/// `name` skipped; `None` when `name` does not end with it.
fn strip_suffix<'a>(mut name: &'a [u8], suffix: &str) -> Option<&'a [u8]> {
    for want in suffix.bytes().rev() {
        loop {
            let (&last, rest) = name.split_last()?;
            name = rest;
            if !is_separator(last) {
                if !last.eq_ignore_ascii_case(&want) {
                    return None;
                }
                break;
            }
        }
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            // Passwords.
            "Password",
            "PassWord",
            "AdminPassword",
            "PasswordNew",
            "PasswordValue",
            "PassWords",
            "Passwd",
            "ESUserPasswd",
            "Pwd",
            "DbPwd",
            "RootPwd",
            "UserNameAndPwd",
            "Passphrase",
            "PrivateKeyPassword",
            "GitTokenOrPassword",
            // Secrets and keys.
            "Secret",
            "ClientSecret",
            "AccessKeySecret",
            "SecretKey",
            "TmpSecretKey",
            "SecretAccessKey",
            "SecretString",
            "SecretBinary",
            "SecretValue",
            "PrivateKey",
            "CertificatePrivateKey",
            "ApiKey",
            "APIKey",
            "APIKeys",
            "EmbeddingApiKey",
            "AppKey",
            "Appkey",
            "LoraAppKey",
            "Plaintext",
            "PlainText",
            "DevicePsk",
            "Kubeconfig",
            // Tokens, signatures, credentials.
            "Token",
            "TmpToken",
            "SessionToken",
            "SecurityToken",
            "XCosSecurityToken",
            "AccessToken",
            "WebIdentityToken",
            "AuthTokenValue",
            "ApiTokens",
            "Signature",
            "MidasSignature",
            "UserSig",
            "Credential",
            "Credentials",
            "Authorization",
            // Other spellings: JSON keys, headers, form parameters.
            "secret_key",
            "private_key",
            "access-token",
            "X-TC-Token",
            "PASSWORD",
            "Passwords.0",
            "Password2",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn ordinary_names() {
        for name in [
            "",
            "0",
            "_",
            "Name",
            "KeyId",
            "PublicKey",
            "SecretName",
            "SecretId",
            "SecretKeyId",
            "SecretKeyName",
            "SecretType",
            "SecretValueMd5",
            "ApiKeyId",
            "AppKeyName",
            "AccessKey",
            "PasswordPolicy",
            "PasswordExpired",
            "PasswordUpdateTime",
            "PasswordLength",
            "TokenCount",
            "TokenExpiration",
            "Tokenizer",
            "NextToken",
            "NextPageToken",
            "next_token",
            "PageToken",
            "PaginationToken",
            "ContinueToken",
            "ScrollToken",
            "ClientToken",
            "CreationToken",
            "IdempotencyToken",
            "TotalTokens",
            "InputTokens",
            "MaxOutputToken",
            "CachedTokens",
            "SignatureAlgorithm",
            "CredentialId",
            "AuthorizationEndpoint",
            "Ciphertext",
            "CiphertextBlob",
            "密码",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn suffixes_skip_separators_and_case() {
        assert_eq!(strip_suffix(b"Next_Token", "token"), Some(&b"Next_"[..]));
        assert_eq!(strip_suffix(b"Next_", "next"), Some(&b""[..]));
        assert_eq!(strip_suffix(b"oken", "token"), None);
        assert_eq!(strip_suffix(b"", ""), Some(&b""[..]));
        assert_eq!(trim_index(b"Passwords.10"), b"Passwords");
        assert_eq!(trim_index(b"12"), b"");
    }
}
