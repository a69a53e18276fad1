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

/// `X-TC-RequestClient` when none is set (transport-std's default tag).
const DEFAULT_REQUEST_CLIENT: &str = concat!("SDK_RUST_", env!("CARGO_PKG_VERSION"));

impl Plan {
    /// `--dry-run`: the request as it would be signed and sent at `timestamp`, as HTTP/1.1
    /// text, with the SecretId, the signature and the token masked (tccli's mask: 16 asterisks
    /// and the last four characters). Nothing is sent (but the credentials are fetched: a role
    /// asks STS for them).
    pub async fn dry_run(&self, timestamp: u64) -> Result<String, Error> {
        use tencentcloud_core::request::Body;
        let creds = self.credentials.credential().await?;
        let cred = creds.credential().map_err(|e| Error::configuration(e.to_string()))?;
        let json = serde_json::to_string(&self.params).map_err(|e| Error::configuration(e.to_string()))?;
        let query = tencentcloud_core::query::flatten_json(&self.params);
        let body = match self.method {
            HttpMethod::Get => Body::Query(&query),
            HttpMethod::Post => Body::Json(json.as_bytes()),
        };
        let endpoint = self
            .endpoint
            .as_deref()
            .map(crate::request_args::Endpoint::parse)
            .transpose()
            .map_err(Error::configuration)?;
        let mut req = tencentcloud_core::Request::new(&self.service, &self.version, &self.action, body)
            .request_client(self.request_client.as_deref().unwrap_or(DEFAULT_REQUEST_CLIENT));
        if let Some(ep) = &endpoint {
            req = req.host(&ep.authority);
        }
        if let Some(region) = &self.region {
            req = req.region(region);
        }
        if let Some(language) = self.language {
            req = req.language(language);
        }
        let signed = tencentcloud_core::Signer::<1>::new()
            .sign(&req, &cred, timestamp)
            .map_err(|e| Error::configuration(e.to_string()))?;
        let mut bytes = vec![0u8; signed.http1_len()];
        let n = signed.write_http1(&mut bytes).map_err(|e| Error::configuration(e.to_string()))?;
        bytes.truncate(n);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let scheme = endpoint.map_or_else(|| "https".to_owned(), |e| e.scheme);
        Ok(format!("# {scheme}: not sent (--dry-run); SecretId, signature and token masked\n{}", mask_request(&text)))
    }
}

/// The request text with the SecretId and signature of `Authorization` and the `X-TC-Token`
/// masked.
pub fn mask_request(text: &str) -> String {
    let mask = crate::tccli::mask_secret;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive("\r\n") {
        let (name, rest) = line.split_once(':').unwrap_or((line, ""));
        if name.eq_ignore_ascii_case("authorization") {
            let mut masked = String::new();
            for (i, part) in rest.split(", ").enumerate() {
                if i > 0 {
                    masked.push_str(", ");
                }
                if let Some((head, cred)) = part.split_once("Credential=") {
                    let (id, scope) = cred.split_once('/').unwrap_or((cred, ""));
                    masked.push_str(&format!("{head}Credential={}/{scope}", mask(id)));
                } else if let Some(sig) = part.strip_prefix("Signature=") {
                    let end = sig.trim_end_matches("\r\n");
                    masked.push_str(&format!("Signature={}{}", mask(end), &sig[end.len()..]));
                } else {
                    masked.push_str(part);
                }
            }
            out.push_str(&format!("{name}:{masked}"));
        } else if name.eq_ignore_ascii_case("x-tc-token") {
            let value = rest.trim();
            out.push_str(&format!("{name}: {}\r\n", mask(value)));
        } else {
            out.push_str(line);
        }
    }
    out.replace("\r\n", "\n")
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
    fn dry_run_masks_the_secrets() {
        let text = "POST / HTTP/1.1\r\nAuthorization: TC3-HMAC-SHA256 Credential=AKIDEXAMPLE1234/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=abcdef0123456789\r\nX-TC-Token: tok-secret-9999\r\nHost: cvm.tencentcloudapi.com\r\n\r\n{}";
        let masked = mask_request(text);
        assert!(masked.contains("Credential=****************1234/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=****************6789\n"), "{masked}");
        assert!(masked.contains("X-TC-Token: ****************9999\n"), "{masked}");
        assert!(!masked.contains("AKIDEXAMPLE") && !masked.contains("tok-secret") && !masked.contains("abcdef"));
        assert!(masked.ends_with("Host: cvm.tencentcloudapi.com\n\n{}"));
    }

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
