//! The clock's resolution: a reader of durations (a post-mortem, a dashboard) must know that
//! every duration is a multiple of it (about 10 ns on a KVM guest's TSC). The flight recording
//! keeps it in its header, the OTLP agent sends it as a resource attribute.

use std::sync::OnceLock;

use super::clock;

/// What durations are read with.
pub const CLOCK_SOURCE: &str = "walrec::telemetry::clock (quanta: TSC, else OS monotonic)";

/// Back-to-back read pairs taken; a few microseconds in all.
const READ_PAIRS: usize = 1_000;

/// The smallest non-zero difference between two back-to-back clock reads, in picoseconds
/// (0 if no pair ever differed, which would mean a clock coarser than the loop).
pub fn measure_resolution_ps() -> u64 {
    clock::init();
    let mut smallest = u64::MAX;
    for _ in 0..READ_PAIRS {
        let first = clock::now_ns();
        let second = clock::now_ns();
        let step = second.saturating_sub(first);
        if step > 0 {
            smallest = smallest.min(step);
        }
    }
    if smallest == u64::MAX {
        0
    } else {
        smallest.saturating_mul(1_000)
    }
}

/// [`measure_resolution_ps`] measured once per process (a few microseconds, the first call),
/// so that every consumer of one process reports the same figure.
pub fn resolution_ps() -> u64 {
    static MEASURED: OnceLock<u64> = OnceLock::new();
    *MEASURED.get_or_init(measure_resolution_ps)
}

#[cfg(test)]
mod tests {
    #[test]
    fn resolution_is_a_small_positive_step() {
        let ps = super::measure_resolution_ps();
        // A nanosecond clock steps by at least 1 ns and, on any machine this runs on, by far
        // less than a millisecond.
        assert!((1_000..1_000_000_000).contains(&ps), "{ps} ps");
    }
}
