//! tencentcloud-transport-embassy's response reader, through the public client over an
//! in-memory connection.

use core::convert::Infallible;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embedded_io_async::{ErrorType, Read, Write};
use tencentcloud_core::{Credential, Request};
use tencentcloud_transport_embassy::{Client, Clock, Config, Connection, Error};

/// Answers every request with `response`, handed out `pieces` bytes at a time (at most
/// what the reader asks for); then the end of the stream.
struct Scripted<'a> {
    response: &'a [u8],
    pieces: Pieces,
}

enum Pieces {
    Whole,
    /// Piece sizes 1..=16 from an xorshift state.
    Seeded(u32),
}

impl ErrorType for Scripted<'_> {
    type Error = Infallible;
}

impl Read for Scripted<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let want = match &mut self.pieces {
            Pieces::Whole => usize::MAX,
            Pieces::Seeded(state) => {
                *state ^= *state << 13;
                *state ^= *state >> 17;
                *state ^= *state << 5;
                (*state % 16) as usize + 1
            }
        };
        let n = want.min(buf.len()).min(self.response.len());
        let (now, rest) = self.response.split_at(n);
        buf[..n].copy_from_slice(now);
        self.response = rest;
        Ok(n)
    }
}

impl Write for Scripted<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

struct FixedClock;

impl Clock for FixedClock {
    fn now_unix(&mut self) -> Option<u64> {
        Some(1_700_000_000)
    }
}

/// What one call returned: the body or the error, and the connection's state after it.
type Outcome = (Result<Vec<u8>, Error>, bool, u32);

fn call(response: &[u8], pieces: Pieces, buf_len: usize) -> Outcome {
    let cred = Credential::new("AKIDFUZZ", "fuzz-secret").unwrap_or_else(|_| unreachable!());
    let mut config = Config::new();
    config.rate_limit_retries = 0; // no backoff sleeps; one exchange per call
    config.retry_signature_expire = false;
    let mut client: Client<'_, _> = Client::with_config(cred, FixedClock, config);
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", b"{}");
    let mut conn = Connection::new(Scripted { response, pieces });
    let mut buf = vec![0u8; buf_len];
    let result = block_on(client.call_raw_on(&mut conn, &req, &mut buf)).map(<[u8]>::to_vec);
    (result, conn.is_reusable(), conn.exchanges())
}

/// The in-memory connection never waits, so polling until ready terminates.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Reads the response in `data[1..]` with a buffer size picked by `data[0]`, arriving
/// whole and in pieces of 1..=16 bytes seeded by `data[0]`: body or error, and whether
/// the connection may be reused, must not depend on how the bytes arrived.
pub fn embassy_response(data: &[u8]) {
    let Some((&seed, response)) = data.split_first() else { return };
    let buf_len = [48, 256, 1024, 4096][usize::from(seed & 3)];
    let whole = call(response, Pieces::Whole, buf_len);
    let pieces = call(response, Pieces::Seeded(u32::from(seed).wrapping_mul(0x9E37_79B9) | 1), buf_len);
    // Body or error and the exchange count must not depend on how the bytes arrived. Reuse
    // may: bytes past the body that arrived together with it, or a read that filled all the
    // room it had (more may wait), make the whole read refuse reuse, while in pieces they
    // have not arrived yet when the body is complete. So whole-reusable implies
    // pieces-reusable, never the other way round.
    assert_eq!((&whole.0, whole.2), (&pieces.0, pieces.2), "whole vs. in pieces; buffer {buf_len}");
    assert!(!whole.1 || pieces.1, "reusable whole but not in pieces; buffer {buf_len}");
    if let (Ok(body), ..) = &whole {
        assert!(body.len() <= buf_len && body.len() <= response.len());
    }
}
