//! Clients generated from specs that have nothing to do with Losant, compiled
//! and exercised for real:
//!
//! - `tests/fixtures/security-schemes.yml` in a scratch crate whose own
//!   integration test (`tests/scratch/auth_wire.rs`) calls it against wiremock:
//!   bearer, basic, API keys in a header, the query string and a cookie,
//!   OAuth 2 access tokens, `security: []`, exactly as the spec says;
//! - the Swagger Petstore (`tests/corpus/swagger-petstore.yaml`) as a
//!   standalone crate: nothing of Losant anywhere in it (case-insensitive),
//!   and it passes `cargo clippy --all-targets -D warnings`.
//!
//! Both build in this test run's target directory with the workspace's
//! `Cargo.lock`, so the dependencies are the ones the workspace build checked.

use std::path::PathBuf;

use crate::support::scratch_crate;

use openapi_clientgen::crate_gen::{self, CrateOptions};
use openapi_clientgen::Config;

fn root() -> PathBuf {
    crate::support::root()
}

/// Checks that `path` lints without errors (the diagnostics are the failure message).
fn assert_lints(path: &std::path::Path) {
    let analysis = Config::new().analyze(path);
    assert!(!analysis.has_errors(), "{}", openapi_clientgen::diag::render_text(&analysis.diagnostics, false));
}

#[test]
fn security_schemes_on_the_wire_through_a_generated_client() {
    let path = root().join("tests/fixtures/security-schemes.yml");
    assert_lints(&path);
    let g = Config::new().generate(&path).expect("generates");
    let lib = format!(
        "//! The client of `tests/fixtures/security-schemes.yml`.\n#![deny(warnings, missing_docs)]\n\n{}",
        scratch_crate::module("security_schemes", " The generated client.", &g.code)
    );
    let test = std::fs::read_to_string(root().join("tests/scratch/auth_wire.rs")).expect("the scratch test");
    let out = scratch_crate::test("auth-wire", &lib, &[("auth_wire.rs", &test)]).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.contains("3 passed"), "the scratch crate's three tests ran: {out}");
}

#[test]
fn the_petstore_client_has_nothing_of_losant_and_builds_cleanly() {
    let spec = root().join("tests/corpus/swagger-petstore.yaml");
    let opts = CrateOptions::new("petstore-client", "0.1.0", &spec, &[]);
    assert_lints(&spec);
    let files = Config::new().crate_files(&spec, &opts).expect("generates");
    for (path, text) in &files {
        let hit = text.lines().position(|l| l.to_ascii_lowercase().contains("losant"));
        assert_eq!(hit, None, "{path} mentions Losant (line {})", hit.map_or(0, |i| i + 1));
    }
    let api = &files["src/api.rs"];
    // Its conventions are its own: the spec's server, its two security schemes.
    assert!(api.contains(r#"base_url: Some("https://petstore3.swagger.io/api/v3")"#), "{api}");
    assert!(api.contains("pub fn petstore_auth(self, secret: impl Into<String>) -> Self"), "{api}");
    assert!(api.contains("pub fn api_key(self, secret: impl Into<String>) -> Self"), "{api}");
    assert!(!files["Cargo.toml"].contains("repository"), "no repository unless given");
    let dir = root().join("target/petstore-client");
    crate_gen::write_crate(&dir, &files).unwrap_or_else(|e| panic!("{e}"));
    scratch_crate::cargo(&dir, &["clippy", "--quiet", "--all-targets", "--offline", "--", "-D", "warnings"])
        .unwrap_or_else(|e| panic!("{e}"));
}
