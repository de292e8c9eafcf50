//! The `types` and `api` modules are emitted, parsed and formatted in chunks
//! on several threads (`generate::Chunking`), and the chunks' texts are
//! concatenated. That is only right if prettyplease prints top-level items
//! independently of each other: these tests cut the modules every possible
//! way that matters (one type or api unit per chunk, uneven chunks, more
//! threads than chunks) and require
//! the same bytes as one chunk on one thread, for the single-file module
//! (`build.rs`, `Generated::code`), the per-schema and per-operation pieces,
//! and the crate writer's `types.rs` and `api.rs`; and the same bytes as the
//! benchmarks' one-thread `emit` followed by one `format_tokens`.

use std::path::{Path, PathBuf};

use openapi_clientgen::internals::emit_ops::ApiPlan;
use openapi_clientgen::internals::generate::{emit, format_tokens, generate_value_with, Chunking};
use openapi_clientgen::internals::ops::lower_api;
use openapi_clientgen::Config;

fn root() -> PathBuf {
    crate::support::root()
}

/// What `doc` generates, cut as `chunking`.
struct Outputs {
    /// The single-file module.
    code: String,
    /// Every per-schema and per-operation piece, keyed.
    pieces: Vec<String>,
    /// The crate writer's module files.
    files: Vec<(String, String)>,
    types: usize,
    /// Units of the `api` module.
    units: usize,
}

fn outputs(doc: &serde_json::Value, chunking: Chunking) -> Outputs {
    let (g, files) = generate_value_with(doc, chunking).unwrap_or_else(|e| panic!("{chunking:?}: {e}"));
    let types = g.api.types.types.len();
    let units = ApiPlan::new(&g.api).units().len();
    let pieces = g.schemas.into_iter().chain(g.operations).map(|(k, v)| format!("{k}\n{v}")).collect();
    Outputs { code: g.code, pieces, files, types, units }
}

/// Checks every cut against one chunk on one thread; returns the number of types.
fn assert_cuts_agree(label: &str, config: Config, spec: &Path) -> usize {
    let analysis = config.analyze(spec);
    assert!(!analysis.has_errors(), "{label}: {:?}", analysis.diagnostics);
    let doc = analysis.doc.expect("the spec loads");
    let whole = outputs(&doc, Chunking { workers: 1, chunk_len: usize::MAX, api_len: usize::MAX });
    assert!(whole.code.contains("pub mod types {"), "{label}: no types module");
    assert_eq!(whole.files[0].0, "types", "{label}: the crate's first module is `types`");
    for cut in [
        Chunking { workers: 2, chunk_len: 1, api_len: 1 },
        Chunking { workers: 2, chunk_len: 3, api_len: 2 },
        Chunking { workers: 4, chunk_len: 2, api_len: 5 },
        Chunking { workers: 1, chunk_len: 1, api_len: 3 },
        Chunking::auto(whole.types, whole.units),
    ] {
        let chunked = outputs(&doc, cut);
        let text = first_difference(&whole.code, &chunked.code);
        assert!(whole.code == chunked.code, "{label} {cut:?}: the module text differs\n{text}");
        assert!(whole.pieces == chunked.pieces, "{label} {cut:?}: the per-schema or per-operation pieces differ");
        assert_eq!(whole.files.len(), chunked.files.len(), "{label} {cut:?}");
        for ((name, a), (name2, b)) in whole.files.iter().zip(&chunked.files) {
            assert_eq!(name, name2, "{label} {cut:?}");
            assert!(a == b, "{label} {cut:?}: file {name:?} differs\n{}", first_difference(a, b));
        }
    }
    // The benchmarks' one-thread emission (all tokens, then one format) prints the same module.
    let one_pass = format_tokens(emit(&lower_api(&doc, None))).expect("the emitted tokens parse");
    assert!(whole.code.ends_with(&one_pass), "{label}: emit + format_tokens differs from the chunked module");
    let header = &whole.code[..whole.code.len() - one_pass.len()];
    assert!(header.starts_with("// @generated") && header.trim_end().lines().count() == 1, "{label}: {header:?}");
    whole.types
}

fn first_difference(a: &str, b: &str) -> String {
    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
    format!("first differing line {}:\n- {:?}\n+ {:?}", line + 1, a.lines().nth(line), b.lines().nth(line))
}

#[test]
fn every_fixture_formats_the_same_in_any_chunks() {
    let mut several = 0;
    for path in crate::fixtures::fixture_files() {
        let label = path.file_name().unwrap().to_string_lossy().into_owned();
        if assert_cuts_agree(&label, Config::new(), &path) > 1 {
            several += 1;
        }
    }
    assert!(several >= 20, "only {several} fixtures have more than one type: the cuts test little");
}

#[test]
fn the_losant_client_formats_the_same_in_any_chunks() {
    let spec = root().join("spec/losant-instance-api-openapi.yml");
    let config = Config::new().overlay(root().join("spec/overlay.yml"));
    let types = assert_cuts_agree("losant", config, &spec);
    assert!(types > 100, "the Losant client has {types} types");
}
