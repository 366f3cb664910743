//! `IntervalSampler`: snapshots registered managers and turns consecutive snapshots into
//! interval deltas. What the flight recorder's thread runs each tick; usable directly when the
//! caller owns the schedule (tests, a custom loop).

use std::sync::Arc;

use super::components::RecoveryComponents;
use super::error::RecordingError;
use super::header::RecordedInterval;
use super::writer::RecordingWriter;
use crate::telemetry::{ExemplarReader, Manager, ManagerSnapshot, Recovery, RecoverySnapshot};

/// Something that holds a `Manager` the recorder may read for as long as it runs: an
/// `Arc<Manager>` (its five metrics are recorded), or an `Arc<Recovery>` (its Manager's metrics,
/// the SegmentReader's and the Preloader's telemetry, and the progress).
pub trait ManagerSource: Send + Sync + 'static {
    /// The manager to snapshot.
    fn manager(&self) -> &Manager;

    /// The whole recovery, when this is one: its other components are recorded too.
    fn recovery(&self) -> Option<&Recovery> {
        None
    }
}

impl ManagerSource for Arc<Manager> {
    fn manager(&self) -> &Manager {
        self
    }
}

impl ManagerSource for Arc<Recovery> {
    fn manager(&self) -> &Manager {
        &self.manager
    }

    fn recovery(&self) -> Option<&Recovery> {
        Some(self)
    }
}

/// Nanoseconds since the Unix epoch (0 before 1970).
pub(crate) fn unix_now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One recorded manager and its last snapshot.
struct Source {
    manager: Box<dyn ManagerSource>,
    /// The recorder's own hand-off of `next_event` exemplars (the OTLP agent has another).
    exemplars: ExemplarReader,
    baseline: RecoverySnapshot,
    current: RecoverySnapshot,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("baseline", &self.baseline)
            .finish()
    }
}

/// Takes interval deltas of a fixed set of managers and appends them to a [`RecordingWriter`].
#[derive(Debug)]
pub struct IntervalSampler {
    sources: Vec<Source>,
    interval: RecordedInterval,
    /// Scratch for one source's delta, reused between intervals.
    delta: RecoverySnapshot,
    sequence: u64,
    last_unix_nano: u64,
}

impl IntervalSampler {
    /// A sampler of `managers` (in the header's instance order) whose first interval starts at
    /// `start_unix_nano`. Deltas start from zero: a manager's first interval also holds what it
    /// recorded before the sampler was created (exemplars: only what was recorded after).
    pub fn new<S: ManagerSource>(managers: Vec<S>, start_unix_nano: u64) -> Self {
        let sources = managers
            .into_iter()
            .map(|manager| Source {
                exemplars: manager.manager().next_event_exemplar_reader(),
                manager: Box::new(manager) as Box<dyn ManagerSource>,
                baseline: RecoverySnapshot::default(),
                current: RecoverySnapshot::default(),
            })
            .collect();
        IntervalSampler {
            sources,
            interval: RecordedInterval {
                instance: 0,
                sequence: 0,
                start_unix_nano,
                end_unix_nano: start_unix_nano,
                delta: ManagerSnapshot::default(),
                exemplar: None,
                components: None,
                last: false,
            },
            delta: RecoverySnapshot::default(),
            sequence: 0,
            last_unix_nano: start_unix_nano,
        }
    }

    /// Snapshots every manager now and appends each one's interval since the previous call;
    /// `last` marks the recording's final interval.
    pub fn sample(
        &mut self,
        writer: &mut RecordingWriter,
        last: bool,
    ) -> Result<(), RecordingError> {
        let now = unix_now_ns().max(self.last_unix_nano);
        self.interval.sequence = self.sequence;
        self.interval.start_unix_nano = self.last_unix_nano;
        self.interval.end_unix_nano = now;
        self.interval.last = last;
        for (instance, source) in self.sources.iter_mut().enumerate() {
            let manager = source.manager.manager();
            let recovery = source.manager.recovery();
            match recovery {
                Some(recovery) => recovery.snapshot_into(&mut source.current),
                None => manager.snapshot_into(&mut source.current.manager),
            }
            self.interval.exemplar = manager
                .take_next_event_exemplar_for(&source.exemplars)
                .map(|sample| sample.to_unix());
            source.current.since_into(&source.baseline, &mut self.delta);
            std::mem::swap(&mut source.baseline, &mut source.current);
            std::mem::swap(&mut self.interval.delta, &mut self.delta.manager);
            self.interval.components = recovery.map(|_| RecoveryComponents {
                segment_reader: self.delta.segment_reader,
                preloader: self.delta.preloader,
                progress: self.delta.progress,
            });
            self.interval.instance = instance;
            writer.append(&self.interval)?;
        }
        self.sequence += 1;
        self.last_unix_nano = now;
        Ok(())
    }
}
