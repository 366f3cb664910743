//! The latency histogram as OTLP explicit buckets, for
//! `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=explicit_bucket_histogram`.
//!
//! # Boundaries
//!
//! [`BOUNDS_NS`]: a 1-2-5 series per decade from 10 ns to 10 s (28 bounds, 29 buckets). One
//! `next_event` sample costs tens of nanoseconds on a hot replay loop (a clock read alone is
//! about 10 ns, which is also the TSC's resolution on a KVM guest), so the first bucket,
//! `(-inf, 10]`, holds zeros and single clock ticks; a sample beyond 10 s is a stall that
//! needs no finer placing than "above 10 s".
//!
//! # Rule
//!
//! The counts are derived from walrec's own exponential buckets (bucket `j` covers
//! `(base^j, base^(j+1)]`, `base = 2^(2^-scale)`), not from the raw values, which are not kept.
//! Values are whole nanoseconds, and **an exponential bucket is counted in the explicit bucket
//! that holds its smallest integer value**. A bucket wholly inside one explicit bucket goes
//! there; a bucket that straddles a bound `b` (it holds `b` and integers above `b`) goes to the
//! explicit bucket that ends at `b`. Counts stay whole, the bucket counts add up to exactly
//! the point's `count`, a value exactly on a bound is always counted right (a coarse clock's
//! durations are multiples of its step, so such values are not rare), and the zero bucket
//! goes to the first explicit bucket, which holds 0.
//!
//! The rule is computed with integers only: bucket `j` goes to the first explicit bucket `i`
//! whose bound's own bucket index `index(b_i)` is at least `j` (the recorder's exact mapping,
//! shifted right by `RECORD_SCALE - scale` for a coarser snapshot).
//!
//! # Error bound
//!
//! Only a value `v` with `b < v < b · 2^(2^-scale)` for some bound `b` can be miscounted, and
//! then it is counted low, in the bucket ending at `b`: the bucket just below its own at any
//! scale from 0 up, where the factor is at most 2 and no two bounds share a walrec bucket.
//! Every other value is counted exactly. At the recording scale ([`RECORD_SCALE`] = 6) the
//! factor is `2^(1/64) ≈ 1.010889`: only values up to 1.09 % above a bound (above 100 ns:
//! 101 ns only; above 1 µs: 1,001–1,010 ns; above 1 s: up to 10.9 ms) may land one bucket low.
//! Below about 92 ns no integer lies in that range, so the 10, 20 and 50 ns bounds are exact.
//! A coarser snapshot (scale `s < 6`) has the factor `2^(2^-s)`; a finer one is first brought
//! to scale 6, exactly, and has the factor of scale 6. The point's `count` and `sum` are
//! exact, as are `min` and `max` where they are sent.

use std::borrow::Cow;

use crate::telemetry::HistogramSnapshot;
use crate::telemetry::histogram::mapping::{MAX_VALUE, RECORD_SCALE, index_of};

/// The explicit bucket bounds, in nanoseconds: 1-2-5 per decade, 10 ns to 10 s. Bucket `i`
/// counts the values `v` with `BOUNDS_NS[i-1] < v <= BOUNDS_NS[i]`; the last one, those above
/// 10 s.
pub(crate) const BOUNDS_NS: [u64; 28] = [
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    200_000_000,
    500_000_000,
    1_000_000_000,
    2_000_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// How many explicit buckets a point has: one more than bounds (the last one is unbounded).
pub(crate) const BUCKETS: usize = BOUNDS_NS.len() + 1;

/// `BOUND_INDICES[i]` is the recording-scale bucket that holds the value `BOUNDS_NS[i]`.
const BOUND_INDICES: [i32; BOUNDS_NS.len()] = {
    let mut indices = [0i32; BOUNDS_NS.len()];
    let mut i = 0;
    while i < BOUNDS_NS.len() {
        // The bounds must be increasing and within the recorder's range, where the mapping
        // is exact; a value clamped to MAX_VALUE then still lands above the last bound.
        assert!(BOUNDS_NS[i] >= 1 && BOUNDS_NS[i] < MAX_VALUE);
        assert!(i == 0 || BOUNDS_NS[i - 1] < BOUNDS_NS[i]);
        indices[i] = index_of(BOUNDS_NS[i]);
        i += 1;
    }
    indices
};

/// The bounds as OTLP's `explicit_bounds` (every one is exactly representable as an `f64`).
pub(crate) fn explicit_bounds() -> Vec<f64> {
    BOUNDS_NS.iter().map(|&bound| bound as f64).collect()
}

/// `h`'s values in the explicit buckets of [`BOUNDS_NS`] ([`BUCKETS`] counts, adding up to
/// `h.count`), by the rule and within the error bound of the module docs.
pub(crate) fn bucket_counts(h: &HistogramSnapshot) -> Vec<u64> {
    let mut counts = vec![0u64; BUCKETS];
    counts[0] = h.zero_count;
    if h.counts.is_empty() {
        return counts;
    }
    let h = at_most_record_scale(h);
    // Bucket j is in explicit bucket i when BOUND_INDICES[i-1] < j <= BOUND_INDICES[i], the
    // indices taken at h's scale: the shift is the exact downscaling of an index.
    let steps = u32::try_from(RECORD_SCALE - h.scale).unwrap_or(0).min(63);
    let bound_index = |i: usize| i64::from(BOUND_INDICES[i]) >> steps;
    let mut target = 0;
    for (k, &count) in h.counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let index = i64::from(h.offset) + k as i64;
        while target < BOUNDS_NS.len() && bound_index(target) < index {
            target += 1;
        }
        counts[target] = counts[target].saturating_add(count);
    }
    counts
}

/// `h` itself, or for a snapshot finer than the recorder's a copy downscaled to
/// [`RECORD_SCALE`], where the bounds' bucket indices are known exactly.
fn at_most_record_scale(h: &HistogramSnapshot) -> Cow<'_, HistogramSnapshot> {
    match u32::try_from(h.scale - RECORD_SCALE) {
        Ok(steps) if steps > 0 => {
            let mut coarse = h.clone();
            coarse.downscale(steps);
            Cow::Owned(coarse)
        }
        _ => Cow::Borrowed(h),
    }
}
