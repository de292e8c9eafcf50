//! Semantic API diff (`openapi_clientgen::diff`) and the name lock
//! (`spec/names.lock`, `openapi_clientgen::names_lock`).
//!
//! 1. Corpus: every directory under `tests/diff/` (except `real-bump`) holds
//!    one change as `old.yml` -> `new.yml` (and, optionally, a `names.lock`
//!    both sides are generated with). Each is checked against [`EXPECTED`]
//!    (the exact multiset of `(impact, kind)` changes and the bump a 0.x and
//!    a 1.x crate need), so a snapshot can never silently accept a wrong
//!    classification; then its Markdown report (without the legend, which
//!    is the same everywhere) is snapshotted.
//! 2. The real spec against a bumped copy (`tests/diff/real-bump/overlay.yml`
//!    applied after `spec/overlay.yml`), with the committed name lock.
//! 3. The committed `spec/names.lock` is up to date (that the client
//!    `build.rs` generated honours it is tested in `tests/it/build_rs.rs`).
//!
//! Update snapshots with `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- api_diff::`,
//! then review every changed `.snap`.

use std::path::{Path, PathBuf};

use openapi_clientgen::diff::{self, render, Bump, Impact, Options, Report};
use openapi_clientgen::ir::Api;
use openapi_clientgen::names_lock::NameLock;
use openapi_clientgen::{Analysis, Config};

use crate::support::lowered_api::{self, LOCK, OVERLAY, SPEC};
use crate::support::root;

const CORPUS: &str = "tests/diff";
const BUMP_OVERLAY: &str = "tests/diff/real-bump/overlay.yml";

use Impact::{Additive as A, Breaking as B, Patch as P};

/// Case, bump for a 0.x crate, bump for a 1.x crate, every change as (impact, kind).
type Expect = (&'static str, Bump, Bump, &'static [(Impact, &'static str)]);

const EXPECTED: &[Expect] = &[
    ("01-operation-added", Bump::Patch, Bump::Minor, &[(A, "operation-added")]),
    ("02-operation-removed", Bump::Minor, Bump::Major, &[(B, "operation-removed")]),
    // Matched by method and path: the Rust method is renamed, the id change itself is wire-only.
    ("03-operation-renamed", Bump::Minor, Bump::Major, &[(B, "operation-renamed"), (P, "operation-id-changed")]),
    ("04-operation-path-changed", Bump::Patch, Bump::Patch, &[(P, "operation-moved")]),
    ("05-required-parameter-added", Bump::Minor, Bump::Major, &[(B, "parameter-added")]),
    ("06-optional-parameter-added", Bump::Patch, Bump::Minor, &[(A, "parameter-added")]),
    ("07-parameter-removed", Bump::Minor, Bump::Major, &[(B, "parameter-removed")]),
    ("08-parameter-made-required", Bump::Minor, Bump::Major, &[(B, "parameter-required")]),
    ("09-parameter-made-optional", Bump::Minor, Bump::Major, &[(B, "parameter-optional")]),
    ("10-parameter-retyped", Bump::Minor, Bump::Major, &[(B, "parameter-retyped")]),
    ("11-enum-value-added", Bump::Patch, Bump::Minor, &[(A, "enum-value-added")]),
    ("12-enum-value-removed", Bump::Minor, Bump::Major, &[(B, "enum-value-removed")]),
    // A request type: struct literals must set the new field.
    ("13-request-field-added-optional", Bump::Minor, Bump::Major, &[(B, "field-added")]),
    ("14-request-field-added-required", Bump::Minor, Bump::Major, &[(B, "field-added")]),
    // A response-only type: decoded, not built.
    ("15-response-field-added-optional", Bump::Patch, Bump::Minor, &[(A, "field-added")]),
    // `Pet` already had required fields, so it never derived `Default`.
    ("16-response-field-added-required", Bump::Patch, Bump::Minor, &[(A, "field-added")]),
    ("17-response-field-removed", Bump::Minor, Bump::Major, &[(B, "field-removed")]),
    ("18-response-field-made-required", Bump::Minor, Bump::Major, &[(B, "field-required")]),
    ("19-response-field-retyped", Bump::Minor, Bump::Major, &[(B, "field-retyped")]),
    // Optional and nullable is still `Option<T>` in a response type.
    ("20-response-field-made-nullable", Bump::Patch, Bump::Patch, &[(P, "field-nullable")]),
    ("21-request-body-made-optional", Bump::Minor, Bump::Major, &[(B, "body-optional")]),
    ("22-response-retyped", Bump::Minor, Bump::Major, &[(B, "response-retyped")]),
    // Unions are `#[non_exhaustive]` with an `Unknown` fallback.
    ("23-union-alternative-added", Bump::Patch, Bump::Minor, &[(A, "union-variant-added")]),
    ("24-response-type-loses-default", Bump::Minor, Bump::Major, &[(B, "field-required"), (B, "default-removed")]),
    ("25-type-renamed", Bump::Minor, Bump::Major, &[(B, "type-renamed")]),
    // Without a lock, a new schema declared first takes `PetPost` and renames the old type.
    ("26-new-schema-takes-a-name", Bump::Minor, Bump::Major, &[(B, "type-renamed"), (A, "type-added")]),
    // The same change with a lock: the old type keeps its name, the new one gets `PetPost2`.
    ("27-name-kept-by-lock", Bump::Patch, Bump::Minor, &[(A, "type-added")]),
    ("28-descriptions-only", Bump::None, Bump::None, &[]),
    ("29-required-header-added", Bump::Minor, Bump::Major, &[(B, "parameter-added")]),
    ("30-pagination-removed", Bump::Minor, Bump::Major, &[(B, "parameter-removed"), (B, "pagination-removed")]),
    // Both are strings: the swapped call still compiles and sends the wrong values.
    ("31-required-parameters-reordered", Bump::Minor, Bump::Major, &[(B, "arguments-reordered")]),
    // The response now also offers `text/event-stream`: `send()` is unchanged, `send_events()` is new.
    ("32-events-added", Bump::Patch, Bump::Minor, &[(A, "events-added")]),
    // Events are all the response offers: `send()` returns the stream, whose item type changed.
    ("33-events-retyped", Bump::Minor, Bump::Major, &[(B, "response-retyped")]),
];

/// Analyzes a spec (relative to the repo root) with overlays; it must have no errors.
fn doc(spec: &str, overlays: &[&str]) -> Analysis {
    let overlays: Vec<PathBuf> = overlays.iter().map(|o| root().join(o)).collect();
    let a = Config::new().overlays(overlays.iter()).analyze(root().join(spec));
    assert!(!a.has_errors() && !a.unreadable, "{spec} {overlays:?}: {:#?}", a.diagnostics);
    a
}

/// Lowers an analysis, keeping the names of `lock`.
fn lower(a: &Analysis, lock: Option<&NameLock>) -> Api {
    lock.map_or_else(Config::new, |l| Config::new().names(l.clone())).lower_from(a, "spec").expect("lowers")
}

/// The version of the client crate (the root package) the diff is about.
fn client_version() -> String {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("the root Cargo.toml");
    let line = manifest.lines().find_map(|l| l.strip_prefix("version = \"")).expect("the root package's version");
    line.trim_end_matches('"').to_string()
}

fn read_lock(path: &Path) -> NameLock {
    NameLock::read(path).unwrap_or_else(|e| panic!("{e}"))
}

fn sorted_changes(report: &Report) -> Vec<(Impact, String)> {
    let mut v: Vec<(Impact, String)> = report.changes().map(|(_, c)| (c.impact, c.kind.to_string())).collect();
    v.sort();
    v
}

/// The Markdown report without its legend (identical in every report).
fn without_legend(md: &str) -> &str {
    md.split("<details>").next().expect("split yields at least one part")
}

struct Case {
    report: Report,
    lock: Option<NameLock>,
    new_api: Api,
    natural_new: Api,
}

fn run_case(dir: &Path, options: Options) -> Case {
    let rel = |f: &str| dir.join(f).strip_prefix(root()).expect("under the root").display().to_string();
    let lock_path = dir.join("names.lock");
    let lock = lock_path.exists().then(|| read_lock(&lock_path));
    let old_doc = doc(&rel("old.yml"), &[]);
    let new_doc = doc(&rel("new.yml"), &[]);
    let old_api = lower(&old_doc, lock.as_ref());
    let new_api = lower(&new_doc, lock.as_ref());
    let natural_new = lower(&new_doc, None);
    let mut report = diff::diff(&old_api, &new_api, options);
    if let Some(l) = &lock {
        report.held = diff::held_names(&natural_new, &new_api, l);
        report.lock = Some(diff::lock_status("names.lock", l, &new_api));
    }
    Case { report, lock, new_api, natural_new }
}

#[test]
fn corpus() {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join(CORPUS))
        .expect("tests/diff exists")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "real-bump")
        .collect();
    dirs.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert_eq!(dirs, listed, "every corpus directory needs exactly one EXPECTED entry (in order)");
    assert!(dirs.len() >= 20, "the corpus has {} pairs", dirs.len());
    let mut failures = Vec::new();
    for (name, bump0, bump1, want) in EXPECTED {
        let case = run_case(&root().join(CORPUS).join(name), Options::default());
        let report = &case.report;
        let mut want: Vec<(Impact, String)> = want.iter().map(|(i, k)| (*i, k.to_string())).collect();
        want.sort();
        let got = sorted_changes(report);
        if got != want {
            failures.push(format!("{name}: changes {got:?}, expected {want:?}"));
        }
        let (g0, g1) = (Bump::needed(report.impact(), true), Bump::needed(report.impact(), false));
        if (g0, g1) != (*bump0, *bump1) {
            failures.push(format!("{name}: bumps {g0:?}/{g1:?}, expected {bump0:?}/{bump1:?}"));
        }
        // The JSON form says the same.
        let json = render::json(report, Some("0.1.0"));
        assert_eq!(json["bump"]["needed"], bump0.as_str(), "{name}: JSON bump");
        assert_eq!(json["impact"].as_str(), report.impact().map(Impact::as_str), "{name}: JSON impact");
        let md = render::markdown(report, Some("0.1.0"));
        insta::assert_snapshot!(format!("diff-{name}"), without_legend(&md));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_lock_keeps_the_name_a_new_schema_would_take() {
    let case = run_case(&root().join(CORPUS).join("27-name-kept-by-lock"), Options::default());
    let lock = case.lock.as_ref().expect("the case has a lock");
    assert_eq!(lock.type_name("/components/schemas/petPost"), Some("PetPost"));
    let names = NameLock::from_api(&case.new_api);
    assert_eq!(names.type_name("/components/schemas/petPost"), Some("PetPost"));
    assert_eq!(names.type_name("/components/schemas/pet_post"), Some("PetPost2"));
    assert_eq!(NameLock::from_api(&case.natural_new).type_name("/components/schemas/petPost"), Some("PetPost2"));
    let held: Vec<(&str, &str, &str, &str)> =
        case.report.held.iter().map(|h| (h.what, h.identity.as_str(), h.locked.as_str(), h.natural.as_str())).collect();
    assert_eq!(held, [("type", "/components/schemas/petPost", "PetPost", "PetPost2")]);
    let status = case.report.lock.as_ref().expect("lock status");
    assert_eq!((status.missing, status.stale), (1, 0), "the new schema is not in the lock yet");
}

#[test]
fn strict_mode_takes_the_cargo_semver_checks_view_of_new_fields() {
    let case = run_case(&root().join(CORPUS).join("15-response-field-added-optional"), Options { strict: true });
    assert_eq!(sorted_changes(&case.report), [(B, "field-added".to_string())]);
    assert_eq!(Bump::needed(case.report.impact(), true), Bump::Minor);
    assert!(render::markdown(&case.report, None).contains("Classified with `--strict`"));
}

#[test]
fn real_spec_against_a_bumped_copy() {
    let lock = read_lock(&root().join(LOCK));
    let new_doc = doc(SPEC, &[OVERLAY, BUMP_OVERLAY]);
    let old_api = lower(lowered_api::analysis(), Some(&lock));
    let new_api = lower(&new_doc, Some(&lock));
    let mut report = diff::diff(&old_api, &new_api, Options::default());
    report.held = diff::held_names(&lower(&new_doc, None), &new_api, &lock);
    report.lock = Some(diff::lock_status(LOCK, &lock, &new_api));

    let got: Vec<(&str, Impact, &str)> = report.changes().map(|(item, c)| (item, c.impact, c.kind)).collect();
    assert_eq!(
        got,
        [
            ("instanceOrg.transfer", A, "operation-added"),
            ("instanceOrgs.get", B, "parameter-required"),
            ("InstanceOrg", A, "field-added"),
            ("InstanceOrgsGetSortField", A, "enum-value-added"),
        ]
    );
    assert!(report.held.is_empty(), "no name needed the lock: {:?}", report.held);
    let status = report.lock.as_ref().expect("lock status");
    // The new operation, its two parameters, and the new field and enum variant.
    assert_eq!((status.missing, status.stale), (5, 0));

    // The client crate is 0.x: a breaking change bumps the minor version.
    let version = client_version();
    let version = version.as_str();
    let parsed = diff::parse_version(version).expect("the crate version is semver");
    assert_eq!(parsed.0, 0, "this test assumes a 0.x crate; from 1.0 the bump is major");
    let json = render::json(&report, Some(version));
    assert_eq!(json["impact"], "breaking");
    assert_eq!(json["bump"]["needed"], "minor");
    assert_eq!(json["bump"]["next_version"], format!("0.{}.0", parsed.1 + 1));
    assert_eq!(json["bump"]["from_1_0"], "major");

    insta::assert_snapshot!("diff-real-bump", render::markdown(&report, Some("0.1.0")));
}

#[test]
fn committed_name_lock_is_up_to_date() {
    let committed = std::fs::read_to_string(root().join(LOCK)).expect("spec/names.lock is committed");
    let lock = NameLock::parse(&committed).expect("spec/names.lock parses");
    let now = NameLock::from_api(&lower(lowered_api::analysis(), Some(&lock)));
    let mut stale: Vec<String> =
        now.differences(&lock).into_iter().map(|d| format!("  new: {} {}", d.0, d.1)).collect();
    stale.extend(lock.differences(&now).into_iter().map(|d| format!("  gone: {} {}", d.0, d.1)));
    assert!(
        stale.is_empty() && now.to_text() == committed,
        "spec/names.lock is not up to date with the spec and overlay:\n{}\nRefresh it on purpose:\n  cargo run -p \
         openapi-clientgen -- lock {SPEC} --overlay {OVERLAY} --out {LOCK}\nand review the diff of the lock.",
        stale.join("\n")
    );
}
