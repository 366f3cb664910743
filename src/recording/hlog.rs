//! `--hlog`: `next_event` as an HdrHistogram interval log (the `.hlog` HistogramLogAnalyzer
//! reads), written with the `hdrhistogram` crate's interval-log writer. Values are nanoseconds.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use hdrhistogram::Histogram;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};

use super::error::RecordingError;
use super::reader::Recording;
use super::window::Window;
use crate::telemetry::HistogramSnapshot;
use crate::telemetry::histogram::mapping::lower_bound;

/// HdrHistogram precision: 3 significant digits (0.1 %), finer than the recording's 1.1 %
/// buckets, so the log adds no visible error.
const SIGNIFICANT_DIGITS: u8 = 3;

/// Writes one interval histogram per recorded interval inside `window` to `path`, tagged with
/// the instance name when the recording has several. Returns how many were written.
pub fn write_hlog(
    recording: &Recording,
    window: Window,
    path: &Path,
) -> Result<usize, RecordingError> {
    let output = |what: String| RecordingError::Output {
        path: path.to_owned(),
        what,
    };
    let file = std::fs::File::create(path).map_err(|e| output(e.to_string()))?;
    let mut out = std::io::BufWriter::new(file);
    let start = SystemTime::UNIX_EPOCH + Duration::from_nanos(recording.header.start_unix_nano);
    let mut serializer = V2DeflateSerializer::new();
    let mut log = IntervalLogWriterBuilder::new()
        .add_comment(&format!(
            "walrec next_event in ns, from {}",
            recording.header.writer
        ))
        .with_start_time(start)
        .with_base_time(start)
        .begin_log_with(&mut out, &mut serializer)
        .map_err(|e| output(e.to_string()))?;
    let tagged = recording.header.instances.len() > 1;
    let mut written = 0;
    for (instance, name) in recording.header.instances.iter().enumerate() {
        let tag = if tagged { Tag::new(name) } else { None };
        for interval in recording.intervals_in(instance, window) {
            let histogram = to_hdr(&interval.delta.next_event_histogram)
                .map_err(|e| output(format!("cannot convert an interval: {e}")))?;
            let (from, to) = recording.offsets(interval);
            log.write_histogram(&histogram, from, to - from, tag)
                .map_err(|e| output(format!("cannot write an interval: {e:?}")))?;
            written += 1;
        }
    }
    drop(log);
    out.flush().map_err(|e| output(e.to_string()))?;
    Ok(written)
}

/// The HdrHistogram of an interval: each bucket's count at the bucket's geometric middle (the
/// value the recording's own percentiles report), kept within the recorded extremes.
pub(crate) fn to_hdr(h: &HistogramSnapshot) -> Result<Histogram<u64>, String> {
    let mut hdr = Histogram::<u64>::new(SIGNIFICANT_DIGITS).map_err(|e| format!("{e:?}"))?;
    if h.zero_count > 0 {
        hdr.record_n(0, h.zero_count)
            .map_err(|e| format!("{e:?}"))?;
    }
    for (k, &count) in h.counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let index = h.offset + k as i32;
        let middle = (lower_bound(index, h.scale) * lower_bound(index + 1, h.scale)).sqrt();
        let value = middle.clamp(h.min as f64, h.max.max(h.min) as f64).round() as u64;
        hdr.record_n(value, count).map_err(|e| format!("{e:?}"))?;
    }
    Ok(hdr)
}
