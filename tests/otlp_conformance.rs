#![cfg(feature = "otlp")]
//! Conformance of the exported exponential histogram with the reference OpenTelemetry SDK.
//!
//! For the same recorded values, the same `max_size` and the same `max_scale`, the
//! `walrec.next_event_histogram` point that [`MetricsEncoder`] builds must equal what
//! `opentelemetry_sdk`'s `Base2ExponentialHistogram` aggregation exports through its
//! `InMemoryMetricExporter`: scale, offset, bucket counts, zero count, count, sum, min and max.
//!
//! We record at scale 6 ([`RECORD_SCALE`]), so the SDK view uses `max_scale = 6`. Both sides
//! then pick the largest scale `<= 6` whose index range fits `max_size` buckets; the SDK gets
//! there by downscaling as values arrive, we by downscaling the finished snapshot, and the two
//! agree because `(i >> a) >> b == i >> (a + b)`.
//!
//! The SDK maps a value with a float logarithm (`frexp`, then `ln(frac) · 2^scale · log2(e)`,
//! truncated), we with exact integers. `ln(0.5) · 2^s · log2(e)` evaluates to exactly `−2^s`
//! at every positive scale the SDK supports (`sdk_maps_powers_of_two_exactly`), so exact powers
//! of two close their bucket on both sides, as the specification's upper-inclusive bounds
//! require; and none of the integers tested here sits close enough to a bound for the float
//! error to matter. The comparisons without any downscaling (`every_value_up_to_2_pow_16`,
//! `integers_around_every_bound`, the per-octave part of `powers_of_two_and_neighbours`) check
//! the raw scale-6 mapping bucket by bucket, before any merging could hide a difference.
//!
//! All random value sets are seeded, so every run compares the same data.

mod support;

use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal, Pareto};
use support::histogram_conformance::*;
use walrec::telemetry::histogram::{MAX_VALUE, RECORD_SCALE};

#[test]
fn narrow_range() {
    // Every value of 1000..=1100 ns once, then 5,000 more drawn from the same range: about
    // nine scale-6 buckets, no downscaling at 160, some at 20 and 2.
    let mut rng = StdRng::seed_from_u64(4001);
    let mut values: Vec<u64> = (1000..=1100).collect();
    values.extend((0..5_000).map(|_| rng.random_range(1000..=1100u64)));
    assert_conforms_at_every_size("narrow 1000..=1100 ns", &values);
}

#[test]
fn thirty_octaves_log_uniform() {
    // 1 ns .. 2^30 ns, log-uniform, with both ends present: 1,921 scale-6 buckets, so 160
    // forces scale 2 and 20 forces scale −1.
    let mut rng = StdRng::seed_from_u64(4002);
    let mut values = vec![1u64, 1 << 30];
    values.extend((0..20_000).map(|_| {
        let exponent: f64 = rng.random_range(0.0..30.0);
        (exponent.exp2().round() as u64).clamp(1, 1 << 30)
    }));
    assert_conforms_at_every_size("log-uniform 1 ns ..= 2^30 ns", &values);
}

#[test]
fn zeros_only() {
    // No bucket at all: both sides keep the maximal scale, offset 0 and an empty bucket list.
    let values = vec![0u64; 1_000];
    assert_conforms_at_every_size("zeros only", &values);
}

#[test]
fn a_single_value() {
    for v in [1u64, 2, 3, 1_234, 1 << 20, MAX_VALUE] {
        assert_conforms_at_every_size(&format!("the single value {v}"), &[v]);
    }
}

#[test]
fn zeros_and_values() {
    let mut rng = StdRng::seed_from_u64(4003);
    let values: Vec<u64> = (0..10_000)
        .map(|_| {
            if rng.random_bool(0.2) {
                0
            } else {
                rng.random_range(1..=50_000u64)
            }
        })
        .collect();
    assert_conforms_at_every_size("zeros and values up to 50 µs", &values);
}

#[test]
fn powers_of_two_and_neighbours() {
    // 2^e closes the bucket below it (upper-inclusive bounds); 2^e + 1 opens the next octave
    // once the bucket width exceeds 1 ns. All 31 octaves at once, then one octave at a time so
    // that the comparison happens at scale 6 before any merging.
    let all: Vec<u64> = (0..=30u32)
        .flat_map(|e| {
            let p = 1u64 << e;
            [p - 1, p, p + 1]
        })
        .filter(|&v| v > 0)
        .collect();
    assert_conforms_at_every_size("2^e − 1, 2^e, 2^e + 1 for e in 0..=30", &all);
    assert_conforms("2^e − 1, 2^e, 2^e + 1 for e in 0..=30", &all, NO_DOWNSCALE);
    for e in 1..=36u32 {
        let p = 1u64 << e;
        let values = [p - 1, p, p + 1, p + 2, 2 * p - 1, 2 * p]
            .into_iter()
            .filter(|&v| v <= MAX_VALUE)
            .collect::<Vec<_>>();
        assert_conforms(&format!("around 2^{e}"), &values, 160);
    }
}

#[test]
fn long_tailed_latency_mix() {
    // A replay loop: 94.9 % fast path near 300 ns, 5 % slow path (page faults, segment
    // switches) with a Pareto tail into seconds, 0.1 % clamped zeros.
    let mut rng = StdRng::seed_from_u64(4004);
    let fast = LogNormal::<f64>::new(5.7, 0.25).expect("valid log-normal");
    let slow = Pareto::<f64>::new(20_000.0, 1.5).expect("valid Pareto");
    let values: Vec<u64> = (0..200_000)
        .map(|_| {
            let draw: f64 = rng.random_range(0.0..1.0);
            if draw < 0.001 {
                0
            } else if draw < 0.051 {
                (slow.sample(&mut rng).round() as u64).min(10_000_000_000)
            } else {
                fast.sample(&mut rng).round() as u64
            }
        })
        .collect();
    assert_conforms_at_every_size("long-tailed latency mix", &values);
}

#[test]
fn every_value_up_to_2_pow_16() {
    // Every integer 1..=65,536 once: 1,025 scale-6 buckets, compared bucket by bucket without
    // downscaling, then downscaled.
    let values: Vec<u64> = (1..=1u64 << 16).collect();
    assert_conforms("1..=2^16, no downscaling", &values, NO_DOWNSCALE);
    assert_conforms_at_every_size("1..=2^16", &values);
}

#[test]
fn integers_around_every_bound() {
    // The integers nearest to each scale-6 bound 2^(e + j/64), e in 0..36, within ±2: where a
    // float logarithm would go wrong first. Compared at scale 6 without downscaling.
    let mut values: Vec<u64> = (0..36i32)
        .flat_map(|e| (0..64i32).map(move |j| f64::from(e * 64 + j) / 64.0))
        .flat_map(|exponent| {
            let bound = exponent.exp2().floor() as u64;
            bound.saturating_sub(2)..=bound + 2
        })
        .filter(|&v| (1..=MAX_VALUE).contains(&v))
        .collect();
    values.sort_unstable();
    values.dedup();
    assert_conforms("integers around every bound", &values, NO_DOWNSCALE);
    assert_conforms_at_every_size("integers around every bound", &values);
}

#[test]
fn order_does_not_matter() {
    // The SDK downscales as values arrive; we downscale the finished snapshot. Descending,
    // ascending and alternating extremes must all give the one point the specification defines.
    let ascending: Vec<u64> = (0..=30).map(|e| 3u64 << e).collect();
    let descending: Vec<u64> = ascending.iter().rev().copied().collect();
    // Smallest, largest, second smallest, second largest, …
    let alternating: Vec<u64> = (0..ascending.len())
        .map(|k| {
            if k % 2 == 0 {
                ascending[k / 2]
            } else {
                descending[k / 2]
            }
        })
        .collect();
    for (name, values) in [
        ("ascending", &ascending),
        ("descending", &descending),
        ("alternating", &alternating),
    ] {
        assert_conforms_at_every_size(name, values);
    }
}

#[test]
fn cumulative_across_exports() {
    // A cumulative series as an agent sends it: narrow values first, then a tail that forces
    // downscaling, then zeros. Every export of ours equals the SDK's at the same moment.
    let mut rng = StdRng::seed_from_u64(4005);
    let batches: [Vec<u64>; 3] = [
        (0..2_000).map(|_| rng.random_range(200..=400u64)).collect(),
        (0..2_000)
            .map(|_| rng.random_range(1..=10_000_000u64))
            .collect(),
        vec![0; 100],
    ];
    for max_size in MAX_SIZES {
        let sdk = Sdk::new(max_size, max_scale());
        let mut ours = Ours::new(max_size);
        for (k, batch) in batches.iter().enumerate() {
            sdk.record(batch);
            ours.record(batch);
            let context = format!("export {} of 3 (max_size {max_size})", k + 1);
            assert_same(&context, &ours.point(), &sdk.point(), max_size);
        }
    }
}

#[test]
fn nothing_recorded() {
    // Not a bucket difference, but the one place the two outputs differ in shape: the SDK
    // exports no data point (indeed no export at all) for an instrument nobody has recorded
    // into, while a `Manager`
    // always exports its histogram, here as an empty point (count 0, no min or max, the
    // recording scale, no buckets). OTLP allows both; an empty cumulative point is a valid
    // "nothing yet".
    let sdk = Sdk::new(160, max_scale());
    assert!(sdk.points().is_empty(), "the SDK exports no point");
    let mut ours = Ours::new(160);
    assert_eq!(
        ours.point(),
        Point {
            scale: RECORD_SCALE,
            offset: 0,
            counts: Vec::new(),
            zero_count: 0,
            count: 0,
            sum: 0.0,
            min: None,
            max: None,
        }
    );
}

#[test]
fn sdk_maps_powers_of_two_exactly() {
    // The SDK's bin for a positive scale s is `(exp << s) + trunc(ln(frac) · log2(e) · 2^s) − 1`
    // with `frexp(v) = (frac, exp)`. For v = 2^e, frac = 0.5 and exp = e + 1: the bin is the
    // specification's `e · 2^s − 1` only if the float product is exactly −2^s, not −2^s + ε.
    // It is, at every scale the SDK allows (1..=20); this pins the corner the conformance
    // above relies on, should a future std `ln` round differently.
    for s in 1..=20 {
        let factor = std::f64::consts::LOG2_E * 2f64.powi(s);
        assert_eq!(0.5f64.ln() * factor, -(2f64.powi(s)), "scale {s}");
    }
}
