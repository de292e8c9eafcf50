//! `progenitor-baseline SPEC OUT_DIR`: progenitor's whole job on one spec,
//! writing a standalone crate the way `cargo progenitor` lays one out
//! (`OUT_DIR/Cargo.toml` and `OUT_DIR/src/lib.rs`, creating both
//! directories; the client's runtime is the `progenitor-client` dependency,
//! as in its release builds) and formatting with prettyplease as its
//! README's `build.rs` recipe does (`cargo progenitor` runs rustfmt as
//! another process instead, which would cost it far more). So it reads,
//! generates, formats and writes a crate, as `openapi-clientgen generate
//! --out` does.
//! Exit code 0 on success, 2 when progenitor refuses or panics on the spec
//! (the benchmark then reports the spec as "not taken").

use std::path::Path;
use std::process::ExitCode;

// Phase timings in the format and under the environment variable of
// `openapi-clientgen generate`, for `bench-ab.py --phases`: the same file.
#[path = "../../../generator/src/timings.rs"]
mod timings;
use timings::Timings;

fn main() -> ExitCode {
    let mut timings = Timings::start();
    let args: Vec<String> = std::env::args().collect();
    let [_, spec, out] = args.as_slice() else {
        eprintln!("usage: progenitor-baseline SPEC OUT_DIR");
        return ExitCode::from(2);
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(spec, Path::new(out), &mut timings)));
    Timings::report(timings);
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("progenitor refuses {spec}: {e}");
            ExitCode::from(2)
        }
        Err(_) => {
            eprintln!("progenitor panicked on {spec}");
            ExitCode::from(2)
        }
    }
}

fn run(spec: &str, out: &Path, timings: &mut Option<Timings>) -> Result<(), String> {
    Timings::mark(timings, "args");
    let text = std::fs::read_to_string(spec).map_err(|e| e.to_string())?;
    let doc: openapiv3::OpenAPI = if spec.ends_with(".json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())?
    } else {
        serde_yaml::from_str(&text).map_err(|e| e.to_string())?
    };
    Timings::mark(timings, "analyze");
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&doc).map_err(|e| e.to_string())?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    let code = prettyplease::unparse(&file);
    Timings::mark(timings, "generate");
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let manifest = out.join("Cargo.toml");
    std::fs::write(&manifest, cargo_toml(&generator)).map_err(|e| io(&manifest, e))?;
    let src = out.join("src");
    std::fs::create_dir_all(&src).map_err(|e| io(&src, e))?;
    let lib = src.join("lib.rs");
    let written = std::fs::write(&lib, code).map_err(|e| io(&lib, e));
    Timings::mark(timings, "write");
    written
}

/// A manifest with the dependencies the generated code needs, by what the
/// generator reports it uses.
fn cargo_toml(generator: &progenitor::Generator) -> String {
    let types = generator.get_type_space();
    let mut deps = vec![
        r#"bytes = "1""#,
        r#"futures-core = "0.3""#,
        r#"progenitor-client = "0.15""#,
        r#"reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream"] }"#,
        r#"serde = { version = "1", features = ["derive"] }"#,
        r#"serde_urlencoded = "0.7""#,
    ];
    if types.uses_regress() {
        deps.push(r#"regress = "0.10""#);
    }
    if types.uses_uuid() {
        deps.push(r#"uuid = { version = "1", features = ["serde", "v4"] }"#);
    }
    if types.uses_chrono() {
        deps.push(r#"chrono = { version = "0.4", default-features = false, features = ["serde"] }"#);
    }
    if generator.uses_futures() {
        deps.push(r#"futures = "0.3""#);
    }
    if types.uses_serde_json() {
        deps.push(r#"serde_json = "1""#);
    }
    deps.sort_unstable();
    format!(
        "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{}\n",
        deps.join("\n")
    )
}
