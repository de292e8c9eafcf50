//! The bundled spec (`spec/` with its overlay and name lock) as the generator
//! sees it: what the root package `losant_instance_api` is generated from at
//! build time. Every test that needs the Losant client's document, IR or
//! code loads it here, once per test binary; [`generate_clean`] loads and
//! generates any other spec.

#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use openapi_clientgen::ir::Api;
use openapi_clientgen::{Analysis, Config, Generated};

use super::root;

/// The spec, the overlay and the name lock, relative to the repository root.
pub const SPEC: &str = "spec/losant-instance-api-openapi.yml";
pub const OVERLAY: &str = "spec/overlay.yml";
pub const LOCK: &str = "spec/names.lock";

/// The generator configured exactly as `build.rs` configures it.
pub fn config() -> Config {
    Config::new().overlay(root().join(OVERLAY)).lock(root().join(LOCK))
}

/// The spec with its overlay applied, analyzed once; it has no errors.
pub fn analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(analyze)
}

/// The spec with its overlay applied, analyzed afresh; it has no errors.
pub fn analyze() -> Analysis {
    let analysis = config().analyze(root().join(SPEC));
    assert!(
        !analysis.has_errors(),
        "the spec + overlay has errors:\n{}",
        openapi_clientgen::diag::render_text(&analysis.diagnostics, false)
    );
    analysis
}

/// The overlaid document.
pub fn doc() -> &'static serde_json::Value {
    analysis().doc.as_ref().expect("the spec parses")
}

/// The client's code, generated once, exactly as `build.rs` generates it.
pub fn generated() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(generate)
}

/// The client's code, loaded and generated afresh (for determinism checks).
pub fn generate() -> Generated {
    config().generate_from(&analyze(), SPEC).expect("the spec generates")
}

/// The lowered API, named through `spec/names.lock` exactly as `build.rs` generates it.
pub fn api() -> Api {
    config().lower_from(analysis(), SPEC).expect("the spec lowers")
}

/// Any other spec, analyzed and generated without overlay or lock; it must
/// have no error diagnostics (they are the failure message).
pub fn generate_clean(path: &Path) -> Generated {
    let analysis = Config::new().analyze(path);
    assert!(
        !analysis.has_errors(),
        "{} has errors:\n{}",
        path.display(),
        openapi_clientgen::diag::render_text(&analysis.diagnostics, false)
    );
    Config::new().generate_from(&analysis, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}
