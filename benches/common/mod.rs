//! What the benches share: the latency mix every recorder is fed, the one- or two-thread
//! harness, and the OpenTelemetry SDK histogram configured as its users would.
// Each bench uses only some of these.
#![allow(dead_code)]

use std::sync::Barrier;
use std::time::{Duration, Instant};

#[cfg(feature = "otlp")]
pub mod otel_export;
pub mod wal;

use opentelemetry::metrics::{Histogram, MeterProvider as _};
use opentelemetry_sdk::metrics::{
    Aggregation, InMemoryMetricExporter, Instrument, PeriodicReader, SdkMeterProvider, Stream,
};

/// Whether criterion is measuring (it passes `--bench`), rather than running each bench once
/// as a test (`cargo test --all-targets`, in a debug build): test runs use small inputs, so
/// that CI checks every bench runs without spending minutes on measurement-sized ones.
pub fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// The value table's size (a power of two, so the index is a mask).
pub const VALUES: usize = 4096;
pub const MASK: usize = VALUES - 1;

/// Latencies from 50 ns to ~10 ms with a long tail, generated once so every variant loops over
/// the same values: 90 % in 64 ns..1 µs, 9 % in 1..128 µs, 1 % in 128 µs..16 ms, capped at 10 ms;
/// a few below 64 ns reach down to 50 ns.
pub fn latency_mix() -> Vec<u64> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..VALUES)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let octave = match state % 100 {
                0..=89 => 6 + state % 4,
                90..=98 => 10 + state % 7,
                _ => 17 + state % 7,
            };
            let v = (1u64 << octave) + (state >> 40) % (1u64 << octave);
            // One value in 64 sits just above 50 ns.
            if state % 64 == 0 {
                50 + state % 14
            } else {
                v.min(10_000_000)
            }
        })
        .collect()
}

/// Runs `work(state, iters)` on `threads` threads at once, each with the state `setup` made on
/// that thread before the start; returns the longest thread's wall time, i.e. the time per
/// thread-operation once criterion divides by `iters`.
pub fn run<S>(
    threads: usize,
    iters: u64,
    setup: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, u64) + Sync,
) -> Duration {
    if threads == 1 {
        let mut state = setup();
        let started = Instant::now();
        work(&mut state, iters);
        return started.elapsed();
    }
    let barrier = Barrier::new(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut state = setup();
                    barrier.wait();
                    let started = Instant::now();
                    work(&mut state, iters);
                    started.elapsed()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .max()
            .unwrap_or_default()
    })
}

/// An OTel SDK `Histogram<u64>` named `name` with the base-2 exponential view, as a user would
/// configure it. The provider is returned too: dropping it would shut the pipeline down.
pub fn otel_histogram(name: &'static str) -> (SdkMeterProvider, Histogram<u64>) {
    let provider = SdkMeterProvider::builder()
        // A periodic reader at the default 60 s interval: it never fires during a sample.
        .with_reader(PeriodicReader::builder(InMemoryMetricExporter::default()).build())
        .with_view(move |instrument: &Instrument| {
            (instrument.name() == name).then(|| {
                Stream::builder()
                    .with_aggregation(Aggregation::Base2ExponentialHistogram {
                        max_size: 160,
                        max_scale: 20,
                        record_min_max: true,
                    })
                    .build()
                    .expect("a valid exponential-histogram stream")
            })
        })
        .build();
    let histogram = provider
        .meter("walrec-bench")
        .u64_histogram(name)
        .with_unit("ns")
        .build();
    (provider, histogram)
}
