//! The export peer: the OpenTelemetry SDK holding the same figures as N walrec `Manager`s,
//! recorded the way an SDK user would, and one interval of it collected and encoded.
//!
//! Every manager is one attribute set (`wal.recovery.instance = wal-<i>`) on instruments
//! shared by all of them, named, described and typed after walrec's naming table: integer
//! counters for counts, `f64` counters for times in seconds, `f64` gauges for min/max/avg,
//! and a `u64` histogram with the base-2 exponential view (160 buckets, max scale 20, min/max
//! kept) fed every `next_event` sample one by one. The cardinality limit is raised above N so
//! no series folds into the overflow one. One interval is `ManualReader::collect` followed by
//! `opentelemetry-proto`'s own conversion (`From<&ResourceMetrics>`) and prost encoding: what
//! an OTLP exporter does with what the reader hands it.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Gauge, Histogram, Meter, MeterProvider as _};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader;
use opentelemetry_sdk::metrics::{
    Aggregation, Instrument, InstrumentKind, ManualReader, Pipeline, SdkMeterProvider, Stream,
    Temporality,
};
use prost::Message as _;
use walrec::otlp::INSTANCE_ATTRIBUTE;
use walrec::telemetry::{Collector, HistogramSnapshot, Manager, MetricKey, Unit};

/// `next_event` samples each manager has seen.
pub const SAMPLES_PER_MANAGER: usize = 20_000;

/// The `next_event` samples of manager `seed`: 50 ns to ~100 µs, the same on both sides.
pub fn samples(seed: u64) -> impl Iterator<Item = u64> {
    let mut state = seed | 1;
    (0..SAMPLES_PER_MANAGER).map(move |_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        50 + state % 100_000
    })
}

/// A manager that has seen a realistic replay: `samples(seed)`, plus one of each of the three
/// timed operations.
pub fn busy_manager(seed: u64) -> Arc<Manager> {
    let manager = Arc::new(Manager::new());
    let updater = manager.updater();
    for value in samples(seed) {
        updater.record_next_event(0, value);
    }
    updater.record_read_segment_header(0, 2_000, true);
    updater.record_resume_from_event(0, 9_000, true);
    updater.record_seek_event(0, 400);
    drop(updater);
    manager
}

/// The `ManualReader` the provider owns, shared so the bench can call `collect` on it.
#[derive(Clone, Debug)]
struct SharedReader(Arc<ManualReader>);

impl MetricReader for SharedReader {
    fn register_pipeline(&self, pipeline: Weak<Pipeline>) {
        self.0.register_pipeline(pipeline);
    }
    fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
        self.0.collect(rm)
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.0.temporality(kind)
    }
}

/// The SDK side of the comparison: a provider whose instruments hold N managers' figures, read
/// by two `ManualReader`s, one cumulative and one delta (each keeps its own state).
pub struct SdkPeer {
    cumulative: Arc<ManualReader>,
    delta: Arc<ManualReader>,
    // Dropping the provider would shut the pipeline down.
    _provider: SdkMeterProvider,
    resource_metrics: ResourceMetrics,
}

impl SdkPeer {
    /// The SDK holding what `managers` (as `busy_manager(i + 1)`) recorded.
    pub fn new(managers: &[Arc<Manager>]) -> Self {
        let reader = |temporality| {
            Arc::new(
                ManualReader::builder()
                    .with_temporality(temporality)
                    .build(),
            )
        };
        let (cumulative, delta) = (reader(Temporality::Cumulative), reader(Temporality::Delta));
        let limit = managers.len() + 16;
        let provider = SdkMeterProvider::builder()
            .with_reader(SharedReader(Arc::clone(&cumulative)))
            .with_reader(SharedReader(Arc::clone(&delta)))
            .with_view(move |instrument: &Instrument| Some(stream_for(instrument, limit)))
            .build();
        let mut instruments = Instruments::new(provider.meter("walrec"));
        for (i, manager) in managers.iter().enumerate() {
            instruments.record_manager(i, manager);
        }
        SdkPeer {
            cumulative,
            delta,
            _provider: provider,
            resource_metrics: ResourceMetrics::default(),
        }
    }

    /// One interval of the cumulative reader: collect, convert to OTLP, encode.
    pub fn cumulative_interval(&mut self) -> Vec<u8> {
        Self::interval(&self.cumulative, &mut self.resource_metrics)
    }

    /// One interval of the delta reader: collect, convert to OTLP, encode.
    pub fn delta_interval(&mut self) -> Vec<u8> {
        Self::interval(&self.delta, &mut self.resource_metrics)
    }

    fn interval(reader: &ManualReader, resource_metrics: &mut ResourceMetrics) -> Vec<u8> {
        reader
            .collect(resource_metrics)
            .expect("the reader is registered");
        ExportMetricsServiceRequest::from(&*resource_metrics).encode_to_vec()
    }
}

/// Every instrument's stream: the raised cardinality limit, and the exponential histogram.
fn stream_for(instrument: &Instrument, cardinality_limit: usize) -> Stream {
    let builder = Stream::builder().with_cardinality_limit(cardinality_limit);
    let builder = if instrument.kind() == InstrumentKind::Histogram {
        builder.with_aggregation(Aggregation::Base2ExponentialHistogram {
            max_size: 160,
            max_scale: 20,
            record_min_max: true,
        })
    } else {
        builder
    };
    builder.build().expect("a valid stream")
}

/// The shared instruments, created on first use under walrec's names.
struct Instruments {
    meter: Meter,
    int_counters: HashMap<String, Counter<u64>>,
    float_counters: HashMap<String, Counter<f64>>,
    gauges: HashMap<String, Gauge<f64>>,
    histograms: HashMap<String, Histogram<u64>>,
}

impl Instruments {
    fn new(meter: Meter) -> Self {
        Instruments {
            meter,
            int_counters: HashMap::new(),
            float_counters: HashMap::new(),
            gauges: HashMap::new(),
            histograms: HashMap::new(),
        }
    }

    /// Records manager `index`'s figures: its counters and gauges from a snapshot (they are
    /// single values), its histogram sample by sample, as `busy_manager(index + 1)` saw them.
    fn record_manager(&mut self, index: usize, manager: &Manager) {
        let attributes = [KeyValue::new(INSTANCE_ATTRIBUTE, format!("wal-{index}"))];
        let Ok(()) = manager.snapshot().collect(
            "walrec",
            &mut Mirror {
                instruments: self,
                attributes: &attributes,
                seed: index as u64 + 1,
            },
        );
    }
}

/// A walrec [`Collector`] that records each figure into the SDK's instrument of that name.
struct Mirror<'a> {
    instruments: &'a mut Instruments,
    attributes: &'a [KeyValue],
    seed: u64,
}

impl Collector for Mirror<'_> {
    type Error = std::convert::Infallible;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Self::Error> {
        let (meter, name) = (&self.instruments.meter, key.otlp_name());
        if key.unit() == Unit::Seconds {
            let counter = self.instruments.float_counters.entry(name.clone());
            let counter = counter.or_insert_with(|| {
                let builder = meter.f64_counter(name).with_unit(key.unit().ucum());
                builder.with_description(key.description()).build()
            });
            counter.add(Unit::Seconds.from_recorded(value as f64), self.attributes);
        } else {
            let counter = self.instruments.int_counters.entry(name.clone());
            let counter = counter.or_insert_with(|| {
                let builder = meter.u64_counter(name).with_unit(key.unit().ucum());
                builder.with_description(key.description()).build()
            });
            counter.add(value, self.attributes);
        }
        Ok(())
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Self::Error> {
        let (meter, name) = (&self.instruments.meter, key.otlp_name());
        let gauge = self.instruments.gauges.entry(name.clone());
        let gauge = gauge.or_insert_with(|| {
            let builder = meter.f64_gauge(name).with_unit(key.unit().ucum());
            builder.with_description(key.description()).build()
        });
        gauge.record(key.unit().from_recorded(value), self.attributes);
        Ok(())
    }

    fn histogram(&mut self, key: &MetricKey<'_>, _: &HistogramSnapshot) -> Result<(), Self::Error> {
        let (meter, name) = (&self.instruments.meter, key.otlp_name());
        let histogram = self.instruments.histograms.entry(name.clone());
        let histogram = histogram.or_insert_with(|| {
            let builder = meter.u64_histogram(name).with_unit(key.unit().ucum());
            builder.with_description(key.description()).build()
        });
        for value in samples(self.seed) {
            histogram.record(value, self.attributes);
        }
        Ok(())
    }
}
