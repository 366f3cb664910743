//! Options: how a [`SegmentWriter`](crate::wal::SegmentWriter) lays out and syncs a WAL, and how a
//! [`RecoveryManager`](crate::wal::RecoveryManager) treats a damaged one.

use std::time::Duration;

use crate::wal::error::WalError;
use crate::wal::format::{BLOCK_SIZE, HEADER_SIZE};

/// The writer's default group commit: one `fdatasync` per this many events (64 full blocks,
/// about 260 KB). The CLI's `--sync-every` default is this too.
pub const DEFAULT_SYNC_EVERY_EVENTS: u64 = 4096;

/// How a [`SegmentWriter`](crate::wal::SegmentWriter) lays out a WAL and when it makes it durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Largest segment file, in bytes. A segment starts a block only while a full block still
    /// fits; at least one must fit after the header (`128 + 4160` bytes).
    pub segment_bytes: u64,
    /// Id of the first event of a new WAL.
    pub first_event_id: u64,
    /// Index of the first segment of a new WAL.
    pub first_segment_index: u64,
    /// `fdatasync` by the policy below, when sealing, and the directory when creating a
    /// segment. Turn off only for throw-away WALs (tests, demos): then nothing is synced
    /// except by an explicit [`sync`](crate::wal::SegmentWriter::sync).
    pub sync: bool,
    /// Sync after this many events since the last sync; 0 for no count trigger.
    pub sync_every_events: u64,
    /// Sync at the first append once this much time has passed since the last sync; `None`
    /// for no time trigger. Checked at appends only (there is no background thread).
    pub sync_interval: Option<Duration>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            segment_bytes: 64 << 20,
            first_event_id: 1,
            first_segment_index: 0,
            sync: true,
            sync_every_events: DEFAULT_SYNC_EVERY_EVENTS,
            sync_interval: None,
        }
    }
}

impl WriterOptions {
    /// Full blocks per segment, or an error if the size cannot hold one.
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

/// What a replay does with bytes that are not intact (after RocksDB's WAL recovery modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RecoveryMode {
    /// Replay every intact event, including the intact prefix of an unsealed or torn *last*
    /// segment, and report what was discarded. A fault anywhere else is an error.
    #[default]
    TolerateTail,
    /// Any torn or unsealed byte is an error.
    Absolute,
    /// Replay up to the first fault anywhere and stop there, reporting where.
    PointInTime,
}

/// How a [`RecoveryManager`](crate::wal::RecoveryManager) replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RecoveryOptions {
    /// What to do with bytes that are not intact.
    pub mode: RecoveryMode,
}

impl RecoveryOptions {
    /// Options with `mode`.
    pub fn with_mode(mode: RecoveryMode) -> Self {
        RecoveryOptions { mode }
    }
}
