//! Waiting for a state ([`Client::wait_until`]): the same typed request sent again, with a
//! growing delay, until a condition on its answer holds or the deadline passes.
//! [`Client::wait_for_state`] is the condition the generated listings name
//! ([`Stateful`]: every listed item in a state).

use std::fmt::Debug;
use std::time::Duration;

use tencentcloud_core::action::Action;
use tencentcloud_runtime::{FromJson, Stateful, ToJson};
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Error;
use crate::options::CallOptions;

/// The most characters of the last answer a wait's timeout error shows.
pub const MAX_SHOWN: usize = 2000;

/// How a waiter polls: the first delay, how it grows, its cap, and the deadline.
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::WaitOptions;
///
/// let o = WaitOptions::new().delay(Duration::from_millis(500)).deadline(Duration::from_secs(60));
/// assert_eq!(o.delay_after(0), Duration::from_millis(500));
/// assert_eq!(o.delay_after(1), Duration::from_millis(1000));
/// assert_eq!(o.delay_after(10), Duration::from_secs(15));
/// ```
#[derive(Debug, Clone)]
pub struct WaitOptions {
    delay: Duration,
    factor: u32,
    max_delay: Duration,
    deadline: Duration,
    call: CallOptions,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            delay: Duration::from_secs(2),
            factor: 2,
            max_delay: Duration::from_secs(15),
            deadline: Duration::from_secs(300),
            call: CallOptions::default(),
        }
    }
}

impl WaitOptions {
    /// 2 s, doubled after each poll up to 15 s; a deadline of 5 minutes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The delay after the first poll.
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }

    /// Each delay is the one before times `factor` (1: a constant delay; 0 counts as 1).
    pub fn backoff(mut self, factor: u32) -> Self {
        self.factor = factor.max(1);
        self
    }

    /// The longest delay.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// How long to wait in all, from the first poll.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }

    /// Sends every poll with these options.
    pub fn call_options(mut self, opts: CallOptions) -> Self {
        self.call = opts;
        self
    }

    /// The delay after poll `n` (from 0).
    pub fn delay_after(&self, n: u32) -> Duration {
        let grown = self.factor.checked_pow(n).and_then(|f| self.delay.checked_mul(f));
        grown.map_or(self.max_delay, |d| d.min(self.max_delay))
    }
}

/// `text` cut to [`MAX_SHOWN`] characters.
fn shown(text: String) -> String {
    match text.char_indices().nth(MAX_SHOWN) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}

impl Client {
    /// Sends `request` until `done` holds for its answer, which it returns; waits
    /// [`WaitOptions::delay_after`] between polls. Errors of a poll end the wait (each poll
    /// has `send`'s retries); the deadline passing is [`ErrorKind::WaitTimeout`](crate::ErrorKind),
    /// its message the action, the time, the polls and the last answer (its `Debug`, secrets
    /// redacted, cut to [`MAX_SHOWN`] characters).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    /// use tencentcloud_transport_std::{Client, StaticProvider, WaitOptions};
    ///
    /// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
    /// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
    /// let req = DescribeInstancesRequest::new().set_instance_ids(["ins-1"]);
    /// let running = |r: &tencentcloud_cvm::v20170312::DescribeInstancesResponse| {
    ///     r.instance_set().first().and_then(|i| i.instance_state()) == Some("RUNNING")
    /// };
    /// let opts = WaitOptions::new().delay(Duration::from_secs(1)).deadline(Duration::from_secs(120));
    /// let resp = client.wait_until(&req, running, &opts).await?;
    /// println!("{:?}", resp.instance_set()[0].instance_id());
    /// # Ok(()) }
    /// ```
    pub async fn wait_until<A, F>(&self, request: &A, mut done: F, opts: &WaitOptions) -> Result<A::Response, Error>
    where
        A: Action + ToJson + Sync,
        A::Response: FromJson + Send + Debug,
        F: FnMut(&A::Response) -> bool,
    {
        let start = Instant::now();
        let deadline = start + opts.deadline;
        let mut last: Option<A::Response> = None;
        let mut polls = 0u32;
        let timed_out = |last: &Option<A::Response>, polls: u32| {
            let answer = last.as_ref().map_or_else(|| "none".to_owned(), |r| shown(format!("{r:?}")));
            Error::wait_timeout(format!(
                "{} did not reach the state within {:?} ({polls} polls); the last answer: {answer}",
                A::ACTION,
                opts.deadline
            ))
        };
        loop {
            let resp = match tokio::time::timeout_at(deadline, self.send_with(request, &opts.call)).await {
                Ok(r) => r?,
                Err(_) => return Err(timed_out(&last, polls)),
            };
            if done(&resp) {
                return Ok(resp);
            }
            let pause = opts.delay_after(polls);
            polls += 1;
            last = Some(resp);
            if Instant::now() + pause >= deadline {
                tokio::time::sleep_until(deadline).await;
                return Err(timed_out(&last, polls));
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// [`wait_until`](Self::wait_until) the answer lists at least one item and every listed
    /// item is in `state` ([`Stateful::all_in`]): the generated waiters, one per listing
    /// whose items have one state member (`codegen/src/waiter.rs`).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
    /// use tencentcloud_transport_std::{Client, StaticProvider, WaitOptions};
    ///
    /// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
    /// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
    /// let req = DescribeInstancesRequest::new().set_instance_ids(["ins-1", "ins-2"]);
    /// let opts = WaitOptions::new().delay(Duration::from_secs(1)).deadline(Duration::from_secs(120));
    /// let resp = client.wait_for_state(&req, "RUNNING", &opts).await?;
    /// assert_eq!(resp.instance_set().len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_state<A>(&self, request: &A, state: &str, opts: &WaitOptions) -> Result<A::Response, Error>
    where
        A: Stateful + ToJson + Sync,
        A::Response: FromJson + Send + Debug,
    {
        self.wait_until(request, |r| A::all_in(r, state), opts).await
    }
}
