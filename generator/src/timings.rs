//! Wall time of each phase of a `generate` run, printed as one line on
//! stderr before its report when [`TIMINGS_VAR`] is set; nothing is measured
//! otherwise (`generate --check` and the other subcommands print nothing
//! either way).
//! `scripts/bench-ab.py --phases` sets the variable and reads the lines.
//!
//! The line starts with the moment `main` began (nanoseconds since the Unix
//! epoch), so that a harness that noted when it started the process can tell
//! how long loading the program took, then each phase as `NAME_us=µs`, then
//! `main_us`, the whole of `main` so far. This file is also compiled into
//! the progenitor baseline (`benches/progenitor-baseline`), so both sides
//! report in the same format.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The environment variable that turns the timings on.
pub const TIMINGS_VAR: &str = "OPENAPI_CLIENTGEN_TIMINGS";

/// The phases timed so far (see the module docs).
pub struct Timings {
    /// When `main` began, on the same monotonic clock as the phases, so
    /// that they always add up to at most `main_us`.
    began: Instant,
    last: Instant,
    line: String,
}

impl Timings {
    /// Starts timing if [`TIMINGS_VAR`] is set.
    pub fn start() -> Option<Timings> {
        std::env::var_os(TIMINGS_VAR)?;
        let began = Instant::now();
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let line = format!("timings: main_unix_ns={}", since_epoch.as_nanos());
        Some(Timings { began, last: began, line })
    }

    /// Ends the phase `name` (the time since the previous mark).
    pub fn mark(timings: &mut Option<Timings>, name: &str) {
        if let Some(t) = timings {
            let now = Instant::now();
            t.line.push_str(&format!(" {name}_us={}", now.duration_since(t.last).as_micros()));
            t.last = now;
        }
    }

    /// Prints the line.
    pub fn report(timings: Option<Timings>) {
        if let Some(t) = timings {
            let total = t.began.elapsed().as_micros();
            eprintln!("{} main_us={total}", t.line);
        }
    }
}
