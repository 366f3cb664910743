//! One shard of a histogram: the counters one writer (or the shared fallback) records into.
//!
//! A shard is either *exclusive*, owned by one [`HistogramWriter`](super::HistogramWriter) at a
//! time, or the histogram's *shared* shard that any thread may record into. Exclusive shards are
//! updated with a plain atomic load followed by an atomic store: with a single writer no update
//! can be lost, and neither instruction locks the cache line, which is what makes recording
//! cost a few nanoseconds even when several threads record into one histogram. The shared shard
//! uses read-modify-write instructions instead.
//!
//! Every access is `Relaxed`: each counter is independent, and a snapshot only promises that its
//! count equals the sum of the buckets it read (it derives the count from them), not that sum,
//! min and max belong to exactly the same instant as the buckets.

use std::sync::atomic::{AtomicU64, Ordering};

use super::exemplar::ExemplarSlot;
use super::mapping::{BUCKET_COUNT, position_of};

/// Counters outside the buckets, kept in the shard's first cache line.
///
/// `min_nonzero` is the smallest *non-zero* value (zeros are counted in `zero_count` and
/// touch nothing else). Together with `max` it bounds the buckets in use, so a snapshot reads
/// only those instead of all of them.
#[repr(C)]
struct Totals {
    sum: AtomicU64,
    min_nonzero: AtomicU64,
    max: AtomicU64,
    zero_count: AtomicU64,
    saturated: AtomicU64,
}

/// The counters of one shard. Aligned to a cache line so that two shards never share one.
#[repr(C, align(64))]
pub(crate) struct Shard {
    totals: Totals,
    /// This shard's exemplar for each parity of the histogram's exemplar epoch.
    pub(crate) exemplars: [ExemplarSlot; 2],
    buckets: [AtomicU64; BUCKET_COUNT],
}

/// What one shard holds, read without stopping its writer.
pub(crate) struct ShardReading {
    pub sum: u64,
    /// The smallest non-zero value, or `u64::MAX` when there is none.
    pub min_nonzero: u64,
    pub max: u64,
    pub zero_count: u64,
    pub saturated: u64,
}

/// Adds one to a counter that only this shard's writer stores to. A count cannot reach 2^64
/// (that is 584 years at one record per nanosecond), so unlike sums, which take values up to
/// 2^36 at a time, it needs no saturation.
#[inline(always)]
fn count_exclusive(cell: &AtomicU64) {
    // Relaxed: single writer (see add_exclusive).
    cell.store(
        cell.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
}

#[inline(always)]
fn add_exclusive(cell: &AtomicU64, amount: u64) {
    // Relaxed: only this shard's single writer stores to the cell, so load-then-store cannot
    // lose an update; readers need no ordering with other cells.
    cell.store(
        cell.load(Ordering::Relaxed).saturating_add(amount),
        Ordering::Relaxed,
    );
}

#[inline(always)]
fn add_shared(cell: &AtomicU64, amount: u64) {
    // Relaxed: an independent counter; the read-modify-write alone makes concurrent adds exact.
    // Saturating rather than wrapping keeps a bad value from turning a total into a small one.
    let _ = cell.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
        Some(old.saturating_add(amount))
    });
}

impl Shard {
    /// A boxed, zeroed shard (about 18 KiB).
    pub(crate) fn new_boxed() -> Box<Shard> {
        Box::new(Shard {
            totals: Totals {
                sum: AtomicU64::new(0),
                min_nonzero: AtomicU64::new(u64::MAX),
                max: AtomicU64::new(0),
                zero_count: AtomicU64::new(0),
                saturated: AtomicU64::new(0),
            },
            exemplars: [const { ExemplarSlot::new() }; 2],
            buckets: [const { AtomicU64::new(0) }; BUCKET_COUNT],
        })
    }

    #[inline(always)]
    fn bucket_of(&self, value: u64) -> &AtomicU64 {
        // position_of returns 0..BUCKET_COUNT for 1..=MAX_VALUE, so this is in bounds; the
        // compiler keeps a bounds check that never fails rather than unsafe code.
        &self.buckets[position_of(value)]
    }

    /// Records an already-clamped value; only the shard's single owner may call this.
    #[inline(always)]
    pub(crate) fn record_exclusive(&self, value: u64) {
        if value == 0 {
            count_exclusive(&self.totals.zero_count);
            return;
        }
        count_exclusive(self.bucket_of(value));
        add_exclusive(&self.totals.sum, value);
        // Relaxed: single writer (see add_exclusive).
        if value < self.totals.min_nonzero.load(Ordering::Relaxed) {
            self.totals.min_nonzero.store(value, Ordering::Relaxed);
        }
        if value > self.totals.max.load(Ordering::Relaxed) {
            self.totals.max.store(value, Ordering::Relaxed);
        }
    }

    /// Records an already-clamped value from any thread.
    pub(crate) fn record_shared(&self, value: u64) {
        // Relaxed throughout: independent counters and extremes.
        if value == 0 {
            self.totals.zero_count.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.bucket_of(value).fetch_add(1, Ordering::Relaxed);
        add_shared(&self.totals.sum, value);
        self.totals.min_nonzero.fetch_min(value, Ordering::Relaxed);
        self.totals.max.fetch_max(value, Ordering::Relaxed);
    }

    /// Counts a value that was clamped to the histogram's range.
    pub(crate) fn note_saturated(&self, exclusive: bool) {
        if exclusive {
            add_exclusive(&self.totals.saturated, 1);
        } else {
            add_shared(&self.totals.saturated, 1);
        }
    }

    /// Reads the totals; see the module docs for what a concurrent reading promises.
    pub(crate) fn read_totals(&self) -> ShardReading {
        // Relaxed: see the module docs.
        ShardReading {
            sum: self.totals.sum.load(Ordering::Relaxed),
            min_nonzero: self.totals.min_nonzero.load(Ordering::Relaxed),
            max: self.totals.max.load(Ordering::Relaxed),
            zero_count: self.totals.zero_count.load(Ordering::Relaxed),
            saturated: self.totals.saturated.load(Ordering::Relaxed),
        }
    }

    /// Adds the counts of buckets `first..first + into.len()` (array positions) into `into`.
    pub(crate) fn add_buckets_into(&self, first: usize, into: &mut [u64]) {
        let buckets = self.buckets.iter().skip(first);
        for (total, bucket) in into.iter_mut().zip(buckets) {
            // Relaxed: see the module docs.
            *total = total.saturating_add(bucket.load(Ordering::Relaxed));
        }
    }
}
