//! When and how long to wait before retrying a failed attempt.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rand::Rng;
use reqwest::StatusCode;

/// How transient failures are retried.
///
/// Only idempotent requests are retried (see
/// [`Request::idempotent`](super::Request::idempotent)), on `429`, `502`,
/// `503`, `504`, connection failures and timeouts. The wait before retry
/// `n` (0-based) is drawn uniformly from `[0, min(max_backoff,
/// initial_backoff * 2^n)]` ("full jitter"), unless the response carried a
/// `Retry-After` header (seconds or an HTTP date), which is honoured but
/// capped at `max_backoff`. No retry starts once `max_elapsed` would be
/// exceeded by its wait; the last error is returned instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a request may be retried after the first attempt.
    pub max_retries: u32,
    /// The backoff cap of the first retry; doubles with every retry.
    pub initial_backoff: Duration,
    /// The largest wait between two attempts, `Retry-After` included.
    pub max_backoff: Duration,
    /// The total time budget, from the first attempt to the start of the
    /// last retry.
    pub max_elapsed: Duration,
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// The upper bound of the jittered wait before retry `retry` (0-based):
    /// `min(max_backoff, initial_backoff * 2^retry)`.
    pub fn backoff_cap(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.initial_backoff.checked_mul(factor).unwrap_or(Duration::MAX).min(self.max_backoff)
    }

    /// The wait before retry `retry` (0-based): `Retry-After` capped at
    /// `max_backoff` when the server sent one, otherwise a uniformly random
    /// duration in `[0, backoff_cap(retry)]`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let cap = u64::try_from(self.backoff_cap(retry).as_micros()).unwrap_or(u64::MAX);
        Duration::from_micros(rand::rng().random_range(0..=cap))
    }
}

impl Default for RetryPolicy {
    /// 3 retries, 200 ms initial backoff, 5 s maximum backoff, 30 s overall.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

/// Statuses that mean "try again later": 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Whether a transport error is worth retrying: connection failures,
/// timeouts, errors while sending or while reading the body. reqwest reports
/// a response body cut short (a connection reset mid-body) as `is_decode`;
/// without a decompression feature, that is all `is_decode` means here.
pub(crate) fn is_retryable_transport(err: &reqwest::Error) -> bool {
    !err.is_builder()
        && !err.is_redirect()
        && (err.is_connect() || err.is_timeout() || err.is_request() || err.is_body() || err.is_decode())
}

/// Parses a `Retry-After` value: delay-seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, plus the obsolete RFC 850 and asctime
/// forms), relative to `now`. A date in the past means no wait. Returns
/// `None` for anything else.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let date = DateTime::parse_from_rfc2822(value).map(|d| d.with_timezone(&Utc)).ok().or_else(|| {
        ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
            .iter()
            .find_map(|fmt| NaiveDateTime::parse_from_str(value, fmt).ok())
            .map(|naive| naive.and_utc())
    })?;
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}
