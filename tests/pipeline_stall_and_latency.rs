//! The two alerts no `walrec replay` can provoke on demand, provoked through walrec's public
//! API as a user's recovery would record them, exported by the OTLP agent through the real
//! Collector into the real Prometheus: a recovery stuck in replay before its first event
//! (WalRecoveryStalled goes pending) and a replay whose every event takes 2 ms
//! (WalNextEventLatencyHigh goes pending, and its recording rule and expression have data).

#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::backends;
use support::pipeline::Prometheus;
use support::pipeline_checks::{self as checks, RULES_BOUND};
use support::stack::Backends;
use walrec::otlp::{Agent, Config};
use walrec::telemetry::{Phase, Recovery, clock};

/// One pipeline at a time: the machine has two cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// Starts walrec's agent exporting `recovery` as `service` to the collector at `grpc`.
fn agent(grpc: &str, service: &str, recovery: &Arc<Recovery>) -> Agent {
    let config = Config::builder()
        .endpoint(&format!("http://{grpc}"))
        .service_name(service)
        .resource_attribute("service.instance.id", format!("{service}-1"))
        .interval(Duration::from_millis(100))
        .build()
        .expect("a valid agent configuration");
    Agent::start(&config, [("replay".to_owned(), Arc::clone(recovery))]).expect("the agent starts")
}

/// The expression of alert `name` in the rule files, and that it has data now.
fn alert_expression_has_data(prometheus: &Prometheus, name: &str) {
    let (_, _, expr) = support::deploy::rules()
        .into_iter()
        .find(|(_, alert, _)| alert.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no alert {name}"));
    assert!(!prometheus.query(&expr).is_empty(), "{name}: {expr}");
}

#[test]
fn a_recovery_stuck_before_its_first_event_makes_the_stall_alert_pending() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("stalled recovery") {
        return;
    }
    let stack = Backends::start();
    let collector = stack.collector("otelcol-agent", "agent.yaml", Vec::new());
    let recovery = Arc::new(Recovery::new());
    recovery.progress.scanned(4, Some(1_000));
    recovery.progress.set_phase(Phase::Replay);
    recovery.progress.replay_started(clock::now_ns());
    let agent = agent(&collector.grpc, "walrec-e2e-stalled", &recovery);
    checks::wait_for_alert(
        &stack.prometheus,
        "WalRecoveryStalled",
        &["pending", "firing"],
    );
    alert_expression_has_data(&stack.prometheus, "WalRecoveryStalled");
    drop(agent);
}

#[test]
fn a_replay_of_slow_events_makes_the_latency_alert_pending() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !backends::available("slow events") {
        return;
    }
    let stack = Backends::start();
    let collector = stack.collector("otelcol-agent", "agent.yaml", Vec::new());
    let recovery = Arc::new(Recovery::new());
    let agent = agent(&collector.grpc, "walrec-e2e-slow", &recovery);
    let updater = recovery.manager.updater();
    let started = Instant::now();
    // Every event 2 ms apart (the start handed to the hook is 2 ms before now), for as long
    // as rule evaluation may take to see them.
    while started.elapsed() < RULES_BOUND {
        for _ in 0..100 {
            updater.on_next_event(clock::now_ns().saturating_sub(2_000_000));
        }
        updater.flush();
        let alerts = checks::alerts(&stack.prometheus);
        if alerts.iter().any(|(n, _)| n == "WalNextEventLatencyHigh") {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    checks::wait_for_alert(
        &stack.prometheus,
        "WalNextEventLatencyHigh",
        &["pending", "firing"],
    );
    alert_expression_has_data(&stack.prometheus, "WalNextEventLatencyHigh");
    drop(updater);
    drop(agent);
}
