//! Recovers an okaywal log directory through walrec's okaywal adapter, prints the seed's dump
//! (as `walrec replay` does) and pushes the telemetry, and with the `traces` feature the
//! recovery's spans, to the collector the `OTEL_*` variables name.
//!
//! ```text
//! cargo run --example okaywal_recovery --features okaywal -- <okaywal-log-dir> [label]
//! ```
//!
//! Opening an okaywal log *is* its recovery, and okaywal then checkpoints what it recovered
//! (renaming segments to `wal-<id>-cp`), as on any open: run this on a copy of a log you want
//! to keep as it was. Exit codes: 0 recovered, 1 the recovery failed, 2 bad arguments or
//! `OTEL_*` configuration.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use okaywal::{Configuration, Entry, EntryId, LogManager, SegmentReader, WriteAheadLog};
use walrec::adapters::okaywal::recover;
use walrec::otlp::{Agent, Config};
use walrec::telemetry::Recovery;

/// The longest the final export may take, so that a missing collector delays the end by a
/// bounded, short time (the same bound as `walrec replay`).
const FINAL_EXPORT_BOUND: Duration = Duration::from_secs(2);

/// A manager that recovers by skipping: it reads no chunk (the adapter counts their bytes).
#[derive(Debug)]
struct Skip;

impl LogManager for Skip {
    fn recover(&mut self, _entry: &mut Entry<'_>) -> std::io::Result<()> {
        Ok(())
    }

    fn checkpoint_to(
        &mut self,
        _last: EntryId,
        _entries: &mut SegmentReader,
        _wal: &WriteAheadLog,
    ) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: okaywal_recovery <okaywal-log-dir> [label]");
        return ExitCode::from(2);
    };
    let label = args.next().map_or_else(
        || "okaywal".to_owned(),
        |l| l.to_string_lossy().into_owned(),
    );
    if !dir.is_dir() {
        eprintln!(
            "{} is not a directory: give an okaywal log directory",
            dir.display()
        );
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("invalid OTLP configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let recovery = Arc::new(Recovery::new());
    let mut agent = match Agent::start(&config, [(label.clone(), Arc::clone(&recovery))]) {
        Ok(agent) => agent,
        Err(error) => {
            eprintln!("cannot start the OTLP exporter: {error}");
            return ExitCode::from(2);
        }
    };
    let tracing = start_tracing(&agent);
    let code = run(&dir, &label, &recovery);
    let bound = config.export_timeout().min(FINAL_EXPORT_BOUND);
    #[cfg(feature = "traces")]
    if let Some(Err(error)) = tracing.map(|t| t.shutdown(bound)) {
        eprintln!("warning: the final span export failed: {error}");
    }
    #[cfg(not(feature = "traces"))]
    let () = tracing;
    if let Err(error) = agent.shutdown(bound) {
        eprintln!("warning: the final export failed: {error}");
    }
    code
}

/// Recovers `dir`, prints the summary (stderr) and the dump (stdout).
fn run(dir: &std::path::Path, label: &str, recovery: &Arc<Recovery>) -> ExitCode {
    let recovered = recover(Configuration::default_for(dir), Skip, Arc::clone(recovery));
    let code = match recovered {
        Ok((wal, handed)) => {
            // Shutting the log down drops the adapter, which publishes its last sample.
            if let Err(error) = wal.shutdown() {
                eprintln!("warning: okaywal's shutdown failed: {error}");
            }
            eprintln!(
                "recovered {} entries in {} segments ({} aborted)",
                handed.entries, handed.segments, handed.aborted_entries
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    };
    let mut out = std::io::stdout().lock();
    if let Err(error) = recovery.dump(label, &mut out).and_then(|()| out.flush()) {
        eprintln!("cannot write the dump: {error}");
        return ExitCode::from(1);
    }
    code
}

/// The trace pipeline from the `OTEL_*` variables, installed as the global provider so that
/// the adapter's spans are exported; none if disabled or misconfigured (with a warning).
#[cfg(feature = "traces")]
fn start_tracing(agent: &Agent) -> Option<walrec::otlp::Tracing> {
    use walrec::otlp::config::{TraceSettings, TracesExporter};

    let config = Config::traces_from_env().ok().filter(|c| !c.disabled())?;
    let settings = TraceSettings::from_env().ok()?;
    if settings.exporter == TracesExporter::None {
        return None;
    }
    match walrec::otlp::Tracing::start_with(&config, &settings, agent) {
        Ok(tracing) => {
            tracing.install_global();
            Some(tracing)
        }
        Err(error) => {
            eprintln!("warning: cannot start the OTLP trace exporter: {error}");
            None
        }
    }
}

/// Built without `traces`: no spans.
#[cfg(not(feature = "traces"))]
fn start_tracing(_agent: &Agent) {}
