//! `Manager`: the recovery manager's five metrics, laid out one per cache line.

use super::histogram::{HistogramSnapshot, LatencyHistogram};
use super::stats::{
    DerivedDurationStats, DurationSnapshot, DurationStats, OperationSnapshot, OperationStats,
};
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
    pub read_segment_header: OperationStats,
    /// Resuming playback at an event id: locate, open, verify and seek.
    pub resume_from_event: OperationStats,
    /// The reader's inner `seek(event_id)` alone.
    pub seek_event: DurationStats,
    /// The time from one `on_next_event` call to the next: fetching an event *and* whatever the
    /// caller did with the previous one (the full replay path). Its figures come from
    /// `next_event_histogram`.
    pub next_event: DerivedDurationStats,
    /// Nanosecond distribution of the `next_event` samples, for p50 … p99.9999.
    pub next_event_histogram: LatencyHistogram,
}

super::cache_line::assert_cache_lines!(
    Manager,
    read_segment_header,
    resume_from_event,
    seek_event,
    next_event,
    next_event_histogram
);

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
            read_segment_header: OperationStats::new(),
            resume_from_event: OperationStats::new(),
            seek_event: DurationStats::new(),
            next_event: DerivedDurationStats::new(),
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

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A snapshot, not the atomics: what the counters say, not how they are laid out.
        f.debug_tuple("Manager").field(&self.snapshot()).finish()
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

impl ManagerSnapshot {
    /// Writes what was recorded after `base` (an earlier snapshot of the same `Manager`) into
    /// `out`, reusing its histogram buffer: the interval between the two snapshots. Counts,
    /// totals and buckets are differences; min and max stay lifetime values (see
    /// [`DurationSnapshot::since`]).
    pub fn since_into(&self, base: &ManagerSnapshot, out: &mut ManagerSnapshot) {
        out.read_segment_header = self.read_segment_header.since(&base.read_segment_header);
        out.resume_from_event = self.resume_from_event.since(&base.resume_from_event);
        out.seek_event = self.seek_event.since(&base.seek_event);
        self.next_event_histogram
            .since_into(&base.next_event_histogram, &mut out.next_event_histogram);
        out.next_event = self.next_event.since(&base.next_event);
        // The histogram is the source of next_event's figures: keep the two in step.
        out.next_event.samples = out.next_event_histogram.count;
    }

    /// Adds `other`'s values, as if both had been recorded into one `Manager` (for example two
    /// consecutive intervals).
    pub fn merge(&mut self, other: &ManagerSnapshot) {
        self.read_segment_header.merge(&other.read_segment_header);
        self.resume_from_event.merge(&other.resume_from_event);
        self.seek_event.merge(&other.seek_event);
        self.next_event.merge(&other.next_event);
        self.next_event_histogram.merge(&other.next_event_histogram);
        self.next_event.samples = self.next_event_histogram.count;
    }
}

impl Manager {
    /// The slowest `next_event` sample since the last call, with its trace context and event
    /// id: the exemplar of the interval this call closes (see
    /// [`LatencyHistogram::take_exemplar`]).
    pub fn take_next_event_exemplar(&self) -> Option<super::histogram::Exemplar> {
        self.next_event_histogram.take_exemplar()
    }

    /// Registers a consumer of `next_event` exemplars (see
    /// [`LatencyHistogram::exemplar_reader`]): each consumer gets its own interval's slowest
    /// sample, however often the others take.
    pub fn next_event_exemplar_reader(&self) -> super::histogram::ExemplarReader {
        self.next_event_histogram.exemplar_reader()
    }

    /// The slowest `next_event` sample since `reader`'s last take (see
    /// [`LatencyHistogram::take_exemplar_for`]).
    pub fn take_next_event_exemplar_for(
        &self,
        reader: &super::histogram::ExemplarReader,
    ) -> Option<super::histogram::Exemplar> {
        self.next_event_histogram.take_exemplar_for(reader)
    }
}
