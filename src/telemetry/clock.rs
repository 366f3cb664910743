//! The monotonic nanosecond clock every hook reads: `now_ns()`.
//!
//! It is backed by one process-wide [`quanta::Clock`]. On x86-64 with an invariant TSC, a read is
//! a single `rdtsc` plus a multiply and a shift; elsewhere quanta falls back to the operating
//! system's monotonic clock (`clock_gettime(CLOCK_MONOTONIC)` on Linux), which is slower but
//! still allocation- and lock-free.
//!
//! # Caveats
//!
//! - **Calibration.** The first call calibrates the TSC against the OS clock, which takes up to
//!   a few milliseconds. Call [`init`] at start-up so that no hot-path read pays for it.
//! - **Virtual machines.** Hypervisors may trap `rdtsc` or expose a TSC that is not invariant;
//!   quanta then picks the OS clock, and a read costs tens of nanoseconds instead of about ten.
//!   Live migration can shift the TSC rate; quanta does not recalibrate afterwards.
//! - **Suspend.** Whether time spent suspended is counted depends on the source: the TSC may
//!   stop, and `CLOCK_MONOTONIC` excludes suspend. Durations that span a suspend are not
//!   wall-clock durations.
//! - **Across cores.** Readings taken on different cores are comparable only as far as the
//!   cores' TSCs are synchronised (they are on current single-socket x86). A reading that goes
//!   backwards is clamped to zero duration by the hooks and counted, never wrapped around.
//! - **Origin.** `now_ns()` counts from the first read in the process, not from boot or the
//!   epoch: compare its values only with each other.

use std::sync::OnceLock;

pub use super::clock_resolution::{CLOCK_SOURCE, measure_resolution_ps, resolution_ps};

/// The process-wide clock and the raw reading taken when it was created.
struct ProcessClock {
    clock: quanta::Clock,
    origin_raw: u64,
    /// The Unix time (ns) of `origin_raw`, read from the system clock at the same moment.
    origin_unix_ns: u64,
}

static PROCESS_CLOCK: OnceLock<ProcessClock> = OnceLock::new();

fn process_clock() -> &'static ProcessClock {
    PROCESS_CLOCK.get_or_init(|| {
        let clock = quanta::Clock::new();
        let origin_raw = clock.raw();
        let origin_unix_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        ProcessClock {
            clock,
            origin_raw,
            origin_unix_ns,
        }
    })
}

/// Calibrates the clock now, so that the first hot-path read does not pay for it.
pub fn init() {
    process_clock();
}

/// Monotonic nanoseconds since the first clock read in this process.
///
/// Never decreases between calls on one thread; see the module docs for the caveats.
#[inline]
pub fn now_ns() -> u64 {
    let process = process_clock();
    // delta_as_nanos scales the raw counter difference to nanoseconds and returns 0 rather than
    // wrapping if the raw counter reads below the origin (a TSC skewed across cores).
    process
        .clock
        .delta_as_nanos(process.origin_raw, process.clock.raw())
}

/// A [`now_ns`] reading as Unix nanoseconds: the system clock's time when the process clock
/// was created, plus the monotonic time since. For exported timestamps (exemplars): it does not
/// follow later steps of the system clock, so it may drift from it by what NTP corrected since
/// start-up.
pub fn to_unix_ns(now_ns: u64) -> u64 {
    process_clock().origin_unix_ns.saturating_add(now_ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_and_tracks_the_os_clock() {
        init();
        let os_start = std::time::Instant::now();
        let start = now_ns();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let end = now_ns();
        let os_elapsed = os_start.elapsed().as_nanos() as u64;
        assert!(end > start);
        let elapsed = end - start;
        // Generous bounds: the point is the unit (nanoseconds), not the precision.
        assert!(
            elapsed >= 15_000_000,
            "elapsed {elapsed} ns is shorter than the sleep"
        );
        assert!(
            elapsed <= os_elapsed + 5_000_000,
            "elapsed {elapsed} ns exceeds the OS clock"
        );
    }

    #[test]
    fn never_decreases_on_one_thread() {
        let mut last = now_ns();
        for _ in 0..100_000 {
            let next = now_ns();
            assert!(next >= last);
            last = next;
        }
    }
}
