//! The `diff` command, as a function that returns what to print and the
//! exit status (the binary only parses arguments and prints).
//!
//! Exit status: 2 when an input (spec, overlay, lock file) cannot be read or
//! a lock file is malformed, 1 when a spec has errors after its overlays;
//! otherwise 0 whatever the changes (the report says how breaking they are).

use std::path::{Path, PathBuf};

use crate::ir::Api;
use crate::names_lock::NameLock;
use crate::{Analysis, Config, Error};

use super::{diff, held_names, lock_status, render, Options};

/// What a command prints and its exit status.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub status: u8,
}

impl Outcome {
    /// What the CLI prints for `e`, with its exit status.
    pub fn fail(e: &Error) -> Outcome {
        let text = e.to_string();
        let stderr = if matches!(e, Error::Spec { .. }) { format!("{text}\n") } else { format!("error: {text}\n") };
        Outcome { stdout: String::new(), stderr, status: e.exit_status() }
    }
}

/// Analyzes `spec` with `overlays`: the analysis, or the error when it has errors.
fn load_doc(spec: &Path, overlays: &[PathBuf]) -> Result<Analysis, Error> {
    let a = Config::new().overlays(overlays.iter().cloned()).analyze(spec);
    if a.unreadable || a.has_errors() {
        return Err(Error::Spec {
            spec: spec.display().to_string(),
            diagnostics: a.diagnostics,
            unreadable: a.unreadable,
        });
    }
    Ok(a)
}

/// Lowers an analysis without errors, keeping the names of `lock`.
fn lower(a: &Analysis, lock: Option<&NameLock>) -> Result<Api, Error> {
    lock.map_or_else(Config::new, |l| Config::new().names(l.clone())).lower_from(a, "spec")
}

/// Arguments of `diff`.
#[derive(Debug, Clone, Default)]
pub struct DiffArgs {
    /// The old spec.
    pub old: PathBuf,
    /// The new spec.
    pub new: PathBuf,
    /// Overlays applied to both specs, in order.
    pub overlays: Vec<PathBuf>,
    /// Overlays applied to the old spec only, after `overlays`.
    pub old_overlays: Vec<PathBuf>,
    /// Overlays applied to the new spec only, after `overlays`.
    pub new_overlays: Vec<PathBuf>,
    /// The name lock the new side is generated with (and the old side, unless `old_lock`).
    pub lock: Option<PathBuf>,
    /// The name lock the old side was generated with.
    pub old_lock: Option<PathBuf>,
    /// `markdown` or `json`.
    pub json: bool,
    /// The generated crate's current version, to name the next one.
    pub crate_version: Option<String>,
    /// cargo-semver-checks' view of new struct fields.
    pub strict: bool,
}

/// Runs `diff`.
pub fn run_diff(args: &DiffArgs) -> Outcome {
    match try_diff(args) {
        Ok(o) => o,
        Err(e) => Outcome::fail(&e),
    }
}

fn try_diff(args: &DiffArgs) -> Result<Outcome, Error> {
    let side = |spec: &Path, own: &[PathBuf]| {
        let all: Vec<PathBuf> = args.overlays.iter().chain(own).cloned().collect();
        load_doc(spec, &all)
    };
    let old_doc = side(&args.old, &args.old_overlays)?;
    let new_doc = side(&args.new, &args.new_overlays)?;
    let lock = args.lock.as_deref().map(NameLock::read).transpose()?;
    let old_lock = match &args.old_lock {
        Some(p) => Some(NameLock::read(p)?),
        None => lock.clone(),
    };
    if let Some(v) = &args.crate_version {
        if super::parse_version(v).is_none() {
            return Err(Error::Invalid(format!("--crate-version `{v}` is not MAJOR.MINOR.PATCH")));
        }
    }
    let old_api = lower(&old_doc, old_lock.as_ref())?;
    let new_api = lower(&new_doc, lock.as_ref())?;
    let mut report = diff(&old_api, &new_api, Options { strict: args.strict });
    if let (Some(lock), Some(path)) = (&lock, &args.lock) {
        let natural: Api = lower(&new_doc, None)?;
        report.held = held_names(&natural, &new_api, lock);
        report.lock = Some(lock_status(&path.display().to_string(), lock, &new_api));
    }
    let cv = args.crate_version.as_deref();
    let stdout = if args.json {
        let mut s = serde_json::to_string_pretty(&render::json(&report, cv)).expect("JSON values serialize");
        s.push('\n');
        s
    } else {
        render::markdown(&report, cv)
    };
    Ok(Outcome { stdout, stderr: String::new(), status: 0 })
}
