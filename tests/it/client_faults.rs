//! The generated client against servers that misbehave at the socket level,
//! written here on raw TCP (127.0.0.1 only; every server loop is bounded):
//! a connection reset in the middle of a body or before any response, a body
//! slower than the timeout, a declared (or streamed) body far larger than the
//! limit, invalid UTF-8, HTML error pages, storms of 429 with `Retry-After`,
//! and redirects to another host.
//!
//! Every case must end in a typed [`Error`] (never a panic), keep what the
//! server sent (status, headers, the exact body bytes), retry only idempotent
//! requests (a `POST` or `PATCH` reaches the server exactly once), and never
//! send the token to another host.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use losant_instance_api::runtime::{http_client_builder, Client, Error, RetryPolicy};
use losant_instance_api::types::InstanceOrgPatch;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "s3cr3t-t0ken-value";
const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
const ORG: &str = "575ed70c7ae143cd83dc4aa9";

/// Connections one test server accepts at most.
const MAX_CONNECTIONS: usize = 32;

/// What a test server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    /// Lower-case names.
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

type Respond = Arc<dyn Fn(usize, TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A raw HTTP/1.1 server on 127.0.0.1: for each connection (at most
/// [`MAX_CONNECTIONS`]) it reads and records one request, then hands the
/// socket to `respond` with the connection's index.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start<F, Fut>(respond: F) -> Server
    where
        F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let respond: Respond = Arc::new(move |n, s| Box::pin(respond(n, s)));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let task = tokio::spawn(async move {
            for n in 0..MAX_CONNECTIONS {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let Some(req) = read_request(&mut stream).await else { continue };
                record.lock().expect("not poisoned").push(req);
                tokio::spawn(respond(n, stream));
            }
        });
        Server { addr, seen, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request head (and a `Content-Length` body), at most 1 MiB.
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut have = buf.len() - head_end;
    while have < len.min(1 << 20) {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        have += n;
    }
    Some(Seen { method, target, headers })
}

/// A response head; `Connection: close` so every attempt is a new connection.
fn head(status: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A complete response with a body.
async fn reply(mut stream: TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let len = body.len().to_string();
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    all.push(("content-length", &len));
    let _ = stream.write_all(&head(status, &all)).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(20),
    }
}

fn client(server: &Server, retries: u32) -> Client {
    Client::builder().base_url(server.url()).token(TOKEN).retry_policy(fast_retries(retries)).build().expect("client")
}

fn methods(server: &Server) -> Vec<String> {
    server.seen().iter().map(|s| s.method.clone()).collect()
}

// ---------------------------------------------------------------- resets

/// Headers and part of the body, then a TCP reset.
async fn reset_mid_body(_: usize, mut stream: TcpStream) {
    let _ =
        stream.write_all(&head("200 OK", &[("content-type", "application/json"), ("content-length", "1000")])).await;
    let _ = stream.write_all(&[b' '; 100]).await;
    let _ = stream.flush().await;
    let _ = stream.set_zero_linger();
    drop(stream);
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_a_transport_error_retried_only_when_idempotent() {
    let server = Server::start(reset_mid_body).await;
    let client = client(&server, 2);

    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(&err, Error::Transport(e) if e.is_body() || e.is_decode() || e.is_request()), "{err:?}");
    assert_eq!(methods(&server), ["GET", "GET", "GET"], "GET: 1 attempt + 2 retries");

    let err = client.instance_orgs().post(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let err = client.instance_org().patch(INSTANCE, ORG, InstanceOrgPatch::default()).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(methods(&server)[3..], ["POST", "PATCH"], "one attempt each");
}

#[tokio::test]
async fn a_connection_reset_before_any_response_is_a_transport_error() {
    let server = Server::start(|_, stream: TcpStream| async move {
        let _ = stream.set_zero_linger();
        drop(stream);
    })
    .await;
    let client = client(&server, 1);
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let err = client.instance_orgs().post(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(methods(&server), ["GET", "GET", "POST"]);
}

// ---------------------------------------------------------------- slow and large bodies

/// A chunked body that arrives one byte every 100 ms (for at most 10 s).
async fn dribble(_: usize, mut stream: TcpStream) {
    let _ = stream
        .write_all(&head("200 OK", &[("content-type", "application/json"), ("transfer-encoding", "chunked")]))
        .await;
    let _ = stream.write_all(b"1\r\n[\r\n").await;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if stream.write_all(b"1\r\n \r\n").await.is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn a_body_slower_than_the_timeout_is_a_timeout_error() {
    let server = Server::start(dribble).await;
    let timeout = Duration::from_millis(400);
    let client = Client::builder()
        .base_url(server.url())
        .timeout(timeout)
        .retry_policy(fast_retries(1))
        .build()
        .expect("client");
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { timeout: Some(t), .. } if t == timeout), "{err:?}");
    assert_eq!(methods(&server), ["GET", "GET"], "a timeout is retried once for GET");
    let err = client.instance_orgs().post(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(methods(&server).len(), 3, "POST: one attempt");
}

/// Declares 10 GiB, sends 64 KiB, then holds the connection open for 10 s:
/// a client that tried to read the body would time out instead.
async fn huge_declared(status: &'static str, mut stream: TcpStream) {
    let _ = stream
        .write_all(&head(status, &[("content-type", "application/json"), ("content-length", "10737418240")]))
        .await;
    let _ = stream.write_all(&vec![b' '; 64 * 1024]).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_huge_declared_body_is_refused_without_reading_it() {
    for status in ["200 OK", "503 Service Unavailable"] {
        let server = Server::start(move |_, s| huge_declared(status, s)).await;
        let client = Client::builder()
            .base_url(server.url())
            .max_body_bytes(1 << 20)
            .timeout(Duration::from_secs(30))
            .retry_policy(fast_retries(3))
            .build()
            .expect("client");
        let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
        assert!(matches!(err, Error::BodyTooLarge { limit } if limit == 1 << 20), "{status}: {err:?}");
        assert_eq!(methods(&server), ["GET"], "{status}: not retried, even for a retryable status");
    }
}

/// A chunked body without a declared length, streamed until the client
/// stops reading (at most 8 MiB).
async fn endless(_: usize, mut stream: TcpStream) {
    let _ = stream
        .write_all(&head("200 OK", &[("content-type", "application/json"), ("transfer-encoding", "chunked")]))
        .await;
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
    for _ in 0..128 {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            return;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
}

#[tokio::test]
async fn a_streamed_body_past_the_limit_is_refused() {
    let server = Server::start(endless).await;
    let client = Client::builder().base_url(server.url()).max_body_bytes(256 * 1024).build().expect("client");
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 262_144 }), "{err:?}");
    assert_eq!(methods(&server), ["GET"]);
}

// ---------------------------------------------------------------- bodies that are not what was promised

const INVALID_UTF8: &[u8] = b"{\"items\": [{\"name\": \"caf\xe9 \xff\xfe\"}]}";

#[tokio::test]
async fn invalid_utf8_bodies_are_typed_errors_that_keep_the_exact_bytes() {
    let server = Server::start(|n, s| async move {
        let status = if n == 0 { "200 OK" } else { "400 Bad Request" };
        reply(s, status, &[("content-type", "application/json")], INVALID_UTF8).await;
    })
    .await;
    let client = client(&server, 3);

    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    match &err {
        Error::Decode { status, body, .. } => {
            assert_eq!(*status, StatusCode::OK);
            assert!(body.contains("caf\u{fffd}"), "lossy text: {body:?}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(err.body_bytes(), Some(INVALID_UTF8), "the exact bytes are kept");

    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, error_type: None, .. } if *status == StatusCode::BAD_REQUEST),
        "{err:?}"
    );
    assert_eq!(err.body_bytes(), Some(INVALID_UTF8));
    assert!(err.to_string().contains("400"), "{err}");
    assert_eq!(methods(&server), ["GET", "GET"], "neither is retried");
}

#[tokio::test]
async fn valid_bodies_are_kept_once_as_text() {
    let server = Server::start(|_, s| reply(s, "404 Not Found", &[], br#"{"type":"NotFound","message":"no"}"#)).await;
    let err = client(&server, 0).instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(&err, Error::Api { raw: None, .. }), "no second copy of a UTF-8 body: {err:?}");
    assert_eq!(err.body_bytes(), Some(&br#"{"type":"NotFound","message":"no"}"#[..]));
    assert_eq!((err.error_type(), err.message()), (Some("NotFound"), Some("no")));
}

const HTML: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1>\
                    <p>The proxy received an invalid response from an upstream server.</p></body></html>\n";

#[tokio::test]
async fn an_html_error_page_is_an_api_error_that_keeps_the_page() {
    let server = Server::start(|n, s| async move {
        let status = if n < 3 { "502 Bad Gateway" } else { "200 OK" };
        reply(s, status, &[("content-type", "text/html; charset=utf-8")], HTML.as_bytes()).await;
    })
    .await;
    let client = client(&server, 2);
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    match &err {
        Error::Api { status, error_type, message, body, headers, .. } => {
            assert_eq!(*status, StatusCode::BAD_GATEWAY);
            assert_eq!((error_type, message), (&None, &None));
            assert_eq!(body, HTML);
            assert_eq!(headers.get("content-type").map(|v| v.as_bytes()), Some(&b"text/html; charset=utf-8"[..]));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert!(err.to_string().contains("502"), "{err}");
    assert_eq!(methods(&server).len(), 3, "502 is retried for GET (1 + 2 retries)");
    // An HTML page with a 200: a decode error, with the page.
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert!(matches!(&err, Error::Decode { body, .. } if body == HTML), "{err:?}");
}

// ---------------------------------------------------------------- 429 storms

#[tokio::test]
async fn a_429_storm_is_retried_boundedly_and_only_for_idempotent_requests() {
    for retry_after in ["0", "1", "86400"] {
        let server = Server::start(move |_, s| async move {
            let body = br#"{"type":"TooManyRequests","message":"slow down"}"#;
            reply(s, "429 Too Many Requests", &[("retry-after", retry_after)], body).await;
        })
        .await;
        // Retry-After is honoured but capped by max_backoff (20 ms here).
        let client = client(&server, 3);
        let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS), "{err:?}");
        assert_eq!((err.error_type(), err.message()), (Some("TooManyRequests"), Some("slow down")));
        assert_eq!(
            err.headers().and_then(|h| h.get("retry-after")).map(|v| v.as_bytes()),
            Some(retry_after.as_bytes())
        );
        assert_eq!(methods(&server), ["GET"; 4], "Retry-After {retry_after}: 1 attempt + 3 retries");

        let err = client.instance_orgs().post(INSTANCE).send().await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        let err = client.instance_org().patch(INSTANCE, ORG, InstanceOrgPatch::default()).send().await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(methods(&server)[4..], ["POST", "PATCH"], "Retry-After {retry_after}: exactly one each");

        let err = client.instance_org().delete(INSTANCE, ORG).send().await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(methods(&server)[6..], ["DELETE"; 4], "DELETE is idempotent");
    }
}

#[tokio::test]
async fn the_retry_budget_bounds_a_storm_in_time() {
    let server = Server::start(|_, s| reply(s, "429 Too Many Requests", &[("retry-after", "1")], b"")).await;
    // Up to 100 retries, but Retry-After (1 s) would exceed the 1.5 s budget on the second wait.
    let policy = RetryPolicy {
        max_retries: 100,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_secs(5),
        max_elapsed: Duration::from_millis(1500),
    };
    let client = Client::builder().base_url(server.url()).retry_policy(policy).build().expect("client");
    let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(methods(&server).len(), 2, "the first wait fits the budget, the second does not");
}

// ---------------------------------------------------------------- redirects

/// Redirects every request to `to` with `status`.
fn redirect_to(
    to: String,
    status: &'static str,
) -> impl Fn(usize, TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    move |_, s| {
        let to = to.clone();
        Box::pin(async move { reply(s, status, &[("location", &to)], b"").await })
    }
}

async fn ok_json(_: usize, s: TcpStream) {
    reply(s, "200 OK", &[("content-type", "application/json")], b"{}").await;
}

#[tokio::test]
async fn the_default_client_does_not_follow_a_redirect_to_another_host() {
    let other = Server::start(ok_json).await;
    for status in ["301 Moved Permanently", "302 Found", "307 Temporary Redirect", "308 Permanent Redirect"] {
        // Another host name for the same machine, and another port.
        let target = format!("http://localhost:{}/instances/{INSTANCE}/orgs", other.addr.port());
        let first = Server::start(redirect_to(target.clone(), status)).await;
        let client = client(&first, 3);
        let err = client.instance_orgs().get(INSTANCE).send().await.unwrap_err();
        let code: u16 = status[..3].parse().expect("a status code");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code), "{status}: {err:?}");
        assert_eq!(err.headers().and_then(|h| h.get("location")).map(|v| v.as_bytes()), Some(target.as_bytes()));
        let err = client.instance_orgs().post(INSTANCE).send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code), "{status}: {err:?}");
        assert_eq!(methods(&first), ["GET", "POST"], "{status}: not retried");
        assert_eq!(first.seen()[0].header("authorization"), Some(&*format!("Bearer {TOKEN}")));
    }
    assert!(other.seen().is_empty(), "the other host was never contacted: {:?}", other.seen());
}

#[tokio::test]
async fn the_default_client_follows_a_redirect_on_the_same_origin_with_the_token() {
    let server = Server::start(|n, s| async move {
        if n == 0 {
            reply(s, "307 Temporary Redirect", &[("location", "/moved")], b"").await;
        } else {
            ok_json(n, s).await;
        }
    })
    .await;
    let client = client(&server, 0);
    let resp = client.execute_raw(client.instance_orgs().get(INSTANCE).request()).await.expect("followed");
    assert_eq!(resp.status, StatusCode::OK);
    let seen = server.seen();
    assert_eq!(seen.iter().map(|s| s.target.as_str()).collect::<Vec<_>>()[1], "/moved");
    assert_eq!(seen[1].header("authorization"), Some(&*format!("Bearer {TOKEN}")));
}

#[tokio::test]
async fn a_caller_supplied_http_client_follows_to_another_host_without_the_token() {
    let other = Server::start(ok_json).await;
    let target = format!("http://localhost:{}/elsewhere", other.addr.port());
    let first = Server::start(redirect_to(target, "302 Found")).await;
    let client = Client::builder()
        .base_url(first.url())
        .token(TOKEN)
        .http_client(http_client_builder().build().expect("reqwest client"))
        .build()
        .expect("client");
    let resp = client.execute_raw(client.instance_orgs().get(INSTANCE).request()).await.expect("followed");
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(first.seen()[0].header("authorization"), Some(&*format!("Bearer {TOKEN}")));
    let seen = other.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].target, "/elsewhere");
    assert_eq!(seen[0].header("authorization"), None, "the token must not follow the redirect: {seen:?}");
}
