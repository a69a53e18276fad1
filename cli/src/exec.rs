//! How a service command is sent: the client its settings make (endpoint, method, timeout,
//! proxy, language, request client, credentials) and the call itself.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tencentcloud_transport_std::{
    CallOptions, Client, ClientProfile, CredentialProvider, Error, ErrorKind, HttpMethod, HttpProfile, ProxyConfig,
    RetryPolicy,
};

/// Everything a service command sends, settled.
pub struct Plan {
    /// Schema service name (`as`).
    pub service: String,
    /// API version.
    pub version: String,
    /// Action.
    pub action: String,
    /// The parameters (a JSON object).
    pub params: Value,
    /// `X-TC-Region`, if any.
    pub region: Option<String>,
    /// An explicit endpoint (URL or host).
    pub endpoint: Option<String>,
    /// POST or GET.
    pub method: HttpMethod,
    /// `X-TC-Language`.
    pub language: Option<tencentcloud_core::Language>,
    /// `X-TC-RequestClient`, when not the default.
    pub request_client: Option<String>,
    /// `--https-proxy`.
    pub https_proxy: Option<String>,
    /// Time limit of one request.
    pub timeout: Duration,
    /// Retries of rate limits and safe failures.
    pub retries: u32,
    /// Extra CA certificate.
    pub ca_file: Option<PathBuf>,
    /// Where the credentials come from.
    pub credentials: Arc<dyn CredentialProvider>,
}

/// `tcloud_<version>;<tag>`: what `--request-client TAG` (or the profile's `request-client`)
/// sends in `X-TC-RequestClient`; the tag as tccli takes it: `^[0-9a-zA-Z-_,.]+$`, at most 128.
pub fn request_client(tag: &str) -> Result<String, String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b',' | b'.'));
    if !ok {
        return Err(format!(
            "`--request-client` {tag:?}: letters, digits and `-_,.` only (^[0-9a-zA-Z-_,.]+$), at most 128 characters"
        ));
    }
    Ok(format!("tcloud_{};{tag}", env!("CARGO_PKG_VERSION")))
}

/// `--https-proxy`: a URL, or `host:port` (HTTP proxy) as Python's `requests` takes it.
pub fn proxy_url(text: &str) -> String {
    if text.contains("://") { text.to_owned() } else { format!("http://{text}") }
}

impl Plan {
    /// The client these settings make.
    pub fn client(&self) -> Result<Client, Error> {
        let mut http = HttpProfile::new().timeout(self.timeout).method(self.method);
        if let Some(endpoint) = &self.endpoint {
            http = http.endpoint(endpoint.clone());
        }
        if let Some(path) = &self.ca_file {
            http = http.ca_file(path);
        }
        if let Some(proxy) = &self.https_proxy {
            http = http.proxy(ProxyConfig::url(&proxy_url(proxy))?);
        }
        let mut profile = ClientProfile::new().http_profile(http);
        if let Some(language) = self.language {
            profile = profile.language(language);
        }
        if let Some(tag) = &self.request_client {
            profile = profile.request_client(Some(tag.clone()));
        }
        if self.retries > 0 {
            profile = profile.retry(RetryPolicy::standard(self.retries + 1));
        }
        let mut builder = Client::builder().credential_provider(Arc::clone(&self.credentials)).profile(profile);
        if let Some(region) = &self.region {
            builder = builder.region(region.clone());
        }
        builder.build()
    }

    /// One call with `params`.
    pub async fn call(&self, client: &Client, params: Value) -> Result<Value, Error> {
        client.call_json_with(&self.service, &self.version, &self.action, params, &CallOptions::new()).await
    }
}

/// Writes `text` to stdout; a reader that went away (`| head`) ends nothing in a panic.
pub fn print(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A current-thread runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

/// Prints a failed call (its first line; API errors with their code and request id) and
/// returns its exit code: 1 the API refused, 2 local settings or credentials, 3 the network.
pub fn report(e: &Error, hint: Option<&str>) -> ExitCode {
    let code = match e.kind() {
        ErrorKind::Api { .. } => 1,
        ErrorKind::Credential { .. } | ErrorKind::Configuration => 2,
        _ => 3,
    };
    let message = e.to_string();
    eprintln!("{}", message.lines().next().unwrap_or(&message));
    if let Some(hint) = hint.filter(|_| code == 1) {
        eprintln!("{hint}");
    }
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_client_as_tccli_takes_it() {
        assert_eq!(
            request_client("my-client_1,2.3").unwrap(),
            concat!("tcloud_", env!("CARGO_PKG_VERSION"), ";my-client_1,2.3")
        );
        for bad in ["", "a b", "a\r\nX-Evil: 1", "a;b", &"x".repeat(129)] {
            assert!(request_client(bad).is_err(), "{bad:?}");
        }
        assert_eq!(proxy_url("127.0.0.1:3128"), "http://127.0.0.1:3128");
        assert_eq!(proxy_url("https://p:1"), "https://p:1");
    }
}
