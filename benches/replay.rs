//! Replay throughput of the real WAL, with telemetry on and off, and one clock read as the unit.
//!
//! `cargo bench --bench replay`
//!
//! - `replay/telemetry_off`: open the directory, resume at the first event and replay every
//!   event, with [`NoTelemetry`] (no clock reads, nothing recorded).
//! - `replay/telemetry_on`: the same, recording into a `Manager` (one clock read per event).
//! - `hot_loop/telemetry_off` and `hot_loop/telemetry_on`: only the `next_event` loop over one
//!   large, already verified segment (open, verify and resume happen outside the timing).
//! - `replay/otel_sdk` and `hot_loop/otel_sdk`: the same with the OpenTelemetry SDK instrumented
//!   the way its users write it: each event's latency measured with two `Instant` reads (the
//!   end of this event, the start of the next) and recorded into an SDK `Histogram<u64>` with
//!   the `Base2ExponentialHistogram` view (max_size 160, max_scale 20), through an [`OtelSdk`]
//!   implementation of [`Hooks`].
//! - `clock_read`: one `clock::now_ns()`; `instant_read`: one `Instant::now()`.
//! - `verify/*`: one segment read into the reader's buffer and verified (`VerifiedSegment::open`:
//!   `read`, header, every block CRC32C and chain link, every field) against a plain
//!   `std::fs::read` of the same file (both into a fresh buffer), and the same verification of
//!   bytes already in memory (`VerifiedSegment::from_vec`) against raw `crc32c::crc32c` over those
//!   bytes, as bytes per second.
//! - `process/telemetry_on` and `process/telemetry_off`: the whole `walrec replay` process
//!   (`OTEL_SDK_DISABLED=true`) over 20 M events in 64 MiB segments, page cache warm, to set
//!   against `hot_loop/*` of the same run (issue 22). `WALREC_BENCH_PROCESS_EVENTS` changes the
//!   count (0 skips them); with `WALREC_BENCH_BASELINE_BIN` naming another build's `walrec`,
//!   `process_baseline/*` replays a WAL that build generated (e.g. the format-v1 build).
//!
//! The `replay` pair includes scanning the headers and verifying every segment (the preloader
//! does that on a second thread), as a real recovery would; the replay can be bound by that
//! verification, which then hides the telemetry's cost. The `hot_loop` pair isolates it: the
//! per-event telemetry overhead is `(on − off) / events`; divide by `clock_read` for the cost in
//! clock reads.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry::metrics::Histogram;
use walrec::telemetry::{Manager, Status, clock};
use walrec::wal::{Hooks, NoTelemetry, RecoveryManager, VerifiedSegment};

mod common;
use common::otel_histogram;
use common::wal::{drain, generate_with, replay_process, time_hot_loop, write_wal};

/// The recovery manager timed with `std::time::Instant` into an OpenTelemetry SDK histogram, as
/// an SDK user would instrument it. Only `next_event` (the hot path) records; the cold timing
/// points return a fresh start time and record nothing.
struct OtelSdk {
    origin: Instant,
    histogram: Histogram<u64>,
}

impl OtelSdk {
    fn new(histogram: Histogram<u64>) -> Self {
        OtelSdk {
            origin: Instant::now(),
            histogram,
        }
    }

    #[inline(always)]
    fn instant_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }
}

impl Hooks for OtelSdk {
    fn now(&self) -> u64 {
        self.instant_ns()
    }

    fn read_segment_header(&self, _start_ns: u64, _status: Status) -> u64 {
        self.instant_ns()
    }

    fn resume_from_event(&self, _start_ns: u64, _status: Status) -> u64 {
        self.instant_ns()
    }

    fn seek_event(&self, _start_ns: u64) -> u64 {
        self.instant_ns()
    }

    /// Two `Instant` reads per event, as in `let t = Instant::now(); fetch();
    /// h.record(t.elapsed())`: the end of this fetch, then the start of the next one.
    #[inline(always)]
    fn next_event(&self, start_ns: u64) -> u64 {
        let end = self.instant_ns();
        self.histogram.record(end.saturating_sub(start_ns), &[]);
        self.instant_ns()
    }
}

/// Events replayed per iteration when benchmarking.
const EVENTS: u64 = 1 << 20;
/// Events when the bench only runs once as a test (`cargo test --all-targets`, debug build).
const TEST_EVENTS: u64 = 1 << 12;
const SEGMENT_BYTES: u64 = 16 << 20;

fn replay(c: &mut Criterion) {
    clock::init();
    let dir = tempfile::tempdir().expect("temporary directory");
    let events = if common::benchmarking() {
        EVENTS
    } else {
        TEST_EVENTS
    };
    write_wal(dir.path(), events, SEGMENT_BYTES);
    let one_segment = tempfile::tempdir().expect("temporary directory");
    write_wal(one_segment.path(), events, u64::MAX);
    let manager = Manager::new();
    let (_provider, otel) = otel_histogram("wal.next_event");

    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function("telemetry_off", |b| {
        b.iter(|| drain(RecoveryManager::with_hooks(dir.path(), NoTelemetry).expect("open")))
    });
    group.bench_function("telemetry_on", |b| {
        b.iter(|| drain(RecoveryManager::open(dir.path(), &manager).expect("open")))
    });
    group.bench_function("otel_sdk", |b| {
        b.iter(|| {
            drain(
                RecoveryManager::with_hooks(dir.path(), OtelSdk::new(otel.clone())).expect("open"),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("hot_loop");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    let path = one_segment.path();
    group.bench_function("telemetry_off", |b| {
        b.iter_custom(|iters| {
            time_hot_loop(iters, || {
                RecoveryManager::with_hooks(path, NoTelemetry).expect("open")
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
    group.bench_function("otel_sdk", |b| {
        b.iter_custom(|iters| {
            time_hot_loop(iters, || {
                RecoveryManager::with_hooks(path, OtelSdk::new(otel.clone())).expect("open")
            })
        })
    });
    group.finish();

    c.bench_function("clock_read", |b| b.iter(|| black_box(clock::now_ns())));
    c.bench_function("instant_read", |b| b.iter(|| black_box(Instant::now())));

    verify(c, dir.path());
    if common::benchmarking() {
        process(c);
    }
    let recorded = manager.snapshot().next_event.samples;
    assert!(recorded % events == 0, "every replayed event was recorded");
}

/// Verifying one segment of the multi-segment WAL (16 MiB when benchmarking), already in the
/// page cache, against raw CRC32C over the same bytes.
fn verify(c: &mut Criterion, dir: &Path) {
    let segment = std::fs::read_dir(dir)
        .expect("list the WAL")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wal"))
        .min()
        .expect("a sealed segment");
    let bytes = std::fs::read(&segment).expect("read the segment");
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    group.bench_function("segment_read_and_verify", |b| {
        b.iter(|| black_box(VerifiedSegment::open(&segment).expect("a valid segment")))
    });
    group.bench_function("plain_read", |b| {
        b.iter(|| black_box(std::fs::read(&segment).expect("read the segment")))
    });
    group.bench_function("segment_verify_in_memory", |b| {
        b.iter_batched(
            || bytes.clone(),
            |copy| black_box(VerifiedSegment::from_vec("bench", copy).expect("a valid segment")),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("crc32c_raw", |b| {
        b.iter(|| black_box(crc32c::crc32c(black_box(&bytes))))
    });
    group.finish();
}

/// The whole `walrec replay` process, with telemetry on and off, over a WAL of 64 MiB segments
/// written once (page cache warm after the first sample).
fn process(c: &mut Criterion) {
    let events = std::env::var("WALREC_BENCH_PROCESS_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000_000u64);
    if events == 0 {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    write_wal(dir.path(), events, 64 << 20);
    let bin = Path::new(env!("CARGO_BIN_EXE_walrec"));
    replay_group(c, "process", bin, dir.path(), events);
    if let Some(baseline) = std::env::var_os("WALREC_BENCH_BASELINE_BIN") {
        let old = tempfile::tempdir().expect("temporary directory");
        let wal = generate_with(Path::new(&baseline), old.path(), events);
        replay_group(c, "process_baseline", Path::new(&baseline), &wal, events);
    }
}

fn replay_group(c: &mut Criterion, name: &str, bin: &Path, dir: &Path, events: u64) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(events));
    group.sample_size(10);
    for telemetry in ["on", "off"] {
        group.bench_function(format!("telemetry_{telemetry}"), |b| {
            b.iter(|| replay_process(bin, dir, telemetry))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = replay
}
criterion_main!(benches);
