//! `MetricsEncoder`: the agent's OTLP conversion without the agent, for files, tests and
//! custom transports.

use super::config::Config;
use super::convert::{Converter, ExportSource, MetricBytes};
use super::manager_ref::ManagerRef;

/// Encodes managers' metrics as OTLP protobuf `ExportMetricsServiceRequest` bytes: exactly
/// what the agent sends, with the same names, units, resource and temporality (taken from a
/// [`Config`]). Decode them with any OTLP protobuf library.
///
/// ```
/// use std::sync::Arc;
/// use walrec::otlp::{Config, MetricsEncoder};
/// use walrec::telemetry::Manager;
///
/// let manager = Arc::new(Manager::new());
/// manager.updater().record_seek_event(0, 250);
/// let mut encoder = MetricsEncoder::new(&Config::builder().build()?);
/// encoder.add("replay", &manager);
/// let request: Vec<u8> = encoder.encode();
/// assert!(!request.is_empty());
/// # Ok::<(), walrec::otlp::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct MetricsEncoder {
    converter: Converter,
    sources: Vec<ExportSource>,
    /// The encoded metrics' buffers, kept from one request to the next.
    wire: MetricBytes,
}

impl MetricsEncoder {
    /// An encoder with `config`'s resource, temporality, histogram bucket limit and histogram
    /// aggregation (exponential or explicit buckets).
    pub fn new(config: &Config) -> Self {
        MetricsEncoder {
            converter: Converter::from_config(config),
            sources: Vec::new(),
            wire: MetricBytes::default(),
        }
    }

    /// Adds a manager whose points carry `wal.recovery.instance = instance`.
    pub fn add(&mut self, instance: &str, manager: impl Into<ManagerRef>) {
        self.sources
            .push(ExportSource::new(instance, manager.into()));
    }

    /// Snapshots every manager now and encodes one request. Under delta temporality each
    /// request covers the time since the last [`acknowledge`](Self::acknowledge)d one.
    pub fn encode(&mut self) -> Vec<u8> {
        self.converter.encode(&mut self.sources, &mut self.wire)
    }

    /// The last encoded request was delivered: the next delta starts from it.
    pub fn acknowledge(&mut self) {
        self.sources.iter_mut().for_each(ExportSource::acknowledge);
    }
}
