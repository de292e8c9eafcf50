//! OpenAI's published spec (`tests/corpus/openai.yaml`, OpenAPI 3.1.0, 3 MB,
//! copied unchanged): it lints with no error and generates a client.
//!
//! It is the real-world 3.1 document of the corpus: integers beyond 64 bits
//! (`minimum: -9223372036854776000`, once a YAML syntax error), 856
//! `{type: 'null'}` alternatives, `$ref`s beside other keywords, schema
//! `examples`, `const`, draft 2019-09's `$recursiveRef` and 16 webhooks.

use std::path::PathBuf;

use openapi_clientgen::diag::{render_text, Severity};
use openapi_clientgen::Config;

use crate::support::root;

fn spec() -> PathBuf {
    root().join("tests/corpus/openai.yaml")
}

#[test]
fn openai_spec_lints_without_errors_and_generates() {
    let a = Config::new().analyze(spec());
    assert!(!a.has_errors(), "{}", render_text(&a.diagnostics, false));
    let count = |code: &str, severity: Severity| {
        a.diagnostics.iter().filter(|d| d.code.as_str() == code && d.severity == severity).count()
    };
    assert_eq!(count("webhooks", Severity::Note), 1, "one note for the 16 webhooks");
    // `$recursiveRef: "#"` (2019-09) and `propertyNames` (not checked), twice each.
    assert_eq!(count("widened", Severity::Warning), 4);
    // `/responses?beta=true` and five more beta paths (the query is sent as written).
    assert_eq!(count("path-has-query", Severity::Warning), 6);
    // The `{type: 'null'}` alternatives are 3.1 as written: no `null-type` warning.
    assert_eq!(count("null-type", Severity::Warning), 0);

    let doc = a.doc.as_ref().expect("parsed");
    assert_eq!(doc["openapi"], "3.0.3", "read as OpenAPI 3.0.3");
    let seed = &doc["components"]["schemas"]["CreateChatCompletionRequest"]["allOf"][1]["properties"]["seed"];
    assert_eq!(seed["minimum"].as_f64(), Some(i64::MIN as f64), "{seed}");
    assert_eq!(seed["maximum"].as_f64(), Some(-(i64::MIN as f64)), "{seed}");

    let g = Config::new().generate_from(&a, "openai.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert!(g.api.operations.len() >= 200, "{} operations", g.api.operations.len());
    assert!(g.code.contains("pub struct CreateChatCompletionRequest"));
    assert!(!g.api.operations.iter().any(|o| o.path.contains("batch_completed")), "no webhook is an operation");
}
