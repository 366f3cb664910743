//! Fuzzes segment parsing: `SegmentReader::from_bytes`, then reading and seeking in whatever it
//! accepts (for an unsealed segment, its intact prefix). `bash scripts/fuzz.sh segment` from
//! the repository root (seeds real segments, sets `-max_len`).
//!
//! The first input byte picks a mode. With its low bit clear the rest is the segment as is, which
//! mostly exercises the magic, version, length and CRC checks. With it set, the header CRC and
//! every block's CRC and chain are recomputed first, so that the fuzzer reaches the field checks
//! behind them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use walrec::wal::SegmentReader;
use walrec::wal::format::{
    BLOCK_COUNT_OFFSET, BLOCK_EVENTS, BLOCK_HEADER_SIZE, HEADER_CRC_OFFSET,
    HEADER_SIZE, block_len, chain_crc, chain_seed,
};

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
    let first = reader.header().first_event_id;
    let mut expected = first;
    let mut count = 0u64;
    while let Some(event) = reader.next() {
        assert_eq!(event.id(), expected);
        assert!(event.payload().len() <= 44);
        expected = expected.wrapping_add(1);
        count += 1;
    }
    assert_eq!(count, reader.event_count());
    if let Some(discarded) = reader.discarded() {
        assert_eq!(discarded.offset + discarded.bytes, bytes.len() as u64);
    }
    let Some(last) = reader.last_event_id() else {
        return;
    };
    assert_eq!(reader.seek(first.saturating_sub(1)), Some(first));
    assert_eq!(reader.seek(last), Some(last));
    if let Some(after) = last.checked_add(1) {
        assert_eq!(reader.seek(after), None);
    }
});

/// Recomputes the header CRC and the CRC and chain of every block whose extent fits.
fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_SIZE {
        return;
    }
    let crc = crc32c::crc32c(&bytes[..HEADER_CRC_OFFSET]);
    bytes[HEADER_CRC_OFFSET..HEADER_SIZE].copy_from_slice(&crc.to_le_bytes());
    let mut header = [0u8; HEADER_SIZE];
    header.copy_from_slice(&bytes[..HEADER_SIZE]);
    let mut chain = chain_seed(&header);
    let mut at = HEADER_SIZE;
    while at + BLOCK_HEADER_SIZE <= bytes.len() {
        let field = at + BLOCK_COUNT_OFFSET;
        let count = u32::from_le_bytes(bytes[field..field + 4].try_into().unwrap()) as usize;
        let len = block_len(count.min(BLOCK_EVENTS));
        if count == 0 || count > BLOCK_EVENTS || at + len > bytes.len() {
            return;
        }
        let block = &mut bytes[at..at + len];
        let crc = crc32c::crc32c(&block[8..]);
        chain = chain_crc(chain, crc);
        block[..4].copy_from_slice(&crc.to_le_bytes());
        block[4..8].copy_from_slice(&chain.to_le_bytes());
        at += len;
    }
}
