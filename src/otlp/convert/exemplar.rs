//! The interval's slowest `next_event` sample as an OTLP exemplar, filtered as
//! `OTEL_METRICS_EXEMPLAR_FILTER` says.

use opentelemetry_proto::tonic::metrics::v1::{Exemplar, exemplar};

use super::resource::int_attribute;
use crate::otlp::config::ExemplarFilter;
use crate::telemetry;

/// The filtered attribute naming the event the exemplar timed.
pub(super) const EVENT_ID_ATTRIBUTE: &str = "wal.event.id";

/// `sample` as an exemplar, unless `filter` keeps it out: `always_off` keeps every sample
/// out, `trace_based` those not made in a sampled span.
pub(crate) fn to_otlp(
    sample: &telemetry::UnixExemplar,
    filter: ExemplarFilter,
) -> Option<Exemplar> {
    let sampled = sample.trace.is_some_and(|trace| trace.sampled);
    let keep = match filter {
        ExemplarFilter::AlwaysOff => false,
        ExemplarFilter::TraceBased => sampled,
        ExemplarFilter::AlwaysOn => true,
    };
    if !keep {
        return None;
    }
    let (trace_id, span_id) = sample.trace.map_or((Vec::new(), Vec::new()), |trace| {
        (trace.trace_id.to_vec(), trace.span_id.to_vec())
    });
    Some(Exemplar {
        filtered_attributes: sample
            .event_id
            .map(|id| int_attribute(EVENT_ID_ATTRIBUTE, i64::try_from(id).unwrap_or(i64::MAX)))
            .into_iter()
            .collect(),
        time_unix_nano: sample.time_unix_nano,
        span_id,
        trace_id,
        value: Some(exemplar::Value::AsDouble(sample.value_ns as f64)),
    })
}
