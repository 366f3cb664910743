use super::*;

#[test]
fn derived_figures() {
    let op = OperationStats::new();
    op.record(100, 300, true);
    op.record(1_000, 1_100, false);
    op.record(50, 10, true); // end before start
    let s = op.snapshot();
    assert_eq!(s.duration.samples, 3);
    assert_eq!((s.success, s.failures), (2, 1));
    assert_eq!(s.duration.total_ns, 300);
    assert_eq!((s.duration.min_ns, s.duration.max_ns), (0, 200));
    assert_eq!(s.duration.clamped, 1);
    assert_eq!(s.duration.jitter_ns(), 200);
    assert!((s.duration.avg_ns() - 100.0).abs() < 1e-9);
    assert!((s.duration.rate_per_sec() - 1e7).abs() < 1e-3);
    assert!((s.success_rate() - 2.0 / 3.0).abs() < 1e-12);
}

#[test]
fn empty_reads_as_zero() {
    let s = DurationStats::new().snapshot();
    assert_eq!(s, DurationSnapshot::default());
    assert_eq!(s.rate_per_sec(), 0.0);
    assert_eq!(
        OperationStats::new().snapshot(),
        OperationSnapshot::default()
    );
}

#[test]
fn total_saturates_instead_of_wrapping() {
    let d = DurationStats::new();
    d.record(0, u64::MAX);
    d.record(0, u64::MAX);
    assert_eq!(d.snapshot().total_ns, u64::MAX);
}

#[test]
fn since_then_merge_gives_back_the_later_snapshot() {
    let op = OperationStats::new();
    op.record(0, 50, true);
    op.record(0, 7, false);
    let base = op.snapshot();
    op.record(0, 3, false);
    op.record(0, 900, true);
    let current = op.snapshot();
    let interval = current.since(&base);
    assert_eq!((interval.success, interval.failures), (1, 1));
    assert_eq!(
        (interval.duration.samples, interval.duration.total_ns),
        (2, 903)
    );
    let mut merged = base;
    merged.merge(&interval);
    assert_eq!(merged, current);
}

#[test]
fn an_empty_interval_has_no_extremes() {
    let d = DurationStats::new();
    d.record(0, 10);
    let s = d.snapshot();
    assert_eq!(s.since(&s), DurationSnapshot::default());
    let mut merged = DurationSnapshot::default();
    merged.merge(&s);
    assert_eq!(
        merged, s,
        "merging into an empty snapshot copies the extremes"
    );
}
