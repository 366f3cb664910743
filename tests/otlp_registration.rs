//! Managers registered and unregistered while the agent runs, static managers, duplicate
//! names, and a drop that keeps its bound on a caller's current-thread runtime.
#![cfg(feature = "otlp")]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use support::fake_collector::FakeCollector;
use support::otlp_read::{instances, sum_value};
use walrec::otlp::{Agent, AgentError, Config, DROP_SHUTDOWN_BOUND, ManagerRef};
use walrec::telemetry::Manager;

const SAMPLES: &str = "walrec.seek_event.samples";

static STATIC_MANAGER: Manager = Manager::new();

/// Only explicit flushes export.
fn config(collector: &FakeCollector) -> Config {
    Config::builder()
        .endpoint(&collector.endpoint())
        .interval(Duration::from_secs(3600))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

fn no_managers() -> Vec<(String, ManagerRef)> {
    Vec::new()
}

#[test]
fn a_dropped_registration_is_exported_once_more_with_its_final_values() {
    let collector = FakeCollector::start(vec![]);
    let agent = Agent::start(&config(&collector), no_managers()).unwrap();
    let stays = Arc::new(Manager::new());
    let leaves = Arc::new(Manager::new());
    let _stays = agent.register("stays", &stays).unwrap();
    let leaving = agent.register("leaves", &leaves).unwrap();
    assert_eq!(leaving.instance(), "leaves");
    leaves.updater().record_seek_event(0, 10);
    agent.force_flush().unwrap();
    leaves.updater().record_seek_event(0, 20); // recorded after the last flush…
    drop(leaving);
    agent.force_flush().unwrap(); // …and still exported once, in this final export
    agent.force_flush().unwrap();

    let accepted = collector.accepted();
    assert_eq!(accepted.len(), 3);
    assert_eq!(instances(&accepted[0], SAMPLES), ["leaves", "stays"]);
    assert_eq!(instances(&accepted[1], SAMPLES), ["leaves", "stays"]);
    assert_eq!(
        sum_value(&accepted[1], SAMPLES, "leaves"),
        2,
        "its final values"
    );
    assert_eq!(
        instances(&accepted[2], SAMPLES),
        ["stays"],
        "then no longer read"
    );
}

#[test]
fn a_name_is_refused_while_registered_and_free_again_after() {
    let collector = FakeCollector::start(vec![]);
    let agent = Agent::start(&config(&collector), no_managers()).unwrap();
    let first = agent.register("orders", Arc::new(Manager::new())).unwrap();
    let error = agent
        .register("orders", Arc::new(Manager::new()))
        .unwrap_err();
    assert!(matches!(&error, AgentError::DuplicateInstance(name) if name == "orders"));
    assert!(error.to_string().contains("\"orders\""), "{error}");
    drop(first);
    let _again = agent.register("orders", Arc::new(Manager::new())).unwrap();

    let duplicate_at_start = Agent::start(
        &config(&collector),
        [
            ("a".to_owned(), &STATIC_MANAGER),
            ("a".to_owned(), &STATIC_MANAGER),
        ],
    );
    assert!(matches!(
        duplicate_at_start,
        Err(AgentError::DuplicateInstance(_))
    ));
}

#[test]
fn a_static_manager_is_exported() {
    let collector = FakeCollector::start(vec![]);
    STATIC_MANAGER.updater().record_seek_event(0, 5);
    let mut agent = Agent::start(
        &config(&collector),
        [("static".to_owned(), &STATIC_MANAGER)],
    )
    .unwrap();
    agent.shutdown(Duration::from_secs(2)).unwrap();
    let accepted = collector.accepted();
    assert!(sum_value(&accepted[0], SAMPLES, "static") >= 1);
}

#[test]
fn dropping_an_agent_inside_a_current_thread_runtime_keeps_its_bound_and_still_exports() {
    let collector = FakeCollector::start(vec![]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let manager = Arc::new(Manager::new());
    manager.updater().record_seek_event(0, 7);
    let took = runtime.block_on(async {
        let agent = Agent::start_on(
            &tokio::runtime::Handle::current(),
            &config(&collector),
            [("current".to_owned(), &manager)],
        )
        .unwrap();
        let asked = Instant::now();
        drop(agent);
        let took = asked.elapsed();
        // Let the loop run its final export now that this task yields.
        for _ in 0..200 {
            if !collector.accepted().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        took
    });
    assert!(took < DROP_SHUTDOWN_BOUND, "drop blocked for {took:?}");
    let accepted = collector.accepted();
    assert_eq!(accepted.len(), 1, "the final export was made");
    assert_eq!(sum_value(&accepted[0], SAMPLES, "current"), 1);
}
