//! Cost of recording, in units of one clock read measured in the same run.
//!
//! `cargo bench --bench record`
//!
//! - `clock_read`: one `clock::now_ns()`, the unit everything else is compared with.
//! - `on_next_event`: the hot-path hook with chained timestamps (clock read included).
//! - `on_next_event_immediate`: the same with the sample published at once (not one call late).
//! - `writer_record`: the histogram record alone, through an exclusive shard.
//! - `shared_record`: the histogram record through the shared shard (atomic read-modify-write).
//! - `two_threads/*`: the same, with two threads recording into one `Manager` at once; the
//!   figure is wall time per operation per thread.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use walrec::telemetry::{Manager, clock};

/// Latencies from 50 ns to ~10 ms with a long tail, generated once so every variant records the
/// same values.
fn latency_mix() -> Vec<u64> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let octave = match state % 100 {
                0..=89 => 6 + state % 4,   // 64 ns .. 1 µs
                90..=98 => 10 + state % 7, // 1 µs .. 128 µs
                _ => 17 + state % 7,       // 128 µs .. 16 ms
            };
            (1u64 << octave) + (state >> 40) % (1u64 << octave)
        })
        .collect()
}

fn single_thread(c: &mut Criterion) {
    clock::init();
    let values = latency_mix();
    let mut group = c.benchmark_group("one_thread");
    group.bench_function("clock_read", |b| b.iter(|| black_box(clock::now_ns())));
    group.bench_function("on_next_event", |b| {
        let manager = Manager::new();
        let updater = manager.updater();
        let mut start = clock::now_ns();
        b.iter(|| start = updater.on_next_event(black_box(start)));
    });
    group.bench_function("on_next_event_immediate", |b| {
        // The same work published at once instead of one call late: shows why the hook defers.
        let manager = Manager::new();
        let updater = manager.updater();
        let mut start = clock::now_ns();
        b.iter(|| {
            let end = clock::now_ns();
            updater.record_next_event(black_box(start), end);
            start = end;
        });
    });
    group.bench_function("writer_record", |b| {
        let manager = Manager::new();
        let writer = manager.next_event_histogram.writer();
        let mut i = 0;
        b.iter(|| {
            writer.record(black_box(values[i & 4095]));
            i += 1;
        });
    });
    group.bench_function("shared_record", |b| {
        let manager = Manager::new();
        let mut i = 0;
        b.iter(|| {
            manager
                .next_event_histogram
                .record(black_box(values[i & 4095]));
            i += 1;
        });
    });
    group.finish();
}

/// Runs `op` `iters` times on each of two threads at once; returns wall time per thread-op.
fn two_threads(iters: u64, manager: &Manager, op: impl Fn(&Manager, u64) + Sync) -> Duration {
    let barrier = Barrier::new(2);
    let elapsed: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let start = Instant::now();
                    op(manager, iters);
                    start.elapsed()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    elapsed.into_iter().max().unwrap_or_default()
}

fn contended(c: &mut Criterion) {
    let values = latency_mix();
    let mut group = c.benchmark_group("two_threads");
    group.bench_function("on_next_event", |b| {
        let manager = Manager::new();
        b.iter_custom(|iters| {
            two_threads(iters, &manager, |m, n| {
                let updater = m.updater();
                let mut start = clock::now_ns();
                for _ in 0..n {
                    start = updater.on_next_event(black_box(start));
                }
            })
        });
    });
    group.bench_function("writer_record", |b| {
        let manager = Manager::new();
        b.iter_custom(|iters| {
            two_threads(iters, &manager, |m, n| {
                let writer = m.next_event_histogram.writer();
                for i in 0..n as usize {
                    writer.record(black_box(values[i & 4095]));
                }
            })
        });
    });
    group.bench_function("shared_record", |b| {
        let manager = Manager::new();
        b.iter_custom(|iters| {
            two_threads(iters, &manager, |m, n| {
                for i in 0..n as usize {
                    m.next_event_histogram.record(black_box(values[i & 4095]));
                }
            })
        });
    });
    group.finish();
}

criterion_group!(benches, single_thread, contended);
criterion_main!(benches);
