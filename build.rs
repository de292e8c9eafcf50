//! Generates the typed client from `spec/` at build time.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let spec = PathBuf::from("spec/losant-instance-api-openapi.yml");
    let overlays = [PathBuf::from("spec/overlay.yml")];
    // spec/names.lock keeps the public Rust names stable (see openapi_clientgen::names_lock).
    let lock = PathBuf::from("spec/names.lock");
    let generated =
        openapi_clientgen::build::generate_into_out_dir_with_lock(&spec, &overlays, &lock, "losant_client.rs");
    if let Err(report) = generated {
        eprintln!("{report}");
        std::process::exit(1);
    }
}
