//! Fuzzes the flight-recording reader: any bytes give a recording or an error, never a panic,
//! and whatever reads back can be merged and reported (the work `walrec report` does).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use walrec::recording::{Recording, Window};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(recording) = Recording::parse(bytes, Path::new("fuzz.walrec")) {
        for instance in 0..recording.header.instances.len() {
            let merged = recording.merged(instance, Window::default());
            let _ = merged.next_event_histogram.value_at_quantile(0.99);
            if let Some(recovery) = recording.merged_recovery(instance, Window::default()) {
                let _ = recovery.dump("fuzz", &mut std::io::sink());
            }
        }
        let _ = recording.rows(Window::default());
        let _ = recording.ticks(Window::default());
    }
});
