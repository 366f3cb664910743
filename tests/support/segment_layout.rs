//! Sizes and offsets in a segment, derived from the format's constants, so that no test writes
//! the header's or a block's size as a literal.
#![allow(dead_code)]

use walrec::wal::format::{BLOCK_HEADER_SIZE, BLOCK_SIZE, HEADER_SIZE};

/// The segment header's size.
pub const HEADER: u64 = HEADER_SIZE as u64;
/// A full block's size (its header and 64 events).
pub const BLOCK: u64 = BLOCK_SIZE as u64;
/// A block header's size.
pub const BLOCK_HEADER: u64 = BLOCK_HEADER_SIZE as u64;

/// The size of a segment that holds `blocks` full blocks.
pub const fn segment_bytes(blocks: u64) -> u64 {
    HEADER + blocks * BLOCK
}

/// Where block `k` (counted from 0) of a segment of full blocks starts.
pub const fn block_start(k: u64) -> u64 {
    HEADER + k * BLOCK
}
