#![allow(dead_code)]
//! Running the `walrec` binary in the background: spawn, watch, signal by PID, collect.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The longest any spawned process may run before the test gives up on it (a safety net, not
/// a measurement).
pub const SAFETY_NET: Duration = Duration::from_secs(60);

/// A spawned `walrec`, killed by its PID if the test ends before it does.
pub struct Walrec {
    child: Child,
}

/// What a finished process wrote and how it ended.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Walrec {
    /// Starts `walrec args…` with `env` (and OTEL_SDK_DISABLED unset), output piped.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Walrec {
        Self::spawn_command(Self::command(args), env)
    }

    /// Like [`spawn`](Self::spawn), without any inherited `OTEL_*` or `TRACE*` variable, so
    /// that only `env` configures the export and the trace context.
    pub fn spawn_isolated(args: &[&str], env: &[(&str, &str)]) -> Walrec {
        let mut command = Self::command(args);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("OTEL_") || name.starts_with("TRACE") {
                command.env_remove(name);
            }
        }
        Self::spawn_command(command, env)
    }

    fn command(args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_walrec"));
        command
            .args(args)
            .env_remove("OTEL_SDK_DISABLED")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn spawn_command(mut command: Command, env: &[(&str, &str)]) -> Walrec {
        for (name, value) in env {
            command.env(name, value);
        }
        Walrec {
            child: command.spawn().expect("the walrec binary starts"),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`INT`, `TERM`) to this process by its PID.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal} {} failed", self.pid());
    }

    /// Waits (polling, at most [`SAFETY_NET`]) until `ready` holds, panicking otherwise or if
    /// the process ended first.
    pub fn wait_until(&mut self, what: &str, mut ready: impl FnMut(u32) -> bool) {
        let started = Instant::now();
        while !ready(self.pid()) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("walrec ended ({status}) before {what}");
            }
            assert!(started.elapsed() < SAFETY_NET, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits for the process to end (at most [`SAFETY_NET`], then kills it by PID and fails)
    /// and collects its output.
    pub fn finish(self) -> Finished {
        self.finish_within(SAFETY_NET)
    }

    /// [`finish`](Self::finish) with `bound` in place of [`SAFETY_NET`].
    pub fn finish_within(mut self, bound: Duration) -> Finished {
        let started = Instant::now();
        let mut stdout = self.child.stdout.take().unwrap();
        let mut stderr = self.child.stderr.take().unwrap();
        let out_reader = std::thread::spawn(move || read_all(&mut stdout));
        let err_reader = std::thread::spawn(move || read_all(&mut stderr));
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > bound {
                let _ = self.child.kill();
                panic!("walrec did not end within {bound:?}");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Finished {
            status,
            stdout: out_reader.join().unwrap(),
            stderr: err_reader.join().unwrap(),
        }
    }
}

impl Drop for Walrec {
    fn drop(&mut self) {
        // Only this process, by its PID; a no-op once it has been waited for.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_all(stream: &mut impl Read) -> String {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether process `pid` has read at least `bytes` bytes (`rchar` in `/proc/<pid>/io`): with
/// `bytes` a segment's size, its replay has begun (segments are read into the reader's own
/// buffers, not mapped, so `/proc/<pid>/maps` does not show them).
pub fn has_read(pid: u32, bytes: u64) -> bool {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines()
        .find_map(|line| line.strip_prefix("rchar:"))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .is_some_and(|read| read >= bytes)
}

/// Runs the small `walrec demo` (3,000 events in 64 KiB segments) exporting to `endpoint`,
/// with `env` as its only other `OTEL_*` and `TRACE*` variables; panics unless it succeeded.
pub fn demo_to(endpoint: &str, env: &[(&str, &str)]) -> Finished {
    let mut vars = vec![("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)];
    vars.extend_from_slice(env);
    let args = ["demo", "--events", "3000", "--segment-bytes", "65536"];
    let finished = Walrec::spawn_isolated(&args, &vars).finish();
    assert!(
        finished.status.success(),
        "demo failed: {}",
        finished.stderr
    );
    finished
}
