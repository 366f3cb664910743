//! The flight recorder's cost on the recording thread, and the size and cost of an interval.
//!
//! `cargo bench --bench recording`
//!
//! - `hot_path/recorder_off` and `hot_path/recorder_on`: `on_next_event` on one thread, without
//!   and with a `FlightRecorder` snapshotting the same `Manager` every millisecond (1,000 times
//!   the default rate, to make any interference visible) on its own thread.
//! - `interval/sample`: one tick of the recorder on a manager holding a million events:
//!   snapshot (which reads every bucket in use), delta, encode, frame and write, no sync. After
//!   the first tick the intervals are empty, so this is the snapshot's cost plus a small write.
//!
//! It also prints the bytes of one interval record next to the same interval as an OTLP
//! protobuf request.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use walrec::otlp::config::Temporality;
use walrec::otlp::{Config, MetricsEncoder};
use walrec::recording::{
    FlightRecorder, IntervalSampler, RecordingConfig, RecordingHeader, RecordingWriter, SyncPolicy,
};
use walrec::telemetry::{Manager, clock};

mod common;
use common::{MASK, latency_mix};

/// A manager holding one interval of the benches' latency mix (one million events).
fn busy_manager() -> Arc<Manager> {
    let manager = Arc::new(Manager::new());
    let writer = manager.next_event_histogram.writer();
    let values = latency_mix();
    for i in 0..1_000_000 {
        writer.record(values[i & MASK]);
    }
    drop(writer);
    let updater = manager.updater();
    updater.record_read_segment_header(0, 5_000, true);
    updater.record_resume_from_event(0, 20_000, true);
    updater.record_seek_event(0, 900);
    drop(updater);
    manager
}

fn hot_path(c: &mut Criterion) {
    clock::init();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut group = c.benchmark_group("hot_path");
    group.bench_function("recorder_off", |b| {
        let manager = Manager::new();
        let updater = manager.updater();
        let mut start = clock::now_ns();
        b.iter(|| start = updater.on_next_event(black_box(start)));
    });
    group.bench_function("recorder_on", |b| {
        let manager = Arc::new(Manager::new());
        let mut config = RecordingConfig::new(dir.path().join("bench.walrec"));
        config.interval = Duration::from_millis(1);
        config.sync = SyncPolicy::Never;
        let managers = vec![("bench".to_owned(), Arc::clone(&manager))];
        let recorder = FlightRecorder::start(&config, managers).expect("the recorder starts");
        let updater = manager.updater();
        let mut start = clock::now_ns();
        b.iter(|| start = updater.on_next_event(black_box(start)));
        drop(updater);
        recorder.finish().expect("the recording ends");
    });
    group.finish();
}

fn interval(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let manager = busy_manager();
    let mut config = RecordingConfig::new(dir.path().join("size.walrec"));
    config.sync = SyncPolicy::Never;
    config.max_file_bytes = u64::MAX;
    let header = RecordingHeader::for_config(&config, vec!["bench".to_owned()]);
    let mut sampler = IntervalSampler::new(vec![Arc::clone(&manager)], header.start_unix_nano);
    let mut writer = RecordingWriter::create(&config, header).expect("create");
    let before = writer.file_bytes();
    sampler.sample(&mut writer, false).expect("sample");
    let record_bytes = writer.file_bytes() - before;
    let otlp = Config::builder()
        .temporality(Temporality::Delta)
        .build()
        .expect("config");
    let mut encoder = MetricsEncoder::new(&otlp);
    encoder.add("bench", &manager);
    let request_bytes = encoder.encode().len();
    println!(
        "one interval of 1M events: recording {record_bytes} B (frame included), OTLP request {request_bytes} B"
    );
    c.bench_function("interval/sample", |b| {
        b.iter(|| sampler.sample(&mut writer, false).expect("sample"));
    });
}

criterion_group!(benches, hot_path, interval);
criterion_main!(benches);
