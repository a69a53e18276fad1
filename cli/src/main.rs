//! `tcloud`: call any Tencent Cloud API 3.0 action, print the exact signed request
//! bytes without sending, or run the local API emulator.
//!
//! Credentials come from the default chain (environment, profile file, CVM instance
//! role, TKE OIDC), or `--profile NAME`, or `--use-instance-role`; with `--role-arn`
//! and `--role-session-name` a role is assumed with them first.
//!
//! ```text
//! tcloud call cvm 2017-03-12 DescribeInstances '{"Limit":1}' --region ap-guangzhou
//! tcloud call cvm 2017-03-12 DescribeInstances --profile dev
//! tcloud call cvm 2017-03-12 DescribeInstances --role-arn qcs::cam::uin/1:roleName/r --role-session-name me
//! tcloud call cvm 2017-03-12 DescribeInstances --use-instance-role
//! tcloud sign cvm 2017-03-12 DescribeInstances '{"Limit":1}' --timestamp 1551113065
//! tcloud mock --port 8080 --key AKIDLOCAL:secret
//! ```

mod call;
mod credentials;
mod request_args;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use tencentcloud_core::Signer;
use tencentcloud_transport_std::Credentials;

use credentials::CredentialArgs;
use request_args::RequestArgs;

#[derive(Debug, Parser)]
#[command(name = "tcloud", version, about = "Call, sign and mock Tencent Cloud API 3.0 requests")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Call an action and print the `Response` object as JSON.
    Call {
        #[command(flatten)]
        request: RequestArgs,
        #[command(flatten)]
        credentials: CredentialArgs,
        /// Retry rate limits and safe failures up to N times.
        #[arg(long, default_value_t = 0)]
        retries: u32,
        /// Total time limit of the call, in seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// Trust this PEM CA certificate (e.g. a private gateway or `tcloud mock --tls`).
        #[arg(long)]
        ca_file: Option<std::path::PathBuf>,
    },
    /// Print the exact HTTP/1.1 request bytes (signed), without sending them.
    Sign {
        #[command(flatten)]
        request: RequestArgs,
        #[command(flatten)]
        credentials: CredentialArgs,
        /// Unix time to sign at (default: now).
        #[arg(long)]
        timestamp: Option<u64>,
    },
    /// Run the local API emulator (verifies signatures, answers canned actions).
    Mock {
        /// Port on 127.0.0.1 (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Accepted key `SECRET_ID:SECRET_KEY` (repeatable; default: the built-in test key).
        #[arg(long = "key", value_name = "ID:SECRET")]
        keys: Vec<String>,
        /// Serve HTTPS with a generated certificate (its CA is written next to the address).
        #[arg(long)]
        tls: bool,
    },
}

/// The credentials the flags describe (the default chain unless told otherwise).
fn resolve_credentials(request: &RequestArgs, credentials: &CredentialArgs) -> Result<Credentials, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let provider = credentials.provider(request.region.as_deref(), None).map_err(|e| e.to_string())?;
        provider.credential().await.map_err(|e| e.to_string())
    })
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn sign(request: &RequestArgs, credentials: &CredentialArgs, timestamp: Option<u64>) -> Result<Vec<u8>, String> {
    let parsed = request.parse()?;
    let creds = resolve_credentials(request, credentials)?;
    let cred = creds.credential().map_err(|e| e.to_string())?;
    let headers: Vec<(&str, &str)> = parsed.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let signed_names: Vec<&str> = request.sign_headers.iter().map(String::as_str).collect();
    let req = request.request(&parsed, &headers, &signed_names);
    let signed = Signer::<1>::new().sign(&req, &cred, timestamp.unwrap_or_else(now)).map_err(|e| e.to_string())?;
    let mut out = vec![0u8; signed.http1_len()];
    let n = signed.write_http1(&mut out).map_err(|e| e.to_string())?;
    out.truncate(n);
    Ok(out)
}

fn mock(port: u16, keys: &[String], tls: bool) -> Result<(), String> {
    use tencentcloud_emulator::{Emulator, default_test_key};
    let mut builder = Emulator::builder().bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    for key in keys {
        let (id, secret) = key.split_once(':').ok_or_else(|| format!("key {key:?}: expected ID:SECRET"))?;
        builder = builder.key(id, secret);
    }
    if tls {
        builder = builder.tls();
    }
    tencentcloud_emulator::run_blocking(builder, |emu| {
        println!("emulator listening on {}", emu.endpoint());
        if keys.is_empty() {
            let (id, secret) = default_test_key();
            println!("accepting TENCENTCLOUD_SECRET_ID={id} TENCENTCLOUD_SECRET_KEY={secret}");
        }
        if let Some(pem) = emu.ca_pem() {
            let path = std::env::temp_dir().join(format!("tcloud-mock-ca-{}.pem", emu.addr().port()));
            match std::fs::write(&path, pem) {
                Ok(()) => println!("CA certificate: {}", path.display()),
                Err(e) => eprintln!("tcloud: cannot write the CA certificate: {e}"),
            }
        }
        println!("press Ctrl-C to stop");
        let _ = std::io::stdout().flush();
    })
    .map_err(|e| format!("emulator: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Sign { request, credentials, timestamp } => sign(request, credentials, *timestamp)
            .and_then(|bytes| std::io::stdout().write_all(&bytes).map_err(|e| format!("cannot write to stdout: {e}"))),
        Command::Mock { port, keys, tls } => mock(*port, keys, *tls),
        Command::Call { request, credentials, retries, timeout, ca_file } => {
            return call::run(request, credentials, *retries, *timeout, ca_file.as_deref());
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tcloud: {message}");
            ExitCode::from(2)
        }
    }
}
