//! Directory scanning: segment file names, listing a WAL directory, reading one header.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::wal::error::WalError;
use crate::wal::format::{HEADER_SIZE, HeaderProblem, SegmentHeader};
use crate::wal::write::lock::LOCK_FILE_NAME;

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

/// A segment found by the directory scan: its path and verified header. For an unsealed
/// segment, whose header carries no counts, the recovery manager fills in `last_event_id`,
/// `event_count` and `block_count` from its intact prefix once it has read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    /// The segment file.
    pub path: PathBuf,
    /// Its header, checked (magic, version, CRC, fields, file length).
    pub header: SegmentHeader,
}

/// What a WAL directory holds: its segments, sorted by the index in their names, and any
/// unfinished segment creations (`segment-<index>.wal.tmp`, a header at most: the writer
/// renames a new segment into place before it writes an event to it).
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub segments: Vec<(u64, PathBuf)>,
    pub unfinished: Vec<PathBuf>,
}

/// Lists `dir`. The writer's lock file is skipped; any other entry that is not a segment is a
/// [`WalError::ForeignFile`], and a segment name on anything but a regular file a
/// [`WalError::SpecialFile`]. An empty listing is not an error here.
pub(crate) fn list_dir(dir: &Path) -> Result<Listing, WalError> {
    let entries = fs::read_dir(dir).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => WalError::DirMissing {
            dir: dir.to_path_buf(),
        },
        _ => WalError::DirUnreadable {
            dir: dir.to_path_buf(),
            source,
        },
    })?;
    let mut listing = Listing::default();
    for entry in entries {
        let entry = entry.map_err(|source| WalError::DirUnreadable {
            dir: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        if name == LOCK_FILE_NAME {
            continue;
        }
        let unfinished = name
            .strip_suffix(".tmp")
            .and_then(parse_segment_name)
            .is_some();
        match parse_segment_name(name) {
            Some(index) => {
                check_regular(&path)?;
                listing.segments.push((index, path));
            }
            None if unfinished => {
                check_regular(&path)?;
                listing.unfinished.push(path);
            }
            None => {
                return Err(WalError::ForeignFile {
                    path,
                    hint: "move it out of the WAL directory",
                });
            }
        }
    }
    listing.segments.sort_unstable_by_key(|&(index, _)| index);
    Ok(listing)
}

/// A [`WalError::SpecialFile`] unless `path` is (or links to) a regular file. Reading a FIFO
/// would block forever and a device could be anything: neither is ever opened for reading.
pub(crate) fn check_regular(path: &Path) -> Result<(), WalError> {
    let meta = fs::metadata(path).map_err(|source| WalError::Io {
        path: path.to_path_buf(),
        op: "stat",
        source,
    })?;
    match special_kind(&meta.file_type()) {
        Some(kind) => Err(WalError::SpecialFile {
            path: path.to_path_buf(),
            kind,
        }),
        None => Ok(()),
    }
}

fn special_kind(kind: &fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        None
    } else if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_block_device() || kind.is_char_device() {
        Some("a device")
    } else if kind.is_dir() {
        Some("a directory")
    } else {
        Some("not a regular file")
    }
}

/// Opens `path` for reading, never blocking: with `O_NONBLOCK` (a FIFO swapped in after the
/// scan opens at once instead of waiting for a writer) and checked to be a regular file.
pub(crate) fn open_regular(path: &Path) -> Result<File, WalError> {
    check_regular(path)?;
    let io = |op| {
        move |source| WalError::Io {
            path: path.to_path_buf(),
            op,
            source,
        }
    };
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io("open"))?;
    let meta = file.metadata().map_err(io("stat"))?;
    match special_kind(&meta.file_type()) {
        Some(kind) => Err(WalError::SpecialFile {
            path: path.to_path_buf(),
            kind,
        }),
        None => Ok(file),
    }
}

/// Reads and checks the header of the segment at `path`, whose file name says `index`: magic,
/// version, CRC, fields, the index, and, for a sealed segment, that the file length matches
/// the header.
pub(crate) fn read_header(path: &Path, index: u64) -> Result<SegmentInfo, WalError> {
    let io = |op| {
        move |source| WalError::Io {
            path: path.to_path_buf(),
            op,
            source,
        }
    };
    let mut file = open_regular(path)?;
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
    if header.sealed {
        check_len(path, &header, len)?;
    }
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

/// Checks that a file of `len` bytes is exactly as long as a sealed `header` says.
pub(crate) fn check_len(path: &Path, header: &SegmentHeader, len: u64) -> Result<(), WalError> {
    let Some(expected) = header.file_len() else {
        return Err(WalError::BadField {
            path: path.to_path_buf(),
            offset: 48,
            what: "block_count and event_count are too large for a file".into(),
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
/// overlaps from one segment to the next. On the first that does not: its position in the
/// sorted list and the error.
pub(crate) fn check_contiguous(segments: &mut [SegmentInfo]) -> Result<(), (usize, WalError)> {
    segments.sort_unstable_by_key(|s| s.header.first_event_id);
    for (at, pair) in segments.windows(2).enumerate() {
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
            return Err((at + 1, err(true)));
        }
        if first - prev_last != 1 {
            return Err((at + 1, err(false)));
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
