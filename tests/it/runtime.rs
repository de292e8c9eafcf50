//! Tests of the hand-written runtime (`generator/runtime/`): wire
//! behaviour against wiremock (and a raw TCP server where wiremock cannot
//! misbehave enough), plus unit tests of query/path encoding, validation and
//! retry timing.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use losant_instance_api::runtime::query::{deep_object_pairs, encode_component};
use losant_instance_api::runtime::retry::{is_retryable_status, parse_retry_after};
use losant_instance_api::runtime::{
    http_client_builder, paginate, path, ApiResponse, Client, Error, Page, Request, RetryPolicy, Validation,
};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_json, header, method, path as path_is, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "s3cr3t-t0ken-value";
const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
const ORG: &str = "575ed70c7ae143cd83dc4aa9";
const ID: Validation = Validation { pattern: Some(r"^[A-Fa-f\d]{24}$"), min_length: None, max_length: None };
const DEFAULTS: &str = "_actions=false&_links=true&_embedded=true";

/// A retry policy that retries quickly, so tests stay fast.
fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(20),
    }
}

fn client_for(base: &str) -> Client {
    Client::builder().base_url(base).token(TOKEN).retry_policy(fast_retries(3)).build().unwrap()
}

fn org_get() -> Request {
    Request::new(Method::GET, "/instances/{instanceId}/orgs/{orgId}")
        .operation_id("instanceOrg.get")
        .path_param("instanceId", INSTANCE, &ID)
        .path_param("orgId", ORG, &ID)
}

fn org_path() -> String {
    format!("/instances/{INSTANCE}/orgs/{ORG}")
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("request recording is on")
}

// ---------------------------------------------------------------- headers, query, base URL

#[tokio::test]
async fn sends_default_headers_token_and_default_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_is(org_path()))
        .and(header("accept", "application/json"))
        .and(header("accept-version", "^1.30.0"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ORG})))
        .expect(1)
        .mount(&server)
        .await;
    let resp: ApiResponse<Value> =
        client_for(&server.uri()).execute(org_get().query("summaryInclude", "payloadCount")).await.unwrap();
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.into_body(), json!({"id": ORG}));
    let got = &requests(&server).await[0];
    assert_eq!(got.url.query(), Some(&*format!("{DEFAULTS}&summaryInclude=payloadCount")));
    let ua = got.headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(ua, concat!("losant-instance-api-rust/", env!("CARGO_PKG_VERSION")));
    assert!(got.headers.get("losantdomain").is_none());
}

/// Some specs write a query into the path (OpenAI's `/responses?beta=true`):
/// it is sent, first, with the request's own and default parameters after it.
#[tokio::test]
async fn a_query_written_in_the_path_template_is_sent_first() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = client_for(&server.uri());
    let req = Request::new(Method::POST, "/instances/{instanceId}/beta?beta=true&x=a%20b")
        .path_param("instanceId", INSTANCE, &ID)
        .query("perPage", &5);
    client.execute_raw(req).await.unwrap();
    let alone = Request::new(Method::POST, "/responses?beta=true").default_query_params(&[]);
    client.execute_raw(alone).await.unwrap();
    let got = requests(&server).await;
    assert_eq!(got[0].url.path(), format!("/instances/{INSTANCE}/beta"));
    assert_eq!(got[0].url.query(), Some(&*format!("beta=true&x=a%20b&{DEFAULTS}&perPage=5")));
    assert_eq!(got[1].url.path(), "/responses");
    assert_eq!(got[1].url.query(), Some("beta=true"));
}

#[tokio::test]
async fn no_authorization_header_without_token_and_custom_ua_and_version() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client =
        Client::builder().base_url(server.uri()).user_agent("my-app/1.0").accept_version("^1.29.0").build().unwrap();
    let resp: ApiResponse<Option<Value>> = client.execute(org_get()).await.unwrap();
    assert_eq!(resp.body, None, "an empty 200 body decodes from null");
    let got = &requests(&server).await[0];
    assert!(got.headers.get("authorization").is_none());
    assert_eq!(got.headers.get("user-agent").unwrap(), "my-app/1.0");
    assert_eq!(got.headers.get("accept-version").unwrap(), "^1.29.0");
}

#[tokio::test]
async fn caller_value_of_a_default_query_name_wins_without_duplicates() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = client_for(&server.uri());
    client.execute::<Value>(org_get().query("_links", &false).query("_actions", &true)).await.unwrap();
    let got = &requests(&server).await[0];
    assert_eq!(got.url.query(), Some("_actions=true&_links=false&_embedded=true"));
}

#[tokio::test]
async fn losant_domain_header_from_client_and_overridden_per_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = Client::builder().base_url(server.uri()).losant_domain("client.example").build().unwrap();
    client.execute::<Value>(org_get()).await.unwrap();
    client.execute::<Value>(org_get().header("losantdomain", "request.example")).await.unwrap();
    let got = requests(&server).await;
    let domains = |r: &wiremock::Request| -> Vec<String> {
        r.headers.get_all("losantdomain").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    };
    assert_eq!(domains(&got[0]), ["client.example"]);
    assert_eq!(domains(&got[1]), ["request.example"]);
}

#[tokio::test]
async fn base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_is(format!("/api/v1{}", org_path())))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(2)
        .mount(&server)
        .await;
    for base in [format!("{}/api/v1", server.uri()), format!("{}/api/v1/", server.uri())] {
        let body = client_for(&base).execute::<Value>(org_get()).await.unwrap().into_body();
        assert_eq!(body, json!({"ok": true}));
    }
}

/// A request's URL starts from a copy of the parsed base URL, with the path
/// and the query set on it: the server must see what one parse of the whole
/// text (base + path + `?` + query) gives, for any base path, literal path
/// text, path value and query value.
#[test]
fn the_url_sent_is_what_parsing_base_path_and_query_as_one_text_gives() {
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(Mock::given(method("GET")).respond_with(ResponseTemplate::new(204)).mount(&server));
    let prefixes = proptest::sample::select(&["", "/", "/api", "/api/v1/", "/a%20b", "/a/../b", "/%7Ex"][..]);
    let literal = "[a-zA-Z0-9._~:@!$&'()*+,;=%-]{1,8}";
    let strategy = (prefixes, literal, ".{1,8}", ".{0,8}");
    TestRunner::new(Config { cases: 64, ..Config::default() })
        .run(&strategy, |(prefix, literal, value, q)| {
            proptest::prop_assume!(value != "." && value != "..");
            let base = format!("{}{prefix}", server.uri());
            let template: &'static str = Box::leak(format!("/{literal}/files/{{name}}").into_boxed_str());
            let req = Request::new(Method::GET, template).path_param("name", &value, &Validation::NONE).query("q", &q);
            let path = req.rendered_path().unwrap();
            rt.block_on(client_for(&base).execute_raw(req)).unwrap();
            let got = rt.block_on(server.received_requests()).unwrap().pop().unwrap();
            let text = format!("{}{path}?{DEFAULTS}&q={}", base.trim_end_matches('/'), encode_component(&q));
            let expected = reqwest::Url::parse(&text).unwrap();
            proptest::prop_assert_eq!(got.url.path(), expected.path(), "{}", text);
            proptest::prop_assert_eq!(got.url.query(), expected.query(), "{}", text);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn json_body_is_sent_with_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_is(format!("/instances/{INSTANCE}/orgs")))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"name": "My Org", "limits": {"devices": 5}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": ORG})))
        .expect(1)
        .mount(&server)
        .await;
    let req = Request::new(Method::POST, "/instances/{instanceId}/orgs")
        .path_param("instanceId", INSTANCE, &ID)
        .json_body(&json!({"name": "My Org", "limits": {"devices": 5}}));
    let resp = client_for(&server.uri()).execute::<Value>(req).await.unwrap();
    assert_eq!(resp.status, StatusCode::CREATED);
}

#[tokio::test]
async fn default_body_is_sent_only_without_a_body_and_a_bad_content_type_is_deferred() {
    let server = MockServer::start().await;
    let client = client_for(&server.uri());
    let req = |body: Option<Value>, first: bool| {
        let mut r = Request::new(Method::DELETE, "/x");
        if let (Some(b), true) = (&body, first) {
            r = r.json_body(b);
        }
        r = r.default_body("text/plain; charset=utf-8", "none");
        if let (Some(b), false) = (&body, first) {
            r = r.json_body(b);
        }
        r
    };
    for (r, body, content_type) in [
        (req(None, false), "none".as_bytes(), "text/plain; charset=utf-8"),
        (req(Some(json!({"a": 1})), true), br#"{"a":1}"#, "application/json"),
        (req(Some(json!({"a": 1})), false), br#"{"a":1}"#, "application/json"),
    ] {
        server.reset().await;
        Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
        client.execute_raw(r).await.unwrap();
        let got = requests(&server).await;
        assert_eq!(got[0].body, body, "the set body wins, whichever is called first");
        assert_eq!(got[0].headers.get("content-type").unwrap(), content_type);
        assert_eq!(got[0].headers.get("content-length").unwrap(), body.len().to_string().as_str());
    }
    server.reset().await;
    let bad = Request::new(Method::DELETE, "/x").default_body("text/plain\n", "x");
    assert!(matches!(client.execute_raw(bad).await, Err(Error::InvalidParameter { .. })));
    assert!(requests(&server).await.is_empty(), "nothing is sent");
}

#[test]
fn invalid_base_urls_and_header_values_are_refused_at_build() {
    for bad in ["not a url", "ftp://example.com", "http://example.com/?q=1", "http://user:pw@example.com", "/relative"]
    {
        let err = Client::builder().base_url(bad).build().unwrap_err();
        assert!(matches!(err, Error::InvalidBaseUrl(_)), "{bad}: {err:?}");
    }
    let err = Client::builder().token("line\nbreak").build().unwrap_err();
    match err {
        Error::InvalidParameter { name, value, .. } => {
            assert_eq!(name, "BearerAuth", "the security scheme whose credential is refused");
            assert_eq!(value, "<redacted>");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(Client::builder().base_url("https://my-instance.example.com/api").build().is_ok());
}

// ---------------------------------------------------------------- path parameters

#[tokio::test]
async fn invalid_id_is_refused_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let req = Request::new(Method::GET, "/instances/{instanceId}/orgs/{orgId}")
        .path_param("instanceId", INSTANCE, &ID)
        .path_param("orgId", "not-an-object-id", &ID);
    let err = client_for(&server.uri()).execute::<Value>(req).await.unwrap_err();
    match &err {
        Error::InvalidParameter { name, value, reason } => {
            assert_eq!(name, "orgId");
            assert_eq!(value, "not-an-object-id");
            assert_eq!(reason, r"must match ^[A-Fa-f\d]{24}$ (24 hexadecimal characters)");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("orgId"));
    assert_eq!(requests(&server).await.len(), 0);
}

#[tokio::test]
async fn dot_segments_empty_and_missing_path_params_are_refused_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = client_for(&server.uri());
    for value in [".", "..", ""] {
        let req = Request::new(Method::GET, "/files/{name}").path_param("name", value, &Validation::NONE);
        let err = client.execute::<Value>(req).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "name"), "{value:?}: {err:?}");
    }
    let missing =
        Request::new(Method::GET, "/instances/{instanceId}/orgs/{orgId}").path_param("instanceId", INSTANCE, &ID);
    let err = client.execute::<Value>(missing).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "orgId"), "{err:?}");
    let unknown = Request::new(Method::GET, "/instances/{instanceId}")
        .path_param("instanceId", INSTANCE, &ID)
        .path_param("orgId", ORG, &ID);
    let err = client.execute::<Value>(unknown).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "orgId"), "{err:?}");
    assert_eq!(requests(&server).await.len(), 0);
}

#[tokio::test]
async fn path_values_cannot_change_the_path() {
    let cases = [
        ("../admin", "/files/..%2Fadmin/meta"),
        ("a/b", "/files/a%2Fb/meta"),
        ("%2F", "/files/%252F/meta"),
        ("x?y=1", "/files/x%3Fy%3D1/meta"),
        ("a#b", "/files/a%23b/meta"),
        ("50% off", "/files/50%25%20off/meta"),
        ("..", ""),
        ("é;,", "/files/%C3%A9%3B%2C/meta"),
    ];
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = client_for(&server.uri());
    let mut sent = 0;
    for (value, expected) in cases {
        let req = Request::new(Method::GET, "/files/{name}/meta").path_param("name", value, &Validation::NONE);
        if expected.is_empty() {
            assert!(req.rendered_path().is_err());
            continue;
        }
        assert_eq!(req.rendered_path().unwrap(), expected, "{value:?}");
        client.execute::<Value>(req).await.unwrap();
        let got = requests(&server).await;
        sent += 1;
        assert_eq!(got.len(), sent);
        assert_eq!(got[sent - 1].url.path(), expected, "{value:?} as seen by the server");
        assert_eq!(got[sent - 1].url.query(), Some(DEFAULTS), "{value:?} must not add a query");
    }
    assert_eq!(path::encode_segment("a b").unwrap(), "a%20b");
}

#[tokio::test]
async fn deferred_header_and_body_errors_are_returned_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = client_for(&server.uri());
    let bad_header = Request::new(Method::POST, "/x").header("losantdomain", "a\r\nInjected: 1");
    assert!(matches!(client.execute::<Value>(bad_header).await, Err(Error::InvalidParameter { .. })));
    let mut not_json = std::collections::HashMap::new();
    not_json.insert((1, 2), "tuple keys cannot be JSON object keys");
    let bad_body = Request::new(Method::POST, "/x").json_body(&not_json);
    assert!(
        matches!(client.execute::<Value>(bad_body).await, Err(Error::Serialize { ref name, .. }) if name == "body")
    );
    let too_short = Request::new(Method::POST, "/x").validate(
        "name",
        "ab",
        &Validation { pattern: None, min_length: Some(3), max_length: None },
    );
    assert!(
        matches!(client.execute::<Value>(too_short).await, Err(Error::InvalidParameter { ref name, .. }) if name == "name")
    );
    assert_eq!(requests(&server).await.len(), 0);
}

// ---------------------------------------------------------------- error mapping

#[tokio::test]
async fn losant_error_body_becomes_api_error() {
    let server = MockServer::start().await;
    let body = r#"{"type":"NotFound","message":"Organization was not found"}"#;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_raw(body, "application/json").insert_header("x-request-id", "abc"),
        )
        .mount(&server)
        .await;
    let err = client_for(&server.uri()).execute::<Value>(org_get()).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.error_type(), Some("NotFound"));
    assert_eq!(err.message(), Some("Organization was not found"));
    assert_eq!(err.body(), Some(body));
    assert_eq!(err.headers().unwrap().get("x-request-id").unwrap(), "abc");
    assert_eq!(err.to_string(), "API error 404 Not Found: NotFound: Organization was not found");
    assert_eq!(requests(&server).await.len(), 1, "404 is not retried");
}

#[tokio::test]
async fn validation_error_400() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"type": "Validation", "message": "perPage must be <= 1000"})),
        )
        .mount(&server)
        .await;
    let err = client_for(&server.uri()).execute::<Value>(org_get().query("perPage", &5000)).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status, .. } if *status == StatusCode::BAD_REQUEST));
    assert_eq!(err.error_type(), Some("Validation"));
    assert_eq!(err.message(), Some("perPage must be <= 1000"));
}

#[tokio::test]
async fn html_error_body_is_kept_raw() {
    let server = MockServer::start().await;
    let html = "<html><body><h1>500 Internal Server Error</h1></body></html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let err = client_for(&server.uri()).execute::<Value>(org_get()).await.unwrap_err();
    match &err {
        Error::Api { status, error_type, message, body, .. } => {
            assert_eq!(*status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(*error_type, None);
            assert_eq!(*message, None);
            assert_eq!(body, html);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 1, "500 is not retried");
}

#[tokio::test]
async fn status_413_without_message_gets_the_official_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(413)).mount(&server).await;
    let req = Request::new(Method::POST, "/instances/{instanceId}/orgs")
        .path_param("instanceId", INSTANCE, &ID)
        .json_body(&json!({}));
    let err = client_for(&server.uri()).execute::<Value>(req).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::PAYLOAD_TOO_LARGE));
    assert_eq!(err.message(), Some("Request entity too large."));
}

#[tokio::test]
async fn malformed_success_body_is_a_decode_error_keeping_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"id\": ", "application/json"))
        .mount(&server)
        .await;
    let err = client_for(&server.uri()).execute::<Value>(org_get()).await.unwrap_err();
    match &err {
        Error::Decode { status, body, .. } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(body, "{\"id\": ");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(std::error::Error::source(&err).unwrap().is::<serde_json::Error>());
    // A body of the wrong shape is a decode error too, not a panic.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Org {
        id: String,
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 5})))
        .mount(&server)
        .await;
    let err = client_for(&server.uri()).execute::<Org>(org_get()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { ref body, .. } if body == r#"{"id":5}"#), "{err:?}");
}

#[tokio::test]
async fn no_content_decodes_from_null() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let req = Request::new(Method::DELETE, "/instances/{instanceId}/orgs/{orgId}")
        .path_param("instanceId", INSTANCE, &ID)
        .path_param("orgId", ORG, &ID);
    let resp: ApiResponse<()> = client_for(&server.uri()).execute(req).await.unwrap();
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn body_over_the_limit_is_refused() {
    let server = MockServer::start().await;
    let big = format!("\"{}\"", "x".repeat(2046));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(big.clone(), "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).max_body_bytes(1024).build().unwrap();
    let err = client.execute::<Value>(org_get()).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1024 }), "{err:?}");
    let roomy = Client::builder().base_url(server.uri()).max_body_bytes(4096).build().unwrap();
    assert_eq!(roomy.execute::<String>(org_get()).await.unwrap().body.len(), 2046);
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_refused_while_streaming() {
    let chunk = "x".repeat(600);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n"
    );
    let (addr, connections) = raw_server(vec![Some(response)]).await;
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .max_body_bytes(1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.execute::<Value>(org_get()).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1024 }), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------- retries and timeouts

#[tokio::test]
async fn retry_after_on_429_is_honoured_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ORG})))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap(); // default policy: max_backoff 5 s
    let started = Instant::now();
    let body = client.execute::<Value>(org_get()).await.unwrap().into_body();
    assert_eq!(body, json!({"id": ORG}));
    assert_eq!(requests(&server).await.len(), 2);
    // Without Retry-After the first wait is at most 200 ms; with it, a full second.
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn post_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let req = Request::new(Method::POST, "/instances/{instanceId}/orgs")
        .path_param("instanceId", INSTANCE, &ID)
        .json_body(&json!({"name": "x"}));
    assert!(!req.is_idempotent());
    let err = client_for(&server.uri()).execute::<Value>(req).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status, .. } if *status == StatusCode::SERVICE_UNAVAILABLE), "{err:?}");
    assert_eq!(requests(&server).await.len(), 1);
    let patch = Request::new(Method::PATCH, "/x").json_body(&json!({}));
    assert!(!patch.is_idempotent());
}

#[tokio::test]
async fn post_marked_idempotent_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(true)))
        .mount(&server)
        .await;
    let req = Request::new(Method::POST, "/x").json_body(&json!({"a": 1})).idempotent(true);
    let ok: bool = client_for(&server.uri()).execute(req).await.unwrap().into_body();
    assert!(ok);
    let got = requests(&server).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].body, br#"{"a":1}"#, "the body is resent on retry");
}

#[tokio::test]
async fn get_is_retried_on_each_retryable_status_up_to_max_retries() {
    for status in [429u16, 502, 503, 504] {
        assert!(is_retryable_status(StatusCode::from_u16(status).unwrap()));
        let server = MockServer::start().await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        let client = Client::builder().base_url(server.uri()).retry_policy(fast_retries(2)).build().unwrap();
        let err = client.execute::<Value>(org_get()).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(requests(&server).await.len(), 3, "1 attempt + 2 retries for {status}");
    }
    assert!(!is_retryable_status(StatusCode::INTERNAL_SERVER_ERROR));
}

#[tokio::test]
async fn retry_after_is_capped_by_max_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!(1))).mount(&server).await;
    let client = client_for(&server.uri()); // max_backoff 20 ms
    let result = tokio::time::timeout(Duration::from_secs(30), client.execute::<Value>(org_get())).await;
    assert_eq!(result.expect("a 3600 s Retry-After must be capped").unwrap().body, json!(1));
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn no_retry_when_the_wait_would_exceed_max_elapsed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        max_retries: 5,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_secs(7200),
        max_elapsed: Duration::from_secs(2),
    };
    let client = Client::builder().base_url(server.uri()).retry_policy(policy).build().unwrap();
    let result = tokio::time::timeout(Duration::from_secs(30), client.execute::<Value>(org_get())).await;
    let err = result.expect("must give up instead of waiting an hour").unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn connection_errors_are_retried_for_get_only() {
    let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"ok\":true}".to_owned();
    let (addr, connections) = raw_server(vec![None, Some(ok.clone())]).await;
    let client = client_for(&format!("http://{addr}"));
    let body = client.execute::<Value>(org_get()).await.unwrap().into_body();
    assert_eq!(body, json!({"ok": true}));
    assert_eq!(connections.load(Ordering::SeqCst), 2, "dropped connection, then a retry");

    let (addr, connections) = raw_server(vec![None, Some(ok)]).await;
    let client = client_for(&format!("http://{addr}"));
    let req = Request::new(Method::POST, "/x").json_body(&json!({}));
    let err = client.execute::<Value>(req).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "POST is not retried");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client =
        Client::builder().base_url(format!("http://{addr}")).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.execute::<Value>(org_get()).await.unwrap_err();
    assert!(matches!(&err, Error::Transport(e) if e.is_connect()), "{err:?}");
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn slow_response_times_out() {
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
    let err = client.execute::<Value>(org_get()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { timeout: Some(t), .. } if t == Duration::from_millis(200)), "{err:?}");
    // A per-request timeout overrides the client's.
    let patient = Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_secs(60))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = patient.execute::<Value>(org_get().timeout(Duration::from_millis(100))).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { timeout: Some(t), .. } if t == Duration::from_millis(100)), "{err:?}");
}

#[test]
fn retry_after_parsing() {
    let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z").unwrap().with_timezone(&chrono::Utc);
    assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
    assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
    assert_eq!(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), Some(Duration::from_secs(60)));
    assert_eq!(parse_retry_after("Wed Oct 21 07:28:05 2015", now), Some(Duration::from_secs(5)));
    assert_eq!(parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now), Some(Duration::ZERO), "past dates: no wait");
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-5", now), None);
    assert_eq!(parse_retry_after("", now), None);
}

#[test]
fn backoff_is_capped_jittered_and_honours_retry_after() {
    let p = RetryPolicy::default();
    assert_eq!(
        (p.max_retries, p.initial_backoff, p.max_backoff, p.max_elapsed),
        (3, Duration::from_millis(200), Duration::from_secs(5), Duration::from_secs(30))
    );
    assert_eq!(RetryPolicy::none().max_retries, 0);
    assert_eq!(p.backoff_cap(0), Duration::from_millis(200));
    assert_eq!(p.backoff_cap(3), Duration::from_millis(1600));
    assert_eq!(p.backoff_cap(10), Duration::from_secs(5));
    assert_eq!(p.backoff_cap(u32::MAX), Duration::from_secs(5));
    for retry in 0..8 {
        for _ in 0..50 {
            assert!(p.delay(retry, None) <= p.backoff_cap(retry));
        }
    }
    assert_eq!(p.delay(0, Some(Duration::from_secs(2))), Duration::from_secs(2));
    assert_eq!(p.delay(0, Some(Duration::from_secs(60))), Duration::from_secs(5));
}

// ---------------------------------------------------------------- redirects

#[tokio::test]
async fn default_client_does_not_follow_cross_host_redirects() {
    let origin = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let target = format!("http://localhost:{}/landing", elsewhere.address().port());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&origin)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&elsewhere)
        .await;
    let err = client_for(&origin.uri()).execute::<Value>(org_get()).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::FOUND));
    assert_eq!(requests(&elsewhere).await.len(), 0, "the token must not travel to another host");
}

#[tokio::test]
async fn default_client_follows_same_host_redirects_with_authorization() {
    let server = MockServer::start().await;
    Mock::given(path_is(org_path()))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/moved"))
        .mount(&server)
        .await;
    Mock::given(path_is("/moved"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"moved": true})))
        .mount(&server)
        .await;
    let body = client_for(&server.uri()).execute::<Value>(org_get()).await.unwrap().into_body();
    assert_eq!(body, json!({"moved": true}));
    let got = requests(&server).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].headers.get("authorization").unwrap().to_str().unwrap(), format!("Bearer {TOKEN}"));
}

#[tokio::test]
async fn own_http_client_drops_authorization_on_cross_host_redirects() {
    let origin = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let target = format!("http://localhost:{}/landing", elsewhere.address().port());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&origin)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&elsewhere)
        .await;
    let client = Client::builder()
        .base_url(origin.uri())
        .token(TOKEN)
        .http_client(http_client_builder().build().expect("reqwest client"))
        .build()
        .unwrap();
    client.execute::<Value>(org_get()).await.unwrap();
    let got = requests(&elsewhere).await;
    assert_eq!(got.len(), 1, "reqwest's own policy follows the redirect");
    assert!(got[0].headers.get("authorization").is_none(), "but drops the token");
    assert!(requests(&origin).await[0].headers.get("authorization").is_some());
}

// ---------------------------------------------------------------- tracing and Debug

/// A minimal subscriber recording every field of every span, span record
/// and event: (span name or "record"/"event", field name, value).
#[derive(Clone, Default)]
struct Capture {
    next_id: Arc<AtomicU64>,
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
}

struct Collect<'a>(&'a str, &'a mut Vec<(String, String, String)>);

impl tracing::field::Visit for Collect<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.1.push((self.0.to_owned(), field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.1.push((self.0.to_owned(), field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut seen = self.seen.lock().unwrap();
        span.record(&mut Collect(span.metadata().name(), &mut seen));
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Collect("record", &mut self.seen.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut Collect("event", &mut self.seen.lock().unwrap()));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn request_span_has_operation_method_path_and_no_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = client_for(&server.uri());
    // Register the runtime's callsites (span, retry event) before installing
    // the subscriber: installing it then recomputes their interest, which
    // avoids tracing's callsite-cache race with tests on other threads.
    client.execute::<Value>(org_get()).await.unwrap();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let capture = Capture::default();
    let guard = tracing::subscriber::set_default(capture.clone());
    client.execute::<Value>(org_get()).await.unwrap();
    drop(guard);
    let seen = capture.seen.lock().unwrap().clone();
    let field =
        |name: &str| seen.iter().find(|(span, f, _)| span == "losant.request" && f == name).map(|(_, _, v)| v.clone());
    assert_eq!(field("operation").as_deref(), Some("instanceOrg.get"));
    assert_eq!(field("method").as_deref(), Some("GET"));
    assert_eq!(field("path").as_deref(), Some("/instances/{instanceId}/orgs/{orgId}"));
    assert!(seen.iter().any(|(kind, f, v)| kind == "record" && f == "status" && v == "200"), "{seen:?}");
    assert!(seen.iter().any(|(kind, f, _)| kind == "event" && f == "message"), "the retry is logged: {seen:?}");
    assert!(seen.iter().all(|(_, _, v)| !v.contains(TOKEN)), "token leaked into tracing: {seen:?}");
}

#[test]
fn debug_output_never_shows_the_token() {
    let client = Client::builder().base_url("https://example.com").token(TOKEN).build().unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains(r#"credentials: ["BearerAuth"]"#), "which schemes have a credential: {shown}");
    let builder = Client::builder().token(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN));
    let req = org_get()
        .header("Authorization", format!("Bearer {TOKEN}"))
        .query("token", TOKEN)
        .json_body(&json!({"password": TOKEN}));
    let shown = format!("{req:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("instanceOrg.get"), "{shown}");
    let refused = Request::new(Method::POST, "/x").validate(
        "password",
        TOKEN,
        &Validation { pattern: Some("^[0-9]+$"), min_length: None, max_length: None },
    );
    assert!(!format!("{refused:?}").contains(TOKEN));
}

// ---------------------------------------------------------------- pagination

#[derive(Debug, Deserialize)]
struct Orgs {
    items: Vec<Value>,
    #[serde(rename = "totalCount")]
    total_count: Option<u64>,
    #[serde(rename = "perPage")]
    per_page: Option<u64>,
}

impl Page for Orgs {
    type Item = Value;
    fn into_items(self) -> Vec<Value> {
        self.items
    }
    fn total_count(&self) -> Option<u64> {
        self.total_count
    }
    fn per_page(&self) -> Option<u64> {
        self.per_page
    }
}

async fn mount_page(server: &MockServer, page: u64, body: Value, expect: u64) {
    Mock::given(method("GET"))
        .and(query_param("page", page.to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(expect)
        .mount(server)
        .await;
}

fn fetch_orgs(client: &Client) -> impl FnMut(u64) -> futures::future::BoxFuture<'static, Result<Orgs, Error>> {
    let client = client.clone();
    move |page| {
        let client = client.clone();
        Box::pin(async move {
            let req = Request::new(Method::GET, "/instances/{instanceId}/orgs")
                .path_param("instanceId", INSTANCE, &ID)
                .query("page", &page)
                .query("perPage", &2);
            client.execute::<Orgs>(req).await.map(ApiResponse::into_body)
        })
    }
}

#[tokio::test]
async fn paginate_streams_three_pages() {
    let server = MockServer::start().await;
    mount_page(&server, 0, json!({"items": [1, 2], "totalCount": 5, "perPage": 2, "page": 0}), 1).await;
    mount_page(&server, 1, json!({"items": [3, 4], "totalCount": 5, "perPage": 2, "page": 1}), 1).await;
    mount_page(&server, 2, json!({"items": [5], "totalCount": 5, "perPage": 2, "page": 2}), 1).await;
    mount_page(&server, 3, json!({"items": [], "totalCount": 5, "perPage": 2, "page": 3}), 0).await;
    let client = client_for(&server.uri());
    let items: Vec<Value> = paginate(0, fetch_orgs(&client)).try_collect().await.unwrap();
    assert_eq!(items, [json!(1), json!(2), json!(3), json!(4), json!(5)]);
    let pages: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "page").unwrap().1.into_owned())
        .collect();
    assert_eq!(pages, ["0", "1", "2"]);
}

#[tokio::test]
async fn paginate_stops_at_total_count_and_on_an_empty_page() {
    let server = MockServer::start().await;
    // Exactly totalCount items on full pages: no request for page 2.
    mount_page(&server, 0, json!({"items": [1, 2], "totalCount": 4, "perPage": 2}), 1).await;
    mount_page(&server, 1, json!({"items": [3, 4], "totalCount": 4, "perPage": 2}), 1).await;
    mount_page(&server, 2, json!({"items": [], "totalCount": 4, "perPage": 2}), 0).await;
    let items: Vec<Value> = paginate(0, fetch_orgs(&client_for(&server.uri()))).try_collect().await.unwrap();
    assert_eq!(items.len(), 4);

    let server = MockServer::start().await;
    // No metadata at all: stop at the first empty page.
    mount_page(&server, 0, json!({"items": [1, 2]}), 1).await;
    mount_page(&server, 1, json!({"items": []}), 1).await;
    mount_page(&server, 2, json!({"items": [9]}), 0).await;
    let items: Vec<Value> = paginate(0, fetch_orgs(&client_for(&server.uri()))).try_collect().await.unwrap();
    assert_eq!(items, [json!(1), json!(2)]);
}

#[tokio::test]
async fn paginate_yields_an_error_once_and_ends() {
    let server = MockServer::start().await;
    mount_page(&server, 0, json!({"items": [1, 2], "totalCount": 6, "perPage": 2}), 1).await;
    Mock::given(method("GET"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"type": "Internal", "message": "boom"})))
        .mount(&server)
        .await;
    mount_page(&server, 2, json!({"items": [5, 6], "totalCount": 6, "perPage": 2}), 0).await;
    let results: Vec<Result<Value, Error>> = paginate(0, fetch_orgs(&client_for(&server.uri()))).collect().await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap(), &json!(1));
    assert_eq!(results[1].as_ref().unwrap(), &json!(2));
    assert_eq!(results[2].as_ref().unwrap_err().message(), Some("boom"));
}

// ---------------------------------------------------------------- query serialization

fn query_of(req: Request) -> String {
    req.default_query(false).query_string()
}

#[test]
fn deep_object_nested_objects_arrays_bools_and_null_skipping() {
    let filter = json!({
        "a": {"b": 1, "c": {"d": "x y"}},
        "e": [1, "two", {"f": false}],
        "g": true,
        "h": null,
        "i": {},
        "j": [],
        "k": 1.5
    });
    assert_eq!(
        deep_object_pairs("auditLogFilter", &filter),
        [
            ("auditLogFilter[a][b]", "1"),
            ("auditLogFilter[a][c][d]", "x y"),
            ("auditLogFilter[e][0]", "1"),
            ("auditLogFilter[e][1]", "two"),
            ("auditLogFilter[e][2][f]", "false"),
            ("auditLogFilter[g]", "true"),
            ("auditLogFilter[k]", "1.5"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    let q = query_of(
        Request::new(Method::GET, "/x")
            .query_deep_object("auditLogFilter", &json!({"primaryApiType": "org", "h": null})),
    );
    assert_eq!(q, "auditLogFilter%5BprimaryApiType%5D=org");
}

#[test]
fn deep_object_from_a_struct_skips_none_fields() {
    #[derive(Serialize)]
    struct Filter {
        actor_id: Option<String>,
        primary_api_id: Option<String>,
        secondary: Vec<u32>,
    }
    let q =
        query_of(Request::new(Method::GET, "/x").query_deep_object(
            "f",
            &Filter { actor_id: None, primary_api_id: Some("abc".into()), secondary: vec![7, 8] },
        ));
    assert_eq!(q, "f%5Bprimary_api_id%5D=abc&f%5Bsecondary%5D%5B0%5D=7&f%5Bsecondary%5D%5B1%5D=8");
}

#[test]
fn object_params_are_sent_as_json_strings() {
    #[derive(Serialize)]
    struct Query {
        #[serde(rename = "$or")]
        or: Vec<Value>,
    }
    let q =
        query_of(Request::new(Method::GET, "/x").query_json("query", &Query { or: vec![json!({"name": "a b&c"})] }));
    assert_eq!(q, "query=%7B%22%24or%22%3A%5B%7B%22name%22%3A%22a%20b%26c%22%7D%5D%7D");
    assert_eq!(query_of(Request::new(Method::GET, "/x").query_json("query", &Option::<Value>::None)), "");
}

#[test]
fn exploded_and_non_exploded_arrays() {
    let exploded = query_of(Request::new(Method::GET, "/x").query_list("tag", &["a", "b c"], true));
    assert_eq!(exploded, "tag=a&tag=b%20c");
    let joined = query_of(Request::new(Method::GET, "/x").query_list("fields", &["a", "b,c", "d"], false));
    assert_eq!(joined, "fields=a,b%2Cc,d");
    let numbers = query_of(Request::new(Method::GET, "/x").query_list("n", &[1, 2], false));
    assert_eq!(numbers, "n=1,2");
    let empty: [&str; 0] = [];
    assert_eq!(query_of(Request::new(Method::GET, "/x").query_list("tag", &empty, true)), "");
}

#[test]
fn reserved_characters_are_encoded() {
    let q = query_of(Request::new(Method::GET, "/x").query("filter", "a&b=c+d #e%f/g?h[i]é").query("my key", "~-._"));
    assert_eq!(q, "filter=a%26b%3Dc%2Bd%20%23e%25f%2Fg%3Fh%5Bi%5D%C3%A9&my%20key=~-._");
}

#[test]
fn default_query_parameters_come_first_and_can_be_turned_off() {
    const DEFAULT_QUERY: &[(&str, &str)] = &[("_actions", "false"), ("_links", "true"), ("_embedded", "true")];
    assert_eq!(
        Request::new(Method::GET, "/x").query("page", &0).query_string(),
        "page=0",
        "the client adds its defaults"
    );
    let req = Request::new(Method::GET, "/x")
        .default_query_params(DEFAULT_QUERY)
        .query("page", &0)
        .query("_embedded", &false);
    assert_eq!(req.query_string(), "_actions=false&_links=true&_embedded=false&page=0");
    assert_eq!(Request::new(Method::GET, "/x").default_query(false).query("page", &0).query_string(), "page=0");
}

#[tokio::test]
async fn deep_object_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("auditLogFilter[primaryApiType]", "org"))
        .and(query_param("auditLogFilter[responseStatus][0]", "200"))
        .and(query_param("_links", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .expect(1)
        .mount(&server)
        .await;
    let req = Request::new(Method::GET, "/instances/{instanceId}/audit-logs")
        .path_param("instanceId", INSTANCE, &ID)
        .query_deep_object("auditLogFilter", &json!({"primaryApiType": "org", "responseStatus": [200]}));
    client_for(&server.uri()).execute::<Value>(req).await.unwrap();
}

// ---------------------------------------------------------------- validation and idempotency

#[test]
fn validation_messages() {
    assert_eq!(ID.check(INSTANCE), Ok(()));
    assert_eq!(
        ID.check("575ec8687ae143cd83dc4a9"),
        Err(r"must match ^[A-Fa-f\d]{24}$ (24 hexadecimal characters)".to_owned())
    );
    assert!(ID.check("575ec8687ae143cd83dc4a97/..").is_err());
    let len = Validation { pattern: None, min_length: Some(2), max_length: Some(3) };
    assert_eq!(len.check("a"), Err("must be at least 2 characters long (got 1)".to_owned()));
    assert_eq!(len.check("abcd"), Err("must be at most 3 characters long (got 4)".to_owned()));
    assert_eq!(len.check("éé"), Ok(()), "lengths count characters, not bytes");
    assert_eq!(Validation::NONE.check(""), Ok(()));
    let other = Validation { pattern: Some("^[a-z]+$"), min_length: None, max_length: None };
    assert_eq!(other.check("ABC"), Err("must match ^[a-z]+$".to_owned()));
    // A pattern regex-lite cannot compile is not enforced (the server decides).
    let lookahead = Validation { pattern: Some("^(?=a)"), min_length: None, max_length: None };
    assert_eq!(lookahead.check("b"), Ok(()));
}

#[test]
fn hex_id_patterns_agree_with_the_regex() {
    // The 24-hex-digit patterns are checked without the regex engine; the verdict must be the regex's.
    let patterns = [
        r"^[A-Fa-f\d]{24}$",
        r"^[a-fA-F\d]{24}$",
        "^[0-9a-fA-F]{24}$",
        "^[A-Fa-f0-9]{24}$",
        "^[a-f0-9]{24}$",
        "^[0-9a-f]{24}$",
    ];
    let values = [
        "575ec8687ae143cd83dc4a97",
        "575EC8687AE143CD83DC4A97",
        "575ec8687ae143cd83dc4a9",
        "575ec8687ae143cd83dc4a971",
        "575ec8687ae143cd83dc4a9g",
        "575ec8687ae143cd83dc4a9\n",
        "575ec8687ae143cd83dc4a97\n",
        " 575ec8687ae143cd83dc4a9",
        "575ec8687ae143cd83dc4a9٣", // an Arabic-Indic digit: `\d` is ASCII-only
        "575ec8687ae143cd83dc4aé",
        "",
    ];
    for pattern in patterns {
        let re = regex_lite::Regex::new(pattern).unwrap();
        let rule = Validation { pattern: Some(pattern), min_length: None, max_length: None };
        for value in values {
            assert_eq!(rule.check(value).is_ok(), re.is_match(value), "{pattern} on {value:?}");
        }
    }
}

#[test]
fn idempotency_defaults_follow_the_method() {
    for (m, expected) in [
        (Method::GET, true),
        (Method::HEAD, true),
        (Method::PUT, true),
        (Method::DELETE, true),
        (Method::OPTIONS, true),
        (Method::POST, false),
        (Method::PATCH, false),
    ] {
        assert_eq!(Request::new(m.clone(), "/x").is_idempotent(), expected, "{m}");
        assert!(!Request::new(m, "/x").idempotent(false).is_idempotent());
    }
    assert!(Request::new(Method::PATCH, "/x").idempotent(true).is_idempotent());
}

#[test]
fn client_and_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let client = Client::builder().base_url("http://127.0.0.1:9").build().unwrap();
    send_sync(&client);
    send(&org_get());
    let fut = client.execute::<Value>(org_get());
    send(&fut);
    let err = Error::BodyTooLarge { limit: 1 };
    send_sync(&err);
}

#[test]
fn invalid_value_converts_into_invalid_parameter() {
    let refused = losant_instance_api::runtime::InvalidValue {
        type_name: "ObjectId",
        value: "xyz".to_owned(),
        reason: "must match ^[A-Fa-f\\d]{24}$ (24 hexadecimal characters)".to_owned(),
    };
    match Error::from(refused) {
        Error::InvalidParameter { name, value, reason } => {
            assert_eq!((name.as_str(), value.as_str()), ("ObjectId", "xyz"));
            assert!(reason.contains("24 hexadecimal"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

// ---------------------------------------------------------------- helpers

/// A one-shot HTTP/1.1 server: connection `i` gets `responses[i]` (`None`:
/// closed right after the request is read, without answering).
async fn raw_server(responses: Vec<Option<String>>) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        for response in responses {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            if let Some(text) = response {
                let _ = socket.write_all(text.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        }
    });
    (addr, count)
}

proptest::proptest! {
    /// Query keys and values are RFC 3986 percent-encoded: everything but
    /// `A-Z a-z 0-9 - . _ ~`, byte by byte.
    #[test]
    fn query_components_are_percent_encoded_like_rfc_3986(s in "([a-zA-Z0-9._~-]{0,6}|.{0,6}|[ -~]{0,6})") {
        let expected: String = s.bytes().map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        }).collect();
        proptest::prop_assert_eq!(encode_component(&s), expected);
    }
}
