//! `ManagerUpdater`: the four hooks the recovery engine calls.

use super::clock;
use super::histogram::HistogramWriter;
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
/// An updater owns an exclusive histogram shard (see
/// [`LatencyHistogram`](super::histogram::LatencyHistogram)), which is what keeps
/// `on_next_event` cheap when several threads record into one `Manager`. It is therefore `Send`
/// but not `Sync`: create one per thread. No hook allocates, locks, makes a system call or
/// panics; an end before the start is recorded as zero and counted as clamped.
pub struct ManagerUpdater<'a> {
    manager: &'a Manager,
    next_event: HistogramWriter<'a>,
}

impl<'a> ManagerUpdater<'a> {
    /// An updater for `manager`. Creating it calibrates the clock and claims (and, the first
    /// time, allocates) a histogram shard, so that the hooks never have to.
    pub fn new(manager: &'a Manager) -> Self {
        clock::init();
        ManagerUpdater {
            manager,
            next_event: manager.next_event_histogram.writer(),
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

    /// Records one event fetch that began at `start_ns`; returns the end time, which is the
    /// natural start of the next fetch. This is the hot path.
    #[inline(always)]
    pub fn on_next_event(&self, start_ns: u64) -> u64 {
        let end_ns = clock::now_ns();
        self.record_next_event(start_ns, end_ns);
        end_ns
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

    /// [`on_next_event`](Self::on_next_event) with a known end time.
    #[inline(always)]
    pub fn record_next_event(&self, start_ns: u64, end_ns: u64) {
        let elapsed = match end_ns.checked_sub(start_ns) {
            Some(elapsed) => elapsed,
            None => {
                self.manager.next_event.note_clamped();
                0
            }
        };
        self.next_event.record(elapsed);
    }
}
