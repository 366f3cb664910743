//! End to end against a real collector, rotel (installed by `scripts/install-rotel.sh`, which
//! `scripts/test.sh` runs first): the agent pushes over OTLP/gRPC and OTLP/HTTP, rotel logs what
//! it received at detailed verbosity, and the test reads that log back. Without the rotel binary
//! these tests fail, saying how to install it.
#![cfg(feature = "otlp")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::rotel::Rotel;
use support::rotel_log::{LoggedMetric, LoggedPoint, ensure, named, parse_metrics, point_of};
use walrec::otlp::Agent;
use walrec::otlp::config::{Config, Protocol};
use walrec::telemetry::Manager;

/// How long rotel gets to log an export (it batches for 200 ms; a chain adds a hop).
const LOG_BOUND: Duration = Duration::from_secs(20);

/// What [`record`] records, to compare with what rotel logs.
struct Expected {
    header_ns: Vec<u64>,
    header_failures: u64,
    resume_ns: Vec<u64>,
    seek_ns: Vec<u64>,
    next_ns: Vec<u64>,
}

impl Expected {
    fn samples(&self, metric: &str) -> &[u64] {
        match metric {
            "read_segment_header" => &self.header_ns,
            "resume_from_event" => &self.resume_ns,
            "seek_event" => &self.seek_ns,
            "next_event" => &self.next_ns,
            other => panic!("unknown metric {other}"),
        }
    }
}

/// Records known durations into `manager`.
fn record(manager: &Manager) -> Expected {
    let updater = manager.updater();
    let header_ns = vec![1_000, 2_000, 3_000, 4_000];
    for (i, &ns) in header_ns.iter().enumerate() {
        updater.record_read_segment_header(10, 10 + ns, i != 3);
    }
    let resume_ns = vec![5_000, 7_000];
    for &ns in &resume_ns {
        updater.record_resume_from_event(100, 100 + ns, true);
    }
    let seek_ns = vec![700; 5];
    for &ns in &seek_ns {
        updater.record_seek_event(1_000, 1_000 + ns);
    }
    // 1,000 events from 0 ns (the zero bucket) to 9,990 ns.
    let next_ns: Vec<u64> = (0..1_000u64).map(|i| (i * 37) % 10_000).collect();
    for &ns in &next_ns {
        updater.record_next_event(5_000, 5_000 + ns);
    }
    Expected {
        header_ns,
        header_failures: 1,
        resume_ns,
        seek_ns,
        next_ns,
    }
}

fn config(protocol: Protocol, endpoint: &str) -> Config {
    Config::builder()
        .protocol(protocol)
        .endpoint(endpoint)
        // Only explicit flushes (and the final export on drop) push.
        .interval(Duration::from_secs(3600))
        .export_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Records, pushes once with the library agent, and returns what was recorded.
fn push(protocol: Protocol, endpoint: &str) -> Expected {
    let manager = Arc::new(Manager::new());
    let expected = record(&manager);
    let agent = Agent::start(
        &config(protocol, endpoint),
        vec![("main".into(), Arc::clone(&manager))],
    )
    .unwrap();
    agent
        .force_flush()
        .unwrap_or_else(|e| panic!("export to rotel at {endpoint} failed: {e}"));
    drop(agent);
    expected
}

/// Equal up to the rounding of a logged floating-point value.
fn close(logged: f64, expected: f64) -> bool {
    (logged - expected).abs() <= 1e-6 * expected.abs() + 1e-12
}

/// The single point of `metric` for instance `main`.
fn main_point(metric: &LoggedMetric) -> Result<&LoggedPoint, String> {
    point_of(metric, "main")
}

/// Checks that every export of the five metrics in rotel's `log` has the right type, unit and
/// the values `expected` recorded. At least one export must be there.
fn check_log(log: &str, expected: &Expected) -> Result<(), String> {
    let metrics = parse_metrics(log);
    let cumulative = "AGGREGATION_TEMPORALITY_CUMULATIVE";

    let sum = |name: &str, unit: &str, value: f64| -> Result<(), String> {
        let found = named(&metrics, name);
        ensure(!found.is_empty(), || format!("{name} not in rotel's log"))?;
        for metric in found {
            ensure(metric.data_type == "Sum", || {
                format!("{name} is a {}, not a Sum", metric.data_type)
            })?;
            ensure(metric.is_monotonic == Some(true), || {
                format!("{name} is not monotonic")
            })?;
            ensure(metric.temporality.as_deref() == Some(cumulative), || {
                format!("{name}: temporality {:?}", metric.temporality)
            })?;
            ensure(metric.unit == unit, || {
                format!("{name}: unit {}", metric.unit)
            })?;
            let point = main_point(metric)?;
            ensure(point.float_value().is_some_and(|v| close(v, value)), || {
                format!("{name}: value {:?}, recorded {value}", point.value)
            })?;
        }
        Ok(())
    };
    let gauge = |name: &str, value: f64| -> Result<(), String> {
        let found = named(&metrics, name);
        ensure(!found.is_empty(), || format!("{name} not in rotel's log"))?;
        for metric in found {
            ensure(metric.data_type == "Gauge", || {
                format!("{name} is a {}, not a Gauge", metric.data_type)
            })?;
            ensure(metric.unit == "s", || {
                format!("{name}: unit {}", metric.unit)
            })?;
            let point = main_point(metric)?;
            let logged = point.float_value();
            ensure(logged.is_some_and(|v| close(v, value)), || {
                format!("{name}: value {:?}, expected {value}", point.value)
            })?;
        }
        Ok(())
    };

    for metric in [
        "read_segment_header",
        "resume_from_event",
        "seek_event",
        "next_event",
    ] {
        let samples = expected.samples(metric);
        let total: u64 = samples.iter().sum();
        let min = *samples.iter().min().unwrap();
        let max = *samples.iter().max().unwrap();
        sum(
            &format!("walrec.{metric}.samples"),
            "{operation}",
            samples.len() as f64,
        )?;
        // Times are exported in seconds (the naming table's unit); recorded in nanoseconds.
        sum(&format!("walrec.{metric}.time"), "s", total as f64 / 1e9)?;
        gauge(&format!("walrec.{metric}.min"), min as f64 / 1e9)?;
        gauge(&format!("walrec.{metric}.max"), max as f64 / 1e9)?;
        gauge(
            &format!("walrec.{metric}.avg"),
            total as f64 / samples.len() as f64 / 1e9,
        )?;
    }
    let header_ok = expected.header_ns.len() as u64 - expected.header_failures;
    sum(
        "walrec.read_segment_header.success",
        "{operation}",
        header_ok as f64,
    )?;
    sum(
        "walrec.read_segment_header.failures",
        "{operation}",
        expected.header_failures as f64,
    )?;

    let name = "walrec.next_event_histogram";
    let found = named(&metrics, name);
    ensure(!found.is_empty(), || format!("{name} not in rotel's log"))?;
    let values = &expected.next_ns;
    let zeros = values.iter().filter(|&&v| v == 0).count() as u64;
    for metric in found {
        ensure(metric.data_type == "ExponentialHistogram", || {
            format!(
                "{name} is a {}, not an ExponentialHistogram",
                metric.data_type
            )
        })?;
        ensure(metric.temporality.as_deref() == Some(cumulative), || {
            format!("{name}: temporality {:?}", metric.temporality)
        })?;
        ensure(metric.unit == "ns", || {
            format!("{name}: unit {}", metric.unit)
        })?;
        let point = main_point(metric)?;
        let count = values.len() as u64;
        ensure(point.count == Some(count), || {
            format!("{name}: count {:?}, recorded {count}", point.count)
        })?;
        let buckets: u64 = point.bucket_counts.iter().sum();
        ensure(point.zero_count + buckets == count, || {
            format!(
                "{name}: zero bucket {} + buckets {buckets} != count {count}",
                point.zero_count
            )
        })?;
        ensure(point.zero_count == zeros, || {
            format!(
                "{name}: zero bucket {}, recorded {zeros} zeros",
                point.zero_count
            )
        })?;
        // Downscaled to at most 160 buckets, of which these values fill many.
        ensure((2..=160).contains(&point.bucket_counts.len()), || {
            format!("{name}: {} non-empty buckets", point.bucket_counts.len())
        })?;
        let total = values.iter().sum::<u64>() as f64;
        ensure(point.sum == Some(total), || {
            format!("{name}: sum {:?}, recorded {total}", point.sum)
        })?;
        let (min, max) = (
            *values.iter().min().unwrap() as f64,
            *values.iter().max().unwrap() as f64,
        );
        ensure(point.min == Some(min) && point.max == Some(max), || {
            format!(
                "{name}: min {:?} max {:?}, recorded {min} and {max}",
                point.min, point.max
            )
        })?;
    }
    Ok(())
}

/// Waits until `rotel`'s log passes [`check_log`]; panics with the reason and the log if not.
fn assert_logged(rotel: &Rotel, expected: &Expected) {
    if let Err(log) = rotel.wait_for_log(|log| check_log(log, expected).is_ok(), LOG_BOUND) {
        let reason = check_log(&rotel.log(), expected).unwrap_err();
        panic!("{reason}\n{log}");
    }
}

#[test]
fn agent_pushes_all_five_metrics_to_rotel_over_grpc() {
    let rotel = Rotel::start();
    let expected = push(Protocol::Grpc, &rotel.grpc_endpoint());
    assert_logged(&rotel, &expected);
}

#[test]
fn agent_pushes_all_five_metrics_to_rotel_over_http_protobuf() {
    let rotel = Rotel::start();
    let expected = push(Protocol::HttpProtobuf, &rotel.http_endpoint());
    assert_logged(&rotel, &expected);
}

#[test]
fn agent_rotel_forwards_to_gateway_rotel() {
    let (agent_rotel, gateway) = Rotel::start_chain();
    let expected = push(Protocol::Grpc, &agent_rotel.grpc_endpoint());
    // The first hop received it…
    agent_rotel
        .wait_for_log(|log| log.contains("walrec.next_event_histogram"), LOG_BOUND)
        .unwrap();
    // …and the gateway got all of it, unchanged.
    assert_logged(&gateway, &expected);
}

/// The parser against a block rotel 0.0.1a15 really logged (for a hand-made request).
#[test]
fn rotel_log_parser_reads_detailed_output() {
    let log = "\
\u{1b}[2m2026-11-24T04:19:50.758428Z\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m Starting Rotel.
ResourceMetrics #0
Resource SchemaURL: 
Resource attributes:
     -> service.name: Str(walrec-test)
ScopeMetrics #0
ScopeMetrics SchemaURL: 
InstrumentationScope walrec 0.1.0
Metric #0
Descriptor:
     -> Name: walrec.next_event.samples
     -> Description: desc here
     -> Unit: {operation}
     -> DataType: Sum
     -> IsMonotonic: true
     -> AggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE
NumberDataPoints #0
Data point attributes:
     -> wal.recovery.instance: Str(main)
StartTimestamp: 1700000000000000000
Timestamp: 1700000001000000000
Value: 1000
Metric #1
Descriptor:
     -> Name: walrec.next_event.min
     -> Description: 
     -> Unit: ns
     -> DataType: Gauge
NumberDataPoints #0
StartTimestamp: 0
Timestamp: 1700000001000000000
Value: 10.5
Metric #2
Descriptor:
     -> Name: walrec.next_event_histogram
     -> Description: 
     -> Unit: ns
     -> DataType: ExponentialHistogram
     -> AggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE
ExponentialHistogramDataPoints #0
Data point attributes:
     -> wal.recovery.instance: Str(main)
StartTimestamp: 1700000000000000000
Timestamp: 1700000001000000000
Count: 5
Sum: 100
Min: 1
Max: 50
Bucket [0, 0], Count: 1
Bucket (1.1143867425958924, 1.1265216186082418], Count: 1
Bucket (1.1265216186082418, 1.1387886347566916], Count: 2
Bucket (1.1387886347566916, 1.1511892299529827], Count: 1
";
    let metrics = parse_metrics(&support::rotel_log::strip_ansi(log));
    assert_eq!(metrics.len(), 3);
    let samples = &metrics[0];
    assert_eq!(
        (
            samples.scope.as_str(),
            samples.name.as_str(),
            samples.unit.as_str()
        ),
        ("walrec", "walrec.next_event.samples", "{operation}")
    );
    assert_eq!(samples.data_type, "Sum");
    assert_eq!(samples.is_monotonic, Some(true));
    assert_eq!(
        samples.points[0].attribute("wal.recovery.instance"),
        Some("Str(main)")
    );
    assert_eq!(samples.points[0].int_value(), Some(1000));
    assert_eq!(metrics[1].data_type, "Gauge");
    assert_eq!(metrics[1].points[0].float_value(), Some(10.5));
    let histogram = &metrics[2].points[0];
    assert_eq!(metrics[2].data_type, "ExponentialHistogram");
    assert_eq!(
        (histogram.count, histogram.sum, histogram.min, histogram.max),
        (Some(5), Some(100.0), Some(1.0), Some(50.0))
    );
    assert_eq!(histogram.zero_count, 1);
    assert_eq!(histogram.bucket_counts, vec![1, 2, 1]);
}
