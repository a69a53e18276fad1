//! The request log: one entry per request received, with how it was checked and answered.

use serde_json::Value;

use crate::fault::Fault;
use crate::tc3;

/// The outcome of signature verification for a recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The TC3 signature (and token, for temporary credentials) checked out.
    Verified {
        /// The SecretId that signed the request.
        secret_id: String,
        /// Whether it is a temporary (STS / metadata) credential.
        temporary: bool,
    },
    /// `Authorization: SKIP` on `AssumeRoleWithWebIdentity`.
    Skipped,
    /// Verification failed; the request was answered with this error (unless a fault intervened).
    Failed {
        /// Error code, e.g. `AuthFailure.SignatureFailure`.
        code: String,
        /// Error message.
        message: String,
        /// For signature mismatches: the emulator's canonical request and string to sign.
        detail: Option<String>,
    },
    /// Not an API request (instance metadata).
    NotChecked,
}

impl Verification {
    /// `true` for [`Verification::Verified`].
    pub fn is_verified(&self) -> bool {
        matches!(self, Verification::Verified { .. })
    }

    /// The error code of a failed verification.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Verification::Failed { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// One request as received by the emulator.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Sequence number, from 0, in arrival order.
    pub seq: u64,
    /// Arrival time on the emulator's clock (Unix milliseconds).
    pub received_at_ms: i64,
    /// The RequestId answered (also for faults).
    pub request_id: String,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: String,
    /// Headers as received (names lower-case).
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
    /// `X-TC-Action`, if any.
    pub action: Option<String>,
    /// The service: the credential scope's service, or a best guess (Host label) when unsigned.
    pub service: Option<String>,
    /// `X-TC-Version`, if any.
    pub version: Option<String>,
    /// `X-TC-Region`, if any.
    pub region: Option<String>,
    /// The parameters as parsed (JSON body, or flattened query/form), if they parsed.
    pub params: Option<Value>,
    /// The outcome of signature verification.
    pub verification: Verification,
    /// The fault applied to this request, if any.
    pub fault: Option<Fault>,
    /// The HTTP status answered; `None` while pending or when the connection was dropped.
    pub status: Option<u16>,
    /// The error code answered in the envelope, if the answer was an error envelope.
    pub error_code: Option<String>,
    /// Where the answer of a dispatched API request came from (`None` when it was refused earlier).
    pub answer: Option<AnswerSource>,
    /// The API host a request reached through the proxy was for (`cvm.tencentcloudapi.com`);
    /// `None` for a request sent to the endpoint.
    pub proxied_host: Option<String>,
    /// The signature rules that made a verified request match (empty: the published canonical
    /// form did); see [`tc3::Leniency`].
    pub leniency: Vec<tc3::Leniency>,
}

impl RecordedRequest {
    /// First header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        tc3::find_header(&self.headers, name)
    }

    /// The body as UTF-8 (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Where an answer came from (recorded with each request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerSource {
    /// The emulator's state (a resource family's store) or a hand-written behaviour (CVM
    /// instances, STS, Echo, SSE, octet-stream).
    Stateful,
    /// The documented example at this index of the action's examples.
    Example(usize),
    /// Synthesized from the output shape (the action has no usable example).
    Synthesized,
}
