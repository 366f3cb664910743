//! A plain copy of a histogram: downscaling, percentiles, and the figures exporters need.

use super::mapping::{MIN_INDEX, RECORD_SCALE, index_of, lower_bound};
use super::shard::{Shard, ShardReading};

/// The percentiles that `dump` prints, as quantiles in `0..=1`.
pub const PERCENTILES: [(&str, f64); 7] = [
    ("p50", 0.50),
    ("p90", 0.90),
    ("p99", 0.99),
    ("p99.9", 0.999),
    ("p99.99", 0.9999),
    ("p99.999", 0.99999),
    ("p99.9999", 0.999999),
];

/// The most scales a snapshot can drop: after that every index is 0 or −1.
const MAX_DOWNSCALE_STEPS: u32 = 31;

/// A histogram as plain numbers, in OpenTelemetry's exponential-histogram terms.
///
/// `counts[k]` is the number of values in bucket `offset + k`, i.e. in
/// `(base^(offset+k), base^(offset+k+1)]` with `base = 2^(2^-scale)`. Invariant:
/// `count == zero_count + counts.iter().sum()`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistogramSnapshot {
    /// The resolution: `2^scale` buckets per power of two.
    pub scale: i32,
    /// Index of the bucket `counts[0]` counts.
    pub offset: i32,
    /// Counts of consecutive buckets from `offset`; empty when only zeros were recorded.
    pub counts: Vec<u64>,
    /// How many values were exactly zero.
    pub zero_count: u64,
    /// How many values were recorded in all.
    pub count: u64,
    /// The sum of all values, in nanoseconds (saturating).
    pub sum: u64,
    /// The smallest value, or 0 when empty.
    pub min: u64,
    /// The largest value, or 0 when empty.
    pub max: u64,
    /// How many values were above the histogram's range and clamped to its top.
    pub saturated: u64,
}

impl HistogramSnapshot {
    /// Starts a snapshot from the shards' totals: sums them, and sizes `counts` to the buckets
    /// between the smallest non-zero value and the largest, which are the only ones in use.
    ///
    /// A value recorded after its shard's totals were read may fall outside that range; its
    /// bucket is then read by the next snapshot (ranges only widen), and this one's `count`
    /// simply does not include it yet.
    pub(super) fn begin(&mut self, totals: impl Iterator<Item = ShardReading>) {
        let (mut min_nonzero, mut max) = (u64::MAX, 0u64);
        self.scale = RECORD_SCALE;
        self.zero_count = 0;
        self.sum = 0;
        self.saturated = 0;
        for shard in totals {
            self.zero_count = self.zero_count.saturating_add(shard.zero_count);
            self.sum = self.sum.saturating_add(shard.sum);
            self.saturated = self.saturated.saturating_add(shard.saturated);
            min_nonzero = min_nonzero.min(shard.min_nonzero);
            max = max.max(shard.max);
        }
        self.counts.clear();
        if min_nonzero == u64::MAX {
            self.offset = 0;
            (self.min, self.max) = (0, 0);
            return;
        }
        // A reader can see a first value's minimum before its maximum: keep min <= max.
        max = max.max(min_nonzero);
        self.offset = index_of(min_nonzero);
        self.counts
            .resize((index_of(max) - self.offset + 1) as usize, 0);
        self.min = if self.zero_count > 0 { 0 } else { min_nonzero };
        self.max = max;
    }

    /// Adds one shard's counts for the buckets `begin` sized `counts` to.
    pub(super) fn add_buckets(&mut self, shard: &Shard) {
        if !self.counts.is_empty() {
            shard.add_buckets_into((self.offset - MIN_INDEX) as usize, &mut self.counts);
        }
    }

    /// Trims empty buckets at both ends and derives `count` from what was read.
    pub(super) fn finish(&mut self) {
        let first = self.counts.iter().position(|&c| c != 0);
        let last = self.counts.iter().rposition(|&c| c != 0);
        match (first, last) {
            (Some(first), Some(last)) => {
                self.counts.copy_within(first..=last, 0);
                self.counts.truncate(last - first + 1);
                self.offset += first as i32;
            }
            _ => {
                self.counts.clear();
                self.offset = 0;
            }
        }
        let bucketed = self
            .counts
            .iter()
            .fold(0u64, |acc, &c| acc.saturating_add(c));
        self.count = self.zero_count.saturating_add(bucketed);
        if self.count == 0 {
            self.min = 0;
            self.max = 0;
        }
    }

    /// Lowers the resolution by `steps` scales, merging each run of `2^steps` neighbouring
    /// buckets as the OpenTelemetry specification describes (`new_index = index >> steps`).
    pub fn downscale(&mut self, steps: u32) {
        if steps == 0 {
            return;
        }
        // Beyond 31 steps every i32 index has become 0 or −1 already.
        let steps = steps.min(MAX_DOWNSCALE_STEPS);
        self.scale -= steps as i32;
        if self.counts.is_empty() {
            return;
        }
        let new_offset = self.offset >> steps;
        let mut write = 0usize;
        for read in 0..self.counts.len() {
            let index = self.offset + read as i32;
            let target = ((index >> steps) - new_offset) as usize;
            // target <= read, and every slot below read has been taken already, so a new
            // target slot holds 0 (or is `read` itself, taken just now).
            let value = std::mem::take(&mut self.counts[read]);
            if target == write {
                self.counts[write] = self.counts[write].saturating_add(value);
            } else {
                write = target;
                self.counts[write] = value;
            }
        }
        self.counts.truncate(write + 1);
        self.offset = new_offset;
    }

    /// How many scales [`downscale`](Self::downscale) must drop for the buckets to fit in
    /// `max_buckets`. Values below and above 1 ns straddle bucket −1 and 0 at every scale, so,
    /// as in the OpenTelemetry SDK, fewer than 2 buckets is treated as 2.
    pub fn steps_to_fit(&self, max_buckets: usize) -> u32 {
        let max_buckets = max_buckets.max(2) as i64;
        if self.counts.is_empty() {
            return 0;
        }
        let first = i64::from(self.offset);
        let last = first + self.counts.len() as i64 - 1;
        (0..MAX_DOWNSCALE_STEPS)
            .find(|steps| (last >> steps) - (first >> steps) < max_buckets)
            .unwrap_or(MAX_DOWNSCALE_STEPS)
    }

    /// Downscales just enough for the buckets to fit in `max_buckets`.
    pub fn downscale_to_fit(&mut self, max_buckets: usize) {
        self.downscale(self.steps_to_fit(max_buckets));
    }

    /// A copy downscaled just enough for its buckets to fit in `max_buckets`: the same as
    /// cloning and then calling [`downscale_to_fit`](Self::downscale_to_fit), but each bucket
    /// is read once and merged straight into the smaller copy, instead of copying every
    /// bucket at the recording scale first (an exporter does this for each histogram it
    /// sends).
    pub(crate) fn downscaled_to_fit(&self, max_buckets: usize) -> HistogramSnapshot {
        let steps = self.steps_to_fit(max_buckets);
        let mut coarse = HistogramSnapshot {
            counts: Vec::new(),
            ..*self
        };
        if steps == 0 || self.counts.is_empty() {
            coarse.counts.clone_from(&self.counts);
            return coarse;
        }
        // steps_to_fit returns at most MAX_DOWNSCALE_STEPS, where downscale would clamp.
        coarse.scale -= steps as i32;
        coarse.offset = self.offset >> steps;
        let last = (self.offset + self.counts.len() as i32 - 1) >> steps;
        coarse.counts = vec![0; (last - coarse.offset + 1) as usize];
        for (read, &count) in self.counts.iter().enumerate() {
            let target = (((self.offset + read as i32) >> steps) - coarse.offset) as usize;
            coarse.counts[target] = coarse.counts[target].saturating_add(count);
        }
        coarse
    }

    /// The value at quantile `q` (`0..=1`, nearest-rank), or `None` when empty.
    ///
    /// It is the geometric middle of the bucket holding that rank, kept within `[min, max]`;
    /// at the recording scale it is within 0.55 % of the exact order statistic. It is not
    /// rounded to whole nanoseconds, which would add up to 0.5 ns of error on top.
    pub fn value_at_quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let q = if q.is_nan() { 1.0 } else { q.clamp(0.0, 1.0) };
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank <= self.zero_count {
            return Some(0.0);
        }
        let mut seen = self.zero_count;
        for (k, &c) in self.counts.iter().enumerate() {
            seen = seen.saturating_add(c);
            if seen >= rank {
                let middle = self.bucket_middle(self.offset + k as i32);
                return Some(middle.clamp(self.min as f64, self.max as f64));
            }
        }
        Some(self.max as f64)
    }

    /// The geometric middle of bucket `index` at this snapshot's scale.
    fn bucket_middle(&self, index: i32) -> f64 {
        (lower_bound(index, self.scale) * lower_bound(index + 1, self.scale)).sqrt()
    }

    /// The upper (inclusive) bound of bucket `offset + k`, for cumulative `le` exposition.
    pub fn upper_bound(&self, k: usize) -> f64 {
        lower_bound(self.offset + k as i32 + 1, self.scale)
    }

    /// The mean value in nanoseconds, or 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }
}
