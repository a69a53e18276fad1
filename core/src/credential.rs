//! Borrowed credentials, validated like the official SDKs.

use core::fmt;

/// Why a credential was refused. Never carries the secret itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum InvalidCredential {
    /// The secret id is empty or only whitespace.
    EmptySecretId,
    /// The secret id starts or ends with whitespace.
    SecretIdWhitespace,
    /// The secret key is empty or only whitespace.
    EmptySecretKey,
    /// The secret key starts or ends with whitespace.
    SecretKeyWhitespace,
    /// The secret id or token holds a control character (it would break the headers).
    ControlCharacter,
}

impl fmt::Display for InvalidCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptySecretId => "InvalidCredential: secret id should not be none or empty",
            Self::SecretIdWhitespace => "InvalidCredential: secret id should not contain spaces",
            Self::EmptySecretKey => "InvalidCredential: secret key should not be none or empty",
            Self::SecretKeyWhitespace => "InvalidCredential: secret key should not contain spaces",
            Self::ControlCharacter => "InvalidCredential: secret id or token contains a control character",
        })
    }
}

impl core::error::Error for InvalidCredential {}

/// A secret id, secret key and optional session token, borrowed from the caller.
///
/// `Debug` shows the secret id but never the key or the token.
///
/// ```
/// use tencentcloud_core::{Credential, InvalidCredential};
///
/// let c = Credential::new("AKIDEXAMPLE", "secret")?.with_token("tok")?;
/// assert_eq!(c.secret_id(), "AKIDEXAMPLE");
/// assert!(!format!("{c:?}").contains("secret\""));
/// assert_eq!(Credential::new(" AKID", "k").unwrap_err(), InvalidCredential::SecretIdWhitespace);
/// # Ok::<(), InvalidCredential>(())
/// ```
#[derive(Clone, Copy)]
pub struct Credential<'a> {
    secret_id: &'a str,
    secret_key: &'a str,
    token: Option<&'a str>,
}

impl Credential<'_> {
    /// No credential: what an unsigned request is built with (never used to sign).
    pub(crate) const NONE: Credential<'static> = Credential { secret_id: "", secret_key: "", token: None };
}

fn has_control(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_control())
}

/// `char::is_whitespace` (Unicode `White_Space`) as a match: `str::trim` would link
/// Unicode's whitespace table into every image that signs.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}'
            | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// What `str::trim` would find: `Err(true)` when nothing but whitespace is left (or
/// nothing at all), `Err(false)` when whitespace surrounds the value.
fn check_trimmed(s: &str) -> Result<(), bool> {
    if s.chars().all(is_space) {
        return Err(true);
    }
    if s.chars().next().is_some_and(is_space) || s.chars().next_back().is_some_and(is_space) {
        return Err(false);
    }
    Ok(())
}

impl<'a> Credential<'a> {
    /// Validates and wraps a secret id and key: empty values and values surrounded by
    /// whitespace are refused, as the official SDKs do.
    pub fn new(secret_id: &'a str, secret_key: &'a str) -> Result<Self, InvalidCredential> {
        match check_trimmed(secret_id) {
            Err(true) => return Err(InvalidCredential::EmptySecretId),
            Err(false) => return Err(InvalidCredential::SecretIdWhitespace),
            Ok(()) => {}
        }
        match check_trimmed(secret_key) {
            Err(true) => return Err(InvalidCredential::EmptySecretKey),
            Err(false) => return Err(InvalidCredential::SecretKeyWhitespace),
            Ok(()) => {}
        }
        if has_control(secret_id) {
            return Err(InvalidCredential::ControlCharacter);
        }
        Ok(Self { secret_id, secret_key, token: None })
    }

    /// Adds a session token (temporary credentials); an empty token means none.
    pub fn with_token(mut self, token: &'a str) -> Result<Self, InvalidCredential> {
        if has_control(token) {
            return Err(InvalidCredential::ControlCharacter);
        }
        self.token = if token.is_empty() { None } else { Some(token) };
        Ok(self)
    }

    /// The secret id (not secret: it is sent in the `Authorization` header).
    pub fn secret_id(&self) -> &'a str {
        self.secret_id
    }

    /// The secret key. Handle with care: never log it.
    pub fn secret_key(&self) -> &'a str {
        self.secret_key
    }

    /// The session token, if any.
    pub fn token(&self) -> Option<&'a str> {
        self.token
    }
}

impl fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_matches_official_sdk() {
        assert_eq!(Credential::new("", "k").unwrap_err(), InvalidCredential::EmptySecretId);
        assert_eq!(Credential::new("  ", "k").unwrap_err(), InvalidCredential::EmptySecretId);
        assert_eq!(Credential::new("id ", "k").unwrap_err(), InvalidCredential::SecretIdWhitespace);
        assert_eq!(Credential::new("id", "").unwrap_err(), InvalidCredential::EmptySecretKey);
        assert_eq!(Credential::new("id", "\tk").unwrap_err(), InvalidCredential::SecretKeyWhitespace);
        assert_eq!(Credential::new("i\x01d", "k").unwrap_err(), InvalidCredential::ControlCharacter);
        let c = Credential::new("id", "k").unwrap();
        assert_eq!(c.with_token("a\r\nb").unwrap_err(), InvalidCredential::ControlCharacter);
        assert_eq!(c.with_token("").unwrap().token(), None);
    }

    #[test]
    fn whitespace_is_unicode_white_space() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(is_space(c), c.is_whitespace(), "{:#x}", u32::from(c));
        }
        for s in ["", " ", "a", " a", "a\u{3000}", "\u{85}", "a b", "\u{2000}a\u{2000}", "é", "\u{200b}"] {
            let want = if s.trim().is_empty() {
                Err(true)
            } else if s.trim() != s {
                Err(false)
            } else {
                Ok(())
            };
            assert_eq!(check_trimmed(s), want, "{s:?}");
        }
    }
}
