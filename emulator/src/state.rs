//! What the front door keeps between requests: accepted keys, queued faults, the request log,
//! the clock offset, the id generator and the realism switches.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::{rfc3339, system_now_ms};
use crate::fault::Fault;
use crate::ids::IdGen;
use crate::limits::Realism;
use crate::record::{AnswerSource, RecordedRequest};
use crate::sync::lock;
use crate::tc3::KeyInfo;

/// Most requests kept in the log ([`crate::RunningEmulator::requests`]); the oldest tenth goes past it.
pub(crate) const MAX_RECORDED: usize = 10_000;

/// Called with every request once answered ([`crate::EmulatorBuilder::on_request`]).
pub(crate) type Callback = Arc<dyn Fn(&RecordedRequest) + Send + Sync>;

/// Temporary credentials minted by the emulator (STS or metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryCredential {
    /// `TmpSecretId`.
    pub secret_id: String,
    /// `TmpSecretKey`.
    pub secret_key: String,
    /// `Token`, to send as `X-TC-Token`.
    pub token: String,
    /// `ExpiredTime`: Unix seconds (emulator clock), rounded down.
    pub expired_time: i64,
    /// `Expiration`: RFC 3339 form of `expired_time`.
    pub expiration: String,
}

/// The front door's shared state.
pub(crate) struct State {
    pub(crate) keys: Mutex<HashMap<String, KeyInfo>>,
    pub(crate) faults: Mutex<VecDeque<Fault>>,
    pub(crate) metadata_faults: Mutex<VecDeque<Fault>>,
    pub(crate) down: Mutex<Option<Fault>>,
    pub(crate) clock_offset: AtomicI64,
    pub(crate) sts_lifetime: Mutex<Option<Duration>>,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) seq: AtomicU64,
    pub(crate) max_skew_secs: i64,
    pub(crate) metadata_role: String,
    pub(crate) on_request: Option<Callback>,
    pub(crate) ids: Mutex<IdGen>,
    pub(crate) realism: Realism,
}

impl State {
    /// The emulator clock in Unix milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        system_now_ms().saturating_add(self.clock_offset.load(Ordering::SeqCst).saturating_mul(1000))
    }

    pub(crate) fn uuid(&self) -> String {
        lock(&self.ids).uuid()
    }

    /// The lifetime to mint: the override if set, else `requested`.
    pub(crate) fn lifetime(&self, requested: Duration) -> Duration {
        lock(&self.sts_lifetime).unwrap_or(requested)
    }

    /// Mints temporary credentials and accepts them (with their token) until expiry.
    pub(crate) fn mint(&self, lifetime: Duration) -> TemporaryCredential {
        let (secret_id, secret_key, token) = {
            let mut ids = lock(&self.ids);
            (format!("AKID{}", ids.alnum(32)), ids.alnum(32), ids.alnum(96))
        };
        let expires_at_ms = self.now_ms().saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX / 2));
        lock(&self.keys).insert(
            secret_id.clone(),
            KeyInfo { secret_key: secret_key.clone(), token: Some(token.clone()), expires_at_ms: Some(expires_at_ms) },
        );
        let expired_time = expires_at_ms.div_euclid(1000);
        TemporaryCredential { secret_id, secret_key, token, expired_time, expiration: rfc3339(expired_time) }
    }

    pub(crate) fn take_fault(&self) -> Option<Fault> {
        if let Some(f) = lock(&self.down).clone() {
            return Some(f);
        }
        lock(&self.faults).pop_front()
    }

    pub(crate) fn record(&self, mut r: RecordedRequest) -> u64 {
        let mut reqs = lock(&self.requests);
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        r.seq = seq;
        if reqs.len() >= MAX_RECORDED {
            // A long-running emulator keeps the most recent requests only.
            reqs.drain(..MAX_RECORDED / 10);
        }
        reqs.push(r);
        seq
    }

    pub(crate) fn finish(&self, seq: u64, status: Option<u16>, error_code: Option<String>) {
        self.finish_with(seq, status, error_code, None);
    }

    pub(crate) fn finish_with(
        &self,
        seq: u64,
        status: Option<u16>,
        error_code: Option<String>,
        answer: Option<AnswerSource>,
    ) {
        let snapshot = {
            let mut reqs = lock(&self.requests);
            // Recorded in `seq` order: a binary search keeps this cheap however many requests came.
            let Ok(i) = reqs.binary_search_by_key(&seq, |r| r.seq) else { return };
            let r = &mut reqs[i];
            r.status = status;
            r.error_code = error_code;
            r.answer = answer;
            self.on_request.as_ref().map(|_| r.clone())
        };
        tracing::debug!(seq, ?status, "emulator request answered");
        if let (Some(cb), Some(r)) = (&self.on_request, snapshot) {
            cb(&r);
        }
    }
}
