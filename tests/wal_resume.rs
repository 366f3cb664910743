//! Resuming: in the middle of a segment, at a segment's first and last events, at the WAL's
//! ends, and reading on across segment boundaries.

mod support;

use small_wal::six_segment_wal as wal;
use support::small_wal;
use walrec::telemetry::Manager;
use walrec::wal::{RecoveryManager, WalError};

/// Resumes at `from`, then reads up to `n` events; returns their ids.
fn resume_and_read(
    wal: &mut RecoveryManager<impl walrec::wal::Hooks>,
    from: u64,
    n: usize,
) -> Vec<u64> {
    wal.resume_from_event(from).unwrap();
    let mut ids = Vec::new();
    while ids.len() < n {
        match wal.next_event().unwrap() {
            Some(event) => {
                assert_eq!(event.payload(), event.id().to_le_bytes());
                ids.push(event.id());
            }
            None => break,
        }
    }
    ids
}

fn range(from: u64, to: u64) -> Vec<u64> {
    (from..=to).collect()
}

#[test]
fn resume_points() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path());
    let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
    // Mid-segment, mid-block.
    assert_eq!(resume_and_read(&mut wal, 100, 5), range(100, 104));
    // A segment's first event, and its last one.
    assert_eq!(resume_and_read(&mut wal, 193, 2), range(193, 194));
    assert_eq!(resume_and_read(&mut wal, 192, 2), range(192, 193));
    // A block's last event within a segment.
    assert_eq!(resume_and_read(&mut wal, 256, 2), range(256, 257));
    // The WAL's first and last events.
    assert_eq!(resume_and_read(&mut wal, 1, 3), range(1, 3));
    assert_eq!(resume_and_read(&mut wal, 1000, 10), vec![1000]);
    // Past the end: positioned at the end.
    assert_eq!(wal.resume_from_event(1001).unwrap(), None);
    assert!(wal.next_event().unwrap().is_none());
    assert_eq!(wal.resume_from_event(u64::MAX).unwrap(), None);
    // Before the beginning: an error, not a silent skip.
    assert!(matches!(
        wal.resume_from_event(0),
        Err(WalError::EventBeforeWal {
            requested: 0,
            first: 1,
            ..
        })
    ));
}

#[test]
fn reading_on_across_every_boundary() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path());
    let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
    // From just before the second segment through all the later boundaries to the end.
    assert_eq!(resume_and_read(&mut wal, 190, usize::MAX), range(190, 1000));
    // Resuming again (discarding the preloaded segment) and crossing one boundary.
    assert_eq!(resume_and_read(&mut wal, 570, 20), range(570, 589));
    assert_eq!(resume_and_read(&mut wal, 5, 400), range(5, 404));
}

#[test]
fn next_event_without_resume_starts_at_the_first_event_and_is_timed() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path());
    let manager = Manager::new();
    let mut wal = RecoveryManager::open(dir.path(), &manager).unwrap();
    let mut count = 0;
    let mut expected = 1;
    while let Some(event) = wal.next_event().unwrap() {
        assert_eq!(event.id(), expected);
        expected += 1;
        count += 1;
    }
    assert_eq!(count, 1000);
    drop(wal);
    let s = manager.snapshot();
    assert_eq!(s.resume_from_event.duration.samples, 1);
    assert_eq!(s.next_event.samples, 1000);
}
