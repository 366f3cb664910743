//! `Converter::encode` writes the bytes prost writes for `Converter::request`'s message: for
//! managers and whole recoveries, both histogram aggregations, both temporalities, exemplars,
//! sources without samples, and buffers reused from one export to the next.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use prost::Message;

use super::{Converter, ExportSource, MetricBytes};
use crate::otlp::config::{Config, ExemplarFilter, HistogramAggregation, Temporality};
use crate::otlp::manager_ref::ManagerRef;
use crate::telemetry::{Manager, Recovery, TraceContext};

/// The request with every point's timestamps zeroed: two snapshots are taken at different
/// times, everything else about them must be the same.
fn without_times(mut request: ExportMetricsServiceRequest) -> ExportMetricsServiceRequest {
    let metrics = request
        .resource_metrics
        .iter_mut()
        .flat_map(|resource| resource.scope_metrics.iter_mut())
        .flat_map(|scope| scope.metrics.iter_mut());
    for data in metrics.filter_map(|metric| metric.data.as_mut()) {
        let times: Vec<(&mut u64, &mut u64)> = match data {
            Data::Gauge(g) => g.data_points.iter_mut().map(|p| p.times()).collect(),
            Data::Sum(s) => s.data_points.iter_mut().map(|p| p.times()).collect(),
            Data::Histogram(h) => h.data_points.iter_mut().map(|p| p.times()).collect(),
            Data::ExponentialHistogram(h) => h.data_points.iter_mut().map(|p| p.times()).collect(),
            Data::Summary(_) => Vec::new(),
        };
        for (start, time) in times {
            (*start, *time) = (0, 0);
        }
    }
    request
}

/// A point's start and end times.
trait Times {
    fn times(&mut self) -> (&mut u64, &mut u64);
}

macro_rules! times {
    ($($point:ty),*) => {$(
        impl Times for $point {
            fn times(&mut self) -> (&mut u64, &mut u64) {
                (&mut self.start_time_unix_nano, &mut self.time_unix_nano)
            }
        }
    )*};
}

times!(
    opentelemetry_proto::tonic::metrics::v1::NumberDataPoint,
    opentelemetry_proto::tonic::metrics::v1::HistogramDataPoint,
    opentelemetry_proto::tonic::metrics::v1::ExponentialHistogramDataPoint
);

/// Two identical source lists over `refs`: one for each path, so that each takes its own
/// exemplars and keeps its own delta baseline.
fn twin_sources(refs: &[(&str, ManagerRef)]) -> [Vec<ExportSource>; 2] {
    let list = || {
        let sources = refs.iter();
        sources
            .map(|(name, source)| ExportSource::new(name, source.clone()))
            .collect()
    };
    [list(), list()]
}

/// Records `count` `next_event` samples (in a sampled span, so that exemplars are kept) and
/// one of each timed operation into `manager`.
fn record(manager: &Manager, count: u64) {
    let updater = manager.updater();
    updater.set_trace_context(Some(TraceContext {
        trace_id: [7; 16],
        span_id: [9; 8],
        sampled: true,
    }));
    for k in 0..count {
        updater.record_next_event(1_000, 1_050 + k * k * 37);
    }
    updater.record_read_segment_header(0, 2_000, true);
    updater.record_resume_from_event(0, 9_000, false);
    updater.record_seek_event(0, 400);
}

fn config(aggregation: HistogramAggregation, temporality: Temporality) -> Config {
    Config::builder()
        .exemplar_filter(ExemplarFilter::AlwaysOn)
        .histogram_aggregation(aggregation)
        .temporality(temporality)
        .resource_attribute("deployment.environment", "test")
        .build()
        .expect("a valid configuration")
}

/// One export both ways; the bytes must be prost's encoding of the message.
fn assert_same(
    converter: &Converter,
    sources: &mut [Vec<ExportSource>; 2],
    wire: &mut MetricBytes,
) {
    let [for_request, for_bytes] = sources;
    let expected = converter.request(for_request);
    let bytes = converter.encode(for_bytes, wire);
    let decoded = ExportMetricsServiceRequest::decode(bytes.as_slice()).expect("valid protobuf");
    assert_eq!(
        decoded.encode_to_vec(),
        bytes,
        "prost's own field order and lengths"
    );
    assert_eq!(without_times(decoded), without_times(expected));
    for list in sources.iter_mut() {
        list.iter_mut().for_each(ExportSource::acknowledge);
    }
}

#[test]
fn encoded_bytes_are_the_requests_for_every_configuration() {
    let aggregations = [
        HistogramAggregation::Base2Exponential,
        HistogramAggregation::ExplicitBuckets,
    ];
    for aggregation in aggregations {
        for temporality in [Temporality::Cumulative, Temporality::Delta] {
            let converter = Converter::from_config(&config(aggregation, temporality));
            // The first manager has no samples: its gauges are missing, so they are first
            // seen on the second one, and the metrics' order differs from the keys' order.
            let managers: Vec<Arc<Manager>> = (0..3).map(|_| Arc::new(Manager::new())).collect();
            let recovery = Arc::new(Recovery::new());
            let refs: Vec<(&str, ManagerRef)> = vec![
                ("idle", ManagerRef::from(&managers[0])),
                ("busy", ManagerRef::from(&managers[1])),
                ("büsy-ünïcode", ManagerRef::from(&managers[2])),
                ("recovery", ManagerRef::from(&recovery)),
            ];
            let mut sources = twin_sources(&refs);
            let mut wire = MetricBytes::default();
            record(&managers[1], 300);
            record(&managers[2], 5);
            recovery.progress.replayed(100, 6_400, 100, 1);
            assert_same(&converter, &mut sources, &mut wire);
            // The next interval, into the same buffers: a delta now has a baseline.
            record(&managers[0], 40);
            record(&managers[1], 2);
            record(&recovery.manager, 7);
            assert_same(&converter, &mut sources, &mut wire);
            // Nothing new.
            assert_same(&converter, &mut sources, &mut wire);
        }
    }
}

#[test]
fn an_export_without_sources_is_the_empty_request() {
    let converter = Converter::from_config(&config(
        HistogramAggregation::Base2Exponential,
        Temporality::Cumulative,
    ));
    assert_same(
        &converter,
        &mut [Vec::new(), Vec::new()],
        &mut MetricBytes::default(),
    );
}
