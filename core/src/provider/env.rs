//! The environment provider.

use alloc::format;
use alloc::string::String;

use zeroize::Zeroizing;

use super::{Credentials, ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN, Env, ProviderError};

/// `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and optional
/// `TENCENTCLOUD_SESSION_TOKEN`. Both unset (or empty) means not configured; one
/// without the other, or an invalid value, is an error.
///
/// ```
/// use tencentcloud_core::provider::{Env, environment};
///
/// assert!(environment(&Env::from_slice(&[])).unwrap_err().is_not_configured());
/// let env = Env::from_slice(&[("TENCENTCLOUD_SECRET_ID", "AKID1"), ("TENCENTCLOUD_SECRET_KEY", "k")]);
/// assert_eq!(environment(&env)?.secret_id(), "AKID1");
/// # Ok::<(), tencentcloud_core::provider::ProviderError>(())
/// ```
pub fn environment(env: &Env) -> Result<Credentials, ProviderError> {
    // Wrapped so the values read (the key above all) are wiped once copied.
    let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(Zeroizing::new);
    match (get(ENV_SECRET_ID), get(ENV_SECRET_KEY)) {
        (None, None) => Err(ProviderError::NotConfigured(format!("{ENV_SECRET_ID} and {ENV_SECRET_KEY} are not set"))),
        (Some(_), None) => Err(ProviderError::Invalid(format!("{ENV_SECRET_ID} is set but {ENV_SECRET_KEY} is not"))),
        (None, Some(_)) => Err(ProviderError::Invalid(format!("{ENV_SECRET_KEY} is set but {ENV_SECRET_ID} is not"))),
        (Some(id), Some(key)) => Credentials::checked(&id, &key, get(ENV_SESSION_TOKEN).as_deref().map(String::as_str))
            .map_err(|e| ProviderError::Invalid(format!("environment credentials: {e}"))),
    }
}
