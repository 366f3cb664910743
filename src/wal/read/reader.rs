//! `VerifiedSegment`: one segment, read into a buffer the reader owns and verified there.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::telemetry::clock;
use crate::wal::error::WalError;
use crate::wal::format::{EVENT_SIZE, EventView, HEADER_SIZE, SegmentHeader, chain_seed};
use crate::wal::read::scan::{check_len, decode_header, open_regular};
use crate::wal::read::verify::{BlockSpan, Walked, walk_blocks};
use crate::wal::recovery::discarded::Discarded;
use crate::wal::recovery::telemetry_hooks::LoadTimings;

/// The memory a reader reads into, handed from one reader to the next so that a replay
/// allocates (and page-faults) its buffers once, not once per segment.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    bytes: Vec<u8>,
    spans: Vec<BlockSpan>,
}

/// A verified segment with a cursor.
///
/// [`open`](Self::open) reads the whole file into a buffer owned by the reader and verifies
/// it there (see the [format docs](crate::wal#integrity)); [`next`](Self::next) and
/// [`seek`](Self::seek) then return [`EventView`]s into that buffer, without copying and
/// without further checks. Because the events come from the reader's own memory, another
/// process truncating or rewriting the file afterwards changes nothing that is replayed: the
/// bytes returned are exactly the bytes verified.
///
/// A sealed segment must verify completely. An unsealed one (the live segment of a writer, or
/// the last one after a crash) yields its intact prefix: the blocks up to the first one that is
/// torn or missing; [`discarded`](Self::discarded) describes anything after it.
pub struct VerifiedSegment {
    path: PathBuf,
    header: SegmentHeader,
    bytes: Vec<u8>,
    spans: Vec<BlockSpan>,
    events: u64,
    intact_end: usize,
    chain: u32,
    /// The first failure after the intact prefix, if any.
    problem: Option<WalError>,
    discarded: Option<Discarded>,
    /// The next block to enter.
    next_block: usize,
    /// Offset of the next event, and the end of the current block's events.
    at: usize,
    end: usize,
    left: u64,
    /// How long each step of reading the file took (default for a reader built in memory).
    timings: LoadTimings,
}

impl std::fmt::Debug for VerifiedSegment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedSegment")
            .field("path", &self.path)
            .field("header", &self.header)
            .field("events", &self.events)
            .field("discarded", &self.discarded)
            .finish_non_exhaustive()
    }
}

impl VerifiedSegment {
    /// Reads the segment at `path` and verifies its header, length, every block's CRC, the
    /// block chain, and every block and event field. The cursor starts at the first event.
    ///
    /// A sealed segment with any fault is an error; an unsealed one yields its intact prefix.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, WalError> {
        Self::read(path.as_ref(), Buffers::default())?.strict()
    }

    /// Verifies a segment held in memory, exactly as [`open`](Self::open) verifies a file;
    /// `label` stands in for the path in errors. This is the entry point of the fuzz target.
    pub fn from_bytes(label: impl Into<PathBuf>, bytes: &[u8]) -> Result<Self, WalError> {
        Self::from_vec(label, bytes.to_vec())
    }

    /// [`from_bytes`](Self::from_bytes) without the copy: the reader keeps `bytes`.
    pub fn from_vec(label: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self, WalError> {
        let buffers = Buffers {
            bytes,
            spans: Vec::new(),
        };
        Self::verified(label.into(), buffers)?.strict()
    }

    /// Reads and verifies `path` into `buffers`, keeping the intact prefix of a faulty segment
    /// (sealed or not) and the fault itself: the caller's recovery mode decides. The file is
    /// read in chunks, each verified while it is still in the cache.
    pub(crate) fn read(path: &Path, buffers: Buffers) -> Result<Self, WalError> {
        let mut timings = LoadTimings::start();
        let file = open_regular(path)?;
        let mut buffers = buffers;
        buffers.spans.clear();
        let len = prepare(path, &file, &mut buffers.bytes)?;
        timings.opened = Some(clock::now_ns());
        let mut walk = None;
        loop {
            let got = read_chunk(path, &file, &mut buffers.bytes, len)?;
            let bytes = &buffers.bytes;
            if walk.is_none() && bytes.len() >= HEADER_SIZE {
                walk = Some(Walk::start(path, bytes)?);
            }
            if let Some(walk) = &mut walk {
                walk.go(path, bytes, &mut buffers.spans, false);
            }
            if got == 0 || buffers.bytes.len() >= len {
                break;
            }
        }
        timings.verified = Some(clock::now_ns());
        let mut reader = Self::finish(path.to_path_buf(), buffers, walk)?;
        timings.indexed = Some(clock::now_ns());
        drop(file);
        timings.closed = Some(clock::now_ns());
        reader.timings = timings;
        Ok(reader)
    }

    /// How long each step of reading this segment's file took.
    pub(crate) fn timings(&self) -> &LoadTimings {
        &self.timings
    }

    fn strict(mut self) -> Result<Self, WalError> {
        match self.problem.take() {
            Some(problem) if self.header.sealed => Err(problem),
            other => {
                self.problem = other;
                Ok(self)
            }
        }
    }

    fn verified(path: PathBuf, buffers: Buffers) -> Result<Self, WalError> {
        let mut buffers = buffers;
        buffers.spans.clear();
        Self::finish(path, buffers, None)
    }

    /// Completes the walk (starting it if the bytes did not reach a header before) and works
    /// out what, if anything, is wrong after the intact prefix.
    fn finish(path: PathBuf, buffers: Buffers, walk: Option<Walk>) -> Result<Self, WalError> {
        let Buffers { bytes, mut spans } = buffers;
        let mut walk = match walk {
            Some(walk) => walk,
            None => Walk::start(&path, &bytes)?,
        };
        walk.go(&path, &bytes, &mut spans, true);
        let Walk {
            header,
            sealed_len,
            walked,
        } = walk;
        // A sealed segment of the wrong length is reported as such, before what that does to
        // its blocks.
        let length = sealed_len.and_then(|_| check_len(&path, &header, bytes.len() as u64).err());
        let problem = length.or(walked.stop).or_else(|| {
            sealed_len?;
            check_block_count(&path, &header, spans.len())
        });
        let discarded = (problem.is_some() || !header.sealed).then(|| Discarded {
            path: path.clone(),
            offset: walked.end as u64,
            bytes: (bytes.len() - walked.end) as u64,
            unsealed: !header.sealed,
            reason: problem.as_ref().map(ToString::to_string),
        });
        let mut reader = VerifiedSegment {
            path,
            header,
            bytes,
            spans,
            events: walked.events,
            intact_end: walked.end,
            chain: walked.chain,
            problem,
            discarded,
            next_block: 0,
            at: 0,
            end: 0,
            left: 0,
            timings: LoadTimings::default(),
        };
        reader.rewind();
        Ok(reader)
    }

    /// The segment's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The segment's header as stored (an unsealed segment's has zero counts: see
    /// [`event_count`](Self::event_count)).
    pub fn header(&self) -> &SegmentHeader {
        &self.header
    }

    /// Whether the writer sealed the segment.
    pub fn is_sealed(&self) -> bool {
        self.header.sealed
    }

    /// Events in the intact prefix (all of them, for a sound sealed segment).
    pub fn event_count(&self) -> u64 {
        self.events
    }

    /// Id of the last intact event, or `None` if the segment holds none.
    pub fn last_event_id(&self) -> Option<u64> {
        (self.events > 0).then(|| self.header.first_event_id.wrapping_add(self.events - 1))
    }

    /// What lies after the intact prefix: `None` for a sound sealed segment. An unsealed
    /// segment always reports it (zero bytes when it simply ends after its last block).
    pub fn discarded(&self) -> Option<&Discarded> {
        self.discarded.as_ref()
    }

    /// The fault after the intact prefix, if there is one; the recovery mode decides.
    /// The fault after the intact prefix, if any (without taking it).
    pub(crate) fn problem(&self) -> Option<&WalError> {
        self.problem.as_ref()
    }

    pub(crate) fn take_problem(&mut self) -> Option<WalError> {
        self.problem.take()
    }

    /// Byte offset where the intact prefix ends, its block count and last chain CRC: where a
    /// writer continues.
    pub(crate) fn resume_point(&self) -> (u64, u64, u32) {
        (self.intact_end as u64, self.spans.len() as u64, self.chain)
    }

    /// The reader's memory, for the next reader.
    pub(crate) fn into_buffers(self) -> Buffers {
        Buffers {
            bytes: self.bytes,
            spans: self.spans,
        }
    }

    /// Events not yet returned by [`next`](Self::next).
    pub fn remaining(&self) -> u64 {
        self.left
    }

    fn rewind(&mut self) {
        self.next_block = 0;
        self.at = 0;
        self.end = 0;
        self.left = self.events;
    }

    /// Moves the cursor to the first event whose id is `>= event_id` and returns that id, or
    /// `None` (cursor at the end) if every id is smaller. A binary search over the block
    /// index; within a block the ids are verified to be consecutive.
    pub fn seek(&mut self, event_id: u64) -> Option<u64> {
        let first = self.header.first_event_id;
        let last = self.last_event_id()?;
        if event_id <= first {
            self.rewind();
            return Some(first);
        }
        if event_id > last {
            self.next_block = self.spans.len();
            (self.at, self.end, self.left) = (0, 0, 0);
            return None;
        }
        // The last block starting at or before the target holds it.
        let block = self
            .spans
            .partition_point(|span| span.first_id <= event_id)
            .saturating_sub(1);
        let span = self.spans.get(block)?;
        self.at = span.events_at + (event_id - span.first_id) as usize * EVENT_SIZE;
        self.end = span.end();
        self.next_block = block + 1;
        self.left = last - event_id + 1;
        Some(event_id)
    }

    /// The next event, in place in the reader's buffer, or `None` at the end of the segment.
    #[inline]
    #[allow(clippy::should_implement_trait)] // a lending iterator: the view borrows the reader
    pub fn next(&mut self) -> Option<EventView<'_>> {
        if self.at == self.end && !self.enter_next_block() {
            return None;
        }
        let bytes = self.bytes.get(self.at..self.at + EVENT_SIZE)?;
        let bytes: &[u8; EVENT_SIZE] = bytes.try_into().ok()?;
        self.at += EVENT_SIZE;
        self.left -= 1;
        Some(EventView::new(bytes))
    }

    /// Moves the cursor into the next block; false at the end of the intact prefix.
    #[cold]
    fn enter_next_block(&mut self) -> bool {
        let Some(span) = self.spans.get(self.next_block) else {
            return false;
        };
        self.at = span.events_at;
        self.end = span.end();
        self.next_block += 1;
        true
    }
}

/// Bytes read (and then verified) at a time: small enough to stay in the cache between the
/// copy and the CRC.
const CHUNK: usize = 256 << 10;

/// Empties `bytes` (keeping its capacity) and makes room for the whole of `file`; returns the
/// file's length, which is what is read (a file that grows meanwhile is read as it was).
fn prepare(path: &Path, file: &File, bytes: &mut Vec<u8>) -> Result<usize, WalError> {
    let len = file.metadata().map_err(|source| WalError::Io {
        path: path.to_path_buf(),
        op: "stat",
        source,
    })?;
    let len = len.len();
    bytes.clear();
    let want = usize::try_from(len).unwrap_or(usize::MAX);
    let fresh = bytes.capacity() < want;
    if bytes.try_reserve(want).is_err() {
        return Err(WalError::BadField {
            path: path.to_path_buf(),
            offset: 0,
            what: format!("the file's {len} bytes do not fit in memory on this machine"),
        });
    }
    if fresh {
        advise_huge_pages(bytes);
    }
    Ok(want)
}

/// Asks the kernel to back a new buffer with transparent huge pages where it can: touching a
/// 64 MiB buffer for the first time is otherwise 16,384 page faults, which on a virtual
/// machine cost more than reading the segment. Only advice: failure changes nothing.
fn advise_huge_pages(bytes: &mut Vec<u8>) {
    const HUGE: usize = 2 << 20;
    let start = bytes.as_mut_ptr() as usize;
    let end = start + bytes.capacity();
    let aligned = start.next_multiple_of(HUGE);
    if aligned >= end {
        return;
    }
    // SAFETY: madvise only changes how the kernel backs the pages of this range, which lies
    // within the Vec's own allocation (start..start + capacity) and starts on a page boundary;
    // MADV_HUGEPAGE neither frees nor changes their contents.
    unsafe {
        libc::madvise(
            aligned as *mut libc::c_void,
            end - aligned,
            libc::MADV_HUGEPAGE,
        );
    }
}

/// Appends the next chunk of `file` to `bytes`, up to `len` in all; returns the bytes read (0
/// at the end of the file: one truncated meanwhile reads short, and the walk then finds where
/// its intact bytes end).
///
/// One `read` per chunk, straight into the buffer's spare capacity: `Read::read_to_end` on a
/// `Take` starts at 8 KiB and doubles, about six system calls per chunk (29,785 for 20 M
/// events), and `read` into initialised memory would mean zeroing the buffer first.
fn read_chunk(
    path: &Path,
    file: &File,
    bytes: &mut Vec<u8>,
    len: usize,
) -> Result<usize, WalError> {
    let want = CHUNK.min(len.saturating_sub(bytes.len()));
    let spare = bytes.spare_capacity_mut();
    let want = want.min(spare.len());
    loop {
        // SAFETY: the pointer and length describe the first `want` bytes of the Vec's spare
        // capacity, which it owns and nothing else references; `read` writes at most `want`
        // bytes there and reads none.
        let got = unsafe { libc::read(file.as_raw_fd(), spare.as_mut_ptr().cast(), want) };
        if let Ok(got) = usize::try_from(got) {
            let got = got.min(want);
            // SAFETY: `read` initialised `got` bytes right after the current length, and
            // `got <= want <= spare capacity`.
            unsafe { bytes.set_len(bytes.len() + got) };
            return Ok(got);
        }
        let source = std::io::Error::last_os_error();
        if source.kind() != std::io::ErrorKind::Interrupted {
            return Err(WalError::Io {
                path: path.to_path_buf(),
                op: "read",
                source,
            });
        }
    }
}

/// A walk in progress, with what the header says about where it may go.
struct Walk {
    header: SegmentHeader,
    /// The length a sealed header promises (the walk stops there).
    sealed_len: Option<usize>,
    walked: Walked,
}

impl Walk {
    /// Decodes the header at the start of `bytes` and starts the walk after it.
    fn start(path: &Path, bytes: &[u8]) -> Result<Self, WalError> {
        let header = header_of(path, bytes)?;
        let mut header_bytes = [0u8; HEADER_SIZE];
        header_bytes.copy_from_slice(&bytes[..HEADER_SIZE]);
        let sealed_len = sealed_len(path, &header)?;
        let walked = Walked::start(header.first_event_id, chain_seed(&header_bytes));
        Ok(Walk {
            header,
            sealed_len,
            walked,
        })
    }

    /// Walks on over `bytes` (up to a sealed segment's promised length).
    fn go(&mut self, path: &Path, bytes: &[u8], spans: &mut Vec<BlockSpan>, complete: bool) {
        let limit = self
            .sealed_len
            .map_or(bytes.len(), |len| len.min(bytes.len()));
        walk_blocks(path, &bytes[..limit], &mut self.walked, spans, complete);
    }
}

/// The length a sealed header promises, `None` for an unsealed one.
fn sealed_len(path: &Path, header: &SegmentHeader) -> Result<Option<usize>, WalError> {
    if !header.sealed {
        return Ok(None);
    }
    let len = header.file_len().and_then(|len| usize::try_from(len).ok());
    len.map(Some).ok_or_else(|| WalError::BadField {
        path: path.to_path_buf(),
        offset: 48,
        what: "block_count and event_count are too large for a file".into(),
    })
}

/// After walking a sealed segment of the right length: the blocks must be as many as the
/// header says.
fn check_block_count(path: &Path, header: &SegmentHeader, blocks: usize) -> Option<WalError> {
    (blocks as u64 != header.block_count).then(|| WalError::BadField {
        path: path.to_path_buf(),
        offset: 48,
        what: format!(
            "block_count {} but the segment holds {blocks} blocks",
            header.block_count
        ),
    })
}

fn header_of(path: &Path, bytes: &[u8]) -> Result<SegmentHeader, WalError> {
    let mut header = [0u8; HEADER_SIZE];
    match bytes.get(..HEADER_SIZE) {
        Some(src) => header.copy_from_slice(src),
        None => {
            return Err(WalError::Truncated {
                path: path.to_path_buf(),
                expected: HEADER_SIZE as u64,
                actual: bytes.len() as u64,
            });
        }
    }
    decode_header(path, &header)
}
