//! One insta snapshot per operation of the real spec (+ overlay): the code
//! `openapi_clientgen::generate` emits for it (resource accessor method and
//! request builder), named after method and path, e.g.
//! `it__operations__op__GET__instances_{instanceId}_orgs.snap`.
//!
//! The same code is compiled as the root package (`include!` in
//! `generated-client/lib.rs`; `tests/it/build_rs.rs` checks it is the same),
//! so a snapshot cannot describe code that does not build. Besides the snapshots, the operations are checked against the
//! official client's route table (`spec/reference/losant-schemas/apiInfo.json`),
//! both ways: all of its Enterprise Instance actions, and nothing else, under
//! the official `resource.action` names, methods, paths, bodies and query
//! parameters (names, types and defaults).
//!
//! Update with `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- operations::`, then read
//! every changed `.snap`.

use std::collections::{BTreeMap, BTreeSet};

use openapi_clientgen::ir::{Api, Operation, Param, ParamIn, QueryStyle, TypeKind, TypeRef, TypeSpace};
use serde_json::Value;

use crate::support::lowered_api::{generate, generated};
use crate::support::root;

const API_INFO: &str = "spec/reference/losant-schemas/apiInfo.json";
/// The operations of the client: the 46 of the published spec and the 16
/// Enterprise Instance actions of the official client the overlay restores.
const OPERATIONS: usize = 62;

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

/// The official route table and the generated client agree both ways: every
/// Enterprise Instance action of `apiInfo.json` (every action of a resource
/// whose name starts with `instance`) is a generated operation under its
/// `resource.action` id, and every generated operation is one of them, with
/// the official method, full path, body and query parameters (names, types,
/// defaults; see [`route_table_differences`]).
#[test]
fn operations_are_the_official_route_tables_instance_actions() {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(API_INFO)).expect("apiInfo.json")).unwrap();
    let g = generated();
    let actions = official_instance_actions(&info);
    assert_eq!(actions.len(), OPERATIONS, "apiInfo.json has {OPERATIONS} Enterprise Instance actions");
    let differences = route_table_differences(&info, &g.api);
    assert!(differences.is_empty(), "the generated client differs from apiInfo.json:\n{}", differences.join("\n"));
    // Snake-case accessors: `instanceOrgs.get` -> `client.instance_orgs().get(..)`.
    for op in &g.api.operations {
        let (resource, action) = op.id.split_once('.').expect("resource.action");
        assert_eq!(op.resource, to_snake(resource), "{}", op.id);
        assert_eq!(op.action, to_snake(action), "{}", op.id);
    }
}

/// The checker of the test above notices every kind of difference (else that
/// test could not fail): a missing action, a wrong method or path, a missing,
/// extra or retyped query parameter, a changed default, a missing body.
#[test]
fn route_table_check_detects_differences() {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(API_INFO)).expect("apiInfo.json")).unwrap();
    let api = &generated().api;
    let mutated = |id: &str, change: &dyn Fn(&mut Operation)| {
        let mut api = api.clone();
        let op = api.operations.iter_mut().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"));
        change(op);
        route_table_differences(&info, &api)
    };
    let query = |op: &mut Operation, wire: &str| -> usize {
        op.params.iter().position(|p| p.location == ParamIn::Query && p.wire == wire).expect("query parameter")
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("instanceOrg.get: not generated", {
            let mut api = api.clone();
            api.operations.retain(|o| o.id != "instanceOrg.get");
            route_table_differences(&info, &api)
        }),
        ("instanceOrg.fetch: not an action", mutated("instanceOrg.get", &|op| op.id = "instanceOrg.fetch".into())),
        ("instance.payloadCounts: method POST", mutated("instance.payloadCounts", &|op| op.method = "POST".into())),
        (
            "instanceSandbox.deviceCounts: path",
            mutated("instanceSandbox.deviceCounts", &|op| op.path = op.path.replace("deviceCounts", "devicecounts")),
        ),
        (
            "instanceCustomNode.stats: query parameter `resolution`: type",
            mutated("instanceCustomNode.stats", &|op| {
                let i = query(op, "resolution");
                op.params[i].ty = TypeRef::String;
            }),
        ),
        (
            "instance.payloadCountsBreakdown: query parameter `asBytes`: type",
            mutated("instance.payloadCountsBreakdown", &|op| {
                let i = query(op, "asBytes");
                op.params[i].ty = TypeRef::String;
            }),
        ),
        (
            "instance.historicalSummaries: query parameter `sortField`: type",
            mutated("instance.historicalSummaries", &|op| {
                let i = query(op, "sortField");
                op.params[i].ty = TypeRef::String;
            }),
        ),
        (
            "instanceOrg.deviceCounts: query parameter `end`: default",
            mutated("instanceOrg.deviceCounts", &|op| {
                let i = query(op, "end");
                op.params[i].default = None;
            }),
        ),
        (
            "instanceSandbox.get: query parameters",
            mutated("instanceSandbox.get", &|op| {
                let i = query(op, "summaryExclude");
                op.params.remove(i);
            }),
        ),
        (
            "instance.get: query parameters",
            mutated("instance.get", &|op| {
                let mut extra = op.params[0].clone();
                (extra.wire, extra.location) = ("summaryInclude".into(), ParamIn::Query);
                op.params.push(extra);
            }),
        ),
        ("instance.patch: request body", mutated("instance.patch", &|op| op.body = None)),
    ];
    for (expected, found) in cases {
        assert!(found.iter().any(|d| d.starts_with(expected)), "not detected: {expected}\nfound: {found:#?}");
    }
}

/// The official client's per-call options, on every action but not in
/// `apiInfo.json` (spec/reference/README.md, "Wire facts of the official
/// client"): overrides of the `_actions` / `_links` / `_embedded` defaults.
const PER_CALL_QUERY: [&str; 3] = ["_actions", "_links", "_embedded"];

/// `(resource, action)` -> the action's entry, for every action of every
/// `instance*` resource of the route table.
fn official_instance_actions(info: &Value) -> BTreeMap<String, (&str, &Value)> {
    let resources = info.as_object().expect("apiInfo.json is an object of resources");
    let mut out = BTreeMap::new();
    for (resource, res) in resources.iter().filter(|(r, _)| r.starts_with("instance")) {
        for (action, act) in res["actions"].as_object().expect("actions") {
            out.insert(format!("{resource}.{action}"), (resource.as_str(), act));
        }
    }
    out
}

/// Every difference between the route table's Enterprise Instance actions and
/// `api`, one line each, starting with the operation id.
///
/// A query parameter's type is compared with what `apiInfo.json`, a Swagger 2
/// table in which every scalar query parameter is `type: string`, says about
/// its value ([`QueryKind::official`]); its default must be the official one.
fn route_table_differences(info: &Value, api: &Api) -> Vec<String> {
    let official = official_instance_actions(info);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for op in &api.operations {
        let id = &op.id;
        if !seen.insert(id.as_str()) {
            out.push(format!("{id}: generated twice"));
        }
        let Some((resource, act)) = official.get(id) else {
            out.push(format!("{id}: not an action of the official client"));
            continue;
        };
        if act["method"].as_str() != Some(op.method.as_str()) {
            out.push(format!("{id}: method {} (official {})", op.method, act["method"]));
        }
        let path = format!("{}{}", info[resource]["path"].as_str().unwrap_or(""), act["path"].as_str().unwrap_or(""));
        if path != op.path {
            out.push(format!("{id}: path {} (official {path})", op.path));
        }
        let params = act["params"].as_array().map(Vec::as_slice).unwrap_or_default();
        let official_query: BTreeMap<&str, &Value> =
            params.iter().filter(|p| p["in"] == "query").filter_map(|p| Some((p["name"].as_str()?, p))).collect();
        let ours: BTreeMap<&str, &Param> = op
            .params
            .iter()
            .filter(|p| p.location == ParamIn::Query && !PER_CALL_QUERY.contains(&p.wire.as_str()))
            .map(|p| (p.wire.as_str(), p))
            .collect();
        if ours.keys().ne(official_query.keys()) {
            out.push(format!(
                "{id}: query parameters {:?} (official {:?})",
                ours.keys().collect::<Vec<_>>(),
                official_query.keys().collect::<Vec<_>>()
            ));
        }
        for (name, p) in &ours {
            let Some(o) = official_query.get(name) else { continue };
            let (theirs, mine) = (QueryKind::official(o), QueryKind::generated(&api.types, p));
            if theirs != mine {
                out.push(format!("{id}: query parameter `{name}`: type {mine:?} (official {theirs:?})"));
            }
            if p.default.as_ref().map(plain) != o.get("default").map(plain) {
                out.push(format!(
                    "{id}: query parameter `{name}`: default {:?} (official {})",
                    p.default, o["default"]
                ));
            }
            if p.required != (o["required"] == true) {
                out.push(format!("{id}: query parameter `{name}`: required {}", p.required));
            }
        }
        for p in op.params.iter().filter(|p| PER_CALL_QUERY.contains(&p.wire.as_str())) {
            if p.location != ParamIn::Query || p.ty != TypeRef::Boolean || p.required {
                out.push(format!("{id}: per-call option `{}` is not an optional boolean query parameter", p.wire));
            }
        }
        let official_body = params.iter().find(|p| p["in"] == "body");
        match (&op.body, official_body) {
            (Some((_, required)), Some(b)) if *required != (b["required"] == true) => {
                out.push(format!("{id}: request body required {required}"))
            }
            (Some(_), None) | (None, Some(_)) => out.push(format!("{id}: request body {}", op.body.is_some())),
            _ => {}
        }
    }
    for id in official.keys().filter(|id| !seen.contains(id.as_str())) {
        out.push(format!("{id}: not generated"));
    }
    out
}

/// A default as text: apiInfo.json gives `resolution`'s default as the
/// number 86400000 where its enum (and ours) has the string "86400000".
fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// What a query parameter's value is.
#[derive(Debug, PartialEq)]
enum QueryKind {
    String,
    Integer,
    Boolean,
    /// A string enum of these wire values.
    Enum(Vec<String>),
    /// An object sent as one JSON string (`?query={...}`).
    Json,
    /// An object sent in bracket notation (`?auditLogFilter[key]=value`).
    DeepObject,
    /// Anything else (never official).
    Other(String),
}

impl QueryKind {
    /// From `apiInfo.json`: `type: string` with an `enum` is that enum, with
    /// an integer default an integer (`page`, `limit`, `duration`, ...), with
    /// a boolean default a boolean (`asBytes`), else a string; `type: object`
    /// is sent as JSON; a `schema` without `type` (`auditLogFilter`) in
    /// bracket notation.
    fn official(p: &Value) -> QueryKind {
        match (p["type"].as_str(), p.get("enum").and_then(Value::as_array), p.get("default")) {
            (Some("string"), Some(values), _) => QueryKind::Enum(values.iter().map(plain).collect()),
            (Some("string"), None, Some(Value::Number(n))) if n.is_i64() || n.is_u64() => QueryKind::Integer,
            (Some("string"), None, Some(Value::Bool(_))) => QueryKind::Boolean,
            (Some("string"), None, _) => QueryKind::String,
            (Some("object"), _, _) => QueryKind::Json,
            (None, _, _) if p["schema"].is_object() => QueryKind::DeepObject,
            (t, _, _) => QueryKind::Other(format!("type {t:?}")),
        }
    }

    /// From the generated parameter: its style and Rust type.
    fn generated(types: &TypeSpace, p: &Param) -> QueryKind {
        match (p.style, &p.ty) {
            (QueryStyle::Json, _) => QueryKind::Json,
            (QueryStyle::DeepObject, _) => QueryKind::DeepObject,
            (_, TypeRef::String) => QueryKind::String,
            (_, TypeRef::Integer(_)) => QueryKind::Integer,
            (_, TypeRef::Boolean) => QueryKind::Boolean,
            (_, TypeRef::Named(t)) => match &types.get(*t).kind {
                TypeKind::Enum { variants } => QueryKind::Enum(variants.iter().map(|(_, w)| w.clone()).collect()),
                TypeKind::Newtype { .. } => QueryKind::String,
                other => QueryKind::Other(format!("{other:?}")),
            },
            (_, other) => QueryKind::Other(format!("{other:?}")),
        }
    }
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
            "instance.historicalSummaries",
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
    let (a, b) = (generated(), generate());
    assert_eq!(a.code, b.code);
    assert_eq!(a.operations, b.operations);
}
