//! Every operation of the generated client against a third-party validating
//! mock server: Stoplight Prism (`tools/package.json`, installed by
//! `scripts/install-tools.sh`) serving the bundled, repaired spec with
//! `prism mock --errors --dynamic --seed <fixed>`.
//!
//! Pass 1 calls all operations with valid arguments, as the client always
//! sends them (with the official client's `_actions=false&_links=true&
//! _embedded=true` query, `Accept-Version` and `losantdomain`), and asserts,
//! for each: a 2xx status, no `sl-violations` header (Prism answers a request
//! that breaks the spec with a 4xx and that header), a body decoded into the
//! generated type without falling back to a catch-all `Unknown` variant, and
//! that decoding lost nothing (the decoded value, serialized again, carries
//! every declared member Prism sent). Prism's log must show every request as
//! valid, with no warning. The set of exercised operation ids must equal the
//! generator's list of operations.
//!
//! Pass 2 sends deliberately wrong input through the client and asserts who
//! caught it: the client itself (no request reaches Prism) or Prism (4xx with
//! an `sl-violations` header naming the offending location).
//!
//! Prism is started once, and both passes run sequentially in one test: with
//! a fixed seed Prism generates the same body for the same request, so the
//! run is reproducible. A missing Prism fails the test (it never skips).

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use losant_instance_api::runtime::ApiResponse;
use losant_instance_api::types::{
    ApiTokenPatch, ApiTokenPost, ApiTokenStatus, CommonDescription, CommonEmail, CommonInstanceRole, CommonMfaMode,
    CommonName, CommonOrgRole, InstanceAuditLogFilter, InstanceAuditLogsGetSortDirection,
    InstanceAuditLogsGetSortField, InstanceCustomNodeErrorsSortDirection, InstanceCustomNodePatch,
    InstanceCustomNodePost, InstanceMemberPatch, InstanceMemberPost, InstanceMembersGetFilterField,
    InstanceMembersGetSortField, InstanceOrgMemberPatch, InstanceOrgMemberPost, InstanceOrgMemberPostUserId,
    InstanceOrgPatch, InstanceOrgPost, InstanceOrgsGetFilterField, InstanceOrgsGetSortDirection,
    InstanceOrgsGetSortField, InstancePatch, InstanceReportOptionsPost, NotificationRuleEvaluationOptions,
    NotificationRulePatch, NotificationRulePost, ObjectId, OrgInvitePost, OrgRoleInfo,
};
use losant_instance_api::{Client, Error, RetryPolicy};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::support::{lowered_api, tools};

/// Seed for Prism's dynamic (json-schema-faker) responses. `PRISM_SEED`
/// overrides it, to explore other generated responses locally.
const SEED: &str = "6";

/// Query parameters Losant's official client adds to every call (not in the spec).
const DEFAULT_QUERY: &str = "_actions=false&_links=true&_embedded=true";

const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
const ORG: &str = "575ed70c7ae143cd83dc4aa9";
const USER: &str = "575ed70c7ae143cd83dc4aaa";
const API_TOKEN: &str = "575ed70c7ae143cd83dc4aab";
const AUDIT_LOG: &str = "575ed70c7ae143cd83dc4aac";
const CUSTOM_NODE: &str = "575ed70c7ae143cd83dc4aad";
const RULE: &str = "575ed70c7ae143cd83dc4aae";
const INVITE: &str = "575ed70c7ae143cd83dc4aaf";
const SANDBOX: &str = "575ed70c7ae143cd83dc4ab0";

/// The spec exactly as `openapi-clientgen bundle` writes it.
fn bundle_spec(dir: &Path) -> (PathBuf, Value) {
    let mut doc = lowered_api::doc().clone();
    declare_default_bodies(&mut doc);
    let path = dir.join("losant-instance-api-bundled.yml");
    std::fs::write(&path, openapi_clientgen::to_yaml(&doc)).expect("write bundled spec");
    (path, doc)
}

/// The client sends `{}` as JSON with a POST, PATCH or DELETE that has no body,
/// like the official client (the overlay's `x-clientgen-default-body`), and
/// the API accepts it; but Prism refuses any body on an operation that
/// declares none (415 "No supported content types"). For Prism only, declare
/// exactly that body on those operations: an optional empty JSON object, so
/// Prism still checks what is sent.
fn declare_default_bodies(doc: &mut Value) {
    let rule = openapi_clientgen::extensions::default_body(doc)
        .expect("a valid x-clientgen-default-body")
        .expect("the overlay declares x-clientgen-default-body");
    assert_eq!((rule.body.content_type.as_str(), rule.body.body.as_str()), ("application/json", "{}"));
    let empty_object = json!({"content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}}});
    for item in doc["paths"].as_object_mut().expect("paths").values_mut() {
        for (method, op) in item.as_object_mut().expect("a path item").iter_mut() {
            if rule.for_method(method).is_some() && op.get("requestBody").is_none() {
                op["requestBody"] = empty_object.clone();
            }
        }
    }
}

/// Every operation id of the generated client, from the generator itself.
fn all_operation_ids(spec: &Path) -> BTreeSet<String> {
    let generated = openapi_clientgen::Config::new().generate(spec).expect("the bundled spec generates");
    generated.api.operations.iter().map(|op| op.id.clone()).collect()
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .token("test-token")
        .losant_domain("example.onlosant.com")
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("build client")
}

/// A request body built from JSON through the generated type's `Deserialize`
/// (for bodies with many nested members).
fn body<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("test body does not fit its type: {e}"))
}

/// Every property name the spec declares anywhere (keys of `properties`).
fn declared_property_names(doc: &Value, out: &mut BTreeSet<String>) {
    match doc {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| declared_property_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| declared_property_names(v, out)),
        _ => {}
    }
}

/// What went wrong, collected over the whole run and reported together.
#[derive(Default)]
struct Report {
    exercised: BTreeSet<&'static str>,
    failures: Vec<String>,
    /// See [`Compare::declared`].
    declared: BTreeSet<String>,
    /// Undeclared members Prism sent and the generated types ignored.
    undeclared: usize,
}

impl Report {
    fn fail(&mut self, case: &str, what: String) {
        self.failures.push(format!("{case}: {what}"));
    }

    /// Pass-1 checks of one operation: `raw` is the undecoded answer to the
    /// same request (Prism's seeded output is the same for the same request).
    fn check<T: Serialize + Debug>(
        &mut self,
        id: &'static str,
        raw: Result<ApiResponse<Vec<u8>>, Error>,
        typed: Result<ApiResponse<T>, Error>,
    ) {
        self.exercised.insert(id);
        let typed = match typed {
            Ok(t) => t,
            Err(e) => return self.fail(id, describe(&e)),
        };
        if !typed.status.is_success() {
            return self.fail(id, format!("status {}", typed.status));
        }
        if let Some(v) = typed.headers.get("sl-violations") {
            return self.fail(
                id,
                format!("sl-violations on a {} answer: {}", typed.status, String::from_utf8_lossy(v.as_bytes())),
            );
        }
        let raw = match raw {
            Ok(r) => r,
            Err(e) => return self.fail(id, format!("undecoded repeat of the request failed: {}", describe(&e))),
        };
        let sent: Value = if raw.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            match serde_json::from_slice(&raw.body) {
                Ok(v) => v,
                Err(e) => return self.fail(id, format!("Prism's body is not JSON ({e})")),
            }
        };
        // A valid response fits a declared alternative of every union and a
        // declared value of every enum: the catch-all `Unknown` variants
        // (which accept anything) must stay unused.
        let debug = format!("{:?}", typed.body);
        if let Some(at) = debug.find("Unknown(") {
            let context: String = debug[at.saturating_sub(200)..].chars().take(400).collect();
            self.fail(id, format!("decoded into a catch-all `Unknown` variant: ...{context}..."));
        }
        let decoded = serde_json::to_value(&typed.body).expect("a decoded body serializes");
        let mut cmp = Compare::new(&self.declared);
        cmp.same_data(&sent, &decoded, "$");
        let (lost, undeclared) = (cmp.lost, cmp.undeclared);
        self.undeclared += undeclared.len();
        if !lost.is_empty() {
            self.fail(id, format!("decoding lost or changed data: {lost:#?}\nPrism sent: {sent}"));
        }
    }
}

/// An error with everything needed to diagnose it: for an API error the
/// `sl-violations` header and the body.
fn describe(e: &Error) -> String {
    match e {
        Error::Api { status, body, headers, .. } => {
            let violations = headers
                .get("sl-violations")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_else(|| "<no sl-violations header>".into());
            format!("API error {status}\n  sl-violations: {violations}\n  body: {body}")
        }
        Error::Decode { status, body, source, .. } => {
            format!("could not decode the {status} body: {source}\n  body: {body}")
        }
        other => format!("{other}"),
    }
}

/// Compares what Prism sent with what the client decoded (serialized again).
struct Compare<'a> {
    /// Every property name the spec declares. A member whose name the spec
    /// declares nowhere is one json-schema-faker invented for an object whose
    /// schema leaves `additionalProperties` open (e.g. `success`); generated
    /// structs ignore such members by design, so dropping them is not a loss.
    declared: &'a BTreeSet<String>,
    /// Data that was dropped or changed.
    lost: Vec<String>,
    /// Undeclared members that were dropped.
    undeclared: Vec<String>,
}

impl<'a> Compare<'a> {
    fn new(declared: &'a BTreeSet<String>) -> Self {
        Compare { declared, lost: Vec::new(), undeclared: Vec::new() }
    }

    /// Members Prism sent as `null` may be absent; timestamps compare as
    /// instants (`...:57.0Z` and `...:57Z` are the same); numbers compare by
    /// value.
    fn same_data(&mut self, sent: &Value, decoded: &Value, at: &str) {
        match (sent, decoded) {
            (Value::Object(s), Value::Object(d)) => {
                for (k, sv) in s {
                    match d.get(k) {
                        Some(dv) => self.same_data(sv, dv, &format!("{at}.{k}")),
                        None if sv.is_null() => {}
                        None if !self.declared.contains(k) => self.undeclared.push(format!("{at}.{k}")),
                        None => self.lost.push(format!("{at}.{k}: dropped (sent {sv})")),
                    }
                }
                for (k, dv) in d {
                    if !s.contains_key(k) && !dv.is_null() {
                        self.lost.push(format!("{at}.{k}: not sent, decoded as {dv}"));
                    }
                }
            }
            (Value::Array(s), Value::Array(d)) if s.len() == d.len() => {
                for (i, (sv, dv)) in s.iter().zip(d).enumerate() {
                    self.same_data(sv, dv, &format!("{at}[{i}]"));
                }
            }
            (Value::Number(s), Value::Number(d)) if s.as_f64() == d.as_f64() => {}
            (Value::String(s), Value::String(d)) if s == d || same_instant(s, d) => {}
            (s, d) if s == d => {}
            (s, d) => self.lost.push(format!("{at}: sent {s}, decoded as {d}")),
        }
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Sends one builder twice — undecoded through `Client::execute_raw`, and
/// through its own `send_with_response` — and checks both (pass 1).
macro_rules! call {
    ($report:expr, $client:expr, $builder:expr) => {{
        let builder = $builder;
        let req = builder.request();
        let id = req.get_operation_id().expect("generated requests name their operation");
        // Prism must accept the official client's defaults, sent on every call.
        if !req.query_string().starts_with(DEFAULT_QUERY) {
            $report.fail(id, format!("query without the defaults: {}", req.query_string()));
        }
        let raw = $client.execute_raw(req).await;
        let typed = builder.send_with_response().await;
        $report.check(id, raw, typed);
    }};
}

/// Pass 1: every operation with valid arguments.
async fn pass1_valid_calls(c: &Client, r: &mut Report) {
    // instance
    call!(
        r,
        c,
        c.instance().generate_report(INSTANCE).body(body::<InstanceReportOptionsPost>(json!({
            "email": "reports@example.com",
            "callbackUrl": "https://example.com/hooks/report",
            "resourceGroupBy": "organization",
            "dateGroupBy": "month",
            "includeSandbox": false,
            "start": "2024-01-01T00:00:00Z",
            "end": "2024-03-01T00:00:00Z"
        })))
    );
    call!(r, c, c.instance().device_counts(INSTANCE).start("1704067200000").end("1706745600000"));
    call!(r, c, c.instance().get(INSTANCE));
    call!(
        r,
        c,
        c.instance()
            .historical_summaries(INSTANCE)
            .month("1704067200000")
            .sort_field(losant_instance_api::types::InstanceHistoricalSummariesSortField::ResourceId)
            .sort_direction(losant_instance_api::types::InstanceHistoricalSummariesSortDirection::Desc)
            .page(0)
            .per_page(10)
            .filter_field(losant_instance_api::types::InstanceHistoricalSummariesFilterField::OwnerType)
            .filter("organization")
    );
    call!(r, c, c.instance().notebook_minute_counts(INSTANCE).start("1704067200000").end("1706745600000"));
    call!(
        r,
        c,
        c.instance()
            .patch(INSTANCE, InstancePatch { mfa_mode: Some(CommonMfaMode::AdminRequired), ..Default::default() })
    );
    call!(r, c, c.instance().payload_counts(INSTANCE).start("1704067200000").end("1706745600000").as_bytes(true));
    call!(
        r,
        c,
        c.instance()
            .payload_counts_breakdown(INSTANCE)
            .start("1704067200000")
            .end("1706745600000")
            .resolution(losant_instance_api::types::InstancePayloadCountsBreakdownResolution::V3600000)
            .as_bytes(false)
            .include_non_billable(true)
    );

    // API tokens
    call!(r, c, c.instance_api_token().delete(INSTANCE, API_TOKEN));
    call!(r, c, c.instance_api_token().get(INSTANCE, API_TOKEN));
    call!(
        r,
        c,
        c.instance_api_token().patch(
            INSTANCE,
            API_TOKEN,
            ApiTokenPatch { status: Some(ApiTokenStatus::Inactive), ..Default::default() }
        )
    );
    call!(
        r,
        c,
        c.instance_api_tokens()
            .get(INSTANCE)
            .sort_field(losant_instance_api::types::InstanceApiTokensGetSortField::ExpirationDate)
            .sort_direction(losant_instance_api::types::InstanceApiTokensGetSortDirection::Desc)
            .page(0)
            .per_page(25)
            .filter_field(losant_instance_api::types::InstanceApiTokensGetFilterField::Status)
            .filter("active")
    );
    call!(
        r,
        c,
        c.instance_api_tokens().post(
            INSTANCE,
            ApiTokenPost {
                name: CommonName::new("CI token").unwrap(),
                description: Some(CommonDescription::new("Used by the nightly export").unwrap()),
                expiration_date: Some("2030-01-01T00:00:00Z".parse().unwrap()),
                scope: None,
                status: Some(ApiTokenStatus::Active),
                default_role: Some(CommonOrgRole::View),
                org_roles: None,
            }
        )
    );

    // audit logs
    call!(r, c, c.instance_audit_log().get(INSTANCE, AUDIT_LOG));
    call!(
        r,
        c,
        c.instance_audit_logs()
            .get(INSTANCE)
            .sort_field(InstanceAuditLogsGetSortField::ResponseStatus)
            .sort_direction(InstanceAuditLogsGetSortDirection::Asc)
            .page(1)
            .per_page(10)
            .start("1704067200000")
            .end("1706745600000")
            .audit_log_filter(body::<InstanceAuditLogFilter>(json!({
                "primaryTarget": [{ "type": "Organization", "id": ORG }],
                "actor": [{ "type": "User", "name": "Jane" }],
                "responseCode": [200, 404]
            })))
    );

    // custom nodes
    call!(r, c, c.instance_custom_node().delete(INSTANCE, CUSTOM_NODE));
    call!(
        r,
        c,
        c.instance_custom_node()
            .errors(INSTANCE, CUSTOM_NODE)
            .duration(3_600_000)
            .end(0)
            .limit(10)
            .sort_direction(InstanceCustomNodeErrorsSortDirection::Asc)
    );
    call!(r, c, c.instance_custom_node().get(INSTANCE, CUSTOM_NODE));
    call!(
        r,
        c,
        c.instance_custom_node().stats(INSTANCE, CUSTOM_NODE).duration(86_400_000).end(0).resolution(3_600_000)
    );
    call!(
        r,
        c,
        c.instance_custom_node().patch(
            INSTANCE,
            CUSTOM_NODE,
            InstanceCustomNodePatch { name: Some(CommonName::new("Rounder v2").unwrap()), ..Default::default() }
        )
    );
    call!(
        r,
        c,
        c.instance_custom_nodes()
            .get(INSTANCE)
            .sort_field(losant_instance_api::types::InstanceCustomNodesGetSortField::LastUpdated)
            .page(0)
            .per_page(5)
            .filter_field(losant_instance_api::types::InstanceCustomNodesGetFilterField::Name)
            .filter("round*")
    );
    call!(
        r,
        c,
        c.instance_custom_nodes().post(
            INSTANCE,
            body::<InstanceCustomNodePost>(json!({
                "name": "Rounder",
                "shortDescription": "Rounds a number",
                "category": "data",
                "triggers": [{ "type": "customNodeStart", "key": "start" }],
                "nodes": [
                    { "id": "n1", "type": "MathNode", "config": { "expression": "round({{data.value}})" }, "outputIds": [["n2"]] },
                    { "id": "n2", "type": "CustomNodeOutputNode", "config": {} }
                ],
                "customNodeSupports": ["cloud"]
            }))
        )
    );

    // instance members
    call!(r, c, c.instance_member().delete(INSTANCE, USER));
    call!(r, c, c.instance_member().get(INSTANCE, USER));
    call!(
        r,
        c,
        c.instance_member().patch(
            INSTANCE,
            USER,
            InstanceMemberPatch { role: CommonInstanceRole::View, unknown_fields: Default::default() }
        )
    );
    call!(
        r,
        c,
        c.instance_members()
            .get(INSTANCE)
            .sort_field(InstanceMembersGetSortField::Role)
            .filter_field(InstanceMembersGetFilterField::Email)
            .filter("*@example.com")
    );
    call!(
        r,
        c,
        c.instance_members().post(
            INSTANCE,
            InstanceMemberPost {
                user_id: None,
                email: Some(CommonEmail::new("new.admin@example.com").unwrap()),
                role: Some(CommonInstanceRole::Admin),
            }
        )
    );

    // notification rules
    call!(r, c, c.instance_notification_rule().delete(INSTANCE, RULE));
    call!(
        r,
        c,
        c.instance_notification_rule().evaluate(
            INSTANCE,
            RULE,
            NotificationRuleEvaluationOptions { ignore_frequency_check: Some(true) }
        )
    );
    call!(r, c, c.instance_notification_rule().get(INSTANCE, RULE));
    call!(r, c, c.instance_notification_rule().logs(INSTANCE, RULE).limit(5).since("1704067200000"));
    call!(
        r,
        c,
        c.instance_notification_rule().patch(
            INSTANCE,
            RULE,
            NotificationRulePatch { enabled: Some(false), ..Default::default() }
        )
    );
    call!(
        r,
        c,
        c.instance_notification_rules()
            .get(INSTANCE)
            .sort_field(losant_instance_api::types::InstanceNotificationRulesGetSortField::CreationDate)
            .sort_direction(losant_instance_api::types::InstanceNotificationRulesGetSortDirection::Desc)
            .page(2)
            .per_page(50)
    );
    call!(
        r,
        c,
        c.instance_notification_rules().post(
            INSTANCE,
            body::<NotificationRulePost>(json!({
                "targetType": "organization",
                "targetQueryJson": "{\"name\":{\"$eq\":\"Acme\"}}",
                "name": "Payload usage at 80%",
                "enabled": true,
                "emailConfig": {
                    "subjectTemplate": "{{org.name}} is at {{ruleConfig.threshold}}%",
                    "bodyTemplate": "Usage is high.",
                    "sendToTarget": "admins",
                    "sendToAddresses": ["ops@example.com"]
                },
                "ruleConfig": {
                    "ruleType": "payloadUsage",
                    "thresholdType": "percentOfLimit",
                    "threshold": 80,
                    "maxFrequency": "daily"
                }
            }))
        )
    );

    // organizations
    call!(r, c, c.instance_org().delete(INSTANCE, ORG));
    call!(r, c, c.instance_org().device_counts(INSTANCE, ORG).start("1704067200000").end(1_706_745_600_000_i64));
    call!(r, c, c.instance_org().get(INSTANCE, ORG).summary_include("payloadCount"));
    call!(r, c, c.instance_org().notebook_minute_counts(INSTANCE, ORG).start("1704067200000").end("1706745600000"));
    call!(
        r,
        c,
        c.instance_org()
            .patch(
                INSTANCE,
                ORG,
                InstanceOrgPatch {
                    description: Some(CommonDescription::new("Renamed by the test").unwrap()),
                    audit_log_enabled: Some(true),
                    ..Default::default()
                }
            )
            .summary_include("payloadCount")
    );
    call!(
        r,
        c,
        c.instance_org().payload_counts(INSTANCE, ORG).start("1704067200000").end("1706745600000").as_bytes(false)
    );
    call!(
        r,
        c,
        c.instance_org()
            .payload_counts_breakdown(INSTANCE, ORG)
            .start("1704067200000")
            .end("1706745600000")
            .resolution(losant_instance_api::types::InstanceOrgPayloadCountsBreakdownResolution::V86400000)
            .as_bytes(true)
            .include_non_billable(false)
    );
    call!(r, c, c.instance_org_invite().delete(INSTANCE, ORG, INVITE));
    call!(r, c, c.instance_org_invite().get(INSTANCE, ORG, INVITE));
    call!(
        r,
        c,
        c.instance_org_invite().resend_invite(
            INSTANCE,
            ORG,
            INVITE,
            OrgRoleInfo { role: Some(CommonOrgRole::Edit), ..Default::default() }
        )
    );
    call!(
        r,
        c,
        c.instance_org_invites()
            .get(INSTANCE, ORG)
            .sort_field(losant_instance_api::types::InstanceOrgInvitesGetSortField::InviteDate)
            .sort_direction(losant_instance_api::types::InstanceOrgInvitesGetSortDirection::Asc)
            .filter_field(losant_instance_api::types::InstanceOrgInvitesGetFilterField::Role)
            .filter("view")
    );
    call!(
        r,
        c,
        c.instance_org_invites().post(
            INSTANCE,
            ORG,
            OrgInvitePost {
                email: CommonEmail::new("invitee@example.com").unwrap(),
                role: CommonOrgRole::View,
                application_roles: None,
                dashboard_roles: None,
                disallow_transfer: Some(true),
            }
        )
    );
    call!(r, c, c.instance_org_member().delete(INSTANCE, ORG, USER));
    call!(r, c, c.instance_org_member().get(INSTANCE, ORG, USER));
    call!(
        r,
        c,
        c.instance_org_member().patch(
            INSTANCE,
            ORG,
            USER,
            InstanceOrgMemberPatch { role: Some(CommonOrgRole::Collaborate), ..Default::default() }
        )
    );
    call!(
        r,
        c,
        c.instance_org_members()
            .get(INSTANCE, ORG)
            .sort_field(losant_instance_api::types::InstanceOrgMembersGetSortField::Email)
            .sort_direction(losant_instance_api::types::InstanceOrgMembersGetSortDirection::Desc)
    );
    call!(
        r,
        c,
        c.instance_org_members().post(
            INSTANCE,
            ORG,
            InstanceOrgMemberPost::UserId(InstanceOrgMemberPostUserId {
                user_id: ObjectId::new(USER).unwrap(),
                role: CommonOrgRole::Edit,
                application_roles: None,
                dashboard_roles: None,
            })
        )
    );
    call!(
        r,
        c,
        c.instance_orgs()
            .get(INSTANCE)
            .sort_field(InstanceOrgsGetSortField::CreationDate)
            .sort_direction(InstanceOrgsGetSortDirection::Desc)
            .page(0)
            .per_page(20)
            .filter_field(InstanceOrgsGetFilterField::Name)
            .filter("Acme*")
            .summary_include("deviceCount")
            .query(body::<std::collections::BTreeMap<String, Value>>(json!({ "isReadOnly": false })))
    );
    call!(
        r,
        c,
        c.instance_orgs().post(INSTANCE).summary_include("memberCount").body(body::<InstanceOrgPost>(json!({
            "name": "Acme",
            "description": "Created by the Prism test",
            "members": [
                { "email": "owner@example.com", "role": "admin" },
                { "userId": USER, "role": "view" }
            ],
            "auditLogEnabled": true,
            "mfaMode": "notRequired"
        })))
    );

    // sandboxes
    call!(r, c, c.instance_sandbox().delete(INSTANCE, SANDBOX));
    call!(r, c, c.instance_sandbox().device_counts(INSTANCE, SANDBOX).start("1704067200000").end("1706745600000"));
    call!(
        r,
        c,
        c.instance_sandbox().get(INSTANCE, SANDBOX).summary_exclude("payloadCount").summary_include("appCount")
    );
    call!(
        r,
        c,
        c.instance_sandbox()
            .payload_counts(INSTANCE, SANDBOX)
            .start("1704067200000")
            .end("1706745600000")
            .as_bytes(true)
    );
    call!(
        r,
        c,
        c.instance_sandbox()
            .payload_counts_breakdown(INSTANCE, SANDBOX)
            .start("1704067200000")
            .end("1706745600000")
            .resolution(losant_instance_api::types::InstanceSandboxPayloadCountsBreakdownResolution::V86400000)
            .as_bytes(true)
            .include_non_billable(true)
    );
    call!(r, c, c.instance_sandbox().notebook_minute_counts(INSTANCE, SANDBOX).start("1704067200000"));
    call!(r, c, c.instance_sandbox().undelete(INSTANCE, SANDBOX).summary_include("appCount"));
    call!(
        r,
        c,
        c.instance_sandboxes()
            .get(INSTANCE)
            .sort_field(losant_instance_api::types::InstanceSandboxesGetSortField::LastSuccessfulLogin)
            .starting_after_id(USER)
            .limit(10)
            .filter_field(losant_instance_api::types::InstanceSandboxesGetFilterField::Email)
            .filter("*@example.com")
            .include_deleted("true")
    );

    // instances
    call!(
        r,
        c,
        c.instances()
            .get()
            .sort_field(losant_instance_api::types::InstancesGetSortField::Name)
            .page(0)
            .per_page(100)
            .filter("Production*")
    );
}

/// After pass 1: Prism logged every request as valid and no violation at
/// all, of a request or of its own generated response (warnings included,
/// which never reach the `sl-violations` header).
fn check_prism_log(prism: &tools::Prism, r: &mut Report) {
    let log = prism.log();
    let received = log.matches("Request received").count();
    let passed = log.matches("The request passed the validation rules").count();
    // Two requests per operation: undecoded and through `send_with_response`.
    if received != 2 * r.exercised.len() || passed != received {
        r.fail("prism log", format!("{received} requests received, {passed} passed validation"));
    }
    let flagged: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Violation") || l.contains("did not pass") || l.contains("warning"))
        .collect();
    if !flagged.is_empty() {
        r.fail("prism log", format!("violations logged in pass 1:\n{}", flagged.join("\n")));
    }
}

/// How many requests Prism has logged so far.
fn requests_seen(prism: &tools::Prism) -> usize {
    prism.log().matches("Request received").count()
}

/// Pass 2 expectation: the client refused `result` itself with
/// `Error::InvalidParameter` naming `param`, and Prism saw no request.
fn expect_client_refusal<T: Debug>(
    r: &mut Report,
    prism: &tools::Prism,
    case: &str,
    before: usize,
    param: &str,
    result: Result<T, Error>,
) {
    match result {
        Err(Error::InvalidParameter { name, .. }) if name == param => {}
        other => r.fail(case, format!("expected the client to refuse `{param}`, got {other:?}")),
    }
    let after = requests_seen(prism);
    if after != before {
        r.fail(case, format!("the client refused the call but Prism logged {} request(s)", after - before));
    }
}

/// Pass 2 expectation: Prism flagged the request with a 4xx and an
/// `sl-violations` header whose text contains `location` (e.g.
/// `"query","sortdirection"`).
fn expect_prism_violation<T: Debug>(r: &mut Report, case: &str, location: &str, result: Result<T, Error>) {
    match result {
        Err(Error::Api { status, headers, body, .. }) => {
            if !status.is_client_error() {
                r.fail(case, format!("expected a 4xx from Prism, got {status}: {body}"));
            }
            match headers.get("sl-violations").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()) {
                Some(v) if v.contains(location) => {}
                Some(v) => r.fail(case, format!("sl-violations does not mention {location}: {v}")),
                None => r.fail(case, format!("{status} without an sl-violations header: {body}")),
            }
        }
        other => r.fail(case, format!("expected Prism to flag the request ({location}), got {other:?}")),
    }
}

/// Pass 2: wrong input, caught by the client or flagged by Prism.
async fn pass2_wrong_input(c: &Client, prism: &tools::Prism, r: &mut Report) {
    // 1. A path id that is not an ObjectId: the client checks the pattern.
    let before = requests_seen(prism);
    let res = c.instance_orgs().get("not-an-object-id").send().await;
    expect_client_refusal(r, prism, "path id not matching the pattern", before, "instanceId", res);

    // 2. A 23-character id in a nested path parameter.
    let before = requests_seen(prism);
    let res = c.instance_org_member().get(INSTANCE, &ORG[1..], USER).send().await;
    expect_client_refusal(r, prism, "23-character orgId", before, "orgId", res);

    // 3. A path-traversal attempt as an id.
    let before = requests_seen(prism);
    let res = c.instance_api_token().delete(INSTANCE, "../../instances").send().await;
    expect_client_refusal(r, prism, "path traversal as apiTokenId", before, "apiTokenId", res);

    // 4. A query parameter with a pattern (startingAfterId): checked client-side too.
    let before = requests_seen(prism);
    let res = c.instance_sandboxes().get(INSTANCE).starting_after_id("zzz").send().await;
    expect_client_refusal(r, prism, "startingAfterId not matching the pattern", before, "startingAfterId", res);

    // 5. Values the generated newtypes refuse cannot even be built into a body.
    match CommonName::new("") {
        Err(e) if e.type_name == "CommonName" => {}
        other => r.fail("empty required name", format!("expected CommonName to refuse \"\", got {other:?}")),
    }
    match ObjectId::new("575ec8687ae143cd83dc4a9z") {
        Err(e) if e.type_name == "ObjectId" => {}
        other => r.fail("ObjectId with a non-hex digit", format!("expected a refusal, got {other:?}")),
    }

    // 6. An enum value outside the spec's list, sent through `Unknown`: Prism flags the query.
    let res = c
        .instance_orgs()
        .get(INSTANCE)
        .sort_direction(InstanceOrgsGetSortDirection::Unknown("bogus".into()))
        .send()
        .await;
    expect_prism_violation(r, "unknown sortDirection", "\"query\",\"sortdirection\"", res);

    // 7. An unknown enum value in a required body member.
    let res = c
        .instance_member()
        .patch(
            INSTANCE,
            USER,
            InstanceMemberPatch {
                role: CommonInstanceRole::Unknown("superuser".into()),
                unknown_fields: Default::default(),
            },
        )
        .send()
        .await;
    expect_prism_violation(r, "unknown instance role in the body", "\"body\",\"role\"", res);

    // 8. A negative page size (minimum 0; integers are not checked client-side).
    let res = c.instance_orgs().get(INSTANCE).per_page(-1).send().await;
    expect_prism_violation(r, "negative perPage", "\"query\",\"perpage\"", res);

    // 9. A required body member with a value out of range (threshold maximum 1000):
    // request bodies are validated by the client before sending.
    let before = requests_seen(prism);
    let rule = body::<NotificationRulePost>(json!({
        "targetType": "organization",
        "targetQueryJson": "{}",
        "name": "Too high",
        "ruleConfig": { "ruleType": "payloadUsage", "thresholdType": "percentOfLimit", "threshold": 5000 }
    }));
    let res = c.instance_notification_rules().post(INSTANCE, rule).send().await;
    expect_client_refusal(r, prism, "threshold above the maximum", before, "NotificationRuleRuleConfig.threshold", res);

    // 10. A required email that is not an email (the client only checks its length).
    let invite = OrgInvitePost {
        email: CommonEmail::new("not-an-email").unwrap(),
        role: CommonOrgRole::View,
        application_roles: None,
        dashboard_roles: None,
        disallow_transfer: None,
    };
    let res = c.instance_org_invites().post(INSTANCE, ORG, invite).send().await;
    expect_prism_violation(r, "invalid email in the body", "\"body\",\"email\"", res);

    // 11. A required body member set to an empty value its schema refuses (node type: minLength 1):
    // the client's body validation catches it.
    let before = requests_seen(prism);
    let node = body::<InstanceCustomNodePost>(json!({
        "name": "Empty node type",
        "triggers": [],
        "nodes": [{ "type": "" }]
    }));
    let res = c.instance_custom_nodes().post(INSTANCE, node).send().await;
    expect_client_refusal(r, prism, "empty node type", before, "FlowNodesItem.type", res);

    // 12. Decoding checks only patterns (a server value must still decode), so a
    // body read from JSON can carry an empty required name: Prism flags it.
    let token = body::<ApiTokenPost>(json!({ "name": "" }));
    let res = c.instance_api_tokens().post(INSTANCE, token).send().await;
    expect_prism_violation(r, "empty required name", "\"body\",\"name\"", res);

    // 13. A body missing its required members, through the union's catch-all variant.
    let member = InstanceOrgMemberPost::Unknown(json!({ "role": "view" }));
    let res = c.instance_org_members().post(INSTANCE, ORG, member).send().await;
    expect_prism_violation(r, "org member without userId or email", "required property 'userId'", res);

    // 14. No credentials: Prism enforces the spec's bearer security.
    let anonymous = Client::builder().base_url(&prism.base_url).retry_policy(RetryPolicy::none()).build().unwrap();
    match anonymous.instances().get().send().await {
        Err(e) if e.status() == Some(reqwest::StatusCode::UNAUTHORIZED) => {}
        other => r.fail("missing bearer token", format!("expected 401 from Prism, got {other:?}")),
    }
}

#[test]
fn prism_validates_every_operation_and_wrong_input() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let (spec, doc) = bundle_spec(dir.path());
    let expected = all_operation_ids(&spec);
    assert_eq!(expected.len(), 62, "the 46 operations of the spec and the 16 the overlay restores: {expected:#?}");

    let seed = std::env::var("PRISM_SEED").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| SEED.to_owned());
    let prism = tools::Prism::start(&spec, &["--dynamic", "--seed", &seed]);
    let c = client(&prism.base_url);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let mut report = Report::default();
    declared_property_names(&doc, &mut report.declared);
    runtime.block_on(async {
        pass1_valid_calls(&c, &mut report).await;
        check_prism_log(&prism, &mut report);
        pass2_wrong_input(&c, &prism, &mut report).await;
    });

    let exercised: BTreeSet<String> = report.exercised.iter().map(|s| s.to_string()).collect();
    let missing: Vec<_> = expected.difference(&exercised).collect();
    let unknown: Vec<_> = exercised.difference(&expected).collect();
    assert!(
        report.failures.is_empty() && missing.is_empty() && unknown.is_empty(),
        "{} failure(s):\n\n{}\n\noperations not exercised: {missing:?}\nunknown operations: {unknown:?}\n--- prism log (tail) ---\n{}",
        report.failures.len(),
        report.failures.join("\n\n"),
        tail(&prism.log(), 60),
    );
    eprintln!(
        "prism (seed {seed}): {} operations and 14 wrong-input cases in {:?}; {} undeclared response members ignored",
        exercised.len(),
        started.elapsed(),
        report.undeclared,
    );
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The comparer of pass 1 must notice lost data (else pass 1 could not fail
/// on it), and accept what is only a different spelling.
#[test]
fn compare_detects_lost_members() {
    let declared: BTreeSet<String> = ["a", "b", "c", "d", "t", "n", "l"].map(String::from).into();
    let sent =
        json!({ "a": 1, "b": { "c": "x", "d": null }, "t": "2020-01-02T03:04:05.0Z", "n": 2.0, "l": [1, 2], "x9": 1 });

    let mut same = Compare::new(&declared);
    same.same_data(&sent, &json!({ "a": 1, "b": { "c": "x" }, "t": "2020-01-02T03:04:05Z", "n": 2, "l": [1, 2] }), "$");
    assert!(same.lost.is_empty(), "{:?}", same.lost);
    assert_eq!(same.undeclared, ["$.x9"]);

    let mut lossy = Compare::new(&declared);
    let decoded = json!({ "a": 1, "b": {}, "t": "2020-01-02T03:04:06Z", "n": 2, "l": [1], "z": true });
    lossy.same_data(&sent, &decoded, "$");
    assert_eq!(
        lossy.lost,
        [
            "$.b.c: dropped (sent \"x\")",
            "$.t: sent \"2020-01-02T03:04:05.0Z\", decoded as \"2020-01-02T03:04:06Z\"",
            "$.l: sent [1,2], decoded as [1]",
            "$.z: not sent, decoded as true",
        ]
    );
}
