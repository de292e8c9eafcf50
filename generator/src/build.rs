//! Build-script integration: the `cargo:` directives [`crate::Config::write_to`]
//! prints, and writing output only when it changed.

use std::io::Write;
use std::path::Path;

use crate::diag::{Diagnostic, Severity};
use crate::{Analysis, Error};

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

fn io(e: std::io::Error) -> Error {
    Error::Io { path: "cargo directives".into(), source: e }
}

/// `cargo:rerun-if-changed` for every input file, and for the name lock when
/// it exists (else for its directory, so creating it reruns the build).
pub(crate) fn directives(cargo: &mut dyn Write, inputs: &[&Path], lock: Option<&Path>) -> Result<(), Error> {
    for p in inputs {
        writeln!(cargo, "cargo:rerun-if-changed={}", p.display()).map_err(io)?;
    }
    match lock {
        Some(p) if p.exists() => writeln!(cargo, "cargo:rerun-if-changed={}", p.display()).map_err(io)?,
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                writeln!(cargo, "cargo:rerun-if-changed={}", dir.display()).map_err(io)?;
            }
        }
        None => {}
    }
    Ok(())
}

/// Every warning as a `cargo:warning`; on errors, every error too.
pub(crate) fn report(cargo: &mut dyn Write, analysis: &Analysis) -> Result<(), Error> {
    for d in analysis.diagnostics.iter().filter(|d| d.severity == Severity::Warning) {
        writeln!(cargo, "cargo:warning={}", one_line(d, "")).map_err(io)?;
    }
    if analysis.has_errors() || analysis.unreadable {
        for d in analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            writeln!(cargo, "cargo:warning={}", one_line(d, "error: ")).map_err(io)?;
        }
    }
    Ok(())
}

/// A diagnostic as one `cargo:warning` line (Cargo reads directives line by
/// line, so a message spanning lines would lose its tail).
fn one_line(d: &Diagnostic, prefix: &str) -> String {
    let text =
        format!("{prefix}{}:{}:{}: {} [{}] at #{}", d.file, d.line, d.column, d.message, d.code.as_str(), d.pointer);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
