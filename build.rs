//! Generates the typed client from `spec/` at build time.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let spec = PathBuf::from("spec/losant-instance-api-openapi.yml");
    let overlays = [PathBuf::from("spec/overlay.yml")];
    if let Err(report) = openapi_clientgen::build::generate_into_out_dir(&spec, &overlays, "losant_client.rs") {
        eprintln!("{report}");
        std::process::exit(1);
    }
}
