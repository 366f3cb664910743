//! okaywal logs for the adapter's tests and bench: written with okaywal itself (several
//! segments, kept un-checkpointed), copied, recovered plainly for the ground truth.
#![allow(dead_code)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use okaywal::{Configuration, Entry, EntryId, LogManager, RecoveredSegment, SegmentReader};
use okaywal::{ReadChunkResult, WriteAheadLog};

/// The environment variable that turns the `writer_child` test into the looping writer.
pub const WRITER_ENV: &str = "WALREC_OKAYWAL_WRITER_DIR";

/// What a recovery handed its manager.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub segments: u64,
    pub entries: u64,
    /// Bytes of the chunks the manager read itself (when `read_chunks`).
    pub bytes_read: u64,
}

/// A manager that counts what okaywal hands it; reads the chunks itself if `read_chunks`;
/// with `hold`, its checkpoints wait until that flag is set (bounded), so that a writer's log
/// keeps its segments un-checkpointed while it is copied, as after a crash.
#[derive(Debug, Default)]
pub struct Counting {
    pub counts: Arc<std::sync::Mutex<Counts>>,
    pub read_chunks: bool,
    /// Return an error from `recover` at this entry (1-based), to test failures.
    pub fail_at: Option<u64>,
    pub hold: Option<Arc<AtomicBool>>,
}

impl Counting {
    /// A manager that reads every chunk, as a real one does.
    pub fn reading() -> Self {
        Counting {
            read_chunks: true,
            ..Counting::default()
        }
    }

    fn bump(&self, f: impl FnOnce(&mut Counts)) {
        f(&mut self.counts.lock().unwrap_or_else(|e| e.into_inner()));
    }

    pub fn counts(&self) -> Arc<std::sync::Mutex<Counts>> {
        Arc::clone(&self.counts)
    }

    /// The chunks' bytes, or `None` for a torn chunk at the end of a killed writer's log
    /// (the entry is then ignored, as okaywal's docs say).
    fn read(entry: &mut Entry<'_>) -> io::Result<Option<u64>> {
        let mut bytes = 0;
        while let ReadChunkResult::Chunk(mut chunk) = entry.read_chunk()? {
            match chunk.read_all() {
                Ok(data) => bytes += data.len() as u64,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(bytes))
    }
}

impl LogManager for Counting {
    fn should_recover_segment(&mut self, _: &RecoveredSegment) -> io::Result<okaywal::Recovery> {
        self.bump(|c| c.segments += 1);
        Ok(okaywal::Recovery::Recover)
    }

    fn recover(&mut self, entry: &mut Entry<'_>) -> io::Result<()> {
        let bytes = match self.read_chunks {
            true => Self::read(entry)?.unwrap_or(0),
            false => 0,
        };
        let mut entries = 0;
        self.bump(|c| {
            c.entries += 1;
            c.bytes_read += bytes;
            entries = c.entries;
        });
        match self.fail_at == Some(entries) {
            true => Err(io::Error::other("the test manager refuses this entry")),
            false => Ok(()),
        }
    }

    fn checkpoint_to(
        &mut self,
        _: EntryId,
        _: &mut SegmentReader,
        _: &WriteAheadLog,
    ) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(hold) = &self.hold {
            if hold.load(Ordering::Acquire) || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(())
    }
}

fn held(release: &Arc<AtomicBool>) -> Counting {
    Counting {
        hold: Some(Arc::clone(release)),
        ..Counting::default()
    }
}

/// Small segments, so that a few hundred entries make several.
pub fn config(dir: &Path) -> Configuration {
    Configuration::default_for(dir)
        .preallocate_bytes(4096)
        .checkpoint_after_bytes(8192)
}

/// Writes `entries` entries of two `chunk`-byte chunks each into `dir`, copies the log to each
/// of `copies` while its checkpoints are held, then shuts the writer down.
pub fn write_log(dir: &Path, entries: u64, chunk: usize, copies: &[&Path]) -> io::Result<()> {
    let release = Arc::new(AtomicBool::new(false));
    let wal = config(dir).open(held(&release))?;
    for i in 0..entries {
        let mut writer = wal.begin_entry()?;
        writer.write_chunk(&vec![(i % 251) as u8; chunk])?;
        writer.write_chunk(&vec![7; chunk])?;
        writer.commit()?;
    }
    for copy in copies {
        copy_dir(dir, copy)?;
    }
    release.store(true, Ordering::Release);
    wal.shutdown()
}

/// A log of `entries` entries written in `tmp/log`, copied to `tmp/a` and `tmp/b`.
pub fn two_copies(tmp: &Path, entries: u64, chunk: usize) -> io::Result<(PathBuf, PathBuf)> {
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    write_log(&tmp.join("log"), entries, chunk, &[&a, &b])?;
    Ok((a, b))
}

/// The looping writer (run in a child process, killed with SIGKILL): writes until killed.
pub fn write_forever(dir: &Path) -> io::Result<()> {
    let wal = config(dir).open(held(&Arc::new(AtomicBool::new(false))))?;
    for i in 0u64.. {
        let mut writer = wal.begin_entry()?;
        writer.write_chunk(&vec![(i % 251) as u8; 300])?;
        writer.write_chunk(&[1; 40])?;
        writer.commit()?;
    }
    Ok(())
}

/// Copies the files of `from` into a new directory `to`.
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for file in std::fs::read_dir(from)? {
        let file = file?;
        std::fs::copy(file.path(), to.join(file.file_name()))?;
    }
    Ok(())
}

/// The un-checkpointed segment files of `dir`, by id.
pub fn segment_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for file in std::fs::read_dir(dir)? {
        let file = file?;
        let name = file.file_name().to_string_lossy().into_owned();
        let id = name.strip_prefix("wal-").and_then(|id| id.parse().ok());
        if let Some(id) = id {
            found.push((id, file.path()));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// okaywal's own recovery of `dir`, without walrec: what it hands a manager.
pub fn plain_recover(dir: &Path, read_chunks: bool) -> io::Result<Counts> {
    let manager = Counting {
        read_chunks,
        ..Counting::default()
    };
    let counts = manager.counts();
    config(dir).open(manager)?.shutdown()?;
    let counts = *counts.lock().unwrap_or_else(|e| e.into_inner());
    Ok(counts)
}
