//! Downscaling a snapshot equals recording at the coarser scale in the first place.

use num_bigint::BigUint;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use walrec::telemetry::histogram::mapping::RECORD_SCALE;
use walrec::telemetry::{HistogramSnapshot, LatencyHistogram};

/// Exact bucket index at `scale` (see tests/mapping_reference.rs for the derivation).
fn reference_index(value: u64, scale: i32) -> i64 {
    if scale >= 0 {
        (BigUint::from(value).pow(1u32 << scale) - 1u32).bits() as i64 - 1
    } else {
        let m = 1i64 << -scale;
        (i64::from(64 - (value - 1).leading_zeros()) + m - 1).div_euclid(m) - 1
    }
}

/// Buckets as `(index, count)` pairs, non-empty only, built directly at `scale`.
fn recorded_at(values: &[u64], scale: i32) -> Vec<(i64, u64)> {
    let mut buckets = std::collections::BTreeMap::new();
    for &v in values.iter().filter(|&&v| v > 0) {
        *buckets.entry(reference_index(v, scale)).or_insert(0u64) += 1;
    }
    buckets.into_iter().collect()
}

fn non_empty(s: &HistogramSnapshot) -> Vec<(i64, u64)> {
    s.counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(k, &c)| (i64::from(s.offset) + k as i64, c))
        .collect()
}

fn value_sets() -> Vec<Vec<u64>> {
    let mut rng = StdRng::seed_from_u64(11);
    vec![
        vec![1, 2, 3, 4, 5, 1000, 1024, 1025],
        (0..5_000).map(|_| rng.random_range(900..1100)).collect(),
        (0..5_000)
            .map(|_| 1u64 << rng.random_range(0..36))
            .collect(),
        (0..5_000)
            .map(|_| rng.random_range(1..(1u64 << 36)))
            .collect(),
        vec![0, 0, 7],
    ]
}

#[test]
fn downscaling_matches_recording_at_the_coarser_scale() {
    for values in value_sets() {
        let histogram = LatencyHistogram::new();
        let writer = histogram.writer();
        values.iter().for_each(|&v| writer.record(v));
        let original = histogram.snapshot();
        for scale in (-3..=RECORD_SCALE).rev() {
            let mut coarse = original.clone();
            coarse.downscale((RECORD_SCALE - scale) as u32);
            assert_eq!(coarse.scale, scale);
            assert_eq!(
                non_empty(&coarse),
                recorded_at(&values, scale),
                "scale {scale}"
            );
            let bucketed: u64 = coarse.counts.iter().sum();
            assert_eq!(coarse.count, coarse.zero_count + bucketed);
            assert_eq!(
                (coarse.sum, coarse.min, coarse.max),
                (original.sum, original.min, original.max)
            );
        }
    }
}

#[test]
fn downscale_to_fit_respects_the_bucket_limit_with_the_finest_scale() {
    for values in value_sets() {
        let histogram = LatencyHistogram::new();
        values.iter().for_each(|&v| histogram.record(v));
        for max_buckets in [2usize, 3, 20, 160, 10_000] {
            let mut fitted = histogram.snapshot();
            fitted.downscale_to_fit(max_buckets);
            assert!(
                fitted.counts.len() <= max_buckets,
                "{} > {max_buckets}",
                fitted.counts.len()
            );
            if fitted.scale < RECORD_SCALE {
                // One scale finer would not have fit.
                let mut finer = histogram.snapshot();
                finer.downscale((RECORD_SCALE - fitted.scale - 1) as u32);
                assert!(finer.counts.len() > max_buckets);
            }
        }
    }
}
