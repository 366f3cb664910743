//! How a recording is written: interval, size bound and rotation, sync policy.

use std::path::PathBuf;
use std::time::Duration;

use super::error::RecordingError;
use super::header::AttributeValue;

/// The environment variable that sets the recording interval, in milliseconds.
pub const INTERVAL_VARIABLE: &str = "WALREC_RECORD_INTERVAL";

/// The interval when `WALREC_RECORD_INTERVAL` is unset (as `OTEL_METRIC_EXPORT_INTERVAL`'s).
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(1_000);

/// The default size bound of one file: about a day of one-second intervals for one instance.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 << 20;

/// The default number of rotated files kept (`FILE.1` … `FILE.4`) besides the current one.
pub const DEFAULT_KEPT_FILES: u32 = 4;

/// When the recorder asks the operating system to put written intervals on disk.
///
/// Every interval is written to the file with one `write` as soon as it is taken, whatever the
/// policy: a `kill -9` of the process loses at most the interval in progress. The policy only
/// decides what survives a crash of the *machine* (power loss, kernel panic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncPolicy {
    /// `fdatasync` after every interval: a machine crash loses at most one interval. The
    /// default: at one interval a second it costs one small synchronous write per second.
    EveryInterval,
    /// Never sync; the operating system writes back when it chooses (seconds to minutes).
    Never,
}

/// The settings of a [`FlightRecorder`](super::FlightRecorder).
#[derive(Debug, Clone)]
pub struct RecordingConfig {
    /// The file to write (rotated to `FILE.1`, `FILE.2` … when full).
    pub path: PathBuf,
    /// The time between two intervals.
    pub interval: Duration,
    /// Rotate when the current file would grow past this many bytes.
    pub max_file_bytes: u64,
    /// How many rotated files to keep; older ones are deleted.
    pub kept_files: u32,
    /// When to sync; see [`SyncPolicy`].
    pub sync: SyncPolicy,
    /// The `service.name` the header records.
    pub service_name: String,
    /// The resource attributes the header records (see [`RecordingHeader`](super::RecordingHeader)).
    pub resource_attributes: Vec<(String, AttributeValue)>,
}

impl RecordingConfig {
    /// The defaults for a recording at `path`, service name `walrec`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        RecordingConfig {
            path: path.into(),
            interval: DEFAULT_INTERVAL,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            kept_files: DEFAULT_KEPT_FILES,
            sync: SyncPolicy::EveryInterval,
            service_name: "walrec".to_owned(),
            resource_attributes: Vec::new(),
        }
    }

    /// The defaults, with the interval from `WALREC_RECORD_INTERVAL` when it is set (read by
    /// the crate's one variable policy: blank is unset, spaces trimmed, non-UTF-8 an error).
    pub fn from_env(path: impl Into<PathBuf>) -> Result<Self, RecordingError> {
        let mut config = RecordingConfig::new(path);
        let value = crate::telemetry::env_var::read(INTERVAL_VARIABLE)
            .map_err(|e| RecordingError::NotUnicode { variable: e.0 })?;
        if let Some(value) = value {
            config.interval = parse_interval(&value)?;
        }
        Ok(config)
    }
}

/// A positive whole number of milliseconds.
pub fn parse_interval(value: &str) -> Result<Duration, RecordingError> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(RecordingError::Interval {
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_is_positive_milliseconds() {
        assert_eq!(parse_interval("250").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_interval(" 5 ").unwrap(), Duration::from_millis(5));
        for bad in ["0", "-1", "1s", "", "1.5"] {
            let error = parse_interval(bad).unwrap_err().to_string();
            assert!(error.contains(INTERVAL_VARIABLE), "{error}");
        }
    }
}
