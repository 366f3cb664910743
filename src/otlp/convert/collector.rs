//! The OTLP exporter as one more [`Collector`]: one serialization path for every destination.

use std::collections::HashMap;
use std::convert::Infallible;

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Gauge,
    Histogram, HistogramDataPoint, Metric, NumberDataPoint, Sum,
    exponential_histogram_data_point::Buckets, metric::Data, number_data_point::Value,
};

use super::explicit;
use super::resource::string_attribute;
use crate::otlp::config::HistogramAggregation;
use crate::telemetry::{
    self, Collector, HistogramSnapshot, Metric as WalMetric, MetricKey, Stat, Unit,
};

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
        let slot = (key.metric, key.stat);
        let index = match self.by_key.get(&slot) {
            Some(&index) => index,
            None => {
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
        };
        self.metrics[index].data.get_or_insert_with(empty)
    }
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

/// Appends one `Manager`'s values to a [`MetricSet`].
pub(crate) struct OtlpCollector<'s, 'c> {
    /// Where the metrics go.
    pub(crate) set: &'s mut MetricSet,
    /// What the points share.
    pub(crate) context: &'c PointContext<'c>,
}

impl OtlpCollector<'_, '_> {
    fn number_point(&self, key: &MetricKey<'_>, value: Value) -> NumberDataPoint {
        let mut attributes = self.context.attributes.to_vec();
        if let Some(attribute) = key.attribute {
            attributes.push(string_attribute(attribute.key, attribute.value));
        }
        NumberDataPoint {
            attributes,
            start_time_unix_nano: self.context.start_time_unix_nano,
            time_unix_nano: self.context.time_unix_nano,
            value: Some(value),
            ..NumberDataPoint::default()
        }
    }

    /// `h` as an exponential point: walrec's own buckets, downscaled to the bucket limit.
    fn exponential_point(&self, h: &HistogramSnapshot) -> ExponentialHistogramDataPoint {
        // The point owns its bucket counts, so the downscaled copy is built for it.
        let mut coarse = h.clone();
        coarse.downscale_to_fit(self.context.max_buckets);
        let (min, max) = self.extremes(h);
        ExponentialHistogramDataPoint {
            attributes: self.context.attributes.to_vec(),
            start_time_unix_nano: self.context.start_time_unix_nano,
            time_unix_nano: self.context.time_unix_nano,
            count: h.count,
            sum: Some(h.sum as f64),
            scale: coarse.scale,
            zero_count: h.zero_count,
            positive: Some(Buckets {
                offset: coarse.offset,
                bucket_counts: coarse.counts,
            }),
            min,
            max,
            ..ExponentialHistogramDataPoint::default()
        }
    }

    /// `h` over the fixed bounds of [`explicit::BOUNDS_NS`], for backends that take no
    /// exponential histogram; count, sum and extremes are the exponential point's.
    fn explicit_point(&self, h: &HistogramSnapshot) -> HistogramDataPoint {
        let (min, max) = self.extremes(h);
        HistogramDataPoint {
            attributes: self.context.attributes.to_vec(),
            start_time_unix_nano: self.context.start_time_unix_nano,
            time_unix_nano: self.context.time_unix_nano,
            count: h.count,
            sum: Some(h.sum as f64),
            bucket_counts: explicit::bucket_counts(h),
            explicit_bounds: explicit::explicit_bounds(),
            min,
            max,
            ..HistogramDataPoint::default()
        }
    }

    /// The point's `min` and `max`. A delta's extremes are not the interval's (only lifetime
    /// extremes are kept), so they are left out rather than reported wrong, as for an empty
    /// histogram.
    fn extremes(&self, h: &HistogramSnapshot) -> (Option<f64>, Option<f64>) {
        let delta = self.context.temporality == AggregationTemporality::Delta;
        if h.count == 0 || delta {
            return (None, None);
        }
        (Some(h.min as f64), Some(h.max as f64))
    }

    /// The exemplar a point of `key` carries: the interval's slowest `next_event` sample, on
    /// `walrec.next_event_histogram` when it has values.
    fn exemplar(&self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Option<Exemplar> {
        let carries = key.metric == WalMetric::NextEventHistogram && h.count > 0;
        carries
            .then(|| self.context.next_event_exemplar.clone())
            .flatten()
    }

    fn push_exponential(&mut self, key: &MetricKey<'_>, point: ExponentialHistogramDataPoint) {
        let temporality = self.context.temporality as i32;
        let data = self.set.entry(key, || {
            Data::ExponentialHistogram(ExponentialHistogram {
                data_points: Vec::new(),
                aggregation_temporality: temporality,
            })
        });
        if let Data::ExponentialHistogram(histogram) = data {
            histogram.data_points.push(point);
        }
    }

    fn push_explicit(&mut self, key: &MetricKey<'_>, point: HistogramDataPoint) {
        let temporality = self.context.temporality as i32;
        let data = self.set.entry(key, || {
            Data::Histogram(Histogram {
                data_points: Vec::new(),
                aggregation_temporality: temporality,
            })
        });
        if let Data::Histogram(histogram) = data {
            histogram.data_points.push(point);
        }
    }
}

impl OtlpCollector<'_, '_> {
    fn gauge_point(&mut self, key: &MetricKey<'_>, value: Value) {
        let point = self.number_point(key, value);
        let data = self.set.entry(key, || Data::Gauge(Gauge::default()));
        if let Data::Gauge(gauge) = data {
            gauge.data_points.push(point);
        }
    }
}

/// A counter as OTLP's signed integer value, saturating at `i64::MAX`.
pub(crate) fn int_value(value: u64) -> Value {
    Value::AsInt(i64::try_from(value).unwrap_or(i64::MAX))
}

impl Collector for OtlpCollector<'_, '_> {
    type Error = Infallible;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Infallible> {
        let value = match key.unit() {
            Unit::Seconds => Value::AsDouble(Unit::Seconds.from_recorded(value as f64)),
            _ => int_value(value),
        };
        let point = self.number_point(key, value);
        let temporality = self.context.temporality as i32;
        let data = self.set.entry(key, || {
            Data::Sum(Sum {
                data_points: Vec::new(),
                aggregation_temporality: temporality,
                is_monotonic: true,
            })
        });
        if let Data::Sum(sum) = data {
            sum.data_points.push(point);
        }
        Ok(())
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Infallible> {
        let value = Value::AsDouble(key.unit().from_recorded(value));
        self.gauge_point(key, value);
        Ok(())
    }

    fn gauge_u64(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Infallible> {
        let value = match key.unit() {
            Unit::Seconds => Value::AsDouble(Unit::Seconds.from_recorded(value as f64)),
            _ => int_value(value),
        };
        self.gauge_point(key, value);
        Ok(())
    }

    fn histogram(&mut self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Result<(), Infallible> {
        let exemplar = self.exemplar(key, h);
        match self.context.aggregation {
            HistogramAggregation::Base2Exponential => {
                let mut point = self.exponential_point(h);
                point.exemplars.extend(exemplar);
                self.push_exponential(key, point);
            }
            HistogramAggregation::ExplicitBuckets => {
                let mut point = self.explicit_point(h);
                point.exemplars.extend(exemplar);
                self.push_explicit(key, point);
            }
        }
        Ok(())
    }
}
