//! Duration statistics: [`Duration`] (samples, total, min, max) and [`Operation`] (the same plus
//! success), with plain snapshots and the figures derived from them.
//!
//! Both are shared by all threads and updated with atomic read-modify-writes (relaxed, but for the
//! release/acquire pair that keeps `success <= samples` in a snapshot). They are
//! meant for the recovery manager's colder operations (reading a header, resuming, seeking),
//! which happen per segment or per resume, not per event; the per-event path uses the sharded
//! [`LatencyHistogram`](super::histogram::LatencyHistogram) instead.

use std::sync::atomic::{AtomicU64, Ordering};

use super::histogram::HistogramSnapshot;

/// The counters shared by [`Duration`] and [`Operation`].
#[repr(C)]
struct DurationCells {
    samples: AtomicU64,
    total_ns: AtomicU64,
    min_ns: AtomicU64,
    max_ns: AtomicU64,
    clamped: AtomicU64,
}

impl DurationCells {
    const fn new() -> Self {
        DurationCells {
            samples: AtomicU64::new(0),
            total_ns: AtomicU64::new(0),
            min_ns: AtomicU64::new(u64::MAX),
            max_ns: AtomicU64::new(0),
            clamped: AtomicU64::new(0),
        }
    }

    fn record(&self, start_ns: u64, end_ns: u64) {
        let elapsed = match end_ns.checked_sub(start_ns) {
            Some(elapsed) => elapsed,
            None => {
                self.clamped.fetch_add(1, Ordering::Relaxed); // Relaxed: independent counter.
                0
            }
        };
        // Relaxed: each cell is an independent counter; snapshots tolerate a record in flight.
        self.samples.fetch_add(1, Ordering::Relaxed);
        let _ = self
            .total_ns
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
                Some(total.saturating_add(elapsed))
            });
        self.min_ns.fetch_min(elapsed, Ordering::Relaxed); // Relaxed: independent extreme.
        self.max_ns.fetch_max(elapsed, Ordering::Relaxed); // Relaxed: independent extreme.
    }

    fn snapshot(&self) -> DurationSnapshot {
        // Relaxed: see `record`.
        let samples = self.samples.load(Ordering::Relaxed);
        DurationSnapshot {
            samples,
            total_ns: self.total_ns.load(Ordering::Relaxed),
            min_ns: if samples == 0 {
                0
            } else {
                self.min_ns.load(Ordering::Relaxed)
            },
            max_ns: self.max_ns.load(Ordering::Relaxed),
            clamped: self.clamped.load(Ordering::Relaxed),
        }
    }
}

/// Timing statistics of an operation that cannot fail: samples, total, min and max.
#[repr(C, align(64))]
pub struct Duration {
    cells: DurationCells,
}

impl Default for Duration {
    fn default() -> Self {
        Self::new()
    }
}

impl Duration {
    /// Empty statistics.
    pub const fn new() -> Self {
        Duration {
            cells: DurationCells::new(),
        }
    }

    /// Records one operation that ran from `start_ns` to `end_ns`. An end before the start is
    /// recorded as zero and counted in `clamped`.
    pub fn record(&self, start_ns: u64, end_ns: u64) {
        self.cells.record(start_ns, end_ns);
    }

    /// A plain copy of the statistics.
    pub fn snapshot(&self) -> DurationSnapshot {
        self.cells.snapshot()
    }
}

/// Timing statistics of an operation that succeeds or fails: a [`Duration`] plus successes.
#[repr(C, align(64))]
pub struct Operation {
    cells: DurationCells,
    success: AtomicU64,
}

impl Default for Operation {
    fn default() -> Self {
        Self::new()
    }
}

impl Operation {
    /// Empty statistics.
    pub const fn new() -> Self {
        Operation {
            cells: DurationCells::new(),
            success: AtomicU64::new(0),
        }
    }

    /// Records one operation from `start_ns` to `end_ns` that succeeded when `ok`.
    pub fn record(&self, start_ns: u64, end_ns: u64, ok: bool) {
        self.cells.record(start_ns, end_ns);
        if ok {
            // Release: pairs with the Acquire in `snapshot`, so a snapshot that sees this
            // success also sees its sample, and never reports more successes than samples.
            self.success.fetch_add(1, Ordering::Release);
        }
    }

    /// A plain copy of the statistics.
    pub fn snapshot(&self) -> OperationSnapshot {
        // Acquire: see `record`; read before the samples so that success <= samples.
        let success = self.success.load(Ordering::Acquire);
        OperationSnapshot {
            duration: self.cells.snapshot(),
            success,
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
pub struct DerivedDuration {
    clamped: AtomicU64,
}

impl Default for DerivedDuration {
    fn default() -> Self {
        Self::new()
    }
}

impl DerivedDuration {
    /// No anomalies yet.
    pub const fn new() -> Self {
        DerivedDuration {
            clamped: AtomicU64::new(0),
        }
    }

    /// Counts one sample whose end preceded its start.
    #[cold]
    pub fn note_clamped(&self) {
        self.clamped.fetch_add(1, Ordering::Relaxed); // Relaxed: independent counter.
    }

    /// The statistics of `histogram`, with this type's anomaly count.
    pub fn snapshot(&self, histogram: &HistogramSnapshot) -> DurationSnapshot {
        DurationSnapshot {
            samples: histogram.count,
            total_ns: histogram.sum,
            min_ns: histogram.min,
            max_ns: histogram.max,
            clamped: self.clamped.load(Ordering::Relaxed), // Relaxed: independent counter.
        }
    }
}

/// A plain copy of [`Duration`] statistics, with derived figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DurationSnapshot {
    /// How many operations were recorded.
    pub samples: u64,
    /// Their total time in nanoseconds (saturating).
    pub total_ns: u64,
    /// The shortest, in nanoseconds (0 when empty).
    pub min_ns: u64,
    /// The longest, in nanoseconds (0 when empty).
    pub max_ns: u64,
    /// How many ended before they started (a clock anomaly) and were recorded as zero.
    pub clamped: u64,
}

impl DurationSnapshot {
    /// Mean time per operation in nanoseconds (0 when empty).
    pub fn avg_ns(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.total_ns as f64 / self.samples as f64
        }
    }

    /// Spread between the longest and the shortest operation, in nanoseconds.
    pub fn jitter_ns(&self) -> u64 {
        self.max_ns.saturating_sub(self.min_ns)
    }

    /// Operations per second of measured time: `samples / total`. When the operations are timed
    /// back to back (as `next_event` is), that is the throughput. 0 when nothing was measured.
    pub fn rate_per_sec(&self) -> f64 {
        if self.total_ns == 0 {
            0.0
        } else {
            self.samples as f64 * 1e9 / self.total_ns as f64
        }
    }
}

/// A plain copy of [`Operation`] statistics, with derived figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperationSnapshot {
    /// The timing statistics of all attempts.
    pub duration: DurationSnapshot,
    /// How many attempts succeeded.
    pub success: u64,
}

impl OperationSnapshot {
    /// How many attempts failed.
    pub fn failures(&self) -> u64 {
        self.duration.samples.saturating_sub(self.success)
    }

    /// The fraction of attempts that succeeded, in `0..=1` (1 when there were none).
    pub fn success_rate(&self) -> f64 {
        if self.duration.samples == 0 {
            1.0
        } else {
            self.success as f64 / self.duration.samples as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_figures() {
        let op = Operation::new();
        op.record(100, 300, true);
        op.record(1_000, 1_100, false);
        op.record(50, 10, true); // end before start
        let s = op.snapshot();
        assert_eq!(s.duration.samples, 3);
        assert_eq!(s.success, 2);
        assert_eq!(s.failures(), 1);
        assert_eq!(s.duration.total_ns, 300);
        assert_eq!((s.duration.min_ns, s.duration.max_ns), (0, 200));
        assert_eq!(s.duration.clamped, 1);
        assert_eq!(s.duration.jitter_ns(), 200);
        assert!((s.duration.avg_ns() - 100.0).abs() < 1e-9);
        assert!((s.duration.rate_per_sec() - 1e7).abs() < 1e-3);
        assert!((s.success_rate() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_reads_as_zero() {
        let s = Duration::new().snapshot();
        assert_eq!(s, DurationSnapshot::default());
        assert_eq!(s.rate_per_sec(), 0.0);
    }

    #[test]
    fn total_saturates_instead_of_wrapping() {
        let d = Duration::new();
        d.record(0, u64::MAX);
        d.record(0, u64::MAX);
        assert_eq!(d.snapshot().total_ns, u64::MAX);
    }
}
