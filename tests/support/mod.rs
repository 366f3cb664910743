//! Shared test support.
#![allow(dead_code)]

pub mod fake_collector;
pub mod otlp_read;
pub mod promtool;
pub mod rotel;
pub mod rotel_spans;
