//! `walrec report --otlp-json OUT` and `--push`: the wiring of a recording (read by
//! `walrec::recording`) to the OTLP conversion and transport (`walrec::otlp`), which know
//! nothing of each other.

use walrec::otlp::{Backfill, BackfillError, Config, RecordedPoint, RecordedTelemetry};
use walrec::recording::{RecordedInterval, Recording, Window};
use walrec::telemetry::{ProgressSnapshot, RecoverySnapshot};

use super::CliError;
use super::error::otlp_config_error;
use super::record::describe;
use super::report::ReportArgs;

/// The conversions to OTLP the options ask for, with the agent's configuration from `OTEL_*`.
pub fn otlp(recording: &Recording, window: Window, args: &ReportArgs) -> Result<(), CliError> {
    let config = Config::from_env().map_err(otlp_config_error)?;
    let backfill = backfill(recording, window, &config);
    if let Some(path) = &args.otlp_json {
        let written = std::fs::File::create(path)
            .map_err(BackfillError::Write)
            .and_then(|file| backfill.write_json_lines(&mut std::io::BufWriter::new(file)));
        written.map_err(|e| CliError::Runtime(format!("{}: {}", path.display(), describe(&e))))?;
        eprintln!(
            "wrote {} OTLP requests to {}",
            backfill.len(),
            path.display()
        );
    }
    if args.push {
        let sent = backfill
            .push(&config)
            .map_err(|e| CliError::Runtime(describe(&e)))?;
        eprintln!("pushed {sent} OTLP requests to the collector");
    }
    Ok(())
}

/// One request per tick inside `window`, a point per instance, with the recorded resource.
/// A recorded interval holds the progress at its end; its point carries what the interval
/// added (the difference with the instance's previous interval, from the recording's start,
/// inside the window or not), since every backfilled point is a delta.
fn backfill(recording: &Recording, window: Window, config: &Config) -> Backfill {
    let mut backfill = Backfill::new(config, &recording.header.resource_attributes);
    let mut previous: Vec<ProgressSnapshot> =
        vec![Default::default(); recording.header.instances.len()];
    for tick in recording.ticks(Window::default()) {
        // A recorded Recovery is exported whole, as the agent exports a registered Recovery.
        let recoveries: Vec<Option<RecoverySnapshot>> = tick
            .iter()
            .map(|interval| {
                let mut recovery = interval
                    .components
                    .map(|c| c.with_manager(&interval.delta))?;
                let before = previous.get_mut(interval.instance)?;
                let added = recovery.progress.counters_since(before);
                *before = recovery.progress;
                recovery.progress = added;
                Some(recovery)
            })
            .collect();
        let points: Vec<RecordedPoint<'_>> = tick
            .iter()
            .zip(&recoveries)
            .filter(|(interval, _)| window.contains(recording.offsets(interval)))
            .map(|(interval, recovery)| point(recording, interval, recovery.as_ref()))
            .collect();
        if !points.is_empty() {
            backfill.add_tick(&points);
        }
    }
    backfill
}

fn point<'a>(
    recording: &'a Recording,
    interval: &'a RecordedInterval,
    recovery: Option<&'a RecoverySnapshot>,
) -> RecordedPoint<'a> {
    RecordedPoint {
        instance: &recording.header.instances[interval.instance],
        start_unix_nano: interval.start_unix_nano,
        end_unix_nano: interval.end_unix_nano,
        telemetry: recovery.map_or(
            RecordedTelemetry::Manager(&interval.delta),
            RecordedTelemetry::Recovery,
        ),
        exemplar: interval.exemplar,
    }
}
