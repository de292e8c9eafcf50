//! Compiled and run inside a scratch crate by `generator/tests/it/openai_wire.rs`:
//! the client generated from a slice of OpenAI's spec with
//! `tests/corpus/overlays/openai.yml` (module `openai` of the scratch crate),
//! against wiremock (JSON, multipart, retries) and a raw TCP server that
//! streams a chat completion in chunks split wherever it likes (wiremock
//! sends a body whole, cannot cut a connection, and does not show a
//! client hanging up).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{header, multipart_parts};
use futures::StreamExt;
use openai_wire::openai::api::FilesCreateMultipart;
use openai_wire::openai::runtime::{Client, Error, FilePart, RetryPolicy};
use openai_wire::openai::types::{CreateChatCompletionRequest, CreateFileRequestPurpose};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-key";

fn client(base: &str) -> Client {
    let fast = RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        max_elapsed: Duration::from_secs(5),
    };
    Client::builder()
        .base_url(base)
        .api_key_auth(KEY)
        .retry_policy(fast)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn listing_models_is_a_json_call_with_the_bearer_key() {
    let server = MockServer::start().await;
    let models = json!({"object": "list", "data": [
        {"id": "gpt-4o", "object": "model", "created": 1686935002, "owned_by": "openai"},
        {"id": "ft:gpt-4o:acme", "object": "model", "created": 1700000000, "owned_by": "acme", "shutdown_date": null}
    ]});
    Mock::given(method("GET"))
        .and(path("/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(models))
        .mount(&server)
        .await;
    let list = client(&server.uri()).models().list().send().await.unwrap();
    let ids: Vec<&str> = list.data.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["gpt-4o", "ft:gpt-4o:acme"]);
    assert_eq!(list.data[1].owned_by, "acme");
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(header(r, "authorization"), format!("Bearer {KEY}"));
    assert_eq!(header(r, "accept"), "application/json");
}

#[tokio::test]
async fn a_429_is_retried_for_a_get_and_never_for_a_post() {
    let server = MockServer::start().await;
    let limited = ResponseTemplate::new(429)
        .insert_header("retry-after", "0")
        .set_body_json(json!({"error": {"message": "Rate limit reached", "type": "requests"}}));
    Mock::given(method("GET")).respond_with(limited.clone()).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(limited).mount(&server).await;
    let client = client(&server.uri());
    assert!(client.models().list().send().await.unwrap().data.is_empty(), "GET is idempotent: retried after 429");
    let err = client.chat().create_chat_completion(chat_request()).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    let posts = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 1, "a POST (a new completion each time) is never retried");
}

#[tokio::test]
async fn uploading_a_file_sends_exactly_its_parts() {
    let server = MockServer::start().await;
    let file = json!({"id": "file-abc123", "object": "file", "bytes": 37, "created_at": 1677610602,
        "filename": "mydata.jsonl", "purpose": "fine-tune", "status": "uploaded"});
    Mock::given(method("POST"))
        .and(path("/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(file))
        .mount(&server)
        .await;
    let jsonl = "{\"prompt\": \"é\"}\n{\"prompt\": \"😀\"}\n";
    let body = FilesCreateMultipart {
        file: FilePart::new(jsonl).file_name("mydata.jsonl").content_type("application/jsonl"),
        purpose: CreateFileRequestPurpose::FineTune,
        expires_after: None,
    };
    let created = client(&server.uri()).files().create(body).send().await.unwrap();
    assert_eq!((created.id.as_str(), created.filename.as_str()), ("file-abc123", "mydata.jsonl"));
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(header(r, "authorization"), format!("Bearer {KEY}"));
    let expected: Vec<(Vec<String>, Vec<u8>)> = vec![
        (
            vec![
                "content-disposition: form-data; name=\"file\"; filename=\"mydata.jsonl\"".into(),
                "content-type: application/jsonl".into(),
            ],
            jsonl.as_bytes().to_vec(),
        ),
        (vec!["content-disposition: form-data; name=\"purpose\"".into()], b"fine-tune".to_vec()),
    ];
    assert_eq!(multipart_parts(r), expected);
}

fn chat_request() -> CreateChatCompletionRequest {
    serde_json::from_value(json!({
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Dis bonjour"}],
        "stream": true
    }))
    .expect("a chat completion request")
}

/// One `data:` event of a chat completion chunk carrying `content`, CRLF line ends.
fn chunk_event(content: &str, finish: Option<&str>) -> String {
    let chunk = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741569952,
        "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]});
    format!("data: {chunk}\r\n\r\n")
}

/// How the streaming server ends its response.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    /// The last HTTP chunk: the body is complete.
    Complete,
    /// The connection is dropped mid-body (no last chunk).
    Cut,
    /// Nothing more is sent; the server waits for the client to hang up.
    Hold,
}

/// What the streaming server saw.
#[derive(Default)]
struct Seen {
    /// The request: head and body.
    request: Mutex<String>,
    /// The client closed the connection.
    closed: AtomicBool,
}

/// A one-connection HTTP/1.1 server answering with a chunked
/// `text/event-stream` body, `parts` written as separate chunks 30 ms apart.
async fn stream_server(parts: Vec<Vec<u8>>, ending: Ending) -> (String, Arc<Seen>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.set_nodelay(true).unwrap();
        let mut request = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        // The head, then `content-length` bytes of body.
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0usize);
                if request.len() >= end + 4 + length || n == 0 {
                    break;
                }
            }
        }
        *record.request.lock().unwrap() = String::from_utf8_lossy(&request).into_owned();
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        for part in parts {
            let mut chunk = format!("{:x}\r\n", part.len()).into_bytes();
            chunk.extend_from_slice(&part);
            chunk.extend_from_slice(b"\r\n");
            if socket.write_all(&chunk).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        match ending {
            Ending::Complete => socket.write_all(b"0\r\n\r\n").await.unwrap(),
            Ending::Cut => drop(socket),
            Ending::Hold => {
                // Nothing more to send: a read returns 0 (or fails) once the client hangs up.
                let hung_up = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf)).await;
                if matches!(hung_up, Ok(Ok(0) | Err(_))) {
                    record.closed.store(true, Ordering::SeqCst);
                }
            }
        }
    });
    (base, seen)
}

/// `body` cut right after each of `marks` (byte strings, found in order) plus `offset`.
fn split_after(body: &[u8], marks: &[(&[u8], usize)]) -> Vec<Vec<u8>> {
    let mut cuts = Vec::new();
    let mut from = 0;
    for (mark, offset) in marks {
        let at = from + body[from..].windows(mark.len()).position(|w| w == *mark).expect("mark in body");
        cuts.push(at + offset);
        from = at + mark.len();
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for cut in cuts {
        parts.push(body[start..cut].to_vec());
        start = cut;
    }
    parts.push(body[start..].to_vec());
    parts
}

#[tokio::test]
async fn a_streamed_completion_split_anywhere_ends_cleanly_at_done() {
    let body = [chunk_event("Bonjour é", None), chunk_event("😀", None), chunk_event("!", Some("stop"))].concat()
        + "data: [DONE]\r\n\r\n";
    let parts = split_after(
        body.as_bytes(),
        &[
            ("é".as_bytes(), 1),  // inside the two bytes of é
            (b"\r\n", 1),         // between CR and LF
            (b"data:", 2),        // inside the next `data:`
            ("😀".as_bytes(), 2), // inside the four bytes of 😀
            (b"[DO", 0),          // inside the terminator
        ],
    );
    assert_eq!(parts.len(), 6);
    let (base, seen) = stream_server(parts, Ending::Complete).await;
    let mut stream = client(&base).chat().create_chat_completion(chat_request()).send_events().await.unwrap();
    let mut text = String::new();
    let mut finish = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        assert_eq!(chunk.id, "chatcmpl-1");
        text.push_str(chunk.choices[0].delta.content.as_deref().unwrap_or_default());
        finish.push(chunk.choices[0].finish_reason.is_some());
    }
    assert_eq!(text, "Bonjour é😀!");
    assert_eq!(finish, [false, false, true]);
    let request = seen.request.lock().unwrap().clone();
    let lower = request.to_ascii_lowercase();
    assert!(lower.starts_with("post /chat/completions http/1.1\r\n"), "{request}");
    assert!(lower.contains("\r\naccept: text/event-stream\r\n"), "{request}");
    assert!(lower.contains(&format!("\r\nauthorization: bearer {}\r\n", KEY.to_ascii_lowercase())), "{request}");
    let body = &request[request.find("\r\n\r\n").unwrap() + 4..];
    let sent: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!((sent["stream"].clone(), sent["model"].clone()), (json!(true), json!("gpt-4o")), "{body}");
}

#[tokio::test]
async fn a_chunk_that_does_not_decode_is_an_error_item_and_the_stream_goes_on() {
    let body = chunk_event("a", None)
        + "data: {\"error\": {\"message\": \"overloaded\"}}\r\n\r\n"
        + &chunk_event("b", Some("stop"))
        + "data: [DONE]\r\n\r\n";
    let (base, _) = stream_server(vec![body.into_bytes()], Ending::Complete).await;
    let stream = client(&base).chat().create_chat_completion(chat_request()).send_events().await.unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    match &items[1] {
        Err(e @ Error::Decode { .. }) => assert_eq!(e.body(), Some("{\"error\": {\"message\": \"overloaded\"}}")),
        other => panic!("expected a decode error keeping the data, got {other:?}"),
    }
}

#[tokio::test]
async fn a_connection_cut_mid_stream_is_a_transport_error() {
    let parts = vec![chunk_event("a", None).into_bytes(), b"data: {\"id\": \"chat".to_vec()];
    let (base, _) = stream_server(parts, Ending::Cut).await;
    let mut stream = client(&base).chat().create_chat_completion(chat_request()).send_events().await.unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    match stream.next().await {
        Some(Err(Error::Transport(_))) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(stream.next().await.is_none(), "the stream ends after the error");
}

#[tokio::test]
async fn a_stream_that_ends_without_done_is_incomplete() {
    let (base, _) = stream_server(vec![chunk_event("a", Some("stop")).into_bytes()], Ending::Complete).await;
    let mut stream = client(&base).chat().create_chat_completion(chat_request()).send_events().await.unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    match stream.next().await {
        Some(Err(Error::IncompleteStream { reason })) => assert!(reason.contains("[DONE]"), "{reason}"),
        other => panic!("expected an incomplete stream, got {other:?}"),
    }
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (base, seen) = stream_server(vec![chunk_event("a", None).into_bytes()], Ending::Hold).await;
    let client = client(&base);
    let mut stream = client.chat().create_chat_completion(chat_request()).send_events().await.unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    assert!(!seen.closed.load(Ordering::SeqCst), "open while the stream is");
    drop(stream);
    let started = Instant::now();
    while !seen.closed.load(Ordering::SeqCst) {
        assert!(started.elapsed() < Duration::from_secs(5), "the server never saw the client hang up");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
