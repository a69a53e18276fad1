//! The firmware on an emulated board: builds `transport-embassy/firmware-qemu` for
//! `thumbv7em-none-eabihf` (release: opt-level "z", LTO), boots it on QEMU's `mps2-an386`
//! (Cortex-M4F, LAN9118 Ethernet) and bridges the board's Ethernet to a gateway: an embassy-net
//! stack in this process that forwards the board's TCP connection to the endpoint. The board
//! verifies the server certificate against `--ca` and the endpoint's host name, learns the time
//! from `Date`, sends a signed DescribeInstances and prints the `Response`; this program exits
//! with the firmware's status.
//!
//! ```text
//! cargo run -p tencentcloud-examples --example firmware_qemu -- \
//!     --endpoint https://localhost:PORT --ca CA.der [--region R] [--connect 127.0.0.1:PORT] ['{"Limit":1}']
//! ```
//!
//! Credentials come from `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` and reach the
//! board over semihosting in a file only this user can read (deleted afterwards); they are
//! never printed. Only loopback is used: QEMU's NIC is a stream socket on 127.0.0.1 to this
//! process, and the endpoint (or `--connect`, to send a host name the certificate does not
//! name) must be an address in 127.0.0.0/8. `--firmware ELF` boots a prebuilt image. Try it
//! with `tcloud mock --tls`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Waker};
use std::time::Duration;

use embassy_net::driver::{self, Capabilities, HardwareAddress, LinkState};
use embassy_net::{Config, Ipv4Cidr, StackResources, StaticConfigV4};
use tencentcloud_embassy_host::{GATEWAY_IP, HostNet, LinkStats, block_on};
use tencentcloud_examples::device::{loopback_target, parse_endpoint, read_ca};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const USAGE: &str = "usage: firmware_qemu --endpoint https://HOST:PORT --ca CA.der [--region R] \
                     [--connect 127.0.0.1:PORT] [--firmware ELF] [--timeout SECS] [JSON]";

/// The gateway's MAC address on the board's Ethernet (locally administered).
const GATEWAY_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
/// The largest Ethernet frame (header included, CRC excluded).
const ETHERNET_MTU: usize = 1514;

struct Args {
    endpoint: String,
    ca: String,
    region: String,
    connect: Option<String>,
    firmware: Option<PathBuf>,
    timeout: Duration,
    json: String,
}

fn parse_args() -> Result<Args, String> {
    let (mut endpoint, mut ca) = (None, None);
    let mut args = Args {
        endpoint: String::new(),
        ca: String::new(),
        region: "ap-guangzhou".into(),
        connect: None,
        firmware: None,
        timeout: Duration::from_secs(120),
        json: r#"{"Limit":1}"#.into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value()?),
            "--ca" => ca = Some(value()?),
            "--region" => args.region = value()?,
            "--connect" => args.connect = Some(value()?),
            "--firmware" => args.firmware = Some(value()?.into()),
            "--timeout" => {
                args.timeout = Duration::from_secs(value()?.parse().map_err(|_| "--timeout: seconds expected")?)
            }
            "-h" | "--help" => return Err(USAGE.into()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{USAGE}")),
            _ => args.json = arg,
        }
    }
    let (Some(endpoint), Some(ca)) = (endpoint, ca) else { return Err(USAGE.into()) };
    (args.endpoint, args.ca) = (endpoint, ca);
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("firmware_qemu: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<u8, String> {
    let args = parse_args()?;
    let (tls, host, port, _) = parse_endpoint(&args.endpoint)?;
    if !tls {
        return Err("the firmware speaks TLS only: use an https:// endpoint".into());
    }
    let target = loopback_target(args.connect.as_deref().unwrap_or(&format!("{host}:{port}")))?;
    let id = std::env::var("TENCENTCLOUD_SECRET_ID").map_err(|_| "set TENCENTCLOUD_SECRET_ID")?;
    let key = std::env::var("TENCENTCLOUD_SECRET_KEY").map_err(|_| "set TENCENTCLOUD_SECRET_KEY")?;
    if args.region.contains(char::is_whitespace) || host.contains(char::is_whitespace) {
        return Err("the region and host may not contain spaces".into());
    }

    let job = JobDir::create()?;
    job.write("ca.der", &read_ca(&args.ca)?)?;
    job.write("credentials", format!("{id}\n{key}\n").as_bytes())?;
    job.write("request.json", args.json.as_bytes())?;
    let firmware = match args.firmware {
        Some(path) => path,
        None => build_firmware()?,
    };
    let command_line = ["firmware", &format!("{host}:{port}"), &job.path()?, &args.region];

    block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.map_err(|e| e.to_string())?;
        let nic_port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let mut qemu = qemu_command(&firmware, nic_port, &command_line)
            .spawn()
            .map_err(|e| format!("qemu-system-arm: {e} (install it: apt-get install qemu-system-arm)"))?;
        let (nic, _) = tokio::time::timeout(Duration::from_secs(30), listener.accept())
            .await
            .map_err(|_| "QEMU did not connect its NIC within 30 s")?
            .map_err(|e| e.to_string())?;
        let _ = nic.set_nodelay(true);
        let gateway = start_gateway(nic);
        gateway.forward(port, target).await;

        match tokio::time::timeout(args.timeout, qemu.wait()).await {
            Ok(Ok(status)) => Ok(status.code().map_or(1, |c| u8::try_from(c).unwrap_or(1))),
            Ok(Err(e)) => Err(format!("waiting for QEMU: {e}")),
            Err(_) => {
                let _ = qemu.kill().await;
                Err(format!("the firmware did not finish within {} s", args.timeout.as_secs()))
            }
        }
    })
}

/// Builds the firmware (release: opt-level "z", LTO) and returns the image's path.
fn build_firmware() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../transport-embassy/firmware-qemu");
    let target_dir = dir.join("target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "--target", "thumbv7em-none-eabihf", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err("building the firmware failed (is the thumbv7em-none-eabihf target installed?)".into());
    }
    Ok(target_dir.join("thumbv7em-none-eabihf/release/tencentcloud-firmware-qemu"))
}

/// QEMU for the board: instruction counting (`-icount shift=0`: one instruction per virtual
/// nanosecond), semihosting with the firmware's command line, and the LAN9118 connected to
/// `127.0.0.1:nic_port` (a stream socket to this process; no other network).
fn qemu_command(firmware: &Path, nic_port: u16, command_line: &[&str]) -> tokio::process::Command {
    let mut semihosting = String::from("enable=on,target=native");
    for arg in command_line {
        // QEMU's option syntax escapes a comma by doubling it.
        semihosting.push_str(&format!(",arg={}", arg.replace(',', ",,")));
    }
    let mut qemu = tokio::process::Command::new("qemu-system-arm");
    qemu.args(["-machine", "mps2-an386", "-display", "none", "-monitor", "none", "-serial", "null"])
        .args(["-icount", "shift=0"])
        .args(["-semihosting-config", &semihosting])
        .args(["-netdev", &format!("stream,id=eth,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port={nic_port}")])
        .args(["-net", "nic,netdev=eth,model=lan9118"])
        .arg("-kernel")
        .arg(firmware)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    qemu
}

/// A private directory for the firmware's inputs, removed on drop.
struct JobDir(PathBuf);

impl JobDir {
    fn create() -> Result<Self, String> {
        use std::os::unix::fs::DirBuilderExt;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("firmware-qemu-{}-{nanos}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self(path))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.0.join(name);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The path as the firmware reads it (one word of its command line).
    fn path(&self) -> Result<String, String> {
        match self.0.to_str() {
            Some(p) if !p.contains(char::is_whitespace) => Ok(p.to_owned()),
            _ => Err(format!("{}: the temporary directory's path must be UTF-8 without spaces", self.0.display())),
        }
    }
}

impl Drop for JobDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts the gateway's embassy-net stack (`GATEWAY_IP`, Ethernet) on the QEMU NIC socket,
/// and the two tasks that move frames: QEMU's stream netdev frames each packet with its length
/// (4 bytes, big-endian).
fn start_gateway(nic: tokio::net::TcpStream) -> HostNet {
    let (mut from_qemu, mut to_qemu) = nic.into_split();
    let (tx, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    let shared = Rc::new(RefCell::new(Incoming::default()));
    let driver = QemuNic { incoming: shared.clone(), outgoing: tx };

    let resources: &'static mut StackResources<8> = Box::leak(Box::new(StackResources::new()));
    let config = Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(GATEWAY_IP, 24),
        gateway: None,
        dns_servers: heapless::Vec::new(),
    });
    let (stack, mut runner) = embassy_net::new(driver, config, resources, 0x5eed_0003);
    tokio::task::spawn_local(async move { runner.run().await });
    tokio::task::spawn_local(async move {
        let mut frame = vec![0u8; ETHERNET_MTU + 4];
        while let Ok(len) = from_qemu.read_u32().await {
            let Some(buf) = frame.get_mut(..len as usize) else {
                eprintln!("firmware_qemu: a {len}-byte frame from QEMU exceeds the Ethernet MTU; stopping the link");
                break;
            };
            if from_qemu.read_exact(buf).await.is_err() {
                break;
            }
            let mut incoming = shared.borrow_mut();
            incoming.frames.push_back(buf.to_vec());
            if let Some(w) = incoming.waker.take() {
                w.wake();
            }
        }
    });
    tokio::task::spawn_local(async move {
        while let Some(frame) = outgoing.recv().await {
            let len = u32::try_from(frame.len()).unwrap_or(u32::MAX).to_be_bytes();
            if to_qemu.write_all(&len).await.is_err() || to_qemu.write_all(&frame).await.is_err() {
                break;
            }
        }
    });
    // The host harness bridges the gateway's TCP to real sockets; its in-memory device stack
    // is not used here (the board is the device), so both fields name the gateway.
    HostNet { device: stack, gateway: stack, stats: Arc::new(LinkStats::default()) }
}

#[derive(Default)]
struct Incoming {
    frames: VecDeque<Vec<u8>>,
    waker: Option<Waker>,
}

/// The gateway's Ethernet interface: frames from and to QEMU.
struct QemuNic {
    incoming: Rc<RefCell<Incoming>>,
    outgoing: mpsc::UnboundedSender<Vec<u8>>,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a mpsc::UnboundedSender<Vec<u8>>);

impl driver::RxToken for Rx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(mut self, f: F) -> R {
        f(&mut self.0)
    }
}

impl driver::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0u8; len];
        let r = f(&mut frame);
        // Fails only once the link to QEMU is gone: the frame is lost, as on a cut cable.
        let _ = self.0.send(frame);
        r
    }
}

impl driver::Driver for QemuNic {
    type RxToken<'a>
        = Rx
    where
        Self: 'a;
    type TxToken<'a>
        = Tx<'a>
    where
        Self: 'a;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Rx, Tx<'_>)> {
        let mut incoming = self.incoming.borrow_mut();
        let Some(frame) = incoming.frames.pop_front() else {
            incoming.waker = Some(cx.waker().clone());
            return None;
        };
        Some((Rx(frame), Tx(&self.outgoing)))
    }

    fn transmit(&mut self, _cx: &mut Context<'_>) -> Option<Tx<'_>> {
        Some(Tx(&self.outgoing))
    }

    fn link_state(&mut self, _cx: &mut Context<'_>) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = ETHERNET_MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(GATEWAY_MAC)
    }
}
