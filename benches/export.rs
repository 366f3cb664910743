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
use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
use prost::Message;
use walrec::otlp::agent::Agent;
use walrec::otlp::config::Config;
use walrec::otlp::convert::{Converter, DEFAULT_MAX_BUCKETS, ExportSource, resource};
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

fn sources(count: usize) -> Vec<ExportSource> {
    (0..count)
        .map(|i| ExportSource::new(&format!("wal-{i}"), busy_manager(i as u64 + 1)))
        .collect()
}

fn conversion(c: &mut Criterion) {
    let converter = Converter::new(
        resource("bench", &[]),
        AggregationTemporality::Cumulative,
        DEFAULT_MAX_BUCKETS,
    );
    let mut group = c.benchmark_group("export");
    group.sample_size(20);
    for count in [1usize, 100, 1_000] {
        let mut set = sources(count);
        let bytes = converter.request(&mut set).encoded_len();
        println!("export/{count} managers: {bytes} encoded bytes per interval");
        group.bench_with_input(BenchmarkId::new("convert", count), &count, |b, _| {
            b.iter(|| black_box(converter.request(&mut set)));
        });
        group.bench_with_input(
            BenchmarkId::new("convert_and_encode", count),
            &count,
            |b, _| {
                b.iter(|| black_box(converter.request(&mut set).encode_to_vec()));
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
