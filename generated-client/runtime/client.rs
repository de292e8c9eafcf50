//! The HTTP client: execution of [`Request`]s with default headers,
//! retries, timeouts and tracing. Configuration lives in
//! [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::response::{decode, read_body};
use super::retry::{is_retryable_status, is_retryable_transport, parse_retry_after};
use super::{path, ApiResponse, ClientBuilder, Error, Request, RetryPolicy};

/// A client for the Losant Enterprise Instance API.
///
/// Cheap to clone (the state is shared behind an `Arc`); build one per base
/// URL and token and reuse it.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// The validated configuration a [`ClientBuilder`] produces.
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    /// Without a trailing `/`.
    pub(super) base_url: String,
    /// `Bearer <token>`, marked sensitive.
    pub(super) token: Option<HeaderValue>,
    pub(super) user_agent: HeaderValue,
    pub(super) accept_version: HeaderValue,
    pub(super) losant_domain: Option<HeaderValue>,
    pub(super) timeout: Option<Duration>,
    pub(super) retry: RetryPolicy,
    pub(super) max_body_bytes: usize,
}

/// What one attempt ended with.
enum Attempt {
    /// Final: success or an error not worth retrying.
    Done(Result<ApiResponse<Vec<u8>>, Error>),
    /// Worth retrying (if the request is idempotent and budget remains).
    Retry { err: Error, retry_after: Option<Duration> },
}

impl Client {
    pub(super) fn from_inner(inner: Inner) -> Self {
        Client { inner: Arc::new(inner) }
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for `https://api.losant.com` with no token and default settings.
    ///
    /// # Panics
    ///
    /// Only if the TLS backend cannot be initialised (like
    /// `reqwest::Client::new`); use [`Client::builder`] to handle that as an
    /// error.
    pub fn new() -> Self {
        Client::builder().build().expect("the default HTTP client could not be initialised")
    }

    /// The base URL requests are sent to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Executes a request and decodes a JSON success body (`200..=299`) into
    /// `T`; an empty body (e.g. `204`) decodes `T` from `null`.
    ///
    /// # Errors
    ///
    /// Non-2xx responses become [`Error::Api`], undecodable 2xx bodies
    /// [`Error::Decode`]; see [`Client::execute_raw`] for the rest.
    pub async fn execute<T: DeserializeOwned>(&self, req: Request) -> Result<ApiResponse<T>, Error> {
        decode(self.execute_raw(req).await?)
    }

    /// Executes a request and returns the undecoded success body.
    ///
    /// Deferred parameter errors are returned before any I/O. Each attempt
    /// sends `Accept: application/json`, `Accept-Version`, the user agent,
    /// `Authorization: Bearer <token>` when a token is set and `losantdomain`
    /// when configured; request headers override these defaults. Idempotent
    /// requests are retried per the [`RetryPolicy`]. Everything runs inside a
    /// `losant.request` tracing span.
    ///
    /// # Errors
    ///
    /// A deferred parameter error ([`Error::InvalidParameter`],
    /// [`Error::Serialize`]) before any I/O; [`Error::Api`] for a non-2xx
    /// status (after retries); [`Error::Timeout`], [`Error::Transport`] or
    /// [`Error::BodyTooLarge`] otherwise.
    pub async fn execute_raw(&self, req: Request) -> Result<ApiResponse<Vec<u8>>, Error> {
        let span = tracing::info_span!(
            "losant.request",
            operation = %req.operation_id.unwrap_or("-"),
            method = %req.method,
            path = %req.template,
            status = tracing::field::Empty,
            retries = tracing::field::Empty,
        );
        self.run(req, &span).instrument(span.clone()).await
    }

    async fn run(&self, mut req: Request, span: &tracing::Span) -> Result<ApiResponse<Vec<u8>>, Error> {
        if let Some(err) = req.error.take() {
            return Err(err);
        }
        let url = self.url_for(&req)?;
        let headers = self.headers_for(&req);
        let timeout = req.timeout.or(self.inner.timeout);
        let policy = &self.inner.retry;
        let idempotent = req.is_idempotent();
        let start = Instant::now();
        let mut retry = 0u32;
        loop {
            let (err, retry_after) = match self.attempt(&req, &url, &headers, timeout, span).await {
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

    /// Base URL + rendered path + query string.
    fn url_for(&self, req: &Request) -> Result<url::Url, Error> {
        let path = path::render(req.template, &req.path_params)?;
        let mut url = url::Url::parse(&format!("{}{}", self.inner.base_url, path))
            .map_err(|e| Error::InvalidBaseUrl(format!("{}{path}: {e}", self.inner.base_url)))?;
        let query = req.query_string();
        url.set_query(if query.is_empty() { None } else { Some(&query) });
        Ok(url)
    }

    fn headers_for(&self, req: &Request) -> HeaderMap {
        let inner = &self.inner;
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        h.insert(HeaderName::from_static("accept-version"), inner.accept_version.clone());
        h.insert(USER_AGENT, inner.user_agent.clone());
        if let Some(token) = &inner.token {
            h.insert(AUTHORIZATION, token.clone());
        }
        if let Some(domain) = &inner.losant_domain {
            h.insert(HeaderName::from_static("losantdomain"), domain.clone());
        }
        if let Some((content_type, _)) = req.body_to_send() {
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
        url: &url::Url,
        headers: &HeaderMap,
        timeout: Option<Duration>,
        span: &tracing::Span,
    ) -> Attempt {
        let mut builder = self.inner.http.request(req.method.clone(), url.clone()).headers(headers.clone());
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        if let Some((_, body)) = req.body_to_send() {
            builder = builder.body(body.to_vec());
        }
        let mut resp = match builder.send().await {
            Ok(resp) => resp,
            Err(e) => return transport_failure(e, timeout),
        };
        let status = resp.status();
        span.record("status", status.as_u16());
        let body = match read_body(&mut resp, self.inner.max_body_bytes, timeout).await {
            Ok(body) => body,
            Err(Error::Transport(e)) => return transport_failure(e, timeout),
            Err(Error::Timeout { source, .. }) => return transport_failure(source, timeout),
            Err(other) => return Attempt::Done(Err(other)),
        };
        let headers = resp.headers().clone();
        if status.is_success() {
            return Attempt::Done(Ok(ApiResponse { status, headers, body }));
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

fn transport_failure(e: reqwest::Error, timeout: Option<Duration>) -> Attempt {
    let retryable = is_retryable_transport(&e);
    let err = Error::from_transport(e, timeout);
    if retryable {
        Attempt::Retry { err, retry_after: None }
    } else {
        Attempt::Done(Err(err))
    }
}

impl Default for Client {
    /// Same as [`Client::new`].
    fn default() -> Self {
        Client::new()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base_url)
            .field("token", &i.token.as_ref().map(|_| "Bearer ***"))
            .field("user_agent", &i.user_agent)
            .field("accept_version", &i.accept_version)
            .field("losant_domain", &i.losant_domain)
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
            .field("max_body_bytes", &i.max_body_bytes)
            .finish_non_exhaustive()
    }
}
