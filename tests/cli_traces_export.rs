#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]
//! `walrec demo` against an in-process collector that takes both signals on one loopback
//! port: `OTEL_TRACES_EXPORTER=none` sends no span while the metrics still arrive, and
//! `OTEL_METRICS_EXEMPLAR_FILTER` (`trace_based` by default, `always_on`, `always_off`)
//! decides which `walrec.next_event_histogram` samples become exemplars, as the
//! OpenTelemetry specification defines the filter.

mod support;

use support::process;

use opentelemetry_proto::tonic::metrics::v1::Exemplar;
use opentelemetry_proto::tonic::trace::v1::Span;
use support::fake_collector::FakeCollector;
use support::otlp_read::histogram_exemplars;

const HISTOGRAM: &str = "walrec.next_event_histogram";

/// What one `walrec demo` run delivered.
struct Delivered {
    metrics_requests: usize,
    histogram_count: u64,
    exemplars: Vec<Exemplar>,
    spans: Vec<Span>,
    span_attempts: usize,
}

/// Runs `walrec demo` exporting to a fresh collector with `env` as its only `OTEL_*` and
/// `TRACE*` variables; what the collector received once the command ended.
fn demo(env: &[(&str, &str)]) -> Delivered {
    let collector = FakeCollector::start(Vec::new());
    process::demo_to(&collector.endpoint(), env);
    let requests = collector.accepted();
    let (histogram_count, exemplars) = histogram_exemplars(&requests, HISTOGRAM);
    let spans = collector.spans().into_iter().flat_map(|r| r.resource_spans);
    let spans = spans.flat_map(|r| r.scope_spans).flat_map(|s| s.spans);
    Delivered {
        metrics_requests: requests.len(),
        histogram_count,
        exemplars,
        spans: spans.collect(),
        span_attempts: collector.span_attempts(),
    }
}

/// Whether `exemplar` points at one of the `wal.segment.replay` spans in `spans`.
fn links_to_a_segment_replay(exemplar: &Exemplar, spans: &[Span]) -> bool {
    spans.iter().any(|span| {
        span.name == "wal.segment.replay"
            && span.trace_id == exemplar.trace_id
            && span.span_id == exemplar.span_id
    })
}

fn has_event_id(exemplar: &Exemplar) -> bool {
    let attributes = &exemplar.filtered_attributes;
    attributes.iter().any(|kv| kv.key == "wal.event.id")
}

#[test]
fn otel_traces_exporter_none_sends_no_span_while_the_metrics_still_arrive() {
    let run = demo(&[("OTEL_TRACES_EXPORTER", "none")]);
    assert!(run.metrics_requests > 0, "the metrics arrived");
    assert!(run.histogram_count > 0, "with the replay's samples");
    assert_eq!(run.span_attempts, 0, "not one trace export was attempted");
}

#[test]
fn trace_based_by_default_gives_exemplars_of_the_sampled_segment_replay_spans() {
    let run = demo(&[]);
    assert!(
        run.spans.iter().any(|s| s.name == "wal.recovery"),
        "spans sent"
    );
    assert!(!run.exemplars.is_empty(), "the interval's slowest sample");
    for exemplar in &run.exemplars {
        assert!(
            links_to_a_segment_replay(exemplar, &run.spans),
            "{exemplar:?}"
        );
        assert!(has_event_id(exemplar), "{exemplar:?}");
    }
}

#[test]
fn trace_based_gives_no_exemplar_when_the_spans_are_not_sampled() {
    let run = demo(&[
        ("OTEL_METRICS_EXEMPLAR_FILTER", "trace_based"),
        ("OTEL_TRACES_SAMPLER", "always_off"),
    ]);
    assert!(run.spans.is_empty(), "nothing sampled, nothing sent");
    assert!(run.histogram_count > 0, "the samples were recorded");
    assert!(run.exemplars.is_empty(), "{:?}", run.exemplars);
}

#[test]
fn always_on_gives_exemplars_of_unsampled_spans_too() {
    let run = demo(&[
        ("OTEL_METRICS_EXEMPLAR_FILTER", "always_on"),
        ("OTEL_TRACES_SAMPLER", "always_off"),
    ]);
    assert!(run.spans.is_empty());
    assert!(!run.exemplars.is_empty(), "every sample is eligible");
    assert!(
        run.exemplars.iter().all(has_event_id),
        "{:?}",
        run.exemplars
    );
}

#[test]
fn always_on_gives_exemplars_outside_any_span() {
    let run = demo(&[
        ("OTEL_METRICS_EXEMPLAR_FILTER", "always_on"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ]);
    assert!(!run.exemplars.is_empty(), "every sample is eligible");
    for exemplar in &run.exemplars {
        assert!(exemplar.trace_id.is_empty() && exemplar.span_id.is_empty());
        assert!(has_event_id(exemplar), "{exemplar:?}");
    }
}

#[test]
fn always_off_gives_no_exemplar_even_of_sampled_spans() {
    let run = demo(&[("OTEL_METRICS_EXEMPLAR_FILTER", "always_off")]);
    assert!(
        run.spans.iter().any(|s| s.name == "wal.segment.replay"),
        "the spans were sampled and sent"
    );
    assert!(run.histogram_count > 0);
    assert!(run.exemplars.is_empty(), "{:?}", run.exemplars);
}
