//! `SegmentReader`: one segment, memory-mapped read-only and fully verified on open.

use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::{Mmap, MmapMut};

use super::error::WalError;
use super::format::{
    BLOCK_EVENTS, BLOCK_HEADER_SIZE, BLOCK_SIZE, EVENT_SIZE, EventView, HEADER_SIZE, SegmentHeader,
    chain_seed, le_u64,
};
use super::scan::{check_len, decode_header};
use super::verify::verify_block;

/// A verified, memory-mapped segment with a cursor.
///
/// [`open`](Self::open) checks the whole file before returning (see the
/// [format docs](super#integrity)), so that [`next`](Self::next) and [`seek`](Self::seek) can
/// run on the hot path without further checks. Events are returned as [`EventView`]s pointing
/// into the mapping: nothing is copied.
pub struct SegmentReader {
    path: PathBuf,
    map: Mmap,
    header: SegmentHeader,
    /// The sparse index: the first event id of each block, for `seek`.
    block_first_ids: Vec<u64>,
    event_count: usize,
    pos: usize,
}

impl std::fmt::Debug for SegmentReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentReader")
            .field("path", &self.path)
            .field("header", &self.header)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl SegmentReader {
    /// Maps the segment at `path` and verifies its header, length, every block's CRC, the
    /// block chain, and every block and event field. The cursor starts at the first event.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, WalError> {
        let path = path.as_ref();
        let io = |op| {
            move |source| WalError::Io {
                path: path.to_path_buf(),
                op,
                source,
            }
        };
        let file = File::open(path).map_err(io("open"))?;
        let len = file.metadata().map_err(io("stat"))?.len();
        if len < HEADER_SIZE as u64 {
            return Err(WalError::Truncated {
                path: path.to_path_buf(),
                expected: HEADER_SIZE as u64,
                actual: len,
            });
        }
        // SAFETY: the mapping is read-only and we never create a mutable reference into it.
        // Segments are immutable once sealed: the writer renames a segment into place only
        // after it is complete, and nothing in walrec writes to a sealed segment again. A
        // different process modifying or truncating the file while it is mapped breaks that
        // contract (as for any mmap-based reader: changed bytes, or SIGBUS on truncation); all
        // reads go through bounds-checked slices of the mapping's length.
        let map = unsafe { Mmap::map(&file) }.map_err(io("map"))?;
        Self::verified(path.to_path_buf(), map)
    }

    /// Verifies a segment held in memory, exactly as [`open`](Self::open) verifies a file;
    /// `label` stands in for the path in errors. The bytes are copied into an anonymous
    /// read-only mapping. This is the entry point of the fuzz target.
    pub fn from_bytes(label: impl Into<PathBuf>, bytes: &[u8]) -> Result<Self, WalError> {
        let path = label.into();
        if bytes.len() < HEADER_SIZE {
            return Err(WalError::Truncated {
                path,
                expected: HEADER_SIZE as u64,
                actual: bytes.len() as u64,
            });
        }
        let io = |source| WalError::Io {
            path: path.clone(),
            op: "map memory for",
            source,
        };
        let mut map = MmapMut::map_anon(bytes.len()).map_err(io)?;
        map.copy_from_slice(bytes);
        let map = map.make_read_only().map_err(io)?;
        Self::verified(path, map)
    }

    fn verified(path: PathBuf, map: Mmap) -> Result<Self, WalError> {
        let header = header_of(&path, &map)?;
        let mut reader = SegmentReader {
            path,
            header,
            map,
            block_first_ids: Vec::new(),
            event_count: 0,
            pos: 0,
        };
        reader.verify()?;
        Ok(reader)
    }

    fn verify(&mut self) -> Result<(), WalError> {
        let path = self.path.as_path();
        check_len(path, &self.header, self.map.len() as u64)?;
        let too_big = || WalError::BadField {
            path: path.to_path_buf(),
            offset: 40,
            what: "event_count does not fit in memory on this machine".into(),
        };
        self.event_count = usize::try_from(self.header.event_count).map_err(|_| too_big())?;
        let blocks = usize::try_from(self.header.block_count).map_err(|_| too_big())?;
        let mut header_bytes = [0u8; HEADER_SIZE];
        header_bytes.copy_from_slice(self.map.get(..HEADER_SIZE).unwrap_or(&[0; HEADER_SIZE]));
        let mut chain = chain_seed(&header_bytes);
        let mut first_id = self.header.first_event_id;
        let mut left = self.event_count;
        self.block_first_ids = Vec::with_capacity(blocks);
        for block in 0..blocks {
            let offset = HEADER_SIZE + block * BLOCK_SIZE;
            let bytes =
                self.map
                    .get(offset..offset + BLOCK_SIZE)
                    .ok_or_else(|| WalError::Truncated {
                        path: path.to_path_buf(),
                        expected: (offset + BLOCK_SIZE) as u64,
                        actual: self.map.len() as u64,
                    })?;
            let count = left.min(BLOCK_EVENTS);
            chain = verify_block(path, block, offset, bytes, chain, first_id, count)?;
            self.block_first_ids.push(first_id);
            first_id = first_id.wrapping_add(count as u64);
            left -= count;
        }
        Ok(())
    }

    /// The segment's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The segment's verified header.
    pub fn header(&self) -> &SegmentHeader {
        &self.header
    }

    /// Events not yet returned by [`next`](Self::next).
    pub fn remaining(&self) -> u64 {
        (self.event_count - self.pos) as u64
    }

    /// Moves the cursor to the first event whose id is `>= event_id` and returns that id, or
    /// `None` (cursor at the end) if every id is smaller. A binary search over the block index,
    /// then over the block's events.
    pub fn seek(&mut self, event_id: u64) -> Option<u64> {
        if event_id <= self.header.first_event_id {
            self.pos = 0;
            return Some(self.header.first_event_id);
        }
        if event_id > self.header.last_event_id {
            self.pos = self.event_count;
            return None;
        }
        // The last block starting at or before the target holds it (blocks are verified to be
        // contiguous, and the first block starts at first_event_id < event_id).
        let block = self
            .block_first_ids
            .partition_point(|&first| first <= event_id)
            .saturating_sub(1);
        let base = block * BLOCK_EVENTS;
        let (mut lo, mut hi) = (0, (self.event_count - base).min(BLOCK_EVENTS));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.id_at(base + mid) < event_id {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        self.pos = base + lo;
        (self.pos < self.event_count).then(|| self.id_at(self.pos))
    }

    /// The next event, in place in the mapping, or `None` at the end of the segment.
    #[inline]
    #[allow(clippy::should_implement_trait)] // a lending iterator: the view borrows the reader
    pub fn next(&mut self) -> Option<EventView<'_>> {
        if self.pos >= self.event_count {
            return None;
        }
        let offset = event_offset(self.pos);
        let bytes = self.map.get(offset..offset + EVENT_SIZE)?;
        let bytes: &[u8; EVENT_SIZE] = bytes.try_into().ok()?;
        self.pos += 1;
        Some(EventView::new(bytes))
    }

    fn id_at(&self, pos: usize) -> u64 {
        le_u64(&self.map, event_offset(pos))
    }
}

/// Byte offset of the event at position `pos` of a segment.
#[inline(always)]
fn event_offset(pos: usize) -> usize {
    HEADER_SIZE
        + (pos / BLOCK_EVENTS) * BLOCK_SIZE
        + BLOCK_HEADER_SIZE
        + (pos % BLOCK_EVENTS) * EVENT_SIZE
}

fn header_of(path: &Path, map: &[u8]) -> Result<SegmentHeader, WalError> {
    let mut bytes = [0u8; HEADER_SIZE];
    match map.get(..HEADER_SIZE) {
        Some(src) => bytes.copy_from_slice(src),
        None => {
            return Err(WalError::Truncated {
                path: path.to_path_buf(),
                expected: HEADER_SIZE as u64,
                actual: map.len() as u64,
            });
        }
    }
    decode_header(path, &bytes)
}
