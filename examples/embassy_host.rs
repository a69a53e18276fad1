//! The embedded transport on the host: the device's embassy-net stack (DNS, TCP, TLS 1.3
//! with embedded-tls, the certificate verified against `--ca` and the endpoint's host name)
//! runs in this process, joined by an in-memory link to a gateway stack that bridges its TCP
//! connection to a real socket. So the exact code path of the firmware talks to any server on
//! this machine.
//!
//! ```text
//! cargo run -p tencentcloud-examples --example embassy_host -- \
//!     --endpoint https://localhost:PORT --ca CA.der \
//!     [--service cvm] [--version 2017-03-12] [--action DescribeInstances] [--region R] ['{"Limit":1}']
//! ```
//!
//! Credentials come from `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY`. The CA may be
//! DER or PEM (P-256 or RSA). Try it against the emulator: `tcloud mock --tls` prints its port,
//! the test key and the CA file. `http://` endpoints need `--insecure-plain-http`.

use std::process::ExitCode;

use tencentcloud_core::{Credential, Request};
use tencentcloud_embassy_host::{GATEWAY_IP, HostNet, OsRandom, SystemClock, block_on};
use tencentcloud_transport_embassy::net::{Buffers, Connector};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{Client, Error};

struct Args {
    endpoint: String,
    ca: Option<String>,
    service: String,
    version: String,
    action: String,
    region: Option<String>,
    json: String,
    plain_http: bool,
}

const USAGE: &str = "usage: embassy_host --endpoint https://HOST:PORT --ca CA.der [--service S] [--version V] \
                     [--action A] [--region R] [--insecure-plain-http] [JSON]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        endpoint: String::new(),
        ca: None,
        service: "cvm".into(),
        version: "2017-03-12".into(),
        action: "DescribeInstances".into(),
        region: None,
        json: "{}".into(),
        plain_http: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--endpoint" => args.endpoint = value()?,
            "--ca" => args.ca = Some(value()?),
            "--service" => args.service = value()?,
            "--version" => args.version = value()?,
            "--action" => args.action = value()?,
            "--region" => args.region = Some(value()?),
            "--insecure-plain-http" => args.plain_http = true,
            "-h" | "--help" => return Err(USAGE.into()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{USAGE}")),
            _ => args.json = arg,
        }
    }
    if args.endpoint.is_empty() {
        return Err(USAGE.into());
    }
    Ok(args)
}

/// `https://host[:port][/]` into (tls, host, port, authority as sent in `Host`).
fn parse_endpoint(endpoint: &str) -> Result<(bool, String, u16, String), String> {
    let (tls, rest) = match endpoint.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return Err(format!("endpoint {endpoint:?}: expected https://HOST[:PORT]")),
    };
    let authority = rest.trim_end_matches('/');
    let default_port = if tls { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
            (h.trim_matches(|c| c == '[' || c == ']'), p.parse().map_err(|_| format!("bad port in {endpoint:?}"))?)
        }
        _ => (authority, default_port),
    };
    Ok((tls, host.to_owned(), port, authority.to_owned()))
}

/// DER, or the first certificate of a PEM file.
fn read_ca(path: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let Some(text) = std::str::from_utf8(&bytes).ok().filter(|t| t.contains("-----BEGIN CERTIFICATE-----")) else {
        return Ok(bytes);
    };
    let b64: String = text
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)
        .and_then(|t| t.split("-----END CERTIFICATE-----").next())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64_decode(&b64).ok_or_else(|| format!("{path}: bad PEM"))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in s.trim_end_matches('=').as_bytes() {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("embassy_host: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let (tls, host, port, authority) = parse_endpoint(&args.endpoint)?;
    if !tls && !args.plain_http {
        return Err("plain http:// needs --insecure-plain-http (local testing only)".into());
    }
    let ca = match (&args.ca, tls) {
        (Some(path), _) => read_ca(path)?,
        (None, true) => return Err(format!("--ca CA.der is required for https\n{USAGE}")),
        (None, false) => Vec::new(),
    };
    let id = std::env::var("TENCENTCLOUD_SECRET_ID").map_err(|_| "set TENCENTCLOUD_SECRET_ID")?;
    let key = std::env::var("TENCENTCLOUD_SECRET_KEY").map_err(|_| "set TENCENTCLOUD_SECRET_KEY")?;
    let credential = Credential::new(&id, &key).map_err(|e| e.to_string())?;
    // The real address the gateway bridges to: the first one that accepts a connection.
    let target = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .map_err(|e| format!("{host}: {e}"))?
        .find(|a| std::net::TcpStream::connect_timeout(a, std::time::Duration::from_secs(3)).is_ok())
        .ok_or_else(|| format!("nothing accepts connections on {host}:{port}"))?;

    block_on(async {
        let net = HostNet::start(None).await;
        net.forward(port, target).await;

        let (mut tcp_rx, mut tcp_tx) = (vec![0u8; 8192], vec![0u8; 4096]);
        let (mut tls_read, mut tls_write) = (vec![0u8; 16640], vec![0u8; 4096]);
        let buffers =
            Buffers { tcp_rx: &mut tcp_rx, tcp_tx: &mut tcp_tx, tls_read: &mut tls_read, tls_write: &mut tls_write };
        let mut rng = OsRandom::new().map_err(|e| format!("/dev/urandom: {e}"))?;
        let mut connector = if tls {
            let anchor = TrustAnchor::from_der(&ca).map_err(|e| format!("--ca: {e}"))?;
            Connector::new(net.device, buffers, anchor, &mut rng)
        } else {
            Connector::insecure_plain_http(net.device, buffers)
        };
        if host.parse::<std::net::IpAddr>().is_ok() {
            // An IP literal is not looked up: send it to the gateway (the certificate is still
            // checked against the literal, as an iPAddress subjectAltName).
            connector.set_address(Some(GATEWAY_IP.into()));
        }

        let mut request = Request::post_json(&args.service, &args.version, &args.action, args.json.as_bytes());
        request = request.host(&authority);
        if let Some(region) = &args.region {
            request = request.region(region);
        }
        let mut client: Client<'_, SystemClock> = Client::new(credential, SystemClock);
        let mut buf = vec![0u8; 256 * 1024];
        match client.call_raw(&mut connector, &request, &mut buf).await {
            Ok(body) => {
                let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
                let pretty = serde_json::to_string_pretty(&v["Response"]).map_err(|e| e.to_string())?;
                println!("{pretty}");
                Ok(())
            }
            Err(Error::Api(e)) => Err(format!("API error {}: {} (RequestId: {})", e.code, e.message, e.request_id)),
            Err(e) => Err(e.to_string()),
        }
    })
}
