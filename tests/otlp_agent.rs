//! The agent against an in-process OTLP MetricsService: data shape, and every collector fault.
#![cfg(feature = "otlp")]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, metric::Data};
use support::fake_collector::{Behaviour, FakeCollector};
use support::otlp_read::{metric, sum_value, walrec_metrics};
use tonic::Code;
use walrec::otlp::Agent;
use walrec::otlp::config::{Compression, Config, Temporality};
use walrec::telemetry::Manager;

/// A config whose interval is long, so only explicit flushes export.
fn config(endpoint: &str, temporality: Temporality) -> Config {
    Config::builder()
        .endpoint(endpoint)
        .interval(Duration::from_secs(3600))
        .export_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(2))
        .temporality(temporality)
        .build()
        .unwrap()
}

fn record(manager: &Manager, events: u64) {
    let updater = manager.updater();
    updater.record_read_segment_header(0, 1_000, true);
    updater.record_read_segment_header(0, 2_000, false);
    updater.record_resume_from_event(0, 5_000, true);
    updater.record_seek_event(0, 700);
    for i in 0..events {
        updater.record_next_event(0, (i * 37) % 10_000);
    }
}

#[test]
fn five_metrics_arrive_with_types_units_and_temporality() {
    let collector = FakeCollector::start(vec![]);
    let manager = Arc::new(Manager::new());
    record(&manager, 1_000);
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("main".into(), Arc::clone(&manager))],
    )
    .unwrap();
    agent.force_flush().unwrap();
    record(&manager, 500);
    agent.force_flush().unwrap();
    drop(agent);

    let requests = collector.accepted();
    assert!(requests.len() >= 2);
    let first = &requests[0];
    let cumulative = AggregationTemporality::Cumulative as i32;
    for prefix in [
        "read_segment_header",
        "resume_from_event",
        "seek_event",
        "next_event",
    ] {
        let samples = metric(first, &format!("walrec.{prefix}.samples"));
        assert_eq!(samples.unit, "{operation}");
        let Some(Data::Sum(sum)) = &samples.data else {
            panic!("{prefix} samples not a Sum")
        };
        assert!(sum.is_monotonic);
        assert_eq!(sum.aggregation_temporality, cumulative);
        assert_eq!(metric(first, &format!("walrec.{prefix}.time")).unit, "s");
        let max = metric(first, &format!("walrec.{prefix}.max"));
        assert!(
            matches!(max.data, Some(Data::Gauge(_))),
            "{prefix} max is a Gauge"
        );
        assert_eq!(max.unit, "s");
    }
    assert_eq!(
        sum_value(first, "walrec.read_segment_header.failures", "main"),
        1
    );
    let histogram = metric(first, "walrec.next_event_histogram");
    assert_eq!(histogram.unit, "ns");
    let Some(Data::ExponentialHistogram(h)) = &histogram.data else {
        panic!("not exponential")
    };
    assert_eq!(h.aggregation_temporality, cumulative);
    let point = &h.data_points[0];
    let buckets = point.positive.as_ref().unwrap();
    assert_eq!(point.count, 1_000);
    assert_eq!(
        point.count,
        point.zero_count + buckets.bucket_counts.iter().sum::<u64>()
    );
    assert!(buckets.bucket_counts.len() <= 160);
    assert!(point.min.is_some() && point.max.is_some() && point.sum.is_some());

    // Cumulative values never decrease from one push to the next.
    let samples: Vec<i64> = requests
        .iter()
        .map(|r| sum_value(r, "walrec.next_event.samples", "main"))
        .collect();
    assert!(samples.windows(2).all(|w| w[0] <= w[1]), "{samples:?}");
    assert_eq!(*samples.last().unwrap(), 1_500);
}

#[test]
fn several_managers_are_told_apart_by_instance() {
    let collector = FakeCollector::start(vec![]);
    let (a, b) = (Arc::new(Manager::new()), Arc::new(Manager::new()));
    record(&a, 10);
    record(&b, 20);
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("a".into(), a), ("b".into(), b)],
    )
    .unwrap();
    agent.force_flush().unwrap();
    let request = &collector.accepted()[0];
    assert_eq!(sum_value(request, "walrec.next_event.samples", "a"), 10);
    assert_eq!(sum_value(request, "walrec.next_event.samples", "b"), 20);
    let names: Vec<_> = walrec_metrics(request)
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        names.len(),
        unique.len(),
        "one metric per name, a point per manager"
    );
}

/// UNAVAILABLE three times, then OK: the export retries within its budget and nothing is lost.
fn unavailable_then_ok(temporality: Temporality) -> Vec<i64> {
    let script = vec![Behaviour::Fail(Code::Unavailable); 3];
    let collector = FakeCollector::start(script);
    let manager = Arc::new(Manager::new());
    let agent = Agent::start(
        &config(&collector.endpoint(), temporality),
        vec![("main".into(), Arc::clone(&manager))],
    )
    .unwrap();
    record(&manager, 300);
    agent.force_flush().unwrap();
    record(&manager, 200);
    agent.force_flush().unwrap();
    assert_eq!(
        collector.attempts().len(),
        5,
        "3 failures, then 2 successes"
    );
    assert_eq!(agent.stats().exports_ok, 2);
    collector
        .accepted()
        .iter()
        .map(|r| sum_value(r, "walrec.next_event.samples", "main"))
        .collect()
}

#[test]
fn unavailable_is_retried_and_nothing_is_lost_cumulative() {
    assert_eq!(unavailable_then_ok(Temporality::Cumulative), vec![300, 500]);
}

#[test]
fn unavailable_is_retried_and_nothing_is_lost_delta() {
    assert_eq!(unavailable_then_ok(Temporality::Delta), vec![300, 200]);
}

#[test]
fn a_failed_delta_is_merged_into_the_next_push() {
    // Permanent failure for the first export: its delta must ride along with the next one.
    let collector = FakeCollector::start(vec![Behaviour::Fail(Code::InvalidArgument)]);
    let manager = Arc::new(Manager::new());
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Delta),
        vec![("main".into(), Arc::clone(&manager))],
    )
    .unwrap();
    record(&manager, 100);
    assert!(agent.force_flush().is_err());
    record(&manager, 50);
    agent.force_flush().unwrap();
    let accepted = collector.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        sum_value(&accepted[0], "walrec.next_event.samples", "main"),
        150
    );
    assert_eq!(agent.stats().exports_failed, 1);
}

#[test]
fn throttling_with_retry_info_is_honoured() {
    let hint = Duration::from_millis(600);
    let collector = FakeCollector::start(vec![Behaviour::Throttle(hint)]);
    let manager = Arc::new(Manager::new());
    record(&manager, 10);
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("main".into(), manager)],
    )
    .unwrap();
    agent.force_flush().unwrap();
    let attempts = collector.attempts();
    assert_eq!(attempts.len(), 2);
    let waited = attempts[1] - attempts[0];
    assert!(
        waited >= hint,
        "retried after {waited:?}, before the server's {hint:?}"
    );
}

#[test]
fn partial_success_is_counted() {
    let collector = FakeCollector::start(vec![Behaviour::Partial(3)]);
    let manager = Arc::new(Manager::new());
    record(&manager, 10);
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("main".into(), manager)],
    )
    .unwrap();
    let exported = agent.force_flush().unwrap();
    assert_eq!(exported.rejected_data_points, 3);
    let stats = agent.stats();
    assert_eq!((stats.exports_ok, stats.points_rejected), (1, 3));
}

#[test]
fn a_server_that_never_answers_cannot_hold_up_shutdown() {
    let collector = FakeCollector::start(vec![Behaviour::Hang; 50]);
    let manager = Arc::new(Manager::new());
    let cfg = Config::builder()
        .endpoint(&collector.endpoint())
        .interval(Duration::from_secs(3600))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut agent = Agent::start(&cfg, vec![("main".into(), Arc::clone(&manager))]).unwrap();
    record(&manager, 10);
    let bound = Duration::from_secs(1);
    let started = Instant::now();
    let result = agent.shutdown(bound);
    let took = started.elapsed();
    assert!(
        result.is_err(),
        "a hanging collector cannot have accepted the data"
    );
    assert!(
        took < bound + Duration::from_secs(1),
        "shutdown took {took:?}"
    );
    // Each attempt ended at the attempt timeout, so several were made within the bound.
    assert!(
        collector.attempts().len() >= 2,
        "{} attempts",
        collector.attempts().len()
    );
}

#[test]
fn no_collector_at_all_leaves_recording_exact() {
    // A port nothing listens on: bind, learn the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let manager = Arc::new(Manager::new());
    let cfg = Config::builder()
        .endpoint(&format!("http://127.0.0.1:{port}"))
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let mut agent = Agent::start(&cfg, vec![("main".into(), Arc::clone(&manager))]).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| record(&manager, 200_000));
        }
    });
    assert_eq!(manager.snapshot().next_event.samples, 400_000);
    let started = Instant::now();
    assert!(agent.shutdown(Duration::from_millis(500)).is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(agent.stats().exports_failed >= 1);
}

#[test]
fn headers_and_gzip_reach_the_collector() {
    let collector = FakeCollector::start(vec![]);
    let manager = Arc::new(Manager::new());
    record(&manager, 10);
    let cfg = Config::builder()
        .endpoint(&collector.endpoint())
        .interval(Duration::from_secs(3600))
        .compression(Compression::Gzip)
        .header("x-tenant", "blue team")
        .build()
        .unwrap();
    let agent = Agent::start(&cfg, vec![("main".into(), manager)]).unwrap();
    agent.force_flush().unwrap();
    assert_eq!(
        collector.headers(),
        vec![("x-tenant".to_owned(), "blue team".to_owned())]
    );
    assert_eq!(collector.gzip(), vec![true]);
    assert_eq!(collector.accepted().len(), 1);
}

#[test]
fn the_agent_reports_on_itself_under_its_own_scope() {
    let collector = FakeCollector::start(vec![Behaviour::Fail(Code::InvalidArgument)]);
    let manager = Arc::new(Manager::new());
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("main".into(), manager)],
    )
    .unwrap();
    assert!(agent.force_flush().is_err());
    agent.force_flush().unwrap();
    let request = &collector.accepted()[0];
    let scopes: Vec<_> = request.resource_metrics[0]
        .scope_metrics
        .iter()
        .map(|s| s.scope.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(scopes, ["walrec", "walrec.agent"]);
    let own = &request.resource_metrics[0].scope_metrics[1];
    let exports = own
        .metrics
        .iter()
        .find(|m| m.name == "walrec.agent.exports")
        .unwrap();
    let Some(Data::Sum(sum)) = &exports.data else {
        panic!("exports is a Sum")
    };
    let values: Vec<_> = sum.data_points.iter().map(|p| p.value).collect();
    use opentelemetry_proto::tonic::metrics::v1::number_data_point::Value;
    // Reported before this export's own outcome is known: 0 ok so far, 1 failed.
    assert_eq!(values, [Some(Value::AsInt(0)), Some(Value::AsInt(1))]);
    assert!(
        own.metrics
            .iter()
            .any(|m| m.name == "otel.sdk.exporter.metric_data_point.exported")
    );
}

#[test]
fn start_on_uses_the_callers_runtime() {
    let collector = FakeCollector::start(vec![]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let manager = Arc::new(Manager::new());
    record(&manager, 42);
    let mut agent = Agent::start_on(
        runtime.handle(),
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("main".into(), manager)],
    )
    .unwrap();
    agent.shutdown(Duration::from_secs(5)).unwrap();
    let accepted = collector.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        sum_value(&accepted[0], "walrec.next_event.samples", "main"),
        42
    );
}

#[test]
fn a_disabled_agent_does_nothing() {
    let collector = FakeCollector::start(vec![]);
    let cfg = Config::builder()
        .endpoint(&collector.endpoint())
        .disabled(true)
        .build()
        .unwrap();
    let mut agent = Agent::start(&cfg, vec![("main".into(), Arc::new(Manager::new()))]).unwrap();
    assert!(!agent.is_running());
    assert!(agent.force_flush().is_err());
    assert!(agent.shutdown(Duration::from_millis(10)).is_err());
    assert!(collector.attempts().is_empty());
}

#[test]
fn shutdown_interrupts_a_hanging_periodic_export_and_still_makes_its_final_attempt() {
    let collector = FakeCollector::start(vec![Behaviour::Hang; 10]);
    let manager = Arc::new(Manager::new());
    let cfg = Config::builder()
        .endpoint(&collector.endpoint())
        .interval(Duration::from_secs(2))
        .export_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut agent = Agent::start(&cfg, vec![("main".into(), manager)]).unwrap();
    // The periodic export starts within 1.8–2.2 s and hangs on the collector.
    std::thread::sleep(Duration::from_millis(2_500));
    let asked = Instant::now();
    let bound = Duration::from_millis(500);
    assert!(agent.shutdown(bound).is_err());
    assert!(
        asked.elapsed() < bound + Duration::from_secs(1),
        "took {:?}",
        asked.elapsed()
    );
    let attempts = collector.attempts();
    assert!(
        attempts.iter().any(|&t| t >= asked),
        "the final export was attempted after shutdown was asked: {attempts:?}"
    );
}

#[test]
fn the_agent_sends_the_measured_clock_resolution_as_a_resource_attribute() {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    use walrec::telemetry::CLOCK_RESOLUTION_ATTRIBUTE;
    let collector = FakeCollector::start(Vec::new());
    let manager = Arc::new(Manager::new());
    let agent = Agent::start(
        &config(&collector.endpoint(), Temporality::Cumulative),
        vec![("main".into(), manager)],
    )
    .unwrap();
    agent.force_flush().unwrap();
    let request = &collector.accepted()[0];
    let resource = request.resource_metrics[0].resource.as_ref().unwrap();
    let values: Vec<_> = resource
        .attributes
        .iter()
        .filter(|kv| kv.key == CLOCK_RESOLUTION_ATTRIBUTE)
        .map(|kv| kv.value.as_ref().and_then(|v| v.value.clone()))
        .collect();
    let measured = walrec::telemetry::clock::resolution_ps();
    assert!(
        measured >= 1_000,
        "a nanosecond clock steps by ≥ 1 ns: {measured} ps"
    );
    assert_eq!(values, [Some(Value::IntValue(measured as i64))]);
}
