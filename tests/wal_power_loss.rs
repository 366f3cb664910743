//! Power-loss simulation: a WAL whose last segment has a synced prefix and an unsynced suffix;
//! the suffix is cut or garbled at every class of offset (a block boundary, inside a block's
//! checksums, inside a block header, inside an event) with truncation, random garbage or zeros,
//! over 1,000 cases. Tolerate-tail recovery must replay exactly the intact prefix (every event
//! in the blocks before the first changed byte, so every durable one) and report the rest.
//! Unfinished segment creations with a partial header are ignored. Nothing panics.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::wal::{block_spans, replay_ids, segment_files};
use walrec::wal::{NoTelemetry, RecoveryManager, RecoveryMode, SegmentWriter, WriterOptions};

/// A WAL of one segment: 100 events synced in blocks of 7, then 150 more in blocks of 5 that
/// the simulation treats as not yet synced. Returns the segment, the synced length and the
/// last durable id.
fn wal_with_unsynced_suffix(dir: &Path) -> (PathBuf, usize, u64) {
    let opts = WriterOptions {
        sync_every_events: 0,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    let mut durable = 0;
    for id in 1..=250u64 {
        writer.append(id, (id % 5) as u16, &[id as u8; 9]).unwrap();
        if id == 100 {
            durable = writer.sync().unwrap().unwrap();
        } else if (id <= 100 && id % 7 == 0) || (id > 100 && id % 5 == 0) {
            writer.sync().unwrap();
        }
        if id == 100 {
            assert_eq!(durable, 100);
        }
    }
    let segment = segment_files(dir).remove(0);
    let synced_len = synced_len_at(&fs::read(&segment).unwrap(), 100);
    drop(writer); // unsealed, as after a crash
    (segment, synced_len, durable)
}

/// The byte offset where the block holding event `last` ends.
fn synced_len_at(bytes: &[u8], last: u64) -> usize {
    let mut events = 0;
    for (at, len) in block_spans(bytes) {
        events += (len as u64 - 64) / 64;
        if events == last {
            return at + len;
        }
    }
    panic!("no block ends at event {last}");
}

/// Events in the blocks that end at or before `first_changed`, and where they end.
fn intact_prefix(original: &[u8], first_changed: usize) -> (u64, usize) {
    let mut events = 0;
    let mut end = 128;
    for (at, len) in block_spans(original) {
        if at + len > first_changed {
            break;
        }
        events += (len as u64 - 64) / 64;
        end = at + len;
    }
    (events, end)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`, or 0 when `n` is 0.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// What a power loss did to the bytes from `at` on.
#[derive(Debug, Clone, Copy)]
enum Damage {
    Cut,
    Garbage,
    GarbageAndLonger,
    Zeros,
}

fn damage(original: &[u8], at: usize, how: Damage, rng: &mut Rng) -> Vec<u8> {
    let mut bytes = original[..at].to_vec();
    match how {
        Damage::Cut => {}
        Damage::Garbage => {
            let n = 1 + rng.below(original.len() - at);
            bytes.extend(rng.bytes(n));
        }
        Damage::GarbageAndLonger => {
            let n = original.len() - at + 1 + rng.below(5000);
            bytes.extend(rng.bytes(n));
        }
        Damage::Zeros => bytes.resize(original.len(), 0),
    }
    bytes
}

/// Offsets of every class inside the unsynced blocks: each boundary, and a random offset in
/// the checksums (0..8), the rest of the block header (8..64) and the events (64..).
fn offsets(original: &[u8], synced_len: usize, rng: &mut Rng) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for (at, len) in block_spans(original)
        .into_iter()
        .filter(|&(at, _)| at >= synced_len)
    {
        out.push((at, "block boundary"));
        out.push((at + rng.below(8), "block checksums"));
        out.push((at + 8 + rng.below(56), "block header"));
        out.push((at + 64 + rng.below(len - 64), "event"));
    }
    out.push((original.len(), "end of file"));
    out
}

#[test]
fn tolerate_tail_replays_exactly_the_intact_prefix_after_any_power_loss() {
    let dir = tempfile::tempdir().unwrap();
    let (segment, synced_len, durable) = wal_with_unsynced_suffix(dir.path());
    let original = fs::read(&segment).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases = 0;
    for round in 0..3 {
        for (at, class) in offsets(&original, synced_len, &mut rng) {
            for how in [
                Damage::Cut,
                Damage::Garbage,
                Damage::GarbageAndLonger,
                Damage::Zeros,
            ] {
                let bytes = damage(&original, at, how, &mut rng);
                fs::write(&segment, &bytes).unwrap();
                let first_changed = (0..bytes.len().max(original.len()))
                    .find(|&i| bytes.get(i) != original.get(i))
                    .unwrap_or(usize::MAX);
                let (events, end) = intact_prefix(&original, first_changed);
                let context = format!("round {round}, {class} at {at}, {how:?}");
                let replay = replay_ids(dir.path(), RecoveryMode::TolerateTail)
                    .unwrap_or_else(|e| panic!("{context}: {e}"));
                assert_eq!(replay.ids, (1..=events).collect::<Vec<_>>(), "{context}");
                assert!(events >= durable, "{context}: a durable event was lost");
                let discarded = &replay.report.discarded[0];
                assert_eq!(discarded.offset, end as u64, "{context}");
                assert_eq!(discarded.bytes, (bytes.len() - end) as u64, "{context}");
                assert!(discarded.unsealed, "{context}");
                cases += 1;
            }
        }
    }
    fs::write(&segment, &original).unwrap();
    assert!(cases >= 1000, "only {cases} cases");
    eprintln!("{cases} power-loss cases");
}

#[test]
fn a_partial_header_of_an_unfinished_segment_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    wal_with_unsynced_suffix(dir.path());
    let before = replay_ids(dir.path(), RecoveryMode::TolerateTail)
        .unwrap()
        .ids;
    let mut rng = Rng(7);
    for len in 0..=128 {
        let tmp = dir.path().join("segment-0000000001.wal.tmp");
        fs::write(&tmp, rng.bytes(len)).unwrap();
        let replay = replay_ids(dir.path(), RecoveryMode::TolerateTail).unwrap();
        assert_eq!(replay.ids, before, "header of {len} bytes");
        assert_eq!(replay.report.unfinished, vec![tmp]);
    }
}

#[test]
fn resuming_again_into_a_torn_last_segment_reads_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let (segment, _, _) = wal_with_unsynced_suffix(dir.path());
    let mut bytes = fs::read(&segment).unwrap();
    bytes.extend([0x77; 99]);
    fs::write(&segment, &bytes).unwrap();
    let mut wal = RecoveryManager::with_hooks(dir.path(), NoTelemetry).unwrap();
    assert_eq!(wal.last_event_id(), 250);
    for from in [1, 240, 7, 250] {
        assert_eq!(wal.resume_from_event(from).unwrap(), Some(from));
        let mut next = from;
        while let Some(event) = wal.next_event().unwrap() {
            assert_eq!(event.id(), next);
            next += 1;
        }
        assert_eq!(next, 251, "resumed at {from}");
    }
}
