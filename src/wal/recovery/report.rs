//! Surveying a WAL directory before a replay: every header read (timed), unfinished creations,
//! the unsealed last segment read in full, contiguity, and what the recovery mode makes of any
//! fault found on the way.

use std::path::{Path, PathBuf};

use crate::telemetry::Status;
use crate::wal::error::WalError;
use crate::wal::options::RecoveryMode;
use crate::wal::read::reader::{Buffers, VerifiedSegment};
use crate::wal::read::scan::{
    SegmentInfo, check_contiguous, list_dir, read_header, segment_file_name,
};
use crate::wal::recovery::discarded::Discarded;
use crate::wal::recovery::hooks::Hooks;
use crate::wal::recovery::integrity_problem;
use crate::wal::recovery::spans::{RecoverySpans, end_step};

/// What a replay found besides the events it returns: cut tails, unfinished creations,
/// where a point-in-time replay stopped, and warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// Bytes left out: the torn or unsealed tail of the last segment (tolerate-tail), or where
    /// a point-in-time replay stopped (with what is wrong there).
    pub discarded: Vec<Discarded>,
    /// Unfinished segment creations (`segment-<index>.wal.tmp`: a header at most) ignored.
    pub unfinished: Vec<PathBuf>,
    /// Whether a point-in-time replay stopped at a fault before the end of the WAL.
    pub stopped_early: bool,
    /// Anything else worth telling the operator, one sentence each.
    pub warnings: Vec<String>,
}

/// The surveyed WAL: its replayable segments in id order, and the unsealed last one already
/// read (it had to be, to know where it ends).
pub(crate) struct Survey {
    pub segments: Vec<SegmentInfo>,
    pub tail_reader: Option<VerifiedSegment>,
    pub report: RecoveryReport,
}

impl Survey {
    /// Surveys `dir`, timing each header read through `hooks`. When several headers are bad,
    /// every one is still read and recorded; the mode then decides (the first error, or the
    /// segments before the first fault).
    pub(in crate::wal) fn run(
        dir: &Path,
        mode: RecoveryMode,
        hooks: &impl Hooks,
        spans: &mut RecoverySpans,
    ) -> Result<Self, WalError> {
        let listing = list_dir(dir)?;
        let mut survey = Survey {
            segments: Vec::with_capacity(listing.segments.len()),
            tail_reader: None,
            report: RecoveryReport::default(),
        };
        if let (RecoveryMode::Absolute, Some(path)) = (mode, listing.unfinished.first()) {
            return Err(WalError::ForeignFile {
                path: path.clone(),
                hint: "it is an unfinished segment creation left by an interrupted writer (a header, no events); run walrec repair, or replay with --recovery-mode tolerate-tail",
            });
        }
        survey.report.unfinished = listing.unfinished;
        if listing.segments.is_empty() {
            return Err(WalError::NoSegments {
                dir: dir.to_path_buf(),
            });
        }
        let mut first_error = None;
        for (index, path) in listing.segments {
            let span = spans.header_start(index, &path);
            let start = hooks.now();
            let result = read_header(&path, index);
            hooks.read_segment_header(start, Status::from(&result));
            end_step(span, result.as_ref().err());
            if let Some(problem) = result.as_ref().err().and_then(integrity_problem) {
                hooks.integrity_problem(problem);
            }
            match result {
                Ok(info) if first_error.is_none() => survey.segments.push(info),
                Ok(_) => {}
                Err(error) => {
                    first_error.get_or_insert((path, error));
                }
            }
        }
        if let Some((path, error)) = first_error {
            survey.stop_or_fail(mode, path, error)?;
        }
        survey.read_unsealed(mode)?;
        if let Err((at, error)) = check_contiguous(&mut survey.segments) {
            let path = survey.segments[at].path.clone();
            survey.segments.truncate(at);
            survey.tail_reader = None;
            survey.stop_or_fail(mode, path, error)?;
        }
        survey.warn_if_start_missing();
        Ok(survey)
    }

    /// A fault found by the survey itself: an error, or in point-in-time mode the end of the
    /// replay (the segments before it are kept).
    fn stop_or_fail(
        &mut self,
        mode: RecoveryMode,
        path: PathBuf,
        error: WalError,
    ) -> Result<(), WalError> {
        if mode != RecoveryMode::PointInTime {
            return Err(error);
        }
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        self.report.discarded.push(Discarded {
            path,
            offset: 0,
            bytes,
            unsealed: false,
            reason: Some(error.to_string()),
        });
        self.report.stopped_early = true;
        Ok(())
    }

    /// Reads the unsealed segments in full: only the last may be one (unless the mode is
    /// point-in-time, which stops after the first). Their headers get the intact counts.
    fn read_unsealed(&mut self, mode: RecoveryMode) -> Result<(), WalError> {
        let Some(at) = self.segments.iter().position(|s| !s.header.sealed) else {
            return Ok(());
        };
        let last = at + 1 == self.segments.len();
        let mut reader = VerifiedSegment::read(&self.segments[at].path, Buffers::default())?;
        let problem = reader.take_problem();
        let discarded = reader.discarded().cloned();
        let (end, blocks, _) = reader.resume_point();
        let accept = match mode {
            RecoveryMode::TolerateTail => last,
            RecoveryMode::PointInTime => true,
            RecoveryMode::Absolute => false,
        };
        if !accept {
            return Err(problem.unwrap_or_else(|| WalError::Unsealed {
                path: reader.path().to_path_buf(),
                offset: end,
                hint: unsealed_hint(mode),
            }));
        }
        let info = &mut self.segments[at];
        info.header.event_count = reader.event_count();
        info.header.block_count = blocks;
        info.header.last_event_id = reader.last_event_id().unwrap_or(0);
        self.report.discarded.extend(discarded);
        if !last {
            let skipped = self.segments.len() - at - 1;
            self.report.stopped_early = true;
            self.report.warnings.push(format!(
                "{} is unsealed but not the last segment: stopped after its intact events, {skipped} later segment(s) not replayed",
                reader.path().display()
            ));
            self.segments.truncate(at + 1);
        }
        if reader.event_count() == 0 {
            self.segments.truncate(at);
        } else {
            self.tail_reader = Some(reader);
        }
        Ok(())
    }

    fn warn_if_start_missing(&mut self) {
        let Some(first) = self.segments.first() else {
            return;
        };
        if first.header.segment_index > 0 {
            self.report.warnings.push(format!(
                "the WAL starts at segment index {} ({}): {} through {} are missing; the first event found is {}",
                first.header.segment_index,
                first.path.display(),
                segment_file_name(0),
                segment_file_name(first.header.segment_index - 1),
                first.header.first_event_id,
            ));
        }
    }
}

fn unsealed_hint(mode: RecoveryMode) -> &'static str {
    match mode {
        RecoveryMode::Absolute => {
            "absolute recovery accepts no unsealed segment; replay with --recovery-mode tolerate-tail, or append to the WAL and finish it"
        }
        _ => {
            "only the last segment may be unsealed; restore the WAL from a replica or replay with --recovery-mode point-in-time"
        }
    }
}
