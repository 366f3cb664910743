//! Export cost against the OpenTelemetry SDK, and recording cost while an agent fails to
//! export.
//!
//! `cargo bench --bench export`
//!
//! - `export_vs_sdk/{walrec,otel_sdk}/N`: one export interval of N managers (20,000
//!   `next_event` samples each, and the three timed operations), cumulative. walrec:
//!   `MetricsEncoder::encode` (snapshot, conversion, protobuf). The SDK: the same figures
//!   recorded the way its users would (see `common/otel_export.rs`), `ManualReader::collect`
//!   and `opentelemetry-proto`'s conversion and prost encoding. Both payload sizes are printed
//!   once per N with their difference; compare the two within one run.
//! - `idle_delta/{walrec,otel_sdk}/N`: the same under delta temporality, for an interval in
//!   which nothing was recorded.
//! - `record_with_agent/*`: `on_next_event` with no agent, and with an agent pushing every
//!   10 ms to a port where nothing listens, in the same run.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use walrec::otlp::Agent;

use walrec::otlp::config::Temporality;
use walrec::otlp::{Config, MetricsEncoder};
use walrec::telemetry::{Manager, clock};

mod common;
use common::otel_export::{SdkPeer, busy_manager};

/// The manager counts the comparison runs at.
const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn encoder(managers: &[Arc<Manager>], temporality: Temporality) -> MetricsEncoder {
    let config = Config::builder()
        .service_name("bench")
        .temporality(temporality)
        .build();
    let mut encoder = MetricsEncoder::new(&config.expect("a valid configuration"));
    for (i, manager) in managers.iter().enumerate() {
        encoder.add(&format!("wal-{i}"), manager);
    }
    encoder
}

/// walrec's interval and the SDK's, side by side in group `name` for `count` managers, after
/// printing both payloads' sizes and how far apart they are.
fn side_by_side(
    c: &mut Criterion,
    name: &str,
    count: usize,
    mut walrec: impl FnMut() -> Vec<u8>,
    mut sdk: impl FnMut() -> Vec<u8>,
) {
    let (walrec_bytes, sdk_bytes) = (walrec().len(), sdk().len());
    let difference = (walrec_bytes as f64 - sdk_bytes as f64) / sdk_bytes.max(1) as f64 * 100.0;
    println!(
        "{name}/{count} managers: walrec {walrec_bytes} B, SDK {sdk_bytes} B per interval \
         ({difference:+.2} %)"
    );
    let mut group = c.benchmark_group(name);
    group.sample_size(15);
    group.bench_function(BenchmarkId::new("walrec", count), |b| {
        b.iter(|| black_box(walrec()));
    });
    group.bench_function(BenchmarkId::new("otel_sdk", count), |b| {
        b.iter(|| black_box(sdk()));
    });
    group.finish();
}

fn against_the_sdk(c: &mut Criterion) {
    // A test run (not measuring) checks the smallest size only.
    let sizes = if common::benchmarking() {
        &SIZES[..]
    } else {
        &SIZES[..1]
    };
    for &count in sizes {
        let managers: Vec<Arc<Manager>> = (0..count).map(|i| busy_manager(i as u64 + 1)).collect();
        let mut sdk = SdkPeer::new(&managers);
        let mut cumulative = encoder(&managers, Temporality::Cumulative);
        side_by_side(
            c,
            "export_vs_sdk",
            count,
            || cumulative.encode(),
            || sdk.cumulative_interval(),
        );
        drop(cumulative);
        idle_delta(c, &managers, &mut sdk);
    }
}

/// Delta temporality, once everything recorded was exported: intervals with nothing new.
fn idle_delta(c: &mut Criterion, managers: &[Arc<Manager>], sdk: &mut SdkPeer) {
    let mut delta = encoder(managers, Temporality::Delta);
    delta.encode();
    delta.acknowledge();
    sdk.delta_interval();
    let walrec = || {
        let bytes = delta.encode();
        delta.acknowledge();
        bytes
    };
    side_by_side(c, "idle_delta", managers.len(), walrec, || {
        sdk.delta_interval()
    });
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

criterion_group!(benches, against_the_sdk, recording_next_to_a_failing_agent);
criterion_main!(benches);
