//! A small WAL of many segments, written with the library (no binary needed), for the tests
//! that resume, stop and trace across segment boundaries.

use std::path::Path;

use walrec::wal::{SegmentWriter, WriterOptions};

/// Writes 1000 events, ids 1..=1000 (each payload its id's little-endian bytes), 3 blocks
/// (192 events) per segment, in 6 segments that start at 1, 193, 385, 577, 769 and 961.
pub fn six_segment_wal(dir: &Path) {
    let opts = WriterOptions {
        segment_bytes: super::segment_layout::segment_bytes(3),
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    for _ in 0..1000 {
        let id = writer.next_event_id();
        writer.append(id, 1, &id.to_le_bytes()).unwrap();
    }
    assert_eq!(writer.finish().unwrap().len(), 6);
}
