//! `walrec report`'s logic: window dumps equal live dumps over the same window, the hlog reads
//! back with hdrhistogram within 1 %, the OTLP JSON equals what the agent's encoder sends for
//! the same intervals (written and pushed by `walrec report`, which wires the recording to the
//! OTLP conversion), and the plot renders its series.
#![cfg(all(
    feature = "recording",
    feature = "otlp",
    feature = "plot",
    feature = "cli"
))]

mod support;

use support::process;

use std::path::Path;

use hdrhistogram::Histogram;
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use process::{Finished, Walrec};
use prost::Message;
use support::recording::{record_mix, sampled_recording};
use walrec::otlp::config::{ExemplarFilter, Temporality};
use walrec::otlp::{Config, MetricsEncoder};
use walrec::recording::{
    IntervalSampler, Recording, RecordingConfig, RecordingHeader, RecordingWriter, Window,
};
use walrec::telemetry::{Manager, ManagerSnapshot};

const INTERVALS: u64 = 6;

fn recorded(dir: &Path) -> (Recording, Vec<ManagerSnapshot>) {
    let path = dir.join("rec.walrec");
    sampled_recording(&path, INTERVALS, RecordingConfig::new(&path))
}

fn dump(snapshot: &ManagerSnapshot) -> String {
    let mut out = Vec::new();
    snapshot.dump("replay", &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn window_dumps_equal_live_dumps_over_the_same_window() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, live) = recorded(dir.path());
    assert_eq!(recording.intervals.len() as u64, INTERVALS);
    for first in 0..INTERVALS as usize {
        for last in first..INTERVALS as usize {
            let (from, _) = recording.offsets(&recording.intervals[first]);
            let (_, to) = recording.offsets(&recording.intervals[last]);
            let window = Window {
                from: Some(from),
                to: Some(to),
            };
            let mut expected = ManagerSnapshot::default();
            live[last + 1].since_into(&live[first], &mut expected);
            let merged = recording.merged(0, window);
            // Bucket for bucket, and every counter and total.
            assert_eq!(merged, expected, "window {first}..={last}");
            assert_eq!(dump(&merged), dump(&expected));
        }
    }
    assert_eq!(
        recording.merged(0, Window::default()),
        live[INTERVALS as usize]
    );
}

#[test]
fn hlog_reads_back_within_one_percent() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, _) = recorded(dir.path());
    let path = dir.path().join("next_event.hlog");
    let written = walrec::recording::write_hlog(&recording, Window::default(), &path).unwrap();
    assert_eq!(written as u64, INTERVALS);
    let bytes = std::fs::read(&path).unwrap();
    let mut total = Histogram::<u64>::new(3).unwrap();
    let mut read = 0;
    for entry in IntervalLogIterator::new(&bytes) {
        if let LogEntry::Interval(interval) = entry.expect("a valid log entry") {
            let encoded = base64_decode(interval.encoded_histogram());
            let h: Histogram<u64> = Deserializer::new()
                .deserialize(&mut encoded.as_slice())
                .expect("a valid histogram");
            total.add(&h).unwrap();
            read += 1;
        }
    }
    assert_eq!(read, written);
    let own = recording.merged(0, Window::default()).next_event_histogram;
    assert_eq!(total.len(), own.count);
    for q in [0.5, 0.9, 0.99, 0.999, 0.9999] {
        let ours = own.value_at_quantile(q).unwrap();
        let theirs = total.value_at_quantile(q) as f64;
        let error = (theirs - ours).abs() / ours;
        assert!(
            error < 0.01,
            "q={q}: hlog {theirs} vs recording {ours} ({error:.4})"
        );
    }
}

/// Standard base64 (the hlog's histogram encoding), decoded without another dependency.
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// Timestamps and the per-process `service.instance.id` differ between two conversions of
/// the same values; everything else must be equal.
fn normalised(mut request: ExportMetricsServiceRequest) -> ExportMetricsServiceRequest {
    use opentelemetry_proto::tonic::metrics::v1::metric::Data;
    for resource in &mut request.resource_metrics {
        if let Some(resource) = &mut resource.resource {
            resource
                .attributes
                .retain(|kv| kv.key != "service.instance.id");
        }
        for metric in resource
            .scope_metrics
            .iter_mut()
            .flat_map(|s| &mut s.metrics)
        {
            match &mut metric.data {
                Some(Data::Sum(sum)) => sum.data_points.iter_mut().for_each(|p| {
                    (p.start_time_unix_nano, p.time_unix_nano) = (0, 0);
                }),
                Some(Data::Gauge(gauge)) => gauge.data_points.iter_mut().for_each(|p| {
                    (p.start_time_unix_nano, p.time_unix_nano) = (0, 0);
                }),
                Some(Data::ExponentialHistogram(h)) => h.data_points.iter_mut().for_each(|p| {
                    (p.start_time_unix_nano, p.time_unix_nano) = (0, 0);
                }),
                _ => panic!("walrec exports sums, gauges and exponential histograms only"),
            }
        }
    }
    request
}

/// A recording of `INTERVALS` ticks and the requests an encoder sent for the same ticks.
fn recorded_with_encoder(
    dir: &Path,
    otlp: &Config,
) -> (Recording, Vec<ExportMetricsServiceRequest>) {
    let path = dir.join("rec.walrec");
    let config = RecordingConfig {
        service_name: otlp.service_name().to_owned(),
        resource_attributes: walrec::otlp::resource_attributes(otlp),
        ..RecordingConfig::new(&path)
    };
    let manager = std::sync::Arc::new(Manager::new());
    let mut encoder = MetricsEncoder::new(otlp);
    encoder.add("replay", &manager);
    let header = RecordingHeader::for_config(&config, vec!["replay".to_owned()]);
    let mut sampler = IntervalSampler::new(
        vec![std::sync::Arc::clone(&manager)],
        header.start_unix_nano,
    );
    let mut writer = RecordingWriter::create(&config, header).unwrap();
    let mut sent = Vec::new();
    for k in 0..INTERVALS {
        record_mix(&manager, k, 1_000 * (k + 1));
        sampler.sample(&mut writer, k + 1 == INTERVALS).unwrap();
        sent.push(ExportMetricsServiceRequest::decode(encoder.encode().as_slice()).unwrap());
        encoder.acknowledge();
    }
    drop(writer);
    (Recording::open(&path).unwrap(), sent)
}

/// `walrec report FILE args…` with `env` (delta temporality, as the encoder's config); its
/// output when it succeeded.
fn report(file: &Path, args: &[&str], env: &[(&str, &str)]) -> Finished {
    let mut all = vec!["report", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let mut env = env.to_vec();
    env.push(("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"));
    env.push(("OTEL_METRICS_EXEMPLAR_FILTER", "always_on"));
    let finished = Walrec::spawn(&all, &env).finish();
    assert!(finished.status.success(), "{}", finished.stderr);
    finished
}

#[test]
fn push_backfills_every_interval_to_a_collector() {
    let collector = support::fake_collector::FakeCollector::start(Vec::new());
    let otlp = Config::builder()
        .temporality(Temporality::Delta)
        .exemplar_filter(ExemplarFilter::AlwaysOn)
        .endpoint(&collector.endpoint())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, sent) = recorded_with_encoder(dir.path(), &otlp);
    let endpoint = collector.endpoint();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
    ];
    let finished = report(&dir.path().join("rec.walrec"), &["--push"], &env);
    assert!(
        finished
            .stderr
            .contains(&format!("pushed {INTERVALS} OTLP requests")),
        "{}",
        finished.stderr
    );
    let accepted = collector.accepted();
    assert_eq!(accepted.len(), sent.len());
    for (k, (got, live)) in accepted.into_iter().zip(sent).enumerate() {
        assert!(normalised(got) == normalised(live), "interval {k} differs");
    }
}

#[test]
fn otlp_json_equals_what_the_encoder_sends_for_the_same_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let otlp = Config::builder()
        .temporality(Temporality::Delta)
        .exemplar_filter(ExemplarFilter::AlwaysOn)
        .build()
        .unwrap();
    let (recording, sent) = recorded_with_encoder(dir.path(), &otlp);
    let out = dir.path().join("otlp.jsonl");
    let finished = report(
        &dir.path().join("rec.walrec"),
        &["--otlp-json", out.to_str().unwrap()],
        &[],
    );
    assert!(
        finished
            .stderr
            .contains(&format!("wrote {INTERVALS} OTLP requests"))
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let parsed: Vec<ExportMetricsServiceRequest> = text
        .lines()
        .map(|line| {
            serde_json::from_str(line).expect("each line is an ExportMetricsServiceRequest")
        })
        .collect();
    assert_eq!(parsed.len(), sent.len());
    for (k, (file, live)) in parsed.into_iter().zip(sent).enumerate() {
        // Debug output of a whole request is kilobytes: say which interval differs.
        assert!(normalised(file) == normalised(live), "interval {k} differs");
    }
    // OTLP/JSON spellings: lowerCamelCase names, 64-bit integers as strings, an absent field
    // left out (the Collector's decoder refuses a delta histogram's `"min":null`).
    let first = text.lines().next().unwrap();
    assert!(!text.contains(":null"), "a null in {first}");
    assert!(first.contains("\"resourceMetrics\"") && first.contains("\"startTimeUnixNano\":\""));
    assert!(
        first.contains("\"bucketCounts\":[\""),
        "bucket counts are strings"
    );
    // The recorder's exemplars are the encoder's (each its own reader of the same intervals),
    // so the equality above covers them; check they are there at all.
    assert!(recording.intervals.iter().all(|i| i.exemplar.is_some()));
    // The clock's resolution, under the one name the live agent uses too.
    let resolution = walrec::telemetry::clock::resolution_ps();
    let attribute = (
        walrec::telemetry::CLOCK_RESOLUTION_ATTRIBUTE.to_owned(),
        walrec::recording::AttributeValue::Int(resolution as i64),
    );
    assert!(recording.header.resource_attributes.contains(&attribute));
    assert_eq!(recording.header.clock_resolution_ps, resolution);
    assert!(first.contains(&format!(
        "{{\"key\":\"walrec.clock.resolution_ps\",\"value\":{{\"intValue\":\"{resolution}\"}}}}"
    )));
    assert_eq!(text.matches("\"exemplars\":[{").count() as u64, INTERVALS);
}

#[test]
fn recorded_exemplars_are_their_intervals_slowest_samples_and_report_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.walrec");
    let manager = std::sync::Arc::new(Manager::new());
    let config = RecordingConfig::new(&path);
    let header = RecordingHeader::for_config(&config, vec!["replay".to_owned()]);
    let mut sampler = IntervalSampler::new(vec![manager.clone()], header.start_unix_nano);
    let mut writer = RecordingWriter::create(&config, header).unwrap();
    // Another consumer (an OTLP agent, say) takes right after each interval's slowest sample:
    // the recorder still gets that sample.
    let other = manager.next_event_exemplar_reader();
    let updater = manager.updater();
    let mut slowest = Vec::new();
    for k in 0..INTERVALS {
        let values = [900 + k, 300 + 7 * k, 40];
        updater.record_next_event(0, values[0]);
        assert!(manager.take_next_event_exemplar_for(&other).is_some());
        updater.record_next_event(0, values[1]);
        updater.record_next_event(0, values[2]);
        slowest.push(values[0]);
        sampler.sample(&mut writer, false).unwrap();
    }
    drop(writer);
    let recording = Recording::open(&path).unwrap();
    let recorded: Vec<u64> = recording
        .intervals
        .iter()
        .map(|i| i.exemplar.expect("an exemplar per interval").value_ns)
        .collect();
    assert_eq!(recorded, slowest);
    let finished = report(&path, &[], &[]);
    assert!(finished.stdout.contains("slowest next_event per interval"));
    assert_eq!(
        finished.stdout.matches("event=- trace/span=-").count() as u64,
        INTERVALS
    );
}

/// The contents of an SVG's `<text>` elements, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|element| {
            let body = &element[element.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_owned())
        })
        .collect()
}

#[test]
fn plot_renders_percentile_and_rate_series() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, _) = recorded(dir.path());
    let svg = dir.path().join("plot.svg");
    walrec::recording::write_plot(&recording, Window::default(), &svg).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    let labels = svg_texts(&text);
    for label in ["p50", "p99", "p99.9", "max", "events/s"] {
        assert!(
            labels.iter().any(|l| l == label),
            "legend entry {label} in {labels:?}"
        );
    }
    // Five series, each a polyline through one point per interval.
    assert!(text.matches("<polyline").count() >= 5, "{}", text.len());
    let png = dir.path().join("plot.png");
    walrec::recording::write_plot(&recording, Window::default(), &png).unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    // 1200 × 800 (the IHDR chunk's width and height).
    assert_eq!(&bytes[16..24], &[0, 0, 4, 176, 0, 0, 3, 32]);
    let error =
        walrec::recording::write_plot(&recording, Window::default(), &dir.path().join("x.gif"));
    assert!(error.unwrap_err().to_string().contains(".svg or .png"));
}

#[test]
fn report_stitches_a_rotated_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.walrec");
    let mut config = RecordingConfig::new(&path);
    config.max_file_bytes = 2_000;
    config.kept_files = 64;
    let (current, _) = sampled_recording(&path, 12, config);
    let files = current.header.rotation as usize + 1;
    assert!(files > 1);
    let finished = report(&path, &[], &[]);
    assert!(
        finished
            .stderr
            .contains(&format!("stitched {files} rotated files")),
        "{}",
        finished.stderr
    );
    // One table row per interval of all files, then the dump of all of them.
    let table = finished.stdout.split("slowest next_event").next().unwrap();
    let rows = table.lines().filter(|l| l.starts_with("replay ")).count();
    assert_eq!(rows, 12, "{}", finished.stdout);
}
