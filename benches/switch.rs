//! The segment switch (issue 22, item 2): the replay moving from one segment to the next, the
//! preloaded segment's hand-off and the finished one's release, over thousands of small
//! segments (64 blocks, 4,096 events, 266 KB each), the replay doing a little work per event (about
//! what applying an event to in-memory state costs) so that the preloader, on the other core,
//! can be ready ahead.
//!
//! `cargo bench --bench switch`
//!
//! - `switch/telemetry_off` and `switch/telemetry_on`: a whole replay of the small-segment WAL
//!   (`RecoveryManager` with [`NoTelemetry`], and with a whole `Recovery`'s telemetry), per
//!   segment: the 64 events of a segment plus one switch, the preloader verifying the next
//!   segment on the other core.
//! - Printed after them, not asserted: the distribution of the switch itself, each one timed by
//!   the recovery's own `segment_switched` hook (median, p99, max), apart for switches where the
//!   next segment was ready and those where the replay stalled waiting for it, from one replay
//!   of the same WAL; and the `switch_segment` metric the recovery exports (avg, max).

use std::cell::{Cell, RefCell};
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use walrec::telemetry::{Recovery, Status, clock};
use walrec::wal::{Hooks, NoTelemetry, RecoveryHooks, RecoveryManager};

mod common;
use common::wal::write_wal;

/// Segments when benchmarking, and when the bench only runs once as a test.
const SEGMENTS: u64 = 1024;
const TEST_SEGMENTS: u64 = 32;
/// Dependent multiply-rotates per event: the application's work, so that the replay of a
/// segment takes longer than the preloader's load of the next.
const WORK_ROUNDS: u32 = 32;
/// Blocks per segment.
const BLOCKS: u64 = 64;
const SEGMENT_BYTES: u64 =
    walrec::wal::format::HEADER_SIZE as u64 + BLOCKS * walrec::wal::format::BLOCK_SIZE as u64;
const EVENTS_PER_SEGMENT: u64 = BLOCKS * walrec::wal::format::BLOCK_EVENTS as u64;

/// Times every switch, apart by whether the replay stalled in it, and nothing else.
#[derive(Default)]
struct SwitchTimes {
    ready: RefCell<Vec<u64>>,
    stalled: RefCell<Vec<u64>>,
    stalling: Cell<bool>,
}

impl Hooks for SwitchTimes {
    fn now(&self) -> u64 {
        clock::now_ns()
    }
    fn read_segment_header(&self, start_ns: u64, _status: Status) -> u64 {
        start_ns
    }
    fn resume_from_event(&self, start_ns: u64, _status: Status) -> u64 {
        start_ns
    }
    fn seek_event(&self, start_ns: u64) -> u64 {
        start_ns
    }
    fn next_event(&self, start_ns: u64) -> u64 {
        start_ns
    }
    fn stalled(&self, _start_ns: u64, _end_ns: u64) {
        self.stalling.set(true);
    }
    fn segment_switched(&self, start_ns: u64, end_ns: u64) {
        let times = if self.stalling.replace(false) {
            &self.stalled
        } else {
            &self.ready
        };
        times.borrow_mut().push(end_ns.saturating_sub(start_ns));
    }
}

/// Median, p99 and max of `times`, in ns.
fn distribution(times: &RefCell<Vec<u64>>) -> String {
    let mut sorted = times.borrow().clone();
    sorted.sort_unstable();
    let quantile = |q: f64| {
        let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(index).copied().unwrap_or(0)
    };
    format!(
        "{} switches: median {} ns, p99 {} ns, max {} ns",
        sorted.len(),
        quantile(0.5),
        quantile(0.99),
        sorted.last().copied().unwrap_or(0)
    )
}

/// Replays everything, doing [`WORK_ROUNDS`] dependent multiply-rotates per event as an
/// application applying it would; returns a checksum.
fn apply_all<H: Hooks>(mut wal: RecoveryManager<H>) -> (u64, RecoveryManager<H>) {
    let first = wal.first_event_id();
    wal.resume_from_event(first).expect("resume");
    let mut state = 0u64;
    while let Some(event) = wal.next_event().expect("next event") {
        let mut x = event.id() ^ state;
        for _ in 0..WORK_ROUNDS {
            x = black_box(x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17));
        }
        state = state.wrapping_add(x);
    }
    (state, wal)
}

fn switch(c: &mut Criterion) {
    clock::init();
    let segments = if common::benchmarking() {
        SEGMENTS
    } else {
        TEST_SEGMENTS
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    write_wal(dir.path(), segments * EVENTS_PER_SEGMENT, SEGMENT_BYTES);
    let recovery = Recovery::new();

    let mut group = c.benchmark_group("switch");
    group.throughput(Throughput::Elements(segments));
    group.sample_size(10);
    group.bench_function("telemetry_off", |b| {
        b.iter(|| apply_all(RecoveryManager::with_hooks(dir.path(), NoTelemetry).expect("open")).0)
    });
    group.bench_function("telemetry_on", |b| {
        b.iter(|| {
            let hooks = RecoveryHooks::new(&recovery);
            apply_all(RecoveryManager::with_hooks(dir.path(), hooks).expect("open")).0
        })
    });
    group.finish();

    let wal = RecoveryManager::with_hooks(dir.path(), SwitchTimes::default()).expect("open");
    let (_, wal) = apply_all(wal);
    let times = wal.hooks();
    let switches = (times.ready.borrow().len() + times.stalled.borrow().len()) as u64;
    assert_eq!(
        switches,
        segments - 1,
        "one switch between each two segments"
    );
    let preloader = recovery.snapshot().preloader;
    eprintln!(
        "{} events in {segments} segments",
        segments * EVENTS_PER_SEGMENT
    );
    eprintln!(
        "switch, next segment ready: {}\nswitch, stalled: {}\n\
         over the telemetry_on runs: switch_segment avg {:.0} ns, max {} ns; \
         its finish_segment part avg {:.0} ns; preload_segment avg {:.0} ns",
        distribution(&times.ready),
        distribution(&times.stalled),
        preloader.switch_segment.avg_ns(),
        preloader.switch_segment.max_ns,
        preloader.finish_segment.duration.avg_ns(),
        preloader.preload_segment.duration.avg_ns(),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = switch
}
criterion_main!(benches);
