//! Compiled and run inside a scratch crate by `tests/generated_clients.rs`:
//! the client generated from `tests/fixtures/media-types.yml` (module
//! `media_types` of the scratch crate) against wiremock, showing the exact
//! bytes and content types each body kind puts on the wire and how each
//! success body comes back.

mod common;

use std::time::Duration;

use common::{header, multipart_parts};
use futures::TryStreamExt;
use media_wire::media_types::api::AttachmentsCreateMultipart;
use media_wire::media_types::runtime::{form_pairs, Client, Error, FilePart, RetryPolicy, Upload};
use media_wire::media_types::types::{AttachmentsCreateBodyMeta, Document, TokensCreateBody, TokensCreateBodyFilter};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn serve(server: &MockServer, response: ResponseTemplate) -> Client {
    server.reset().await;
    Mock::given(any()).respond_with(response).mount(server).await;
    Client::builder().base_url(server.uri()).build().unwrap()
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

#[tokio::test]
async fn a_form_body_is_urlencoded_with_arrays_as_repeated_keys() {
    let server = MockServer::start().await;
    let client =
        serve(&server, ResponseTemplate::new(200).set_body_json(serde_json::json!({"access_token": "t"}))).await;
    let body = TokensCreateBody {
        grant_type: "client credentials".into(),
        scope: Some(vec!["read".into(), "write&more".into()]),
        tags: Some(vec!["a".into(), "b".into()]),
        limit: Some(5),
        filter: Some(TokensCreateBodyFilter { kind: Some("x y".into()) }),
    };
    let token = client.tokens().create(body).send().await.unwrap();
    assert_eq!(token.access_token.as_deref(), Some("t"));
    let r = &received(&server).await[0];
    assert_eq!(header(r, "content-type"), "application/x-www-form-urlencoded");
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        "grant_type=client+credentials&scope=read&scope=write%26more&tags=a%2Cb&limit=5&filter%5Bkind%5D=x+y",
        "spec order; scope exploded, tags `explode: false`, filter `style: deepObject`"
    );
}

#[test]
fn a_nested_object_in_the_default_form_style_is_refused() {
    let err = form_pairs(&serde_json::json!({"a": {"b": 1}}), &[]).unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "a"), "{err:?}");
    let err = form_pairs(&serde_json::json!({"a": [{"b": 1}]}), &[]).unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "a"), "{err:?}");
}

#[tokio::test]
async fn a_multipart_body_has_file_and_text_parts() {
    let server = MockServer::start().await;
    let client = serve(&server, ResponseTemplate::new(201)).await;
    let body = AttachmentsCreateMultipart {
        file: FilePart::new(&b"\x89PNG\r\n"[..]).file_name("a.png"),
        extras: vec![
            FilePart::new("notes").file_name("n.txt").content_type("text/plain"),
            FilePart::new(vec![0u8, 255]),
        ],
        title: "Plant A".into(),
        count: Some(3),
        meta: Some(AttachmentsCreateBodyMeta { author: Some("me".into()), pages: Some(2) }),
    };
    client.attachments().create(body).send().await.unwrap();
    let parts = multipart_parts(&received(&server).await[0]);
    let text = |s: &str| s.as_bytes().to_vec();
    let expected: Vec<(Vec<String>, Vec<u8>)> = vec![
        (
            vec![
                "content-disposition: form-data; name=\"file\"; filename=\"a.png\"".into(),
                "content-type: image/png".into(),
            ],
            b"\x89PNG\r\n".to_vec(),
        ),
        (
            vec![
                "content-disposition: form-data; name=\"extras\"; filename=\"n.txt\"".into(),
                "content-type: text/plain".into(),
            ],
            text("notes"),
        ),
        (
            vec![
                "content-disposition: form-data; name=\"extras\"".into(),
                "content-type: application/octet-stream".into(),
            ],
            vec![0, 255],
        ),
        (vec!["content-disposition: form-data; name=\"title\"".into()], text("Plant A")),
        (vec!["content-disposition: form-data; name=\"count\"".into()], text("3")),
        (
            vec!["content-disposition: form-data; name=\"meta\"".into(), "content-type: application/json".into()],
            text(r#"{"author":"me","pages":2}"#),
        ),
    ];
    assert_eq!(parts, expected);
}

fn no_wait_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        max_elapsed: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn binary_uploads_send_the_exact_bytes_and_only_replayable_ones_are_retried() {
    let server = MockServer::start().await;
    let client = serve(&server, ResponseTemplate::new(204)).await;
    let bytes = vec![0u8, 1, 2, 254, 255];
    client.files().upload("a.bin", bytes.clone()).send().await.unwrap();
    let streamed = futures::stream::iter([Ok::<_, std::io::Error>(vec![0u8, 1]), Ok(vec![2, 254, 255])]);
    client.files().upload("a.bin", Upload::stream(reqwest::Body::wrap_stream(streamed))).send().await.unwrap();
    for r in received(&server).await {
        assert_eq!(r.body, bytes);
        assert_eq!(header(&r, "content-type"), "application/octet-stream");
        assert_eq!(r.url.path(), "/files/a.bin");
    }

    // PUT is idempotent: bytes are sent again on a retry, a stream is sent once.
    server.reset().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = Client::builder().base_url(server.uri()).retry_policy(no_wait_retries()).build().unwrap();
    let err = client.files().upload("a.bin", bytes.clone()).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(received(&server).await.iter().filter(|r| r.body == bytes).count(), 3, "sent and retried twice");
    server.reset().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let streamed = futures::stream::iter([Ok::<_, std::io::Error>(bytes.clone())]);
    let err = client.files().upload("a.bin", Upload::stream(reqwest::Body::wrap_stream(streamed))).send().await;
    assert_eq!(err.unwrap_err().status().map(|s| s.as_u16()), Some(503));
    assert_eq!(received(&server).await.len(), 1, "a streamed body is never retried");
}

#[tokio::test]
async fn a_binary_download_comes_back_as_bytes_or_as_a_stream() {
    let server = MockServer::start().await;
    let png: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let client = serve(&server, ResponseTemplate::new(200).set_body_raw(png.clone(), "image/png")).await;
    let bytes = client.files().download("a.png").send().await.unwrap();
    assert_eq!(&bytes[..], &png[..]);
    let resp = client.files().download("a.png").send_stream().await.unwrap();
    assert_eq!(resp.headers["content-type"], "image/png");
    let chunks: Vec<bytes::Bytes> = resp.body.try_collect().await.unwrap();
    assert_eq!(chunks.concat(), png);
    for r in received(&server).await {
        assert_eq!(header(&r, "accept"), "image/png");
    }
}

#[tokio::test]
async fn text_goes_out_and_comes_back_as_text() {
    let server = MockServer::start().await;
    let client =
        serve(&server, ResponseTemplate::new(200).set_body_raw("bien reçu\n", "text/plain; charset=utf-8")).await;
    let back = client.notes().echo("héllo, world").send().await.unwrap();
    assert_eq!(back, "bien reçu\n");
    let r = &received(&server).await[0];
    assert_eq!(r.body, "héllo, world".as_bytes());
    assert_eq!(header(r, "content-type"), "text/plain");
    assert_eq!(header(r, "accept"), "text/plain");
}

#[tokio::test]
async fn json_family_bodies_use_their_declared_content_types() {
    let server = MockServer::start().await;
    let doc = r#"{"title":"T","tags":["a"]}"#;
    let client = serve(&server, ResponseTemplate::new(200).set_body_raw(doc, "application/json; charset=utf-8")).await;
    let patch = Document { title: Some("T".into()), ..Document::default() };
    let back = client.documents().merge("d1", patch.clone()).send().await.unwrap();
    assert_eq!((back.title.as_deref(), back.tags), (Some("T"), Some(vec!["a".to_owned()])));
    // Of text, form and JSON, the JSON body is sent.
    client.choices().create().body(patch).send().await.unwrap();
    let sent = received(&server).await;
    assert_eq!(header(&sent[0], "content-type"), "application/merge-patch+json");
    assert_eq!(sent[0].body, br#"{"title":"T"}"#);
    assert_eq!(header(&sent[1], "content-type"), "application/json");
    assert_eq!(sent[1].body, br#"{"title":"T"}"#);
}

#[tokio::test]
async fn an_unknown_media_type_is_raw_bytes_both_ways() {
    let server = MockServer::start().await;
    let client =
        serve(&server, ResponseTemplate::new(200).set_body_raw(vec![7u8, 0, 7], "application/vnd.legacy")).await;
    let back = client.legacy().exchange(vec![1u8, 2, 3]).send().await.unwrap();
    assert_eq!(&back[..], [7, 0, 7]);
    let r = &received(&server).await[0];
    assert_eq!(r.body, [1, 2, 3]);
    assert_eq!(header(r, "content-type"), "application/vnd.legacy");
    assert_eq!(header(r, "accept"), "application/vnd.legacy");
}
