//! Verifying a full block in one pass: its CRC32C in four interleaved streams, each event slot
//! checked from the same words as they go through the CRC.
//!
//! Why: checked one after the other, the CRC (bound by the `crc32` instruction, one per cycle)
//! and the slot checks (loads, masks, compares on the other ports) cost their sum, and the
//! checks cost more than the CRC. Interleaved, the processor runs them side by side, so a
//! block costs little more than its CRC. The result is the same as the two passes': the
//! block's CRC, and whether every slot (and the reserved header bytes) is sound. When a slot
//! is not, the caller asks the slow path which one and why: this path only answers yes or no.

use crate::wal::format::{BLOCK_EVENTS, BLOCK_SIZE, EVENT_SIZE, MAX_PAYLOAD};

/// What one pass over a full block found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OnePass {
    /// CRC32C of the block's bytes 8.. (what `block_crc` covers).
    pub crc: u32,
    /// The reserved header bytes are zero and every slot sound (see `verify::slot_is_sound`).
    pub slots_sound: bool,
}

/// Checks a full block (64 events) in one pass, or `None` where the processor lacks the CRC32C
/// instruction (the caller then takes the two-pass path).
#[inline]
pub(crate) fn check_full_block(block: &[u8; BLOCK_SIZE], first_id: u64) -> Option<OnePass> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("sse4.2") {
            // SAFETY: the CPU supports SSE 4.2 (checked just above), the only target feature
            // `one_pass` enables.
            let (crc, bad) = unsafe { x86::one_pass(block, first_id) };
            return Some(OnePass {
                crc,
                slots_sound: bad == 0,
            });
        }
    }
    let _ = (block, first_id);
    None
}

/// Slots per CRC stream: the 64 slots split four ways. Four streams, not three, because the
/// split then falls on slot boundaries; three would already cover the instruction's latency.
const STREAM_SLOTS: usize = BLOCK_EVENTS / 4;
/// Bytes after one stream's slots: the CRC of a stream is shifted past the streams after it.
const STREAM_BYTES: usize = STREAM_SLOTS * EVENT_SIZE;

/// CRC32C (reflected) polynomial.
const POLY: u32 = 0x82F6_3B78;

/// A linear map on CRC registers, as the images of the 32 single-bit registers.
type Matrix = [u32; 32];

const fn apply(m: &Matrix, v: u32) -> u32 {
    let mut out = 0;
    let mut k = 0;
    while k < 32 {
        if v >> k & 1 == 1 {
            out ^= m[k];
        }
        k += 1;
    }
    out
}

/// `a` after `b`.
const fn compose(a: &Matrix, b: &Matrix) -> Matrix {
    let mut out = [0; 32];
    let mut k = 0;
    while k < 32 {
        out[k] = apply(a, b[k]);
        k += 1;
    }
    out
}

/// The map "feed `bytes` zero bytes" (a power of two) on the raw CRC register: a stream's
/// register shifted past the bytes that follow it.
const fn zeros(bytes: usize) -> Matrix {
    let mut m = [0; 32];
    let mut k = 0;
    while k < 32 {
        let bit = 1u32 << k;
        m[k] = if bit & 1 == 1 {
            (bit >> 1) ^ POLY
        } else {
            bit >> 1
        };
        k += 1;
    }
    let mut bits = 1;
    while bits < bytes * 8 {
        m = compose(&m, &m);
        bits *= 2;
    }
    m
}

/// [`zeros`]`(STREAM_BYTES)` as four byte-indexed tables: a shift is four loads.
const SHIFT: [[u32; 256]; 4] = shift_tables(&zeros(STREAM_BYTES));

const fn shift_tables(m: &Matrix) -> [[u32; 256]; 4] {
    let mut t = [[0; 256]; 4];
    let mut i = 0;
    while i < 4 {
        let mut b = 0;
        while b < 256 {
            t[i][b] = apply(m, (b as u32) << (8 * i));
            b += 1;
        }
        i += 1;
    }
    t
}

#[inline(always)]
fn shift(crc: u64) -> u64 {
    let c = crc as u32;
    let out = SHIFT[0][(c & 0xFF) as usize]
        ^ SHIFT[1][(c >> 8 & 0xFF) as usize]
        ^ SHIFT[2][(c >> 16 & 0xFF) as usize]
        ^ SHIFT[3][(c >> 24) as usize];
    u64::from(out)
}

/// For each payload length, the bits of slot words 2..8 (bytes 16..64) that are padding: at or
/// after byte `20 + len` (bytes 16..20 are kind and payload_len).
pub(in crate::wal) const PADDING_MASKS: [[u64; 6]; MAX_PAYLOAD + 1] = padding_masks();

const fn padding_masks() -> [[u64; 6]; MAX_PAYLOAD + 1] {
    let mut masks = [[0u64; 6]; MAX_PAYLOAD + 1];
    let mut len = 0;
    while len <= MAX_PAYLOAD {
        let data_end = 20 + len;
        let mut w = 0;
        while w < 6 {
            let at = 16 + w * 8;
            let keep = if data_end <= at {
                0
            } else if data_end - at >= 8 {
                8
            } else {
                data_end - at
            };
            masks[len][w] = if keep == 8 { 0 } else { u64::MAX << (keep * 8) };
            w += 1;
        }
        len += 1;
    }
    masks
}

/// The eight little-endian words of the slot (or header) at byte `at` of `block`.
#[inline(always)]
fn words(block: &[u8; BLOCK_SIZE], at: usize) -> [u64; 8] {
    let mut out = [0u64; 8];
    for (i, word) in out.iter_mut().enumerate() {
        let mut raw = [0u8; 8];
        if let Some(src) = block.get(at + i * 8..at + i * 8 + 8) {
            raw.copy_from_slice(src);
        }
        *word = u64::from_le_bytes(raw);
    }
    out
}

/// Nonzero unless the slot's id is `want`, its payload length at most 44 and its padding zero
/// (the same conditions as `verify::slot_is_sound`).
#[inline(always)]
fn slot_fault(w: &[u64; 8], want: u64) -> u64 {
    let len = ((w[2] >> 16) & 0xFFFF) as usize;
    let masks = &PADDING_MASKS[len.min(MAX_PAYLOAD)];
    let padding = (w[2] & masks[0])
        | (w[3] & masks[1])
        | (w[4] & masks[2])
        | (w[5] & masks[3])
        | (w[6] & masks[4])
        | (w[7] & masks[5]);
    (w[0] ^ want) | padding | u64::from(len > MAX_PAYLOAD)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    use std::arch::x86_64::_mm_crc32_u64;

    /// One slot into a stream: its eight words through the CRC, its fields into `fault`. A
    /// macro, not a function: a `#[target_feature]` function cannot be `#[inline(always)]`, and
    /// called (not inlined) it would run the four streams one after the other, each bound by
    /// the instruction's latency instead of its throughput.
    macro_rules! slot {
        ($block:ident, $crc:ident, $fault:ident, $k:expr, $first_id:ident) => {{
            let w = words($block, 64 + $k * EVENT_SIZE);
            for word in w {
                $crc = _mm_crc32_u64($crc, word);
            }
            $fault |= slot_fault(&w, $first_id.wrapping_add($k as u64));
        }};
    }

    /// Asks for the cache line `ahead` bytes past the start of `block` (in the next block, in
    /// a segment): four short streams per block are too short for the hardware prefetcher to
    /// ramp up, and without this the first load of each waits for memory (perf: 45 % of the
    /// in-memory verification sat on those four loads).
    #[inline(always)]
    fn prefetch(block: &[u8; BLOCK_SIZE], ahead: usize) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let line = block.as_ptr().wrapping_add(ahead).cast::<i8>();
        // SAFETY: a prefetch is only a hint: it never faults, whatever the address, and
        // neither reads into the program nor writes memory.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(line) };
    }

    /// The block's CRC32C and the OR of every fault found (zero when sound).
    #[target_feature(enable = "sse4.2")]
    pub(in crate::wal) fn one_pass(block: &[u8; BLOCK_SIZE], first_id: u64) -> (u32, u64) {
        // Stream a: the header from byte 8, then slots 0..16; b, c, d: the next 16 each, from
        // a zero register (the linearity of the CRC joins them below).
        let head = words(block, 0);
        let mut a = u64::from(u32::MAX);
        for &word in &head[1..] {
            a = _mm_crc32_u64(a, word);
        }
        // The reserved header bytes 32..64 must be zero.
        let mut fault = head[4] | head[5] | head[6] | head[7];
        let (mut b, mut c, mut d) = (0, 0, 0);
        for k in 0..STREAM_SLOTS {
            for stream in 0..4 {
                prefetch(
                    block,
                    BLOCK_SIZE + 64 + (k + stream * STREAM_SLOTS) * EVENT_SIZE,
                );
            }
            slot!(block, a, fault, k, first_id);
            slot!(block, b, fault, k + STREAM_SLOTS, first_id);
            slot!(block, c, fault, k + 2 * STREAM_SLOTS, first_id);
            slot!(block, d, fault, k + 3 * STREAM_SLOTS, first_id);
        }
        let crc = shift(shift(shift(a) ^ b) ^ c) ^ d;
        (!(crc as u32), fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wal::format::{BLOCK_HEADER_SIZE, encode_event};

    fn block(first_id: u64) -> Box<[u8; BLOCK_SIZE]> {
        let mut b = Box::new([0u8; BLOCK_SIZE]);
        for k in 0..BLOCK_EVENTS {
            let at = BLOCK_HEADER_SIZE + k * EVENT_SIZE;
            let payload = vec![k as u8 | 1; k % (MAX_PAYLOAD + 1)];
            let id = first_id + k as u64;
            encode_event(&mut b[at..at + EVENT_SIZE], id, id * 3, 7, &payload);
        }
        b[..32]
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as u8);
        b
    }

    #[test]
    fn the_crc_is_crc32c_of_the_covered_bytes() {
        let mut b = block(100);
        let pass = check_full_block(&b, 100);
        if let Some(pass) = pass {
            assert_eq!(pass.crc, crc32c::crc32c(&b[8..]));
            assert!(pass.slots_sound);
        }
        let mut state = 0x1234_5678_9abc_def0u64;
        for _ in 0..200 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (state >> 33) as usize % BLOCK_SIZE;
            b[at] ^= (state >> 20) as u8 | 1;
            if let Some(pass) = check_full_block(&b, 100) {
                assert_eq!(
                    pass.crc,
                    crc32c::crc32c(&b[8..]),
                    "after flipping byte {at}"
                );
            }
        }
    }

    #[test]
    fn every_faulty_field_is_seen() {
        let first = 1 << 40;
        for at in 32..BLOCK_SIZE {
            let mut b = block(first);
            let slot = at.saturating_sub(BLOCK_HEADER_SIZE) % EVENT_SIZE;
            let k = at.saturating_sub(BLOCK_HEADER_SIZE) / EVENT_SIZE;
            let payload_end = 20 + k % (MAX_PAYLOAD + 1);
            b[at] ^= 0x80;
            // Timestamp, kind and payload bytes may hold anything; the rest is checked.
            let free = at >= BLOCK_HEADER_SIZE
                && ((8..18).contains(&slot) || (20..payload_end).contains(&slot));
            let Some(pass) = check_full_block(&b, first) else {
                return;
            };
            assert_eq!(pass.slots_sound, free, "byte {at} (slot byte {slot})");
        }
    }
}
