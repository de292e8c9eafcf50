//! The bundled, repaired spec is valid OpenAPI 3.0.3 for a third-party
//! validator (Redocly CLI), and the raw published spec is not.

use std::path::PathBuf;

use crate::support::{root, tools};

fn bundle(overlays: &[PathBuf]) -> (tempfile::TempDir, PathBuf) {
    let a = openapi_clientgen::Config::new()
        .overlays(overlays)
        .analyze(root().join("spec/losant-instance-api-openapi.yml"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("bundled.yml");
    let doc = a.doc.expect("the spec parses");
    std::fs::write(&out, openapi_clientgen::to_yaml(&doc)).expect("write bundle");
    (dir, out)
}

#[test]
fn bundled_spec_passes_redocly_with_zero_errors() {
    let (_dir, out) = bundle(&[root().join("spec/overlay.yml")]);
    let (ok, output) = tools::redocly_lint(&out);
    assert!(ok, "redocly reported errors on the bundled spec:\n{output}");
    // The bundle is self-contained: every $ref is local and resolves.
    let text = std::fs::read_to_string(&out).unwrap();
    let doc = openapi_clientgen::Config::new().analyze_text("bundled.yml", &text).doc.expect("bundle re-parses");
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(!text.contains("patternProperties"), "3.0 has no patternProperties");
    assert!(!text.contains("type: 'null'") && !text.contains("type: null"), "3.0 has no null type");
}

#[test]
fn raw_published_spec_fails_redocly() {
    // Proves the validator run above can fail: without the overlay the 36 dangling refs are errors.
    let (_dir, out) = bundle(&[]);
    let (ok, output) = tools::redocly_lint(&out);
    assert!(!ok, "redocly accepted the unrepaired spec:\n{output}");
    // The 36 missing targets are unresolvable for Redocly too (it reports each place it
    // resolves, 98 for this spec, so at least one per missing target).
    let unresolved = output.lines().filter(|l| l.contains("no-unresolved-refs")).count();
    assert!(unresolved >= 36, "expected at least 36 unresolved refs, got {unresolved}:\n{output}");
}

/// A 3.1 input bundles to the OpenAPI 3.0.3 document the generator read (a
/// stated down-conversion): valid for Redocly, with no 3.1-only construct left.
#[test]
fn openapi31_fixtures_bundle_to_valid_openapi_30() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures"))
        .expect("tests/fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("openapi31-")))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 11, "{fixtures:?}");
    for spec in fixtures {
        let a = openapi_clientgen::Config::new().analyze(&spec);
        assert!(!a.has_errors(), "{}", spec.display());
        let out = dir.path().join(spec.file_name().expect("a file name"));
        let text = openapi_clientgen::to_yaml(&a.doc.expect("parsed"));
        std::fs::write(&out, &text).expect("write bundle");
        let (ok, output) = tools::redocly_lint(&out);
        assert!(ok, "redocly reported errors on the bundle of {}:\n{output}\n{text}", spec.display());
        assert!(text.starts_with("openapi: 3.0.3\n"), "{text}");
        let doc = openapi_clientgen::Config::new().analyze_text("bundle.yml", &text).doc.expect("re-parses");
        let mut found = Vec::new();
        three_one_only(&doc, "", &mut found);
        assert!(found.is_empty(), "{}: not OpenAPI 3.0: {found:?}\n{text}", spec.display());
    }
}

/// OpenAI's 3.1 spec (3 MB) bundles to an OpenAPI 3.0.3 document Redocly
/// accepts but for the errors of the spec itself: its paths with a query
/// string (`/responses?beta=true`), which Redocly reports on the original 3.1
/// file too. Nullable `$ref` alternatives, untyped nullable unions and
/// `allOf` branches `{nullable: true}` are written the 3.0.3 way (once 33
/// `nullable-type-sibling` errors). Read back, the bundle gives the same client.
#[test]
fn openai_spec_bundles_to_valid_openapi_30_and_the_same_client() {
    let spec = root().join("tests/corpus/openai.yaml");
    let a = openapi_clientgen::Config::new().analyze(&spec);
    assert!(!a.has_errors(), "the spec lints without errors");
    let doc = a.doc.as_ref().expect("parsed");
    let text = openapi_clientgen::to_yaml(doc);
    assert!(text.starts_with("openapi: 3.0.3\n"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("openai-bundle.yml");
    std::fs::write(&out, &text).expect("write bundle");

    // Every problem (Redocly shows the first 100 by default), errors only.
    let errors = |output: &str| -> Vec<String> {
        output
            .lines()
            .filter(|l| l.split_whitespace().nth(1) == Some("error"))
            .map(|l| l.split_whitespace().nth(2).unwrap_or_default().to_string())
            .collect()
    };
    let all = ["--max-problems", "100000"];
    let query_paths = doc["paths"].as_object().expect("paths").keys().filter(|p| p.contains('?')).count();
    assert_eq!(query_paths, 6, "the spec's paths with a query string");
    let (ok, output) = tools::redocly_lint_with(&out, &all);
    assert!(!ok, "the spec's own errors are reported:\n{output}");
    assert_eq!(errors(&output), vec!["path-not-include-query"; query_paths], "{output}");
    // They are the spec's: the original 3.1 file has the same ones (and struct errors
    // of Redocly's own 3.1 reading, which the bundle does not have).
    let (_, original) = tools::redocly_lint_with(&spec, &all);
    let original = errors(&original);
    assert_eq!(original.iter().filter(|e| *e == "path-not-include-query").count(), query_paths, "{original:?}");

    let again = openapi_clientgen::Config::new().analyze_text("openai-bundle.yml", &text);
    assert!(!again.has_errors(), "the bundle lints without errors");
    // The generated code is a function of the lowered API (compared whole, by its
    // `Debug` form: formatting 3 MB of code twice would triple the test's time).
    let from_spec = openapi_clientgen::Config::new().lower_from(&a, "openai.yaml").expect("lowers");
    let from_bundle = openapi_clientgen::Config::new().lower_from(&again, "openai.yaml").expect("lowers");
    assert!(from_spec.operations.len() >= 200, "{} operations", from_spec.operations.len());
    assert!(format!("{from_spec:?}") == format!("{from_bundle:?}"), "the bundle gives another client");
}

/// Pointers of 3.1-only constructs in `v`: 3.1 keywords, `type` lists or `'null'`, `examples` lists.
fn three_one_only(v: &serde_json::Value, ptr: &str, found: &mut Vec<String>) {
    const KEYWORDS: [&str; 9] = [
        "$defs",
        "prefixItems",
        "const",
        "contentEncoding",
        "contentMediaType",
        "pathItems",
        "webhooks",
        "jsonSchemaDialect",
        "identifier",
    ];
    match v {
        serde_json::Value::Object(m) => {
            for (k, sub) in m {
                let at = format!("{ptr}/{k}");
                let bad_type = k == "type" && (sub.is_array() || sub == "null");
                if KEYWORDS.contains(&k.as_str()) || bad_type || (k == "examples" && sub.is_array()) {
                    found.push(at.clone());
                }
                three_one_only(sub, &at, found);
            }
        }
        serde_json::Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, sub)| three_one_only(sub, &format!("{ptr}/{i}"), found))
        }
        _ => {}
    }
}
