//! Directory scanning: segment file names, listing a WAL directory, reading one header.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::WalError;
use super::format::{HEADER_SIZE, HeaderProblem, SegmentHeader};

const PREFIX: &str = "segment-";
const SUFFIX: &str = ".wal";

/// The file name of segment `index`: `segment-0000000042.wal`.
pub fn segment_file_name(index: u64) -> String {
    format!("{PREFIX}{index:010}{SUFFIX}")
}

/// The index in a segment file name, or `None` if `name` is not one.
pub(crate) fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if digits.len() < 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A segment found by the directory scan: its path and verified header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    /// The segment file.
    pub path: PathBuf,
    /// Its header, checked (magic, version, CRC, fields, file length).
    pub header: SegmentHeader,
}

/// Lists the segment files of `dir`, sorted by the index in their names. Any other entry is a
/// [`WalError::ForeignFile`].
pub(crate) fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, WalError> {
    let entries = fs::read_dir(dir).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => WalError::DirMissing {
            dir: dir.to_path_buf(),
        },
        _ => WalError::DirUnreadable {
            dir: dir.to_path_buf(),
            source,
        },
    })?;
    let mut segments = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| WalError::DirUnreadable {
            dir: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        match parse_segment_name(name) {
            Some(index) => segments.push((index, path)),
            None if name.ends_with(".wal.tmp") => {
                return Err(WalError::ForeignFile {
                    path,
                    hint: "it is an unfinished segment left by an interrupted writer; its events were never sealed, delete it",
                });
            }
            None => {
                return Err(WalError::ForeignFile {
                    path,
                    hint: "move it out of the WAL directory",
                });
            }
        }
    }
    if segments.is_empty() {
        return Err(WalError::NoSegments {
            dir: dir.to_path_buf(),
        });
    }
    segments.sort_unstable_by_key(|&(index, _)| index);
    Ok(segments)
}

/// Reads and checks the header of the segment at `path`, whose file name says `index`: magic,
/// version, CRC, fields, the index, and that the file length matches the header.
pub(crate) fn read_header(path: &Path, index: u64) -> Result<SegmentInfo, WalError> {
    let io = |op| {
        move |source| WalError::Io {
            path: path.to_path_buf(),
            op,
            source,
        }
    };
    let mut file = File::open(path).map_err(io("open"))?;
    let len = file.metadata().map_err(io("stat"))?.len();
    let mut bytes = [0u8; HEADER_SIZE];
    if len < HEADER_SIZE as u64 {
        return Err(WalError::Truncated {
            path: path.to_path_buf(),
            expected: HEADER_SIZE as u64,
            actual: len,
        });
    }
    file.read_exact(&mut bytes).map_err(io("read"))?;
    let header = decode_header(path, &bytes)?;
    if header.segment_index != index {
        return Err(WalError::BadField {
            path: path.to_path_buf(),
            offset: 16,
            what: format!(
                "segment_index {} does not match the file name's index {index}",
                header.segment_index
            ),
        });
    }
    check_len(path, &header, len)?;
    Ok(SegmentInfo {
        path: path.to_path_buf(),
        header,
    })
}

/// Decodes a header, naming `path` in the error.
pub(crate) fn decode_header(
    path: &Path,
    bytes: &[u8; HEADER_SIZE],
) -> Result<SegmentHeader, WalError> {
    let path = path.to_path_buf();
    SegmentHeader::decode(bytes).map_err(|problem| match problem {
        HeaderProblem::Magic(found) => WalError::BadMagic { path, found },
        HeaderProblem::Version(found) => WalError::UnsupportedVersion { path, found },
        HeaderProblem::Crc { stored, computed } => WalError::HeaderCrc {
            path,
            stored,
            computed,
        },
        HeaderProblem::Field { offset, what } => WalError::BadField {
            path,
            offset: offset as u64,
            what: what.to_string(),
        },
    })
}

/// Checks that a file of `len` bytes is exactly as long as `header` says.
pub(crate) fn check_len(path: &Path, header: &SegmentHeader, len: u64) -> Result<(), WalError> {
    let Some(expected) = header.file_len() else {
        return Err(WalError::BadField {
            path: path.to_path_buf(),
            offset: 48,
            what: "block_count is too large for a file".into(),
        });
    };
    if len < expected {
        return Err(WalError::Truncated {
            path: path.to_path_buf(),
            expected,
            actual: len,
        });
    }
    if len > expected {
        return Err(WalError::TrailingBytes {
            path: path.to_path_buf(),
            expected,
            extra: len - expected,
        });
    }
    Ok(())
}

/// Sorts scanned segments by first event id and checks that the ids run on without gaps or
/// overlaps from one segment to the next.
pub(crate) fn check_contiguous(segments: &mut [SegmentInfo]) -> Result<(), WalError> {
    segments.sort_unstable_by_key(|s| s.header.first_event_id);
    for pair in segments.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        let prev_last = prev.header.last_event_id;
        let first = next.header.first_event_id;
        let err = |overlap: bool| {
            let (prev, path) = (prev.path.clone(), next.path.clone());
            if overlap {
                WalError::Overlap {
                    prev,
                    prev_last,
                    path,
                    first,
                }
            } else {
                WalError::Gap {
                    prev,
                    prev_last,
                    path,
                    first,
                }
            }
        };
        if first <= prev_last {
            return Err(err(true));
        }
        if first - prev_last != 1 {
            return Err(err(false));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(segment_file_name(42), "segment-0000000042.wal");
        assert_eq!(parse_segment_name("segment-0000000042.wal"), Some(42));
        assert_eq!(parse_segment_name("segment-42.wal"), None);
        assert_eq!(parse_segment_name("segment-0000000042.wal.tmp"), None);
        assert_eq!(parse_segment_name("segment-+000000042.wal"), None);
    }
}
