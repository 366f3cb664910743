//! A recorded interval's exemplar: the slowest `next_event` sample, to and from its record.

use super::schema::pb;
use crate::telemetry::{TraceContext, UnixExemplar};

pub(crate) fn exemplar_to_pb(sample: &UnixExemplar) -> pb::Exemplar {
    let (trace_id, span_id, sampled) = sample.trace.map_or((Vec::new(), Vec::new(), false), |t| {
        (t.trace_id.to_vec(), t.span_id.to_vec(), t.sampled)
    });
    pb::Exemplar {
        value_ns: sample.value_ns,
        time_unix_nano: sample.time_unix_nano,
        trace_id,
        span_id,
        event_id: sample.event_id,
        sampled,
    }
}

/// The exemplar a record holds, or why it cannot be one.
pub(crate) fn exemplar_from_pb(sample: &pb::Exemplar) -> Result<UnixExemplar, String> {
    let trace = match (sample.trace_id.as_slice(), sample.span_id.as_slice()) {
        ([], []) => None,
        (trace_id, span_id) => Some(TraceContext {
            trace_id: trace_id
                .try_into()
                .map_err(|_| format!("an exemplar trace id of {} bytes", trace_id.len()))?,
            span_id: span_id
                .try_into()
                .map_err(|_| format!("an exemplar span id of {} bytes", span_id.len()))?,
            sampled: sample.sampled,
        }),
    };
    Ok(UnixExemplar {
        value_ns: sample.value_ns,
        time_unix_nano: sample.time_unix_nano,
        trace,
        event_id: sample.event_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exemplar_round_trips_with_or_without_its_trace_and_bad_ids_are_refused() {
        let traced = UnixExemplar {
            value_ns: 1_234,
            time_unix_nano: 1_700_000_000_000_000_001,
            trace: Some(TraceContext {
                trace_id: [7; 16],
                span_id: [9; 8],
                sampled: true,
            }),
            event_id: Some(0),
        };
        let bare = UnixExemplar {
            trace: None,
            event_id: None,
            ..traced
        };
        for sample in [traced, bare] {
            assert_eq!(exemplar_from_pb(&exemplar_to_pb(&sample)), Ok(sample));
        }
        let mut torn = exemplar_to_pb(&traced);
        torn.span_id.pop();
        let error = exemplar_from_pb(&torn).unwrap_err();
        assert!(error.contains("span id of 7 bytes"), "{error}");
    }
}
