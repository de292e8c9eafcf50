//! Build-script integration: run the pipeline from `build.rs`, talk to Cargo,
//! write the output only when it changed.

use std::path::{Path, PathBuf};

use crate::diag::Severity;

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
    println!("cargo:rerun-if-changed={}", spec.display());
    for o in overlays {
        println!("cargo:rerun-if-changed={}", o.display());
    }
    let analysis = crate::analyze(spec, overlays);
    for d in &analysis.diagnostics {
        if d.severity == Severity::Warning {
            println!(
                "cargo:warning={}:{}:{}: {} [{}] at #{}",
                d.file,
                d.line,
                d.column,
                d.message,
                d.code.as_str(),
                d.pointer
            );
        }
    }
    if analysis.has_errors() || analysis.unreadable {
        let text = crate::diag::render_text(&analysis.diagnostics, false);
        for d in analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            println!("cargo:warning=error: {}:{}:{}: {} [{}]", d.file, d.line, d.column, d.message, d.code.as_str());
        }
        return Err(text);
    }
    let doc = analysis.doc.ok_or("the spec could not be loaded")?;
    let generated = crate::generate::generate(&doc).map_err(|e| e.to_string())?;
    let out_dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set: call this from a build script")?;
    let out = Path::new(&out_dir).join(file_name);
    write_if_changed(&out, &generated.code).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(out)
}
