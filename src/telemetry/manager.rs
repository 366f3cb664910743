//! `Manager`: the recovery manager's five metrics, laid out one per cache line.

use super::histogram::{HistogramSnapshot, LatencyHistogram};
use super::stats::{DerivedDuration, Duration, DurationSnapshot, Operation, OperationSnapshot};
use super::updater::ManagerUpdater;

/// The telemetry of a WAL recovery manager.
///
/// The fields are the specification's, in its order. Each starts on its own 64-byte cache line,
/// so that recording one metric never invalidates the line another metric lives on (checked at
/// compile time below). Record through a [`ManagerUpdater`], one per recording thread; read
/// through [`snapshot`](Self::snapshot), [`dump`](Self::dump) or [`collect`](Self::collect).
///
/// A `Manager` is deliberately neither `Clone` nor `Copy`: a copy of live counters would be a
/// torn, silently diverging second source of truth. Take a snapshot instead.
#[repr(C, align(64))]
pub struct Manager {
    /// Parsing and validating each segment header while scanning the directory.
    pub read_segment_header: Operation,
    /// Resuming playback at an event id: locate, open, verify and seek.
    pub resume_from_event: Operation,
    /// The reader's inner `seek(event_id)` alone.
    pub seek_event: Duration,
    /// Fetching the next event; its figures come from `next_event_histogram`.
    pub next_event: DerivedDuration,
    /// Nanosecond latency distribution of `next_event`, for p50 … p99.9999.
    pub next_event_histogram: LatencyHistogram,
}

const CACHE_LINE: usize = 64;
const _: () = {
    assert!(std::mem::size_of::<Manager>() % CACHE_LINE == 0);
    assert!(std::mem::align_of::<Manager>() == CACHE_LINE);
    assert!(std::mem::offset_of!(Manager, read_segment_header) % CACHE_LINE == 0);
    assert!(std::mem::offset_of!(Manager, resume_from_event) % CACHE_LINE == 0);
    assert!(std::mem::offset_of!(Manager, seek_event) % CACHE_LINE == 0);
    assert!(std::mem::offset_of!(Manager, next_event) % CACHE_LINE == 0);
    assert!(std::mem::offset_of!(Manager, next_event_histogram) % CACHE_LINE == 0);
};

impl Default for Manager {
    fn default() -> Self {
        Self::new()
    }
}

impl Manager {
    /// Empty metrics. `const`, so a `Manager` can be a `static`; it allocates nothing until a
    /// histogram writer is created.
    pub const fn new() -> Self {
        Manager {
            read_segment_header: Operation::new(),
            resume_from_event: Operation::new(),
            seek_event: Duration::new(),
            next_event: DerivedDuration::new(),
            next_event_histogram: LatencyHistogram::new(),
        }
    }

    /// A recording handle for the calling thread; see [`ManagerUpdater`].
    pub fn updater(&self) -> ManagerUpdater<'_> {
        ManagerUpdater::new(self)
    }

    /// A plain copy of all five metrics (the specification's `copy_to`).
    pub fn snapshot(&self) -> ManagerSnapshot {
        let mut snapshot = ManagerSnapshot::default();
        self.snapshot_into(&mut snapshot);
        snapshot
    }

    /// Overwrites `out` with the current metrics, reusing its histogram buffer.
    pub fn snapshot_into(&self, out: &mut ManagerSnapshot) {
        out.read_segment_header = self.read_segment_header.snapshot();
        out.resume_from_event = self.resume_from_event.snapshot();
        out.seek_event = self.seek_event.snapshot();
        self.next_event_histogram
            .snapshot_into(&mut out.next_event_histogram);
        out.next_event = self.next_event.snapshot(&out.next_event_histogram);
    }
}

/// A plain copy of a [`Manager`]'s five metrics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ManagerSnapshot {
    /// See [`Manager::read_segment_header`].
    pub read_segment_header: OperationSnapshot,
    /// See [`Manager::resume_from_event`].
    pub resume_from_event: OperationSnapshot,
    /// See [`Manager::seek_event`].
    pub seek_event: DurationSnapshot,
    /// See [`Manager::next_event`]; derived from `next_event_histogram`.
    pub next_event: DurationSnapshot,
    /// See [`Manager::next_event_histogram`], at the recording scale.
    pub next_event_histogram: HistogramSnapshot,
}
