//! OTLP export for the replaying commands: started from the `OTEL_*` environment before the
//! replay, flushed with a bounded final export after it.
//!
//! With no collector listening the final export fails; that is a warning on stderr, not an
//! error: the replay's own result stands and the command exits 0.

use std::sync::Arc;

use walrec::telemetry::Recovery;

use super::CliError;
#[cfg(all(feature = "otlp", feature = "traces"))]
use walrec::otlp::config::Propagator;

/// The agent, when the crate was built with OTLP support.
pub struct Export {
    /// Keeps `TRACEPARENT`'s context current while the command runs (dropped first).
    #[cfg(all(feature = "otlp", feature = "traces"))]
    _parent: Option<opentelemetry::ContextGuard>,
    /// The trace pipeline, unless `OTEL_TRACES_EXPORTER=none`.
    #[cfg(all(feature = "otlp", feature = "traces"))]
    tracing: Option<walrec::otlp::Tracing>,
    #[cfg(feature = "otlp")]
    agent: walrec::otlp::Agent,
    #[cfg(feature = "otlp")]
    bound: std::time::Duration,
}

/// The longest the final export may take, retries included, so that a missing collector
/// delays the end of a command by a bounded, short time.
#[cfg(feature = "otlp")]
const FINAL_EXPORT_BOUND: std::time::Duration = std::time::Duration::from_secs(2);

/// Sends `stderr` logs at `warn` and above (or as `RUST_LOG` says).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

#[cfg(feature = "otlp")]
impl Export {
    /// Starts exporting `manager` as `instance`, configured from the environment. A bad
    /// `OTEL_*` variable is a configuration error (exit 2) that lists every problem.
    pub fn start(instance: &str, recovery: &Arc<Recovery>) -> Result<Export, CliError> {
        use walrec::otlp::Agent;

        let (config, traces) = configs_from_env()?;
        let managers = vec![(instance.to_owned(), Arc::clone(recovery))];
        let agent = Agent::start(&config, managers)
            .map_err(|e| CliError::Usage(format!("cannot start the OTLP exporter: {e}")))?;
        #[cfg(feature = "traces")]
        let (tracing, propagators) = start_tracing(&agent, traces)?;
        Ok(Export {
            #[cfg(feature = "traces")]
            tracing,
            #[cfg(feature = "traces")]
            _parent: super::trace_context::from_env(carrier_variable, &propagators)
                .map(opentelemetry::Context::attach),
            agent,
            bound: config.export_timeout().min(FINAL_EXPORT_BOUND),
        })
    }

    /// Makes the final export (dropping the `Export` does the same, so an early error return
    /// still exports within the same short bound).
    pub fn finish(self) {}
}

#[cfg(feature = "otlp")]
impl Drop for Export {
    /// A failure has been logged once by the exporter already (it warns at the first failure of
    /// a run of failures), so it is not repeated here.
    fn drop(&mut self) {
        #[cfg(feature = "traces")]
        if let Some(tracing) = &self.tracing {
            // Before the metrics' final export, so that it counts the spans' outcome.
            if let Err(error) = tracing.shutdown(self.bound) {
                tracing::debug!("final span export failed: {error}");
            }
        }
        if !self.agent.is_running() {
            return;
        }
        match self.agent.shutdown(self.bound) {
            Ok(_) => tracing::info!("metrics exported to the OTLP collector"),
            Err(error) => tracing::debug!("final export failed: {error}"),
        }
    }
}

/// A context carrier variable (`TRACEPARENT`, `TRACESTATE`, `BAGGAGE`): one that is set but
/// not UTF-8 is a warning naming it (the run starts a new trace), never silently unset.
#[cfg(all(feature = "otlp", feature = "traces"))]
fn carrier_variable(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) => Some(value),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            tracing::warn!(
                "{name} is set but is not valid UTF-8; it is ignored and the recovery starts a new trace"
            );
            None
        }
    }
}

/// The traces' configuration and pipeline settings, unless the SDK is disabled.
#[cfg(all(feature = "otlp", feature = "traces"))]
type TracesConfig = Option<(walrec::otlp::Config, walrec::otlp::config::TraceSettings)>;
#[cfg(all(feature = "otlp", not(feature = "traces")))]
type TracesConfig = ();

/// The metrics' and the traces' configurations from the environment, or every problem of
/// both at once (each once, though a generic variable is read for both signals).
#[cfg(feature = "otlp")]
fn configs_from_env() -> Result<(walrec::otlp::Config, TracesConfig), CliError> {
    use walrec::otlp::config::Config;

    let mut problems: Vec<String> = Vec::new();
    let mut note = |error: walrec::otlp::ConfigError| {
        for problem in error.problems().iter().map(ToString::to_string) {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    };
    let metrics = Config::from_env().map_err(&mut note).ok();
    #[cfg(feature = "traces")]
    let traces = {
        use walrec::otlp::config::TraceSettings;
        let config = Config::traces_from_env().map_err(&mut note).ok();
        let disabled = config.as_ref().is_some_and(Config::disabled);
        let settings = (!disabled).then(|| TraceSettings::from_env().map_err(&mut note).ok());
        config.zip(settings.flatten())
    };
    #[cfg(not(feature = "traces"))]
    let traces = ();
    match metrics {
        Some(metrics) if problems.is_empty() => Ok((metrics, traces)),
        _ => Err(CliError::Usage(format!(
            "invalid OTLP configuration: {}",
            problems.join("; ")
        ))),
    }
}

/// The trace pipeline, installed as the global provider (none when `OTEL_TRACES_EXPORTER=none`
/// or the SDK is disabled), and the propagators that read the parent context.
#[cfg(all(feature = "otlp", feature = "traces"))]
fn start_tracing(
    agent: &walrec::otlp::Agent,
    traces: TracesConfig,
) -> Result<(Option<walrec::otlp::Tracing>, Vec<Propagator>), CliError> {
    use walrec::otlp::config::TracesExporter;

    let Some((config, settings)) = traces else {
        return Ok((None, Vec::new()));
    };
    if settings.exporter == TracesExporter::None {
        return Ok((None, settings.propagators));
    }
    let tracing = walrec::otlp::Tracing::start_with(&config, &settings, agent)
        .map_err(|e| CliError::Usage(format!("cannot start the OTLP trace exporter: {e}")))?;
    tracing.install_global();
    Ok((Some(tracing), settings.propagators))
}

#[cfg(not(feature = "otlp"))]
impl Export {
    /// Built without the `otlp` feature: nothing to start.
    pub fn start(_instance: &str, _recovery: &Arc<Recovery>) -> Result<Export, CliError> {
        Ok(Export {})
    }

    /// Built without the `otlp` feature: nothing to flush.
    pub fn finish(self) {}
}
