//! `MetricBytes`: an export's metrics encoded as protobuf as the points arrive, without the
//! `ExportMetricsServiceRequest` message tree.
//!
//! Building the tree costs an allocation per attribute string of every point (each point owns
//! its attributes), and encoding it walks the whole tree once per nesting level to compute
//! lengths; with thousands of managers the tree outgrows the caches and both costs grow faster
//! than the number of points. Here each point is encoded once, into its metric's buffer, with
//! the source's attributes encoded once per source; the outer messages are framed at the end
//! from the buffers' lengths. The buffers are kept for the next export.
//!
//! The bytes are exactly prost's encoding of the request [`Converter::request`] builds: prost
//! writes fields in tag order and leaves out proto3 defaults, and so does this module. Each
//! point's own fields are still written by prost (its attributes left empty); only the
//! attributes and the enclosing messages are written here, in their tag positions (see
//! `wire_tests.rs`, which compares the two paths).
//!
//! [`Converter::request`]: super::Converter::request

use std::collections::HashMap;

use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    ExponentialHistogramDataPoint, HistogramDataPoint, NumberDataPoint, metric::Data,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint};

use super::collector::{NumberKind, PointSink};
use super::resource::string_attribute;
use crate::telemetry::{Metric, MetricKey, Stat};

/// Field numbers of the OTLP messages written here (`opentelemetry/proto/metrics/v1`).
mod tag {
    /// `ExportMetricsServiceRequest.resource_metrics`, `ResourceMetrics.resource`,
    /// `ScopeMetrics.scope`, and every data message's `data_points`.
    pub(super) const FIRST: u32 = 1;
    /// `ResourceMetrics.scope_metrics`, `ScopeMetrics.metrics`, and the data messages'
    /// `aggregation_temporality`.
    pub(super) const SECOND: u32 = 2;
    /// `Metric.unit`, and `Sum.is_monotonic`.
    pub(super) const THIRD: u32 = 3;
    pub(super) const GAUGE: u32 = 5;
    pub(super) const SUM: u32 = 7;
    pub(super) const HISTOGRAM: u32 = 9;
    pub(super) const EXPONENTIAL_HISTOGRAM: u32 = 10;
    pub(super) const NUMBER_ATTRIBUTES: u32 = 7;
    pub(super) const HISTOGRAM_ATTRIBUTES: u32 = 9;
    pub(super) const HISTOGRAM_MIN: u32 = 11;
    pub(super) const HISTOGRAM_MAX: u32 = 12;
    pub(super) const EXPONENTIAL_ATTRIBUTES: u32 = 1;
}

/// The kind of data a metric holds, fixed by its first point of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataKind {
    Gauge,
    Sum(i32),
    Histogram(i32),
    ExponentialHistogram(i32),
}

impl DataKind {
    /// The `Metric.data` field this kind is.
    fn tag(self) -> u32 {
        match self {
            DataKind::Gauge => tag::GAUGE,
            DataKind::Sum(_) => tag::SUM,
            DataKind::Histogram(_) => tag::HISTOGRAM,
            DataKind::ExponentialHistogram(_) => tag::EXPONENTIAL_HISTOGRAM,
        }
    }

    /// The data message's fields after `data_points`: its temporality, and a Sum's
    /// `is_monotonic` (always true here), each left out when it is the default.
    fn write_trailer(self, out: &mut Vec<u8>) {
        let temporality = match self {
            DataKind::Gauge => return,
            DataKind::Sum(t) | DataKind::Histogram(t) | DataKind::ExponentialHistogram(t) => t,
        };
        if temporality != 0 {
            prost::encoding::int32::encode(tag::SECOND, &temporality, out);
        }
        if matches!(self, DataKind::Sum(_)) {
            prost::encoding::bool::encode(tag::THIRD, &true, out);
        }
    }
}

/// One metric of the export: its name, description and unit fields, and its points.
#[derive(Debug)]
struct MetricEntry {
    key: (Metric, Option<Stat>),
    /// `Metric.name`, `.description` and `.unit`, encoded once for every export.
    header: Vec<u8>,
    /// `None` until the metric's first point of this export.
    kind: Option<DataKind>,
    /// The data message's `data_points` fields, one per point, in arrival order.
    points: Vec<u8>,
    /// The data message's fields after the points.
    trailer: Vec<u8>,
    /// The entry looked up after this one last time: sources hand their metrics over in the
    /// same order, so this is almost always the next one asked for.
    successor: usize,
}

impl MetricEntry {
    fn new(key: &MetricKey<'_>) -> Self {
        let mut header = Vec::new();
        for (field, text) in [
            (tag::FIRST, key.otlp_name()),
            (tag::SECOND, key.description()),
            (tag::THIRD, key.unit().ucum().to_owned()),
        ] {
            if !text.is_empty() {
                prost::encoding::string::encode(field, &text, &mut header);
            }
        }
        MetricEntry {
            key: (key.metric, key.stat),
            header,
            kind: None,
            points: Vec::new(),
            trailer: Vec::new(),
            successor: usize::MAX,
        }
    }

    /// The data message's length.
    fn data_len(&self) -> usize {
        self.points.len() + self.trailer.len()
    }

    /// The `Metric` message's length.
    fn encoded_len(&self) -> usize {
        self.header.len() + field_len(self.data_len())
    }

    fn write(&self, kind: DataKind, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.header);
        write_frame(kind.tag(), self.data_len(), out);
        out.extend_from_slice(&self.points);
        out.extend_from_slice(&self.trailer);
    }
}

/// The length of a length-delimited field of `len` bytes whose field number is below 16.
fn field_len(len: usize) -> usize {
    1 + encoded_len_varint(len as u64) + len
}

/// A length-delimited field's key and length.
fn write_frame(field: u32, len: usize, out: &mut Vec<u8>) {
    encode_key(field, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
}

/// One export's metrics as protobuf, one entry per name; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct MetricBytes {
    entries: Vec<MetricEntry>,
    by_key: HashMap<(Metric, Option<Stat>), usize>,
    /// The entries used by this export, in first-seen order (the request's metric order).
    order: Vec<usize>,
    /// The entry of the previous point.
    last: usize,
    /// The current source's attributes as the repeated `attributes` field of each point type.
    number_attributes: Vec<u8>,
    exponential_attributes: Vec<u8>,
    histogram_attributes: Vec<u8>,
}

impl MetricBytes {
    /// Forgets the last export's points, keeping every buffer.
    pub(crate) fn clear(&mut self) {
        for &index in &self.order {
            let entry = &mut self.entries[index];
            entry.kind = None;
            entry.points.clear();
            entry.trailer.clear();
        }
        self.order.clear();
        self.last = usize::MAX;
    }

    /// The entry of `key`'s metric, added if it is new. Its points go to the export when it
    /// gets its first one.
    fn entry(&mut self, key: &MetricKey<'_>) -> usize {
        let wanted = (key.metric, key.stat);
        let guess = self
            .entries
            .get(self.last)
            .map_or(usize::MAX, |e| e.successor);
        let index = match self.entries.get(guess) {
            Some(entry) if entry.key == wanted => guess,
            _ => self.find_or_add(key),
        };
        if let Some(previous) = self.entries.get_mut(self.last) {
            previous.successor = index;
        }
        self.last = index;
        index
    }

    fn find_or_add(&mut self, key: &MetricKey<'_>) -> usize {
        let entries = &mut self.entries;
        *self
            .by_key
            .entry((key.metric, key.stat))
            .or_insert_with(|| {
                entries.push(MetricEntry::new(key));
                entries.len() - 1
            })
    }

    /// The entry of `key`'s metric if it holds (or now starts to hold) `kind`: a metric keeps
    /// the kind of data it was first given, and others' points are dropped.
    fn entry_of_kind(&mut self, key: &MetricKey<'_>, kind: DataKind) -> Option<usize> {
        let index = self.entry(key);
        let entry = &mut self.entries[index];
        match entry.kind {
            None => {
                entry.kind = Some(kind);
                kind.write_trailer(&mut entry.trailer);
                self.order.push(index);
            }
            Some(existing) if existing != kind => return None,
            Some(_) => {}
        }
        Some(index)
    }

    /// The whole request: the resource, the scope, then every metric in first-seen order.
    pub(crate) fn request_bytes(
        &self,
        resource: &Resource,
        scope: &InstrumentationScope,
    ) -> Vec<u8> {
        let metrics_len: usize = self
            .order
            .iter()
            .map(|&index| field_len(self.entries[index].encoded_len()))
            .sum();
        let scope_len = prost::encoding::message::encoded_len(tag::FIRST, scope);
        let scope_metrics_len = scope_len + metrics_len;
        let resource_len = prost::encoding::message::encoded_len(tag::FIRST, resource);
        let resource_metrics_len = resource_len + field_len(scope_metrics_len);
        let mut out = Vec::with_capacity(field_len(resource_metrics_len));
        write_frame(tag::FIRST, resource_metrics_len, &mut out);
        prost::encoding::message::encode(tag::FIRST, resource, &mut out);
        write_frame(tag::SECOND, scope_metrics_len, &mut out);
        prost::encoding::message::encode(tag::FIRST, scope, &mut out);
        for &index in &self.order {
            let entry = &self.entries[index];
            if let Some(kind) = entry.kind {
                write_frame(tag::SECOND, entry.encoded_len(), &mut out);
                entry.write(kind, &mut out);
            }
        }
        out
    }
}

/// `attributes` as repeated message field `field`, appended to `out` (cleared first).
fn encode_attributes(attributes: &[KeyValue], field: u32, out: &mut Vec<u8>) {
    out.clear();
    for attribute in attributes {
        prost::encoding::message::encode(field, attribute, out);
    }
}

impl PointSink for MetricBytes {
    fn begin_source(&mut self, attributes: &[KeyValue]) {
        encode_attributes(
            attributes,
            tag::NUMBER_ATTRIBUTES,
            &mut self.number_attributes,
        );
        let exponential = &mut self.exponential_attributes;
        encode_attributes(attributes, tag::EXPONENTIAL_ATTRIBUTES, exponential);
        let histogram = &mut self.histogram_attributes;
        encode_attributes(attributes, tag::HISTOGRAM_ATTRIBUTES, histogram);
    }

    fn number(
        &mut self,
        key: &MetricKey<'_>,
        kind: NumberKind,
        point: NumberDataPoint,
        _attributes: &[KeyValue],
    ) {
        let kind = match kind {
            NumberKind::Sum(temporality) => DataKind::Sum(temporality as i32),
            NumberKind::Gauge => DataKind::Gauge,
        };
        // A series told apart within its metric (one per phase) has one more attribute.
        let own = key
            .attribute
            .map(|attribute| string_attribute(attribute.key, attribute.value));
        let own_len = own.as_ref().map_or(0, |attribute| {
            prost::encoding::message::encoded_len(tag::NUMBER_ATTRIBUTES, attribute)
        });
        let attributes_len = self.number_attributes.len() + own_len;
        let Some(index) = self.entry_of_kind(key, kind) else {
            return;
        };
        let out = &mut self.entries[index].points;
        // The attributes (field 7) follow every field the point has set: its flags (8) are 0.
        write_frame(tag::FIRST, point.encoded_len() + attributes_len, out);
        point.encode_raw(out);
        out.extend_from_slice(&self.number_attributes);
        if let Some(attribute) = own {
            prost::encoding::message::encode(tag::NUMBER_ATTRIBUTES, &attribute, out);
        }
    }

    fn histogram(&mut self, key: &MetricKey<'_>, data: Data, _attributes: &[KeyValue]) {
        match data {
            Data::ExponentialHistogram(histogram) => {
                let kind = DataKind::ExponentialHistogram(histogram.aggregation_temporality);
                for point in histogram.data_points {
                    self.exponential_point(key, kind, &point);
                }
            }
            Data::Histogram(histogram) => {
                let kind = DataKind::Histogram(histogram.aggregation_temporality);
                for point in histogram.data_points {
                    self.histogram_point(key, kind, point);
                }
            }
            _ => {}
        }
    }
}

impl MetricBytes {
    fn exponential_point(
        &mut self,
        key: &MetricKey<'_>,
        kind: DataKind,
        point: &ExponentialHistogramDataPoint,
    ) {
        if let Some(index) = self.entry_of_kind(key, kind) {
            let (out, attributes) = (
                &mut self.entries[index].points,
                &self.exponential_attributes,
            );
            // The attributes are field 1, before all of the point's others.
            write_frame(tag::FIRST, attributes.len() + point.encoded_len(), out);
            out.extend_from_slice(attributes);
            point.encode_raw(out);
        }
    }

    fn histogram_point(
        &mut self,
        key: &MetricKey<'_>,
        kind: DataKind,
        mut point: HistogramDataPoint,
    ) {
        // The attributes (field 9) sit between the exemplars (8) and min and max (11, 12); the
        // flags (10) are 0.
        let extremes = [
            (tag::HISTOGRAM_MIN, point.min.take()),
            (tag::HISTOGRAM_MAX, point.max.take()),
        ];
        let extremes_len: usize = extremes
            .iter()
            .filter_map(|(field, value)| {
                value.map(|v| prost::encoding::double::encoded_len(*field, &v))
            })
            .sum();
        if let Some(index) = self.entry_of_kind(key, kind) {
            let (out, attributes) = (&mut self.entries[index].points, &self.histogram_attributes);
            let len = point.encoded_len() + attributes.len() + extremes_len;
            write_frame(tag::FIRST, len, out);
            point.encode_raw(out);
            out.extend_from_slice(attributes);
            for (field, value) in extremes {
                if let Some(value) = value {
                    prost::encoding::double::encode(field, &value, out);
                }
            }
        }
    }
}
