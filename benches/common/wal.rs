//! A real WAL for the benches: written once, replayed in full or only its event loop timed.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use walrec::wal::{Hooks, RecoveryManager, SegmentWriter, WriterOptions};

/// Writes `events` events (payloads of 0–39 bytes) into segments of `segment_bytes`, unsynced.
pub fn write_wal(dir: &Path, events: u64, segment_bytes: u64) {
    let opts = WriterOptions {
        segment_bytes,
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).expect("create the WAL");
    for i in 0..events {
        let len = (i % 40) as usize;
        writer
            .append(i * 100, (i % 8) as u16, &[i as u8; 44][..len])
            .expect("append");
    }
    writer.finish().expect("seal the WAL");
}

/// Replays everything and folds the events into a checksum, as an application would touch them.
pub fn drain<H: Hooks>(mut wal: RecoveryManager<H>) -> u64 {
    let first = wal.first_event_id();
    wal.resume_from_event(first).expect("resume");
    fold(&mut wal)
}

/// Times only the event loop: opens and resumes (verifying the segment) first.
pub fn time_hot_loop<H: Hooks>(
    iters: u64,
    mut open: impl FnMut() -> RecoveryManager<H>,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let mut wal = open();
        let first = wal.first_event_id();
        wal.resume_from_event(first).expect("resume");
        let started = Instant::now();
        black_box(fold(&mut wal));
        total += started.elapsed();
    }
    total
}

pub fn fold<H: Hooks>(wal: &mut RecoveryManager<H>) -> u64 {
    let mut checksum = 0u64;
    while let Some(event) = wal.next_event().expect("next event") {
        checksum = checksum.rotate_left(7)
            ^ event.id()
            ^ event.timestamp_ns()
            ^ event.payload().len() as u64;
    }
    checksum
}

/// Runs `bin replay` over `dir` with telemetry `on` or `off` and the OpenTelemetry SDK
/// disabled (no collector to wait for), its output discarded.
pub fn replay_process(bin: &Path, dir: &Path, telemetry: &str) {
    let status = Command::new(bin)
        .arg("replay")
        .arg("--dir")
        .arg(dir)
        .args(["--telemetry", telemetry])
        .env("OTEL_SDK_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run walrec replay");
    assert!(status.success(), "walrec replay failed: {status}");
}

/// Writes `events` events into `dir` with `bin generate` (64 MiB segments, synced only when
/// sealing, in a build that syncs): a WAL in the format of whichever build `bin` is, in
/// `dir/wal`, which is returned.
pub fn generate_with(bin: &Path, dir: &Path, events: u64) -> PathBuf {
    let wal = dir.join("wal");
    let status = Command::new(bin)
        .arg("generate")
        .arg("--dir")
        .arg(&wal)
        .args([
            "--events",
            &events.to_string(),
            "--segment-bytes",
            "67108864",
        ])
        .stdout(Stdio::null())
        .status()
        .expect("run walrec generate");
    assert!(status.success(), "walrec generate failed: {status}");
    wal
}
