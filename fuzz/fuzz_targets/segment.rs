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
use walrec::wal::format::reseal;

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

