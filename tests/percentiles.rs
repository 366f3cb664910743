//! Percentiles from the buckets against exact order statistics and against hdrhistogram.

use hdrhistogram::Histogram as HdrHistogram;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal, Pareto};
use walrec::telemetry::LatencyHistogram;
use walrec::telemetry::histogram::PERCENTILES;

const SAMPLES: usize = 1_000_000;

fn uniform(rng: &mut StdRng) -> Vec<u64> {
    (0..SAMPLES)
        .map(|_| rng.random_range(100..=1_000_000))
        .collect()
}

fn lognormal(rng: &mut StdRng) -> Vec<u64> {
    // Median ~1.2 µs with a long right tail, like a healthy replay loop.
    let dist = LogNormal::<f64>::new(7.1, 0.8).unwrap();
    (0..SAMPLES)
        .map(|_| dist.sample(rng).round() as u64)
        .collect()
}

fn bimodal_long_tail(rng: &mut StdRng) -> Vec<u64> {
    // 95 % fast path near 300 ns, 5 % slow path (page faults, segment switches) with a
    // Pareto tail reaching into milliseconds.
    let fast = LogNormal::<f64>::new(5.7, 0.25).unwrap();
    let slow = Pareto::<f64>::new(20_000.0, 1.5).unwrap();
    (0..SAMPLES)
        .map(|_| {
            let v: f64 = if rng.random_bool(0.95) {
                fast.sample(rng)
            } else {
                slow.sample(rng)
            };
            (v.round() as u64).min(10_000_000_000)
        })
        .collect()
}

/// Nearest-rank order statistic of sorted values.
fn exact(sorted: &[u64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64
}

fn check(name: &str, mut values: Vec<u64>) {
    let histogram = LatencyHistogram::new();
    let writer = histogram.writer();
    let mut hdr = HdrHistogram::<u64>::new_with_bounds(1, 1 << 40, 3).unwrap();
    for &v in &values {
        writer.record(v);
        hdr.record(v.max(1)).unwrap();
    }
    let snapshot = histogram.snapshot();
    values.sort_unstable();
    assert_eq!(snapshot.count, values.len() as u64);
    // p99.9999 of 1 M samples is the maximum itself; every listed percentile is checked.
    for (label, q) in PERCENTILES {
        let truth = exact(&values, q);
        let ours = snapshot.value_at_quantile(q).unwrap();
        let theirs = hdr.value_at_quantile(q) as f64;
        let our_error = (ours - truth).abs() / truth;
        let hdr_error = (theirs - truth).abs() / truth;
        assert!(
            our_error <= 0.01,
            "{name} {label}: ours {ours} vs exact {truth} ({our_error:.4})"
        );
        // hdrhistogram (3 significant figures) is a second, independent estimate.
        assert!(
            hdr_error <= 0.01,
            "{name} {label}: hdr {theirs} vs exact {truth}"
        );
        let between = (ours - theirs).abs() / theirs;
        assert!(
            between <= 0.015,
            "{name} {label}: ours {ours} vs hdr {theirs}"
        );
    }
}

#[test]
fn uniform_percentiles_within_one_percent() {
    check("uniform", uniform(&mut StdRng::seed_from_u64(1)));
}

#[test]
fn lognormal_percentiles_within_one_percent() {
    check("lognormal", lognormal(&mut StdRng::seed_from_u64(2)));
}

#[test]
fn bimodal_long_tail_percentiles_within_one_percent() {
    check("bimodal", bimodal_long_tail(&mut StdRng::seed_from_u64(3)));
}
