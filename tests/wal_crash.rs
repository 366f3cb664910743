//! Crash tests with real processes: `walrec generate --append --sync-every K --print-durable`
//! is SIGKILLed at random moments, and after every kill recovery must replay every event the
//! child reported durable, exactly once, in order, ids contiguous from 1; tolerate-tail exits
//! 0, absolute exits 1 when a torn or unsealed tail exists; the next round appends to the same
//! WAL, so each recovery also sees the old events and the new ones.
//!
//! `WALREC_CRASH_KILLS` sets the number of kills (default 50, what CI runs).

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use support::wal::{assert_contiguous_from_one, path_str, replay_ids, text, walrec, walrec_cmd};
use walrec::wal::RecoveryMode;

const DEFAULT_KILLS: usize = 50;
/// Segments of 15 full blocks, so that kills land around rotations too.
const SEGMENT_BYTES: &str = "62528";
/// Longest wait for the child's first `durable` line.
const FIRST_DURABLE: Duration = Duration::from_secs(20);

fn kills() -> usize {
    std::env::var("WALREC_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_KILLS)
}

/// Starts a writer that appends to `dir`, with its `durable <id>` lines read into a channel.
fn spawn_writer(dir: &Path, sync_every: u64) -> (Child, Receiver<u64>) {
    let mut child = walrec_cmd(&[
        "generate",
        "--append",
        "--dir",
        path_str(dir),
        "--events",
        "100000000",
        "--segment-bytes",
        SEGMENT_BYTES,
        "--sync-every",
        &sync_every.to_string(),
        "--print-durable",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("the writer starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(id) = line.strip_prefix("durable ").and_then(|s| s.parse().ok()) {
                if tx.send(id).is_err() {
                    break;
                }
            }
        }
    });
    (child, rx)
}

/// Lets the writer run until it has reported a durable id and then `delay` more, SIGKILLs it
/// by its PID, and returns the highest id it reported durable.
fn run_and_kill(dir: &Path, sync_every: u64, delay: Duration) -> u64 {
    let (mut child, durable) = spawn_writer(dir, sync_every);
    let first = durable.recv_timeout(FIRST_DURABLE);
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL the writer");
    let status = child.wait().expect("reap the writer");
    let first = first.unwrap_or_else(|_| panic!("no durable line within {FIRST_DURABLE:?}"));
    assert!(
        status.code().is_none(),
        "the writer died by a signal: {status}"
    );
    // The reader thread ends at EOF: every line the child printed before it died.
    durable.iter().fold(first, u64::max)
}

/// The CLI's verdicts on the WAL after a crash.
fn check_cli_exit_codes(dir: &Path, torn: bool, round: usize) {
    let dir = path_str(dir);
    let tolerate = walrec(&["replay", "--dir", dir, "--telemetry", "off"]);
    assert_eq!(
        tolerate.status.code(),
        Some(0),
        "round {round}: {}",
        text(&tolerate.stderr)
    );
    let stderr = text(&tolerate.stderr);
    assert!(stderr.contains("replayed "), "round {round}: {stderr}");
    let absolute = walrec(&[
        "replay",
        "--dir",
        dir,
        "--telemetry",
        "off",
        "--recovery-mode",
        "absolute",
    ]);
    let expected = if torn { 1 } else { 0 };
    assert_eq!(
        absolute.status.code(),
        Some(expected),
        "round {round}: {}",
        text(&absolute.stderr)
    );
    if torn {
        assert!(
            text(&absolute.stderr).contains("segment-"),
            "round {round}: names the file"
        );
    }
}

#[test]
fn every_durable_event_survives_sigkill_and_appending_continues() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = XorShift(0x005e_ed11);
    let mut durable_ever = 0u64;
    let (mut torn_rounds, mut unfinished_rounds) = (0, 0);
    let started = Instant::now();
    let rounds = kills();
    for round in 0..rounds {
        let sync_every = 1 + rng.next() % 16;
        let delay = Duration::from_micros(rng.next() % 40_000);
        let durable = run_and_kill(dir.path(), sync_every, delay);
        assert!(
            durable >= durable_ever,
            "round {round}: the durable id went back"
        );
        durable_ever = durable;
        let replay = replay_ids(dir.path(), RecoveryMode::TolerateTail)
            .unwrap_or_else(|e| panic!("round {round}: tolerate-tail recovery failed: {e}"));
        let context = format!("round {round}");
        assert_contiguous_from_one(&replay.ids, &context);
        let last = replay.ids.last().copied().unwrap_or(0);
        assert!(
            last >= durable,
            "round {round}: event {durable} was reported durable, recovery ends at {last}"
        );
        // Torn or unsealed bytes, or a segment creation cut short (a kill between creating the
        // next segment's file and renaming it into place).
        let torn = !replay.report.discarded.is_empty() || !replay.report.unfinished.is_empty();
        unfinished_rounds += usize::from(!replay.report.unfinished.is_empty());
        torn_rounds += usize::from(torn);
        let absolute = replay_ids(dir.path(), RecoveryMode::Absolute);
        assert_eq!(
            absolute.is_err(),
            torn,
            "round {round}: absolute vs the report {:?}",
            replay.report
        );
        if round % 5 == 0 || round + 1 == rounds {
            check_cli_exit_codes(dir.path(), torn, round);
        }
    }
    eprintln!(
        "{rounds} kills in {:.1?}: {torn_rounds} left a torn or unsealed tail ({unfinished_rounds} an unfinished segment creation); {durable_ever} events durable at the end",
        started.elapsed()
    );
}

/// A tiny deterministic generator (xorshift), so that a failing round can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
