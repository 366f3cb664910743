//! Snapshot arithmetic on the telemetry types: an interval (`since`) and a merge of intervals
//! give back what a `Manager` recorded, bucket for bucket, and keep every invariant.

use walrec::telemetry::{HistogramSnapshot, Manager, ManagerSnapshot};

fn record_mix(manager: &Manager, values: &[u64]) {
    let updater = manager.updater();
    for &v in values {
        updater.record_next_event(0, v);
        updater.record_read_segment_header(0, v % 1000, v % 3 != 0);
    }
    updater.record_seek_event(0, values.len() as u64);
}

fn assert_invariants(s: &ManagerSnapshot) {
    let h = &s.next_event_histogram;
    assert_eq!(h.count, h.zero_count + h.counts.iter().sum::<u64>());
    assert_eq!(s.next_event.samples, h.count);
    let op = &s.read_segment_header;
    assert_eq!(op.success + op.failures, op.duration.samples);
    assert!(h.count == 0 || h.min <= h.max);
}

#[test]
fn an_interval_holds_exactly_what_was_recorded_in_it() {
    let manager = Manager::new();
    record_mix(&manager, &[5, 100, 100, 7_000]);
    let base = manager.snapshot();
    record_mix(&manager, &[0, 100, 9, 1 << 30]);
    let current = manager.snapshot();
    let mut interval = ManagerSnapshot::default();
    current.since_into(&base, &mut interval);
    assert_invariants(&interval);
    let h = &interval.next_event_histogram;
    assert_eq!((h.count, h.zero_count, h.sum), (4, 1, 100 + 9 + (1 << 30)));
    assert_eq!(
        interval.read_segment_header.failures, 2,
        "0 and 9 are multiples of 3"
    );
    assert_eq!(interval.seek_event.samples, 1);

    let alone = Manager::new();
    record_mix(&alone, &[0, 100, 9, 1 << 30]);
    let expected = alone.snapshot().next_event_histogram;
    assert_eq!((h.offset, &h.counts), (expected.offset, &expected.counts));
}

#[test]
fn consecutive_intervals_merge_back_into_the_whole() {
    let manager = Manager::new();
    let mut previous = ManagerSnapshot::default();
    let mut merged = ManagerSnapshot::default();
    let mut interval = ManagerSnapshot::default();
    for round in 0..5u64 {
        let values: Vec<u64> = (0..200).map(|i| (i * 7919 + round * 13) % 90_000).collect();
        record_mix(&manager, &values);
        let current = manager.snapshot();
        current.since_into(&previous, &mut interval);
        assert_invariants(&interval);
        merged.merge(&interval);
        assert_invariants(&merged);
        previous = current;
    }
    let whole = manager.snapshot();
    assert_eq!(merged.next_event_histogram, whole.next_event_histogram);
    assert_eq!(merged.read_segment_header, whole.read_segment_header);
    assert_eq!(merged.seek_event.samples, whole.seek_event.samples);
}

#[test]
fn merging_histograms_of_different_scales_uses_the_coarser() {
    let manager = Manager::new();
    record_mix(&manager, &[3, 30, 300, 3_000]);
    let fine = manager.snapshot().next_event_histogram;
    let mut coarse = fine.clone();
    coarse.downscale(4);
    let mut merged = fine.clone();
    merged.merge(&coarse);
    assert_eq!(merged.scale, coarse.scale);
    assert_eq!(merged.count, 8);
    let mut doubled = coarse.clone();
    doubled.merge(&coarse);
    assert_eq!(
        (merged.offset, &merged.counts),
        (doubled.offset, &doubled.counts)
    );
    let mut empty = HistogramSnapshot::default();
    empty.merge(&fine);
    assert_eq!(empty, fine, "merging into an empty snapshot copies it");
}
