//! `ConfigBuilder`: settings made in code, which beat the environment.
//!
//! Each method checks its value by the same rule as the matching variable's value (the
//! setting's kind in the table); a refused value is recorded and reported by
//! [`build`](ConfigBuilder::build) together with every other problem. A setting made in code
//! is not read from the environment at all, so a broken variable that the code overrides is
//! not an error.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::Config;
use super::environment::Environment;
use super::error::{ConfigError, ConfigProblem, Problems};
use super::parse;
use super::resolve::{Lookup, Override, Resolved, process_env, resolve, resolve_single};
use super::secret::Secret;
use super::settings::{Id, setting};
use super::types::{
    Compression, ExemplarFilter, HistogramAggregation, MetricsExporter, Protocol, Signal, Spelled,
    Temporality,
};
use super::value::{Value, check_code, parse_text};

/// Builds a [`Config`] from settings made in code on top of an environment.
///
/// ```
/// use std::time::Duration;
/// use walrec::otlp::config::{Config, ConfigBuilder, Protocol};
///
/// let config = ConfigBuilder::from_env()
///     .protocol(Protocol::HttpProtobuf)
///     .endpoint("http://collector:4318/v1/metrics")
///     .interval(Duration::from_secs(10))
///     .header("x-api-key", "s3cret")
///     .build()?;
/// assert_eq!(config.endpoint(), "http://collector:4318/v1/metrics");
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), walrec::otlp::config::ConfigError>(())
/// ```
pub struct ConfigBuilder<'a> {
    environment: Environment<'a>,
    signal: Signal,
    overrides: Vec<Override>,
    headers: Vec<(String, Secret)>,
    attributes: Vec<(String, String)>,
    problems: Vec<ConfigProblem>,
}

/// No environment: only defaults.
fn no_env(_: &str) -> Option<OsString> {
    None
}

impl ConfigBuilder<'static> {
    /// A builder over the defaults only: the environment is not read.
    pub fn new() -> Self {
        ConfigBuilder::from_lookup(&no_env)
    }

    /// A builder over the process environment.
    pub fn from_env() -> Self {
        ConfigBuilder::from_lookup(&process_env)
    }
}

impl Default for ConfigBuilder<'static> {
    fn default() -> Self {
        ConfigBuilder::new()
    }
}

impl<'a> ConfigBuilder<'a> {
    /// A builder over the environment `lookup` describes (or, when it sets
    /// `OTEL_CONFIG_FILE`, over that declarative configuration file).
    pub fn from_lookup(lookup: &'a Lookup<'a>) -> Self {
        ConfigBuilder {
            environment: Environment::new(lookup),
            signal: Signal::Metrics,
            overrides: Vec::new(),
            headers: Vec::new(),
            attributes: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The signal to configure (metrics unless set): which signal-specific variables beat
    /// the generic ones, and which path a generic OTLP/HTTP endpoint gets.
    pub fn signal(mut self, signal: Signal) -> Self {
        self.signal = signal;
        self
    }

    /// Records `value` for `id`, checked by the setting's rule.
    fn set(mut self, id: Id, method: &'static str, value: Value) -> Self {
        let checked = check_code(&setting(id).kind, method, value);
        let value = checked.map_err(|p| self.problems.push(p)).ok();
        self.overrides.push(Override { id, method, value });
        self
    }

    /// Adds a resource attribute, replacing one of the same key from
    /// `OTEL_RESOURCE_ATTRIBUTES`; the key must not be blank.
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        if key.trim().is_empty() {
            let setting = "ConfigBuilder::resource_attribute";
            let problem = ConfigProblem::invalid(setting, &key, "a non-blank key");
            self.problems.push(problem);
        } else {
            parse::set_attribute(&mut self.attributes, key, value.into());
        }
        self
    }

    /// The collector's URL, used as is (like `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`): for
    /// OTLP/HTTP include the signal's path (`/v1/metrics`, `/v1/traces`).
    pub fn endpoint(mut self, url: &str) -> Self {
        let method = "ConfigBuilder::endpoint";
        let parsed = parse_text(&setting(Id::Endpoint).kind, method, url);
        let value = parsed
            .map_err(|e| self.problems.extend(e.into_problems()))
            .ok();
        let id = Id::Endpoint;
        self.overrides.push(Override { id, method, value });
        self
    }

    /// Adds a request header, replacing one of the same name from the environment. The name
    /// must be an HTTP token (it is lowercased), the value printable ASCII (not
    /// percent-decoded: it is taken as given).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let index = self.headers.len() + 1;
        match parse::parse_header("ConfigBuilder::header", index, name, value) {
            Ok(header) => self.headers.push(header),
            Err(problem) => self.problems.push(problem),
        }
        self
    }

    /// The configuration, or every problem in the overrides and the environment at once.
    ///
    /// When the agent is disabled nothing else is read or checked, and the other settings are
    /// the defaults: a disabled agent is never a configuration error.
    pub fn build(self) -> Result<Config, ConfigError> {
        self.resolve().map(|(config, _)| config)
    }

    /// The configuration with where each setting came from.
    pub(crate) fn resolve(self) -> Result<(Config, Resolved), ConfigError> {
        let ConfigBuilder {
            mut environment,
            signal,
            overrides,
            headers,
            attributes,
            problems,
        } = self;
        environment.with(|lookup| {
            let mut found = Problems::default();
            let disabled = resolve_single(Id::Disabled, lookup, signal, &overrides, &mut found);
            if disabled.as_bool() {
                let resolved = resolve(lookup, signal, &[], |_| false, &mut found);
                return Ok((Config::turned_off(), resolved));
            }
            found.extend(problems);
            let config_part = |id| id != Id::Disabled && id < Id::TracesExporter;
            let resolved = resolve(lookup, signal, &overrides, config_part, &mut found);
            let config = Config::assemble(&resolved, signal, (headers, attributes), &mut found);
            found.finish((config, resolved))
        })
    }
}

/// The index of `value` among its type's spellings, as a choice setting holds it.
fn choice<T: Spelled + PartialEq>(value: T) -> Value {
    Value::Choice(T::ALL.iter().position(|v| *v == value).unwrap_or(0))
}

/// Builder methods that set one row of the table: each checks its value by the row's kind
/// and is named in messages as `ConfigBuilder::<method>`.
macro_rules! setters {
    ($($(#[$doc:meta])* $method:ident($arg:ident: $ty:ty) => $id:ident, $value:expr;)*) => {
        impl ConfigBuilder<'_> {
            $($(#[$doc])*
            pub fn $method(self, $arg: $ty) -> Self {
                self.set(Id::$id, concat!("ConfigBuilder::", stringify!($method)), $value)
            })*
        }
    };
}

setters! {
    /// Turns the agent off (`OTEL_SDK_DISABLED`).
    disabled(disabled: bool) => Disabled, Value::Bool(disabled);
    /// `service.name` (`OTEL_SERVICE_NAME`); must not be blank.
    service_name(name: impl Into<String>) => ServiceName, Value::Text(name.into());
    /// Where metrics go (`OTEL_METRICS_EXPORTER`).
    metrics_exporter(exporter: MetricsExporter) => MetricsExporter, choice(exporter);
    /// The transport (`OTEL_EXPORTER_OTLP_PROTOCOL`).
    protocol(protocol: Protocol) => Protocol, choice(protocol);
    /// How long one export request may take (`OTEL_EXPORTER_OTLP_TIMEOUT`); within
    /// [`TIMEOUT_RANGE`](super::env::TIMEOUT_RANGE).
    timeout(timeout: Duration) => Timeout, Value::Duration(timeout);
    /// Request body compression (`OTEL_EXPORTER_OTLP_COMPRESSION`).
    compression(compression: Compression) => Compression, choice(compression);
    /// Asks for plaintext (`OTEL_EXPORTER_OTLP_INSECURE`); an `https` endpoint wins.
    insecure(insecure: bool) => Insecure, Value::Bool(insecure);
    /// CA certificates PEM file (`OTEL_EXPORTER_OTLP_CERTIFICATE`); must be readable and
    /// hold PEM certificates now.
    ca_certificate(path: impl Into<PathBuf>) => Certificate, Value::Path(path.into());
    /// mTLS private key PEM file (`OTEL_EXPORTER_OTLP_CLIENT_KEY`); must be readable and
    /// hold a PEM private key now.
    client_key(path: impl Into<PathBuf>) => ClientKey, Value::Path(path.into());
    /// mTLS certificate chain PEM file (`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`); must be
    /// readable and hold PEM certificates now.
    client_certificate(path: impl Into<PathBuf>) => ClientCertificate, Value::Path(path.into());
    /// Time between exports (`OTEL_METRIC_EXPORT_INTERVAL`); within
    /// [`INTERVAL_RANGE`](super::env::INTERVAL_RANGE).
    interval(interval: Duration) => Interval, Value::Duration(interval);
    /// Bound on one whole export (`OTEL_METRIC_EXPORT_TIMEOUT`, for traces
    /// `OTEL_BSP_EXPORT_TIMEOUT`); within [`TIMEOUT_RANGE`](super::env::TIMEOUT_RANGE).
    export_timeout(timeout: Duration) => ExportTimeout, Value::Duration(timeout);
    /// Which samples may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`).
    exemplar_filter(filter: ExemplarFilter) => ExemplarFilter, choice(filter);
    /// Temporality (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
    temporality(temporality: Temporality) => Temporality, choice(temporality);
    /// How the latency histogram is exported
    /// (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`).
    histogram_aggregation(aggregation: HistogramAggregation) => HistogramAggregation, choice(aggregation);
    /// Most exponential histogram buckets (`WALREC_OTLP_HISTOGRAM_MAX_SIZE`); at least 2.
    max_histogram_buckets(buckets: usize) => MaxHistogramBuckets,
        Value::Count(u64::try_from(buckets).unwrap_or(u64::MAX));
}

impl std::fmt::Debug for ConfigBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field(
                "from_file",
                &matches!(self.environment, Environment::File(_)),
            )
            .field("signal", &self.signal)
            .field("overrides", &self.overrides)
            .field("headers", &self.headers)
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}
