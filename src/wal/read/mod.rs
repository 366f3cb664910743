//! Reading a segment: the directory scan (names, listing, one header), the owned-buffer reader
//! that hands out only verified bytes, and the verification itself (one pass over a full
//! block, the block walk that names a fault).

pub(in crate::wal) mod one_pass;
pub(in crate::wal) mod reader;
pub(in crate::wal) mod scan;
pub(in crate::wal) mod verify;
