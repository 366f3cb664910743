//! Many threads recording into one `Manager`: exact totals, and consistent snapshots meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};

use walrec::telemetry::{HistogramSnapshot, Manager};

const THREADS: u64 = 4;
const RECORDS_PER_THREAD: u64 = 1_000_000;

/// The value thread `t` records as its `i`-th sample: spread over many octaves, with zeros.
fn value(t: u64, i: u64) -> u64 {
    (i * 7919 + t * 104_729) % 5_000_000
}

fn expected_totals() -> (u64, u64, u64, u64) {
    let (mut zeros, mut sum, mut min, mut max) = (0, 0, u64::MAX, 0);
    for t in 0..THREADS {
        for i in 0..RECORDS_PER_THREAD {
            let v = value(t, i);
            zeros += u64::from(v == 0);
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
    }
    (zeros, sum, min, max)
}

fn assert_consistent(s: &HistogramSnapshot) {
    let bucketed: u64 = s.counts.iter().sum();
    assert_eq!(s.count, s.zero_count + bucketed);
    assert!(s.count <= THREADS * RECORDS_PER_THREAD);
}

#[test]
fn updaters_on_many_threads_give_exact_totals() {
    let manager = Manager::new();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let manager = &manager;
            scope.spawn(move || {
                let updater = manager.updater();
                for i in 0..RECORDS_PER_THREAD {
                    let v = value(t, i);
                    updater.record_next_event(1_000, 1_000 + v);
                }
                updater.record_seek_event(0, t + 1);
                updater.record_read_segment_header(0, 10, t % 2 == 0);
            });
        }
    });
    let snapshot = manager.snapshot();
    let (zeros, sum, min, max) = expected_totals();
    let h = &snapshot.next_event_histogram;
    assert_consistent(h);
    assert_eq!(h.count, THREADS * RECORDS_PER_THREAD);
    assert_eq!((h.zero_count, h.sum, h.min, h.max), (zeros, sum, min, max));
    let next = &snapshot.next_event;
    assert_eq!(
        (next.samples, next.total_ns, next.min_ns, next.max_ns),
        (h.count, sum, min, max)
    );
    assert_eq!(snapshot.seek_event.samples, THREADS);
    assert_eq!(snapshot.seek_event.total_ns, (1..=THREADS).sum::<u64>());
    assert_eq!(snapshot.read_segment_header.success, THREADS / 2);
    assert_eq!(snapshot.read_segment_header.failures, THREADS / 2);
}

#[test]
fn shared_recording_without_writers_is_exact_too() {
    let manager = Manager::new();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let manager = &manager;
            scope.spawn(move || {
                for i in 0..RECORDS_PER_THREAD / 4 {
                    manager.next_event_histogram.record(value(t, i));
                }
            });
        }
    });
    let h = manager.next_event_histogram.snapshot();
    assert_eq!(h.count, THREADS * RECORDS_PER_THREAD / 4);
    let expected: u64 = (0..THREADS)
        .flat_map(|t| (0..RECORDS_PER_THREAD / 4).map(move |i| value(t, i)))
        .sum();
    assert_eq!(h.sum, expected);
}

#[test]
fn snapshots_during_recording_are_consistent_and_monotonic() {
    let manager = Manager::new();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let manager = &manager;
            scope.spawn(move || {
                let updater = manager.updater();
                for i in 0..RECORDS_PER_THREAD / 2 {
                    updater.record_next_event(0, value(t, i));
                }
            });
        }
        let reader = scope.spawn(|| {
            let mut previous = HistogramSnapshot::default();
            let mut current = HistogramSnapshot::default();
            let mut taken = 0u32;
            // Bounded: stops when the writers finish or after 100 000 snapshots.
            while !done.load(Ordering::Relaxed) && taken < 100_000 {
                manager.next_event_histogram.snapshot_into(&mut current);
                assert_consistent(&current);
                assert!(current.count >= previous.count, "count went backwards");
                assert!(current.sum >= previous.sum, "sum went backwards");
                std::mem::swap(&mut previous, &mut current);
                taken += 1;
            }
            taken
        });
        // Relaxed: a stop flag; the scope's join orders everything else.
        while !reader.is_finished()
            && manager.snapshot().next_event.samples < THREADS * RECORDS_PER_THREAD / 2
        {
            std::thread::yield_now();
        }
        done.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    assert_eq!(
        manager.snapshot().next_event.samples,
        THREADS * RECORDS_PER_THREAD / 2
    );
}
