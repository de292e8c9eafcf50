//! Compiled and run inside a scratch crate by `tests/generated_clients.rs`:
//! the clients generated from `tests/fixtures/parameter-rendering.yml` and
//! `tests/fixtures/no-success-response.yml` against wiremock: every kind of
//! parameter on the wire as its location and style say, and the raw response
//! of an operation without a declared success response.

use auth_wire::no_success_response::runtime::Client as RawClient;
use auth_wire::parameter_rendering::runtime::Client;
use auth_wire::parameter_rendering::types::{BranchName, FiltersGetFilter, IdOrName, RunsListWorkflowId, Status};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn since() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2024-05-06T07:08:09Z").expect("a timestamp").with_timezone(&chrono::Utc)
}

/// The one request the server received: decoded path, query pairs, and a header getter.
async fn received(server: &MockServer) -> wiremock::Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1);
    received.remove(0)
}

fn decoded_path(r: &wiremock::Request) -> String {
    percent_encoding::percent_decode_str(r.url.path()).decode_utf8().expect("UTF-8").into_owned()
}

fn header(r: &wiremock::Request, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().expect("ASCII").to_owned())
}

#[tokio::test]
async fn unions_enums_newtypes_arrays_and_timestamps_render_as_text() {
    let server = MockServer::start().await;
    let body = ResponseTemplate::new(200).set_body_json(serde_json::json!(["r1"]));
    Mock::given(any()).respond_with(body).mount(&server).await;
    let client = Client::builder().base_url(server.uri()).build().expect("a client");
    let runs = client
        .runs()
        .list(IdOrName::Integer(42), RunsListWorkflowId::String("deploy.yml".into()), Status::InProgress)
        .branch(BranchName::new("main").expect("a valid branch"))
        .ids(vec![1, 2])
        .statuses(vec![Status::Queued, Status::Completed])
        .actor(IdOrName::String("octo cat".into()))
        .since(since())
        .x_run_owner(IdOrName::Integer(7))
        .x_run_tags(vec!["a".to_string(), "b".to_string()])
        .x_run_status(Status::Completed)
        .send()
        .await
        .expect("the call succeeds");
    assert_eq!(runs, ["r1"]);
    let r = received(&server).await;
    assert_eq!(decoded_path(&r), "/orgs/42/workflows/deploy.yml/runs/in_progress");
    let query: Vec<(String, String)> = r.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let want = [
        ("branch", "main"),
        ("ids", "1,2"),
        ("statuses", "queued"),
        ("statuses", "completed"),
        ("actor", "octo cat"),
        ("since", "2024-05-06T07:08:09.000Z"),
    ];
    assert_eq!(query, want.map(|(k, v)| (k.to_string(), v.to_string())));
    assert_eq!(header(&r, "x-run-owner").as_deref(), Some("7"));
    assert_eq!(header(&r, "x-run-tags").as_deref(), Some("a,b"));
    assert_eq!(header(&r, "x-run-status").as_deref(), Some("completed"));
}

#[tokio::test]
async fn simple_style_arrays_timestamps_and_objects_in_the_path() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder().base_url(server.uri()).build().expect("a client");
    let names = vec![IdOrName::Integer(1), IdOrName::String("bug".into())];
    client.labels().delete("main", names, since()).send().await.expect("the call succeeds");
    assert_eq!(decoded_path(&received(&server).await), "/orgs/main/labels/1,bug/2024-05-06T07:08:09.000Z");

    server.reset().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let filter = FiltersGetFilter { name: Some("x".into()) };
    client.filters().get(filter).send().await.expect("the call succeeds");
    assert_eq!(decoded_path(&received(&server).await), r#"/filters/{"name":"x"}"#);
}

#[tokio::test]
async fn without_a_declared_success_response_the_raw_response_is_returned() {
    let server = MockServer::start().await;
    let zip = ResponseTemplate::new(200).insert_header("content-type", "application/zip").set_body_bytes(b"PK\x03\x04");
    Mock::given(any()).respond_with(zip).mount(&server).await;
    let client = RawClient::builder().base_url(server.uri()).build().expect("a client");
    let response = client.exports().download("e1").send_with_response().await.expect("the call succeeds");
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.headers.get("content-type").map(|v| v.to_str().expect("ASCII")), Some("application/zip"));
    assert_eq!(response.body, b"PK\x03\x04");
}
