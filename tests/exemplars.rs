//! The exemplar slot: each interval's exemplar is its slowest sample, with that sample's own
//! trace context, time and event id — never a mix of two samples — under concurrent
//! recording and taking.

use std::sync::atomic::{AtomicBool, Ordering};

use walrec::telemetry::{Exemplar, LatencyHistogram, Manager, TraceContext};

/// Everything about sample `i` follows from `i`, so a torn exemplar cannot pass for a real one.
fn value(i: u64) -> u64 {
    1 + (i * 2_654_435_761) % 1_000_000
}

fn trace(i: u64) -> TraceContext {
    let mut trace_id = [0u8; 16];
    trace_id[..8].copy_from_slice(&i.to_be_bytes());
    trace_id[8..].copy_from_slice(&(!i).to_be_bytes());
    TraceContext {
        trace_id,
        span_id: (i ^ 0xA5A5).to_be_bytes(),
        sampled: i % 2 == 0,
    }
}

fn sample(i: u64) -> Exemplar {
    Exemplar {
        value_ns: value(i),
        time_ns: i * 10,
        trace: Some(trace(i)),
        event_id: Some(i),
    }
}

#[test]
fn each_interval_gives_its_slowest_sample_then_starts_afresh() {
    let histogram = LatencyHistogram::new();
    let writer = histogram.writer();
    for i in 0..1_000 {
        writer.record_with_exemplar(value(i), || sample(i));
    }
    let slowest = (0..1_000).max_by_key(|&i| value(i)).unwrap();
    assert_eq!(histogram.take_exemplar(), Some(sample(slowest)));
    assert_eq!(
        histogram.take_exemplar(),
        None,
        "nothing recorded in the next interval"
    );
    writer.record_with_exemplar(5, || sample(7));
    let small = histogram.take_exemplar().unwrap();
    assert_eq!(
        (small.value_ns, small.event_id),
        (5, Some(7)),
        "a small value starts a new one"
    );
    assert_eq!(
        histogram.snapshot().count,
        1_001,
        "exemplars do not change the counts"
    );
}

#[test]
fn an_exemplar_taken_while_recording_is_always_one_whole_real_sample() {
    let histogram = LatencyHistogram::new();
    let done = AtomicBool::new(false);
    let mut taken = 0u64;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let writer = histogram.writer();
            for i in 0..3_000_000 {
                writer.record_with_exemplar(value(i), || sample(i));
            }
            done.store(true, Ordering::Release); // Release: the last take sees every sample.
        });
        while !done.load(Ordering::Acquire) {
            if let Some(exemplar) = histogram.take_exemplar() {
                let id = exemplar.event_id.expect("every sample has an id");
                assert_eq!(exemplar, sample(id), "torn or made-up exemplar");
                taken += 1;
            }
        }
    });
    assert!(taken > 0, "the reader saw exemplars while the writer ran");
}

#[test]
fn the_updater_gives_the_pending_sample_its_own_event_id_and_trace() {
    let manager = Manager::new();
    let updater = manager.updater();
    updater.set_trace_context(Some(trace(1)));
    let mut t = 0;
    for id in 100..110 {
        t = updater.on_next_event_with_id(t, id);
    }
    updater.set_trace_context(Some(trace(2))); // applies to samples published from now on
    updater.flush();
    let exemplar = manager
        .take_next_event_exemplar()
        .expect("samples were recorded");
    let id = exemplar.event_id.unwrap();
    assert!((100..110).contains(&id));
    assert!(exemplar.trace.is_some());
    drop(updater);
    assert_eq!(manager.take_next_event_exemplar(), None);
}

#[test]
fn a_sample_held_back_at_a_trace_switch_keeps_the_trace_it_happened_in() {
    let manager = Manager::new();
    let updater = manager.updater();
    updater.set_trace_context(Some(trace(1)));
    let mut t = walrec::telemetry::clock::now_ns();
    for id in 100..109 {
        t = updater.on_next_event_with_id(t, id);
    }
    // Started at the clock's origin: by far the slowest sample, and the one still held back
    // (published one call late) when the replay moves on to the next segment's span.
    updater.on_next_event_with_id(0, 109);
    updater.set_trace_context(Some(trace(2)));
    updater.on_next_event_with_id(walrec::telemetry::clock::now_ns(), 200);
    updater.flush();
    let exemplar = manager
        .take_next_event_exemplar()
        .expect("samples were recorded");
    assert_eq!(exemplar.event_id, Some(109));
    assert_eq!(
        exemplar.trace,
        Some(trace(1)),
        "the sample belongs to the span it was timed in, not the next one"
    );
}
