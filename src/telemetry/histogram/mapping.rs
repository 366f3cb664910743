//! Value → bucket-index mapping of the base-2 exponential histogram at the recording scale.
//!
//! OpenTelemetry's exponential histogram puts a value `v > 0` in the bucket `i` with
//! `base^i < v <= base^(i+1)`, where `base = 2^(2^-scale)`. At scale 6 each octave
//! `[2^e, 2^(e+1))` is split into 64 buckets whose bounds grow by `2^(1/64)` (≈ 1.089 %).
//!
//! Floating-point logarithms are slow and inexact at bucket boundaries, so the mapping here is
//! integer-only and exact:
//!
//! 1. `e = floor(log2 v)` comes from the leading-zero count.
//! 2. `x = v << lzcnt(v)` normalises the value so that its top bit is set; `x / 2^63 = v / 2^e`
//!    holds exactly, because the shift multiplies by a power of two.
//! 3. `v > 2^(e + j/64)` holds exactly when `x > F[j]`, where `F[j] = floor(2^63 · 2^(j/64))`.
//!    (`2^63 · 2^(j/64)` is irrational for `0 < j < 64`, so flooring it loses nothing for integers.)
//! 4. The number of `j` with `x > F[j]` is found with a 256-cell lookup on the bits just below
//!    the top bit plus one comparison: the cells are narrower than the gap between two
//!    neighbouring bounds, so a cell holds at most one bound.
//!
//! The index is then `64·e + #{j : x > F[j]} − 1`. `F[0] = 2^63` makes exact powers of two land
//! in the bucket below, as the OpenTelemetry definition (upper-inclusive bounds) requires.

/// The scale at which values are recorded: 64 buckets per power of two.
pub const RECORD_SCALE: i32 = 6;

/// Buckets per power of two at [`RECORD_SCALE`].
pub const BUCKETS_PER_OCTAVE: i32 = 1 << RECORD_SCALE;

/// The number of powers of two above 1 that the histogram covers.
pub const OCTAVES: u32 = 36;

/// The largest value kept as it is (`2^36` ns, about 68.7 s). Larger values are clamped to it
/// and counted as saturated; a latency histogram gains nothing from finer tracking of minutes.
pub const MAX_VALUE: u64 = 1 << OCTAVES;

/// The bucket index of the value 1 (`2^0` is the upper bound of bucket −1).
pub const MIN_INDEX: i32 = -1;

/// The bucket index of [`MAX_VALUE`].
pub const MAX_INDEX: i32 = OCTAVES as i32 * BUCKETS_PER_OCTAVE - 1;

/// How many bucket counters one histogram shard holds (indices `MIN_INDEX..=MAX_INDEX`).
pub const BUCKET_COUNT: usize = (MAX_INDEX - MIN_INDEX + 1) as usize;

/// `F[j] = floor(2^63 · 2^(j/64))`, computed offline with exact integer 64th roots and
/// re-checked with big integers by the mapping tests.
const BOUNDS: [u64; 64] = [
    0x8000000000000000,
    0x8164D1F3BC030773,
    0x82CD8698AC2BA1D7,
    0x843A28C3ACDE4046,
    0x85AAC367CC487B14,
    0x871F61969E8D1010,
    0x88980E8092DA8527,
    0x8A14D575496EFD9A,
    0x8B95C1E3EA8BD6E6,
    0x8D1ADF5B7E5BA9E5,
    0x8EA4398B45CD53C0,
    0x9031DC431466B1DC,
    0x91C3D373AB11C336,
    0x935A2B2F13E6E92B,
    0x94F4EFA8FEF70961,
    0x96942D3720185A00,
    0x9837F0518DB8A96F,
    0x99E0459320B7FA64,
    0x9B8D39B9D54E5538,
    0x9D3ED9A72CFFB750,
    0x9EF5326091A111AD,
    0xA0B0510FB9714FC2,
    0xA27043030C496818,
    0xA43515AE09E6809E,
    0xA5FED6A9B15138EA,
    0xA7CD93B4E9653569,
    0xA9A15AB4EA7C0EF8,
    0xAB7A39B5A93ED337,
    0xAD583EEA42A14AC6,
    0xAF3B78AD690A4374,
    0xB123F581D2AC258F,
    0xB311C412A9112489,
    0xB504F333F9DE6484,
    0xB6FD91E328D17791,
    0xB8FBAF4762FB9EE9,
    0xBAFF5AB2133E45FB,
    0xBD08A39F580C36BE,
    0xBF1799B67A731082,
    0xC12C4CCA66709456,
    0xC346CCDA24976407,
    0xC5672A115506DADD,
    0xC78D74C8ABB9B15C,
    0xC9B9BD866E2F27A2,
    0xCBEC14FEF2727C5C,
    0xCE248C151F8480E3,
    0xD06333DAEF2B2594,
    0xD2A81D91F12AE45A,
    0xD4F35AABCFEDFA1F,
    0xD744FCCAD69D6AF4,
    0xD99D15C278AFD7B5,
    0xDBFBB797DAF23755,
    0xDE60F4825E0E9123,
    0xE0CCDEEC2A94E111,
    0xE33F8972BE8A5A51,
    0xE5B906E77C8348A8,
    0xE8396A503C4BDC68,
    0xEAC0C6E7DD24392E,
    0xED4F301ED9942B84,
    0xEFE4B99BDCDAF5CB,
    0xF281773C59FFB139,
    0xF5257D152486CC2C,
    0xF7D0DF730AD13BB8,
    0xFA83B2DB722A033A,
    0xFD3E0C0CF486C174,
];

/// Bits of the normalised value, below its top bit, that select a lookup cell.
const CELL_BITS: u32 = 8;

/// The normalised value's bits below the top bit and the cell bits: the part of it that a
/// comparison with a bound in its own cell has to look at.
const IN_CELL_BITS: u32 = 63 - CELL_BITS;
const IN_CELL_MASK: u64 = (1 << IN_CELL_BITS) - 1;

/// How many bounds lie strictly below the low edge of cell `c`.
const fn bounds_below_cell(c: usize) -> usize {
    let low_edge = (1u64 << 63) | ((c as u64) << IN_CELL_BITS);
    let mut below = 0;
    while below < 64 && BOUNDS[below] < low_edge {
        below += 1;
    }
    below
}

/// One lookup per value: `CELLS[c]` packs the number of bounds below cell `c` (top 8 bits) and
/// the in-cell bits of the one bound inside the cell (low [`IN_CELL_BITS`] bits), or all ones
/// when the cell holds none, which no value's in-cell bits exceed. A normalised value in cell
/// `c` shares its top bits with that bound, so comparing the in-cell bits compares the two
/// values; one load instead of two dependent ones keeps the recording path's latency short.
const CELLS: [u64; 1 << CELL_BITS] = {
    let mut cells = [0u64; 1 << CELL_BITS];
    let mut c = 0;
    while c < cells.len() {
        let below = bounds_below_cell(c);
        let next_edge_in_cell = below < 64 && (BOUNDS[below] >> IN_CELL_BITS) as usize == c | 256;
        let in_cell = if next_edge_in_cell {
            BOUNDS[below] & IN_CELL_MASK
        } else {
            IN_CELL_MASK
        };
        cells[c] = (below as u64) << 56 | in_cell;
        c += 1;
    }
    cells
};

/// Maps a value in `1..=MAX_VALUE` to its bucket index at [`RECORD_SCALE`].
///
/// Callers clamp first; a zero goes to the zero bucket and never reaches this function.
#[inline(always)]
pub const fn index_of(value: u64) -> i32 {
    debug_assert!(value >= 1 && value <= MAX_VALUE);
    let leading = value.leading_zeros();
    let exponent = 63 - leading as i32;
    let normalised = value << leading;
    let cell = CELLS[((normalised >> IN_CELL_BITS) as usize) & ((1 << CELL_BITS) - 1)];
    let above_bound = (normalised & IN_CELL_MASK) > (cell & IN_CELL_MASK);
    let bounds_below = (cell >> 56) as i32 + above_bound as i32;
    exponent * BUCKETS_PER_OCTAVE + bounds_below - 1
}

/// Values below this are mapped by [`position_of`]'s direct table (every latency under
/// about 4 µs, which is nearly every sample of a replay loop).
pub const SMALL_VALUES: u64 = 4096;

/// `SMALL_POSITIONS[v]` = `index_of(v) - MIN_INDEX` for `1 <= v < SMALL_VALUES` (8 KiB).
static SMALL_POSITIONS: [u16; SMALL_VALUES as usize] = {
    let mut positions = [0u16; SMALL_VALUES as usize];
    let mut v = 1;
    while v < SMALL_VALUES {
        positions[v as usize] = (index_of(v) - MIN_INDEX) as u16;
        v += 1;
    }
    positions
};

/// The bucket position (`index_of(value) - MIN_INDEX`, the index into a shard's buckets) of a
/// value in `1..=MAX_VALUE`. The same result as computing it, but the recording path's usual
/// value takes one table load instead of the bit scan, shift, lookup and compare chain, whose
/// latency a TSC read that follows cannot overlap on every processor (BENCHMARKS.md).
#[inline(always)]
pub fn position_of(value: u64) -> usize {
    if value < SMALL_VALUES {
        // In bounds: value < SMALL_VALUES, the table's length (the compiler sees it too).
        SMALL_POSITIONS[value as usize] as usize
    } else {
        (index_of(value) - MIN_INDEX) as usize
    }
}

/// The lower bound `base^index` of a bucket at `scale`, as a float for reporting.
pub fn lower_bound(index: i32, scale: i32) -> f64 {
    (f64::from(index) * (-f64::from(scale)).exp2()).exp2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_value_table_agrees_with_the_mapping() {
        for v in 1..=SMALL_VALUES + 10 {
            assert_eq!(
                position_of(v),
                (index_of(v) - MIN_INDEX) as usize,
                "value {v}"
            );
        }
    }

    #[test]
    fn cells_hold_at_most_one_bound() {
        for c in 0..CELLS.len() - 1 {
            let held = bounds_below_cell(c + 1) - bounds_below_cell(c);
            assert!(held <= 1, "cell {c} holds {held} bounds");
        }
    }

    #[test]
    fn powers_of_two_close_their_bucket() {
        for e in 0..=OCTAVES as i32 {
            assert_eq!(index_of(1 << e), e * BUCKETS_PER_OCTAVE - 1);
            // 2^e + 1 is in the octave's first bucket once 1/2^e is below the bucket width.
            if (7..OCTAVES as i32).contains(&e) {
                assert_eq!(index_of((1 << e) + 1), e * BUCKETS_PER_OCTAVE);
            }
        }
    }
}
