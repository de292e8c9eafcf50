//! Helpers for driving the pinned Node tools (Prism, Redocly) from integration
//! tests.
//!
//! The tools are installed by `scripts/install-tools.sh` (which
//! `scripts/test.sh` runs). A missing tool makes the calling test panic: tests
//! fail, they never skip.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Absolute path of the Prism CLI (`PRISM_BIN`, else `tools/node_modules/.bin/prism`).
pub fn prism_bin() -> PathBuf {
    tool_bin("PRISM_BIN", "prism")
}

/// Absolute path of the Redocly CLI (`REDOCLY_BIN`, else `tools/node_modules/.bin/redocly`).
pub fn redocly_bin() -> PathBuf {
    tool_bin("REDOCLY_BIN", "redocly")
}

fn tool_bin(env_var: &str, name: &str) -> PathBuf {
    let (path, source) = match std::env::var_os(env_var).filter(|v| !v.is_empty()) {
        Some(p) => (PathBuf::from(p), format!("${env_var}")),
        None => {
            (super::root().join("tools/node_modules/.bin").join(name), format!("default location (${env_var} not set)"))
        }
    };
    if !path.is_file() {
        panic!("{name} not found at {} ({source}): run scripts/install-tools.sh first", path.display());
    }
    path
}

/// Redocly config: the `minimal` ruleset (every rule at most `warn` except
/// `struct`, `no-unresolved-refs` and a few server rules), with the rules that
/// check conformance to the OpenAPI specification itself promoted to `error`.
/// Style rules (summaries, licenses, 4xx responses, security, ...) stay
/// warnings and do not count.
const REDOCLY_CONFIG: &str = "\
extends:
  - minimal
telemetry: off
rules:
  struct: error
  no-unresolved-refs: error
  no-identical-paths: error
  path-declaration-must-exist: error
  path-not-include-query: error
  path-parameters-defined: error
  operation-operationId-unique: error
  operation-parameters-unique: error
  no-undefined-server-variable: error
  no-example-value-and-externalValue: error
  spec-components-invalid-map-name: error
  nullable-type-sibling: error
";

/// Runs `redocly lint <spec> --format=stylish` with [`REDOCLY_CONFIG`].
///
/// Returns `(true, output)` when Redocly reports zero errors (warnings are
/// allowed), `(false, output)` otherwise; `output` is stdout followed by
/// stderr.
pub fn redocly_lint(spec: &Path) -> (bool, String) {
    redocly_lint_with(spec, &[])
}

/// [`redocly_lint`] with more arguments (e.g. `--max-problems`, as Redocly
/// shows only the first 100 problems by default).
pub fn redocly_lint_with(spec: &Path, extra_args: &[&str]) -> (bool, String) {
    let bin = redocly_bin();
    let dir = tempfile::tempdir().expect("create temp dir for redocly config");
    let config = dir.path().join("redocly.yaml");
    fs::write(&config, REDOCLY_CONFIG).expect("write redocly config");

    let out = Command::new(&bin)
        .arg("lint")
        .arg(spec)
        .arg("--format=stylish")
        .arg("--config")
        .arg(&config)
        .args(extra_args)
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("failed to run {}: {e}", bin.display()));

    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    // `redocly lint` exits non-zero iff at least one problem has severity
    // `error` (or it could not run at all, which must not pass either).
    (out.status.success(), text)
}

/// A running `prism mock` server, killed (with its whole process group) on drop.
pub struct Prism {
    /// e.g. `http://127.0.0.1:40123`
    pub base_url: String,
    child: Child,
    log_path: PathBuf,
    _log_dir: tempfile::TempDir,
}

const PRISM_START_TIMEOUT: Duration = Duration::from_secs(60);
const PRISM_PORT_ATTEMPTS: usize = 5;

impl Prism {
    /// Starts `prism mock <spec> -h 127.0.0.1 -p <free port> --errors <extra_args>`
    /// and waits (up to 60 s) until it accepts connections. Panics with the
    /// Prism log if it exits early or does not come up in time.
    pub fn start(spec: &Path, extra_args: &[&str]) -> Prism {
        let bin = prism_bin();
        let spec = fs::canonicalize(spec).unwrap_or_else(|e| panic!("prism spec {}: {e}", spec.display()));
        // With a non-default verbosity Prism may not log its "listening" line.
        let quiet = extra_args.iter().any(|a| *a == "-v" || a.starts_with("--verboseLevel") || a.starts_with("-v="));
        let deadline = Instant::now() + PRISM_START_TIMEOUT;

        let mut attempt = 1;
        loop {
            let mut prism = Prism::spawn(&bin, &spec, extra_args);
            match prism.wait_ready(deadline, quiet) {
                Ok(()) => return prism,
                Err(Failure::PortInUse) if attempt < PRISM_PORT_ATTEMPTS => {
                    // Lost the race for the port we picked; try another one.
                    drop(prism);
                    attempt += 1;
                }
                Err(failure) => {
                    let why = match failure {
                        Failure::Exited(status) => format!("exited early ({status})"),
                        Failure::PortInUse => format!("could not bind a port in {attempt} attempts"),
                        Failure::Timeout => {
                            format!("did not listen on {} within {PRISM_START_TIMEOUT:?}", prism.base_url)
                        }
                    };
                    let log = prism.log();
                    drop(prism);
                    panic!("prism mock {} {why}\n--- prism log ---\n{log}--- end of prism log ---", spec.display());
                }
            }
        }
    }

    /// Everything Prism has written to stdout/stderr so far.
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let mut buf = Vec::new();
            let _ = f.read_to_end(&mut buf);
            s = String::from_utf8_lossy(&buf).into_owned();
        }
        s
    }

    fn spawn(bin: &Path, spec: &Path, extra_args: &[&str]) -> Prism {
        let port = free_port();
        let log_dir = tempfile::tempdir().expect("create temp dir for prism log");
        let log_path = log_dir.path().join("prism.log");
        let log = File::create(&log_path).expect("create prism log file");
        let log_err = log.try_clone().expect("clone prism log file handle");
        let child = Command::new(bin)
            .arg("mock")
            .arg(spec)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--errors"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("failed to spawn {}: {e}", bin.display()));
        Prism { base_url: format!("http://127.0.0.1:{port}"), child, log_path, _log_dir: log_dir }
    }

    fn wait_ready(&mut self, deadline: Instant, quiet: bool) -> Result<(), Failure> {
        let addr: SocketAddr = self.base_url.trim_start_matches("http://").parse().expect("base_url is ip:port");
        let listening_line = format!("Prism is listening on {}", self.base_url);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll prism process") {
                return Err(if self.log().contains("EADDRINUSE") {
                    Failure::PortInUse
                } else {
                    Failure::Exited(status)
                });
            }
            // A successful connect alone could hit some other process that
            // grabbed the port after we released it, so also require Prism's
            // own "listening" log line (unless its logging was turned down).
            let announced = quiet || self.log().contains(&listening_line);
            if announced && TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
                if quiet {
                    // Give a port-clash a moment to surface as an exit.
                    thread::sleep(Duration::from_millis(300));
                    if self.child.try_wait().expect("poll prism process").is_some() {
                        continue;
                    }
                }
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Failure::Timeout);
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

enum Failure {
    Exited(ExitStatus),
    PortInUse,
    Timeout,
}

impl Drop for Prism {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            // Already exited and reaped: its pid (= group id) may be reused.
            return;
        }
        let pid = self.child.id();
        kill_group(pid, "-TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(25));
        }
        kill_group(pid, "-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signals the process group `pgid`. The `--` matters: procps-ng `kill`
/// parses `kill -TERM -1234` as signalling process group 9 ("-9...").
fn kill_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A port that was free on 127.0.0.1 a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}
