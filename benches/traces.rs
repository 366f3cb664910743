//! What tracing a recovery costs, with a real OpenTelemetry SDK tracer provider installed
//! (every span sampled, batch-processed, then discarded by the exporter), against the same
//! replay untraced, in the same run.
//!
//! `cargo bench --bench traces`
//!
//! - `traced_hot_loop/{untraced,traced}`: only the `next_event` loop over one large, already
//!   verified segment. Spans are made per segment and step, never per event, so the two should
//!   be within noise; `clock_read` is the unit.
//! - `traced_segments/{untraced,traced}`: whole replays of a WAL of many small segments, where
//!   the per-segment work dominates; `(traced − untraced) / segments` is the spans' cost per
//!   segment (`wal.segment.replay`, `wal.segment.preload` and the recovery's fixed spans shared
//!   out).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry::global::BoxedTracer;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter};
use walrec::telemetry::{Manager, clock};
use walrec::wal::format::{BLOCK_SIZE, HEADER_SIZE};
use walrec::wal::{RecoveryManager, RecoveryOptions};

mod common;
use common::wal::{drain, time_hot_loop, write_wal};

/// Events in the hot-loop segment, and in the many-segment WAL.
const EVENTS: u64 = 1 << 20;
/// Segments of four blocks: the many-segment WAL has a few thousand of them.
const SMALL_SEGMENT_BYTES: u64 = (HEADER_SIZE + 4 * BLOCK_SIZE) as u64;

/// Drops every batch: the bench measures making and ending spans, not a network.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

fn traces(c: &mut Criterion) {
    clock::init();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(Discard).build())
        .build();
    let tracer = || BoxedTracer::new(Box::new(provider.tracer("walrec-bench")));
    let manager = Manager::new();

    let one_segment = tempfile::tempdir().expect("temporary directory");
    write_wal(one_segment.path(), EVENTS, u64::MAX);
    let path = one_segment.path();
    let mut group = c.benchmark_group("traced_hot_loop");
    group.throughput(Throughput::Elements(EVENTS));
    group.sample_size(20);
    group.bench_function("untraced", |b| {
        b.iter_custom(|iters| {
            time_hot_loop(iters, || {
                RecoveryManager::open(path, &manager).expect("open")
            })
        })
    });
    group.bench_function("traced", |b| {
        b.iter_custom(|iters| {
            time_hot_loop(iters, || {
                let options = RecoveryOptions::default();
                RecoveryManager::with_tracer(path, manager.updater(), options, tracer())
                    .expect("open")
            })
        })
    });
    group.finish();

    let small = tempfile::tempdir().expect("temporary directory");
    write_wal(small.path(), EVENTS, SMALL_SEGMENT_BYTES);
    let segments = std::fs::read_dir(small.path()).expect("list").count();
    eprintln!("traced_segments: {segments} segments of {SMALL_SEGMENT_BYTES} bytes");
    let mut group = c.benchmark_group("traced_segments");
    group.sample_size(20);
    group.bench_function("untraced", |b| {
        b.iter(|| drain(RecoveryManager::open(small.path(), &manager).expect("open")))
    });
    group.bench_function("traced", |b| {
        b.iter(|| {
            let options = RecoveryOptions::default();
            let wal =
                RecoveryManager::with_tracer(small.path(), manager.updater(), options, tracer());
            drain(wal.expect("open"))
        })
    });
    group.finish();

    c.bench_function("clock_read", |b| b.iter(|| black_box(clock::now_ns())));
    let _ = provider.shutdown();
}

criterion_group!(benches, traces);
criterion_main!(benches);
