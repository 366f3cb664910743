//! `walrec replay` and signals: the first SIGTERM/SIGINT stops the replay at a boundary, the
//! dump and a line naming the interruption point reach stdout, the final export is made, and
//! the exit code is 143 / 130; a second signal ends the process at once.
#![cfg(all(feature = "cli", feature = "otlp"))]

mod support;

use support::process;

use process::{Walrec, has_read};
use support::fake_collector::{Behaviour, FakeCollector};
use support::wal::generate;

/// Events in the large WAL: long enough (over a second in a debug build) that a signal sent
/// once the replay has begun lands well before its end.
const LARGE_WAL_EVENTS: u64 = 2_000_000;
/// 4 MiB segments: a stop takes effect within one of them.
const SEGMENT_BYTES: u64 = 4 << 20;

/// Exports only at the end (the interval is an hour), to `collector`.
fn export_env(collector: &FakeCollector) -> Vec<(&'static str, String)> {
    vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()),
        ("OTEL_METRIC_EXPORT_INTERVAL", "3600000".to_owned()),
        ("OTEL_METRIC_EXPORT_TIMEOUT", "2000".to_owned()),
    ]
}

fn spawn_replay(dir: &std::path::Path, env: &[(&'static str, String)]) -> Walrec {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Walrec::spawn(
        &["replay", "--dir", dir.to_str().unwrap(), "--label", "sig"],
        &env,
    )
}

/// The event id the interruption line names.
fn interrupted_at(stdout: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|line| line.starts_with("interrupted by"))
        .unwrap_or_else(|| panic!("no interruption line in:\n{stdout}"));
    let id = line.split("at event id ").nth(1).unwrap();
    id.split(':').next().unwrap().parse().unwrap()
}

#[test]
fn sigterm_mid_replay_prints_the_dump_exports_and_exits_143() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), LARGE_WAL_EVENTS, SEGMENT_BYTES);
    let collector = FakeCollector::start(Vec::new());
    let mut walrec = spawn_replay(dir.path(), &export_env(&collector));
    walrec.wait_until("the replay reads a segment", |pid| {
        has_read(pid, SEGMENT_BYTES)
    });
    walrec.signal("TERM");
    let out = walrec.finish();
    assert_eq!(out.status.code(), Some(143), "{}", out.stderr);
    assert!(
        out.stdout.contains("[sig Metrics] Snapshot:"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Next event"), "{}", out.stdout);
    let at = interrupted_at(&out.stdout);
    assert!(at < LARGE_WAL_EVENTS, "stopped at {at}: not mid-replay");
    assert!(
        out.stdout.contains("interrupted by SIGTERM"),
        "{}",
        out.stdout
    );
    // Only the final export can have been made (the interval is an hour).
    assert_eq!(collector.accepted().len(), 1, "{}", out.stderr);
}

#[test]
fn sigint_during_the_final_export_keeps_the_dump_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 10_000, SEGMENT_BYTES);
    let collector = FakeCollector::start(vec![Behaviour::Hang]);
    let mut walrec = spawn_replay(dir.path(), &export_env(&collector));
    walrec.wait_until("the final export reaches the collector", |_| {
        !collector.attempts().is_empty()
    });
    walrec.signal("INT");
    let out = walrec.finish();
    assert_eq!(out.status.code(), Some(130), "{}", out.stderr);
    assert!(
        out.stdout.contains("[sig Metrics] Snapshot:"),
        "{}",
        out.stdout
    );
    // The replay had finished: nothing was cut short but the export.
    assert!(!out.stdout.contains("interrupted by"), "{}", out.stdout);
    assert!(out.stderr.contains("SIGINT"), "{}", out.stderr);
}

#[test]
fn a_second_signal_during_the_final_export_exits_at_once_with_the_dump_out() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 10_000, SEGMENT_BYTES);
    let collector = FakeCollector::start(vec![Behaviour::Hang]);
    let mut walrec = spawn_replay(dir.path(), &export_env(&collector));
    walrec.wait_until("the final export reaches the collector", |_| {
        !collector.attempts().is_empty()
    });
    // Two different signals: two of the same, sent back to back, may be delivered as one.
    walrec.signal("INT");
    walrec.signal("TERM");
    let out = walrec.finish();
    // The first signal's code; the second one's message.
    assert_eq!(out.status.code(), Some(130), "{}", out.stderr);
    assert!(
        out.stdout.contains("[sig Metrics] Snapshot:"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("second signal"), "{}", out.stderr);
}

#[test]
fn sigterm_during_the_demo_replay_prints_the_dump_and_exits_143() {
    let collector = FakeCollector::start(Vec::new());
    let env = export_env(&collector);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let events = LARGE_WAL_EVENTS.to_string();
    let args = ["demo", "--events", &events, "--segment-bytes", "4194304"];
    let mut walrec = Walrec::spawn(&args, &env);
    walrec.wait_until("the demo replays its WAL", |pid| has_read(pid, 4 << 20));
    walrec.signal("TERM");
    let out = walrec.finish();
    assert_eq!(out.status.code(), Some(143), "{}", out.stderr);
    assert!(
        out.stdout.contains("[walrec demo Metrics] Snapshot:"),
        "{}",
        out.stdout
    );
    assert!(
        interrupted_at(&out.stdout) < LARGE_WAL_EVENTS,
        "{}",
        out.stdout
    );
    assert_eq!(collector.accepted().len(), 1, "{}", out.stderr);
}
