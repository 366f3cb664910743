//! `SegmentWriter`: appends events to a WAL directory, rotating segments at a size limit.

use std::fs::{self, File};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::WalError;
use super::format::{
    BLOCK_EVENTS, BLOCK_HEADER_SIZE, BLOCK_SIZE, BlockHeader, EVENT_SIZE, HEADER_SIZE, MAX_PAYLOAD,
    SegmentHeader, chain_seed, encode_event,
};
use super::scan::{parse_segment_name, segment_file_name};

/// How a [`SegmentWriter`] lays out a WAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Largest segment file, in bytes. A segment holds as many whole blocks as fit after the
    /// header; at least one block must fit (`128 + 4160` bytes).
    pub segment_bytes: u64,
    /// Id of the first event written.
    pub first_event_id: u64,
    /// Index of the first segment written.
    pub first_segment_index: u64,
    /// `fsync` each segment and the directory when a segment is sealed. Turn off only for
    /// throw-away WALs (tests, demos).
    pub sync: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            segment_bytes: 64 << 20,
            first_event_id: 1,
            first_segment_index: 0,
            sync: true,
        }
    }
}

impl WriterOptions {
    /// Whole blocks per segment, or an error if the size cannot hold one.
    pub fn blocks_per_segment(&self) -> Result<u64, WalError> {
        let min = (HEADER_SIZE + BLOCK_SIZE) as u64;
        if self.segment_bytes < min {
            return Err(WalError::BadOption {
                option: "segment_bytes",
                what: format!(
                    "{} bytes cannot hold the header and one block; use at least {min}",
                    self.segment_bytes
                ),
            });
        }
        let blocks = (self.segment_bytes - HEADER_SIZE as u64) / BLOCK_SIZE as u64;
        Ok(blocks.min(u64::from(u32::MAX)))
    }
}

/// A segment being written, under its temporary name.
struct OpenSegment {
    tmp_path: PathBuf,
    final_path: PathBuf,
    file: BufWriter<File>,
    header: SegmentHeader,
    blocks: u64,
    chain: u32,
}

/// Appends events to a WAL directory.
///
/// Ids are assigned by the writer, one after another from
/// [`WriterOptions::first_event_id`], so the WAL it writes is always gapless. A segment becomes
/// visible (renamed from `.wal.tmp` to `.wal`) only when it is sealed: when it is full and the
/// next event arrives, or on [`finish`](Self::finish). Dropping a writer without `finish` leaves
/// the unsealed `.tmp` file behind, as a crash would; recovery reports it rather than reading it.
pub struct SegmentWriter {
    dir: PathBuf,
    opts: WriterOptions,
    blocks_per_segment: u64,
    open: Option<OpenSegment>,
    next_id: u64,
    /// The id of the last event appended (meaningful once one is).
    last_id: u64,
    /// Set once `u64::MAX` has been written: no id is left.
    ids_exhausted: bool,
    next_index: u64,
    block: Box<[u8; BLOCK_SIZE]>,
    block_events: usize,
    sealed: Vec<PathBuf>,
}

impl SegmentWriter {
    /// A writer into `dir`, which is created if missing and must not already hold segments.
    pub fn create(dir: impl AsRef<Path>, opts: WriterOptions) -> Result<Self, WalError> {
        let dir = dir.as_ref().to_path_buf();
        let blocks_per_segment = opts.blocks_per_segment()?;
        fs::create_dir_all(&dir).map_err(|source| WalError::Io {
            path: dir.clone(),
            op: "create directory",
            source,
        })?;
        refuse_existing_segments(&dir)?;
        Ok(SegmentWriter {
            dir,
            opts,
            blocks_per_segment,
            open: None,
            next_id: opts.first_event_id,
            last_id: 0,
            ids_exhausted: false,
            next_index: opts.first_segment_index,
            block: Box::new([0u8; BLOCK_SIZE]),
            block_events: 0,
            sealed: Vec::new(),
        })
    }

    /// The id the next appended event will get (`u64::MAX` is the last one there is).
    pub fn next_event_id(&self) -> u64 {
        self.next_id
    }

    /// Appends one event and returns its id.
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
        if self.ids_exhausted {
            return Err(WalError::IdOverflow { last: u64::MAX });
        }
        let id = self.next_id;
        if self.block_events == 0 {
            self.start_block()?;
        }
        let at = BLOCK_HEADER_SIZE + self.block_events * EVENT_SIZE;
        encode_event(
            &mut self.block[at..at + EVENT_SIZE],
            id,
            timestamp_ns,
            kind,
            payload,
        );
        self.block_events += 1;
        self.last_id = id;
        match id.checked_add(1) {
            Some(next) => self.next_id = next,
            None => self.ids_exhausted = true,
        }
        if self.block_events == BLOCK_EVENTS {
            self.flush_block()?;
        }
        Ok(id)
    }

    /// Seals the last segment and returns the paths of every segment written, in order.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, WalError> {
        if self.block_events > 0 {
            self.flush_block()?;
        }
        self.seal()?;
        Ok(std::mem::take(&mut self.sealed))
    }

    /// Before the first event of a block: rotate if the segment is full, open one if needed.
    fn start_block(&mut self) -> Result<(), WalError> {
        if self
            .open
            .as_ref()
            .is_some_and(|seg| seg.blocks >= self.blocks_per_segment)
        {
            self.seal()?;
        }
        if self.open.is_none() {
            self.open = Some(self.open_segment()?);
        }
        self.block.fill(0);
        Ok(())
    }

    fn open_segment(&mut self) -> Result<OpenSegment, WalError> {
        let index = self.next_index;
        self.next_index = index.checked_add(1).ok_or(WalError::BadOption {
            option: "first_segment_index",
            what: "segment index overflow; start from a lower index".into(),
        })?;
        let final_path = self.dir.join(segment_file_name(index));
        let tmp_path = final_path.with_extension("wal.tmp");
        let io = |op| {
            let path = tmp_path.clone();
            move |source| WalError::Io { path, op, source }
        };
        let file = File::create(&tmp_path).map_err(io("create"))?;
        let mut file = BufWriter::with_capacity(64 * BLOCK_SIZE, file);
        // A placeholder: the real header is written when the segment is sealed.
        file.write_all(&[0u8; HEADER_SIZE]).map_err(io("write"))?;
        let header = SegmentHeader {
            segment_index: index,
            first_event_id: self.next_id,
            last_event_id: 0,
            event_count: 0,
            block_count: 0,
            created_unix_ns: unix_ns(),
            closed_unix_ns: 0,
            header_crc: 0,
        };
        let chain = chain_seed(&header.encode());
        Ok(OpenSegment {
            tmp_path,
            final_path,
            file,
            header,
            blocks: 0,
            chain,
        })
    }

    /// Seals the block buffer's CRCs and writes it to the open segment.
    fn flush_block(&mut self) -> Result<(), WalError> {
        let count = std::mem::take(&mut self.block_events);
        let Some(seg) = self.open.as_mut().filter(|_| count > 0) else {
            return Ok(());
        };
        let last = self.last_id;
        let fields = BlockHeader {
            block_crc: 0,
            chain_crc: 0,
            block_index: seg.blocks as u32,
            event_count: count as u32,
            first_event_id: last - (count as u64 - 1), // ids are consecutive, count >= 1
            last_event_id: last,
        };
        seg.chain = BlockHeader::seal(&mut self.block, &fields, seg.chain);
        seg.file
            .write_all(&self.block[..])
            .map_err(|source| WalError::Io {
                path: seg.tmp_path.clone(),
                op: "write",
                source,
            })?;
        seg.blocks += 1;
        seg.header.event_count += count as u64;
        seg.header.last_event_id = last;
        Ok(())
    }

    /// Writes the final header, syncs, and renames the open segment into place.
    fn seal(&mut self) -> Result<(), WalError> {
        let Some(seg) = self.open.take() else {
            return Ok(());
        };
        let header = SegmentHeader {
            block_count: seg.blocks,
            closed_unix_ns: unix_ns(),
            ..seg.header
        };
        let io = |op| {
            let path = seg.tmp_path.clone();
            move |source| WalError::Io { path, op, source }
        };
        let mut file = seg
            .file
            .into_inner()
            .map_err(|e| io("write")(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io("seek"))?;
        file.write_all(&header.encode()).map_err(io("write"))?;
        if self.opts.sync {
            file.sync_all().map_err(io("sync"))?;
        }
        drop(file);
        fs::rename(&seg.tmp_path, &seg.final_path).map_err(io("rename"))?;
        if self.opts.sync {
            sync_dir(&self.dir)?;
        }
        self.sealed.push(seg.final_path);
        Ok(())
    }
}

fn refuse_existing_segments(dir: &Path) -> Result<(), WalError> {
    let entries = fs::read_dir(dir).map_err(|source| WalError::DirUnreadable {
        dir: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_segment = name.to_str().is_some_and(|n| {
            parse_segment_name(n).is_some()
                || parse_segment_name(n.trim_end_matches(".tmp")).is_some()
        });
        if is_segment {
            return Err(WalError::NotEmpty {
                dir: dir.to_path_buf(),
                existing: entry.path(),
            });
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), WalError> {
    let io = |source| WalError::Io {
        path: dir.to_path_buf(),
        op: "sync directory",
        source,
    };
    File::open(dir).map_err(io)?.sync_all().map_err(io)
}

/// Wall-clock nanoseconds since the Unix epoch (0 if the clock is before it).
fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl std::fmt::Debug for SegmentWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentWriter")
            .field("dir", &self.dir)
            .field("next_id", &self.next_id)
            .field("next_index", &self.next_index)
            .finish_non_exhaustive()
    }
}
