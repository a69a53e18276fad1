//! [`redact`]: Debug output of secret fields (passwords, keys, tokens) without their value.
use core::fmt;

/// Shows whether an optional secret is set, never its value:
/// `Some(<redacted>)` or `None`.
///
/// ```
/// let password = Some(String::from("hunter2"));
/// assert_eq!(format!("{:?}", tencentcloud_runtime::redact(&password)), "Some(<redacted>)");
/// assert_eq!(format!("{:?}", tencentcloud_runtime::redact::<String>(&None)), "None");
/// ```
pub fn redact<T>(v: &Option<T>) -> Redacted {
    Redacted(v.is_some())
}

/// See [`redact`].
#[derive(Clone, Copy)]
pub struct Redacted(bool);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "Some(<redacted>)" } else { "None" })
    }
}
