//! Recordings built in tests: deterministic interval mixes, a sampled recording with the live
//! snapshots taken at the same moments, and a fully deterministic (golden) recording.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use walrec::recording::{
    AttributeValue, IntervalSampler, RecordedInterval, Recording, RecordingConfig, RecordingHeader,
    RecordingWriter,
};
use walrec::telemetry::{Manager, ManagerSnapshot, Status};

/// Records interval `k`'s mix: `events` next_event samples spread over 5 ns … ~1 ms (a
/// different shape each interval), a few segment headers (one failed every third interval), a
/// resume and a seek.
pub fn record_mix(manager: &Manager, k: u64, events: u64) {
    let updater = manager.updater();
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ k;
    for _ in 0..events {
        // xorshift: cheap, deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let spread = 1 + (k % 4) * 3;
        let value = 5
            + (state % 200) * spread
            + if state % 997 == 0 {
                state % 1_000_000
            } else {
                0
            };
        updater.record_next_event(1_000, 1_000 + value);
    }
    for h in 0..3 {
        let status = if k % 3 == 2 && h == 0 {
            Status::Failed
        } else {
            Status::Ok
        };
        updater.record_read_segment_header(0, 4_000 + 100 * h + k, status);
    }
    updater.record_resume_from_event(0, 20_000 + k, Status::Ok);
    updater.record_seek_event(0, 300 + k);
}

/// A recording of one manager over `intervals` intervals of `record_mix`, written to `path`
/// with the sampler, and the live snapshot taken right after each interval was written (the
/// manager's lifetime values at the interval's end; index 0 is the empty start).
pub fn sampled_recording(
    path: &Path,
    intervals: u64,
    config: RecordingConfig,
) -> (Recording, Vec<ManagerSnapshot>) {
    let manager = Arc::new(Manager::new());
    let header = RecordingHeader::for_config(&config, vec!["replay".to_owned()]);
    let mut sampler = IntervalSampler::new(vec![Arc::clone(&manager)], header.start_unix_nano);
    let mut writer = RecordingWriter::create(&config, header).expect("create the recording");
    let mut live = vec![manager.snapshot()];
    for k in 0..intervals {
        record_mix(&manager, k, 2_000 + 500 * k);
        // Interval ends must differ for windows to tell them apart.
        std::thread::sleep(Duration::from_millis(2));
        sampler
            .sample(&mut writer, k + 1 == intervals)
            .expect("sample");
        live.push(manager.snapshot());
    }
    drop(writer);
    let recording = Recording::open(path).expect("read the recording back");
    (recording, live)
}

/// The golden recording's header: every field fixed.
pub fn golden_header() -> RecordingHeader {
    RecordingHeader {
        format_version: 1,
        writer: "walrec 0.1.0".to_owned(),
        service_name: "golden".to_owned(),
        resource_attributes: vec![
            (
                "host.name".to_owned(),
                AttributeValue::Text("recorder".to_owned()),
            ),
            ("process.pid".to_owned(), AttributeValue::Int(4242)),
        ],
        instances: vec!["primary".to_owned(), "standby".to_owned()],
        histogram_scale: 6,
        histogram_max_ns: 1 << 36,
        clock_source: "golden clock".to_owned(),
        clock_resolution_ps: 10_000,
        start_unix_nano: 1_700_000_000_000_000_000,
        interval: Duration::from_secs(1),
        rotation: 0,
    }
}

/// The golden recording's intervals: three ticks of two instances, from deterministic mixes.
pub fn golden_intervals() -> Vec<RecordedInterval> {
    let managers = [Manager::new(), Manager::new()];
    let mut baselines = [ManagerSnapshot::default(), ManagerSnapshot::default()];
    let mut intervals = Vec::new();
    let start = golden_header().start_unix_nano;
    for tick in 0..3u64 {
        for (instance, manager) in managers.iter().enumerate() {
            record_mix(manager, tick * 2 + instance as u64, 300);
            let current = manager.snapshot();
            let mut delta = ManagerSnapshot::default();
            current.since_into(&baselines[instance], &mut delta);
            baselines[instance] = current;
            intervals.push(RecordedInterval {
                instance,
                sequence: tick,
                start_unix_nano: start + tick * 1_000_000_000,
                end_unix_nano: start + (tick + 1) * 1_000_000_000,
                delta,
                exemplar: None,
                components: None,
                last: tick == 2,
            });
        }
    }
    intervals
}

/// Writes the golden recording to `path`.
pub fn write_golden(path: &Path) {
    let config = RecordingConfig::new(path);
    let mut writer = RecordingWriter::create(&config, golden_header()).expect("create");
    for interval in golden_intervals() {
        writer.append(&interval).expect("append");
    }
}
