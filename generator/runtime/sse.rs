//! Server-sent events (`text/event-stream` responses): the WHATWG
//! event-stream parser and the [`EventStream`] of decoded events.
//!
//! The parser follows the HTML standard's "event stream interpretation"
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>):
//! one leading byte order mark is dropped; lines end with CR, LF or CRLF
//! (a CRLF split across two chunks is one line end); invalid UTF-8 becomes
//! U+FFFD; a line starting with `:` is a comment; a line without `:` is a
//! field with an empty value; one space after the `:` is dropped; `data`
//! lines are joined with LF; `event` names the event type (`message` when
//! none); an `id` containing NUL is ignored; `retry` counts only when it is
//! all ASCII digits; a blank line dispatches the event, unless it has no data.
//!
//! Hand-written rather than taken from a crate: `eventsource-stream`
//! (unreleased since 2022) ends silently on a stream cut mid-event, accepts
//! `retry: +5` and fails on invalid UTF-8; `sse-stream` reports a line
//! without `:`, an unknown field or a repeated `event` as errors where the
//! standard ignores or accepts them. Neither says whether the stream ended
//! between events, which [`Error::IncompleteStream`] needs; and the runtime
//! is copied into every generated crate, which this keeps free of another
//! dependency.
//!
//! Nothing reconnects on its own: a POST that streams (a chat completion)
//! is not idempotent, so resending it is the caller's decision.
//! [`EventStream::last_event_id`] and [`EventStream::retry`] say where and
//! when to resume (send `Last-Event-ID` with the new request). Dropping the
//! stream closes the connection.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::Error;

/// One event of a `text/event-stream` body, as the standard dispatches it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The event type: the last `event` field, `message` when there was none.
    pub event: String,
    /// The `data` lines, joined with LF.
    pub data: String,
    /// The last event ID when the event was dispatched (the last `id` field
    /// of the stream so far, empty when none).
    pub id: String,
    /// The reconnection time a `retry` field of this event set, if any.
    pub retry: Option<Duration>,
}

/// What a blank line dispatched: an event (none when it had no data) and
/// the stream's state at that point.
#[derive(Debug)]
struct Dispatch {
    event: Option<Event>,
    last_event_id: String,
    retry: Option<Duration>,
}

/// The incremental parser of an event stream: feed it the body's bytes in
/// chunks of any size; it returns the events each chunk completes.
#[derive(Debug, Default)]
pub struct EventParser {
    /// The bytes of the current line, not yet ended.
    line: Vec<u8>,
    /// The last byte fed was a CR: an LF starting the next chunk ends nothing.
    after_cr: bool,
    /// No line has been read yet (a byte order mark may start it).
    started: bool,
    data: String,
    event_type: String,
    /// Whether the current event has a field (its end is still due).
    in_event: bool,
    id: String,
    event_retry: Option<Duration>,
    retry: Option<Duration>,
    dispatched: VecDeque<Dispatch>,
}

impl EventParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        EventParser::default()
    }

    /// Reads `chunk` and returns the events it completes, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        self.push(chunk);
        self.dispatched.drain(..).filter_map(|d| d.event).collect()
    }

    /// Reads `chunk`, queueing what it dispatches.
    fn push(&mut self, mut chunk: &[u8]) {
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if chunk[0] == b'\n' {
                chunk = &chunk[1..];
            }
        }
        while let Some(end) = chunk.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.line.extend_from_slice(&chunk[..end]);
            let line = std::mem::take(&mut self.line);
            self.process(&line);
            self.line = line;
            self.line.clear();
            let cr = chunk[end] == b'\r';
            chunk = &chunk[end + 1..];
            if cr {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.line.extend_from_slice(chunk);
    }

    /// Whether the bytes read so far end inside an event: a line not ended,
    /// or fields not yet dispatched by a blank line.
    pub fn is_mid_event(&self) -> bool {
        !self.line.is_empty() || self.in_event
    }

    /// The last event ID read so far (empty when none).
    pub fn last_event_id(&self) -> &str {
        &self.id
    }

    /// The reconnection time the last valid `retry` field set, if any.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    fn process(&mut self, mut line: &[u8]) {
        if !self.started {
            self.started = true;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return;
        }
        let (name, value) = match line.iter().position(|b| *b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match name {
            b"event" => {
                self.event_type = value.into_owned();
                self.in_event = true;
            }
            b"data" => {
                self.data.push_str(&value);
                self.data.push('\n');
                self.in_event = true;
            }
            b"id" => {
                if !value.contains('\0') {
                    self.id = value.into_owned();
                }
                self.in_event = true;
            }
            b"retry" => {
                if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                    let millis = value.parse::<u64>().unwrap_or(u64::MAX);
                    self.retry = Some(Duration::from_millis(millis));
                    self.event_retry = self.retry;
                }
                self.in_event = true;
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        let mut data = std::mem::take(&mut self.data);
        let event_type = std::mem::take(&mut self.event_type);
        let retry = self.event_retry.take();
        let was_in_event = std::mem::replace(&mut self.in_event, false);
        if !was_in_event {
            return;
        }
        let event = (!data.is_empty()).then(|| {
            data.pop();
            let event = if event_type.is_empty() { "message".to_owned() } else { event_type };
            Event { event, data, id: self.id.clone(), retry }
        });
        self.dispatched.push_back(Dispatch { event, last_event_id: self.id.clone(), retry: self.retry });
    }
}

/// How an [`EventStream`] turns an event into an item.
type DecodeEvent<T> = fn(Event, StatusCode) -> Result<T, Error>;

/// The chunks an [`EventStream`] reads.
pub type EventSource = Pin<Box<dyn futures::Stream<Item = Result<Bytes, Error>> + Send>>;

/// A `text/event-stream` response body as a `Stream` of events: raw
/// [`Event`]s, or each event's `data` decoded from JSON as `T`.
///
/// Items:
/// - `Ok` for each event (events without data are not items);
/// - [`Error::Decode`] for an event whose data is not a `T` (its `body`
///   holds the data); the stream goes on;
/// - [`Error::Transport`] when the connection fails, [`Error::ReadTimeout`]
///   when no bytes arrive within the client's timeout (each wait for the next
///   chunk is bounded, not the whole stream), [`Error::IncompleteStream`] when
///   the body ends in the middle of an event or without the API's terminator
///   (e.g. `[DONE]`); the stream then ends.
///
/// When the data of an event equals the API's terminator the stream ends
/// there, cleanly. Nothing reconnects; dropping the stream closes the
/// connection.
pub struct EventStream<T> {
    source: Option<EventSource>,
    parser: EventParser,
    queue: VecDeque<Dispatch>,
    terminator: Option<&'static str>,
    status: StatusCode,
    last_event_id: String,
    retry: Option<Duration>,
    decode: DecodeEvent<T>,
    _item: PhantomData<fn() -> T>,
}

impl EventStream<Event> {
    /// The raw events of `source` (a body's chunks, in order), ending
    /// cleanly at an event whose data is `terminator`. `status` is the
    /// response's, for decode errors.
    pub fn new(source: EventSource, terminator: Option<&'static str>, status: StatusCode) -> Self {
        EventStream {
            source: Some(source),
            parser: EventParser::new(),
            queue: VecDeque::new(),
            terminator,
            status,
            last_event_id: String::new(),
            retry: None,
            decode: |event, _| Ok(event),
            _item: PhantomData,
        }
    }

    /// The same stream, each event's `data` decoded from JSON as `T`.
    pub fn json<T: DeserializeOwned>(self) -> EventStream<T> {
        EventStream {
            source: self.source,
            parser: self.parser,
            queue: self.queue,
            terminator: self.terminator,
            status: self.status,
            last_event_id: self.last_event_id,
            retry: self.retry,
            decode: decode_json::<T>,
            _item: PhantomData,
        }
    }
}

fn decode_json<T: DeserializeOwned>(event: Event, status: StatusCode) -> Result<T, Error> {
    serde_json::from_str(&event.data).map_err(|source| Error::Decode { status, body: event.data, raw: None, source })
}

impl<T> EventStream<T> {
    /// The last event ID as of the items returned so far (empty when none):
    /// send it as `Last-Event-ID` to resume where this stream stopped.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time the server asked for (`retry`) as of the items
    /// returned so far, if it did.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// The status of the response the events come from.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Ends the stream, closing the connection.
    fn close(&mut self) {
        self.source = None;
        self.queue.clear();
    }
}

impl<T> futures::Stream for EventStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Unpin: every field is (the source is boxed, `T` only in `PhantomData<fn() -> T>`).
        let this = self.get_mut();
        loop {
            while let Some(d) = this.queue.pop_front() {
                this.last_event_id = d.last_event_id;
                this.retry = d.retry;
                let Some(event) = d.event else { continue };
                if this.terminator.is_some_and(|t| t == event.data) {
                    this.close();
                    return Poll::Ready(None);
                }
                return Poll::Ready(Some((this.decode)(event, this.status)));
            }
            let Some(source) = this.source.as_mut() else { return Poll::Ready(None) };
            match source.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    this.parser.push(&chunk);
                    this.queue.extend(this.parser.dispatched.drain(..));
                }
                Poll::Ready(Some(Err(e))) => {
                    this.close();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    let mid_event = this.parser.is_mid_event();
                    this.close();
                    let reason = match this.terminator {
                        _ if mid_event => "the stream ended in the middle of an event".to_owned(),
                        Some(t) => format!("the stream ended without its terminator `{t}`"),
                        None => return Poll::Ready(None),
                    };
                    return Poll::Ready(Some(Err(Error::IncompleteStream { reason })));
                }
            }
        }
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.status)
            .field("terminator", &self.terminator)
            .field("last_event_id", &self.last_event_id)
            .field("retry", &self.retry)
            .field("open", &self.source.is_some())
            .finish_non_exhaustive()
    }
}

/// The chunks of a response body, each wait for the next one bounded by
/// `timeout` ([`Error::ReadTimeout`]).
pub(crate) fn chunks(resp: reqwest::Response, timeout: Option<Duration>) -> EventSource {
    Box::pin(futures::stream::try_unfold(resp, move |mut resp| async move {
        let next = match timeout {
            Some(t) => tokio::time::timeout(t, resp.chunk()).await.map_err(|_| Error::ReadTimeout { timeout: t })?,
            None => resp.chunk().await,
        };
        match next {
            Ok(Some(chunk)) => Ok(Some((chunk, resp))),
            Ok(None) => Ok(None),
            Err(e) => Err(Error::from_transport(e, timeout)),
        }
    }))
}
