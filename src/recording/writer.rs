//! `RecordingWriter`: appends framed records to the recording file, rotates it when it reaches
//! its size bound and syncs per the [`SyncPolicy`].

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use prost::Message;

use super::components::components_to_pb;
use super::config::{RecordingConfig, SyncPolicy};
use super::error::RecordingError;
use super::exemplar::exemplar_to_pb;
use super::frame::{MAGIC, push_frame};
use super::header::{RecordedInterval, RecordingHeader};
use super::schema::{pb, snapshot_to_pb};

/// Writes a recording: the header, then one record per interval per instance.
#[derive(Debug)]
pub struct RecordingWriter {
    path: PathBuf,
    file: File,
    written: u64,
    /// The magic and the header: what every file starts with.
    header_bytes: u64,
    header: RecordingHeader,
    max_file_bytes: u64,
    kept_files: u32,
    sync: SyncPolicy,
    /// The frame being written, reused between intervals.
    frame: Vec<u8>,
    payload: Vec<u8>,
}

impl RecordingWriter {
    /// Creates (or truncates) `config.path` and writes `header` to it.
    pub fn create(
        config: &RecordingConfig,
        header: RecordingHeader,
    ) -> Result<Self, RecordingError> {
        let path = config.path.clone();
        let file = File::create(&path).map_err(|source| write_error(&path, source))?;
        let mut writer = RecordingWriter {
            path,
            file,
            written: 0,
            header_bytes: 0,
            header,
            max_file_bytes: config.max_file_bytes,
            kept_files: config.kept_files,
            sync: config.sync,
            frame: Vec::new(),
            payload: Vec::new(),
        };
        writer.begin_file()?;
        Ok(writer)
    }

    /// The header of the file being written.
    pub fn header(&self) -> &RecordingHeader {
        &self.header
    }

    /// Bytes in the current file.
    pub fn file_bytes(&self) -> u64 {
        self.written
    }

    /// Appends one interval with one `write`, then syncs per the policy. A file that would
    /// grow past its bound is rotated first (a file always takes its header and one interval).
    pub fn append(&mut self, interval: &RecordedInterval) -> Result<(), RecordingError> {
        self.encode(interval_record(interval));
        let full = self.written + self.frame.len() as u64 > self.max_file_bytes;
        if full && self.written > self.header_bytes {
            self.rotate()?;
            self.encode(interval_record(interval));
        }
        self.write_frame()
    }

    /// Encodes one record into `self.frame`.
    fn encode(&mut self, kind: pb::record::Kind) {
        let record = pb::Record { kind: Some(kind) };
        self.payload.clear();
        // Encoding fails only for want of buffer space, and a Vec grows as needed.
        let _ = record.encode(&mut self.payload);
        self.frame.clear();
        push_frame(&self.payload, &mut self.frame);
    }

    fn write_frame(&mut self) -> Result<(), RecordingError> {
        self.file
            .write_all(&self.frame)
            .map_err(|source| write_error(&self.path, source))?;
        self.written += self.frame.len() as u64;
        if self.sync == SyncPolicy::EveryInterval {
            self.file
                .sync_data()
                .map_err(|source| write_error(&self.path, source))?;
        }
        Ok(())
    }

    /// Writes the magic and the header into the (empty) current file.
    fn begin_file(&mut self) -> Result<(), RecordingError> {
        self.file
            .write_all(MAGIC)
            .map_err(|source| write_error(&self.path, source))?;
        self.written = MAGIC.len() as u64;
        self.encode(pb::record::Kind::Header(self.header.to_pb()));
        self.write_frame()?;
        self.header_bytes = self.written;
        Ok(())
    }

    /// `FILE.n-1` → `FILE.n` … `FILE` → `FILE.1`, the oldest beyond `kept_files` deleted, then a
    /// new `FILE` with the next rotation number in its header.
    fn rotate(&mut self) -> Result<(), RecordingError> {
        let kept = self.kept_files;
        if kept == 0 {
            remove_if_present(&self.path)?;
        } else {
            remove_if_present(&rotated(&self.path, kept))?;
            for n in (1..kept).rev() {
                rename_if_present(&rotated(&self.path, n), &rotated(&self.path, n + 1))?;
            }
            rename_if_present(&self.path, &rotated(&self.path, 1))?;
        }
        self.file = File::create(&self.path).map_err(|source| write_error(&self.path, source))?;
        self.header.rotation = self.header.rotation.saturating_add(1);
        self.begin_file()
    }
}

/// The record of one interval.
fn interval_record(interval: &RecordedInterval) -> pb::record::Kind {
    let mut record = pb::Interval {
        instance: u32::try_from(interval.instance).unwrap_or(u32::MAX),
        sequence: interval.sequence,
        start_unix_nano: interval.start_unix_nano,
        end_unix_nano: interval.end_unix_nano,
        r#final: interval.last,
        exemplars: interval.exemplar.iter().map(exemplar_to_pb).collect(),
        ..pb::Interval::default()
    };
    snapshot_to_pb(&interval.delta, &mut record);
    if let Some(components) = &interval.components {
        components_to_pb(components, &mut record);
    }
    pb::record::Kind::Interval(record)
}

/// `FILE.n`: the `n`-th most recent rotated file of the recording at `path`.
pub fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<(), RecordingError> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(write_error(path, error)),
        _ => Ok(()),
    }
}

fn rename_if_present(from: &Path, to: &Path) -> Result<(), RecordingError> {
    match std::fs::rename(from, to) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(write_error(from, error)),
        _ => Ok(()),
    }
}

fn write_error(path: &Path, source: std::io::Error) -> RecordingError {
    RecordingError::Write {
        path: path.to_owned(),
        source,
    }
}
