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

use settings::Id;
use value::Value;

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
    disabled: bool,
    /// The value of every setting of the table's `Config` part, by [`Id`](settings::Id); the
    /// service name, attributes, headers and endpoint with their fallbacks and the code's
    /// additions applied.
    values: Vec<Value>,
    /// The endpoint (always set, unlike `values`' entry type says).
    endpoint: Url,
    /// The TLS settings, together as the transports use them.
    tls: TlsConfig,
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

    fn get(&self, id: Id) -> &Value {
        self.values.get(id as usize).unwrap_or(&Value::Unset)
    }

    /// `OTEL_SDK_DISABLED=true`: the agent must not start. The other settings are then the
    /// defaults, whatever the environment says.
    pub fn disabled(&self) -> bool {
        self.disabled
    }

    /// Where metrics go: the collector (`otlp`), standard output (`console`) or nowhere.
    pub fn metrics_exporter(&self) -> MetricsExporter {
        self.get(Id::MetricsExporter).choice()
    }

    /// `service.name`: the builder's, else `OTEL_SERVICE_NAME`, else the `service.name` entry
    /// of `OTEL_RESOURCE_ATTRIBUTES`, else the spec's `unknown_service:<executable>`.
    pub fn service_name(&self) -> &str {
        self.get(Id::ServiceName).as_text().unwrap_or_default()
    }

    /// `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded) and the builder's attributes, in order,
    /// keys unique.
    pub fn resource_attributes(&self) -> &[(String, String)] {
        match self.get(Id::ResourceAttributes) {
            Value::Attributes(list) => list,
            _ => &[],
        }
    }

    /// The transport.
    pub fn protocol(&self) -> Protocol {
        self.get(Id::Protocol).choice()
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
        static NONE: Headers = Headers::new();
        match self.get(Id::Headers) {
            Value::Headers(headers) => headers,
            _ => &NONE,
        }
    }

    /// How long one export request may take.
    pub fn timeout(&self) -> Duration {
        self.get(Id::Timeout).as_duration()
    }

    /// Request body compression.
    pub fn compression(&self) -> Compression {
        self.get(Id::Compression).choice()
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
        self.get(Id::Interval).as_duration()
    }

    /// Bound on one whole export, retries included.
    pub fn export_timeout(&self) -> Duration {
        self.get(Id::ExportTimeout).as_duration()
    }

    /// The temporality to export sums and the histogram with.
    pub fn temporality(&self) -> Temporality {
        self.get(Id::Temporality).choice()
    }

    /// Which `next_event` samples may be exported as exemplars.
    pub fn exemplar_filter(&self) -> ExemplarFilter {
        self.get(Id::ExemplarFilter).choice()
    }

    /// Most buckets in an exported exponential histogram (at least 2).
    pub fn max_histogram_buckets(&self) -> usize {
        let count = self.get(Id::MaxHistogramBuckets).as_count().unwrap_or(0);
        usize::try_from(count).unwrap_or(usize::MAX)
    }

    /// How the latency histogram is exported: exponential (the default) or explicit buckets.
    pub fn histogram_aggregation(&self) -> HistogramAggregation {
        self.get(Id::HistogramAggregation).choice()
    }
}

impl std::fmt::Debug for Config {
    /// Every setting as `walrec config` shows it: secrets and endpoint credentials redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        map.entry(&"disabled", &self.disabled);
        for setting in settings::TABLE.iter().filter(|s| s.id < Id::TracesExporter) {
            let shown = explain::shown(setting, self.get(setting.id));
            map.entry(&setting.id, &format_args!("{shown}"));
        }
        map.finish()
    }
}

impl Default for Config {
    /// The defaults of the settings table: grpc to `http://localhost:4317`, 10 s timeout, 60 s
    /// interval, 30 s export timeout, cumulative, no compression, no headers, 160 buckets.
    fn default() -> Self {
        Config::from_lookup(&|_| None).unwrap_or_else(|_| Config::turned_off())
    }
}
