//! Shared helpers of the WAL crash, power-loss and recovery-mode tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use walrec::wal::{
    NoTelemetry, RecoveryManager, RecoveryMode, RecoveryOptions, RecoveryReport, WalError,
};

/// The `walrec` binary under test. `WALREC_TEST_BIN` points these tests at another build (used
/// once to show that they fail on the binary from before the fixes; see the issue 11 note).
pub fn walrec_bin() -> PathBuf {
    std::env::var_os("WALREC_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_walrec")))
}

/// A `walrec` command with OTLP export off (these tests are about the WAL).
pub fn walrec_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(walrec_bin());
    cmd.args(args).env("OTEL_SDK_DISABLED", "true");
    cmd
}

/// Runs `walrec generate`: `events` events into `dir` in segments of `segment_bytes`, with the
/// `extra` arguments; the output, for the caller to check.
pub fn generate_with(dir: &Path, events: u64, segment_bytes: u64, extra: &[&str]) -> Output {
    let (events, bytes) = (events.to_string(), segment_bytes.to_string());
    let mut args = vec!["generate", "--dir", path_str(dir), "--events", &events];
    args.extend(["--segment-bytes", &bytes]);
    args.extend(extra);
    walrec(&args)
}

/// Writes `events` events into `dir` in segments of `segment_bytes`; panics unless
/// `walrec generate` succeeded.
pub fn generate(dir: &Path, events: u64, segment_bytes: u64) {
    let out = generate_with(dir, events, segment_bytes, &[]);
    assert!(
        out.status.success(),
        "walrec generate: {}",
        text(&out.stderr)
    );
}

/// Runs `walrec` to completion.
pub fn walrec(args: &[&str]) -> Output {
    walrec_cmd(args).output().expect("the walrec binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// What a library replay returned: every event id in order, and the report.
#[derive(Debug)]
pub struct Replay {
    pub ids: Vec<u64>,
    pub report: RecoveryReport,
}

/// Replays `dir` in `mode` with the library, collecting every id.
pub fn replay_ids(dir: &Path, mode: RecoveryMode) -> Result<Replay, WalError> {
    let options = RecoveryOptions::with_mode(mode);
    let mut wal = RecoveryManager::with_options(dir, NoTelemetry, options)?;
    let mut ids = Vec::new();
    while let Some(event) = wal.next_event()? {
        ids.push(event.id());
    }
    Ok(Replay {
        ids,
        report: wal.report().clone(),
    })
}

/// Asserts that `ids` run 1, 2, 3, ... with no gap and no repeat.
pub fn assert_contiguous_from_one(ids: &[u64], context: &str) {
    for (at, &id) in ids.iter().enumerate() {
        assert_eq!(id, at as u64 + 1, "{context}: event {at} has id {id}");
    }
}

/// The segment files of `dir`, sorted by name.
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the WAL directory lists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .collect();
    files.sort();
    files
}

/// The `(offset, length)` of every whole block of a segment's bytes, read the way the format
/// says (a block of `n` events is `64 + 64 n` bytes), independently of the crate's reader.
pub fn block_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 128;
    while at + 64 <= bytes.len() {
        let count = u32::from_le_bytes(bytes[at + 12..at + 16].try_into().unwrap()) as usize;
        let len = 64 + 64 * count;
        if count == 0 || count > 64 || at + len > bytes.len() {
            break;
        }
        spans.push((at, len));
        at += len;
    }
    spans
}
