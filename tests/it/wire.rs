//! Wire snapshots: for every operation, a representative call through the
//! generated client (`client.instance_orgs().get(..)...send_with_response()`)
//! against a local wiremock server, and an insta snapshot of the exact request
//! it received: method, path, query (raw, and decoded and sorted), headers
//! (without `host`, `content-length` and the token; the user agent's version
//! normalized) and the JSON body. One snapshot per operation, named after
//! method and path (`it__wire__GET__instances_{instanceId}_orgs.snap`).
//!
//! The server answers each call with the operation's documented success
//! status and a minimal valid body built from the lowered type of its success
//! response, so every call also proves that the typed success body decodes.
//! The list of calls is checked against `Generated.api.operations`: every
//! operation is called exactly once, with every query parameter it declares.
//!
//! Every operation also declares the official client's per-call options
//! (`losantdomain`, overrides of the default query); separate tests show them
//! on the wire, and that a POST, PATCH or DELETE without a body sends `{}`
//! as JSON like the official client (a GET sends none).
//!
//! Update with `INSTA_UPDATE=always cargo test --test it -- wire::`, then read every
//! changed `.snap`.

use std::collections::{BTreeMap, BTreeSet};

use losant_instance_api::api::CONVENTIONS;
use losant_instance_api::runtime::Request;
use losant_instance_api::types::*;
use losant_instance_api::{Client, RetryPolicy};
use openapi_clientgen::ir::{Api, Operation, ParamIn, TypeKind, TypeRef, TypeSpace};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::lowered_api;
use lowered_api::api;

const TOKEN: &str = "wire-test-token-5ecr3t";
const DOMAIN: &str = "example.onlosant.com";
const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
const ORG: &str = "575ed70c7ae143cd83dc4aa9";
const API_TOKEN: &str = "575ec7417ae143cd83dc4a95";
const AUDIT_LOG: &str = "57955788124b37010084c053";
const NODE: &str = "575ec7417ae143cd83dc4a96";
const USER: &str = "575ec8687ae143cd83dc4a94";
const RULE: &str = "575ec7417ae143cd83dc4a98";
const INVITE: &str = "575ec8687ae143cd83dc4a93";
const SANDBOX: &str = "575ec8687ae143cd83dc4a99";
/// A string for `pattern: ^[A-Fa-f\d]{24}$` in minimal response bodies.
const SOME_ID: &str = "5f0c7b6b2b3c4d0012345678";

/// A minimal JSON value that the generated type for `t` accepts: required
/// fields only, the first enum value, the first union variant, values that
/// satisfy the string checks.
fn minimal(space: &TypeSpace, t: &TypeRef, depth: usize) -> Value {
    assert!(depth < 64, "minimal body recursion: a required cycle?");
    match t {
        TypeRef::Named(id) => {
            let def = space.get(*id);
            match &def.kind {
                TypeKind::Struct { fields, .. } => Value::Object(
                    fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| (f.wire.clone(), minimal(space, &f.ty, depth + 1)))
                        .collect(),
                ),
                TypeKind::Enum { variants } => json!(variants[0].1),
                TypeKind::Union { variants } => minimal(space, &variants[0].1, depth + 1),
                TypeKind::Newtype { validation } => match validation.pattern.as_deref() {
                    None => json!("x".repeat(validation.min_length.unwrap_or(1).max(1) as usize)),
                    Some(p) if p.contains("{24}") => json!(SOME_ID),
                    Some(p) => json!(pattern_example(p, &def.name)),
                },
                TypeKind::Alias(inner) => minimal(space, inner, depth + 1),
            }
        }
        TypeRef::String => json!("x"),
        TypeRef::DateTime => json!("2016-06-13T04:00:00.000Z"),
        TypeRef::Integer(_) => json!(0),
        TypeRef::Number | TypeRef::Float32 => json!(0.5),
        TypeRef::Boolean => json!(false),
        TypeRef::Any | TypeRef::Map(_) => json!({}),
        TypeRef::Vec(_) => json!([]),
        TypeRef::Boxed(inner) => minimal(space, inner, depth + 1),
    }
}

/// Values for the string patterns of the spec other than object ids.
fn pattern_example(pattern: &str, type_name: &str) -> &'static str {
    let examples = ["a@example.com", "https://example.com", "#ff0000", "1.0.0", "example.com", "x"];
    examples
        .into_iter()
        .find(|e| regex_lite::Regex::new(pattern).is_ok_and(|re| re.is_match(e)))
        .unwrap_or_else(|| panic!("no example value for {type_name} (pattern {pattern}): add one"))
}

/// The mock server, the operations not yet called, and per-call checks.
struct Wire {
    server: MockServer,
    api: Api,
    called: BTreeSet<String>,
}

impl Wire {
    fn op(&self, id: &str) -> &Operation {
        self.api.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"))
    }

    /// Resets the server and makes it answer the next request like `id` succeeds.
    async fn prepare(&self, id: &str) {
        let op = self.op(id);
        self.server.reset().await;
        let body = op.success.1.as_ref().map_or(Value::Null, |t| minimal(&self.api.types, t, 0));
        Mock::given(any())
            .respond_with(ResponseTemplate::new(op.success.0).set_body_json(body))
            .expect(1)
            .mount(&self.server)
            .await;
    }

    /// Checks and snapshots the one request the call of `id` sent.
    async fn record(&mut self, id: &str, status: StatusCode) {
        let op = self.op(id).clone();
        assert!(self.called.insert(id.to_owned()), "{id} is called twice");
        assert_eq!(status.as_u16(), op.success.0, "{id}: success status");
        let received = self.server.received_requests().await.expect("recording is on");
        assert_eq!(received.len(), 1, "{id}: exactly one request (no retry)");
        let req = &received[0];
        assert_eq!(req.method.as_str(), op.method, "{id}: method");
        assert!(template_matches(&op.path, req.url.path()), "{id}: path {} for {}", req.url.path(), op.path);
        let auth = req.headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(auth, Some(format!("Bearer {TOKEN}")), "{id}: the token is sent");

        let pairs: Vec<(String, String)> =
            req.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        // Every operation declares the official client's per-call options (the overlay's last section).
        assert!(declares_per_call_options(&op), "{id}: the per-call options are not declared");
        // Every query parameter the operation declares is exercised: the per-call
        // overrides of the defaults by the defaults themselves (checked next),
        // every other one by the call.
        for p in op.params.iter().filter(|p| p.location == ParamIn::Query) {
            let sent = pairs.iter().any(|(k, _)| k == &p.wire || k.starts_with(&format!("{}[", p.wire)));
            assert!(sent, "{id}: query parameter `{}` is not set by the call", p.wire);
        }
        // The official client's defaults are always there, in its order.
        let defaults: Vec<String> = CONVENTIONS.default_query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert!(req.url.query().unwrap_or("").starts_with(&defaults.join("&")), "{id}: the default query");
        // A body exactly when the operation has one or sends a default body when it has none.
        assert_eq!(!req.body.is_empty(), op.body.is_some() || op.default_body.is_some(), "{id}: request body");

        let mut sorted = pairs.clone();
        sorted.sort();
        let mut text = format!("{} {}\n", req.method, req.url.path());
        text.push_str(&format!("\nraw query: {}\n", req.url.query().unwrap_or("")));
        text.push_str("\nquery (decoded, sorted):\n");
        for (k, v) in &sorted {
            text.push_str(&format!("  {k} = {v}\n"));
        }
        text.push_str("\nheaders:\n");
        let headers: BTreeMap<String, String> = req
            .headers
            .iter()
            .filter(|(n, _)| !matches!(n.as_str(), "host" | "content-length" | "authorization"))
            .map(|(n, v)| {
                let v = v.to_str().unwrap().replace(env!("CARGO_PKG_VERSION"), "<version>");
                (n.as_str().to_owned(), v)
            })
            .collect();
        for (n, v) in &headers {
            text.push_str(&format!("  {n}: {v}\n"));
        }
        text.push_str("\nbody:\n");
        if req.body.is_empty() {
            text.push_str("  (none)\n");
        } else {
            let body: Value =
                serde_json::from_slice(&req.body).unwrap_or_else(|e| panic!("{id}: body is not JSON: {e}"));
            text.push_str(&serde_json::to_string_pretty(&body).unwrap());
            text.push('\n');
        }
        text.push_str(&format!("\nresponse: {status}\n"));
        let name = format!("{}__{}", op.method, op.path.trim_start_matches('/').replace('/', "_"));
        insta::with_settings!({ description => format!("{id} ({} {})", op.method, op.path), omit_expression => true }, {
            insta::assert_snapshot!(name, text);
        });
    }
}

/// Whether `op` declares the official client's per-call options: the optional
/// `losantdomain` header and the overrides of every default query (`CONVENTIONS.default_query`) parameter.
fn declares_per_call_options(op: &Operation) -> bool {
    let has = |wire: &str, location: ParamIn| {
        op.params.iter().any(|p| p.wire == wire && p.location == location && !p.required)
    };
    has("losantdomain", ParamIn::Header) && CONVENTIONS.default_query.iter().all(|(name, _)| has(name, ParamIn::Query))
}

/// Whether `path` is `template` with every `{param}` replaced by one non-empty segment.
fn template_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| if t.starts_with('{') { !p.is_empty() } else { t == p })
}

/// Sends `$call` (a builder expression) as operation `$id` and records it.
macro_rules! call {
    ($wire:ident, $id:literal, $call:expr) => {{
        $wire.prepare($id).await;
        let resp = $call.send_with_response().await.unwrap_or_else(|e| panic!("{}: {e:?}", $id));
        $wire.record($id, resp.status).await;
    }};
}

fn name(s: &str) -> CommonName {
    CommonName::new(s).unwrap()
}

fn description(s: &str) -> CommonDescription {
    CommonDescription::new(s).unwrap()
}

fn email(s: &str) -> CommonEmail {
    CommonEmail::new(s).unwrap()
}

fn id(s: &str) -> ObjectId {
    ObjectId::new(s).unwrap()
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn every_operation_on_the_wire() {
    let mut wire = Wire { server: MockServer::start().await, api: api(), called: BTreeSet::new() };
    let client = Client::builder()
        .base_url(wire.server.uri())
        .token(TOKEN)
        .losant_domain(DOMAIN)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    // ---- instance
    call!(
        wire,
        "instance.deviceCounts",
        client.instance().device_counts(INSTANCE).start("1465790400000").end("1465876800000")
    );
    call!(
        wire,
        "instance.generateReport",
        client.instance().generate_report(INSTANCE).body(InstanceReportOptionsPost {
            email: Some(email("reports@example.com")),
            resource_group_by: Some(InstanceReportOptionsPostResourceGroupBy::Organization),
            date_group_by: Some(InstanceReportOptionsPostDateGroupBy::Month),
            include_sandbox: Some(false),
            start: Some(at("2024-01-01T00:00:00Z")),
            end: Some(at("2024-02-01T00:00:00Z")),
            ..Default::default()
        })
    );
    call!(wire, "instance.get", client.instance().get(INSTANCE));
    call!(
        wire,
        "instance.historicalSummaries",
        client
            .instance()
            .historical_summaries(INSTANCE)
            .month("1609459204518")
            .sort_field(InstanceHistoricalSummariesSortField::ResourceId)
            .sort_direction("desc")
            .page(1)
            .per_page(10)
            .filter_field(InstanceHistoricalSummariesFilterField::ResourceType)
            .filter("organization")
    );
    call!(
        wire,
        "instance.notebookMinuteCounts",
        client.instance().notebook_minute_counts(INSTANCE).start("0").end("1465790400000")
    );
    call!(
        wire,
        "instance.patch",
        client
            .instance()
            .patch(INSTANCE, InstancePatch { mfa_mode: Some(CommonMfaMode::AdminRequired), ..Default::default() })
    );
    call!(
        wire,
        "instance.payloadCounts",
        client.instance().payload_counts(INSTANCE).start("0").end("1465790400000").as_bytes(true)
    );
    call!(
        wire,
        "instance.payloadCountsBreakdown",
        client
            .instance()
            .payload_counts_breakdown(INSTANCE)
            .start("1465790400000")
            .end("1465876800000")
            .resolution(InstancePayloadCountsBreakdownResolution::V3600000)
            .as_bytes(true)
            .include_non_billable(true)
    );

    // ---- API tokens
    call!(wire, "instanceApiToken.delete", client.instance_api_token().delete(INSTANCE, API_TOKEN));
    call!(wire, "instanceApiToken.get", client.instance_api_token().get(INSTANCE, API_TOKEN));
    call!(
        wire,
        "instanceApiToken.patch",
        client.instance_api_token().patch(
            INSTANCE,
            API_TOKEN,
            ApiTokenPatch {
                description: Some(description("rotated")),
                status: Some(ApiTokenStatus::Inactive),
                ..Default::default()
            }
        )
    );
    call!(
        wire,
        "instanceApiTokens.get",
        client
            .instance_api_tokens()
            .get(INSTANCE)
            .sort_field("name")
            .sort_direction("desc")
            .page(2)
            .per_page(10)
            .filter_field(InstanceApiTokensGetFilterField::Status)
            .filter("active")
    );
    call!(
        wire,
        "instanceApiTokens.post",
        client.instance_api_tokens().post(
            INSTANCE,
            ApiTokenPost {
                name: name("CI token"),
                description: Some(description("used by the nightly job")),
                expiration_date: Some(at("2030-01-01T00:00:00Z")),
                scope: None,
                status: Some(ApiTokenStatus::Active),
                default_role: Some(CommonOrgRole::View),
                org_roles: None,
            }
        )
    );

    // ---- audit logs
    call!(wire, "instanceAuditLog.get", client.instance_audit_log().get(INSTANCE, AUDIT_LOG));
    call!(
        wire,
        "instanceAuditLogs.get",
        client
            .instance_audit_logs()
            .get(INSTANCE)
            .sort_field(InstanceAuditLogsGetSortField::CreationDate)
            .sort_direction("asc")
            .page(0)
            .per_page(25)
            .start("1465790400000")
            .end("1465876800000")
            .audit_log_filter(InstanceAuditLogFilter {
                primary_target: Some(vec![InstanceAuditLogFilterPrimaryTargetItem {
                    id: Some(id(ORG)),
                    r#type: Some(InstanceAuditLogFilterPrimaryTargetItemType::Organization),
                    name: None,
                }]),
                actor: Some(vec![InstanceAuditLogFilterActorItem {
                    r#type: Some(InstanceAuditLogFilterActorItemType::User),
                    name: Some("Jane Doe".into()),
                    ..Default::default()
                }]),
                response_code: Some(vec![200, 404]),
                ..Default::default()
            })
    );

    // ---- custom nodes
    call!(wire, "instanceCustomNode.delete", client.instance_custom_node().delete(INSTANCE, NODE));
    call!(
        wire,
        "instanceCustomNode.errors",
        client.instance_custom_node().errors(INSTANCE, NODE).duration(3_600_000).end(0).limit(5).sort_direction("asc")
    );
    call!(wire, "instanceCustomNode.get", client.instance_custom_node().get(INSTANCE, NODE));
    call!(
        wire,
        "instanceCustomNode.patch",
        client.instance_custom_node().patch(
            INSTANCE,
            NODE,
            InstanceCustomNodePatch {
                name: Some(name("Temperature converter")),
                description: Some(description("Celsius to Fahrenheit")),
                ..Default::default()
            }
        )
    );
    call!(
        wire,
        "instanceCustomNode.stats",
        client
            .instance_custom_node()
            .stats(INSTANCE, NODE)
            .duration(3_600_000)
            .end(1_465_790_400_000_i64)
            .resolution(300_000)
    );
    call!(
        wire,
        "instanceCustomNodes.get",
        client
            .instance_custom_nodes()
            .get(INSTANCE)
            .sort_field("lastUpdated")
            .sort_direction("asc")
            .page(1)
            .per_page(50)
            .filter_field(InstanceCustomNodesGetFilterField::Name)
            .filter("temp*")
    );
    let node: InstanceCustomNodePost = serde_json::from_value(json!({
        "name": "Temperature converter",
        "triggers": [{"type": "customNodeStart"}],
        "nodes": [{"id": "n1", "type": "CustomNodeOutputNode", "config": {}}],
        "customNodeConfig": {"outputCount": 1, "resultMode": "optional", "fields": []}
    }))
    .expect("a custom node body the generated type accepts");
    call!(wire, "instanceCustomNodes.post", client.instance_custom_nodes().post(INSTANCE, node));

    // ---- instance members
    call!(wire, "instanceMember.delete", client.instance_member().delete(INSTANCE, USER));
    call!(wire, "instanceMember.get", client.instance_member().get(INSTANCE, USER));
    call!(
        wire,
        "instanceMember.patch",
        client.instance_member().patch(
            INSTANCE,
            USER,
            InstanceMemberPatch { role: CommonInstanceRole::View, unknown_fields: Default::default() }
        )
    );
    call!(
        wire,
        "instanceMembers.get",
        client
            .instance_members()
            .get(INSTANCE)
            .sort_field(InstanceMembersGetSortField::Role)
            .sort_direction("asc")
            .filter_field(InstanceMembersGetFilterField::Email)
            .filter("*@example.com")
    );
    call!(
        wire,
        "instanceMembers.post",
        client.instance_members().post(
            INSTANCE,
            InstanceMemberPost {
                email: Some(email("new.admin@example.com")),
                role: Some(CommonInstanceRole::Admin),
                ..Default::default()
            }
        )
    );

    // ---- notification rules
    call!(wire, "instanceNotificationRule.delete", client.instance_notification_rule().delete(INSTANCE, RULE));
    call!(
        wire,
        "instanceNotificationRule.evaluate",
        client.instance_notification_rule().evaluate(
            INSTANCE,
            RULE,
            NotificationRuleEvaluationOptions { ignore_frequency_check: Some(true) }
        )
    );
    call!(wire, "instanceNotificationRule.get", client.instance_notification_rule().get(INSTANCE, RULE));
    call!(
        wire,
        "instanceNotificationRule.logs",
        client.instance_notification_rule().logs(INSTANCE, RULE).limit(10).since("1465790400000")
    );
    call!(
        wire,
        "instanceNotificationRule.patch",
        client.instance_notification_rule().patch(
            INSTANCE,
            RULE,
            NotificationRulePatch { enabled: Some(false), ..Default::default() }
        )
    );
    call!(
        wire,
        "instanceNotificationRules.get",
        client
            .instance_notification_rules()
            .get(INSTANCE)
            .sort_field("name")
            .sort_direction("asc")
            .page(0)
            .per_page(100)
            .filter_field(InstanceNotificationRulesGetFilterField::Name)
            .filter("payload*")
    );
    let rule: NotificationRulePost = serde_json::from_value(json!({
        "targetType": "organization",
        "targetQueryJson": "{\"id\":\"575ed70c7ae143cd83dc4aa9\"}",
        "name": "Payload usage at 80%",
        "enabled": true,
        "emailConfig": {
            "subjectTemplate": "{{name}} is at {{percent}}%",
            "bodyTemplate": "Payload usage of {{name}} crossed the threshold.",
            "sendToAddresses": ["ops@example.com"]
        },
        "ruleConfig": {"ruleType": "payloadUsage", "thresholdType": "percentOfLimit", "threshold": 80}
    }))
    .expect("a notification rule body the generated type accepts");
    call!(wire, "instanceNotificationRules.post", client.instance_notification_rules().post(INSTANCE, rule));

    // ---- organizations
    call!(wire, "instanceOrg.delete", client.instance_org().delete(INSTANCE, ORG));
    call!(
        wire,
        "instanceOrg.deviceCounts",
        client.instance_org().device_counts(INSTANCE, ORG).start("1465790400000").end(1_465_876_800_000_i64)
    );
    call!(
        wire,
        "instanceOrg.get",
        client.instance_org().get(INSTANCE, ORG).summary_include("payloadCount,deviceCount")
    );
    call!(
        wire,
        "instanceOrg.notebookMinuteCounts",
        client.instance_org().notebook_minute_counts(INSTANCE, ORG).start("1465790400000").end("1465876800000")
    );
    call!(
        wire,
        "instanceOrg.patch",
        client
            .instance_org()
            .patch(
                INSTANCE,
                ORG,
                InstanceOrgPatch {
                    description: Some(description("Plant floor devices")),
                    is_read_only: Some(true),
                    ..Default::default()
                }
            )
            .summary_include("payloadCount")
    );
    call!(
        wire,
        "instanceOrg.payloadCounts",
        client.instance_org().payload_counts(INSTANCE, ORG).start("1465790400000").end("1465876800000").as_bytes(false)
    );
    call!(
        wire,
        "instanceOrg.payloadCountsBreakdown",
        client
            .instance_org()
            .payload_counts_breakdown(INSTANCE, ORG)
            .start("1465790400000")
            .end("1465876800000")
            .resolution(InstanceOrgPayloadCountsBreakdownResolution::V86400000)
            .as_bytes(false)
            .include_non_billable(true)
    );
    call!(wire, "instanceOrgInvite.delete", client.instance_org_invite().delete(INSTANCE, ORG, INVITE));
    call!(wire, "instanceOrgInvite.get", client.instance_org_invite().get(INSTANCE, ORG, INVITE));
    call!(
        wire,
        "instanceOrgInvite.resendInvite",
        client.instance_org_invite().resend_invite(
            INSTANCE,
            ORG,
            INVITE,
            OrgRoleInfo { role: Some(CommonOrgRole::Collaborate), ..Default::default() }
        )
    );
    call!(
        wire,
        "instanceOrgInvites.get",
        client
            .instance_org_invites()
            .get(INSTANCE, ORG)
            .sort_field(InstanceOrgInvitesGetSortField::InviteDate)
            .sort_direction("desc")
            .filter_field(InstanceOrgInvitesGetFilterField::Role)
            .filter("view")
    );
    call!(
        wire,
        "instanceOrgInvites.post",
        client.instance_org_invites().post(
            INSTANCE,
            ORG,
            OrgInvitePost {
                email: email("invitee@example.com"),
                role: CommonOrgRole::Edit,
                application_roles: None,
                dashboard_roles: None,
                disallow_transfer: Some(true),
            }
        )
    );
    call!(wire, "instanceOrgMember.delete", client.instance_org_member().delete(INSTANCE, ORG, USER));
    call!(wire, "instanceOrgMember.get", client.instance_org_member().get(INSTANCE, ORG, USER));
    call!(
        wire,
        "instanceOrgMember.patch",
        client.instance_org_member().patch(
            INSTANCE,
            ORG,
            USER,
            InstanceOrgMemberPatch { role: Some(CommonOrgRole::Admin), ..Default::default() }
        )
    );
    call!(
        wire,
        "instanceOrgMembers.get",
        client
            .instance_org_members()
            .get(INSTANCE, ORG)
            .sort_field("email")
            .sort_direction("asc")
            .filter_field("role")
            .filter("admin")
    );
    let member: InstanceOrgMemberPost =
        serde_json::from_value(json!({"userId": USER, "role": "view"})).expect("an org member body");
    call!(wire, "instanceOrgMembers.post", client.instance_org_members().post(INSTANCE, ORG, member));
    let query: BTreeMap<String, Value> = serde_json::from_value(
        json!({"$or": [{"name": {"$eq": "Plant A"}}, {"tags": {"$elemMatch": {"key": "site"}}}]}),
    )
    .unwrap();
    call!(
        wire,
        "instanceOrgs.get",
        client
            .instance_orgs()
            .get(INSTANCE)
            .sort_field("creationDate")
            .sort_direction("desc")
            .page(3)
            .per_page(20)
            .filter_field("name")
            .filter("my*org")
            .summary_include("payloadCount,deviceCount")
            .query(query)
    );
    call!(
        wire,
        "instanceOrgs.post",
        client.instance_orgs().post(INSTANCE).summary_include("payloadCount").body(InstanceOrgPost {
            name: name("Plant A"),
            description: Some(description("Devices of plant A")),
            icon_color: None,
            limits: None,
            members: None,
            whitelisted_email_domains: None,
            audit_log_enabled: Some(true),
            disabled_at: None,
            is_read_only: None,
            tags: None,
            referral_id: None,
            mfa_mode: None,
            banner: None,
        })
    );

    // ---- sandboxes
    call!(wire, "instanceSandbox.delete", client.instance_sandbox().delete(INSTANCE, SANDBOX));
    call!(
        wire,
        "instanceSandbox.deviceCounts",
        client.instance_sandbox().device_counts(INSTANCE, SANDBOX).start("0").end("1465790400000")
    );
    call!(
        wire,
        "instanceSandbox.get",
        client.instance_sandbox().get(INSTANCE, SANDBOX).summary_exclude("payloadCount").summary_include("deviceCount")
    );
    call!(
        wire,
        "instanceSandbox.notebookMinuteCounts",
        client.instance_sandbox().notebook_minute_counts(INSTANCE, SANDBOX).start("0").end("1465790400000")
    );
    call!(
        wire,
        "instanceSandbox.payloadCounts",
        client.instance_sandbox().payload_counts(INSTANCE, SANDBOX).start("0").end("1465790400000").as_bytes(true)
    );
    call!(
        wire,
        "instanceSandbox.payloadCountsBreakdown",
        client
            .instance_sandbox()
            .payload_counts_breakdown(INSTANCE, SANDBOX)
            .start("0")
            .end("1465790400000")
            .resolution("3600000")
            .as_bytes(false)
            .include_non_billable(false)
    );
    call!(
        wire,
        "instanceSandbox.undelete",
        client
            .instance_sandbox()
            .undelete(INSTANCE, SANDBOX)
            .summary_exclude("payloadCount")
            .summary_include("deviceCount")
    );
    call!(
        wire,
        "instanceSandboxes.get",
        client
            .instance_sandboxes()
            .get(INSTANCE)
            .summary_exclude("payloadCount")
            .summary_include("deviceCount")
            .sort_field(InstanceSandboxesGetSortField::LastName)
            .sort_direction("asc")
            .starting_after_id(SANDBOX)
            .ending_before_id("575ec8687ae143cd83dc4a9a")
            .limit(10)
            .filter_field(InstanceSandboxesGetFilterField::Email)
            .filter("*@example.com")
            .include_deleted("true")
    );

    // ---- instances
    call!(
        wire,
        "instances.get",
        client
            .instances()
            .get()
            .sort_field(InstancesGetSortField::LastUpdated)
            .sort_direction("asc")
            .page(0)
            .per_page(5)
            .filter_field(InstancesGetFilterField::Name)
            .filter("prod*")
    );

    // Exhaustive: every operation of the generated API was called once.
    let all: BTreeSet<String> = wire.api.operations.iter().map(|o| o.id.clone()).collect();
    let missing: Vec<&String> = all.difference(&wire.called).collect();
    assert!(missing.is_empty(), "operations without a wire call: {missing:?}");
    assert_eq!(wire.called.len(), 62);
}

// ---- per-call options and bodiless requests

/// A client for `server` without retries, with `domain` as its default `losantdomain`.
fn client_for(server: &MockServer, domain: Option<&str>) -> Client {
    let builder = Client::builder().base_url(server.uri()).token(TOKEN).retry_policy(RetryPolicy::none());
    match domain {
        Some(d) => builder.losant_domain(d),
        None => builder,
    }
    .build()
    .unwrap()
}

/// Sends `req` to `server` (which answers `200 {}`) and returns the one request it received.
async fn exchange(server: &MockServer, client: &Client, req: Request) -> wiremock::Request {
    server.reset().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(server).await;
    let id = req.get_operation_id().unwrap_or("-");
    client.execute_raw(req).await.unwrap_or_else(|e| panic!("{id}: {e:?}"));
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "{id}: exactly one request");
    received.remove(0)
}

/// Every value of header `name` in a received request.
fn header_values(req: &wiremock::Request, name: &str) -> Vec<String> {
    req.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn per_call_losantdomain_overrides_the_clients_and_is_sent_without_one() {
    let server = MockServer::start().await;
    let with_default = client_for(&server, Some(DOMAIN));
    let without = client_for(&server, None);
    fn call(c: &Client) -> losant_instance_api::api::InstanceOrgMemberGet<'_> {
        c.instance_org_member().get(INSTANCE, ORG, USER)
    }

    let got = exchange(&server, &with_default, call(&with_default).request()).await;
    assert_eq!(header_values(&got, "losantdomain"), [DOMAIN], "the client's default");
    let got = exchange(&server, &with_default, call(&with_default).losant_domain("other.example.com").request()).await;
    assert_eq!(header_values(&got, "losantdomain"), ["other.example.com"], "the call's own value replaces the default");
    let got = exchange(&server, &without, call(&without).losant_domain("other.example.com").request()).await;
    assert_eq!(header_values(&got, "losantdomain"), ["other.example.com"], "sent without a client default");
    let got = exchange(&server, &without, call(&without).request()).await;
    assert_eq!(header_values(&got, "losantdomain"), Vec::<String>::new(), "none configured: none sent");
}

#[tokio::test]
async fn default_query_overrides_replace_the_defaults_in_place() {
    let server = MockServer::start().await;
    let client = client_for(&server, None);
    let cases = [
        (
            client.instance_orgs().get(INSTANCE).per_page(5).links(false),
            "_actions=false&_links=false&_embedded=true&perPage=5",
        ),
        (
            client.instance_orgs().get(INSTANCE).embedded(false).page(1).actions(true),
            "_actions=true&_links=true&_embedded=false&page=1",
        ),
        (
            client.instance_orgs().get(INSTANCE).actions(false).links(true).embedded(true),
            "_actions=false&_links=true&_embedded=true",
        ),
    ];
    for (builder, expected) in cases {
        assert_eq!(builder.request().query_string(), expected);
        let got = exchange(&server, &client, builder.request()).await;
        assert_eq!(got.url.query(), Some(expected), "the raw query on the wire");
    }
    // A bodiless DELETE takes them too.
    let got = exchange(&server, &client, client.instance_org().delete(INSTANCE, ORG).actions(true).request()).await;
    assert_eq!(got.url.query(), Some("_actions=true&_links=true&_embedded=true"));
}

#[tokio::test]
async fn bodiless_post_patch_and_delete_send_an_empty_json_object() {
    let server = MockServer::start().await;
    let client = client_for(&server, None);
    let bodiless = [
        client.instance_api_token().delete(INSTANCE, API_TOKEN).request(),
        client.instance_custom_node().delete(INSTANCE, NODE).request(),
        client.instance_member().delete(INSTANCE, USER).request(),
        client.instance_notification_rule().delete(INSTANCE, RULE).request(),
        client.instance_org().delete(INSTANCE, ORG).request(),
        client.instance_org_invite().delete(INSTANCE, ORG, INVITE).request(),
        client.instance_org_member().delete(INSTANCE, ORG, USER).request(),
        client.instance_sandbox().delete(INSTANCE, SANDBOX).request(),
        client.instance_sandbox().undelete(INSTANCE, SANDBOX).request(),
        // Optional bodies left unset.
        client.instance().generate_report(INSTANCE).request(),
        client.instance_orgs().post(INSTANCE).request(),
    ];
    let mut called = BTreeSet::new();
    for req in bodiless {
        let id = req.get_operation_id().unwrap().to_owned();
        let got = exchange(&server, &client, req).await;
        assert_eq!(got.body, b"{}", "{id}: body");
        assert_eq!(header_values(&got, "content-type"), ["application/json"], "{id}: content-type");
        assert_eq!(header_values(&got, "content-length"), ["2"], "{id}: content-length");
        called.insert(id);
    }
    // Exactly the operations that can go without a body: POST, PATCH and DELETE without
    // a required one (the spec has no PUT).
    let api = api();
    let expected: BTreeSet<String> = api
        .operations
        .iter()
        .filter(|o| matches!(o.method.as_str(), "POST" | "PATCH" | "DELETE"))
        .filter(|o| !o.body.as_ref().is_some_and(|(_, required)| *required))
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(called, expected);
    assert!(api.operations.iter().all(|o| o.default_body.is_some() == expected.contains(&o.id)));

    // A GET sends no body at all.
    let got = exchange(&server, &client, client.instance_orgs().get(INSTANCE).request()).await;
    assert!(got.body.is_empty());
    assert!(header_values(&got, "content-type").is_empty() && header_values(&got, "content-length").is_empty());
}
