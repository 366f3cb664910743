//! Snapshots taken while other threads record: no counter ever goes down, successes plus
//! failures are the samples, and no sentinel (an empty minimum) leaks out while a sample is
//! counted. Each test runs a fixed amount of work; the reader stops when the writer is done.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use walrec::telemetry::{
    DurationSnapshot, DurationStats, Manager, OperationSnapshot, OperationStats,
};

const RECORDS: u64 = 2_000_000;
const FRESH: usize = 200_000;

/// The `i`-th duration a writer records: varied, with zeros and ends before starts.
fn span(i: u64) -> (u64, u64) {
    let start = 1_000_000;
    match i % 97 {
        0 => (start, start - 1),
        1 => (start, start),
        k => (start, start + k * 37),
    }
}

fn check_duration(d: &DurationSnapshot) {
    if d.samples > 0 {
        assert!(d.min_ns <= d.max_ns, "min > max in {d:?}");
        assert!(d.max_ns < u64::MAX / 2, "a sentinel leaked into {d:?}");
    } else {
        assert_eq!((d.min_ns, d.max_ns), (0, 0), "{d:?}");
    }
}

fn check_operation(s: &OperationSnapshot) {
    assert_eq!(s.success + s.failures, s.duration.samples, "{s:?}");
    check_duration(&s.duration);
}

fn check_growth(before: &OperationSnapshot, after: &OperationSnapshot) {
    let grew = after.success >= before.success
        && after.failures >= before.failures
        && after.duration.samples >= before.duration.samples
        && after.duration.total_ns >= before.duration.total_ns
        && after.duration.clamped >= before.duration.clamped;
    assert!(grew, "a counter went down: {before:?} then {after:?}");
}

/// Runs `write` on one thread while `read` is called in a loop on another until it is done.
fn race(write: impl FnOnce() + Send, mut read: impl FnMut() + Send) {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            write();
            done.store(true, Ordering::Release); // Release: the reader's last read sees all.
        });
        scope.spawn(|| {
            while !done.load(Ordering::Acquire) {
                read();
            }
            read();
        });
    });
}

#[test]
fn operation_counters_never_go_down_and_always_add_up() {
    let op = OperationStats::new();
    let mut previous = OperationSnapshot::default();
    race(
        || (0..RECORDS).for_each(|i| op.record(span(i).0, span(i).1, i % 3 != 0)),
        || {
            let now = op.snapshot();
            check_operation(&now);
            check_growth(&previous, &now);
            previous = now;
        },
    );
    assert_eq!(previous.duration.samples, RECORDS);
    assert_eq!(previous.failures, RECORDS.div_ceil(3));
}

#[test]
fn duration_counters_never_go_down() {
    let stats = DurationStats::new();
    let mut previous = DurationSnapshot::default();
    race(
        || (0..RECORDS).for_each(|i| stats.record(span(i).0, span(i).1)),
        || {
            let now = stats.snapshot();
            check_duration(&now);
            assert!(now.samples >= previous.samples && now.total_ns >= previous.total_ns);
            assert!(now.clamped >= previous.clamped);
            previous = now;
        },
    );
    assert_eq!(previous.samples, RECORDS);
}

/// Many fresh statistics, each snapshotted while its first record is in flight.
fn first_records_race<T: Sync>(
    fresh: &[T],
    record: impl Fn(&T, u64) + Sync,
    snapshot: impl Fn(&T) -> DurationSnapshot + Sync,
) {
    let cursor = AtomicUsize::new(0);
    race(
        || {
            for (i, item) in fresh.iter().enumerate() {
                cursor.store(i, Ordering::Relaxed); // Relaxed: only picks what to read.
                record(item, i as u64);
            }
        },
        || check_duration(&snapshot(&fresh[cursor.load(Ordering::Relaxed)])),
    );
}

#[test]
fn a_first_record_in_flight_never_shows_the_empty_minimum() {
    let operations: Vec<OperationStats> = (0..FRESH).map(|_| OperationStats::new()).collect();
    first_records_race(
        &operations,
        |op, i| op.record(0, 1 + i % 1000, i % 2 == 0),
        |op| {
            let s = op.snapshot();
            check_operation(&s);
            s.duration
        },
    );
    let durations: Vec<DurationStats> = (0..FRESH).map(|_| DurationStats::new()).collect();
    first_records_race(
        &durations,
        |d, i| d.record(0, 1 + i % 1000),
        |d| d.snapshot(),
    );
}

#[test]
fn next_event_from_the_histogram_is_consistent_while_recording() {
    let managers: Vec<Manager> = (0..2_000).map(|_| Manager::new()).collect();
    first_records_race(
        &managers,
        |m, i| m.updater().record_next_event(0, 1 + i % 5000),
        |m| {
            let s = m.snapshot();
            let h = &s.next_event_histogram;
            assert_eq!(h.count, h.zero_count + h.counts.iter().sum::<u64>());
            s.next_event
        },
    );
    let manager = Manager::new();
    let mut previous = DurationSnapshot::default();
    race(
        || {
            let updater = manager.updater();
            (0..RECORDS).for_each(|i| updater.record_next_event(span(i).0, span(i).1));
        },
        || {
            let now = manager.snapshot().next_event;
            check_duration(&now);
            assert!(now.samples >= previous.samples && now.total_ns >= previous.total_ns);
            previous = now;
        },
    );
    assert_eq!(previous.samples, RECORDS);
}
