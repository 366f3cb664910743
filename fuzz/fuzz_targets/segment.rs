//! Fuzzes segment parsing: `SegmentReader::from_bytes`, then reading and seeking in whatever it
//! accepts. `cargo +nightly fuzz run segment` from the repository root.
//!
//! The first input byte picks a mode. With its low bit clear the rest is the segment as is, which
//! mostly exercises the magic, version, length and CRC checks. With it set, the header CRC and
//! every block's CRC and chain are recomputed first, so that the fuzzer reaches the field checks
//! behind them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use walrec::wal::SegmentReader;
use walrec::wal::format::{BLOCK_SIZE, HEADER_CRC_OFFSET, HEADER_SIZE, chain_crc, chain_seed};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 {
        reseal(&mut bytes);
    }
    let Ok(mut reader) = SegmentReader::from_bytes("fuzz", &bytes) else {
        return;
    };
    let header = *reader.header();
    let mut expected = header.first_event_id;
    let mut count = 0u64;
    while let Some(event) = reader.next() {
        assert_eq!(event.id(), expected);
        assert!(event.payload().len() <= 44);
        expected = expected.wrapping_add(1);
        count += 1;
    }
    assert_eq!(count, header.event_count);
    let (first, last) = (header.first_event_id, header.last_event_id);
    assert_eq!(reader.seek(first.saturating_sub(1)), Some(first));
    assert_eq!(reader.seek(last), Some(last));
    if let Some(after) = last.checked_add(1) {
        assert_eq!(reader.seek(after), None);
    }
});

/// Recomputes the header CRC and every whole block's CRC and chain.
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
