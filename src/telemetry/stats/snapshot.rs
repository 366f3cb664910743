//! Plain copies of the duration statistics, the figures derived from them, and their
//! arithmetic: the difference between two snapshots (an interval) and the merge of two.

use super::cells::ExtremesReading;

/// A plain copy of [`DurationStats`](super::DurationStats), with derived figures.
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
    pub(super) fn from_reading(samples: u64, reading: ExtremesReading) -> Self {
        DurationSnapshot {
            samples,
            total_ns: reading.total_ns,
            min_ns: reading.min_ns,
            // A reader may see a first sample's max before its min: keep min <= max.
            max_ns: reading.max_ns.max(reading.min_ns),
            clamped: reading.clamped,
        }
    }

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

    /// What was recorded after `base`, an earlier snapshot of the same statistics: counts and
    /// totals are differences. Two lifetime extremes do not give an interval's, so `min_ns` and
    /// `max_ns` stay this snapshot's lifetime values (0 when the interval is empty).
    pub fn since(&self, base: &DurationSnapshot) -> DurationSnapshot {
        let samples = self.samples.saturating_sub(base.samples);
        let (min_ns, max_ns) = if samples == 0 {
            (0, 0)
        } else {
            (self.min_ns, self.max_ns)
        };
        DurationSnapshot {
            samples,
            total_ns: self.total_ns.saturating_sub(base.total_ns),
            min_ns,
            max_ns,
            clamped: self.clamped.saturating_sub(base.clamped),
        }
    }

    /// Adds `other`'s samples, as if both had been recorded into one: counts and totals add,
    /// extremes are the extremes of the non-empty sides.
    pub fn merge(&mut self, other: &DurationSnapshot) {
        if other.samples > 0 {
            if self.samples == 0 {
                (self.min_ns, self.max_ns) = (other.min_ns, other.max_ns);
            } else {
                self.min_ns = self.min_ns.min(other.min_ns);
                self.max_ns = self.max_ns.max(other.max_ns);
            }
        }
        self.samples = self.samples.saturating_add(other.samples);
        self.total_ns = self.total_ns.saturating_add(other.total_ns);
        self.clamped = self.clamped.saturating_add(other.clamped);
    }
}

/// A plain copy of [`OperationStats`](super::OperationStats), with derived figures.
///
/// `success + failures == duration.samples` in every snapshot the statistics produce, and
/// [`since`](Self::since) and [`merge`](Self::merge) keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperationSnapshot {
    /// The timing statistics of all attempts.
    pub duration: DurationSnapshot,
    /// How many attempts succeeded.
    pub success: u64,
    /// How many attempts failed.
    pub failures: u64,
}

impl OperationSnapshot {
    /// The fraction of attempts that succeeded, in `0..=1` (1 when there were none).
    pub fn success_rate(&self) -> f64 {
        if self.duration.samples == 0 {
            1.0
        } else {
            self.success as f64 / self.duration.samples as f64
        }
    }

    /// What was recorded after `base`; see [`DurationSnapshot::since`].
    pub fn since(&self, base: &OperationSnapshot) -> OperationSnapshot {
        let success = self.success.saturating_sub(base.success);
        let failures = self.failures.saturating_sub(base.failures);
        let mut duration = self.duration.since(&base.duration);
        duration.samples = success.saturating_add(failures);
        OperationSnapshot {
            duration,
            success,
            failures,
        }
    }

    /// Adds `other`'s attempts; see [`DurationSnapshot::merge`].
    pub fn merge(&mut self, other: &OperationSnapshot) {
        self.duration.merge(&other.duration);
        self.success = self.success.saturating_add(other.success);
        self.failures = self.failures.saturating_add(other.failures);
        self.duration.samples = self.success.saturating_add(self.failures);
    }
}
