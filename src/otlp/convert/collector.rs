//! The OTLP exporter as one more [`Collector`]: one serialization path for every destination.

use std::collections::HashMap;
use std::convert::Infallible;

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Exemplar, Gauge, Metric, NumberDataPoint, Sum, metric::Data,
    number_data_point::Value,
};

use super::resource::string_attribute;
use crate::otlp::config::HistogramAggregation;
use crate::telemetry::{self, Collector, HistogramSnapshot, MetricKey, Stat, Unit};

/// The metrics of one export, one entry per name, with a data point per `Manager`.
#[derive(Default)]
pub(crate) struct MetricSet {
    metrics: Vec<Metric>,
    by_key: HashMap<(telemetry::Metric, Option<Stat>), usize>,
}

impl MetricSet {
    /// The metrics gathered so far, in first-seen order.
    pub(crate) fn into_metrics(self) -> Vec<Metric> {
        self.metrics
    }

    fn entry(&mut self, key: &MetricKey<'_>, empty: impl FnOnce() -> Data) -> &mut Data {
        let index = self.index(key);
        self.metrics[index].data.get_or_insert_with(empty)
    }

    /// The position of `key`'s metric, added (without data) if it is new.
    fn index(&mut self, key: &MetricKey<'_>) -> usize {
        let slot = (key.metric, key.stat);
        if let Some(&index) = self.by_key.get(&slot) {
            return index;
        }
        self.metrics.push(Metric {
            name: key.otlp_name(),
            description: key.description(),
            unit: key.unit().ucum().to_owned(),
            metadata: Vec::new(),
            data: None,
        });
        self.by_key.insert(slot, self.metrics.len() - 1);
        self.metrics.len() - 1
    }
}

impl PointSink for MetricSet {
    fn number(
        &mut self,
        key: &MetricKey<'_>,
        kind: NumberKind,
        mut point: NumberDataPoint,
        attributes: &[KeyValue],
    ) {
        point.attributes = attributes.to_vec();
        if let Some(attribute) = key.attribute {
            point
                .attributes
                .push(string_attribute(attribute.key, attribute.value));
        }
        match (self.entry(key, || kind.empty_data()), kind) {
            (Data::Sum(sum), NumberKind::Sum(_)) => sum.data_points.push(point),
            (Data::Gauge(gauge), NumberKind::Gauge) => gauge.data_points.push(point),
            _ => {}
        }
    }

    /// Adds the histogram points of `data` to `key`'s metric, which takes `data` whole when it
    /// has none yet. A metric keeps the kind of data it was first given.
    fn histogram(&mut self, key: &MetricKey<'_>, mut data: Data, attributes: &[KeyValue]) {
        match &mut data {
            Data::Histogram(histogram) => histogram
                .data_points
                .iter_mut()
                .for_each(|point| point.attributes = attributes.to_vec()),
            Data::ExponentialHistogram(histogram) => histogram
                .data_points
                .iter_mut()
                .for_each(|point| point.attributes = attributes.to_vec()),
            _ => {}
        }
        let index = self.index(key);
        let slot = &mut self.metrics[index].data;
        match (slot.as_mut(), data) {
            (None, data) => *slot = Some(data),
            (Some(Data::Histogram(histogram)), Data::Histogram(new)) => {
                histogram.data_points.extend(new.data_points);
            }
            (Some(Data::ExponentialHistogram(histogram)), Data::ExponentialHistogram(new)) => {
                histogram.data_points.extend(new.data_points);
            }
            (Some(_), _) => {}
        }
    }
}

/// Whether a number point belongs to a monotonic Sum (of this temporality) or a Gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberKind {
    Sum(AggregationTemporality),
    Gauge,
}

impl NumberKind {
    /// The metric data such points go into, still without any.
    pub(crate) fn empty_data(self) -> Data {
        match self {
            NumberKind::Sum(temporality) => Data::Sum(Sum {
                data_points: Vec::new(),
                aggregation_temporality: temporality as i32,
                is_monotonic: true,
            }),
            NumberKind::Gauge => Data::Gauge(Gauge::default()),
        }
    }
}

/// Where one export's points go: the request's messages ([`MetricSet`]) or their protobuf
/// bytes ([`MetricBytes`](super::wire::MetricBytes)). Points arrive without attributes; each
/// sink attaches the source's `attributes` (and a number point's key attribute) its own way.
pub(crate) trait PointSink {
    /// The next points are a new source's, carrying `attributes`.
    fn begin_source(&mut self, _attributes: &[KeyValue]) {}
    /// One number point of `key`'s metric.
    fn number(
        &mut self,
        key: &MetricKey<'_>,
        kind: NumberKind,
        point: NumberDataPoint,
        attributes: &[KeyValue],
    );
    /// `key`'s histogram data, holding this source's point.
    fn histogram(&mut self, key: &MetricKey<'_>, data: Data, attributes: &[KeyValue]);
}

/// What every data point of one `Manager` in one export shares.
pub(crate) struct PointContext<'a> {
    /// The attributes that tell this `Manager` apart (`wal.recovery.instance`).
    pub(crate) attributes: &'a [KeyValue],
    /// Start of the period the values cover (Unix ns).
    pub(crate) start_time_unix_nano: u64,
    /// When the values were read (Unix ns).
    pub(crate) time_unix_nano: u64,
    /// Cumulative or delta, for sums and the histogram.
    pub(crate) temporality: AggregationTemporality,
    /// The most histogram buckets a point may carry; finer histograms are downscaled.
    pub(crate) max_buckets: usize,
    /// Whether histograms are sent as exponential or as explicit-bucket histograms.
    pub(crate) aggregation: HistogramAggregation,
    /// The interval's slowest `next_event` sample, for `walrec.next_event_histogram`.
    pub(crate) next_event_exemplar: Option<Exemplar>,
}

/// Appends one `Manager`'s values to a [`PointSink`].
pub(crate) struct OtlpCollector<'s, 'c, S> {
    /// Where the metrics go.
    pub(crate) set: &'s mut S,
    /// What the points share.
    pub(crate) context: &'c PointContext<'c>,
}

impl<S: PointSink> OtlpCollector<'_, '_, S> {
    /// A number point of `key`, its attributes left to the sink.
    fn number_point(&mut self, key: &MetricKey<'_>, kind: NumberKind, value: Value) {
        let point = NumberDataPoint {
            start_time_unix_nano: self.context.start_time_unix_nano,
            time_unix_nano: self.context.time_unix_nano,
            value: Some(value),
            ..NumberDataPoint::default()
        };
        self.set.number(key, kind, point, self.context.attributes);
    }
}

/// A counter as OTLP's signed integer value, saturating at `i64::MAX`.
pub(crate) fn int_value(value: u64) -> Value {
    Value::AsInt(i64::try_from(value).unwrap_or(i64::MAX))
}

impl<S: PointSink> Collector for OtlpCollector<'_, '_, S> {
    type Error = Infallible;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Infallible> {
        let value = match key.unit() {
            Unit::Seconds => Value::AsDouble(Unit::Seconds.from_recorded(value as f64)),
            _ => int_value(value),
        };
        let kind = NumberKind::Sum(self.context.temporality);
        self.number_point(key, kind, value);
        Ok(())
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Infallible> {
        let value = Value::AsDouble(key.unit().from_recorded(value));
        self.number_point(key, NumberKind::Gauge, value);
        Ok(())
    }

    fn gauge_u64(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Infallible> {
        let value = match key.unit() {
            Unit::Seconds => Value::AsDouble(Unit::Seconds.from_recorded(value as f64)),
            _ => int_value(value),
        };
        self.number_point(key, NumberKind::Gauge, value);
        Ok(())
    }

    fn histogram(&mut self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Result<(), Infallible> {
        let data = self.histogram_data(key, h);
        self.set.histogram(key, data, self.context.attributes);
        Ok(())
    }
}
