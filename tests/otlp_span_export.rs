#![cfg(all(feature = "otlp", feature = "traces"))]
//! The span exporter against an in-process collector: a failing export is retried within its
//! budget; then every span is counted once in the agent's self-telemetry
//! (`otel.sdk.exporter.span.exported`): delivered without `error.type`, failed with
//! `error.type=export_failed`, rejected in a partial success with `error.type=rejected`.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::{Span as _, Tracer as _};
use support::fake_collector::{Behaviour, FakeCollector};
use support::fake_trace_collector::span_count;
use support::otlp_read::agent_counter;
use tonic::Code;
use walrec::otlp::config::Signal;
use walrec::otlp::{Agent, Config, Tracing};
use walrec::telemetry::Manager;

const SPANS: usize = 7;
const COUNTER: &str = "otel.sdk.exporter.span.exported";
/// Bound on the final span flush and the final metrics export (a safety net: both end much
/// sooner).
const SHUTDOWN_BOUND: Duration = Duration::from_secs(10);

/// The agent's metrics to `metrics`, its spans to `traces` (a retry budget of `span_budget`
/// per export): makes `SPANS` spans, flushes them, ends the agent, and returns the span
/// counter of the final metrics export by `error.type` (checked against `Agent::stats`).
fn export_spans(
    metrics: &FakeCollector,
    traces: &FakeCollector,
    span_budget: Duration,
) -> BTreeMap<String, i64> {
    let config = Config::builder()
        .endpoint(&metrics.endpoint())
        .interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let manager = Arc::new(Manager::new());
    let mut agent = Agent::start(&config, vec![("main".into(), manager)]).unwrap();
    let traces_config = Config::builder()
        .signal(Signal::Traces)
        .endpoint(&traces.endpoint())
        .timeout(Duration::from_millis(500))
        .export_timeout(span_budget)
        .build()
        .unwrap();
    let tracing = Tracing::start(&traces_config, &agent).unwrap();
    let tracer = tracing.tracer();
    for _ in 0..SPANS {
        tracer.start("test.span").end();
    }
    let _ = tracing.shutdown(SHUTDOWN_BOUND);
    let stats = agent.stats();
    agent.shutdown(SHUTDOWN_BOUND).unwrap();
    let requests = metrics.accepted();
    let last = requests.last().expect("the final metrics export arrived");
    let counted = agent_counter(last, COUNTER);
    let from_stats = (
        stats.spans_exported,
        stats.spans_failed,
        stats.spans_rejected,
    );
    let exported = (
        counted[""] as u64,
        counted["export_failed"] as u64,
        counted["rejected"] as u64,
    );
    assert_eq!(
        exported, from_stats,
        "the export carries the agent's counts"
    );
    counted
}

#[test]
fn a_failing_span_export_is_retried_within_its_budget_then_counted_as_failed() {
    let metrics = FakeCollector::start(Vec::new());
    let traces =
        FakeCollector::start_scripted(Vec::new(), vec![Behaviour::Fail(Code::Unavailable); 64]);
    let counted = export_spans(&metrics, &traces, Duration::from_millis(800));
    assert!(
        traces.span_attempts() >= 2,
        "UNAVAILABLE is retried: {} attempt(s)",
        traces.span_attempts()
    );
    assert_eq!(span_count(&traces.spans()), 0);
    assert_eq!(counted[""], 0, "{counted:?}");
    assert_eq!(counted["export_failed"], SPANS as i64, "{counted:?}");
}

#[test]
fn a_span_export_that_succeeds_after_retries_counts_its_spans_once_without_error_type() {
    let metrics = FakeCollector::start(Vec::new());
    let script = vec![
        Behaviour::Fail(Code::Unavailable),
        Behaviour::Fail(Code::Unavailable),
    ];
    let traces = FakeCollector::start_scripted(Vec::new(), script);
    let counted = export_spans(&metrics, &traces, Duration::from_secs(5));
    assert_eq!(traces.span_attempts(), 3, "two failures, then the delivery");
    assert_eq!(span_count(&traces.spans()), SPANS);
    assert_eq!(counted[""], SPANS as i64, "{counted:?}");
    assert_eq!(counted["export_failed"], 0, "{counted:?}");
}

#[test]
fn a_final_failure_is_not_retried() {
    let metrics = FakeCollector::start(Vec::new());
    let traces =
        FakeCollector::start_scripted(Vec::new(), vec![Behaviour::Fail(Code::InvalidArgument)]);
    let counted = export_spans(&metrics, &traces, Duration::from_secs(5));
    assert_eq!(traces.span_attempts(), 1, "INVALID_ARGUMENT is final");
    assert_eq!(counted["export_failed"], SPANS as i64, "{counted:?}");
}

#[test]
fn spans_rejected_in_a_partial_success_are_counted_with_error_type_rejected() {
    let metrics = FakeCollector::start(Vec::new());
    let traces = FakeCollector::start_scripted(Vec::new(), vec![Behaviour::Partial(2)]);
    let counted = export_spans(&metrics, &traces, Duration::from_secs(5));
    assert_eq!(
        traces.span_attempts(),
        1,
        "a partial success is not retried"
    );
    assert_eq!(counted[""], SPANS as i64 - 2, "{counted:?}");
    assert_eq!(counted["rejected"], 2, "{counted:?}");
}

/// The final span flush with nothing listening (a refused connection) retries once, shortly,
/// and gives up, as the metrics' final export does: it used to retry with backoff until the
/// shutdown's bound, which held `walrec demo`'s exit without a collector for the whole bound.
/// (A bound on the behaviour, with a wide margin, not a speed measurement.)
#[test]
fn the_final_flush_gives_up_at_once_on_a_refused_connection() {
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", refused.local_addr().unwrap());
    drop(refused);
    let agent = Agent::start(
        &Config::builder().disabled(true).build().unwrap(),
        Vec::<(String, Arc<Manager>)>::new(),
    )
    .unwrap();
    let traces_config = Config::builder()
        .signal(Signal::Traces)
        .endpoint(&endpoint)
        .export_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let tracing = Tracing::start(&traces_config, &agent).unwrap();
    tracing.tracer().start("test.span").end();
    let bound = Duration::from_secs(30);
    let started = std::time::Instant::now();
    let _ = tracing.shutdown(bound);
    let took = started.elapsed();
    assert!(
        took < bound / 3,
        "the final flush waited {took:?} of its {bound:?}"
    );
    assert_eq!(agent.stats().spans_failed, 1);
}
