//! The Prometheus names of the OTLP agent's own telemetry, from a real export.

use std::collections::BTreeSet;

/// The Prometheus names of what the agent really exports about itself (scope `walrec.agent`):
/// one export to an in-process collector, translated as Prometheus' OTLP receiver does.
pub fn agent_self_telemetry_names() -> BTreeSet<String> {
    use opentelemetry_proto::tonic::metrics::v1::metric::Data;
    use std::sync::Arc;

    let collector = super::fake_collector::FakeCollector::start(Vec::new());
    let config = walrec::otlp::Config::builder()
        .endpoint(&collector.endpoint())
        .interval(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
    let manager = Arc::new(walrec::telemetry::Manager::new());
    let agent = walrec::otlp::Agent::start(&config, [("names".to_owned(), manager)]).unwrap();
    agent
        .force_flush()
        .expect("one export to the in-process collector");
    drop(agent);
    let mut names = BTreeSet::new();
    for request in collector.accepted() {
        let scopes = request
            .resource_metrics
            .iter()
            .flat_map(|r| &r.scope_metrics);
        for scope in scopes.filter(|s| s.scope.as_ref().is_some_and(|s| s.name == "walrec.agent")) {
            for metric in &scope.metrics {
                let kind = match &metric.data {
                    Some(Data::Sum(sum)) if sum.is_monotonic => "counter",
                    Some(Data::Gauge(_)) => "gauge",
                    other => panic!("{}: unexpected agent metric {other:?}", metric.name),
                };
                names.insert(super::deploy::prometheus_name(
                    &metric.name,
                    &metric.unit,
                    kind,
                ));
            }
        }
    }
    assert!(names.len() >= 4, "the agent's self-telemetry: {names:?}");
    names
}
