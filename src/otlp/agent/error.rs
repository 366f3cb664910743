//! `ExportError`: why an export did not go through, with what the collector answered as data
//! (not only as text), so callers can tell a refused export from an unreachable collector.

use std::fmt;
use std::time::Duration;

/// The status with which a collector answered an export attempt: walrec's own type, so no
/// transport crate's types are part of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CollectorStatus {
    /// A gRPC status code, as the gRPC specification numbers them (3 is `INVALID_ARGUMENT`,
    /// 14 is `UNAVAILABLE`, …).
    Grpc(i32),
    /// An HTTP status code.
    Http(u16),
}

impl fmt::Display for CollectorStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CollectorStatus::Grpc(code) => {
                let name = tonic::Code::from_i32(code);
                write!(f, "gRPC status {code} ({name:?})")
            }
            CollectorStatus::Http(status) => write!(f, "HTTP status {status}"),
        }
    }
}

/// Why an export did not go through. Each message says what happened and what to check; the
/// failure details (`message`, `last`) are walrec's own text, with endpoints redacted.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The collector refused the data for good: retrying would fail the same way.
    #[error(
        "the OTLP collector rejected the export with {status}: {message}; check the collector's \
         logs and walrec's OTEL_EXPORTER_OTLP_* settings"
    )]
    Rejected {
        /// What the collector answered.
        status: CollectorStatus,
        /// The collector's explanation, or walrec's description of the answer.
        message: String,
    },
    /// The attempt failed in a way retrying would not fix, without the collector refusing the
    /// data: its answer was unusable (for example larger than
    /// [`MAX_RESPONSE_BYTES`](super::transport::MAX_RESPONSE_BYTES)), or the request could not
    /// be prepared.
    #[error("the OTLP export failed: {message}")]
    Failed {
        /// What went wrong.
        message: String,
    },
    /// Retryable failures continued until the time for this export ran out.
    #[error(
        "OTLP export failed after {attempts} attempt(s), the last one: {last}; is the collector \
         running and reachable?"
    )]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
        /// The collector's answer to the last attempt, if it answered with a status.
        status: Option<CollectorStatus>,
    },
    /// A final export found nothing to talk to (the connection was refused, or the host does
    /// not resolve) and stopped after one short retry rather than wait out its bound.
    #[error(
        "no OTLP collector is reachable ({last}); gave up after {attempts} attempt(s). Start one, \
         set OTEL_EXPORTER_OTLP_ENDPOINT, or set OTEL_SDK_DISABLED=true"
    )]
    Unreachable {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The time for this export ran out before an attempt could finish.
    #[error(
        "OTLP export ran out of time after {attempts} attempt(s); is the collector slow or \
         unreachable?"
    )]
    OutOfTime {
        /// Attempts made.
        attempts: u32,
    },
    /// The agent is not running (disabled, or already shut down).
    #[error("the OTLP agent is not running (disabled by OTEL_SDK_DISABLED, or shut down)")]
    NotRunning,
    /// The export loop did not answer within the bound.
    #[error("the OTLP agent did not finish within {bound:?}; the collector may be hanging")]
    Timeout {
        /// The bound that ran out.
        bound: Duration,
    },
}

impl ExportError {
    /// What the collector answered, when the export ended on an answer with a status.
    pub fn status(&self) -> Option<CollectorStatus> {
        match self {
            ExportError::Rejected { status, .. } => Some(*status),
            ExportError::GaveUp { status, .. } => *status,
            _ => None,
        }
    }
}
