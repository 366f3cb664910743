//! What a recording says about itself, and one recorded interval, as walrec's own types.

use std::time::Duration;

use super::components::RecoveryComponents;
use super::config::RecordingConfig;
use super::schema::pb;
pub use crate::telemetry::AttributeValue;
use crate::telemetry::CLOCK_RESOLUTION_ATTRIBUTE;
use crate::telemetry::histogram::mapping::{MAX_VALUE, RECORD_SCALE};
use crate::telemetry::{ManagerSnapshot, UnixExemplar, clock};

/// The recording format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The header of a recording: who recorded, with which clock and histogram, from when.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingHeader {
    /// The format version of the file.
    pub format_version: u32,
    /// The writer, e.g. `walrec 0.1.0`.
    pub writer: String,
    /// The recorded process's `service.name`.
    pub service_name: String,
    /// The recorded process's resource attributes, as the OTLP agent would send them.
    pub resource_attributes: Vec<(String, AttributeValue)>,
    /// The recorded instances (`wal.recovery.instance`), in order.
    pub instances: Vec<String>,
    /// The histogram's scale (`2^scale` buckets per power of two).
    pub histogram_scale: i32,
    /// The largest value the histogram holds, in nanoseconds.
    pub histogram_max_ns: u64,
    /// The clock the durations were read with.
    pub clock_source: String,
    /// The clock's measured resolution in picoseconds: every duration is a multiple of about
    /// this much (10 ns steps on a KVM guest's TSC).
    pub clock_resolution_ps: u64,
    /// When the recording started, Unix epoch nanoseconds.
    pub start_unix_nano: u64,
    /// The interval between records.
    pub interval: Duration,
    /// Which file of a rotated recording this is (0 = the first).
    pub rotation: u32,
}

impl RecordingHeader {
    /// The header a recording of `instances` with `config` starting now gets: the recorder's
    /// histogram layout and the clock resolution (measured once per process, a few
    /// microseconds), also as the resource attribute [`CLOCK_RESOLUTION_ATTRIBUTE`].
    pub fn for_config(config: &RecordingConfig, instances: Vec<String>) -> Self {
        RecordingHeader::new(
            &config.service_name,
            config.resource_attributes.clone(),
            instances,
            config.interval,
            clock::resolution_ps(),
            super::sampler::unix_now_ns(),
        )
    }

    /// A header for a recording of `instances` starting now, at the recorder's histogram layout.
    fn new(
        service_name: &str,
        resource_attributes: Vec<(String, AttributeValue)>,
        instances: Vec<String>,
        interval: Duration,
        clock_resolution_ps: u64,
        start_unix_nano: u64,
    ) -> Self {
        // The resource says how fine the durations are, as the live agent's does; this
        // recording's own measurement wins over an attribute copied from elsewhere.
        let mut resource_attributes = resource_attributes;
        let resolution =
            AttributeValue::Int(i64::try_from(clock_resolution_ps).unwrap_or(i64::MAX));
        match (resource_attributes.iter_mut()).find(|(key, _)| key == CLOCK_RESOLUTION_ATTRIBUTE) {
            Some((_, value)) => *value = resolution,
            None => resource_attributes.push((CLOCK_RESOLUTION_ATTRIBUTE.to_owned(), resolution)),
        }
        RecordingHeader {
            format_version: FORMAT_VERSION,
            writer: format!("walrec {}", env!("CARGO_PKG_VERSION")),
            service_name: service_name.to_owned(),
            resource_attributes,
            instances,
            histogram_scale: RECORD_SCALE,
            histogram_max_ns: MAX_VALUE,
            clock_source: clock::CLOCK_SOURCE.to_owned(),
            clock_resolution_ps,
            start_unix_nano,
            interval,
            rotation: 0,
        }
    }

    pub(crate) fn to_pb(&self) -> pb::Header {
        pb::Header {
            format_version: self.format_version,
            writer: self.writer.clone(),
            service_name: self.service_name.clone(),
            resource_attributes: self
                .resource_attributes
                .iter()
                .map(attribute_to_pb)
                .collect(),
            instances: self.instances.clone(),
            histogram: Some(pb::HistogramLayout {
                scale: self.histogram_scale,
                min_value: 0,
                max_value: self.histogram_max_ns,
            }),
            clock: Some(pb::Clock {
                source: self.clock_source.clone(),
                resolution_ps: self.clock_resolution_ps,
            }),
            start_unix_nano: self.start_unix_nano,
            interval_nanos: u64::try_from(self.interval.as_nanos()).unwrap_or(u64::MAX),
            rotation: self.rotation,
        }
    }

    pub(crate) fn from_pb(header: &pb::Header) -> Self {
        let layout = header.histogram.unwrap_or_default();
        let clock = header.clock.clone().unwrap_or_default();
        RecordingHeader {
            format_version: header.format_version,
            writer: header.writer.clone(),
            service_name: header.service_name.clone(),
            resource_attributes: header
                .resource_attributes
                .iter()
                .map(attribute_from_pb)
                .collect(),
            instances: header.instances.clone(),
            histogram_scale: layout.scale,
            histogram_max_ns: layout.max_value,
            clock_source: clock.source,
            clock_resolution_ps: clock.resolution_ps,
            start_unix_nano: header.start_unix_nano,
            interval: Duration::from_nanos(header.interval_nanos),
            rotation: header.rotation,
        }
    }
}

fn attribute_to_pb((key, value): &(String, AttributeValue)) -> pb::Attribute {
    let value = match value {
        AttributeValue::Text(text) => pb::attribute::Value::StringValue(text.clone()),
        AttributeValue::Int(int) => pb::attribute::Value::IntValue(*int),
    };
    pb::Attribute {
        key: key.clone(),
        value: Some(value),
    }
}

fn attribute_from_pb(attribute: &pb::Attribute) -> (String, AttributeValue) {
    let value = match &attribute.value {
        Some(pb::attribute::Value::IntValue(int)) => AttributeValue::Int(*int),
        Some(pb::attribute::Value::StringValue(text)) => AttributeValue::Text(text.clone()),
        None => AttributeValue::Text(String::new()),
    };
    (attribute.key.clone(), value)
}

/// One instance's interval: what it recorded between `start_unix_nano` and `end_unix_nano`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedInterval {
    /// Index into [`RecordingHeader::instances`].
    pub instance: usize,
    /// The recorder's tick: every instance's interval of one tick has the same sequence.
    pub sequence: u64,
    /// Start of the interval, Unix epoch nanoseconds.
    pub start_unix_nano: u64,
    /// End of the interval, Unix epoch nanoseconds.
    pub end_unix_nano: u64,
    /// The interval's deltas at full recording resolution. Counts, totals and buckets are the
    /// interval's; min and max are lifetime extremes as of its end (see
    /// [`ManagerSnapshot::since_into`]).
    pub delta: ManagerSnapshot,
    /// The interval's slowest `next_event` sample, from the recorder's own exemplar reader.
    pub exemplar: Option<UnixExemplar>,
    /// A recorded `Recovery`'s other components over the interval; `None` for a Manager alone.
    pub components: Option<RecoveryComponents>,
    /// The last interval, written when the recorder stopped.
    pub last: bool,
}
