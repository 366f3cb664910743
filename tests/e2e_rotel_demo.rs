//! `walrec demo` end to end against a real collector, rotel: the demo pushes over OTLP/gRPC
//! and OTLP/HTTP, configured only by `OTEL_EXPORTER_OTLP_{ENDPOINT,PROTOCOL}`, and every figure
//! its dump prints is what rotel received.
#![cfg(all(feature = "otlp", feature = "cli"))]

mod support;

use std::time::Duration;

use support::demo::{self, DEMO_EVENTS, DEMO_INSTANCE};
use support::rotel::Rotel;
use support::rotel_log::{LoggedMetric, ensure, named, parse_metrics, point_of};

/// How long to wait for rotel to log what it received.
const LOG_BOUND: Duration = Duration::from_secs(20);

/// Runs `walrec demo` against `endpoint` and returns the `samples=` of the Manager section's
/// four lines, by metric name.
fn run_demo(endpoint: &str, protocol: &str) -> Vec<(&'static str, u64)> {
    let dump = demo::run(endpoint, protocol);
    vec![
        ("read_segment_header", dump.samples("Read segment header")),
        ("resume_from_event", dump.samples("Resume from event")),
        ("seek_event", dump.samples("Seek event")),
        ("next_event", dump.samples("Next event")),
    ]
}

/// Checks rotel's log for the demo's export: the five metrics, their types and units, sample
/// counts equal to the demo's own dump, and a histogram consistent with them.
fn check_demo_log(log: &str, dumped: &[(&str, u64)]) -> Result<(), String> {
    let metrics = parse_metrics(log);
    let cumulative = "AGGREGATION_TEMPORALITY_CUMULATIVE";
    let one = |name: &str| -> Result<&LoggedMetric, String> {
        named(&metrics, name)
            .into_iter()
            .find(|m| point_of(m, DEMO_INSTANCE).is_ok())
            .ok_or_else(|| format!("{name} for instance {DEMO_INSTANCE:?} not in rotel's log"))
    };
    for &(metric, samples) in dumped {
        let name = format!("walrec.{metric}.samples");
        let sum = one(&name)?;
        ensure(
            sum.data_type == "Sum"
                && sum.is_monotonic == Some(true)
                && sum.temporality.as_deref() == Some(cumulative)
                && sum.unit == "{operation}",
            || format!("{name}: {sum:?}"),
        )?;
        let value = point_of(sum, DEMO_INSTANCE)?.int_value();
        ensure(value == Some(samples as i64), || {
            format!("{name}: rotel logged {value:?}, the demo's dump says {samples}")
        })?;
        let time = one(&format!("walrec.{metric}.time"))?;
        ensure(time.data_type == "Sum" && time.unit == "s", || {
            format!("{metric}.time: {time:?}")
        })?;
        let time = point_of(time, DEMO_INSTANCE)?.float_value().unwrap_or(-1.0);
        ensure(samples == 0 || time > 0.0, || {
            format!("walrec.{metric}.time is {time} for {samples} samples")
        })?;
        let bound = |stat: &str| -> Result<f64, String> {
            let gauge = one(&format!("walrec.{metric}.{stat}"))?;
            ensure(gauge.data_type == "Gauge" && gauge.unit == "s", || {
                format!("{metric}.{stat}: {gauge:?}")
            })?;
            point_of(gauge, DEMO_INSTANCE)?
                .float_value()
                .ok_or_else(|| format!("walrec.{metric}.{stat} has no value"))
        };
        let (min, avg, max) = (bound("min")?, bound("avg")?, bound("max")?);
        ensure(min <= avg && avg <= max, || {
            format!("walrec.{metric}: min {min} avg {avg} max {max}")
        })?;
    }
    let events = dumped
        .iter()
        .find(|(metric, _)| *metric == "next_event")
        .map(|&(_, samples)| samples)
        .unwrap();
    ensure(events == DEMO_EVENTS, || {
        format!("the demo recorded {events} next_event samples for {DEMO_EVENTS} events")
    })?;
    let name = "walrec.next_event_histogram";
    let histogram = one(name)?;
    ensure(
        histogram.data_type == "ExponentialHistogram"
            && histogram.temporality.as_deref() == Some(cumulative)
            && histogram.unit == "ns",
        || format!("{name}: {histogram:?}"),
    )?;
    let point = point_of(histogram, DEMO_INSTANCE)?;
    let buckets: u64 = point.bucket_counts.iter().sum();
    ensure(
        point.count == Some(events) && point.zero_count + buckets == events,
        || {
            format!(
                "{name}: count {:?}, zero {} + buckets {buckets}, events {events}",
                point.count, point.zero_count
            )
        },
    )?;
    ensure(
        matches!((point.min, point.max, point.sum), (Some(min), Some(max), Some(sum)) if min <= max && sum >= max),
        || {
            format!(
                "{name}: min {:?} max {:?} sum {:?}",
                point.min, point.max, point.sum
            )
        },
    )?;
    Ok(())
}

fn assert_demo_logged(rotel: &Rotel, dumped: &[(&str, u64)]) {
    if let Err(log) = rotel.wait_for_log(|log| check_demo_log(log, dumped).is_ok(), LOG_BOUND) {
        let reason = check_demo_log(&rotel.log(), dumped).unwrap_err();
        panic!("{reason}\n{log}");
    }
}

#[test]
fn walrec_demo_pushes_to_rotel_over_grpc() {
    let rotel = Rotel::start();
    let dumped = run_demo(&rotel.grpc_endpoint(), "grpc");
    assert_demo_logged(&rotel, &dumped);
}

#[test]
fn walrec_demo_pushes_to_rotel_over_http_protobuf() {
    let rotel = Rotel::start();
    // The generic variable takes the base URL; the exporter appends /v1/metrics.
    let dumped = run_demo(&rotel.http_base_endpoint(), "http/protobuf");
    assert_demo_logged(&rotel, &dumped);
}
