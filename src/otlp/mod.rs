//! The OTLP push agent: configuration, conversion and export.

pub mod agent;
pub mod config;
pub mod convert;
