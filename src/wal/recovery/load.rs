//! How `RecoveryManager` gets a segment's verified reader: from the preloader or opened on the
//! spot, checked against the scan, its faults treated by the recovery mode, and the next
//! segment requested ahead.

use super::*;

impl<H: Hooks> RecoveryManager<H> {
    /// The verified reader for `slot`, checked against the header seen by the scan, its fault
    /// (if any) treated by the recovery mode.
    pub(super) fn load(
        &mut self,
        slot: usize,
        at_boundary: bool,
    ) -> Result<VerifiedSegment, WalError> {
        let index = self.segments.get(slot).map(|s| s.header.segment_index);
        let open = self.spans.step("wal.segment.open", index);
        let loaded = self.load_in(slot, at_boundary, &open);
        end_step(open, loaded.as_ref().err());
        loaded
    }

    /// [`load`](Self::load) within its `wal.segment.open` span (`open`); the checks after the
    /// read in `wal.segment.verify` (the read itself verifies every block's CRC, so a CRC
    /// failure ends `wal.segment.open` with Error).
    fn load_in(
        &mut self,
        slot: usize,
        at_boundary: bool,
        open: &super::spans::Open,
    ) -> Result<VerifiedSegment, WalError> {
        let Some(info) = self.segments.get(slot).cloned() else {
            return Err(WalError::NoSegments {
                dir: self.dir.clone(),
            });
        };
        if slot + 1 == self.segments.len() {
            if let Some(reader) = self.tail_reader.take() {
                return Ok(reader);
            }
        }
        let taken = self.preloader.take(slot, &info.path);
        let mut reader = self.note_taken(slot, at_boundary, taken)?;
        let verify = open.as_ref().and_then(|_| {
            self.spans
                .step("wal.segment.verify", Some(info.header.segment_index))
        });
        let checked = self.check(slot, &info, &mut reader);
        end_step(verify, checked.as_ref().err());
        checked.map(|()| reader)
    }

    /// Checks a loaded reader against the survey's header and treats its fault (if any) by
    /// the recovery mode.
    fn check(
        &mut self,
        slot: usize,
        info: &SegmentInfo,
        reader: &mut VerifiedSegment,
    ) -> Result<(), WalError> {
        if !same_segment(reader, &info.header) {
            return Err(WalError::Changed {
                path: info.path.clone(),
            });
        }
        let problem = reader.take_problem();
        match problem {
            // An unsealed segment's tail was accepted (and reported) by the survey.
            Some(_) if !info.header.sealed => {}
            Some(problem) if self.mode != RecoveryMode::PointInTime => return Err(problem),
            Some(problem) => self.stop_at(slot, reader, problem),
            None => {}
        }
        Ok(())
    }

    /// Records how a segment was handed over (its load timings, a stall, integrity problems
    /// once per slot) and returns its reader.
    fn note_taken(
        &mut self,
        slot: usize,
        at_boundary: bool,
        taken: Taken,
    ) -> Result<VerifiedSegment, WalError> {
        if at_boundary {
            self.hooks.ready_ahead(u64::from(taken.ready));
            if let Some((from, to)) = taken.waited {
                self.hooks.stalled(from, to);
            }
        }
        let problem = match &taken.result {
            Ok(reader) => {
                let ok = reader.problem().is_none();
                self.hooks
                    .segment_loaded(reader.timings(), taken.preloaded, ok);
                reader.problem().and_then(integrity_problem)
            }
            Err(error) => integrity_problem(error),
        };
        if let Some(problem) = problem {
            if self.counted_problem != Some(slot) {
                self.counted_problem = Some(slot);
                self.hooks.integrity_problem(problem);
            }
        }
        taken.result
    }

    /// A point-in-time replay found a fault in `slot`: it ends after the intact prefix.
    #[cold]
    fn stop_at(&mut self, slot: usize, reader: &VerifiedSegment, problem: WalError) {
        self.stop_after = Some(slot);
        self.report.stopped_early = true;
        let discarded = reader.discarded().cloned().unwrap_or_else(|| Discarded {
            path: reader.path().to_path_buf(),
            offset: 0,
            bytes: 0,
            unsealed: false,
            reason: None,
        });
        self.report.discarded.push(Discarded {
            reason: Some(problem.to_string()),
            ..discarded
        });
    }

    pub(super) fn preload(&mut self, slot: usize, buffers: Buffers) {
        let last = slot + 1 == self.segments.len() && self.tail_reader.is_some();
        if self.stop_after.is_some() || last {
            return;
        }
        if let Some(info) = self.segments.get(slot) {
            let parent = self.spans.carried();
            self.preloader.request(slot, &info.path, buffers, parent);
        }
    }
}

/// The class of integrity problem `error` reports, if it is one.
pub(crate) fn integrity_problem(error: &WalError) -> Option<IntegrityProblem> {
    match error {
        WalError::HeaderCrc { .. } => Some(IntegrityProblem::HeaderChecksum),
        WalError::BlockCrc { .. } => Some(IntegrityProblem::BlockChecksum),
        WalError::ChainCrc { .. } => Some(IntegrityProblem::ChainedChecksum),
        WalError::BadMagic { .. }
        | WalError::UnsupportedVersion { .. }
        | WalError::BadField { .. }
        | WalError::BadBlockCount { .. } => Some(IntegrityProblem::Validation),
        _ => None,
    }
}

/// Whether `reader` holds the segment the survey saw: the same header, or for an unsealed one
/// (whose surveyed header carries the counts of its intact prefix) the same start and count.
fn same_segment(reader: &VerifiedSegment, surveyed: &SegmentHeader) -> bool {
    if surveyed.sealed {
        return reader.header() == surveyed;
    }
    let header = reader.header();
    !header.sealed
        && header.segment_index == surveyed.segment_index
        && header.first_event_id == surveyed.first_event_id
        && reader.event_count() == surveyed.event_count
}
