//! `walrec demo`: generate a WAL in a temporary directory and replay it, no set-up needed.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use walrec::telemetry::Manager;

use super::error::stdout_error;
use super::export::Export;
use super::generate::write_wal;
use super::replay::{replay, report};
use super::{CliError, DemoArgs, Telemetry};

pub fn run(args: &DemoArgs) -> Result<(), CliError> {
    // Configuration first: a bad OTEL_* variable should stop the demo before any work.
    let manager = Arc::new(Manager::new());
    let export = Export::start("walrec demo", &manager)?;
    let dir = tempfile::Builder::new()
        .prefix("walrec-demo-")
        .tempdir()
        .map_err(|e| CliError::Runtime(format!("cannot create a temporary directory: {e}")))?;
    let started = Instant::now();
    // A throw-away WAL: no fsync.
    let generated = write_wal(dir.path(), args.events, args.segment_bytes, false)?;
    eprintln!(
        "generated {} events in {} segments in {} ({:.2?})",
        generated.events,
        generated.segments.len(),
        dir.path().display(),
        started.elapsed()
    );
    // The baseline first, then the recorded replay, over the same (now cached) files.
    let baseline = replay(dir.path(), None, Telemetry::Off, &Manager::new())?;
    report(&baseline, Telemetry::Off);
    let recorder = super::record::start(args.record.as_deref(), "walrec demo", &manager)?;
    let recorded = replay(dir.path(), None, Telemetry::On, &manager);
    if let Ok(recorded) = &recorded {
        report(recorded, Telemetry::On);
    }
    let recording = super::record::finish(recorder, args.record.as_deref());
    export.finish();
    recording?;
    let recorded = recorded?;
    let overhead = recorded.elapsed.as_nanos() as f64 - baseline.elapsed.as_nanos() as f64;
    eprintln!(
        "telemetry overhead: {:.1} ns per event",
        overhead / recorded.events.max(1) as f64
    );
    let mut out = std::io::stdout().lock();
    manager
        .dump("walrec demo", &mut out)
        .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    dir.close()
        .map_err(|e| CliError::Runtime(format!("cannot remove the demo directory: {e}")))
}
