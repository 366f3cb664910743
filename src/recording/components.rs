//! A recorded `Recovery`'s other components (the SegmentReader's and the Preloader's telemetry
//! over the interval, the progress at its end) and their records, named by walrec's naming
//! table so that the schema needs no field per metric.

use super::schema::{duration_from_pb, duration_to_pb, operation_from_pb, operation_to_pb, pb};
use crate::telemetry::Metric;
use crate::telemetry::{
    DurationSnapshot, ManagerSnapshot, OperationSnapshot, Phase, ProgressSnapshot,
    RecoverySnapshot, SegmentPreloaderSnapshot, SegmentReaderSnapshot,
};

/// What a `Recovery` records besides its Manager's five metrics, for one interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RecoveryComponents {
    /// The segment readers' telemetry over the interval (deltas).
    pub segment_reader: SegmentReaderSnapshot,
    /// The preloader's telemetry over the interval (deltas; `ready_ahead` at its end).
    pub preloader: SegmentPreloaderSnapshot,
    /// The progress at the interval's end.
    pub progress: ProgressSnapshot,
}

impl RecoveryComponents {
    /// The whole recovery's snapshot: these components with `manager`'s metrics.
    pub fn with_manager(&self, manager: &ManagerSnapshot) -> RecoverySnapshot {
        RecoverySnapshot {
            manager: manager.clone(),
            segment_reader: self.segment_reader,
            preloader: self.preloader,
            progress: self.progress,
        }
    }
}

/// The parts of a component, by metric: every operation, duration and count it has.
struct Parts<'a> {
    operations: Vec<(Metric, &'a mut OperationSnapshot)>,
    durations: Vec<(Metric, &'a mut DurationSnapshot)>,
    counts: Vec<(Metric, &'a mut u64)>,
}

fn reader_parts(r: &mut SegmentReaderSnapshot) -> Parts<'_> {
    Parts {
        operations: vec![
            (Metric::OpenSegment, &mut r.open_segment),
            (Metric::CloseSegment, &mut r.close_segment),
            (Metric::VerifySegment, &mut r.verify_segment),
            (Metric::BuildIndex, &mut r.build_index),
        ],
        durations: vec![(Metric::ReaderSeekEvent, &mut r.seek_event)],
        counts: vec![
            (
                Metric::HeaderChecksumFailures,
                &mut r.header_checksum_failures,
            ),
            (
                Metric::BlockChecksumFailures,
                &mut r.block_checksum_failures,
            ),
            (
                Metric::ChainedChecksumFailures,
                &mut r.chained_checksum_failures,
            ),
            (Metric::ValidationFailures, &mut r.validation_failures),
        ],
    }
}

fn preloader_parts(p: &mut SegmentPreloaderSnapshot) -> Parts<'_> {
    Parts {
        operations: vec![
            (Metric::PreloadSegment, &mut p.preload_segment),
            (Metric::FinishSegment, &mut p.finish_segment),
        ],
        durations: vec![(Metric::StallWait, &mut p.stall_wait)],
        counts: vec![
            (Metric::Stalls, &mut p.stalls),
            (Metric::ReadyAhead, &mut p.ready_ahead),
        ],
    }
}

/// The component's record. Entries that hold nothing (an operation or duration that never
/// ran, a zero count) are left out: they read back as the same zeros, and an idle interval
/// then costs a few bytes instead of a name per metric.
fn component_to_pb(parts: Parts<'_>) -> pb::Component {
    let operations = parts
        .operations
        .into_iter()
        .filter(|(_, op)| **op != OperationSnapshot::default())
        .map(|(metric, op)| pb::NamedDuration {
            name: metric.name().to_owned(),
            operation: Some(operation_to_pb(op)),
            duration: None,
        });
    let durations = parts
        .durations
        .into_iter()
        .filter(|(_, d)| **d != DurationSnapshot::default())
        .map(|(metric, d)| pb::NamedDuration {
            name: metric.name().to_owned(),
            operation: None,
            duration: Some(duration_to_pb(d)),
        });
    pb::Component {
        durations: operations.chain(durations).collect(),
        histograms: Vec::new(),
        counts: (parts.counts.into_iter())
            .filter(|(_, value)| **value != 0)
            .map(|(metric, value)| pb::NamedCount {
                name: metric.name().to_owned(),
                value: *value,
            })
            .collect(),
    }
}

/// Fills `parts` from `component`, by name; unknown names (a later writer's) are ignored.
fn component_from_pb(component: &pb::Component, parts: Parts<'_>) {
    let named = |name: &str| component.durations.iter().find(|d| d.name == name);
    for (metric, op) in parts.operations {
        *op = operation_from_pb(named(metric.name()).and_then(|d| d.operation.as_ref()));
    }
    for (metric, d) in parts.durations {
        *d = duration_from_pb(named(metric.name()).and_then(|d| d.duration.as_ref()));
    }
    for (metric, value) in parts.counts {
        let count = component.counts.iter().find(|c| c.name == metric.name());
        *value = count.map_or(0, |c| c.value);
    }
}

fn progress_to_pb(p: &ProgressSnapshot) -> pb::Progress {
    pb::Progress {
        events_done: p.events_replayed,
        events_total: 0,
        last_event_id: p.last_event_id,
        phase: p.phase.name().to_owned(),
        bytes_replayed: p.bytes_replayed,
        bytes_discarded: p.bytes_discarded,
        segments_replayed: p.segments_replayed,
        segments_total: p.segments_total,
        current_event_id: p.current_event_id,
        events_per_sec: p.events_per_sec,
        eta_ns: p.eta_ns,
    }
}

fn progress_from_pb(p: &pb::Progress) -> Result<ProgressSnapshot, String> {
    let phase = Phase::from_name(&p.phase).ok_or_else(|| format!("phase {:?}", p.phase))?;
    Ok(ProgressSnapshot {
        phase,
        events_replayed: p.events_done,
        bytes_replayed: p.bytes_replayed,
        bytes_discarded: p.bytes_discarded,
        segments_replayed: p.segments_replayed,
        segments_total: p.segments_total,
        current_event_id: p.current_event_id,
        last_event_id: p.last_event_id,
        events_per_sec: p.events_per_sec,
        eta_ns: p.eta_ns,
    })
}

/// Sets the interval record's component fields.
pub(crate) fn components_to_pb(components: &RecoveryComponents, interval: &mut pb::Interval) {
    let mut copy = *components;
    interval.segment_reader = Some(component_to_pb(reader_parts(&mut copy.segment_reader)));
    interval.preloader = Some(component_to_pb(preloader_parts(&mut copy.preloader)));
    interval.progress = Some(progress_to_pb(&components.progress));
}

/// The components an interval record holds (`None`: a Manager alone), or why they are invalid.
pub(crate) fn components_from_pb(
    interval: &pb::Interval,
) -> Result<Option<RecoveryComponents>, String> {
    let (Some(reader), Some(preloader), Some(progress)) = (
        &interval.segment_reader,
        &interval.preloader,
        &interval.progress,
    ) else {
        return Ok(None);
    };
    let mut components = RecoveryComponents {
        progress: progress_from_pb(progress)?,
        ..RecoveryComponents::default()
    };
    component_from_pb(reader, reader_parts(&mut components.segment_reader));
    component_from_pb(preloader, preloader_parts(&mut components.preloader));
    Ok(Some(components))
}
