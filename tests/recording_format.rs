//! The recording file: the committed golden recording reads back the same in every version,
//! torn tails are reported and skipped, corruption is an error with its offset, rotation keeps
//! the size bound, a rotated recording is stitched back together, and arbitrary bytes never
//! make the reader panic.
#![cfg(feature = "recording")]

mod support;

use std::path::Path;

use proptest::prelude::*;
use support::recording::{golden_header, golden_intervals, sampled_recording, write_golden};
use walrec::recording::{Recording, RecordingConfig, RecordingError, Window, rotated};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/golden-v1.walrec");

/// Regenerate with `WALREC_WRITE_GOLDEN=1 cargo test --test recording_format golden` — only
/// when the format version changes, and then as a new file: old files must stay readable.
#[test]
fn golden_recording_from_format_1_reads_back() {
    if std::env::var_os("WALREC_WRITE_GOLDEN").is_some() {
        write_golden(Path::new(GOLDEN));
    }
    let recording = Recording::open(Path::new(GOLDEN)).expect("the golden recording reads");
    assert_eq!(recording.header, golden_header());
    assert_eq!(recording.intervals, golden_intervals());
    assert_eq!(recording.torn, None);
    // The file's bytes are also what this version writes: a change to the writer that is not
    // a format change shows up here first.
    let fresh = tempfile::NamedTempFile::new().unwrap();
    write_golden(fresh.path());
    assert_eq!(
        std::fs::read(fresh.path()).unwrap(),
        std::fs::read(GOLDEN).unwrap()
    );
}

fn golden_bytes() -> Vec<u8> {
    std::fs::read(GOLDEN).unwrap()
}

#[test]
fn a_torn_last_record_is_reported_and_skipped() {
    let bytes = golden_bytes();
    let whole = Recording::parse(&bytes, Path::new("golden")).unwrap();
    for cut in [1, 5, 9, 40] {
        let torn = Recording::parse(&bytes[..bytes.len() - cut], Path::new("golden")).unwrap();
        assert_eq!(torn.intervals, whole.intervals[..whole.intervals.len() - 1]);
        let tail = torn.torn.expect("the tear is reported");
        assert_eq!(tail.offset + tail.bytes, (bytes.len() - cut) as u64);
    }
    let mut zeros = bytes.clone();
    zeros.extend_from_slice(&[0; 64]);
    let padded = Recording::parse(&zeros, Path::new("golden")).unwrap();
    assert_eq!(padded.intervals, whole.intervals);
    assert!(padded.torn.unwrap().reason.contains("zero"));
}

#[test]
fn corruption_before_the_end_names_the_file_and_offset() {
    let mut bytes = golden_bytes();
    // A byte inside the second record's payload (the first interval).
    let header_frame = 8 + 8 + u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    bytes[header_frame + 8 + 3] ^= 0x40;
    let error = Recording::parse(&bytes, Path::new("rec.walrec")).unwrap_err();
    assert!(
        matches!(error, RecordingError::Corrupt { offset, .. } if offset == header_frame as u64),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("rec.walrec") && message.contains(&header_frame.to_string()),
        "{message}"
    );
}

#[test]
fn not_a_recording_and_an_empty_file_are_told_apart() {
    let error = Recording::parse(b"hello world, this is text", Path::new("x")).unwrap_err();
    assert!(
        matches!(error, RecordingError::NotARecording { .. }),
        "{error:?}"
    );
    let error = Recording::parse(b"", Path::new("x")).unwrap_err();
    assert!(
        matches!(error, RecordingError::NoHeader { .. }),
        "{error:?}"
    );
}

#[test]
fn rotation_bounds_each_file_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.walrec");
    let mut config = RecordingConfig::new(&path);
    config.max_file_bytes = 2_000;
    config.kept_files = 2;
    let (current, _) = sampled_recording(&path, 24, config);
    assert!(std::fs::metadata(&path).unwrap().len() <= 2_000);
    let older: Vec<_> = (1..=2)
        .map(|n| Recording::open(&rotated(&path, n)).unwrap())
        .collect();
    assert!(
        !rotated(&path, 3).exists(),
        "only two rotated files are kept"
    );
    // Newest first: FILE, FILE.1, FILE.2, with consecutive rotation numbers and sequences.
    assert_eq!(older[0].header.rotation + 1, current.header.rotation);
    assert_eq!(older[1].header.rotation + 1, older[0].header.rotation);
    let first_current = current.intervals[0].sequence;
    assert_eq!(
        older[0].intervals.last().unwrap().sequence + 1,
        first_current
    );
    assert!(current.intervals.last().unwrap().last);
}

#[test]
fn a_rotated_recording_is_stitched_back_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.walrec");
    let mut config = RecordingConfig::new(&path);
    config.max_file_bytes = 2_000;
    config.kept_files = 64;
    let (current, live) = sampled_recording(&path, 24, config);
    let rotations = current.header.rotation;
    assert!(rotations >= 3, "the recording rotated: {rotations}");
    let whole = Recording::open_rotated(&path).unwrap();
    let mut files: Vec<_> = (1..=rotations).rev().map(|n| rotated(&path, n)).collect();
    files.push(path.clone());
    assert_eq!(whole.files, files, "oldest first");
    assert_eq!(whole.header.rotation, 0, "the first file's header");
    let sequences: Vec<u64> = whole.intervals.iter().map(|i| i.sequence).collect();
    assert_eq!(sequences, (0..24).collect::<Vec<_>>());
    assert_eq!(whole.merged(0, Window::default()), live[24]);
    // A file left by an earlier recording ends the chain: FILE.2 replaced by another one.
    write_golden(&rotated(&path, 2));
    let newer = Recording::open_rotated(&path).unwrap();
    assert_eq!(newer.files, [rotated(&path, 1), path.clone()]);
    assert_eq!(
        newer.intervals[..],
        whole.intervals[whole.intervals.len() - newer.intervals.len()..]
    );
    // The oldest files deleted by the bound: what is left is stitched.
    std::fs::remove_file(rotated(&path, 1)).unwrap();
    assert_eq!(
        Recording::open_rotated(&path).unwrap(),
        Recording::open(&path).unwrap()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the bytes, the reader returns a recording or an error, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Recording::parse(&bytes, Path::new("fuzz"));
    }

    /// The golden file with any byte changed, or cut anywhere, reads or fails cleanly; cut, it
    /// keeps every whole record before the cut.
    #[test]
    fn damaged_golden_files_read_or_fail_cleanly(position in 0usize..4096, flip in 1u8..=255, cut in 0usize..4096) {
        let mut bytes = golden_bytes();
        let position = position % bytes.len();
        bytes[position] ^= flip;
        let _ = Recording::parse(&bytes, Path::new("fuzz"));
        let original = golden_bytes();
        let cut = cut % original.len();
        if let Ok(recording) = Recording::parse(&original[..cut], Path::new("cut")) {
            let all = golden_intervals();
            prop_assert_eq!(&recording.intervals[..], &all[..recording.intervals.len()]);
        }
    }
}
