//! Tests of the explicit-bucket conversion against the raw values: values are recorded into
//! walrec's real histogram, and the converted counts are compared with counts computed from
//! the values themselves, allowing only the difference the module's error bound states.

use super::explicit::{BOUNDS_NS, BUCKETS, bucket_counts};
use crate::telemetry::histogram::{MAX_VALUE, RECORD_SCALE};
use crate::telemetry::{HistogramSnapshot, LatencyHistogram};

/// A snapshot of walrec's histogram after recording `values` through a writer.
fn snapshot_of(values: &[u64]) -> HistogramSnapshot {
    let histogram = LatencyHistogram::new();
    record(&histogram, values);
    histogram.snapshot()
}

fn record(histogram: &LatencyHistogram, values: &[u64]) {
    let writer = histogram.writer();
    values.iter().for_each(|&v| writer.record(v));
}

/// The explicit bucket of a raw value by OTLP's rule: `bounds[i-1] < v <= bounds[i]`.
fn exact_bucket(v: u64) -> usize {
    BOUNDS_NS
        .iter()
        .position(|&bound| v <= bound)
        .unwrap_or(BOUNDS_NS.len())
}

/// The explicit bucket counts computed from the raw values themselves.
pub(super) fn exact_counts(values: &[u64]) -> Vec<u64> {
    let mut counts = vec![0; BUCKETS];
    values.iter().for_each(|&v| counts[exact_bucket(v)] += 1);
    counts
}

/// How many values the stated error bound lets be counted below `bound`: those with
/// `bound < v < bound · 2^(2^-scale)`.
fn ambiguous_above(values: &[u64], bound: u64, scale: i32) -> i64 {
    let factor = (-f64::from(scale)).exp2().exp2();
    let limit = bound as f64 * factor;
    values
        .iter()
        .filter(|&&v| v > bound && (v as f64) < limit)
        .count() as i64
}

/// Asserts that `snapshot` (holding `values`) converts to counts that add up to its count and
/// differ from the exact ones only by values within the error bound of a bound: bucket `i`
/// may gain the ambiguous values just above its upper bound and lose those just above its
/// lower bound, nothing else.
fn assert_within_bound(snapshot: &HistogramSnapshot, values: &[u64]) {
    let converted = bucket_counts(snapshot);
    let exact = exact_counts(values);
    let scale = snapshot.scale.min(RECORD_SCALE);
    assert_eq!(converted.len(), BUCKETS);
    assert_eq!(snapshot.count, values.len() as u64);
    assert_eq!(converted.iter().sum::<u64>(), snapshot.count);
    for i in 0..BUCKETS {
        let gained = BOUNDS_NS
            .get(i)
            .map_or(0, |&b| ambiguous_above(values, b, scale));
        let lost = i
            .checked_sub(1)
            .map_or(0, |below| ambiguous_above(values, BOUNDS_NS[below], scale));
        let (c, e) = (converted[i] as i64, exact[i] as i64);
        assert!(
            c.abs_diff(e) <= (gained + lost) as u64,
            "bucket {i}: {c} vs {e}"
        );
        assert!(
            e - lost <= c && c <= e + gained,
            "bucket {i}: converted {c}, exact {e}, may gain {gained}, may lose {lost}"
        );
    }
}

/// Log-spaced values from 1 ns to 20 s, and values on and around every bound (within and
/// beyond the error bound, on both sides).
fn sweep() -> Vec<u64> {
    let mut values: Vec<u64> = (0..18_500)
        .map(|k| 1.0013f64.powi(k).round() as u64)
        .collect();
    for &b in &BOUNDS_NS {
        values.extend(
            (b - 2..=b + 2).chain((1..=15).flat_map(|k| [b + b * k / 1000, b - b * k / 1000])),
        );
    }
    values
}

#[test]
fn a_sweep_of_values_is_counted_within_the_error_bound() {
    let values = sweep();
    let snapshot = snapshot_of(&values);
    assert_within_bound(&snapshot, &values);
    // Not vacuous: some of the sweep's values are within the bound and counted low.
    assert_ne!(bucket_counts(&snapshot), exact_counts(&values));
}

#[test]
fn values_far_from_the_bounds_are_counted_exactly() {
    // The geometric middle of each explicit bucket, i + 1 times, so that a value put in a
    // neighbouring bucket changes two counts.
    let mut edges = vec![1];
    edges.extend(BOUNDS_NS);
    edges.push(BOUNDS_NS[BOUNDS_NS.len() - 1] * 4);
    let mut values = Vec::new();
    for (i, pair) in edges.windows(2).enumerate() {
        let middle = (pair[0] as f64 * pair[1] as f64).sqrt().round() as u64;
        values.extend(std::iter::repeat_n(middle, i + 1));
    }
    let converted = bucket_counts(&snapshot_of(&values));
    assert_eq!(converted, exact_counts(&values));
    assert_eq!(converted, (1..=BUCKETS as u64).collect::<Vec<_>>());
}

#[test]
fn values_exactly_on_a_bound_are_counted_in_the_bucket_it_ends() {
    let values: Vec<u64> = BOUNDS_NS.iter().flat_map(|&b| [b - 1, b]).collect();
    let converted = bucket_counts(&snapshot_of(&values));
    assert_eq!(converted, exact_counts(&values));
    let mut expected = vec![2; BOUNDS_NS.len()];
    expected.push(0);
    assert_eq!(converted, expected);
}

#[test]
fn zeros_go_to_the_first_bucket() {
    let converted = bucket_counts(&snapshot_of(&[0, 0, 0, 0, 0, 7, 11]));
    assert_eq!(converted[..3], [6, 1, 0]);
    assert_eq!(converted.iter().sum::<u64>(), 7);
    let only_zeros = snapshot_of(&[0, 0]);
    assert!(only_zeros.counts.is_empty());
    assert_eq!(bucket_counts(&only_zeros)[0], 2);
}

#[test]
fn values_above_the_last_bound_go_to_the_unbounded_bucket() {
    let last = BOUNDS_NS[BOUNDS_NS.len() - 1];
    let values = [last, last + last / 50, 5 * last, MAX_VALUE];
    let converted = bucket_counts(&snapshot_of(&values));
    assert_eq!(converted, exact_counts(&values));
    assert_eq!(converted[BUCKETS - 2..], [1, 3]);
}

#[test]
fn clamped_values_count_in_the_unbounded_bucket() {
    let values = [u64::MAX, MAX_VALUE + 1, 3 * MAX_VALUE, 40];
    let snapshot = snapshot_of(&values);
    assert_eq!((snapshot.saturated, snapshot.count), (3, 4));
    let converted = bucket_counts(&snapshot);
    assert_eq!(converted, exact_counts(&values));
    assert_eq!((converted[2], converted[BUCKETS - 1]), (1, 3));
}

#[test]
fn an_empty_histogram_has_empty_buckets() {
    assert_eq!(
        bucket_counts(&LatencyHistogram::new().snapshot()),
        [0; BUCKETS]
    );
    assert_eq!(bucket_counts(&HistogramSnapshot::default()), [0; BUCKETS]);
}

#[test]
fn a_delta_holds_only_the_interval() {
    let histogram = LatencyHistogram::new();
    let before: Vec<u64> = (0..500).map(|k| 30 + 7 * k).collect();
    record(&histogram, &before);
    let base = histogram.snapshot();
    let interval: Vec<u64> = sweep().into_iter().step_by(7).collect();
    record(&histogram, &interval);
    let mut delta = HistogramSnapshot::default();
    histogram.snapshot().since_into(&base, &mut delta);
    assert_within_bound(&delta, &interval);
}

#[test]
fn a_coarser_snapshot_is_counted_within_its_wider_bound() {
    let values = sweep();
    for steps in [1, 3, 6] {
        let mut coarse = snapshot_of(&values);
        coarse.downscale(steps);
        assert_eq!(coarse.scale, RECORD_SCALE - steps as i32);
        assert_within_bound(&coarse, &values);
    }
}

#[test]
fn a_finer_snapshot_is_brought_to_the_recording_scale() {
    // Bucket 2·index(100) + 1 at scale 7 is the upper half of the scale-6 bucket holding 100.
    let index = crate::telemetry::histogram::mapping::index_of(100);
    let finer = HistogramSnapshot {
        scale: RECORD_SCALE + 1,
        offset: 2 * index + 1,
        counts: vec![4],
        count: 4,
        ..HistogramSnapshot::default()
    };
    assert_eq!(
        bucket_counts(&finer)[3],
        4,
        "counted with the bucket holding 100"
    );
}
