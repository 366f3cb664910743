//! The OTLP push agent: configuration, conversion and export.
//!
//! The public surface is what this module re-exports: the [`Agent`] and its registrations and
//! errors, the configuration ([`config`]), [`MetricsEncoder`] for the OTLP bytes without an
//! agent, and the attribute and prefix every exported point uses. The transports, retry
//! policy and conversion are private, so that no `tonic`, `prost`, `reqwest` or generated
//! protobuf type is part of walrec's API.

mod agent;
pub mod config;
mod config_file;
pub(crate) mod convert;
mod encoder;
mod json;
mod manager_ref;
#[cfg(feature = "recording")]
mod recorded;
#[cfg(feature = "traces")]
mod traces;

pub use agent::{
    AGENT_SCOPE, Agent, AgentError, AgentStatsSnapshot, CollectorStatus, DROP_SHUTDOWN_BOUND,
    ExportError, Exported, MAX_RESPONSE_BYTES, Registration, TransportError,
};
pub use config::{Config, ConfigBuilder, ConfigError};
pub use convert::{DEFAULT_MAX_BUCKETS, INSTANCE_ATTRIBUTE, METRIC_PREFIX};
pub use encoder::MetricsEncoder;
pub use manager_ref::ManagerRef;
#[cfg(feature = "recording")]
pub use recorded::{
    Backfill, BackfillError, RecordedPoint, RecordedTelemetry, resource_attributes,
};
#[cfg(feature = "traces")]
pub use traces::{Tracing, TracingShutdownError, text_map_propagator};
