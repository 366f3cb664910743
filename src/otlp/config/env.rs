//! The environment variables walrec reads, and the defaults that apply when they are unset.
//!
//! The `OTEL_*` names and defaults are the OpenTelemetry specification's ("Environment Variable
//! Specification" and "OpenTelemetry Protocol Exporter"). Each exporter setting has a generic
//! variable (`OTEL_EXPORTER_OTLP_X`) and one per signal (`OTEL_EXPORTER_OTLP_METRICS_X`,
//! `OTEL_EXPORTER_OTLP_TRACES_X`); the signal's own one wins. As the spec says, an empty value
//! counts as unset. A value that is set but not valid UTF-8 is a configuration error naming
//! the variable, never read as unset.

use std::ops::RangeInclusive;
use std::time::Duration;

/// `true` (case-insensitive) turns the agent off; nothing else is read then.
pub const OTEL_SDK_DISABLED: &str = "OTEL_SDK_DISABLED";
/// The `service.name` resource attribute; beats one in [`OTEL_RESOURCE_ATTRIBUTES`].
pub const OTEL_SERVICE_NAME: &str = "OTEL_SERVICE_NAME";
/// Extra resource attributes: `key=value,key=value`, values percent-encoded.
pub const OTEL_RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";

/// The collector's URL. For `http/protobuf` the generic variable is a base URL to which the
/// signal's path (`/v1/metrics`, `/v1/traces`) is appended; the signal-specific ones are
/// used as is.
pub const OTEL_EXPORTER_OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_ENDPOINT`], used as is.
pub const OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
/// Traces-specific [`OTEL_EXPORTER_OTLP_ENDPOINT`], used as is.
pub const OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
/// Extra request headers: `key=value,key=value`, values percent-encoded. Secret.
pub const OTEL_EXPORTER_OTLP_HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_HEADERS`]; replaces the generic list whole.
pub const OTEL_EXPORTER_OTLP_METRICS_HEADERS: &str = "OTEL_EXPORTER_OTLP_METRICS_HEADERS";
/// Traces-specific [`OTEL_EXPORTER_OTLP_HEADERS`].
pub const OTEL_EXPORTER_OTLP_TRACES_HEADERS: &str = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
/// How long one export request may take, in milliseconds.
pub const OTEL_EXPORTER_OTLP_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_TIMEOUT`].
pub const OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT";
/// Traces-specific [`OTEL_EXPORTER_OTLP_TIMEOUT`].
pub const OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT";
/// `gzip` or `none`.
pub const OTEL_EXPORTER_OTLP_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_COMPRESSION";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_COMPRESSION`].
pub const OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION";
/// Traces-specific [`OTEL_EXPORTER_OTLP_COMPRESSION`].
pub const OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION";
/// `grpc`, `http/protobuf` or `http/json`.
pub const OTEL_EXPORTER_OTLP_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_PROTOCOL`].
pub const OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";
/// Traces-specific [`OTEL_EXPORTER_OTLP_PROTOCOL`].
pub const OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
/// `true` or `false`: ask for plaintext even when certificates are given. An `https`
/// endpoint takes precedence.
pub const OTEL_EXPORTER_OTLP_INSECURE: &str = "OTEL_EXPORTER_OTLP_INSECURE";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_INSECURE`].
pub const OTEL_EXPORTER_OTLP_METRICS_INSECURE: &str = "OTEL_EXPORTER_OTLP_METRICS_INSECURE";
/// Traces-specific [`OTEL_EXPORTER_OTLP_INSECURE`].
pub const OTEL_EXPORTER_OTLP_TRACES_INSECURE: &str = "OTEL_EXPORTER_OTLP_TRACES_INSECURE";
/// Path of a PEM file of CA certificates that verify the collector.
pub const OTEL_EXPORTER_OTLP_CERTIFICATE: &str = "OTEL_EXPORTER_OTLP_CERTIFICATE";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_CERTIFICATE`].
pub const OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: &str = "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE";
/// Traces-specific [`OTEL_EXPORTER_OTLP_CERTIFICATE`].
pub const OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: &str = "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE";
/// Path of the PEM private key for mTLS; needs a client certificate too.
pub const OTEL_EXPORTER_OTLP_CLIENT_KEY: &str = "OTEL_EXPORTER_OTLP_CLIENT_KEY";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_CLIENT_KEY`].
pub const OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: &str = "OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY";
/// Traces-specific [`OTEL_EXPORTER_OTLP_CLIENT_KEY`].
pub const OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: &str = "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY";
/// Path of the PEM client certificate chain for mTLS; needs a client key too.
pub const OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: &str = "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE";
/// Metrics-specific [`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`].
pub const OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE";
/// Traces-specific [`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`].
pub const OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE";

/// Time between the starts of two exports, in milliseconds.
pub const OTEL_METRIC_EXPORT_INTERVAL: &str = "OTEL_METRIC_EXPORT_INTERVAL";
/// How long one whole export (collection, conversion and retries) may take, in milliseconds.
pub const OTEL_METRIC_EXPORT_TIMEOUT: &str = "OTEL_METRIC_EXPORT_TIMEOUT";
/// How long one whole span export (retries included) may take, in milliseconds: the traces
/// counterpart of [`OTEL_METRIC_EXPORT_TIMEOUT`]. The SDK's other `OTEL_BSP_*` batch settings
/// are read by the SDK itself.
pub const OTEL_BSP_EXPORT_TIMEOUT: &str = "OTEL_BSP_EXPORT_TIMEOUT";
/// `cumulative`, `delta` or `lowmemory` (case-insensitive).
pub const OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: &str =
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";

/// How the latency histogram is exported: `base2_exponential_bucket_histogram` (walrec's
/// default) or `explicit_bucket_histogram` (fixed boundaries, for backends that take no
/// exponential histogram).
pub const OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: &str =
    "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION";
/// Which metrics exporter to use: `otlp` (default), `console` or `none`.
pub const OTEL_METRICS_EXPORTER: &str = "OTEL_METRICS_EXPORTER";
/// The propagators, a comma-separated list (`tracecontext,baggage` by default).
pub const OTEL_PROPAGATORS: &str = "OTEL_PROPAGATORS";
/// The most characters of an attribute value (any signal); unset means no limit.
pub const OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: &str = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT";
/// The most attributes of a span, event or link (any signal); default 128.
pub const OTEL_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_ATTRIBUTE_COUNT_LIMIT";
/// Span-specific [`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`].
pub const OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: &str = "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT";
/// Span-specific [`OTEL_ATTRIBUTE_COUNT_LIMIT`].
pub const OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT";
/// The most events of a span; default 128.
pub const OTEL_SPAN_EVENT_COUNT_LIMIT: &str = "OTEL_SPAN_EVENT_COUNT_LIMIT";
/// The most links of a span; default 128.
pub const OTEL_SPAN_LINK_COUNT_LIMIT: &str = "OTEL_SPAN_LINK_COUNT_LIMIT";
/// The most attributes of a span event; default 128.
pub const OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT";
/// The most attributes of a span link; default 128.
pub const OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT";
/// The path of a declarative configuration file (`opentelemetry-configuration` schema,
/// `file_format: "1.0"`); when set, the other `OTEL_*` variables are not read.
pub const OTEL_CONFIG_FILE: &str = "OTEL_CONFIG_FILE";

/// walrec's own: the most buckets an exported exponential histogram may have (at least 2).
pub const WALREC_OTLP_HISTOGRAM_MAX_SIZE: &str = "WALREC_OTLP_HISTOGRAM_MAX_SIZE";

/// The spec's default endpoint for `grpc`.
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";
/// The spec's default base endpoint for `http/protobuf`, to which the signal's path is
/// appended (`http://localhost:4318/v1/metrics`, `http://localhost:4318/v1/traces`).
pub const DEFAULT_HTTP_BASE_ENDPOINT: &str = "http://localhost:4318";
/// The path appended to a generic `http/protobuf` endpoint for metrics.
pub const HTTP_METRICS_PATH: &str = "v1/metrics";
/// The path appended to a generic `http/protobuf` endpoint for traces.
pub const HTTP_TRACES_PATH: &str = "v1/traces";
/// Which trace exporter to use: `otlp` (default) or `none`.
pub const OTEL_TRACES_EXPORTER: &str = "OTEL_TRACES_EXPORTER";
/// The trace sampler (`always_on`, `always_off`, `traceidratio`, `parentbased_always_on` (the
/// default), `parentbased_always_off`, `parentbased_traceidratio`). Read by the SDK; walrec
/// checks it first, because the SDK silently falls back to the default on a value it does not
/// know.
pub const OTEL_TRACES_SAMPLER: &str = "OTEL_TRACES_SAMPLER";
/// The ratio of the `*traceidratio` samplers, `0` to `1`. Checked by walrec, read by the SDK.
pub const OTEL_TRACES_SAMPLER_ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
/// Milliseconds between two batch exports of spans. Checked by walrec, read by the SDK.
pub const OTEL_BSP_SCHEDULE_DELAY: &str = "OTEL_BSP_SCHEDULE_DELAY";
/// Spans the batch processor holds at most (more are dropped). Checked by walrec, read by the
/// SDK.
pub const OTEL_BSP_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
/// Spans per export at most, at most the queue size. Checked by walrec, read by the SDK.
pub const OTEL_BSP_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
/// Which measurements become exemplars: `trace_based` (default), `always_on`, `always_off`.
pub const OTEL_METRICS_EXEMPLAR_FILTER: &str = "OTEL_METRICS_EXEMPLAR_FILTER";
/// The spec's default for [`OTEL_EXPORTER_OTLP_TIMEOUT`]: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The spec's default for [`OTEL_METRIC_EXPORT_INTERVAL`]: 60 s.
pub const DEFAULT_EXPORT_INTERVAL: Duration = Duration::from_secs(60);
/// The spec's default for [`OTEL_METRIC_EXPORT_TIMEOUT`] and [`OTEL_BSP_EXPORT_TIMEOUT`]: 30 s.
pub const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default for [`WALREC_OTLP_HISTOGRAM_MAX_SIZE`]: 160, the OTel SDKs' default max_size.
pub const DEFAULT_MAX_HISTOGRAM_BUCKETS: usize = 160;
/// The accepted range of [`OTEL_EXPORTER_OTLP_TIMEOUT`] and [`OTEL_METRIC_EXPORT_TIMEOUT`]
/// (and of the builder's `timeout` and `export_timeout`): 1 ms to 1 h. A longer bound would
/// let a hung collector hold the final export, and so the process's exit, for longer than any
/// operator waits.
pub const TIMEOUT_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(1)..=Duration::from_secs(3600);
/// The accepted range of [`OTEL_METRIC_EXPORT_INTERVAL`] (and of the builder's `interval`):
/// 10 ms to 24 h. Shorter would make the exporter spin on conversions; longer is no longer a
/// periodic export.
pub const INTERVAL_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(10)..=Duration::from_secs(24 * 3600);
/// The largest certificate or key file accepted (1 MiB): a real PEM bundle is a few KiB, and
/// the file is read whole at start-up.
pub const MAX_PEM_FILE_BYTES: u64 = 1 << 20;
/// The fewest buckets allowed: one bucket cannot hold two octaves, whatever the scale.
pub const MIN_HISTOGRAM_BUCKETS: usize = 2;
