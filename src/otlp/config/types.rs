//! The enumerated settings, each spelled as the specification spells it, and `TlsConfig`.
//!
//! Every enumeration is declared once by [`spelled!`]: its variants and their spellings in one
//! list, from which parsing (in any case), `as_str`, `Display` and the accepted values named
//! in error messages and in the settings table all come.

use std::fmt;
use std::path::{Path, PathBuf};

use super::env::{HTTP_METRICS_PATH, HTTP_TRACES_PATH};

/// An enumerated setting: its variants and the specification's spelling of each, in one list.
pub(crate) trait Spelled: Copy + 'static {
    /// Every variant, in the order of [`SPELLINGS`](Self::SPELLINGS).
    const ALL: &'static [Self];
    /// The specification's spelling of each variant, in lower case.
    const SPELLINGS: &'static [&'static str];
}

/// Declares an enumerated setting with the specification's spelling of each variant.
macro_rules! spelled {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $spelling:literal,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl Spelled for $name {
            const ALL: &'static [Self] = &[$($name::$variant),*];
            const SPELLINGS: &'static [&'static str] = &[$($spelling),*];
        }

        impl $name {
            /// The specification's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $spelling),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled! {
    /// The signal a configuration exports. Its own variables (`OTEL_EXPORTER_OTLP_METRICS_*` or
    /// `OTEL_EXPORTER_OTLP_TRACES_*`) beat the generic `OTEL_EXPORTER_OTLP_*` ones, and under
    /// OTLP/HTTP its path (`v1/metrics` or `v1/traces`) is appended to a generic or default
    /// endpoint.
    #[non_exhaustive]
    pub enum Signal {
        /// Metrics, the default.
        #[default]
        Metrics = "metrics",
        /// Traces.
        Traces = "traces",
    }
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

    /// The path appended to a generic OTLP/HTTP endpoint: `v1/metrics` or `v1/traces`.
    pub fn http_path(self) -> &'static str {
        self.pick(HTTP_METRICS_PATH, HTTP_TRACES_PATH)
    }
}

spelled! {
    /// The OTLP transport.
    pub enum Protocol {
        /// OTLP/gRPC (`grpc`), the default.
        #[default]
        Grpc = "grpc",
        /// OTLP/HTTP with a binary protobuf body (`http/protobuf`).
        HttpProtobuf = "http/protobuf",
        /// OTLP/HTTP with the OTLP JSON encoding (`http/json`).
        HttpJson = "http/json",
    }
}

spelled! {
    /// How the export request body is compressed.
    pub enum Compression {
        /// No compression (`none`), the default.
        #[default]
        None = "none",
        /// gzip (`gzip`).
        Gzip = "gzip",
    }
}

spelled! {
    /// Which measurements may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`), as the
    /// specification defines the filter.
    #[non_exhaustive]
    pub enum ExemplarFilter {
        /// Only measurements made within a sampled span (`trace_based`), the default.
        #[default]
        TraceBased = "trace_based",
        /// Every measurement (`always_on`).
        AlwaysOn = "always_on",
        /// None (`always_off`).
        AlwaysOff = "always_off",
    }
}

spelled! {
    /// The aggregation temporality the exporter asks for
    /// (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
    pub enum Temporality {
        /// Every point covers the time since the start (`cumulative`), the default.
        #[default]
        Cumulative = "cumulative",
        /// Every point covers the time since the previous export (`delta`), for counters and
        /// histograms. Gauges have no temporality.
        Delta = "delta",
        /// The spec's `lowmemory`: delta for synchronous counters and histograms (all of
        /// walrec's sums and its histogram), cumulative for up-down counters (walrec has none).
        LowMemory = "lowmemory",
    }
}

spelled! {
    /// How the `next_event` latency histogram is exported
    /// (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`).
    #[non_exhaustive]
    pub enum HistogramAggregation {
        /// An exponential histogram (`base2_exponential_bucket_histogram`), walrec's default:
        /// the recorder's own buckets, downscaled to the bucket limit.
        #[default]
        Base2Exponential = "base2_exponential_bucket_histogram",
        /// A histogram with fixed boundaries (`explicit_bucket_histogram`), for backends that
        /// take no exponential histogram.
        ExplicitBuckets = "explicit_bucket_histogram",
    }
}

spelled! {
    /// Where metrics go (`OTEL_METRICS_EXPORTER`).
    #[non_exhaustive]
    pub enum MetricsExporter {
        /// To the OTLP collector (`otlp`), the default.
        #[default]
        Otlp = "otlp",
        /// Printed to standard output, one readable line per point (`console`).
        Console = "console",
        /// Nowhere (`none`): nothing is exported.
        None = "none",
    }
}

spelled! {
    /// Where spans go (`OTEL_TRACES_EXPORTER`).
    #[non_exhaustive]
    pub enum TracesExporter {
        /// To the OTLP collector (`otlp`), the default.
        #[default]
        Otlp = "otlp",
        /// Nowhere (`none`): no span is exported.
        None = "none",
    }
}

spelled! {
    /// A context propagator (`OTEL_PROPAGATORS`).
    #[non_exhaustive]
    pub enum Propagator {
        /// W3C Trace Context (`tracecontext`), the default with `baggage`.
        #[default]
        TraceContext = "tracecontext",
        /// W3C Baggage (`baggage`).
        Baggage = "baggage",
        /// No propagation (`none`); only valid alone.
        None = "none",
    }
}

spelled! {
    /// The sampler names of `OTEL_TRACES_SAMPLER` walrec implements; see
    /// [`TraceSampler`](super::TraceSampler) for the sampler with its ratio.
    pub enum SamplerName {
        /// `always_on`.
        AlwaysOn = "always_on",
        /// `always_off`.
        AlwaysOff = "always_off",
        /// `traceidratio`.
        TraceIdRatio = "traceidratio",
        /// `parentbased_always_on`, the default.
        #[default]
        ParentBasedAlwaysOn = "parentbased_always_on",
        /// `parentbased_always_off`.
        ParentBasedAlwaysOff = "parentbased_always_off",
        /// `parentbased_traceidratio`.
        ParentBasedTraceIdRatio = "parentbased_traceidratio",
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
