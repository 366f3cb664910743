//! The on-disk layout: constants, header and block-header encoding, and the zero-copy event
//! view. The tables are in the [module docs](super).

/// The first 8 bytes of every segment.
pub const MAGIC: [u8; 8] = *b"WALRSEG\0";
/// The format version this code reads and writes.
pub const VERSION: u16 = 2;
/// Bytes in the segment header.
pub const HEADER_SIZE: usize = 128;
/// Offset of the header CRC (it covers the bytes before it).
pub const HEADER_CRC_OFFSET: usize = 124;
/// Bytes per event slot.
pub const EVENT_SIZE: usize = 64;
/// Event slots per block.
pub const BLOCK_EVENTS: usize = 64;
/// Bytes in a block header.
pub const BLOCK_HEADER_SIZE: usize = 64;
/// Bytes in a full block (64 events): header plus slots. A block of `n` events is
/// [`block_len`]`(n)` bytes.
pub const BLOCK_SIZE: usize = BLOCK_HEADER_SIZE + BLOCK_EVENTS * EVENT_SIZE;
/// Offset within a block where the bytes covered by `block_crc` begin.
pub const BLOCK_CRC_START: usize = 8;
/// The most payload bytes an event can carry.
pub const MAX_PAYLOAD: usize = EVENT_SIZE - EVENT_PAYLOAD_OFFSET;

/// Offset of `version` in the header.
pub const VERSION_OFFSET: usize = 8;
/// Offset of `flags` in the header.
pub const FLAGS_OFFSET: usize = 72;
/// The `flags` bit set once the writer has sealed the segment.
pub const FLAG_SEALED: u32 = 1;
/// Offset of `event_count` in a block header.
pub const BLOCK_COUNT_OFFSET: usize = 12;

/// Bytes in a block of `events` events: its header and one slot per event.
#[inline(always)]
pub const fn block_len(events: usize) -> usize {
    BLOCK_HEADER_SIZE + events * EVENT_SIZE
}
const EVENT_PAYLOAD_OFFSET: usize = 20;

/// Reads a little-endian `u16` at `at`. Callers pass slices whose length the format fixes, so
/// `at + 2 <= bytes.len()` always holds; a shorter slice reads as zero rather than panicking.
#[inline(always)]
pub(crate) fn le_u16(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at + 2) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

/// Reads a little-endian `u32` at `at`; see [`le_u16`].
#[inline(always)]
pub(crate) fn le_u32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// Reads a little-endian `u64` at `at`; see [`le_u16`].
#[inline(always)]
pub(crate) fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut raw = [0u8; 8];
    if let Some(src) = bytes.get(at..at + 8) {
        raw.copy_from_slice(src);
    }
    u64::from_le_bytes(raw)
}

fn put(bytes: &mut [u8], at: usize, value: &[u8]) {
    bytes[at..at + value.len()].copy_from_slice(value);
}

/// The decoded segment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Position of the segment in the WAL; matches the file name.
    pub segment_index: u64,
    /// Id of the first event.
    pub first_event_id: u64,
    /// Id of the last event.
    pub last_event_id: u64,
    /// Number of events.
    pub event_count: u64,
    /// Number of blocks.
    pub block_count: u64,
    /// Wall-clock nanoseconds since the Unix epoch when the segment was opened for writing.
    pub created_unix_ns: u64,
    /// Wall-clock nanoseconds since the Unix epoch when the segment was sealed.
    pub closed_unix_ns: u64,
    /// Whether the writer sealed the segment. An unsealed segment (the live one, or the last
    /// one after a crash) has zero counts in its header: its events are what its blocks hold.
    pub sealed: bool,
    /// CRC32C of header bytes 0..124, as stored.
    pub header_crc: u32,
}

/// Why raw header bytes are not a valid version-1 header; the reader adds file and offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    Magic([u8; 8]),
    Version(u16),
    Crc { stored: u32, computed: u32 },
    Field { offset: usize, what: &'static str },
}

impl SegmentHeader {
    /// The length in bytes of a sealed segment with this header (a header and a block header
    /// and a slot per event), or `None` on overflow. An unsealed segment has no fixed length.
    pub fn file_len(&self) -> Option<u64> {
        self.block_count
            .checked_add(self.event_count)?
            .checked_mul(EVENT_SIZE as u64)?
            .checked_add(HEADER_SIZE as u64)
    }

    /// Encodes the header, computing its CRC (the `header_crc` field is ignored).
    pub fn encode(&self) -> [u8; HEADER_SIZE] {
        let mut b = [0u8; HEADER_SIZE];
        put(&mut b, 0, &MAGIC);
        put(&mut b, VERSION_OFFSET, &VERSION.to_le_bytes());
        put(&mut b, 10, &(HEADER_SIZE as u16).to_le_bytes());
        put(&mut b, 12, &(BLOCK_EVENTS as u16).to_le_bytes());
        put(&mut b, 14, &(EVENT_SIZE as u16).to_le_bytes());
        put(&mut b, 16, &self.segment_index.to_le_bytes());
        put(&mut b, 24, &self.first_event_id.to_le_bytes());
        put(&mut b, 32, &self.last_event_id.to_le_bytes());
        put(&mut b, 40, &self.event_count.to_le_bytes());
        put(&mut b, 48, &self.block_count.to_le_bytes());
        put(&mut b, 56, &self.created_unix_ns.to_le_bytes());
        put(&mut b, 64, &self.closed_unix_ns.to_le_bytes());
        let flags = if self.sealed { FLAG_SEALED } else { 0 };
        put(&mut b, FLAGS_OFFSET, &flags.to_le_bytes());
        let crc = crc32c::crc32c(&b[..HEADER_CRC_OFFSET]);
        put(&mut b, HEADER_CRC_OFFSET, &crc.to_le_bytes());
        b
    }

    /// Decodes and validates a header: magic, then version (a different version may put its CRC
    /// elsewhere), then CRC, then the fields' consistency.
    pub(crate) fn decode(b: &[u8; HEADER_SIZE]) -> Result<Self, HeaderProblem> {
        let mut magic = [0u8; 8];
        magic.copy_from_slice(&b[..8]);
        if magic != MAGIC {
            return Err(HeaderProblem::Magic(magic));
        }
        let version = le_u16(b, VERSION_OFFSET);
        if version != VERSION {
            return Err(HeaderProblem::Version(version));
        }
        let stored = le_u32(b, HEADER_CRC_OFFSET);
        let computed = crc32c::crc32c(&b[..HEADER_CRC_OFFSET]);
        if stored != computed {
            return Err(HeaderProblem::Crc { stored, computed });
        }
        let flags = le_u32(b, FLAGS_OFFSET);
        let header = SegmentHeader {
            sealed: flags & FLAG_SEALED != 0,
            segment_index: le_u64(b, 16),
            first_event_id: le_u64(b, 24),
            last_event_id: le_u64(b, 32),
            event_count: le_u64(b, 40),
            block_count: le_u64(b, 48),
            created_unix_ns: le_u64(b, 56),
            closed_unix_ns: le_u64(b, 64),
            header_crc: stored,
        };
        check_geometry(b)?;
        if flags & !FLAG_SEALED != 0 {
            return Err(HeaderProblem::Field {
                offset: FLAGS_OFFSET,
                what: "unknown flags are set",
            });
        }
        if header.sealed {
            header.check_counts()?;
        } else {
            header.check_unsealed()?;
        }
        Ok(header)
    }

    fn check_counts(&self) -> Result<(), HeaderProblem> {
        let field = |offset, what| Err(HeaderProblem::Field { offset, what });
        if self.event_count == 0 {
            return field(
                40,
                "event_count is 0; a sealed segment holds at least one event",
            );
        }
        if self.first_event_id.checked_add(self.event_count - 1) != Some(self.last_event_id) {
            return field(32, "last_event_id is not first_event_id + event_count - 1");
        }
        if self.block_count < self.event_count.div_ceil(BLOCK_EVENTS as u64)
            || self.block_count > self.event_count
        {
            return field(
                48,
                "block_count is not between ceil(event_count / 64) and event_count",
            );
        }
        Ok(())
    }

    /// An unsealed header carries no counts: they are only known when the segment is sealed.
    fn check_unsealed(&self) -> Result<(), HeaderProblem> {
        let counts = [
            (32, self.last_event_id),
            (40, self.event_count),
            (48, self.block_count),
            (64, self.closed_unix_ns),
        ];
        match counts.iter().find(|(_, value)| *value != 0) {
            Some(&(offset, _)) => Err(HeaderProblem::Field {
                offset,
                what: "an unsealed segment's header has a non-zero count or close time",
            }),
            None => Ok(()),
        }
    }
}

fn check_geometry(b: &[u8; HEADER_SIZE]) -> Result<(), HeaderProblem> {
    let expect = [
        (10, HEADER_SIZE, "header_size is not 128"),
        (12, BLOCK_EVENTS, "block_events is not 64"),
        (14, EVENT_SIZE, "event_size is not 64"),
    ];
    for (offset, want, what) in expect {
        if usize::from(le_u16(b, offset)) != want {
            return Err(HeaderProblem::Field { offset, what });
        }
    }
    if b[FLAGS_OFFSET + 4..HEADER_CRC_OFFSET]
        .iter()
        .any(|&x| x != 0)
    {
        return Err(HeaderProblem::Field {
            offset: FLAGS_OFFSET + 4,
            what: "reserved header bytes are not zero",
        });
    }
    Ok(())
}

/// The fields of a block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockHeader {
    pub block_crc: u32,
    pub chain_crc: u32,
    pub block_index: u32,
    pub event_count: u32,
    pub first_event_id: u64,
    pub last_event_id: u64,
}

impl BlockHeader {
    /// Decodes the block header at the start of `block` (at least its 64-byte header).
    pub(crate) fn decode(block: &[u8]) -> Self {
        BlockHeader {
            block_crc: le_u32(block, 0),
            chain_crc: le_u32(block, 4),
            block_index: le_u32(block, 8),
            event_count: le_u32(block, 12),
            first_event_id: le_u64(block, 16),
            last_event_id: le_u64(block, 24),
        }
    }

    /// Writes the index, count and ids into `block` (exactly [`block_len`] of its count), then
    /// its CRC and the chain CRC that follows `prev_chain`. Returns the new chain CRC.
    pub(crate) fn seal(block: &mut [u8], fields: &BlockHeader, prev_chain: u32) -> u32 {
        put(block, 8, &fields.block_index.to_le_bytes());
        put(block, 12, &fields.event_count.to_le_bytes());
        put(block, 16, &fields.first_event_id.to_le_bytes());
        put(block, 24, &fields.last_event_id.to_le_bytes());
        let block_crc = crc32c::crc32c(&block[BLOCK_CRC_START..]);
        let chain = chain_crc(prev_chain, block_crc);
        put(block, 0, &block_crc.to_le_bytes());
        put(block, 4, &chain.to_le_bytes());
        chain
    }
}

/// Header bytes covered by the chain seed: magic through `first_event_id`, which the writer
/// knows when it opens the segment (the rest of the header is only known when it is sealed).
pub const CHAIN_SEED_BYTES: usize = 32;

/// The "previous chain CRC" of block 0: CRC32C of header bytes 0..32.
#[inline]
pub fn chain_seed(header: &[u8; HEADER_SIZE]) -> u32 {
    crc32c::crc32c(&header[..CHAIN_SEED_BYTES])
}

/// The chain CRC that follows `prev_chain` for a block whose CRC is `block_crc`.
#[inline]
pub fn chain_crc(prev_chain: u32, block_crc: u32) -> u32 {
    let mut link = [0u8; 8];
    link[..4].copy_from_slice(&prev_chain.to_le_bytes());
    link[4..].copy_from_slice(&block_crc.to_le_bytes());
    crc32c::crc32c(&link)
}

/// Recomputes the header CRC and every block's CRC and chain link in `bytes` (a segment image,
/// possibly altered), stopping at the first block whose event count or extent does not fit.
/// For tests and fuzzing: it turns arbitrary changes of a segment's fields into a segment whose
/// checksums hold, so that what gets exercised is the field validation behind them.
pub fn reseal(bytes: &mut [u8]) {
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
        let count = le_u32(bytes, at + BLOCK_COUNT_OFFSET) as usize;
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

/// Encodes one event into a zeroed slot. `payload` must be at most [`MAX_PAYLOAD`] bytes (the
/// writer checks this first).
pub(crate) fn encode_event(slot: &mut [u8], id: u64, timestamp_ns: u64, kind: u16, payload: &[u8]) {
    let len = payload.len().min(MAX_PAYLOAD);
    put(slot, 0, &id.to_le_bytes());
    put(slot, 8, &timestamp_ns.to_le_bytes());
    put(slot, 16, &kind.to_le_bytes());
    put(slot, 18, &(len as u16).to_le_bytes());
    put(slot, EVENT_PAYLOAD_OFFSET, &payload[..len]);
}

/// One event, read in place from the reader's verified buffer: no copy until a field is read.
#[derive(Clone, Copy)]
pub struct EventView<'a> {
    bytes: &'a [u8; EVENT_SIZE],
}

impl<'a> EventView<'a> {
    /// A view of one 64-byte event slot.
    #[inline(always)]
    pub fn new(bytes: &'a [u8; EVENT_SIZE]) -> Self {
        EventView { bytes }
    }

    /// The event id.
    #[inline(always)]
    pub fn id(&self) -> u64 {
        le_u64(self.bytes, 0)
    }

    /// The producer's timestamp.
    #[inline(always)]
    pub fn timestamp_ns(&self) -> u64 {
        le_u64(self.bytes, 8)
    }

    /// The producer's event type.
    #[inline(always)]
    pub fn kind(&self) -> u16 {
        le_u16(self.bytes, 16)
    }

    /// The payload, at most [`MAX_PAYLOAD`] bytes (the reader has checked `payload_len`; a
    /// larger stored length is cut to the slot, never read past it).
    #[inline(always)]
    pub fn payload(&self) -> &'a [u8] {
        let len = usize::from(le_u16(self.bytes, 18)).min(MAX_PAYLOAD);
        let bytes: &'a [u8; EVENT_SIZE] = self.bytes;
        &bytes[EVENT_PAYLOAD_OFFSET..EVENT_PAYLOAD_OFFSET + len]
    }

    /// The raw 64-byte slot.
    #[inline(always)]
    pub fn as_bytes(&self) -> &'a [u8; EVENT_SIZE] {
        self.bytes
    }
}

impl std::fmt::Debug for EventView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventView")
            .field("id", &self.id())
            .field("timestamp_ns", &self.timestamp_ns())
            .field("kind", &self.kind())
            .field("payload", &self.payload())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> SegmentHeader {
        SegmentHeader {
            segment_index: 3,
            first_event_id: 100,
            last_event_id: 199,
            event_count: 100,
            block_count: 2,
            created_unix_ns: 1,
            closed_unix_ns: 2,
            sealed: true,
            header_crc: 0,
        }
    }

    #[test]
    fn header_round_trips() {
        let bytes = header().encode();
        let decoded = SegmentHeader::decode(&bytes).unwrap();
        assert_eq!(decoded.header_crc, le_u32(&bytes, HEADER_CRC_OFFSET));
        assert_eq!(
            SegmentHeader {
                header_crc: 0,
                ..decoded
            },
            header()
        );
    }

    #[test]
    fn header_rejects_inconsistent_counts() {
        let bad = SegmentHeader {
            block_count: 1,
            ..header()
        };
        assert!(matches!(
            SegmentHeader::decode(&bad.encode()),
            Err(HeaderProblem::Field { offset: 48, .. })
        ));
    }

    #[test]
    fn unsealed_header_round_trips_and_must_have_zero_counts() {
        let open = SegmentHeader {
            last_event_id: 0,
            event_count: 0,
            block_count: 0,
            closed_unix_ns: 0,
            sealed: false,
            ..header()
        };
        assert!(!SegmentHeader::decode(&open.encode()).unwrap().sealed);
        let bad = SegmentHeader {
            event_count: 3,
            ..open
        };
        assert!(matches!(
            SegmentHeader::decode(&bad.encode()),
            Err(HeaderProblem::Field { offset: 40, .. })
        ));
    }

    #[test]
    fn event_round_trips_and_clamps_payload() {
        let mut slot = [0u8; EVENT_SIZE];
        encode_event(&mut slot, 7, 8, 9, b"hello");
        let view = EventView::new(&slot);
        assert_eq!((view.id(), view.timestamp_ns(), view.kind()), (7, 8, 9));
        assert_eq!(view.payload(), b"hello");
        slot[18] = 0xff;
        assert_eq!(EventView::new(&slot).payload().len(), MAX_PAYLOAD);
    }
}
