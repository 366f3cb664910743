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

use std::sync::Arc;

use opentelemetry::metrics::{Histogram, MeterProvider as _};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, metric::Data};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{
    Aggregation, InMemoryMetricExporter, InMemoryMetricExporterBuilder, Instrument, PeriodicReader,
    SdkMeterProvider, Stream, Temporality,
};
use prost::Message as _;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal, Pareto};
use walrec::otlp::{Config, MetricsEncoder};
use walrec::telemetry::Manager;
use walrec::telemetry::histogram::{MAX_VALUE, RECORD_SCALE};

/// The exported name of the histogram.
const HISTOGRAM_NAME: &str = "walrec.next_event_histogram";

/// The SDK instrument's name (any valid name; the view matches on it).
const SDK_INSTRUMENT: &str = "conformance.latency";

/// The bucket limits every value set is compared at: the OTel default, a small one that forces
/// downscaling, and the smallest both sides accept.
const MAX_SIZES: [u32; 3] = [160, 20, 2];

/// A bucket limit large enough that no value set below 2^36 ns is downscaled (36 · 64 + 1
/// buckets at most), so the raw scale-6 mapping is compared.
const NO_DOWNSCALE: u32 = 4096;

/// One exponential-histogram data point, in the terms both sides share.
#[derive(Debug, Clone, PartialEq)]
struct Point {
    scale: i32,
    offset: i32,
    counts: Vec<u64>,
    zero_count: u64,
    count: u64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
}

/// Our side: a `Manager` exported through [`MetricsEncoder`], cumulatively.
struct Ours {
    manager: Arc<Manager>,
    encoder: MetricsEncoder,
}

impl Ours {
    fn new(max_size: u32) -> Self {
        let manager = Arc::new(Manager::new());
        let config = Config::builder()
            .service_name("walrec-conformance")
            .max_histogram_buckets(max_size as usize)
            .build()
            .expect("a valid configuration");
        let mut encoder = MetricsEncoder::new(&config);
        encoder.add("conformance", &manager);
        Ours { manager, encoder }
    }

    fn record(&self, values: &[u64]) {
        let updater = self.manager.updater();
        for &v in values {
            updater.record_next_event(0, v);
        }
    }

    /// Builds a request and reads the histogram's one data point out of it.
    fn point(&mut self) -> Point {
        let bytes = self.encoder.encode();
        let request = ExportMetricsServiceRequest::decode(bytes.as_slice()).expect("valid OTLP");
        let metric = request
            .resource_metrics
            .iter()
            .flat_map(|r| &r.scope_metrics)
            .flat_map(|s| &s.metrics)
            .find(|m| m.name == HISTOGRAM_NAME)
            .unwrap_or_else(|| panic!("{HISTOGRAM_NAME} is missing from the request"));
        let Some(Data::ExponentialHistogram(histogram)) = &metric.data else {
            panic!(
                "{HISTOGRAM_NAME} is not an ExponentialHistogram: {:?}",
                metric.data
            );
        };
        assert_eq!(
            histogram.aggregation_temporality,
            AggregationTemporality::Cumulative as i32
        );
        assert_eq!(histogram.data_points.len(), 1, "one Manager, one point");
        let p = &histogram.data_points[0];
        assert_eq!(p.zero_threshold, 0.0);
        assert!(
            p.negative
                .as_ref()
                .is_none_or(|n| n.bucket_counts.is_empty()),
            "latencies are never negative: {:?}",
            p.negative
        );
        let positive = p.positive.clone().unwrap_or_default();
        Point {
            scale: p.scale,
            offset: positive.offset,
            counts: positive.bucket_counts,
            zero_count: p.zero_count,
            count: p.count,
            sum: p.sum.expect("a histogram of latencies carries its sum"),
            min: p.min,
            max: p.max,
        }
    }
}

/// The reference: an SDK `Histogram<u64>` whose view selects the base-2 exponential
/// aggregation, read back through the `InMemoryMetricExporter`, cumulatively.
struct Sdk {
    provider: SdkMeterProvider,
    exporter: InMemoryMetricExporter,
    histogram: Histogram<u64>,
}

impl Sdk {
    fn new(max_size: u32, max_scale: i8) -> Self {
        let exporter = InMemoryMetricExporterBuilder::new()
            .with_temporality(Temporality::Cumulative)
            .build();
        let provider = SdkMeterProvider::builder()
            // The interval is the default 60 s; `force_flush` is what exports.
            .with_reader(PeriodicReader::builder(exporter.clone()).build())
            .with_view(move |instrument: &Instrument| {
                (instrument.name() == SDK_INSTRUMENT).then(|| {
                    Stream::builder()
                        .with_aggregation(Aggregation::Base2ExponentialHistogram {
                            max_size,
                            max_scale,
                            record_min_max: true,
                        })
                        .build()
                        .expect("a valid exponential-histogram stream")
                })
            })
            .build();
        let histogram = provider
            .meter("walrec-conformance")
            .u64_histogram(SDK_INSTRUMENT)
            .with_unit("ns")
            .build();
        Sdk {
            provider,
            exporter,
            histogram,
        }
    }

    fn record(&self, values: &[u64]) {
        for &v in values {
            self.histogram.record(v, &[]);
        }
    }

    /// Exports and reads the instrument's data points (none before the first measurement).
    fn points(&self) -> Vec<Point> {
        self.exporter.reset();
        self.provider.force_flush().expect("the SDK flushes");
        let exported = self
            .exporter
            .get_finished_metrics()
            .expect("the in-memory exporter holds the export");
        // The reader skips the export altogether when no instrument has a point.
        let Some(last) = exported.last() else {
            return Vec::new();
        };
        let Some(metric) = last
            .scope_metrics()
            .flat_map(|s| s.metrics())
            .find(|m| m.name() == SDK_INSTRUMENT)
        else {
            return Vec::new();
        };
        let AggregatedMetrics::U64(MetricData::ExponentialHistogram(histogram)) = metric.data()
        else {
            panic!("the view did not select the exponential histogram: {metric:?}");
        };
        assert_eq!(histogram.temporality(), Temporality::Cumulative);
        histogram
            .data_points()
            .map(|p| {
                assert_eq!(p.zero_threshold(), 0.0);
                assert_eq!(p.negative_bucket().counts().count(), 0);
                Point {
                    scale: i32::from(p.scale()),
                    offset: p.positive_bucket().offset(),
                    counts: p.positive_bucket().counts().collect(),
                    zero_count: p.zero_count(),
                    count: p.count() as u64,
                    sum: p.sum() as f64,
                    min: p.min().map(|v| v as f64),
                    max: p.max().map(|v| v as f64),
                }
            })
            .collect()
    }

    fn point(&self) -> Point {
        let mut points = self.points();
        assert_eq!(points.len(), 1, "no attributes, one point");
        points.remove(0)
    }
}

impl Drop for Sdk {
    fn drop(&mut self) {
        // Stops the reader's thread; an error here (already shut down) changes nothing.
        let _ = self.provider.shutdown();
    }
}

/// The `max_scale` for the SDK view: our recording scale.
fn max_scale() -> i8 {
    i8::try_from(RECORD_SCALE).expect("the recording scale fits an i8")
}

/// What the specification says, computed from the values alone: the exact scale-6 index of
/// each value, then the largest scale `<= 6` whose index range fits `max_size` buckets. Used
/// only to say which side is wrong when the two disagree.
fn spec_scale(values: &[u64], max_size: u32) -> i32 {
    let indices: Vec<i64> = values
        .iter()
        .filter(|&&v| v > 0)
        .map(|&v| i64::from(walrec::telemetry::histogram::mapping::index_of(v)))
        .collect();
    let (Some(&low), Some(&high)) = (indices.iter().min(), indices.iter().max()) else {
        return RECORD_SCALE;
    };
    let steps = (0..=31)
        .find(|s| (high >> s) - (low >> s) < i64::from(max_size))
        .unwrap_or(31);
    RECORD_SCALE - steps
}

/// Records `values` on both sides, exports once and compares.
fn assert_conforms(name: &str, values: &[u64], max_size: u32) {
    assert!(
        values.iter().all(|&v| v <= MAX_VALUE),
        "{name}: keep values within the histogram's range, or they are clamped on our side only"
    );
    let sdk = Sdk::new(max_size, max_scale());
    sdk.record(values);
    let mut ours = Ours::new(max_size);
    ours.record(values);
    let context = format!(
        "{name} ({} values, max_size {max_size}, max_scale {}, spec scale {})",
        values.len(),
        max_scale(),
        spec_scale(values, max_size)
    );
    let mine = ours.point();
    assert_same(&context, &mine, &sdk.point(), max_size);

    // And both agree with the values themselves.
    assert_eq!(mine.count, values.len() as u64, "{context}: count");
    assert_eq!(
        mine.count,
        mine.zero_count + mine.counts.iter().sum::<u64>(),
        "{context}: count == zero_count + Σ buckets"
    );
    assert_eq!(
        mine.sum,
        values.iter().sum::<u64>() as f64,
        "{context}: sum"
    );
    assert_eq!(mine.scale, spec_scale(values, max_size), "{context}: scale");
}

/// Compares our point with the SDK's field by field, so that a failure names what differs.
fn assert_same(context: &str, mine: &Point, theirs: &Point, max_size: u32) {
    assert_eq!(mine.scale, theirs.scale, "{context}: scale (walrec vs SDK)");
    assert_eq!(
        mine.offset, theirs.offset,
        "{context}: offset (walrec vs SDK)"
    );
    if mine.counts != theirs.counts {
        let first = mine
            .counts
            .iter()
            .zip(&theirs.counts)
            .position(|(a, b)| a != b)
            .unwrap_or(mine.counts.len().min(theirs.counts.len()));
        panic!(
            "{context}: bucket counts differ first at index {} (k = {first}): walrec {:?} vs SDK \
             {:?}; lengths {} vs {}",
            mine.offset + first as i32,
            mine.counts.get(first),
            theirs.counts.get(first),
            mine.counts.len(),
            theirs.counts.len()
        );
    }
    assert!(
        mine.counts.len() <= max_size as usize,
        "{context}: {} buckets exceed max_size",
        mine.counts.len()
    );
    assert_eq!(mine.zero_count, theirs.zero_count, "{context}: zero_count");
    assert_eq!(mine.count, theirs.count, "{context}: count");
    assert_eq!(mine.sum, theirs.sum, "{context}: sum");
    assert_eq!(mine.min, theirs.min, "{context}: min");
    assert_eq!(mine.max, theirs.max, "{context}: max");
    // Everything at once, in case a field is added to `Point` and not above.
    assert_eq!(mine, theirs, "{context}");
}

fn assert_conforms_at_every_size(name: &str, values: &[u64]) {
    for max_size in MAX_SIZES {
        assert_conforms(name, values, max_size);
    }
}

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
