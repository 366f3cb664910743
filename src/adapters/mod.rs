//! Adapters that put walrec's telemetry into other people's write-ahead logs, one file each,
//! each behind its own cargo feature. They use only walrec's public API, exactly as a user
//! would; `docs/instrument-your-wal.md` shows how to write one for your own WAL.

#[cfg(feature = "okaywal")]
pub mod okaywal;
