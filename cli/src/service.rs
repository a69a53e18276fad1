//! `tcloud <service> [<Action>] [--Param value ...]`: any action of any service, as `tccli` takes
//! it, checked against the schema before anything is signed.
//!
//! ```text
//! tcloud cvm                                   # the actions, one line each
//! tcloud cvm DescribeInstances help --detail   # the parameters, with types, docs and examples
//! tcloud cvm DescribeInstances --Limit 1 --Filters '[{"Name":"zone","Values":["ap-guangzhou-3"]}]'
//! tcloud cvm DescribeInstances --cli-unfold-argument --Filters.0.Name zone --Filters.0.Values ap-guangzhou-3
//! tcloud cvm DescribeInstances --InstanceIds ins-1 ins-2 --output table --filter 'InstanceSet[].InstanceId'
//! tcloud cvm DescribeInstances --generate-cli-skeleton > req.json
//! tcloud cvm DescribeInstances --cli-input-json file://req.json --version 2017-03-12
//! ```
//!
//! Parameters are the flags that start with an upper-case letter (`--Limit`); the others are
//! tcloud's own options, tccli's among them. A value is read as its declared type, as tccli reads
//! it (see `tccli.rs`): text for strings, numbers and booleans as tccli converts them, JSON for
//! objects and lists; a list also takes several values (`--InstanceIds a b`). Dotted names
//! (`--Filters.0.Name`) are tccli's `--cli-unfold-argument` form (see `unfold.rs`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use serde_json::{Map, Value};
use tencentcloud_schema::{ActionRef, Member, Scalar, Status, Type, Version};

use crate::config::Profile;
use crate::credentials::CredentialArgs;
use crate::exec::{self, Plan};
use crate::output::{Format, OutputArgs};
use crate::paging::{Pages, Paging};
use crate::request_args::{LanguageArg, MethodArg};
use crate::waiter::Waiter;
use crate::{skeleton, tccli, unfold};

/// `--generate-cli-skeleton [input|output]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SkeletonKind {
    /// The parameters, each with its type: a template for `--cli-input-json`.
    Input,
    /// The `Response` members, each with its type.
    Output,
}

/// tcloud's own options of a service command (tccli's among them).
#[derive(Debug, Parser)]
#[command(
    name = "tcloud",
    override_usage = "tcloud <service> <Action> [--Param value ...] [options]",
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct Options {
    /// API version (default: the profile's `<service>.version`, else tccli's default).
    #[arg(long)]
    version: Option<String>,
    /// Region, e.g. `ap-guangzhou` (default: TENCENTCLOUD_REGION, else the profile's `region`).
    #[arg(long)]
    region: Option<String>,
    /// Send to this host or URL instead of `<service>.tencentcloudapi.com` (default: the
    /// profile's `<service>.endpoint`).
    #[arg(long)]
    endpoint: Option<String>,
    /// HTTP method: POST (JSON body) or GET (flattened query).
    #[arg(long, value_enum, default_value_t = MethodArg::Post)]
    method: MethodArg,
    /// Language of error messages (default: the profile's `language`).
    #[arg(long, value_enum)]
    language: Option<LanguageArg>,
    /// Read the parameters from this JSON file: `file://PATH` as tccli writes it (a plain path
    /// works too); flags given too override its members.
    #[arg(long, value_name = "file://PATH")]
    cli_input_json: Option<String>,
    /// Parameters written with dots: `--Filters.0.Name zone --Filters.0.Values a b` (dotted
    /// names are read so without it too).
    #[arg(long)]
    cli_unfold_argument: bool,
    /// Print a JSON template of the parameters (`input`, the default; for `--cli-input-json`) or
    /// of the answer (`output`), and send nothing.
    #[arg(long, value_enum, value_name = "input|output", num_args = 0..=1, default_missing_value = "input")]
    generate_cli_skeleton: Option<SkeletonKind>,
    /// Also warn about deprecated actions (default: the profile's `warning`).
    #[arg(long)]
    warning: bool,
    /// With `help`: every parameter's documentation and the documented examples.
    #[arg(long)]
    detail: bool,
    /// Add this tag to `X-TC-RequestClient` (`^[0-9a-zA-Z-_,.]+$`; default: the profile's
    /// `request-client`).
    #[arg(long, value_name = "TAG")]
    request_client: Option<String>,
    /// Send through this HTTP proxy (`http://host:port` or `host:port`).
    #[arg(long, value_name = "URL")]
    https_proxy: Option<String>,
    /// Call again until a JMESPath expression over the answer reaches a value, as tccli does:
    /// `{"expr": "InstanceSet[0].InstanceState", "to": "RUNNING", "timeout": 180, "interval": 5}`
    /// (seconds; defaults: the profile's `waiter.timeout`/`waiter.interval`, else 180 and 5).
    #[arg(long, value_name = "JSON")]
    waiter: Option<String>,
    /// Follow the action's pagination (Offset/Limit, page numbers or NextToken) to the end and
    /// print one answer holding every page's items.
    #[arg(long, conflicts_with = "waiter")]
    page_all: bool,
    /// Print the signed request (SecretId, signature and token masked) and send nothing.
    #[arg(long, conflicts_with_all = ["waiter", "page_all"])]
    dry_run: bool,
    /// Retry rate limits and safe failures up to N times.
    #[arg(long, default_value_t = 0)]
    retries: u32,
    /// Time limit of each request, in seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Trust this PEM CA certificate.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Show the parameters of the action (or the actions of the service); `help` after the
    /// action too.
    #[arg(long, short = 'h')]
    help: bool,
    /// Log what is sent and received (secrets redacted), with timings and retries.
    #[arg(long)]
    debug: bool,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// `help` (tccli's way to ask for help after the action).
    #[arg(hide = true)]
    words: Vec<String>,
}

/// Names of tcloud's own options (for completion).
pub fn option_names() -> Vec<String> {
    use clap::CommandFactory;
    Options::command().get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect()
}

/// tccli's options that take a value (the others are switches): how `tcloud --region x cvm ...`
/// is read when they come before the service.
pub const TCCLI_VALUE_OPTIONS: [&str; 18] = [
    "--secretId",
    "--secretKey",
    "--token",
    "--role-arn",
    "--role-session-name",
    "--region",
    "--endpoint",
    "--version",
    "--language",
    "--filter",
    "--profile",
    "--timeout",
    "--output",
    "--https-proxy",
    "--cli-input-json",
    "--waiter",
    "--request-client",
    "--generate-cli-skeleton",
];

/// tccli's switches.
pub const TCCLI_SWITCHES: [&str; 4] = ["--use-cvm-role", "--cli-unfold-argument", "--warning", "--detail"];

/// tccli reads its options anywhere on the line (`tccli --region ap-guangzhou cvm ...`): moves
/// those given before the service to after it. `commands` are tcloud's own subcommands (left
/// alone but for `configure`, which takes `--profile`).
pub fn tccli_order(args: Vec<String>, commands: &[&str]) -> Vec<String> {
    let mut leading = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        let name = a.split_once('=').map_or(a, |(n, _)| n);
        if TCCLI_VALUE_OPTIONS.contains(&name) {
            let takes_next = !a.contains('=') && name != "--generate-cli-skeleton";
            let n = if takes_next { 2 } else { 1 };
            leading.extend(args[i..(i + n).min(args.len())].iter().cloned());
            i += n;
        } else if TCCLI_SWITCHES.contains(&a) {
            leading.push(args[i].clone());
            i += 1;
        } else {
            break;
        }
    }
    let Some(word) = args.get(i) else { return args };
    if leading.is_empty() || word.starts_with('-') || (commands.contains(&word.as_str()) && word != "configure") {
        return args;
    }
    let mut out = vec![args[0].clone()];
    out.extend(args[i..].iter().cloned());
    out.extend(leading);
    out
}

/// An error message and the exit code it ends with.
struct Fail(String);

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail(s)
    }
}

/// Runs `tcloud <args...>` where `args[0]` is a service name.
pub fn run(args: &[String], debug: bool) -> ExitCode {
    match run_inner(args, debug) {
        Ok(code) => code,
        Err(Fail(message)) => {
            eprintln!("tcloud: {message}");
            ExitCode::from(2)
        }
    }
}

/// A flag that names an API parameter (`--Limit`), not a tcloud option.
fn is_param_flag(arg: &str) -> bool {
    arg.strip_prefix("--").and_then(|n| n.chars().next()).is_some_and(|c| c.is_ascii_uppercase())
}

fn run_inner(args: &[String], debug: bool) -> Result<ExitCode, Fail> {
    let (svc_name, rest) = args.split_first().ok_or_else(|| "missing service".to_owned())?;
    let svc = tencentcloud_schema::service(tccli::service_name(svc_name))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("unknown service `{svc_name}` (`tcloud services` lists them)"))?;
    let (action_name, rest) = match rest.split_first() {
        Some((a, r)) if !a.starts_with('-') => (Some(a.as_str()), r),
        _ => (None, rest),
    };
    let (params, options) = split_params(rest)?;
    let opts = Options::try_parse_from(&options).map_err(|e| e.render().to_string().trim_end().to_owned())?;
    if opts.debug && !debug {
        crate::init_tracing(true);
    }
    let asks_help = match opts.words.as_slice() {
        [] => opts.help,
        [w] if w == "help" => true,
        words => return Err(format!("Unknown options: {}", words.join(", ")).into()),
    };
    let profile = Profile::load(opts.credentials.profile.as_deref())?;
    let version = service_version(svc, opts.version.as_deref(), &profile)?;
    let action_name = action_name.filter(|a| *a != "help");
    let Some(action_name) = action_name else {
        if !params.is_empty() {
            return Err(format!("missing action before `{}`", params[0].0).into());
        }
        exec::print(&action_list(&svc.name, &svc.title, version));
        return Ok(ExitCode::SUCCESS);
    };
    let action = version.action(action_name).ok_or_else(|| unknown_action(&svc.name, version, action_name))?;
    if asks_help {
        exec::print(&action_help(&svc.name, &action, opts.detail));
        return Ok(ExitCode::SUCCESS);
    }
    if (opts.warning || profile.setting("warning").as_deref() == Some("on")) && action.action.status != Status::Online {
        eprintln!(
            "tcloud: warning: {} {} is {}: {}",
            svc.name,
            action.name,
            status_word(action.action.status),
            action.action.doc
        );
    }
    if let Some(kind) = opts.generate_cli_skeleton {
        exec::print(&format!("{}\n", skeleton::skeleton(&action, kind)));
        return Ok(ExitCode::SUCCESS);
    }
    let mut body = match &opts.cli_input_json {
        Some(arg) => read_input_json(arg)?,
        None => Map::new(),
    };
    let prefix = |e: String| Fail(format!("{} {}: {e}", svc.name, action.name));
    if opts.cli_unfold_argument || params.iter().any(|(name, _)| name.contains('.')) {
        body.extend(unfold::build(action.version, action.input(), &params).map_err(prefix)?);
    } else {
        for (name, values) in &params {
            let member = action.input().iter().find(|m| m.name == *name).ok_or_else(|| {
                let accepted: Vec<&str> = action.input().iter().map(|m| m.name.as_str()).collect();
                format!("{} {}: unknown parameter `--{name}`; accepted: {}", svc.name, action.name, accepted.join(", "))
            })?;
            if values.is_empty() {
                return Err(format!("parameter `--{name}` needs a value").into());
            }
            body.insert(name.clone(), value_of(member, values).map_err(prefix)?);
        }
    }
    let body = tccli::without_nulls(Value::Object(body));
    let warnings = action.check(&body).map_err(|v| {
        format!("{} {}: {v} (`tcloud {} {} --help` lists the parameters)", svc.name, action.name, svc.name, action.name)
    })?;
    for w in &warnings {
        eprintln!("tcloud: warning: {} {}: {}", svc.name, action.name, documented_exception(w));
    }
    let mut output = opts.output.clone();
    if output.output.is_none() {
        output.output = match profile.setting("output") {
            Some(f) => Some(Format::from_str(&f, true).map_err(|_| {
                format!("Unknown output format: {f} (profile `{}`); json, text or table", profile.name)
            })?),
            None => None,
        };
    }
    output.check()?;
    let language = match (opts.language, profile.setting("language")) {
        (Some(l), _) => Some(l.into()),
        (None, Some(l)) => Some(
            LanguageArg::from_str(&l, false)
                .map_err(|_| format!("language {l:?} (profile `{}`): zh-CN or en-US", profile.name))?
                .into(),
        ),
        (None, None) => None,
    };
    let request_client = match opts.request_client.clone().or_else(|| profile.setting("request-client")) {
        Some(tag) => Some(exec::request_client(&tag)?),
        None => None,
    };
    let endpoint = opts.endpoint.clone().or_else(|| {
        profile.service_setting(&svc.name, "endpoint").filter(|e| *e != format!("{}.tencentcloudapi.com", svc.name))
    });
    let mode = if opts.dry_run {
        Mode::DryRun
    } else if let Some(text) = &opts.waiter {
        Mode::Wait(Waiter::parse(text, &profile)?)
    } else if opts.page_all {
        Mode::All(Paging::of(&action).ok_or_else(|| {
            format!(
                "{} {} does not page (no Offset/Limit, page number or NextToken with one list in its answer): --page-all cannot follow it",
                svc.name, action.name
            )
        })?)
    } else {
        Mode::Once
    };
    let region = region(opts.region.as_deref(), &profile);
    let hint = region.is_none().then(|| no_region_hint(&profile));
    let credentials =
        opts.credentials.provider(region.as_deref(), opts.ca_file.as_deref()).map_err(|e| e.to_string())?;
    let plan = Plan {
        service: svc.name.clone(),
        version: version.version.clone(),
        action: action.name.to_owned(),
        params: body,
        region,
        endpoint,
        method: opts.method.into(),
        language,
        request_client,
        https_proxy: opts.https_proxy.clone(),
        timeout: Duration::from_secs(opts.timeout),
        retries: opts.retries,
        ca_file: opts.ca_file.clone(),
        credentials,
    };
    Ok(send(&plan, &output, hint.as_deref(), mode))
}

/// How a service command is sent.
enum Mode {
    /// Once.
    Once,
    /// Until the waiter's expression reaches its value.
    Wait(Waiter),
    /// Page after page.
    All(Paging),
    /// Not at all: the signed request is printed.
    DryRun,
}

/// Why a send failed.
enum Failure {
    /// The call failed.
    Call(tencentcloud_transport_std::Error),
    /// The waiter's time ran out (exit 4).
    Waited(String),
    /// A local error (exit 2).
    Local(String),
}

impl From<tencentcloud_transport_std::Error> for Failure {
    fn from(e: tencentcloud_transport_std::Error) -> Self {
        Failure::Call(e)
    }
}

async fn wait(plan: &Plan, client: &tencentcloud_transport_std::Client, waiter: &Waiter) -> Result<Value, Failure> {
    let started = std::time::Instant::now();
    loop {
        let answer = plan.call(client, plan.params.clone()).await?;
        let current = waiter.current(&answer).map_err(Failure::Local)?;
        if waiter.reached(&current) {
            return Ok(answer);
        }
        if started.elapsed() >= waiter.timeout {
            return Err(Failure::Waited(format!(
                "Request timeout, wait `{}` to `{}` timeout, last request is {}",
                waiter.expr,
                crate::waiter::shown(&waiter.to),
                crate::waiter::shown(&current)
            )));
        }
        eprintln!("Inquiry result is {}.", crate::waiter::shown(&current));
        tokio::time::sleep(waiter.interval).await;
    }
}

async fn all_pages(
    plan: &Plan,
    client: &tencentcloud_transport_std::Client,
    paging: &Paging,
) -> Result<Value, Failure> {
    let mut pages = Pages::new(paging.clone());
    let mut params = plan.params.clone();
    loop {
        let answer = plan.call(client, params.clone()).await?;
        match pages.next(&params, answer) {
            Some(next) => params = next,
            None => break,
        }
    }
    if pages.truncated {
        eprintln!("tcloud: warning: --page-all stopped after {} pages (its limit)", pages.count());
    }
    Ok(pages.merged())
}

/// Sends the plan (once, until the waiter is satisfied, or every page) and prints the answer.
fn send(plan: &Plan, output: &OutputArgs, hint: Option<&str>, mode: Mode) -> ExitCode {
    let runtime = match exec::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tcloud: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        if let Mode::DryRun = mode {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            return plan.dry_run(now).await.map(Value::String).map_err(Failure::Call);
        }
        let client = plan.client()?;
        match &mode {
            Mode::Wait(waiter) => wait(plan, &client, waiter).await,
            Mode::All(paging) => all_pages(plan, &client, paging).await,
            _ => Ok(plan.call(&client, plan.params.clone()).await?),
        }
    });
    match result {
        Ok(Value::String(text)) if matches!(mode, Mode::DryRun) => {
            exec::print(&text);
            ExitCode::SUCCESS
        }
        Ok(response) => match output.render(&response) {
            Ok(text) => {
                exec::print(&format!("{text}\n"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tcloud: {e}");
                ExitCode::from(2)
            }
        },
        Err(Failure::Call(e)) => exec::report(&e, hint),
        Err(Failure::Waited(message)) => {
            eprintln!("tcloud: {message}");
            ExitCode::from(4)
        }
        Err(Failure::Local(message)) => {
            eprintln!("tcloud: {message}");
            ExitCode::from(2)
        }
    }
}

/// A violation the documented example makes too: said, and sent as given.
fn documented_exception(v: &tencentcloud_schema::Violation) -> String {
    use tencentcloud_schema::Problem;
    let path = &v.path;
    match &v.problem {
        Problem::Missing => {
            format!("`{path}` is marked required, but the documented example leaves it out too; sent without it")
        }
        Problem::Unknown { .. } => {
            format!("`{path}` is not in the spec, but the documented example sends it too; sent as given")
        }
        Problem::WrongType | Problem::BadValue => {
            format!("`{path}` is not a valid {}, as in the documented example; sent as given", v.expected)
        }
    }
}

/// What an error is followed by when no region was sent.
fn no_region_hint(profile: &Profile) -> String {
    format!(
        "tcloud: no region was sent (none from --region, TENCENTCLOUD_REGION or profile `{}`); a regional API needs one: \
         add `--region ap-guangzhou`, or set it once with `tcloud configure set region ap-guangzhou`",
        profile.name
    )
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Online => "online",
        Status::Deprecated => "deprecated",
        Status::Offline => "offline",
    }
}

/// The API version: `--version`, else the one the tccli profile's `.configure` names for the
/// service, else tccli's default ([`tccli::default_version`]).
pub fn service_version<'a>(
    svc: &'a tencentcloud_schema::Service,
    flag: Option<&str>,
    profile: &Profile,
) -> Result<&'a Version, String> {
    let known = || svc.versions.iter().map(|v| v.version.as_str()).collect::<Vec<_>>().join(", ");
    if let Some(v) = flag {
        return svc
            .version(v)
            .ok_or_else(|| format!("service `{}` has no version `{v}`; versions: {}", svc.name, known()));
    }
    if let Some(v) = profile.service_setting(&svc.name, "version") {
        return svc.version(&v).ok_or_else(|| {
            format!(
                "Version: {v} is invalid in service: {}, available versions: {}; it is set in profile `{}` (`tcloud configure set {}.version <version>` changes it)",
                svc.name,
                known(),
                profile.name,
                tccli::tccli_service_name(&svc.name)
            )
        });
    }
    let versions: Vec<&str> = svc.versions.iter().map(|v| v.version.as_str()).collect();
    let default = tccli::default_version(&svc.name, &versions).unwrap_or(svc.latest().version.as_str()).to_owned();
    Ok(svc.version(&default).unwrap_or_else(|| svc.latest()))
}

/// The region, in tccli's order: `--region`; else `TENCENTCLOUD_REGION` unless `--profile` names
/// the profile; else the profile's `region` setting. `None`: no region anywhere (sent without
/// one; a regional API then refuses the call, and the error says how to set one).
pub fn region(flag: Option<&str>, profile: &Profile) -> Option<String> {
    if let Some(r) = flag {
        return Some(r.to_owned());
    }
    let env = std::env::var("TENCENTCLOUD_REGION").ok().filter(|r| !r.is_empty());
    env.filter(|_| !profile.explicit).or_else(|| profile.setting("region"))
}

/// API parameters as given: name and the values after it.
type Params = Vec<(String, Vec<String>)>;

/// `--Name v1 v2 --Other v` pairs, and everything else (tcloud's options) in order.
fn split_params(args: &[String]) -> Result<(Params, Vec<String>), String> {
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    let mut options = Vec::new();
    let mut current: Option<usize> = None;
    for arg in args {
        if is_param_flag(arg) {
            let name = &arg[2..];
            let (name, inline) = match name.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (name, None),
            };
            if params.iter().any(|(n, _)| n == name) {
                return Err(format!("parameter `--{name}` given twice"));
            }
            params.push((name.to_owned(), inline.into_iter().collect()));
            current = Some(params.len() - 1);
        } else if arg.starts_with("--")
            || (arg.starts_with('-') && arg.len() == 2 && !arg[1..].starts_with(char::is_numeric))
        {
            current = None;
            options.push(arg.clone());
        } else if let Some(i) = current {
            params[i].1.push(arg.clone());
        } else {
            options.push(arg.clone());
        }
    }
    Ok((params, options))
}

/// A scalar's value from its text, as tccli converts it (`tccli.rs`); objects and lists: JSON.
pub fn scalar_value(name: &str, ty: &Type, text: &str) -> Result<Value, String> {
    match ty {
        Type::Scalar(Scalar::Bool) => tccli::bool_value(text)
            .map(Value::Bool)
            .ok_or_else(|| format!("argument --{name}: invalid bool value: '{text}' (true/false, t/f or 1/0)")),
        Type::Scalar(s @ (Scalar::Int64 | Scalar::Uint64)) => {
            tccli::int_value(text).ok_or_else(|| format!("argument --{name}: invalid {} value: '{text}'", s.name()))
        }
        Type::Scalar(Scalar::Float) => {
            tccli::float_value(text).ok_or_else(|| format!("argument --{name}: invalid float value: '{text}'"))
        }
        Type::Scalar(_) => Ok(Value::String(text.to_owned())),
        Type::Object(_) | Type::List(_) => {
            serde_json::from_str(text).map_err(|e| format!("parameter `--{name}` ({ty}) must be JSON: {e}"))
        }
    }
}

/// The JSON value of a parameter's command-line text, read as its declared type (the plain
/// form: one value, or for a list JSON or several values).
fn value_of(member: &Member, values: &[String]) -> Result<Value, String> {
    let one = |ty: &Type, text: &str| scalar_value(&member.name, ty, text);
    match (&member.ty, values) {
        (_, [single]) if !matches!(member.ty, Type::List(_)) => one(&member.ty, single),
        (Type::List(_), [single]) if single.trim_start().starts_with('[') => one(&member.ty, single),
        (Type::List(item), many) => many.iter().map(|v| one(item, v)).collect::<Result<Vec<_>, _>>().map(Value::Array),
        _ => Err(format!("parameter `--{}` ({}) takes one value, got {}", member.name, member.ty, values.len())),
    }
}

/// `--cli-input-json file://PATH` (tccli's form; `~` and `$VAR` expanded as tccli does) or a
/// plain path: a JSON object.
fn read_input_json(arg: &str) -> Result<Map<String, Value>, String> {
    const MAX: u64 = 16 * 1024 * 1024;
    let raw = arg.strip_prefix("file://").unwrap_or(arg);
    if raw.trim_start().starts_with('{') {
        return Err("--cli-input-json takes a file: `--cli-input-json file://request.json` (as tccli does)".into());
    }
    let path = PathBuf::from(expand_path(raw));
    let fail =
        |e: &dyn std::fmt::Display| format!("--cli-input-json: Unable to load paramfile {}: {e}", path.display());
    let meta = std::fs::metadata(&path).map_err(|e| fail(&e))?;
    if meta.len() > MAX {
        return Err(fail(&format!("larger than {MAX} bytes")));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| fail(&e))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(fail(&"Invalid type: expecting a JSON object")),
        Err(e) => Err(fail(&format!("Invalid JSON received: {e}"))),
    }
}

/// `~` and `$VAR`/`${VAR}` expanded, as Python's `os.path.expanduser(os.path.expandvars(..))`.
fn expand_path(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => ("", after),
            }
        } else {
            let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match std::env::var(name) {
            Ok(v) if !name.is_empty() => out.push_str(&v),
            _ => out.push_str(&rest[i..rest.len() - tail.len()]),
        }
        rest = tail;
    }
    out.push_str(rest);
    match out.strip_prefix('~') {
        Some(tail) if tail.is_empty() || tail.starts_with('/') => match std::env::var("HOME") {
            Ok(home) => format!("{home}{tail}"),
            Err(_) => out,
        },
        _ => out,
    }
}

fn unknown_action(service: &str, version: &Version, name: &str) -> String {
    // The nearest names: the longest common prefix (ignoring case), then the closest length.
    let common = |a: &str| a.bytes().zip(name.bytes()).take_while(|(x, y)| x.eq_ignore_ascii_case(y)).count();
    let mut ranked: Vec<(usize, usize, &str)> =
        version.actions.keys().map(|a| (common(a), a.len().abs_diff(name.len()), a.as_str())).collect();
    ranked.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    let near: Vec<&str> = ranked.iter().filter(|r| r.0 >= 4).take(5).map(|r| r.2).collect();
    let mut msg = format!("service `{service}` ({}) has no action `{name}`", version.version);
    if !near.is_empty() {
        let _ = write!(msg, "; did you mean: {}", near.join(", "));
    }
    msg + &format!(" (`tcloud {service}` lists them)")
}

fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Online => "",
        Status::Deprecated => " [deprecated]",
        Status::Offline => " [offline]",
    }
}

/// `tcloud <service>`: the actions, one line each.
fn action_list(service: &str, title: &str, version: &Version) -> String {
    let mut out = format!("{service} {} ({title}): {} actions\n\n", version.version, version.actions.len());
    let width = version.actions.keys().map(String::len).max().unwrap_or(0);
    for a in version.actions() {
        let _ = writeln!(out, "  {:<width$}  {}{}", a.name, a.action.doc, status_mark(a.action.status));
    }
    let _ = writeln!(out, "\n`tcloud {service} <Action> --help` lists an action's parameters.");
    out
}

/// `tcloud <service> <Action> --help`: the parameters, then the objects they use.
/// `tcloud <service> <Action> help [--detail]`: the parameters, then the objects they use; with
/// `--detail` the output members and the documented examples too, as tccli's help shows them.
fn action_help(service: &str, action: &ActionRef<'_>, detail: bool) -> String {
    let mut out = format!(
        "{service} {} ({}){}\n{}\n\nParameters:\n",
        action.name,
        action.version.version,
        status_mark(action.action.status),
        action.action.doc
    );
    members(&mut out, action.input(), "--");
    let mut seen: Vec<&str> = Vec::new();
    let mut todo: Vec<&str> = action.input().iter().filter_map(|m| object_of(&m.ty)).collect();
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if let Some(ms) = action.version.object(name) {
            let _ = write!(out, "\n{name}:\n");
            members(&mut out, ms, "");
            todo.extend(ms.iter().filter_map(|m| object_of(&m.ty)));
        }
    }
    let _ = write!(
        out,
        "\nValues are text for strings, numbers and booleans (True/true/1), JSON for objects and lists; a list \
         also takes several values. Dotted names unfold objects: --Filters.0.Name zone.\n"
    );
    if detail {
        let _ = write!(out, "\nOutput (Response):\n");
        members(&mut out, action.output(), "");
        for (i, ex) in action.examples().iter().enumerate() {
            let _ = write!(out, "\nExample {}:\n", i + 1);
            if let Some(input) = ex.input.as_ref().and_then(|i| serde_json::from_str::<Value>(i.get()).ok()) {
                let words = skeleton::unfold_words(&input);
                let _ = writeln!(
                    out,
                    "  tcloud {service} {} --cli-unfold-argument{}",
                    action.name,
                    if words.is_empty() { "" } else { " \\" }
                );
                for (j, w) in words.iter().enumerate() {
                    let _ = writeln!(out, "      {w}{}", if j + 1 < words.len() { " \\" } else { "" });
                }
            }
            let output: Value = serde_json::from_str(ex.output.get()).unwrap_or(Value::Null);
            let _ = writeln!(out, "  Output:");
            for line in serde_json::to_string_pretty(&output).unwrap_or_default().lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    } else {
        let _ = writeln!(
            out,
            "`tcloud {service} {} help --detail` adds the output and the documented examples.",
            action.name
        );
    }
    out
}

fn object_of(ty: &Type) -> Option<&str> {
    match ty {
        Type::Object(o) => Some(o),
        Type::List(item) => object_of(item),
        Type::Scalar(_) => None,
    }
}

fn members(out: &mut String, ms: &[Member], prefix: &str) {
    let width = ms.iter().map(|m| m.name.len() + prefix.len()).max().unwrap_or(0);
    let tw = ms.iter().map(|m| m.ty.to_string().len()).max().unwrap_or(0);
    for m in ms {
        let name = format!("{prefix}{}", m.name);
        let req = if m.required { "required" } else { "optional" };
        let _ = writeln!(out, "  {name:<width$}  {:<tw$}  {req}  {}", m.ty.to_string(), m.doc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn params_and_options_split() {
        let (p, o) =
            split_params(&s(&["--Limit", "1", "--region", "ap-guangzhou", "--InstanceIds", "a", "b", "--Offset=-1"]))
                .unwrap();
        assert_eq!(
            p,
            vec![("Limit".into(), s(&["1"])), ("InstanceIds".into(), s(&["a", "b"])), ("Offset".into(), s(&["-1"]))]
        );
        assert_eq!(o, s(&["--region", "ap-guangzhou"]));
        assert_eq!(split_params(&s(&["--Limit"])).unwrap().0, vec![("Limit".into(), vec![])]);
        assert!(split_params(&s(&["--Limit", "1", "--Limit", "2"])).unwrap_err().contains("twice"));
    }

    #[test]
    fn values_follow_the_declared_type() {
        let m = |ty: &str| Member {
            name: "P".into(),
            ty: Type::try_from(ty.to_owned()).unwrap(),
            required: false,
            doc: String::new(),
        };
        assert_eq!(value_of(&m("int64"), &s(&["5"])).unwrap(), serde_json::json!(5));
        assert!(value_of(&m("int64"), &s(&["five"])).unwrap_err().contains("invalid int64 value: 'five'"));
        assert_eq!(value_of(&m("int64"), &s(&["007"])).unwrap(), serde_json::json!(7));
        assert_eq!(value_of(&m("float"), &s(&["1"])).unwrap().to_string(), "1.0");
        for t in ["True", "true", "1", "t"] {
            assert_eq!(value_of(&m("bool"), &s(&[t])).unwrap(), serde_json::json!(true), "{t}");
        }
        assert_eq!(value_of(&m("bool"), &s(&["False"])).unwrap(), serde_json::json!(false));
        assert!(value_of(&m("bool"), &s(&["yes"])).unwrap_err().contains("invalid bool value: 'yes'"));
        assert_eq!(value_of(&m("[bool]"), &s(&["True", "0"])).unwrap(), serde_json::json!([true, false]));
        assert_eq!(value_of(&m("string"), &s(&["5"])).unwrap(), serde_json::json!("5"));
        assert_eq!(value_of(&m("[string]"), &s(&["a", "b"])).unwrap(), serde_json::json!(["a", "b"]));
        assert_eq!(value_of(&m("[string]"), &s(&[r#"["a"]"#])).unwrap(), serde_json::json!(["a"]));
        assert_eq!(value_of(&m("[int64]"), &s(&["1", "2"])).unwrap(), serde_json::json!([1, 2]));
        assert!(value_of(&m("Filter"), &s(&["x"])).unwrap_err().contains("must be JSON"));
        assert!(value_of(&m("string"), &s(&["a", "b"])).unwrap_err().contains("takes one value"));
    }
}
