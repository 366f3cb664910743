//! Deltas between two snapshots of one `Manager`, for delta temporality.
//!
//! The exporter keeps the last snapshot the collector *acknowledged* as the baseline and sends
//! `current − baseline`. A failed push leaves the baseline where it was, so the next delta
//! covers both intervals: nothing is lost and nothing is counted twice.

use crate::telemetry::{DurationSnapshot, HistogramSnapshot, ManagerSnapshot, OperationSnapshot};

fn duration(current: &DurationSnapshot, base: &DurationSnapshot) -> DurationSnapshot {
    DurationSnapshot {
        samples: current.samples.saturating_sub(base.samples),
        total_ns: current.total_ns.saturating_sub(base.total_ns),
        clamped: current.clamped.saturating_sub(base.clamped),
        // The interval's extremes cannot be derived from two lifetime extremes: keep the
        // lifetime ones, which the gauges document as such.
        min_ns: current.min_ns,
        max_ns: current.max_ns,
    }
}

fn operation(current: &OperationSnapshot, base: &OperationSnapshot) -> OperationSnapshot {
    OperationSnapshot {
        duration: duration(&current.duration, &base.duration),
        success: current.success.saturating_sub(base.success),
    }
}

/// `current − base`, bucket by bucket. Both must be at the same scale (the recording scale).
fn histogram(current: &HistogramSnapshot, base: &HistogramSnapshot, out: &mut HistogramSnapshot) {
    debug_assert!(base.counts.is_empty() || base.scale == current.scale);
    out.scale = current.scale;
    out.offset = current.offset;
    out.counts.clear();
    out.counts
        .extend(current.counts.iter().enumerate().map(|(k, &c)| {
            let index = i64::from(current.offset) + k as i64;
            let base_k = index - i64::from(base.offset);
            let before = usize::try_from(base_k)
                .ok()
                .and_then(|k| base.counts.get(k))
                .copied()
                .unwrap_or(0);
            c.saturating_sub(before)
        }));
    out.zero_count = current.zero_count.saturating_sub(base.zero_count);
    out.count = out.zero_count + out.counts.iter().sum::<u64>();
    out.sum = current.sum.saturating_sub(base.sum);
    out.saturated = current.saturated.saturating_sub(base.saturated);
    out.min = current.min;
    out.max = current.max;
}

/// Writes `current − base` into `out`, reusing its histogram buffer.
pub fn manager_delta(current: &ManagerSnapshot, base: &ManagerSnapshot, out: &mut ManagerSnapshot) {
    out.read_segment_header = operation(&current.read_segment_header, &base.read_segment_header);
    out.resume_from_event = operation(&current.resume_from_event, &base.resume_from_event);
    out.seek_event = duration(&current.seek_event, &base.seek_event);
    out.next_event = duration(&current.next_event, &base.next_event);
    histogram(
        &current.next_event_histogram,
        &base.next_event_histogram,
        &mut out.next_event_histogram,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Manager;

    #[test]
    fn delta_plus_base_is_current() {
        let manager = Manager::new();
        let updater = manager.updater();
        for v in [5u64, 100, 100, 7_000] {
            updater.record_next_event(0, v);
        }
        let base = manager.snapshot();
        for v in [0u64, 100, 9, 1 << 30] {
            updater.record_next_event(0, v);
        }
        updater.record_read_segment_header(0, 10, false);
        let current = manager.snapshot();
        let mut delta = ManagerSnapshot::default();
        manager_delta(&current, &base, &mut delta);
        let h = &delta.next_event_histogram;
        assert_eq!((h.count, h.zero_count, h.sum), (4, 1, 100 + 9 + (1 << 30)));
        assert_eq!(h.counts.iter().sum::<u64>(), 3);
        assert_eq!(delta.read_segment_header.failures(), 1);
        assert_eq!(delta.next_event.samples, 4);
    }

    #[test]
    fn delta_against_an_empty_base_is_the_current_state() {
        let manager = Manager::new();
        manager.updater().record_next_event(0, 42);
        let current = manager.snapshot();
        let mut delta = ManagerSnapshot::default();
        manager_delta(&current, &ManagerSnapshot::default(), &mut delta);
        assert_eq!(delta.next_event_histogram, current.next_event_histogram);
    }
}
