//! The `openapi-clientgen` command line, run as a process: exit statuses,
//! the JSON and text diagnostic formats, and `bundle`, against the real
//! Losant spec (`spec/losant-instance-api-openapi.yml`) and small inputs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::root as repo_root;
use crate::support::{exit_code as code, run_cli as run};

const RAW_SPEC: &str = "spec/losant-instance-api-openapi.yml";
const OVERLAY: &str = "spec/overlay.yml";

/// Parses `--format json` output and checks its shape.
fn diagnostics(out: &Output) -> Vec<Value> {
    let text = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"));
    let items = v.as_array().unwrap_or_else(|| panic!("stdout is not a JSON array:\n{text}")).clone();
    let want: BTreeSet<&str> = ["severity", "code", "message", "file", "line", "column", "pointer", "hint"].into();
    for d in &items {
        let obj = d.as_object().unwrap_or_else(|| panic!("diagnostic is not an object: {d}"));
        let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(keys, want, "diagnostic keys of {d}");
        for k in ["severity", "code", "message", "file", "pointer", "hint"] {
            assert!(obj[k].is_string(), "`{k}` is not a string in {d}");
        }
        for k in ["line", "column"] {
            assert!(obj[k].is_u64(), "`{k}` is not an unsigned integer in {d}");
        }
        assert!(matches!(obj["severity"].as_str(), Some("error" | "warning")), "severity of {d}");
    }
    items
}

fn codes_of<'a>(diags: &'a [Value], severity: &str) -> BTreeSet<&'a str> {
    diags.iter().filter(|d| d["severity"] == severity).filter_map(|d| d["code"].as_str()).collect()
}

/// A scratch file under Cargo's per-target temporary directory.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("scratch file");
    p
}

#[test]
fn lint_raw_spec_reports_errors_as_json() {
    let out = run(&["lint", RAW_SPEC, "--format", "json"]);
    assert_eq!(code(&out), 1, "the raw spec has errors: {}", String::from_utf8_lossy(&out.stderr));
    let diags = diagnostics(&out);

    let dangling: Vec<&Value> = diags.iter().filter(|d| d["code"] == "dangling-ref").collect();
    let mut targets = BTreeSet::new();
    for d in &dangling {
        assert_eq!(d["severity"], "error", "{d}");
        assert_eq!(d["file"], RAW_SPEC, "{d}");
        assert!(d["line"].as_u64().unwrap() > 0, "dangling ref without a line: {d}");
        assert!(d["column"].as_u64().unwrap() > 0, "dangling ref without a column: {d}");
        let pointer = d["pointer"].as_str().unwrap();
        assert!(pointer.ends_with("/$ref"), "pointer {pointer} does not end in /$ref");
        let message = d["message"].as_str().unwrap();
        let target = message
            .strip_prefix("`$ref: ")
            .and_then(|m| m.split('`').next())
            .unwrap_or_else(|| panic!("cannot find the target in {message:?}"));
        assert!(target.starts_with("#/"), "target {target}");
        targets.insert(target.to_string());
    }
    assert_eq!(targets.len(), 36, "distinct dangling-ref targets: {targets:#?}");
    assert_eq!(dangling.len(), 36, "one dangling-ref diagnostic per missing target");

    let warnings = codes_of(&diags, "warning");
    for c in ["null-type", "numeric-string", "pattern-properties", "parameter-without-schema", "default-type-mismatch"]
    {
        assert!(warnings.contains(c), "no `{c}` warning among {warnings:?}");
    }
    for d in &diags {
        assert!(d["line"].as_u64().unwrap() > 0, "diagnostic without a line: {d}");
        assert_eq!(d["file"], RAW_SPEC, "{d}");
    }
}

#[test]
fn lint_text_format_shows_the_offending_source_line() {
    let json = diagnostics(&run(&["lint", RAW_SPEC, "--format", "json"]));
    let first = json.iter().find(|d| d["code"] == "dangling-ref").expect("a dangling ref");
    let line = first["line"].as_u64().unwrap() as usize;
    let column = first["column"].as_u64().unwrap();
    let spec = std::fs::read_to_string(repo_root().join(RAW_SPEC)).expect("spec");
    let source_line = spec.lines().nth(line - 1).expect("line in spec");

    let out = run(&["lint", RAW_SPEC]);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty(), "text diagnostics go to stderr");
    let text = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert!(text.contains("error[dangling-ref]: "), "{text}");
    assert!(text.contains(&format!("{RAW_SPEC}:{line}:{column}")), "no `file:line:column` header in:\n{text}");
    assert!(
        text.contains(&format!("{line} │ {source_line}")),
        "source line {line} {source_line:?} not shown in:\n{text}"
    );
    assert!(text.contains("= hint: "), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when stderr is not a terminal");
    let errors = json.iter().filter(|d| d["severity"] == "error").count();
    let summary = format!("{errors} error(s), {} warning(s)", json.len() - errors);
    assert!(text.trim_end().ends_with(&summary), "summary {summary:?} missing from:\n{text}");
}

#[test]
fn lint_missing_file_exits_2() {
    let out = run(&["lint", "spec/does-not-exist.yml", "--format", "json"]);
    assert_eq!(code(&out), 2);
    let diags = diagnostics(&out);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "io-error");
    assert_eq!(diags[0]["file"], "spec/does-not-exist.yml");

    // A missing overlay is unreadable input too.
    let out = run(&["lint", RAW_SPEC, "--overlay", "spec/no-such-overlay.yml", "--format", "json"]);
    assert_eq!(code(&out), 2);
    assert!(diagnostics(&out).iter().any(|d| d["code"] == "io-error" && d["file"] == "spec/no-such-overlay.yml"));
}

#[test]
fn lint_malformed_yaml_exits_1_with_a_located_syntax_error() {
    let spec = scratch(
        "bad-indent.yml",
        "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n         content: {}\n",
    );
    let spec = spec.to_str().unwrap();
    let out = run(&["lint", spec, "--format", "json"]);
    assert_eq!(code(&out), 1);
    let diags = diagnostics(&out);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "syntax-error");
    assert_eq!(diags[0]["line"], 11, "{}", diags[0]);

    let out = run(&["lint", spec]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("error[syntax-error]"), "{text}");
    assert!(text.contains("11 │          content: {}"), "the bad line is shown:\n{text}");
}

#[test]
fn lint_odd_inputs_never_panic() {
    let cases = [
        ("empty.yml", "", 1),
        ("scalar.yml", "just a string\n", 1),
        ("list.json", "[]\n", 1),
        ("object.json", "{}\n", 1),
        ("paths-scalar.yml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: 5\n", 1),
        ("tab.yml", "openapi: 3.0.3\n\tinfo: x\n", 1),
        ("unclosed.json", "{\"openapi\": \"3.0.3\"", 1),
        (
            "self-ref.yml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}\n",
            1,
        ),
        (
            "root-ref.yml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#'}\n    B: {$ref: '#/'}\n    C: {$ref: '#/components/schemas/%zz'}\n",
            1,
        ),
    ];
    for (name, text, want) in cases {
        let p = scratch(name, text);
        let out = run(&["lint", p.to_str().unwrap(), "--format", "json"]);
        let diags = diagnostics(&out);
        assert_eq!(code(&out), want, "{name}: {diags:#?}");
        assert!(diags.iter().all(|d| d["line"].as_u64().unwrap() > 0), "{name}: {diags:#?}");
    }
}

#[test]
fn bundle_refuses_a_spec_with_errors() {
    let out_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("refused-{}.yml", std::process::id()));
    let _ = std::fs::remove_file(&out_file);
    let out = run(&["bundle", RAW_SPEC, "--out", out_file.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(!out_file.exists(), "bundle wrote {} despite errors", out_file.display());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[dangling-ref]"));
}

#[test]
fn lint_with_the_overlay_is_clean() {
    let out = run(&["lint", RAW_SPEC, "--overlay", OVERLAY, "--format", "json"]);
    let diags = diagnostics(&out);
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "errors after the overlay: {errors:#?}");
    let unmatched: Vec<&Value> = diags.iter().filter(|d| d["code"] == "overlay-target-unmatched").collect();
    assert!(unmatched.is_empty(), "stale overlay actions: {unmatched:#?}");
    assert_eq!(code(&out), 0, "{diags:#?}");
}

#[test]
fn bundle_with_the_overlay_writes_a_spec_that_lints_clean() {
    for ext in ["yml", "json"] {
        let bundled = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bundled-{}.{ext}", std::process::id()));
        let _ = std::fs::remove_file(&bundled);
        let out = run(&["bundle", RAW_SPEC, "--overlay", OVERLAY, "--out", bundled.to_str().unwrap()]);
        assert_eq!(code(&out), 0, "bundle failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&bundled).expect("bundle wrote its output");
        if ext == "json" {
            let v: Value = serde_json::from_str(&text).expect("a .json bundle is JSON");
            assert_eq!(v["openapi"], "3.0.3");
        } else {
            assert!(text.starts_with("openapi: 3.0.3"), "{}", &text[..text.len().min(200)]);
        }

        let out = run(&["lint", bundled.to_str().unwrap(), "--format", "json"]);
        let diags = diagnostics(&out);
        let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
        assert!(errors.is_empty(), "the bundled spec has errors: {errors:#?}");
        assert_eq!(code(&out), 0, "{diags:#?}");
        let _ = std::fs::remove_file(&bundled);
    }
}
