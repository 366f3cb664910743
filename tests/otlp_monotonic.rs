//! Through the OTLP conversion: across many exports taken while other threads record, no
//! cumulative Sum point ever decreases and no gauge shows a sentinel.
#![cfg(feature = "otlp")]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point::Value};
use prost::Message as _;
use support::otlp_read::walrec_metrics;
use walrec::otlp::{Config, MetricsEncoder};
use walrec::telemetry::Manager;

const EXPORTS: usize = 5_000;

fn number(value: &Option<Value>) -> f64 {
    match value {
        Some(Value::AsInt(v)) => *v as f64,
        Some(Value::AsDouble(v)) => *v,
        None => panic!("a point without a value"),
    }
}

/// Checks one request against the last value of every Sum; gauges against sentinels.
fn check(request: &ExportMetricsServiceRequest, last: &mut HashMap<String, f64>) {
    for metric in walrec_metrics(request) {
        match &metric.data {
            Some(Data::Sum(sum)) => {
                for point in &sum.data_points {
                    let value = number(&point.value);
                    let before = last.insert(metric.name.clone(), value).unwrap_or(0.0);
                    assert!(
                        value >= before,
                        "{} went from {before} to {value}",
                        metric.name
                    );
                }
            }
            Some(Data::Gauge(gauge)) => {
                for point in &gauge.data_points {
                    let value = number(&point.value);
                    // Gauges are seconds; a leaked u64::MAX or i64::MAX would be ~1.8e10 s.
                    assert!((0.0..1e3).contains(&value), "{} = {value}", metric.name);
                }
            }
            Some(Data::ExponentialHistogram(h)) => {
                for point in &h.data_points {
                    let buckets: u64 = point.positive.iter().flat_map(|b| &b.bucket_counts).sum();
                    assert_eq!(point.count, point.zero_count + buckets);
                    let before = last.insert(metric.name.clone(), point.count as f64);
                    assert!(point.count as f64 >= before.unwrap_or(0.0));
                    if let (Some(min), Some(max)) = (point.min, point.max) {
                        assert!(min <= max && max < 1e12, "min {min} max {max}");
                    }
                }
            }
            other => panic!("{}: unexpected {other:?}", metric.name),
        }
    }
}

#[test]
fn cumulative_sums_never_decrease_and_gauges_never_show_a_sentinel() {
    let manager = Arc::new(Manager::new());
    let mut encoder = MetricsEncoder::new(&Config::builder().build().unwrap());
    encoder.add("race", &manager);
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let updater = manager.updater();
            let mut i = 0u64;
            // Relaxed: a stop flag; the exports check values, not this.
            while !done.load(Ordering::Relaxed) {
                // Mostly the operation with two outcomes, whose counters a snapshot can split.
                updater.record_read_segment_header(0, 10 + i % 500, i % 3 != 0);
                if i % 64 == 0 {
                    updater.record_resume_from_event(0, 20 + i % 900, i % 5 != 0);
                    updater.record_seek_event(0, i % 700);
                    updater.record_next_event(0, i % 20_000);
                }
                i += 1;
            }
        });
        let mut last = HashMap::new();
        for _ in 0..EXPORTS {
            let bytes = encoder.encode();
            check(
                &ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap(),
                &mut last,
            );
        }
        done.store(true, Ordering::Relaxed);
    });
}
