//! A small, real write-ahead log: the work that the recovery telemetry measures.
//!
//! A WAL is a directory of **segment files** named `segment-<index>.wal` (the index in decimal,
//! zero-padded to 10 digits). Each segment holds a contiguous run of events; together the
//! segments hold one gapless sequence of event ids. [`SegmentWriter`] writes them,
//! [`SegmentReader`] maps and verifies one, and [`RecoveryManager`] replays a whole directory
//! while recording into a [`telemetry::Manager`](crate::telemetry::Manager).
//!
//! # Segment format, version 1
//!
//! All integers are little-endian. A segment is a 128-byte header followed by `block_count`
//! fixed-size blocks; its length is exactly `128 + block_count × 4160` bytes.
//!
//! ## Header (128 bytes, offset 0)
//!
//! | Offset | Size | Field            | Meaning                                                   |
//! |-------:|-----:|------------------|-----------------------------------------------------------|
//! |      0 |    8 | `magic`          | `b"WALRSEG\0"`                                            |
//! |      8 |    2 | `version`        | format version, `1`                                       |
//! |     10 |    2 | `header_size`    | `128`                                                     |
//! |     12 |    2 | `block_events`   | events per block, `64`                                    |
//! |     14 |    2 | `event_size`     | bytes per event, `64`                                     |
//! |     16 |    8 | `segment_index`  | position of the segment in the WAL; matches the file name |
//! |     24 |    8 | `first_event_id` | id of the first event                                     |
//! |     32 |    8 | `last_event_id`  | id of the last event (`first + count − 1`)                |
//! |     40 |    8 | `event_count`    | number of events, at least 1                              |
//! |     48 |    8 | `block_count`    | number of blocks, `ceil(event_count / 64)`                |
//! |     56 |    8 | `created_unix_ns`| wall-clock time the writer opened the segment             |
//! |     64 |    8 | `closed_unix_ns` | wall-clock time the writer sealed the segment             |
//! |     72 |   52 | reserved         | zero                                                      |
//! |    124 |    4 | `header_crc`     | CRC32C of bytes 0..124                                    |
//!
//! ## Block (4160 bytes, block `i` at offset `128 + i × 4160`)
//!
//! A 64-byte block header followed by 64 event slots of 64 bytes. Every block but the last is
//! full; unused slots of the last block are zero.
//!
//! | Offset | Size | Field            | Meaning                                                      |
//! |-------:|-----:|------------------|--------------------------------------------------------------|
//! |      0 |    4 | `block_crc`      | CRC32C of block bytes 8..4160 (rest of header, all slots)    |
//! |      4 |    4 | `chain_crc`      | CRC32C of `previous chain_crc ‖ block_crc` (8 bytes, LE); for block 0 the previous is CRC32C of header bytes 0..32 |
//! |      8 |    4 | `block_index`    | `i`                                                          |
//! |     12 |    4 | `event_count`    | events in this block, 1..=64                                 |
//! |     16 |    8 | `first_event_id` | id of the block's first event                                |
//! |     24 |    8 | `last_event_id`  | id of the block's last event                                 |
//! |     32 |   32 | reserved         | zero                                                         |
//! |     64 | 4096 | events           | 64 slots of 64 bytes                                         |
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
//! [`SegmentReader::open`] checks the magic, version, header CRC and header fields, the file
//! length, then every block's CRC, the chain, the block fields and every event id, before it
//! returns. Every byte of a segment is covered by a CRC, so any single flipped byte is reported
//! as a [`WalError`] naming the file and byte offset. The writer makes a segment visible only
//! once it is complete: it writes `segment-<index>.wal.tmp`, syncs it, and renames it.

mod error;
pub mod format;
mod preloader;
mod reader;
mod recorder;
mod recovery;
mod scan;
mod stop;
mod verify;
mod writer;

pub use error::WalError;
pub use format::{EventView, SegmentHeader};
pub use reader::SegmentReader;
pub use recorder::{NoTelemetry, Recorder};
pub use recovery::RecoveryManager;
pub use scan::{SegmentInfo, segment_file_name};
pub use stop::StopHandle;
pub use writer::{SegmentWriter, WriterOptions};
