//! `SegmentPreloader`: the telemetry of the thread that opens and verifies the next segment
//! while the replay works on the current one, and of the replay's waits for it.

use std::sync::atomic::{AtomicU64, Ordering};

use super::stats::{DurationSnapshot, DurationStats, OperationSnapshot, OperationStats};

/// The stall counter and the ready-ahead gauge, on one cache line of their own.
#[repr(C, align(64))]
struct Levels {
    stalls: AtomicU64,
    ready_ahead: AtomicU64,
}

/// Segment preloader telemetry, one cache line per field like [`Manager`](super::Manager).
#[repr(C, align(64))]
pub struct SegmentPreloader {
    /// Opening and fully verifying a segment ahead of the replay.
    pub preload_segment: OperationStats,
    /// Releasing a segment the replay has finished.
    pub finish_segment: OperationStats,
    /// How long the replay waited each time it had to (see [`stalled`](Self::stalled)).
    pub stall_wait: DurationStats,
    levels: Levels,
}

super::cache_line::assert_cache_lines!(
    SegmentPreloader,
    preload_segment,
    finish_segment,
    stall_wait,
    levels
);

impl Default for SegmentPreloader {
    fn default() -> Self {
        Self::new()
    }
}

impl SegmentPreloader {
    /// Empty telemetry; `const`, so it can be a `static`.
    pub const fn new() -> Self {
        SegmentPreloader {
            preload_segment: OperationStats::new(),
            finish_segment: OperationStats::new(),
            stall_wait: DurationStats::new(),
            levels: Levels {
                stalls: AtomicU64::new(0),
                ready_ahead: AtomicU64::new(0),
            },
        }
    }

    /// The replay had to wait for the preloader (or open the segment itself) from `start_ns`
    /// to `end_ns`: counts a stall and records the wait.
    pub fn stalled(&self, start_ns: u64, end_ns: u64) {
        self.levels.stalls.fetch_add(1, Ordering::Relaxed); // Relaxed: independent counter.
        self.stall_wait.record(start_ns, end_ns);
    }

    /// Sets how many segments are verified and waiting for the replay.
    pub fn set_ready_ahead(&self, segments: u64) {
        self.levels.ready_ahead.store(segments, Ordering::Relaxed); // Relaxed: a level.
    }

    /// A plain copy of the telemetry.
    pub fn snapshot(&self) -> SegmentPreloaderSnapshot {
        SegmentPreloaderSnapshot {
            preload_segment: self.preload_segment.snapshot(),
            finish_segment: self.finish_segment.snapshot(),
            stall_wait: self.stall_wait.snapshot(),
            // Relaxed: an independent counter and a level.
            stalls: self.levels.stalls.load(Ordering::Relaxed),
            ready_ahead: self.levels.ready_ahead.load(Ordering::Relaxed),
        }
    }
}

impl std::fmt::Debug for SegmentPreloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SegmentPreloader")
            .field(&self.snapshot())
            .finish()
    }
}

/// A plain copy of [`SegmentPreloader`] telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegmentPreloaderSnapshot {
    /// See [`SegmentPreloader::preload_segment`].
    pub preload_segment: OperationSnapshot,
    /// See [`SegmentPreloader::finish_segment`].
    pub finish_segment: OperationSnapshot,
    /// See [`SegmentPreloader::stall_wait`].
    pub stall_wait: DurationSnapshot,
    /// Times the replay waited for the preloader or opened a segment itself.
    pub stalls: u64,
    /// Segments verified and waiting for the replay.
    pub ready_ahead: u64,
}

impl SegmentPreloaderSnapshot {
    /// Adds `other`'s values, as if both had been recorded into one preloader, `other` later:
    /// `ready_ahead`, a level, is `other`'s.
    pub fn merge(&mut self, other: &SegmentPreloaderSnapshot) {
        self.preload_segment.merge(&other.preload_segment);
        self.finish_segment.merge(&other.finish_segment);
        self.stall_wait.merge(&other.stall_wait);
        self.stalls = self.stalls.saturating_add(other.stalls);
        self.ready_ahead = other.ready_ahead;
    }

    /// What was recorded after `base`, an earlier snapshot; `ready_ahead` is this snapshot's.
    pub fn since(&self, base: &SegmentPreloaderSnapshot) -> SegmentPreloaderSnapshot {
        SegmentPreloaderSnapshot {
            preload_segment: self.preload_segment.since(&base.preload_segment),
            finish_segment: self.finish_segment.since(&base.finish_segment),
            stall_wait: self.stall_wait.since(&base.stall_wait),
            stalls: self.stalls.saturating_sub(base.stalls),
            ready_ahead: self.ready_ahead,
        }
    }
}
