//! A small, real write-ahead log: the work that the recovery telemetry measures.
//!
//! A WAL is a directory of **segment files** named `segment-<index>.wal` (the index in decimal,
//! zero-padded to 10 digits), plus the writer's lock file `walrec.lock`. Each segment holds a
//! contiguous run of events; together the segments hold one gapless sequence of event ids.
//! [`SegmentWriter`] writes them, [`VerifiedSegment`] reads and verifies one, [`RecoveryManager`]
//! replays a whole directory while recording into a
//! [`telemetry::Manager`](crate::telemetry::Manager), and [`Repair`] cuts what a crash left.
//!
//! The source is laid out the same way: `format.rs` (the bytes on disk), `write/` (the writer,
//! the directory lock, the repair that makes a crashed WAL writable again), `read/` (the
//! directory scan, the verified segment, the verification) and `recovery/` (the replay and its
//! modes, the preloader, the report, the hooks and the spans).
//!
//! # Durability
//!
//! The live segment is the file itself. The writer appends closed blocks to it and
//! `fdatasync`s by its policy ([`WriterOptions::sync_every_events`], default
//! [`DEFAULT_SYNC_EVERY_EVENTS`], and/or [`WriterOptions::sync_interval`]); at a sync the open
//! block is closed short, so that a block is never rewritten once written. A segment is
//! *sealed* (its header rewritten with counts, close time and the sealed flag, then synced)
//! when it is full or the writer finishes. After a crash the last segment is normally unsealed:
//! its events are the blocks up to the first torn one. New segments are created under
//! `segment-<index>.wal.tmp` holding only a header, synced, and renamed into place, so a
//! segment is never seen without a whole header. The assumption about the disk is that a
//! 128-byte header write at offset 0 is atomic (it is within one sector).
//!
//! # Recovery modes
//!
//! [`RecoveryMode::TolerateTail`] (the default) replays every intact event, including the
//! intact prefix of an unsealed or torn last segment, and reports what it discarded in
//! [`RecoveryReport`]; a fault anywhere else is an error. [`RecoveryMode::Absolute`] makes any
//! torn or unsealed byte an error. [`RecoveryMode::PointInTime`] replays up to the first fault
//! anywhere and stops there.
//!
//! # Segment format, version 2
//!
//! All integers are little-endian. A segment is a 128-byte header followed by blocks of 1 to 64
//! events; a block of `n` events is `64 + 64 × n` bytes. A sealed segment is exactly
//! `128 + 64 × (block_count + event_count)` bytes long. Version 1 (fixed 4160-byte blocks, no
//! unsealed segments) is not read by this build.
//!
//! ## Header (128 bytes, offset 0)
//!
//! | Offset | Size | Field            | Meaning                                                   |
//! |-------:|-----:|------------------|-----------------------------------------------------------|
//! |      0 |    8 | `magic`          | `b"WALRSEG\0"`                                            |
//! |      8 |    2 | `version`        | format version, `2`                                       |
//! |     10 |    2 | `header_size`    | `128`                                                     |
//! |     12 |    2 | `block_events`   | most events per block, `64`                               |
//! |     14 |    2 | `event_size`     | bytes per event, `64`                                     |
//! |     16 |    8 | `segment_index`  | position of the segment in the WAL; matches the file name |
//! |     24 |    8 | `first_event_id` | id of the first event                                     |
//! |     32 |    8 | `last_event_id`  | id of the last event (`first + count − 1`); 0 if unsealed |
//! |     40 |    8 | `event_count`    | number of events, at least 1; 0 if unsealed               |
//! |     48 |    8 | `block_count`    | blocks, `ceil(event_count / 64)..=event_count`; 0 if unsealed |
//! |     56 |    8 | `created_unix_ns`| wall-clock time the writer opened the segment             |
//! |     64 |    8 | `closed_unix_ns` | wall-clock time the writer sealed it; 0 if unsealed       |
//! |     72 |    4 | `flags`          | bit 0: sealed; other bits zero                            |
//! |     76 |   48 | reserved         | zero                                                      |
//! |    124 |    4 | `header_crc`     | CRC32C of bytes 0..124                                    |
//!
//! ## Block (`64 + 64 × event_count` bytes, the first at offset 128, each right after the last)
//!
//! A 64-byte block header followed by one 64-byte slot per event. A block holds 64 events
//! unless the writer synced (or finished) while it was open: then it is closed short.
//!
//! | Offset | Size | Field            | Meaning                                                      |
//! |-------:|-----:|------------------|--------------------------------------------------------------|
//! |      0 |    4 | `block_crc`      | CRC32C of block bytes 8.. to the block's end                 |
//! |      4 |    4 | `chain_crc`      | CRC32C of `previous chain_crc ‖ block_crc` (8 bytes, LE); for block 0 the previous is CRC32C of header bytes 0..32 |
//! |      8 |    4 | `block_index`    | `i`, the block's position in the segment                     |
//! |     12 |    4 | `event_count`    | events in this block, 1..=64                                 |
//! |     16 |    8 | `first_event_id` | id of the block's first event                                |
//! |     24 |    8 | `last_event_id`  | id of the block's last event                                 |
//! |     32 |   32 | reserved         | zero                                                         |
//! |     64 | 64 × n | events         | `event_count` slots of 64 bytes                              |
//!
//! The chain ties every block to its predecessor and to the header, so a block that is moved,
//! dropped or taken from another segment is detected even though its own CRC is valid.
//!
//! ## Event (64 bytes)
//!
//! | Offset | Size | Field          | Meaning                                  |
//! |-------:|-----:|----------------|------------------------------------------|
//! |      0 |    8 | `event_id`     | previous event's id + 1                  |
//! |      8 |    8 | `timestamp_ns` | the producer's timestamp                 |
//! |     16 |    2 | `kind`         | the producer's event type                |
//! |     18 |    2 | `payload_len`  | 0..=44                                   |
//! |     20 |   44 | `payload`      | `payload_len` bytes, then zero padding   |
//!
//! # Integrity
//!
//! [`VerifiedSegment::open`] reads the file into a buffer the reader owns and checks the magic,
//! version, header CRC and header fields, the file length (sealed), then every block's CRC, the
//! chain, the block fields and every event id, before it returns; the events it then returns
//! are those very bytes. Every byte of a segment is covered by a CRC, so any single flipped
//! byte is reported as a [`WalError`] naming the file and byte offset (or, at the end of an
//! unsealed segment, as the point where its intact prefix ends).

mod error;
pub mod format;
mod options;
mod read;
mod recovery;
mod write;

pub use error::WalError;
pub use format::{EventView, SegmentHeader};
pub use options::{DEFAULT_SYNC_EVERY_EVENTS, RecoveryMode, RecoveryOptions, WriterOptions};
pub use read::reader::VerifiedSegment;
pub use read::scan::{SegmentInfo, segment_file_name};
pub use recovery::discarded::Discarded;
pub use recovery::hooks::{Hooks, NoTelemetry};
pub use recovery::report::RecoveryReport;
#[cfg(feature = "traces")]
pub use recovery::spans::{MAX_HEADER_SPANS, span_trace_context};
pub use recovery::stop::StopHandle;
pub use recovery::telemetry_hooks::{LoadTimings, RecoveryHooks};
pub use recovery::{PROGRESS_EVENTS, RecoveryManager};
pub use write::lock::LOCK_FILE_NAME;
pub use write::repair::Repair;
pub use write::writer::SegmentWriter;
