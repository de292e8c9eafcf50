//! Server-sent events in the runtime (`generator/runtime/sse.rs`): the
//! event-stream parser against the WHATWG rules (a table of cases, each fed
//! whole and byte by byte), a property that any split of a stream into
//! chunks gives the same events, the typed stream, the client's timeouts
//! on a raw TCP server (each wait for a chunk is bounded, not the whole
//! stream), and a success that is not an event stream.

use std::time::{Duration, Instant};

use futures::StreamExt;
use losant_instance_api::runtime::{Client, Error, Event, EventParser, EventSource, EventStream, Request};
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How a stream ends.
#[derive(Debug, PartialEq)]
enum End {
    Clean,
    /// `Error::IncompleteStream`, its reason containing this.
    Incomplete(&'static str),
}

/// `(name, body, terminator, events as (type, data, id), end)`.
type Case =
    (&'static str, &'static [u8], Option<&'static str>, &'static [(&'static str, &'static str, &'static str)], End);

const CASES: &[Case] = &[
    (
        "the standard's first example: data lines joined with LF",
        b"data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\ndata: This is the third message.\n\n",
        None,
        &[
            ("message", "This is the first message.", ""),
            ("message", "This is the second message, it\nhas two lines.", ""),
            ("message", "This is the third message.", ""),
        ],
        End::Clean,
    ),
    (
        "event types",
        b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\n",
        None,
        &[("add", "73857293", ""), ("remove", "2153", "")],
        End::Clean,
    ),
    (
        "comments, ids kept until reset, one space dropped after the colon",
        b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
        None,
        &[("message", "first event", "1"), ("message", "second event", ""), ("message", " third event", "")],
        End::Clean,
    ),
    (
        "a field without a colon has an empty value; an unterminated line at the end is incomplete",
        b"data\n\ndata\ndata\n\ndata:",
        None,
        &[("message", "", ""), ("message", "\n", "")],
        End::Incomplete("middle of an event"),
    ),
    ("CR line ends", b"data: a\rdata: b\r\r", None, &[("message", "a\nb", "")], End::Clean),
    ("CRLF line ends", b"data: a\r\n\r\n", None, &[("message", "a", "")], End::Clean),
    ("mixed line ends", b"data: a\r\ndata: b\n\r\ndata: c\r\r\n", None, &[("message", "a\nb", ""), ("message", "c", "")], End::Clean),
    ("a leading byte order mark is dropped", b"\xEF\xBB\xBFdata: x\n\n", None, &[("message", "x", "")], End::Clean),
    (
        "only one: a second one is part of the field name (an unknown field)",
        b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n",
        None,
        &[("message", "y", "")],
        End::Clean,
    ),
    ("an id containing NUL is ignored", b"id: 1\n\nid: a\0b\ndata: x\n\n", None, &[("message", "x", "1")], End::Clean),
    (
        "unknown fields are ignored, the last event type wins, a tab is kept",
        b"foo: bar\nevent: a\nevent: b\ndata:\tx\n\n",
        None,
        &[("b", "\tx", "")],
        End::Clean,
    ),
    ("invalid UTF-8 becomes U+FFFD", b"data: \xFF\xC3\n\n", None, &[("message", "\u{FFFD}\u{FFFD}", "")], End::Clean),
    ("an event without data is not dispatched", b"event: ping\n\n: keep-alive\n\n", None, &[], End::Clean),
    ("multi-byte UTF-8", "data: é😀\n\n".as_bytes(), None, &[("message", "é😀", "")], End::Clean),
    ("a comment after the last event ends cleanly", b"data: a\n\n: bye\n", None, &[("message", "a", "")], End::Clean),
    ("fields without their blank line are incomplete", b"data: a\n\ndata: b\n", None, &[("message", "a", "")], End::Incomplete("middle of an event")),
    (
        "the terminator ends the stream cleanly; nothing after it is read",
        b"data: a\n\ndata: [DONE]\n\ndata: after\n\n",
        Some("[DONE]"),
        &[("message", "a", "")],
        End::Clean,
    ),
    ("a stream without its terminator is incomplete", b"data: a\n\n", Some("[DONE]"), &[("message", "a", "")], End::Incomplete("without its terminator `[DONE]`")),
    ("the terminator is the whole data, not a prefix", b"data: [DONE] \n\n", Some("[DONE]"), &[("message", "[DONE] ", "")], End::Incomplete("terminator")),
    ("an empty stream", b"", None, &[], End::Clean),
];

fn source(chunks: Vec<Vec<u8>>) -> EventSource {
    Box::pin(futures::stream::iter(chunks.into_iter().map(|c| Ok(c.into()))))
}

/// The events of `chunks` and how the stream ended.
async fn run(chunks: Vec<Vec<u8>>, terminator: Option<&'static str>) -> (Vec<Event>, End) {
    let mut stream = EventStream::new(source(chunks), terminator, StatusCode::OK);
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(e) => events.push(e),
            Err(Error::IncompleteStream { reason }) => {
                assert!(stream.next().await.is_none(), "the stream ends after an error");
                let reason: &'static str = Box::leak(reason.into_boxed_str());
                return (events, End::Incomplete(reason));
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    (events, End::Clean)
}

fn summary(events: &[Event]) -> Vec<(String, String, String)> {
    events.iter().map(|e| (e.event.clone(), e.data.clone(), e.id.clone())).collect()
}

#[tokio::test]
async fn the_parser_follows_the_whatwg_rules_whole_and_byte_by_byte() {
    for (name, body, terminator, expected, end) in CASES {
        let expected: Vec<(String, String, String)> =
            expected.iter().map(|(t, d, i)| (t.to_string(), d.to_string(), i.to_string())).collect();
        let whole = vec![body.to_vec()];
        let bytes = body.iter().map(|b| vec![*b]).collect();
        for (how, chunks) in [("whole", whole), ("byte by byte", bytes)] {
            let (events, got_end) = run(chunks, *terminator).await;
            assert_eq!(summary(&events), expected, "{name} ({how})");
            match (end, &got_end) {
                (End::Clean, End::Clean) => {}
                (End::Incomplete(want), End::Incomplete(got)) => {
                    assert!(got.contains(want), "{name} ({how}): {got:?} should say {want:?}")
                }
                _ => panic!("{name} ({how}): ended {got_end:?}, expected {end:?}"),
            }
        }
    }
}

#[tokio::test]
async fn retry_counts_only_when_all_digits_and_ids_are_kept_for_resuming() {
    let body = b"retry: 1500\nid: 7\ndata: a\n\nretry: +5\ndata: b\n\nretry: 1.5\nid: 8\n\ndata: c\n\n";
    let mut stream = EventStream::new(source(vec![body.to_vec()]), None, StatusCode::OK);
    let a = stream.next().await.unwrap().unwrap();
    assert_eq!((a.data.as_str(), a.retry, a.id.as_str()), ("a", Some(Duration::from_millis(1500)), "7"));
    assert_eq!((stream.last_event_id(), stream.retry()), ("7", Some(Duration::from_millis(1500))));
    let b = stream.next().await.unwrap().unwrap();
    assert_eq!((b.data.as_str(), b.retry), ("b", None), "`+5` is not all digits");
    let c = stream.next().await.unwrap().unwrap();
    assert_eq!((c.data.as_str(), c.id.as_str()), ("c", "8"), "an id-only event sets the last event id");
    assert_eq!((stream.last_event_id(), stream.retry()), ("8", Some(Duration::from_millis(1500))));
    assert!(stream.next().await.is_none());
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Chunk {
    n: u32,
}

#[tokio::test]
async fn typed_events_decode_data_and_a_bad_one_is_an_error_item_keeping_the_data() {
    let body = b"data: {\"n\":1}\n\ndata: not json\n\ndata: {\"n\":\ndata: 2}\n\ndata: [DONE]\n\n";
    let mut stream = EventStream::new(source(vec![body.to_vec()]), Some("[DONE]"), StatusCode::OK).json::<Chunk>();
    assert_eq!(stream.next().await.unwrap().unwrap(), Chunk { n: 1 });
    match stream.next().await.unwrap() {
        Err(e @ Error::Decode { .. }) => {
            assert_eq!(e.body(), Some("not json"));
            assert_eq!(e.status(), Some(StatusCode::OK));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(stream.next().await.unwrap().unwrap(), Chunk { n: 2 }, "the stream goes on; data lines joined");
    assert!(stream.next().await.is_none(), "[DONE] ends it cleanly");
}

/// Fragments that stress the parser: line ends of each kind, field names,
/// colons, comments, multi-byte UTF-8, NUL, a byte order mark.
const FRAGMENTS: &[&[u8]] = &[
    b"data",
    b":",
    b": ",
    b" ",
    b"x",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"event",
    b"id",
    b"retry",
    b"15",
    b"\0",
    "é".as_bytes(),
    "😀".as_bytes(),
    b"\xEF\xBB\xBF",
    b"[DONE]",
];

/// What a parser makes of `chunks`: the events, and the state at the end.
fn parse(chunks: &[&[u8]]) -> (Vec<Event>, bool, String, Option<Duration>) {
    let mut p = EventParser::new();
    let events = chunks.iter().flat_map(|c| p.feed(c)).collect();
    (events, p.is_mid_event(), p.last_event_id().to_owned(), p.retry())
}

proptest! {
    #[test]
    fn any_split_into_chunks_gives_the_same_events(
        picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..60),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let body: Vec<u8> = picks.iter().flat_map(|i| FRAGMENTS[*i].iter().copied()).collect();
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
        at.extend([0, body.len()]);
        at.sort_unstable();
        let chunks: Vec<&[u8]> = at.windows(2).map(|w| &body[w[0]..w[1]]).collect();
        prop_assert_eq!(parse(&chunks), parse(&[&body]));
    }
}

/// A one-connection HTTP/1.1 server that answers with a chunked
/// `text/event-stream` body: `parts` written one by one, `gap` apart, then
/// (with `finish`) the last chunk. Returns its address.
async fn serve_events(parts: Vec<Vec<u8>>, gap: Duration, finish: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.set_nodelay(true).unwrap();
        let mut buf = vec![0u8; 8192];
        let _ = socket.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for part in parts {
            tokio::time::sleep(gap).await;
            let mut chunk = format!("{:x}\r\n", part.len()).into_bytes();
            chunk.extend_from_slice(&part);
            chunk.extend_from_slice(b"\r\n");
            if socket.write_all(&chunk).await.is_err() {
                return;
            }
        }
        if finish {
            let _ = socket.write_all(b"0\r\n\r\n").await;
        } else {
            // Stall: keep the connection open without sending anything.
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });
    format!("http://{addr}")
}

fn client(base: &str, timeout: Duration) -> Client {
    Client::builder().base_url(base).timeout(timeout).build().unwrap()
}

#[tokio::test]
async fn the_timeout_bounds_each_wait_for_a_chunk_not_the_whole_stream() {
    // Five events 300 ms apart with a 1.2 s timeout: 1.8 s in all, longer than the timeout
    // (the gaps stay far from the timeout so that a loaded CI machine cannot turn them into one).
    let mut parts: Vec<Vec<u8>> = (0..5).map(|i| format!("data: {i}\n\n").into_bytes()).collect();
    parts.push(b"data: [DONE]\n\n".to_vec());
    let base = serve_events(parts, Duration::from_millis(300), true).await;
    let started = Instant::now();
    let req = Request::new(Method::GET, "/events").header("accept", "text/event-stream");
    let resp = client(&base, Duration::from_millis(1200)).execute_events(req, Some("[DONE]")).await.unwrap();
    let items: Vec<_> = resp.body.collect().await;
    let data: Vec<String> = items.into_iter().map(|i| i.unwrap().data).collect();
    assert_eq!(data, ["0", "1", "2", "3", "4"]);
    assert!(started.elapsed() > Duration::from_millis(1200), "the stream outlived the timeout");
}

#[tokio::test]
async fn a_stalled_stream_is_a_read_timeout_after_the_events_it_sent() {
    let base = serve_events(vec![b"data: first\n\n".to_vec()], Duration::ZERO, false).await;
    let req = Request::new(Method::GET, "/events");
    let resp = client(&base, Duration::from_millis(300)).execute_events(req, None).await.unwrap();
    let mut stream = resp.body;
    assert_eq!(stream.next().await.unwrap().unwrap().data, "first");
    let started = Instant::now();
    match stream.next().await {
        Some(Err(Error::ReadTimeout { timeout })) => assert_eq!(timeout, Duration::from_millis(300)),
        other => panic!("expected a read timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(stream.next().await.is_none(), "the stream ends after the timeout");
}

#[tokio::test]
async fn a_success_that_is_not_an_event_stream_is_a_decode_error_holding_the_body() {
    use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let json = r#"{"id":"chatcmpl-1","choices":[]}"#;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(json, "application/json"))
        .mount(&server)
        .await;
    let req = Request::new(Method::POST, "/chat/completions").header("accept", "text/event-stream");
    match client(&server.uri(), Duration::from_secs(5)).execute_events(req, Some("[DONE]")).await {
        Err(e @ Error::Decode { .. }) => {
            assert_eq!(e.body(), Some(json));
            assert!(e.to_string().contains("text/event-stream"), "{e}");
            let source = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
            assert!(source.contains("got `application/json`"), "{source}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}
