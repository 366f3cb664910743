//! The flight recorder: a durable, compact record of every interval of a recovery's telemetry,
//! and the logic of `walrec report` that reads it back.
//!
//! The file format is `proto/walrec/v1/recording.proto` (any protobuf library reads it with
//! that file alone): an 8-byte magic, then records framed as `u32 length | u32 CRC32C |
//! protobuf`, a header first, then one interval per instance per tick holding the interval's
//! deltas at full recording resolution. [`FlightRecorder`] writes it on its own thread;
//! [`Recording`] reads it, reporting and skipping a torn last record; [`Window`] merges any
//! span of intervals into the dump a live process would have shown.

mod components;
mod config;
mod error;
mod exemplar;
mod flight;
mod frame;
mod header;
mod hlog;
#[cfg(feature = "plot")]
mod plot;
mod reader;
mod sampler;
mod schema;
mod stitch;
mod window;

pub use crate::telemetry::clock::measure_resolution_ps;
pub use components::RecoveryComponents;
pub use config::{
    DEFAULT_INTERVAL, DEFAULT_KEPT_FILES, DEFAULT_MAX_FILE_BYTES, INTERVAL_VARIABLE,
    RecordingConfig, SyncPolicy, parse_interval,
};
pub use error::RecordingError;
pub use flight::{FlightRecorder, RecordingSummary};
pub use header::{AttributeValue, FORMAT_VERSION, RecordedInterval, RecordingHeader};
pub use hlog::write_hlog;
#[cfg(feature = "plot")]
pub use plot::{FONT_VARIABLE, write_plot};
pub use reader::{Recording, TornTail};
pub use sampler::{IntervalSampler, ManagerSource};
pub use window::{IntervalRow, Window};
pub use writer::{RecordingWriter, rotated};

mod writer;
