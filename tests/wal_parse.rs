//! The segment parser over arbitrary and mutated bytes: the CI counterpart of the cargo-fuzz
//! target in `fuzz/` (same entry point, `SegmentReader::from_bytes`). It must never panic or
//! read out of bounds; it accepts a segment only if it is consistent; and any change to a valid
//! segment that does not also fix up its CRCs is rejected.

use proptest::prelude::*;
use walrec::wal::format::{BLOCK_SIZE, HEADER_CRC_OFFSET, HEADER_SIZE, chain_crc, chain_seed};
use walrec::wal::{SegmentReader, SegmentWriter, WriterOptions};

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

/// Recomputes the header CRC and every whole block's CRC and chain, so that a mutation
/// reaches the field checks behind the CRCs.
fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_SIZE {
        return;
    }
    let crc = crc32c::crc32c(&bytes[..HEADER_CRC_OFFSET]);
    bytes[HEADER_CRC_OFFSET..HEADER_SIZE].copy_from_slice(&crc.to_le_bytes());
    let mut header = [0u8; HEADER_SIZE];
    header.copy_from_slice(&bytes[..HEADER_SIZE]);
    let mut chain = chain_seed(&header);
    for block in bytes[HEADER_SIZE..].chunks_exact_mut(BLOCK_SIZE) {
        let crc = crc32c::crc32c(&block[8..]);
        chain = chain_crc(chain, crc);
        block[..4].copy_from_slice(&crc.to_le_bytes());
        block[4..8].copy_from_slice(&chain.to_le_bytes());
    }
}

/// Reads every event and seeks around; checks what an accepted segment promises.
fn exercise(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(mut reader) = SegmentReader::from_bytes("proptest", bytes) else {
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
    prop_assert_eq!(count, header.event_count);
    let (first, last) = (header.first_event_id, header.last_event_id);
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
        bytes[..10].copy_from_slice(b"WALRSEG\0\x01\x00");
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
        let accepted = SegmentReader::from_bytes("proptest", &bytes).is_ok();
        if bytes != original && !fix_crcs {
            prop_assert!(!accepted, "a changed segment was accepted without fixed CRCs");
        }
        exercise(&bytes)?;
    }
}

#[test]
fn a_valid_segment_is_accepted() {
    let bytes = valid_segment(130);
    let mut reader = SegmentReader::from_bytes("memory", &bytes).unwrap();
    assert_eq!(reader.remaining(), 130);
    assert_eq!(reader.next().map(|e| e.id()), Some(1_000));
}
