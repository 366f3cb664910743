//! The OTLP push agent: configuration, conversion and export.

pub mod config;
