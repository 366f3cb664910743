//! The traces configuration: the same rules as the metrics', with the traces-specific
//! variables (`OTEL_EXPORTER_OTLP_TRACES_*`) in place of the metrics-specific ones, and
//! `/v1/traces` as the `http/protobuf` path; plus `OTEL_TRACES_EXPORTER`.

use super::env::{
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_SCHEDULE_DELAY,
    OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
};
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

/// The samplers the SDK implements, by their `OTEL_TRACES_SAMPLER` names.
const SAMPLERS: [&str; 6] = [
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
];

/// Checks the trace settings that the SDK reads itself (`OTEL_TRACES_SAMPLER`,
/// `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_MAX_QUEUE_SIZE`,
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`): the SDK replaces a value it cannot use with its default
/// without a word, so a typo would silently change what is sampled or batched. Every problem is
/// reported, each naming its variable.
pub fn check_sdk_trace_settings(lookup: &Lookup<'_>) -> Result<(), ConfigError> {
    let text = |name: &str| lookup(name).map(|raw| raw.to_string_lossy().trim().to_owned());
    let mut problems = Vec::new();
    let sampler = text(OTEL_TRACES_SAMPLER).map(|s| s.to_ascii_lowercase());
    if let Some(sampler) = sampler.as_deref().filter(|s| !SAMPLERS.contains(s)) {
        let expected = format!("one of {}", SAMPLERS.join(", "));
        problems.push(ConfigProblem::invalid(
            OTEL_TRACES_SAMPLER,
            sampler,
            expected,
        ));
    }
    if let Some(arg) = text(OTEL_TRACES_SAMPLER_ARG) {
        let ratio = sampler
            .as_deref()
            .is_some_and(|s| s.ends_with("traceidratio"));
        let valid = arg.parse::<f64>().is_ok_and(|r| (0.0..=1.0).contains(&r));
        if ratio && !valid {
            let expected = "a ratio from 0 to 1";
            problems.push(ConfigProblem::invalid(
                OTEL_TRACES_SAMPLER_ARG,
                &arg,
                expected,
            ));
        }
    }
    let count = |name: &'static str, problems: &mut Vec<ConfigProblem>| -> Option<u64> {
        let value = text(name)?;
        let parsed = value.parse::<u64>().ok().filter(|&n| n > 0);
        if parsed.is_none() {
            problems.push(ConfigProblem::invalid(
                name,
                &value,
                "a whole number above 0",
            ));
        }
        parsed
    };
    count(OTEL_BSP_SCHEDULE_DELAY, &mut problems);
    let queue = count(OTEL_BSP_MAX_QUEUE_SIZE, &mut problems);
    let batch = count(OTEL_BSP_MAX_EXPORT_BATCH_SIZE, &mut problems);
    if let (Some(batch), Some(queue)) = (batch, queue.or(Some(DEFAULT_BSP_MAX_QUEUE_SIZE))) {
        if batch > queue {
            let expected = format!("at most {OTEL_BSP_MAX_QUEUE_SIZE} ({queue})");
            let value = batch.to_string();
            problems.push(ConfigProblem::invalid(
                OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
                &value,
                expected,
            ));
        }
    }
    ConfigError::from_problems(problems).map_or(Ok(()), Err)
}

/// The specification's default for [`OTEL_BSP_MAX_QUEUE_SIZE`].
const DEFAULT_BSP_MAX_QUEUE_SIZE: u64 = 2048;
