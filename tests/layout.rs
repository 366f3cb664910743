//! The specification's layout invariants, checked at run time as well as at compile time.

use std::mem::{align_of, offset_of, size_of};

use walrec::telemetry::{
    DerivedDurationStats, DurationStats, LatencyHistogram, Manager, OperationStats,
};

#[test]
fn manager_is_cache_line_aligned_and_sized() {
    assert_eq!(align_of::<Manager>(), 64);
    assert_eq!(size_of::<Manager>() % 64, 0);
}

#[test]
fn every_metric_starts_on_its_own_cache_line() {
    let offsets = [
        offset_of!(Manager, read_segment_header),
        offset_of!(Manager, resume_from_event),
        offset_of!(Manager, seek_event),
        offset_of!(Manager, next_event),
        offset_of!(Manager, next_event_histogram),
    ];
    for offset in offsets {
        assert_eq!(offset % 64, 0, "offset {offset}");
    }
    // In the specification's order, and no two metrics share a line.
    assert!(offsets.windows(2).all(|w| w[1] >= w[0] + 64), "{offsets:?}");
}

#[test]
fn metric_types_are_aligned() {
    assert_eq!(align_of::<OperationStats>(), 64);
    assert_eq!(align_of::<DurationStats>(), 64);
    assert_eq!(align_of::<DerivedDurationStats>(), 64);
    assert_eq!(align_of::<LatencyHistogram>(), 64);
}

#[test]
fn report_memory() {
    // Not an assertion of speed: the figures the README quotes, printed with --nocapture.
    let manager = Manager::new();
    let before = size_of::<Manager>();
    let updater = manager.updater();
    drop(updater);
    let shard = walrec::telemetry::histogram::SHARD_BYTES;
    let updater = size_of::<walrec::telemetry::ManagerUpdater<'_>>();
    println!(
        "Manager: {before} bytes inline; each live updater: {updater} bytes + a {shard}-byte shard"
    );
    assert_eq!(shard % 64, 0, "shards are whole cache lines");
    assert!(before <= 4096, "Manager grew to {before} bytes");
}
