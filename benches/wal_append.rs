//! Durable append throughput of the WAL writer by sync policy, next to the physical limit of
//! each policy: one `write` + `fdatasync` of the bytes that policy syncs at a time.
//!
//! `cargo bench --bench wal_append`
//!
//! - `append_durable/sync_every_{1,64,4096}`: `SegmentWriter::append` with
//!   `sync_every_events` = 1, 64 and 4,096 (each event durable at most that many events late),
//!   in events per second. The WAL lives in a temporary directory on the machine's disk
//!   (`TMPDIR`), not in memory.
//! - `fdatasync/{128,4160,266240}_bytes`: appending that many bytes to a file and
//!   `fdatasync`ing it, the bytes one sync of each policy writes (a one-event block, one full
//!   block, 64 full blocks), with the same events-per-iteration throughput, so the two
//!   figures of a policy compare directly.

use std::fs::File;
use std::hint::black_box;
use std::io::{Seek, SeekFrom, Write};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use walrec::wal::{SegmentWriter, WriterOptions};

/// The policies: events per sync, and the bytes one sync writes (blocks of 64-byte events
/// behind a 64-byte block header).
const POLICIES: [(u64, usize); 3] = [(1, 128), (64, 4160), (4096, 64 * 4160)];

fn append_durable(c: &mut Criterion) {
    let mut group = c.benchmark_group("append_durable");
    for (every, _) in POLICIES {
        let dir = tempfile::tempdir().expect("temporary directory");
        let opts = WriterOptions {
            sync_every_events: every,
            ..WriterOptions::default()
        };
        let mut writer = SegmentWriter::create(dir.path(), opts).expect("a writer");
        group.throughput(Throughput::Elements(every));
        group.bench_function(format!("sync_every_{every}"), |b| {
            b.iter(|| {
                for _ in 0..every {
                    black_box(writer.append(1, 2, b"0123456789abcdef").expect("append"));
                }
            })
        });
        writer.finish().expect("seal");
    }
    group.finish();
}

fn fdatasync(c: &mut Criterion) {
    let mut group = c.benchmark_group("fdatasync");
    for (every, bytes) in POLICIES {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut file = File::create(dir.path().join("file")).expect("a file");
        let data = vec![0xA5u8; bytes];
        let mut written = 0usize;
        group.throughput(Throughput::Elements(every));
        group.bench_function(format!("{bytes}_bytes"), |b| {
            b.iter(|| {
                file.write_all(&data).expect("write");
                file.sync_data().expect("fdatasync");
                written += bytes;
                // Start over now and then, as the writer does with segments.
                if written > 64 << 20 {
                    file.set_len(0).expect("truncate");
                    file.seek(SeekFrom::Start(0)).expect("rewind");
                    written = 0;
                }
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).sample_size(20);
    targets = append_durable, fdatasync
}
criterion_main!(benches);
