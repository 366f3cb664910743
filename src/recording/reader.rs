//! `Recording`: a recording file read back, its torn tail (if any) reported and skipped.

use std::path::{Path, PathBuf};

use prost::Message;

use super::components::components_from_pb;
use super::error::RecordingError;
use super::exemplar::exemplar_from_pb;
use super::frame::{Frame, Frames, MAGIC};
use super::header::{FORMAT_VERSION, RecordedInterval, RecordingHeader};
use super::schema::{pb, snapshot_from_pb};

/// A torn last record: what a crash mid-write leaves. It is skipped; everything before it is
/// intact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// The file it is in.
    pub file: PathBuf,
    /// Byte offset where the torn record starts.
    pub offset: u64,
    /// Bytes from there to the end of the file.
    pub bytes: u64,
    /// What is wrong with it.
    pub reason: String,
}

/// A recording read back: its header, every intact interval in file order, and the torn tail.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The file's header.
    pub header: RecordingHeader,
    /// The intervals, in the order they were written.
    pub intervals: Vec<RecordedInterval>,
    /// The torn last record, if the writer was stopped mid-write (of a stitched recording:
    /// the newest file's, else the newest older file's).
    pub torn: Option<TornTail>,
    /// The files read, oldest first: one, or a rotated recording's chain (see
    /// [`open_rotated`](Self::open_rotated)).
    pub files: Vec<PathBuf>,
}

impl Recording {
    /// Reads the recording at `path`.
    pub fn open(path: &Path) -> Result<Recording, RecordingError> {
        let bytes = std::fs::read(path).map_err(|source| RecordingError::Read {
            path: path.to_owned(),
            source,
        })?;
        Recording::parse(&bytes, path)
    }

    /// Reads a recording from its bytes; `path` names it in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Recording, RecordingError> {
        if !bytes.starts_with(MAGIC) {
            return Err(if MAGIC.starts_with(bytes) {
                RecordingError::NoHeader {
                    path: path.to_owned(),
                }
            } else {
                RecordingError::NotARecording {
                    path: path.to_owned(),
                }
            });
        }
        let mut parser = Parser {
            path,
            header: None,
            intervals: Vec::new(),
            torn: None,
        };
        for frame in Frames::new(bytes, MAGIC.len()) {
            parser.frame(frame, bytes.len() as u64)?;
        }
        let Some(header) = parser.header else {
            return Err(RecordingError::NoHeader {
                path: path.to_owned(),
            });
        };
        Ok(Recording {
            header,
            intervals: parser.intervals,
            torn: parser.torn,
            files: vec![path.to_owned()],
        })
    }
}

/// The state of one file's read.
struct Parser<'p> {
    path: &'p Path,
    header: Option<RecordingHeader>,
    intervals: Vec<RecordedInterval>,
    torn: Option<TornTail>,
}

impl Parser<'_> {
    fn frame(&mut self, frame: Frame<'_>, file_bytes: u64) -> Result<(), RecordingError> {
        match frame {
            Frame::Intact { offset, payload } => {
                let record = pb::Record::decode(payload)
                    .map_err(|_| self.corrupt(offset, "not a valid protobuf record".to_owned()))?;
                self.record(offset, record)
            }
            Frame::Torn { offset, reason } => {
                self.torn = Some(TornTail {
                    file: self.path.to_owned(),
                    offset,
                    bytes: file_bytes - offset,
                    reason,
                });
                Ok(())
            }
            Frame::Corrupt { offset, reason } => Err(self.corrupt(offset, reason)),
        }
    }

    fn record(&mut self, offset: u64, record: pb::Record) -> Result<(), RecordingError> {
        match (record.kind, &self.header) {
            (Some(pb::record::Kind::Header(header)), None) => {
                if header.format_version > FORMAT_VERSION || header.format_version == 0 {
                    return Err(RecordingError::UnsupportedVersion {
                        path: self.path.to_owned(),
                        found: header.format_version,
                        supported: FORMAT_VERSION,
                    });
                }
                self.header = Some(RecordingHeader::from_pb(&header));
                Ok(())
            }
            (Some(pb::record::Kind::Interval(interval)), Some(header)) => {
                let instances = header.instances.len();
                let interval = parse_interval(&interval, instances)
                    .map_err(|reason| self.corrupt(offset, reason))?;
                self.intervals.push(interval);
                Ok(())
            }
            (Some(pb::record::Kind::Header(_)), Some(_)) => {
                Err(self.corrupt(offset, "a second header".to_owned()))
            }
            (_, None) => Err(self.corrupt(offset, "the first record is not a header".to_owned())),
            (None, Some(_)) => Err(self.corrupt(offset, "a record of an unknown kind".to_owned())),
        }
    }

    fn corrupt(&self, offset: u64, reason: String) -> RecordingError {
        RecordingError::Corrupt {
            path: PathBuf::from(self.path),
            offset,
            reason,
        }
    }
}

fn parse_interval(interval: &pb::Interval, instances: usize) -> Result<RecordedInterval, String> {
    let instance = interval.instance as usize;
    if instance >= instances {
        return Err(format!(
            "instance {instance} of a recording of {instances} instances"
        ));
    }
    if interval.end_unix_nano < interval.start_unix_nano {
        return Err("an interval that ends before it starts".to_owned());
    }
    Ok(RecordedInterval {
        instance,
        sequence: interval.sequence,
        start_unix_nano: interval.start_unix_nano,
        end_unix_nano: interval.end_unix_nano,
        delta: snapshot_from_pb(interval)?,
        // One per interval today; a later writer's extra exemplars are ignored.
        exemplar: interval
            .exemplars
            .first()
            .map(exemplar_from_pb)
            .transpose()?,
        components: components_from_pb(interval)?,
        last: interval.r#final,
    })
}
