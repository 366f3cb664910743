//! Verifying one block: CRC, chain, block header fields, and every event slot.

use std::path::Path;

use super::error::WalError;
use super::format::{
    BLOCK_CRC_START, BLOCK_HEADER_SIZE, BlockHeader, EVENT_SIZE, MAX_PAYLOAD, chain_crc, le_u16,
    le_u64,
};

/// Verifies the block at file offset `offset` (`bytes` is the whole block), which follows chain
/// CRC `prev_chain` and must hold `count` events starting at `first_id`. Returns its chain CRC.
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
    let computed = crc32c::crc32c(bytes.get(BLOCK_CRC_START..).unwrap_or(&[]));
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
    check_slots(bytes, first_id, count).map_err(|(at, what)| bad(at, what))?;
    Ok(header.chain_crc)
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
    if header.event_count as usize != count {
        return Err((
            12,
            format!(
                "block event_count {} where {count} was expected",
                header.event_count
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

fn check_slots(bytes: &[u8], first_id: u64, count: usize) -> Result<(), FieldProblem> {
    if bytes
        .get(32..BLOCK_HEADER_SIZE)
        .is_some_and(|r| r.iter().any(|&b| b != 0))
    {
        return Err((32, "reserved block header bytes are not zero".into()));
    }
    let slots = bytes.get(BLOCK_HEADER_SIZE..).unwrap_or(&[]);
    for (k, slot) in slots.chunks_exact(EVENT_SIZE).enumerate() {
        let at = BLOCK_HEADER_SIZE + k * EVENT_SIZE;
        if k >= count {
            if slot.iter().any(|&b| b != 0) {
                return Err((at, format!("unused event slot {k} is not zero")));
            }
            continue;
        }
        let id = le_u64(slot, 0);
        let want = first_id.wrapping_add(k as u64);
        if id != want {
            return Err((at, format!("event id {id} where {want} was expected")));
        }
        let len = usize::from(le_u16(slot, 18));
        if len > MAX_PAYLOAD {
            return Err((at + 18, format!("payload_len {len} exceeds {MAX_PAYLOAD}")));
        }
        if slot
            .get(20 + len..)
            .is_some_and(|pad| pad.iter().any(|&b| b != 0))
        {
            return Err((at + 20 + len, "payload padding is not zero".into()));
        }
    }
    Ok(())
}
