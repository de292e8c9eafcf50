//! `progenitor-baseline SPEC OUT_FILE`: progenitor's whole job on one spec,
//! as its README's build.rs recipe does it (read, generate, format, write).
//! Exit code 0 on success, 2 when progenitor refuses or panics on the spec
//! (the benchmark then reports the spec as "not taken").

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, spec, out] = args.as_slice() else {
        eprintln!("usage: progenitor-baseline SPEC OUT_FILE");
        return ExitCode::from(2);
    };
    match std::panic::catch_unwind(|| run(spec, out)) {
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

fn run(spec: &str, out: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(spec).map_err(|e| e.to_string())?;
    let doc: openapiv3::OpenAPI = if spec.ends_with(".json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())?
    } else {
        serde_yaml::from_str(&text).map_err(|e| e.to_string())?
    };
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&doc).map_err(|e| e.to_string())?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    std::fs::write(out, prettyplease::unparse(&file)).map_err(|e| e.to_string())
}
