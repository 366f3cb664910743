//! Conversion of `Manager` snapshots into an OTLP `ExportMetricsServiceRequest`.
//!
//! Each duration metric becomes monotonic Sums (samples, successes, failures, total time,
//! anomalies) and Gauges (min, max, avg); `next_event_histogram` becomes an
//! ExponentialHistogram downscaled to at most `max_buckets` buckets, or, when the
//! configuration asks for `explicit_bucket_histogram`, a Histogram over the fixed bounds of
//! [`explicit::BOUNDS_NS`]. Units are UCUM (`ns`,
//! `{operation}`). Several `Manager`s share one metric per name, told apart by the
//! `wal.recovery.instance` attribute on their points.

mod collector;
mod exemplar;
mod explicit;
#[cfg(test)]
mod explicit_tests;
mod histogram;
#[cfg(test)]
mod histogram_tests;
#[cfg(test)]
mod progress_tests;
mod resource;
mod wire;
#[cfg(test)]
mod wire_tests;

use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Exemplar, ResourceMetrics, ScopeMetrics,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

pub(crate) use collector::{MetricSet, OtlpCollector, PointContext, PointSink, int_value};
#[cfg(feature = "recording")]
pub(crate) use resource::int_attribute;
pub(crate) use resource::{resource, scope, scope_named, string_attribute};
pub(crate) use wire::MetricBytes;

use crate::otlp::config::{Config, ExemplarFilter, HistogramAggregation, Temporality};
use crate::otlp::manager_ref::ManagerRef;
use crate::telemetry::{ExemplarReader, RecoverySnapshot};

/// The attribute that tells several `Manager`s in one process apart.
pub const INSTANCE_ATTRIBUTE: &str = "wal.recovery.instance";

/// The prefix of every exported metric name (`walrec.next_event.samples`, …).
pub const METRIC_PREFIX: &str = "walrec";

/// The OpenTelemetry SDK's default for the most buckets an exponential histogram point has.
pub const DEFAULT_MAX_BUCKETS: usize = 160;

/// Nanoseconds since the Unix epoch, as OTLP timestamps want them (0 if the clock is before 1970).
pub(crate) fn unix_now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One `Manager` being exported, with the state its temporality needs.
#[derive(Debug)]
pub(crate) struct ExportSource {
    /// Which registration this source belongs to.
    pub(crate) id: u64,
    /// Unregistered: exported once more (its final values), then removed.
    pub(crate) retiring: bool,
    manager: ManagerRef,
    /// This source's own hand-off of `next_event` exemplars (other consumers take theirs).
    exemplars: ExemplarReader,
    attributes: Vec<KeyValue>,
    /// When this source was registered: the start of every cumulative point.
    start_time_unix_nano: u64,
    /// Delta temporality: the last snapshot the collector acknowledged, and when it was taken.
    baseline: RecoverySnapshot,
    baseline_time_unix_nano: u64,
    /// The snapshot in flight (sent but not yet acknowledged) and when it was taken.
    pending: RecoverySnapshot,
    pending_time_unix_nano: u64,
    /// Scratch for the delta, reused between exports.
    delta: RecoverySnapshot,
}

impl ExportSource {
    /// A source for `manager`, whose points carry `wal.recovery.instance = instance`.
    pub(crate) fn new(instance: &str, manager: ManagerRef) -> Self {
        let now = unix_now_ns();
        ExportSource {
            id: 0,
            retiring: false,
            exemplars: manager.exemplar_reader(),
            manager,
            attributes: vec![string_attribute(INSTANCE_ATTRIBUTE, instance)],
            start_time_unix_nano: now,
            baseline: RecoverySnapshot::default(),
            baseline_time_unix_nano: now,
            pending: RecoverySnapshot::default(),
            pending_time_unix_nano: now,
            delta: RecoverySnapshot::default(),
        }
    }

    /// The same source, belonging to registration `id`.
    pub(crate) fn with_id(self, id: u64) -> Self {
        ExportSource { id, ..self }
    }

    /// The collector accepted the last request: for delta temporality, what it carried becomes
    /// the baseline of the next delta. Without this call the next delta also carries it.
    pub(crate) fn acknowledge(&mut self) {
        std::mem::swap(&mut self.baseline, &mut self.pending);
        self.baseline_time_unix_nano = self.pending_time_unix_nano;
    }
}

/// Builds export requests for a set of [`ExportSource`]s.
#[derive(Debug)]
pub(crate) struct Converter {
    resource: Resource,
    scope: InstrumentationScope,
    temporality: AggregationTemporality,
    max_buckets: usize,
    exemplar_filter: ExemplarFilter,
    /// Exponential (the default) or explicit-bucket histogram points.
    aggregation: HistogramAggregation,
}

impl Converter {
    /// A converter with `config`'s resource, temporality, bucket limit, exemplar filter and
    /// histogram aggregation.
    pub(crate) fn from_config(config: &Config) -> Self {
        let temporality = match config.temporality() {
            Temporality::Cumulative => AggregationTemporality::Cumulative,
            // Every walrec metric is a synchronous counter or histogram, for which the
            // specification's low-memory preference is delta.
            Temporality::Delta | Temporality::LowMemory => AggregationTemporality::Delta,
        };
        let resource = resource(config.service_name(), config.resource_attributes());
        Converter {
            exemplar_filter: config.exemplar_filter(),
            aggregation: config.histogram_aggregation(),
            ..Converter::new(resource, temporality, config.max_histogram_buckets())
        }
    }

    /// A converter for recorded intervals: `resource`, delta temporality (a recording holds
    /// deltas), and `config`'s bucket limit, exemplar filter and histogram aggregation.
    #[cfg(feature = "recording")]
    pub(crate) fn for_recorded(config: &Config, resource: Resource) -> Self {
        Converter {
            exemplar_filter: config.exemplar_filter(),
            aggregation: config.histogram_aggregation(),
            ..Converter::new(
                resource,
                AggregationTemporality::Delta,
                config.max_histogram_buckets(),
            )
        }
    }

    /// A converter with this resource, temporality and bucket limit (at least 2), sending
    /// exponential histograms.
    pub(crate) fn new(
        resource: Resource,
        temporality: AggregationTemporality,
        max_buckets: usize,
    ) -> Self {
        Converter {
            resource,
            scope: scope(),
            temporality,
            max_buckets: max_buckets.max(2),
            exemplar_filter: ExemplarFilter::TraceBased,
            aggregation: HistogramAggregation::Base2Exponential,
        }
    }

    /// Snapshots every source and builds one request with all of their metrics.
    pub(crate) fn request(&self, sources: &mut [ExportSource]) -> ExportMetricsServiceRequest {
        let mut set = MetricSet::default();
        for source in sources.iter_mut() {
            self.add_source(source, &mut set);
        }
        self.wrap(set)
    }

    /// Snapshots every source and encodes one request with all of their metrics as protobuf:
    /// the bytes of [`request`](Self::request)`(sources).encode_to_vec()`, built without the
    /// message tree. `wire` keeps its buffers for the next call.
    pub(crate) fn encode(&self, sources: &mut [ExportSource], wire: &mut MetricBytes) -> Vec<u8> {
        wire.clear();
        for source in sources.iter_mut() {
            self.add_source(source, wire);
        }
        wire.request_bytes(&self.resource, &self.scope)
    }

    fn add_source<S: PointSink>(&self, source: &mut ExportSource, set: &mut S) {
        let now = unix_now_ns();
        source.manager.snapshot_into(&mut source.pending);
        source.pending_time_unix_nano = now;
        let (snapshot, start) = match self.temporality {
            AggregationTemporality::Delta => {
                source
                    .pending
                    .since_into(&source.baseline, &mut source.delta);
                // The progress counters are sums too: a delta carries what was added since.
                let progress = &source.pending.progress;
                source.delta.progress = progress.counters_since(&source.baseline.progress);
                (&source.delta, source.baseline_time_unix_nano)
            }
            _ => (&source.pending, source.start_time_unix_nano),
        };
        let is_recovery = source.manager.is_recovery();
        // Taking closes the interval: each sample is exported as an exemplar once.
        let sample = source
            .manager
            .take_next_event_exemplar(&source.exemplars)
            .and_then(|sample| exemplar::to_otlp(&sample.to_unix(), self.exemplar_filter));
        self.add_points(&source.attributes, start, now, set, sample, |collector| {
            let Ok(()) = if is_recovery {
                snapshot.collect(METRIC_PREFIX, collector)
            } else {
                snapshot.manager.collect(METRIC_PREFIX, collector)
            };
        });
    }

    /// Adds one source's values over `[start, end]` (Unix ns) to `set`, as `collect` hands
    /// them over.
    fn add_points<S: PointSink>(
        &self,
        attributes: &[KeyValue],
        start: u64,
        end: u64,
        set: &mut S,
        exemplar: Option<Exemplar>,
        collect: impl FnOnce(&mut OtlpCollector<'_, '_, S>),
    ) {
        set.begin_source(attributes);
        let context = PointContext {
            attributes,
            start_time_unix_nano: start,
            time_unix_nano: end,
            temporality: self.temporality,
            max_buckets: self.max_buckets,
            aggregation: self.aggregation,
            next_event_exemplar: exemplar,
        };
        let mut collector = OtlpCollector {
            set,
            context: &context,
        };
        collect(&mut collector);
    }

    /// One request from already-taken snapshots, for recorded intervals: each point is an
    /// instance's values over its interval, converted exactly as a live export's.
    #[cfg(feature = "recording")]
    pub(crate) fn recorded_request(
        &self,
        points: &[crate::otlp::recorded::RecordedPoint<'_>],
    ) -> ExportMetricsServiceRequest {
        use crate::otlp::recorded::RecordedTelemetry;
        let mut set = MetricSet::default();
        for point in points {
            let attributes = [string_attribute(INSTANCE_ATTRIBUTE, point.instance)];
            let (start, end) = (point.start_unix_nano, point.end_unix_nano);
            let sample = point
                .exemplar
                .and_then(|sample| exemplar::to_otlp(&sample, self.exemplar_filter));
            self.add_points(&attributes, start, end, &mut set, sample, |collector| {
                let Ok(()) = match point.telemetry {
                    RecordedTelemetry::Manager(manager) => {
                        manager.collect(METRIC_PREFIX, collector)
                    }
                    RecordedTelemetry::Recovery(recovery) => {
                        recovery.collect(METRIC_PREFIX, collector)
                    }
                };
            });
        }
        self.wrap(set)
    }

    fn wrap(&self, set: MetricSet) -> ExportMetricsServiceRequest {
        ExportMetricsServiceRequest {
            resource_metrics: vec![ResourceMetrics {
                resource: Some(self.resource.clone()),
                scope_metrics: vec![ScopeMetrics {
                    scope: Some(self.scope.clone()),
                    metrics: set.into_metrics(),
                    schema_url: String::new(),
                }],
                schema_url: String::new(),
            }],
        }
    }
}
