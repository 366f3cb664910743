//! Reading values back out of OTLP requests.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric::Data, number_data_point::Value};

/// Every metric of the `walrec` scope in a request.
pub fn walrec_metrics(request: &ExportMetricsServiceRequest) -> Vec<&Metric> {
    request
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .filter(|s| s.scope.as_ref().is_some_and(|scope| scope.name == "walrec"))
        .flat_map(|s| &s.metrics)
        .collect()
}

/// The metric with this name.
pub fn metric<'a>(request: &'a ExportMetricsServiceRequest, name: &str) -> &'a Metric {
    walrec_metrics(request)
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

/// The integer value of a Sum's point for `instance`.
pub fn sum_value(request: &ExportMetricsServiceRequest, name: &str, instance: &str) -> i64 {
    let Some(Data::Sum(sum)) = &metric(request, name).data else {
        panic!("{name} is not a Sum");
    };
    let point = sum
        .data_points
        .iter()
        .find(|p| {
            p.attributes.iter().any(|kv| {
                kv.key == "wal.recovery.instance"
                    && matches!(&kv.value.as_ref().and_then(|v| v.value.clone()),
                        Some(AnyValue::StringValue(s)) if s == instance)
            })
        })
        .unwrap_or_else(|| panic!("{name} has no point for {instance}"));
    match point.value {
        Some(Value::AsInt(v)) => v,
        other => panic!("{name}: {other:?}"),
    }
}

/// The `wal.recovery.instance` of every point of the Sum `name`, sorted; empty when the
/// request does not have the metric.
pub fn instances(request: &ExportMetricsServiceRequest, name: &str) -> Vec<String> {
    let Some(found) = walrec_metrics(request).into_iter().find(|m| m.name == name) else {
        return Vec::new();
    };
    let Some(Data::Sum(sum)) = &found.data else {
        panic!("{name} is not a Sum");
    };
    let mut names: Vec<String> = sum
        .data_points
        .iter()
        .flat_map(|p| &p.attributes)
        .filter(|kv| kv.key == "wal.recovery.instance")
        .filter_map(|kv| match kv.value.as_ref().and_then(|v| v.value.clone()) {
            Some(AnyValue::StringValue(s)) => Some(s),
            _ => None,
        })
        .collect();
    names.sort();
    names
}

/// The agent's own counter `name` (scope `walrec.agent`) in `request`, by the `error.type` of
/// each point (`""` for the point without one).
pub fn agent_counter(
    request: &ExportMetricsServiceRequest,
    name: &str,
) -> std::collections::BTreeMap<String, i64> {
    let scopes = request
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics);
    let own = scopes
        .filter(|s| s.scope.as_ref().is_some_and(|s| s.name == "walrec.agent"))
        .flat_map(|s| &s.metrics)
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("the agent's {name} is missing"));
    let Some(Data::Sum(sum)) = &own.data else {
        panic!("{name} is not a Sum");
    };
    let error_type = |attributes: &[opentelemetry_proto::tonic::common::v1::KeyValue]| {
        let found = attributes.iter().find(|kv| kv.key == "error.type");
        match found.and_then(|kv| kv.value.as_ref()?.value.clone()) {
            Some(AnyValue::StringValue(s)) => s,
            _ => String::new(),
        }
    };
    sum.data_points
        .iter()
        .map(|p| match p.value {
            Some(Value::AsInt(v)) => (error_type(&p.attributes), v),
            other => panic!("{name}: {other:?}"),
        })
        .collect()
}

/// The data points of the exponential histogram `name` (scope `walrec`) across `requests`:
/// the sum of their counts (non-zero once any saw a sample) and every exemplar they carry.
pub fn histogram_exemplars(
    requests: &[ExportMetricsServiceRequest],
    name: &str,
) -> (u64, Vec<opentelemetry_proto::tonic::metrics::v1::Exemplar>) {
    let mut count = 0;
    let mut exemplars = Vec::new();
    for request in requests {
        let Some(found) = walrec_metrics(request).into_iter().find(|m| m.name == name) else {
            continue;
        };
        let Some(Data::ExponentialHistogram(histogram)) = &found.data else {
            panic!("{name} is not an exponential histogram");
        };
        for point in &histogram.data_points {
            count += point.count;
            exemplars.extend(point.exemplars.iter().cloned());
        }
    }
    (count, exemplars)
}
