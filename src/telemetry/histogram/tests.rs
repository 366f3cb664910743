use super::mapping::{MAX_INDEX, index_of};
use super::*;

#[test]
fn empty_snapshot() {
    let h = LatencyHistogram::new();
    let s = h.snapshot();
    assert_eq!(
        (s.count, s.zero_count, s.sum, s.min, s.max),
        (0, 0, 0, 0, 0)
    );
    assert!(s.counts.is_empty());
    assert_eq!(s.value_at_quantile(0.5), None);
}

#[test]
fn snapshot_trims_to_the_used_range() {
    let h = LatencyHistogram::new();
    let w = h.writer();
    for v in [0, 1000, 1000, 5000] {
        w.record(v);
    }
    let s = h.snapshot();
    assert_eq!(s.scale, RECORD_SCALE);
    assert_eq!(s.offset, index_of(1000));
    assert_eq!(s.counts.len() as i32, index_of(5000) - index_of(1000) + 1);
    assert_eq!((s.counts[0], *s.counts.last().unwrap()), (2, 1));
    assert_eq!(
        (s.count, s.zero_count, s.sum, s.min, s.max),
        (4, 1, 7000, 0, 5000)
    );
}

#[test]
fn values_beyond_range_are_clamped_and_counted() {
    let h = LatencyHistogram::new();
    h.record(u64::MAX);
    let w = h.writer();
    w.record(MAX_VALUE + 1);
    w.record(MAX_VALUE);
    let s = h.snapshot();
    assert_eq!(s.saturated, 2);
    assert_eq!(s.count, 3);
    assert_eq!(s.max, MAX_VALUE);
    assert_eq!(s.sum, 3 * MAX_VALUE);
    assert_eq!(s.offset, MAX_INDEX);
    assert_eq!(s.counts, vec![3]);
}

#[test]
fn writers_take_distinct_slots_and_release_them() {
    let h = LatencyHistogram::new();
    let writers: Vec<_> = (0..MAX_WRITERS).map(|_| h.writer()).collect();
    assert!(writers.iter().all(HistogramWriter::is_exclusive));
    let overflow = h.writer();
    assert!(
        !overflow.is_exclusive(),
        "the 65th live writer falls back to the shared shard"
    );
    for w in &writers {
        w.record(10);
    }
    overflow.record(10);
    drop(writers);
    let again = h.writer();
    assert!(again.is_exclusive(), "released slots are reused");
    again.record(10);
    assert_eq!(h.snapshot().count, MAX_WRITERS as u64 + 2);
}

#[test]
fn a_reused_slot_continues_from_the_previous_counts() {
    let h = LatencyHistogram::new();
    for round in 1..=3u64 {
        let w = h.writer();
        w.record(100);
        drop(w);
        let s = h.snapshot();
        assert_eq!((s.count, s.sum), (round, 100 * round));
    }
}

#[test]
fn writer_moves_to_another_thread() {
    let h = LatencyHistogram::new();
    let w = h.writer();
    std::thread::scope(|scope| {
        scope.spawn(move || w.record(42));
    });
    assert_eq!(h.snapshot().count, 1);
}

#[test]
fn a_downscaled_copy_is_the_clone_downscaled() {
    let h = LatencyHistogram::new();
    let w = h.writer();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for k in 0..5_000u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Zeros, values below 1 ns' bucket and a tail up to ~1 s, and MAX_VALUE.
        w.record(match k % 500 {
            0 => 0,
            1 => MAX_VALUE,
            _ => 1 + state % (1u64 << (k % 30)),
        });
    }
    let snapshot = h.snapshot();
    for max_buckets in [0, 1, 2, 3, 7, 20, 160, 10_000] {
        let mut expected = snapshot.clone();
        expected.downscale_to_fit(max_buckets);
        assert_eq!(
            snapshot.downscaled_to_fit(max_buckets),
            expected,
            "{max_buckets}"
        );
    }
    let empty = HistogramSnapshot::default();
    assert_eq!(empty.downscaled_to_fit(2), empty);
}
