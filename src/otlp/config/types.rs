//! The enumerated settings (`Signal`, `Protocol`, `Compression`, `Temporality`) and
//! `TlsConfig`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::env::{HTTP_METRICS_PATH, HTTP_TRACES_PATH};

/// The signal a configuration exports. Its own variables (`OTEL_EXPORTER_OTLP_METRICS_*` or
/// `OTEL_EXPORTER_OTLP_TRACES_*`) beat the generic `OTEL_EXPORTER_OTLP_*` ones, and under
/// `http/protobuf` or `http/json` its path (`v1/metrics` or `v1/traces`) is appended to a
/// generic or default endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Signal {
    /// Metrics, the default.
    #[default]
    Metrics,
    /// Traces.
    Traces,
}

impl Signal {
    /// This signal's one of a pair of per-signal values: the single place that says which
    /// variable, path or hint belongs to which signal.
    pub(crate) fn pick<T>(self, metrics: T, traces: T) -> T {
        match self {
            Signal::Metrics => metrics,
            Signal::Traces => traces,
        }
    }

    /// The path appended to a generic `http/protobuf` or `http/json` endpoint: `v1/metrics` or
    /// `v1/traces`.
    pub fn http_path(self) -> &'static str {
        self.pick(HTTP_METRICS_PATH, HTTP_TRACES_PATH)
    }
}

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// OTLP/gRPC (`grpc`), the default.
    #[default]
    Grpc,
    /// OTLP/HTTP with a binary protobuf body (`http/protobuf`).
    HttpProtobuf,
    /// OTLP/HTTP with a JSON body in the OTLP JSON mapping (`http/json`): the same endpoint
    /// rules and paths as `http/protobuf`.
    HttpJson,
}

impl Protocol {
    /// The spec's spelling: `grpc`, `http/protobuf` or `http/json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
            Protocol::HttpJson => "http/json",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the export request body is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// No compression (`none`), the default.
    #[default]
    None,
    /// gzip (`gzip`).
    Gzip,
}

impl Compression {
    /// The spec's spelling: `none` or `gzip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which measurements may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`), as the
/// specification defines the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExemplarFilter {
    /// Only measurements made within a sampled span (`trace_based`), the default.
    #[default]
    TraceBased,
    /// Every measurement (`always_on`).
    AlwaysOn,
    /// None (`always_off`).
    AlwaysOff,
}

/// The aggregation temporality the exporter asks for
/// (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Temporality {
    /// Every point covers the time since the start (`cumulative`), the default.
    #[default]
    Cumulative,
    /// Every point covers the time since the previous export (`delta`), for counters and
    /// histograms. Gauges have no temporality.
    Delta,
    /// The spec's `lowmemory`: delta for synchronous counters and histograms (all of walrec's
    /// sums and its histogram), cumulative for up-down counters (walrec has none).
    LowMemory,
}

impl Temporality {
    /// The spec's spelling: `cumulative`, `delta` or `lowmemory`.
    pub fn as_str(self) -> &'static str {
        match self {
            Temporality::Cumulative => "cumulative",
            Temporality::Delta => "delta",
            Temporality::LowMemory => "lowmemory",
        }
    }
}

impl fmt::Display for Temporality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Transport security settings. The paths were readable files when the configuration was
/// resolved; the agent reads them when it connects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsConfig {
    pub(crate) insecure: bool,
    pub(crate) ca_certificate: Option<PathBuf>,
    pub(crate) client_key: Option<PathBuf>,
    pub(crate) client_certificate: Option<PathBuf>,
}

impl TlsConfig {
    /// `OTEL_EXPORTER_OTLP_INSECURE`: plaintext was asked for. Per the spec an `https`
    /// endpoint takes precedence over it; see [`Config::uses_tls`](super::Config::uses_tls).
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// `OTEL_EXPORTER_OTLP_CERTIFICATE`: PEM file of the CA certificates that verify the
    /// collector, instead of the system roots.
    pub fn ca_certificate(&self) -> Option<&Path> {
        self.ca_certificate.as_deref()
    }

    /// `OTEL_EXPORTER_OTLP_CLIENT_KEY`: PEM file of the private key for mTLS.
    pub fn client_key(&self) -> Option<&Path> {
        self.client_key.as_deref()
    }

    /// `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`: PEM file of the client certificate chain
    /// for mTLS.
    pub fn client_certificate(&self) -> Option<&Path> {
        self.client_certificate.as_deref()
    }

    /// Whether any certificate or key file is given.
    pub fn has_files(&self) -> bool {
        self.ca_certificate.is_some()
            || self.client_key.is_some()
            || self.client_certificate.is_some()
    }
}

/// How the `next_event` latency histogram is exported
/// (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum HistogramAggregation {
    /// An exponential histogram (`base2_exponential_bucket_histogram`), walrec's default: the
    /// recorder's own buckets, downscaled to the bucket limit.
    #[default]
    Base2Exponential,
    /// A histogram with fixed boundaries (`explicit_bucket_histogram`), for backends that
    /// take no exponential histogram.
    ExplicitBuckets,
}

/// Where metrics go (`OTEL_METRICS_EXPORTER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MetricsExporter {
    /// To the OTLP collector (`otlp`), the default.
    #[default]
    Otlp,
    /// Printed to standard output, one readable line per point (`console`).
    Console,
    /// Nowhere (`none`): nothing is exported.
    None,
}
