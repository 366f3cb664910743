//! The OTLP agent's configuration: the standard OpenTelemetry environment variables, plus
//! settings made in code that beat them.
//!
//! Every setting is one row of a table (variables per signal, kind of value, default, secrecy,
//! meaning): [`Config::from_env`] resolves the metrics' settings by it (the code's override,
//! else the signal's own variable, else the generic one, else the default),
//! [`Config::traces_from_env`] the same for traces, and [`TraceSettings`] the trace pipeline's
//! own (sampler, batching, limits, propagators). [`ConfigBuilder`] overrides them in code;
//! [`variables`] lists every variable read. Every invalid value, from either source,
//! is reported at once in one [`ConfigError`]. Header values are [`Secret`]s: no message,
//! `Debug` output or log shows them; nor the userinfo or query string of an endpoint, which
//! every message shows through [`redact_endpoint`].
//!
//! ```
//! use walrec::otlp::config::{Config, Protocol};
//!
//! let env = |name: &str| match name {
//!     "OTEL_EXPORTER_OTLP_PROTOCOL" => Some("http/protobuf".into()),
//!     "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("https://collector.example:4318".into()),
//!     "OTEL_EXPORTER_OTLP_HEADERS" => Some("api-key=s3cret".into()),
//!     _ => None,
//! };
//! let config = Config::from_lookup(&env)?;
//! assert_eq!(config.protocol(), Protocol::HttpProtobuf);
//! assert_eq!(config.endpoint(), "https://collector.example:4318/v1/metrics");
//! assert_eq!(config.headers().get("api-key").unwrap().expose(), "s3cret");
//! assert!(!format!("{config:?}").contains("s3cret"));
//! # Ok::<(), walrec::otlp::config::ConfigError>(())
//! ```

mod assemble;
mod builder;
pub mod env;
mod environment;
mod error;
mod explain;
mod parse;
mod resolve;
mod secret;
mod settings;
mod traces;
mod types;
mod value;

use std::time::Duration;

use url::Url;

pub use builder::ConfigBuilder;
pub use error::{ConfigError, ConfigProblem};
pub use explain::{ExplainedSetting, explain, settings_table_markdown};
pub use resolve::{Lookup, Source};
pub use secret::{Headers, Secret, redact_endpoint};
pub use settings::variables;
pub use traces::{SpanLimits, TraceSampler, TraceSettings};
pub use types::{
    Compression, ExemplarFilter, HistogramAggregation, MetricsExporter, Propagator, Protocol,
    SamplerName, Signal, Temporality, TlsConfig, TracesExporter,
};

/// The resolved configuration of the OTLP agent. Every value in it has been validated.
///
/// `Debug` shows the endpoint redacted and header names only.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) disabled: bool,
    pub(crate) metrics_exporter: MetricsExporter,
    pub(crate) service_name: String,
    pub(crate) resource_attributes: Vec<(String, String)>,
    pub(crate) protocol: Protocol,
    pub(crate) endpoint: Url,
    pub(crate) headers: Headers,
    pub(crate) timeout: Duration,
    pub(crate) compression: Compression,
    pub(crate) tls: TlsConfig,
    pub(crate) interval: Duration,
    pub(crate) export_timeout: Duration,
    pub(crate) temporality: Temporality,
    pub(crate) exemplar_filter: ExemplarFilter,
    pub(crate) max_histogram_buckets: usize,
    pub(crate) histogram_aggregation: HistogramAggregation,
}

impl Config {
    /// The configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        ConfigBuilder::from_env().build()
    }

    /// The configuration from the environment `lookup` describes (for tests, or another
    /// source of variables).
    pub fn from_lookup(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        ConfigBuilder::from_lookup(lookup).build()
    }

    /// A builder over the defaults only; use [`ConfigBuilder::from_env`] to build on the
    /// environment instead.
    pub fn builder() -> ConfigBuilder<'static> {
        ConfigBuilder::new()
    }

    /// The defaults, with the agent turned off.
    pub(crate) fn turned_off() -> Self {
        let mut problems = error::Problems::default();
        let resolved = resolve::resolve(&|_| None, Signal::Metrics, &[], |_| false, &mut problems);
        let code = (Vec::new(), Vec::new());
        let config = Config::assemble(&resolved, Signal::Metrics, code, &mut problems);
        Config {
            disabled: true,
            ..config
        }
    }

    /// `OTEL_SDK_DISABLED=true`: the agent must not start. The other settings are then the
    /// defaults, whatever the environment says.
    pub fn disabled(&self) -> bool {
        self.disabled
    }

    /// Where metrics go: the collector (`otlp`), standard output (`console`) or nowhere.
    pub fn metrics_exporter(&self) -> MetricsExporter {
        self.metrics_exporter
    }

    /// `service.name`: the builder's, else `OTEL_SERVICE_NAME`, else the `service.name` entry
    /// of `OTEL_RESOURCE_ATTRIBUTES`, else the spec's `unknown_service:<executable>`.
    pub fn service_name(&self) -> &str {
        &self.service_name
    }

    /// `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded) and the builder's attributes, in order,
    /// keys unique.
    pub fn resource_attributes(&self) -> &[(String, String)] {
        &self.resource_attributes
    }

    /// The transport.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The URL to send to, as text: for `http/protobuf` the full URL of the request, path
    /// included. It is normalized (`http://host:4317` reads `http://host:4317/`).
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// The URL to send to, parsed (for the transports).
    pub(crate) fn endpoint_url(&self) -> &Url {
        &self.endpoint
    }

    /// The endpoint as messages and logs show it: userinfo and query string redacted (see
    /// [`redact_endpoint`]).
    pub fn redacted_endpoint(&self) -> String {
        redact_endpoint(self.endpoint.as_str())
    }

    /// Extra request headers (gRPC metadata); values are secrets.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// How long one export request may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Request body compression.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// Certificates and the insecure flag.
    pub fn tls(&self) -> &TlsConfig {
        &self.tls
    }

    /// Whether to connect with TLS: always for an `https` endpoint (the spec: the scheme takes
    /// precedence over the insecure setting); for `http`, when certificate files are given and
    /// insecure is not set.
    pub fn uses_tls(&self) -> bool {
        self.endpoint.scheme() == "https" || (self.tls.has_files() && !self.tls.insecure)
    }

    /// Time between the starts of two exports.
    pub fn export_interval(&self) -> Duration {
        self.interval
    }

    /// Bound on one whole export, retries included.
    pub fn export_timeout(&self) -> Duration {
        self.export_timeout
    }

    /// The temporality to export sums and the histogram with.
    pub fn temporality(&self) -> Temporality {
        self.temporality
    }

    /// Which `next_event` samples may be exported as exemplars.
    pub fn exemplar_filter(&self) -> ExemplarFilter {
        self.exemplar_filter
    }

    /// Most buckets in an exported exponential histogram (at least 2).
    pub fn max_histogram_buckets(&self) -> usize {
        self.max_histogram_buckets
    }

    /// How the latency histogram is exported: exponential (the default) or explicit buckets.
    pub fn histogram_aggregation(&self) -> HistogramAggregation {
        self.histogram_aggregation
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("disabled", &self.disabled)
            .field("metrics_exporter", &self.metrics_exporter)
            .field("service_name", &self.service_name)
            .field("resource_attributes", &self.resource_attributes)
            .field("protocol", &self.protocol)
            .field("endpoint", &self.redacted_endpoint())
            .field("headers", &self.headers)
            .field("timeout", &self.timeout)
            .field("compression", &self.compression)
            .field("tls", &self.tls)
            .field("interval", &self.interval)
            .field("export_timeout", &self.export_timeout)
            .field("temporality", &self.temporality)
            .field("exemplar_filter", &self.exemplar_filter)
            .field("max_histogram_buckets", &self.max_histogram_buckets)
            .field("histogram_aggregation", &self.histogram_aggregation)
            .finish()
    }
}

impl Default for Config {
    /// The defaults of the settings table: grpc to `http://localhost:4317`, 10 s timeout, 60 s
    /// interval, 30 s export timeout, cumulative, no compression, no headers, 160 buckets.
    fn default() -> Self {
        Config::from_lookup(&|_| None).unwrap_or_else(|_| Config::turned_off())
    }
}
