//! Stopping a replay from another thread: a [`StopHandle`] shared with a `RecoveryManager`.
//!
//! The replay looks at the flag only where it moves to the next segment, never per event, so
//! the per-event hot loop is unchanged; a stop therefore takes effect within one segment's
//! worth of events (a few milliseconds of replay).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Asks a replay to stop: after [`stop`](Self::stop), the `RecoveryManager` it came from
/// returns `Ok(None)` from `next_event` at its next segment boundary, as if the WAL ended
/// there, and `was_stopped` says so. Cheap to clone; usable from any thread (a signal
/// handler's thread, a watchdog).
#[derive(Debug, Clone, Default)]
pub struct StopHandle {
    requested: Arc<AtomicBool>,
}

impl StopHandle {
    /// Asks the replay to stop at its next check. Calling it again does nothing more.
    pub fn stop(&self) {
        // Relaxed: a lone flag with no data published through it; the replay sees it at a
        // later boundary at the latest.
        self.requested.store(true, Ordering::Relaxed);
    }

    /// Whether a stop has been asked for.
    pub fn is_stopped(&self) -> bool {
        // Relaxed: see `stop`.
        self.requested.load(Ordering::Relaxed)
    }
}
