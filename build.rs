//! Generates the typed client from `spec/` at build time.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // spec/names.lock keeps the public Rust names stable (see openapi_clientgen::names_lock).
    let generated = openapi_clientgen::Config::new()
        .overlay("spec/overlay.yml")
        .lock("spec/names.lock")
        .write_to_out_dir("spec/losant-instance-api-openapi.yml", "losant_client.rs");
    if let Err(report) = generated {
        eprintln!("{report}");
        std::process::exit(1);
    }
}
