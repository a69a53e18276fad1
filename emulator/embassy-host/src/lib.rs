//! # tencentcloud-embassy-host
//!
//! tencentcloud-transport-embassy's embedded path on a std host, for tests and the
//! `embassy_host` example (never in firmware; not published).
//!
//! Two embassy-net stacks joined by an in-memory IP link ([`link`], optionally dropping
//! every Nth packet): the *device* (`10.0.0.2`), which runs this crate exactly as firmware
//! would, and a *gateway* (`10.0.0.1`) that answers every DNS A query with its own address
//! and bridges TCP connections on chosen ports to real sockets ([`HostNet::forward`]). So
//! the device's DNS, TCP, TLS and HTTP all go through the real embassy-net stack, and reach
//! any server on this machine.
//!
//! Everything runs on one thread in a tokio [`LocalSet`](tokio::task::LocalSet) (the stacks
//! are not `Send`); embassy-time uses its `std` driver. [`block_on`] sets that up.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Waker};

use embassy_net::driver::{self, Capabilities, HardwareAddress, LinkState};
use embassy_net::tcp::TcpSocket;
use embassy_net::udp::{PacketMetadata, UdpSocket};
use embassy_net::{Config, Ipv4Address, Ipv4Cidr, Stack, StackResources, StaticConfigV4};
use tencentcloud_transport_embassy::Clock;
use tencentcloud_transport_embassy::net::Random;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The device's address on the link.
pub const DEVICE_IP: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);
/// The gateway's address: the DNS server, and the answer to every DNS query.
pub const GATEWAY_IP: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);

/// The link's MTU (IP packets).
pub const MTU: usize = 1500;

/// Runs `fut` to completion on a new single-threaded tokio runtime inside a `LocalSet`.
///
/// # Panics
/// If the runtime cannot be built.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    #[allow(clippy::expect_used)]
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    tokio::task::LocalSet::new().block_on(&rt, fut)
}

/// Packet counters of a link.
#[derive(Debug, Default)]
pub struct LinkStats {
    /// Packets handed to the link.
    pub sent: AtomicU64,
    /// Packets the link dropped on purpose.
    pub dropped: AtomicU64,
}

struct Side {
    queue: VecDeque<Vec<u8>>,
    waker: Option<Waker>,
    /// Packets this side has sent.
    sent: u64,
}

struct Shared {
    sides: [Side; 2],
    drop_every: Option<u64>,
}

/// One end of an in-memory IP link: an embassy-net driver.
pub struct LinkEnd {
    shared: Arc<Mutex<Shared>>,
    stats: Arc<LinkStats>,
    side: usize,
}

impl core::fmt::Debug for LinkEnd {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LinkEnd").field("side", &self.side).finish_non_exhaustive()
    }
}

/// A point-to-point IP link. With `drop_every = Some(n)`, every `n`th packet in each
/// direction is lost (counted per direction, so a retransmission is not lost again just
/// because the other side sent packets meanwhile).
pub fn link(drop_every: Option<u32>) -> (LinkEnd, LinkEnd, Arc<LinkStats>) {
    let side = || Side { queue: VecDeque::new(), waker: None, sent: 0 };
    let shared = Arc::new(Mutex::new(Shared { sides: [side(), side()], drop_every: drop_every.map(u64::from) }));
    let stats = Arc::new(LinkStats::default());
    let end = |side| LinkEnd { shared: shared.clone(), stats: stats.clone(), side };
    (end(0), end(1), stats)
}

impl LinkEnd {
    fn with<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> R {
        f(&mut self.shared.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A received packet.
pub struct RxToken(Vec<u8>);

/// Room for one packet to the other end.
pub struct TxToken<'a>(&'a LinkEnd);

impl driver::RxToken for RxToken {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(mut self, f: F) -> R {
        f(&mut self.0)
    }
}

impl driver::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut packet = vec![0u8; len];
        let r = f(&mut packet);
        let end = self.0;
        end.stats.sent.fetch_add(1, Ordering::Relaxed);
        end.with(|s| {
            let me = &mut s.sides[end.side];
            me.sent += 1;
            let n = me.sent;
            if s.drop_every.is_some_and(|every| n.is_multiple_of(every)) {
                end.stats.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            let peer = &mut s.sides[1 - end.side];
            peer.queue.push_back(packet);
            if let Some(w) = peer.waker.take() {
                w.wake();
            }
        });
        r
    }
}

impl driver::Driver for LinkEnd {
    type RxToken<'a>
        = RxToken
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(RxToken, TxToken<'_>)> {
        let side = self.side;
        let packet = self.with(|s| {
            let me = &mut s.sides[side];
            let p = me.queue.pop_front();
            if p.is_none() {
                me.waker = Some(cx.waker().clone());
            }
            p
        })?;
        Some((RxToken(packet), TxToken(self)))
    }

    fn transmit(&mut self, _cx: &mut Context<'_>) -> Option<TxToken<'_>> {
        Some(TxToken(self))
    }

    fn link_state(&mut self, _cx: &mut Context<'_>) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ip
    }
}

/// A device stack and a gateway stack on one link, running on the current `LocalSet`.
#[derive(Clone)]
pub struct HostNet {
    /// The device's stack: give it to [`Connector`](tencentcloud_transport_embassy::net::Connector).
    pub device: Stack<'static>,
    /// The gateway's stack.
    pub gateway: Stack<'static>,
    /// The link's packet counters.
    pub stats: Arc<LinkStats>,
}

impl core::fmt::Debug for HostNet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostNet").field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl HostNet {
    /// Starts both stacks and the gateway's DNS responder (must run inside a tokio
    /// `LocalSet`, e.g. under [`block_on`]). `drop_every`: see [`link`].
    pub async fn start(drop_every: Option<u32>) -> Self {
        let (device_end, gateway_end, stats) = link(drop_every);
        let device = spawn_stack(device_end, DEVICE_IP, 0x5eed_0001);
        let gateway = spawn_stack(gateway_end, GATEWAY_IP, 0x5eed_0002);
        tokio::task::spawn_local(dns_responder(gateway));
        // Let the responder bind before the device sends its first query.
        tokio::task::yield_now().await;
        Self { device, gateway, stats }
    }

    /// Bridges TCP connections to `GATEWAY_IP:port` to the real socket `target`. Returns a
    /// counter of the connections accepted.
    pub async fn forward(&self, port: u16, target: SocketAddr) -> Arc<AtomicUsize> {
        let accepted = Arc::new(AtomicUsize::new(0));
        // Two listeners, so one is always listening while the other hands over.
        for _ in 0..2 {
            spawn_listener(self.gateway, port, target, accepted.clone());
        }
        // Let them listen before the device connects.
        tokio::task::yield_now().await;
        accepted
    }
}

fn spawn_stack(end: LinkEnd, ip: Ipv4Address, seed: u64) -> Stack<'static> {
    let resources: &'static mut StackResources<16> = Box::leak(Box::new(StackResources::new()));
    let mut dns_servers = heapless::Vec::new();
    let _ = dns_servers.push(GATEWAY_IP);
    let config = Config::ipv4_static(StaticConfigV4 { address: Ipv4Cidr::new(ip, 24), gateway: None, dns_servers });
    let (stack, mut runner) = embassy_net::new(end, config, resources, seed);
    tokio::task::spawn_local(async move { runner.run().await });
    stack
}

/// Answers every DNS A query with the gateway's address (other types: no answer).
async fn dns_responder(stack: Stack<'static>) {
    let (mut rx_meta, mut tx_meta) = ([PacketMetadata::EMPTY; 8], [PacketMetadata::EMPTY; 8]);
    let (mut rx, mut tx) = (vec![0u8; 2048], vec![0u8; 2048]);
    let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
    if socket.bind(53).is_err() {
        return;
    }
    let mut query = [0u8; 512];
    loop {
        let Ok((n, meta)) = socket.recv_from(&mut query).await else { continue };
        if let Some(answer) = dns_answer(&query[..n], GATEWAY_IP.octets()) {
            let _ = socket.send_to(&answer, meta.endpoint).await;
        }
    }
}

fn dns_answer(query: &[u8], ip: [u8; 4]) -> Option<Vec<u8>> {
    if query.get(4..6)? != [0, 1] {
        return None;
    }
    let mut i = 12;
    loop {
        let len = usize::from(*query.get(i)?);
        i += 1;
        if len == 0 {
            break;
        }
        if len & 0xc0 != 0 {
            return None;
        }
        i += len;
    }
    let question_end = i + 4;
    let is_a = query.get(i..question_end)? == [0, 1, 0, 1];
    let mut r = Vec::with_capacity(question_end + 16);
    r.extend_from_slice(query.get(..2)?);
    r.extend_from_slice(&[0x81, 0x80, 0, 1, 0, u8::from(is_a), 0, 0, 0, 0]);
    r.extend_from_slice(query.get(12..question_end)?);
    if is_a {
        r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        r.extend_from_slice(&ip);
    }
    Some(r)
}

fn spawn_listener(stack: Stack<'static>, port: u16, target: SocketAddr, accepted: Arc<AtomicUsize>) {
    tokio::task::spawn_local(async move {
        let (mut rx, mut tx) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        socket.set_timeout(Some(embassy_time::Duration::from_secs(120)));
        if socket.accept(port).await.is_err() {
            return;
        }
        accepted.fetch_add(1, Ordering::SeqCst);
        spawn_listener(stack, port, target, accepted);
        bridge(&mut socket, target).await;
    });
}

/// Copies bytes both ways between an accepted gateway socket and a real TCP connection.
async fn bridge(socket: &mut TcpSocket<'_>, target: SocketAddr) {
    let Ok(stream) = tokio::net::TcpStream::connect(target).await else {
        socket.abort();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), socket.flush()).await;
        return;
    };
    let _ = stream.set_nodelay(true);
    let (mut real_rx, mut real_tx) = stream.into_split();
    {
        let (mut dev_rx, mut dev_tx) = socket.split();
        let up = async {
            let mut buf = vec![0u8; 4096];
            while let Ok(n @ 1..) = dev_rx.read(&mut buf).await {
                if real_tx.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            let _ = real_tx.shutdown().await;
        };
        let down = async {
            let mut buf = vec![0u8; 4096];
            while let Ok(n @ 1..) = real_rx.read(&mut buf).await {
                if embedded_io_async::Write::write_all(&mut dev_tx, &buf[..n]).await.is_err() {
                    break;
                }
            }
        };
        tokio::pin!(up, down);
        tokio::select! {
            () = &mut down => {}
            () = &mut up => {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(30), &mut down).await;
            }
        }
    }
    socket.close();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), socket.flush()).await;
}

/// The host's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&mut self) -> Option<u64> {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
    }
}

/// The operating system's random source (`/dev/urandom`).
#[derive(Debug)]
pub struct OsRandom(std::fs::File);

impl OsRandom {
    /// Opens `/dev/urandom`.
    pub fn new() -> std::io::Result<Self> {
        std::fs::File::open("/dev/urandom").map(Self)
    }
}

impl Random for OsRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        use std::io::Read;
        #[allow(clippy::expect_used)]
        self.0.read_exact(dest).expect("reading /dev/urandom");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_answers_a_queries() {
        // ID 0x1234, RD, one question: "localhost" A IN.
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend_from_slice(b"\x09localhost\x00\x00\x01\x00\x01");
        let a = dns_answer(&q, [10, 0, 0, 1]).unwrap();
        assert_eq!(&a[..4], &[0x12, 0x34, 0x81, 0x80]);
        assert_eq!(&a[6..8], &[0, 1]);
        assert_eq!(&a[a.len() - 4..], &[10, 0, 0, 1]);
        let mut aaaa = q.clone();
        let n = aaaa.len();
        aaaa[n - 3] = 28;
        assert_eq!(dns_answer(&aaaa, [10, 0, 0, 1]).unwrap()[6..8], [0, 0]);
    }
}
