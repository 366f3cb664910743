//! deploy/'s gateway topology with the real programs: walrec → an agent collector running
//! agent-to-gateway.yaml → two gateway replicas running gateway.yaml → Prometheus 3 and
//! Jaeger v2. Two recoveries (two services, two traces): every count and metric arrives
//! through both hops, each span tree whole, and each trace whole on one gateway.

#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]

mod support;

use support::backends;
use support::pipeline::Collector;
use support::pipeline_checks as checks;
use support::stack::{self, Backends};

const SERVICES: [&str; 2] = ["walrec-e2e-tier-a", "walrec-e2e-tier-b"];

#[test]
fn both_hops_deliver_every_count_and_each_trace_stays_whole_on_one_gateway() {
    if !backends::available("two-tier pipeline") {
        return;
    }
    let stack = Backends::start();
    let gateways = [
        stack.collector("otelcol-gateway-1", "gateway.yaml", Vec::new()),
        stack.collector("otelcol-gateway-2", "gateway.yaml", Vec::new()),
    ];
    let addresses = gateways.iter().map(|g| g.grpc.clone()).collect();
    let agent = stack.collector("otelcol-agent", "agent-to-gateway.yaml", addresses);
    let wal = stack.wal("wal", 100_000, 1 << 20);

    let mut trace_sizes = Vec::new();
    for service in SERVICES {
        let run = stack::replay(&wal, service, &stack::replay_env(&agent.grpc, service));
        let samples = stack::next_event_samples(&run.finished.stdout);
        checks::wait_for_count(&stack.prometheus, service, samples);
        checks::every_exported_metric_is_in_prometheus(&stack.prometheus, service);
        let segments = stack.prometheus.query_value(&format!(
            "walrec_recovery_segments_replayed_total{{job=\"{service}\"}}"
        ));
        let spans = checks::wait_for_spans(&stack.jaeger, service, segments as usize);
        let root = spans.iter().find(|s| s["name"] == "wal.recovery");
        checks::assert_tree(&spans, root.expect("a root"));
        trace_sizes.push(spans.len() as f64);
    }
    each_trace_is_whole_on_one_gateway(&gateways, &trace_sizes);
}

/// The spans each gateway accepted add up to whole traces: 0, one trace or both, never a part.
fn each_trace_is_whole_on_one_gateway(gateways: &[Collector], trace_sizes: &[f64]) {
    let accepted: Vec<f64> = gateways
        .iter()
        .map(|g| g.own_metric("otelcol_receiver_accepted_spans", ""))
        .collect();
    let total: f64 = trace_sizes.iter().sum();
    assert_eq!(
        accepted.iter().sum::<f64>(),
        total,
        "every span through one gateway"
    );
    let wholes = [0.0, trace_sizes[0], trace_sizes[1], total];
    for (i, spans) in accepted.iter().enumerate() {
        assert!(
            wholes.contains(spans),
            "gateway {} took {spans} spans, not whole traces of {trace_sizes:?}",
            i + 1
        );
    }
}
