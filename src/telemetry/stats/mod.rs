//! Duration statistics: [`DurationStats`] (samples, total, min, max) and [`OperationStats`]
//! (the same, split into successes and failures), with plain snapshots and the figures derived
//! from them.
//!
//! Both are shared by all threads and updated with atomic read-modify-writes. They are meant
//! for the recovery manager's colder operations (reading a header, resuming, seeking), which
//! happen per segment or per resume, not per event; the per-event path uses the sharded
//! [`LatencyHistogram`](super::histogram::LatencyHistogram) instead.
//!
//! A snapshot taken while other threads record is always consistent: no count ever goes down
//! between two snapshots, `success + failures == samples`, and whenever `samples > 0` the
//! minimum is a recorded duration and `min <= max`. The ordering argument is in the docs of
//! `stats/cells.rs` and model-checked by `tests/loom_model`.

mod cells;
mod snapshot;

/// The atomics `cells` uses: std's here, loom's when `tests/loom_model` model-checks it.
mod sync {
    pub(super) use std::sync::atomic::{AtomicU64, Ordering};
}

use sync::AtomicU64;

use self::cells::{EMPTY_MIN, Extremes, observe, publish};
use super::histogram::HistogramSnapshot;
pub use snapshot::{DurationSnapshot, OperationSnapshot};

const fn empty_extremes() -> Extremes {
    Extremes {
        total_ns: AtomicU64::new(0),
        min_ns: AtomicU64::new(EMPTY_MIN),
        max_ns: AtomicU64::new(0),
        clamped: AtomicU64::new(0),
    }
}

/// Timing statistics of an operation that cannot fail: samples, total, min and max.
#[repr(C, align(64))]
pub struct DurationStats {
    extremes: Extremes,
    samples: AtomicU64,
}

impl Default for DurationStats {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for DurationStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DurationStats")
            .field(&self.snapshot())
            .finish()
    }
}

impl DurationStats {
    /// Empty statistics.
    pub const fn new() -> Self {
        DurationStats {
            extremes: empty_extremes(),
            samples: AtomicU64::new(0),
        }
    }

    /// Records one operation that ran from `start_ns` to `end_ns`. An end before the start is
    /// recorded as zero and counted in `clamped`.
    pub fn record(&self, start_ns: u64, end_ns: u64) {
        self.extremes.fold(start_ns, end_ns);
        publish(&self.samples);
    }

    /// A plain copy of the statistics.
    pub fn snapshot(&self) -> DurationSnapshot {
        let samples = observe(&self.samples);
        DurationSnapshot::from_reading(samples, self.extremes.read(samples))
    }
}

/// Timing statistics of an operation that succeeds or fails: samples, successes, failures,
/// total, min and max.
#[repr(C, align(64))]
pub struct OperationStats {
    extremes: Extremes,
    success: AtomicU64,
    failures: AtomicU64,
}

impl Default for OperationStats {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for OperationStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OperationStats")
            .field(&self.snapshot())
            .finish()
    }
}

impl OperationStats {
    /// Empty statistics.
    pub const fn new() -> Self {
        OperationStats {
            extremes: empty_extremes(),
            success: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    /// Records one operation from `start_ns` to `end_ns` that succeeded when `ok`.
    pub fn record(&self, start_ns: u64, end_ns: u64, ok: bool) {
        self.extremes.fold(start_ns, end_ns);
        publish(if ok { &self.success } else { &self.failures });
    }

    /// A plain copy of the statistics.
    pub fn snapshot(&self) -> OperationSnapshot {
        let success = observe(&self.success);
        let failures = observe(&self.failures);
        let samples = success.saturating_add(failures);
        OperationSnapshot {
            duration: DurationSnapshot::from_reading(samples, self.extremes.read(samples)),
            success,
            failures,
        }
    }
}

/// Duration statistics whose samples, total, min and max are those of a histogram.
///
/// `next_event` is recorded on the hot path, and its histogram already keeps the count, sum,
/// min and max; keeping them twice would double the hot path's stores. This type holds only
/// what the histogram cannot know: how many events ended before they started (a clock anomaly),
/// which a hook records as zero. It is touched only on that rare path.
#[repr(C, align(64))]
pub struct DerivedDurationStats {
    clamped: AtomicU64,
}

impl Default for DerivedDurationStats {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for DerivedDurationStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DerivedDurationStats")
            .field("clamped", &self.clamped())
            .finish()
    }
}

impl DerivedDurationStats {
    /// No anomalies yet.
    pub const fn new() -> Self {
        DerivedDurationStats {
            clamped: AtomicU64::new(0),
        }
    }

    /// Counts one sample whose end preceded its start.
    #[cold]
    pub fn note_clamped(&self) {
        self.clamped.fetch_add(1, sync::Ordering::Relaxed); // Relaxed: independent counter.
    }

    fn clamped(&self) -> u64 {
        self.clamped.load(sync::Ordering::Relaxed) // Relaxed: independent counter.
    }

    /// The statistics of `histogram`, with this type's anomaly count. The histogram snapshot
    /// keeps `min <= max` and reads both as 0 when empty, so none of its sentinels leak here.
    pub fn snapshot(&self, histogram: &HistogramSnapshot) -> DurationSnapshot {
        DurationSnapshot {
            samples: histogram.count,
            total_ns: histogram.sum,
            min_ns: histogram.min,
            max_ns: histogram.max,
            clamped: self.clamped(),
        }
    }
}

#[cfg(test)]
mod tests;
