//! One test's whole pipeline: Prometheus and Jaeger as compose runs them, a collector in front,
//! and `walrec replay` runs pushing into it; with what each run's own dump says.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

use super::pipeline::{Collector, Destinations, Jaeger, Prometheus, closed_address};
use super::process::{Finished, Walrec};

/// How long a replay may run (a safety net).
pub const RUN_BOUND: Duration = Duration::from_secs(180);
/// How long the backends may take to show what a finished run sent.
pub const ARRIVAL_BOUND: Duration = Duration::from_secs(60);

/// Prometheus and Jaeger (and a folder for logs, storage and WALs).
pub struct Backends {
    pub dir: TempDir,
    pub prometheus: Prometheus,
    pub jaeger: Jaeger,
    /// Where the collectors' Tempo exporter points (nothing listens).
    pub tempo: String,
}

impl Backends {
    /// Starts Prometheus and Jaeger.
    pub fn start() -> Backends {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let prometheus = Prometheus::start(dir.path());
        let jaeger = Jaeger::start(dir.path());
        Backends {
            dir,
            prometheus,
            jaeger,
            tempo: closed_address(),
        }
    }

    /// Where a collector writing to these backends sends, through `gateways` if any.
    pub fn destinations(&self, gateways: Vec<String>) -> Destinations<'_> {
        Destinations {
            prometheus: &self.prometheus.url,
            jaeger_otlp: &self.jaeger.otlp,
            tempo_otlp: self.tempo.clone(),
            gateways,
        }
    }

    /// Starts a collector on `config` (a deploy/collector file) writing to these backends.
    pub fn collector(&self, name: &str, config: &str, gateways: Vec<String>) -> Collector {
        let args = vec![format!(
            "--config={}",
            super::deploy::path(&format!("collector/{config}")).display()
        )];
        Collector::start(name, args, &self.destinations(gateways), self.dir.path())
    }

    /// Writes a WAL of `events` events in `segment_bytes` segments under this folder.
    pub fn wal(&self, name: &str, events: u64, segment_bytes: u64) -> PathBuf {
        let dir = self.dir.path().join(name);
        super::wal::generate(&dir, events, segment_bytes);
        dir
    }
}

/// One `walrec replay` run's identity and what it printed.
pub struct Replay {
    /// `OTEL_SERVICE_NAME`: the `job` label and Jaeger's service.
    pub service: String,
    pub finished: Finished,
}

/// The environment of a replay pushing to the collector at `grpc` (OTLP/gRPC) as `service`,
/// exporting every 100 ms so a run spans several intervals.
pub fn replay_env(grpc: &str, service: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{grpc}")),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".to_owned()),
        ("OTEL_METRIC_EXPORT_INTERVAL", "100".to_owned()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
        ("OTEL_SERVICE_NAME", service.to_owned()),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            format!("service.instance.id={service}-1,deployment.environment=test"),
        ),
    ]
}

/// Starts `walrec replay --dir wal extra_args…` with `env` and nothing else of OTEL_*.
pub fn spawn_replay(wal: &Path, extra_args: &[&str], env: &[(&str, String)]) -> Walrec {
    let mut args = vec!["replay", "--dir", wal.to_str().expect("a UTF-8 path")];
    args.extend_from_slice(extra_args);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Walrec::spawn_isolated(&args, &env)
}

/// Runs a replay to its end; panics unless it succeeded.
pub fn replay(wal: &Path, service: &str, env: &[(&str, String)]) -> Replay {
    let finished = spawn_replay(wal, &[], env).finish_within(RUN_BOUND);
    assert!(
        finished.status.success(),
        "walrec replay failed ({}):\n{}{}",
        finished.status,
        finished.stdout,
        finished.stderr
    );
    Replay {
        service: service.to_owned(),
        finished,
    }
}

/// The `<field>=<value>` of the dump line that starts with `line_start` (after trimming).
pub fn dump_field<'a>(dump: &'a str, line_start: &str, field: &str) -> Option<&'a str> {
    let line = dump
        .lines()
        .find(|l| l.trim_start().starts_with(line_start))?;
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(field)?.strip_prefix('='))
        .map(|v| v.trim_end_matches(','))
}

/// A dump duration (`24ns`, `1.23µs`, `4.56ms`, `1.234s`) in nanoseconds, and the rounding
/// its printed digits allow.
pub fn dump_ns(text: &str) -> (f64, f64) {
    let units = [
        ("ns", 1.0, 0.5),
        ("µs", 1e3, 5.0),
        ("ms", 1e6, 5e3),
        ("s", 1e9, 5e5),
    ];
    for (suffix, scale, rounding) in units {
        if let Some(number) = text.strip_suffix(suffix) {
            if let Ok(value) = number.parse::<f64>() {
                return (value * scale, rounding);
            }
        }
    }
    panic!("not a dump duration: {text}")
}

/// The dump's `Next event` sample count (every event after the first is one sample).
pub fn next_event_samples(dump: &str) -> u64 {
    dump_field(dump, "Next event", "samples")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no Next event samples in the dump:\n{dump}"))
}

/// Flips one byte inside the first block of segment `index` of the WAL in `dir` (after its
/// header): that block fails its checksum when the segment is read. The segment's path.
pub fn corrupt_segment(dir: &Path, index: usize) -> PathBuf {
    let mut segments: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the WAL folder lists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "wal"))
        .collect();
    segments.sort();
    assert!(segments.len() > index + 1, "{segments:?}");
    let path = segments[index].clone();
    let mut bytes = std::fs::read(&path).expect("read the segment");
    bytes[8192] ^= 0x40;
    std::fs::write(&path, bytes).expect("write the segment back");
    path
}
