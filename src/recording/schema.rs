//! The generated protobuf types of `proto/walrec/v1/recording.proto` and their conversion to and
//! from the recorder's snapshot types. Private: no generated type is part of walrec's API.

use crate::telemetry::{DurationSnapshot, HistogramSnapshot, ManagerSnapshot, OperationSnapshot};

/// The code `build.rs` generated from `proto/`.
#[allow(
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    clippy::all,
    clippy::pedantic
)]
pub(crate) mod pb {
    include!(concat!(env!("OUT_DIR"), "/walrec.v1.rs"));
}

/// The most buckets one recorded histogram may hold: the recorder's whole range at its scale,
/// with room to spare. A record claiming more is corrupt (and would cost unbounded memory).
pub(crate) const MAX_RECORDED_BUCKETS: usize = 1 << 14;

/// The scales a reader accepts: far beyond what the recorder writes, but small enough that
/// bucket arithmetic cannot overflow.
pub(crate) const SCALES: std::ops::RangeInclusive<i32> = -10..=20;

/// The bucket indices a reader accepts (the recorder's are about −1 … 2,300).
const OFFSETS: std::ops::RangeInclusive<i32> = -(1 << 20)..=(1 << 20);

pub(crate) fn duration_to_pb(d: &DurationSnapshot) -> pb::Duration {
    pb::Duration {
        samples: d.samples,
        total_ns: d.total_ns,
        min_ns: d.min_ns,
        max_ns: d.max_ns,
        clamped: d.clamped,
    }
}

pub(crate) fn duration_from_pb(d: Option<&pb::Duration>) -> DurationSnapshot {
    let Some(d) = d else {
        return DurationSnapshot::default();
    };
    DurationSnapshot {
        samples: d.samples,
        total_ns: d.total_ns,
        min_ns: d.min_ns,
        max_ns: d.max_ns,
        clamped: d.clamped,
    }
}

pub(crate) fn operation_to_pb(op: &OperationSnapshot) -> pb::Operation {
    pb::Operation {
        duration: Some(duration_to_pb(&op.duration)),
        success: op.success,
        failures: op.failures,
    }
}

pub(crate) fn operation_from_pb(op: Option<&pb::Operation>) -> OperationSnapshot {
    let Some(op) = op else {
        return OperationSnapshot::default();
    };
    let mut snapshot = OperationSnapshot {
        duration: duration_from_pb(op.duration.as_ref()),
        success: op.success,
        failures: op.failures,
    };
    // The snapshot invariant, whatever the bytes said.
    snapshot.duration.samples = op.success.saturating_add(op.failures);
    snapshot
}

pub(crate) fn histogram_to_pb(h: &HistogramSnapshot) -> pb::Histogram {
    pb::Histogram {
        scale: h.scale,
        offset: h.offset,
        counts: h.counts.clone(),
        zero_count: h.zero_count,
        count: h.count,
        sum: h.sum,
        min: h.min,
        max: h.max,
        saturated: h.saturated,
    }
}

/// The histogram a record holds, or why it cannot be one.
pub(crate) fn histogram_from_pb(h: Option<&pb::Histogram>) -> Result<HistogramSnapshot, String> {
    let Some(h) = h else {
        return Ok(HistogramSnapshot::default());
    };
    if !SCALES.contains(&h.scale) {
        return Err(format!("histogram scale {} out of range", h.scale));
    }
    if !OFFSETS.contains(&h.offset) || h.counts.len() > MAX_RECORDED_BUCKETS {
        return Err(format!(
            "histogram buckets {}+{} out of range",
            h.offset,
            h.counts.len()
        ));
    }
    let bucketed = h
        .counts
        .iter()
        .try_fold(h.zero_count, |total, &c| total.checked_add(c));
    if bucketed != Some(h.count) {
        return Err("histogram count differs from its buckets".to_owned());
    }
    Ok(HistogramSnapshot {
        scale: h.scale,
        offset: h.offset,
        counts: h.counts.clone(),
        zero_count: h.zero_count,
        count: h.count,
        sum: h.sum,
        min: h.min,
        max: h.max,
        saturated: h.saturated,
    })
}

/// The five metrics of an interval record.
pub(crate) fn snapshot_to_pb(s: &ManagerSnapshot, interval: &mut pb::Interval) {
    interval.read_segment_header = Some(operation_to_pb(&s.read_segment_header));
    interval.resume_from_event = Some(operation_to_pb(&s.resume_from_event));
    interval.seek_event = Some(duration_to_pb(&s.seek_event));
    interval.next_event = Some(duration_to_pb(&s.next_event));
    interval.next_event_histogram = Some(histogram_to_pb(&s.next_event_histogram));
}

/// The five metrics an interval record holds, or why they are not valid.
pub(crate) fn snapshot_from_pb(interval: &pb::Interval) -> Result<ManagerSnapshot, String> {
    let next_event_histogram = histogram_from_pb(interval.next_event_histogram.as_ref())?;
    let mut next_event = duration_from_pb(interval.next_event.as_ref());
    next_event.samples = next_event_histogram.count;
    Ok(ManagerSnapshot {
        read_segment_header: operation_from_pb(interval.read_segment_header.as_ref()),
        resume_from_event: operation_from_pb(interval.resume_from_event.as_ref()),
        seek_event: duration_from_pb(interval.seek_event.as_ref()),
        next_event,
        next_event_histogram,
    })
}
