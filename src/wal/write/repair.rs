//! Reopening a WAL after its writer stopped, cleanly or not: what a crash left behind, what to
//! cut so that writing can continue, and where writing continues. Shared by
//! [`SegmentWriter::open_append`](crate::wal::SegmentWriter::open_append) and [`Repair`].

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::wal::error::WalError;
use crate::wal::format::{HEADER_SIZE, SegmentHeader};
use crate::wal::read::reader::{Buffers, VerifiedSegment};
use crate::wal::read::scan::list_dir;
use crate::wal::recovery::discarded::Discarded;
use crate::wal::write::lock::DirLock;

/// Where a writer continues in an unsealed last segment: after its intact prefix.
#[derive(Debug)]
pub(crate) struct LivePoint {
    pub path: PathBuf,
    pub header: SegmentHeader,
    pub end: u64,
    pub blocks: u64,
    pub events: u64,
    pub chain: u32,
}

/// What a WAL directory needs before a writer can continue it, and where it continues.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Unfinished segment creations (a header at most) to delete.
    pub unfinished: Vec<PathBuf>,
    /// The torn or unsealed tail of the last segment, to cut.
    pub cut: Option<Discarded>,
    /// The unsealed last segment to continue, if the last segment is unsealed.
    pub live: Option<LivePoint>,
    /// Index and first id of the next segment, and of the next event; `None` for an empty WAL.
    pub next: Option<(u64, u64)>,
}

impl Plan {
    /// Reads `dir` (whose lock the caller holds) and plans; changes nothing. Only the last
    /// segment is read: the sealed ones before it are verified by every replay.
    pub(in crate::wal) fn read(dir: &Path) -> Result<Self, WalError> {
        let listing = list_dir(dir)?;
        for path in &listing.unfinished {
            let len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if len > HEADER_SIZE as u64 {
                return Err(WalError::ForeignFile {
                    path: path.clone(),
                    hint: "an unfinished segment with more than a header is not from this walrec version; move it out of the WAL directory",
                });
            }
        }
        let mut plan = Plan {
            unfinished: listing.unfinished,
            cut: None,
            live: None,
            next: None,
        };
        let Some((index, path)) = listing.segments.last() else {
            return Ok(plan);
        };
        let mut reader = VerifiedSegment::read(path, Buffers::default())?;
        let next_index = index.checked_add(1).ok_or_else(|| WalError::BadOption {
            option: "first_segment_index",
            what: "segment index overflow; start a new WAL with lower indexes".into(),
        })?;
        if reader.is_sealed() {
            if let Some(problem) = reader.take_problem() {
                return Err(problem);
            }
            let last = reader.last_event_id().unwrap_or(0);
            let next_id = last.checked_add(1).ok_or(WalError::IdOverflow { last })?;
            plan.next = Some((next_index, next_id));
            return Ok(plan);
        }
        let (end, blocks, chain) = reader.resume_point();
        let events = reader.event_count();
        let header = *reader.header();
        plan.cut = reader.discarded().filter(|d| d.bytes > 0).cloned();
        plan.next = Some((next_index, header.first_event_id.wrapping_add(events)));
        plan.live = Some(LivePoint {
            path: path.clone(),
            header,
            end,
            blocks,
            events,
            chain,
        });
        Ok(plan)
    }

    /// Deletes the unfinished creations and cuts the torn tail, syncing both.
    pub(in crate::wal) fn apply(&self, dir: &Path) -> Result<(), WalError> {
        for path in &self.unfinished {
            fs::remove_file(path).map_err(|source| WalError::Io {
                path: path.clone(),
                op: "delete",
                source,
            })?;
        }
        if let (Some(cut), Some(live)) = (&self.cut, &self.live) {
            let file = open_rw(&cut.path)?;
            let io = |op| {
                move |source| WalError::Io {
                    path: cut.path.clone(),
                    op,
                    source,
                }
            };
            file.set_len(live.end).map_err(io("truncate"))?;
            file.sync_all().map_err(io("sync"))?;
        }
        if !self.unfinished.is_empty() {
            sync_dir(dir)?;
        }
        Ok(())
    }
}

/// Opens a segment for writing in place (never creating it).
pub(crate) fn open_rw(path: &Path) -> Result<File, WalError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|source| WalError::Io {
            path: path.to_path_buf(),
            op: "open for writing",
            source,
        })
}

/// Syncs a directory, so that renames and deletions in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), WalError> {
    let io = |source| WalError::Io {
        path: dir.to_path_buf(),
        op: "sync directory",
        source,
    };
    File::open(dir).map_err(io)?.sync_all().map_err(io)
}

/// `walrec repair`: cuts what a crash left at the end of a WAL so that a writer can continue
/// it — the torn or unsealed tail of the last segment after its intact prefix, and unfinished
/// segment creations. Holds the directory's lock from [`plan`](Self::plan) until dropped.
#[derive(Debug)]
pub struct Repair {
    dir: PathBuf,
    plan: Plan,
    _lock: DirLock,
}

impl Repair {
    /// Takes the directory's lock and works out what to cut, changing nothing yet.
    pub fn plan(dir: impl AsRef<Path>) -> Result<Self, WalError> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            return Err(WalError::DirMissing { dir });
        }
        let lock = DirLock::acquire(&dir)?;
        let plan = Plan::read(&dir)?;
        Ok(Repair {
            dir,
            plan,
            _lock: lock,
        })
    }

    /// The torn tail that [`apply`](Self::apply) cuts, if there is one.
    pub fn cut(&self) -> Option<&Discarded> {
        self.plan.cut.as_ref()
    }

    /// The unfinished segment creations that [`apply`](Self::apply) deletes.
    pub fn unfinished(&self) -> &[PathBuf] {
        &self.plan.unfinished
    }

    /// Cuts and deletes what [`plan`](Self::plan) found; the WAL then ends with its last intact
    /// event, and a writer can continue it.
    pub fn apply(self) -> Result<(), WalError> {
        self.plan.apply(&self.dir)
    }
}
