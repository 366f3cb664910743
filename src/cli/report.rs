//! `walrec report FILE`: a recording's table per interval and its dump, for the whole recording
//! or a window, and its conversions (plot, hlog, OTLP JSON, backfill). The logic lives in
//! `walrec::recording`; this file parses, prints and picks exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use walrec::recording::{Recording, RecordingError, Window};
use walrec::telemetry::dump::HumanNs;

use super::CliError;
use super::error::stdout_error;
use super::record::describe;

/// `walrec report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The recording file (written by `replay --record` or `demo --record`); its rotated files
    /// (FILE.1, FILE.2 …) are read too, oldest first.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Start of the window, in seconds since the recording started.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub from: Option<Duration>,
    /// End of the window, in seconds since the recording started.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub to: Option<Duration>,
    /// Draw percentiles and event rate over time to this .svg or .png file.
    #[arg(long, value_name = "OUT")]
    pub plot: Option<PathBuf>,
    /// Write next_event as an HdrHistogram interval log (.hlog).
    #[arg(long, value_name = "OUT")]
    pub hlog: Option<PathBuf>,
    /// Write OTLP JSON lines (one ExportMetricsServiceRequest per interval).
    #[arg(long, value_name = "OUT")]
    pub otlp_json: Option<PathBuf>,
    /// Send the intervals to the collector the OTEL_* environment names.
    #[arg(long)]
    pub push: bool,
}

/// A non-negative number of seconds.
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{text:?} is not a number of seconds ≥ 0"))
}

pub fn run(args: &ReportArgs) -> Result<(), CliError> {
    let recording = Recording::open_rotated(&args.file).map_err(|e| runtime(&e))?;
    if recording.files.len() > 1 {
        let files: Vec<String> = recording
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        eprintln!(
            "walrec: stitched {} rotated files: {}",
            files.len(),
            files.join(", ")
        );
    }
    if let Some(torn) = &recording.torn {
        eprintln!(
            "walrec: warning: {}: torn last record skipped at byte offset {} ({} bytes: {}); \
             the recording was cut mid-write, every interval before it is intact",
            torn.file.display(),
            torn.offset,
            torn.bytes,
            torn.reason
        );
    }
    let window = Window {
        from: args.from,
        to: args.to,
    };
    print_report(&recording, window, &args.file).map_err(stdout_error)?;
    convert(&recording, window, args)
}

fn runtime(error: &RecordingError) -> CliError {
    CliError::Runtime(describe(error))
}

fn print_report(recording: &Recording, window: Window, file: &Path) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let header = &recording.header;
    writeln!(
        out,
        "{}: {}, service {}, instances {}, interval {:?}, histogram scale {}",
        file.display(),
        header.writer,
        header.service_name,
        header.instances.join(", "),
        header.interval,
        header.histogram_scale,
    )?;
    writeln!(
        out,
        "clock: {}, resolution {:.1} ns (every duration is a multiple of about this)",
        header.clock_source,
        header.clock_resolution_ps as f64 / 1e3
    )?;
    writeln!(
        out,
        "{:<12} {:>9} {:>9} {:>12} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "instance", "from(s)", "to(s)", "events/s", "p50", "p99", "p99.9", "max", "failures"
    )?;
    let shown = |v: Option<f64>| v.map_or("-".to_owned(), |v| HumanNs(v).to_string());
    for row in recording.rows(window) {
        writeln!(
            out,
            "{:<12} {:>9.3} {:>9.3} {:>12.0} {:>9} {:>9} {:>9} {:>9} {:>8}",
            header.instances[row.instance],
            row.start.as_secs_f64(),
            row.end.as_secs_f64(),
            row.events_per_sec,
            shown(row.p50_ns),
            shown(row.p99_ns),
            shown(row.p999_ns),
            shown(row.max_ns),
            row.failures,
        )?;
    }
    print_exemplars(recording, window, &mut out)?;
    for (instance, name) in header.instances.iter().enumerate() {
        match recording.merged_recovery(instance, window) {
            Some(recovery) => recovery.dump(name, &mut out)?,
            None => recording.merged(instance, window).dump(name, &mut out)?,
        }
    }
    out.flush()
}

/// Each interval's slowest `next_event` sample: where to look in a trace for the tail.
fn print_exemplars(
    recording: &Recording,
    window: Window,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let rows = recording.rows(window);
    if rows.iter().all(|row| row.exemplar.is_none()) {
        return Ok(());
    }
    writeln!(out, "slowest next_event per interval (exemplars):")?;
    for row in &rows {
        let Some(sample) = row.exemplar else {
            continue;
        };
        let event = sample.event_id.map_or("-".to_owned(), |id| id.to_string());
        let trace = sample.trace.map_or("-".to_owned(), |trace| {
            format!("{}/{}", hex(&trace.trace_id), hex(&trace.span_id))
        });
        writeln!(
            out,
            "{:<12} {:>9.3} {:>9} event={event} trace/span={trace}",
            recording.header.instances[row.instance],
            row.start.as_secs_f64(),
            HumanNs(sample.value_ns as f64).to_string(),
        )?;
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The conversions the options ask for.
fn convert(recording: &Recording, window: Window, args: &ReportArgs) -> Result<(), CliError> {
    if let Some(path) = &args.hlog {
        let n = walrec::recording::write_hlog(recording, window, path).map_err(|e| runtime(&e))?;
        eprintln!("wrote {n} interval histograms to {}", path.display());
    }
    if let Some(path) = &args.plot {
        plot(recording, window, path)?;
    }
    if args.otlp_json.is_some() || args.push {
        otlp(recording, window, args)?;
    }
    Ok(())
}

#[cfg(feature = "plot")]
fn plot(recording: &Recording, window: Window, path: &Path) -> Result<(), CliError> {
    walrec::recording::write_plot(recording, window, path).map_err(|e| runtime(&e))?;
    eprintln!(
        "plotted {} intervals to {}",
        recording.rows(window).len(),
        path.display()
    );
    Ok(())
}

#[cfg(not(feature = "plot"))]
fn plot(_: &Recording, _: Window, _: &Path) -> Result<(), CliError> {
    Err(CliError::Usage(
        "--plot: this walrec was built without the `plot` feature".to_owned(),
    ))
}

#[cfg(feature = "otlp")]
use super::report_otlp::otlp;

#[cfg(not(feature = "otlp"))]
fn otlp(_: &Recording, _: Window, _: &ReportArgs) -> Result<(), CliError> {
    Err(CliError::Usage(
        "--otlp-json and --push: this walrec was built without the `otlp` feature".to_owned(),
    ))
}
