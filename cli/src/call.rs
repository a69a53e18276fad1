//! `tcloud call`: one API call through the async client.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use tencentcloud_transport_std::{CallOptions, Client, ClientProfile, ErrorKind, HttpProfile, RetryPolicy};

use crate::credentials::CredentialArgs;
use crate::output::OutputArgs;
use crate::request_args::RequestArgs;

/// Runs the call; prints the `Response` (filtered and formatted) on stdout, or the error on stderr
/// (followed by `hint`, when given).
pub fn run(
    request: &RequestArgs,
    credentials: &CredentialArgs,
    retries: u32,
    timeout: u64,
    ca_file: Option<&Path>,
    output: &OutputArgs,
    hint: Option<&str>,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}"), 2),
    };
    match runtime.block_on(call(request, credentials, retries, timeout, ca_file)) {
        Ok(response) => match output.render(&response) {
            Ok(text) => {
                crate::exec::print(&format!("{text}\n"));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, 2),
        },
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::Api { .. } => 1,
                ErrorKind::Credential { .. } | ErrorKind::Configuration => 2,
                _ => 3,
            };
            let exit = fail(&e.to_string(), code);
            if let Some(hint) = hint {
                eprintln!("{hint}");
            }
            exit
        }
    }
}

fn fail(message: &str, code: u8) -> ExitCode {
    eprintln!("{}", message.lines().next().unwrap_or(message));
    ExitCode::from(code)
}

async fn call(
    request: &RequestArgs,
    credentials: &CredentialArgs,
    retries: u32,
    timeout: u64,
    ca_file: Option<&Path>,
) -> Result<serde_json::Value, tencentcloud_transport_std::Error> {
    let parsed = request.parse().map_err(tencentcloud_transport_std::Error::configuration)?;
    let mut http = HttpProfile::new().timeout(Duration::from_secs(timeout)).method(request.method.into());
    if let Some(endpoint) = &parsed.endpoint {
        http = http.endpoint(endpoint.url());
    }
    if let Some(path) = ca_file {
        http = http.ca_file(path);
    }
    let mut profile = ClientProfile::new()
        .http_profile(http)
        .unsigned_payload(request.unsigned_payload)
        .sign_headers(request.sign_headers.iter().cloned());
    if let Some(language) = request.language {
        profile = profile.language(language.into());
    }
    if retries > 0 {
        profile = profile.retry(RetryPolicy::standard(retries + 1));
    }
    let provider = credentials.provider(request.region.as_deref(), ca_file)?;
    let mut builder = Client::builder().credential_provider(provider).profile(profile);
    if let Some(region) = &request.region {
        builder = builder.region(region.clone());
    }
    let client = builder.build()?;
    let opts = parsed.headers.into_iter().fold(CallOptions::new(), |opts, (k, v)| opts.header(k, v));
    client.call_json_with(&request.service, &request.version, &request.action, parsed.params, &opts).await
}
