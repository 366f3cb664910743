//! `SegmentWriter`: appends events to a WAL directory, durably by its sync policy, rotating
//! segments at a size limit.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::wal::error::WalError;
use crate::wal::format::{
    BLOCK_EVENTS, BLOCK_HEADER_SIZE, BLOCK_SIZE, BlockHeader, EVENT_SIZE, HEADER_SIZE, MAX_PAYLOAD,
    SegmentHeader, chain_seed, encode_event,
};
use crate::wal::options::WriterOptions;
use crate::wal::read::scan::{list_dir, segment_file_name};
use crate::wal::write::lock::DirLock;
use crate::wal::write::repair::{LivePoint, Plan, open_rw, sync_dir};

/// Whole blocks are written to the file in one call once this many bytes are pending.
const WRITE_BATCH_BYTES: usize = 64 * BLOCK_SIZE;

/// The segment being written: the file itself, `segment-<index>.wal`.
struct Live {
    path: PathBuf,
    file: File,
    header: SegmentHeader,
    /// Bytes in the file: the header and every block written so far.
    written: u64,
    /// Bytes of the segment once the pending blocks are written (excluding the open block).
    size: u64,
    blocks: u64,
    events: u64,
    chain: u32,
}

/// Appends events to a WAL directory.
///
/// Ids are assigned by the writer, one after another, so the WAL it writes is always gapless.
/// The live segment is the file itself: blocks are appended to `segment-<index>.wal`, and
/// the segment is *sealed* (header completed with its counts and close time) when it is full
/// or on [`finish`](Self::finish). Bytes once synced are never rewritten, except the 128-byte
/// header when the segment is sealed.
///
/// Durability follows [`WriterOptions`]: after every `sync_every_events` events and/or when
/// `sync_interval` has passed at an append, the open block is closed, everything pending is
/// written and the file is `fdatasync`ed (group commit); [`sync`](Self::sync) does it on
/// demand and returns the last durable id. A crash loses at most the events appended since the
/// last sync; recovery replays the intact prefix of the unsealed last segment.
///
/// The writer holds the directory's lock (`walrec.lock`) for its lifetime: a second writer is
/// refused. A failed write (a full disk, say) cuts the segment back to its last whole block and
/// leaves the writer refusing further appends; the error names the file.
pub struct SegmentWriter {
    dir: PathBuf,
    opts: WriterOptions,
    _lock: DirLock,
    live: Option<Live>,
    /// Closed blocks not yet written, then the open block (from `block_at`).
    pending: Vec<u8>,
    block_at: usize,
    block_events: usize,
    next_id: u64,
    /// The id of the last event appended (meaningful once one is).
    last_id: u64,
    /// Set once `u64::MAX` has been written: no id is left.
    ids_exhausted: bool,
    next_index: u64,
    unsynced: u64,
    last_sync: Instant,
    durable: Option<u64>,
    failed: Option<PathBuf>,
    sealed: Vec<PathBuf>,
}

impl std::fmt::Debug for SegmentWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentWriter")
            .field("dir", &self.dir)
            .field("next_id", &self.next_id)
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}

impl SegmentWriter {
    /// A writer into `dir`, which is created if missing and must not already hold segments.
    pub fn create(dir: impl AsRef<Path>, opts: WriterOptions) -> Result<Self, WalError> {
        let dir = dir.as_ref().to_path_buf();
        opts.blocks_per_segment()?;
        fs::create_dir_all(&dir).map_err(|source| WalError::Io {
            path: dir.clone(),
            op: "create directory",
            source,
        })?;
        let lock = DirLock::acquire(&dir)?;
        let listing = list_dir(&dir)?;
        if let Some(existing) = listing
            .segments
            .first()
            .map(|(_, p)| p)
            .or(listing.unfinished.first())
        {
            return Err(WalError::NotEmpty {
                dir: dir.clone(),
                existing: existing.clone(),
            });
        }
        let (index, id) = (opts.first_segment_index, opts.first_event_id);
        Ok(Self::new(dir, opts, lock, index, id))
    }

    /// A writer that continues the WAL in `dir` after its last intact event, with the next id:
    /// after a crash too. Unfinished segment creations are deleted and the torn tail of an
    /// unsealed last segment is cut (as [`Repair`](crate::wal::Repair) does); writing continues in
    /// that segment. An empty or missing directory starts a new WAL, as
    /// [`create`](Self::create) would; otherwise `first_event_id` and `first_segment_index`
    /// are ignored.
    pub fn open_append(dir: impl AsRef<Path>, opts: WriterOptions) -> Result<Self, WalError> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Self::create(dir, opts);
        }
        opts.blocks_per_segment()?;
        let lock = DirLock::acquire(dir)?;
        let plan = Plan::read(dir)?;
        plan.apply(dir)?;
        let (index, id) = plan
            .next
            .unwrap_or((opts.first_segment_index, opts.first_event_id));
        let mut writer = Self::new(dir.to_path_buf(), opts, lock, index, id);
        if let Some(point) = plan.live {
            writer.continue_in(point)?;
        }
        Ok(writer)
    }

    fn new(dir: PathBuf, opts: WriterOptions, lock: DirLock, index: u64, id: u64) -> Self {
        SegmentWriter {
            dir,
            opts,
            _lock: lock,
            live: None,
            pending: Vec::with_capacity(WRITE_BATCH_BYTES + BLOCK_SIZE),
            block_at: 0,
            block_events: 0,
            next_id: id,
            last_id: id.wrapping_sub(1),
            ids_exhausted: false,
            next_index: index,
            unsynced: 0,
            last_sync: Instant::now(),
            durable: None,
            failed: None,
            sealed: Vec::new(),
        }
    }

    fn continue_in(&mut self, point: LivePoint) -> Result<(), WalError> {
        let file = open_rw(&point.path)?;
        self.live = Some(Live {
            path: point.path,
            file,
            header: point.header,
            written: point.end,
            size: point.end,
            blocks: point.blocks,
            events: point.events,
            chain: point.chain,
        });
        self.next_index = point.header.segment_index.wrapping_add(1);
        if point.events > 0 {
            self.durable = Some(self.last_id);
        }
        Ok(())
    }

    /// The id the next appended event will get (`u64::MAX` is the last one there is).
    pub fn next_event_id(&self) -> u64 {
        self.next_id
    }

    /// The id of the last event known to be on disk (synced), if any.
    pub fn durable_event_id(&self) -> Option<u64> {
        self.durable
    }

    /// Appends one event and returns its id. Syncs when the policy says so.
    pub fn append(
        &mut self,
        timestamp_ns: u64,
        kind: u16,
        payload: &[u8],
    ) -> Result<u64, WalError> {
        if payload.len() > MAX_PAYLOAD {
            return Err(WalError::PayloadTooLarge {
                len: payload.len(),
                max: MAX_PAYLOAD,
            });
        }
        self.check_usable()?;
        if self.ids_exhausted {
            return Err(WalError::IdOverflow { last: u64::MAX });
        }
        let id = self.next_id;
        if self.block_events == 0 {
            self.start_block()?;
        }
        let at = self.pending.len();
        self.pending.resize(at + EVENT_SIZE, 0);
        encode_event(&mut self.pending[at..], id, timestamp_ns, kind, payload);
        self.block_events += 1;
        self.last_id = id;
        match id.checked_add(1) {
            Some(next) => self.next_id = next,
            None => self.ids_exhausted = true,
        }
        if self.block_events == BLOCK_EVENTS {
            self.close_block();
        }
        self.unsynced += 1;
        if self.sync_due() {
            self.sync()?;
        } else if self.pending.len() >= WRITE_BATCH_BYTES && self.block_events == 0 {
            self.write_pending()?;
        }
        Ok(id)
    }

    fn sync_due(&self) -> bool {
        if !self.opts.sync {
            return false;
        }
        let by_count =
            self.opts.sync_every_events > 0 && self.unsynced >= self.opts.sync_every_events;
        by_count
            || self
                .opts
                .sync_interval
                .is_some_and(|every| self.last_sync.elapsed() >= every)
    }

    /// Makes every event appended so far durable: closes the open block, writes what is
    /// pending and `fdatasync`s the segment. Returns the last durable id (`None` before the
    /// first event).
    pub fn sync(&mut self) -> Result<Option<u64>, WalError> {
        self.check_usable()?;
        if self.block_events > 0 {
            self.close_block();
        }
        self.write_pending()?;
        if let Some(live) = &self.live {
            let result = live.file.sync_data();
            if let Err(source) = result {
                return Err(self.fail("sync", source));
            }
            if live.events > 0 {
                self.durable = Some(self.last_id);
            }
        }
        self.unsynced = 0;
        self.last_sync = Instant::now();
        Ok(self.durable)
    }

    /// Seals the last segment and returns the paths of the segments sealed by this writer, in
    /// order.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, WalError> {
        self.check_usable()?;
        self.seal()?;
        Ok(std::mem::take(&mut self.sealed))
    }

    fn check_usable(&self) -> Result<(), WalError> {
        match &self.failed {
            Some(path) => Err(WalError::WriterFailed { path: path.clone() }),
            None => Ok(()),
        }
    }

    /// Before the first event of a block: rotate if the segment cannot take a full block, open
    /// one if needed, and reserve the block header.
    fn start_block(&mut self) -> Result<(), WalError> {
        let full = |live: &Live| live.size + BLOCK_SIZE as u64 > self.opts.segment_bytes;
        if self.live.as_ref().is_some_and(full) {
            self.seal()?;
        }
        if self.live.is_none() {
            self.live = Some(self.open_segment()?);
        }
        self.block_at = self.pending.len();
        self.pending.resize(self.block_at + BLOCK_HEADER_SIZE, 0);
        Ok(())
    }

    /// Seals the open block's header and CRCs in place in `pending`.
    fn close_block(&mut self) {
        let count = std::mem::take(&mut self.block_events);
        let Some(live) = self.live.as_mut().filter(|_| count > 0) else {
            return;
        };
        let fields = BlockHeader {
            block_crc: 0,
            chain_crc: 0,
            block_index: live.blocks as u32,
            event_count: count as u32,
            first_event_id: self.last_id - (count as u64 - 1), // ids are consecutive
            last_event_id: self.last_id,
        };
        let block = &mut self.pending[self.block_at..];
        live.chain = BlockHeader::seal(block, &fields, live.chain);
        live.size += block.len() as u64;
        live.blocks += 1;
        live.events += count as u64;
    }

    /// Writes the closed blocks to the end of the live segment.
    fn write_pending(&mut self) -> Result<(), WalError> {
        let done = if self.block_events > 0 {
            self.block_at
        } else {
            self.pending.len()
        };
        let Some(live) = self.live.as_mut() else {
            return Ok(());
        };
        if done == 0 {
            return Ok(());
        }
        if let Err(source) = live.file.write_all_at(&self.pending[..done], live.written) {
            // Leave the intact prefix: cut whatever part of the batch did reach the file.
            let _ = live.file.set_len(live.written);
            return Err(self.fail("write", source));
        }
        live.written += done as u64;
        self.pending.drain(..done);
        self.block_at -= done.min(self.block_at);
        Ok(())
    }

    /// Records a failed write or sync: no more appends, the error names the file.
    #[cold]
    fn fail(&mut self, op: &'static str, source: std::io::Error) -> WalError {
        let path = self
            .live
            .as_ref()
            .map_or_else(|| self.dir.clone(), |l| l.path.clone());
        self.failed = Some(path.clone());
        WalError::Io { path, op, source }
    }

    fn open_segment(&mut self) -> Result<Live, WalError> {
        let index = self.next_index;
        self.next_index = index.checked_add(1).ok_or(WalError::BadOption {
            option: "first_segment_index",
            what: "segment index overflow; start from a lower index".into(),
        })?;
        let path = self.dir.join(segment_file_name(index));
        let header = SegmentHeader {
            segment_index: index,
            first_event_id: self.next_id,
            last_event_id: 0,
            event_count: 0,
            block_count: 0,
            created_unix_ns: unix_ns(),
            closed_unix_ns: 0,
            sealed: false,
            header_crc: 0,
        };
        let bytes = header.encode();
        let file = self.create_visible(&path, &bytes)?;
        Ok(Live {
            path,
            file,
            header,
            written: HEADER_SIZE as u64,
            size: HEADER_SIZE as u64,
            blocks: 0,
            events: 0,
            chain: chain_seed(&bytes),
        })
    }

    /// Creates `path` holding `header`: written and synced under a temporary name, then renamed
    /// into place, so that a segment is never seen without a whole header.
    fn create_visible(&self, path: &Path, header: &[u8]) -> Result<File, WalError> {
        let tmp = path.with_extension("wal.tmp");
        let io = |op| {
            let path = tmp.clone();
            move |source| WalError::Io { path, op, source }
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(io("create"))?;
        let written = file.write_all_at(header, 0).map_err(io("write"));
        let synced = written.and_then(|()| match self.opts.sync {
            true => file.sync_data().map_err(io("sync")),
            false => Ok(()),
        });
        let renamed = synced.and_then(|()| fs::rename(&tmp, path).map_err(io("rename")));
        if let Err(error) = renamed {
            let _ = fs::remove_file(&tmp);
            return Err(error);
        }
        if self.opts.sync {
            sync_dir(&self.dir)?;
        }
        Ok(file)
    }

    /// Writes everything, then the sealed header, syncing before and after it; a segment left
    /// without events is deleted instead.
    fn seal(&mut self) -> Result<(), WalError> {
        if self.block_events > 0 {
            self.close_block();
        }
        self.write_pending()?;
        let Some(live) = self.live.take() else {
            return Ok(());
        };
        let io = |op| {
            let path = live.path.clone();
            move |source| WalError::Io { path, op, source }
        };
        if live.events == 0 {
            fs::remove_file(&live.path).map_err(io("delete"))?;
            return Ok(());
        }
        let header = SegmentHeader {
            last_event_id: self.last_id,
            event_count: live.events,
            block_count: live.blocks,
            closed_unix_ns: unix_ns(),
            sealed: true,
            ..live.header
        };
        if self.opts.sync {
            live.file.sync_data().map_err(io("sync"))?;
        }
        live.file
            .write_all_at(&header.encode(), 0)
            .map_err(io("write"))?;
        if self.opts.sync {
            live.file.sync_data().map_err(io("sync"))?;
            self.durable = Some(self.last_id);
        }
        self.sealed.push(live.path);
        Ok(())
    }
}

/// Wall-clock nanoseconds since the Unix epoch (0 if the clock is before it).
fn unix_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
