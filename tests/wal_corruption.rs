//! Corruption: flip every byte of a small WAL directory, one at a time, and truncate every
//! segment at every block boundary and in the middle of blocks. Every byte of a segment is
//! covered by a CRC, so there is no harmless byte: each flip must be reported, by the right
//! error, naming the right file and offset.

use std::fs;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use walrec::telemetry::{Manager, Recovery, SegmentReaderSnapshot};
use walrec::wal::{
    NoTelemetry, RecoveryManager, RecoveryMode, RecoveryOptions, SegmentWriter, WalError,
    WriterOptions, format,
};

const HEADER: usize = format::HEADER_SIZE;
const BLOCK: usize = format::BLOCK_SIZE;
/// The last block of the 150-event WAL: 22 events.
const SHORT_BLOCK: usize = 64 + 22 * 64;

/// `events` events, 2 blocks (128 events) per segment. With 150 events: two segments of 128
/// and 22 events (two full blocks, then one short block); with 300, three segments.
fn small_wal(dir: &Path, events: u64) -> Vec<PathBuf> {
    let opts = WriterOptions {
        segment_bytes: (HEADER + 2 * BLOCK) as u64,
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    for _ in 0..events {
        let id = writer.next_event_id();
        writer.append(id, (id % 3) as u16, &[id as u8; 5]).unwrap();
    }
    writer.finish().unwrap()
}

/// Opens and replays the whole WAL; returns the events read.
fn replay(dir: &Path, manager: &Manager) -> Result<u64, WalError> {
    let mut wal = RecoveryManager::open(dir, manager)?;
    let mut n = 0;
    while wal.next_event()?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// The error a flip (xor 0xFF) of byte `at` must produce, as (variant name, offset it
/// reports). A flipped block `event_count` (bytes 12..16) is never 1..=64 again: a bad count.
fn expected(at: usize) -> (&'static str, Option<u64>) {
    match at {
        0..8 => ("BadMagic", None),
        8..10 => ("UnsupportedVersion", None),
        10..HEADER => ("HeaderCrc", None),
        _ => {
            let block = (at - HEADER) / BLOCK;
            let start = (HEADER + block * BLOCK) as u64;
            match (at - HEADER) % BLOCK {
                4..8 => ("ChainCrc", Some(start + 4)),
                12..16 => ("BadBlockCount", Some(start + 12)),
                _ => ("BlockCrc", Some(start)),
            }
        }
    }
}

fn describe(error: &WalError) -> (&'static str, Option<u64>) {
    match error {
        WalError::BadMagic { .. } => ("BadMagic", None),
        WalError::UnsupportedVersion { .. } => ("UnsupportedVersion", None),
        WalError::HeaderCrc { .. } => ("HeaderCrc", None),
        WalError::ChainCrc { offset, .. } => ("ChainCrc", Some(*offset)),
        WalError::BlockCrc { offset, .. } => ("BlockCrc", Some(*offset)),
        WalError::BadBlockCount { offset, .. } => ("BadBlockCount", Some(*offset)),
        _ => ("other", None),
    }
}

/// Replays with the whole recovery's telemetry.
fn replay_recorded(dir: &Path, recovery: &Recovery) -> Result<u64, WalError> {
    let mut wal = RecoveryManager::open_recovery(dir, recovery)?;
    let mut n = 0;
    while wal.next_event()?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// The integrity counters as (header, block, chain, validation).
fn problems(s: &SegmentReaderSnapshot) -> [u64; 4] {
    [
        s.header_checksum_failures,
        s.block_checksum_failures,
        s.chained_checksum_failures,
        s.validation_failures,
    ]
}

/// The counter an error of class `name` must raise by exactly one, nothing else.
fn counted(name: &str) -> [u64; 4] {
    match name {
        "HeaderCrc" => [1, 0, 0, 0],
        "BlockCrc" => [0, 1, 0, 0],
        "ChainCrc" => [0, 0, 1, 0],
        _ => [0, 0, 0, 1],
    }
}

#[test]
fn every_flipped_byte_is_detected_with_the_right_error() {
    let dir = tempfile::tempdir().unwrap();
    let files = small_wal(dir.path(), 150);
    assert_eq!(files.len(), 2);
    assert_eq!(replay(dir.path(), &Manager::new()).unwrap(), 150);
    let mut flips = 0;
    for (file, blocks) in files.iter().zip([vec![BLOCK, BLOCK], vec![SHORT_BLOCK]]) {
        let original = fs::read(file).unwrap();
        assert_eq!(original.len(), HEADER + blocks.iter().sum::<usize>());
        // Flip in place (no truncate-and-rewrite): the sweep is thousands of replays.
        let handle = fs::OpenOptions::new().write(true).open(file).unwrap();
        for at in 0..original.len() {
            handle
                .write_all_at(&[original[at] ^ 0xFF], at as u64)
                .unwrap();
            let recovery = Recovery::new();
            let error = replay_recorded(dir.path(), &recovery)
                .expect_err("a flipped byte must be detected");
            assert_eq!(
                describe(&error),
                expected(at),
                "byte {at} of {}: {error}",
                file.display()
            );
            assert_eq!(error.path(), Some(file.as_path()), "byte {at}: {error}");
            let message = error.to_string();
            assert!(message.contains(&file.display().to_string()), "{message}");
            let snapshot = recovery.snapshot();
            let headers = snapshot.manager.read_segment_header;
            assert_eq!(headers.duration.samples, 2, "every header is read");
            let header_flip = at < HEADER;
            assert_eq!(headers.failures, u64::from(header_flip), "byte {at}");
            // Exactly its own counter, by exactly one, however many readers met the fault.
            let (class, _) = expected(at);
            let got = problems(&snapshot.segment_reader);
            assert_eq!(got, counted(class), "byte {at} ({class})");
            assert_eq!(snapshot.progress.phase, walrec::telemetry::Phase::Failed);
            handle.write_all_at(&original[at..=at], at as u64).unwrap();
            flips += 1;
        }
        fs::write(file, &original).unwrap();
    }
    assert_eq!(flips, 2 * HEADER + 2 * BLOCK + SHORT_BLOCK);
    assert_eq!(replay(dir.path(), &Manager::new()).unwrap(), 150);
}

#[test]
fn truncation_at_every_block_boundary_and_mid_block_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let files = small_wal(dir.path(), 150);
    for (file, blocks) in files.iter().zip([vec![BLOCK, BLOCK], vec![SHORT_BLOCK]]) {
        let original = fs::read(file).unwrap();
        let mut cuts = vec![0, 1, 64, HEADER - 1];
        let mut start = HEADER;
        for len in blocks {
            cuts.extend([
                start,
                start + 1,
                start + 64,
                start + len / 2,
                start + len - 1,
            ]);
            start += len;
        }
        for cut in cuts {
            fs::write(file, &original[..cut]).unwrap();
            let error = replay(dir.path(), &Manager::new()).expect_err("truncation");
            match &error {
                WalError::Truncated { path, actual, .. } => {
                    assert_eq!(path, file);
                    assert_eq!(*actual, cut as u64);
                }
                other => panic!("cut at {cut}: {other}"),
            }
            assert!(
                error
                    .to_string()
                    .contains(&format!("truncated at byte {cut}"))
            );
        }
        let mut longer = original.clone();
        longer.push(0);
        fs::write(file, &longer).unwrap();
        let error = replay(dir.path(), &Manager::new()).unwrap_err();
        assert!(
            matches!(error, WalError::TrailingBytes { extra: 1, .. }),
            "{error}"
        );
        fs::write(file, &original).unwrap();
    }
}

#[test]
fn swapped_blocks_break_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let files = small_wal(dir.path(), 150);
    let mut bytes = fs::read(&files[0]).unwrap();
    let (head, tail) = bytes[HEADER..].split_at_mut(BLOCK);
    head.swap_with_slice(&mut tail[..BLOCK]);
    fs::write(&files[0], &bytes).unwrap();
    let error = replay(dir.path(), &Manager::new()).unwrap_err();
    assert!(
        matches!(error, WalError::ChainCrc { block: 0, .. }),
        "{error}"
    );
}

#[test]
fn a_block_from_another_segment_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let files = small_wal(dir.path(), 300);
    let donor = fs::read(&files[1]).unwrap();
    let mut bytes = fs::read(&files[0]).unwrap();
    bytes[HEADER..HEADER + BLOCK].copy_from_slice(&donor[HEADER..HEADER + BLOCK]);
    fs::write(&files[0], &bytes).unwrap();
    let error = replay(dir.path(), &Manager::new()).unwrap_err();
    assert!(
        matches!(error, WalError::ChainCrc { block: 0, .. }),
        "{error}"
    );
}

#[test]
fn directory_level_problems() {
    let dir = tempfile::tempdir().unwrap();
    let manager = Manager::new();
    let missing = dir.path().join("missing");
    assert!(matches!(
        replay(&missing, &manager),
        Err(WalError::DirMissing { .. })
    ));
    assert!(matches!(
        replay(dir.path(), &manager),
        Err(WalError::NoSegments { .. })
    ));

    let files = small_wal(dir.path(), 300);
    // A missing middle segment is a gap, naming both neighbours.
    let middle = fs::read(&files[1]).unwrap();
    fs::remove_file(&files[1]).unwrap();
    let error = replay(dir.path(), &manager).unwrap_err();
    assert!(
        matches!(
            error,
            WalError::Gap {
                prev_last: 128,
                first: 257,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains(&files[2].display().to_string()));
    fs::write(&files[1], &middle).unwrap();

    // A segment renamed to another index: the name and the header disagree.
    let renamed = dir.path().join("segment-0000000007.wal");
    fs::rename(&files[2], &renamed).unwrap();
    let error = replay(dir.path(), &manager).unwrap_err();
    assert!(
        matches!(error, WalError::BadField { offset: 16, .. }),
        "{error}"
    );
    fs::rename(&renamed, &files[2]).unwrap();

    // A foreign file.
    let foreign = dir.path().join("notes.txt");
    fs::write(&foreign, b"x").unwrap();
    let error = replay(dir.path(), &manager).unwrap_err();
    assert!(
        matches!(&error, WalError::ForeignFile { path, .. } if *path == foreign),
        "{error}"
    );
    fs::remove_file(&foreign).unwrap();
    assert_eq!(replay(dir.path(), &manager).unwrap(), 300);
}

#[test]
fn an_unfinished_segment_creation_is_ignored_except_by_absolute_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let manager = Manager::new();
    small_wal(dir.path(), 300);
    // An unfinished segment creation (never more than a header): reported and ignored,
    // except by absolute recovery.
    let unfinished = dir.path().join("segment-0000000003.wal.tmp");
    fs::write(&unfinished, b"x").unwrap();
    let wal = RecoveryManager::open(dir.path(), &manager).unwrap();
    assert_eq!(wal.report().unfinished, vec![unfinished.clone()]);
    let absolute = RecoveryOptions::with_mode(RecoveryMode::Absolute);
    let error = RecoveryManager::with_options(dir.path(), NoTelemetry, absolute).unwrap_err();
    assert!(
        matches!(&error, WalError::ForeignFile { path, .. } if *path == unfinished),
        "{error}"
    );
    fs::remove_file(&unfinished).unwrap();
    assert_eq!(replay(dir.path(), &manager).unwrap(), 300);
}

#[test]
fn overlapping_segments_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let files = small_wal(dir.path(), 300);
    // A second WAL whose segment 3 starts at id 250, inside segment 2 (257 is expected).
    let other = tempfile::tempdir().unwrap();
    let opts = WriterOptions {
        first_event_id: 250,
        first_segment_index: 3,
        sync: false,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(other.path(), opts).unwrap();
    writer.append(0, 0, b"").unwrap();
    let stale = writer.finish().unwrap().remove(0);
    fs::copy(&stale, dir.path().join(stale.file_name().unwrap())).unwrap();
    let error = replay(dir.path(), &Manager::new()).unwrap_err();
    assert!(
        matches!(error, WalError::Overlap { first: 250, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains(&files[2].display().to_string())
            || error.to_string().contains("segment-0000000003")
    );
}
