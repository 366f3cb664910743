//! The okaywal adapter against the real crate: logs written with okaywal (whole, killed
//! mid-write, corrupted), recovered through `walrec::adapters::okaywal::recover`, and walrec's
//! counts compared with what okaywal handed a plain manager recovering a copy of the same log.

mod support;

use std::error::Error;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::okaywal_log;

use okaywal_log::{
    Counting, Counts, WRITER_ENV, config, copy_dir, plain_recover, segment_files, two_copies,
    write_log,
};
use walrec::adapters::okaywal::{Handed, OkaywalError, recover};
use walrec::telemetry::{Phase, Recovery, RecoverySnapshot};

type TestResult = Result<(), Box<dyn Error>>;

/// Recovers `dir` through the adapter with a counting manager; the log is shut down (so the
/// last pending sample is published) before the snapshot.
fn instrumented(dir: &Path, read_chunks: bool) -> Result<(Handed, RecoverySnapshot), OkaywalError> {
    let recovery = Arc::new(Recovery::new());
    let manager = Counting {
        read_chunks,
        ..Counting::default()
    };
    let (wal, handed) = recover(config(dir), manager, Arc::clone(&recovery))?;
    wal.shutdown().map_err(|source| OkaywalError::Recover {
        dir: dir.to_owned(),
        source,
    })?;
    Ok((handed, recovery.snapshot()))
}

/// walrec's counts equal what okaywal handed over: segments, entries, samples.
fn assert_counts_match(snapshot: &RecoverySnapshot, handed: Handed, plain: okaywal_log::Counts) {
    assert_eq!(handed.segments, plain.segments, "segments handed");
    assert_eq!(handed.entries, plain.entries, "entries handed");
    let progress = &snapshot.progress;
    assert_eq!(progress.segments_total, plain.segments);
    assert_eq!(progress.segments_replayed, plain.segments);
    assert_eq!(progress.events_replayed, plain.entries);
    assert_eq!(progress.phase, Phase::Done);
    let manager = &snapshot.manager;
    assert_eq!(manager.read_segment_header.success, plain.segments);
    assert_eq!(manager.read_segment_header.failures, 0);
    assert_eq!(
        manager.next_event.samples, plain.entries,
        "one next_event per entry"
    );
    assert_eq!(
        manager.resume_from_event.duration.samples, 0,
        "okaywal has no resume"
    );
}

/// A log of `entries` entries recovered twice: by okaywal alone and through the adapter, with
/// a manager that reads its chunks or not.
fn both(entries: u64, read: bool) -> Result<(Counts, Handed, RecoverySnapshot), Box<dyn Error>> {
    let tmp = tempfile::tempdir()?;
    let (a, b) = two_copies(tmp.path(), entries, 100)?;
    let plain = plain_recover(&a, read)?;
    let (handed, snapshot) = instrumented(&b, read)?;
    Ok((plain, handed, snapshot))
}

#[test]
fn counts_equal_what_okaywal_handed_over() -> TestResult {
    let (plain, handed, snapshot) = both(600, true)?;
    assert!(
        plain.segments > 2,
        "the log spans several segments: {plain:?}"
    );
    assert_eq!(plain.entries, 600);
    assert_counts_match(&snapshot, handed, plain);
    assert_eq!(snapshot.progress.current_event_id, Some(600));
    Ok(())
}

/// okaywal 0.3.1 skips a chunk's CRC twice when a manager leaves the chunk unread
/// (`EntryChunk::skip_remaining_bytes`, then its `Drop`), so such a recovery stops after each
/// segment's first entry. The adapter skips with the same call: it hands over exactly what
/// okaywal alone does, and counts the skipped chunks' bytes.
#[test]
fn unread_chunks_recover_as_okaywal_alone_does() -> TestResult {
    let (plain, handed, snapshot) = both(300, false)?;
    assert!(
        plain.entries < 300,
        "okaywal's skip bug is still there: {plain:?}"
    );
    assert_counts_match(&snapshot, handed, plain);
    assert_eq!(
        snapshot.progress.bytes_replayed,
        plain.entries * 100,
        "first chunks' bytes"
    );
    Ok(())
}

#[test]
fn chunks_the_manager_reads_still_reach_it() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let (a, b) = two_copies(tmp.path(), 50, 64)?;
    let recovery = Arc::new(Recovery::new());
    let manager = Counting::reading();
    let counts = manager.counts();
    let (wal, handed) = recover(config(&b), manager, Arc::clone(&recovery))?;
    wal.shutdown()?;
    let counts = *counts.lock().map_err(|_| "poisoned")?;
    assert_eq!(
        counts.bytes_read,
        50 * 128,
        "the adapter took no chunk from the manager"
    );
    assert_eq!(handed.entries, plain_recover(&a, true)?.entries);
    assert_eq!(
        recovery.snapshot().progress.bytes_replayed,
        0,
        "read chunks are the manager's"
    );
    Ok(())
}

/// Not a test on its own: with `WALREC_OKAYWAL_WRITER_DIR` set (by the kill test, which runs
/// this binary again as its child) it writes into that directory until killed.
#[test]
fn writer_child() -> TestResult {
    if let Some(dir) = std::env::var_os(WRITER_ENV) {
        okaywal_log::write_forever(Path::new(&dir))?;
    }
    Ok(())
}

#[test]
fn killed_writer_counts_equal_what_okaywal_recovered() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let log = tmp.path().join("log");
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--exact", "writer_child", "--test-threads=1"])
        .env(WRITER_ENV, &log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while segment_files(&log).map_or(0, |s| s.len()) < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGKILL, by the child's PID, mid-write.
    let killed = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.kill();
    let status = child.wait()?;
    killed?;
    assert!(
        !status.success(),
        "the writer was killed, not finished: {status}"
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    copy_dir(&log, &a)?;
    copy_dir(&log, &b)?;
    let plain = plain_recover(&a, true)?;
    assert!(
        plain.segments >= 4,
        "the writer wrote several segments: {plain:?}"
    );
    let (handed, snapshot) = instrumented(&b, true)?;
    assert_counts_match(&snapshot, handed, plain);
    Ok(())
}

#[test]
fn corrupted_segment_header_is_counted_and_named() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let (a, b) = two_copies(tmp.path(), 300, 100)?;
    for dir in [&a, &b] {
        let second = segment_files(dir)?
            .get(1)
            .cloned()
            .ok_or("a second segment")?;
        let mut bytes = std::fs::read(&second)?;
        bytes[..3].copy_from_slice(b"xxx"); // okaywal's magic is "okw"
        std::fs::write(&second, bytes)?;
    }
    let damaged = segment_files(&b)?
        .get(1)
        .cloned()
        .ok_or("a second segment")?;
    assert!(
        plain_recover(&a, true).is_err(),
        "okaywal itself refuses a damaged header"
    );
    let recovery = Arc::new(Recovery::new());
    let error = recover(config(&b), Counting::default(), Arc::clone(&recovery)).err();
    match &error {
        Some(OkaywalError::SegmentHeader { path, .. }) => assert_eq!(path, &damaged),
        other => return Err(format!("expected SegmentHeader, got {other:?}").into()),
    }
    let snapshot = recovery.snapshot();
    let header = &snapshot.manager.read_segment_header;
    assert_eq!(
        (header.success, header.failures),
        (1, 1),
        "one read, one failed"
    );
    assert_eq!(
        snapshot.segment_reader.validation_failures, 1,
        "named as walrec's own"
    );
    assert_eq!(snapshot.progress.phase, Phase::Failed);
    let mut dump = Vec::new();
    snapshot.dump("okaywal", &mut dump)?;
    assert!(String::from_utf8(dump)?.contains("validation=1"));
    Ok(())
}

#[test]
fn a_manager_error_is_named_as_the_managers() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let b = tmp.path().join("b");
    write_log(&tmp.path().join("log"), 20, 10, &[&b])?;
    let manager = Counting {
        fail_at: Some(5),
        ..Counting::reading()
    };
    let recovery = Arc::new(Recovery::new());
    let error = recover(config(&b), manager, Arc::clone(&recovery)).err();
    assert!(
        matches!(error, Some(OkaywalError::Manager { .. })),
        "{error:?}"
    );
    let snapshot = recovery.snapshot();
    assert_eq!(
        snapshot.manager.read_segment_header.failures, 0,
        "not a header"
    );
    assert_eq!(snapshot.manager.next_event.samples, 5);
    assert_eq!(snapshot.progress.phase, Phase::Failed);
    Ok(())
}
