//! A component's telemetry derived from the catalogue (`catalogue.rs`): each metric's kind
//! (`operation`, `duration`, `histogram`, `counter(unit)`, `gauge(unit)`) decides how it is
//! stored, copied, subtracted, added, collected, dumped and recorded, so a component's struct,
//! its snapshot and those operations are written once, as [`component!`], not per metric.
//!
//! A component is declared in one of three modes:
//! - `generated`: the struct of atomics, its snapshot, `new`, `snapshot`, `since`, `merge`,
//!   `collect` and the dump section are all derived (the segment reader, the preloader);
//! - `snapshot`: the struct and snapshot are written by hand (the specification's `Manager`,
//!   with its sharded histogram), and collect and the dump section are derived from the fields;
//! - `custom`: everything is written by hand (the progress, whose phase is five series).

mod derive;
mod kinds;

pub(crate) use derive::component;
#[cfg(feature = "recording")]
pub(crate) use kinds::SeriesMut;
pub(crate) use kinds::{
    Count, Counter, CountsLine, Duration, Gauge, Histogram, Level, Operation, Series, Stored, kind,
};
