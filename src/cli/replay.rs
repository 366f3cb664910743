//! `walrec replay`: replay a WAL with the recovery manager, print the telemetry dump.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use walrec::telemetry::{Recovery, RecoveryProgress};
use walrec::wal::{Hooks, RecoveryHooks, RecoveryManager, RecoveryMode, RecoveryOptions};

use super::error::stdout_error;
use super::export::Export;
use super::notices;
use super::progress::{EVERY, Progress};
use super::signals::{Interrupts, signal_name};
use super::{CliError, Outcome, ReplayArgs, Telemetry};

/// What a replay did.
#[derive(Debug, Clone, Copy)]
pub struct Replayed {
    /// Events returned by the recovery manager.
    pub events: u64,
    /// Segments in the WAL directory.
    pub segments: usize,
    /// Id of the first event replayed.
    pub first: Option<u64>,
    /// Id of the last event replayed.
    pub last: Option<u64>,
    /// Wall time of resume plus replay.
    pub elapsed: Duration,
    /// A fold over every event's fields, so that the replay cannot be optimised away.
    pub checksum: u64,
    /// Id of the WAL's last event (the replay's goal).
    pub wal_last: u64,
    /// Whether a signal stopped the replay before the end of the WAL.
    pub stopped: bool,
}

impl Replayed {
    /// Events per second of wall time.
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub fn run(args: &ReplayArgs, interrupts: &Interrupts) -> Result<Outcome, CliError> {
    let recovery = Arc::new(Recovery::new());
    let export = match args.telemetry {
        Telemetry::On => Some(Export::start(&args.label, &recovery)?),
        Telemetry::Off => None,
    };
    let recorder = super::record::start(args.record.as_deref(), &args.label, &recovery)?;
    let mode = args.recovery_mode.into();
    let replayed = replay(
        &args.dir,
        args.from_event,
        args.telemetry,
        mode,
        &recovery,
        interrupts,
    );
    // The dump and the interruption line come before the final export: a second signal
    // during that export exits at once, and must not lose them.
    let printed = match &replayed {
        Ok(replayed) => print_results(args, &recovery, replayed, interrupts),
        Err(_) => Ok(()),
    };
    // Export what was recorded even when the replay failed: failed header reads are exactly
    // what an operator wants to see.
    // The recording's final interval first: the export's final attempt may wait for a
    // collector, and that wait is not part of the replay.
    let recorded = super::record::finish(recorder, args.record.as_deref());
    if let Some(export) = export {
        export.finish();
    }
    recorded?;
    replayed?;
    printed?;
    Ok(Outcome::ended_by(interrupts))
}

/// The summary on stderr; the dump (telemetry on) and, after a signal, the interruption line
/// on stdout.
fn print_results(
    args: &ReplayArgs,
    recovery: &Recovery,
    replayed: &Replayed,
    interrupts: &Interrupts,
) -> Result<(), CliError> {
    report(replayed, args.telemetry);
    let mut out = std::io::stdout().lock();
    if args.telemetry == Telemetry::On {
        recovery.dump(&args.label, &mut out).map_err(stdout_error)?;
    }
    if replayed.stopped {
        interruption_line(replayed, interrupts, &mut out)?;
    }
    out.flush().map_err(stdout_error)
}

/// The line that says where a signal stopped the replay, on stdout after the dump.
pub fn interruption_line(
    replayed: &Replayed,
    interrupts: &Interrupts,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let signal = interrupts.signal().map_or("a signal", signal_name);
    let line = match replayed.last {
        Some(last) => format!(
            "interrupted by {signal} at event id {last}: replayed {} events up to and including \
             it; events {}..={} were not replayed",
            replayed.events,
            last + 1,
            replayed.wal_last
        ),
        None => format!("interrupted by {signal} before the first event: nothing was replayed"),
    };
    writeln!(out, "{line}").map_err(stdout_error)
}

/// Replays the WAL in `dir` from `from` (or its first event) in recovery `mode`, recording
/// into `manager` when `telemetry` is on. `manager` is borrowed so that an exporter can read
/// it meanwhile. `interrupts` stops the replay at its next segment boundary on the first
/// signal.
pub fn replay(
    dir: &Path,
    from: Option<u64>,
    telemetry: Telemetry,
    mode: RecoveryMode,
    recovery: &Recovery,
    interrupts: &Interrupts,
) -> Result<Replayed, CliError> {
    let opened = |e| CliError::from_wal("--dir", e);
    let options = RecoveryOptions::with_mode(mode);
    match telemetry {
        Telemetry::On => {
            let wal = RecoveryManager::with_options(dir, RecoveryHooks::new(recovery), options);
            drain(
                wal.map_err(opened)?,
                from,
                interrupts,
                Some(&recovery.progress),
            )
        }
        Telemetry::Off => {
            let wal = RecoveryManager::with_options(dir, walrec::wal::NoTelemetry, options);
            drain(wal.map_err(opened)?, from, interrupts, None)
        }
    }
}

/// Replays every event; the progress bar reads `progress` (the recovery's own progress
/// telemetry) when telemetry is on, and counts events itself when it is off.
fn drain<H: Hooks>(
    mut wal: RecoveryManager<H>,
    from: Option<u64>,
    interrupts: &Interrupts,
    progress_source: Option<&RecoveryProgress>,
) -> Result<Replayed, CliError> {
    interrupts.watch(wal.stop_handle());
    let started = Instant::now();
    let from = from.unwrap_or_else(|| wal.first_event_id());
    notices::check_from_event(&wal, from)?;
    wal.resume_from_event(from)
        .map_err(|e| CliError::from_wal("--from-event", e))?;
    let wal_last = wal.last_event_id();
    let total = if from > wal_last {
        0
    } else {
        (wal_last - from).saturating_add(1)
    };
    let progress = Progress::new(total);
    let segments = wal.segments().len();
    let (mut events, mut checksum) = (0u64, 0u64);
    let (mut first, mut last) = (None, None);
    while let Some(event) = wal
        .next_event()
        .map_err(|e| CliError::Runtime(e.to_string()))?
    {
        let head = event.payload().first().copied().unwrap_or(0);
        checksum = checksum.rotate_left(7)
            ^ event.id()
            ^ event.timestamp_ns()
            ^ u64::from(event.kind())
            ^ u64::from(head);
        first.get_or_insert(event.id());
        last = Some(event.id());
        events += 1;
        if events & (EVERY - 1) == 0 {
            match progress_source {
                Some(source) => progress.show(&source.snapshot()),
                None => progress.set(events),
            }
        }
    }
    progress.finish();
    notices::print(wal.report());
    Ok(Replayed {
        events,
        segments,
        first,
        last,
        elapsed: started.elapsed(),
        checksum,
        wal_last,
        stopped: wal.was_stopped(),
    })
}

/// One summary line on stderr.
pub fn report(replayed: &Replayed, telemetry: Telemetry) {
    let range = match (replayed.first, replayed.last) {
        (Some(first), Some(last)) => format!("events {first}..={last}"),
        _ => "no events".to_string(),
    };
    eprintln!(
        "replayed {} events ({range}) from {} segments in {:.2?}: {:.2}M events/s, telemetry {}, checksum {:#018x}",
        replayed.events,
        replayed.segments,
        replayed.elapsed,
        replayed.rate() / 1e6,
        if telemetry == Telemetry::On {
            "on"
        } else {
            "off"
        },
        replayed.checksum,
    );
}
