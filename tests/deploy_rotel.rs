//! The rotel flow of deploy/ end to end: rotel (installed by `scripts/install-rotel.sh`) started
//! with exactly the settings of `deploy/rotel/agent.env`, only the compose services' addresses
//! replaced by in-process stand-ins: an OTLP/HTTP receiver on Prometheus' OTLP path for
//! Prometheus and an OTLP/gRPC trace receiver for Tempo. walrec's agent pushes its metrics,
//! and the test sends a histogram point with an exemplar and a span of the exemplar's trace
//! (walrec's own spans and exemplars come with issue 10): both signals must arrive, the
//! exemplar's trace and span ids intact.
#![cfg(feature = "otlp")]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Metric, ResourceMetrics,
    ScopeMetrics, exemplar, exponential_histogram_data_point::Buckets, metric::Data,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use support::fake_collector::FakeCollector;
use support::otlp_http_receiver::OtlpHttpReceiver;
use support::rotel::{Exporter, Rotel};

/// Where Prometheus 3 receives OTLP metrics.
const PROMETHEUS_OTLP_PATH: &str = "/api/v1/otlp/v1/metrics";
/// How long rotel gets to forward (it batches for 1 s, per the env file).
const ARRIVAL_BOUND: Duration = Duration::from_secs(20);
const TRACE_ID: [u8; 16] = *b"walrec-deploy-t1";
const SPAN_ID: [u8; 8] = *b"span-001";
/// The instance the test's agent exports as, and the one of the hand-made exemplar point.
const AGENT_INSTANCE: &str = "deploy-rotel";
const PROBE_INSTANCE: &str = "exemplar-probe";

/// `deploy/rotel/agent.env`'s variables, the compose services' addresses replaced by the
/// stand-ins'. The receivers' addresses are dropped: the harness binds them to free loopback
/// ports. Panics if the file points at neither stand-in or at an address not replaced.
fn deploy_settings(prometheus: SocketAddr, tempo: SocketAddr) -> Vec<(String, String)> {
    let replacements = [
        ("http://prometheus:9090", format!("http://{prometheus}")),
        ("http://tempo:4317", format!("http://{tempo}")),
    ];
    let receivers = ["ROTEL_OTLP_GRPC_ENDPOINT", "ROTEL_OTLP_HTTP_ENDPOINT"];
    let mut used = [false; 2];
    let mut settings = Vec::new();
    for line in support::deploy::read("rotel/agent.env").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').expect("KEY=value lines");
        assert!(
            key.starts_with("ROTEL_"),
            "{key}: rotel reads only ROTEL_* variables"
        );
        if receivers.contains(&key) {
            continue;
        }
        let mut value = value.to_owned();
        for (i, (service, stand_in)) in replacements.iter().enumerate() {
            if let Some(path) = value.strip_prefix(service) {
                value = format!("{stand_in}{path}");
                used[i] = true;
            }
        }
        assert!(
            !value.contains("://") || value.starts_with("http://127.0.0.1:"),
            "{key}={value}: an address the test has no stand-in for"
        );
        settings.push((key.to_owned(), value));
    }
    assert_eq!(
        used,
        [true, true],
        "agent.env must export to Prometheus and Tempo"
    );
    settings
}

/// walrec's own export: a Manager with known next_event samples, pushed once over gRPC.
fn push_walrec_metrics(endpoint: &str) -> u64 {
    let manager = Arc::new(walrec::telemetry::Manager::new());
    let updater = manager.updater();
    let samples = 500u64;
    for i in 0..samples {
        updater.record_next_event(1_000, 1_000 + 50 + i * 7);
    }
    drop(updater);
    let config = walrec::otlp::Config::builder()
        .endpoint(endpoint)
        .interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let agent =
        walrec::otlp::Agent::start(&config, [(AGENT_INSTANCE.to_owned(), manager)]).unwrap();
    agent
        .force_flush()
        .unwrap_or_else(|e| panic!("export to rotel at {endpoint} failed: {e}"));
    drop(agent);
    samples
}

fn instance_attribute(instance: &str) -> KeyValue {
    KeyValue {
        key: walrec::otlp::INSTANCE_ATTRIBUTE.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(instance.to_owned())),
        }),
        ..KeyValue::default()
    }
}

/// Whether a point's attributes say it is `instance`'s.
fn is_instance(attributes: &[KeyValue], instance: &str) -> bool {
    attributes
        .iter()
        .any(|kv| kv == &instance_attribute(instance))
}

/// A next_event histogram point carrying an exemplar of [`TRACE_ID`]/[`SPAN_ID`].
fn exemplar_request(now: u64) -> ExportMetricsServiceRequest {
    let exemplar = Exemplar {
        time_unix_nano: now,
        trace_id: TRACE_ID.to_vec(),
        span_id: SPAN_ID.to_vec(),
        value: Some(exemplar::Value::AsDouble(120_000.0)),
        ..Exemplar::default()
    };
    let point = ExponentialHistogramDataPoint {
        attributes: vec![instance_attribute(PROBE_INSTANCE)],
        start_time_unix_nano: now - 1_000_000_000,
        time_unix_nano: now,
        count: 3,
        sum: Some(120_300.0),
        scale: 0,
        positive: Some(Buckets {
            offset: 7,
            bucket_counts: vec![2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        }),
        exemplars: vec![exemplar],
        ..ExponentialHistogramDataPoint::default()
    };
    let metric = Metric {
        name: "walrec.next_event_histogram".to_owned(),
        unit: "ns".to_owned(),
        data: Some(Data::ExponentialHistogram(ExponentialHistogram {
            data_points: vec![point],
            aggregation_temporality: 2,
        })),
        ..Metric::default()
    };
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![metric],
                ..ScopeMetrics::default()
            }],
            ..ResourceMetrics::default()
        }],
    }
}

fn trace_request(now: u64) -> ExportTraceServiceRequest {
    let span = Span {
        trace_id: TRACE_ID.to_vec(),
        span_id: SPAN_ID.to_vec(),
        name: "wal.recovery".to_owned(),
        kind: 1,
        start_time_unix_nano: now - 2_000_000,
        end_time_unix_nano: now,
        ..Span::default()
    };
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![span],
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        }],
    }
}

/// Sends the exemplar point and the span to rotel's OTLP/gRPC receiver.
fn send_exemplar_and_span(endpoint: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut metrics = MetricsServiceClient::connect(endpoint.to_owned())
            .await
            .unwrap();
        metrics.export(exemplar_request(now)).await.unwrap();
        let mut traces = TraceServiceClient::connect(endpoint.to_owned())
            .await
            .unwrap();
        traces.export(trace_request(now)).await.unwrap();
    });
}

/// What the stand-ins must have received; `Err` says what is still missing.
fn check_arrivals(
    prometheus: &OtlpHttpReceiver,
    tempo: &FakeCollector,
    samples: u64,
) -> Result<(), String> {
    let points: Vec<_> = prometheus
        .accepted()
        .into_iter()
        .flat_map(|r| r.resource_metrics)
        .flat_map(|r| r.scope_metrics)
        .flat_map(|s| s.metrics)
        .filter(|m| m.name == "walrec.next_event_histogram")
        .filter_map(|m| match m.data {
            Some(Data::ExponentialHistogram(h)) => Some(h.data_points),
            _ => None,
        })
        .flatten()
        .collect();
    let of = |instance: &str| points.iter().find(|p| is_instance(&p.attributes, instance));
    let agent = of(AGENT_INSTANCE).ok_or("walrec's histogram has not reached Prometheus")?;
    if agent.count != samples {
        return Err(format!(
            "walrec's histogram count {} != {samples}",
            agent.count
        ));
    }
    let probe = of(PROBE_INSTANCE).ok_or("the exemplar point has not reached Prometheus")?;
    let intact = probe
        .exemplars
        .iter()
        .any(|e| e.trace_id == TRACE_ID && e.span_id == SPAN_ID);
    if !intact {
        return Err(format!("exemplars arrived as {:?}", probe.exemplars));
    }
    let spans: Vec<Span> = tempo
        .spans()
        .into_iter()
        .flat_map(|r| r.resource_spans)
        .flat_map(|r| r.scope_spans)
        .flat_map(|s| s.spans)
        .collect();
    if !spans
        .iter()
        .any(|s| s.trace_id == TRACE_ID && s.name == "wal.recovery")
    {
        return Err(format!("the span has not reached Tempo (got {spans:?})"));
    }
    Ok(())
}

#[test]
fn rotel_with_the_deploy_settings_forwards_metrics_with_exemplars_to_prometheus_and_traces_to_tempo()
 {
    let prometheus = OtlpHttpReceiver::start(PROMETHEUS_OTLP_PATH);
    let tempo = FakeCollector::start(Vec::new());
    let rotel = Rotel::start_with(Exporter::Env(deploy_settings(prometheus.addr, tempo.addr)));

    let samples = push_walrec_metrics(&rotel.grpc_endpoint());
    send_exemplar_and_span(&rotel.grpc_endpoint());

    let deadline = Instant::now() + ARRIVAL_BOUND;
    let mut outcome = check_arrivals(&prometheus, &tempo, samples);
    while outcome.is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        outcome = check_arrivals(&prometheus, &tempo, samples);
    }
    if let Err(missing) = outcome {
        panic!(
            "{missing}\nrefused paths at the Prometheus stand-in: {:?}\nrotel's log:\n{}",
            prometheus.refused(),
            rotel.log()
        );
    }
    assert!(
        prometheus.refused().is_empty(),
        "{:?}",
        prometheus.refused()
    );
}
