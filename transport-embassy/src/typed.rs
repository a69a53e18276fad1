//! Typed calls (feature `alloc`): any request type of the generated service crates
//! (`tencentcloud_cvm::v20170312::DescribeInstancesRequest`, ...) written as JSON on the
//! heap, the answer read into its typed response. The heap-free calls stay the default.
use alloc::string::String;
use core::fmt;

use tencentcloud_core::Request;
use tencentcloud_core::action::Action;
use tencentcloud_core::request::Endpoint;
use tencentcloud_runtime::{FromJson, ResponseError, ToJson};

use crate::client::Client;
use crate::clock::Clock;
use crate::conn::{Connect, Connection};
use crate::error::Error;

/// A typed request that could not be written, or an answer that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// The request could not be written as JSON (a float that is NaN or infinite).
    Encode {
        /// The action.
        action: &'static str,
        /// What and where (field path).
        error: tencentcloud_runtime::Error,
    },
    /// The answer could not be read into the response type; names the action, the field
    /// path and the request id.
    Decode(ResponseError),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encode { action, error } => write!(f, "cannot write the {action} request: {error}"),
            Self::Decode(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for ModelError {}

#[cfg(feature = "defmt")]
impl defmt::Format for ModelError {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", defmt::Display2Format(self));
    }
}

fn encode<A: Action + ToJson>(request: &A) -> Result<String, Error> {
    tencentcloud_runtime::to_string(request)
        .map_err(|error| Error::Model(ModelError::Encode { action: A::ACTION, error }))
}

fn decode<A: Action>(body: &[u8]) -> Result<A::Response, Error>
where
    A::Response: FromJson,
{
    match tencentcloud_runtime::decode_response::<A>(body) {
        Ok(r) => Ok(r),
        Err(e) => Err(Error::Model(ModelError::Decode(e))),
    }
}

impl<C: Clock, const N: usize> Client<'_, C, N> {
    /// Connects with `connector`, sends a typed request to `region` (if the service has
    /// regions) at `endpoint` ([`Endpoint::Default`]: `<service>.tencentcloudapi.com`), and
    /// reads the typed response. `buf` holds the answer while it is read.
    pub async fn send<A, K>(
        &mut self,
        connector: &mut K,
        request: &A,
        region: Option<&str>,
        endpoint: Endpoint<'_>,
        buf: &mut [u8],
    ) -> Result<A::Response, Error>
    where
        A: Action + ToJson,
        A::Response: FromJson,
        K: Connect,
    {
        let body = encode(request)?;
        let req = request_for::<A>(&body, region, endpoint);
        let raw = self.call_raw(connector, &req, buf).await?;
        decode::<A>(raw)
    }

    /// [`Client::send`] over a connection the caller keeps (see [`Client::call_on`]).
    pub async fn send_on<A, S>(
        &mut self,
        conn: &mut Connection<S>,
        request: &A,
        region: Option<&str>,
        endpoint: Endpoint<'_>,
        buf: &mut [u8],
    ) -> Result<A::Response, Error>
    where
        A: Action + ToJson,
        A::Response: FromJson,
        S: embedded_io_async::Read + embedded_io_async::Write,
    {
        let body = encode(request)?;
        let req = request_for::<A>(&body, region, endpoint);
        let raw = self.call_raw_on(conn, &req, buf).await?;
        decode::<A>(raw)
    }
}

fn request_for<'a, A: Action>(body: &'a str, region: Option<&'a str>, endpoint: Endpoint<'a>) -> Request<'a> {
    let req = Request::post_json(A::SERVICE, A::VERSION, A::ACTION, body.as_bytes()).endpoint(endpoint);
    match region {
        Some(r) => req.region(r),
        None => req,
    }
}
