//! The recording hot path allocates nothing once set up, even while an exporter runs.
//!
//! A counting global allocator counts only the allocations made by a thread that has switched
//! counting on (a `const` thread-local flag, which itself never allocates). The recording thread
//! switches it on around its loops; exporters on other threads allocate as they like and are
//! not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use walrec::telemetry::histogram::MAX_VALUE;
use walrec::telemetry::{Manager, clock};

struct Counting;

/// Allocations (including reallocations) made by counting threads.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    // try_with: the flag is gone while the thread's locals are torn down.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; counting has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations that this thread makes while running `f`.
fn allocations_in(f: impl FnOnce()) -> usize {
    // Only this thread counts, and tests in this file run one at a time (see `serial`), so the
    // global counter's difference is this thread's.
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

/// Tests in one binary run on parallel threads; the counter is shared, so they take turns.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Latencies over the whole range, including 0 and values the histogram clamps.
fn values() -> Vec<u64> {
    let mut state = 0x1234_5678_9ABC_DEF1u64;
    let mut v: Vec<u64> = (0..10_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state >> (state % 64)
        })
        .collect();
    v.extend([0, 1, 2, MAX_VALUE, MAX_VALUE + 1, u64::MAX]);
    v
}

/// The four hot-path calls, `rounds` times over `values`, after their set-up.
fn record_everything(manager: &Manager, values: &[u64], rounds: usize) -> usize {
    clock::init();
    let updater = manager.updater();
    let writer = manager.next_event_histogram.writer();
    // Set-up: the first shared record allocates the shared shard.
    manager.next_event_histogram.record(1);
    let mut start = clock::now_ns();
    start = updater.on_next_event(start);
    allocations_in(|| {
        for _ in 0..rounds {
            for &v in values {
                start = updater.on_next_event(start);
                updater.record_next_event(0, v);
                // An end before its start: clamped to zero and counted.
                updater.record_next_event(v, v / 2);
                writer.record(v);
                manager.next_event_histogram.record(v);
            }
        }
        updater.flush();
    })
}

/// The counter sees this thread's allocations (so a zero below means something).
#[test]
fn the_counter_counts() {
    let _turn = serial();
    let counted = allocations_in(|| {
        std::hint::black_box(vec![1u8; 64]);
    });
    assert!(counted >= 1, "a Vec allocation was counted ({counted})");
    // A first `Manager` shard is set-up, and is counted when done inside the window.
    let manager = Manager::new();
    let counted = allocations_in(|| manager.next_event_histogram.record(5));
    assert!(counted >= 1, "the first shared record allocates its shard");
}

#[test]
fn recording_allocates_nothing_after_setup() {
    let _turn = serial();
    let manager = Manager::new();
    let values = values();
    assert_eq!(record_everything(&manager, &values, 20), 0);
    let recorded = manager.snapshot().next_event.samples;
    assert!(recorded > 0, "the hooks recorded ({recorded} samples)");
}

/// Snapshots (and, with `otlp`, OTLP conversion and encoding) on other threads while the
/// recording thread records: the exporters allocate, the recording thread must not.
#[test]
fn recording_allocates_nothing_while_exporting() {
    let _turn = serial();
    let manager = Arc::new(Manager::new());
    let values = values();
    let stop = AtomicBool::new(false);
    let exports = AtomicUsize::new(0);
    let started = Barrier::new(3);

    let allocations = std::thread::scope(|scope| {
        // A snapshot reader, as any collector would be.
        scope.spawn(|| {
            started.wait();
            while !stop.load(Ordering::Relaxed) {
                std::hint::black_box(manager.snapshot());
                exports.fetch_add(1, Ordering::Relaxed);
            }
        });
        // The OTLP exporter's own work: snapshot, convert, encode.
        scope.spawn(|| {
            started.wait();
            export_until(&manager, &stop, &exports);
        });
        started.wait();
        let allocations = record_everything(&manager, &values, 200);
        stop.store(true, Ordering::Relaxed);
        allocations
    });
    assert!(
        exports.load(Ordering::Relaxed) > 0,
        "the exporters ran meanwhile"
    );
    assert_eq!(allocations, 0, "allocations on the recording thread");
}

#[cfg(feature = "otlp")]
fn export_until(manager: &Arc<Manager>, stop: &AtomicBool, exports: &AtomicUsize) {
    use walrec::otlp::config::Temporality;
    use walrec::otlp::{Config, MetricsEncoder};

    let config = Config::builder()
        .service_name("alloc-test")
        .temporality(Temporality::Delta)
        .build()
        .expect("a valid configuration");
    let mut encoder = MetricsEncoder::new(&config);
    encoder.add("alloc-test", manager);
    while !stop.load(Ordering::Relaxed) {
        std::hint::black_box(encoder.encode());
        encoder.acknowledge();
        exports.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(not(feature = "otlp"))]
fn export_until(_manager: &Arc<Manager>, _stop: &AtomicBool, _exports: &AtomicUsize) {}

/// With the real push agent running (exporting every 10 ms to a port where nothing listens).
#[cfg(feature = "otlp")]
#[test]
fn recording_allocates_nothing_next_to_the_agent() {
    use std::time::Duration;
    use walrec::otlp::Agent;
    use walrec::otlp::config::Config;

    let _turn = serial();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let config = Config::builder()
        .endpoint(&format!("http://127.0.0.1:{port}"))
        .interval(Duration::from_millis(10))
        .timeout(Duration::from_millis(5))
        .build()
        .expect("a valid config");
    let manager = Arc::new(Manager::new());
    let mut agent = Agent::start(&config, vec![("alloc".into(), Arc::clone(&manager))])
        .expect("the agent starts without a collector");
    let values = values();
    let deadline = std::time::Instant::now() + Duration::from_millis(100);
    let mut allocations = 0;
    // Record for at least 100 ms, so several export intervals pass.
    while std::time::Instant::now() < deadline {
        allocations += record_everything(&manager, &values, 5);
    }
    let _ = agent.shutdown(Duration::from_millis(100));
    assert_eq!(allocations, 0, "allocations on the recording thread");
}

/// With a real SDK tracer provider making every recovery span (sampled, batch-exported to
/// memory): spans are made per segment and per step, never per event, so the event loop
/// between two segment boundaries allocates nothing.
#[cfg(feature = "traces")]
#[test]
fn the_replay_loop_allocates_nothing_with_tracing_on() {
    use opentelemetry::global::BoxedTracer;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::{BatchSpanProcessor, InMemorySpanExporter, SdkTracerProvider};
    use walrec::wal::{RecoveryManager, RecoveryOptions, SegmentWriter, WriterOptions};

    let _turn = serial();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let options = WriterOptions {
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir.path(), options).expect("create the WAL");
    for i in 0..20_000u64 {
        writer.append(i, 0, &[7; 24]).expect("append");
    }
    writer.finish().expect("seal the WAL");

    let spans = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(spans.clone()).build())
        .build();
    let tracer = BoxedTracer::new(Box::new(provider.tracer("alloc-test")));
    let manager = Manager::new();
    let mut wal = RecoveryManager::with_tracer(
        dir.path(),
        manager.updater(),
        RecoveryOptions::default(),
        tracer,
    )
    .expect("open the WAL");
    let first = wal.first_event_id();
    wal.resume_from_event(first).expect("resume");
    // The first event opens the replay's spans; the loop after it stays inside one segment.
    assert!(wal.next_event().expect("an event").is_some());
    let allocations = allocations_in(|| {
        for _ in 0..10_000 {
            assert!(wal.next_event().expect("an event").is_some());
        }
    });
    while wal.next_event().expect("the rest").is_some() {}
    drop(wal);
    provider.force_flush().expect("the spans are exported");
    let names: Vec<String> = spans
        .get_finished_spans()
        .expect("the exported spans")
        .into_iter()
        .map(|span| span.name.into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n == "wal.segment.replay"),
        "the replay was traced: {names:?}"
    );
    assert_eq!(allocations, 0, "allocations in the traced event loop");
}
