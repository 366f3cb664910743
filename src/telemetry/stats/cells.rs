//! The counting protocol behind [`DurationStats`](super::DurationStats) and
//! [`OperationStats`](super::OperationStats): what a record writes, in which order, and what a
//! snapshot may therefore rely on.
//!
//! A record first folds its duration into the *extremes* (total, min, max) and only then
//! increments its *count* with `Release`. A snapshot loads the counts with `Acquire` first and
//! the extremes after. So a snapshot that counts a record also sees that record's min and max:
//! `min` is never the empty sentinel while a sample is counted, and `min <= max` holds. An
//! operation counts successes and failures in two counters of their own (never
//! `samples − success`), so each only grows and `success + failures == samples` in every
//! snapshot by construction.
//!
//! `tests/loom_model` checks this protocol under the loom model checker; this file is compiled
//! there against loom's atomics, hence the `super::sync` import.

use super::sync::{AtomicU64, Ordering};

/// What `min_ns` holds before the first sample: larger than any real duration.
pub(crate) const EMPTY_MIN: u64 = u64::MAX;

/// Total, min and max of the recorded durations, plus clock anomalies. Construct it with every
/// field zero except `min_ns`, which starts at [`EMPTY_MIN`] (kept a plain struct literal so
/// that the public types' `const fn new` can build it).
pub(crate) struct Extremes {
    pub(super) total_ns: AtomicU64,
    pub(super) min_ns: AtomicU64,
    pub(super) max_ns: AtomicU64,
    pub(super) clamped: AtomicU64,
}

/// The extremes as read by one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExtremesReading {
    pub(crate) total_ns: u64,
    pub(crate) min_ns: u64,
    pub(crate) max_ns: u64,
    pub(crate) clamped: u64,
}

impl Extremes {
    /// Folds one duration into the extremes. Must come before the sample's
    /// [`publish`] so that a snapshot counting the sample sees it here.
    pub(crate) fn fold(&self, start_ns: u64, end_ns: u64) {
        let elapsed = match end_ns.checked_sub(start_ns) {
            Some(elapsed) => elapsed,
            None => {
                self.clamped.fetch_add(1, Ordering::Relaxed); // Relaxed: ordered by publish.
                0
            }
        };
        // Relaxed: the Release in `publish`, after these, orders them for snapshots.
        let _ = self
            .total_ns
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
                Some(total.saturating_add(elapsed))
            });
        self.min_ns.fetch_min(elapsed, Ordering::Relaxed); // Relaxed: ordered by publish.
        self.max_ns.fetch_max(elapsed, Ordering::Relaxed); // Relaxed: ordered by publish.
    }

    /// Reads the extremes; call it after [`observe`]-ing the counts it is reported with.
    /// `counted` is how many samples those counts hold: with none, min and max read 0.
    pub(crate) fn read(&self, counted: u64) -> ExtremesReading {
        // Relaxed: the Acquire in `observe`, before these, makes every counted sample's
        // folds visible; samples folded but not yet counted may show too, which only
        // widens the extremes by a sample the next snapshot counts.
        let total_ns = self.total_ns.load(Ordering::Relaxed);
        let clamped = self.clamped.load(Ordering::Relaxed);
        if counted == 0 {
            return ExtremesReading {
                total_ns,
                min_ns: 0,
                max_ns: 0,
                clamped,
            };
        }
        ExtremesReading {
            total_ns,
            min_ns: self.min_ns.load(Ordering::Relaxed),
            max_ns: self.max_ns.load(Ordering::Relaxed),
            clamped,
        }
    }
}

/// Counts one sample whose duration has been [`Extremes::fold`]-ed.
pub(crate) fn publish(count: &AtomicU64) {
    // Release: pairs with the Acquire in `observe` (see the module docs).
    count.fetch_add(1, Ordering::Release);
}

/// Reads a count before the extremes it is reported with.
pub(crate) fn observe(count: &AtomicU64) -> u64 {
    // Acquire: pairs with the Release in `publish` (see the module docs).
    count.load(Ordering::Acquire)
}
