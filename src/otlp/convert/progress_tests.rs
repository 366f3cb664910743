//! The recovery's progress counters under delta temporality: each export carries the events,
//! bytes and segments added since the previous acknowledged export, not the running total
//! (which a backend summing deltas would count again and again).

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point::Value};

use super::{Converter, ExportSource};
use crate::otlp::config::{Config, Temporality};
use crate::telemetry::Recovery;

/// The value of the sum `name` in `request`.
fn sum(request: &ExportMetricsServiceRequest, name: &str) -> i64 {
    let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
    let metric = metrics.iter().find(|m| m.name == name);
    match metric.and_then(|m| m.data.as_ref()) {
        Some(Data::Sum(sum)) => match sum.data_points[0].value {
            Some(Value::AsInt(n)) => n,
            other => panic!("{name}: {other:?}"),
        },
        other => panic!("{name} is not a sum: {other:?}"),
    }
}

#[test]
fn delta_exports_carry_the_progress_added_since_the_last_one() {
    let recovery = Arc::new(Recovery::new());
    let mut sources = [ExportSource::new("replay", Arc::clone(&recovery).into())];
    for temporality in [Temporality::Delta, Temporality::Cumulative] {
        let config = Config::builder().temporality(temporality).build();
        let converter = Converter::from_config(&config.expect("a valid configuration"));
        let mut seen = Vec::new();
        for (events, bytes) in [(100, 6_400), (250, 16_000), (0, 0)] {
            recovery.progress.replayed(events, bytes, events, 1);
            recovery.progress.segment_replayed();
            let request = converter.request(&mut sources);
            sources[0].acknowledge();
            let events = sum(&request, "walrec.recovery.events_replayed");
            let segments = sum(&request, "walrec.recovery.segments_replayed");
            seen.push((events, segments));
        }
        match temporality {
            Temporality::Delta => assert_eq!(seen, [(100, 1), (250, 1), (0, 1)]),
            _ => assert_eq!(seen, [(450, 4), (700, 5), (700, 6)]),
        }
    }
}
