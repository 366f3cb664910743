//! `SegmentReader`: the telemetry of the WAL's segment readers (one per recovery, shared by
//! every reader it opens): how long opening, verifying, indexing, seeking and closing take,
//! and how many integrity problems of each class were found.

use std::sync::atomic::{AtomicU64, Ordering};

use super::stats::{DurationSnapshot, DurationStats, OperationSnapshot, OperationStats};

/// The classes of integrity problem a segment reader reports, one counter each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrityProblem {
    /// A segment header's CRC did not match.
    HeaderChecksum,
    /// A block's CRC did not match.
    BlockChecksum,
    /// A block's chain link to the previous block (or the header) was broken.
    ChainedChecksum,
    /// A header or block field failed validation (ids, counts, sizes, reserved bytes).
    Validation,
}

/// The four problem counters, on one cache line of their own.
#[repr(C, align(64))]
struct ProblemCounters {
    header_checksum: AtomicU64,
    block_checksum: AtomicU64,
    chained_checksum: AtomicU64,
    validation: AtomicU64,
}

/// Segment reader telemetry. Every field starts on its own cache line (checked at compile
/// time below), like [`Manager`](super::Manager)'s.
#[repr(C, align(64))]
pub struct SegmentReader {
    /// Opening a segment file and reading its header.
    pub open_segment: OperationStats,
    /// Closing a segment the replay is done with.
    pub close_segment: OperationStats,
    /// Verifying every block's checksum, the chain and the fields.
    pub verify_segment: OperationStats,
    /// Building the block index used by seeks.
    pub build_index: OperationStats,
    /// The reader's own seek: index lookup and in-block scan.
    pub seek_event: DurationStats,
    problems: ProblemCounters,
}

super::cache_line::assert_cache_lines!(
    SegmentReader,
    open_segment,
    close_segment,
    verify_segment,
    build_index,
    seek_event,
    problems
);

impl Default for SegmentReader {
    fn default() -> Self {
        Self::new()
    }
}

impl SegmentReader {
    /// Empty telemetry; `const`, so it can be a `static`.
    pub const fn new() -> Self {
        SegmentReader {
            open_segment: OperationStats::new(),
            close_segment: OperationStats::new(),
            verify_segment: OperationStats::new(),
            build_index: OperationStats::new(),
            seek_event: DurationStats::new(),
            problems: ProblemCounters {
                header_checksum: AtomicU64::new(0),
                block_checksum: AtomicU64::new(0),
                chained_checksum: AtomicU64::new(0),
                validation: AtomicU64::new(0),
            },
        }
    }

    fn counter(&self, problem: IntegrityProblem) -> &AtomicU64 {
        match problem {
            IntegrityProblem::HeaderChecksum => &self.problems.header_checksum,
            IntegrityProblem::BlockChecksum => &self.problems.block_checksum,
            IntegrityProblem::ChainedChecksum => &self.problems.chained_checksum,
            IntegrityProblem::Validation => &self.problems.validation,
        }
    }

    /// Counts one integrity problem. The caller counts each problem once, however many
    /// readers (the preloader's, the replay's) meet it.
    pub fn count_problem(&self, problem: IntegrityProblem) {
        self.counter(problem).fetch_add(1, Ordering::Relaxed); // Relaxed: independent counter.
    }

    /// A plain copy of the telemetry.
    pub fn snapshot(&self) -> SegmentReaderSnapshot {
        let problems = |p| self.counter(p).load(Ordering::Relaxed); // Relaxed: independent.
        SegmentReaderSnapshot {
            open_segment: self.open_segment.snapshot(),
            close_segment: self.close_segment.snapshot(),
            verify_segment: self.verify_segment.snapshot(),
            build_index: self.build_index.snapshot(),
            seek_event: self.seek_event.snapshot(),
            header_checksum_failures: problems(IntegrityProblem::HeaderChecksum),
            block_checksum_failures: problems(IntegrityProblem::BlockChecksum),
            chained_checksum_failures: problems(IntegrityProblem::ChainedChecksum),
            validation_failures: problems(IntegrityProblem::Validation),
        }
    }
}

impl std::fmt::Debug for SegmentReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SegmentReader")
            .field(&self.snapshot())
            .finish()
    }
}

/// A plain copy of [`SegmentReader`] telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegmentReaderSnapshot {
    /// See [`SegmentReader::open_segment`].
    pub open_segment: OperationSnapshot,
    /// See [`SegmentReader::close_segment`].
    pub close_segment: OperationSnapshot,
    /// See [`SegmentReader::verify_segment`].
    pub verify_segment: OperationSnapshot,
    /// See [`SegmentReader::build_index`].
    pub build_index: OperationSnapshot,
    /// See [`SegmentReader::seek_event`].
    pub seek_event: DurationSnapshot,
    /// Segment headers whose CRC did not match.
    pub header_checksum_failures: u64,
    /// Blocks whose CRC did not match.
    pub block_checksum_failures: u64,
    /// Blocks whose chain link was broken.
    pub chained_checksum_failures: u64,
    /// Headers or blocks whose fields failed validation.
    pub validation_failures: u64,
}

impl SegmentReaderSnapshot {
    /// Adds `other`'s values, as if both had been recorded into one reader (for example two
    /// consecutive intervals).
    pub fn merge(&mut self, other: &SegmentReaderSnapshot) {
        self.open_segment.merge(&other.open_segment);
        self.close_segment.merge(&other.close_segment);
        self.verify_segment.merge(&other.verify_segment);
        self.build_index.merge(&other.build_index);
        self.seek_event.merge(&other.seek_event);
        let add = |a: &mut u64, b: u64| *a = a.saturating_add(b);
        add(
            &mut self.header_checksum_failures,
            other.header_checksum_failures,
        );
        add(
            &mut self.block_checksum_failures,
            other.block_checksum_failures,
        );
        add(
            &mut self.chained_checksum_failures,
            other.chained_checksum_failures,
        );
        add(&mut self.validation_failures, other.validation_failures);
    }

    /// What was recorded after `base`, an earlier snapshot.
    pub fn since(&self, base: &SegmentReaderSnapshot) -> SegmentReaderSnapshot {
        SegmentReaderSnapshot {
            open_segment: self.open_segment.since(&base.open_segment),
            close_segment: self.close_segment.since(&base.close_segment),
            verify_segment: self.verify_segment.since(&base.verify_segment),
            build_index: self.build_index.since(&base.build_index),
            seek_event: self.seek_event.since(&base.seek_event),
            header_checksum_failures: self
                .header_checksum_failures
                .saturating_sub(base.header_checksum_failures),
            block_checksum_failures: self
                .block_checksum_failures
                .saturating_sub(base.block_checksum_failures),
            chained_checksum_failures: self
                .chained_checksum_failures
                .saturating_sub(base.chained_checksum_failures),
            validation_failures: self
                .validation_failures
                .saturating_sub(base.validation_failures),
        }
    }
}
