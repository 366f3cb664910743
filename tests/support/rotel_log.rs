//! What a [`Rotel`](super::rotel::Rotel) logged, read back: the metrics it received, parsed
//! from its detailed log.
//!
//! rotel 0.0.1a15 logs each received metric like this (tracing lines in between carry ANSI
//! colours, which [`Rotel::log`](super::rotel::Rotel::log) strips):
//!
//! ```text
//! InstrumentationScope walrec 0.1.0
//! Metric #0
//! Descriptor:
//!      -> Name: walrec.next_event.samples
//!      -> Description: …
//!      -> Unit: {operation}
//!      -> DataType: Sum
//!      -> IsMonotonic: true
//!      -> AggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE
//! NumberDataPoints #0
//! Data point attributes:
//!      -> wal.recovery.instance: Str(main)
//! StartTimestamp: 1700000000000000000
//! Timestamp: 1700000001000000000
//! Value: 1000
//! ```
//!
//! Gauges have `DataType: Gauge` and the same `Value:` line; exponential histograms have
//! `DataType: ExponentialHistogram`, `ExponentialHistogramDataPoints #0`, then `Count:`, `Sum:`,
//! `Min:`, `Max:` and one `Bucket [0, 0], Count: n` / `Bucket (lo, hi], Count: n` line per
//! non-empty bucket.
#![allow(dead_code)]

/// Removes ANSI escape sequences (`ESC [ … letter`).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One data point as rotel logs it.
#[derive(Debug, Clone, Default)]
pub struct LoggedPoint {
    /// `key` → the logged value, e.g. `("wal.recovery.instance", "Str(main)")`.
    pub attributes: Vec<(String, String)>,
    /// A number point's `Value:`.
    pub value: Option<String>,
    /// A histogram point's `Count:`.
    pub count: Option<u64>,
    /// A histogram point's `Sum:`.
    pub sum: Option<f64>,
    /// A histogram point's `Min:`.
    pub min: Option<f64>,
    /// A histogram point's `Max:`.
    pub max: Option<f64>,
    /// `Bucket [0, 0], Count:` (the zero bucket).
    pub zero_count: u64,
    /// The counts of the other `Bucket (lo, hi], Count:` lines, in order.
    pub bucket_counts: Vec<u64>,
}

impl LoggedPoint {
    /// The value of attribute `key`, e.g. `Str(main)`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `Value:` as an integer.
    pub fn int_value(&self) -> Option<i64> {
        self.value.as_deref()?.parse().ok()
    }

    /// `Value:` as a float.
    pub fn float_value(&self) -> Option<f64> {
        self.value.as_deref()?.parse().ok()
    }
}

/// One metric as rotel logs it.
#[derive(Debug, Clone, Default)]
pub struct LoggedMetric {
    /// The `InstrumentationScope` line's name.
    pub scope: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    /// `Sum`, `Gauge`, `Histogram`, `ExponentialHistogram`, `Summary` or `Empty`.
    pub data_type: String,
    pub is_monotonic: Option<bool>,
    /// E.g. `AGGREGATION_TEMPORALITY_CUMULATIVE`.
    pub temporality: Option<String>,
    pub points: Vec<LoggedPoint>,
}

/// Every metric in a detailed rotel log, in the order logged.
pub fn parse_metrics(log: &str) -> Vec<LoggedMetric> {
    let mut metrics: Vec<LoggedMetric> = Vec::new();
    let mut scope = String::new();
    // Whether `     -> k: v` lines are data point attributes (rather than the descriptor).
    let mut in_attributes = false;
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix("InstrumentationScope ") {
            scope = rest.split(' ').next().unwrap_or_default().to_owned();
            continue;
        }
        if line.starts_with("ResourceMetrics #") || line.starts_with("ScopeMetrics #") {
            scope.clear();
            in_attributes = false;
            continue;
        }
        if line.starts_with("Metric #") {
            metrics.push(LoggedMetric {
                scope: scope.clone(),
                ..LoggedMetric::default()
            });
            in_attributes = false;
            continue;
        }
        let Some(metric) = metrics.last_mut() else {
            continue;
        };
        if line.contains("DataPoints #") {
            metric.points.push(LoggedPoint::default());
            in_attributes = false;
            continue;
        }
        if line == "Data point attributes:" {
            in_attributes = true;
            continue;
        }
        if let Some(field) = line.strip_prefix("     -> ") {
            let (key, value) = field
                .split_once(": ")
                .unwrap_or((field.trim_end_matches(':'), ""));
            if in_attributes {
                if let Some(point) = metric.points.last_mut() {
                    point.attributes.push((key.to_owned(), value.to_owned()));
                }
                continue;
            }
            match key {
                "Name" => metric.name = value.to_owned(),
                "Description" => metric.description = value.to_owned(),
                "Unit" => metric.unit = value.to_owned(),
                "DataType" => metric.data_type = value.to_owned(),
                "IsMonotonic" => metric.is_monotonic = value.parse().ok(),
                "AggregationTemporality" => metric.temporality = Some(value.to_owned()),
                _ => {}
            }
            continue;
        }
        in_attributes = false;
        let Some(point) = metric.points.last_mut() else {
            continue;
        };
        if let Some(value) = line.strip_prefix("Value: ") {
            point.value = Some(value.to_owned());
        } else if let Some(count) = line.strip_prefix("Count: ") {
            point.count = count.parse().ok();
        } else if let Some(sum) = line.strip_prefix("Sum: ") {
            point.sum = sum.parse().ok();
        } else if let Some(min) = line.strip_prefix("Min: ") {
            point.min = min.parse().ok();
        } else if let Some(max) = line.strip_prefix("Max: ") {
            point.max = max.parse().ok();
        } else if let Some(bucket) = line.strip_prefix("Bucket ") {
            let count = bucket
                .rsplit_once("Count: ")
                .and_then(|(_, n)| n.trim().parse().ok())
                .unwrap_or(0);
            if bucket.starts_with("[0, 0]") {
                point.zero_count += count;
            } else {
                point.bucket_counts.push(count);
            }
        }
    }
    metrics
}

/// The `walrec`-scope metrics called `name` in a parsed log (one per export that arrived).
pub fn named<'a>(metrics: &'a [LoggedMetric], name: &str) -> Vec<&'a LoggedMetric> {
    metrics
        .iter()
        .filter(|m| m.scope == "walrec" && m.name == name)
        .collect()
}

/// `Ok` when `condition` holds, else the error `message` describes.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

/// The single point of `metric` for `instance` (its `wal.recovery.instance` attribute).
pub fn point_of<'a>(metric: &'a LoggedMetric, instance: &str) -> Result<&'a LoggedPoint, String> {
    let logged = format!("Str({instance})");
    let points: Vec<_> = metric
        .points
        .iter()
        .filter(|p| p.attribute("wal.recovery.instance") == Some(logged.as_str()))
        .collect();
    match points.as_slice() {
        [point] => Ok(point),
        _ => Err(format!(
            "{}: expected one point with wal.recovery.instance={instance}, got {:?}",
            metric.name, metric.points
        )),
    }
}
