//! Stopping a replay from another thread with `RecoveryManager::stop_handle`: the replay ends
//! at the next segment boundary, as if the WAL ended there, and says it was stopped.

mod support;

use small_wal::six_segment_wal as wal;
use support::small_wal;
use walrec::wal::{RecoveryManager, StopHandle};

/// Reads events until `None`, calling `each` with every id; returns the last id.
fn drain(wal: &mut RecoveryManager<impl walrec::wal::Hooks>, mut each: impl FnMut(u64)) -> u64 {
    let mut last = 0;
    while let Some(event) = wal.next_event().unwrap() {
        last = event.id();
        each(last);
    }
    last
}

#[test]
fn a_stop_from_another_thread_ends_the_replay_at_the_segment_boundary() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path());
    let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
    let handle = wal.stop_handle();
    let last = drain(&mut wal, |id| {
        if id == 300 {
            let remote = handle.clone();
            std::thread::spawn(move || remote.stop()).join().unwrap();
        }
    });
    assert_eq!(last, 384, "the segment holding event 300 ends at 384");
    assert!(wal.was_stopped());
    assert!(handle.is_stopped());
    assert!(wal.next_event().unwrap().is_none(), "stays stopped");
}

#[test]
fn without_a_stop_the_replay_reads_everything() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path());
    let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
    let handle = wal.stop_handle();
    assert_eq!(drain(&mut wal, |_| {}), 1000);
    assert!(!wal.was_stopped());
    // A stop after the end changes nothing.
    handle.stop();
    assert!(!wal.was_stopped());
}

#[test]
fn a_stop_before_the_replay_ends_it_after_the_first_segment() {
    let dir = tempfile::tempdir().unwrap();
    wal(dir.path());
    let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
    wal.stop_handle().stop();
    assert_eq!(drain(&mut wal, |_| {}), 192);
    assert!(wal.was_stopped());
}

#[test]
fn the_handle_can_be_shared_across_threads() {
    fn shareable<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    shareable::<StopHandle>();
}
