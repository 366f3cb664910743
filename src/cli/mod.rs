//! The `walrec` command line: argument parsing and dispatch.
//!
//! Each command is a function from its options (and, for replaying commands, a borrowed
//! [`Manager`](walrec::telemetry::Manager)) to a result, so that an exporter can be attached to
//! the same `Manager` while a replay runs.

mod config;
mod demo;
mod error;
mod export;
mod generate;
mod notices;
mod progress;
mod record;
mod repair;
mod replay;
mod report;
#[cfg(feature = "otlp")]
mod report_otlp;
mod signals;
#[cfg(all(feature = "otlp", feature = "traces"))]
mod trace_context;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use error::CliError;
pub use export::init_logging;

/// Telemetry for a write-ahead-log recovery manager: generate a WAL, replay it, see the figures.
#[derive(Debug, Parser)]
#[command(name = "walrec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a WAL of synthetic events into an empty directory (or continue one: --append).
    Generate(GenerateArgs),
    /// Cut the torn tail a crash left at the end of a WAL, so that a writer can continue it.
    Repair(RepairArgs),
    /// Replay a WAL with the recovery manager and print its telemetry.
    Replay(ReplayArgs),
    /// Generate a few million events in a temporary directory and replay them.
    Demo(DemoArgs),
    /// Read a flight recording: a table per interval, the dump of any window, plots and files.
    Report(report::ReportArgs),
    /// Print the OTLP configuration the environment gives: each value, secrets redacted, and
    /// where it came from.
    Config(config::ConfigArgs),
}

/// `walrec generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Directory to write the WAL into (created if missing; must hold no segments).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Number of events to write.
    #[arg(long, value_name = "N")]
    pub events: u64,
    /// Largest segment file in bytes (at least 4288: the header and one block).
    #[arg(long, value_name = "B", default_value_t = 64 << 20)]
    pub segment_bytes: u64,
    /// fdatasync after every N events (group commit); 0 syncs only when a segment is sealed.
    #[arg(long, value_name = "N", default_value_t = walrec::wal::DEFAULT_SYNC_EVERY_EVENTS)]
    pub sync_every: u64,
    /// After each successful sync, print `durable <last_event_id>` on stdout (flushed).
    #[arg(long)]
    pub print_durable: bool,
    /// Continue the WAL in --dir after its last intact event (cutting a torn tail first).
    #[arg(long)]
    pub append: bool,
}

/// `walrec repair`.
#[derive(Debug, Clone, clap::Args)]
pub struct RepairArgs {
    /// The WAL directory.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

/// Whether `replay` records telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Telemetry {
    /// Record into the recovery manager's metrics and print the dump.
    On,
    /// Record nothing (no clock reads): the baseline for measuring telemetry's overhead.
    Off,
}

/// `walrec replay`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplayArgs {
    /// The WAL directory.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Resume from this event id instead of the first event.
    #[arg(long, value_name = "ID")]
    pub from_event: Option<u64>,
    /// Label of the dump.
    #[arg(long, value_name = "L", default_value = "replay")]
    pub label: String,
    /// Record telemetry (on) or replay without any recording (off).
    #[arg(long, value_enum, default_value_t = Telemetry::On)]
    pub telemetry: Telemetry,
    /// Write a flight recording here (one interval every WALREC_RECORD_INTERVAL ms).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// What to do with bytes that are not intact (see the README).
    #[arg(long, value_enum, default_value_t = RecoveryModeArg::TolerateTail)]
    pub recovery_mode: RecoveryModeArg,
}

/// `--recovery-mode`: the library's [`RecoveryMode`](walrec::wal::RecoveryMode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecoveryModeArg {
    /// Replay every intact event, including the intact prefix of a torn or unsealed last
    /// segment; report what was discarded. A fault elsewhere is an error.
    TolerateTail,
    /// Any torn or unsealed byte is an error.
    Absolute,
    /// Replay up to the first fault anywhere, stop there and warn.
    PointInTime,
}

impl From<RecoveryModeArg> for walrec::wal::RecoveryMode {
    fn from(mode: RecoveryModeArg) -> Self {
        match mode {
            RecoveryModeArg::TolerateTail => walrec::wal::RecoveryMode::TolerateTail,
            RecoveryModeArg::Absolute => walrec::wal::RecoveryMode::Absolute,
            RecoveryModeArg::PointInTime => walrec::wal::RecoveryMode::PointInTime,
        }
    }
}

/// `walrec demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Number of events to generate.
    #[arg(long, value_name = "N", default_value_t = 4_000_000)]
    pub events: u64,
    /// Largest segment file in bytes.
    #[arg(long, value_name = "B", default_value_t = 16 << 20)]
    pub segment_bytes: u64,
    /// Write a flight recording of the recorded replay here.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did all its work: exit 0.
    Completed,
    /// A signal (its number) stopped it early, after the dump and the final export: exit
    /// 128 + the number.
    Interrupted(i32),
}

impl Outcome {
    /// `Interrupted` if `interrupts` has seen a signal, else `Completed`.
    fn ended_by(interrupts: &signals::Interrupts) -> Self {
        interrupts
            .signal()
            .map_or(Outcome::Completed, Outcome::Interrupted)
    }

    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Completed => 0,
            Outcome::Interrupted(signal) => signals::exit_code(signal),
        }
    }
}

/// Parses `args` and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<Outcome, CliError> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help or --version: not an error.
            print!("{error}");
            return Ok(Outcome::Completed);
        }
        Err(error) => return Err(CliError::Usage(one_line(&error.to_string()))),
    };
    match cli.command {
        Command::Generate(args) => generate::run(&args).map(|_| Outcome::Completed),
        Command::Repair(args) => repair::run(&args).map(|()| Outcome::Completed),
        Command::Replay(args) => replay::run(&args, &signals::Interrupts::install()?),
        Command::Demo(args) => demo::run(&args, &signals::Interrupts::install()?),
        Command::Report(args) => report::run(&args).map(|()| Outcome::Completed),
        Command::Config(args) => config::run(&args).map(|()| Outcome::Completed),
    }
}

/// clap's message, without its "error:" prefix, usage and tips, on one line.
fn one_line(message: &str) -> String {
    let first_paragraph = message.split("\n\n").next().unwrap_or(message);
    let joined = first_paragraph
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let joined = joined
        .strip_prefix("error: ")
        .unwrap_or(&joined)
        .to_string();
    format!("{joined} (see walrec --help)")
}
