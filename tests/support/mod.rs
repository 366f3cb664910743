//! Shared test support.
#![allow(dead_code)]

#[cfg(feature = "otlp")]
pub mod agent_names;
#[cfg(feature = "otlp")]
pub mod backends;
#[cfg(feature = "otlp")]
pub mod config_env;
#[cfg(feature = "cli")]
pub mod demo;
pub mod deploy;
#[cfg(feature = "otlp")]
pub mod fake_collector;
#[cfg(feature = "otlp")]
pub mod fake_trace_collector;
#[cfg(feature = "otlp")]
pub mod histogram_conformance;
pub mod hostile;
#[cfg(feature = "okaywal")]
pub mod okaywal_log;
#[cfg(feature = "otlp")]
pub mod otlp_http_receiver;
#[cfg(feature = "otlp")]
pub mod otlp_json_receiver;
pub mod otlp_read;
pub mod pem;
#[cfg(feature = "otlp")]
pub mod pipeline;
#[cfg(all(feature = "otlp", feature = "cli"))]
pub mod pipeline_checks;
#[cfg(feature = "cli")]
pub mod process;
#[cfg(feature = "otlp")]
pub mod promtool;
#[cfg(feature = "recording")]
pub mod recording;
pub mod rotel;
pub mod rotel_log;
pub mod rotel_spans;
pub mod segment_layout;
pub mod small_wal;
#[cfg(all(feature = "otlp", feature = "cli"))]
pub mod stack;
pub mod wal;
