//! The real backends scripts/build-backends.sh builds from their Go modules (the OpenTelemetry
//! Collector, Prometheus 3 and promtool 3, Jaeger v2): where they are, free loopback ports for
//! them, and a started program that is stopped by its PID when the test ends.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the test command says the built backends are (scripts/test.sh).
const BIN_ENV: &str = "WALREC_BACKENDS_BIN";
/// Set by scripts/test.sh when there is no Go toolchain outside CI: the backend tests then say
/// loudly that they did not run (the script says so too), instead of failing.
const SKIP_ENV: &str = "WALREC_BACKENDS_SKIP";
/// What scripts/build-backends.sh builds into, relative to the crate root.
const BIN_DEFAULT: &str = ".tools/backends/bin";
/// How long a backend may take to start answering (a safety net, not a measurement).
pub const START_BOUND: Duration = Duration::from_secs(60);

/// Whether the backend tests can run. `false` (with a loud message) only when scripts/test.sh
/// found no Go outside CI; otherwise a missing program is a failure naming how to build it.
pub fn available(test: &str) -> bool {
    if std::env::var_os(SKIP_ENV).is_some() {
        eprintln!("*** {test}: NOT RUN — no Go toolchain to build the real backends ({SKIP_ENV})");
        return false;
    }
    for program in ["otelcol", "prometheus", "promtool", "jaeger"] {
        let path = bin(program);
        assert!(
            path.is_file(),
            "{} is missing: run `bash scripts/build-backends.sh` (or scripts/test.sh, which does)",
            path.display()
        );
    }
    true
}

/// The path of the built `program`.
pub fn bin(program: &str) -> PathBuf {
    let dir = std::env::var_os(BIN_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(BIN_DEFAULT));
    dir.join(program)
}

/// A loopback port nothing listens on now (the OS's choice; released before it is used).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral loopback port");
    listener.local_addr().expect("its address").port()
}

/// `127.0.0.1:<a free port>`.
pub fn free_address() -> String {
    format!("127.0.0.1:{}", free_port())
}

/// A started backend, its output in a log file; killed by its PID when dropped.
pub struct Program {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Program {
    /// Starts `bin(program) args…` with `env` added, its stdout and stderr into
    /// `<log_dir>/<name>.log`.
    pub fn start(
        name: &str,
        program: &str,
        args: &[String],
        env: &[(&str, String)],
        log_dir: &Path,
    ) -> Program {
        let log = log_dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("create the backend's log file");
        let err = out.try_clone().expect("clone the log file handle");
        let mut command = Command::new(bin(program));
        command
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin(program).display()));
        Program {
            name: name.to_owned(),
            child,
            log,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the program has written so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `ready` (at most [`START_BOUND`]) until it holds; panics with the log if the
    /// program ends first or never gets there.
    pub fn wait_until(&mut self, what: &str, mut ready: impl FnMut() -> bool) {
        let started = Instant::now();
        while !ready() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} ended ({status}) before {what}:\n{}",
                    self.name,
                    self.log()
                );
            }
            assert!(
                started.elapsed() < START_BOUND,
                "{}: gave up waiting for {what}:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `url` answers 200.
    pub fn wait_http_ok(&mut self, url: &str) {
        self.wait_until(&format!("{url} answers"), || http_get(url).is_ok());
    }

    /// Kills the program by its PID (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }

    /// Asks the program to stop (SIGTERM, by its PID) and waits at most `bound` for it.
    pub fn terminate(&mut self, bound: Duration) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let started = Instant::now();
        while started.elapsed() < bound {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        self.kill();
    }
}

/// GET `url`: the body of a 2xx answer, else what went wrong.
pub fn http_get(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())
}

/// GET `url` and parse the answer as JSON.
pub fn get_json(url: &str) -> Result<serde_json::Value, String> {
    let body = http_get(url)?;
    serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON ({e}): {body}"))
}

/// `text` percent-encoded for a URL query value.
pub fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
