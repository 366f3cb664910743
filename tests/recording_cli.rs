//! `walrec replay --record` and `walrec report` end to end with the real binary: a replay killed
//! with SIGKILL leaves every interval written before the kill, `report` reads it and warns
//! about a torn last record, and a whole recording reports the replay's own dump.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::process;
use support::wal::generate;
use walrec::wal::WriterOptions;

use walrec::recording::Recording;

fn walrec() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_walrec"));
    command.env("OTEL_SDK_DISABLED", "true");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the walrec binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Polls `path` until it reads as a recording with at least `intervals` intervals (bounded).
fn wait_for_intervals(path: &Path, intervals: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(recording) = Recording::open(path) {
            if recording.intervals.len() >= intervals {
                return recording.intervals.len();
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{path:?} never held {intervals} intervals");
}

#[test]
fn a_replay_killed_mid_run_keeps_every_written_interval() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, file) = (dir.path().join("wal"), dir.path().join("rec.walrec"));
    generate(&wal, 8_000_000, WriterOptions::default().segment_bytes);
    let mut child = walrec()
        .args(["replay", "--dir"])
        .arg(&wal)
        .arg("--record")
        .arg(&file)
        .env("WALREC_RECORD_INTERVAL", "10")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("replay starts");
    let seen = wait_for_intervals(&file, 5);
    let running = child.try_wait().unwrap().is_none();
    child.kill().expect("SIGKILL"); // std's kill() is SIGKILL on Unix, sent to this PID only.
    child.wait().unwrap();
    assert!(
        running,
        "the replay ended before the kill: make the WAL larger"
    );

    let recording = Recording::open(&file).expect("the killed recording reads");
    assert!(
        recording.intervals.len() >= seen,
        "intervals written before the kill are kept"
    );
    let sequences: Vec<u64> = recording.intervals.iter().map(|i| i.sequence).collect();
    assert_eq!(sequences, (0..sequences.len() as u64).collect::<Vec<_>>());
    assert!(
        !recording.intervals.iter().any(|i| i.last),
        "no final interval after SIGKILL"
    );

    // A kill between two writes leaves whole records; cut the last one as a kill (or a power
    // loss) in the middle of its write would.
    let length = std::fs::metadata(&file).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(length - 3)
        .unwrap();
    let out = run(walrec().arg("report").arg(&file));
    assert!(out.status.success(), "report: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("torn last record"), "{stderr}");
    let rows = text(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("replay "))
        .count();
    assert_eq!(
        rows,
        recording.intervals.len() - 1,
        "the torn interval is skipped"
    );
}

#[test]
fn a_whole_recording_reports_the_replays_own_dump() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, file) = (dir.path().join("wal"), dir.path().join("rec.walrec"));
    generate(&wal, 200_000, WriterOptions::default().segment_bytes);
    let replay = run(walrec()
        .args(["replay", "--dir"])
        .arg(&wal)
        .arg("--record")
        .arg(&file));
    assert!(replay.status.success(), "replay: {}", text(&replay.stderr));
    let report = run(walrec().arg("report").arg(&file));
    assert!(report.status.success(), "report: {}", text(&report.stderr));
    let report = text(&report.stdout);
    let dump = &report[report
        .find("[replay Segment Reader Metrics]")
        .expect("a dump")..];
    // The replay dumps the whole recovery; the recording holds all of it (the Manager's
    // metrics, the other components and the progress), whose dump must appear there unchanged.
    assert!(dump.contains("[replay Metrics]") && dump.contains(" Progress: phase=done"));
    assert!(text(&replay.stdout).contains(dump), "{dump}");
    let recording = Recording::open(&file).unwrap();
    assert!(
        recording.intervals.last().unwrap().last,
        "the final interval is marked"
    );
}

#[test]
fn bad_record_interval_and_missing_recording_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let wal = dir.path().join("wal");
    generate(&wal, 1_000, WriterOptions::default().segment_bytes);
    let out = run(walrec()
        .args(["replay", "--dir"])
        .arg(&wal)
        .arg("--record")
        .arg(dir.path().join("r"))
        .env("WALREC_RECORD_INTERVAL", "fast"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("WALREC_RECORD_INTERVAL=\"fast\""),
        "{}",
        text(&out.stderr)
    );
    let out = run(walrec()
        .arg("report")
        .arg(dir.path().join("missing.walrec")));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("missing.walrec"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sigterm_writes_the_final_interval() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, file) = (dir.path().join("wal"), dir.path().join("rec.walrec"));
    generate(&wal, 8_000_000, WriterOptions::default().segment_bytes);
    let (wal, file_arg) = (wal.to_str().unwrap(), file.to_str().unwrap());
    let env = [
        ("WALREC_RECORD_INTERVAL", "10"),
        ("OTEL_SDK_DISABLED", "true"),
    ];
    let mut replay = process::Walrec::spawn(&["replay", "--dir", wal, "--record", file_arg], &env);
    replay.wait_until("three intervals", |_| {
        Recording::open(&file).is_ok_and(|r| r.intervals.len() >= 3)
    });
    replay.signal("TERM");
    let finished = replay.finish();
    assert_eq!(finished.status.code(), Some(143), "{}", finished.stderr);
    let recording = Recording::open(&file).unwrap();
    let last = recording.intervals.last().unwrap();
    assert!(last.last, "the final interval is written on SIGTERM");
    let total: u64 = recording
        .intervals
        .iter()
        .map(|i| i.delta.next_event.samples)
        .sum();
    assert!(
        total > 0 && total < 8_000_000,
        "stopped mid-replay: {total} events"
    );
}
