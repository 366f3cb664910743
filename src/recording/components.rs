//! A recorded `Recovery`'s other components (the SegmentReader's and the Preloader's telemetry
//! over the interval, the progress at its end) and their records, named by walrec's naming
//! table so that the schema needs no field per metric.

use super::schema::{duration_from_pb, duration_to_pb, operation_from_pb, operation_to_pb, pb};
use crate::telemetry::Metric;
use crate::telemetry::component::SeriesMut;
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

/// The component's record. Entries that hold nothing (an operation or duration that never
/// ran, a zero count) are left out: they read back as the same zeros, and an idle interval
/// then costs a few bytes instead of a name per metric.
fn component_to_pb<'a>(series: impl IntoIterator<Item = (Metric, SeriesMut<'a>)>) -> pb::Component {
    let mut component = pb::Component::default();
    for (metric, value) in series {
        let name = metric.name().to_owned();
        match value {
            SeriesMut::Operation(op) if *op != OperationSnapshot::default() => {
                component.durations.push(pb::NamedDuration {
                    name,
                    operation: Some(operation_to_pb(op)),
                    duration: None,
                });
            }
            SeriesMut::Duration(d) if *d != DurationSnapshot::default() => {
                component.durations.push(pb::NamedDuration {
                    name,
                    operation: None,
                    duration: Some(duration_to_pb(d)),
                });
            }
            SeriesMut::Value(value) if *value != 0 => {
                component.counts.push(pb::NamedCount {
                    name,
                    value: *value,
                });
            }
            _ => {}
        }
    }
    component
}

/// Fills `series` from `component`, by name; unknown names (a later writer's) are ignored.
fn component_from_pb<'a>(
    component: &pb::Component,
    series: impl IntoIterator<Item = (Metric, SeriesMut<'a>)>,
) {
    let named = |name: &str| component.durations.iter().find(|d| d.name == name);
    for (metric, value) in series {
        match value {
            SeriesMut::Operation(op) => {
                *op = operation_from_pb(named(metric.name()).and_then(|d| d.operation.as_ref()));
            }
            SeriesMut::Duration(d) => {
                *d = duration_from_pb(named(metric.name()).and_then(|d| d.duration.as_ref()));
            }
            SeriesMut::Value(value) => {
                let count = component.counts.iter().find(|c| c.name == metric.name());
                *value = count.map_or(0, |c| c.value);
            }
        }
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
    interval.segment_reader = Some(component_to_pb(copy.segment_reader.series_mut()));
    interval.preloader = Some(component_to_pb(copy.preloader.series_mut()));
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
    component_from_pb(reader, components.segment_reader.series_mut());
    component_from_pb(preloader, components.preloader.series_mut());
    Ok(Some(components))
}
