//! Hostile responses: decoding any JSON a server might send into the
//! generated response types never panics and never loses data silently.
//!
//! For every operation's success type (the list below is checked against the
//! generator's IR, so a new operation cannot be forgotten), property tests
//! decode bodies shaped by the IR with hostile values anywhere (wrong types,
//! nulls where not nullable, unknown members and enum values, union values,
//! repeated keys, numbers beyond 64 bits, `-0`, `1e400`, invalid UTF-8 and
//! lone surrogates, nesting beyond serde_json's recursion limit), arbitrary
//! JSON, and bodies mangled on the way (truncated, a byte replaced, empty,
//! trailing garbage, a byte order mark). Every decode must either
//! - succeed, and encoding the value again loses nothing the body had (see
//!   `hostile_json::first_loss`: every member, declared or not, survives;
//!   members a type does not declare are kept in its `unknown_fields` map), and
//!   `serde_json::Value` must accept the body too, and `from_value` must agree
//!   with `from_slice` when no key repeats; or
//! - fail with a `serde_json::Error` (not a panic, not a stack overflow); and
//!   through the client, an `Error::Decode` with the status and exact body.
//!
//! A repeated key: a member the type declares is refused (`duplicate field`);
//! any other keeps its last value, as `serde_json::Value` and `JSON.parse` do.
//!
//! Cases per property: `PROPTEST_CASES` (default 24 per success type for the
//! shaped bodies, 256 arbitrary bodies each decoded as every type, 24 through
//! the client); the seed is fixed unless `HOSTILE_SEED` is a number or `random`.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use hostile_json::{any_json, first_loss, mangle, shaped, HOSTILE_NUMBERS};
use losant_instance_api::types;
use losant_instance_api::{ApiResponse, Client, Error, RetryPolicy};
use openapi_clientgen::ir::TypeRef;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{hostile_json, lowered_api};

const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
const ORG: &str = "575ed70c7ae143cd83dc4aa9";

// ---------------------------------------------------------------------------
// The success types.

/// Why a decode did not produce a value.
#[derive(Debug)]
enum Failure {
    Decode(serde_json::Error),
    /// Decoded, but encoding the value again failed: a bug.
    Encode(serde_json::Error),
}

fn from_slice<T: DeserializeOwned + Serialize>(body: &[u8]) -> Result<Value, Failure> {
    let typed: T = serde_json::from_slice(body).map_err(Failure::Decode)?;
    serde_json::to_value(&typed).map_err(Failure::Encode)
}

fn from_value<T: DeserializeOwned + Serialize>(body: Value) -> Result<Value, Failure> {
    let typed: T = serde_json::from_value(body).map_err(Failure::Decode)?;
    serde_json::to_value(&typed).map_err(Failure::Encode)
}

struct Target {
    /// The Rust type as the IR names it.
    name: &'static str,
    from_slice: fn(&[u8]) -> Result<Value, Failure>,
    from_value: fn(Value) -> Result<Value, Failure>,
}

macro_rules! targets {
    ($($name:literal => $ty:ty),* $(,)?) => {
        vec![$(Target { name: $name, from_slice: from_slice::<$ty>, from_value: from_value::<$ty> }),*]
    };
}

/// Every success type of the API (checked against the IR by
/// `every_success_type_is_covered`).
fn targets() -> Vec<Target> {
    targets![
        "ApiToken" => types::ApiToken,
        "ApiTokens" => types::ApiTokens,
        "DeviceCounts" => types::DeviceCounts,
        "FlowErrors" => types::FlowErrors,
        "FlowStats" => types::FlowStats,
        "HistoricalSummaries" => types::HistoricalSummaries,
        "Instance" => types::Instance,
        "InstanceAuditLog" => types::InstanceAuditLog,
        "InstanceAuditLogs" => types::InstanceAuditLogs,
        "InstanceCustomNode" => types::InstanceCustomNode,
        "InstanceCustomNodes" => types::InstanceCustomNodes,
        "InstanceMember" => types::InstanceMember,
        "InstanceMemberPatch" => types::InstanceMemberPatch,
        "InstanceMembers" => types::InstanceMembers,
        "InstanceOrg" => types::InstanceOrg,
        "InstanceOrgMember" => types::InstanceOrgMember,
        "InstanceOrgMembers" => types::InstanceOrgMembers,
        "InstanceOrgs" => types::InstanceOrgs,
        "InstanceSandbox" => types::InstanceSandbox,
        "InstanceSandboxes" => types::InstanceSandboxes,
        "Instances" => types::Instances,
        "JobEnqueuedResult" => types::JobEnqueuedResult,
        "NotebookMinuteCounts" => types::NotebookMinuteCounts,
        "NotificationRule" => types::NotificationRule,
        "NotificationRules" => types::NotificationRules,
        "Org" => types::Org,
        "OrgInvite" => types::OrgInvite,
        "OrgInviteCollection" => types::OrgInviteCollection,
        "PayloadCountsBreakdown" => types::PayloadCountsBreakdown,
        "PayloadStats" => types::PayloadStats,
        "Success" => types::Success,
        "Vec<NotificationRuleDeliveryLogsItem>" => Vec<types::NotificationRuleDeliveryLogsItem>,
    ]
}

/// Each target with its type in the IR.
fn targets_with_types() -> (openapi_clientgen::ir::Api, Vec<(Target, TypeRef)>) {
    let api = lowered_api::api();
    let mut by_name = std::collections::BTreeMap::new();
    for op in &api.operations {
        if let (_, Some(t)) = &op.success {
            by_name.insert(api.types.rust_type(t), t.clone());
        }
    }
    let listed: Vec<(Target, TypeRef)> = targets()
        .into_iter()
        .map(|t| {
            let ty = by_name.get(t.name).unwrap_or_else(|| panic!("{} is no operation's success type", t.name)).clone();
            (t, ty)
        })
        .collect();
    (api, listed)
}

#[test]
fn every_success_type_is_covered() {
    let api = lowered_api::api();
    let in_ir: BTreeSet<String> =
        api.operations.iter().filter_map(|op| op.success.1.as_ref()).map(|t| api.types.rust_type(t)).collect();
    let listed: BTreeSet<String> = targets().iter().map(|t| t.name.to_string()).collect();
    let missing: Vec<&String> = in_ir.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&in_ir).collect();
    assert!(missing.is_empty() && stale.is_empty(), "add to targets(): {missing:?}; remove: {stale:?}");
    // Every operation has a JSON success body (so `targets()` is every response).
    let bodiless: Vec<&str> =
        api.operations.iter().filter(|op| op.success.1.is_none()).map(|op| op.id.as_str()).collect();
    assert!(bodiless.is_empty(), "operations without a success body: {bodiless:?}");
}

// ---------------------------------------------------------------------------
// The property.

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().map_or(default, |v| v.parse().expect("PROPTEST_CASES is a number"))
}

fn runner(cases: u32) -> TestRunner {
    let seed = match std::env::var("HOSTILE_SEED").ok().as_deref() {
        Some("random") => RngSeed::Random,
        Some(s) => RngSeed::Fixed(s.parse().expect("HOSTILE_SEED is a number or `random`")),
        None => RngSeed::Fixed(0x0bad_b0d1e5),
    };
    TestRunner::new(Config { cases, rng_seed: seed, failure_persistence: None, ..Config::default() })
}

/// How the decodes of one property ended.
#[derive(Default, Debug)]
struct Tally {
    ok: usize,
    err: usize,
}

impl Tally {
    /// Counts one decode: `decoded` is what [`check`] returned.
    fn record(&mut self, decoded: bool) {
        if decoded {
            self.ok += 1
        } else {
            self.err += 1
        }
    }
}

/// Decodes `body` as `target` and checks the outcome (see the module docs);
/// `Ok(true)` when it decoded.
fn check(target: &Target, body: &[u8], repeats_keys: bool) -> Result<bool, TestCaseError> {
    let shown = || String::from_utf8_lossy(&body[..body.len().min(2000)]).into_owned();
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.from_slice)(body)))
        .map_err(|_| TestCaseError::fail(format!("{}: decoding panicked on {}", target.name, shown())))?;
    let reference = serde_json::from_slice::<Value>(body);
    match (outcome, reference) {
        (Ok(output), Ok(input)) => {
            if let Some(loss) = first_loss(&input, &output, "") {
                return Err(TestCaseError::fail(format!("{}: {loss}\n  body: {}", target.name, shown())));
            }
            if !repeats_keys {
                let again = (target.from_value)(input).map_err(|e| {
                    TestCaseError::fail(format!("{}: from_slice decodes, from_value fails: {e:?}", target.name))
                })?;
                prop_assert_eq!(again, output, "{}: from_value and from_slice disagree", target.name);
            }
            Ok(true)
        }
        (Ok(_), Err(e)) => {
            Err(TestCaseError::fail(format!("{}: decoded a body Value refuses ({e}): {}", target.name, shown())))
        }
        (Err(Failure::Encode(e)), _) => {
            Err(TestCaseError::fail(format!("{}: decoded but does not encode: {e}\n  body: {}", target.name, shown())))
        }
        (Err(Failure::Decode(e)), reference) => {
            prop_assert!(!e.is_io(), "{}: an I/O error from a slice: {}", target.name, e);
            if let (Ok(input), false) = (reference, repeats_keys) {
                prop_assert!(
                    (target.from_value)(input).is_err(),
                    "{}: from_value decodes, from_slice fails: {}",
                    target.name,
                    e
                );
            }
            Ok(false)
        }
    }
}

#[test]
fn bodies_shaped_like_each_success_type_decode_without_loss_or_fail_typed() {
    let (api, targets) = targets_with_types();
    let mut failures = Vec::new();
    let mut total = Tally::default();
    for (target, ty) in &targets {
        let tally = std::cell::RefCell::new(Tally::default());
        let strategy = (shaped(&api.types, ty, 0), mangle());
        let result = runner(cases(24)).run(&strategy, |(doc, mangle)| {
            let mut text = Vec::new();
            doc.render(&mut text);
            tally.borrow_mut().record(check(target, &mangle.apply(text), doc.has_duplicate_keys())?);
            Ok(())
        });
        let t = tally.into_inner();
        eprintln!("{}: {} decoded, {} refused", target.name, t.ok, t.err);
        (total.ok, total.err) = (total.ok + t.ok, total.err + t.err);
        if let Err(e) = result {
            failures.push(format!("{}: {e}", target.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Both outcomes are exercised, so neither half of the property is vacuous.
    let all = total.ok + total.err;
    assert!(total.ok * 5 > all && total.err * 5 > all, "{total:?}");
}

#[test]
fn arbitrary_json_decodes_as_every_success_type_without_loss_or_fails_typed() {
    let targets = targets();
    let tally = std::cell::RefCell::new(Tally::default());
    runner(cases(256))
        .run(&(any_json(), mangle()), |(doc, mangle)| {
            let mut text = Vec::new();
            doc.render(&mut text);
            let body = mangle.apply(text);
            for target in &targets {
                tally.borrow_mut().record(check(target, &body, doc.has_duplicate_keys())?);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let t = tally.into_inner();
    eprintln!("arbitrary JSON: {t:?}");
    assert!(t.ok > 0 && t.err > 0, "{t:?}");
}

// ---------------------------------------------------------------------------
// Through the client.

/// The success types driven through a real call.
const THROUGH_CLIENT: [&str; 3] = ["InstanceOrgs", "Instance", "Success"];

async fn call(client: &Client, name: &str) -> Result<(StatusCode, Value), Error> {
    fn done<T: Serialize>(r: ApiResponse<T>) -> (StatusCode, Value) {
        (r.status, serde_json::to_value(&r.body).expect("a decoded body encodes"))
    }
    Ok(match name {
        "InstanceOrgs" => done(client.instance_orgs().get(INSTANCE).send_with_response().await?),
        "Instance" => done(client.instance().get(INSTANCE).send_with_response().await?),
        "Success" => done(client.instance_org().delete(INSTANCE, ORG).send_with_response().await?),
        other => panic!("no call for {other}"),
    })
}

struct Local {
    rt: tokio::runtime::Runtime,
    server: MockServer,
    client: Client,
}

impl Local {
    fn start() -> Local {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let server = rt.block_on(MockServer::start());
        let client = Client::builder()
            .base_url(server.uri())
            .retry_policy(RetryPolicy { max_retries: 0, ..RetryPolicy::default() })
            .build()
            .expect("a client");
        Local { rt, server, client }
    }

    /// Calls the operation returning `name` against a server answering `status` and `body`.
    fn call(&self, name: &str, status: u16, body: &[u8]) -> Result<(StatusCode, Value), Error> {
        self.rt.block_on(async {
            self.server.reset().await;
            Mock::given(any_request())
                .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_vec(), "application/json"))
                .mount(&self.server)
                .await;
            call(&self.client, name).await
        })
    }
}

/// The client's outcome for `body` is the direct decode's (an empty or
/// all-whitespace body decodes from `null`, as documented); a failure is an
/// `Error::Decode` with the status and the exact body.
fn check_client(local: &Local, target: &Target, status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let direct =
        if body.iter().all(u8::is_ascii_whitespace) { (target.from_slice)(b"null") } else { (target.from_slice)(body) };
    let got = local.call(target.name, status, body);
    match (direct, got) {
        (Ok(want), Ok((s, value))) => {
            prop_assert_eq!(s.as_u16(), status);
            prop_assert_eq!(value, want, "{}", target.name);
        }
        (Err(Failure::Decode(_)), Err(err)) => {
            prop_assert!(matches!(err, Error::Decode { .. }), "{}: {:?}", target.name, err);
            prop_assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
            prop_assert_eq!(err.body_bytes(), Some(body), "{}: the exact body is kept", target.name);
        }
        (direct, got) => {
            return Err(TestCaseError::fail(format!("{}: direct {direct:?}, through the client {got:?}", target.name)))
        }
    }
    Ok(())
}

#[test]
fn hostile_bodies_through_the_client_keep_status_and_body() {
    let (api, targets) = targets_with_types();
    let via: Vec<&(Target, TypeRef)> = targets.iter().filter(|(t, _)| THROUGH_CLIENT.contains(&t.name)).collect();
    assert_eq!(via.len(), THROUGH_CLIENT.len());
    let statuses = proptest::sample::select(&[200u16, 201, 202, 203, 206][..]);
    let strategy = proptest::strategy::Union::new(
        via.iter()
            .enumerate()
            .map(|(i, (_, ty))| (Just(i), shaped(&api.types, ty, 0), mangle(), statuses.clone()).boxed()),
    );
    let local = Local::start();
    runner(cases(24))
        .run(&strategy, |(i, doc, mangle, status)| {
            let mut text = Vec::new();
            doc.render(&mut text);
            check_client(&local, &via[i].0, status, &mangle.apply(text))
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn bodies_that_are_not_json_through_the_client_are_decode_errors_with_the_body() {
    let local = Local::start();
    let targets = targets();
    let bodies: [&[u8]; 8] =
        [b"", b" \n", b"null", b"[]", b"{\"count\": 1", b"{\"name\": \"caf\xe9\"}", b"\xEF\xBB\xBF{}", b"{} x"];
    for target in targets.iter().filter(|t| THROUGH_CLIENT.contains(&t.name)) {
        for body in bodies {
            let err = local.call(target.name, 200, body).expect_err(&String::from_utf8_lossy(body));
            assert!(matches!(err, Error::Decode { status: StatusCode::OK, .. }), "{}: {err:?}", target.name);
            assert_eq!(err.body_bytes(), Some(body));
        }
    }
}

// ---------------------------------------------------------------------------
// Specific cases.

fn nested_arrays(n: usize) -> String {
    format!("{}0{}", "[".repeat(n), "]".repeat(n))
}

#[test]
fn ten_thousand_levels_of_nesting_are_a_decode_error_not_a_stack_overflow() {
    let deep = nested_arrays(10_000);
    let deep_objects = format!("{}0{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    for target in targets() {
        for body in [deep.clone(), deep_objects.clone(), format!(r#"{{"someFutureField": {deep}}}"#)] {
            match (target.from_slice)(body.as_bytes()) {
                Err(Failure::Decode(e)) if body.starts_with(r#"{"some"#) && !target.name.starts_with("Vec<") => {
                    assert!(e.to_string().contains("recursion limit exceeded"), "{}: {e}", target.name)
                }
                Err(Failure::Decode(_)) => {}
                other => panic!("{}: {other:?}", target.name),
            }
        }
        // Within the limit, a deep unknown member is kept whole (types without required fields).
        if (target.from_slice)(b"{}").is_ok() {
            let body = format!(r#"{{"someFutureField": {}}}"#, nested_arrays(100));
            let output = (target.from_slice)(body.as_bytes()).expect("100 levels decode");
            let input: Value = serde_json::from_str(&body).expect("JSON");
            assert_eq!(first_loss(&input, &output, ""), None, "{}", target.name);
        }
    }
    // Through the client (decoding inside the runtime, on the test thread's stack).
    let local = Local::start();
    let body = format!(r#"{{"count": 1, "someFutureField": {deep}}}"#);
    let err = local.call("InstanceOrgs", 200, body.as_bytes()).expect_err("too deep");
    assert!(matches!(&err, Error::Decode { source, .. } if source.to_string().contains("recursion limit")), "{err:?}");
    assert_eq!((err.status(), err.body_bytes()), (Some(StatusCode::OK), Some(body.as_bytes())));
}

/// `InstanceOrgs.count` is an i64, `FlowErrors.limit` an f64, and a member no
/// type declares a `serde_json::Value`.
#[test]
fn numbers_beyond_64_bits_decode_exactly_or_fail() {
    for lit in HOSTILE_NUMBERS {
        let reference = serde_json::from_str::<Value>(lit).ok();
        let count = serde_json::from_str::<types::InstanceOrgs>(&format!(r#"{{"count": {lit}}}"#));
        let limit = serde_json::from_str::<types::FlowErrors>(&format!(r#"{{"limit": {lit}}}"#));
        let unknown = serde_json::from_str::<types::InstanceOrgs>(&format!(r#"{{"future": {lit}}}"#));
        // Integers: exactly the JSON integers within i64; `-0`, `1e2`, `1.5` and
        // anything beyond i64 are refused, never rounded or wrapped.
        match reference.as_ref().and_then(Value::as_i64) {
            Some(n) => assert_eq!(count.expect(lit).count, Some(n), "{lit}"),
            None => assert!(count.is_err(), "{lit}: {count:?}"),
        }
        // Numbers: the nearest f64, sign included (`-0`); out of f64's range (`1e400`) refused.
        match reference.as_ref().and_then(Value::as_f64) {
            Some(f) => {
                let got = limit.expect(lit).limit.expect("present");
                assert_eq!((got, got.is_sign_negative()), (f, f.is_sign_negative()), "{lit}");
            }
            None => assert!(limit.is_err(), "{lit}: {limit:?}"),
        }
        // Undeclared members: what `serde_json::Value` reads (i64/u64 exactly, beyond
        // that the nearest f64, as `JSON.parse` does), kept and encoded back.
        match &reference {
            Some(v) => {
                let orgs = unknown.expect(lit);
                assert_eq!(&orgs.unknown_fields["future"], v, "{lit}");
                assert_eq!(serde_json::to_value(&orgs).expect("encodes")["future"], *v, "{lit}");
            }
            None => assert!(unknown.is_err(), "{lit}"),
        }
    }
    let big: types::InstanceOrgs = serde_json::from_str(r#"{"future": 18446744073709551617}"#).expect("decodes");
    assert_eq!(big.unknown_fields["future"].as_f64(), Some(18446744073709551616.0));
}

#[test]
fn a_repeated_declared_key_is_refused_and_an_undeclared_one_keeps_its_last_value() {
    let err = serde_json::from_str::<types::InstanceOrgs>(r#"{"count": 1, "count": 2}"#).expect_err("repeated");
    assert!(err.to_string().contains("duplicate field `count`"), "{err}");
    let nested = format!(r#"{{"items": [{{"id": "{ORG}", "id": "{ORG}"}}]}}"#);
    let err = serde_json::from_str::<types::InstanceOrgs>(&nested).expect_err("repeated");
    assert!(err.to_string().contains("duplicate field `id`"), "{err}");
    let orgs: types::InstanceOrgs =
        serde_json::from_str(r#"{"future": 1, "future": {"a": 2, "a": 3}}"#).expect("decodes");
    assert_eq!(orgs.unknown_fields["future"], json!({"a": 3}));
}

#[test]
fn members_no_type_declares_survive_the_round_trip_at_every_level() {
    let body = json!({
        "count": 1,
        "future": {"a": [1, "x", null]},
        "items": [{"id": ORG, "name": "Acme", "newThing": true, "limits": {"devices": 5, "newLimit": 7}}],
    });
    let orgs: types::InstanceOrgs = serde_json::from_value(body.clone()).expect("decodes");
    assert_eq!(orgs.unknown_fields["future"], body["future"]);
    assert_eq!(orgs.items.as_ref().expect("items")[0].unknown_fields["newThing"], json!(true));
    assert_eq!(serde_json::to_value(&orgs).expect("encodes"), body);
}
