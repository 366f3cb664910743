//! A recorded `Recovery`: the SegmentReader's and Preloader's telemetry and the progress are
//! in every interval, windows merge them exactly as a live delta, `walrec report --from/--to`
//! dumps them, and a Manager recorded alone has none.
#![cfg(feature = "cli")]

mod support;

use support::process;

use std::sync::Arc;
use std::time::Duration;

use process::Walrec;
use support::recording::{record_mix, sampled_recording};
use walrec::recording::{
    IntervalSampler, Recording, RecordingConfig, RecordingHeader, RecordingWriter, Window,
};
use walrec::telemetry::{IntegrityProblem, Phase, Recovery, RecoverySnapshot, Status};

const INTERVALS: usize = 5;

/// Interval `k` of a recovery: the manager's mix, segments opened, verified and preloaded, a
/// stall, a checksum failure every other interval, and progress through the replay.
fn record_recovery(recovery: &Recovery, k: u64) {
    record_mix(&recovery.manager, k, 500);
    let reader = &recovery.segment_reader;
    for s in 0..=k {
        reader.open_segment.record(0, 1_000 + 10 * s, s != 3);
        reader.verify_segment.record(0, 5_000 + k, true);
        reader.seek_event.record(0, 200 + s);
    }
    if k % 2 == 1 {
        reader.count_problem(IntegrityProblem::BlockChecksum);
    }
    let preloader = &recovery.preloader;
    preloader
        .preload_segment
        .record(0, 40_000 + k, Status::Ok.is_ok());
    preloader.stalled(0, 3_000 * (k + 1));
    preloader.set_ready_ahead(k % 3);
    let progress = &recovery.progress;
    if k == 0 {
        progress.scanned(INTERVALS as u64, Some(10_000));
        progress.set_phase(Phase::Replay);
        progress.replay_started(0);
    }
    progress.replayed(500, 500 * 64, 500 * (k + 1), 1_000_000 * (k + 1));
    progress.segment_replayed();
}

/// A recording of a recovery over `INTERVALS` intervals, and the live snapshot after each.
fn recorded(dir: &std::path::Path) -> (std::path::PathBuf, Recording, Vec<RecoverySnapshot>) {
    let path = dir.join("recovery.walrec");
    let config = RecordingConfig::new(&path);
    let recovery = Arc::new(Recovery::new());
    let header = RecordingHeader::for_config(&config, vec!["replay".to_owned()]);
    let mut sampler = IntervalSampler::new(vec![Arc::clone(&recovery)], header.start_unix_nano);
    let mut writer = RecordingWriter::create(&config, header).unwrap();
    let mut live = vec![recovery.snapshot()];
    for k in 0..INTERVALS as u64 {
        record_recovery(&recovery, k);
        std::thread::sleep(Duration::from_millis(2)); // distinct interval ends
        sampler.sample(&mut writer, false).unwrap();
        live.push(recovery.snapshot());
    }
    drop(writer);
    let recording = Recording::open(&path).unwrap();
    (path, recording, live)
}

fn dump(snapshot: &RecoverySnapshot) -> String {
    let mut out = Vec::new();
    snapshot.dump("replay", &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_window_of_a_recorded_recovery_equals_the_live_delta_with_all_components() {
    let dir = tempfile::tempdir().unwrap();
    let (_, recording, live) = recorded(dir.path());
    assert!(recording.intervals.iter().all(|i| i.components.is_some()));
    for first in 0..INTERVALS {
        for last in first..INTERVALS {
            let window = Window {
                from: Some(recording.offsets(&recording.intervals[first]).0),
                to: Some(recording.offsets(&recording.intervals[last]).1),
            };
            let mut expected = RecoverySnapshot::default();
            live[last + 1].since_into(&live[first], &mut expected);
            let merged = recording.merged_recovery(0, window).expect("a recovery");
            assert_eq!(merged, expected, "window {first}..={last}");
            assert_eq!(dump(&merged), dump(&expected));
        }
    }
    let whole = recording.merged_recovery(0, Window::default()).unwrap();
    assert_eq!(whole.segment_reader.block_checksum_failures, 2);
    assert_eq!(whole.progress.phase, Phase::Replay);
    assert_eq!(whole.progress.last_event_id, Some(10_000));
}

#[test]
fn report_window_dumps_include_the_recoverys_components() {
    let dir = tempfile::tempdir().unwrap();
    let (path, recording, live) = recorded(dir.path());
    let (from, _) = recording.offsets(&recording.intervals[1]);
    let (_, to) = recording.offsets(&recording.intervals[3]);
    // Seconds with 9 decimals are exact nanoseconds.
    let seconds = |d: Duration| format!("{:.9}", d.as_secs_f64());
    let args = [
        "report",
        path.to_str().unwrap(),
        "--from",
        &seconds(from),
        "--to",
        &seconds(to),
    ];
    let finished = Walrec::spawn(&args, &[]).finish();
    assert!(finished.status.success(), "{}", finished.stderr);
    let mut expected = RecoverySnapshot::default();
    live[4].since_into(&live[1], &mut expected);
    let shown = &finished.stdout[finished
        .stdout
        .find("[replay Segment Reader Metrics]")
        .unwrap()..];
    assert_eq!(shown, dump(&expected));
}

#[test]
fn a_manager_recorded_alone_has_no_components() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manager.walrec");
    let (recording, _) = sampled_recording(&path, 2, RecordingConfig::new(&path));
    assert!(recording.intervals.iter().all(|i| i.components.is_none()));
    assert_eq!(recording.merged_recovery(0, Window::default()), None);
}

#[test]
fn a_recorded_recovery_converts_to_otlp_with_all_components() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _, _) = recorded(dir.path());
    let text = otlp_json_lines(dir.path(), &path);
    assert_eq!(text.lines().count(), INTERVALS);
    for name in [
        "next_event",
        "open_segment",
        "stall_wait",
        "ready_ahead",
        "events_replayed",
    ] {
        assert!(
            text.lines().all(|line| line.contains(name)),
            "{name} in every request"
        );
    }
}

/// The `asInt` of the first point of the sum `name` in one OTLP JSON request line.
fn sum_in_json_line(line: &str, name: &str) -> Option<u64> {
    let request: serde_json::Value = serde_json::from_str(line).ok()?;
    let scopes = request["resourceMetrics"].as_array()?.iter();
    let metrics = scopes.flat_map(|r| r["scopeMetrics"].as_array().into_iter().flatten());
    let mut all = metrics.flat_map(|s| s["metrics"].as_array().into_iter().flatten());
    let metric = all.find(|m| m["name"] == name)?;
    let value = &metric["sum"]["dataPoints"][0]["asInt"];
    value.as_u64().or_else(|| value.as_str()?.parse().ok())
}

/// A recording's intervals are deltas: each backfilled point of a progress sum carries what its
/// interval added (500 events each), not the running total at its end.
#[test]
fn otlp_json_of_a_recorded_recovery_carries_each_intervals_progress() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _, live) = recorded(dir.path());
    let text = otlp_json_lines(dir.path(), &path);
    let events: Vec<Option<u64>> = text
        .lines()
        .map(|line| sum_in_json_line(line, "walrec.recovery.events_replayed"))
        .collect();
    assert_eq!(events, vec![Some(500); INTERVALS]);
    let total: u64 = events.iter().flatten().sum();
    assert_eq!(total, live[INTERVALS].progress.events_replayed);
}

/// `walrec report RECORDING --otlp-json` into `dir`: the lines written.
fn otlp_json_lines(dir: &std::path::Path, recording: &std::path::Path) -> String {
    let out = dir.join("otlp.jsonl");
    let args = [
        "report",
        recording.to_str().unwrap(),
        "--otlp-json",
        out.to_str().unwrap(),
    ];
    let finished = Walrec::spawn(&args, &[]).finish();
    assert!(finished.status.success(), "{}", finished.stderr);
    std::fs::read_to_string(&out).unwrap()
}
