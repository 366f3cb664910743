//! The segment reader's integrity problems and how they are counted; its metrics and their
//! struct are declared in the catalogue (`catalogue.rs`).

use super::catalogue::SegmentReader;
use super::component::Counter;

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

impl SegmentReader {
    fn counter(&self, problem: IntegrityProblem) -> &Counter {
        match problem {
            IntegrityProblem::HeaderChecksum => &self.header_checksum_failures,
            IntegrityProblem::BlockChecksum => &self.block_checksum_failures,
            IntegrityProblem::ChainedChecksum => &self.chained_checksum_failures,
            IntegrityProblem::Validation => &self.validation_failures,
        }
    }

    /// Counts one integrity problem. The caller counts each problem once, however many
    /// readers (the preloader's, the replay's) meet it.
    pub fn count_problem(&self, problem: IntegrityProblem) {
        self.counter(problem).increment();
    }
}
