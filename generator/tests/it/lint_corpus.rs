//! Lint corpus: every spec under `tests/broken-specs/` is analyzed by
//! `openapi_clientgen::analyze` and checked two ways:
//!
//! 1. against the expectation tables below (severity, code and line of every
//!    diagnostic, as an exact multiset), so a snapshot can never silently
//!    accept a wrong result;
//! 2. against an insta snapshot of a stable rendering (the JSON diagnostics
//!    followed by the plain-text rendering), one snapshot per case, named
//!    after the file.
//!
//! The top-level directory is iterated, so a new corpus file is picked up
//! automatically; it fails the test until it gets an entry in [`EXPECTED`].
//! Overlay cases live in `tests/broken-specs/overlays/` and are paired with
//! their spec explicitly in [`OVERLAY_CASES`].
//!
//! Update snapshots with `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- lint_corpus::`
//! (or `cargo insta review`), then review every changed `.snap`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use openapi_clientgen::diag::{render_json, render_text, Diagnostic};
use openapi_clientgen::Config;

const CORPUS: &str = "tests/broken-specs";
const OVERLAYS: &str = "tests/broken-specs/overlays";

/// One expected diagnostic: (severity, code, line).
type Expect = (&'static str, &'static str, usize);

/// Corpus file -> every diagnostic it must produce (order does not matter).
/// An empty list means the file must lint clean.
const EXPECTED: &[(&str, &[Expect])] = &[
    // At the `Authorization` parameter; the API's `basic` scheme sends that header.
    ("authorization-parameter.yml", &[("warning", "authorization-parameter", 10)]),
    ("bad-pointer-escape.yml", &[("error", "invalid-pointer", 15)]),
    ("dangling-deep-ref.yml", &[("error", "dangling-ref", 27)]),
    ("dangling-ref-json.json", &[("error", "dangling-ref", 17)]),
    ("dangling-ref.yml", &[("error", "dangling-ref", 15)]),
    ("default-type-mismatch.yml", &[("warning", "default-type-mismatch", 23)]),
    // Reported at the second use's `operationId`.
    ("duplicate-operation-id.yml", &[("error", "duplicate-operation-id", 14)]),
    // serde_yaml locates a duplicate key at the start of the enclosing
    // mapping (the first `Pet:`, line 14), not at the duplicate (line 16).
    ("duplicate-json-key.json", &[("error", "syntax-error", 8)]),
    ("missing-responses.yml", &[("error", "missing-field", 5), ("error", "invalid-type", 7)]),
    ("oneof-null-then-dangling-ref.yml", &[("warning", "null-type", 14), ("error", "dangling-ref", 15)]),
    ("operation-not-a-mapping.yml", &[("error", "invalid-type", 5)]),
    ("pattern-properties-dangling-ref.yml", &[("warning", "pattern-properties", 14), ("error", "dangling-ref", 16)]),
    ("duplicate-yaml-key.yml", &[("error", "syntax-error", 16)]),
    ("external-ref.yml", &[("error", "external-ref", 15)]),
    ("malformed-json.json", &[("error", "syntax-error", 15)]),
    ("malformed-yaml-indentation.yml", &[("error", "syntax-error", 12)]),
    ("invalid-default-body.yml", &[("error", "invalid-extension", 5)]),
    // Not a string (the document's), on a media type other than `text/event-stream`, on two lines.
    (
        "invalid-sse-terminator.yml",
        &[("error", "invalid-extension", 5), ("error", "invalid-extension", 15), ("error", "invalid-extension", 18)],
    ),
    ("max-items-not-a-number.yml", &[("error", "invalid-type", 16)]),
    ("max-items-numeric-string.yml", &[("warning", "numeric-string", 16)]),
    ("missing-paths.yml", &[("error", "missing-field", 1)]),
    // Line is right; the column currently points at the `:` after the
    // branch's first key (a block mapping as a sequence item).
    ("null-type-in-oneof.yml", &[("warning", "null-type", 24)]),
    // `responses: {}` and only an error response: warnings at each `responses`.
    ("no-success-response.yml", &[("warning", "no-success-response", 9), ("warning", "no-success-response", 14)]),
    // OpenAPI 3.1 is read (as 3.0.3): a plain 3.1 document is clean.
    ("openapi-3-1.yml", &[]),
    // What 3.1 cannot be read as safely: a `$ref` into the dropped `webhooks` (and their
    // note), dynamic references, a `false` subschema, a type list beside `oneOf`; the
    // 2019-09 `$recursiveRef` is ignored with a warning.
    (
        "openapi31-unreadable.yml",
        &[
            ("error", "unsupported-keyword", 22),
            ("note", "webhooks", 26),
            ("error", "unsupported-keyword", 41),
            ("error", "unsupported-keyword", 46),
            ("warning", "widened", 48),
            ("error", "unsupported-keyword", 49),
            ("error", "invalid-type", 51),
        ],
    ),
    // `minimum: -9223372036854776000` (beyond 64 bits) is read as the nearest float, not a syntax error.
    ("number-beyond-64-bits.yml", &[]),
    // Same column caveat as null-type-in-oneof.yml.
    ("parameter-without-schema.yml", &[("warning", "parameter-without-schema", 10)]),
    // At the object schema: a path parameter's component, a header array's union branch.
    (
        "parameter-not-renderable.yml",
        &[("warning", "parameter-not-renderable", 19), ("warning", "parameter-not-renderable", 26)],
    ),
    // Fails only the last check, conversion to the typed model: at the smallest part that fails.
    ("parameter-style-not-a-string.yml", &[("error", "invalid-type", 10)]),
    // OpenAI's `/responses?beta=true`: at the path key; the query is sent as written.
    ("path-with-query.yml", &[("warning", "path-has-query", 6)]),
    ("pattern-properties.yml", &[("warning", "pattern-properties", 23)]),
    ("properties-not-a-mapping.yml", &[("error", "invalid-type", 20)]),
    // Self-reference through properties, items and additionalProperties: no error, no hang.
    ("recursive-schema.yml", &[]),
    // One error per ref string that enters the cycle: the use in `paths` and A -> B.
    ("ref-cycle.yml", &[("error", "ref-cycle", 15), ("error", "ref-cycle", 19)]),
    // `~1`, `~0` and percent-encoded tokens that resolve: clean.
    ("ref-escapes-resolve.yml", &[]),
    ("required-not-a-list.yml", &[("error", "invalid-type", 20)]),
    ("swagger-2.yml", &[("error", "unsupported-version", 1)]),
    ("type-not-a-string.yml", &[("error", "invalid-type", 22)]),
    ("type-unknown.yml", &[("error", "invalid-type", 22)]),
    ("undeclared-path-param.yml", &[("error", "undeclared-path-param", 7)]),
    // At the operation's requirement naming `apiKey`.
    ("undeclared-security-scheme.yml", &[("error", "undeclared-security-scheme", 10)]),
    // Raw bytes both ways, and a nested object in a form body, each at its media type or property.
    (
        "unsupported-media-type.yml",
        &[
            ("warning", "unsupported-media-type", 11),
            ("warning", "unsupported-media-type", 17),
            ("warning", "unsupported-form-field", 29),
        ],
    ),
    ("unsupported-keyword-if-then.yml", &[("error", "unsupported-keyword", 23), ("error", "unsupported-keyword", 27)]),
    // Both uses of the anchored schema are located at the anchor's `maxItems` line.
    ("yaml-alias-numeric-string.yml", &[("warning", "numeric-string", 16), ("warning", "numeric-string", 16)]),
    // One error for the target, at the `$ref` line inside the anchored node.
    ("yaml-anchor-dangling-ref.yml", &[("error", "dangling-ref", 17)]),
];

/// One expected diagnostic of an overlay case: (severity, code, file under
/// `tests/broken-specs/`, line).
type OverlayExpect = (&'static str, &'static str, &'static str, usize);

/// An overlay case: (overlay under `overlays/`, spec under `tests/broken-specs/`, expected).
const OVERLAY_CASES: &[(&str, &str, &[OverlayExpect])] = &[
    (
        "introduces-dangling-ref.yml",
        "overlays/base.yml",
        &[("error", "dangling-ref", "overlays/introduces-dangling-ref.yml", 10)],
    ),
    (
        "invalid-default-body.yml",
        "overlays/base.yml",
        &[
            ("error", "invalid-extension", "overlays/invalid-default-body.yml", 10),
            ("error", "invalid-extension", "overlays/invalid-default-body.yml", 11),
            ("error", "invalid-extension", "overlays/invalid-default-body.yml", 12),
        ],
    ),
    ("invalid-jsonpath.yml", "overlays/base.yml", &[("error", "overlay-jsonpath", "overlays/invalid-jsonpath.yml", 6)]),
    ("missing-actions.yml", "overlays/base.yml", &[("error", "overlay-invalid", "overlays/missing-actions.yml", 1)]),
    ("repairs-dangling-ref.yml", "dangling-ref.yml", &[]),
    (
        "unmatched-target.yml",
        "overlays/base.yml",
        &[("warning", "overlay-target-unmatched", "overlays/unmatched-target.yml", 11)],
    ),
];

/// Files in `overlays/` that are specs for overlay cases rather than overlays.
const OVERLAY_BASE_SPECS: &[&str] = &["base.yml"];

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator lives in the workspace")
}

/// Runs from the repo root so that diagnostics carry relative paths and
/// `render_text` can re-read the files by name.
fn enter_repo_root() {
    std::env::set_current_dir(repo_root()).expect("cannot enter the repo root");
}

/// Regular files directly in `dir`, sorted by name.
fn files_in(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|e| e.expect("directory entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The JSON diagnostics, then the text rendering, with the repo root stripped
/// from any path that still carries it.
fn rendering(diags: &[Diagnostic]) -> String {
    let mut diags = diags.to_vec();
    let root = format!("{}/", repo_root().display());
    for d in &mut diags {
        if let Some(rel) = d.file.strip_prefix(&root) {
            d.file = rel.to_string();
        }
    }
    let text = render_text(&diags, false);
    format!("{}\n\n{}", render_json(&diags), text).replace(&root, "")
}

/// Checks invariants every diagnostic must satisfy; returns the problems found.
fn check_locations(case: &str, diags: &[Diagnostic], problems: &mut Vec<String>) {
    for d in diags {
        if d.code.as_str() != "io-error" && (d.line == 0 || d.column == 0) {
            problems.push(format!("{case}: {} at {}:{}:{} has no location", d.code.as_str(), d.file, d.line, d.column));
        }
        if Path::new(&d.file).is_absolute() {
            problems.push(format!("{case}: {} names an absolute file {}", d.code.as_str(), d.file));
        }
    }
}

fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v
}

#[test]
fn every_corpus_file_has_an_expectation_and_every_expectation_a_file() {
    let files: BTreeSet<String> = files_in(CORPUS).into_iter().collect();
    let table: BTreeSet<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(table.len(), EXPECTED.len(), "EXPECTED lists a file twice");
    let missing: Vec<&String> = files.difference(&table).collect();
    let stale: Vec<&String> = table.difference(&files).collect();
    assert!(missing.is_empty(), "corpus files without an entry in EXPECTED: {missing:?}");
    assert!(stale.is_empty(), "EXPECTED entries without a corpus file: {stale:?}");

    let overlay_files: BTreeSet<String> = files_in(OVERLAYS).into_iter().collect();
    let mut paired: BTreeSet<String> = OVERLAY_CASES.iter().map(|(o, _, _)| o.to_string()).collect();
    paired.extend(OVERLAY_BASE_SPECS.iter().map(|s| s.to_string()));
    let unpaired: Vec<&String> = overlay_files.difference(&paired).collect();
    let stale: Vec<&String> = paired.difference(&overlay_files).collect();
    assert!(unpaired.is_empty(), "overlay files without an entry in OVERLAY_CASES: {unpaired:?}");
    assert!(stale.is_empty(), "OVERLAY_CASES entries without a file: {stale:?}");
    for (_, spec, _) in OVERLAY_CASES {
        assert!(repo_root().join(CORPUS).join(spec).is_file(), "overlay case spec {spec} does not exist");
    }
}

#[test]
fn corpus_specs() {
    enter_repo_root();
    let files = files_in(CORPUS);
    assert!(files.len() >= 18, "the corpus has only {} files", files.len());
    let mut problems = Vec::new();
    let mut snapshots = Vec::new();
    for name in &files {
        let path = format!("{CORPUS}/{name}");
        let a = Config::new().analyze(Path::new(&path));
        let Some((_, expected)) = EXPECTED.iter().find(|(f, _)| f == name) else {
            problems.push(format!("{name}: no entry in EXPECTED (add one: file -> expected diagnostics)"));
            continue;
        };
        let got: Vec<(String, String, usize)> =
            a.diagnostics.iter().map(|d| (d.severity.to_string(), d.code.as_str().to_string(), d.line)).collect();
        let want: Vec<(String, String, usize)> =
            expected.iter().map(|(s, c, l)| (s.to_string(), c.to_string(), *l)).collect();
        if sorted(&got) != sorted(&want) {
            problems.push(format!("{name}: expected {want:?}, got {got:?}\n{}", render_text(&a.diagnostics, false)));
        }
        for d in &a.diagnostics {
            if d.file != path {
                problems.push(format!("{name}: {} is located in {}, not in the spec", d.code.as_str(), d.file));
            }
        }
        check_locations(name, &a.diagnostics, &mut problems);
        if a.unreadable {
            problems.push(format!("{name}: reported as unreadable"));
        }
        if a.has_errors() != expected.iter().any(|(s, _, _)| *s == "error") {
            problems.push(format!("{name}: has_errors() disagrees with the expected severities"));
        }
        snapshots.push((name.clone(), rendering(&a.diagnostics)));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    for (name, text) in snapshots {
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn overlay_cases() {
    enter_repo_root();
    let mut problems = Vec::new();
    let mut snapshots = Vec::new();
    for (overlay, spec, expected) in OVERLAY_CASES {
        let overlay_path = PathBuf::from(format!("{OVERLAYS}/{overlay}"));
        let a = Config::new().overlay(&overlay_path).analyze(format!("{CORPUS}/{spec}"));
        let got: Vec<(String, String, String, usize)> = a
            .diagnostics
            .iter()
            .map(|d| (d.severity.to_string(), d.code.as_str().to_string(), d.file.clone(), d.line))
            .collect();
        let want: Vec<(String, String, String, usize)> =
            expected.iter().map(|(s, c, f, l)| (s.to_string(), c.to_string(), format!("{CORPUS}/{f}"), *l)).collect();
        if sorted(&got) != sorted(&want) {
            problems.push(format!("{overlay}: expected {want:?}, got {got:?}\n{}", render_text(&a.diagnostics, false)));
        }
        check_locations(overlay, &a.diagnostics, &mut problems);
        snapshots.push((format!("overlays/{overlay}"), rendering(&a.diagnostics)));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    for (name, text) in snapshots {
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn unmatched_overlay_target_names_the_action() {
    enter_repo_root();
    let overlay = PathBuf::from(format!("{OVERLAYS}/unmatched-target.yml"));
    let a = Config::new().overlay(overlay).analyze(format!("{OVERLAYS}/base.yml"));
    let [d] = a.diagnostics.as_slice() else { panic!("expected one diagnostic, got {:#?}", a.diagnostics) };
    assert_eq!(d.code.as_str(), "overlay-target-unmatched");
    assert!(d.message.contains("action 1") && d.message.contains("Make owner names required"), "{}", d.message);
    assert!(d.message.contains("$.components.schemas.Owner"), "{}", d.message);
    assert_eq!(d.pointer, "/actions/1/target");
    // The matching action (0) was applied.
    let doc = a.doc.expect("document");
    assert_eq!(doc["components"]["schemas"]["Pet"]["properties"]["tag"]["type"], "string");
}

#[test]
fn repair_overlay_rewrites_the_dangling_ref() {
    enter_repo_root();
    let overlay = PathBuf::from(format!("{OVERLAYS}/repairs-dangling-ref.yml"));
    let a = Config::new().overlay(overlay).analyze(format!("{CORPUS}/dangling-ref.yml"));
    assert!(a.diagnostics.is_empty(), "{}", render_text(&a.diagnostics, false));
    let doc = a.doc.expect("document");
    let schema = &doc["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(schema["$ref"], "#/components/schemas/PetList");
}

#[test]
fn anchored_dangling_ref_is_reported_once_at_the_anchor() {
    enter_repo_root();
    let a = Config::new().analyze(format!("{CORPUS}/yaml-anchor-dangling-ref.yml"));
    let [d] = a.diagnostics.as_slice() else { panic!("expected one diagnostic, got {:#?}", a.diagnostics) };
    assert_eq!(d.code.as_str(), "dangling-ref");
    assert!(d.message.contains("used 2 times"), "{}", d.message);
    assert!(d.pointer.ends_with("/$ref"), "{}", d.pointer);
    let text = std::fs::read_to_string(&d.file).expect("corpus file");
    let line = text.lines().nth(d.line - 1).expect("line in file");
    assert!(line.trim_start().starts_with("$ref:"), "line {} is {line:?}", d.line);
    assert_eq!(d.column, line.len() - line.trim_start().len() + 1, "column of `$ref`");
}
