//! The bucket mapping against an exact big-integer reference, at every scale exporters use.
//!
//! Bucket `i` at scale `s` holds `v` when `base^i < v <= base^(i+1)`, `base = 2^(2^-s)`.
//! For `s >= 0` that is `2^i < v^(2^s) <= 2^(i+1)`, so `i = bitlen(v^(2^s) − 1) − 1`.
//! For `s < 0`, with `m = 2^-s`, `i = ceil(ceil(log2 v) / m) − 1` and `ceil(log2 v) = bitlen(v − 1)`.

use num_bigint::BigUint;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use walrec::telemetry::LatencyHistogram;
use walrec::telemetry::histogram::mapping::{MAX_VALUE, OCTAVES, RECORD_SCALE, index_of};

fn reference_index(value: u64, scale: i32) -> i64 {
    assert!(value >= 1);
    if scale >= 0 {
        let power = BigUint::from(value).pow(1u32 << scale);
        (power - 1u32).bits() as i64 - 1
    } else {
        let m = 1i64 << -scale;
        let ceil_log2 = i64::from(64 - (value - 1).leading_zeros());
        (ceil_log2 + m - 1).div_euclid(m) - 1
    }
}

/// 0 and 1, every power of two in range with its neighbours, the range limit, and random values.
fn interesting_values() -> Vec<u64> {
    let mut values = vec![1, 2, 3, MAX_VALUE - 1, MAX_VALUE];
    for e in 1..=OCTAVES {
        let p = 1u64 << e;
        values.extend([p - 1, p, p + 1]);
    }
    values.extend(1..=2_000);
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..3_000 {
        let bits = rng.random_range(1..=OCTAVES);
        values.push(rng.random_range(1..=(1u64 << bits)).min(MAX_VALUE));
    }
    values.retain(|&v| (1..=MAX_VALUE).contains(&v));
    values
}

/// The largest integer `b` with `b^64 <= 2^exponent`, by bisection on big integers.
fn integer_64th_root_of_power_of_two(exponent: u32) -> u64 {
    let target = BigUint::from(1u32) << exponent;
    let (mut low, mut high) = (1u64, u64::MAX);
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        if BigUint::from(mid).pow(64) <= target {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    low
}

#[test]
fn every_bucket_bound_splits_exactly() {
    // b = floor(2^(e + j/64)) is the last integer of bucket 64e + j − 1 and b + 1 the first of
    // the next: this exercises every entry of the mapping's bound table at several octaves.
    for e in [8u32, 20, 35] {
        for j in 0..64u32 {
            let bound = integer_64th_root_of_power_of_two(64 * e + j);
            let index = (64 * e + j) as i32;
            assert_eq!(
                index_of(bound),
                index - 1,
                "last value of bucket, e={e} j={j}"
            );
            assert_eq!(
                index_of(bound + 1),
                index,
                "first value past the bound, e={e} j={j}"
            );
        }
    }
}

#[test]
fn every_value_matches_the_reference() {
    for v in interesting_values() {
        assert_eq!(
            i64::from(index_of(v)),
            reference_index(v, RECORD_SCALE),
            "value {v}"
        );
    }
}

#[test]
fn downscaled_indices_match_the_reference_at_every_scale() {
    let values = interesting_values();
    for scale in (-4..RECORD_SCALE).rev() {
        let shift = RECORD_SCALE - scale;
        for &v in values.iter().step_by(3) {
            let downscaled = i64::from(index_of(v) >> shift);
            assert_eq!(
                downscaled,
                reference_index(v, scale),
                "value {v} at scale {scale}"
            );
        }
    }
}

#[test]
fn a_recorded_value_lands_where_the_reference_says() {
    for v in [1u64, 2, 3, 1023, 1024, 1025, 999_999, MAX_VALUE] {
        let h = LatencyHistogram::new();
        h.writer().record(v);
        let s = h.snapshot();
        assert_eq!(s.counts, vec![1]);
        assert_eq!(
            i64::from(s.offset),
            reference_index(v, RECORD_SCALE),
            "value {v}"
        );
    }
    let zero = LatencyHistogram::new();
    zero.record(0);
    let s = zero.snapshot();
    assert_eq!((s.zero_count, s.count, s.counts.len()), (1, 1, 0));
}
