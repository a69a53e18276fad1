//! The call, and everything this firmware asks of tencentcloud-transport-embassy (kept in this
//! one module, so a change of that API is a change here only).

use core::fmt::{self, Write};

use embassy_net::{Ipv4Address, Stack};
use static_cell::ConstStaticCell;
use tencentcloud_core::response::parse_event_data;
use tencentcloud_core::{Credential, Request};
use tencentcloud_transport_embassy::net::{Buffers, Connector, Random};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{CertError, Client, Connect, Connection, Error, Event, NoRtc};

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
    /// The chat answer streamed event by event (the emulator's 10 ms between events excluded).
    pub stream_instructions: u64,
    /// The 1 MiB body with `Content-Length` into the checking sink.
    pub body_instructions: u64,
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
    /// A streamed answer is not what was asked for.
    Streamed(&'static str),
}

impl Failure {
    /// The exit status: 2 setup, 3 certificate rejected, 4 TLS, 5 network, 6 API error,
    /// 7 request or response, 8 connection not kept alive, 70 no randomness.
    pub fn status(&self) -> u8 {
        match self {
            Self::CommandLine | Self::File(..) | Self::Credentials | Self::Anchor(_) => 2,
            Self::Random(_) => 70,
            Self::NotKeptAlive => 8,
            Self::Streamed(_) => 7,
            Self::Call(Error::Certificate(_)) => 3,
            Self::Call(Error::Tls(_)) => 4,
            Self::Call(Error::Api(_)) => 6,
            Self::Call(Error::Request(_) | Error::Response(_)) => 7,
            Self::Call(_) => 5,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Call(e)
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
            Self::Streamed(what) => f.write_str(what),
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
/// the first `Response` and measures the handshake and the second call; then, on the same
/// connection, streams a chat answer event by event and reads a 1 MiB body (with
/// `Content-Length`, then chunked) through the same 3 KiB response buffer.
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
    let mut conn = OrExit(connector.connect(host, Some(port), client.now())).await;
    let handshake = executor::busy_cycles() - start;

    let first = OrExit(client.call_raw_on(&mut conn, &request, response)).await;
    hprint!("{}\n", core::str::from_utf8(first).unwrap_or("(the Response is not UTF-8)"));
    if let Some(now) = client.now() {
        hprint!("time learned from the server's Date: {now} (unix seconds)\n");
    }
    if !conn.is_reusable() {
        return Err(Failure::NotKeptAlive);
    }

    let start = executor::busy_cycles();
    OrExit(client.call_raw_on(&mut conn, &request, response)).await;
    let call = executor::busy_cycles() - start;

    let start = executor::busy_cycles();
    OrExit(stream_chat(&mut client, &mut conn, authority, region, response)).await;
    let stream = executor::busy_cycles() - start;
    let start = executor::busy_cycles();
    OrExit(read_object(&mut client, &mut conn, authority, region, response, OBJECT)).await;
    let body = executor::busy_cycles() - start;
    OrExit(read_object(&mut client, &mut conn, authority, region, response, OBJECT_CHUNKED)).await;
    Ok(Report {
        handshake_instructions: instructions(handshake),
        call_instructions: instructions(call),
        stream_instructions: instructions(stream),
        body_instructions: instructions(body),
    })
}

/// Awaits a step of the run from a frame of its own: its value, or, if it fails, the reason
/// printed and the run ended ([`fail`]). So `run`'s frame (the task's, at the bottom of the
/// stack throughout) holds neither the steps' frames nor their failures (each the size of
/// the client's `Error`, 656 B), and a step's future is awaited as the client made it (no
/// `map_err` copying its output): measured, 2.8 KB less stack high-water.
struct OrExit<F>(F);

impl<T, E, F: core::future::Future<Output = Result<T, E>>> core::future::Future for OrExit<F>
where
    Failure: From<E>,
{
    type Output = T;

    #[inline(never)]
    fn poll(self: core::pin::Pin<&mut Self>, cx: &mut core::task::Context<'_>) -> core::task::Poll<T> {
        // SAFETY: a structural projection: the inner future is never moved out of the pinned
        // wrapper, and the wrapper has no `Drop` or `Unpin` of its own.
        match unsafe { self.map_unchecked_mut(|step| &mut step.0) }.poll(cx) {
            core::task::Poll::Ready(Ok(value)) => core::task::Poll::Ready(value),
            core::task::Poll::Ready(Err(e)) => fail(&Failure::from(e)),
            core::task::Poll::Pending => core::task::Poll::Pending,
        }
    }
}

/// Prints why the run failed and exits with the failure's status.
#[inline(never)]
pub fn fail(failure: &Failure) -> ! {
    crate::heprint!("firmware: {failure}\n");
    exit(failure.status())
}

/// A chat question of 50 words: hunyuan answers a word an event.
const CHAT: &[u8] = br#"{"Model":"hunyuan-lite","Stream":true,"Messages":[{"Role":"user","Content":"the0 quick1 brown2 fox3 jumps4 over5 the6 lazy7 dog8 the9 quick10 brown11 fox12 jumps13 over14 the15 lazy16 dog17 the18 quick19 brown20 fox21 jumps22 over23 the24 lazy25 dog26 the27 quick28 brown29 fox30 jumps31 over32 the33 lazy34 dog35 the36 quick37 brown38 fox39 jumps40 over41 the42 lazy43 dog44 the45 quick46 brown47 fox48 jumps49"}]}"#;
/// The emulator's `GetObjectBytes` (an action of its own): 1 MiB, byte `i` being `i % 256`,
/// with its `Content-Length`, then chunked in 4 KiB pieces.
const OBJECT: &[u8] = br#"{"Length":1048576}"#;
const OBJECT_CHUNKED: &[u8] = br#"{"Length":1048576,"EmulatorChunkBytes":4096}"#;
const OBJECT_LEN: u64 = 1_048_576;

/// One streamed chat answer event, typed.
#[derive(serde::Deserialize)]
struct ChatChunk<'a> {
    #[serde(rename = "Choices", borrow)]
    choices: heapless::Vec<ChatChoice<'a>, 1>,
}

#[derive(serde::Deserialize)]
struct ChatChoice<'a> {
    #[serde(rename = "Delta", borrow)]
    delta: ChatDelta<'a>,
    #[serde(rename = "FinishReason")]
    finish: &'a str,
}

#[derive(serde::Deserialize)]
struct ChatDelta<'a> {
    #[serde(rename = "Content")]
    content: &'a str,
}

/// Streams hunyuan `ChatCompletions` through `buf`, each event read as a typed chunk as it
/// arrives; at least 50 of them, the last one finishing the answer.
async fn stream_chat(
    client: &mut Client<'_, NoRtc>,
    conn: &mut Connection<impl embedded_io_async::Read + embedded_io_async::Write>,
    authority: &str,
    region: &str,
    buf: &mut [u8],
) -> Result<(), Failure> {
    let request = Request::post_json("hunyuan", "2023-09-01", "ChatCompletions", CHAT).region(region).host(authority);
    let (mut typed, mut words, mut finished) = (0u32, 0u32, false);
    let on_event = |event: Event<'_>| {
        if let Ok(Ok(chunk)) = parse_event_data::<ChatChunk<'_>>(event.data.as_bytes(), &mut [])
            && let Some(choice) = chunk.choices.first()
        {
            typed += 1;
            words += u32::from(!choice.delta.content.trim().is_empty());
            finished = choice.finish == "stop";
        }
    };
    let streamed = client.call_stream_on(conn, &request, buf, on_event).await.map_err(Failure::Call)?;
    if typed != streamed.events || words != streamed.events {
        return Err(Failure::Streamed("an event is not a chat chunk with a word"));
    }
    if streamed.events < 50 || !finished {
        return Err(Failure::Streamed("the chat answer has fewer than 50 events or no end"));
    }
    hprint!("stream: {} events, {} bytes through {} B\n", streamed.events, streamed.bytes, buf.len());
    if !conn.is_reusable() { Err(Failure::NotKeptAlive) } else { Ok(()) }
}

/// Checks the object's bytes as they arrive.
struct ObjectCheck {
    len: u64,
    right: bool,
}

impl embedded_io_async::ErrorType for ObjectCheck {
    type Error = core::convert::Infallible;
}

impl embedded_io_async::Write for ObjectCheck {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        for (i, &b) in (self.len..).zip(buf) {
            self.right &= b == i as u8;
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Reads the 1 MiB object through `buf` into the checking sink.
async fn read_object(
    client: &mut Client<'_, NoRtc>,
    conn: &mut Connection<impl embedded_io_async::Read + embedded_io_async::Write>,
    authority: &str,
    region: &str,
    buf: &mut [u8],
    body: &'static [u8],
) -> Result<(), Failure> {
    let request = Request::post_json("cvm", "2017-03-12", "GetObjectBytes", body).region(region).host(authority);
    let mut sink = ObjectCheck { len: 0, right: true };
    let len = client.call_into_on(conn, &request, buf, &mut sink).await.map_err(Failure::Call)?;
    if len != OBJECT_LEN || sink.len != OBJECT_LEN || !sink.right {
        return Err(Failure::Streamed("the object's bytes are not the ones sent"));
    }
    let framing = if body == OBJECT { "Content-Length" } else { "chunked" };
    hprint!("body: {len} bytes through {} B, {framing}\n", buf.len());
    if !conn.is_reusable() { Err(Failure::NotKeptAlive) } else { Ok(()) }
}
