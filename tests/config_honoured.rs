#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]
//! Variables every other SDK reads, honoured by walrec as the specification defines them
//! (walrec used to ignore each without a word): observed at an in-process collector fed by
//! `walrec demo`, so the SDK objects walrec configures are the ones that decide.

mod support;

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use support::fake_collector::FakeCollector;
use support::process::{self, Finished};

/// One `walrec demo` against a fresh collector with `env`: the collector and the run.
fn demo(env: &[(&str, &str)]) -> (FakeCollector, Finished) {
    let collector = FakeCollector::start(Vec::new());
    let mut vars = vec![("OTEL_BSP_SCHEDULE_DELAY", "100")];
    vars.extend_from_slice(env);
    let finished = process::demo_to(&collector.endpoint(), &vars);
    (collector, finished)
}

fn spans(collector: &FakeCollector) -> Vec<Span> {
    let requests = collector.spans();
    let resources = requests.iter().flat_map(|r| &r.resource_spans);
    let scopes = resources.flat_map(|r| &r.scope_spans);
    scopes.flat_map(|s| s.spans.clone()).collect()
}

#[test]
fn the_generic_attribute_count_limit_and_spaces_are_the_limit_used() {
    let (unlimited, _) = demo(&[]);
    let most = spans(&unlimited).iter().map(|s| s.attributes.len()).max();
    assert!(
        most.is_some_and(|n| n > 1),
        "spans carry several attributes: {most:?}"
    );
    for env in [
        [("OTEL_ATTRIBUTE_COUNT_LIMIT", "1")],
        [("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", " 1 ")],
    ] {
        let (collector, _) = demo(&env);
        let spans = spans(&collector);
        assert!(!spans.is_empty());
        for span in &spans {
            assert!(
                span.attributes.len() <= 1,
                "{env:?}: {} has {:?}",
                span.name,
                span.attributes
            );
        }
        assert!(
            spans.iter().any(|s| s.dropped_attributes_count > 0),
            "{env:?}"
        );
    }
}

#[test]
fn the_attribute_value_length_limit_truncates_string_values() {
    let (collector, _) = demo(&[("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3")]);
    let values: Vec<String> = spans(&collector)
        .iter()
        .flat_map(|s| s.attributes.clone())
        .filter_map(|kv| match kv.value?.value? {
            Value::StringValue(text) => Some(text),
            _ => None,
        })
        .collect();
    assert!(!values.is_empty(), "the spans carry string attributes");
    let long: Vec<&String> = values.iter().filter(|v| v.chars().count() > 3).collect();
    assert!(long.is_empty(), "values over 3 characters: {long:?}");
}

#[test]
fn metrics_exporter_none_sends_no_metric_and_still_traces() {
    let (collector, _) = demo(&[("OTEL_METRICS_EXPORTER", "None")]);
    assert!(collector.accepted().is_empty(), "a metric export arrived");
    assert!(
        !spans(&collector).is_empty(),
        "the spans are still exported"
    );
}

#[test]
fn metrics_exporter_console_prints_each_point_instead_of_sending_it() {
    let (collector, finished) = demo(&[("OTEL_METRICS_EXPORTER", "console")]);
    assert!(collector.accepted().is_empty(), "a metric export arrived");
    let line = finished
        .stdout
        .lines()
        .find(|l| l.starts_with("walrec.next_event.samples{"));
    let line = line.unwrap_or_else(|| panic!("no samples line in:\n{}", finished.stdout));
    assert!(
        line.contains("wal.recovery.instance=") && line.contains("sum="),
        "{line}"
    );
}

#[test]
fn propagators_none_ignores_traceparent() {
    let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let (followed, _) = demo(&[("TRACEPARENT", parent)]);
    let root = |collector: &FakeCollector| {
        let spans = spans(collector);
        let root = spans.iter().find(|s| s.name == "wal.recovery").cloned();
        root.unwrap_or_else(|| panic!("no wal.recovery span"))
    };
    assert_eq!(hex(&root(&followed).parent_span_id), "b7ad6b7169203331");
    let (ignored, _) = demo(&[("TRACEPARENT", parent), ("OTEL_PROPAGATORS", "none")]);
    assert!(
        root(&ignored).parent_span_id.is_empty(),
        "TRACEPARENT was read"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
