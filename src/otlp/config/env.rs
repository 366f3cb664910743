//! The names of the environment variables walrec reads, and the limits the settings table
//! applies to them. What each means, its default and the values it accepts are in the table
//! (`src/otlp/config/settings.rs`, printed by [`settings_table_markdown`](super::settings_table_markdown)),
//! the one place they are written; this module gives the
//! names as constants for code that sets them.
//!
//! Each exporter setting has a generic variable (`OTEL_EXPORTER_OTLP_X`) and one per signal
//! (`OTEL_EXPORTER_OTLP_METRICS_X`, `OTEL_EXPORTER_OTLP_TRACES_X`); the signal's own one wins.

use std::ops::RangeInclusive;
use std::time::Duration;

/// Declares variable-name constants: the doc says which setting of the table it feeds.
macro_rules! variables {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {
        $($(#[$meta])* pub const $name: &str = stringify!($name);)*
    };
}

variables! {
    /// Turns the agent off.
    OTEL_SDK_DISABLED,
    /// `service.name`.
    OTEL_SERVICE_NAME,
    /// Resource attributes.
    OTEL_RESOURCE_ATTRIBUTES,
    /// The collector's URL (generic).
    OTEL_EXPORTER_OTLP_ENDPOINT,
    /// The collector's URL for metrics.
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    /// The collector's URL for traces.
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    /// Request headers (generic).
    OTEL_EXPORTER_OTLP_HEADERS,
    /// Request headers for metrics.
    OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    /// Request headers for traces.
    OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    /// One request's timeout (generic).
    OTEL_EXPORTER_OTLP_TIMEOUT,
    /// One request's timeout for metrics.
    OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
    /// One request's timeout for traces.
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
    /// Body compression (generic).
    OTEL_EXPORTER_OTLP_COMPRESSION,
    /// Body compression for metrics.
    OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
    /// Body compression for traces.
    OTEL_EXPORTER_OTLP_TRACES_COMPRESSION,
    /// The transport (generic).
    OTEL_EXPORTER_OTLP_PROTOCOL,
    /// The transport for metrics.
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
    /// The transport for traces.
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    /// Plaintext despite certificates (generic).
    OTEL_EXPORTER_OTLP_INSECURE,
    /// Plaintext despite certificates, for metrics.
    OTEL_EXPORTER_OTLP_METRICS_INSECURE,
    /// Plaintext despite certificates, for traces.
    OTEL_EXPORTER_OTLP_TRACES_INSECURE,
    /// CA certificates file (generic).
    OTEL_EXPORTER_OTLP_CERTIFICATE,
    /// CA certificates file for metrics.
    OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
    /// CA certificates file for traces.
    OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE,
    /// mTLS private key file (generic).
    OTEL_EXPORTER_OTLP_CLIENT_KEY,
    /// mTLS private key file for metrics.
    OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY,
    /// mTLS private key file for traces.
    OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY,
    /// mTLS certificate chain file (generic).
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
    /// mTLS certificate chain file for metrics.
    OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE,
    /// mTLS certificate chain file for traces.
    OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE,
    /// Time between two metric exports.
    OTEL_METRIC_EXPORT_INTERVAL,
    /// Bound on one whole metric export.
    OTEL_METRIC_EXPORT_TIMEOUT,
    /// Bound on one whole span export.
    OTEL_BSP_EXPORT_TIMEOUT,
    /// Sums' and the histogram's temporality.
    OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
    /// The latency histogram's aggregation.
    OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION,
    /// Which measurements become exemplars.
    OTEL_METRICS_EXEMPLAR_FILTER,
    /// Where metrics go.
    OTEL_METRICS_EXPORTER,
    /// Where spans go.
    OTEL_TRACES_EXPORTER,
    /// The context propagators.
    OTEL_PROPAGATORS,
    /// The trace sampler.
    OTEL_TRACES_SAMPLER,
    /// The ratio of the ratio samplers.
    OTEL_TRACES_SAMPLER_ARG,
    /// Time between two batch exports of spans.
    OTEL_BSP_SCHEDULE_DELAY,
    /// Spans queued at most.
    OTEL_BSP_MAX_QUEUE_SIZE,
    /// Spans per export at most.
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
    /// Longest attribute value (generic).
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT,
    /// Most attributes (generic).
    OTEL_ATTRIBUTE_COUNT_LIMIT,
    /// Longest span attribute value.
    OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
    /// Most attributes of a span.
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT,
    /// Most events of a span.
    OTEL_SPAN_EVENT_COUNT_LIMIT,
    /// Most links of a span.
    OTEL_SPAN_LINK_COUNT_LIMIT,
    /// Most attributes of a span event.
    OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT,
    /// Most attributes of a span link.
    OTEL_LINK_ATTRIBUTE_COUNT_LIMIT,
    /// A declarative configuration file; when set, the other `OTEL_*` variables are not read.
    OTEL_CONFIG_FILE,
    /// walrec's own: the most buckets of an exported exponential histogram.
    WALREC_OTLP_HISTOGRAM_MAX_SIZE,
}

/// The spec's default endpoint for `grpc`.
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";
/// The spec's default base endpoint for OTLP/HTTP, to which the signal's path is appended.
pub const DEFAULT_HTTP_BASE_ENDPOINT: &str = "http://localhost:4318";
/// The path appended to a generic OTLP/HTTP endpoint for metrics.
pub const HTTP_METRICS_PATH: &str = "v1/metrics";
/// The path appended to a generic OTLP/HTTP endpoint for traces.
pub const HTTP_TRACES_PATH: &str = "v1/traces";
/// The accepted range of the request and export timeouts: 1 ms to 1 h. A longer bound would
/// let a hung collector hold the final export, and so the process's exit, for longer than any
/// operator waits.
pub const TIMEOUT_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(1)..=Duration::from_secs(3600);
/// The accepted range of the export interval: 10 ms to 24 h. Shorter would make the exporter
/// spin on conversions; longer is no longer a periodic export.
pub const INTERVAL_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(10)..=Duration::from_secs(24 * 3600);
/// The largest certificate or key file accepted (1 MiB): a real PEM bundle is a few KiB, and
/// the file is read whole at start-up.
pub const MAX_PEM_FILE_BYTES: u64 = 1 << 20;
