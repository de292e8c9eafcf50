//! Behaviour of the generated client (`client.instance_orgs().get(..)`), end
//! to end against wiremock: errors, decoding, retries, timeouts, pagination,
//! redaction, path-injection refusal and query serialization. The runtime
//! alone is tested in `runtime.rs`; these tests prove the generated
//! builders are wired to it correctly.
//!
//! Also here, through `openapi_clientgen` directly: names derived from method
//! and path for a spec without `operationId`s, header parameters, operations
//! without a JSON success body, and the build-script integration
//! (`write_if_changed`, `generate_to`, and `generate_into_out_dir` in a child
//! process with `OUT_DIR` set).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use losant_instance_api::types::{
    CommonName, InstanceAuditLogFilter, InstanceAuditLogFilterRequestItem, InstanceOrgPatch, InstanceOrgPost,
};
use losant_instance_api::{Client, Error, RetryPolicy};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "behaviour-t0ken-s3cret";
const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
const ORG: &str = "575ed70c7ae143cd83dc4aa9";
const API_TOKEN: &str = "575ec7417ae143cd83dc4a95";

fn orgs_path() -> String {
    format!("/instances/{INSTANCE}/orgs")
}

/// Retries quickly (1 ms initial backoff, 20 ms cap) so tests stay fast.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(20),
    }
}

fn client_for(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).token(TOKEN).retry_policy(fast_retries()).build().unwrap()
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("request recording is on")
}

/// Decoded query pairs of a received request.
fn pairs(req: &wiremock::Request) -> Vec<(String, String)> {
    req.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn org(n: u32) -> Value {
    json!({"id": format!("575ed70c7ae143cd83dc4a{n:02x}"), "orgId": format!("575ed70c7ae143cd83dc4a{n:02x}"), "name": format!("Org {n}")})
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn error_400_and_404_keep_status_losant_type_and_message() {
    let server = MockServer::start().await;
    let bad = r#"{"type":"Validation","message":"perPage must be less than or equal to 1000"}"#;
    Mock::given(method("GET"))
        .and(path(orgs_path()))
        .respond_with(ResponseTemplate::new(400).set_body_raw(bad, "application/json"))
        .mount(&server)
        .await;
    let missing = r#"{"type":"NotFound","message":"API Token was not found"}"#;
    Mock::given(method("GET"))
        .and(path(format!("/instances/{INSTANCE}/tokens/{API_TOKEN}")))
        .respond_with(ResponseTemplate::new(404).set_body_raw(missing, "application/json"))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let err = client.instance_orgs().get(INSTANCE).per_page(5000).send().await.unwrap_err();
    assert!(matches!(&err, Error::Api { status, .. } if *status == StatusCode::BAD_REQUEST), "{err:?}");
    assert_eq!(err.error_type(), Some("Validation"));
    assert_eq!(err.message(), Some("perPage must be less than or equal to 1000"));
    assert_eq!(err.body(), Some(bad));

    let err = client.instance_api_token().get(INSTANCE, API_TOKEN).send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.error_type(), Some("NotFound"));
    assert_eq!(err.message(), Some("API Token was not found"));
    assert_eq!(err.body(), Some(missing));
    assert_eq!(received(&server).await.len(), 2, "400 and 404 are not retried");
}

#[tokio::test]
async fn error_500_with_an_html_body_keeps_the_raw_body() {
    let server = MockServer::start().await;
    let html = "<html><head><title>502</title></head><body><h1>Internal Server Error</h1></body></html>";
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let err = client_for(&server).instance_org().delete(INSTANCE, ORG).send().await.unwrap_err();
    match &err {
        Error::Api { status, error_type, message, body, .. } => {
            assert_eq!(*status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!((error_type, message), (&None, &None));
            assert_eq!(body, html);
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(received(&server).await.len(), 1, "500 is not retried");
}

#[tokio::test]
async fn malformed_or_mistyped_success_bodies_are_decode_errors_keeping_the_body() {
    let server = MockServer::start().await;
    let truncated = r#"{"items": [{"id": "575ed70c7ae143cd83dc4aa9", "na"#;
    Mock::given(method("GET"))
        .and(path(orgs_path()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(truncated, "application/json"))
        .mount(&server)
        .await;
    // Valid JSON of the wrong shape: an API token's `name` is a string.
    let mistyped = r#"{"id": "575ec7417ae143cd83dc4a95", "name": 42}"#;
    Mock::given(method("GET"))
        .and(path(format!("/instances/{INSTANCE}/tokens/{API_TOKEN}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(mistyped, "application/json"))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    match &err {
        Error::Decode { status, body, .. } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(body, truncated);
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some_and(|s| s.is::<serde_json::Error>()));

    let err = client.instance_api_token().get(INSTANCE, API_TOKEN).send().await.unwrap_err();
    assert!(matches!(&err, Error::Decode { body, .. } if body == mistyped), "{err:?}");
}

// ---------------------------------------------------------------- response details

#[tokio::test]
async fn send_with_response_returns_status_headers_and_the_typed_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(orgs_path()))
        .respond_with(ResponseTemplate::new(200).insert_header("x-request-id", "req-42").set_body_json(json!({
            "id": ORG, "orgId": ORG, "name": "Plant A"
        })))
        .mount(&server)
        .await;
    let body = InstanceOrgPost {
        name: CommonName::new("Plant A").unwrap(),
        description: None,
        icon_color: None,
        limits: None,
        members: None,
        whitelisted_email_domains: None,
        audit_log_enabled: None,
        disabled_at: None,
        is_read_only: None,
        tags: None,
        referral_id: None,
        mfa_mode: None,
        banner: None,
    };
    let resp = client_for(&server).instance_orgs().post(INSTANCE).body(body).send_with_response().await.unwrap();
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.headers.get("x-request-id").unwrap(), "req-42");
    assert_eq!(resp.body.name.as_ref().map(|n| n.as_str()), Some("Plant A"));
    let sent: Value = serde_json::from_slice(&received(&server).await[0].body).unwrap();
    assert_eq!(sent, json!({"name": "Plant A"}), "the optional body set with `.body(..)` is sent");
}

// ---------------------------------------------------------------- retries and timeouts

#[tokio::test]
async fn status_429_then_success_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [org(1)], "count": 1, "totalCount": 1})))
        .mount(&server)
        .await;
    // The default policy (200 ms initial backoff, 5 s cap) lets a 1 s Retry-After through.
    let client = Client::builder().base_url(server.uri()).token(TOKEN).build().unwrap();
    let started = Instant::now();
    let orgs = client.instance_orgs().get(INSTANCE).send().await.unwrap();
    assert_eq!(orgs.items.unwrap().len(), 1);
    assert_eq!(received(&server).await.len(), 2);
    // Without Retry-After the first wait is at most 200 ms; with it, a full second.
    assert!(started.elapsed() >= Duration::from_millis(950), "waited only {:?}", started.elapsed());
}

#[tokio::test]
async fn post_and_patch_are_not_retried_but_delete_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(429)).mount(&server).await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = client_for(&server);

    let post = client.instance_orgs().post(INSTANCE);
    assert!(!post.request().is_idempotent());
    assert_eq!(post.send().await.unwrap_err().status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let patch = client.instance_org().patch(INSTANCE, ORG, InstanceOrgPatch::default());
    assert!(!patch.request().is_idempotent());
    assert_eq!(patch.send().await.unwrap_err().status(), Some(StatusCode::TOO_MANY_REQUESTS));
    let methods: Vec<String> = received(&server).await.iter().map(|r| r.method.to_string()).collect();
    assert_eq!(methods, ["POST", "PATCH"], "one attempt each");

    let err = client.instance_org().delete(INSTANCE, ORG).send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let deletes = received(&server).await.iter().filter(|r| r.method.as_str() == "DELETE").count();
    assert_eq!(deletes, 4, "DELETE is idempotent: 1 attempt + 3 retries");
}

#[tokio::test]
async fn a_slow_response_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { timeout: Some(t), .. } if t == Duration::from_millis(200)), "{err:?}");
}

// ---------------------------------------------------------------- pagination

#[tokio::test]
async fn stream_yields_every_item_across_three_pages() {
    let server = MockServer::start().await;
    let pages = [vec![org(1), org(2)], vec![org(3), org(4)], vec![org(5)]];
    for (page, items) in pages.iter().enumerate() {
        Mock::given(method("GET"))
            .and(path(orgs_path()))
            .and(query_param("page", page.to_string()))
            .and(query_param("perPage", "2"))
            .and(query_param("sortField", "name"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "items": items, "count": items.len(), "totalCount": 5, "perPage": 2, "page": page
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client_for(&server);
    let names: Vec<String> = client
        .instance_orgs()
        .get(INSTANCE)
        .sort_field("name")
        .per_page(2)
        .stream()
        .map_ok(|o| o.name.into_inner())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["Org 1", "Org 2", "Org 3", "Org 4", "Org 5"]);
    let got: Vec<String> =
        received(&server).await.iter().map(|r| pairs(r).into_iter().find(|(k, _)| k == "page").unwrap().1).collect();
    assert_eq!(got, ["0", "1", "2"], "three requests, no fourth");
}

// ---------------------------------------------------------------- redaction and path safety

#[tokio::test]
async fn debug_of_client_builder_and_request_never_shows_the_token() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let builder = client.instance_orgs().get(INSTANCE).filter("x*");
    let shown = [
        format!("{:?}", Client::builder().token(TOKEN)),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{:?}", client.instance_orgs()),
        format!("{builder:?}"),
        format!("{:?}", builder.request()),
    ];
    for text in &shown {
        assert!(!text.contains(TOKEN), "token leaked in {text}");
    }
    assert!(shown[4].contains("filter: Some(\"x*\")"), "the builder's own fields are shown: {}", shown[4]);
}

#[tokio::test]
async fn path_injection_attempts_are_refused_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = client_for(&server);
    let attempts = [
        "../../instances",
        "..",
        "575ec8687ae143cd83dc4a97/../x",
        "575ec8687ae143cd83dc4a97%2F..",
        "575ec8687ae143cd83dc4a97?perPage=1",
        "575ec8687ae143cd83dc4a97#frag",
        "575ec8687ae143cd83dc4a9",   // 23 characters
        "575ec8687ae143cd83dc4a97a", // 25 characters
        "zzzzzzzzzzzzzzzzzzzzzzzz",  // 24, not hexadecimal
        "",
    ];
    for bad in attempts {
        let err = client.instance_orgs().get(bad).send().await.unwrap_err();
        match &err {
            Error::InvalidParameter { name, value, .. } => {
                assert_eq!((name.as_str(), value.as_str()), ("instanceId", bad));
            }
            other => panic!("{bad:?}: expected InvalidParameter, got {other:?}"),
        }
        // The second path parameter is checked the same way.
        let err = client.instance_org().delete(INSTANCE, bad).send().await.unwrap_err();
        assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "orgId"), "{bad:?}: {err:?}");
    }
    // `stream()` reports the same refusal as its one item.
    let streamed = client.instance_orgs().get("../x").stream().try_collect::<Vec<_>>().await;
    assert!(matches!(streamed, Err(Error::InvalidParameter { .. })), "{streamed:?}");
    assert!(received(&server).await.is_empty(), "nothing reached the server");
}

// ---------------------------------------------------------------- query serialization and defaults

#[tokio::test]
async fn audit_log_filter_is_sent_in_bracket_notation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    let filter = InstanceAuditLogFilter {
        request: Some(vec![InstanceAuditLogFilterRequestItem {
            resource: Some("instanceOrg".into()),
            action: Some("patch".into()),
        }]),
        response_code: Some(vec![500]),
        ..Default::default()
    };
    client_for(&server).instance_audit_logs().get(INSTANCE).audit_log_filter(filter).send().await.unwrap();
    let req = &received(&server).await[0];
    let filter_pairs: Vec<(String, String)> =
        pairs(req).into_iter().filter(|(k, _)| k.starts_with("auditLogFilter")).collect();
    let expected = [
        ("auditLogFilter[request][0][resource]", "instanceOrg"),
        ("auditLogFilter[request][0][action]", "patch"),
        ("auditLogFilter[responseCode][0]", "500"),
    ];
    assert_eq!(filter_pairs, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
    // As `qs.stringify` writes it: brackets percent-encoded in the raw query.
    assert!(
        req.url.query().unwrap().ends_with(
            "auditLogFilter%5Brequest%5D%5B0%5D%5Bresource%5D=instanceOrg\
             &auditLogFilter%5Brequest%5D%5B0%5D%5Baction%5D=patch&auditLogFilter%5BresponseCode%5D%5B0%5D=500"
        ),
        "{:?}",
        req.url.query()
    );
}

#[tokio::test]
async fn object_typed_query_parameter_is_sent_as_a_json_string() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    let query = json!({"$and": [{"name": {"$eq": "Plant A & B"}}, {"isReadOnly": false}]});
    let map: std::collections::BTreeMap<String, Value> = query.as_object().unwrap().clone().into_iter().collect();
    client_for(&server).instance_orgs().get(INSTANCE).query(map).send().await.unwrap();
    let sent = pairs(&received(&server).await[0]);
    let values: Vec<&str> = sent.iter().filter(|(k, _)| k.starts_with("query")).map(|(_, v)| v.as_str()).collect();
    assert_eq!(values.len(), 1, "one `query` parameter, no `query[...]` keys: {sent:?}");
    assert_eq!(serde_json::from_str::<Value>(values[0]).unwrap(), query);
    assert_eq!(values[0], r#"{"$and":[{"name":{"$eq":"Plant A & B"}},{"isReadOnly":false}]}"#);
}

#[tokio::test]
async fn official_defaults_are_sent_and_a_caller_can_override_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).token(TOKEN).losant_domain("a.example.com").build().unwrap();
    client.instance_orgs().get(INSTANCE).send().await.unwrap();
    // Through `.request()`: the default query values and `losantdomain` can be replaced per call.
    let req =
        client.instance_orgs().get(INSTANCE).request().query("_links", &false).header("losantdomain", "b.example.com");
    client.execute::<losant_instance_api::types::InstanceOrgs>(req).await.unwrap();

    let got = received(&server).await;
    let header = |r: &wiremock::Request, n: &str| r.headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(got[0].url.query(), Some("_actions=false&_links=true&_embedded=true"));
    assert_eq!(header(&got[0], "accept").as_deref(), Some("application/json"));
    assert_eq!(header(&got[0], "accept-version").as_deref(), Some("^1.30.0"));
    assert_eq!(header(&got[0], "authorization"), Some(format!("Bearer {TOKEN}")));
    assert_eq!(header(&got[0], "losantdomain").as_deref(), Some("a.example.com"));
    assert_eq!(got[1].url.query(), Some("_actions=false&_links=false&_embedded=true"));
    assert_eq!(header(&got[1], "losantdomain").as_deref(), Some("b.example.com"));
}

// ---------------------------------------------------------------- generator: derived names, headers, no content

/// A spec without a single `operationId`, with a header parameter, an
/// optional body, a 204 and a path named like a `Client` method.
const NO_IDS: &str = r#"
openapi: 3.0.3
info: {title: Pet store without operation ids, version: "1.0"}
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: X-Trace-Id, in: header, schema: {type: string, pattern: '^[a-z0-9-]+$'}}
        - {name: X-Tags, in: header, schema: {type: array, items: {type: string}}}
      responses:
        "200": {description: Pets, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}}
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
      responses:
        "201": {description: Created, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      parameters:
        - {name: X-Request-Id, in: header, required: true, schema: {type: string}}
      responses:
        "200": {description: A pet, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
    delete:
      responses:
        "204": {description: Deleted}
  /pets/{petId}/toys:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: Toys, content: {text/csv: {schema: {type: string}}}}
  /execute:
    post:
      responses:
        "202": {description: Accepted}
  /:
    get:
      responses:
        "200": {description: Root}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
"#;

fn lower(spec: &str) -> (openapi_clientgen::ir::Api, openapi_clientgen::Generated) {
    let analysis = openapi_clientgen::Config::new().analyze_text("no-ids.yml", spec);
    assert!(!analysis.has_errors(), "never a hard error: {:#?}", analysis.diagnostics);
    let api = openapi_clientgen::Config::new().lower_from(&analysis, "no-ids.yml").expect("lowers");
    let generated = openapi_clientgen::Config::new().generate_from(&analysis, "no-ids.yml").expect("generates");
    (api, generated)
}

/// The code of one operation, without whitespace (so checks do not depend on line breaks).
fn code_of(g: &openapi_clientgen::Generated, key: &str) -> Flat {
    Flat(g.operations.get(key).unwrap_or_else(|| panic!("no code for {key}: {:?}", g.operations.keys())).clone())
}

/// Code compared without whitespace.
struct Flat(String);

impl Flat {
    fn has(&self, needle: &str) -> bool {
        // prettyplease adds a trailing comma when it breaks a list over lines.
        let strip = |s: &str| {
            s.chars().filter(|c| !c.is_whitespace()).collect::<String>().replace(",)", ")").replace(",}", "}")
        };
        strip(&self.0).contains(&strip(needle))
    }
}

impl std::fmt::Display for Flat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[test]
fn a_spec_without_operation_ids_gets_names_from_method_and_path() {
    let (api, generated) = lower(NO_IDS);
    let names: Vec<(String, String, String)> = api
        .operations
        .iter()
        .map(|o| (format!("{} {}", o.method, o.path), o.id.clone(), format!("{}().{}()", o.resource, o.action)))
        .collect();
    let expected = [
        ("POST /execute", "execute.post", "execute_ops().post()"),
        ("GET /pets", "pets.get", "pets().get()"),
        ("POST /pets", "pets.post", "pets().post()"),
        ("DELETE /pets/{petId}", "petsItem.delete", "pets_item().delete()"),
        ("GET /pets/{petId}", "petsItem.get", "pets_item().get()"),
        ("GET /pets/{petId}/toys", "petsToys.get", "pets_toys().get()"),
        ("GET /", "root.get", "root().get()"),
    ];
    let mut sorted = names.clone();
    sorted.sort();
    let mut want: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    want.sort();
    assert_eq!(sorted, want);
    // Stable: an unrelated new path leaves every existing name alone.
    let grown = NO_IDS.replace("  /execute:", "  /owners/{ownerId}/pets:\n    get:\n      parameters:\n        - {name: ownerId, in: path, required: true, schema: {type: string}}\n      responses:\n        \"200\": {description: Pets}\n  /execute:");
    let (grown_api, _) = lower(&grown);
    for op in &api.operations {
        let again = grown_api.operations.iter().find(|o| o.method == op.method && o.path == op.path).unwrap();
        assert_eq!((&again.resource, &again.action), (&op.resource, &op.action), "{} {}", op.method, op.path);
    }
    // The generated accessors: `client.pets_item().get(pet_id, x_request_id)`.
    assert!(Flat(generated.code.clone()).has("pub fn pets_item(&self) -> PetsItemApi<'_>"));
    assert!(
        Flat(generated.code.clone()).has("pub fn execute_ops(&self) -> ExecuteOpsApi<'_>"),
        "no clash with Client::execute"
    );
    let get = code_of(&generated, "GET /pets/{petId}");
    assert!(get.has("pub fn get(&self, pet_id: impl Into<String>, x_request_id: impl Into<String>)"), "{get}");
    assert!(get.has("`GET /pets/{petId}` (operation `petsItem.get`)"), "{get}");
}

#[test]
fn header_parameters_optional_bodies_and_responses_without_json() {
    let (_, generated) = lower(NO_IDS);
    let list = code_of(&generated, "GET /pets");
    // Optional headers are setters; a pattern is checked; arrays are comma-joined (`style: simple`).
    assert!(list.has("pub fn x_trace_id(mut self, value: impl Into<String>) -> Self"), "{list}");
    assert!(list.has(r#".validate("X-Trace-Id", v, "#) && list.has(r#".header("X-Trace-Id", v)"#), "{list}");
    assert!(
        list.has(r#"req.header("X-Tags", <[_]>::iter(v).map(ToString::to_string).collect::<Vec<_>>().join(","))"#),
        "{list}"
    );
    assert!(list.has("Result<Vec<types::Pet>, Error>"), "{list}");
    // A required header is an argument, always sent.
    assert!(code_of(&generated, "GET /pets/{petId}").has(r#"req = req.header("X-Request-Id", &self.x_request_id);"#));
    // An optional request body has a `body` setter and is sent only when set.
    let post = code_of(&generated, "POST /pets");
    assert!(post.has("pub fn body(mut self, value: types::Pet) -> Self"), "{post}");
    assert!(post.has("if let Some(v) = &self.body {"), "{post}");
    // A text/csv success is its text, asked for with its media type.
    let toys = code_of(&generated, "GET /pets/{petId}/toys");
    assert!(toys.has("pub async fn send(self) -> Result<String, Error>"), "{toys}");
    assert!(toys.has("self.client.execute_text(self.request()).await"), "{toys}");
    assert!(toys.has(r#"req = req.header("accept", "text/csv");"#), "{toys}");
    // 204 and a bare 202 are `()`, whatever body the server sends.
    for key in ["DELETE /pets/{petId}", "POST /execute"] {
        let code = code_of(&generated, key);
        assert!(code.has("pub async fn send(self) -> Result<(), Error>"), "{key}: {code}");
        assert!(code.has("self.client.execute_raw(self.request()).await.map(|r| r.map(|_| ()))"), "{key}: {code}");
        assert!(code.has("without a JSON body"), "{key}: {code}");
    }
    assert!(code_of(&generated, "POST /execute").has("(the spec documents none)"));
}

/// `orgs.memberGet` and `orgsMember.get` both give the builder name
/// `OrgsMemberGet`; the second is numbered instead of clashing.
#[test]
fn colliding_builder_names_are_numbered() {
    let spec = r#"
openapi: 3.0.3
info: {title: Colliding builder names, version: "1.0"}
paths:
  /orgs/member:
    get:
      operationId: orgs.memberGet
      responses: {"200": {description: OK}}
  /orgs-member:
    get:
      operationId: orgsMember.get
      responses: {"200": {description: OK}}
"#;
    let (_, generated) = lower(spec);
    let code = Flat(generated.code.clone());
    assert!(code.has("pub fn member_get(&self) -> OrgsMemberGet<'a>"), "{code}");
    assert!(code.has("pub fn get(&self) -> OrgsMemberGet2<'a>"), "{code}");
    assert!(code.has("pub struct OrgsMemberGet<'a>") && code.has("pub struct OrgsMemberGet2<'a>"), "{code}");
}

// ---------------------------------------------------------------- build integration

const WARN_SPEC: &str = r#"openapi: 3.0.3
info: {title: Build integration, version: "1.0"}
paths:
  /pets:
    get:
      operationId: pets.get
      responses:
        "200":
          description: The pets.
          content:
            application/json:
              schema:
                type: array
                maxItems: '10'
                items: {type: string}
"#;

const WARN_OVERLAY: &str = r#"overlay: 1.0.0
info: {title: An action that matches nothing, version: "1.0"}
actions:
  - target: $.components.schemas.Owner
    description: Make owner names required
    update:
      required: [name]
"#;

/// Writes the warning spec and overlay into `dir`.
fn write_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let (spec, overlay) = (dir.join("spec.yml"), dir.join("overlay.yml"));
    std::fs::write(&spec, WARN_SPEC).unwrap();
    std::fs::write(&overlay, WARN_OVERLAY).unwrap();
    (spec, overlay)
}

#[test]
fn write_if_changed_writes_once_then_reports_unchanged() {
    use openapi_clientgen::write_if_changed;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested/out.rs");
    assert!(write_if_changed(&file, "fn a() {}\n").unwrap(), "first write");
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    assert!(!write_if_changed(&file, "fn a() {}\n").unwrap(), "same content: unchanged");
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), modified, "file untouched");
    assert!(write_if_changed(&file, "fn b() {}\n").unwrap(), "new content is written");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "fn b() {}\n");
}

#[test]
fn generate_to_prints_cargo_directives_and_writes_only_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, overlay) = write_inputs(dir.path());
    let out = dir.path().join("out/client.rs");
    let mut directives = Vec::new();
    let wrote = openapi_clientgen::Config::new().overlay(&overlay).write_to(&spec, &out, &mut directives);
    assert_eq!(wrote, Ok(true));
    let text = String::from_utf8(directives).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("cargo:rerun-if-changed={}", spec.display()));
    assert_eq!(lines[1], format!("cargo:rerun-if-changed={}", overlay.display()));
    let warnings: Vec<&&str> = lines.iter().filter(|l| l.starts_with("cargo:warning=")).collect();
    assert_eq!(warnings.len(), 2, "{text}");
    assert!(warnings.iter().any(|w| w.contains("spec.yml:14:") && w.contains("[numeric-string]")), "{text}");
    assert!(
        warnings.iter().any(|w| w.contains("overlay.yml:4:") && w.contains("[overlay-target-unmatched]")),
        "{text}"
    );
    assert_eq!(lines.len(), 4, "nothing else: {text}");
    assert!(std::fs::read_to_string(&out).unwrap().contains("pub fn pets(&self)"));

    let mut again = Vec::new();
    assert_eq!(
        openapi_clientgen::Config::new().overlay(overlay).write_to(&spec, &out, &mut again),
        Ok(false),
        "unchanged"
    );
    assert_eq!(String::from_utf8(again).unwrap(), text, "the same directives every run");

    // Errors: every one as a cargo:warning, the report as Err, nothing written.
    std::fs::write(&spec, WARN_SPEC.replace("items: {type: string}", "items: {$ref: '#/components/schemas/Nope'}"))
        .unwrap();
    let broken_out = dir.path().join("broken.rs");
    let mut directives = Vec::new();
    let err = openapi_clientgen::Config::new().write_to(&spec, &broken_out, &mut directives).unwrap_err().to_string();
    assert!(err.contains("dangling-ref"), "{err}");
    let text = String::from_utf8(directives).unwrap();
    assert!(text.lines().any(|l| l.starts_with("cargo:warning=error: ") && l.contains("[dangling-ref]")), "{text}");
    assert!(!broken_out.exists());
}

/// Runs `generate_into_out_dir` exactly as a build script does, in a child
/// process (this test binary, re-running only this test with `CHILD_SPEC` set)
/// so that setting `OUT_DIR` cannot race with other tests.
#[test]
fn generate_into_out_dir_as_a_build_script() {
    if std::env::var_os("CHILD_SPEC").is_some() {
        // The child: behave as a build script would.
        let var = |n: &str| std::env::var_os(n).unwrap_or_else(|| panic!("{n} is not set"));
        let (spec, overlay) = (PathBuf::from(var("CHILD_SPEC")), PathBuf::from(var("CHILD_OVERLAY")));
        let out = openapi_clientgen::Config::new().overlay(overlay).write_to_out_dir(&spec, "client.rs").unwrap();
        assert_eq!(out, Path::new(&var("OUT_DIR")).join("client.rs"));
        println!("child wrote client.rs");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (spec, overlay) = write_inputs(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "client_behaviour::generate_into_out_dir_as_a_build_script",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("OUT_DIR", &out_dir)
        .env("CHILD_SPEC", &spec)
        .env("CHILD_OVERLAY", &overlay)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    // libtest prints `test <name> ... ` before the test's own output, on the same line.
    let directives: Vec<&str> = stdout.lines().filter_map(|l| l.find("cargo:").map(|i| &l[i..])).collect();
    assert_eq!(directives.len(), 4, "{stdout}");
    assert_eq!(directives[0], format!("cargo:rerun-if-changed={}", spec.display()));
    assert_eq!(directives[1], format!("cargo:rerun-if-changed={}", overlay.display()));
    assert!(directives[2..].iter().all(|l| l.starts_with("cargo:warning=")), "{stdout}");
    assert!(stdout.contains("child wrote client.rs"), "{stdout}");
    assert!(std::fs::read_to_string(out_dir.join("client.rs")).unwrap().starts_with("// @generated"));
}

// ---------------------------------------------------------------- request body constraints

/// A body that breaks its schema's own limits (here `reportConfigs` has `maxItems: 10`,
/// and an item's `id` `maxLength: 48`) is refused by `send()` before anything is sent.
#[tokio::test]
async fn request_body_constraints_are_enforced_before_sending() {
    use losant_instance_api::types::{InstancePatch, InstanceReportConfigsItem};
    let server = MockServer::start().await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = client_for(&server);
    let item = |id: &str| InstanceReportConfigsItem {
        id: Some(id.to_string()),
        cron: "0 0 * * *".to_string(),
        ..serde_json::from_value(json!({"cron": "0 0 * * *"})).unwrap()
    };

    let too_many = InstancePatch { report_configs: Some((0..11).map(|_| item("a")).collect()), ..Default::default() };
    let err = client.instance().patch(INSTANCE, too_many).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
    assert!(err.to_string().contains("at most 10 items"), "{err}");

    let long_id = InstancePatch { report_configs: Some(vec![item(&"x".repeat(49))]), ..Default::default() };
    let err = client.instance().patch(INSTANCE, long_id).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
    assert!(received(&server).await.is_empty(), "nothing may be sent for an invalid body");

    // Within the limits the same call goes out.
    let ok = InstancePatch { report_configs: Some(vec![item(&"x".repeat(48))]), ..Default::default() };
    client.instance().patch(INSTANCE, ok).send().await.unwrap();
    assert_eq!(received(&server).await.len(), 1);
}
