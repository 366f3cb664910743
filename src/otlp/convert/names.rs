//! OTLP metric names and units, derived from the collect keys.
//!
//! A collect key is `<prefix>_<metric>_<stat>`, with the unit spelt in the stat (`total_ns`).
//! In OTLP the unit belongs in the unit field, and the Prometheus translation appends it again
//! (`ns` → `_nanoseconds`) plus `_total` for monotonic sums. So the OTLP name is the key with
//! dots between its parts and the unit taken out of the stat; `total_ns` becomes `time`, since
//! `…_total_nanoseconds_total` would read badly. The resulting table is in the README.

use crate::telemetry::{Metric, MetricKey, Stat};

/// The stat part of an OTLP name.
pub fn stat_part(stat: Stat) -> &'static str {
    match stat {
        Stat::Samples => "samples",
        Stat::Success => "success",
        Stat::Failures => "failures",
        Stat::TotalNs => "time",
        Stat::Clamped => "clamped",
        Stat::Saturated => "saturated",
        Stat::MinNs => "min",
        Stat::MaxNs => "max",
        Stat::AvgNs => "avg",
    }
}

/// The OTLP name for a collect key: `<prefix>.<metric>[.<stat>]`.
pub fn otlp_name(key: &MetricKey<'_>) -> String {
    let mut name = String::with_capacity(48);
    if !key.prefix.is_empty() {
        name.push_str(key.prefix);
        name.push('.');
    }
    name.push_str(key.metric.name());
    if let Some(stat) = key.stat {
        name.push('.');
        name.push_str(stat_part(stat));
    }
    name
}

/// The OTLP description: what the metric measures and which statistic this is.
pub fn description(metric: Metric, stat: Option<Stat>) -> String {
    let what = match stat {
        None => "distribution",
        Some(Stat::Samples) => "operations recorded",
        Some(Stat::Success) => "operations that succeeded",
        Some(Stat::Failures) => "operations that failed",
        Some(Stat::TotalNs) => "total time",
        Some(Stat::Clamped) => "operations whose end preceded their start, recorded as zero",
        Some(Stat::Saturated) => "values above the histogram range, clamped to its top",
        Some(Stat::MinNs) => "shortest operation",
        Some(Stat::MaxNs) => "longest operation",
        Some(Stat::AvgNs) => "mean time per operation",
    };
    format!("{}: {what}.", metric.description())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_drop_the_unit_from_the_stat() {
        let key = |stat| MetricKey {
            prefix: "walrec",
            metric: Metric::NextEvent,
            stat,
        };
        assert_eq!(
            otlp_name(&key(Some(Stat::TotalNs))),
            "walrec.next_event.time"
        );
        assert_eq!(otlp_name(&key(Some(Stat::MinNs))), "walrec.next_event.min");
        assert_eq!(
            otlp_name(&key(Some(Stat::Samples))),
            "walrec.next_event.samples"
        );
        let histogram = MetricKey {
            prefix: "",
            metric: Metric::NextEventHistogram,
            stat: None,
        };
        assert_eq!(otlp_name(&histogram), "next_event_histogram");
    }
}
