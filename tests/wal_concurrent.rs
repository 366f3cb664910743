//! Bytes cannot change under a replay: a segment truncated or rewritten in place by another
//! party while it is being replayed gives the bytes that were verified, or an error naming the
//! file — never a signal death (SIGBUS) and never different data.

use support::segment_layout::{BLOCK_HEADER, block_start, segment_bytes};
mod support;

use std::fs;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::wal::{path_str, segment_files, text, walrec_cmd};
use walrec::wal::{SegmentWriter, VerifiedSegment, WriterOptions};

/// `events` events, `blocks` full blocks per segment, no syncs (a throw-away WAL).
fn wal(dir: &Path, events: u64, blocks: u64) -> Vec<std::path::PathBuf> {
    let opts = WriterOptions {
        segment_bytes: segment_bytes(blocks),
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    for id in 1..=events {
        writer.append(id * 7, 2, &id.to_le_bytes()).unwrap();
    }
    writer.finish().unwrap()
}

#[test]
fn a_reader_keeps_the_verified_bytes_when_the_file_is_cut_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let files = wal(dir.path(), 2000, 64);
    let mut reader = VerifiedSegment::open(&files[0]).unwrap();
    let first = reader.next().unwrap().as_bytes().to_vec();
    // Another process truncates the segment, then writes something else at the same place.
    let file = fs::OpenOptions::new().write(true).open(&files[0]).unwrap();
    file.set_len(0).unwrap();
    file.write_all_at(&vec![0x5A; 300_000], 0).unwrap();
    assert_eq!(u64::from_le_bytes(first[..8].try_into().unwrap()), 1);
    let mut expected = 2;
    while let Some(event) = reader.next() {
        assert_eq!(event.id(), expected);
        assert_eq!(event.payload(), expected.to_le_bytes());
        expected += 1;
    }
    assert_eq!(expected, 2001);
}

/// The checksum in `walrec replay`'s summary line.
fn checksum(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|l| l.starts_with("replayed "))?;
    Some(line.rsplit("checksum ").next()?.to_string())
}

/// Starts `walrec replay`, lets `meddle` loose on the WAL after `delay`, and returns the exit
/// code (`None` for a signal death), stderr and how long it took. The child is stopped by its
/// PID if it runs past a deadline.
fn replay_while(dir: &Path, delay: Duration, meddle: impl FnOnce()) -> (Option<i32>, String) {
    let mut child = walrec_cmd(&["replay", "--dir", path_str(dir), "--telemetry", "off"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    meddle();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("replay hung");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stderr))
}

/// Runs `trials` replays of a fresh copy of a WAL while `meddle(segment, trial)` changes a
/// later segment at a varying moment; each ends in exit 0 with the original checksum, or exit
/// 1 naming a segment.
fn meddle_trials(trials: u64, meddle: impl Fn(&Path, u64)) -> (u32, u32) {
    let (mut intact, mut refused) = (0, 0);
    for trial in 0..trials {
        let dir = tempfile::tempdir().unwrap();
        wal(dir.path(), 400_000, 64);
        let (code, stderr) = replay_while(dir.path(), Duration::ZERO, || {});
        assert_eq!(code, Some(0), "{stderr}");
        let original = checksum(&stderr).unwrap();
        let files = segment_files(dir.path());
        // Early victims are usually read already when they change, late ones not yet.
        let victim = files[(trial as usize * 37 + 5) % files.len()].clone();
        let delay = Duration::from_millis(trial * 300 / trials);
        let (code, stderr) = replay_while(dir.path(), delay, || meddle(&victim, trial));
        match code {
            Some(0) => {
                assert_eq!(
                    checksum(&stderr).as_deref(),
                    Some(original.as_str()),
                    "trial {trial}: different data: {stderr}"
                );
                intact += 1;
            }
            Some(1) => {
                let named = segment_files(dir.path())
                    .iter()
                    .any(|f| stderr.contains(&f.display().to_string()));
                assert!(
                    named,
                    "trial {trial}: the error names the segment: {stderr}"
                );
                refused += 1;
            }
            other => panic!("trial {trial}: exit {other:?} (None: killed by a signal): {stderr}"),
        }
    }
    (intact, refused)
}

/// Cuts `victim` and every segment after it (whichever one the replay has in hand then).
fn truncate_from(victim: &Path, trial: u64) {
    let dir = victim.parent().unwrap();
    for file in segment_files(dir)
        .into_iter()
        .filter(|f| f.as_path() >= victim)
    {
        let len = fs::metadata(&file).unwrap().len();
        let handle = fs::OpenOptions::new().write(true).open(&file).unwrap();
        handle.set_len(len / (2 + trial % 3)).unwrap();
    }
}

#[test]
fn truncating_later_segments_during_a_replay_is_an_error_or_harmless() {
    let (intact, refused) = meddle_trials(12, truncate_from);
    eprintln!("truncation: {intact} replays unaffected, {refused} refused naming the file");
}

#[test]
fn rewriting_a_later_segment_in_place_during_a_replay_never_changes_the_data() {
    let (intact, refused) = meddle_trials(12, |victim, trial| {
        let file = fs::OpenOptions::new().write(true).open(victim).unwrap();
        for k in 0..64u64 {
            file.write_all_at(
                &[0xEE; 16],
                block_start(k) + BLOCK_HEADER + (trial * 131) % 4000,
            )
            .unwrap();
        }
    });
    eprintln!("in-place rewrite: {intact} replays unaffected, {refused} refused naming the file");
}
