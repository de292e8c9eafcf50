//! Clients generated from specs that have nothing to do with Losant, compiled
//! and exercised for real:
//!
//! - `tests/fixtures/security-schemes.yml` in a scratch crate whose own
//!   integration test (`tests/scratch/auth_wire.rs`) calls it against wiremock:
//!   bearer, basic, API keys in a header, the query string and a cookie,
//!   OAuth 2 access tokens, `security: []`, exactly as the spec says; in the
//!   same crate, `parameter-rendering.yml` and `no-success-response.yml`
//!   (`tests/scratch/params_wire.rs`): every kind of parameter on the wire
//!   and a raw response;
//! - `tests/fixtures/media-types.yml` the same way (`tests/scratch/media_wire.rs`):
//!   form, multipart, binary (bytes and streams, up and down), text, the JSON
//!   family and an unknown media type, byte for byte;
//! - the Swagger Petstore (`tests/corpus/swagger-petstore.yaml`) as a
//!   standalone crate: nothing of Losant anywhere in it (case-insensitive),
//!   and it passes `cargo clippy --all-targets -D warnings`.
//!
//! - every real spec in `tests/corpus/`: each lints without errors and
//!   generates; a representative subset compiles (see [`COMPILED`]; all of
//!   them: `scripts/compile-corpus.sh`); the Twilio specs read as resources.
//!
//! All build in this test run's target directory with the workspace's
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

/// One scratch crate (one compile) for the fixtures exercised on the wire.
#[test]
fn security_schemes_and_parameters_on_the_wire_through_generated_clients() {
    let mut lib = String::from(
        "//! Clients of `tests/fixtures/` run against wiremock.\n#![deny(warnings, missing_docs)]\n\
         // Each client module has its own copy of the runtime, on purpose.\n\
         #![allow(clippy::duplicate_mod)]\n\n",
    );
    for fixture in ["security-schemes", "parameter-rendering", "no-success-response"] {
        let path = root().join("tests/fixtures").join(format!("{fixture}.yml"));
        assert_lints(&path);
        let g = Config::new().generate(&path).expect("generates");
        let doc = format!(" The client of `tests/fixtures/{fixture}.yml`.");
        lib.push_str(&scratch_crate::module(&fixture.replace('-', "_"), &doc, &g.code));
    }
    let read = |file: &str| std::fs::read_to_string(root().join("tests/scratch").join(file)).expect("a scratch test");
    let (auth, params) = (read("auth_wire.rs"), read("params_wire.rs"));
    let out = scratch_crate::test("auth-wire", &lib, &[("auth_wire.rs", &auth), ("params_wire.rs", &params)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.contains("3 passed"), "the scratch crate's three auth tests and three parameter tests ran: {out}");
    assert_eq!(out.matches("3 passed").count(), 2, "both test files ran their three tests: {out}");
}

#[test]
fn bodies_by_media_type_on_the_wire_through_a_generated_client() {
    let path = root().join("tests/fixtures/media-types.yml");
    assert_lints(&path);
    let g = Config::new().generate(&path).expect("generates");
    let lib = format!(
        "//! The client of `tests/fixtures/media-types.yml`.\n#![deny(warnings, missing_docs)]\n\n{}",
        scratch_crate::module("media_types", " The generated client.", &g.code)
    );
    let test = std::fs::read_to_string(root().join("tests/scratch/media_wire.rs")).expect("the scratch test");
    let common = scratch_crate::wire_helpers();
    let out = scratch_crate::test("media-wire", &lib, &[("media_wire.rs", &test), ("common/mod.rs", &common)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.contains("8 passed"), "the scratch crate's eight tests ran: {out}");
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

/// The specs of `tests/corpus/`, sorted.
fn corpus_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/corpus"))
        .expect("tests/corpus exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json"))
        .collect();
    specs.sort();
    specs
}

/// The corpus specs CI compiles, chosen for what they cover against compile
/// time. Measured on 2 cores with the dependencies built: these two, in one
/// crate, 24 s; `scripts/compile-corpus.sh` (all eleven, one crate each,
/// 2-16 s apiece) 1 min 45 s.
/// - `twilio_studio_v2.json`: the largest real API of the set (19 operations,
///   64 types): form-encoded bodies, HTTP basic auth, tag-derived resources,
///   nested path parameters, many string enums, nullable unions, a
///   `oneOf`-typed field, pagination metadata;
/// - `oai-petstore-expanded.yaml`: what a small hand-written spec looks like:
///   `allOf` composition, `default` error responses, array query parameters,
///   no tags (path-derived resources), an `operationId` with spaces.
///
/// The other Twilio specs add nothing these two lack; the other OAI examples
/// are smaller than the Petstore (callbacks, links, server variables, which
/// the generator reads but does not emit code for).
const COMPILED: [&str; 2] = ["twilio_studio_v2.json", "oai-petstore-expanded.yaml"];

#[test]
fn every_corpus_spec_lints_without_errors_and_generates() {
    let specs = corpus_specs();
    assert!(specs.len() >= 10, "the corpus has only {} specs", specs.len());
    for spec in &specs {
        assert_lints(spec);
        let g = Config::new().generate(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        assert!(!g.api.operations.is_empty(), "{}: no operations", spec.display());
    }
    for name in COMPILED {
        assert!(specs.iter().any(|s| s.ends_with(name)), "{name} is not in tests/corpus");
    }
}

#[test]
fn representative_corpus_specs_compile_cleanly() {
    let mut lib = String::from(
        "//! Clients of `tests/corpus/` specs.\n#![deny(warnings, missing_docs)]\n\
         // Each client module has its own copy of the runtime, on purpose.\n\
         #![allow(clippy::duplicate_mod)]\n\n",
    );
    let started = std::time::Instant::now();
    for name in COMPILED {
        let g = Config::new().generate(root().join("tests/corpus").join(name)).expect("generates");
        let module = name.split('.').next().expect("a stem").replace('-', "_");
        lib.push_str(&scratch_crate::module(&module, &format!(" The client of `{name}`."), &g.code));
    }
    scratch_crate::clippy("corpus-check", &lib).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("generated and compiled {COMPILED:?} with clippy in {:.1?}", started.elapsed());
}

/// Twilio's ids (`FetchAccount`, `CreateCredentialAws`) have no separator:
/// the resources come from the tags, without the words all of them share.
#[test]
fn twilio_operations_read_as_resources() {
    let groups = |name: &str| -> Vec<String> {
        let api = Config::new().lower(root().join("tests/corpus").join(name)).expect("lowers");
        let mut out: Vec<String> = api.operations.iter().map(|o| format!("{}.{}", o.resource, o.action)).collect();
        out.sort();
        out
    };
    let accounts = groups("twilio_accounts_v1.json");
    for expected in [
        "aws.create_credential",
        "aws.delete_credential",
        "aws.fetch_credential",
        "aws.list_credential",
        "public_key.create_credential",
        "safelist.create",
        "safelist.fetch",
        "bulk_consents.create",
        "auth_token_promotion.update",
        "secondary_auth_token.create",
        "messaging_geopermissions.update",
    ] {
        assert!(accounts.iter().any(|g| g == expected), "{expected} not in {accounts:?}");
    }
    let studio = groups("twilio_studio_v2.json");
    for expected in [
        "execution.create",
        "execution.fetch",
        "execution.list",
        "execution_context.fetch",
        "execution_step.list",
        "flow.create",
        "flow.delete",
        "flow_revision.fetch",
        "flow_test_user.fetch",
        "flow_validate.update",
    ] {
        assert!(studio.iter().any(|g| g == expected), "{expected} not in {studio:?}");
    }
    let events = groups("twilio_events_v1.json");
    for expected in ["event_type.list", "schema.fetch", "sink.create", "sink_test.create", "subscription.delete"] {
        assert!(events.iter().any(|g| g == expected), "{expected} not in {events:?}");
    }
    // Nothing falls back to one catch-all group.
    for g in accounts.iter().chain(&studio).chain(&events) {
        assert!(!g.starts_with("ops."), "{g}");
    }
}
