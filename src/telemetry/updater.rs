//! `ManagerUpdater`: the four hooks the recovery engine calls.

use std::cell::Cell;

use super::clock;
use super::histogram::{Exemplar, HistogramWriter, MAX_VALUE, TraceContext};
use super::manager::Manager;

/// Whether an operation succeeded. Hooks take anything that converts into it: a `bool`, a
/// `Status`, or a reference to a `Result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The operation succeeded.
    Ok,
    /// The operation failed.
    Failed,
}

impl Status {
    /// True for [`Status::Ok`].
    pub fn is_ok(self) -> bool {
        self == Status::Ok
    }
}

impl From<bool> for Status {
    fn from(ok: bool) -> Self {
        if ok { Status::Ok } else { Status::Failed }
    }
}

impl<T, E> From<&Result<T, E>> for Status {
    fn from(result: &Result<T, E>) -> Self {
        result.is_ok().into()
    }
}

/// Records into a [`Manager`] from one thread.
///
/// Each `on_*` hook reads the clock once, for the end time, records `end − start`, and returns
/// the end time, so that a replay loop can start the next event's timing from it: one clock
/// read per event instead of two. `record_*` do the same with a caller-supplied end time.
///
/// `on_next_event` publishes each sample one call late: it records the *previous* event's
/// duration, then stores its own for the next call. The reason is the processor, not the
/// bookkeeping: a histogram record that depends on the clock value just read must wait for the
/// clock read to finish, and on current x86 the next clock read then waits for that record, so
/// the two costs add up. Recording the previous, already-known duration lets the record run in
/// the clock read's shadow (measured on an AMD VM: about 1.3 clock reads per hook instead of 2.3). The
/// pending sample is published by the next `on_next_event`, by [`flush`](Self::flush), or when
/// the updater is dropped, so no sample is ever lost; a snapshot taken meanwhile lacks at most
/// one sample per live updater.
///
/// An updater owns an exclusive histogram shard (see
/// [`LatencyHistogram`](super::histogram::LatencyHistogram)), which is what keeps
/// `on_next_event` cheap when several threads record into one `Manager`. It is therefore `Send`
/// but not `Sync`: create one per thread. No hook allocates, locks, makes a system call or
/// panics; an end before the start is recorded as zero and counted as clamped.
pub struct ManagerUpdater<'a> {
    manager: &'a Manager,
    next_event: HistogramWriter<'a>,
    /// The last `on_next_event` duration, not yet recorded, or [`NO_PENDING`].
    pending_next_event: Cell<u64>,
    /// When the pending sample ended and which event it timed: its exemplar, if it becomes
    /// the interval's slowest.
    pending_end_ns: Cell<u64>,
    pending_event_id: Cell<Option<u64>>,
    /// The trace context samples are recorded in (see [`set_trace_context`](Self::set_trace_context)).
    trace: Cell<Option<TraceContext>>,
}

/// Marks "no pending sample". Pending durations are capped at `MAX_VALUE + 1` (which the
/// histogram still clamps and counts as saturated), so no real duration equals it.
const NO_PENDING: u64 = u64::MAX;

impl<'a> ManagerUpdater<'a> {
    /// An updater for `manager`. Creating it calibrates the clock and claims (and, the first
    /// time, allocates) a histogram shard, so that the hooks never have to.
    pub fn new(manager: &'a Manager) -> Self {
        clock::init();
        ManagerUpdater {
            manager,
            next_event: manager.next_event_histogram.writer(),
            pending_next_event: Cell::new(NO_PENDING),
            pending_end_ns: Cell::new(0),
            pending_event_id: Cell::new(None),
            trace: Cell::new(None),
        }
    }

    /// The manager this updater records into.
    pub fn manager(&self) -> &'a Manager {
        self.manager
    }

    /// Records a segment header read that began at `start_ns`; returns the end time.
    #[inline]
    pub fn on_read_segment_header(&self, start_ns: u64, status: impl Into<Status>) -> u64 {
        let end_ns = clock::now_ns();
        self.record_read_segment_header(start_ns, end_ns, status);
        end_ns
    }

    /// Records a resume that began at `start_ns`; returns the end time.
    #[inline]
    pub fn on_resume_from_event(&self, start_ns: u64, status: impl Into<Status>) -> u64 {
        let end_ns = clock::now_ns();
        self.record_resume_from_event(start_ns, end_ns, status);
        end_ns
    }

    /// Records a seek that began at `start_ns`; returns the end time.
    #[inline]
    pub fn on_seek_event(&self, start_ns: u64) -> u64 {
        let end_ns = clock::now_ns();
        self.record_seek_event(start_ns, end_ns);
        end_ns
    }

    /// Records one `next_event` sample: the time since `start_ns`, normally the end time the
    /// previous call returned. Chained that way, a sample covers fetching an event *and*
    /// whatever the caller did with the previous one, which is the full replay path the
    /// specification asks for. To time only the fetch, read the clock before it and use
    /// [`record_next_event`](Self::record_next_event) with both times. Returns the end time.
    /// This is the hot path; the sample is published one call late (see the type docs).
    #[inline(always)]
    pub fn on_next_event(&self, start_ns: u64) -> u64 {
        self.next_event_sample(start_ns, None)
    }

    /// [`on_next_event`](Self::on_next_event) for the fetch of event `event_id`: if this
    /// sample becomes its interval's slowest, its exemplar carries the event id.
    #[inline(always)]
    pub fn on_next_event_with_id(&self, start_ns: u64, event_id: u64) -> u64 {
        self.next_event_sample(start_ns, Some(event_id))
    }

    #[inline(always)]
    fn next_event_sample(&self, start_ns: u64, event_id: Option<u64>) -> u64 {
        let end_ns = clock::now_ns();
        let elapsed = self.elapsed_or_clamped(start_ns, end_ns);
        let previous = self.pending_next_event.replace(elapsed.min(MAX_VALUE + 1));
        let previous_end = self.pending_end_ns.replace(end_ns);
        let previous_id = self.pending_event_id.replace(event_id);
        if previous != NO_PENDING {
            self.publish(previous, previous_end, previous_id);
        }
        end_ns
    }

    /// Records a `next_event` sample, offering it as the interval's exemplar.
    #[inline(always)]
    fn publish(&self, value_ns: u64, end_ns: u64, event_id: Option<u64>) {
        self.next_event.record_with_exemplar(value_ns, || Exemplar {
            value_ns,
            time_ns: end_ns,
            trace: self.trace.get(),
            event_id,
        });
    }

    /// Sets the trace context (trace and span id) that the following `next_event` samples
    /// happen in, for their exemplars; `None` for none. The WAL replay sets it per segment.
    /// The sample still pending from the last `on_next_event` is published first, under the
    /// context it was timed in (one histogram record: this is a per-span call, not per event).
    pub fn set_trace_context(&self, trace: Option<TraceContext>) {
        self.flush();
        self.trace.set(trace);
    }

    /// Publishes the sample that the last [`on_next_event`](Self::on_next_event) left pending.
    /// Dropping the updater does this too.
    pub fn flush(&self) {
        let previous = self.pending_next_event.replace(NO_PENDING);
        if previous != NO_PENDING {
            self.publish(
                previous,
                self.pending_end_ns.get(),
                self.pending_event_id.get(),
            );
        }
    }

    #[inline(always)]
    fn elapsed_or_clamped(&self, start_ns: u64, end_ns: u64) -> u64 {
        match end_ns.checked_sub(start_ns) {
            Some(elapsed) => elapsed,
            None => {
                self.manager.next_event.note_clamped();
                0
            }
        }
    }

    /// [`on_read_segment_header`](Self::on_read_segment_header) with a known end time.
    pub fn record_read_segment_header(
        &self,
        start_ns: u64,
        end_ns: u64,
        status: impl Into<Status>,
    ) {
        let ok = status.into().is_ok();
        self.manager
            .read_segment_header
            .record(start_ns, end_ns, ok);
    }

    /// [`on_resume_from_event`](Self::on_resume_from_event) with a known end time.
    pub fn record_resume_from_event(&self, start_ns: u64, end_ns: u64, status: impl Into<Status>) {
        let ok = status.into().is_ok();
        self.manager.resume_from_event.record(start_ns, end_ns, ok);
    }

    /// [`on_seek_event`](Self::on_seek_event) with a known end time.
    pub fn record_seek_event(&self, start_ns: u64, end_ns: u64) {
        self.manager.seek_event.record(start_ns, end_ns);
    }

    /// [`on_next_event`](Self::on_next_event) with a known end time, published at once.
    #[inline(always)]
    pub fn record_next_event(&self, start_ns: u64, end_ns: u64) {
        let elapsed = self.elapsed_or_clamped(start_ns, end_ns);
        self.publish(elapsed, end_ns, None);
    }
}

impl std::fmt::Debug for ManagerUpdater<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagerUpdater")
            .field("next_event", &self.next_event)
            .field("pending_next_event", &self.pending_next_event.get())
            .finish_non_exhaustive()
    }
}

impl Drop for ManagerUpdater<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_next_event_publishes_one_late_and_on_flush() {
        let manager = Manager::new();
        let updater = manager.updater();
        let mut start = clock::now_ns();
        for _ in 0..10 {
            start = updater.on_next_event(start);
        }
        assert_eq!(manager.snapshot().next_event.samples, 9);
        updater.flush();
        assert_eq!(manager.snapshot().next_event.samples, 10);
        updater.flush();
        assert_eq!(
            manager.snapshot().next_event.samples,
            10,
            "flush is idempotent"
        );
        updater.on_next_event(start);
        drop(updater);
        assert_eq!(manager.snapshot().next_event.samples, 11, "drop publishes");
    }

    #[test]
    fn returned_end_times_chain() {
        let manager = Manager::new();
        let updater = manager.updater();
        let first = clock::now_ns();
        let second = updater.on_next_event(first);
        let third = updater.on_seek_event(second);
        assert!(first <= second && second <= third);
        drop(updater);
        let s = manager.snapshot();
        assert_eq!(s.next_event.total_ns, second - first);
        assert_eq!(s.seek_event.total_ns, third - second);
    }

    #[test]
    fn an_end_before_the_start_is_zero_and_counted() {
        let manager = Manager::new();
        let updater = manager.updater();
        updater.on_next_event(u64::MAX);
        updater.record_next_event(10, 5);
        updater.on_read_segment_header(u64::MAX, false);
        drop(updater);
        let s = manager.snapshot();
        assert_eq!(
            (
                s.next_event.samples,
                s.next_event.clamped,
                s.next_event.max_ns
            ),
            (2, 2, 0)
        );
        assert_eq!(s.read_segment_header.duration.clamped, 1);
        assert_eq!(s.read_segment_header.failures, 1);
    }
}
