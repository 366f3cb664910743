//! Which failed exports to retry, and how long to wait: pure functions, tested with tables.
//!
//! The rules are the OTLP specification's. gRPC: `CANCELLED`, `DEADLINE_EXCEEDED`, `ABORTED`,
//! `OUT_OF_RANGE`, `UNAVAILABLE` and `DATA_LOSS` are retryable; `RESOURCE_EXHAUSTED` only when
//! the server sent `RetryInfo` (it is then a throttle, not a permanent limit). HTTP: 429, 502,
//! 503 and 504 are retryable. A failure of the connection itself (refused, reset, closed
//! mid-call, garbled) is retryable under both transports: gRPC reports one with a status code
//! of its own choosing (often `UNKNOWN` or `INTERNAL`), which must not be read as the
//! collector's verdict. A server's delay hint (`RetryInfo`, `Retry-After`) is honoured up
//! to [`MAX_THROTTLE`], so a hostile server cannot park the exporter.

use std::time::Duration;

use tonic::Code;

/// The longest server-requested delay that is honoured.
pub(crate) const MAX_THROTTLE: Duration = Duration::from_secs(30);

/// The first retry's base delay; each further attempt doubles it.
pub(crate) const INITIAL_BACKOFF: Duration = Duration::from_millis(100);

/// The largest base delay between two attempts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryDecision {
    /// Try again, after the server's hint if it gave one.
    Retry {
        /// The server's requested delay, capped at [`MAX_THROTTLE`].
        throttle: Option<Duration>,
    },
    /// The failure is permanent: retrying would fail the same way.
    GiveUp,
}

/// Who produced a failed gRPC call's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureOrigin {
    /// The collector answered with this status.
    Collector,
    /// The client made it from a broken connection: the collector may never have seen the
    /// request, so the code says nothing about the data.
    Transport,
}

fn retry(hint: Option<Duration>) -> RetryDecision {
    RetryDecision::Retry {
        throttle: hint.map(|d| d.min(MAX_THROTTLE)),
    }
}

/// Classifies a gRPC status code, the server's `RetryInfo` delay if any, and where the
/// status came from: a transport failure is always retryable.
pub(crate) fn classify_grpc(
    code: Code,
    retry_info: Option<Duration>,
    origin: FailureOrigin,
) -> RetryDecision {
    if origin == FailureOrigin::Transport {
        return retry(None);
    }
    match code {
        Code::Cancelled
        | Code::DeadlineExceeded
        | Code::Aborted
        | Code::OutOfRange
        | Code::Unavailable
        | Code::DataLoss => retry(retry_info),
        Code::ResourceExhausted if retry_info.is_some() => retry(retry_info),
        _ => RetryDecision::GiveUp,
    }
}

/// Classifies an HTTP status and the server's `Retry-After` delay, if any.
pub(crate) fn classify_http(status: u16, retry_after: Option<Duration>) -> RetryDecision {
    match status {
        429 | 502 | 503 | 504 => retry(retry_after),
        _ => RetryDecision::GiveUp,
    }
}

/// The delay before attempt `attempt + 1` (`attempt` counts from 0): the server's throttle if
/// it gave one, else exponential backoff with full jitter (`jitter` in `0..=1`), which keeps
/// many exporters from retrying in step.
pub(crate) fn backoff_delay(attempt: u32, throttle: Option<Duration>, jitter: f64) -> Duration {
    if let Some(throttle) = throttle {
        return throttle;
    }
    let base = INITIAL_BACKOFF
        .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .min(MAX_BACKOFF);
    base.mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HINT: Option<Duration> = Some(Duration::from_secs(2));

    #[test]
    fn grpc_table() {
        let retry_plain = RetryDecision::Retry { throttle: None };
        let retry_hint = RetryDecision::Retry { throttle: HINT };
        let table = [
            (Code::Unavailable, None, retry_plain),
            (Code::Unavailable, HINT, retry_hint),
            (Code::DeadlineExceeded, None, retry_plain),
            (Code::Aborted, None, retry_plain),
            (Code::Cancelled, None, retry_plain),
            (Code::OutOfRange, None, retry_plain),
            (Code::DataLoss, None, retry_plain),
            (Code::ResourceExhausted, None, RetryDecision::GiveUp),
            (Code::ResourceExhausted, HINT, retry_hint),
            (Code::InvalidArgument, None, RetryDecision::GiveUp),
            (Code::Unauthenticated, HINT, RetryDecision::GiveUp),
            (Code::PermissionDenied, None, RetryDecision::GiveUp),
            (Code::Unimplemented, None, RetryDecision::GiveUp),
            (Code::Internal, None, RetryDecision::GiveUp),
            (Code::NotFound, None, RetryDecision::GiveUp),
            (Code::Ok, None, RetryDecision::GiveUp),
        ];
        for (code, hint, expected) in table {
            let decision = classify_grpc(code, hint, FailureOrigin::Collector);
            assert_eq!(decision, expected, "{code:?} {hint:?}");
        }
    }

    #[test]
    fn grpc_transport_failures_are_retryable_whatever_their_code() {
        // Resets and broken connections reach the classifier with the code tonic chose.
        let retry_plain = RetryDecision::Retry { throttle: None };
        for code in [
            Code::Unknown,
            Code::Internal,
            Code::Unavailable,
            Code::Cancelled,
            Code::InvalidArgument,
        ] {
            let decision = classify_grpc(code, None, FailureOrigin::Transport);
            assert_eq!(decision, retry_plain, "{code:?}");
        }
    }

    #[test]
    fn http_table() {
        let table = [
            (429, HINT, RetryDecision::Retry { throttle: HINT }),
            (502, None, RetryDecision::Retry { throttle: None }),
            (503, None, RetryDecision::Retry { throttle: None }),
            (504, None, RetryDecision::Retry { throttle: None }),
            (400, None, RetryDecision::GiveUp),
            (401, None, RetryDecision::GiveUp),
            (404, None, RetryDecision::GiveUp),
            (500, None, RetryDecision::GiveUp),
        ];
        for (status, hint, expected) in table {
            assert_eq!(classify_http(status, hint), expected, "{status}");
        }
    }

    #[test]
    fn throttle_is_capped() {
        let hint = Some(Duration::from_secs(3600));
        let decision = classify_grpc(Code::Unavailable, hint, FailureOrigin::Collector);
        assert_eq!(
            decision,
            RetryDecision::Retry {
                throttle: Some(MAX_THROTTLE)
            }
        );
    }

    #[test]
    fn backoff_grows_caps_and_jitters() {
        assert_eq!(backoff_delay(0, None, 1.0), INITIAL_BACKOFF);
        assert_eq!(backoff_delay(3, None, 1.0), INITIAL_BACKOFF * 8);
        assert_eq!(backoff_delay(40, None, 1.0), MAX_BACKOFF);
        assert_eq!(backoff_delay(2, None, 0.5), INITIAL_BACKOFF * 2);
        assert_eq!(backoff_delay(5, HINT, 0.1), HINT.unwrap());
    }
}
