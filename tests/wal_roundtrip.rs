//! Write → read round trip: every event comes back as written, and seeks land on the first id
//! at or after the target, including before the first and after the last id.

mod support;

use std::path::{Path, PathBuf};
use support::segment_layout::{BLOCK, HEADER};

use proptest::prelude::*;
use walrec::wal::{RecoveryManager, SegmentWriter, VerifiedSegment, WalError, WriterOptions};

fn payload(id: u64) -> Vec<u8> {
    (0..id % 45)
        .map(|k| (id as u8).wrapping_mul(31).wrapping_add(k as u8))
        .collect()
}

fn write_wal(dir: &Path, events: u64, blocks_per_segment: u64, first_id: u64) -> Vec<PathBuf> {
    let opts = WriterOptions {
        segment_bytes: HEADER + blocks_per_segment * BLOCK,
        first_event_id: first_id,
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    for _ in 0..events {
        let id = writer.next_event_id();
        assert_eq!(
            writer
                .append(id ^ 0xABCD, (id % 7) as u16, &payload(id))
                .unwrap(),
            id
        );
    }
    writer.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn everything_written_is_read_back(
        events in 1u64..700,
        blocks_per_segment in 1u64..5,
        first_id in prop_oneof![0u64..3, 1_000u64..2_000, (u64::MAX - 2_000)..(u64::MAX - 700)],
        targets in prop::collection::vec(0u64..800, 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let files = write_wal(dir.path(), events, blocks_per_segment, first_id);
        let per_segment = blocks_per_segment * 64;
        prop_assert_eq!(files.len() as u64, events.div_ceil(per_segment));
        let last_id = first_id + events - 1;

        let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
        prop_assert_eq!(wal.event_count(), events);
        let mut expected = first_id;
        while let Some(event) = wal.next_event().unwrap() {
            prop_assert_eq!(event.id(), expected);
            prop_assert_eq!(event.timestamp_ns(), expected ^ 0xABCD);
            prop_assert_eq!(event.kind(), (expected % 7) as u16);
            prop_assert_eq!(event.payload(), &payload(expected)[..]);
            expected += 1;
        }
        prop_assert_eq!(expected, last_id + 1);

        for offset in targets {
            // Targets from before the first id to past the last.
            let target = first_id.saturating_add(offset).saturating_sub(3);
            let result = wal.resume_from_event(target);
            if target < first_id {
                let is_before = matches!(result, Err(WalError::EventBeforeWal { .. }));
                prop_assert!(is_before);
                continue;
            }
            if target > last_id {
                prop_assert_eq!(result.unwrap(), None);
                prop_assert!(wal.next_event().unwrap().is_none());
                continue;
            }
            prop_assert_eq!(result.unwrap(), Some(target));
            let mut id = target;
            while let Some(event) = wal.next_event().unwrap() {
                prop_assert_eq!(event.id(), id);
                id += 1;
            }
            prop_assert_eq!(id, last_id + 1);
        }
    }

    #[test]
    fn segment_reader_seeks_to_the_first_id_at_or_after_the_target(
        events in 1u64..400,
        first_id in 0u64..100,
        targets in prop::collection::vec(0u64..600, 1..16),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let files = write_wal(dir.path(), events, 16, first_id);
        prop_assert_eq!(files.len(), 1);
        let mut reader = VerifiedSegment::open(&files[0]).unwrap();
        let last_id = first_id + events - 1;
        for target in targets {
            let landed = reader.seek(target);
            if target > last_id {
                prop_assert_eq!(landed, None);
                prop_assert!(reader.next().is_none());
                prop_assert_eq!(reader.remaining(), 0);
            } else {
                let want = target.max(first_id);
                prop_assert_eq!(landed, Some(want));
                prop_assert_eq!(reader.remaining(), last_id + 1 - want);
                prop_assert_eq!(reader.next().map(|e| e.id()), Some(want));
            }
        }
    }
}

#[test]
fn ids_up_to_the_largest_u64() {
    let dir = tempfile::tempdir().unwrap();
    write_wal(dir.path(), 100, 1, u64::MAX - 99);
    let mut wal = RecoveryManager::open_untimed(dir.path()).unwrap();
    assert_eq!(wal.last_event_id(), u64::MAX);
    assert_eq!(wal.resume_from_event(u64::MAX).unwrap(), Some(u64::MAX));
    assert_eq!(wal.next_event().unwrap().map(|e| e.id()), Some(u64::MAX));
    assert!(wal.next_event().unwrap().is_none());
}

#[test]
fn the_writer_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let small = WriterOptions {
        segment_bytes: HEADER + BLOCK - 1,
        ..WriterOptions::default()
    };
    assert!(matches!(
        SegmentWriter::create(dir.path(), small),
        Err(WalError::BadOption { .. })
    ));
    let opts = WriterOptions {
        sync: false,
        first_event_id: u64::MAX,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir.path(), opts).unwrap();
    assert!(matches!(
        writer.append(0, 0, &[0; 45]),
        Err(WalError::PayloadTooLarge { len: 45, max: 44 })
    ));
    assert_eq!(writer.append(0, 0, b"").unwrap(), u64::MAX);
    assert!(matches!(
        writer.append(0, 0, b""),
        Err(WalError::IdOverflow { .. })
    ));
    drop(writer);
    write_wal(&dir.path().join("w"), 3, 1, 1);
    let again = SegmentWriter::create(dir.path().join("w"), WriterOptions::default());
    assert!(matches!(again, Err(WalError::NotEmpty { .. })));
}
