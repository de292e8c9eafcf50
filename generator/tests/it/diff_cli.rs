//! `openapi-clientgen diff` and `openapi-clientgen lock`, run as processes.
//!
//! Exit statuses (both commands): 2 when an input (spec, overlay, lock
//! file, `--crate-version`) cannot be read or is malformed, 1 when a spec has
//! errors after its overlays. Otherwise `diff` exits 0 whatever the changes
//! (the report says how breaking they are: a review tool, not a gate), and
//! `lock --check` exits 1 when the lock is not up to date.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::{exit_code as code, run_cli as run};

const SPEC: &str = "spec/losant-instance-api-openapi.yml";
const OVERLAY: &str = "spec/overlay.yml";
const LOCK: &str = "spec/names.lock";

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(out)))
}

/// A fresh scratch directory under Cargo's per-target temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("diff-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn case(name: &str, file: &str) -> String {
    format!("tests/diff/{name}/{file}")
}

#[test]
fn diff_reports_breaking_changes_in_markdown_and_exits_0() {
    let (old, new) = (case("05-required-parameter-added", "old.yml"), case("05-required-parameter-added", "new.yml"));
    let out = run(&["diff", &old, &new, "--crate-version", "0.1.0"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("## API diff: Pet Store 1.0.0 → 1.0.0\n"), "{md}");
    assert!(md.contains("**Semver: minor bump**, 0.1.0 → 0.2.0 (breaking changes)."), "{md}");
    assert!(md.contains("  - **Breaking**: new required query parameter `owner`"), "{md}");
    assert!(md.contains("<details><summary>How changes are classified</summary>"), "{md}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn diff_as_json_names_the_bump() {
    let (old, new) = (case("11-enum-value-added", "old.yml"), case("11-enum-value-added", "new.yml"));
    let v = json(&run(&["diff", &old, &new, "--format", "json", "--crate-version", "1.4.2"]));
    assert_eq!(v["impact"], "additive");
    assert_eq!(v["bump"]["needed"], "minor");
    assert_eq!(v["bump"]["next_version"], "1.5.0");
    assert_eq!(v["counts"], serde_json::json!({"breaking": 0, "additive": 1, "patch": 0}));
    assert_eq!(v["types"][0]["name"], "PetStatus");
    assert_eq!(v["types"][0]["changes"][0]["kind"], "enum-value-added");
    assert_eq!(v["operations"], serde_json::json!([]));
    // Without a crate version: both rules, no concrete version.
    let v = json(&run(&["diff", &old, &new, "--format", "json"]));
    assert_eq!(v["bump"]["before_1_0"], "patch");
    assert_eq!(v["bump"]["from_1_0"], "minor");
    assert_eq!(v["bump"]["needed"], Value::Null);
    // The same spec on both sides: nothing to bump.
    let v = json(&run(&["diff", &old, &old, "--format", "json"]));
    assert_eq!(v["impact"], Value::Null);
    assert_eq!(v["bump"]["before_1_0"], "none");
}

#[test]
fn diff_applies_shared_and_per_side_overlays_and_the_lock() {
    let out = run(&[
        "diff",
        SPEC,
        SPEC,
        "--overlay",
        OVERLAY,
        "--new-overlay",
        "tests/diff/real-bump/overlay.yml",
        "--lock",
        LOCK,
        "--format",
        "json",
        "--crate-version",
        "0.1.0",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["new"]["version"], "1.30.0");
    assert_eq!(v["impact"], "breaking");
    assert_eq!(v["bump"]["next_version"], "0.2.0");
    assert_eq!(v["lock"]["path"], LOCK);
    assert_eq!(v["lock"]["missing"], 5);
    let ops: Vec<&str> = v["operations"].as_array().expect("array").iter().filter_map(|o| o["id"].as_str()).collect();
    assert_eq!(ops, ["instanceOrg.transfer", "instanceOrgs.get"]);
}

#[test]
fn diff_input_errors_exit_1_or_2() {
    let (old, new) = (case("11-enum-value-added", "old.yml"), case("11-enum-value-added", "new.yml"));
    // A spec that cannot be read: 2.
    let out = run(&["diff", &old, "tests/diff/no-such-dir/new.yml"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    // A spec with errors: 1, with the errors on stderr.
    let out = run(&["diff", &old, "tests/broken-specs/dangling-ref.yml"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("dangling-ref"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    // An overlay that cannot be read: 2.
    assert_eq!(code(&run(&["diff", &old, &new, "--new-overlay", "tests/diff/missing.yml"])), 2);
    // A malformed lock: 2.
    let dir = scratch("bad-lock");
    let bad = dir.join("names.lock");
    std::fs::write(&bad, "{\"version\": 1, \"types\": {\"/a\": \"A\", \"/b\": \"A\"}}").expect("write");
    let out = run(&["diff", &old, &new, "--lock", bad.to_str().expect("UTF-8 path")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("both have the name `A`"), "{}", stderr(&out));
    // A crate version that is not semver: 2.
    let out = run(&["diff", &old, &new, "--crate-version", "one"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--crate-version"), "{}", stderr(&out));
}

#[test]
fn lock_writes_checks_and_honours_the_existing_lock() {
    let dir = scratch("lock");
    let lock = dir.join("names.lock");
    let lock_s = lock.to_str().expect("UTF-8 path");
    let (old, grown) = (case("26-new-schema-takes-a-name", "old.yml"), case("26-new-schema-takes-a-name", "new.yml"));
    let types = |path: &Path| -> Value {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("lock written")).expect("JSON");
        v["types"].clone()
    };

    let out = run(&["lock", &old, "--out", lock_s]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("added type /components/schemas/petPost: PetPost"), "{}", stderr(&out));
    let out = run(&["lock", &old, "--out", lock_s, "--check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("is up to date"), "{}", stdout(&out));

    // The spec grows a schema whose natural name is `PetPost`: the lock is stale.
    let before = std::fs::read_to_string(&lock).expect("lock");
    let out = run(&["lock", &grown, "--out", lock_s, "--check"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("added type /components/schemas/pet_post: PetPost2"), "{}", stdout(&out));
    assert_eq!(std::fs::read_to_string(&lock).expect("lock"), before, "--check writes nothing");

    // Refreshing keeps the locked name and gives the newcomer another.
    let out = run(&["lock", &grown, "--out", lock_s]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(types(&lock)["/components/schemas/petPost"], "PetPost");
    assert_eq!(types(&lock)["/components/schemas/pet_post"], "PetPost2");

    // --fresh records the spec's own names: a rename on purpose, visible in the output.
    let out = run(&["lock", &grown, "--out", lock_s, "--fresh"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("renamed type /components/schemas/petPost: PetPost -> PetPost2"), "{}", stderr(&out));
    assert_eq!(types(&lock)["/components/schemas/petPost"], "PetPost2");

    // Errors: a spec with errors is 1, a spec that cannot be read is 2; neither writes.
    assert_eq!(code(&run(&["lock", "tests/broken-specs/dangling-ref.yml", "--out", lock_s])), 1);
    assert_eq!(code(&run(&["lock", "tests/diff/missing.yml", "--out", lock_s])), 2);
    assert_eq!(types(&lock)["/components/schemas/petPost"], "PetPost2");
}

#[test]
fn committed_lock_passes_check() {
    let out = run(&["lock", SPEC, "--overlay", OVERLAY, "--out", LOCK, "--check"]);
    assert_eq!(code(&out), 0, "spec/names.lock is stale:\n{}", stdout(&out));
}
