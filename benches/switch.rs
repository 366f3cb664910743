//! The segment switch (issue 22, item 2): the replay moving from one segment to the next, the
//! preloaded segment's hand-off and the finished one's release, over thousands of small
//! segments (one 64-event block each).
//!
//! `cargo bench --bench switch`
//!
//! - `switch/telemetry_off` and `switch/telemetry_on`: a whole replay of the small-segment WAL
//!   (`RecoveryManager` with [`NoTelemetry`], and with a whole `Recovery`'s telemetry), per
//!   segment: the 64 events of a segment plus one switch, the preloader verifying the next
//!   segment on the other core.
//! - Printed after them, not asserted: the distribution of the switch itself, each one timed by
//!   the recovery's own `segment_switched` hook (median, p99, max) and the stalls, from one
//!   replay of the same WAL; and the `switch_segment` metric the recovery exports (avg, max).

use std::cell::RefCell;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use walrec::telemetry::{Recovery, Status, clock};
use walrec::wal::{Hooks, NoTelemetry, RecoveryHooks, RecoveryManager};

mod common;
use common::wal::{drain, write_wal};

/// Segments when benchmarking, and when the bench only runs once as a test.
const SEGMENTS: u64 = 4096;
const TEST_SEGMENTS: u64 = 32;
/// One block per segment: the smallest segment the writer makes.
const SEGMENT_BYTES: u64 =
    (walrec::wal::format::HEADER_SIZE + walrec::wal::format::BLOCK_SIZE) as u64;
const EVENTS_PER_SEGMENT: u64 = walrec::wal::format::BLOCK_EVENTS as u64;

/// Times every switch and every stall, and nothing else.
#[derive(Default)]
struct SwitchTimes {
    switches: RefCell<Vec<u64>>,
    stalls: RefCell<u64>,
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
        *self.stalls.borrow_mut() += 1;
    }
    fn segment_switched(&self, start_ns: u64, end_ns: u64) {
        self.switches
            .borrow_mut()
            .push(end_ns.saturating_sub(start_ns));
    }
}

fn quantile(sorted: &[u64], q: f64) -> u64 {
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(index).copied().unwrap_or(0)
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
        b.iter(|| drain(RecoveryManager::with_hooks(dir.path(), NoTelemetry).expect("open")))
    });
    group.bench_function("telemetry_on", |b| {
        b.iter(|| {
            let hooks = RecoveryHooks::new(&recovery);
            drain(RecoveryManager::with_hooks(dir.path(), hooks).expect("open"))
        })
    });
    group.finish();

    let times = SwitchTimes::default();
    let mut wal = RecoveryManager::with_hooks(dir.path(), times).expect("open");
    let first = wal.first_event_id();
    wal.resume_from_event(first).expect("resume");
    common::wal::fold(&mut wal);
    let times = wal.hooks();
    let mut switches = times.switches.borrow().clone();
    switches.sort_unstable();
    assert_eq!(
        switches.len() as u64,
        segments - 1,
        "one switch between each two segments"
    );
    let metric = recovery.snapshot().preloader.switch_segment;
    eprintln!(
        "switch: {} switches, median {} ns, p99 {} ns, max {} ns, {} stalls; \
         the switch_segment metric over the telemetry_on runs: avg {:.0} ns, max {} ns",
        switches.len(),
        quantile(&switches, 0.5),
        quantile(&switches, 0.99),
        switches.last().copied().unwrap_or(0),
        times.stalls.borrow(),
        metric.avg_ns(),
        metric.max_ns,
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = switch
}
criterion_main!(benches);
