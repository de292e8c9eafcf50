//! Build-script integration: run the pipeline from `build.rs`, talk to Cargo,
//! write the output only when it changed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Severity};

/// Writes `content` to `path` unless the file already holds exactly that.
/// Returns whether it wrote.
pub fn write_if_changed(path: &Path, content: &str) -> std::io::Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, content)?;
    Ok(true)
}

/// For `build.rs`: generates the client for `spec` + `overlays` into
/// `$OUT_DIR/<file_name>`, printing `cargo:rerun-if-changed` for every input
/// and `cargo:warning` for every warning. On errors, prints them all and
/// returns `Err` with the rendered report (the build script should fail).
pub fn generate_into_out_dir(spec: &Path, overlays: &[PathBuf], file_name: &str) -> Result<PathBuf, String> {
    let out_dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set: call this from a build script")?;
    let out = Path::new(&out_dir).join(file_name);
    let stdout = std::io::stdout();
    generate_to(spec, overlays, &out, &mut stdout.lock())?;
    Ok(out)
}

/// Like [`generate_into_out_dir`], keeping the public names recorded in the
/// name lock at `lock` (see [`crate::names_lock`]) when that file exists. A
/// lock file that cannot be read or parsed fails the build.
pub fn generate_into_out_dir_with_lock(
    spec: &Path,
    overlays: &[PathBuf],
    lock: &Path,
    file_name: &str,
) -> Result<PathBuf, String> {
    let out_dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set: call this from a build script")?;
    let out = Path::new(&out_dir).join(file_name);
    let stdout = std::io::stdout();
    generate_to_with_lock(spec, overlays, Some(lock), &out, &mut stdout.lock())?;
    Ok(out)
}

/// What [`generate_into_out_dir`] does, with the output file and the stream
/// that receives the `cargo:` directives given explicitly (for tests and
/// other build tools). Returns whether `out` was (re)written: an unchanged
/// client leaves the file, and its modification time, alone.
pub fn generate_to(spec: &Path, overlays: &[PathBuf], out: &Path, cargo: &mut dyn Write) -> Result<bool, String> {
    generate_to_with_lock(spec, overlays, None, out, cargo)
}

/// [`generate_to`] with an optional name lock file, used when it exists
/// (Cargo is told to watch it, or its directory until it exists).
pub fn generate_to_with_lock(
    spec: &Path,
    overlays: &[PathBuf],
    lock: Option<&Path>,
    out: &Path,
    cargo: &mut dyn Write,
) -> Result<bool, String> {
    let io = |e: std::io::Error| format!("cannot write cargo directives: {e}");
    writeln!(cargo, "cargo:rerun-if-changed={}", spec.display()).map_err(io)?;
    for o in overlays {
        writeln!(cargo, "cargo:rerun-if-changed={}", o.display()).map_err(io)?;
    }
    let lock = match lock {
        Some(p) if p.exists() => {
            writeln!(cargo, "cargo:rerun-if-changed={}", p.display()).map_err(io)?;
            Some(crate::names_lock::NameLock::read(p)?)
        }
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                writeln!(cargo, "cargo:rerun-if-changed={}", dir.display()).map_err(io)?;
            }
            None
        }
        None => None,
    };
    let analysis = crate::analyze(spec, overlays);
    for d in analysis.diagnostics.iter().filter(|d| d.severity == Severity::Warning) {
        writeln!(cargo, "cargo:warning={}", one_line(d, "")).map_err(io)?;
    }
    if analysis.has_errors() || analysis.unreadable {
        for d in analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            writeln!(cargo, "cargo:warning={}", one_line(d, "error: ")).map_err(io)?;
        }
        return Err(crate::diag::render_text(&analysis.diagnostics, false));
    }
    let doc = analysis.doc.ok_or("the spec could not be loaded")?;
    let code = crate::generate::generate_code_with_lock(&doc, lock.as_ref()).map_err(|e| e.to_string())?;
    write_if_changed(out, &code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// A diagnostic as one `cargo:warning` line (Cargo reads directives line by
/// line, so a message spanning lines would lose its tail).
fn one_line(d: &Diagnostic, prefix: &str) -> String {
    let text =
        format!("{prefix}{}:{}:{}: {} [{}] at #{}", d.file, d.line, d.column, d.message, d.code.as_str(), d.pointer);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
