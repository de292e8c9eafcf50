//! The description of one API call that generated code fills in and hands to
//! [`Client::execute`](super::Client::execute).

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;

use super::body::{ApplyBody, Payload, Upload};
use super::query::{self, Pair};
use super::{path, Error, Validation};

/// One API call: method, path template and parameters, query, headers, body.
///
/// Built with chained calls; any problem with a parameter (failed
/// validation, unserializable body, invalid header value) is remembered and
/// returned by [`Client::execute`](super::Client::execute) before any network
/// I/O. The first such problem wins.
///
/// (Not a doctest: this file is also copied into crates with other names.)
///
/// ```text
/// const ID: Validation = Validation { pattern: Some(r"^[A-Fa-f\d]{24}$"), min_length: None, max_length: None };
/// let req = Request::new(reqwest::Method::GET, "/instances/{instanceId}/orgs")
///     .operation_id("instanceOrgs.get")
///     .path_param("instanceId", "575ec8687ae143cd83dc4a97", &ID)
///     .query("perPage", 10);
/// assert_eq!(req.query_string(), "perPage=10");
/// ```
pub struct Request {
    pub(crate) method: Method,
    pub(crate) template: &'static str,
    /// `(name, percent-encoded value)`.
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<Pair>,
    /// The API's default query parameters: `None` for the client's, set by
    /// generated code (so `query_string` shows them) or turned off.
    pub(crate) default_query: Option<&'static [(&'static str, &'static str)]>,
    /// The operation's own security requirements (`None`: the API's).
    pub(crate) security: Option<super::conventions::Security>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Payload>,
    /// Sent (with its `Content-Type`) when `body` is not set.
    pub(crate) default_body: Option<(HeaderValue, Vec<u8>)>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) operation_id: Option<&'static str>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) error: Option<Error>,
}

impl Request {
    /// Starts a request for `method` on `path_template` (e.g.
    /// `"/instances/{instanceId}/orgs/{orgId}"`), relative to the client's
    /// base URL.
    pub fn new(method: Method, path_template: &'static str) -> Self {
        Request {
            method,
            template: path_template,
            path_params: Vec::new(),
            query: Vec::new(),
            default_query: None,
            security: None,
            headers: Vec::new(),
            body: None,
            default_body: None,
            idempotent: None,
            operation_id: None,
            timeout: None,
            error: None,
        }
    }

    fn fail(mut self, err: Error) -> Self {
        if self.error.is_none() {
            self.error = Some(err);
        }
        self
    }

    /// Substitutes `{name}` in the template with `value`, after checking it
    /// against `rule`, percent-encoded as a single path segment (`/`, `?`,
    /// `#`, `%` and every other reserved character are encoded; `.`, `..` and
    /// the empty string are refused).
    pub fn path_param(mut self, name: &'static str, value: &str, rule: &Validation) -> Self {
        let checked = rule.check(value).and_then(|()| path::encode_segment(value));
        match checked {
            Ok(encoded) => {
                self.path_params.push((name, encoded));
                self
            }
            Err(reason) => self.fail(Error::invalid(name, value, reason)),
        }
    }

    /// Adds a scalar query parameter (`style=form`, `explode=true`):
    /// `name=value`.
    pub fn query(mut self, name: &str, value: &(impl fmt::Display + ?Sized)) -> Self {
        self.query.push(Pair::new(name, name, &value.to_string()));
        self
    }

    /// Adds an array query parameter (`style=form`): with `explode` the name
    /// is repeated (`a=1&a=2`), otherwise the values are comma-joined
    /// (`a=1,2`, each value percent-encoded, the separating commas literal).
    /// An empty list adds nothing.
    pub fn query_list(mut self, name: &str, values: &[impl fmt::Display], explode: bool) -> Self {
        if values.is_empty() {
            return self;
        }
        if explode {
            for v in values {
                self.query.push(Pair::new(name, name, &v.to_string()));
            }
        } else {
            let joined: Vec<String> = values.iter().map(|v| query::encode_component(&v.to_string())).collect();
            self.query.push(Pair::with_encoded_value(name, name, joined.join(",")));
        }
        self
    }

    /// Adds an object-typed query parameter the way the official client
    /// sends it: as a JSON string (`query={"$or":[...]}`, percent-encoded).
    /// A value that serializes to `null` adds nothing.
    pub fn query_json(mut self, name: &str, value: &impl serde::Serialize) -> Self {
        match serde_json::to_string(value) {
            Ok(json) if json == "null" => self,
            Ok(json) => {
                self.query.push(Pair::new(name, name, &json));
                self
            }
            Err(source) => self.fail(Error::Serialize { name: name.to_owned(), source }),
        }
    }

    /// Adds a `style=deepObject` query parameter in `qs` bracket notation:
    /// `name[key]=value`, `name[a][b]=value`, `name[key][0]=value`; `null`
    /// members are skipped. See [`query::deep_object_pairs`].
    pub fn query_deep_object(mut self, name: &str, value: &impl serde::Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(v) => {
                for (key, text) in query::deep_object_pairs(name, &v) {
                    self.query.push(Pair::new(name, &key, &text));
                }
                self
            }
            Err(source) => self.fail(Error::Serialize { name: name.to_owned(), source }),
        }
    }

    /// Sets a request header (replacing the client's default of the same
    /// name). Header names are case-insensitive.
    pub fn header(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        let text = value.to_string();
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| "is not a valid HTTP header name".to_owned())
            .and_then(|n| {
                HeaderValue::from_str(&text)
                    .map(|v| (n, v))
                    .map_err(|_| "is not a valid HTTP header value (control characters?)".to_owned())
            });
        match parsed {
            Ok((n, mut v)) => {
                if is_sensitive_header(n.as_str()) {
                    v.set_sensitive(true);
                }
                self.headers.retain(|(existing, _)| *existing != n);
                self.headers.push((n, v));
                self
            }
            Err(reason) => self.fail(Error::invalid(name, &text, reason)),
        }
    }

    /// Sets the JSON request body (`Content-Type: application/json`).
    pub fn json_body(self, body: &impl serde::Serialize) -> Self {
        self.json_body_as("application/json", body)
    }

    /// Sets a JSON request body sent as `content_type` (`application/merge-patch+json`,
    /// `application/json; charset=utf-8`, ...).
    pub fn json_body_as(self, content_type: &'static str, body: &impl serde::Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.bytes_body(content_type, bytes),
            Err(source) => self.fail(Error::Serialize { name: "body".to_owned(), source }),
        }
    }

    /// Sets the request body to these bytes (text, binary), sent as `content_type`.
    pub fn bytes_body(mut self, content_type: &'static str, bytes: impl Into<bytes::Bytes>) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) => {
                self.body = Some(Payload::Bytes(ct, bytes.into()));
                self
            }
            Err(_) => self.fail(Error::invalid("content-type", content_type, "is not a valid HTTP header value")),
        }
    }

    /// Sets a binary request body, sent as `content_type`: bytes, or a
    /// stream sent once (a request with a streamed body is never retried).
    pub fn upload_body(mut self, content_type: &'static str, body: &Upload) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) => {
                self.body = Some(body.payload(ct));
                self
            }
            Err(_) => self.fail(Error::invalid("content-type", content_type, "is not a valid HTTP header value")),
        }
    }

    /// Sets a body that `apply` puts on each attempt's request (generated
    /// code passes reqwest's `form` or `multipart` encoder, which sets the
    /// `Content-Type`); `kind` names it in `Debug`. Replayable: the closure
    /// rebuilds the body for every retry.
    pub fn apply_body(mut self, kind: &'static str, apply: ApplyBody) -> Self {
        self.body = Some(Payload::Apply(kind, apply));
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from `value`'s
    /// members, `members` naming their order and style (see
    /// [`form_pairs`](super::form_pairs)), encoded per attempt by
    /// `encode` (generated code passes `|b, pairs| b.form(pairs)`, reqwest's
    /// serde_urlencoded encoder).
    pub fn form_body(
        self,
        value: &impl serde::Serialize,
        members: &[(&str, super::FormStyle)],
        encode: fn(reqwest::RequestBuilder, &[(String, String)]) -> reqwest::RequestBuilder,
    ) -> Self {
        match super::form_pairs(value, members) {
            Ok(pairs) => self.apply_body("form", std::sync::Arc::new(move |b| Ok(encode(b, &pairs)))),
            Err(e) => self.fail(e),
        }
    }

    /// The body to send, with its `Content-Type`, when no body is set (the
    /// body set with [`Request::json_body`] wins, whichever is called first).
    /// For APIs whose own clients never send a bodiless `POST` or `DELETE`.
    pub fn default_body(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) => {
                self.default_body = Some((ct, bytes.into()));
                self
            }
            Err(_) => self.fail(Error::invalid("content-type", content_type, "is not a valid HTTP header value")),
        }
    }

    /// The body that will be sent: the body if one is set, else the default
    /// body, else none.
    pub(crate) fn body_to_send(&self) -> Option<Payload> {
        let default = || self.default_body.as_ref().map(|(ct, b)| Payload::Bytes(ct.clone(), b.clone().into()));
        self.body.clone().or_else(default)
    }

    /// Whether the body (if any) can be sent again: a streamed body cannot,
    /// so its request is never retried.
    pub fn is_replayable(&self) -> bool {
        self.body.as_ref().is_none_or(Payload::replayable)
    }

    /// Checks a query or body scalar against `rule`; a failure is returned
    /// by `execute` before any request is sent.
    pub fn validate(self, name: &'static str, value: &str, rule: &Validation) -> Self {
        match rule.check(value) {
            Ok(()) => self,
            Err(reason) => self.fail(Error::invalid(name, value, reason)),
        }
    }

    /// Records the outcome of a value's own `validate()` (generated request
    /// types have one); a failure is returned by `execute` before any request is sent.
    pub fn check(self, outcome: Result<(), super::InvalidValue>) -> Self {
        match outcome {
            Ok(()) => self,
            Err(invalid) => self.fail(Error::from(invalid)),
        }
    }

    /// Whether the call may be retried safely. The default follows the
    /// method: `GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS` are idempotent,
    /// `POST` and `PATCH` are not (and are never retried unless marked so).
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = Some(yes);
        self
    }

    /// Names the operation (e.g. `"instanceOrgs.get"`) for the tracing span.
    pub fn operation_id(mut self, id: &'static str) -> Self {
        self.operation_id = Some(id);
        self
    }

    /// Overrides the client's per-attempt timeout for this call.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Whether to add the API's default query parameters
    /// ([`Conventions::default_query`](super::Conventions::default_query);
    /// default `true`).
    pub fn default_query(mut self, yes: bool) -> Self {
        self.default_query = if yes { None } else { Some(&[]) };
        self
    }

    /// The API's default query parameters, `(name, value)` (generated code
    /// passes its API's, so that [`Request::query_string`] shows them): sent
    /// first, each unless the request has its own parameter of that name.
    pub fn default_query_params(mut self, params: &'static [(&'static str, &'static str)]) -> Self {
        self.default_query = Some(params);
        self
    }

    /// The operation's security requirements, replacing the API's:
    /// alternatives, each the names of the schemes it needs (`&[]`: send no
    /// credentials).
    pub fn security(mut self, requirements: super::conventions::Security) -> Self {
        self.security = Some(requirements);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template as given to [`Request::new`].
    pub fn path_template(&self) -> &'static str {
        self.template
    }

    /// The operation id, if one was set.
    pub fn get_operation_id(&self) -> Option<&'static str> {
        self.operation_id
    }

    /// Whether the call will be retried on transient failures (see
    /// [`Request::idempotent`]).
    pub fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or(matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ))
    }

    /// The exact, percent-encoded query string that will be sent (without
    /// the leading `?`), the default parameters given to
    /// [`Request::default_query_params`] included (query credentials are
    /// added by the client and not shown).
    pub fn query_string(&self) -> String {
        query::render(&self.query, self.default_query.unwrap_or(&[]))
    }

    /// The query string with `defaults` when the request has none of its own,
    /// appended to `out` (after a `&` when `out` is not empty).
    pub(crate) fn push_query_with(&self, out: &mut String, defaults: &[(&str, &str)]) {
        query::render_into(out, &self.query, self.default_query.unwrap_or(defaults));
    }

    /// The path with its parameters substituted and encoded (relative to the
    /// base URL), or the deferred error message if the request is invalid.
    pub fn rendered_path(&self) -> Result<String, String> {
        if let Some(err) = &self.error {
            return Err(err.to_string());
        }
        path::render(self.template, &self.path_params).map_err(|e| e.to_string())
    }
}

/// Headers whose values never appear in `Debug` output.
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "authorization" | "proxy-authorization" | "cookie" | "set-cookie")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
        || n.contains("api-key")
}

/// Query parameters whose values never appear in `Debug` output.
fn is_sensitive_query(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("token")
        || n.contains("secret")
        || n.contains("password")
        || n.replace(['-', '_'], "").contains("apikey")
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<String> = self
            .query
            .iter()
            .map(|p| if is_sensitive_query(&p.name) { format!("{}=<redacted>", p.name) } else { p.wire.clone() })
            .collect();
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if v.is_sensitive() || is_sensitive_header(n.as_str()) {
                    "<redacted>".to_owned()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (n.as_str().to_owned(), shown)
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path_template", &self.template)
            .field("path_params", &self.path_params)
            .field("query", &query)
            .field("default_query", &self.default_query)
            .field("headers", &headers)
            .field("body", &self.body_to_send().map(|b| b.describe()))
            .field("idempotent", &self.is_idempotent())
            .field("operation_id", &self.operation_id)
            .field("timeout", &self.timeout)
            .field("error", &self.error.as_ref().map(describe_deferred))
            .finish()
    }
}

/// A deferred error for `Debug`, without the refused value (it may be secret).
fn describe_deferred(err: &Error) -> String {
    match err {
        Error::InvalidParameter { name, reason, .. } => format!("invalid parameter `{name}`: {reason}"),
        other => other.to_string(),
    }
}
