//! The connection this crate provides: DNS and TCP over an embassy-net [`Stack`], then TLS
//! 1.3 with embedded-tls, the server verified by [`pki::Verifier`](crate::pki::Verifier).
//!
//! All memory is the caller's: the TCP socket buffers and the TLS record buffers (the read
//! buffer must hold a whole TLS record: 16 640 bytes for servers that send full-size
//! records; the write buffer must hold the ClientHello, about 2 KiB is ample).
//!
//! ```no_run
//! # async fn demo(stack: embassy_net::Stack<'_>, ca_der: &[u8], rng: &mut impl tencentcloud_transport_embassy::net::Random) -> Result<(), tencentcloud_transport_embassy::Error> {
//! use tencentcloud_transport_embassy::net::{Buffers, Connector};
//! use tencentcloud_transport_embassy::pki::TrustAnchor;
//!
//! let (mut tcp_rx, mut tcp_tx) = ([0u8; 4096], [0u8; 2048]);
//! let (mut tls_read, mut tls_write) = ([0u8; 16640], [0u8; 2048]);
//! let buffers = Buffers { tcp_rx: &mut tcp_rx, tcp_tx: &mut tcp_tx, tls_read: &mut tls_read, tls_write: &mut tls_write };
//! let mut connector = Connector::new(stack, buffers, TrustAnchor::from_der(ca_der)?, rng);
//! // client.call(&mut connector, &request, &mut response_buffer).await?;
//! # Ok(()) }
//! ```

use embassy_net::Stack;
use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::TcpSocket;
use embassy_time::{Duration, with_timeout};
use embedded_io::ErrorKind;
use embedded_tls::{
    Aes128GcmSha256, CryptoProvider, FlushPolicy, TlsConfig, TlsConnection, TlsContext, TlsError, TlsVerifier,
};

use crate::conn::{Connect, Connection, Outlined};
use crate::error::{CertError, Error, Phase, TlsFailure};
use crate::pki::{Host, TrustAnchor, Verifier};

/// A source of cryptographically secure random bytes (the MCU's TRNG), for the TLS key
/// exchange. Every `rand_core` 0.6 `RngCore + CryptoRng` generator is one.
pub trait Random {
    /// Fills `dest` with random bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]);
}

impl<R: rand_core::RngCore + rand_core::CryptoRng> Random for R {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::RngCore::fill_bytes(self, dest);
    }
}

/// The caller's buffers for one connection at a time.
#[derive(Debug)]
pub struct Buffers<'a> {
    /// TCP receive buffer (its size is the receive window).
    pub tcp_rx: &'a mut [u8],
    /// TCP send buffer.
    pub tcp_tx: &'a mut [u8],
    /// TLS record read buffer: the largest record the server sends (16 640 bytes covers all).
    pub tls_read: &'a mut [u8],
    /// TLS record write buffer: requests are split into records of this size.
    pub tls_write: &'a mut [u8],
}

/// Bounds on connection setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// DNS resolution. Default 10 s.
    pub dns: Duration,
    /// TCP connect. Default 10 s.
    pub connect: Duration,
    /// TLS handshake. Default 20 s.
    pub handshake: Duration,
    /// TCP-level: the socket is closed when nothing is received for this long. Default 60 s.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            dns: Duration::from_secs(10),
            connect: Duration::from_secs(10),
            handshake: Duration::from_secs(20),
            idle: Duration::from_secs(60),
        }
    }
}

enum Security<'a> {
    Tls {
        anchor: TrustAnchor<'a>,
        rng: &'a mut dyn Random,
    },
    #[cfg(feature = "insecure-plain-http")]
    PlainHttp,
}

/// Opens connections over an embassy-net stack: DNS (A records), TCP, and TLS 1.3 with the
/// server certificate verified against the trust anchor; or, only when compiled in (feature
/// `insecure-plain-http`) and asked for, plain HTTP.
pub struct Connector<'a> {
    stack: Stack<'a>,
    /// One socket, reused for every connection (it owns the TCP buffers).
    socket: TcpSocket<'a>,
    tls_read: &'a mut [u8],
    tls_write: &'a mut [u8],
    security: Security<'a>,
    timeouts: Timeouts,
    address: Option<embassy_net::IpAddress>,
}

impl core::fmt::Debug for Connector<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connector")
            .field("tls", &matches!(self.security, Security::Tls { .. }))
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl<'a> Connector<'a> {
    /// TLS 1.3 connections whose server certificate must chain to `trust_anchor`, name the
    /// host, and be valid at the client's time. `rng` seeds the key exchange.
    pub fn new(stack: Stack<'a>, buffers: Buffers<'a>, trust_anchor: TrustAnchor<'a>, rng: &'a mut dyn Random) -> Self {
        Self::with_security(stack, buffers, Security::Tls { anchor: trust_anchor, rng })
    }

    /// Plain HTTP without TLS, for a local emulator on a test network only: anyone on the
    /// path can read the credentials' signatures and alter requests and responses. The TLS
    /// buffers are not used (they may be empty). Exists only with the `insecure-plain-http`
    /// feature, so production firmware cannot turn it on by mistake.
    #[cfg(feature = "insecure-plain-http")]
    pub fn insecure_plain_http(stack: Stack<'a>, buffers: Buffers<'a>) -> Self {
        Self::with_security(stack, buffers, Security::PlainHttp)
    }

    fn with_security(stack: Stack<'a>, buffers: Buffers<'a>, security: Security<'a>) -> Self {
        let Buffers { tcp_rx, tcp_tx, tls_read, tls_write } = buffers;
        Self {
            stack,
            socket: TcpSocket::new(stack, tcp_rx, tcp_tx),
            tls_read,
            tls_write,
            security,
            timeouts: Timeouts::default(),
            address: None,
        }
    }

    /// Sets the connection-setup timeouts.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.timeouts = timeouts;
    }

    /// Connects to `address` instead of resolving the host name (a server pinned by IP, a
    /// network without DNS); the certificate is still checked against the host name.
    pub fn set_address(&mut self, address: Option<embassy_net::IpAddress>) {
        self.address = address;
    }

    async fn resolve(&self, host: &str) -> Result<embassy_net::IpAddress, Error> {
        if let Some(address) = self.address {
            return Ok(address);
        }
        // Without its trailing dot, an IPv4 literal (`10.1.2.3.`) is taken as the address
        // (never looked up as a name); a DNS name is the same name.
        let host = host.strip_suffix('.').unwrap_or(host);
        match with_timeout(self.timeouts.dns, self.stack.dns_query(host, DnsQueryType::A)).await {
            Err(_) => Err(Error::Timeout(Phase::Dns)),
            Ok(Err(_)) => Err(Error::Dns),
            Ok(Ok(addrs)) => addrs.first().copied().ok_or(Error::Dns),
        }
    }
}

impl<'a> Connect for Connector<'a> {
    type Stream<'c>
        = Stream<'c, 'a>
    where
        Self: 'c;

    async fn connect(
        &mut self,
        host: &str,
        port: Option<u16>,
        now: Option<u64>,
    ) -> Result<Connection<Stream<'_, 'a>>, Error> {
        #[cfg(feature = "insecure-plain-http")]
        let port = port.unwrap_or(if matches!(self.security, Security::PlainHttp) { 80 } else { 443 });
        #[cfg(not(feature = "insecure-plain-http"))]
        let port = port.unwrap_or(443);
        let addr = self.resolve(host).await?;
        // The previous connection may still be closing (its FIN not yet acknowledged).
        if self.socket.state() != embassy_net::tcp::State::Closed {
            self.socket.abort();
        }
        self.socket.set_timeout(Some(self.timeouts.idle));
        match with_timeout(self.timeouts.connect, self.socket.connect((addr, port))).await {
            Err(_) => return Err(Error::Timeout(Phase::Connect)),
            Ok(Err(_)) => return Err(Error::Connect),
            Ok(Ok(())) => {}
        }
        let (anchor, rng) = match &mut self.security {
            #[cfg(feature = "insecure-plain-http")]
            Security::PlainHttp => return Ok(Connection::new(Stream::Plain(Socket(&mut self.socket)))),
            Security::Tls { anchor, rng } => (*anchor, &mut **rng),
        };
        let mut verifier = Verifier::new(anchor, host, now);
        let config = TlsConfig::new();
        let config = match server_name(host) {
            Some(name) => config.with_server_name(name),
            None => config,
        };
        #[cfg(feature = "rsa")]
        let config = config.enable_rsa_signatures();
        let mut tls = TlsConnection::new(Socket(&mut self.socket), &mut *self.tls_read, &mut *self.tls_write);
        tls.set_flush_policy(FlushPolicy::Relaxed);
        let provider = Provider { rng: RngAdapter(rng), verifier: &mut verifier };
        match with_timeout(self.timeouts.handshake, Outlined::new(tls.open(TlsContext::new(&config, provider)))).await {
            Err(_) => return Err(Error::Timeout(Phase::Handshake)),
            Ok(Err(e)) => return Err(handshake_error(e, verifier.failure())),
            Ok(Ok(())) => {}
        }
        Ok(match verifier.finish()? {
            Some((not_before, not_after)) => {
                Connection::with_unchecked_validity(Stream::Tls(tls), not_before, not_after)
            }
            None => Connection::new(Stream::Tls(tls)),
        })
    }
}

/// The name sent as SNI for `host`: a DNS name without its trailing dot (RFC 6066 3), and
/// nothing for an IP literal, IPv4 or IPv6 (RFC 6066 forbids them; the verifier matches
/// them against the certificate's iPAddress names), nor for what is neither.
fn server_name(host: &str) -> Option<&str> {
    matches!(Host::parse(host), Host::Dns(_)).then(|| host.strip_suffix('.').unwrap_or(host))
}

fn handshake_error(e: TlsError, cert: Option<CertError>) -> Error {
    use embedded_tls::alert::AlertDescription as A;
    if let Some(cert) = cert {
        return Error::Certificate(cert);
    }
    Error::Tls(match e {
        TlsError::HandshakeAborted(_, A::ProtocolVersion) => TlsFailure::ProtocolVersion,
        TlsError::HandshakeAborted(_, A::HandshakeFailure) => TlsFailure::HandshakeFailure,
        TlsError::HandshakeAborted(_, alert) => TlsFailure::Alert(alert as u8),
        TlsError::InsufficientSpace => TlsFailure::BufferTooSmall,
        TlsError::Io(kind) => return Error::Io(kind),
        TlsError::IoError | TlsError::ConnectionClosed => return Error::ConnectionClosed,
        _ => TlsFailure::Protocol,
    })
}

/// Lends the firmware's random source to embedded-tls.
struct RngAdapter<'r>(&'r mut dyn Random);

impl rand_core::RngCore for RngAdapter<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.0.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for RngAdapter<'_> {}

struct Provider<'p, 'a> {
    rng: RngAdapter<'p>,
    verifier: &'p mut Verifier<'a>,
}

impl CryptoProvider for Provider<'_, '_> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = [u8; 0];

    fn rng(&mut self) -> impl embedded_tls::CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Aes128GcmSha256>, TlsError> {
        Ok(&mut *self.verifier)
    }
}

/// An open connection: TLS over the connector's TCP socket, or plain TCP when opted in.
/// Dropping it closes the TCP connection (a FIN, sent by the stack).
pub enum Stream<'c, 'a> {
    /// Plain HTTP ([`Connector::insecure_plain_http`], feature `insecure-plain-http`).
    #[cfg(feature = "insecure-plain-http")]
    Plain(Socket<'c, 'a>),
    /// TLS 1.3.
    Tls(TlsConnection<'c, Socket<'c, 'a>, Aes128GcmSha256>),
}

/// The connector's TCP socket, lent to one connection; closed (FIN) when dropped.
pub struct Socket<'c, 'a>(&'c mut TcpSocket<'a>);

impl Drop for Socket<'_, '_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl embedded_io::ErrorType for Socket<'_, '_> {
    type Error = embassy_net::tcp::Error;
}

impl embedded_io_async::Read for Socket<'_, '_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.0.read(buf).await
    }
}

impl embedded_io_async::Write for Socket<'_, '_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        // Queued in the socket; the stack sends it. Waiting for the ACK is not needed.
        Ok(())
    }
}

impl core::fmt::Debug for Stream<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            #[cfg(feature = "insecure-plain-http")]
            Self::Plain(_) => "Stream::Plain",
            Self::Tls(_) => "Stream::Tls",
        })
    }
}

/// A failure of a [`Stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamError(ErrorKind);

impl core::fmt::Display for StreamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "stream error: {:?}", self.0)
    }
}

impl core::error::Error for StreamError {}

impl embedded_io::Error for StreamError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

impl embedded_io::ErrorType for Stream<'_, '_> {
    type Error = StreamError;
}

#[cfg(feature = "insecure-plain-http")]
fn tcp_error(_: embassy_net::tcp::Error) -> StreamError {
    StreamError(ErrorKind::ConnectionReset)
}

fn tls_error(e: TlsError) -> StreamError {
    StreamError(match e {
        TlsError::Io(kind) => kind,
        TlsError::IoError | TlsError::ConnectionClosed => ErrorKind::ConnectionReset,
        _ => ErrorKind::InvalidData,
    })
}

impl embedded_io_async::Read for Stream<'_, '_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        match self {
            #[cfg(feature = "insecure-plain-http")]
            Self::Plain(s) => embedded_io_async::Read::read(s, buf).await.map_err(tcp_error),
            // `close_notify`, or the end of the TCP stream: end of data (HTTP framing tells
            // a complete response from a truncated one).
            Self::Tls(t) => match Outlined::new(t.read(buf)).await {
                Err(TlsError::ConnectionClosed | TlsError::IoError) => Ok(0),
                other => other.map_err(tls_error),
            },
        }
    }
}

impl embedded_io_async::Write for Stream<'_, '_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, StreamError> {
        match self {
            #[cfg(feature = "insecure-plain-http")]
            Self::Plain(s) => embedded_io_async::Write::write(s, buf).await.map_err(tcp_error),
            Self::Tls(t) => t.write(buf).await.map_err(tls_error),
        }
    }

    async fn flush(&mut self) -> Result<(), StreamError> {
        match self {
            #[cfg(feature = "insecure-plain-http")]
            Self::Plain(_) => Ok(()),
            Self::Tls(t) => t.flush().await.map_err(tls_error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sni_is_a_dns_name_never_an_ip_literal() {
        let cases = [
            ("cvm.tencentcloudapi.com", Some("cvm.tencentcloudapi.com")),
            ("cvm.tencentcloudapi.com.", Some("cvm.tencentcloudapi.com")),
            ("localhost", Some("localhost")),
            ("10.1.2.3", None),
            ("10.1.2.3.", None),
            ("::1", None),
            ("[::1]", None),
            ("2001:db8::1", None),
            ("[2001:db8::1]", None),
            ("::ffff:10.1.2.3", None),
            ("bad host", None),
            ("", None),
        ];
        for (host, want) in cases {
            assert_eq!(server_name(host), want, "{host:?}");
        }
    }
}
