//! Shared test support.
#![allow(dead_code)]

pub mod fake_collector;
pub mod otlp_read;
pub mod promtool;
#[cfg(feature = "recording")]
pub mod recording;
pub mod rotel;
