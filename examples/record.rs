//! Records a synthetic replay into a `Manager` from two threads and prints the dump.
//!
//! `cargo run --release --example record`

use std::hint::black_box;

use walrec::telemetry::{Manager, ManagerUpdater, clock};

const EVENTS_PER_THREAD: u64 = 2_000_000;

/// Stands in for decoding an event: a little dependent arithmetic, so there is work to time.
fn fake_event_work(seed: u64) -> u64 {
    (0..(seed % 7)).fold(seed, |acc, i| {
        acc.rotate_left(5) ^ i.wrapping_mul(0x9E37_79B9)
    })
}

fn replay(updater: &ManagerUpdater<'_>) {
    let header_start = clock::now_ns();
    let start = updater.on_read_segment_header(header_start, true);
    let seek_start = updater.on_resume_from_event(start, true);
    let mut start = updater.on_seek_event(seek_start);
    let mut checksum = 0u64;
    for event in 0..EVENTS_PER_THREAD {
        checksum ^= fake_event_work(black_box(event));
        start = updater.on_next_event(start);
    }
    black_box(checksum);
}

fn main() -> std::io::Result<()> {
    let manager = Manager::new();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| replay(&manager.updater()));
        }
    });
    manager.dump("synthetic replay", &mut std::io::stdout().lock())
}
