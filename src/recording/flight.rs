//! `FlightRecorder`: writes every registered manager's interval deltas to the recording file
//! on its own thread, on its own schedule. It only reads snapshots, so the recording threads'
//! hot path is the same with it on or off.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;

use super::config::RecordingConfig;
use super::error::RecordingError;
use super::header::RecordingHeader;
use super::sampler::{IntervalSampler, ManagerSource};
use super::writer::RecordingWriter;

/// What the recorder's thread is asked to do besides its periodic intervals.
#[derive(Debug)]
enum Command {
    /// Write an interval now and report how it went.
    Sample(Sender<Result<(), RecordingError>>),
    /// Write the final interval and stop.
    Stop,
}

/// What a finished recording wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingSummary {
    /// Ticks written (each holds one interval per instance).
    pub ticks: u64,
    /// Bytes in the current file at the end.
    pub file_bytes: u64,
}

/// Records named managers' telemetry into a post-mortem file; see the module docs.
///
/// ```no_run
/// /// use walrec::recording::{FlightRecorder, RecordingConfig};
/// use walrec::telemetry::Manager;
///
/// let manager = Arc::new(Manager::new());
/// let recorder = FlightRecorder::start(
///     &RecordingConfig::new("replay.walrec"),
///     vec![("replay".to_owned(), Arc::clone(&manager))],
/// )?;
/// // ... replay, recording into `manager` ...
/// let summary = recorder.finish()?; // the final interval
/// # Ok::<(), walrec::recording::RecordingError>(())
/// ```
#[derive(Debug)]
pub struct FlightRecorder {
    commands: Sender<Command>,
    thread: Option<JoinHandle<Result<RecordingSummary, RecordingError>>>,
}

impl FlightRecorder {
    /// Creates the file, writes its header and starts the recorder's thread, which writes one
    /// interval per instance every `config.interval`.
    pub fn start<S: ManagerSource>(
        config: &RecordingConfig,
        managers: Vec<(String, S)>,
    ) -> Result<FlightRecorder, RecordingError> {
        let (names, managers): (Vec<String>, Vec<S>) = managers.into_iter().unzip();
        let header = RecordingHeader::for_config(config, names);
        let sampler = IntervalSampler::new(managers, header.start_unix_nano);
        let writer = RecordingWriter::create(config, header)?;
        let (commands, receiver) = mpsc::channel();
        let interval = config.interval;
        let thread = std::thread::Builder::new()
            .name("walrec-recorder".to_owned())
            .spawn(move || run(writer, sampler, &receiver, interval))
            .map_err(RecordingError::Thread)?;
        Ok(FlightRecorder {
            commands,
            thread: Some(thread),
        })
    }

    /// Writes an interval now (ending the current one early) and waits until it is written.
    pub fn sample_now(&self) -> Result<(), RecordingError> {
        let (reply, answer) = mpsc::channel();
        if self.commands.send(Command::Sample(reply)).is_err() {
            return Ok(()); // The thread ended on an error, which finish() reports.
        }
        answer.recv().unwrap_or(Ok(()))
    }

    /// Writes the final interval, stops the thread and reports what was written, or the first
    /// error that stopped the recording.
    pub fn finish(mut self) -> Result<RecordingSummary, RecordingError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<RecordingSummary, RecordingError> {
        let _ = self.commands.send(Command::Stop);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            // The thread does not panic on any input; if it did, its interval is lost.
            Some(Err(_)) | None => Ok(RecordingSummary {
                ticks: 0,
                file_bytes: 0,
            }),
        }
    }
}

impl Drop for FlightRecorder {
    /// Dropping the recorder (an early return, an unwinding error path) still writes the final
    /// interval.
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop();
        }
    }
}

/// The recorder's thread: an interval every `interval`, one more on demand, a final one at stop.
fn run(
    mut writer: RecordingWriter,
    mut sampler: IntervalSampler,
    commands: &Receiver<Command>,
    interval: std::time::Duration,
) -> Result<RecordingSummary, RecordingError> {
    let mut ticks = 0u64;
    let mut next = std::time::Instant::now() + interval;
    loop {
        let wait = next.saturating_duration_since(std::time::Instant::now());
        match commands.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {
                sampler.sample(&mut writer, false)?;
                // After a stall, the next interval is a whole one rather than a burst of short ones.
                next = (next + interval).max(std::time::Instant::now());
            }
            Ok(Command::Sample(reply)) => {
                let result = sampler.sample(&mut writer, false);
                let failed = result.is_err();
                let _ = reply.send(result);
                if failed {
                    break;
                }
            }
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => {
                sampler.sample(&mut writer, true)?;
                ticks += 1;
                break;
            }
        }
        ticks += 1;
    }
    Ok(RecordingSummary {
        ticks,
        file_bytes: writer.file_bytes(),
    })
}
