//! The segment parser over arbitrary and mutated bytes: the CI counterpart of the cargo-fuzz
//! target in `fuzz/` (same entry point, `VerifiedSegment::from_bytes`). It must never panic or
//! read out of bounds; it accepts a segment only if it is consistent; and any change to a valid
//! segment that does not also fix up its CRCs is rejected.

use proptest::prelude::*;
use walrec::wal::format::{HEADER_SIZE, block_len, reseal};
use walrec::wal::{SegmentWriter, VerifiedSegment, WriterOptions};

/// One valid segment of `events` events, as bytes.
fn valid_segment(events: u64) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriterOptions {
        sync: false,
        first_event_id: 1_000,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir.path(), opts).unwrap();
    for i in 0..events {
        writer.append(i, i as u16, &[i as u8; 9]).unwrap();
    }
    let files = writer.finish().unwrap();
    std::fs::read(&files[0]).unwrap()
}

/// One unsealed segment (a crashed writer's live one) of `events` events in blocks of 5, as
/// bytes.
fn unsealed_segment(events: u64) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriterOptions {
        sync_every_events: 5,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir.path(), opts).unwrap();
    for i in 0..events {
        writer.append(i, i as u16, &[i as u8; 9]).unwrap();
    }
    writer.sync().unwrap();
    drop(writer);
    std::fs::read(dir.path().join(walrec::wal::segment_file_name(0))).unwrap()
}

/// Reads every event and seeks around; checks what an accepted segment promises.
fn exercise(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(mut reader) = VerifiedSegment::from_bytes("proptest", bytes) else {
        return Ok(());
    };
    let header = *reader.header();
    let mut expected = header.first_event_id;
    let mut count = 0u64;
    while let Some(event) = reader.next() {
        prop_assert_eq!(event.id(), expected);
        prop_assert!(event.payload().len() <= 44);
        expected = expected.wrapping_add(1);
        count += 1;
    }
    prop_assert_eq!(count, reader.event_count());
    if header.sealed {
        prop_assert_eq!(count, header.event_count);
    }
    if let Some(discarded) = reader.discarded() {
        prop_assert_eq!(discarded.offset + discarded.bytes, bytes.len() as u64);
    }
    let Some(last) = reader.last_event_id() else {
        return Ok(());
    };
    let first = header.first_event_id;
    prop_assert_eq!(reader.seek(first.saturating_sub(1)), Some(first));
    prop_assert_eq!(reader.seek(last), Some(last));
    prop_assert_eq!(
        reader.seek(first + (last - first) / 2),
        Some(first + (last - first) / 2)
    );
    if let Some(after) = last.checked_add(1) {
        prop_assert_eq!(reader.seek(after), None);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..9_000)) {
        exercise(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_behind_a_valid_magic_never_panic(
        mut bytes in prop::collection::vec(any::<u8>(), 128..9_000),
        fix_crcs in any::<bool>(),
    ) {
        bytes[..10].copy_from_slice(b"WALRSEG\0\x02\x00");
        if fix_crcs {
            reseal(&mut bytes);
        }
        exercise(&bytes)?;
    }

    #[test]
    fn mutated_segments_are_rejected_unless_resealed(
        events in 1u64..200,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..6),
        resize in prop_oneof![Just(None), (0usize..20_000).prop_map(Some)],
        fix_crcs in any::<bool>(),
    ) {
        let original = valid_segment(events);
        let mut bytes = original.clone();
        for (at, xor) in &flips {
            bytes[at.index(original.len())] ^= xor;
        }
        if let Some(len) = resize {
            bytes.resize(len, 0);
        }
        if fix_crcs {
            reseal(&mut bytes);
        }
        let accepted = VerifiedSegment::from_bytes("proptest", &bytes).is_ok();
        if bytes != original && !fix_crcs {
            prop_assert!(!accepted, "a changed segment was accepted without fixed CRCs");
        }
        exercise(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever a crash does to the end of an unsealed segment, the reader accepts it with
    /// exactly the blocks before the first changed byte.
    #[test]
    fn a_damaged_unsealed_tail_yields_the_blocks_before_the_damage(
        events in 1u64..200,
        cut in any::<prop::sample::Index>(),
        garbage in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let original = unsealed_segment(events);
        let at = HEADER_SIZE + cut.index(original.len() - HEADER_SIZE + 1);
        let mut bytes = original[..at].to_vec();
        bytes.extend(&garbage);
        let reader = VerifiedSegment::from_bytes("proptest", &bytes);
        prop_assert!(reader.is_ok(), "{:?}", reader.err());
        // Blocks of 5 events (the sync policy), 64 + 5 × 64 bytes, except the last one.
        let whole_blocks = (at - HEADER_SIZE) / block_len(5);
        let intact = (whole_blocks as u64 * 5).min(events);
        let changed = garbage.first().is_some_and(|&b| original.get(at) != Some(&b));
        let got = reader.unwrap().event_count();
        if changed || garbage.is_empty() {
            prop_assert!(got == intact || (at == original.len() && got == events), "{} vs {}", got, intact);
        }
        exercise(&bytes)?;
    }
}

#[test]
fn a_valid_segment_is_accepted() {
    let bytes = valid_segment(130);
    let mut reader = VerifiedSegment::from_bytes("memory", &bytes).unwrap();
    assert_eq!(reader.remaining(), 130);
    assert_eq!(reader.next().map(|e| e.id()), Some(1_000));
}
