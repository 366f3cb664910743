//! One `resolve_*` function per setting, each applying the precedence: for an exporter
//! setting the [`Signal`]'s own variable (`OTEL_EXPORTER_OTLP_METRICS_X` or
//! `OTEL_EXPORTER_OTLP_TRACES_X`), else the generic one, else the default. An error names the
//! variable that supplied the bad value.
//!
//! They read the environment only through a [`Lookup`], so tests can be table-driven over a
//! map instead of mutating the process environment:
//!
//! ```
//! use walrec::otlp::config::Signal;
//! use walrec::otlp::config::resolve::resolve_timeout;
//! use std::time::Duration;
//!
//! let env = |name: &str| (name == "OTEL_EXPORTER_OTLP_TIMEOUT").then(|| "2500".into());
//! assert_eq!(resolve_timeout(&env, Signal::Traces).unwrap(), Duration::from_millis(2500));
//! ```
//!
//! The certificate resolvers also check that the file can be read and parses as PEM. A
//! variable that is set but not valid UTF-8 is an error naming it, never read as unset.

use std::ffi::OsString;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::env::*;
use super::error::{ConfigError, ConfigProblem, Problems};
use super::parse::{self, PemKind, check_file, default_endpoint, parse_endpoint, with_signal_path};
use super::secret::Headers;
use super::types::{
    Compression, ExemplarFilter, HistogramAggregation, Protocol, Signal, Temporality, TlsConfig,
};

/// An environment: the value of a variable, or `None` when it is unset. Values are
/// `OsString`s so that one which is not valid UTF-8 can be reported rather than mistaken for
/// an unset variable: the process environment's adapter is `|name| std::env::var_os(name)`.
pub type Lookup<'a> = dyn Fn(&str) -> Option<OsString> + 'a;

/// A variable that was found: its name and its value.
type Found = Option<(&'static str, String)>;

/// `name` and its value, unless it is unset or blank (the spec: empty means unset); an error
/// naming `name` if its value is not valid UTF-8.
fn var(lookup: &Lookup<'_>, name: &'static str) -> Result<Found, ConfigError> {
    let Some(value) = lookup(name) else {
        return Ok(None);
    };
    let value = value
        .into_string()
        .map_err(|_| ConfigProblem::NotUnicode { setting: name })?;
    Ok((!value.trim().is_empty()).then_some((name, value)))
}

/// The signal-specific variable if set, else the generic one. Either one that is not valid
/// UTF-8 is reported, even the generic one that the specific one hides: it is still a broken
/// setting in the environment.
fn either(
    lookup: &Lookup<'_>,
    specific: &'static str,
    generic: &'static str,
) -> Result<Found, ConfigError> {
    match (var(lookup, specific), var(lookup, generic)) {
        (Ok(None), generic) => generic,
        (Ok(Some(found)), Ok(_)) => Ok(Some(found)),
        (Ok(Some(_)), Err(broken)) | (Err(broken), Ok(_)) => Err(broken),
        (Err(specific), Err(generic)) => {
            let mut problems = Problems::default();
            problems.extend(specific.into_problems());
            problems.extend(generic.into_problems());
            problems.finish(None)
        }
    }
}

/// Parses the variable that was found, or returns `default`.
fn parse_or<T>(
    found: Result<Found, ConfigError>,
    default: T,
    parse: impl FnOnce(&'static str, &str) -> Result<T, ConfigProblem>,
) -> Result<T, ConfigError> {
    match found? {
        Some((name, raw)) => parse(name, &raw).map_err(ConfigError::from),
        None => Ok(default),
    }
}

/// A whole number of milliseconds within `range`.
fn millis(
    range: &RangeInclusive<Duration>,
) -> impl FnOnce(&'static str, &str) -> Result<Duration, ConfigProblem> + '_ {
    move |name, raw| parse::parse_millis(name, raw, range)
}

/// [`OTEL_SDK_DISABLED`]; default `false`.
pub fn resolve_disabled(lookup: &Lookup<'_>) -> Result<bool, ConfigError> {
    parse_or(var(lookup, OTEL_SDK_DISABLED), false, parse::parse_bool)
}

/// [`OTEL_SERVICE_NAME`], trimmed; `None` when unset.
pub fn resolve_service_name(lookup: &Lookup<'_>) -> Result<Option<String>, ConfigError> {
    Ok(var(lookup, OTEL_SERVICE_NAME)?.map(|(_, value)| value.trim().to_owned()))
}

/// The spec's `service.name` when none is configured: `unknown_service:` and the executable's
/// file name (`walrec` if that cannot be found).
pub fn default_service_name() -> String {
    let exe = std::env::current_exe().ok();
    let name = exe.as_deref().and_then(|path| path.file_name());
    let name = name.map_or("walrec".into(), |n| n.to_string_lossy());
    format!("unknown_service:{name}")
}

/// [`OTEL_RESOURCE_ATTRIBUTES`], percent-decoded, in order; empty when unset.
pub fn resolve_resource_attributes(
    lookup: &Lookup<'_>,
) -> Result<Vec<(String, String)>, ConfigError> {
    match var(lookup, OTEL_RESOURCE_ATTRIBUTES)? {
        Some((name, raw)) => parse::parse_attributes(name, &raw),
        None => Ok(Vec::new()),
    }
}

/// [`OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`] or [`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`],
/// [`OTEL_EXPORTER_OTLP_PROTOCOL`]; default `grpc`.
pub fn resolve_protocol(lookup: &Lookup<'_>, signal: Signal) -> Result<Protocol, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    );
    let found = either(lookup, specific, OTEL_EXPORTER_OTLP_PROTOCOL);
    parse_or(found, Protocol::Grpc, parse::parse_protocol)
}

/// [`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`] or [`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`] as is;
/// else [`OTEL_EXPORTER_OTLP_ENDPOINT`], with the signal's path ([`Signal::http_path`])
/// appended for `http/protobuf` and `http/json`; else [`DEFAULT_GRPC_ENDPOINT`], or
/// [`DEFAULT_HTTP_BASE_ENDPOINT`] with the signal's path.
pub(crate) fn resolve_endpoint(
    lookup: &Lookup<'_>,
    protocol: Protocol,
    signal: Signal,
) -> Result<Url, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    );
    match either(lookup, specific, OTEL_EXPORTER_OTLP_ENDPOINT)? {
        Some((name, raw)) if name == specific => Ok(parse_endpoint(name, &raw)?),
        Some((name, raw)) => {
            let base = parse_endpoint(name, &raw)?;
            Ok(match protocol {
                Protocol::Grpc => base,
                Protocol::HttpProtobuf | Protocol::HttpJson => with_signal_path(base, signal),
            })
        }
        None => Ok(default_endpoint(protocol, signal)),
    }
}

/// [`OTEL_EXPORTER_OTLP_METRICS_HEADERS`] or [`OTEL_EXPORTER_OTLP_TRACES_HEADERS`], else
/// [`OTEL_EXPORTER_OTLP_HEADERS`] (the specific list replaces the generic one whole); values
/// percent-decoded; empty when unset.
pub fn resolve_headers(lookup: &Lookup<'_>, signal: Signal) -> Result<Headers, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_HEADERS,
        OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    );
    match either(lookup, specific, OTEL_EXPORTER_OTLP_HEADERS)? {
        Some((name, raw)) => parse::parse_headers(name, &raw),
        None => Ok(Headers::new()),
    }
}

/// [`OTEL_EXPORTER_OTLP_METRICS_TIMEOUT`] or [`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`],
/// [`OTEL_EXPORTER_OTLP_TIMEOUT`] (ms, within [`TIMEOUT_RANGE`]); default
/// [`DEFAULT_TIMEOUT`].
pub fn resolve_timeout(lookup: &Lookup<'_>, signal: Signal) -> Result<Duration, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
    );
    let found = either(lookup, specific, OTEL_EXPORTER_OTLP_TIMEOUT);
    parse_or(found, DEFAULT_TIMEOUT, millis(&TIMEOUT_RANGE))
}

/// [`OTEL_EXPORTER_OTLP_METRICS_COMPRESSION`] or [`OTEL_EXPORTER_OTLP_TRACES_COMPRESSION`],
/// [`OTEL_EXPORTER_OTLP_COMPRESSION`]; default `none`.
pub fn resolve_compression(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Compression, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION,
    );
    let found = either(lookup, specific, OTEL_EXPORTER_OTLP_COMPRESSION);
    parse_or(found, Compression::None, parse::parse_compression)
}

/// [`OTEL_EXPORTER_OTLP_METRICS_INSECURE`] or [`OTEL_EXPORTER_OTLP_TRACES_INSECURE`],
/// [`OTEL_EXPORTER_OTLP_INSECURE`]; default `false`.
pub fn resolve_insecure(lookup: &Lookup<'_>, signal: Signal) -> Result<bool, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_INSECURE,
        OTEL_EXPORTER_OTLP_TRACES_INSECURE,
    );
    let found = either(lookup, specific, OTEL_EXPORTER_OTLP_INSECURE);
    parse_or(found, false, parse::parse_bool)
}

/// A readable PEM file of `kind` named by the specific or the generic variable, with the
/// variable's name.
fn file(
    lookup: &Lookup<'_>,
    specific: &'static str,
    generic: &'static str,
    kind: PemKind,
) -> Result<Option<(PathBuf, &'static str)>, ConfigError> {
    let Some((name, raw)) = either(lookup, specific, generic)? else {
        return Ok(None);
    };
    Ok(Some((
        check_file(name, PathBuf::from(raw.trim()), kind)?,
        name,
    )))
}

/// [`OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE`] or [`OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE`],
/// [`OTEL_EXPORTER_OTLP_CERTIFICATE`]: a readable PEM file of certificates, or `None`.
pub fn resolve_certificate(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Option<PathBuf>, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE,
    );
    let found = file(
        lookup,
        specific,
        OTEL_EXPORTER_OTLP_CERTIFICATE,
        PemKind::Certificates,
    );
    Ok(found?.map(|(path, _)| path))
}

/// [`OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY`] or [`OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY`],
/// [`OTEL_EXPORTER_OTLP_CLIENT_KEY`]: a readable PEM private key file, or `None`.
pub fn resolve_client_key(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Option<PathBuf>, ConfigError> {
    Ok(client_key(lookup, signal)?.map(|(path, _)| path))
}

/// [`OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE`] or
/// [`OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE`], [`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`]:
/// a readable PEM file of certificates, or `None`.
pub fn resolve_client_certificate(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Option<PathBuf>, ConfigError> {
    Ok(client_certificate(lookup, signal)?.map(|(path, _)| path))
}

pub(crate) fn client_key(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Option<(PathBuf, &'static str)>, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY,
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY,
    );
    file(
        lookup,
        specific,
        OTEL_EXPORTER_OTLP_CLIENT_KEY,
        PemKind::PrivateKey,
    )
}

pub(crate) fn client_certificate(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Option<(PathBuf, &'static str)>, ConfigError> {
    let specific = signal.pick(
        OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE,
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE,
    );
    file(
        lookup,
        specific,
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
        PemKind::Certificates,
    )
}

/// The four TLS settings together, checking that a client key and a client certificate are
/// given both or neither (mTLS needs the pair).
pub fn resolve_tls(lookup: &Lookup<'_>, signal: Signal) -> Result<TlsConfig, ConfigError> {
    let mut problems = Problems::default();
    let insecure = problems.take(resolve_insecure(lookup, signal));
    let ca_certificate = problems.take(resolve_certificate(lookup, signal));
    let key = problems.take(client_key(lookup, signal));
    let certificate = problems.take(client_certificate(lookup, signal));
    let names = (key.as_ref(), certificate.as_ref());
    problems.extend(check_client_pair(
        names.0.map(|k| k.1),
        names.1.map(|c| c.1),
        signal,
    ));
    problems.finish(TlsConfig {
        insecure,
        ca_certificate,
        client_key: key.map(|(path, _)| path),
        client_certificate: certificate.map(|(path, _)| path),
    })
}

/// The problem when only one of the mTLS pair is given; `key` and `certificate` name the
/// setting that supplied that half, if any, and the hint names `signal`'s variables.
pub(crate) fn check_client_pair(
    key: Option<&'static str>,
    certificate: Option<&'static str>,
    signal: Signal,
) -> Option<ConfigProblem> {
    match (key, certificate) {
        (Some(setting), None) => Some(ConfigProblem::Incomplete {
            setting,
            missing: "client certificate",
            hint: signal.pick(
                "mTLS needs both: set OTEL_EXPORTER_OTLP_[METRICS_]CLIENT_CERTIFICATE \
                 (or ConfigBuilder::client_certificate) too, or neither",
                "mTLS needs both: set OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_CERTIFICATE \
                 (or ConfigBuilder::client_certificate) too, or neither",
            ),
        }),
        (None, Some(setting)) => Some(ConfigProblem::Incomplete {
            setting,
            missing: "client key",
            hint: signal.pick(
                "mTLS needs both: set OTEL_EXPORTER_OTLP_[METRICS_]CLIENT_KEY \
                 (or ConfigBuilder::client_key) too, or neither",
                "mTLS needs both: set OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_KEY \
                 (or ConfigBuilder::client_key) too, or neither",
            ),
        }),
        _ => None,
    }
}

/// [`OTEL_METRIC_EXPORT_INTERVAL`] (ms, within [`INTERVAL_RANGE`]); default
/// [`DEFAULT_EXPORT_INTERVAL`].
pub fn resolve_interval(lookup: &Lookup<'_>) -> Result<Duration, ConfigError> {
    let found = var(lookup, OTEL_METRIC_EXPORT_INTERVAL);
    parse_or(found, DEFAULT_EXPORT_INTERVAL, millis(&INTERVAL_RANGE))
}

/// [`OTEL_METRIC_EXPORT_TIMEOUT`] for metrics, [`OTEL_BSP_EXPORT_TIMEOUT`] for traces (ms,
/// within [`TIMEOUT_RANGE`]); default [`DEFAULT_EXPORT_TIMEOUT`], the spec's for both.
pub fn resolve_export_timeout(
    lookup: &Lookup<'_>,
    signal: Signal,
) -> Result<Duration, ConfigError> {
    let name = signal.pick(OTEL_METRIC_EXPORT_TIMEOUT, OTEL_BSP_EXPORT_TIMEOUT);
    let found = var(lookup, name);
    parse_or(found, DEFAULT_EXPORT_TIMEOUT, millis(&TIMEOUT_RANGE))
}

/// [`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`]; default `cumulative`.
pub fn resolve_temporality(lookup: &Lookup<'_>) -> Result<Temporality, ConfigError> {
    let found = var(lookup, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE);
    parse_or(found, Temporality::Cumulative, parse::parse_temporality)
}

/// [`OTEL_METRICS_EXEMPLAR_FILTER`]; default `trace_based`.
pub fn resolve_exemplar_filter(lookup: &Lookup<'_>) -> Result<ExemplarFilter, ConfigError> {
    let found = var(lookup, OTEL_METRICS_EXEMPLAR_FILTER);
    parse_or(
        found,
        ExemplarFilter::TraceBased,
        parse::parse_exemplar_filter,
    )
}

/// [`WALREC_OTLP_HISTOGRAM_MAX_SIZE`]; default [`DEFAULT_MAX_HISTOGRAM_BUCKETS`].
pub fn resolve_max_histogram_buckets(lookup: &Lookup<'_>) -> Result<usize, ConfigError> {
    let found = var(lookup, WALREC_OTLP_HISTOGRAM_MAX_SIZE);
    parse_or(found, DEFAULT_MAX_HISTOGRAM_BUCKETS, parse::parse_buckets)
}

/// [`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`]; default
/// `base2_exponential_bucket_histogram`.
pub fn resolve_histogram_aggregation(
    lookup: &Lookup<'_>,
) -> Result<HistogramAggregation, ConfigError> {
    let found = var(
        lookup,
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION,
    );
    parse_or(
        found,
        HistogramAggregation::Base2Exponential,
        |name, raw| match raw.trim().to_ascii_lowercase().as_str() {
            "base2_exponential_bucket_histogram" => Ok(HistogramAggregation::Base2Exponential),
            "explicit_bucket_histogram" => Ok(HistogramAggregation::ExplicitBuckets),
            _ => Err(ConfigProblem::invalid(
                name,
                raw,
                "base2_exponential_bucket_histogram or explicit_bucket_histogram",
            )),
        },
    )
}
