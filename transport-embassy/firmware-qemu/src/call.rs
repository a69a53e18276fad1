//! The call, and everything this firmware asks of tencentcloud-transport-embassy (kept in this
//! one module, so a change of that API is a change here only).

use core::fmt::{self, Write};

use embassy_net::{Ipv4Address, Stack};
use static_cell::ConstStaticCell;
use tencentcloud_core::{Credential, Request};
use tencentcloud_transport_embassy::net::{Buffers, Connector, Random};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{CertError, Client, Connect, Error, NoRtc};

use crate::semihosting::{self, FileError, HostRandom, exit};
use crate::{executor, hprint};

/// Virtual nanoseconds per core clock cycle (25 MHz). Under QEMU's `-icount shift=0` one
/// instruction takes one virtual nanosecond, so busy cycles times this counts instructions.
const NS_PER_CYCLE: u64 = 1_000_000_000 / crate::board::SYSCLK_HZ as u64;

/// What the run measured (instructions executed, sleep excluded).
pub struct Report {
    /// TCP connect and TLS 1.3 handshake, certificate verification included.
    pub handshake_instructions: u64,
    /// One signed call on the kept-alive connection: sign, write, read, parse.
    pub call_instructions: u64,
}

/// Why the run failed; [`Failure::status`] is the exit status.
pub enum Failure {
    /// The semihosting command line is not `firmware AUTHORITY DIR REGION`.
    CommandLine,
    /// A file of `DIR` could not be read.
    File(&'static str, FileError),
    /// The credentials file is not two lines (secret id, secret key) of a valid credential.
    Credentials,
    /// `ca.der` is not a usable trust anchor.
    Anchor(CertError),
    /// The host's random source failed.
    Random(FileError),
    /// The server closed the connection after the first call.
    NotKeptAlive,
    /// The call failed.
    Call(Error),
}

impl Failure {
    /// The exit status: 2 setup, 3 certificate rejected, 4 TLS, 5 network, 6 API error,
    /// 7 request or response, 8 connection not kept alive, 70 no randomness.
    pub fn status(&self) -> u8 {
        match self {
            Self::CommandLine | Self::File(..) | Self::Credentials | Self::Anchor(_) => 2,
            Self::Random(_) => 70,
            Self::NotKeptAlive => 8,
            Self::Call(Error::Certificate(_)) => 3,
            Self::Call(Error::Tls(_)) => 4,
            Self::Call(Error::Api(_)) => 6,
            Self::Call(Error::Request(_) | Error::Response(_)) => 7,
            Self::Call(_) => 5,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CommandLine => f.write_str("the semihosting command line must be: firmware AUTHORITY DIR REGION"),
            Self::File(name, e) => write!(f, "{name}: {e}"),
            Self::Credentials => f.write_str("credentials: expected a valid secret id and secret key, one per line"),
            Self::Anchor(e) => write!(f, "ca.der: {e}"),
            Self::Random(e) => write!(f, "/dev/urandom: {e}"),
            Self::NotKeptAlive => f.write_str("the server closed the connection after the first call"),
            Self::Call(e) => e.fmt(f),
        }
    }
}

impl Random for HostRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if let Err(e) = self.fill(dest) {
            crate::heprint!("firmware: {}\n", Failure::Random(e));
            exit(70);
        }
    }
}

/// A seed for embassy-net (TCP initial sequence numbers, ports).
pub fn random_seed() -> u64 {
    let mut seed = [0u8; 8];
    match HostRandom::open() {
        Ok(mut rng) => rng.fill_bytes(&mut seed),
        Err(e) => {
            crate::heprint!("firmware: {}\n", Failure::Random(e));
            exit(70);
        }
    }
    u64::from_le_bytes(seed)
}

fn read<'b>(dir: &str, name: &'static str, buf: &'b mut [u8]) -> Result<&'b [u8], Failure> {
    let mut path = heapless::String::<200>::new();
    write!(path, "{dir}/{name}").map_err(|_| Failure::File(name, FileError::PathTooLong))?;
    semihosting::read_file(&path, buf).map_err(|e| Failure::File(name, e))
}

fn instructions(busy_cycles: u64) -> u64 {
    busy_cycles * NS_PER_CYCLE
}

/// Reads the job from the host, connects through `gateway` (no DNS: the host name is only
/// checked against the certificate), calls DescribeInstances twice on one connection, prints
/// the first `Response` and measures the handshake and the second call.
pub async fn run(stack: Stack<'static>, gateway: Ipv4Address) -> Result<Report, Failure> {
    static COMMAND_LINE: ConstStaticCell<[u8; 512]> = ConstStaticCell::new([0; 512]);
    static CA: ConstStaticCell<[u8; 2048]> = ConstStaticCell::new([0; 2048]);
    static CREDENTIALS: ConstStaticCell<[u8; 512]> = ConstStaticCell::new([0; 512]);
    static BODY: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
    // The firmware example's sizes (`transport-embassy/firmware`): this run proves them.
    static TCP_RX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
    static TCP_TX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
    // A whole TLS record: 16 KiB of plaintext plus the record overhead.
    static TLS_READ: ConstStaticCell<[u8; 16640]> = ConstStaticCell::new([0; 16640]);
    static TLS_WRITE: ConstStaticCell<[u8; 512]> = ConstStaticCell::new([0; 512]);
    static RESPONSE: ConstStaticCell<[u8; 3072]> = ConstStaticCell::new([0; 3072]);

    let line = semihosting::command_line(COMMAND_LINE.take()).ok_or(Failure::CommandLine)?;
    let mut args = line.split_ascii_whitespace().skip(1);
    let (Some(authority), Some(dir), Some(region), None) = (args.next(), args.next(), args.next(), args.next()) else {
        return Err(Failure::CommandLine);
    };
    let (host, port) = authority
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        .ok_or(Failure::CommandLine)?;
    let anchor = TrustAnchor::from_der(read(dir, "ca.der", CA.take())?).map_err(Failure::Anchor)?;
    let credentials = read(dir, "credentials", CREDENTIALS.take())?;
    let credentials = core::str::from_utf8(credentials).map_err(|_| Failure::Credentials)?;
    let (id, key) = credentials.trim_end().split_once('\n').ok_or(Failure::Credentials)?;
    let credential = Credential::new(id.trim_end(), key.trim_end()).map_err(|_| Failure::Credentials)?;
    let body = read(dir, "request.json", BODY.take())?;
    let mut rng = HostRandom::open().map_err(Failure::Random)?;

    let buffers = Buffers {
        tcp_rx: TCP_RX.take(),
        tcp_tx: TCP_TX.take(),
        tls_read: TLS_READ.take(),
        tls_write: TLS_WRITE.take(),
    };
    let mut connector = Connector::new(stack, buffers, anchor, &mut rng);
    connector.set_address(Some(gateway.into()));
    let mut client: Client<'_, NoRtc> = Client::new(credential, NoRtc);
    let request = Request::post_json("cvm", "2017-03-12", "DescribeInstances", body).region(region).host(authority);
    let response = RESPONSE.take();
    stack.wait_config_up().await;

    let start = executor::busy_cycles();
    // The time is unknown until the first `Date`: the certificate's dates are checked then.
    let mut conn = connector.connect(host, Some(port), client.now()).await.map_err(Failure::Call)?;
    let handshake = executor::busy_cycles() - start;

    let first = client.call_raw_on(&mut conn, &request, response).await.map_err(Failure::Call)?;
    hprint!("{}\n", core::str::from_utf8(first).unwrap_or("(the Response is not UTF-8)"));
    if let Some(now) = client.now() {
        hprint!("time learned from the server's Date: {now} (unix seconds)\n");
    }
    if !conn.is_reusable() {
        return Err(Failure::NotKeptAlive);
    }

    let start = executor::busy_cycles();
    client.call_raw_on(&mut conn, &request, response).await.map_err(Failure::Call)?;
    let call = executor::busy_cycles() - start;
    Ok(Report { handshake_instructions: instructions(handshake), call_instructions: instructions(call) })
}
