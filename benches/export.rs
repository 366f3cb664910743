//! Export cost, and recording cost while an agent fails to export.
//!
//! `cargo bench --bench export`
//!
//! - `convert/N`: snapshot + conversion of N `Manager`s into one OTLP request.
//! - `convert_and_encode/N`: the same plus protobuf encoding (the bytes that go on the wire;
//!   the size is printed once per N).
//! - `record_with_agent/*`: `on_next_event` with no agent, and with an agent pushing every
//!   10 ms to a port where nothing listens, in the same run.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use walrec::otlp::Agent;

use walrec::otlp::{Config, MetricsEncoder};
use walrec::telemetry::{Manager, clock};

/// A manager that has seen a realistic replay: many events over several octaves.
fn busy_manager(seed: u64) -> Arc<Manager> {
    let manager = Arc::new(Manager::new());
    let updater = manager.updater();
    let mut state = seed | 1;
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        updater.record_next_event(0, 50 + state % 100_000);
    }
    updater.record_read_segment_header(0, 2_000, true);
    updater.record_resume_from_event(0, 9_000, true);
    updater.record_seek_event(0, 400);
    drop(updater);
    manager
}

fn encoder(count: usize) -> MetricsEncoder {
    let config = Config::builder().service_name("bench").build();
    let mut encoder = MetricsEncoder::new(&config.expect("a valid configuration"));
    for i in 0..count {
        encoder.add(&format!("wal-{i}"), busy_manager(i as u64 + 1));
    }
    encoder
}

fn conversion(c: &mut Criterion) {
    let mut group = c.benchmark_group("export");
    group.sample_size(20);
    for count in [1usize, 100, 1_000] {
        let mut encoder = encoder(count);
        let bytes = encoder.encode().len();
        println!("export/{count} managers: {bytes} encoded bytes per interval");
        // Snapshot, conversion and protobuf encoding: what the agent does each interval.
        group.bench_with_input(
            BenchmarkId::new("convert_and_encode", count),
            &count,
            |b, _| {
                b.iter(|| black_box(encoder.encode()));
            },
        );
    }
    group.finish();
}

fn recording_next_to_a_failing_agent(c: &mut Criterion) {
    clock::init();
    let mut group = c.benchmark_group("record_with_agent");
    group.bench_function("no_agent", |b| {
        let manager = Manager::new();
        let updater = manager.updater();
        let mut start = clock::now_ns();
        b.iter(|| start = updater.on_next_event(black_box(start)));
    });
    group.bench_function("agent_failing_every_10ms", |b| {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let config = Config::builder()
            .endpoint(&format!("http://127.0.0.1:{port}"))
            .interval(Duration::from_millis(10))
            .timeout(Duration::from_millis(5))
            .build()
            .expect("a valid bench config");
        let manager = Arc::new(Manager::new());
        let mut agent = Agent::start(&config, vec![("bench".into(), Arc::clone(&manager))])
            .expect("the agent starts without a collector");
        let updater = manager.updater();
        let mut start = clock::now_ns();
        b.iter(|| start = updater.on_next_event(black_box(start)));
        drop(updater);
        let _ = agent.shutdown(Duration::from_millis(100));
    });
    group.finish();
}

criterion_group!(benches, conversion, recording_next_to_a_failing_agent);
criterion_main!(benches);
