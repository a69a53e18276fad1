//! The pluggable seam: any `embedded_io_async::{Read, Write}` connection, and connectors
//! that open them.

use crate::error::{CertError, Error};

/// A connection to the API, as the client uses it: any byte stream implementing
/// `embedded_io_async::{Read, Write}` (a TLS session from this crate's
/// [`net::Connector`](crate::net::Connector), or one from another stack: esp-idf sockets,
/// mbedtls, a modem's AT socket) plus what the client learned about it.
///
/// The stream's `read` must return `Ok(0)` once the peer has closed the connection.
/// Create one with [`Connection::new`] to use it with [`Client::call`](crate::Client::call);
/// it is reused for as long as the server keeps it alive ([`Connection::is_reusable`]).
#[derive(Debug)]
pub struct Connection<S> {
    io: S,
    reusable: bool,
    exchanges: u32,
    validity: Option<(u64, u64)>,
}

impl<S> Connection<S> {
    /// Wraps an open connection.
    pub const fn new(io: S) -> Self {
        Self { io, reusable: true, exchanges: 0, validity: None }
    }

    /// Wraps a TLS connection whose certificate validity could not be checked because the
    /// time was unknown at the handshake: `not_before..=not_after` (unix seconds, the
    /// intersection over the chain) is checked against the first `Date` the client learns,
    /// and the response is refused with [`CertError::Expired`] or
    /// [`CertError::NotYetValid`] if it falls outside.
    pub const fn with_unchecked_validity(io: S, not_before: u64, not_after: u64) -> Self {
        Self { io, reusable: true, exchanges: 0, validity: Some((not_before, not_after)) }
    }

    /// Whether the connection can carry another request: the server did not ask to close
    /// it, the last response was read completely, and nothing failed.
    pub fn is_reusable(&self) -> bool {
        self.reusable
    }

    /// How many responses were read on this connection.
    pub fn exchanges(&self) -> u32 {
        self.exchanges
    }

    /// The stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.io
    }

    /// The stream.
    pub fn into_inner(self) -> S {
        self.io
    }

    pub(crate) fn io(&mut self) -> &mut S {
        &mut self.io
    }

    pub(crate) fn set_reusable(&mut self, reusable: bool) {
        self.reusable = reusable;
    }

    pub(crate) fn count_exchange(&mut self) {
        self.exchanges = self.exchanges.saturating_add(1);
    }

    /// Whether a certificate validity window still waits for the time to be known.
    pub(crate) fn has_unchecked_validity(&self) -> bool {
        self.validity.is_some()
    }

    /// Checks a deferred validity window once the time is known.
    pub(crate) fn check_validity(&mut self, now: u64) -> Result<(), CertError> {
        let Some((not_before, not_after)) = self.validity else { return Ok(()) };
        if now < not_before {
            self.reusable = false;
            return Err(CertError::NotYetValid);
        }
        if now > not_after {
            self.reusable = false;
            return Err(CertError::Expired);
        }
        self.validity = None;
        Ok(())
    }
}

/// Opens connections to a host: DNS, TCP, TLS. [`net::Connector`](crate::net::Connector) is
/// the embassy-net + embedded-tls implementation; firmware on another network stack
/// implements this (or uses [`Client::call`](crate::Client::call) with its own
/// [`Connection`]s).
#[allow(async_fn_in_trait)] // no_std executors are single-threaded; no `Send` bound wanted
pub trait Connect {
    /// The connection type, which may borrow the connector's buffers.
    type Stream<'c>: embedded_io_async::Read + embedded_io_async::Write
    where
        Self: 'c;

    /// Opens a connection to `host` (a DNS name or an IP literal, no port) on `port`
    /// (`None`: the scheme's default). `now` is the time the client trusts (unix seconds),
    /// `None` while unknown, for the certificate's validity dates. Dropping the returned
    /// connection closes it.
    async fn connect(
        &mut self,
        host: &str,
        port: Option<u16>,
        now: Option<u64>,
    ) -> Result<Connection<Self::Stream<'_>>, Error>;
}

pin_project_lite::pin_project! {
    /// Polls a future from a function of its own (`Outlined::new(future).await`), so the
    /// caller's async state machine does not inline the future's code: measured, this
    /// keeps the client's state machine, and the firmware image, smaller.
    pub(crate) struct Outlined<F> {
        #[pin]
        future: F,
    }
}

impl<F> Outlined<F> {
    pub(crate) const fn new(future: F) -> Self {
        Self { future }
    }
}

impl<F: core::future::Future> core::future::Future for Outlined<F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(self: core::pin::Pin<&mut Self>, cx: &mut core::task::Context<'_>) -> core::task::Poll<F::Output> {
        self.project().future.poll(cx)
    }
}
