//! The `diff` and `lock` commands, as functions that return what to print
//! and the exit status (the binary only parses arguments and prints).
//!
//! Exit status of both: 2 when an input (spec, overlay, lock file) cannot
//! be read or a lock file is malformed, 1 when a spec has errors after its
//! overlays; otherwise `diff` exits 0 whatever the changes (the report says
//! how breaking they are), and `lock --check` exits 1 when the lock is stale.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::Severity;
use crate::ir::Api;
use crate::names_lock::NameLock;
use crate::ops;

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
    fn fail(status: u8, stderr: String) -> Outcome {
        Outcome { stdout: String::new(), stderr, status }
    }
}

/// Analyzes `spec` with `overlays`; on errors, the exit status and the rendered diagnostics.
pub fn load_doc(spec: &Path, overlays: &[PathBuf]) -> Result<Value, (u8, String)> {
    let a = crate::analyze(spec, overlays);
    if a.unreadable || a.has_errors() || a.doc.is_none() {
        let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        let text = crate::diag::render_text(&errors, false);
        let status = if a.unreadable { 2 } else { 1 };
        return Err((status, format!("{text}error: {} cannot be used (after its overlays)\n", spec.display())));
    }
    Ok(a.doc.expect("checked above"))
}

/// Reads a lock file, or the exit status 2 and why not.
pub fn load_lock(path: &Path) -> Result<NameLock, (u8, String)> {
    NameLock::read(path).map_err(|e| (2, format!("error: {e}\n")))
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
        Err((status, msg)) => Outcome::fail(status, msg),
    }
}

fn try_diff(args: &DiffArgs) -> Result<Outcome, (u8, String)> {
    let side = |spec: &Path, own: &[PathBuf]| {
        let all: Vec<PathBuf> = args.overlays.iter().chain(own).cloned().collect();
        load_doc(spec, &all)
    };
    let old_doc = side(&args.old, &args.old_overlays)?;
    let new_doc = side(&args.new, &args.new_overlays)?;
    let lock = args.lock.as_deref().map(load_lock).transpose()?;
    let old_lock = match &args.old_lock {
        Some(p) => Some(load_lock(p)?),
        None => lock.clone(),
    };
    if let Some(v) = &args.crate_version {
        if super::parse_version(v).is_none() {
            return Err((2, format!("error: --crate-version `{v}` is not MAJOR.MINOR.PATCH\n")));
        }
    }
    let old_api = ops::lower_api_with_lock(&old_doc, old_lock.as_ref());
    let new_api = ops::lower_api_with_lock(&new_doc, lock.as_ref());
    let mut report = diff(&old_api, &new_api, Options { strict: args.strict });
    if let (Some(lock), Some(path)) = (&lock, &args.lock) {
        let natural: Api = ops::lower_api(&new_doc);
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

/// Arguments of `lock`.
#[derive(Debug, Clone, Default)]
pub struct LockArgs {
    /// The spec.
    pub spec: PathBuf,
    /// Overlays, in order.
    pub overlays: Vec<PathBuf>,
    /// The lock file to write (and, unless `fresh`, to honour).
    pub out: PathBuf,
    /// Ignore the existing lock: record the names the spec alone gives.
    pub fresh: bool,
    /// Write nothing; exit 1 when the lock file is not up to date.
    pub check: bool,
}

/// Runs `lock`.
pub fn run_lock(args: &LockArgs) -> Outcome {
    match try_lock(args) {
        Ok(o) => o,
        Err((status, msg)) => Outcome::fail(status, msg),
    }
}

fn try_lock(args: &LockArgs) -> Result<Outcome, (u8, String)> {
    let doc = load_doc(&args.spec, &args.overlays)?;
    let existing = if args.out.exists() { Some(load_lock(&args.out)?) } else { None };
    let honoured = if args.fresh { None } else { existing.as_ref() };
    let api = ops::lower_api_with_lock(&doc, honoured);
    let lock = NameLock::from_api(&api);
    let old = existing.unwrap_or_default();
    let added = lock.differences(&old);
    let removed = old.differences(&lock);
    let mut summary = String::new();
    for (what, id, name, there) in &added {
        match there {
            Some(before) => summary.push_str(&format!("  renamed {what} {id}: {before} -> {name}\n")),
            None => summary.push_str(&format!("  added {what} {id}: {name}\n")),
        }
    }
    for (what, id, name, there) in &removed {
        if there.is_none() {
            summary.push_str(&format!("  dropped {what} {id}: {name}\n"));
        }
    }
    let out = args.out.display();
    if args.check {
        if summary.is_empty() {
            return Ok(Outcome {
                stdout: format!("{out} is up to date ({} names)\n", lock.len()),
                ..Outcome::default()
            });
        }
        let stdout = format!("{out} is not up to date:\n{summary}to update it, run the same command without --check\n");
        return Ok(Outcome { stdout, stderr: String::new(), status: 1 });
    }
    crate::build::write_if_changed(&args.out, &lock.to_text())
        .map_err(|e| (2, format!("error: cannot write {out}: {e}\n")))?;
    let stderr = if summary.is_empty() {
        format!("{out} is up to date ({} names)\n", lock.len())
    } else {
        format!("wrote {out} ({} names):\n{summary}", lock.len())
    };
    Ok(Outcome { stdout: String::new(), stderr, status: 0 })
}
