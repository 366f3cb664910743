//! The wire: OTLP over gRPC or over HTTP with protobuf bodies.

mod grpc;
mod http;

use std::path::PathBuf;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;

pub use grpc::GrpcTransport;
pub use http::HttpTransport;

use super::retry::RetryDecision;
use crate::otlp::config::{Config, Protocol};

/// A transport could not be set up from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The endpoint is not a URL the client accepts.
    #[error("OTLP endpoint {0:?} is not a valid URL: use e.g. http://localhost:4317")]
    Endpoint(String),
    /// A certificate or key file could not be read.
    #[error(
        "cannot read the OTLP {setting} file {path:?}: {source}; check the path and its permissions"
    )]
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
pub struct ExportFailure {
    /// Retry or give up.
    pub decision: RetryDecision,
    /// What went wrong, for logs.
    pub message: String,
}

/// One of the two OTLP transports.
pub enum Transport {
    /// OTLP/gRPC.
    Grpc(Box<GrpcTransport>),
    /// OTLP/HTTP with protobuf bodies.
    Http(HttpTransport),
}

impl Transport {
    /// The transport `config.protocol()` names.
    pub fn new(config: &Config) -> Result<Self, TransportError> {
        match config.protocol() {
            Protocol::Grpc => Ok(Transport::Grpc(Box::new(GrpcTransport::new(config)?))),
            Protocol::HttpProtobuf => Ok(Transport::Http(HttpTransport::new(config)?)),
        }
    }

    /// Sends one request.
    pub async fn export(
        &mut self,
        request: ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        match self {
            Transport::Grpc(grpc) => grpc.export(request).await,
            Transport::Http(http) => http.export(request).await,
        }
    }
}
