//! Fidelity of walrec's percentiles and of its exported histogram, on ≥ 10 M samples each.
//!
//! `cargo run --release --example fidelity [-- --samples N]`
//!
//! Data sets:
//! - `replay`: the per-event latencies of a real WAL replay. A WAL of 2 M events is written to
//!   a temporary directory with `SegmentWriter`, then replayed (telemetry off) five times; each
//!   event's latency is the difference of consecutive `clock::now_ns()` reads, kept in a `Vec`.
//! - `lognormal`: median 2 µs, σ = 1.5 (ln), clamped to 10 s.
//! - `bimodal`: 85 % around 120 ns (σ = 0.25), 15 % around 800 µs (σ = 0.6).
//!
//! For p50, p90, p99, p99.9 and p99.99 the exact order statistic (nearest rank, from the sorted
//! values) is compared with:
//! - walrec: `LatencyHistogram` → `HistogramSnapshot::value_at_quantile` (what `dump` prints);
//! - hdrhistogram with 3 significant figures (`value_at_quantile`);
//! - a power-of-two histogram like the seed's original (bucket `floor(log2 v)`), reported as
//!   the bucket's lower bound `2^k` and as its arithmetic midpoint `1.5 · 2^k`.
//!
//! Error is `|estimate − exact| / exact`. Then the exported OTLP histogram (max_size 160) is
//! compared with `opentelemetry_sdk`'s `Base2ExponentialHistogram` aggregation of the same
//! values, with the SDK's default `max_scale` 20 and with 6 (walrec's recording scale):
//! scale, and the number of buckets whose counts differ (expected 0).

use std::cmp::Ordering;
use std::sync::Arc;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{
    Aggregation, InMemoryMetricExporter, InMemoryMetricExporterBuilder, Instrument, PeriodicReader,
    SdkMeterProvider, Stream, Temporality,
};
use prost::Message as _;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal};
use walrec::otlp::{Config, MetricsEncoder};
use walrec::telemetry::{LatencyHistogram, Manager, clock};
use walrec::wal::{NoTelemetry, RecoveryManager, SegmentWriter, WriterOptions};

const QUANTILES: [(&str, f64); 5] = [
    ("p50", 0.50),
    ("p90", 0.90),
    ("p99", 0.99),
    ("p99.9", 0.999),
    ("p99.99", 0.9999),
];
const MAX_SIZE: u32 = 160;
const WAL_EVENTS: u64 = 2_000_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let samples: usize = match std::env::args().skip_while(|a| a != "--samples").nth(1) {
        Some(n) => n.parse()?,
        None => 10_000_000,
    };
    clock::init();
    println!("# walrec fidelity: {samples} samples per data set\n");
    let mut worst = Worst::default();
    for (name, values) in [
        ("replay", replay_latencies(samples)?),
        ("lognormal", lognormal(samples)),
        ("bimodal", bimodal(samples)),
    ] {
        percentiles(name, values.clone(), &mut worst);
        worst.buckets = worst.buckets.max(otlp(name, &values));
    }
    println!(
        "worst error p50..p99.9 over all data sets: walrec {:.3} %, hdrhistogram(3) {:.3} %, \
         log2 lower bound {:.1} %, log2 midpoint {:.1} %",
        worst.walrec, worst.hdr, worst.log2_low, worst.log2_mid
    );
    println!(
        "worst OTLP bucket mismatches against the SDK: {}",
        worst.buckets
    );
    Ok(())
}

#[derive(Default)]
struct Worst {
    walrec: f64,
    hdr: f64,
    log2_low: f64,
    log2_mid: f64,
    buckets: usize,
}

/// Per-event latencies of real replays of a WAL, `samples` in all.
fn replay_latencies(samples: usize) -> Result<Vec<u64>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let opts = WriterOptions {
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir.path(), opts)?;
    for i in 0..WAL_EVENTS {
        let len = (i % 40) as usize;
        writer.append(i * 100, (i % 8) as u16, &[i as u8; 44][..len])?;
    }
    writer.finish()?;

    let mut latencies = Vec::with_capacity(samples);
    let mut replays = 0;
    while latencies.len() < samples {
        let mut wal = RecoveryManager::with_hooks(dir.path(), NoTelemetry)?;
        let first = wal.first_event_id();
        wal.resume_from_event(first)?;
        let mut checksum = 0u64;
        let mut last = clock::now_ns();
        while latencies.len() < samples {
            let Some(event) = wal.next_event()? else {
                break;
            };
            checksum = checksum.rotate_left(7) ^ event.id() ^ event.payload().len() as u64;
            let now = clock::now_ns();
            latencies.push(now - last);
            last = now;
        }
        std::hint::black_box(checksum);
        replays += 1;
    }
    println!(
        "replay: {replays} replays of a {WAL_EVENTS}-event WAL ({} MiB on disk)\n",
        (WAL_EVENTS * 64) >> 20
    );
    Ok(latencies)
}

fn lognormal(samples: usize) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(5001);
    let dist = LogNormal::new(2_000f64.ln(), 1.5).expect("valid lognormal");
    (0..samples)
        .map(|_| (dist.sample(&mut rng) as u64).clamp(1, 10_000_000_000))
        .collect()
}

fn bimodal(samples: usize) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(5002);
    let fast = LogNormal::new(120f64.ln(), 0.25).expect("valid lognormal");
    let slow = LogNormal::new(800_000f64.ln(), 0.6).expect("valid lognormal");
    (0..samples)
        .map(|_| {
            let v = if rng.random_bool(0.85) {
                fast.sample(&mut rng)
            } else {
                slow.sample(&mut rng)
            };
            (v as u64).max(1)
        })
        .collect()
}

/// Nearest rank: the smallest value with at least `q · n` values at or below it.
fn rank(q: f64, n: usize) -> usize {
    ((q * n as f64).ceil() as usize).clamp(1, n)
}

/// The seed's power-of-two histogram: bucket `floor(log2 v)`, zero apart.
struct Log2 {
    zero: u64,
    counts: [u64; 64],
    n: u64,
}

impl Log2 {
    fn new(values: &[u64]) -> Self {
        let mut h = Log2 {
            zero: 0,
            counts: [0; 64],
            n: values.len() as u64,
        };
        for &v in values {
            if v == 0 {
                h.zero += 1;
            } else {
                h.counts[63 - v.leading_zeros() as usize] += 1;
            }
        }
        h
    }

    /// The bucket holding the nearest rank: `None` for the zero bucket, else `k`.
    fn bucket(&self, q: f64) -> Option<u32> {
        let r = rank(q, self.n as usize) as u64;
        if r <= self.zero {
            return None;
        }
        let mut seen = self.zero;
        for (k, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= r {
                return Some(k as u32);
            }
        }
        Some(63)
    }

    fn lower(&self, q: f64) -> f64 {
        self.bucket(q).map_or(0.0, |k| 2f64.powi(k as i32))
    }

    fn midpoint(&self, q: f64) -> f64 {
        self.bucket(q).map_or(0.0, |k| 1.5 * 2f64.powi(k as i32))
    }
}

fn error_pct(estimate: f64, exact: u64) -> f64 {
    if exact == 0 {
        if estimate == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        (estimate - exact as f64).abs() / exact as f64 * 100.0
    }
}

fn percentiles(name: &str, mut values: Vec<u64>, worst: &mut Worst) {
    let walrec = LatencyHistogram::new();
    {
        let writer = walrec.writer();
        for &v in &values {
            writer.record(v);
        }
    }
    let snapshot = walrec.snapshot();
    let mut hdr =
        hdrhistogram::Histogram::<u64>::new_with_bounds(1, 1 << 40, 3).expect("valid bounds");
    for &v in &values {
        hdr.saturating_record(v);
    }
    let log2 = Log2::new(&values);
    values.sort_unstable();
    let n = values.len();
    let (min, max) = (values[0], values[n - 1]);
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n as f64;

    println!("## {name}: n = {n}, min {min} ns, mean {mean:.0} ns, max {max} ns\n");
    println!(
        "| quantile | exact (ns) | walrec (ns) | walrec err | hdr 3sf (ns) | hdr err | log2 lower (ns) | log2 lower err | log2 mid (ns) | log2 mid err |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (label, q) in QUANTILES {
        let exact = values[rank(q, n) - 1];
        let ours = snapshot.value_at_quantile(q).unwrap_or(0.0);
        let theirs = hdr.value_at_quantile(q) as f64;
        let (low, mid) = (log2.lower(q), log2.midpoint(q));
        let errors = [
            error_pct(ours, exact),
            error_pct(theirs, exact),
            error_pct(low, exact),
            error_pct(mid, exact),
        ];
        println!(
            "| {label} | {exact} | {ours:.1} | {:.3} % | {theirs:.0} | {:.3} % | {low:.0} | {:.1} % | {mid:.0} | {:.1} % |",
            errors[0], errors[1], errors[2], errors[3]
        );
        if q <= 0.999 {
            worst.walrec = worst.walrec.max(errors[0]);
            worst.hdr = worst.hdr.max(errors[1]);
            worst.log2_low = worst.log2_low.max(errors[2]);
            worst.log2_mid = worst.log2_mid.max(errors[3]);
        }
    }
    println!();
}

/// One exponential-histogram point: scale, offset, counts, zero count, count, sum.
#[derive(Debug, PartialEq)]
struct Point {
    scale: i32,
    offset: i32,
    counts: Vec<u64>,
    zero_count: u64,
    count: u64,
    sum: f64,
}

impl Point {
    /// Buckets (by index, over both index ranges) whose counts differ; every bucket when the
    /// scales differ (the indices then mean different ranges).
    fn mismatched_buckets(&self, other: &Point) -> usize {
        if self.scale != other.scale {
            return self.counts.len().max(other.counts.len());
        }
        let count_at = |p: &Point, i: i32| {
            usize::try_from(i - p.offset)
                .ok()
                .and_then(|k| p.counts.get(k).copied())
                .unwrap_or(0)
        };
        let low = self.offset.min(other.offset);
        let high =
            (self.offset + self.counts.len() as i32).max(other.offset + other.counts.len() as i32);
        (low..high)
            .filter(|&i| count_at(self, i) != count_at(other, i))
            .count()
            + usize::from(self.zero_count != other.zero_count)
    }
}

fn walrec_point(values: &[u64]) -> Point {
    let manager = Arc::new(Manager::new());
    {
        let updater = manager.updater();
        for &v in values {
            updater.record_next_event(0, v);
        }
    }
    let config = Config::builder()
        .service_name("walrec-fidelity")
        .max_histogram_buckets(MAX_SIZE as usize)
        .build()
        .expect("a valid configuration");
    let mut encoder = MetricsEncoder::new(&config);
    encoder.add("fidelity", manager);
    let request = ExportMetricsServiceRequest::decode(encoder.encode().as_slice())
        .expect("walrec's own request decodes");
    let metric = request
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .find(|m| m.name == "walrec.next_event_histogram")
        .expect("the histogram is exported");
    let Some(Data::ExponentialHistogram(histogram)) = &metric.data else {
        panic!("not an exponential histogram");
    };
    let p = &histogram.data_points[0];
    let positive = p.positive.clone().unwrap_or_default();
    Point {
        scale: p.scale,
        offset: positive.offset,
        counts: positive.bucket_counts,
        zero_count: p.zero_count,
        count: p.count,
        sum: p.sum.unwrap_or(0.0),
    }
}

fn sdk_point(values: &[u64], max_scale: i8) -> Point {
    let exporter: InMemoryMetricExporter = InMemoryMetricExporterBuilder::new()
        .with_temporality(Temporality::Cumulative)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .with_view(move |instrument: &Instrument| {
            (instrument.name() == "fidelity.latency").then(|| {
                Stream::builder()
                    .with_aggregation(Aggregation::Base2ExponentialHistogram {
                        max_size: MAX_SIZE,
                        max_scale,
                        record_min_max: true,
                    })
                    .build()
                    .expect("a valid stream")
            })
        })
        .build();
    let histogram = provider
        .meter("walrec-fidelity")
        .u64_histogram("fidelity.latency")
        .with_unit("ns")
        .build();
    for &v in values {
        histogram.record(v, &[]);
    }
    provider.force_flush().expect("the SDK flushes");
    let exported = exporter.get_finished_metrics().expect("an export");
    let metric = exported
        .last()
        .and_then(|r| {
            r.scope_metrics()
                .flat_map(|s| s.metrics())
                .find(|m| m.name() == "fidelity.latency")
        })
        .expect("the SDK exported the instrument");
    let AggregatedMetrics::U64(MetricData::ExponentialHistogram(h)) = metric.data() else {
        panic!("the view did not select the exponential histogram");
    };
    let p = h.data_points().next().expect("one point");
    let point = Point {
        scale: i32::from(p.scale()),
        offset: p.positive_bucket().offset(),
        counts: p.positive_bucket().counts().collect(),
        zero_count: p.zero_count(),
        count: p.count() as u64,
        sum: p.sum() as f64,
    };
    let _ = provider.shutdown();
    point
}

/// Prints the comparison; returns the most mismatched buckets at either `max_scale`.
fn otlp(name: &str, values: &[u64]) -> usize {
    let ours = walrec_point(values);
    println!("OTLP export of `{name}` (max_size {MAX_SIZE}) against opentelemetry_sdk 0.33:\n");
    println!(
        "| SDK max_scale | walrec scale | SDK scale | buckets (walrec / SDK) | mismatched buckets | count equal | sum equal |"
    );
    println!("|---:|---:|---:|---:|---:|---|---|");
    let mut most = 0;
    for max_scale in [20i8, 6] {
        let sdk = sdk_point(values, max_scale);
        let mismatched = ours.mismatched_buckets(&sdk);
        most = most.max(mismatched);
        println!(
            "| {max_scale} | {} | {} | {} / {} | {mismatched} | {} | {} |",
            ours.scale,
            sdk.scale,
            ours.counts.len(),
            sdk.counts.len(),
            ours.count == sdk.count,
            ours.sum.partial_cmp(&sdk.sum) == Some(Ordering::Equal)
        );
    }
    println!();
    most
}
