//! One insta snapshot per operation of the real spec (+ overlay): the code
//! `openapi_clientgen::generate` emits for it (resource accessor method and
//! request builder), named after method and path, e.g.
//! `operations__op__GET__instances_{instanceId}_orgs.snap`.
//!
//! The same code is compiled as part of this crate (`include!` in
//! `generated-client/lib.rs`), so a snapshot cannot describe code that does
//! not build. Besides the snapshots, every operation is checked against the
//! official client's route table (`spec/reference/losant-schemas/apiInfo.json`):
//! the overlay's `resource.action` names must be the official ones, with the
//! official method and path.
//!
//! Update with `INSTA_UPDATE=always cargo test --test operations`, then read
//! every changed `.snap`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use openapi_clientgen::ir::{Operation, ParamIn};
use openapi_clientgen::{Config, Generated};
use serde_json::Value;

const SPEC: &str = "spec/losant-instance-api-openapi.yml";
const OVERLAY: &str = "spec/overlay.yml";
const API_INFO: &str = "spec/reference/losant-schemas/apiInfo.json";
/// The operations of the Losant Enterprise Instance API spec.
const OPERATIONS: usize = 46;

/// The client generated once for all tests of this file.
fn generated() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(generate_fresh)
}

fn generate_fresh() -> Generated {
    let analysis = Config::new().overlay(PathBuf::from(OVERLAY)).analyze(Path::new(SPEC));
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    Config::new().generate_from(&analysis, SPEC).expect("the spec generates")
}

/// `GET /instances/{instanceId}/orgs` -> `op__GET__instances_{instanceId}_orgs`.
fn snapshot_name(op: &Operation) -> String {
    format!("op__{}__{}", op.method, op.path.trim_start_matches('/').replace('/', "_"))
}

#[test]
fn every_operation_has_a_code_snapshot() {
    let g = generated();
    assert_eq!(g.api.operations.len(), OPERATIONS);
    assert_eq!(g.operations.len(), OPERATIONS, "one code block per operation");
    let names: BTreeSet<String> = g.api.operations.iter().map(snapshot_name).collect();
    assert_eq!(names.len(), OPERATIONS, "snapshot names are distinct");
    for op in &g.api.operations {
        let key = format!("{} {}", op.method, op.path);
        let code = g.operations.get(&key).unwrap_or_else(|| panic!("no code for {key}"));
        // The code is the operation's own: its id, method, path and accessor.
        assert!(code.contains(&format!(".operation_id(\"{}\")", op.id)), "{key}: operation id missing");
        assert!(code.contains(&format!("reqwest::Method::{}", op.method)), "{key}: method missing");
        assert!(code.contains(&format!("\"{}\"", op.path)), "{key}: path template missing");
        assert!(code.contains(&format!("pub fn {}(", op.action)), "{key}: accessor `{}` missing", op.action);
        insta::with_settings!({ description => format!("{} ({key})", op.id), omit_expression => true }, {
            insta::assert_snapshot!(snapshot_name(op), code);
        });
    }
}

/// Every operation's rustdoc names its method and path, every parameter,
/// the success type and the errors.
#[test]
fn operation_docs_cover_method_path_params_success_and_errors() {
    let g = generated();
    for op in &g.api.operations {
        let code = &g.operations[&format!("{} {}", op.method, op.path)];
        let docs: String =
            code.lines().filter_map(|l| l.trim().strip_prefix("///")).map(|l| format!("{}\n", l.trim())).collect();
        assert!(docs.contains(&format!("`{} {}` (operation `{}`)", op.method, op.path, op.id)), "{}", op.id);
        for p in &op.params {
            let how = if p.required { "argument" } else { "setter" };
            assert!(docs.contains(&format!("- `{}` ({how}): `{}`", p.name, p.wire)), "{}: {}", op.id, p.wire);
        }
        assert!(docs.contains(&format!("Success: {} with `", op.success.0)), "{}: success type", op.id);
        assert!(docs.contains("Errors: [`Error::Api`]"), "{}: errors", op.id);
        for (code, _) in &op.errors {
            assert!(docs.contains(&format!("- {code}: ")), "{}: error {code}", op.id);
        }
        if op.params.iter().any(|p| !p.validation.is_empty()) {
            assert!(docs.contains("[`Error::InvalidParameter`]"), "{}: validation errors", op.id);
        }
    }
}

/// The overlay gives every operation the official client's `resource.action`
/// name; the official route table agrees on method, path and parameters.
#[test]
fn operation_ids_are_the_official_clients() {
    let info: Value = serde_json::from_str(&std::fs::read_to_string(API_INFO).expect("apiInfo.json")).unwrap();
    let g = generated();
    let mut ids = BTreeSet::new();
    for op in &g.api.operations {
        assert!(ids.insert(op.id.clone()), "duplicate operation id {}", op.id);
        let (resource, action) = op.id.split_once('.').unwrap_or_else(|| panic!("{} is not resource.action", op.id));
        let res = &info[resource];
        let act = &res["actions"][action];
        assert!(act.is_object(), "{} is not an action of the official client", op.id);
        assert_eq!(act["method"].as_str(), Some(op.method.as_str()), "{}: method", op.id);
        let path = format!("{}{}", res["path"].as_str().unwrap(), act["path"].as_str().unwrap_or(""));
        assert_eq!(path, op.path, "{}: path", op.id);
        // Snake-case accessors: `instanceOrgs.get` -> `client.instance_orgs().get(..)`.
        assert_eq!(op.resource, to_snake(resource), "{}", op.id);
        assert_eq!(op.action, to_snake(action), "{}", op.id);
        // Query parameters are the official ones (the body is one `in: body` param there).
        let official: BTreeSet<&str> = act["params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let ours: BTreeSet<&str> =
            op.params.iter().filter(|p| p.location == ParamIn::Query).map(|p| p.wire.as_str()).collect();
        assert_eq!(ours, official, "{}: query parameters", op.id);
        let official_body = act["params"].as_array().into_iter().flatten().find(|p| p["in"] == "body");
        assert_eq!(op.body.is_some(), official_body.is_some(), "{}: request body", op.id);
        if let (Some((_, required)), Some(b)) = (&op.body, official_body) {
            assert_eq!(*required, b["required"] == true, "{}: body required", op.id);
        }
    }
    assert_eq!(ids.len(), OPERATIONS);
}

fn to_snake(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every list operation with `page` and `perPage` streams all items across pages.
#[test]
fn every_paged_list_operation_has_a_stream_helper() {
    let g = generated();
    let mut paged = Vec::new();
    for op in &g.api.operations {
        let query = |n: &str| op.params.iter().any(|p| p.location == ParamIn::Query && p.wire == n);
        let code = &g.operations[&format!("{} {}", op.method, op.path)];
        let has_stream = code.contains("pub fn stream(");
        assert_eq!(query("page") && query("perPage"), has_stream, "{}", op.id);
        assert_eq!(op.paginated.is_some(), has_stream, "{}", op.id);
        if has_stream {
            paged.push(op.id.as_str());
        }
    }
    assert_eq!(
        paged,
        [
            "instanceApiTokens.get",
            "instanceAuditLogs.get",
            "instanceCustomNodes.get",
            "instanceNotificationRules.get",
            "instanceOrgs.get",
            "instances.get"
        ]
    );
}

/// Generation is deterministic: the same input gives the same bytes.
#[test]
fn generating_twice_gives_identical_code() {
    let (a, b) = (generated(), generate_fresh());
    assert_eq!(a.code, b.code);
    assert_eq!(a.operations, b.operations);
}
