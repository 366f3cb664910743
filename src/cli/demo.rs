//! `walrec demo`: generate a WAL in a temporary directory and replay it, no set-up needed.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use walrec::telemetry::Recovery;

use super::error::stdout_error;
use super::export::Export;
use super::generate::write_wal;
use super::replay::{interruption_line, replay, report};
use super::signals::Interrupts;
use super::{CliError, DemoArgs, Outcome, Telemetry};

pub fn run(args: &DemoArgs, interrupts: &Interrupts) -> Result<Outcome, CliError> {
    // Configuration first: a bad OTEL_* variable should stop the demo before any work.
    let recovery = Arc::new(Recovery::new());
    let export = Export::start("walrec demo", &recovery)?;
    let dir = tempfile::Builder::new()
        .prefix("walrec-demo-")
        .tempdir()
        .map_err(|e| CliError::Runtime(format!("cannot create a temporary directory: {e}")))?;
    let started = Instant::now();
    // A throw-away WAL: no fsync.
    let stopped = || interrupts.signal().is_some();
    let generated = write_wal(dir.path(), args.events, args.segment_bytes, false, &stopped)?;
    eprintln!(
        "generated {} events in {} segments in {} ({:.2?})",
        generated.events,
        generated.segments.len(),
        dir.path().display(),
        started.elapsed()
    );
    // The baseline first, then the recorded replay, over the same (now cached) files. A
    // signal stops whichever is running (a later one at its first segment boundary).
    let baseline = replay(
        dir.path(),
        None,
        Telemetry::Off,
        Default::default(),
        &Recovery::new(),
        interrupts,
    )?;
    report(&baseline, Telemetry::Off);
    let recorder = super::record::start(args.record.as_deref(), "walrec demo", &recovery)?;
    let recorded = replay(
        dir.path(),
        None,
        Telemetry::On,
        Default::default(),
        &recovery,
        interrupts,
    );
    if let Ok(recorded) = &recorded {
        report(recorded, Telemetry::On);
        if !recorded.stopped && !baseline.stopped {
            let overhead = recorded.elapsed.as_nanos() as f64 - baseline.elapsed.as_nanos() as f64;
            eprintln!(
                "telemetry overhead: {:.1} ns per event",
                overhead / recorded.events.max(1) as f64
            );
        }
        // Before the final export, which a second signal cuts short.
        let mut out = std::io::stdout().lock();
        recovery
            .dump("walrec demo", &mut out)
            .map_err(stdout_error)?;
        if recorded.stopped || baseline.stopped {
            interruption_line(recorded, interrupts, &mut out)?;
        }
        out.flush().map_err(stdout_error)?;
    }
    let recording = super::record::finish(recorder, args.record.as_deref());
    export.finish();
    recording?;
    recorded?;
    dir.close()
        .map_err(|e| CliError::Runtime(format!("cannot remove the demo directory: {e}")))?;
    Ok(Outcome::ended_by(interrupts))
}
