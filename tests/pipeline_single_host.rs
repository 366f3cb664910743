//! deploy/'s single-host pipeline with the real programs: `walrec replay` with traces on →
//! the OpenTelemetry Collector running deploy/collector/agent.yaml (compose's command line) →
//! Prometheus 3 and Jaeger v2 as compose runs them, asserted through their own HTTP APIs:
//! every metric under its documented name, the native histogram's count and quantiles against
//! walrec's own dump, every dashboard and recording-rule query with data, no alert active,
//! exemplars that lead to their `wal.segment.replay` span, and the span tree.

#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::backends;
use support::pipeline::{Collector, value_of};
use support::pipeline::{Jaeger, Prometheus, compose_command};
use support::pipeline_checks::{self as checks, attribute, hex_id};
use support::stack::{self, Backends};

const EVENTS: u64 = 400_000;
/// Small segments: many `wal.segment.replay` spans and preloads.
const SEGMENT_BYTES: u64 = 1 << 20;
const SERVICE: &str = "walrec-e2e-single";
/// The caller's span the recovery must join (`TRACEPARENT`).
const PARENT_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";

#[test]
fn single_host_pipeline_delivers_metrics_exemplars_and_traces_to_the_real_backends() {
    if !backends::available("single-host pipeline") {
        return;
    }
    let stack = Backends::start();
    let storage = stack.dir.path().join("otelcol");
    let collector = Collector::start(
        "otelcol-agent",
        compose_command("otelcol", &storage),
        &stack.destinations(Vec::new()),
        stack.dir.path(),
    );
    let wal = stack.wal("wal", EVENTS, SEGMENT_BYTES);
    let mut env = stack::replay_env(&collector.grpc, SERVICE);
    env.push(("TRACEPARENT", format!("00-{PARENT_TRACE}-{PARENT_SPAN}-01")));
    let run = stack::replay(&wal, SERVICE, &env);
    let dump = &run.finished.stdout;
    let samples = stack::next_event_samples(dump);

    let prometheus = &stack.prometheus;
    assert_eq!(samples, EVENTS, "one next_event sample per event replayed");
    checks::wait_for_count(prometheus, SERVICE, samples);
    let replayed = format!("walrec_recovery_events_replayed_total{{job=\"{SERVICE}\"}}");
    assert_eq!(
        prometheus.query_value(&replayed),
        EVENTS as f64,
        "{replayed}"
    );
    checks::spanned_exports(prometheus, SERVICE, 3);
    checks::every_exported_metric_is_in_prometheus(prometheus, SERVICE);
    checks::histogram_quantiles_match_the_dump(prometheus, SERVICE, dump);
    checks::every_dashboard_and_recording_rule_query_has_data(prometheus, SERVICE);
    checks::no_alert_is_active(prometheus);
    let spans = checks::wait_for_spans(&stack.jaeger, SERVICE, segments(prometheus));
    span_tree_joins_the_callers_trace(&spans);
    exemplars_lead_to_their_segment_span(prometheus, &stack.jaeger);
    drop(collector);
}

/// `walrec_recovery_segments_replayed_total` of the run.
fn segments(prometheus: &Prometheus) -> usize {
    let expr = format!("walrec_recovery_segments_replayed_total{{job=\"{SERVICE}\"}}");
    prometheus.query_value(&expr) as usize
}

/// One `wal.recovery` root, a child of `TRACEPARENT`'s span in its trace, and every span's
/// parent in the same trace.
fn span_tree_joins_the_callers_trace(spans: &[Value]) {
    let roots: Vec<&Value> = spans
        .iter()
        .filter(|s| s["name"] == "wal.recovery")
        .collect();
    assert_eq!(roots.len(), 1, "one recovery, one root");
    let root = roots[0];
    assert_eq!(
        hex_id(&root["traceId"]),
        PARENT_TRACE,
        "the root is in the caller's trace"
    );
    assert_eq!(
        hex_id(&root["parentSpanId"]),
        PARENT_SPAN,
        "the root's parent is TRACEPARENT's"
    );
    checks::assert_tree(spans, root);
}

/// Every exemplar on the latency histogram: the trace-id label Grafana's data source names,
/// a trace Jaeger has, and a span of it that is the `wal.segment.replay` of one segment.
fn exemplars_lead_to_their_segment_span(prometheus: &Prometheus, jaeger: &Jaeger) {
    let label = checks::grafana_exemplar_trace_label();
    let selector = format!("walrec_next_event_histogram_nanoseconds{{job=\"{SERVICE}\"}}");
    let exemplars = prometheus.exemplars(&selector, std::time::Duration::from_secs(3600));
    assert!(!exemplars.is_empty(), "no exemplar on {selector}");
    let mut traces: HashMap<String, Vec<Value>> = HashMap::new();
    for exemplar in &exemplars {
        let trace = exemplar["labels"][&label]
            .as_str()
            .unwrap_or_else(|| panic!("exemplar without {label}: {exemplar}"));
        let span_id = exemplar["labels"]["span_id"].as_str().expect("span_id");
        assert!(value_of(&serde_json::json!([0, exemplar["value"]])) > 0.0);
        let spans = traces
            .entry(trace.to_owned())
            .or_insert_with(|| jaeger.trace_spans(trace));
        let span = spans
            .iter()
            .find(|s| hex_id(&s["spanId"]) == span_id)
            .unwrap_or_else(|| panic!("span {span_id} of exemplar {exemplar} not in Jaeger"));
        assert_eq!(span["name"], "wal.segment.replay", "{exemplar}");
        assert!(attribute(span, "wal.segment.index").is_some(), "{span}");
    }
}
