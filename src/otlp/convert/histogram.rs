//! The latency histogram's OTLP data: an ExponentialHistogram of walrec's own buckets (the
//! default), or a Histogram over [`explicit::BOUNDS_NS`] when the configuration asks for
//! `explicit_bucket_histogram`. Both carry the same count, sum, extremes and exemplar.

use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint,
    Histogram, HistogramDataPoint, exponential_histogram_data_point::Buckets, metric::Data,
};

use super::collector::OtlpCollector;
use super::explicit;
use crate::otlp::config::HistogramAggregation;
use crate::telemetry::{HistogramSnapshot, Metric as WalMetric, MetricKey};

impl<S> OtlpCollector<'_, '_, S> {
    /// `h` as the metric data of the configured aggregation, holding this `Manager`'s point
    /// (without attributes: the sink attaches them).
    pub(super) fn histogram_data(&self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Data {
        let exemplars: Vec<Exemplar> = self.exemplar(key, h).into_iter().collect();
        let aggregation_temporality = self.context.temporality as i32;
        match self.context.aggregation {
            HistogramAggregation::Base2Exponential => {
                Data::ExponentialHistogram(ExponentialHistogram {
                    data_points: vec![self.exponential_point(h, exemplars)],
                    aggregation_temporality,
                })
            }
            HistogramAggregation::ExplicitBuckets => Data::Histogram(Histogram {
                data_points: vec![self.explicit_point(h, exemplars)],
                aggregation_temporality,
            }),
        }
    }

    /// `h` as an exponential point: walrec's own buckets, downscaled to the bucket limit.
    fn exponential_point(
        &self,
        h: &HistogramSnapshot,
        exemplars: Vec<Exemplar>,
    ) -> ExponentialHistogramDataPoint {
        // The point owns its bucket counts, so the downscaled copy is built for it.
        let coarse = h.downscaled_to_fit(self.context.max_buckets);
        let (min, max) = self.extremes(h);
        ExponentialHistogramDataPoint {
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
            exemplars,
            min,
            max,
            ..ExponentialHistogramDataPoint::default()
        }
    }

    /// `h` over the fixed bounds of [`explicit::BOUNDS_NS`], for backends that take no
    /// exponential histogram; the counts are derived as the `explicit` module states.
    fn explicit_point(
        &self,
        h: &HistogramSnapshot,
        exemplars: Vec<Exemplar>,
    ) -> HistogramDataPoint {
        let (min, max) = self.extremes(h);
        HistogramDataPoint {
            start_time_unix_nano: self.context.start_time_unix_nano,
            time_unix_nano: self.context.time_unix_nano,
            count: h.count,
            sum: Some(h.sum as f64),
            bucket_counts: explicit::bucket_counts(h),
            explicit_bounds: explicit::explicit_bounds(),
            exemplars,
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
}
