//! The OTLP agent's configuration: the standard OpenTelemetry environment variables, plus
//! settings made in code that beat them.
//!
//! [`Config::from_env`] reads the variables named in [`env`](mod@env); each setting is resolved by one
//! function in [`resolve`] (the signal's own variable, else the generic one, else the spec's
//! default); [`Config::traces_from_env`] resolves the same settings for traces.
//! [`ConfigBuilder`] overrides any of them in code. Every invalid value, from either source,
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

mod builder;
pub mod env;
mod error;
#[allow(
    dead_code,
    reason = "read by Config::from_env once OTEL_CONFIG_FILE is wired in (issue 20)"
)]
pub(crate) mod file;
mod parse;
pub mod resolve;
mod secret;
#[cfg(feature = "traces")]
mod traces;
mod types;

use std::time::Duration;

use url::Url;

pub use builder::ConfigBuilder;
pub use error::{ConfigError, ConfigProblem};
pub use resolve::Lookup;
pub use secret::{Headers, Secret, redact_endpoint};
#[cfg(feature = "traces")]
pub use traces::{TraceSampler, TraceSettings, check_sdk_trace_settings, resolve_traces_exporter};
pub use types::{
    Compression, ExemplarFilter, HistogramAggregation, MetricsExporter, Protocol, Signal,
    Temporality, TlsConfig,
};

/// The resolved configuration of the OTLP agent. Every value in it has been validated.
///
/// `Debug` shows the endpoint redacted and header names only.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) disabled: bool,
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
        Config {
            disabled: true,
            ..Config::default()
        }
    }

    /// `OTEL_SDK_DISABLED=true`: the agent must not start. The other settings are then the
    /// defaults, whatever the environment says.
    pub fn disabled(&self) -> bool {
        self.disabled
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
    /// The spec's defaults: grpc to `http://localhost:4317`, 10 s timeout, 60 s interval,
    /// 30 s export timeout, cumulative, no compression, no headers, 160 buckets.
    fn default() -> Self {
        Config {
            disabled: false,
            service_name: resolve::default_service_name(),
            resource_attributes: Vec::new(),
            protocol: Protocol::Grpc,
            endpoint: parse::default_endpoint(Protocol::Grpc, Signal::Metrics),
            headers: Headers::new(),
            timeout: env::DEFAULT_TIMEOUT,
            compression: Compression::None,
            tls: TlsConfig::default(),
            interval: env::DEFAULT_EXPORT_INTERVAL,
            export_timeout: env::DEFAULT_EXPORT_TIMEOUT,
            temporality: Temporality::Cumulative,
            exemplar_filter: ExemplarFilter::TraceBased,
            max_histogram_buckets: env::DEFAULT_MAX_HISTOGRAM_BUCKETS,
            histogram_aggregation: HistogramAggregation::Base2Exponential,
        }
    }
}
