//! The error type returned by every operation.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// Everything that can go wrong when calling the API.
///
/// The enum is `#[non_exhaustive]`: match the variants you care about and keep
/// a `_` arm. The accessors [`Error::status`], [`Error::error_type`],
/// [`Error::message`] and [`Error::body`] cover the common questions without
/// matching.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A parameter was refused before any request was sent (failed
    /// validation, a path segment of `.`/`..`, a header value that is not a
    /// valid HTTP header, a path parameter missing from the template, ...).
    InvalidParameter {
        /// The parameter's name as the API spells it (e.g. `orgId`).
        name: String,
        /// The refused value.
        value: String,
        /// What was expected instead.
        reason: String,
    },
    /// A request parameter or body could not be serialized to JSON.
    Serialize {
        /// The parameter's name (`body` for the request body).
        name: String,
        /// The serializer's error.
        source: serde_json::Error,
    },
    /// The server answered with a status outside `200..=299`.
    ///
    /// Error bodies of the form `{"type": "NotFound", "message": "..."}`:
    /// `error_type` and `message` are taken from there when present. Bodies
    /// that are not JSON (a proxy's HTML page, ...) are kept verbatim in `body`.
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The error body's `type` (e.g. `NotFound`, `Validation`), when it had one.
        error_type: Option<String>,
        /// The error body's `message`, when it had one. A 413 without a
        /// message gets `"Request entity too large."`, like the official client.
        message: Option<String>,
        /// The raw response body (lossily decoded as UTF-8).
        body: String,
        /// The exact body bytes when they are not valid UTF-8 (`body` then has
        /// U+FFFD in their place); `None` when `body` is exact. See
        /// [`Error::body_bytes`].
        raw: Option<Box<[u8]>>,
        /// The response headers (boxed to keep `Error` small; `Result<_, Error>`
        /// stays cheap to return).
        headers: Box<HeaderMap>,
    },
    /// The server answered with a 2xx status but the body did not decode into
    /// the expected type.
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// The raw response body (lossily decoded as UTF-8).
        body: String,
        /// The exact body bytes when they are not valid UTF-8 (`body` then has
        /// U+FFFD in their place); `None` when `body` is exact. See
        /// [`Error::body_bytes`].
        raw: Option<Box<[u8]>>,
        /// The JSON decoder's error.
        source: serde_json::Error,
    },
    /// The request did not complete within the per-attempt timeout (after any
    /// retries the [`RetryPolicy`](super::RetryPolicy) allowed).
    Timeout {
        /// The per-attempt timeout that was configured, if any (`None` when the
        /// timeout came from a caller-supplied `reqwest::Client`).
        timeout: Option<Duration>,
        /// The underlying transport error.
        source: reqwest::Error,
    },
    /// A transport-level failure: connection refused or reset, TLS, a refused
    /// redirect, a truncated body, ...
    Transport(reqwest::Error),
    /// The base URL given to [`ClientBuilder::base_url`](super::ClientBuilder::base_url)
    /// is not an absolute `http`/`https` URL without query or fragment.
    InvalidBaseUrl(String),
    /// The response body exceeded the configured limit
    /// ([`ClientBuilder::max_body_bytes`](super::ClientBuilder::max_body_bytes)).
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The client could not be built (the underlying `reqwest::Client` failed
    /// to initialise).
    Build(reqwest::Error),
    /// No bytes arrived within the timeout while waiting for an event
    /// stream's response or its next chunk (each wait is bounded, not the
    /// whole stream).
    ReadTimeout {
        /// The client's (or the request's) timeout.
        timeout: Duration,
    },
    /// An event stream (`text/event-stream`) ended before it was complete:
    /// in the middle of an event, or without the terminator the API
    /// declares (e.g. `[DONE]`). The events before it were complete.
    IncompleteStream {
        /// What was missing.
        reason: String,
    },
}

impl Error {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The error body's `type` (e.g. `"NotFound"`), for [`Error::Api`].
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Error::Api { error_type, .. } => error_type.as_deref(),
            _ => None,
        }
    }

    /// The error body's `message`, for [`Error::Api`].
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Api { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// The raw response body, for [`Error::Api`] and [`Error::Decode`].
    pub fn body(&self) -> Option<&str> {
        match self {
            Error::Api { body, .. } | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The exact response body, for [`Error::Api`] and [`Error::Decode`]:
    /// unlike [`Error::body`], byte for byte even when it is not valid UTF-8.
    pub fn body_bytes(&self) -> Option<&[u8]> {
        match self {
            Error::Api { body, raw, .. } | Error::Decode { body, raw, .. } => {
                Some(raw.as_deref().unwrap_or(body.as_bytes()))
            }
            _ => None,
        }
    }

    /// The response headers, for [`Error::Api`].
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// Builds [`Error::Api`] from a non-2xx response body, extracting its
    /// `{"type", "message"}` when the body is a JSON object.
    pub(crate) fn from_response(status: StatusCode, headers: HeaderMap, raw: &[u8]) -> Error {
        let (body, exact) = lossy_body(raw);
        let (mut error_type, mut message) = (None, None);
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(raw) {
            error_type = map.get("type").and_then(json_text);
            message = map.get("message").and_then(json_text);
        }
        if message.is_none() && status == StatusCode::PAYLOAD_TOO_LARGE {
            message = Some("Request entity too large.".to_owned());
        }
        Error::Api { status, error_type, message, body, raw: exact, headers: Box::new(headers) }
    }

    /// Wraps a transport error, telling timeouts apart.
    pub(crate) fn from_transport(err: reqwest::Error, timeout: Option<Duration>) -> Error {
        if err.is_timeout() {
            Error::Timeout { timeout, source: err }
        } else {
            Error::Transport(err)
        }
    }

    pub(crate) fn invalid(name: &str, value: &str, reason: impl Into<String>) -> Error {
        Error::InvalidParameter { name: name.to_owned(), value: value.to_owned(), reason: reason.into() }
    }
}

/// The body as text (lossily decoded as UTF-8) and, when that lost bytes,
/// the exact bytes.
pub(crate) fn lossy_body(raw: &[u8]) -> (String, Option<Box<[u8]>>) {
    match String::from_utf8_lossy(raw) {
        std::borrow::Cow::Borrowed(text) => (text.to_owned(), None),
        std::borrow::Cow::Owned(text) => (text, Some(raw.into())),
    }
}

/// A JSON scalar as text (`type`/`message` are strings, but be lenient).
fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Shortens long values for display (the full value stays in the variant).
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter { name, value, reason } => {
                write!(f, "invalid parameter `{name}` ({:?}): {reason}", shorten(value))
            }
            Error::Serialize { name, source } => {
                write!(f, "could not serialize `{name}` to JSON: {source}")
            }
            Error::Api { status, error_type, message, body, .. } => {
                write!(f, "API error {status}")?;
                match (error_type, message) {
                    (Some(t), Some(m)) => write!(f, ": {t}: {m}"),
                    (Some(t), None) => write!(f, ": {t}"),
                    (None, Some(m)) => write!(f, ": {m}"),
                    (None, None) if body.trim().is_empty() => Ok(()),
                    (None, None) => write!(f, ": {}", shorten(body.trim())),
                }
            }
            Error::Decode { status, source, .. } => {
                write!(f, "could not decode the {status} response body: {source}")
            }
            Error::Timeout { timeout: Some(t), .. } => write!(f, "request timed out after {t:?}"),
            Error::Timeout { timeout: None, .. } => f.write_str("request timed out"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::InvalidBaseUrl(reason) => write!(f, "invalid base URL: {reason}"),
            Error::BodyTooLarge { limit } => {
                write!(f, "response body exceeds the limit of {limit} bytes")
            }
            Error::Build(e) => write!(f, "could not build the HTTP client: {e}"),
            Error::ReadTimeout { timeout } => write!(f, "no data arrived within {timeout:?}"),
            Error::IncompleteStream { reason } => write!(f, "incomplete event stream: {reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Serialize { source, .. } | Error::Decode { source, .. } => Some(source),
            Error::Timeout { source, .. } => Some(source),
            Error::Transport(e) | Error::Build(e) => Some(e),
            _ => None,
        }
    }
}

impl From<super::InvalidValue> for Error {
    /// Lets `?` turn a value refused by a generated newtype into
    /// [`Error::InvalidParameter`] (named after the type).
    fn from(e: super::InvalidValue) -> Self {
        Error::InvalidParameter { name: e.type_name.to_owned(), value: e.value, reason: e.reason }
    }
}
