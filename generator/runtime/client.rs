//! The HTTP client: execution of [`Request`]s with default headers,
//! retries, timeouts and tracing. Configuration lives in
//! [`ClientBuilder`](super::ClientBuilder).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, COOKIE};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::body::{byte_stream, decode_text, ByteStream};
use super::response::{decode, read_body};
use super::retry::{is_retryable_status, is_retryable_transport, parse_retry_after};
use super::sse::{chunks, Event, EventStream};
use super::{path, ApiResponse, Conventions, Error, Request, RetryPolicy};

/// A client for the API: build one with `Client::builder()`.
///
/// Cheap to clone (the state is shared behind an `Arc`); build one per base
/// URL and credentials and reuse it.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// The validated configuration a [`ClientBuilder`](super::ClientBuilder) produces.
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    /// The checked base URL: each request's URL starts from a copy of it.
    pub(super) base: url::Url,
    pub(super) conventions: &'static Conventions,
    /// `(scheme name, credential)`, header values marked sensitive.
    pub(super) credentials: Vec<(&'static str, Prepared)>,
    /// What every request starts from: `Accept: application/json`, the
    /// user agent, the API's default headers and the client's own.
    pub(super) defaults: HeaderMap,
    pub(super) timeout: Option<Duration>,
    pub(super) retry: RetryPolicy,
    pub(super) max_body_bytes: usize,
}

/// A credential ready to send.
pub(super) enum Prepared {
    /// The whole `Authorization` value (`Bearer ...`).
    Authorization(HeaderValue),
    /// HTTP basic, encoded by reqwest.
    Basic { username: String, password: String },
    /// An API key header.
    Header(HeaderName, HeaderValue),
    /// An API key query parameter: `(name, value)`.
    Query(&'static str, String),
    /// An API key cookie: `name=value`.
    Cookie(HeaderValue),
}

/// A success body: read whole, or left to be streamed.
enum Received {
    Buffered(Bytes),
    Streaming(reqwest::Response),
}

/// How a success body is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Whole, within the body limit and the per-attempt timeout.
    Buffered,
    /// As a stream of chunks, within the per-attempt timeout.
    Stream,
    /// As an event stream: the timeout bounds each wait (for the response,
    /// then for each chunk), not the whole exchange.
    Events,
}

/// What one attempt ended with.
enum Attempt {
    /// Final: success or an error not worth retrying.
    Done(Result<ApiResponse<Received>, Error>),
    /// Worth retrying (if the request is idempotent and budget remains).
    Retry { err: Error, retry_after: Option<Duration> },
}

impl Client {
    pub(super) fn from_inner(inner: Inner) -> Self {
        Client { inner: Arc::new(inner) }
    }

    /// The base URL requests are sent to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// Executes a request and decodes a JSON success body (`200..=299`) into
    /// `T`; an empty body (e.g. `204`) decodes `T` from `null`.
    ///
    /// # Errors
    ///
    /// Non-2xx responses become [`Error::Api`], undecodable 2xx bodies
    /// [`Error::Decode`]; see [`Client::execute_raw`] for the rest.
    pub async fn execute<T: DeserializeOwned>(&self, req: Request) -> Result<ApiResponse<T>, Error> {
        decode(self.send(req).await?)
    }

    /// Executes a request and returns the undecoded success body.
    ///
    /// Deferred parameter errors are returned before any I/O. Each attempt
    /// sends `Accept: application/json`, the user agent, the API's and the
    /// client's default headers, and the credentials of the first security
    /// requirement of the request (its operation's, else the API's) that the
    /// client has credentials for; request headers override the defaults (an
    /// operation with a text or binary success body sends its own `Accept`).
    /// A request whose body is a stream is sent once, never retried.
    /// Idempotent requests are retried per the [`RetryPolicy`]. Everything
    /// runs inside the API's tracing span ([`Conventions::span`]).
    ///
    /// # Errors
    ///
    /// A deferred parameter error ([`Error::InvalidParameter`],
    /// [`Error::Serialize`]) before any I/O; [`Error::Api`] for a non-2xx
    /// status (after retries); [`Error::Timeout`], [`Error::Transport`] or
    /// [`Error::BodyTooLarge`] otherwise.
    pub async fn execute_raw(&self, req: Request) -> Result<ApiResponse<Vec<u8>>, Error> {
        // A copy only when the buffer is shared (`Vec::from` takes an unshared one over).
        self.send(req).await.map(|r| r.map(Vec::from))
    }

    /// [`Client::execute_raw`] with the body as reqwest read it.
    async fn send(&self, req: Request) -> Result<ApiResponse<Bytes>, Error> {
        let span = (self.inner.conventions.span)(req.operation_id.unwrap_or("-"), &req.method, req.template);
        let resp = self.run_in(req, &span, Mode::Buffered).await?;
        Ok(resp.map(|body| match body {
            Received::Buffered(bytes) => bytes,
            Received::Streaming(_) => unreachable!("a buffered run returns the body read"),
        }))
    }

    /// Executes a request and returns a text success body (`text/*`), decoded as UTF-8.
    ///
    /// # Errors
    ///
    /// As [`Client::execute_raw`]; [`Error::Decode`] when the body is not UTF-8.
    pub async fn execute_text(&self, req: Request) -> Result<ApiResponse<String>, Error> {
        decode_text(self.execute_raw(req).await?)
    }

    /// Executes a request and returns the success body as bytes (binary
    /// media types), read whole within the client's body limit.
    ///
    /// # Errors
    ///
    /// As [`Client::execute_raw`].
    pub async fn execute_bytes(&self, req: Request) -> Result<ApiResponse<Bytes>, Error> {
        self.send(req).await
    }

    /// Executes a request and returns the success body as a stream of
    /// chunks, read as they arrive (never buffered whole, not subject to the
    /// body limit). Retries happen before the body is streamed; an error
    /// while streaming ends the stream with that error.
    ///
    /// # Errors
    ///
    /// As [`Client::execute_raw`], for everything before the success body.
    pub async fn execute_stream(&self, req: Request) -> Result<ApiResponse<ByteStream>, Error> {
        let span = (self.inner.conventions.span)(req.operation_id.unwrap_or("-"), &req.method, req.template);
        let timeout = req.timeout.or(self.inner.timeout);
        let resp = self.run_in(req, &span, Mode::Stream).await?;
        Ok(resp.map(|body| match body {
            Received::Buffered(bytes) => Box::pin(futures::stream::iter([Ok(bytes)])),
            Received::Streaming(resp) => byte_stream(resp, timeout),
        }))
    }

    /// Executes a request whose success body is an event stream
    /// (`text/event-stream`) and returns its events as they arrive (raw;
    /// [`EventStream::json`](super::EventStream::json) decodes each event's
    /// data). An event whose data is `terminator` ends the stream cleanly;
    /// without it, the body ending is [`Error::IncompleteStream`].
    ///
    /// A 2xx response of another content type (e.g. JSON) is
    /// [`Error::Decode`] holding its body. The client's timeout bounds the
    /// wait for the response and then each wait for the next chunk
    /// ([`Error::ReadTimeout`]), not the whole stream. Retries happen before the first event, as for any request;
    /// nothing reconnects once the stream has started. Dropping the stream
    /// closes the connection.
    ///
    /// # Errors
    ///
    /// As [`Client::execute_raw`], for everything before the success body.
    pub async fn execute_events(
        &self,
        req: Request,
        terminator: Option<&'static str>,
    ) -> Result<ApiResponse<EventStream<Event>>, Error> {
        let span = (self.inner.conventions.span)(req.operation_id.unwrap_or("-"), &req.method, req.template);
        let timeout = req.timeout.or(self.inner.timeout);
        let resp = self.run_in(req, &span, Mode::Events).await?;
        let status = resp.status;
        // A 2xx that says it is something else (JSON: a streaming request that did not ask
        // to stream) is not read as events: it is a decode error holding the body.
        let content_type = resp.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("text/event-stream");
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence != "text/event-stream" {
            let raw = match resp.body {
                Received::Buffered(bytes) => bytes,
                Received::Streaming(r) => read_body(r, self.inner.max_body_bytes, timeout).await?,
            };
            let (body, raw) = super::error::lossy_body(&raw);
            let message = format!("expected an event stream (`text/event-stream`), got `{content_type}`");
            let source = <serde_json::Error as serde::de::Error>::custom(message);
            return Err(Error::Decode { status, body, raw, source });
        }
        Ok(resp.map(|body| {
            let source = match body {
                Received::Buffered(bytes) => Box::pin(futures::stream::iter([Ok(bytes)])),
                Received::Streaming(resp) => chunks(resp, timeout),
            };
            EventStream::new(source, terminator, status)
        }))
    }

    /// The credentials sent with `req`: those of the first requirement (of
    /// the request's, else the API's, security) that needs something and
    /// that the client has every credential for; none otherwise.
    fn credentials_for(&self, req: &Request) -> Vec<&Prepared> {
        let inner = &self.inner;
        let security = req.security.unwrap_or(inner.conventions.security);
        let find = |scheme: &str| inner.credentials.iter().find(|(s, _)| *s == scheme).map(|(_, p)| p);
        security
            .iter()
            .filter(|requirement| !requirement.is_empty())
            .find_map(|requirement| requirement.iter().map(|scheme| find(scheme)).collect::<Option<Vec<_>>>())
            .unwrap_or_default()
    }

    /// [`Client::run`] inside `span`; a span no subscriber wants (none
    /// installed, or filtered out) is not entered on every poll.
    async fn run_in(&self, req: Request, span: &tracing::Span, mode: Mode) -> Result<ApiResponse<Received>, Error> {
        if span.is_disabled() {
            self.run(req, span, mode).await
        } else {
            self.run(req, span, mode).instrument(span.clone()).await
        }
    }

    async fn run(&self, mut req: Request, span: &tracing::Span, mode: Mode) -> Result<ApiResponse<Received>, Error> {
        if let Some(err) = req.error.take() {
            return Err(err);
        }
        let credentials = self.credentials_for(&req);
        let basic = credentials.iter().find_map(|c| match c {
            Prepared::Basic { username, password } => Some((username.as_str(), password.as_str())),
            _ => None,
        });
        // A query credential is in the URL, which reqwest's errors show: drop it from them.
        let url_in_errors = !credentials.iter().any(|c| matches!(c, Prepared::Query(..)));
        let timeout = req.timeout.or(self.inner.timeout);
        let policy = &self.inner.retry;
        // A streamed request body is sent once: its request is never retried.
        let idempotent = req.is_idempotent() && req.is_replayable();
        let start = Instant::now();
        let mut retry = 0u32;
        loop {
            // Built again for each attempt: the first (usually the only) one owns them.
            let url = self.url_for(&req, &credentials)?;
            let headers = self.headers_for(&req, &credentials);
            let (err, retry_after) =
                match self.attempt(&req, (url, headers, basic), timeout, span, (url_in_errors, mode)).await {
                    Attempt::Done(result) => return result,
                    Attempt::Retry { err, retry_after } => (err, retry_after),
                };
            if !idempotent || retry >= policy.max_retries {
                return Err(err);
            }
            let delay = policy.delay(retry, retry_after);
            if start.elapsed().saturating_add(delay) > policy.max_elapsed {
                tracing::debug!(error = %err, "retry budget (max_elapsed) exhausted");
                return Err(err);
            }
            retry += 1;
            span.record("retries", retry);
            tracing::debug!(retry, delay_ms = delay.as_millis() as u64, error = %err, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// Base URL + rendered path + query string (+ query credentials). A
    /// query written into the path template (`/responses?beta=true`, which
    /// some specs do) comes first. The URL starts from a copy of the parsed
    /// base URL, so only the path and the query are parsed here.
    fn url_for(&self, req: &Request, credentials: &[&Prepared]) -> Result<url::Url, Error> {
        let rendered = path::render(req.template, &req.path_params)?;
        let (path, literal_query) = rendered.split_once('?').unwrap_or((&rendered, ""));
        let mut query = String::from(literal_query);
        req.push_query_with(&mut query, self.inner.conventions.default_query);
        for c in credentials {
            if let Prepared::Query(name, value) = c {
                super::query::push_pair(&mut query, name, value);
            }
        }
        let mut url = self.inner.base.clone();
        let prefix = url.path().trim_end_matches('/');
        let mut full_path = String::with_capacity(prefix.len() + path.len());
        full_path.push_str(prefix);
        full_path.push_str(path);
        url.set_path(&full_path);
        if !query.is_empty() {
            url.set_query(Some(&query));
        }
        Ok(url)
    }

    fn headers_for(&self, req: &Request, credentials: &[&Prepared]) -> HeaderMap {
        let mut h = self.inner.defaults.clone();
        for c in credentials {
            match c {
                Prepared::Authorization(v) => {
                    h.insert(AUTHORIZATION, v.clone());
                }
                Prepared::Header(n, v) => {
                    h.insert(n.clone(), v.clone());
                }
                Prepared::Cookie(v) => {
                    h.append(COOKIE, v.clone());
                }
                Prepared::Basic { .. } | Prepared::Query(..) => {}
            }
        }
        if let Some(content_type) = req.body_to_send().and_then(|b| b.content_type()) {
            h.insert(CONTENT_TYPE, content_type);
        }
        for (name, value) in &req.headers {
            h.insert(name.clone(), value.clone());
        }
        h
    }

    async fn attempt(
        &self,
        req: &Request,
        (url, headers, basic): (url::Url, HeaderMap, Option<(&str, &str)>),
        timeout: Option<Duration>,
        span: &tracing::Span,
        (url_in_errors, mode): (bool, Mode),
    ) -> Attempt {
        // The request is put together directly, its headers moved in; a
        // builder (which copies headers one by one) only when reqwest has to
        // encode something: basic credentials or a body.
        let mut request = reqwest::Request::new(req.method.clone(), url);
        *request.headers_mut() = headers;
        // reqwest's timeout bounds the whole exchange, body included: not for an event stream.
        if let (Some(t), false) = (timeout, mode == Mode::Events) {
            *request.timeout_mut() = Some(t);
        }
        let body = req.body_to_send();
        if basic.is_some() || body.is_some() {
            let mut builder = reqwest::RequestBuilder::from_parts(self.inner.http.clone(), request);
            if let Some((username, password)) = basic {
                builder = builder.basic_auth(username, Some(password));
            }
            if let Some(body) = body {
                builder = match body.apply(builder) {
                    Ok(builder) => builder,
                    Err(e) => return Attempt::Done(Err(e)),
                };
            }
            request = match builder.build() {
                Ok(request) => request,
                Err(e) => return transport_failure(e, timeout, url_in_errors),
            };
        }
        let sent = self.inner.http.execute(request);
        let sent = match (timeout, mode) {
            (Some(t), Mode::Events) => match tokio::time::timeout(t, sent).await {
                Ok(sent) => sent,
                Err(_) => return Attempt::Retry { err: Error::ReadTimeout { timeout: t }, retry_after: None },
            },
            _ => sent.await,
        };
        let mut resp = match sent {
            Ok(resp) => resp,
            Err(e) => return transport_failure(e, timeout, url_in_errors),
        };
        let status = resp.status();
        span.record("status", status.as_u16());
        if mode != Mode::Buffered && status.is_success() {
            let headers = resp.headers().clone();
            return Attempt::Done(Ok(ApiResponse { status, headers, body: Received::Streaming(resp) }));
        }
        let headers = std::mem::take(resp.headers_mut());
        let read = read_body(resp, self.inner.max_body_bytes, timeout);
        let read = match (timeout, mode) {
            (Some(t), Mode::Events) => {
                tokio::time::timeout(t, read).await.unwrap_or(Err(Error::ReadTimeout { timeout: t }))
            }
            _ => read.await,
        };
        let body = match read {
            Ok(body) => body,
            Err(Error::Transport(e)) => return transport_failure(e, timeout, url_in_errors),
            Err(Error::Timeout { source, .. }) => return transport_failure(source, timeout, url_in_errors),
            Err(other) => return Attempt::Done(Err(other)),
        };
        if status.is_success() {
            return Attempt::Done(Ok(ApiResponse { status, headers, body: Received::Buffered(body) }));
        }
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let err = Error::from_response(status, headers, &body);
        if is_retryable_status(status) {
            Attempt::Retry { err, retry_after }
        } else {
            Attempt::Done(Err(err))
        }
    }
}

fn transport_failure(e: reqwest::Error, timeout: Option<Duration>, url_in_errors: bool) -> Attempt {
    let retryable = is_retryable_transport(&e);
    let e = if url_in_errors { e } else { e.without_url() };
    let err = Error::from_transport(e, timeout);
    if retryable {
        Attempt::Retry { err, retry_after: None }
    } else {
        Attempt::Done(Err(err))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("credentials", &i.credentials.iter().map(|(s, _)| *s).collect::<Vec<_>>())
            .field("headers", &i.defaults)
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
            .field("max_body_bytes", &i.max_body_bytes)
            .finish_non_exhaustive()
    }
}
