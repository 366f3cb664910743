//! Tests of the histogram data the `Converter` sends: an explicit-bucket Histogram when the
//! configuration asks for one, with the exponential point's count, sum, extremes and
//! exemplar, and an ExponentialHistogram by default.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{Metric, exemplar, metric::Data};

use super::explicit::{BOUNDS_NS, explicit_bounds};
use super::explicit_tests::exact_counts;
use super::{Converter, ExportSource};
use crate::otlp::config::{Config, ExemplarFilter, HistogramAggregation, Temporality};
use crate::telemetry::Manager;

/// The metric every `Manager` exports its `next_event` histogram as.
const HISTOGRAM: &str = "walrec.next_event_histogram";

/// A source whose `Manager`'s `next_event` samples are `values`.
fn source(instance: &str, values: &[u64]) -> ExportSource {
    let manager = Arc::new(Manager::new());
    let updater = manager.updater();
    values
        .iter()
        .for_each(|&v| updater.record_next_event(1_000, 1_000 + v));
    drop(updater);
    ExportSource::new(instance, manager.into())
}

/// One request from a `Manager` whose `next_event` samples are `values`, converted with
/// `config`.
fn request(config: &Config, values: &[u64]) -> ExportMetricsServiceRequest {
    Converter::from_config(config).request(&mut [source("test", values)])
}

fn histogram_metric(request: &ExportMetricsServiceRequest) -> &Metric {
    let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
    let found = metrics.iter().find(|metric| metric.name == HISTOGRAM);
    found.expect("the request has the next_event histogram")
}

fn config(aggregation: HistogramAggregation, temporality: Temporality) -> Config {
    Config::builder()
        .exemplar_filter(ExemplarFilter::AlwaysOn)
        .histogram_aggregation(aggregation)
        .temporality(temporality)
        .build()
        .expect("a valid configuration")
}

#[test]
fn the_converter_sends_explicit_buckets_when_configured() {
    let values = [0, 15, 120, 900, 4_000, 4_000, 70_000_000];
    for temporality in [Temporality::Cumulative, Temporality::Delta] {
        let config = config(HistogramAggregation::ExplicitBuckets, temporality);
        let request = request(&config, &values);
        let metric = histogram_metric(&request);
        assert_eq!(metric.unit, "ns");
        let Some(Data::Histogram(histogram)) = &metric.data else {
            panic!("an explicit-bucket histogram: {:?}", metric.data);
        };
        let point = &histogram.data_points[0];
        assert_eq!(point.explicit_bounds, explicit_bounds());
        assert_eq!(point.explicit_bounds, BOUNDS_NS.map(|b| b as f64));
        assert_eq!(point.bucket_counts.len(), BOUNDS_NS.len() + 1);
        assert_eq!(point.bucket_counts, exact_counts(&values));
        assert_eq!((point.count, point.sum), (7, Some(70_009_035.0)));
        let cumulative = temporality == Temporality::Cumulative;
        let extremes = cumulative.then_some((0.0, 70_000_000.0));
        assert_eq!(point.min.zip(point.max), extremes);
        assert_eq!(point.exemplars.len(), 1, "the slowest sample is kept");
        let value = point.exemplars[0].value;
        assert_eq!(value, Some(exemplar::Value::AsDouble(70_000_000.0)));
    }
}

#[test]
fn the_converter_sends_an_exponential_histogram_by_default() {
    let default = Config::builder().build().expect("a valid configuration");
    assert_eq!(
        default.histogram_aggregation(),
        HistogramAggregation::Base2Exponential
    );
    let request = request(&default, &[15, 120, 900]);
    let metric = histogram_metric(&request);
    let Some(Data::ExponentialHistogram(histogram)) = &metric.data else {
        panic!("an exponential histogram: {:?}", metric.data);
    };
    assert_eq!(histogram.data_points[0].count, 3);
}

#[test]
fn every_manager_adds_a_point_to_the_one_metric() {
    for aggregation in [
        HistogramAggregation::ExplicitBuckets,
        HistogramAggregation::Base2Exponential,
    ] {
        let config = config(aggregation, Temporality::Cumulative);
        let mut sources = [source("a", &[150]), source("b", &[3_000, 0])];
        let request = Converter::from_config(&config).request(&mut sources);
        let counts: Vec<u64> = match &histogram_metric(&request).data {
            Some(Data::Histogram(h)) => h.data_points.iter().map(|p| p.count).collect(),
            Some(Data::ExponentialHistogram(h)) => h.data_points.iter().map(|p| p.count).collect(),
            other => panic!("a histogram: {other:?}"),
        };
        assert_eq!(counts, [1, 2], "{aggregation:?}");
    }
}

#[cfg(feature = "recording")]
#[test]
fn recorded_intervals_follow_the_configured_aggregation() {
    use crate::otlp::recorded::{RecordedPoint, RecordedTelemetry};
    use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
    use opentelemetry_proto::tonic::resource::v1::Resource;
    let manager = Manager::new();
    let updater = manager.updater();
    updater.record_next_event(0, 150);
    updater.record_next_event(0, 20_000);
    drop(updater);
    let snapshot = manager.snapshot();
    let config = config(
        HistogramAggregation::ExplicitBuckets,
        Temporality::Cumulative,
    );
    let converter = Converter::for_recorded(&config, Resource::default());
    let request = converter.recorded_request(&[RecordedPoint {
        instance: "recorded",
        start_unix_nano: 1,
        end_unix_nano: 2,
        telemetry: RecordedTelemetry::Manager(&snapshot),
        exemplar: None,
    }]);
    let Some(Data::Histogram(histogram)) = &histogram_metric(&request).data else {
        panic!("an explicit-bucket histogram");
    };
    let delta = AggregationTemporality::Delta as i32;
    assert_eq!(histogram.aggregation_temporality, delta);
    let point = &histogram.data_points[0];
    assert_eq!(point.bucket_counts, exact_counts(&[150, 20_000]));
    assert_eq!(
        (point.min, point.max),
        (None, None),
        "a delta has no extremes"
    );
}
