//! okaywal's recovery of one log, with and without walrec's adapter, and one clock read as the
//! unit.
//!
//! `cargo bench --features okaywal --bench okaywal`
//!
//! - `okaywal_recovery/plain`: `Configuration::open` of a copy of the log with a manager that
//!   reads every entry's chunks, as a real one would (the tests' `Counting::reading`).
//! - `okaywal_recovery/instrumented`: the same manager wrapped by
//!   `walrec::adapters::okaywal::recover`, recording into a `Recovery`.
//! - `clock_read`: one `clock::now_ns()`.
//!
//! The log is one segment of `ENTRIES` entries (so okaywal checkpoints nothing after the open);
//! each iteration opens a fresh copy, made outside the timing. The adapter's cost per entry is
//! `(instrumented − plain) / ENTRIES`; divide by `clock_read` for clock reads per entry. By
//! construction the adapter reads the clock once per entry and twice per segment.

use std::hint::black_box;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use okaywal::Configuration;
use walrec::telemetry::{Recovery, clock};

#[path = "../tests/support/okaywal_log.rs"]
mod okaywal_log;
use okaywal_log::Counting;

/// Entries in the benchmarked log.
const ENTRIES: u64 = 20_000;

/// One large segment: a checkpoint threshold the log never reaches.
fn config(dir: &Path) -> Configuration {
    Configuration::default_for(dir).checkpoint_after_bytes(1 << 30)
}

/// Writes the log once; returns its directory.
fn write_log(root: &Path) -> io::Result<PathBuf> {
    let dir = root.join("log");
    let wal = config(&dir).open(Counting::reading())?;
    for i in 0..ENTRIES {
        let mut writer = wal.begin_entry()?;
        writer.write_chunk(&i.to_le_bytes())?;
        writer.write_chunk(&[7; 24])?;
        writer.commit()?;
    }
    wal.shutdown()?;
    Ok(dir)
}

/// A fresh copy of the log for one iteration (eight names in turn, each removed first: the
/// log of an iteration is dropped right after it).
fn fresh(log: &Path, root: &Path, n: &mut u64) -> PathBuf {
    *n += 1;
    let copy = root.join(format!("copy-{}", *n % 8));
    let _ = std::fs::remove_dir_all(&copy);
    okaywal_log::copy_dir(log, &copy).expect("copy the benchmark log");
    copy
}

fn bench(c: &mut Criterion) {
    clock::init();
    let root = tempfile::tempdir().expect("a temporary directory");
    let log = write_log(root.path()).expect("write the benchmark log");
    let mut n = 0;
    let mut group = c.benchmark_group("okaywal_recovery");
    group.throughput(Throughput::Elements(ENTRIES));
    group.bench_function("plain", |b| {
        b.iter_batched(
            || fresh(&log, root.path(), &mut n),
            |dir| config(&dir).open(Counting::reading()).expect("recover"),
            BatchSize::PerIteration,
        )
    });
    let mut m = 0;
    group.bench_function("instrumented", |b| {
        b.iter_batched(
            || (fresh(&log, root.path(), &mut m), Arc::new(Recovery::new())),
            |(dir, recovery)| {
                let opened =
                    walrec::adapters::okaywal::recover(config(&dir), Counting::reading(), recovery);
                opened.expect("recover")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    c.bench_function("clock_read", |b| b.iter(|| black_box(clock::now_ns())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
