//! The wire: OTLP over gRPC, or over HTTP with protobuf or JSON bodies.
//!
//! Whatever the collector sends, an attempt reads at most [`MAX_RESPONSE_BYTES`] of it, so
//! the agent's memory stays bounded; and every failure is described without the endpoint's
//! credentials (see [`redact_endpoint`](crate::otlp::config::redact_endpoint)).

mod console;
mod encoding;
mod grpc;
mod http;

use std::error::Error;
use std::path::PathBuf;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;

pub(crate) use console::ConsoleTransport;
pub(crate) use grpc::GrpcTransport;
pub(crate) use http::HttpTransport;

use super::error::CollectorStatus;
use super::retry::RetryDecision;
use crate::otlp::config::{Config, MetricsExporter, Protocol};

/// The most bytes of one response the agent reads: 4 MiB, for an HTTP body and for a gRPC
/// message alike (tonic's decoding limit). An OTLP response is a few bytes (a partial-success
/// count and message); a larger or endless one ends the attempt as failed, so a broken or
/// hostile collector cannot grow the process's memory.
pub const MAX_RESPONSE_BYTES: usize = 4 << 20;

/// A transport could not be set up from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The endpoint is not a URL the client accepts (shown redacted).
    #[error("OTLP endpoint {0:?} is not a valid URL: use e.g. http://localhost:4317")]
    Endpoint(String),
    /// A certificate or key file could not be read.
    #[error("cannot read the OTLP {setting} file {path:?}; check the path and its permissions")]
    Certificate {
        /// Which setting named the file.
        setting: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// Only one of the client certificate and the client key was given.
    #[error(
        "mTLS needs both OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY; set both or neither"
    )]
    HalfIdentity,
    /// The TLS settings were rejected.
    #[error("OTLP TLS configuration rejected: {0}")]
    Tls(String),
    /// A header name is not valid in gRPC metadata or HTTP.
    #[error(
        "OTLP header name {0:?} is not a valid header name; use lowercase letters, digits and '-'"
    )]
    HeaderName(String),
    /// A header value is not valid (the value itself is never shown).
    #[error(
        "the value of OTLP header {0:?} is not a valid header value (it must be visible ASCII)"
    )]
    HeaderValue(String),
    /// The HTTP client could not be built.
    #[error("cannot build the OTLP/HTTP client: {0}")]
    Http(String),
}

/// Reads a certificate or key file named by the TLS setting `setting`.
fn read_pem(path: &std::path::Path, setting: &'static str) -> Result<Vec<u8>, TransportError> {
    std::fs::read(path).map_err(|source| TransportError::Certificate {
        setting,
        path: path.to_owned(),
        source,
    })
}

/// A request the collector accepted, possibly only in part.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    /// Data points the collector rejected (partial success).
    pub rejected_data_points: u64,
    /// The collector's explanation of a partial success.
    pub message: String,
}

/// A failed attempt, classified for the retry loop.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub(crate) struct ExportFailure {
    /// Retry or give up.
    pub decision: RetryDecision,
    /// What went wrong, for logs (endpoints redacted).
    pub message: String,
    /// The collector's answer, when it answered with a status.
    pub status: Option<CollectorStatus>,
    /// Nothing to talk to: the connection was refused or the host does not resolve. A final
    /// export does not wait out its bound for such a collector.
    pub unreachable: bool,
}

impl ExportFailure {
    /// The collector answered with `status`, which the retry rules classified as `decision`.
    pub(crate) fn answered(
        decision: RetryDecision,
        status: CollectorStatus,
        message: String,
    ) -> Self {
        ExportFailure {
            decision,
            message,
            status: Some(status),
            unreachable: false,
        }
    }

    /// The connection failed or broke (refused, reset, closed, timed out, garbled): the
    /// collector may come back, so the attempt is retryable. `error`'s chain says which.
    pub(crate) fn transport(context: &str, error: &(dyn Error + 'static)) -> Self {
        ExportFailure {
            decision: RetryDecision::Retry { throttle: None },
            message: format!("{context}: {}", describe(error)),
            status: None,
            unreachable: is_unreachable(error),
        }
    }

    /// No answer within `limit` (the collector accepted the connection but hangs, or is
    /// slow): retryable.
    pub(crate) fn timed_out(limit: std::time::Duration) -> Self {
        ExportFailure {
            decision: RetryDecision::Retry { throttle: None },
            message: format!("no answer within {limit:?} (OTEL_EXPORTER_OTLP_TIMEOUT)"),
            status: None,
            unreachable: false,
        }
    }

    /// A failure that retrying would not fix, without a status: the answer was unusable, or
    /// the request could not be prepared.
    pub(crate) fn unusable(message: String) -> Self {
        ExportFailure {
            decision: RetryDecision::GiveUp,
            message,
            status: None,
            unreachable: false,
        }
    }
}

/// The error and its sources, joined by `: `, each level once (libraries often repeat their
/// source's text in their own).
pub(crate) fn describe(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// Whether `error`'s chain says there is nothing to talk to: a refused connection, or a host
/// name that does not resolve. Resolution failures have no `io::ErrorKind` of their own, so
/// they are recognised by the resolver's wording (hyper's "dns error", the C library's
/// "failed to lookup address").
fn is_unreachable(error: &(dyn Error + 'static)) -> bool {
    let mut level = Some(error);
    while let Some(cause) = level {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return true;
            }
        }
        let text = cause.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            return true;
        }
        level = cause.source();
    }
    false
}

/// One of the two OTLP transports.
pub(crate) enum Transport {
    /// OTLP/gRPC.
    Grpc(Box<GrpcTransport>),
    /// OTLP/HTTP with protobuf or JSON bodies.
    Http(HttpTransport),
    /// Standard output (`OTEL_METRICS_EXPORTER=console`).
    Console(ConsoleTransport),
}

impl Transport {
    /// The transport `config.protocol()` names (standard output for the console exporter).
    pub(crate) fn new(config: &Config) -> Result<Self, TransportError> {
        if config.metrics_exporter() == MetricsExporter::Console {
            return Ok(Transport::Console(ConsoleTransport));
        }
        match config.protocol() {
            Protocol::Grpc => Ok(Transport::Grpc(Box::new(GrpcTransport::new(config)?))),
            Protocol::HttpProtobuf | Protocol::HttpJson => {
                Ok(Transport::Http(HttpTransport::new(config)?))
            }
        }
    }

    /// Sends one request.
    pub(crate) async fn export(
        &mut self,
        request: ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        match self {
            Transport::Grpc(grpc) => grpc.export(request).await,
            Transport::Http(http) => http.export(request).await,
            Transport::Console(console) => console.export(&request),
        }
    }

    /// Sends one trace request.
    #[cfg(feature = "traces")]
    pub(crate) async fn export_traces(
        &mut self,
        request: opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        match self {
            Transport::Grpc(grpc) => grpc.export_traces(request).await,
            Transport::Http(http) => http.export_traces(request).await,
            Transport::Console(_) => Ok(Exported::default()),
        }
    }
}
