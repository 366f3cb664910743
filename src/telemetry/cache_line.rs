//! The cache-line layout rule of the recorder's structures: each hot field starts on its own
//! 64-byte line, so that two threads updating neighbouring fields never share a line.
//! `#[repr(align(64))]` takes a literal only; this module holds the one constant the layout
//! is checked against, and the check.

/// The cache line the recorder's structures are laid out for (x86-64 and most Arm cores).
pub(crate) const CACHE_LINE: usize = 64;

/// Checks at compile time that `$type` is a whole number of cache lines, aligned to one, and
/// that each `$field` starts a line.
macro_rules! assert_cache_lines {
    ($type:ty, $($field:ident),* $(,)?) => {
        const _: () = {
            use $crate::telemetry::cache_line::CACHE_LINE;
            assert!(std::mem::size_of::<$type>() % CACHE_LINE == 0);
            assert!(std::mem::align_of::<$type>() == CACHE_LINE);
            $(assert!(std::mem::offset_of!($type, $field) % CACHE_LINE == 0);)*
        };
    };
}

pub(crate) use assert_cache_lines;
