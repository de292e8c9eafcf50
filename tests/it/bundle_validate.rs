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
