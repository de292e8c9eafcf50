//! An API's wire conventions, as data: the generated `api` module declares
//! its API's [`Conventions`] (default base URL, user agent, default headers
//! and query parameters, security schemes, tracing span) and its
//! `Client::builder()` hands them to [`ClientBuilder::new`](super::ClientBuilder::new).
//! The runtime itself knows no API.

use std::fmt;

use reqwest::Method;

/// What the generator read from the spec (and its `x-clientgen-*`
/// extensions) about how the API is called.
#[derive(Clone, Copy)]
pub struct Conventions {
    /// The default base URL: the spec's first server with its variables'
    /// defaults; `None` when the spec has no absolute one (then
    /// `.base_url(..)` is required).
    pub base_url: Option<&'static str>,
    /// The default `User-Agent`.
    pub user_agent: &'static str,
    /// Headers every request sends, `(name, value)`, unless the client
    /// (`ClientBuilder::default_header` or a generated setter) or the request
    /// replaces them.
    pub default_headers: &'static [(&'static str, &'static str)],
    /// Query parameters every request sends first, `(name, value)`, unless
    /// the request sets its own of that name or turns them off.
    pub default_query: &'static [(&'static str, &'static str)],
    /// The security schemes the client can hold credentials for.
    pub security_schemes: &'static [SecurityScheme],
    /// The document's `security`: alternatives, each the scheme names that
    /// are all needed; an operation's own `security` replaces it.
    pub security: Security,
    /// Makes the tracing span each request runs in (the runtime's
    /// `request_span!` macro):
    /// `(operation id, method, path template)`.
    pub span: fn(&str, &Method, &str) -> tracing::Span,
}

/// Security requirements: alternatives, each a list of scheme names that are
/// all needed. An empty list needs nothing (`security: []`).
pub type Security = &'static [&'static [&'static str]];

/// One entry of `components.securitySchemes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityScheme {
    /// Its name in the spec (what requirements refer to).
    pub name: &'static str,
    /// How its credential is sent.
    pub kind: SchemeKind,
}

/// How a security scheme's credential is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (http bearer; also OAuth 2 and
    /// OpenID Connect access tokens).
    Bearer,
    /// `Authorization: Basic <base64(user:password)>` (http basic).
    Basic,
    /// An API key in a header.
    ApiKeyHeader(&'static str),
    /// An API key in the query string.
    ApiKeyQuery(&'static str),
    /// An API key in a cookie.
    ApiKeyCookie(&'static str),
}

/// A credential for one security scheme; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A token or API key.
    Secret(String),
    /// A user name and password (http basic).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Secret(<redacted>)"),
            Credential::Basic { .. } => f.write_str("Basic(<redacted>)"),
        }
    }
}

impl fmt::Debug for Conventions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conventions")
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &self.default_headers)
            .field("default_query", &self.default_query)
            .field("security_schemes", &self.security_schemes)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

/// A `fn(&str, &Method, &str) -> tracing::Span` for [`Conventions::span`]
/// making an `info` span named `$name` (a string literal) with the fields the
/// client fills in: `operation`, `method`, `path`, `status`, `retries`.
macro_rules! request_span {
    ($name:expr) => {{
        fn span(operation: &str, method: &reqwest::Method, path: &str) -> tracing::Span {
            tracing::info_span!(
                $name,
                operation = %operation,
                method = %method,
                path = %path,
                status = tracing::field::Empty,
                retries = tracing::field::Empty,
            )
        }
        span
    }};
}
pub(crate) use request_span;
