//! The segment preloader's recording calls; its metrics and their struct are declared in the
//! catalogue (`catalogue.rs`).

use super::catalogue::SegmentPreloader;

impl SegmentPreloader {
    /// The replay had to wait for the preloader (or open the segment itself) from `start_ns`
    /// to `end_ns`: counts a stall and records the wait.
    pub fn stalled(&self, start_ns: u64, end_ns: u64) {
        self.stalls.increment();
        self.stall_wait.record(start_ns, end_ns);
    }

    /// Sets how many segments are verified and waiting for the replay.
    pub fn set_ready_ahead(&self, segments: u64) {
        self.ready_ahead.set(segments);
    }
}
