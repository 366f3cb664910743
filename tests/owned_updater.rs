//! `OwnedManagerUpdater`: an engine can hold its manager and updater together; what it records
//! is what a borrowed updater records, and dropping it publishes the pending sample.

use std::sync::Arc;

use walrec::telemetry::{Manager, OwnedManagerUpdater, clock};

struct Engine {
    telemetry: OwnedManagerUpdater,
    replayed: u64,
}

impl Engine {
    fn replay(&mut self, events: u64) {
        let hooks = self.telemetry.updater();
        let mut start = hooks.on_seek_event(clock::now_ns());
        for _ in 0..events {
            start = hooks.on_next_event(start);
            self.replayed += 1;
        }
    }
}

#[test]
fn an_engine_holds_its_updater_and_drop_publishes_everything() {
    let manager = Arc::new(Manager::new());
    let mut engine = Engine {
        telemetry: OwnedManagerUpdater::new(Arc::clone(&manager)),
        replayed: 0,
    };
    engine.replay(1_000);
    assert_eq!(
        manager.snapshot().next_event.samples,
        999,
        "one sample pending"
    );
    assert!(Arc::ptr_eq(engine.telemetry.manager(), &manager));
    drop(engine);
    let s = manager.snapshot();
    assert_eq!((s.next_event.samples, s.seek_event.samples), (1_000, 1));
    assert_eq!(
        Arc::strong_count(&manager),
        1,
        "the engine released its reference"
    );
}

#[test]
fn the_owned_updater_outlives_every_other_reference_and_moves_across_threads() {
    let owned = OwnedManagerUpdater::new(Arc::new(Manager::new()));
    let owned = std::thread::spawn(move || {
        owned.updater().record_next_event(0, 42);
        owned
    })
    .join()
    .unwrap();
    let s = owned.manager().snapshot();
    assert_eq!((s.next_event.samples, s.next_event.max_ns), (1, 42));
}
