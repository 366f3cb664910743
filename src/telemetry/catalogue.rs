//! The catalogue of metrics: one line per metric, the only place a metric is declared.
//!
//! A line is `Variant: field, "name", kind, "dump label", "description";`: the [`Metric`]
//! variant, the snapshot field that holds it (with the struct field's visibility in a
//! `generated` component), its name part (see [`names`](super::names) for how every output's
//! name is made from it), its kind (`operation`, `duration`, `histogram`, `counter(Unit)`,
//! `gauge(Unit)`), its label in the dump (a timed metric's line, or its `name=` on the
//! component's counts line; empty: the value alone) and what it measures. Each component's mode
//! says how much of its code is derived from its lines (see [`component`](super::component)):
//! adding a metric to the segment reader or the preloader is one line here and the hook that
//! records it.

use super::manager::ManagerSnapshot;

super::names::catalogue! {
    Manager (snapshot ManagerSnapshot, "", "") {
        ReadSegmentHeader: read_segment_header, "read_segment_header", operation, "Read segment header", "Parsing and validating a WAL segment header";
        ResumeFromEvent: resume_from_event, "resume_from_event", operation, "Resume from event", "Resuming WAL replay at an event id (locate, open, verify and seek)";
        SeekEvent: seek_event, "seek_event", duration, "Seek event", "The segment reader's seek to an event id, within resume";
        NextEvent: next_event, "next_event", duration, "Next event", "Time from one next-event call to the next during WAL replay (fetching an event and handling the previous one)";
        NextEventHistogram: next_event_histogram, "next_event_histogram", histogram, "", "Distribution of the next-event times";
    }
    SegmentReader (generated
        /// Segment reader telemetry: the WAL's segment readers' (one per recovery, shared by
        /// every reader it opens) opening, verifying, indexing, seeking and closing, and the
        /// integrity problems of each class they found (see
        /// [`count_problem`](Self::count_problem)).
        SegmentReader, SegmentReaderSnapshot, " Segment Reader", "Integrity failures"
    ) {
        OpenSegment: pub open_segment, "open_segment", operation, "Open segment", "Opening a segment file and reading its header";
        CloseSegment: pub close_segment, "close_segment", operation, "Close segment", "Closing a segment the replay is done with";
        VerifySegment: pub verify_segment, "verify_segment", operation, "Verify segment", "Verifying a segment's block checksums, chain and fields";
        BuildIndex: pub build_index, "build_index", operation, "Build index", "Building a segment's block index";
        ReaderSeekEvent: pub seek_event, "seek_event", duration, "Reader seek", "A segment reader's own seek (index lookup and in-block scan)";
        HeaderChecksumFailures: pub(super) header_checksum_failures, "header_checksum_failures", counter(Operations), "header_crc", "Segment headers whose CRC did not match";
        BlockChecksumFailures: pub(super) block_checksum_failures, "block_checksum_failures", counter(Operations), "block_crc", "Blocks whose CRC did not match";
        ChainedChecksumFailures: pub(super) chained_checksum_failures, "chained_checksum_failures", counter(Operations), "chain", "Blocks whose chain link to the previous block was broken";
        ValidationFailures: pub(super) validation_failures, "validation_failures", counter(Operations), "validation", "Headers or blocks whose fields failed validation";
    }
    SegmentPreloader (generated
        /// Segment preloader telemetry: the thread that opens and verifies the next segment
        /// while the replay works on the current one, and the replay's waits for it (see
        /// [`stalled`](Self::stalled)).
        SegmentPreloader, SegmentPreloaderSnapshot, " Segment Preloader", "Stalls"
    ) {
        PreloadSegment: pub preload_segment, "preload_segment", operation, "Preload segment", "Opening and fully verifying a segment ahead of the replay";
        FinishSegment: pub finish_segment, "finish_segment", operation, "Finish segment", "Releasing a replayed segment";
        Stalls: pub(super) stalls, "stalls", counter(Operations), "", "Times the replay waited for the preloader or opened a segment itself";
        StallWait: pub stall_wait, "stall_wait", duration, "Stall wait", "Time the replay spent waiting for the preloader";
        SwitchSegment: pub switch_segment, "switch_segment", duration, "Switch segment", "The replay's move from a finished segment to the next (hand-off, any wait, and the finish)";
        ReadyAhead: pub(super) ready_ahead, "ready_ahead", gauge(Segments), "ready_ahead", "Segments verified and waiting for the replay";
    }
    Recovery (custom) {
        EventsReplayed: events_replayed, "events_replayed", counter(Events), "events", "Events replayed";
        BytesReplayed: bytes_replayed, "bytes_replayed", counter(Bytes), "bytes", "Event bytes replayed (64 per event)";
        BytesDiscarded: bytes_discarded, "bytes_discarded", counter(Bytes), "discarded", "Bytes of torn or unsealed segment tails the recovery discarded";
        SegmentsReplayed: segments_replayed, "segments_replayed", counter(Segments), "segments", "Segments replayed";
        SegmentsTotal: segments_total, "segments", gauge(Segments), "segments", "Segments found by the directory scan";
        CurrentEventId: current_event_id, "current_event_id", gauge(EventId), "current_event", "Id of the last event replayed";
        LastEventId: last_event_id, "last_event_id", gauge(EventId), "last_event", "Id of the last event in the WAL";
        Phase: phase, "phase", gauge(State), "phase", "Recovery phase: 1 for the current phase, 0 for the others";
        Eta: eta_ns, "eta", gauge(Seconds), "eta", "Estimated time left for the replay, from the recent rate";
    }
}
