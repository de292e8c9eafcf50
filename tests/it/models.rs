//! The generated types (`losant_instance_api::types`) against real-shaped JSON.
//!
//! Neither the spec nor Losant's reference schemas
//! (`spec/reference/losant-schemas/*.json`) carry a full `example` object
//! (the only `example`s are on operation parameters, and are checked here
//! against their parameter types). So every reference schema is turned into
//! realistic instances: every property present, one entry per pattern key,
//! every `oneOf` alternative in turn (instance `k` takes alternative `k`), and
//! values that satisfy the schema's formats, patterns and limits. Each instance
//! must decode into the component's Rust type and encode back to the same JSON.
//!
//! "The same JSON" is `serde_json::Value` equality after two normalizations
//! that do not change what the JSON means: numbers compare by value (`12` and
//! `12.0` are one JSON number; `type: number` fields are `f64`), and date-time
//! strings compare as instants (Losant writes `2016-06-13T04:00:00.000Z`, chrono
//! writes `2016-06-13T04:00:00Z`). Everything else (keys present, absent keys
//! staying absent, strings, enum values) must match exactly.
//!
//! Forward compatibility is checked on the same instances: unknown fields added
//! to every object still decode, and unknown values in every enum decode and
//! survive the round trip. A type reachable from a response keeps every member
//! it does not declare (its `unknown_fields`), so its instances round-trip
//! whole; a request-only type is never decoded from a server and drops them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use losant_instance_api::types;
use losant_instance_api::Patch;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::support::lowered_api;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec/reference/losant-schemas")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// Instances from reference schemas.

/// How an instance is built.
#[derive(Clone, Copy)]
struct Mode {
    /// Which alternative of each `oneOf` (modulo its length), and which enum value.
    variant: usize,
    /// Add a field the schema does not know to every fixed-shape object.
    unknown_fields: bool,
    /// Replace every enum value with one the schema does not know.
    unknown_enums: bool,
    /// Only the required properties: what is absent must stay absent.
    minimal: bool,
}

const UNKNOWN_ENUM: &str = "someFutureValue";
const UNKNOWN_FIELD: &str = "someFutureField";

struct Synth {
    dir: PathBuf,
}

impl Synth {
    /// A realistic value for `schema`; `hint` is the property name it is for.
    fn value(&self, schema: &Value, hint: &str, mode: Mode, depth: usize) -> Value {
        assert!(depth < 24, "schema nesting too deep at {hint}");
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return self.value(&self.resolve(r), hint, mode, depth + 1);
        }
        for kw in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(kw).and_then(Value::as_array) {
                // Alternatives that only constrain this object (`anyOf: [{required: [email]},
                // {required: [userId]}]`) are satisfied by an instance with every property.
                if branches.iter().all(|b| b.as_object().is_some_and(|o| o.keys().all(|k| k == "required"))) {
                    continue;
                }
                // `null` alternatives are left out: a response's `null` decodes to `None`,
                // which is absent when encoded again (checked separately below).
                let non_null: Vec<&Value> =
                    branches.iter().filter(|b| b.get("type").and_then(Value::as_str) != Some("null")).collect();
                let pick = non_null[mode.variant % non_null.len()];
                return self.value(pick, hint, mode, depth + 1);
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            if mode.unknown_enums && values.iter().all(Value::is_string) {
                return json!(UNKNOWN_ENUM);
            }
            return values[mode.variant % values.len()].clone();
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => self.object(schema, mode, depth),
            Some("array") => {
                let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(2);
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1);
                let n = min.max(1).min(max).min(2);
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                Value::Array(
                    (0..n)
                        .map(|i| {
                            let m = Mode { variant: mode.variant + i as usize, ..mode };
                            self.value(&items, hint, m, depth + 1)
                        })
                        .collect(),
                )
            }
            Some("string") => json!(string_for(schema, hint)),
            Some("integer") => json!(clamp(schema, 42.0) as i64),
            // Integer-valued on purpose for even variants: counts are `number`s in Losant's schemas.
            Some("number") => json!(clamp(schema, if mode.variant % 2 == 0 { 12.0 } else { 12.5 })),
            Some("boolean") => json!(mode.variant % 2 == 0),
            Some("null") => Value::Null,
            None if schema.get("properties").is_some() => self.object(schema, mode, depth),
            None => json!("any JSON value"),
            Some(other) => panic!("type {other} at {hint}"),
        }
    }

    fn object(&self, schema: &Value, mode: Mode, depth: usize) -> Value {
        let mut out = Map::new();
        let required: Vec<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        for (k, s) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if !mode.minimal || required.contains(&k.as_str()) {
                out.insert(k.clone(), self.value(s, k, mode, depth + 1));
            }
        }
        let patterns = schema.get("patternProperties").and_then(Value::as_object).filter(|_| !mode.minimal);
        for (pat, s) in patterns.into_iter().flatten() {
            out.insert(key_for(pat), self.value(s, pat, mode, depth + 1));
        }
        let extra_schema = schema.get("additionalProperties").filter(|a| a.is_object());
        if let Some(s) = extra_schema {
            if patterns.is_none() && !mode.minimal {
                out.insert("extraKey".into(), self.value(s, "extraKey", mode, depth + 1));
            }
        }
        // Objects whose other keys are a map (pattern or additional properties), and
        // free-form objects (no properties), have no "unknown" field: any key is an entry.
        let fixed = schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
        if mode.unknown_fields && fixed && patterns.is_none() && extra_schema.is_none() {
            out.insert(UNKNOWN_FIELD.into(), json!({"nested": [1, "two"], "flag": true}));
        }
        Value::Object(out)
    }

    /// Losant's schemas have two refs to `#/definitions/<collection>` that their files do
    /// not define: the items of a collection, which are the singular schema's file.
    fn resolve(&self, r: &str) -> Value {
        let name = r.strip_prefix("#/definitions/").unwrap_or_else(|| panic!("unexpected ref {r}"));
        let singular = name.strip_suffix('s').unwrap_or(name);
        load(&self.dir.join(format!("{singular}.json")))
    }
}

/// A string that satisfies the schema's format, pattern and length limits.
fn string_for(schema: &Value, hint: &str) -> String {
    let s = match (schema.get("format").and_then(Value::as_str), schema.get("pattern").and_then(Value::as_str)) {
        (_, Some(r"^[A-Fa-f\d]{24}$")) => "575ec8687ae143cd83dc4a97".to_string(),
        (_, Some(r"^[0-9a-zA-Z_-]{1,255}$")) => "floor_2-west".to_string(),
        (_, Some(r"^data:image/(jpg|jpeg|png|svg\+xml);base64,[0-9a-zA-Z+/=]*$")) => {
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=".to_string()
        }
        (_, Some(r"^(0|([1-9]\d*))\.(0|([1-9]\d*))\.(0|([1-9]\d*))$")) => "1.12.0".to_string(),
        (_, Some(p)) => panic!("no sample value for pattern {p} ({hint}): add one"),
        (Some("date-time"), _) => "2016-06-13T04:00:00.000Z".to_string(),
        (Some("email"), _) => "ops@example.com".to_string(),
        (Some("uri"), _) => "https://hooks.example.com/losant/notify".to_string(),
        _ => format!("{hint} value"),
    };
    let max = schema.get("maxLength").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let mut s: String = s.chars().take(max).collect();
    while s.chars().count() < min {
        s.push('x');
    }
    s
}

fn key_for(pattern: &str) -> String {
    match pattern {
        r"^[A-Fa-f\d]{24}$" => "575ed70c7ae143cd83dc4aa9".into(),
        ".*" => "2016-06-13".into(),
        other => panic!("no sample key for pattern {other}: add one"),
    }
}

fn clamp(schema: &Value, v: f64) -> f64 {
    let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(f64::MIN);
    let max = schema.get("maximum").and_then(Value::as_f64).unwrap_or(f64::MAX);
    v.max(min).min(max)
}

/// The largest `oneOf`/`anyOf` in a schema: how many instances cover every alternative.
fn alternatives(schema: &Value) -> usize {
    match schema {
        Value::Object(m) => {
            let here = ["oneOf", "anyOf"]
                .iter()
                .filter_map(|k| m.get(*k).and_then(Value::as_array).map(Vec::len))
                .max()
                .unwrap_or(1);
            m.values().map(alternatives).max().unwrap_or(1).max(here)
        }
        Value::Array(a) => a.iter().map(alternatives).max().unwrap_or(1),
        _ => 1,
    }
}

// ---------------------------------------------------------------------------
// Comparison.

/// `v` with numbers as f64 and date-time strings in one spelling (see the module docs).
fn canonical(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().expect("finite")),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => json!(format!("instant:{}", t.timestamp_nanos_opt().expect("in range"))),
            Err(_) => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), canonical(v))).collect()),
        Value::Null | Value::Bool(_) => v.clone(),
    }
}

/// Removes the injected unknown fields.
fn without_unknown_fields(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(without_unknown_fields).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| *k != UNKNOWN_FIELD)
                .map(|(k, v)| (k.clone(), without_unknown_fields(v)))
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// The first place two values differ, for failure messages.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &format!("{at}/{k}")) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{at}/{k}: {p:?} became {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}/{i}")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {a} became {b}")),
    }
}

/// Decodes `input` as `T` and encodes it again.
fn round_trip<T: DeserializeOwned + Serialize>(input: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(input.clone()).map_err(|e| format!("does not decode: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("does not encode: {e}"))
}

type RoundTrip = fn(&Value) -> Result<Value, String>;

macro_rules! cases {
    ($($component:literal => $ty:ty),* $(,)?) => {
        vec![$(($component, round_trip::<$ty> as RoundTrip)),*]
    };
}

/// Component (reference file name) -> its Rust type.
fn cases() -> Vec<(&'static str, RoundTrip)> {
    cases![
        "apiToken" => types::ApiToken,
        "apiTokenPatch" => types::ApiTokenPatch,
        "apiTokenPost" => types::ApiTokenPost,
        "deviceCounts" => types::DeviceCounts,
        "error" => types::ErrorModel,
        "flow" => types::Flow,
        "flowErrors" => types::FlowErrors,
        "flowPost" => types::FlowPost,
        "flowStats" => types::FlowStats,
        "historicalSummaries" => types::HistoricalSummaries,
        "historicalSummary" => types::HistoricalSummary,
        "instance" => types::Instance,
        "instanceAuditLog" => types::InstanceAuditLog,
        "instanceAuditLogFilter" => types::InstanceAuditLogFilter,
        "instanceAuditLogs" => types::InstanceAuditLogs,
        "instanceCustomNode" => types::InstanceCustomNode,
        "instanceCustomNodePatch" => types::InstanceCustomNodePatch,
        "instanceCustomNodePost" => types::InstanceCustomNodePost,
        "instanceCustomNodes" => types::InstanceCustomNodes,
        "instanceMember" => types::InstanceMember,
        "instanceMemberPatch" => types::InstanceMemberPatch,
        "instanceMemberPost" => types::InstanceMemberPost,
        "instanceMembers" => types::InstanceMembers,
        "instanceOrg" => types::InstanceOrg,
        "instanceOrgMember" => types::InstanceOrgMember,
        "instanceOrgMemberPatch" => types::InstanceOrgMemberPatch,
        "instanceOrgMemberPost" => types::InstanceOrgMemberPost,
        "instanceOrgMembers" => types::InstanceOrgMembers,
        "instanceOrgPatch" => types::InstanceOrgPatch,
        "instanceOrgPost" => types::InstanceOrgPost,
        "instanceOrgs" => types::InstanceOrgs,
        "instancePatch" => types::InstancePatch,
        "instanceReportOptionsPost" => types::InstanceReportOptionsPost,
        "instanceSandbox" => types::InstanceSandbox,
        "instanceSandboxes" => types::InstanceSandboxes,
        "instances" => types::Instances,
        "jobEnqueuedResult" => types::JobEnqueuedResult,
        "me" => types::Me,
        "notebookMinuteCounts" => types::NotebookMinuteCounts,
        "notificationRule" => types::NotificationRule,
        "notificationRuleDeliveryLogs" => types::NotificationRuleDeliveryLogs,
        "notificationRuleEvaluationOptions" => types::NotificationRuleEvaluationOptions,
        "notificationRulePatch" => types::NotificationRulePatch,
        "notificationRulePost" => types::NotificationRulePost,
        "notificationRules" => types::NotificationRules,
        "org" => types::Org,
        "orgInvite" => types::OrgInvite,
        "orgInviteCollection" => types::OrgInviteCollection,
        "orgInvitePost" => types::OrgInvitePost,
        "orgRoleInfo" => types::OrgRoleInfo,
        "payloadCountsBreakdown" => types::PayloadCountsBreakdown,
        "payloadStats" => types::PayloadStats,
        "success" => types::Success,
    ]
}

/// Whether the component's type is reachable from a response: then it keeps the
/// members it does not declare (`unknown_fields`).
fn keeps_unknown_members(component: &str) -> bool {
    static API: std::sync::OnceLock<openapi_clientgen::ir::Api> = std::sync::OnceLock::new();
    let api = API.get_or_init(lowered_api::api);
    let pointer = format!("/components/schemas/{component}");
    api.types.types.iter().find(|d| d.pointer == pointer).is_some_and(|d| d.in_response)
}

/// The overlay adds `flow`, `flowPost` and `me` as partial schemas (only what other
/// schemas refer to; no operation of this API sends or returns them): the instances
/// of a request-only type keep only the properties the partial schema declares.
fn declared_part(component: &str, v: &Value) -> Value {
    if keeps_unknown_members(component) {
        return v.clone();
    }
    let schema = &lowered_api::doc()["components"]["schemas"][component];
    let partial = schema["title"].as_str().is_some_and(|t| t.ends_with("(partial)"));
    match (partial, v) {
        (true, Value::Object(m)) => {
            let props = schema["properties"].as_object().expect("a partial schema has properties");
            Value::Object(
                m.iter().filter(|(k, _)| props.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect(),
            )
        }
        _ => v.clone(),
    }
}

fn decode_and_validate<T: DeserializeOwned>(
    input: &Value,
    validate: fn(&T) -> Result<(), losant_instance_api::InvalidValue>,
) -> Result<(), String> {
    let typed: T = serde_json::from_value(input.clone()).map_err(|e| format!("does not decode: {e}"))?;
    validate(&typed).map_err(|e| e.to_string())
}

macro_rules! validated {
    ($($component:literal => $ty:ident),* $(,)?) => {
        vec![$(($component, (|v: &Value| decode_and_validate::<types::$ty>(v, types::$ty::validate)) as fn(&Value) -> Result<(), String>)),*]
    };
}

/// Every instance of a request schema (which meets the reference schema's limits)
/// passes the generated `validate()`: it rejects nothing the server accepts.
#[test]
fn reference_request_instances_pass_validate() {
    let dir = reference_dir();
    let synth = Synth { dir: dir.clone() };
    let cases = validated![
        "apiTokenPatch" => ApiTokenPatch,
        "apiTokenPost" => ApiTokenPost,
        "instanceAuditLogFilter" => InstanceAuditLogFilter,
        "instanceCustomNodePatch" => InstanceCustomNodePatch,
        "instanceCustomNodePost" => InstanceCustomNodePost,
        "instanceMemberPatch" => InstanceMemberPatch,
        "instanceMemberPost" => InstanceMemberPost,
        "instanceOrgMemberPatch" => InstanceOrgMemberPatch,
        "instanceOrgMemberPost" => InstanceOrgMemberPost,
        "instanceOrgPatch" => InstanceOrgPatch,
        "instanceOrgPost" => InstanceOrgPost,
        "instancePatch" => InstancePatch,
        "instanceReportOptionsPost" => InstanceReportOptionsPost,
        "notificationRuleEvaluationOptions" => NotificationRuleEvaluationOptions,
        "notificationRulePatch" => NotificationRulePatch,
        "notificationRulePost" => NotificationRulePost,
        "orgInvitePost" => OrgInvitePost,
        "orgRoleInfo" => OrgRoleInfo,
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, check) in cases {
        let schema = load(&dir.join(format!("{name}.json")));
        for variant in 0..alternatives(&schema) {
            for minimal in [false, true] {
                let mode = Mode { variant, unknown_fields: false, unknown_enums: false, minimal };
                let input = synth.value(&schema, name, mode, 0);
                checked += 1;
                if let Err(e) = check(&input) {
                    failures.push(format!("{name} #{variant}: {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{checked} request instances pass validate()");
}

/// Runs every instance of every reference schema through its type in `mode`;
/// returns the number of instances checked.
fn check_all(unknown_fields: bool, unknown_enums: bool, minimal: bool) -> usize {
    let dir = reference_dir();
    let synth = Synth { dir: dir.clone() };
    let cases: BTreeMap<&str, RoundTrip> = cases().into_iter().collect();
    // Every reference schema has a case (a new file fails here until it gets one).
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".json").map(str::to_string))
        .filter(|n| n != "apiInfo")
        .collect();
    files.sort();
    assert_eq!(files.len(), cases.len(), "reference schemas {files:?} vs cases {:?}", cases.keys());
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in &files {
        let rt = cases.get(name.as_str()).unwrap_or_else(|| panic!("no case for reference schema {name}"));
        let schema = load(&dir.join(format!("{name}.json")));
        for variant in 0..alternatives(&schema) {
            let mode = Mode { variant, unknown_fields, unknown_enums, minimal };
            let input = synth.value(&schema, name, mode, 0);
            let expected = declared_part(name, &input);
            // A request-only type drops unknown fields (here and in nested request-only
            // types; nested shared types keep theirs): compare the declared part.
            let drops = unknown_fields && !keeps_unknown_members(name);
            let expected = if drops { without_unknown_fields(&expected) } else { expected };
            checked += 1;
            match rt(&input) {
                Ok(output) => {
                    let output = if drops { without_unknown_fields(&output) } else { output };
                    if let Some(d) = first_difference(&canonical(&expected), &canonical(&output), "") {
                        failures.push(format!("{name} #{variant}: {d}"));
                    }
                }
                Err(e) => failures.push(format!("{name} #{variant}: {e}\n  input: {input}")),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} instances fail:\n{}", failures.len(), failures.join("\n"));
    checked
}

#[test]
fn reference_instances_round_trip() {
    let n = check_all(false, false, false);
    eprintln!("{n} instances round-tripped");
    assert!(n >= 53);
}

#[test]
fn minimal_instances_round_trip_without_gaining_fields() {
    let n = check_all(false, false, true);
    eprintln!("{n} minimal instances round-tripped");
}

#[test]
fn unknown_fields_are_accepted_everywhere() {
    check_all(true, false, false);
}

#[test]
fn unknown_enum_values_decode_and_round_trip() {
    check_all(false, true, false);
}

// ---------------------------------------------------------------------------
// Specific behaviour.

#[test]
fn absent_fields_stay_absent_and_nulls_decode() {
    let body = json!({"id": "575ed70c7ae143cd83dc4aa9", "name": "Acme"});
    let org: types::InstanceOrg = serde_json::from_value(body.clone()).expect("decodes");
    assert_eq!(org.description, None);
    assert_eq!(serde_json::to_value(&org).expect("encodes"), body);
    // `null` for an optional field of a response is `None`.
    let rule: types::NotificationRule =
        serde_json::from_value(json!({"id": "575ed70c7ae143cd83dc4aa9", "description": null})).expect("decodes");
    assert_eq!(rule.description, None);
}

#[test]
fn response_with_extra_fields_and_unknown_enum_values_decodes() {
    let body = json!({
        "id": "575ec8687ae143cd83dc4a97",
        "name": "Losant Labs",
        "subscriptionStatus": "pausedForever",
        "brandNewField": {"a": 1},
        "summary": {"deviceCount": 3, "newCounter": 7},
        "members": [{"userId": "575ec8687ae143cd83dc4a94", "role": "superAdmin", "email": "a@example.com", "x": 1}],
    });
    let org: types::Org = serde_json::from_value(body).expect("decodes");
    assert_eq!(org.subscription_status, Some(types::OrgSubscriptionStatus::Unknown("pausedForever".into())));
    let member = &org.members.as_ref().expect("members")[0];
    assert_eq!(member.role, Some(types::CommonOrgRole::Unknown("superAdmin".into())));
    assert_eq!(member.role.as_ref().map(|r| r.as_str()), Some("superAdmin"));
    // Unknown values encode as received.
    let out = serde_json::to_value(&org).expect("encodes");
    assert_eq!(out["subscriptionStatus"], "pausedForever");
    assert_eq!(out["members"][0]["role"], "superAdmin");
    // Members the type does not declare are kept, at every level.
    assert_eq!(out["brandNewField"], json!({"a": 1}));
    assert_eq!(out["members"][0]["x"], json!(1));
}

#[test]
fn invalid_object_ids_are_rejected_with_a_clear_message() {
    let ok = types::ObjectId::new("575ec8687ae143cd83dc4a97").expect("24 hex characters");
    assert_eq!(ok.as_str(), "575ec8687ae143cd83dc4a97");
    assert!(types::ObjectId::new("575EC8687AE143CD83DC4A97").is_ok(), "upper case hex");
    for bad in ["", "575ec8687ae143cd83dc4a9", "575ec8687ae143cd83dc4a977", "575ec8687ae143cd83dc4a9g", "not an id"] {
        let err = types::ObjectId::new(bad).expect_err(bad);
        assert_eq!(err.type_name, "ObjectId");
        assert_eq!(err.value, bad);
        assert_eq!(
            err.to_string(),
            format!(r#"invalid ObjectId "{bad}": must match ^[A-Fa-f\d]{{24}}$ (24 hexadecimal characters)"#)
        );
        assert!(bad.parse::<types::ObjectId>().is_err());
        assert!(types::ObjectId::try_from(bad).is_err());
    }
    // On deserialize, alone and inside a response.
    let err = serde_json::from_value::<types::ObjectId>(json!("12345")).expect_err("too short");
    assert!(err.to_string().contains(r#"invalid ObjectId "12345": must match"#), "{err}");
    let err = serde_json::from_str::<types::InstanceOrg>(r#"{"id": "nope"}"#).expect_err("bad id");
    assert!(err.to_string().contains(r#"invalid ObjectId "nope""#), "{err}");
    assert!(err.to_string().contains("24 hexadecimal characters"), "{err}");
    // And it is what the ids of responses are.
    let member: types::InstanceOrgMember =
        serde_json::from_value(json!({"userId": "575ec8687ae143cd83dc4a94"})).expect("decodes");
    let id: Option<types::ObjectId> = member.user_id;
    assert_eq!(id.map(types::ObjectId::into_inner).as_deref(), Some("575ec8687ae143cd83dc4a94"));
}

#[test]
fn constrained_strings_are_checked_where_a_request_is_built() {
    // Construction checks every limit.
    let err = types::CommonName::new("").expect_err("at least 1 character");
    assert_eq!(err.to_string(), r#"invalid CommonName "": must be at least 1 character long (got 0)"#);
    assert!(types::CommonName::new("n".repeat(256)).is_err());
    assert!(types::CommonName::new("n".repeat(255)).is_ok());
    assert!(types::CommonDomainName::new("ab").is_err());
    assert!(types::CommonVersion::new("1.02.3").is_err());
    assert!(types::CommonVersion::new("1.2.3").is_ok());
    assert!(types::CommonImageDataUri::new("data:image/gif;base64,R0lGOD").is_err());
    // Decoding checks patterns (what kind of value it is) but not length limits,
    // which the server may raise: a longer name than this client knows still decodes.
    assert!(serde_json::from_value::<types::CommonName>(json!("n".repeat(300))).is_ok());
    assert!(serde_json::from_value::<types::CommonVersion>(json!("v1")).is_err());
}

#[test]
fn patch_fields_are_tri_state() {
    let absent = types::NotificationRulePatch::default();
    assert_eq!(serde_json::to_value(&absent).expect("encodes"), json!({}));

    let clear =
        types::NotificationRulePatch { callback_url: Patch::Null, email_config: Patch::Null, ..Default::default() };
    assert_eq!(serde_json::to_value(&clear).expect("encodes"), json!({"callbackUrl": null, "emailConfig": null}));

    let url = types::CommonUrl::new("https://hooks.example.com/notify").expect("a URL");
    let set = types::NotificationRulePatch {
        callback_url: Patch::Value(types::NotificationRulePatchCallbackUrl::CommonUrl(url)),
        name: Some(types::CommonName::new("Usage alert").expect("a name")),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&set).expect("encodes"),
        json!({"name": "Usage alert", "callbackUrl": "https://hooks.example.com/notify"})
    );

    // And back: absent, null and a value stay distinct.
    let decoded: types::NotificationRulePatch = serde_json::from_value(json!({"callbackUrl": null})).expect("decodes");
    assert_eq!(decoded.callback_url, Patch::Null);
    assert_eq!(decoded.email_config, Patch::Absent);
}

#[test]
fn union_alternatives_decode_to_the_right_variant() {
    use types::NotificationRulePatchCallbackUrl as Callback;
    // "" is both a valid (empty) URL string and the documented "no callback" value:
    // the empty-string alternative must win.
    let empty: Callback = serde_json::from_value(json!("")).expect("decodes");
    assert!(matches!(empty, Callback::Empty(types::NotificationRulePatchCallbackUrlEmpty::Empty)), "{empty:?}");
    let url: Callback = serde_json::from_value(json!("https://example.com/x")).expect("decodes");
    assert!(matches!(&url, Callback::CommonUrl(u) if u.as_str() == "https://example.com/x"), "{url:?}");
    for v in [json!(""), json!("https://example.com/x")] {
        let back: Callback = serde_json::from_value(v.clone()).expect("decodes");
        assert_eq!(serde_json::to_value(back).expect("encodes"), v);
    }
    // Something else entirely is kept, not an error.
    let other: Callback = serde_json::from_value(json!(42)).expect("decodes");
    assert_eq!(other, Callback::Unknown(json!(42)));

    // An org id or the literal "sandbox".
    use types::ApiTokenOrgRolesItemOrgId as OrgId;
    let sandbox: OrgId = serde_json::from_value(json!("sandbox")).expect("decodes");
    assert!(matches!(sandbox, OrgId::Sandbox(_)), "{sandbox:?}");
    let id: OrgId = serde_json::from_value(json!("575ec8687ae143cd83dc4a97")).expect("decodes");
    assert!(matches!(id, OrgId::ObjectId(_)), "{id:?}");

    // Custom node fields: the `type` constant picks the alternative, even when an
    // earlier alternative would accept the object's fields.
    use types::FlowCustomNodeConfigFieldsItem as FieldItem;
    let select: FieldItem = serde_json::from_value(json!({
        "type": "select", "label": "Mode", "id": "mode", "defaultValue": "a",
        "options": [{"label": "A", "value": "a"}]
    }))
    .expect("decodes");
    assert!(matches!(select, FieldItem::Select(_)), "{select:?}");
    let template: FieldItem =
        serde_json::from_value(json!({"type": "jsonTemplate", "label": "Body", "id": "body", "defaultValue": "{}"}))
            .expect("decodes");
    assert!(matches!(template, FieldItem::JsonTemplate(_)), "{template:?}");
    let future: FieldItem = serde_json::from_value(json!({"type": "colorPicker", "label": "C"})).expect("decodes");
    assert!(matches!(future, FieldItem::Unknown(_)), "{future:?}");

    // Org member creation: by user id or by email.
    use types::InstanceOrgMemberPost as NewMember;
    let by_id: NewMember =
        serde_json::from_value(json!({"userId": "575ec8687ae143cd83dc4a94", "role": "edit"})).expect("decodes");
    assert!(matches!(by_id, NewMember::UserId(_)), "{by_id:?}");
    let by_email: NewMember =
        serde_json::from_value(json!({"email": "new@example.com", "role": "view"})).expect("decodes");
    assert!(matches!(by_email, NewMember::Email(_)), "{by_email:?}");
}

#[test]
fn user_api_scopes_are_one_enum() {
    let scopes: Vec<types::CommonUserApiScope> =
        serde_json::from_value(json!(["all.Instance", "instanceOrg.*", "all.User.read", "brandNew.scope"]))
            .expect("decodes");
    assert_eq!(scopes[0], types::CommonUserApiScope::AllInstance);
    assert_eq!(scopes[1], types::CommonUserApiScope::InstanceOrgStar);
    assert_eq!(scopes[2], types::CommonUserApiScope::AllUserRead);
    assert_eq!(scopes[3], types::CommonUserApiScope::Unknown("brandNew.scope".into()));
    assert_eq!(scopes[1].to_string(), "instanceOrg.*");
}

#[test]
fn usage_keeps_the_sandbox_key_typed_and_org_entries_in_a_map() {
    let usage: types::InstanceCustomNodeUsage = serde_json::from_value(json!({
        "sandbox": {"appCount": 1, "flowCount": 2},
        "575ed70c7ae143cd83dc4aa9": {"appCount": 3, "flowCount": 4, "orgName": "Acme", "orgIconColor": "#ff0000"}
    }))
    .expect("decodes");
    assert_eq!(usage.sandbox.as_ref().and_then(|s| s.flow_count), Some(2));
    let org = &usage.additional_properties["575ed70c7ae143cd83dc4aa9"];
    assert_eq!(org.app_count, Some(3));
    assert_eq!(org.org_name.as_ref().map(|n| n.as_str()), Some("Acme"));
    assert_eq!(usage.additional_properties.len(), 1, "sandbox is not a map entry");
}

#[test]
fn dates_are_date_times() {
    let token: types::ApiToken =
        serde_json::from_value(json!({"creationDate": "2016-06-13T04:00:00.000Z"})).expect("decodes");
    let date: Option<types::DateTime> = token.creation_date;
    assert_eq!(date.map(|d| d.timestamp()), Some(1_465_790_400));
    assert!(serde_json::from_value::<types::ApiToken>(json!({"creationDate": "yesterday"})).is_err());
}

#[test]
fn all_optional_request_types_have_default() {
    fn default<T: Default>() -> T {
        T::default()
    }
    let _: types::InstancePatch = default();
    let _: types::InstanceOrgPatch = default();
    let _: types::NotificationRulePatch = default();
    let _: types::InstanceCustomNodePatch = default();
    let _: types::ApiTokenPatch = default();
}

/// The spec's `example`s are all on parameters; the id examples are valid `ObjectId`s.
#[test]
fn parameter_examples_fit_their_types() {
    let spec = lowered_api::doc();
    let mut ids = 0;
    let mut examples = 0;
    let mut visit = |p: &Value| {
        let Some(example) = p.get("example") else { return };
        examples += 1;
        let pattern = p.pointer("/schema/pattern").and_then(Value::as_str);
        if pattern == Some(r"^[A-Fa-f\d]{24}$") {
            let s = example.as_str().expect("an id example is a string");
            types::ObjectId::new(s).unwrap_or_else(|e| panic!("{}: {e}", p["name"]));
            ids += 1;
        }
    };
    for path in spec["paths"].as_object().expect("paths").values() {
        for (_, op) in path.as_object().expect("a path item").iter() {
            for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                visit(p);
            }
        }
    }
    assert!(examples > 50, "{examples}");
    assert!(ids > 20, "{ids}");
}

/// Limits of inline schemas (not named newtypes) are checked by `validate()` on
/// every type a request can contain, including nested values.
#[test]
fn request_bodies_validate_inline_limits() {
    let rule = |query: String, threshold: f64| types::NotificationRulePost {
        target_type: types::NotificationRuleTargetType::Organization,
        target_query_json: query,
        name: types::CommonName::new("Usage alert").expect("a name"),
        description: None,
        enabled: Some(true),
        callback_url: Patch::Absent,
        email_config: Patch::Absent,
        rule_config: types::NotificationRuleRuleConfig {
            rule_type: types::NotificationRuleRuleConfigRuleType::PayloadUsage,
            threshold_type: types::NotificationRuleRuleConfigThresholdType::PercentOfLimit,
            threshold,
            max_frequency: None,
            unknown_fields: Default::default(),
        },
    };
    assert_eq!(rule("{}".into(), 80.0).validate(), Ok(()));

    let err = rule("x".repeat(8193), 80.0).validate().expect_err("maxLength 8192");
    assert_eq!(err.type_name, "NotificationRulePost.targetQueryJson");
    assert_eq!(err.reason, "must be at most 8192 characters long (got 8193)");

    // Nested: the rule config's threshold is 0 to 1000.
    let err = rule("{}".into(), 1000.5).validate().expect_err("maximum 1000");
    assert_eq!(err.type_name, "NotificationRuleRuleConfig.threshold");
    assert_eq!(err.to_string(), r#"invalid NotificationRuleRuleConfig.threshold "1000.5": must be at most 1000"#);

    // Array sizes and items of arrays.
    let tag = |key: &str| types::CommonTagsRequiredItem {
        key: key.into(),
        value: "v".into(),
        unknown_fields: Default::default(),
    };
    let mut patch = types::InstanceOrgPatch { tags: Some(vec![tag("floor_2")]), ..Default::default() };
    assert_eq!(patch.validate(), Ok(()));
    patch.tags = Some(vec![tag("not a key!")]);
    let err = patch.validate().expect_err("pattern");
    assert_eq!(err.type_name, "CommonTagsRequiredItem.key");
    patch.tags = Some((0..101).map(|i| tag(&format!("k{i}"))).collect());
    let err = patch.validate().expect_err("maxItems 100");
    assert_eq!((err.type_name, err.value.as_str()), ("InstanceOrgPatch.tags", "101 items"));

    // Number ranges of integers.
    let limits = types::CommonOrgLimits { system_interval: Some(4), ..Default::default() };
    let patch = types::InstanceOrgPatch { limits: Some(limits), ..Default::default() };
    let err = patch.validate().expect_err("minimum 5");
    assert_eq!((err.type_name, err.reason.as_str()), ("CommonOrgLimits.systemInterval", "must be at least 5"));
}
