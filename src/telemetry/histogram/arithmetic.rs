//! Differences and merges of histogram snapshots: what an exporter needs for delta temporality
//! and what a reader of interval records needs to rebuild any window.
//!
//! Both keep the snapshot invariant `count == zero_count + Σ counts` by construction: `count`
//! is always recomputed from the buckets they produce.

use super::snapshot::HistogramSnapshot;

impl HistogramSnapshot {
    /// Writes what was recorded after `base` (an earlier snapshot of the same histogram) into
    /// `out`, bucket by bucket, reusing `out`'s buffer. `base` is brought to this snapshot's
    /// scale first if it is finer. `min` and `max` stay this snapshot's lifetime extremes (two
    /// lifetime extremes do not give an interval's), or 0 when the interval is empty.
    pub fn since_into(&self, base: &HistogramSnapshot, out: &mut HistogramSnapshot) {
        let rescaled;
        let base = if base.scale > self.scale && !base.counts.is_empty() {
            let mut copy = base.clone();
            copy.downscale(u32::try_from(base.scale - self.scale).unwrap_or(u32::MAX));
            rescaled = copy;
            &rescaled
        } else {
            base
        };
        out.scale = self.scale;
        out.offset = self.offset;
        out.counts.clear();
        out.counts
            .extend(self.counts.iter().enumerate().map(|(k, &count)| {
                count.saturating_sub(base.count_at(i64::from(self.offset) + k as i64))
            }));
        out.zero_count = self.zero_count.saturating_sub(base.zero_count);
        out.sum = self.sum.saturating_sub(base.sum);
        out.saturated = self.saturated.saturating_sub(base.saturated);
        (out.min, out.max) = (self.min, self.max);
        out.finish();
    }

    /// Adds `other`'s values, as if both had been recorded into one histogram. The result has
    /// the coarser of the two scales.
    pub fn merge(&mut self, other: &HistogramSnapshot) {
        let was_empty = self.count == 0;
        if other.count == 0 {
            return;
        }
        let mut other = other.clone();
        if self.counts.is_empty() && self.zero_count == 0 {
            self.scale = other.scale;
        }
        match self.scale.cmp(&other.scale) {
            std::cmp::Ordering::Greater => self.downscale((self.scale - other.scale) as u32),
            std::cmp::Ordering::Less => other.downscale((other.scale - self.scale) as u32),
            std::cmp::Ordering::Equal => {}
        }
        self.add_counts(&other);
        self.zero_count = self.zero_count.saturating_add(other.zero_count);
        self.sum = self.sum.saturating_add(other.sum);
        self.saturated = self.saturated.saturating_add(other.saturated);
        (self.min, self.max) = if was_empty {
            (other.min, other.max)
        } else {
            (self.min.min(other.min), self.max.max(other.max))
        };
        self.finish();
    }

    /// The count of bucket `index`, 0 outside the stored range.
    fn count_at(&self, index: i64) -> u64 {
        usize::try_from(index - i64::from(self.offset))
            .ok()
            .and_then(|k| self.counts.get(k))
            .copied()
            .unwrap_or(0)
    }

    /// Adds `other`'s bucket counts (same scale) into this snapshot's, widening its range.
    fn add_counts(&mut self, other: &HistogramSnapshot) {
        if other.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            self.offset = other.offset;
            self.counts.extend_from_slice(&other.counts);
            return;
        }
        let first = self.offset.min(other.offset);
        let end = (i64::from(self.offset) + self.counts.len() as i64)
            .max(i64::from(other.offset) + other.counts.len() as i64);
        let mut widened = vec![0u64; (end - i64::from(first)) as usize];
        for (source, offset) in [(&self.counts, self.offset), (&other.counts, other.offset)] {
            let start = (offset - first) as usize;
            for (total, &count) in widened[start..].iter_mut().zip(source.iter()) {
                *total = total.saturating_add(count);
            }
        }
        self.offset = first;
        self.counts = widened;
    }
}
