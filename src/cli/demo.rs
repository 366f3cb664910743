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
    // A baseline, the recorded replay, and a second baseline, over the same (now cached)
    // files: the overhead is the recorded run against the baselines' mean, and the baselines'
    // difference is the noise it is compared with. A signal stops whichever is running (a
    // later one at its first segment boundary).
    let baseline = || {
        let quiet = Recovery::new();
        replay(
            dir.path(),
            None,
            Telemetry::Off,
            Default::default(),
            &quiet,
            interrupts,
        )
    };
    let before = baseline()?;
    report(&before, Telemetry::Off);
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
        let after = baseline()?;
        if !recorded.stopped && !before.stopped && !after.stopped {
            eprintln!("{}", overhead_line(&[&before, &after], recorded));
        }
        // Before the final export, which a second signal cuts short.
        let mut out = std::io::stdout().lock();
        recovery
            .dump("walrec demo", &mut out)
            .map_err(stdout_error)?;
        if recorded.stopped || before.stopped {
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

/// The telemetry's cost per event: the recorded run against the mean of the baselines run
/// before and after it, said to be within noise when it is no larger than half their
/// difference (so never a negative cost).
fn overhead_line(
    baselines: &[&super::replay::Replayed; 2],
    recorded: &super::replay::Replayed,
) -> String {
    let events = recorded.events.max(1) as f64;
    let per_event = |r: &super::replay::Replayed| r.elapsed.as_nanos() as f64 / events;
    let (first, second) = (per_event(baselines[0]), per_event(baselines[1]));
    let noise = (first - second).abs() / 2.0;
    let cost = per_event(recorded) - (first + second) / 2.0;
    if cost <= noise {
        format!(
            "telemetry overhead: within run-to-run noise (the two runs without telemetry differ by ±{noise:.1} ns per event)"
        )
    } else {
        format!(
            "telemetry overhead: {cost:.1} ns per event (±{noise:.1} ns: the two runs without telemetry, before and after, differ by twice that)"
        )
    }
}
