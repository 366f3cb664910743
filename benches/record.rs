//! Cost of recording, in units of one clock read measured in the same run.
//!
//! `cargo bench --bench record`
//!
//! - `clock_read`: one `clock::now_ns()`, the unit everything else is compared with.
//! - `on_next_event`: the hot-path hook with chained timestamps (clock read included).
//! - `owned_on_next_event`: the same hook through an `OwnedManagerUpdater` (an engine that
//!   holds its `Arc<Manager>` and updater together).
//! - `hook_without_exemplar`: the same chained, one-late hook rebuilt from its parts without the
//!   exemplar check (the hook as it was before exemplars), for the exemplar's cost.
//! - `on_next_event_immediate`: the same with the sample published at once (not one call late).
//! - `writer_record`: the histogram record alone, through an exclusive shard.
//! - `shared_record`: the histogram record through the shared shard (atomic read-modify-write).
//! - `two_threads/*`: the same, with two threads recording into one `Manager` at once; the
//!   figure is wall time per operation per thread (the harness in `benches/common`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::Arc;

use walrec::telemetry::{Manager, OwnedManagerUpdater, clock};

mod common;
use common::{MASK, latency_mix, run};

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
    group.bench_function("owned_on_next_event", |b| {
        let owned = OwnedManagerUpdater::new(Arc::new(Manager::new()));
        let updater = owned.updater();
        let mut start = clock::now_ns();
        b.iter(|| start = updater.on_next_event(black_box(start)));
    });
    group.bench_function("hook_without_exemplar", |b| {
        let manager = Manager::new();
        let writer = manager.next_event_histogram.writer();
        let mut start = clock::now_ns();
        let mut pending = None;
        b.iter(|| {
            let end = clock::now_ns();
            if let Some(previous) = pending.replace(end.saturating_sub(black_box(start))) {
                writer.record(previous);
            }
            start = end;
        });
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
            writer.record(black_box(values[i & MASK]));
            i += 1;
        });
    });
    group.bench_function("shared_record", |b| {
        let manager = Manager::new();
        let mut i = 0;
        b.iter(|| {
            manager
                .next_event_histogram
                .record(black_box(values[i & MASK]));
            i += 1;
        });
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let values = latency_mix();
    let mut group = c.benchmark_group("two_threads");
    group.bench_function("on_next_event", |b| {
        let manager = Manager::new();
        b.iter_custom(|iters| {
            run(
                2,
                iters,
                || manager.updater(),
                |updater, n| {
                    let mut start = clock::now_ns();
                    for _ in 0..n {
                        start = updater.on_next_event(black_box(start));
                    }
                },
            )
        });
    });
    group.bench_function("writer_record", |b| {
        let manager = Manager::new();
        b.iter_custom(|iters| {
            run(
                2,
                iters,
                || manager.next_event_histogram.writer(),
                |writer, n| {
                    for i in 0..n as usize {
                        writer.record(black_box(values[i & MASK]));
                    }
                },
            )
        });
    });
    group.bench_function("shared_record", |b| {
        let manager = Manager::new();
        b.iter_custom(|iters| {
            run(
                2,
                iters,
                || (),
                |_, n| {
                    for i in 0..n as usize {
                        manager
                            .next_event_histogram
                            .record(black_box(values[i & MASK]));
                    }
                },
            )
        });
    });
    group.finish();
}

criterion_group!(benches, single_thread, contended);
criterion_main!(benches);
