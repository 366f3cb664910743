//! The telemetry after a replay matches the work done: one `next_event` sample per event
//! returned, one `read_segment_header` sample per segment scanned (failures counted), one
//! `resume_from_event` and one `seek_event` sample per resume.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use support::segment_layout::segment_bytes;

use walrec::telemetry::Manager;
use walrec::wal::{RecoveryManager, SegmentWriter, WriterOptions};

fn wal(dir: &Path, events: u64, blocks_per_segment: u64) -> Vec<PathBuf> {
    let opts = WriterOptions {
        segment_bytes: segment_bytes(blocks_per_segment),
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    for _ in 0..events {
        writer.append(7, 1, b"payload").unwrap();
    }
    writer.finish().unwrap()
}

#[test]
fn a_full_replay_is_counted_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let files = wal(dir.path(), 2_000, 2);
    assert_eq!(files.len(), 16);
    let manager = Manager::new();
    let mut wal = RecoveryManager::open(dir.path(), &manager).unwrap();
    wal.resume_from_event(1).unwrap();
    let mut events = 0u64;
    while wal.next_event().unwrap().is_some() {
        events += 1;
    }
    assert_eq!(
        manager.snapshot().next_event.samples,
        events,
        "the end of the last segment publishes the sample the updater held back"
    );
    wal.flush_telemetry();
    let s = manager.snapshot();
    assert_eq!(events, 2_000);
    assert_eq!(s.next_event.samples, events);
    assert_eq!(s.next_event_histogram.count, events);
    assert_eq!(s.read_segment_header.duration.samples, 16);
    assert_eq!(s.read_segment_header.success, 16);
    assert_eq!(s.resume_from_event.duration.samples, 1);
    assert_eq!(s.resume_from_event.success, 1);
    assert_eq!(s.seek_event.samples, 1);
    assert!(s.next_event.total_ns > 0);
}

#[test]
fn partial_replays_and_failed_resumes_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path(), 500, 1);
    let manager = Manager::new();
    let mut wal = RecoveryManager::open(dir.path(), &manager).unwrap();
    let mut events = 0;
    for from in [10, 300, 490] {
        wal.resume_from_event(from).unwrap();
        for _ in 0..20 {
            if wal.next_event().unwrap().is_some() {
                events += 1;
            }
        }
    }
    assert!(wal.resume_from_event(0).is_err(), "before the first event");
    assert_eq!(wal.resume_from_event(501).unwrap(), None, "past the end");
    drop(wal);
    let s = manager.snapshot();
    assert_eq!(events, 20 + 20 + 11);
    assert_eq!(s.next_event.samples, events);
    assert_eq!(s.resume_from_event.duration.samples, 5);
    assert_eq!(s.resume_from_event.failures, 1);
    // Seeks only happen when there is a segment to seek in.
    assert_eq!(s.seek_event.samples, 3);
}

#[test]
fn bad_headers_are_counted_as_failures() {
    let dir = tempfile::tempdir().unwrap();
    let files = wal(dir.path(), 300, 1); // 5 segments
    for file in [&files[1], &files[3]] {
        let mut bytes = fs::read(file).unwrap();
        bytes[30] ^= 1;
        fs::write(file, bytes).unwrap();
    }
    let manager = Manager::new();
    assert!(RecoveryManager::open(dir.path(), &manager).is_err());
    let s = manager.snapshot();
    assert_eq!(s.read_segment_header.duration.samples, 5);
    assert_eq!(s.read_segment_header.failures, 2);
    assert_eq!(s.next_event.samples, 0);
}

#[test]
fn telemetry_off_records_nothing_and_replays_the_same() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path(), 700, 3);
    let mut off = RecoveryManager::open_untimed(dir.path()).unwrap();
    let manager = Manager::new();
    let mut on = RecoveryManager::open(dir.path(), &manager).unwrap();
    loop {
        let a = off.next_event().unwrap().map(|e| *e.as_bytes());
        let b = on.next_event().unwrap().map(|e| *e.as_bytes());
        assert_eq!(a, b);
        if a.is_none() {
            break;
        }
    }
    drop(on);
    assert_eq!(manager.snapshot().next_event.samples, 700);
}
