//! `walrec generate`: a WAL of synthetic events.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use walrec::wal::{SegmentWriter, WalError, WriterOptions, format::MAX_PAYLOAD};

use super::error::stdout_error;
use super::progress::EVERY;
use super::{CliError, GenerateArgs};

/// What `generate` wrote.
#[derive(Debug)]
pub struct Generated {
    /// The segments, in order.
    pub segments: Vec<PathBuf>,
    /// Events written.
    pub events: u64,
}

pub fn run(args: &GenerateArgs) -> Result<Generated, CliError> {
    let started = Instant::now();
    let opts = WriterOptions {
        segment_bytes: args.segment_bytes,
        sync_every_events: args.sync_every,
        ..WriterOptions::default()
    };
    let output = Output {
        append: args.append,
        print_durable: args.print_durable,
    };
    let generated = write(&args.dir, args.events, opts, output, &|| false)?;
    eprintln!(
        "wrote {} events in {} segments to {} in {:.2?}",
        generated.events,
        generated.segments.len(),
        args.dir.display(),
        started.elapsed()
    );
    Ok(generated)
}

/// How `generate` opens the WAL and what it tells an observer.
#[derive(Debug, Clone, Copy, Default)]
struct Output {
    append: bool,
    print_durable: bool,
}

/// Writes `events` synthetic events into `dir`, syncing each segment if `sync`; stops early
/// (keeping what was written) once `stopped` says so, checked every [`EVERY`] events.
pub fn write_wal(
    dir: &Path,
    events: u64,
    segment_bytes: u64,
    sync: bool,
    stopped: &dyn Fn() -> bool,
) -> Result<Generated, CliError> {
    let opts = WriterOptions {
        segment_bytes,
        sync,
        ..WriterOptions::default()
    };
    write(dir, events, opts, Output::default(), stopped)
}

fn write(
    dir: &Path,
    events: u64,
    opts: WriterOptions,
    output: Output,
    stopped: &dyn Fn() -> bool,
) -> Result<Generated, CliError> {
    if events == 0 {
        return Err(CliError::Usage("--events: must be at least 1".into()));
    }
    let wal_error = |error: WalError| match error {
        WalError::BadOption { .. } => CliError::Usage(format!("--segment-bytes: {error}")),
        other => CliError::from_wal("--dir", other),
    };
    let mut writer = match output.append {
        true => SegmentWriter::open_append(dir, opts),
        false => SegmentWriter::create(dir, opts),
    }
    .map_err(wal_error)?;
    let mut durable = Durable::new(output.print_durable, writer.durable_event_id());
    let mut payload = [0u8; MAX_PAYLOAD];
    let mut written = 0;
    while written < events && (written % EVERY != 0 || !stopped()) {
        written += 1;
        let id = writer.next_event_id();
        let (timestamp, kind, len) = synthetic_event(id, &mut payload);
        writer
            .append(timestamp, kind, &payload[..len])
            .map_err(wal_error)?;
        durable.tell(writer.durable_event_id())?;
    }
    let segments = writer.finish().map_err(wal_error)?;
    Ok(Generated {
        segments,
        events: written,
    })
}

/// `--print-durable`: one `durable <id>` line on stdout, flushed, each time the durable id
/// moves.
struct Durable {
    enabled: bool,
    told: Option<u64>,
}

impl Durable {
    fn new(enabled: bool, told: Option<u64>) -> Self {
        Durable { enabled, told }
    }

    #[inline]
    fn tell(&mut self, durable: Option<u64>) -> Result<(), CliError> {
        if !self.enabled || durable == self.told {
            return Ok(());
        }
        self.told = durable;
        let Some(id) = durable else {
            return Ok(());
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "durable {id}")
            .and_then(|()| out.flush())
            .map_err(stdout_error)
    }
}

/// A deterministic synthetic event for `id`: its timestamp, kind and payload length (the
/// payload is written into `payload`).
fn synthetic_event(id: u64, payload: &mut [u8; MAX_PAYLOAD]) -> (u64, u16, usize) {
    let mut state = id;
    for chunk in payload.chunks_mut(8) {
        let word = splitmix64(&mut state).to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
    let len = 8 + (id % (MAX_PAYLOAD as u64 - 7)) as usize;
    let timestamp = 1_700_000_000_000_000_000u64.wrapping_add(id.wrapping_mul(250));
    (timestamp, (id % 8) as u16, len)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
