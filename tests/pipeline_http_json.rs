//! `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` against the real OpenTelemetry Collector: its otlp
//! receiver decodes walrec's JSON (gzip-compressed, to the generic endpoint plus `/v1/metrics`
//! and `/v1/traces`) and passes it on over gRPC to an in-process collector, where it must
//! arrive intact: a replay's counts, its span tree under the caller's `TRACEPARENT` and the
//! exemplars' links to spans; a recorded backfill field for field equal to the same backfill
//! sent straight over gRPC; and the Collector's own counters refuse nothing.

#![cfg(all(
    feature = "cli",
    feature = "otlp",
    feature = "traces",
    feature = "recording"
))]

mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point::Value};
use opentelemetry_proto::tonic::trace::v1::Span;
use support::backends;
use support::fake_collector::FakeCollector;
use support::otlp_read::{histogram_exemplars, walrec_metrics};
use support::pipeline::Collector;
use support::recording::golden_intervals;
use support::stack;
use walrec::otlp::config::{ConfigBuilder, ExemplarFilter, Temporality};
use walrec::otlp::{Backfill, RecordedPoint, RecordedTelemetry};
use walrec::telemetry::{AttributeValue, TraceContext, UnixExemplar};

/// One Collector at a time: the machine has two cores.
static SERIAL: Mutex<()> = Mutex::new(());

const EVENTS: u64 = 400_000;
const SEGMENT_BYTES: u64 = 1 << 20;
const SERVICE: &str = "walrec-http-json";
const PARENT_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";
const HISTOGRAM: &str = "walrec.next_event_histogram";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value of the one-point Sum `name` in `request`.
fn sum_of(request: &ExportMetricsServiceRequest, name: &str) -> i64 {
    let metric = walrec_metrics(request).into_iter().find(|m| m.name == name);
    let Some(Data::Sum(sum)) = metric.and_then(|m| m.data.as_ref()) else {
        panic!("{name} is not a Sum of the request");
    };
    match sum.data_points.as_slice() {
        [point] => match point.value {
            Some(Value::AsInt(value)) => value,
            other => panic!("{name}: {other:?}"),
        },
        points => panic!("{name}: {} points", points.len()),
    }
}

/// Every span the downstream collector received, once `wal.recovery` (ended last) is there.
fn spans_with_root(downstream: &FakeCollector) -> Vec<Span> {
    let started = Instant::now();
    loop {
        let requests = downstream
            .spans()
            .into_iter()
            .flat_map(|r| r.resource_spans);
        let spans: Vec<Span> = requests
            .flat_map(|r| r.scope_spans)
            .flat_map(|s| s.spans)
            .collect();
        if spans.iter().any(|s| s.name == "wal.recovery") {
            return spans;
        }
        assert!(
            started.elapsed() < stack::ARRIVAL_BOUND,
            "no wal.recovery span passed the Collector ({} spans did)",
            spans.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One `wal.recovery` root in the caller's trace, a child of the caller's span; every other
/// span's parent is a span of the run, all in one trace.
fn assert_span_tree(spans: &[Span]) {
    let roots: Vec<&Span> = spans.iter().filter(|s| s.name == "wal.recovery").collect();
    let [root] = roots.as_slice() else {
        panic!("one recovery, one root: {}", roots.len());
    };
    assert_eq!(hex(&root.trace_id), PARENT_TRACE);
    assert_eq!(hex(&root.parent_span_id), PARENT_SPAN);
    for span in spans.iter().filter(|s| s.name != "wal.recovery") {
        assert_eq!(span.trace_id, root.trace_id, "{}", span.name);
        assert_eq!(span.span_id.len(), 8, "{}", span.name);
        let parent = spans.iter().find(|p| p.span_id == span.parent_span_id);
        assert!(parent.is_some(), "{}: its parent did not arrive", span.name);
    }
}

#[test]
fn a_replay_over_http_json_passes_the_collector_intact() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("http/json through the Collector") {
        return;
    }
    let downstream = FakeCollector::start(Vec::new());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let collector =
        Collector::start_relay("otelcol-json", &downstream.addr.to_string(), dir.path());
    let wal = dir.path().join("wal");
    support::wal::generate(&wal, EVENTS, SEGMENT_BYTES);
    let mut env = stack::replay_env(&collector.http, SERVICE);
    env.retain(|(name, _)| !name.ends_with("_PROTOCOL") && !name.ends_with("_INTERVAL"));
    env.extend([
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json".to_owned()),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip".to_owned()),
        ("TRACEPARENT", format!("00-{PARENT_TRACE}-{PARENT_SPAN}-01")),
        // Exports 300 ms apart: an attempt has until the next one, more than a loaded
        // machine needs, so the counts below are exact.
        ("OTEL_METRIC_EXPORT_INTERVAL", "300".to_owned()),
    ]);
    let run = stack::replay(&wal, SERVICE, &env);
    let stderr = &run.finished.stderr;

    // Cumulative (the default): the last request holds the run's totals.
    let requests = downstream.accepted();
    let last = requests
        .last()
        .expect("the final export passed the Collector");
    let (count, _) = histogram_exemplars(std::slice::from_ref(last), HISTOGRAM);
    let samples = stack::next_event_samples(&run.finished.stdout);
    assert_eq!(count, samples, "{stderr}");
    let replayed = sum_of(last, "walrec.recovery.events_replayed");
    assert_eq!(replayed, EVENTS as i64, "{stderr}");
    assert!(
        requests.len() >= 2,
        "the run spans several exports: {}",
        requests.len()
    );
    let spans = spans_with_root(&downstream);
    assert_span_tree(&spans);
    let segment_spans = spans.iter().filter(|s| s.name == "wal.segment.replay");
    let segments = sum_of(last, "walrec.recovery.segments_replayed");
    assert_eq!(segment_spans.count() as i64, segments);
    exemplars_link_to_segment_spans(&requests, &spans);
    assert_collector_refused_nothing(&collector, spans.len());
}

/// Every exemplar on the histogram names (hex ids decoded by the Collector) a
/// `wal.segment.replay` span that arrived.
fn exemplars_link_to_segment_spans(requests: &[ExportMetricsServiceRequest], spans: &[Span]) {
    let (_, exemplars) = histogram_exemplars(requests, HISTOGRAM);
    assert!(!exemplars.is_empty(), "no exemplar passed the Collector");
    for exemplar in &exemplars {
        let linked = spans.iter().any(|s| {
            s.name == "wal.segment.replay"
                && s.trace_id == exemplar.trace_id
                && s.span_id == exemplar.span_id
        });
        let ids = (hex(&exemplar.trace_id), hex(&exemplar.span_id));
        assert!(linked, "exemplar {ids:?}: no such segment span");
    }
}

/// The Collector's own counters: its HTTP receiver accepted points and exactly the spans that
/// arrived downstream, and refused none of either.
fn assert_collector_refused_nothing(collector: &Collector, spans: usize) {
    let own = |name: &str| collector.own_metric(name, "transport=\"http\"");
    assert!(own("otelcol_receiver_accepted_metric_points") > 0.0);
    assert_eq!(own("otelcol_receiver_refused_metric_points"), 0.0);
    assert_eq!(own("otelcol_receiver_accepted_spans"), spans as f64);
    assert_eq!(own("otelcol_receiver_refused_spans"), 0.0);
}

/// The golden intervals as one backfill, each with an exemplar in a span of its own.
fn backfill(config: &walrec::otlp::Config) -> Backfill {
    let resource = vec![
        (
            "service.name".to_owned(),
            AttributeValue::Text(SERVICE.to_owned()),
        ),
        ("process.pid".to_owned(), AttributeValue::Int(4242)),
    ];
    let mut backfill = Backfill::new(config, &resource);
    let intervals = golden_intervals();
    for tick in intervals.chunks(2) {
        let points: Vec<RecordedPoint<'_>> = tick
            .iter()
            .map(|interval| RecordedPoint {
                instance: ["primary", "standby"][interval.instance],
                start_unix_nano: interval.start_unix_nano,
                end_unix_nano: interval.end_unix_nano,
                telemetry: RecordedTelemetry::Manager(&interval.delta),
                exemplar: Some(UnixExemplar {
                    value_ns: 1_000 + interval.sequence,
                    time_unix_nano: interval.end_unix_nano - 1,
                    trace: Some(TraceContext {
                        trace_id: [0xa0 | interval.instance as u8; 16],
                        span_id: [interval.sequence as u8 + 1; 8],
                        sampled: true,
                    }),
                    event_id: Some(interval.sequence),
                }),
            })
            .collect();
        backfill.add_tick(&points);
    }
    backfill
}

#[test]
fn a_backfill_over_http_json_arrives_as_over_http_protobuf_and_as_sent() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("http/json backfill through the Collector") {
        return;
    }
    let (direct, relayed) = (
        FakeCollector::start(Vec::new()),
        FakeCollector::start(Vec::new()),
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let collector = Collector::start_relay("otelcol-json", &relayed.addr.to_string(), dir.path());
    let through_collector = format!("http://{}", collector.http);
    assert_eq!(push(&direct.endpoint(), "grpc"), 3);
    assert_eq!(push(&through_collector, "http/protobuf"), 3);
    assert_eq!(push(&through_collector, "http/json"), 3);
    let sent = direct.accepted();
    let arrived = relayed.accepted();
    let (as_protobuf, as_json) = arrived.split_at(3);
    assert_eq!((sent.len(), as_json.len()), (3, 3));
    for k in 0..3 {
        // The Collector's JSON decoder reads exactly what its protobuf decoder reads...
        assert_same_request(k, &as_protobuf[k], &as_json[k]);
        // ... which is what walrec sent, but for an empty negative range the Collector always
        // writes (its data model has no absent one).
        assert_same_request(k, &sent[k], &without_empty_negative(&as_json[k]));
    }
    let (_, exemplars) = histogram_exemplars(as_json, HISTOGRAM);
    assert_eq!(exemplars.len(), 6, "every interval's exemplar, ids intact");
    let refused = collector.own_metric("otelcol_receiver_refused_metric_points", "");
    assert_eq!(refused, 0.0);
}

/// Pushes the golden backfill to `endpoint` (generic) with `protocol`; how many requests the
/// collector accepted.
fn push(endpoint: &str, protocol: &str) -> usize {
    let vars = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
    ];
    let lookup = |name: &str| {
        let found = vars.iter().find(|(n, _)| *n == name);
        found.map(|(_, v)| std::ffi::OsString::from(v))
    };
    let config = ConfigBuilder::from_lookup(&lookup)
        .temporality(Temporality::Delta)
        .exemplar_filter(ExemplarFilter::AlwaysOn)
        .build()
        .unwrap();
    backfill(&config).push(&config).unwrap()
}

/// `request` with every exponential histogram point's empty `negative` range taken out.
fn without_empty_negative(request: &ExportMetricsServiceRequest) -> ExportMetricsServiceRequest {
    let mut request = request.clone();
    let scopes = request
        .resource_metrics
        .iter_mut()
        .flat_map(|r| &mut r.scope_metrics);
    for metric in scopes.flat_map(|s| &mut s.metrics) {
        if let Some(Data::ExponentialHistogram(histogram)) = &mut metric.data {
            for point in &mut histogram.data_points {
                if point
                    .negative
                    .as_ref()
                    .is_some_and(|b| b.bucket_counts.is_empty())
                {
                    point.negative = None;
                }
            }
        }
    }
    request
}

/// Request `k` arrived as it was sent; if not, the first metric that differs, side by side
/// (a whole request's Debug output is tens of kilobytes).
fn assert_same_request(
    k: usize,
    sent: &ExportMetricsServiceRequest,
    arrived: &ExportMetricsServiceRequest,
) {
    if sent == arrived {
        return;
    }
    let (sent_metrics, arrived_metrics) = (walrec_metrics(sent), walrec_metrics(arrived));
    for (s, a) in sent_metrics.iter().zip(&arrived_metrics) {
        assert!(
            s == a,
            "request {k}, metric {}:\nsent    {s:?}\narrived {a:?}",
            s.name
        );
    }
    let (mut sent, mut arrived) = (sent.clone(), arrived.clone());
    for request in [&mut sent, &mut arrived] {
        for scope in request
            .resource_metrics
            .iter_mut()
            .flat_map(|r| &mut r.scope_metrics)
        {
            scope.metrics.clear();
        }
    }
    panic!("request {k} changed outside its metrics:\nsent    {sent:?}\narrived {arrived:?}");
}
