//! `tcloud`: call any action of any Tencent Cloud service as `tccli` does (parameters checked
//! against the API schema first), call any API 3.0 action as raw JSON, print the exact signed
//! request bytes without sending, or run the local API emulator.
//!
//! Credentials come from the default chain (environment, profile file, CVM instance
//! role, TKE OIDC), or `--profile NAME`, or `--use-instance-role`; with `--role-arn`
//! and `--role-session-name` a role is assumed with them first.
//!
//! ```text
//! tcloud services
//! tcloud cvm                                    # the actions of the latest version
//! tcloud cvm DescribeInstances --help           # the parameters
//! tcloud cvm DescribeInstances --Limit 1 --region ap-guangzhou --filter 'InstanceSet[].InstanceId'
//! tcloud completions bash > /etc/bash_completion.d/tcloud
//! tcloud call cvm 2017-03-12 DescribeInstances '{"Limit":1}' --region ap-guangzhou
//! tcloud call cvm 2017-03-12 DescribeInstances --profile dev
//! tcloud call cvm 2017-03-12 DescribeInstances --role-arn qcs::cam::uin/1:roleName/r --role-session-name me
//! tcloud call cvm 2017-03-12 DescribeInstances --use-instance-role
//! tcloud sign cvm 2017-03-12 DescribeInstances '{"Limit":1}' --timestamp 1551113065
//! tcloud mock --port 8080 --key AKIDLOCAL:secret --state ./cloud --seed resources.json
//! tcloud mock --proxy --port 4566      # HTTPS_PROXY=http://127.0.0.1:4566, trust the printed CA
//! ```

mod call;
mod complete;
mod config;
mod credentials;
mod exec;
mod output;
mod paging;
mod request_args;
mod service;
mod skeleton;
mod tccli;
mod unfold;
mod waiter;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use tencentcloud_core::Signer;
use tencentcloud_transport_std::Credentials;

use credentials::CredentialArgs;
use output::OutputArgs;
use request_args::RequestArgs;

#[derive(Debug, Parser)]
#[command(
    name = "tcloud",
    version,
    about = "Call, sign and mock Tencent Cloud API 3.0 requests",
    after_help = "Any service as tccli takes it: `tcloud <service> <Action> --Param value ...`; `tcloud <service>` lists its actions."
)]
struct Cli {
    /// Log what is sent and received (secrets redacted), with timings and retries; `RUST_LOG`
    /// also works (e.g. `RUST_LOG=tencentcloud=trace`).
    #[arg(long, global = true)]
    debug: bool,
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
        #[command(flatten)]
        output: OutputArgs,
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
    /// Run the local API emulator (verifies signatures, validates and answers every action of every
    /// service; resources live from create to delete).
    Mock {
        /// Port on 127.0.0.1 (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Accepted key `SECRET_ID:SECRET_KEY` (repeatable; default: the built-in test key).
        #[arg(long = "key", value_name = "ID:SECRET")]
        keys: Vec<String>,
        /// Serve HTTPS with a certificate issued by the emulator's CA (see --ca-dir).
        #[arg(long)]
        tls: bool,
        /// The chain TLS serves: `p256` (the emulator's P-256 CA signs the leaf), `rsa` (shaped
        /// like the real endpoint's: RSA-2048 leaf <- RSA-4096 intermediate <- RSA-2048 root,
        /// `rsa-root.pem` in the CA directory), `rsa-cross` (`rsa` with the root cross-signed by
        /// an older root, `rsa-old-root.pem`: trust either). RSA keys are generated once and kept.
        #[arg(long, value_name = "CHAIN", default_value = "p256", value_parser = ["p256", "rsa", "rsa-cross"])]
        tls_chain: String,
        /// Also be an HTTP proxy for the real endpoint names (`HTTPS_PROXY=http://127.0.0.1:PORT`):
        /// `*.tencentcloudapi.com` answered with certificates from the emulator's CA, anything
        /// else refused (403), nothing forwarded.
        #[arg(long)]
        proxy: bool,
        /// The proxy on a port of its own (default: the endpoint's port; with --tls any free port).
        #[arg(long, value_name = "PORT", requires = "proxy")]
        proxy_port: Option<u16>,
        /// Keep the CA in DIR: `ca.pem` (trust this) and `ca.key`, reused at every start
        /// [default: $XDG_DATA_HOME/tcloud/mock-ca, else ~/.local/share/tcloud/mock-ca].
        #[arg(long, value_name = "DIR")]
        ca_dir: Option<std::path::PathBuf>,
        /// Answer `RequestLimitExceeded` past N requests a second per action (20 when no N is given).
        #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "20")]
        rate_limit: Option<u32>,
        /// Wait this many milliseconds before answering each request.
        #[arg(long, value_name = "MS", default_value_t = 0)]
        latency_ms: u64,
        /// Keep the resources in DIR: reloaded at start, every change on disk before it is answered.
        #[arg(long, value_name = "DIR")]
        state: Option<std::path::PathBuf>,
        /// Resources to start with when the state is empty: JSON `{"<service>": {"<Kind>": [{...}]}}`.
        #[arg(long, value_name = "FILE")]
        seed: Option<std::path::PathBuf>,
        /// How long a CVM instance stays PENDING (and STOPPING, STARTING, REBOOTING), in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 0)]
        instance_boot_ms: u64,
        /// Remember nothing: documented examples and synthesized answers only (CVM instances aside).
        #[arg(long, conflicts_with_all = ["state", "seed"])]
        stateless: bool,
    },
    /// tccli's configuration, in its files (`~/.tccli/<profile>.configure`, `.credential`):
    /// `set KEY VALUE ...`, `get KEY ...`, `list`, `remove`, `set-root-domain DOMAIN`, or the
    /// questions (secretId, secretKey, region, output); `--profile NAME`.
    Configure {
        /// The subcommand and its words.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// List the services (and their API versions).
    Services,
    /// Print a shell completion script (bash, zsh or fish).
    Completions {
        /// The shell.
        #[arg(value_parser = ["bash", "zsh", "fish"])]
        shell: String,
    },
    /// Completion candidates for the words typed so far (used by the completion scripts).
    #[command(name = "__complete", hide = true)]
    Complete {
        /// The words after `tcloud`, the last one being completed.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        words: Vec<String>,
    },
    /// Any service: `tcloud <service> [<Action>] [--Param value ...]`.
    #[command(external_subcommand)]
    Service(Vec<String>),
}

/// Installs a tracing subscriber on stderr when `--debug` is given or `RUST_LOG` is set.
pub(crate) fn init_tracing(debug: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::new(spec),
        _ if debug => EnvFilter::new("tencentcloud=debug,tencentcloud_transport_std=debug,tencentcloud_core=debug"),
        _ => return,
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .try_init();
}

fn services() {
    for e in tencentcloud_schema::services() {
        println!("{:<16} {}", e.name(), e.versions().join(" "));
    }
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

/// `tcloud mock`'s options.
struct MockArgs<'a> {
    port: u16,
    keys: &'a [String],
    tls: bool,
    tls_chain: &'a str,
    proxy: bool,
    proxy_port: Option<u16>,
    ca_dir: Option<&'a std::path::Path>,
    rate_limit: Option<u32>,
    latency_ms: u64,
    state: Option<&'a std::path::Path>,
    seed: Option<&'a std::path::Path>,
    stateless: bool,
    instance_boot_ms: u64,
}

fn mock(args: MockArgs<'_>) -> Result<(), String> {
    use tencentcloud_emulator::{Emulator, default_test_key};
    let MockArgs {
        port,
        keys,
        tls,
        tls_chain,
        proxy,
        proxy_port,
        ca_dir,
        rate_limit,
        latency_ms,
        state,
        seed,
        stateless,
        instance_boot_ms,
    } = args;
    let chain = tencentcloud_emulator::TlsChain::from_name(tls_chain)
        .ok_or_else(|| format!("--tls-chain {tls_chain:?}: expected p256, rsa or rsa-cross"))?;
    if chain != tencentcloud_emulator::TlsChain::P256 && !tls && !proxy {
        return Err(format!("--tls-chain {tls_chain} needs --tls or --proxy"));
    }
    let mut builder = Emulator::builder()
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .latency(std::time::Duration::from_millis(latency_ms))
        .resources(!stateless)
        .instance_boot(std::time::Duration::from_millis(instance_boot_ms));
    if let Some(dir) = state {
        builder = builder.state_dir(dir);
    }
    if let Some(file) = seed {
        let text = std::fs::read(file).map_err(|e| format!("seed {}: {e}", file.display()))?;
        let doc = serde_json::from_slice(&text).map_err(|e| format!("seed {}: not JSON: {e}", file.display()))?;
        builder = builder.seed(doc);
    }
    if let Some(n) = rate_limit {
        builder = builder.rate_limit(n);
    }
    for key in keys {
        let (id, secret) = key.split_once(':').ok_or_else(|| format!("key {key:?}: expected ID:SECRET"))?;
        builder = builder.key(id, secret);
    }
    if tls {
        builder = builder.tls();
    }
    builder = builder.tls_chain(chain);
    if proxy {
        builder = builder.proxy();
    }
    if let Some(p) = proxy_port {
        builder = builder.proxy_bind(std::net::SocketAddr::from(([127, 0, 0, 1], p)));
    }
    if tls || proxy {
        builder = builder.ca_dir(ca_dir.map_or_else(default_ca_dir, std::path::Path::to_path_buf));
    }
    tencentcloud_emulator::run_blocking(builder, |emu| {
        println!("emulator listening on {}", emu.endpoint());
        if let Some(dir) = state {
            println!(
                "state in {} ({} resources); POST /emulator/reset forgets them",
                dir.display(),
                emu.resource_count()
            );
        }
        if keys.is_empty() {
            let (id, secret) = default_test_key();
            println!("accepting TENCENTCLOUD_SECRET_ID={id} TENCENTCLOUD_SECRET_KEY={secret}");
        }
        if let Some(url) = emu.proxy_url() {
            println!("proxy: HTTPS_PROXY={url} (*.tencentcloudapi.com answered here, anything else refused)");
        }
        match chain {
            tencentcloud_emulator::TlsChain::P256 => {}
            tencentcloud_emulator::TlsChain::Rsa => {
                println!("TLS chain: rsa (leaf RSA-2048 <- intermediate RSA-4096 <- root RSA-2048)");
            }
            tencentcloud_emulator::TlsChain::RsaCross => println!(
                "TLS chain: rsa-cross (leaf RSA-2048 <- intermediate RSA-4096 <- root RSA-2048 <- old root RSA-2048: trust either root)"
            ),
        }
        if let Some(path) = emu.ca_path() {
            println!("CA certificate: {}", path.display());
        }
        if let Some(path) = emu.old_root_path() {
            println!("old root certificate: {}", path.display());
        }
        println!("press Ctrl-C to stop");
        let _ = std::io::stdout().flush();
    })
    .map_err(|e| format!("emulator: {e}"))
}

/// Where `tcloud mock` keeps its CA unless told: `$XDG_DATA_HOME/tcloud/mock-ca`, else
/// `~/.local/share/tcloud/mock-ca` (the temporary directory's `tcloud/mock-ca` without a home).
fn default_ca_dir() -> std::path::PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(std::path::PathBuf::from);
    non_empty("XDG_DATA_HOME")
        .or_else(|| non_empty("HOME").map(|home| home.join(".local").join("share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("tcloud")
        .join("mock-ca")
}

fn main() -> ExitCode {
    // tccli reads its options anywhere: `tcloud --region ap-guangzhou cvm ...` as well.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match args.iter().map(|a| a.to_str().map(str::to_owned)).collect::<Option<Vec<String>>>() {
        Some(text) => {
            let commands = [&complete::COMMANDS[..], &["help", "__complete"]].concat();
            Cli::parse_from(service::tccli_order(text, &commands))
        }
        None => Cli::parse_from(args),
    };
    init_tracing(cli.debug);
    let result = match &cli.command {
        Command::Sign { request, credentials, timestamp } => sign(request, credentials, *timestamp)
            .and_then(|bytes| std::io::stdout().write_all(&bytes).map_err(|e| format!("cannot write to stdout: {e}"))),
        Command::Mock {
            port,
            keys,
            tls,
            tls_chain,
            proxy,
            proxy_port,
            ca_dir,
            rate_limit,
            latency_ms,
            state,
            seed,
            instance_boot_ms,
            stateless,
        } => mock(MockArgs {
            port: *port,
            keys,
            tls: *tls,
            tls_chain,
            proxy: *proxy,
            proxy_port: *proxy_port,
            ca_dir: ca_dir.as_deref(),
            rate_limit: *rate_limit,
            latency_ms: *latency_ms,
            state: state.as_deref(),
            seed: seed.as_deref(),
            stateless: *stateless,
            instance_boot_ms: *instance_boot_ms,
        }),
        Command::Call { request, credentials, retries, timeout, ca_file, output } => {
            if let Err(e) = output.check() {
                eprintln!("tcloud: {e}");
                return ExitCode::from(2);
            }
            return call::run(request, credentials, *retries, *timeout, ca_file.as_deref(), output, None);
        }
        Command::Configure { args } => config::configure(args),
        Command::Services => {
            services();
            Ok(())
        }
        Command::Completions { shell } => complete::script(shell).map(|s| print!("{s}")),
        Command::Complete { words } => {
            complete::candidates(words).iter().for_each(|c| println!("{c}"));
            Ok(())
        }
        Command::Service(args) => return service::run(args, cli.debug),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tcloud: {message}");
            ExitCode::from(2)
        }
    }
}
