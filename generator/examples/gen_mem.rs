//! Peak memory (and wall time) of one generation run, for `scripts/bench.sh`.
//!
//! Each measurement needs a fresh process (the kernel's `VmHWM` only grows):
//!
//! ```text
//! cargo run --release -p openapi-clientgen --example gen_mem -- real
//! cargo run --release -p openapi-clientgen --example gen_mem -- write 10 target/bench-specs/x10.yml
//! cargo run --release -p openapi-clientgen --example gen_mem -- file target/bench-specs/x10.yml
//! ```
//!
//! `real` runs what `generate --out` runs, without writing the files
//! (`Config::crate_files_from`: spec + overlay from disk, then lower, emit
//! and format each module). `write N FILE` writes the overlaid spec scaled ×N
//! (see `benches/support/scale.rs`); `file FILE` then runs the pipeline on
//! it (no overlay: it is already applied). Prints one `key=value` line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use openapi_clientgen::crate_gen::CrateOptions;

#[path = "../benches/support/scale.rs"]
mod scale;

/// A `kB` field of `/proc/self/status` (`VmHWM` = peak resident set size).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(label: &str, spec: &Path, overlays: &[PathBuf]) -> ExitCode {
    let rss_start = status_kib("VmRSS:");
    let start = Instant::now();
    let config = openapi_clientgen::Config::new().overlays(overlays);
    let analysis = config.analyze(spec);
    let analyzed = start.elapsed();
    if analysis.has_errors() || analysis.unreadable {
        eprint!("{}", openapi_clientgen::diag::render_text(&analysis.diagnostics, false));
        return ExitCode::FAILURE;
    }
    let Some(doc) = analysis.doc.as_ref() else { return ExitCode::FAILURE };
    let paths = doc.get("paths").and_then(|p| p.as_object());
    let operations = paths.into_iter().flat_map(|p| p.values()).filter_map(|item| item.as_object()).map(|item| {
        ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
            .iter()
            .filter(|m| item.contains_key(**m))
            .count()
    });
    let (operations, paths) = (operations.sum::<usize>(), paths.map_or(0, |p| p.len()));
    let schemas = doc.pointer("/components/schemas").and_then(|s| s.as_object()).map_or(0, |s| s.len());
    let opts = CrateOptions::new("gen-mem", "0.1.0", spec, overlays);
    let files = match config.crate_files_from(&analysis, &spec.display().to_string(), &opts) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let total = start.elapsed();
    let code_bytes: usize =
        ["src/types.rs", "src/api.rs"].iter().filter_map(|f| files.get(*f)).map(|text| text.len()).sum();
    let show = |v: Option<u64>| v.map_or_else(|| "unknown".to_owned(), |v| v.to_string());
    println!(
        "input={label} paths={} schemas={} operations={} code_bytes={} analyze_ms={} total_ms={} rss_start_kib={} peak_rss_kib={}",
        paths,
        schemas,
        operations,
        code_bytes,
        analyzed.as_millis(),
        total.as_millis(),
        show(rss_start),
        show(status_kib("VmHWM:")),
    );
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["real"] => run("real", &scale::spec_path(), &[scale::overlay_path()]),
        ["write", n, file] => {
            let Ok(n) = n.parse::<usize>() else {
                eprintln!("not a scale: {n}");
                return ExitCode::from(2);
            };
            let file = Path::new(file);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir).expect("create the output directory");
            }
            std::fs::write(file, scale::scaled_yaml(n)).expect("write the scaled spec");
            ExitCode::SUCCESS
        }
        ["file", file] => run(file, Path::new(file), &[]),
        _ => {
            eprintln!("usage: gen_mem real | gen_mem write N FILE | gen_mem file FILE");
            ExitCode::from(2)
        }
    }
}
