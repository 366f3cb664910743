//! The recovery aggregate: its dump (golden), its collect keys, the layout of the two new
//! components, and a progress that never goes backwards.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use walrec::telemetry::{
    Collector, HistogramSnapshot, IntegrityProblem, MetricKey, Phase, Recovery, SegmentPreloader,
    SegmentReader,
};

fn recorded() -> Recovery {
    let recovery = Recovery::new();
    let updater = recovery.manager.updater();
    updater.record_read_segment_header(0, 2_000, true);
    updater.record_resume_from_event(0, 3_000_000, true);
    updater.record_seek_event(0, 250);
    for i in 0..100u64 {
        updater.record_next_event(0, 100 + i);
    }
    drop(updater);
    let reader = &recovery.segment_reader;
    reader.open_segment.record(0, 12_000, true);
    reader.verify_segment.record(0, 150_000_000, true);
    reader.build_index.record(0, 40_000, true);
    reader.close_segment.record(0, 900, true);
    reader.seek_event.record(0, 120);
    reader.count_problem(IntegrityProblem::ChainedChecksum);
    let preloader = &recovery.preloader;
    preloader.preload_segment.record(0, 160_000_000, true);
    preloader.finish_segment.record(0, 2_000, true);
    preloader.stalled(0, 1_500);
    preloader.switch_segment.record(0, 4_000);
    preloader.set_ready_ahead(2);
    let progress = &recovery.progress;
    progress.scanned(2, Some(199));
    progress.replay_started(0);
    progress.replayed(100, 8_320, 99, 500_000_000);
    progress.segment_replayed();
    recovery
}

const GOLDEN: &str = "\
[golden Segment Reader Metrics] Snapshot:
-----------------------------------------------------------------
 Open segment       : samples=1 ok=1 fail=0 total=12.00µs min=12.00µs max=12.00µs avg=12.00µs rate=83.33k/s
 Close segment      : samples=1 ok=1 fail=0 total=900ns min=900ns max=900ns avg=900ns rate=1.11M/s
 Verify segment     : samples=1 ok=1 fail=0 total=150.00ms min=150.00ms max=150.00ms avg=150.00ms rate=6.67/s
 Build index        : samples=1 ok=1 fail=0 total=40.00µs min=40.00µs max=40.00µs avg=40.00µs rate=25.00k/s
 Reader seek        : samples=1 total=120ns min=120ns max=120ns avg=120ns rate=8.33M/s
 Integrity failures : header_crc=0 block_crc=0 chain=1 validation=0
-----------------------------------------------------------------
[golden Segment Preloader Metrics] Snapshot:
-----------------------------------------------------------------
 Preload segment    : samples=1 ok=1 fail=0 total=160.00ms min=160.00ms max=160.00ms avg=160.00ms rate=6.25/s
 Finish segment     : samples=1 ok=1 fail=0 total=2.00µs min=2.00µs max=2.00µs avg=2.00µs rate=500.00k/s
 Stall wait         : samples=1 total=1.50µs min=1.50µs max=1.50µs avg=1.50µs rate=666.67k/s
 Switch segment     : samples=1 total=4.00µs min=4.00µs max=4.00µs avg=4.00µs rate=250.00k/s
 Stalls             : 1 ready_ahead=2
-----------------------------------------------------------------
[golden Metrics] Snapshot:
-----------------------------------------------------------------
 Read segment header: samples=1 ok=1 fail=0 total=2.00µs min=2.00µs max=2.00µs avg=2.00µs rate=500.00k/s
 Resume from event  : samples=1 ok=1 fail=0 total=3.00ms min=3.00ms max=3.00ms avg=3.00ms rate=333.33/s
 Seek event         : samples=1 total=250ns min=250ns max=250ns avg=250ns rate=4.00M/s
 Next event         : samples=100 total=14.95µs min=100ns max=199ns avg=150ns rate=6.69M/s
 -> p50=150ns p90=188ns p99=198ns p99.9=198ns p99.99=198ns p99.999=198ns p99.9999=198ns
-----------------------------------------------------------------
 Progress: phase=replay events=100 bytes=8320 discarded=0 segments=1/2 current_event=99 last_event=199 rate=200.00/s eta=500.00ms
";

#[test]
fn the_dump_has_a_section_per_component_and_the_managers_in_the_spec_layout() {
    let mut out = Vec::new();
    recorded().dump("golden", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text, GOLDEN, "\n--- got ---\n{text}");
    let mut manager = Vec::new();
    recorded().manager.dump("golden", &mut manager).unwrap();
    assert!(text.contains(std::str::from_utf8(&manager).unwrap()));
}

#[derive(Default)]
struct Keys(BTreeMap<String, f64>);

impl Collector for Keys {
    type Error = std::convert::Infallible;
    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Self::Error> {
        self.0.insert(format!("{key}"), value as f64);
        Ok(())
    }
    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Self::Error> {
        let attribute = key
            .attribute
            .map_or(String::new(), |a| format!("{{{}}}", a.value));
        self.0.insert(format!("{key}{attribute}"), value);
        Ok(())
    }
    fn histogram(&mut self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Result<(), Self::Error> {
        self.0.insert(key.to_string(), h.count as f64);
        Ok(())
    }
}

#[test]
fn collect_uses_component_keys_beside_the_specs() {
    let mut keys = Keys::default();
    recorded().collect("wal", &mut keys).unwrap();
    let k = &keys.0;
    assert_eq!(
        k["wal_read_segment_header_samples_total"], 1.0,
        "the spec's keys stay"
    );
    assert_eq!(k["wal_segment_reader_open_segment_samples_total"], 1.0);
    assert_eq!(k["wal_segment_reader_verify_segment_max_seconds"], 150e6);
    assert_eq!(k["wal_segment_reader_chained_checksum_failures_total"], 1.0);
    assert_eq!(k["wal_segment_reader_block_checksum_failures_total"], 0.0);
    assert_eq!(k["wal_segment_preloader_stalls_total"], 1.0);
    assert_eq!(k["wal_segment_preloader_ready_ahead"], 2.0);
    assert_eq!(k["wal_recovery_events_replayed_total"], 100.0);
    assert_eq!(k["wal_recovery_bytes_replayed_total"], 8_320.0);
    assert_eq!(k["wal_recovery_segments"], 2.0);
    assert_eq!(k["wal_recovery_current_event_id"], 99.0);
    assert_eq!(k["wal_recovery_phase{replay}"], 1.0);
    assert_eq!(k["wal_recovery_phase{done}"], 0.0);
    assert_eq!(k["wal_recovery_eta_seconds"], 500e6, "in recorded ns");
}

#[test]
fn the_new_components_are_cache_line_aligned() {
    assert_eq!(std::mem::align_of::<SegmentReader>(), 64);
    assert_eq!(std::mem::align_of::<SegmentPreloader>(), 64);
    assert_eq!(std::mem::size_of::<SegmentReader>() % 64, 0);
    assert_eq!(std::mem::size_of::<SegmentPreloader>() % 64, 0);
}

#[test]
fn progress_never_goes_backwards_while_it_is_updated() {
    let recovery = Recovery::new();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let progress = &recovery.progress;
            progress.scanned(1_000, Some(64_000 - 1));
            progress.replay_started(0);
            for block in 0..1_000u64 {
                progress.replayed(64, 4_160, block * 64 + 63, block * 1_000_000);
                if block % 10 == 9 {
                    progress.segment_replayed();
                }
            }
            progress.set_phase(Phase::Done);
            done.store(true, Ordering::Release); // Release: the last read sees everything.
        });
        let mut previous = recovery.progress.snapshot();
        while !done.load(Ordering::Acquire) {
            let now = recovery.progress.snapshot();
            assert!(now.events_replayed >= previous.events_replayed);
            assert!(now.bytes_replayed >= previous.bytes_replayed);
            assert!(now.segments_replayed >= previous.segments_replayed);
            assert!(now.current_event_id >= previous.current_event_id);
            previous = now;
        }
    });
    let last = recovery.progress.snapshot();
    assert_eq!(
        (last.events_replayed, last.segments_replayed),
        (64_000, 100)
    );
    assert_eq!((last.phase, last.eta_ns), (Phase::Done, Some(0)));
    assert_eq!(last.current_event_id, Some(63_999));
}
