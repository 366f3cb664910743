//! The two sides of the histogram conformance test (tests/otlp_conformance.rs): walrec's
//! exported `next_event_histogram` point and the reference SDK's, in shared terms, and the
//! comparisons between them.
#![allow(dead_code)]

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
use walrec::otlp::{Config, MetricsEncoder};
use walrec::telemetry::Manager;
use walrec::telemetry::histogram::{MAX_VALUE, RECORD_SCALE};

/// The exported name of the histogram.
pub const HISTOGRAM_NAME: &str = "walrec.next_event_histogram";

/// The SDK instrument's name (any valid name; the view matches on it).
pub const SDK_INSTRUMENT: &str = "conformance.latency";

/// The bucket limits every value set is compared at: the OTel default, a small one that forces
/// downscaling, and the smallest both sides accept.
pub const MAX_SIZES: [u32; 3] = [160, 20, 2];

/// A bucket limit large enough that no value set below 2^36 ns is downscaled (36 · 64 + 1
/// buckets at most), so the raw scale-6 mapping is compared.
pub const NO_DOWNSCALE: u32 = 4096;

/// One exponential-histogram data point, in the terms both sides share.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub scale: i32,
    pub offset: i32,
    pub counts: Vec<u64>,
    pub zero_count: u64,
    pub count: u64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Our side: a `Manager` exported through [`MetricsEncoder`], cumulatively.
pub struct Ours {
    pub manager: Arc<Manager>,
    pub encoder: MetricsEncoder,
}

impl Ours {
    pub fn new(max_size: u32) -> Self {
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

    pub fn record(&self, values: &[u64]) {
        let updater = self.manager.updater();
        for &v in values {
            updater.record_next_event(0, v);
        }
    }

    /// Builds a request and reads the histogram's one data point out of it.
    pub fn point(&mut self) -> Point {
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
pub struct Sdk {
    pub provider: SdkMeterProvider,
    pub exporter: InMemoryMetricExporter,
    pub histogram: Histogram<u64>,
}

impl Sdk {
    pub fn new(max_size: u32, max_scale: i8) -> Self {
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

    pub fn record(&self, values: &[u64]) {
        for &v in values {
            self.histogram.record(v, &[]);
        }
    }

    /// Exports and reads the instrument's data points (none before the first measurement).
    pub fn points(&self) -> Vec<Point> {
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

    pub fn point(&self) -> Point {
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
pub fn max_scale() -> i8 {
    i8::try_from(RECORD_SCALE).expect("the recording scale fits an i8")
}

/// What the specification says, computed from the values alone: the exact scale-6 index of
/// each value, then the largest scale `<= 6` whose index range fits `max_size` buckets. Used
/// only to say which side is wrong when the two disagree.
pub fn spec_scale(values: &[u64], max_size: u32) -> i32 {
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
pub fn assert_conforms(name: &str, values: &[u64], max_size: u32) {
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
pub fn assert_same(context: &str, mine: &Point, theirs: &Point, max_size: u32) {
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

pub fn assert_conforms_at_every_size(name: &str, values: &[u64]) {
    for max_size in MAX_SIZES {
        assert_conforms(name, values, max_size);
    }
}
