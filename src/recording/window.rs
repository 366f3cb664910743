//! Windows of a recording: the intervals between two offsets from its start, merged into the
//! dump a live process would have printed over the same window, and the per-interval figures
//! the report's table shows.

use std::time::Duration;

use super::header::RecordedInterval;
use super::reader::Recording;
use crate::telemetry::{ManagerSnapshot, RecoverySnapshot, UnixExemplar};

/// A time window, as offsets from the recording's start; `None` is open-ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Keep intervals that start at or after this offset.
    pub from: Option<Duration>,
    /// Keep intervals that end at or before this offset.
    pub to: Option<Duration>,
}

impl Window {
    /// Whether an interval from `start` to `end` (offsets from the recording's start) lies
    /// inside the window.
    pub fn contains(&self, (start, end): (Duration, Duration)) -> bool {
        self.from.is_none_or(|from| start >= from) && self.to.is_none_or(|to| end <= to)
    }
}

/// One row of the report's table: one instance's interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRow {
    /// Index into the header's instances.
    pub instance: usize,
    /// Start of the interval, from the recording's start.
    pub start: Duration,
    /// End of the interval, from the recording's start.
    pub end: Duration,
    /// `next_event` samples per second of the interval's wall time.
    pub events_per_sec: f64,
    /// `next_event` percentiles in nanoseconds (`None` in an empty interval).
    pub p50_ns: Option<f64>,
    /// See `p50_ns`.
    pub p99_ns: Option<f64>,
    /// See `p50_ns`.
    pub p999_ns: Option<f64>,
    /// The interval's largest `next_event`, at bucket resolution.
    pub max_ns: Option<f64>,
    /// Failed segment-header reads and resumes in the interval.
    pub failures: u64,
    /// The interval's slowest `next_event` sample, with its trace and event id.
    pub exemplar: Option<UnixExemplar>,
}

impl Recording {
    /// The interval's start and end as offsets from the recording's start.
    pub fn offsets(&self, interval: &RecordedInterval) -> (Duration, Duration) {
        let origin = self.header.start_unix_nano;
        (
            Duration::from_nanos(interval.start_unix_nano.saturating_sub(origin)),
            Duration::from_nanos(interval.end_unix_nano.saturating_sub(origin)),
        )
    }

    /// The intervals of `instance` inside `window`, in order.
    pub fn intervals_in(
        &self,
        instance: usize,
        window: Window,
    ) -> impl Iterator<Item = &RecordedInterval> + '_ {
        self.intervals.iter().filter(move |interval| {
            interval.instance == instance && window.contains(self.offsets(interval))
        })
    }

    /// `instance`'s telemetry over `window`, merged from the interval deltas: the same buckets,
    /// counts and totals as a live dump's delta over the window (and, as there, lifetime
    /// extremes as of the window's end).
    pub fn merged(&self, instance: usize, window: Window) -> ManagerSnapshot {
        let mut merged = ManagerSnapshot::default();
        for interval in self.intervals_in(instance, window) {
            merged.merge(&interval.delta);
        }
        merged
    }

    /// `instance`'s whole-recovery telemetry over `window`, when it was recorded as a
    /// `Recovery`: [`merged`](Self::merged)'s Manager metrics with the other components'
    /// deltas merged the same way, and the progress at the window's end. `None` for a Manager
    /// recorded alone.
    pub fn merged_recovery(&self, instance: usize, window: Window) -> Option<RecoverySnapshot> {
        let mut merged: Option<RecoverySnapshot> = None;
        for interval in self.intervals_in(instance, window) {
            let Some(components) = &interval.components else {
                continue;
            };
            let part = components.with_manager(&interval.delta);
            match &mut merged {
                Some(merged) => merged.merge(&part),
                None => merged = Some(part),
            }
        }
        merged
    }

    /// The intervals inside `window` (every instance) grouped by tick, oldest first: what
    /// one live export of all instances would have carried.
    pub fn ticks(&self, window: Window) -> Vec<Vec<&RecordedInterval>> {
        let inside: Vec<&RecordedInterval> = self
            .intervals
            .iter()
            .filter(|interval| window.contains(self.offsets(interval)))
            .collect();
        inside
            .chunk_by(|a, b| a.sequence == b.sequence)
            .map(<[&RecordedInterval]>::to_vec)
            .collect()
    }

    /// The table's rows for every interval inside `window`, all instances, in file order.
    pub fn rows(&self, window: Window) -> Vec<IntervalRow> {
        (0..self.header.instances.len())
            .flat_map(|instance| self.intervals_in(instance, window))
            .map(|interval| self.row(interval))
            .collect()
    }

    fn row(&self, interval: &RecordedInterval) -> IntervalRow {
        let (start, end) = self.offsets(interval);
        let delta = &interval.delta;
        let histogram = &delta.next_event_histogram;
        let seconds = (end - start).as_secs_f64();
        let events_per_sec = if seconds > 0.0 {
            histogram.count as f64 / seconds
        } else {
            0.0
        };
        IntervalRow {
            instance: interval.instance,
            start,
            end,
            events_per_sec,
            p50_ns: histogram.value_at_quantile(0.50),
            p99_ns: histogram.value_at_quantile(0.99),
            p999_ns: histogram.value_at_quantile(0.999),
            max_ns: histogram.value_at_quantile(1.0),
            failures: delta
                .read_segment_header
                .failures
                .saturating_add(delta.resume_from_event.failures),
            exemplar: interval.exemplar,
        }
    }
}
