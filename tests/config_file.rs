#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]
//! `OTEL_CONFIG_FILE`: `walrec demo` configured by a declarative configuration file only (the
//! other `OTEL_*` variables ignored, as the specification says), `walrec config` naming each
//! value's key and line, and a broken file refused with every problem at its key and line.

mod support;

use std::path::PathBuf;

use support::fake_collector::FakeCollector;
use support::process::Walrec;

/// A file that sends both signals to `endpoint` over gRPC, sampling every span.
fn file_for(dir: &tempfile::TempDir, endpoint: &str) -> PathBuf {
    let text = format!(
        r#"file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: from-the-file
meter_provider:
  readers:
    - periodic:
        interval: 60000
        exporter:
          otlp_grpc:
            endpoint: ${{COLLECTOR}}
tracer_provider:
  processors:
    - batch:
        schedule_delay: 100
        exporter:
          otlp_grpc:
            endpoint: {endpoint}
  sampler:
    always_on:
"#
    );
    let path = dir.path().join("walrec.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_file_alone_configures_both_signals() {
    let collector = FakeCollector::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let file = file_for(&dir, &collector.endpoint());
    let file = file.to_str().unwrap();
    let env = [
        ("OTEL_CONFIG_FILE", file),
        ("COLLECTOR", &collector.endpoint()),
        // Ignored while the file is set: they would send nothing anywhere useful.
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
        ("OTEL_TRACES_SAMPLER", "always_off"),
        ("OTEL_SERVICE_NAME", "from-the-environment"),
    ];
    let args = ["demo", "--events", "3000", "--segment-bytes", "65536"];
    let finished = Walrec::spawn_isolated(&args, &env).finish();
    assert!(finished.status.success(), "{}", finished.stderr);
    let metrics = collector.accepted();
    assert!(
        !metrics.is_empty(),
        "no metric export reached the file's collector"
    );
    let resource = format!("{:?}", metrics[0].resource_metrics[0].resource);
    assert!(resource.contains("from-the-file"), "{resource}");
    assert!(
        !collector.spans().is_empty(),
        "the file's sampler is always_on"
    );

    let shown = Walrec::spawn_isolated(&["config"], &env).finish();
    assert!(shown.status.success(), "{}", shown.stderr);
    let sampler = shown
        .stdout
        .lines()
        .find(|l| l.contains("OTEL_TRACES_SAMPLER "));
    let sampler = sampler.unwrap_or_else(|| panic!("{}", shown.stdout));
    assert!(
        sampler.contains("always_on") && sampler.contains("tracer_provider.sampler"),
        "{sampler}"
    );
    assert!(sampler.contains("line 21"), "{sampler}");
}

#[test]
fn a_broken_file_is_refused_with_every_problem_at_its_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yaml");
    let text = "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic:\n        interval: soon\n        exporter:\n          otlp_grpc:\n            compression: zstd\n";
    std::fs::write(&path, text).unwrap();
    let env = [("OTEL_CONFIG_FILE", path.to_str().unwrap())];
    let finished = Walrec::spawn_isolated(&["config"], &env).finish();
    assert_eq!(finished.status.code(), Some(2), "{}", finished.stderr);
    for (key, line) in [
        ("meter_provider.readers[0].periodic.interval", 5),
        (
            "meter_provider.readers[0].periodic.exporter.otlp_grpc.compression",
            8,
        ),
    ] {
        let expected = format!("{key} (line {line})");
        assert!(
            finished.stderr.contains(&expected),
            "{expected}: {}",
            finished.stderr
        );
    }
}
