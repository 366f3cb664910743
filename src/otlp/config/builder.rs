//! `ConfigBuilder`: settings made in code, which beat the environment.
//!
//! Each method validates its value exactly as the matching variable's value is validated; a
//! rejected value is recorded and reported by [`build`](ConfigBuilder::build) together with
//! every other problem. A setting made in code is not read from the environment at all, so a
//! broken variable that the code overrides is not an error.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::Config;
use super::env::{INTERVAL_RANGE, TIMEOUT_RANGE};
use super::error::{ConfigError, ConfigProblem, Problems};
use super::parse::{self, PemKind};
use super::resolve::{self as r, Lookup};
use super::secret::{Headers, Secret};
use super::types::{
    Compression, ExemplarFilter, HistogramAggregation, Protocol, Signal, Temporality, TlsConfig,
};

/// One setting's override.
#[derive(Debug, Clone, Default)]
enum Slot<T> {
    /// Not set in code: read the environment (or the default).
    #[default]
    Env,
    /// Set in code, validated.
    Set(T),
    /// Set in code to an invalid value; the problem is recorded, the environment is not read.
    Rejected,
}

impl<T> Slot<T> {
    fn from_result(result: Result<T, ConfigProblem>, problems: &mut Vec<ConfigProblem>) -> Self {
        result.map_or_else(
            |problem| {
                problems.push(problem);
                Slot::Rejected
            },
            Slot::Set,
        )
    }

    /// The override if set, else the environment's value; `None` if rejected or unset.
    fn or_env_opt(
        self,
        problems: &mut Problems,
        env: impl FnOnce() -> Result<Option<T>, ConfigError>,
    ) -> Option<T> {
        match self {
            Slot::Set(value) => Some(value),
            Slot::Env => problems.take(env()),
            Slot::Rejected => None,
        }
    }

    /// The override if set, else the environment's value (or its default).
    fn or_env(self, problems: &mut Problems, env: impl FnOnce() -> Result<T, ConfigError>) -> T
    where
        T: Default,
    {
        self.or_env_opt(problems, || env().map(Some))
            .unwrap_or_default()
    }
}

/// The settings made in code.
#[derive(Debug, Default)]
struct Overrides {
    disabled: Slot<bool>,
    service_name: Slot<String>,
    resource_attributes: Vec<(String, String)>,
    protocol: Slot<Protocol>,
    endpoint: Slot<Url>,
    headers: Vec<(String, Secret)>,
    timeout: Slot<Duration>,
    compression: Slot<Compression>,
    tls: TlsOverrides,
    interval: Slot<Duration>,
    export_timeout: Slot<Duration>,
    temporality: Slot<Temporality>,
    exemplar_filter: Slot<ExemplarFilter>,
    max_histogram_buckets: Slot<usize>,
    histogram_aggregation: Slot<HistogramAggregation>,
    problems: Vec<ConfigProblem>,
}

/// The TLS settings made in code.
#[derive(Debug, Clone, Default)]
struct TlsOverrides {
    insecure: Slot<bool>,
    ca_certificate: Slot<PathBuf>,
    client_key: Slot<PathBuf>,
    client_certificate: Slot<PathBuf>,
}

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
    lookup: &'a Lookup<'a>,
    signal: Signal,
    set: Overrides,
}

/// The process environment, as a [`Lookup`]: `var_os`, so that a value which is not valid
/// UTF-8 is reported, not taken for unset.
fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
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
    /// A builder over the environment `lookup` describes.
    pub fn from_lookup(lookup: &'a Lookup<'a>) -> Self {
        ConfigBuilder {
            lookup,
            signal: Signal::Metrics,
            set: Overrides::default(),
        }
    }

    /// The signal to configure (metrics unless set): which signal-specific variables beat
    /// the generic ones, and which path a generic `http/protobuf` endpoint gets.
    pub fn signal(mut self, signal: Signal) -> Self {
        self.signal = signal;
        self
    }

    /// Turns the agent off (`OTEL_SDK_DISABLED`).
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.set.disabled = Slot::Set(disabled);
        self
    }

    /// `service.name` (`OTEL_SERVICE_NAME`); must not be blank.
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        let checked = match name.trim() {
            "" => Err(ConfigProblem::invalid(
                "ConfigBuilder::service_name",
                &name,
                "a non-blank name",
            )),
            trimmed => Ok(trimmed.to_owned()),
        };
        self.set.service_name = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// Adds a resource attribute, replacing one of the same key from
    /// `OTEL_RESOURCE_ATTRIBUTES`; the key must not be blank.
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        if key.trim().is_empty() {
            let setting = "ConfigBuilder::resource_attribute";
            self.set
                .problems
                .push(ConfigProblem::invalid(setting, &key, "a non-blank key"));
        } else {
            parse::set_attribute(&mut self.set.resource_attributes, key, value.into());
        }
        self
    }

    /// The transport (`OTEL_EXPORTER_OTLP_PROTOCOL`).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.set.protocol = Slot::Set(protocol);
        self
    }

    /// The collector's URL, used as is (like `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`): for
    /// `http/protobuf` include the signal's path (`/v1/metrics`, `/v1/traces`).
    pub fn endpoint(mut self, url: &str) -> Self {
        let parsed = parse::parse_endpoint("ConfigBuilder::endpoint", url);
        self.set.endpoint = Slot::from_result(parsed, &mut self.set.problems);
        self
    }

    /// Adds a request header, replacing one of the same name from the environment. The name
    /// must be an HTTP token (it is lowercased), the value printable ASCII (not
    /// percent-decoded: it is taken as given).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let index = self.set.headers.len() + 1;
        match parse::parse_header("ConfigBuilder::header", index, name, value) {
            Ok(header) => self.set.headers.push(header),
            Err(problem) => self.set.problems.push(problem),
        }
        self
    }

    /// How long one export request may take (`OTEL_EXPORTER_OTLP_TIMEOUT`); within
    /// [`TIMEOUT_RANGE`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let checked = parse::check_duration("ConfigBuilder::timeout", timeout, &TIMEOUT_RANGE);
        self.set.timeout = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// Request body compression (`OTEL_EXPORTER_OTLP_COMPRESSION`).
    pub fn compression(mut self, compression: Compression) -> Self {
        self.set.compression = Slot::Set(compression);
        self
    }

    /// Asks for plaintext (`OTEL_EXPORTER_OTLP_INSECURE`); an `https` endpoint wins.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.set.tls.insecure = Slot::Set(insecure);
        self
    }

    /// CA certificates PEM file (`OTEL_EXPORTER_OTLP_CERTIFICATE`); must be readable and
    /// hold PEM certificates now.
    pub fn ca_certificate(mut self, path: impl Into<PathBuf>) -> Self {
        let setting = "ConfigBuilder::ca_certificate";
        let checked = parse::check_file(setting, path.into(), PemKind::Certificates);
        self.set.tls.ca_certificate = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// mTLS private key PEM file (`OTEL_EXPORTER_OTLP_CLIENT_KEY`); must be readable and
    /// hold a PEM private key now.
    pub fn client_key(mut self, path: impl Into<PathBuf>) -> Self {
        let setting = "ConfigBuilder::client_key";
        let checked = parse::check_file(setting, path.into(), PemKind::PrivateKey);
        self.set.tls.client_key = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// mTLS certificate chain PEM file (`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`); must be
    /// readable and hold PEM certificates now.
    pub fn client_certificate(mut self, path: impl Into<PathBuf>) -> Self {
        let setting = "ConfigBuilder::client_certificate";
        let checked = parse::check_file(setting, path.into(), PemKind::Certificates);
        self.set.tls.client_certificate = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// Time between exports (`OTEL_METRIC_EXPORT_INTERVAL`); within [`INTERVAL_RANGE`].
    pub fn interval(mut self, interval: Duration) -> Self {
        let checked = parse::check_duration("ConfigBuilder::interval", interval, &INTERVAL_RANGE);
        self.set.interval = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// Bound on one whole export (`OTEL_METRIC_EXPORT_TIMEOUT`, for traces
    /// `OTEL_BSP_EXPORT_TIMEOUT`); within [`TIMEOUT_RANGE`].
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        let setting = "ConfigBuilder::export_timeout";
        let checked = parse::check_duration(setting, timeout, &TIMEOUT_RANGE);
        self.set.export_timeout = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// Which samples may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`).
    pub fn exemplar_filter(mut self, filter: ExemplarFilter) -> Self {
        self.set.exemplar_filter = Slot::Set(filter);
        self
    }

    /// Temporality (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
    pub fn temporality(mut self, temporality: Temporality) -> Self {
        self.set.temporality = Slot::Set(temporality);
        self
    }

    /// Most exponential histogram buckets (`WALREC_OTLP_HISTOGRAM_MAX_SIZE`); at least 2.
    pub fn max_histogram_buckets(mut self, buckets: usize) -> Self {
        let checked = parse::check_buckets("ConfigBuilder::max_histogram_buckets", buckets);
        self.set.max_histogram_buckets = Slot::from_result(checked, &mut self.set.problems);
        self
    }

    /// How the latency histogram is exported
    /// (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`).
    pub fn histogram_aggregation(mut self, aggregation: HistogramAggregation) -> Self {
        self.set.histogram_aggregation = Slot::Set(aggregation);
        self
    }

    /// The configuration, or every problem in the overrides and the environment at once.
    ///
    /// When the agent is disabled nothing else is read or checked, and the other settings are
    /// the defaults: a disabled agent is never a configuration error.
    pub fn build(self) -> Result<Config, ConfigError> {
        let (lookup, signal, set) = (self.lookup, self.signal, self.set);
        let mut problems = Problems::default();
        let p = &mut problems;
        if set.disabled.or_env(p, || r::resolve_disabled(lookup)) {
            return Ok(Config::turned_off());
        }
        p.extend(set.problems);
        let protocol = set
            .protocol
            .or_env(p, || r::resolve_protocol(lookup, signal));
        let resource_attributes = attributes(set.resource_attributes, lookup, p);
        let config = Config {
            disabled: false,
            service_name: service_name(set.service_name, lookup, &resource_attributes, p),
            resource_attributes,
            protocol,
            endpoint: endpoint(set.endpoint, lookup, (protocol, signal), p),
            headers: headers(set.headers, lookup, signal, p),
            timeout: set.timeout.or_env(p, || r::resolve_timeout(lookup, signal)),
            compression: set
                .compression
                .or_env(p, || r::resolve_compression(lookup, signal)),
            tls: tls(lookup, signal, p, set.tls),
            interval: set.interval.or_env(p, || r::resolve_interval(lookup)),
            export_timeout: set
                .export_timeout
                .or_env(p, || r::resolve_export_timeout(lookup, signal)),
            temporality: set.temporality.or_env(p, || r::resolve_temporality(lookup)),
            exemplar_filter: set
                .exemplar_filter
                .or_env(p, || r::resolve_exemplar_filter(lookup)),
            max_histogram_buckets: set
                .max_histogram_buckets
                .or_env(p, || r::resolve_max_histogram_buckets(lookup)),
            histogram_aggregation: set
                .histogram_aggregation
                .or_env(p, || r::resolve_histogram_aggregation(lookup)),
        };
        problems.finish(config)
    }
}

/// The endpoint set in code (as is), else the environment's under the protocol's and the
/// signal's rules.
fn endpoint(
    slot: Slot<Url>,
    lookup: &Lookup<'_>,
    (protocol, signal): (Protocol, Signal),
    p: &mut Problems,
) -> Url {
    let default = || parse::default_endpoint(protocol, signal);
    match slot {
        Slot::Set(url) => url,
        Slot::Env => p.take_or(r::resolve_endpoint(lookup, protocol, signal), default),
        Slot::Rejected => default(),
    }
}

/// The environment's headers, with those set in code added or replacing them by name.
fn headers(
    set: Vec<(String, Secret)>,
    lookup: &Lookup<'_>,
    signal: Signal,
    p: &mut Problems,
) -> Headers {
    let mut headers = p.take(r::resolve_headers(lookup, signal));
    for (name, value) in set {
        headers.set(name, value);
    }
    headers
}

/// The environment's resource attributes, with those set in code added or replacing them.
fn attributes(
    set: Vec<(String, String)>,
    lookup: &Lookup<'_>,
    p: &mut Problems,
) -> Vec<(String, String)> {
    let mut attributes = p.take(r::resolve_resource_attributes(lookup));
    for (key, value) in set {
        parse::set_attribute(&mut attributes, key, value);
    }
    attributes
}

/// `service.name`: set in code, else `OTEL_SERVICE_NAME`, else the `service.name` resource
/// attribute, else the spec's `unknown_service:<executable>`.
fn service_name(
    slot: Slot<String>,
    lookup: &Lookup<'_>,
    attributes: &[(String, String)],
    p: &mut Problems,
) -> String {
    let explicit = slot.or_env_opt(p, || r::resolve_service_name(lookup));
    let attribute = || {
        let mut named = attributes.iter().filter(|(key, _)| key == "service.name");
        named.next().map(|(_, value)| value.clone())
    };
    explicit
        .or_else(attribute)
        .unwrap_or_else(r::default_service_name)
}

/// The TLS settings, each from its override or the environment, and the mTLS pair check.
fn tls(
    lookup: &Lookup<'_>,
    signal: Signal,
    problems: &mut Problems,
    set: TlsOverrides,
) -> TlsConfig {
    let named = |slot: Slot<PathBuf>, method: &'static str| match slot {
        Slot::Set(path) => Slot::Set((path, method)),
        Slot::Env => Slot::Env,
        Slot::Rejected => Slot::Rejected,
    };
    let insecure = set
        .insecure
        .or_env(problems, || r::resolve_insecure(lookup, signal));
    let ca_certificate = set
        .ca_certificate
        .or_env_opt(problems, || r::resolve_certificate(lookup, signal));
    let key = named(set.client_key, "ConfigBuilder::client_key")
        .or_env_opt(problems, || r::client_key(lookup, signal));
    let certificate = named(set.client_certificate, "ConfigBuilder::client_certificate")
        .or_env_opt(problems, || r::client_certificate(lookup, signal));
    problems.extend(r::check_client_pair(
        key.as_ref().map(|(_, setting)| *setting),
        certificate.as_ref().map(|(_, setting)| *setting),
        signal,
    ));
    TlsConfig {
        insecure,
        ca_certificate,
        client_key: key.map(|(path, _)| path),
        client_certificate: certificate.map(|(path, _)| path),
    }
}

impl std::fmt::Debug for ConfigBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("overrides", &self.set)
            .finish_non_exhaustive()
    }
}
