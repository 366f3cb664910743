//! The traces configuration: the same rules as the metrics', with the traces-specific
//! variables (`OTEL_EXPORTER_OTLP_TRACES_*`) in place of the metrics-specific ones, and
//! `/v1/traces` as the `http/protobuf` path; plus `OTEL_TRACES_EXPORTER`.

use super::env::{
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_SCHEDULE_DELAY,
    OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
};
use std::time::Duration;

use super::error::{ConfigError, ConfigProblem};
use super::resolve::Lookup;
use super::{Config, ConfigBuilder, Signal};

impl Config {
    /// The traces configuration from the process environment (see
    /// [`traces_from_lookup`](Self::traces_from_lookup)).
    pub fn traces_from_env() -> Result<Self, ConfigError> {
        Self::traces_from_lookup(&|name: &str| std::env::var_os(name))
    }

    /// The traces configuration from `lookup`: every setting resolved as for the metrics,
    /// except that `OTEL_EXPORTER_OTLP_TRACES_X` takes the place of
    /// `OTEL_EXPORTER_OTLP_METRICS_X`, and a generic or default `http/protobuf` endpoint
    /// ends in `/v1/traces` ([`Signal::Traces`]). Endpoint, protocol, headers, timeout,
    /// compression, insecure, certificates and mTLS therefore behave identically for both
    /// signals, and an error names the traces variable that was set.
    pub fn traces_from_lookup(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        ConfigBuilder::from_lookup(lookup)
            .signal(Signal::Traces)
            .build()
    }
}

/// `OTEL_TRACES_EXPORTER`: whether spans are exported over OTLP (`otlp`, the default) or
/// not at all (`none`).
pub fn resolve_traces_exporter(lookup: &Lookup<'_>) -> Result<bool, ConfigError> {
    let Some(raw) = lookup(OTEL_TRACES_EXPORTER) else {
        return Ok(true);
    };
    let text = raw.to_string_lossy();
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "otlp" => Ok(true),
        "none" => Ok(false),
        _ => Err(ConfigProblem::invalid(OTEL_TRACES_EXPORTER, &text, "otlp or none").into()),
    }
}

/// A sampler of the specification's `OTEL_TRACES_SAMPLER` list (the remote ones excepted),
/// with the ratio of those that take one (`OTEL_TRACES_SAMPLER_ARG`, default 1).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum TraceSampler {
    /// `always_on`.
    AlwaysOn,
    /// `always_off`.
    AlwaysOff,
    /// `traceidratio`: this fraction of traces, by trace id.
    TraceIdRatio(f64),
    /// `parentbased_always_on` (the default): the parent's decision, a root always sampled.
    ParentBasedAlwaysOn,
    /// `parentbased_always_off`: the parent's decision, a root never sampled.
    ParentBasedAlwaysOff,
    /// `parentbased_traceidratio`: the parent's decision, a root by the ratio.
    ParentBasedTraceIdRatio(f64),
}

/// The trace settings walrec resolves itself and hands to the SDK in code: the sampler and the
/// batch span processor's delay, queue and batch sizes. The SDK's own reading of these
/// variables is exact (`AlWaYs_OfF` or ` 512` are not understood) and falls back to its
/// defaults without a word, so walrec reads them with the rules every other `OTEL_*` value
/// follows (names case-insensitive, values trimmed) and an accepted value is the value used.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct TraceSettings {
    /// `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG`.
    pub sampler: TraceSampler,
    /// `OTEL_BSP_SCHEDULE_DELAY` (ms; default 5000).
    pub schedule_delay: Duration,
    /// `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048).
    pub max_queue_size: usize,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (default 512; at most the queue size).
    pub max_export_batch_size: usize,
}

impl Default for TraceSettings {
    /// The specification's defaults.
    fn default() -> Self {
        TraceSettings {
            sampler: TraceSampler::ParentBasedAlwaysOn,
            schedule_delay: Duration::from_millis(DEFAULT_BSP_SCHEDULE_DELAY_MS),
            max_queue_size: DEFAULT_BSP_MAX_QUEUE_SIZE,
            max_export_batch_size: DEFAULT_BSP_MAX_EXPORT_BATCH_SIZE,
        }
    }
}

impl TraceSettings {
    /// The settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|name: &str| std::env::var_os(name))
    }

    /// The settings from `lookup`; every invalid value is reported at once, each naming its
    /// variable and what it accepts.
    pub fn from_lookup(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        let text = |name: &str| {
            lookup(name)
                .map(|raw| raw.to_string_lossy().trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let mut problems = Vec::new();
        let mut settings = TraceSettings::default();
        if let Some(name) = text(OTEL_TRACES_SAMPLER) {
            let lower = name.to_ascii_lowercase();
            // The argument means something only to the ratio samplers (the spec ignores it
            // for the others).
            let ratio = if lower.ends_with("traceidratio") {
                resolve_ratio(text(OTEL_TRACES_SAMPLER_ARG), &mut problems)
            } else {
                1.0
            };
            match sampler_named(&lower, ratio) {
                Some(sampler) => settings.sampler = sampler,
                None => problems.push(ConfigProblem::invalid(
                    OTEL_TRACES_SAMPLER,
                    &name,
                    format!("one of {}", SAMPLERS.join(", ")),
                )),
            }
        }
        let mut count = |name: &'static str, default: usize| {
            let Some(value) = text(name) else {
                return default;
            };
            match value.parse::<usize>().ok().filter(|&n| n > 0) {
                Some(n) => n,
                None => {
                    problems.push(ConfigProblem::invalid(
                        name,
                        &value,
                        "a whole number above 0",
                    ));
                    default
                }
            }
        };
        let delay = count(
            OTEL_BSP_SCHEDULE_DELAY,
            DEFAULT_BSP_SCHEDULE_DELAY_MS as usize,
        );
        settings.schedule_delay = Duration::from_millis(delay as u64);
        settings.max_queue_size = count(OTEL_BSP_MAX_QUEUE_SIZE, DEFAULT_BSP_MAX_QUEUE_SIZE);
        settings.max_export_batch_size = count(
            OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
            DEFAULT_BSP_MAX_EXPORT_BATCH_SIZE,
        );
        if settings.max_export_batch_size > settings.max_queue_size {
            let queue = settings.max_queue_size;
            problems.push(ConfigProblem::invalid(
                OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
                &settings.max_export_batch_size.to_string(),
                format!("at most {OTEL_BSP_MAX_QUEUE_SIZE} ({queue})"),
            ));
        }
        ConfigError::from_problems(problems).map_or(Ok(settings), Err)
    }
}

/// `OTEL_TRACES_SAMPLER_ARG` as a ratio from 0 to 1 (1 when unset, as the spec says).
fn resolve_ratio(arg: Option<String>, problems: &mut Vec<ConfigProblem>) -> f64 {
    let Some(arg) = arg else {
        return 1.0;
    };
    match arg.parse::<f64>().ok().filter(|r| (0.0..=1.0).contains(r)) {
        Some(ratio) => ratio,
        None => {
            problems.push(ConfigProblem::invalid(
                OTEL_TRACES_SAMPLER_ARG,
                &arg,
                "a ratio from 0 to 1",
            ));
            1.0
        }
    }
}

/// The sampler named `name` (lower case), with `ratio` where it takes one.
fn sampler_named(name: &str, ratio: f64) -> Option<TraceSampler> {
    Some(match name {
        "always_on" => TraceSampler::AlwaysOn,
        "always_off" => TraceSampler::AlwaysOff,
        "traceidratio" => TraceSampler::TraceIdRatio(ratio),
        "parentbased_always_on" => TraceSampler::ParentBasedAlwaysOn,
        "parentbased_always_off" => TraceSampler::ParentBasedAlwaysOff,
        "parentbased_traceidratio" => TraceSampler::ParentBasedTraceIdRatio(ratio),
        _ => return None,
    })
}

/// The sampler names walrec accepts (in any case), for the error message.
const SAMPLERS: [&str; 6] = [
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
];

/// Checks the trace settings walrec gives the SDK ([`TraceSettings::from_lookup`]), for a
/// caller that wants only the verdict.
pub fn check_sdk_trace_settings(lookup: &Lookup<'_>) -> Result<(), ConfigError> {
    TraceSettings::from_lookup(lookup).map(|_| ())
}

/// The specification's defaults for the batch span processor.
const DEFAULT_BSP_SCHEDULE_DELAY_MS: u64 = 5000;
const DEFAULT_BSP_MAX_QUEUE_SIZE: usize = 2048;
const DEFAULT_BSP_MAX_EXPORT_BATCH_SIZE: usize = 512;
