#![cfg(feature = "traces")]
//! `RecoveryManager::with_tracer`: every span of the run, the preloader thread's
//! `wal.segment.preload` included, comes from the tracer given, with no global provider
//! installed (this test binary never installs one).

mod support;

use std::path::Path;
use support::small_wal;

use opentelemetry::global::BoxedTracer;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use walrec::wal::{NoTelemetry, RecoveryManager, RecoveryOptions};

/// Replays `dir` whole with a tracer of a fresh provider; the spans it finished.
fn replay_traced(dir: &Path) -> Vec<SpanData> {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = BoxedTracer::new(Box::new(provider.tracer("test")));
    let options = RecoveryOptions::default();
    let mut wal = RecoveryManager::with_tracer(dir, NoTelemetry, options, tracer).unwrap();
    let mut events = 0;
    while wal.next_event().unwrap().is_some() {
        events += 1;
    }
    assert_eq!(events, 1000);
    drop(wal);
    provider.force_flush().unwrap();
    exporter.get_finished_spans().unwrap()
}

#[test]
fn the_preload_spans_come_from_the_given_tracer_under_wal_replay() {
    let dir = tempfile::tempdir().unwrap();
    small_wal::six_segment_wal(dir.path()); // the replay preloads 5 segments
    let spans = replay_traced(dir.path());
    let named = |name: &'static str| spans.iter().filter(move |s| s.name == name);
    let recovery = named("wal.recovery").next().expect("wal.recovery");
    let replay = named("wal.replay").next().expect("wal.replay");
    let preloads: Vec<&SpanData> = named("wal.segment.preload").collect();
    assert!(
        !preloads.is_empty(),
        "no wal.segment.preload among {} spans",
        spans.len()
    );
    for preload in preloads {
        let trace = preload.span_context.trace_id();
        assert_eq!(trace, recovery.span_context.trace_id());
        assert_eq!(preload.parent_span_id, replay.span_context.span_id());
    }
}
