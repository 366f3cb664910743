//! Replay throughput of the real WAL, with telemetry on and off, and one clock read as the unit.
//!
//! `cargo bench --bench replay`
//!
//! - `replay/telemetry_off`: open the directory, resume at the first event and replay every
//!   event, with [`NoTelemetry`] (no clock reads, nothing recorded).
//! - `replay/telemetry_on`: the same, recording into a `Manager` (one clock read per event).
//! - `hot_loop/telemetry_off` and `hot_loop/telemetry_on`: only the `next_event` loop over one
//!   large, already verified segment (open, verify and resume happen outside the timing).
//! - `clock_read`: one `clock::now_ns()`.
//!
//! The `replay` pair includes scanning the headers and verifying every segment (the preloader
//! does that on a second thread), as a real recovery would; the replay can be bound by that
//! verification, which then hides the telemetry's cost. The `hot_loop` pair isolates it: the
//! per-event telemetry overhead is `(on − off) / events`; divide by `clock_read` for the cost in
//! clock reads.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use walrec::telemetry::{Manager, clock};
use walrec::wal::{NoTelemetry, Recorder, RecoveryManager, SegmentWriter, WriterOptions};

/// Events replayed per iteration when benchmarking.
const EVENTS: u64 = 1 << 20;
/// Events when the bench only runs once as a test (`cargo test --all-targets`, debug build).
const TEST_EVENTS: u64 = 1 << 12;
const SEGMENT_BYTES: u64 = 16 << 20;

fn write_wal(dir: &Path, events: u64, segment_bytes: u64) {
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
fn drain<R: Recorder>(mut wal: RecoveryManager<R>) -> u64 {
    let first = wal.first_event_id();
    wal.resume_from_event(first).expect("resume");
    fold(&mut wal)
}

/// Times only the event loop: opens and resumes (verifying the segment) first.
fn time_hot_loop<R: Recorder>(
    iters: u64,
    mut open: impl FnMut() -> RecoveryManager<R>,
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

fn fold<R: Recorder>(wal: &mut RecoveryManager<R>) -> u64 {
    let mut checksum = 0u64;
    while let Some(event) = wal.next_event().expect("next event") {
        checksum = checksum.rotate_left(7)
            ^ event.id()
            ^ event.timestamp_ns()
            ^ event.payload().len() as u64;
    }
    checksum
}

fn replay(c: &mut Criterion) {
    clock::init();
    let dir = tempfile::tempdir().expect("temporary directory");
    // Criterion passes --bench when benchmarking; without it this is a quick test run.
    let events = if std::env::args().any(|a| a == "--bench") {
        EVENTS
    } else {
        TEST_EVENTS
    };
    write_wal(dir.path(), events, SEGMENT_BYTES);
    let one_segment = tempfile::tempdir().expect("temporary directory");
    write_wal(one_segment.path(), events, u64::MAX);
    let manager = Manager::new();

    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function("telemetry_off", |b| {
        b.iter(|| drain(RecoveryManager::with_recorder(dir.path(), NoTelemetry).expect("open")))
    });
    group.bench_function("telemetry_on", |b| {
        b.iter(|| drain(RecoveryManager::open(dir.path(), &manager).expect("open")))
    });
    group.finish();

    let mut group = c.benchmark_group("hot_loop");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    let path = one_segment.path();
    group.bench_function("telemetry_off", |b| {
        b.iter_custom(|iters| {
            time_hot_loop(iters, || {
                RecoveryManager::with_recorder(path, NoTelemetry).expect("open")
            })
        })
    });
    group.bench_function("telemetry_on", |b| {
        b.iter_custom(|iters| {
            time_hot_loop(iters, || {
                RecoveryManager::open(path, &manager).expect("open")
            })
        })
    });
    group.finish();

    c.bench_function("clock_read", |b| b.iter(|| black_box(clock::now_ns())));
    let recorded = manager.snapshot().next_event.samples;
    assert!(recorded % events == 0, "every replayed event was recorded");
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = replay
}
criterion_main!(benches);
