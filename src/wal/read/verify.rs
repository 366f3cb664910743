//! Verifying blocks: one block's CRC, chain, header fields and event slots, and the walk over a
//! segment's blocks that stops at the first one that fails.

use std::path::Path;

use crate::wal::error::WalError;
use crate::wal::format::{
    BLOCK_COUNT_OFFSET, BLOCK_CRC_START, BLOCK_EVENTS, BLOCK_HEADER_SIZE, BLOCK_SIZE, BlockHeader,
    EVENT_SIZE, HEADER_SIZE, MAX_PAYLOAD, block_len, chain_crc, le_u16, le_u32, le_u64,
};
use crate::wal::read::one_pass::{OnePass, PADDING_MASKS, check_full_block};

/// Verifies the block at file offset `offset` (`bytes` is the whole block, `count` events long),
/// which follows chain CRC `prev_chain` and must start at `first_id`. Returns its chain CRC.
///
/// The CRC is checked first, so that any flipped byte in the covered region is reported as a
/// CRC mismatch; the field checks then catch blocks that were *written* inconsistently.
pub(crate) fn verify_block(
    path: &Path,
    block: usize,
    offset: usize,
    bytes: &[u8],
    prev_chain: u32,
    first_id: u64,
    count: usize,
) -> Result<u32, WalError> {
    let header = BlockHeader::decode(bytes);
    let (computed, slots_sound) = match one_pass_of(bytes, first_id) {
        Some(pass) => (pass.crc, pass.slots_sound),
        None => (
            crc32c::crc32c(bytes.get(BLOCK_CRC_START..).unwrap_or(&[])),
            false,
        ),
    };
    if header.block_crc != computed {
        return Err(WalError::BlockCrc {
            path: path.to_path_buf(),
            block: block as u64,
            offset: offset as u64,
            stored: header.block_crc,
            computed,
        });
    }
    let expected = chain_crc(prev_chain, header.block_crc);
    if header.chain_crc != expected {
        return Err(WalError::ChainCrc {
            path: path.to_path_buf(),
            block: block as u64,
            offset: offset as u64 + 4,
            stored: header.chain_crc,
            expected,
        });
    }
    let bad = |at: usize, what: String| WalError::BadField {
        path: path.to_path_buf(),
        offset: (offset + at) as u64,
        what,
    };
    check_block_fields(&header, block, first_id, count).map_err(|(at, what)| bad(at, what))?;
    if !slots_sound {
        // Slow, and exact about which field is wrong: a partial block, or a fault to describe.
        check_slots(bytes, first_id).map_err(|(at, what)| bad(at, what))?;
    }
    Ok(header.chain_crc)
}

/// The one-pass check of a full block (CRC and slots together), where it applies.
#[inline]
fn one_pass_of(bytes: &[u8], first_id: u64) -> Option<OnePass> {
    let block: &[u8; BLOCK_SIZE] = bytes.try_into().ok()?;
    check_full_block(block, first_id)
}

type FieldProblem = (usize, String);

fn check_block_fields(
    header: &BlockHeader,
    block: usize,
    first_id: u64,
    count: usize,
) -> Result<(), FieldProblem> {
    if header.block_index as usize != block {
        return Err((
            8,
            format!(
                "block_index {} where {block} was expected",
                header.block_index
            ),
        ));
    }
    if header.first_event_id != first_id {
        return Err((
            16,
            format!(
                "block first_event_id {} where {first_id} was expected",
                header.first_event_id
            ),
        ));
    }
    let last = first_id.wrapping_add(count as u64).wrapping_sub(1);
    if header.last_event_id != last {
        return Err((
            24,
            format!(
                "block last_event_id {} where {last} was expected",
                header.last_event_id
            ),
        ));
    }
    Ok(())
}

/// Checks the reserved block header bytes and every event slot: consecutive ids from
/// `first_id`, a payload length that fits, zero padding after the payload.
fn check_slots(bytes: &[u8], first_id: u64) -> Result<(), FieldProblem> {
    if bytes
        .get(32..BLOCK_HEADER_SIZE)
        .is_some_and(|r| r.iter().any(|&b| b != 0))
    {
        return Err((32, "reserved block header bytes are not zero".into()));
    }
    let slots = bytes.get(BLOCK_HEADER_SIZE..).unwrap_or(&[]);
    let mut want = first_id;
    for (k, slot) in slots.chunks_exact(EVENT_SIZE).enumerate() {
        let Ok(slot) = <&[u8; EVENT_SIZE]>::try_from(slot) else {
            continue; // chunks_exact yields EVENT_SIZE-byte chunks only
        };
        // One branch for the common case; the details only when something is wrong.
        if !slot_is_sound(slot, want) {
            return Err(slot_problem(BLOCK_HEADER_SIZE + k * EVENT_SIZE, slot, want));
        }
        want = want.wrapping_add(1);
    }
    Ok(())
}

/// The slot's id is `want`, its payload length at most 44, and the bytes after the payload
/// zero. Reads the slot as words: the padding check masks off the payload in the last six,
/// with no per-byte loop, no branch and no bounds checks. (A full block takes
/// [`one_pass`](crate::wal::read::one_pass)'s route instead, to the same answer.)
#[inline(always)]
fn slot_is_sound(slot: &[u8; EVENT_SIZE], want: u64) -> bool {
    let len = usize::from(u16::from_le_bytes([slot[18], slot[19]]));
    let masks = &PADDING_MASKS[len.min(MAX_PAYLOAD)];
    let padding = (word::<16>(slot) & masks[0])
        | (word::<24>(slot) & masks[1])
        | (word::<32>(slot) & masks[2])
        | (word::<40>(slot) & masks[3])
        | (word::<48>(slot) & masks[4])
        | (word::<56>(slot) & masks[5]);
    (word::<0>(slot) == want) & (len <= MAX_PAYLOAD) & (padding == 0)
}

/// The little-endian word at byte `AT` of a slot (a constant offset: one load, no check).
#[inline(always)]
fn word<const AT: usize>(slot: &[u8; EVENT_SIZE]) -> u64 {
    u64::from_le_bytes([
        slot[AT],
        slot[AT + 1],
        slot[AT + 2],
        slot[AT + 3],
        slot[AT + 4],
        slot[AT + 5],
        slot[AT + 6],
        slot[AT + 7],
    ])
}

fn slot_problem(at: usize, slot: &[u8], want: u64) -> FieldProblem {
    let id = le_u64(slot, 0);
    if id != want {
        return (at, format!("event id {id} where {want} was expected"));
    }
    let len = usize::from(le_u16(slot, 18));
    if len > MAX_PAYLOAD {
        return (at + 18, format!("payload_len {len} exceeds {MAX_PAYLOAD}"));
    }
    (at + 20 + len, "payload padding is not zero".into())
}

/// One verified block: the ids it holds and where its events are in the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockSpan {
    /// Id of the block's first event.
    pub first_id: u64,
    /// Byte offset of the block's first event slot.
    pub events_at: usize,
    /// Events in the block, 1..=64.
    pub count: usize,
}

impl BlockSpan {
    /// Byte offset just past the block's last slot.
    #[inline(always)]
    pub(in crate::wal) fn end(&self) -> usize {
        self.events_at + self.count * EVENT_SIZE
    }
}

/// A walk over a segment's blocks, which can go on as more of the file is read.
#[derive(Debug)]
pub(crate) struct Walked {
    /// Byte offset just past the last verified block: the end of the intact prefix.
    pub end: usize,
    /// Events in the verified blocks.
    pub events: u64,
    /// Chain CRC of the last verified block (the seed when there is none).
    pub chain: u32,
    /// Id the next block must start with.
    next_id: u64,
    /// Why the walk stopped before the end of the bytes, if it did.
    pub stop: Option<WalError>,
}

impl Walked {
    /// A walk from the first block, of a segment starting at `first_id` with chain `seed`.
    pub(in crate::wal) fn start(first_id: u64, seed: u32) -> Self {
        Walked {
            end: HEADER_SIZE,
            events: 0,
            chain: seed,
            next_id: first_id,
            stop: None,
        }
    }
}

/// Verifies the blocks of a segment (`bytes` is the file as read so far, header included) from
/// where `walked` is, pushing each verified block to `spans`. With `complete` false, more bytes
/// are still coming: the walk pauses before a block that does not fit yet. Otherwise it goes
/// until the bytes end or a block fails: a torn or corrupt block ends the walk, the blocks
/// before it are the intact prefix, and `stop` says what is wrong with the first byte after it.
pub(crate) fn walk_blocks(
    path: &Path,
    bytes: &[u8],
    walked: &mut Walked,
    spans: &mut Vec<BlockSpan>,
    complete: bool,
) {
    while walked.stop.is_none() && walked.end < bytes.len() {
        let offset = walked.end;
        if !complete && !block_fits(bytes, offset) {
            return;
        }
        match next_block(
            path,
            bytes,
            offset,
            spans.len(),
            walked.chain,
            walked.next_id,
        ) {
            Ok((span, chain)) => {
                spans.push(span);
                walked.chain = chain;
                walked.end = span.end();
                walked.events += span.count as u64;
                walked.next_id = walked.next_id.wrapping_add(span.count as u64);
            }
            Err(error) => walked.stop = Some(error),
        }
    }
}

/// Whether the block at `offset` lies wholly within `bytes` (a bad count "fits": it fails).
fn block_fits(bytes: &[u8], offset: usize) -> bool {
    let Some(head) = bytes.get(offset..offset + BLOCK_HEADER_SIZE) else {
        return false;
    };
    let count = le_u32(head, BLOCK_COUNT_OFFSET) as usize;
    count == 0 || count > BLOCK_EVENTS || offset + block_len(count) <= bytes.len()
}

/// Verifies the block at `offset` of `bytes`, the `index`-th of its segment.
fn next_block(
    path: &Path,
    bytes: &[u8],
    offset: usize,
    index: usize,
    prev_chain: u32,
    first_id: u64,
) -> Result<(BlockSpan, u32), WalError> {
    let truncated = |expected: usize| WalError::Truncated {
        path: path.to_path_buf(),
        expected: expected as u64,
        actual: bytes.len() as u64,
    };
    let head = bytes
        .get(offset..offset + BLOCK_HEADER_SIZE)
        .ok_or_else(|| truncated(offset + BLOCK_HEADER_SIZE))?;
    let raw_count = le_u32(head, BLOCK_COUNT_OFFSET);
    let count = raw_count as usize;
    if count == 0 || count > BLOCK_EVENTS {
        return Err(WalError::BadBlockCount {
            path: path.to_path_buf(),
            offset: (offset + BLOCK_COUNT_OFFSET) as u64,
            count: raw_count,
        });
    }
    let len = block_len(count);
    let block = bytes
        .get(offset..offset + len)
        .ok_or_else(|| truncated(offset + len))?;
    let chain = verify_block(path, index, offset, block, prev_chain, first_id, count)?;
    let span = BlockSpan {
        first_id,
        events_at: offset + BLOCK_HEADER_SIZE,
        count,
    };
    Ok((span, chain))
}
