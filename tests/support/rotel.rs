//! A real OpenTelemetry collector for end-to-end tests: [rotel](https://github.com/streamfold/rotel),
//! installed from PyPI by `scripts/install-rotel.sh` into `.tools/rotel`.
//!
//! [`Rotel`] starts `rotel-agent start --daemon` on free loopback ports with a log file and a
//! pid file in its own temporary directory, waits until both OTLP receivers accept connections,
//! and stops the daemon by its PID on drop (SIGTERM, then SIGKILL after a bound). The default
//! instance drops what it receives (`--exporter blackhole`) after logging it at detailed
//! verbosity; `rotel_log::parse_metrics` reads that log back.
//!

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::rotel_log::strip_ansi;

/// The environment variable that names the `rotel-agent` binary (set by `scripts/test.sh`).
pub const BINARY_ENV: &str = "WALREC_ROTEL_AGENT";

/// What `scripts/install-rotel.sh` installs, relative to the crate root: a wrapper that puts
/// the binary's libpython on the loader's path and execs `.tools/rotel/rotel/rotel-agent`.
pub const INSTALLED_BINARY: &str = ".tools/rotel/rotel-agent";

/// How long a start may take before it counts as failed.
const START_BOUND: Duration = Duration::from_secs(15);
/// How long a stopping rotel gets after SIGTERM before SIGKILL.
const TERM_BOUND: Duration = Duration::from_secs(5);
/// How long to wait for the process to disappear after SIGKILL.
const KILL_BOUND: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(25);
/// Start attempts, each on fresh ports (a port picked as free can be taken meanwhile).
const START_ATTEMPTS: usize = 3;

/// The `rotel-agent` binary: `$WALREC_ROTEL_AGENT`, else `.tools/rotel/…` in the crate.
/// The error says how to install it.
pub fn binary() -> Result<PathBuf, String> {
    let path = match std::env::var_os(BINARY_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(INSTALLED_BINARY),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "the rotel collector is not installed (looked for {}); run `bash scripts/install-rotel.sh` \
             (scripts/test.sh does it) or set {BINARY_ENV} to a rotel-agent binary",
            path.display()
        ))
    }
}

/// The binary, or a panic that says how to install it: the end-to-end tests must not pass
/// silently without a collector.
pub fn require_binary() -> PathBuf {
    binary().unwrap_or_else(|message| panic!("{message}"))
}

/// Where a started rotel sends what it receives.
#[derive(Debug, Clone)]
pub enum Exporter {
    /// Log and drop (`--exporter blackhole`).
    Blackhole,
    /// Forward over OTLP/gRPC to this endpoint (`--exporter otlp --otlp-exporter-endpoint`).
    Otlp(String),
    /// Exporters configured by these `ROTEL_*` variables (as an env file does; rotel's named
    /// exporters have no flags). The receivers stay on the free loopback ports chosen here.
    Env(Vec<(String, String)>),
}

/// A running rotel daemon, stopped by its PID when dropped.
pub struct Rotel {
    dir: tempfile::TempDir,
    log_path: PathBuf,
    pid: u32,
    grpc: SocketAddr,
    http: SocketAddr,
}

impl Rotel {
    /// A collector that logs every metric it receives in detail and drops it.
    pub fn start() -> Rotel {
        Rotel::start_with(Exporter::Blackhole)
    }

    /// A gateway (blackhole) and an agent that forwards to the gateway over OTLP/gRPC:
    /// `(agent, gateway)`.
    pub fn start_chain() -> (Rotel, Rotel) {
        let gateway = Rotel::start();
        let agent = Rotel::start_with(Exporter::Otlp(gateway.grpc_endpoint()));
        (agent, gateway)
    }

    /// A collector with this exporter. Panics (after cleaning up) if it does not come up.
    pub fn start_with(exporter: Exporter) -> Rotel {
        let binary = require_binary();
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Rotel::try_start(&binary, &exporter) {
                Ok(rotel) => return rotel,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "rotel did not start in {START_ATTEMPTS} attempts:\n{}",
            failures.join("\n---\n")
        );
    }

    fn try_start(binary: &Path, exporter: &Exporter) -> Result<Rotel, String> {
        let dir = tempfile::Builder::new()
            .prefix("walrec-rotel-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let log_path = dir.path().join("rotel.log");
        let pid_path = dir.path().join("rotel.pid");
        let (grpc, http) = free_ports()?;

        let mut command = Command::new(binary);
        // rotel reads every option from ROTEL_* too; only the flags below may count.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ROTEL_") {
                command.env_remove(name);
            }
        }
        command
            .arg("start")
            .arg("--daemon")
            .arg("--log-file")
            .arg(&log_path)
            .arg("--pid-file")
            .arg(&pid_path)
            .arg("--otlp-grpc-endpoint")
            .arg(grpc.to_string())
            .arg("--otlp-http-endpoint")
            .arg(http.to_string())
            .args(["--debug-log", "metrics", "--debug-log", "traces"])
            .args(["--debug-log-verbosity", "detailed"]);
        match exporter {
            Exporter::Blackhole => {
                command.args(["--exporter", "blackhole"]);
            }
            Exporter::Otlp(endpoint) => {
                command
                    .args(["--exporter", "otlp", "--otlp-exporter-endpoint", endpoint])
                    .args(["--otlp-exporter-protocol", "grpc"])
                    // Quick retries, so a test's data is not held back by a slow first try.
                    .args(["--otlp-exporter-retry-initial-backoff", "100ms"])
                    .args(["--otlp-exporter-retry-max-backoff", "500ms"]);
            }
            Exporter::Env(variables) => {
                command.envs(variables.iter().map(|(k, v)| (k, v)));
            }
        }
        // The launcher forks the daemon and exits; its output goes to files, not pipes, so
        // nothing waits on a descriptor the daemon might keep.
        let launcher_out = dir.path().join("launcher.out");
        let out = fs::File::create(&launcher_out).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let mut launcher = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;

        let deadline = Instant::now() + START_BOUND;
        let status = loop {
            match launcher.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => sleep(POLL),
                _ => {
                    let _ = launcher.kill();
                    let _ = launcher.wait();
                    return Err(format!(
                        "rotel's launcher did not exit within {START_BOUND:?}"
                    ));
                }
            }
        };
        let launcher_output = fs::read_to_string(&launcher_out).unwrap_or_default();
        if !status.success() {
            // A daemon may still have been forked: stop it if its pid file says so.
            if let Some(pid) = read_pid(&pid_path) {
                stop_pid(pid);
            }
            return Err(format!(
                "`rotel-agent start` failed ({status}): {launcher_output}"
            ));
        }

        // The pid file, then both receivers.
        let pid = loop {
            if let Some(pid) = read_pid(&pid_path) {
                break pid;
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "rotel wrote no pid file within {START_BOUND:?}; launcher said: {launcher_output}; log:\n{}",
                    read_log(&log_path)
                ));
            }
            sleep(POLL);
        };
        let rotel = Rotel {
            dir,
            log_path,
            pid,
            grpc,
            http,
        };
        loop {
            if !alive(pid) {
                return Err(format!(
                    "rotel exited while starting; log:\n{}",
                    rotel.log()
                ));
            }
            if accepts(grpc) && accepts(http) {
                return Ok(rotel);
            }
            if Instant::now() >= deadline {
                // Dropping `rotel` stops the daemon.
                return Err(format!(
                    "rotel's receivers did not accept connections within {START_BOUND:?}; log:\n{}",
                    rotel.log()
                ));
            }
            sleep(POLL);
        }
    }

    /// The OTLP/gRPC receiver, e.g. `http://127.0.0.1:40123`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://{}", self.grpc)
    }

    /// The OTLP/HTTP metrics receiver, e.g. `http://127.0.0.1:40124/v1/metrics`.
    pub fn http_endpoint(&self) -> String {
        format!("http://{}/v1/metrics", self.http)
    }

    /// The OTLP/HTTP receiver's base URL (what `OTEL_EXPORTER_OTLP_ENDPOINT` takes for
    /// http/protobuf; the SDK appends `/v1/metrics`).
    pub fn http_base_endpoint(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The daemon's PID.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The directory holding the log and pid files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The log so far, without ANSI colour codes.
    pub fn log(&self) -> String {
        read_log(&self.log_path)
    }

    /// Polls the log until `done` holds for it, at most `timeout`. Returns the log that
    /// satisfied it, or an error carrying the last log read.
    pub fn wait_for_log(
        &self,
        done: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            if done(&log) {
                return Ok(log);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "rotel (pid {}) did not log what was expected within {timeout:?}; its log:\n{log}",
                    self.pid
                ));
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// Stops the daemon now (what dropping does).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Rotel {
    fn drop(&mut self) {
        stop_pid(self.pid);
    }
}

/// Two free loopback ports: bound together (so they differ), then released for rotel.
fn free_ports() -> Result<(SocketAddr, SocketAddr), String> {
    let bind = || {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("cannot bind a loopback port: {e}"))
    };
    let first = bind()?;
    let second = bind()?;
    let addresses = (
        first.local_addr().map_err(|e| e.to_string())?,
        second.local_addr().map_err(|e| e.to_string())?,
    );
    Ok(addresses)
}

fn accepts(address: SocketAddr) -> bool {
    TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
}

fn read_pid(path: &Path) -> Option<u32> {
    fs::read_to_string(path)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&pid| pid > 1)
}

fn read_log(path: &Path) -> String {
    strip_ansi(&String::from_utf8_lossy(
        &fs::read(path).unwrap_or_default(),
    ))
}

/// Whether `pid` is a live process (a zombie counts as gone: it only waits to be reaped).
fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// Sends `signal` with the shell's `kill` builtin (no extra crate needed).
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("sh")
        .args([
            "-c",
            "kill -s \"$0\" \"$1\" 2>/dev/null",
            signal,
            &pid.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn wait_gone(pid: u32, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    loop {
        if !alive(pid) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(POLL);
    }
}

/// SIGTERM, then SIGKILL if it is still there after [`TERM_BOUND`].
fn stop_pid(pid: u32) {
    if !alive(pid) {
        return;
    }
    signal(pid, "TERM");
    if wait_gone(pid, TERM_BOUND) {
        return;
    }
    signal(pid, "KILL");
    if !wait_gone(pid, KILL_BOUND) {
        eprintln!("warning: rotel (pid {pid}) still running after SIGKILL");
    }
}
