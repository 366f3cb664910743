#![cfg(all(feature = "otlp", feature = "traces"))]
//! `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` in process: the configuration (any case, the
//! signal's path appended to the generic endpoint), and both signals' requests as an OTLP/HTTP
//! receiver sees them: `Content-Type: application/json`, the OTLP JSON mapping
//! (lowerCamelCase names, hex trace and span ids, integer enums, 64-bit integers as strings,
//! no `null`), gzip and headers; a JSON `partialSuccess` counted as rejected, and error
//! statuses classified exactly as under `http/protobuf`.

mod support;

use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::{Span as _, TraceContextExt as _, Tracer as _};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use prost::Message as _;
use serde_json::Value;
use support::otlp_json_receiver::{OtlpJsonReceiver, Reply, assert_otlp_json, members};
use support::otlp_read::histogram_exemplars;
use walrec::otlp::config::{ConfigBuilder, ExemplarFilter, Protocol, Temporality};
use walrec::otlp::{Agent, CollectorStatus, Config, ExportError, Tracing};
use walrec::telemetry::{Manager, TraceContext};

const HISTOGRAM: &str = "walrec.next_event_histogram";
const EVENTS: u64 = 50;
const TRACE_ID: [u8; 16] = *b"\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36";
const SPAN_ID: [u8; 8] = *b"\x00\xf0\x67\xaa\x0b\xa9\x02\xb7";
const BOUND: Duration = Duration::from_secs(10);

/// A fake environment of `(name, value)` pairs.
fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + use<> {
    let vars: HashMap<String, OsString> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), OsString::from(value)))
        .collect();
    move |name| vars.get(name).cloned()
}

/// `receiver` as the generic endpoint under `protocol`, with `extra` variables; one export an
/// hour (tests flush), delta temporality, every exemplar kept, short timeouts.
fn config(receiver: &OtlpJsonReceiver, protocol: &str, extra: &[(&str, &str)]) -> Config {
    let endpoint = receiver.endpoint();
    let mut vars = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
    ];
    vars.extend_from_slice(extra);
    let lookup = lookup(&vars);
    ConfigBuilder::from_lookup(&lookup)
        .interval(Duration::from_secs(3600))
        .temporality(Temporality::Delta)
        .exemplar_filter(ExemplarFilter::AlwaysOn)
        .timeout(Duration::from_secs(1))
        .export_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// An agent for `config` over a manager that saw `EVENTS` samples in span `SPAN_ID`.
fn start_agent(config: &Config) -> Agent {
    let manager = Arc::new(Manager::new());
    let updater = manager.updater();
    updater.set_trace_context(Some(TraceContext {
        trace_id: TRACE_ID,
        span_id: SPAN_ID,
        sampled: true,
    }));
    for k in 0..EVENTS {
        updater.record_next_event(1_000, 2_000 + k);
    }
    drop(updater);
    Agent::start(config, vec![("json".into(), manager)]).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn http_json_in_any_case_resolves_with_the_signals_paths() {
    let generic = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base");
    for spelling in ["http/json", "HTTP/JSON", " \tHttp/Json  "] {
        let vars = [("OTEL_EXPORTER_OTLP_PROTOCOL", spelling), generic];
        let metrics = Config::from_lookup(&lookup(&vars)).unwrap();
        assert_eq!(metrics.protocol(), Protocol::HttpJson, "{spelling:?}");
        assert_eq!(metrics.endpoint(), "http://collector:4318/base/v1/metrics");
        let traces = Config::traces_from_lookup(&lookup(&vars)).unwrap();
        assert_eq!(traces.protocol(), Protocol::HttpJson, "{spelling:?}");
        assert_eq!(traces.endpoint(), "http://collector:4318/base/v1/traces");
    }
    let only = [("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")];
    let metrics = Config::from_lookup(&lookup(&only)).unwrap();
    assert_eq!(metrics.endpoint(), "http://localhost:4318/v1/metrics");
    let traces = Config::traces_from_lookup(&lookup(&only)).unwrap();
    assert_eq!(traces.endpoint(), "http://localhost:4318/v1/traces");
    // A signal's own protocol and endpoint: the endpoint is used as is.
    let own = [
        ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "Http/JSON"),
        (
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            "http://m:4318/ingest",
        ),
    ];
    let metrics = Config::from_lookup(&lookup(&own)).unwrap();
    assert_eq!(metrics.protocol(), Protocol::HttpJson);
    assert_eq!(metrics.endpoint(), "http://m:4318/ingest");
    assert_eq!(Protocol::HttpJson.to_string(), "http/json");
}

#[test]
fn metrics_are_posted_as_otlp_json_to_v1_metrics_with_hex_exemplar_ids() {
    let receiver = OtlpJsonReceiver::start(Vec::new());
    let headers = ("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=acme");
    let agent = start_agent(&config(&receiver, "http/json", &[headers]));
    let exported = agent.force_flush().unwrap();
    assert_eq!(exported.rejected_data_points, 0);
    drop(agent);
    let received = receiver.received();
    let first = &received[0];
    assert_eq!(first.path, "/v1/metrics");
    assert_eq!(first.content_type, "application/json");
    assert!(!first.gzip);
    assert!(first.headers.contains(&("x-tenant".into(), "acme".into())));
    let json = first.json();
    assert_otlp_json(&json);
    let metric = members(&json, &["resourceMetrics", "scopeMetrics", "metrics"])
        .into_iter()
        .find(|m| m["name"] == HISTOGRAM)
        .expect("the histogram");
    let histogram = &metric["exponentialHistogram"];
    assert_eq!(
        histogram["aggregationTemporality"], 1,
        "delta, as an integer"
    );
    let point = &histogram["dataPoints"][0];
    assert_eq!(
        point["count"],
        EVENTS.to_string(),
        "a 64-bit count as a string"
    );
    assert!(point.get("min").is_none(), "no min under delta: {point}");
    let exemplar = &point["exemplars"][0];
    assert_eq!(exemplar["traceId"], hex(&TRACE_ID));
    assert_eq!(exemplar["spanId"], hex(&SPAN_ID));
    // And it reads back as the request the agent built.
    let request: ExportMetricsServiceRequest = serde_json::from_value(json).unwrap();
    let (count, exemplars) = histogram_exemplars(&[request], HISTOGRAM);
    assert_eq!(count, EVENTS);
    assert_eq!(exemplars[0].trace_id, TRACE_ID);
    assert_eq!(exemplars[0].span_id, SPAN_ID);
}

#[test]
fn spans_are_posted_gzipped_as_otlp_json_to_v1_traces_with_hex_ids_and_parents() {
    let receiver = OtlpJsonReceiver::start(Vec::new());
    let vars = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json".to_owned()),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip".to_owned()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let agent = start_agent(&config(&receiver, "http/json", &[]));
    let tracing = Tracing::start(&Config::traces_from_lookup(&lookup(&vars)).unwrap(), &agent);
    let tracing = tracing.unwrap();
    let tracer = tracing.tracer();
    let parent = tracer.start("json.parent");
    let (trace_id, parent_id) = (
        parent.span_context().trace_id(),
        parent.span_context().span_id(),
    );
    let context = opentelemetry::Context::current_with_span(parent);
    let mut child = tracer.start_with_context("json.child", &context);
    let child_id = child.span_context().span_id();
    child.end();
    context.span().end();
    tracing.shutdown(BOUND).unwrap();
    drop(agent);
    let received = receiver.received();
    let traces: Vec<_> = received.iter().filter(|r| r.path == "/v1/traces").collect();
    let [sent] = traces.as_slice() else {
        panic!("one span export expected: {received:?}");
    };
    assert!(sent.gzip, "OTEL_EXPORTER_OTLP_COMPRESSION=gzip");
    assert_eq!(sent.content_type, "application/json");
    let json = sent.json();
    assert_otlp_json(&json);
    let spans = members(&json, &["resourceSpans", "scopeSpans", "spans"]);
    let span = |name: &str| spans.iter().find(|s| s["name"] == name).cloned().unwrap();
    let (parent, child) = (span("json.parent"), span("json.child"));
    assert_eq!(parent["traceId"], trace_id.to_string());
    assert_eq!(parent["spanId"], parent_id.to_string());
    assert_eq!(child["traceId"], trace_id.to_string());
    assert_eq!(child["spanId"], child_id.to_string());
    assert_eq!(child["parentSpanId"], parent_id.to_string());
    assert_eq!(child["kind"], 1, "SPAN_KIND_INTERNAL, as an integer");
    assert!(child["startTimeUnixNano"].is_string(), "{child}");
}

#[test]
fn a_json_partial_success_is_counted_as_rejected_for_both_signals() {
    let metrics = r#"{"partialSuccess":{"rejectedDataPoints":"2","errorMessage":"two bad"}}"#;
    let spans = r#"{"partialSuccess":{"rejectedSpans":1,"errorMessage":"one bad"}}"#;
    let receiver = OtlpJsonReceiver::start(vec![Reply::ok(metrics), Reply::ok(spans)]);
    let agent = start_agent(&config(&receiver, "http/json", &[]));
    let exported = agent.force_flush().unwrap();
    assert_eq!(exported.rejected_data_points, 2);
    assert_eq!(exported.message, "two bad");
    assert_eq!(agent.stats().points_rejected, 2);
    let vars = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json".to_owned()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let traces = Config::traces_from_lookup(&lookup(&vars)).unwrap();
    let tracing = Tracing::start(&traces, &agent).unwrap();
    for _ in 0..3 {
        tracing.tracer().start("json.span").end();
    }
    tracing.shutdown(BOUND).unwrap();
    let stats = agent.stats();
    assert_eq!((stats.spans_exported, stats.spans_rejected), (2, 1));
    // `{}` (the script is spent): a full success.
    assert_eq!(agent.force_flush().unwrap().rejected_data_points, 0);
}

/// A `google.rpc.Status` saying "bad data", in `protocol`'s encoding, with its content type.
fn status_reply(protocol: &str, code: u16) -> Reply {
    let status = tonic_types::Status {
        code: 3,
        message: "bad data".to_owned(),
        details: Vec::new(),
    };
    let mut reply = Reply::json(code, r#"{"code":3,"message":"bad data","details":[]}"#);
    if protocol == "http/protobuf" {
        reply.content_type = "application/x-protobuf";
        reply.body = status.encode_to_vec();
    }
    reply
}

#[test]
fn error_statuses_are_handled_as_under_http_protobuf() {
    for protocol in ["http/protobuf", "http/json"] {
        // 400: refused for good, one attempt, the Status' message shown.
        let receiver = OtlpJsonReceiver::start(vec![status_reply(protocol, 400)]);
        let agent = start_agent(&config(&receiver, protocol, &[]));
        let error = agent.force_flush().unwrap_err();
        assert!(
            matches!(&error, ExportError::Rejected { status: CollectorStatus::Http(400), message }
                if message.contains("bad data")),
            "{protocol}: {error:?}"
        );
        assert_eq!(receiver.received().len(), 1, "{protocol}: not retried");
        drop(agent);
        // 503 with Retry-After: retried after it, then accepted.
        let mut throttled = status_reply(protocol, 503);
        throttled.retry_after = Some(1);
        let receiver = OtlpJsonReceiver::start(vec![throttled]);
        let agent = start_agent(&config(&receiver, protocol, &[]));
        agent.force_flush().unwrap();
        let attempts = receiver.received();
        assert_eq!(attempts.len(), 2, "{protocol}: retried once");
        let waited = attempts[1].at.duration_since(attempts[0].at);
        assert!(
            waited >= Duration::from_millis(900),
            "{protocol}: {waited:?}"
        );
    }
}

#[test]
fn a_success_whose_body_is_not_json_counts_as_a_full_success() {
    let receiver = OtlpJsonReceiver::start(vec![Reply::ok("<html>fine</html>")]);
    let agent = start_agent(&config(&receiver, "http/json", &[]));
    let exported = agent.force_flush().unwrap();
    assert_eq!(
        (exported.rejected_data_points, exported.message),
        (0, String::new())
    );
    let _: Value = receiver.received()[0].json();
}
