//! `--record FILE` for the replaying commands: a flight recorder on the command's manager,
//! interval from `WALREC_RECORD_INTERVAL`, finished (final interval written) after the replay.

use std::path::Path;
use std::sync::Arc;

use walrec::recording::{FlightRecorder, RecordingConfig};
use walrec::telemetry::Recovery;

use super::CliError;

/// A recording error on one line, with its cause (the error's own message leaves it out).
pub fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Starts recording `recovery`'s manager as `instance` into `path`, when `--record` was given.
pub fn start(
    path: Option<&Path>,
    instance: &str,
    recovery: &Arc<Recovery>,
) -> Result<Option<FlightRecorder>, CliError> {
    let Some(path) = path else {
        return Ok(None);
    };
    let config = RecordingConfig::from_env(path).map_err(|e| CliError::Usage(describe(&e)))?;
    // The resource an OTLP agent started from the same environment sends, so that the
    // recording converts back to the same OTLP. A bad OTEL_* variable is reported by the
    // exporter's start; the recording then keeps the plain default resource.
    #[cfg(feature = "otlp")]
    let config = match walrec::otlp::Config::from_env() {
        Ok(otlp) => RecordingConfig {
            service_name: otlp.service_name().to_owned(),
            resource_attributes: walrec::otlp::resource_attributes(&otlp),
            ..config
        },
        Err(_) => config,
    };
    let managers = vec![(instance.to_owned(), Arc::clone(recovery))];
    FlightRecorder::start(&config, managers)
        .map(Some)
        .map_err(|e| CliError::Runtime(describe(&e)))
}

/// Writes the final interval and reports where the recording went.
pub fn finish(recorder: Option<FlightRecorder>, path: Option<&Path>) -> Result<(), CliError> {
    let (Some(recorder), Some(path)) = (recorder, path) else {
        return Ok(());
    };
    let summary = recorder
        .finish()
        .map_err(|e| CliError::Runtime(describe(&e)))?;
    eprintln!(
        "recorded {} intervals to {} ({} bytes)",
        summary.ticks,
        path.display(),
        summary.file_bytes
    );
    Ok(())
}
