//! `WalError`: every way writing, scanning, verifying or replaying a WAL can fail.

use std::io;
use std::path::PathBuf;

/// A WAL failure. Each message names the file (or directory) and, for data errors, the byte
/// offset, says what is wrong, and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalError {
    /// The WAL directory does not exist.
    #[error("WAL directory {} does not exist; check the path", dir.display())]
    DirMissing {
        /// The directory.
        dir: PathBuf,
    },
    /// The WAL directory could not be listed.
    #[error("cannot read WAL directory {}: {source}; check that it is a readable directory", dir.display())]
    DirUnreadable {
        /// The directory.
        dir: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The directory holds no segments.
    #[error("WAL directory {} holds no segment files (segment-<index>.wal); generate or copy a WAL into it", dir.display())]
    NoSegments {
        /// The directory.
        dir: PathBuf,
    },
    /// An entry in the WAL directory that is not a segment.
    #[error("{} is not a WAL segment (expected only segment-<index>.wal files); {hint}", path.display())]
    ForeignFile {
        /// The entry.
        path: PathBuf,
        /// What to do about it.
        hint: &'static str,
    },
    /// An I/O error on a file.
    #[error("cannot {op} {}: {source}; check the file's permissions and the disk", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done: "open for writing", "read", "stat", ...
        op: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file does not start with the segment magic.
    #[error("{} at byte 0: bad magic {found:02x?}, not a walrec segment; move the file out of the WAL directory", path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The first 8 bytes found.
        found: [u8; 8],
    },
    /// A format version this build does not read.
    #[error("{} at byte 8: format version {found} is not supported (this build reads version {}); use a matching walrec or regenerate the WAL", path.display(), crate::wal::format::VERSION)]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u16,
    },
    /// The header's CRC does not match its bytes.
    #[error("{} at byte 124: header CRC32C mismatch (stored {stored:#010x}, computed {computed:#010x}); the header is corrupt, restore the segment from a replica or backup", path.display())]
    HeaderCrc {
        /// The file.
        path: PathBuf,
        /// CRC stored in the header.
        stored: u32,
        /// CRC computed over the header bytes.
        computed: u32,
    },
    /// A structurally inconsistent field (with a valid CRC: written wrongly, not bit rot).
    #[error("{} at byte {offset}: {what}; the segment was written incorrectly, restore it from a replica or backup", path.display())]
    BadField {
        /// The file.
        path: PathBuf,
        /// Byte offset of the field in the file.
        offset: u64,
        /// What is wrong.
        what: String,
    },
    /// The file is shorter than its header says.
    #[error("{} is truncated at byte {actual}: its header promises {expected} bytes; restore the segment, or delete it and everything after it to recover up to the previous segment", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The length the header implies (or the header size, if the header is cut).
        expected: u64,
        /// The actual length, which is where the data stops.
        actual: u64,
    },
    /// The file is longer than its header says.
    #[error("{} has {extra} unexpected bytes after byte {expected}; something appended to a sealed segment, restore it from a replica or backup", path.display())]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// The length the header implies.
        expected: u64,
        /// Bytes beyond it.
        extra: u64,
    },
    /// A block's CRC does not match its bytes.
    #[error("{} at byte {offset}: CRC32C mismatch in block {block} (stored {stored:#010x}, computed {computed:#010x}); the block is corrupt, restore the segment from a replica or backup", path.display())]
    BlockCrc {
        /// The file.
        path: PathBuf,
        /// Block number within the segment.
        block: u64,
        /// Byte offset of the block.
        offset: u64,
        /// CRC stored in the block header.
        stored: u32,
        /// CRC computed over the block.
        computed: u32,
    },
    /// A block's chain CRC does not follow from the previous block (blocks moved or swapped).
    #[error("{} at byte {offset}: chain CRC mismatch at block {block} (stored {stored:#010x}, expected {expected:#010x}); blocks are out of order or from another segment, restore the segment from a replica or backup", path.display())]
    ChainCrc {
        /// The file.
        path: PathBuf,
        /// Block number within the segment.
        block: u64,
        /// Byte offset of the chain field.
        offset: u64,
        /// Chain CRC stored in the block header.
        stored: u32,
        /// Chain CRC expected from the previous block.
        expected: u32,
    },
    /// Two segments leave out event ids between them.
    #[error("gap in event ids: {} ends at event {prev_last} but {} starts at event {first}; a segment is missing, restore it before replaying", prev.display(), path.display())]
    Gap {
        /// The earlier segment.
        prev: PathBuf,
        /// Its last event id.
        prev_last: u64,
        /// The later segment.
        path: PathBuf,
        /// Its first event id.
        first: u64,
    },
    /// Two segments hold some of the same event ids.
    #[error("overlapping event ids: {} ends at event {prev_last} but {} starts at event {first}; one of them is a stale copy, move it out of the WAL directory", prev.display(), path.display())]
    Overlap {
        /// The earlier segment.
        prev: PathBuf,
        /// Its last event id.
        prev_last: u64,
        /// The later segment.
        path: PathBuf,
        /// Its first event id.
        first: u64,
    },
    /// A segment changed between the directory scan and opening it.
    #[error("{} changed since the WAL directory was scanned (header differs); do not modify a WAL while it is replayed, then retry", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// Resuming from an id older than anything the WAL still holds.
    #[error("event {requested} is not in the WAL at {}: its first event is {first}; resume from {first} or later", dir.display())]
    EventBeforeWal {
        /// The directory.
        dir: PathBuf,
        /// The id asked for.
        requested: u64,
        /// The WAL's first event id.
        first: u64,
    },
    /// A writer option is unusable.
    #[error("invalid WAL writer option {option}: {what}")]
    BadOption {
        /// The option.
        option: &'static str,
        /// What is wrong and what is allowed.
        what: String,
    },
    /// The writer was asked to write into a directory that already holds segments.
    #[error("{} already holds a WAL segment ({}); write into an empty directory or delete the old WAL first", dir.display(), existing.display())]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
        /// A segment found in it.
        existing: PathBuf,
    },
    /// An event payload larger than a slot can carry.
    #[error("event payload of {len} bytes is larger than the {max}-byte limit; split the payload")]
    PayloadTooLarge {
        /// The payload's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The event id space is exhausted.
    #[error("event id overflow after event {last}; start a new WAL with lower ids")]
    IdOverflow {
        /// The last id written.
        last: u64,
    },
    /// A block header whose event count cannot be (torn, zeroed, or corrupt), so the block's
    /// extent, and thus its CRC, is unknown.
    #[error("{} at byte {offset}: block event_count {count} is not 1..=64: the block is torn, zeroed or corrupt; at the end of the last segment, replay with --recovery-mode tolerate-tail or cut it with walrec repair", path.display())]
    BadBlockCount {
        /// The file.
        path: PathBuf,
        /// Byte offset of the count field.
        offset: u64,
        /// The count found.
        count: u32,
    },
    /// A segment name on something that is not a regular file.
    #[error("{} is {kind}, not a regular file; a WAL segment must be a regular file, move it out of the WAL directory", path.display())]
    SpecialFile {
        /// The entry.
        path: PathBuf,
        /// What it is: "a FIFO", "a socket", "a device", ...
        kind: &'static str,
    },
    /// An unsealed segment where the recovery mode does not accept one.
    #[error("{} is unsealed (its writer did not finish it; its intact events end at byte {offset}); {hint}", path.display())]
    Unsealed {
        /// The segment.
        path: PathBuf,
        /// Where its intact prefix ends.
        offset: u64,
        /// What to do about it.
        hint: &'static str,
    },
    /// Another writer (or `repair`) holds the WAL directory's lock.
    #[error("the WAL directory is in use: {} is locked by another walrec writer or repair{}; wait for it to finish or stop it", lock_file.display(), holder.map(|pid| format!(" (process {pid})")).unwrap_or_default())]
    Locked {
        /// The lock file.
        lock_file: PathBuf,
        /// The holder's process id, as it wrote it into the lock file.
        holder: Option<u32>,
    },
    /// A write failed earlier; the writer accepts nothing more.
    #[error("an earlier write to {} failed; the segment keeps its intact events, reopen the WAL for appending to continue", path.display())]
    WriterFailed {
        /// The segment being written.
        path: PathBuf,
    },
    /// The preloader thread is gone (it panicked or could not start).
    #[error("the segment preloader thread stopped unexpectedly while loading {}; this is a bug, please report it", path.display())]
    PreloaderGone {
        /// The segment it was loading.
        path: PathBuf,
    },
}

impl WalError {
    /// The file or directory the error is about, when it has one.
    pub fn path(&self) -> Option<&std::path::Path> {
        use WalError::*;
        match self {
            DirMissing { dir } | DirUnreadable { dir, .. } | NoSegments { dir } => Some(dir),
            EventBeforeWal { dir, .. } | NotEmpty { dir, .. } => Some(dir),
            ForeignFile { path, .. } | Io { path, .. } | BadMagic { path, .. } => Some(path),
            UnsupportedVersion { path, .. } | HeaderCrc { path, .. } => Some(path),
            BadField { path, .. } | Truncated { path, .. } | TrailingBytes { path, .. } => {
                Some(path)
            }
            BlockCrc { path, .. } | ChainCrc { path, .. } | Changed { path } => Some(path),
            Gap { path, .. } | Overlap { path, .. } | PreloaderGone { path } => Some(path),
            SpecialFile { path, .. } | Unsealed { path, .. } | WriterFailed { path } => Some(path),
            Locked { lock_file, .. } => Some(lock_file),
            BadBlockCount { path, .. } => Some(path),
            BadOption { .. } | PayloadTooLarge { .. } | IdOverflow { .. } => None,
        }
    }

    /// True when the error comes from how the WAL was asked for (a missing directory or a file
    /// given as one, an id outside the WAL, an unusable option) rather than from the data or
    /// the system.
    pub fn is_usage(&self) -> bool {
        match self {
            WalError::DirUnreadable { source, .. } => source.kind() == io::ErrorKind::NotADirectory,
            other => matches!(
                other,
                WalError::DirMissing { .. }
                    | WalError::EventBeforeWal { .. }
                    | WalError::BadOption { .. }
                    | WalError::NotEmpty { .. }
            ),
        }
    }
}
