//! `tcloud`: call any Tencent Cloud API 3.0 action, print the exact signed request
//! bytes without sending, or run the local API emulator.
//!
//! ```text
//! tcloud call cvm 2017-03-12 DescribeInstances '{"Limit":1}' --region ap-guangzhou
//! tcloud sign cvm 2017-03-12 DescribeInstances '{"Limit":1}' --timestamp 1551113065
//! tcloud mock --port 8080 --key AKIDLOCAL:secret
//! ```

mod request_args;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use tencentcloud_core::{Credential, Signer};

use request_args::RequestArgs;

#[derive(Debug, Parser)]
#[command(name = "tcloud", version, about = "Call, sign and mock Tencent Cloud API 3.0 requests")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the exact HTTP/1.1 request bytes (signed), without sending them.
    Sign {
        #[command(flatten)]
        request: RequestArgs,
        /// Unix time to sign at (default: now).
        #[arg(long)]
        timestamp: Option<u64>,
    },
}

/// Credentials from the environment (`TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`,
/// optional `TENCENTCLOUD_SESSION_TOKEN`).
fn env_credentials() -> Result<(String, String, Option<String>), String> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (get("TENCENTCLOUD_SECRET_ID"), get("TENCENTCLOUD_SECRET_KEY")) {
        (Some(id), Some(key)) => Ok((id, key, get("TENCENTCLOUD_SESSION_TOKEN"))),
        _ => Err("no credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY".into()),
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn sign(request: &RequestArgs, timestamp: Option<u64>) -> Result<Vec<u8>, String> {
    let prepared = request.prepare()?;
    let (id, key, token) = env_credentials()?;
    let mut cred = Credential::new(&id, &key).map_err(|e| e.to_string())?;
    if let Some(token) = &token {
        cred = cred.with_token(token).map_err(|e| e.to_string())?;
    }
    let headers: Vec<(&str, &str)> = prepared.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let signed_names: Vec<&str> = request.sign_headers.iter().map(String::as_str).collect();
    let req = request.request(&prepared, &headers, &signed_names);
    let signed = Signer::new().sign(&req, &cred, timestamp.unwrap_or_else(now)).map_err(|e| e.to_string())?;
    let mut out = vec![0u8; signed.http1_len()];
    let n = signed.write_http1(&mut out).map_err(|e| e.to_string())?;
    out.truncate(n);
    Ok(out)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Sign { request, timestamp } => sign(request, *timestamp)
            .and_then(|bytes| std::io::stdout().write_all(&bytes).map_err(|e| format!("cannot write to stdout: {e}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tcloud: {message}");
            ExitCode::from(2)
        }
    }
}
