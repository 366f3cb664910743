//! # walrec
//!
//! Telemetry for a write-ahead-log recovery manager that can sit in the hottest loop: a
//! lock-free, allocation-free recorder ([`telemetry::Manager`], [`telemetry::ManagerUpdater`])
//! with the specification's `dump` and `collect`.
//!
//! ```
//! use walrec::telemetry::{clock, Manager};
//!
//! let manager = Manager::new();
//! let updater = manager.updater();
//! let mut start = clock::now_ns();
//! for _ in 0..1_000 {
//!     // ... fetch and apply one event ...
//!     start = updater.on_next_event(start); // one clock read per event
//! }
//! drop(updater);
//! let mut out = Vec::new();
//! manager.dump("replay", &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("samples=1000"));
//! ```
//!
//! [`wal`] is the write-ahead log the recorder instruments: segment writer, verifying reader and
//! a [`wal::RecoveryManager`] timed at the specification's points.
//!
//! `adapters` (one cargo feature each, e.g. `okaywal`) time other people's WALs' recoveries
//! through this same public API; `docs/instrument-your-wal.md` shows how to write your own.
//!
//! With `default-features = false` the crate is only this recorder and the WAL: no async
//! runtime, no network code.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

#[cfg(feature = "okaywal")]
pub mod adapters;
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(feature = "recording")]
pub mod recording;
pub mod telemetry;
pub mod wal;

/// The README's Rust examples, compiled and run as doc-tests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
