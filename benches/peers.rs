//! The per-event hook, peer against peer, in one run on one machine.
//!
//! `cargo bench --bench peers`
//!
//! Every variant runs the same loop over the same pre-generated latencies (50 ns to ~10 ms, long
//! tail): the loop body is one `black_box` load of the next value, and each variant adds its
//! instrumentation around it. Absolute times drift on a shared machine, so compare the ratios
//! within one run.
//!
//! - `baseline/empty_loop`: the loop alone. `baseline/clock_read`: plus one
//!   `walrec::telemetry::clock::now_ns()` (quanta). `baseline/instant_read`: plus one
//!   `std::time::Instant::now()`.
//! - `walrec/on_next_event`: the hook with chained timestamps (one clock read per event, the
//!   sample recorded through the updater's exclusive shard). `walrec/record`: `writer.record(v)`
//!   alone. `walrec/shared_record`: `LatencyHistogram::record(v)` (shared shard, atomic RMW).
//! - `otel_sdk/instant_pattern`: what an `opentelemetry_sdk` user writes: `Instant::now()` before
//!   the body, `record(start.elapsed())` after it, into a `Histogram<u64>` whose view selects
//!   `Base2ExponentialHistogram { max_size: 160, max_scale: 20 }`. `otel_sdk/record`: the
//!   `record(v, &[])` alone.
//! - `metrics/record`: `metrics` 0.24 with `metrics-exporter-prometheus` as the global recorder,
//!   through a cached `metrics::Histogram` handle.
//! - `prometheus/observe`: `prometheus::Histogram::observe(seconds)`, 18 exponential buckets
//!   from 64 ns to 8.4 ms.
//! - `hdrhistogram/record`: `Histogram::record` (3 significant figures, one thread only: it
//!   needs `&mut`). `hdrhistogram/mutex_record`: the same behind a `Mutex`, the way two threads
//!   share it. `hdrhistogram/sync_recorder`: a `sync::Recorder` per thread of one
//!   `SyncHistogram`.
//!
//! `one_thread/*` runs on the bench thread; `two_threads/*` runs the same loop on two threads
//! at once sharing the instrument (a `Manager`'s histogram gives each thread its own updater),
//! and reports the wall time per operation per thread.

use std::hint::black_box;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use walrec::telemetry::{Manager, clock};

mod common;
use common::{MASK, latency_mix, otel_histogram, run};

/// The `metrics` facade's global recorder: `metrics-exporter-prometheus`, without its HTTP
/// listener. Installed once per process; the handle drains histograms between samples.
fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).expect("the only global recorder");
        handle
    })
}

fn prometheus_histogram() -> prometheus::Histogram {
    let buckets = prometheus::exponential_buckets(64e-9, 2.0, 18).expect("valid buckets");
    prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("peer_latency_seconds", "bench latency").buckets(buckets),
    )
    .expect("a valid histogram")
}

fn hdr_histogram() -> hdrhistogram::Histogram<u64> {
    hdrhistogram::Histogram::new_with_bounds(1, 1 << 36, 3).expect("valid hdrhistogram bounds")
}

/// Every variant, run with `threads` threads into `group`.
fn peers(group: &mut BenchmarkGroup<'_, WallTime>, threads: usize, values: &[u64]) {
    let v = values;

    group.bench_function("baseline/empty_loop", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || (),
                |_, n| {
                    for i in 0..n as usize {
                        black_box(v[i & MASK]);
                    }
                },
            )
        })
    });
    group.bench_function("baseline/clock_read", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || (),
                |_, n| {
                    for i in 0..n as usize {
                        black_box(v[i & MASK]);
                        black_box(clock::now_ns());
                    }
                },
            )
        })
    });
    group.bench_function("baseline/instant_read", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || (),
                |_, n| {
                    for i in 0..n as usize {
                        black_box(v[i & MASK]);
                        black_box(Instant::now());
                    }
                },
            )
        })
    });

    let manager = Manager::new();
    group.bench_function("walrec/on_next_event", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || manager.updater(),
                |updater, n| {
                    let mut start = clock::now_ns();
                    for i in 0..n as usize {
                        black_box(v[i & MASK]);
                        start = updater.on_next_event(black_box(start));
                    }
                },
            )
        })
    });
    group.bench_function("walrec/record", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || manager.next_event_histogram.writer(),
                |writer, n| {
                    for i in 0..n as usize {
                        writer.record(black_box(v[i & MASK]));
                    }
                },
            )
        })
    });
    group.bench_function("walrec/shared_record", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || (),
                |_, n| {
                    for i in 0..n as usize {
                        manager.next_event_histogram.record(black_box(v[i & MASK]));
                    }
                },
            )
        })
    });

    let (_provider, otel) = otel_histogram("peer.latency");
    group.bench_function("otel_sdk/instant_pattern", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || otel.clone(),
                |histogram, n| {
                    for i in 0..n as usize {
                        let start = Instant::now();
                        black_box(v[i & MASK]);
                        histogram.record(start.elapsed().as_nanos() as u64, &[]);
                    }
                },
            )
        })
    });
    group.bench_function("otel_sdk/record", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || otel.clone(),
                |histogram, n| {
                    for i in 0..n as usize {
                        histogram.record(black_box(v[i & MASK]), &[]);
                    }
                },
            )
        })
    });

    let handle = metrics_handle();
    let metrics_histogram = metrics::histogram!("peer_latency_ns");
    group.bench_function("metrics/record", |b| {
        b.iter_custom(|iters| {
            let elapsed = run(
                threads,
                iters,
                || metrics_histogram.clone(),
                |histogram, n| {
                    for i in 0..n as usize {
                        histogram.record(black_box(v[i & MASK]) as f64);
                    }
                },
            );
            // The exporter's upkeep drains the recorded samples (untimed), as its upkeep
            // thread would, so memory does not grow from sample to sample.
            handle.run_upkeep();
            elapsed
        })
    });

    let prom = prometheus_histogram();
    group.bench_function("prometheus/observe", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || prom.clone(),
                |histogram, n| {
                    for i in 0..n as usize {
                        histogram.observe(black_box(v[i & MASK]) as f64 * 1e-9);
                    }
                },
            )
        })
    });

    if threads == 1 {
        group.bench_function("hdrhistogram/record", |b| {
            b.iter_custom(|iters| {
                run(threads, iters, hdr_histogram, |histogram, n| {
                    for i in 0..n as usize {
                        let _ = histogram.record(black_box(v[i & MASK]));
                    }
                })
            })
        });
    }
    let shared_hdr = Arc::new(Mutex::new(hdr_histogram()));
    group.bench_function("hdrhistogram/mutex_record", |b| {
        b.iter_custom(|iters| {
            run(
                threads,
                iters,
                || Arc::clone(&shared_hdr),
                |histogram, n| {
                    for i in 0..n as usize {
                        let value = black_box(v[i & MASK]);
                        let _ = histogram.lock().expect("unpoisoned").record(value);
                    }
                },
            )
        })
    });
    let sync_hdr = Mutex::new(hdr_histogram().into_sync());
    group.bench_function("hdrhistogram/sync_recorder", |b| {
        b.iter_custom(|iters| {
            let elapsed = run(
                threads,
                iters,
                || sync_hdr.lock().expect("unpoisoned").recorder(),
                |recorder, n| {
                    for i in 0..n as usize {
                        let _ = recorder.record(black_box(v[i & MASK]));
                    }
                },
            );
            // Merge the finished recorders' histograms (untimed) so they do not pile up.
            sync_hdr
                .lock()
                .expect("unpoisoned")
                .refresh_timeout(Duration::from_millis(10));
            elapsed
        })
    });
}

fn one_thread(c: &mut Criterion) {
    clock::init();
    let values = latency_mix();
    let mut group = c.benchmark_group("one_thread");
    peers(&mut group, 1, &values);
    group.finish();
}

fn two_threads(c: &mut Criterion) {
    clock::init();
    let values = latency_mix();
    let mut group = c.benchmark_group("two_threads");
    peers(&mut group, 2, &values);
    group.finish();
}

criterion_group!(benches, one_thread, two_threads);
criterion_main!(benches);
