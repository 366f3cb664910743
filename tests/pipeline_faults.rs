//! deploy/'s pipeline under faults, with the real programs: a corrupt segment fires the
//! failure and checksum alerts; the Collector killed and restarted mid-replay loses no count
//! and takes the spans sent after it is back (and the export-failure alert goes pending);
//! Prometheus down while walrec runs: walrec does not notice, the Collector queues and
//! delivers once Prometheus is back, as deploy/README.md says.

#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]

mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use support::backends;
use support::pipeline::{Collector, Prometheus};
use support::pipeline_checks as checks;
use support::process::has_read;
use support::stack::{self, Backends, RUN_BOUND};

/// One pipeline at a time: the machine has two cores.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn a_corrupt_segment_fires_the_failure_and_checksum_alerts() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("corrupt-segment alerts") {
        return;
    }
    let stack = Backends::start();
    let collector = stack.collector("otelcol-agent", "agent.yaml", Vec::new());
    let wal = stack.wal("wal", 20_000, 65_536);
    stack::corrupt_segment(&wal, 2);
    let service = "walrec-e2e-corrupt";
    let env = stack::replay_env(&collector.grpc, service);
    let finished = stack::spawn_replay(&wal, &[], &env).finish_within(RUN_BOUND);
    assert!(
        !finished.status.success(),
        "a corrupt segment fails the recovery"
    );

    let prometheus = &stack.prometheus;
    let failed =
        format!("walrec_recovery_phase{{job=\"{service}\", wal_recovery_phase=\"failed\"}} == 1");
    prometheus.wait_for(&failed, stack::ARRIVAL_BOUND);
    checks::wait_for_alert(prometheus, "WalRecoveryFailed", &["firing"]);
    checks::wait_for_alert(prometheus, "WalSegmentChecksumFailures", &["firing"]);
    // The fault side of "every expression returns data": the two alerts' own expressions.
    for (_, alert, expr) in support::deploy::rules() {
        if matches!(
            alert.as_deref(),
            Some("WalRecoveryFailed" | "WalSegmentChecksumFailures")
        ) {
            assert!(!prometheus.query(&expr).is_empty(), "{alert:?}: {expr}");
        }
    }
    drop(collector);
}

#[test]
fn the_collector_restarted_mid_replay_loses_no_count_and_takes_later_spans() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("collector restart") {
        return;
    }
    let stack = Backends::start();
    let mut collector = stack.collector("otelcol-agent", "agent.yaml", Vec::new());
    let wal = stack.wal("wal", 1_500_000, 1 << 20);
    let service = "walrec-e2e-collector-restart";
    let mut env = stack::replay_env(&collector.grpc, service);
    // An export gives up quickly, so the outage makes some fail after all their retries.
    env.push(("OTEL_EXPORTER_OTLP_TIMEOUT", "200".to_owned()));
    let mut walrec = stack::spawn_replay(&wal, &[], &env);
    walrec.wait_until("a few segments are read", |pid| has_read(pid, 4 << 20));
    walrec.signal("STOP");
    collector.program.kill();
    // walrec runs on for a few export intervals against the dead collector, then waits
    // (stopped) while the collector comes back on the same address.
    walrec.signal("CONT");
    std::thread::sleep(Duration::from_millis(400));
    walrec.signal("STOP");
    let grpc = collector.grpc.clone();
    drop(collector);
    let restarted = Collector::start_on(
        "otelcol-agent-restarted",
        vec![format!(
            "--config={}",
            support::deploy::path("collector/agent.yaml").display()
        )],
        &stack.destinations(Vec::new()),
        stack.dir.path(),
        grpc,
    );
    walrec.signal("CONT");
    let finished = walrec.finish_within(RUN_BOUND);
    assert!(finished.status.success(), "{}", finished.stderr);
    let samples = stack::next_event_samples(&finished.stdout);

    let prometheus = &stack.prometheus;
    checks::wait_for_count(prometheus, service, samples);
    checks::wait_for_alert(prometheus, "WalrecExportFailing", &["pending", "firing"]);
    let spans = wait_for_root(&stack, service);
    let last = spans
        .iter()
        .filter(|s| s["name"] == "wal.segment.replay")
        .filter_map(|s| {
            checks::attribute(s, "wal.segment.index")?
                .parse::<u64>()
                .ok()
        })
        .max();
    let segments = prometheus.query_value(&format!(
        "walrec_recovery_segments_replayed_total{{job=\"{service}\"}}"
    ));
    assert_eq!(
        last,
        Some(segments as u64 - 1),
        "the last segment's span, sent after the restart"
    );
    drop(restarted);
}

/// Waits until Jaeger has `service`'s `wal.recovery` span (ended last, so sent last); all the
/// service's spans then.
fn wait_for_root(stack: &Backends, service: &str) -> Vec<serde_json::Value> {
    let started = Instant::now();
    loop {
        let spans = stack.jaeger.service_spans(service);
        if spans.iter().any(|s| s["name"] == "wal.recovery") {
            return spans;
        }
        assert!(
            started.elapsed() < stack::ARRIVAL_BOUND,
            "no wal.recovery span in Jaeger"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn with_prometheus_down_the_collector_queues_and_delivers_when_it_is_back() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("prometheus down") {
        return;
    }
    let mut stack = Backends::start();
    let collector = stack.collector("otelcol-agent", "agent.yaml", Vec::new());
    let address = stack.prometheus.address().to_owned();
    stack.prometheus.program.kill();
    let wal = stack.wal("wal", 200_000, 1 << 20);
    let service = "walrec-e2e-prometheus-down";
    let run = stack::replay(&wal, service, &stack::replay_env(&collector.grpc, service));
    assert!(
        !run.finished.stderr.contains("export failed"),
        "the collector accepted every export:\n{}",
        run.finished.stderr
    );
    // What deploy/README.md says the Collector does: it holds the batches in its exporter's
    // sending queue and retries them.
    let started = Instant::now();
    while collector.own_metric("otelcol_exporter_queue_size", "otlphttp/prometheus") == 0.0 {
        assert!(
            started.elapsed() < stack::ARRIVAL_BOUND,
            "the collector never queued the metrics for Prometheus"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    stack.prometheus = Prometheus::start_on(stack.dir.path(), &address);
    checks::wait_for_count(
        &stack.prometheus,
        service,
        stack::next_event_samples(&run.finished.stdout),
    );
    drop(collector);
}
