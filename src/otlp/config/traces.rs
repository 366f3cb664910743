//! The traces configuration: the same rules as the metrics', with the traces-specific
//! variables (`OTEL_EXPORTER_OTLP_TRACES_*`) in place of the metrics-specific ones, and
//! `/v1/traces` as the `http/protobuf` path; plus `OTEL_TRACES_EXPORTER`.

use super::env::OTEL_TRACES_EXPORTER;
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
