//! Fuzzes tail recovery: the input is the last segment of a WAL whose first segment is a real,
//! sound one (events 1..=100); a tolerate-tail replay of the directory must succeed or fail
//! with an error, never panic, and what it replays must be ids 1, 2, 3, ... with nothing
//! repeated. `bash scripts/fuzz.sh tail_recovery`.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use walrec::wal::{
    NoTelemetry, RecoveryManager, RecoveryOptions, SegmentWriter, WriterOptions, segment_file_name,
};

/// A directory with one sealed segment of events 1..=100, made once per process.
fn wal_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("walrec-fuzz-tail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let opts = WriterOptions {
            sync: false,
            ..WriterOptions::default()
        };
        let mut writer = SegmentWriter::create(&dir, opts).expect("a writer");
        for id in 1..=100u64 {
            writer.append(id, 1, &id.to_le_bytes()).expect("append");
        }
        writer.finish().expect("seal");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = wal_dir();
    std::fs::write(dir.join(segment_file_name(1)), data).expect("write the tail segment");
    let options = RecoveryOptions::default();
    let Ok(mut wal) = RecoveryManager::with_options(dir, NoTelemetry, options) else {
        return;
    };
    let mut expected = 1u64;
    while let Ok(Some(event)) = wal.next_event() {
        assert_eq!(event.id(), expected);
        expected += 1;
    }
    assert!(expected > 100, "the sound first segment is replayed whole");
});
