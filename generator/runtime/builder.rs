//! Configuring a [`Client`]: base URL, credentials, timeouts, retries,
//! headers and the underlying HTTP client.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, USER_AGENT};

use super::client::{Inner, Prepared};
use super::{Client, Conventions, Credential, Error, RetryPolicy, SchemeKind};

/// The default response body limit: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The default per-attempt timeout: 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The most redirects the default HTTP client follows (same origin only).
const MAX_REDIRECTS: usize = 10;

/// Configures a [`Client`]. Obtain one with `Client::builder()`.
#[derive(Clone)]
pub struct ClientBuilder {
    conventions: &'static Conventions,
    base_url: Option<String>,
    /// `(scheme name, credential)`, one per scheme.
    credentials: Vec<(&'static str, Credential)>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
    /// `(name, value)`: the API's default headers, then the client's own.
    headers: Vec<(String, String)>,
    max_body_bytes: usize,
}

impl ClientBuilder {
    /// A builder with the API's [`Conventions`] as defaults (generated code
    /// calls this from `Client::builder()`).
    pub fn new(conventions: &'static Conventions) -> Self {
        ClientBuilder {
            conventions,
            base_url: conventions.base_url.map(str::to_owned),
            credentials: Vec::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            retry: RetryPolicy::default(),
            user_agent: conventions.user_agent.to_owned(),
            http: None,
            headers: conventions.default_headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The API root (default: the spec's first server, if it has one). A
    /// path prefix (`https://host/api`) is kept and operation paths are
    /// appended to it.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// Sets a header every request sends, replacing the API's default of
    /// that name (names are case-insensitive); a request's own header of
    /// that name takes precedence.
    pub fn default_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The credential for security scheme `scheme` (generated setters such
    /// as `.token(..)` call this); it is sent on the requests whose security
    /// requirements it satisfies, and never shown by `Debug`.
    pub fn credential(mut self, scheme: &'static str, credential: Credential) -> Self {
        self.credentials.retain(|(s, _)| *s != scheme);
        self.credentials.push((scheme, credential));
        self
    }

    /// The timeout of each attempt, from connecting to the end of the body
    /// (default 60 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// How transient failures are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }

    /// The `User-Agent` (default: the API's, see [`Conventions::user_agent`]).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Uses one's own `reqwest::Client` (proxies, TLS roots, ...). Its
    /// redirect policy then applies; reqwest's default one drops
    /// `Authorization` on cross-host redirects. Start from
    /// [`http_client_builder`]. Without any of this crate's TLS features
    /// (`default-features = false`), this is how to use HTTPS: with the TLS
    /// features of one's own `reqwest` dependency.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// The largest response body accepted, in bytes (default 16 MiB); larger
    /// bodies fail with [`Error::BodyTooLarge`].
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// Without [`ClientBuilder::http_client`], the HTTP client built here
    /// follows at most 10 redirects and only within the same scheme, host
    /// and port; a redirect elsewhere is not followed and surfaces as
    /// [`Error::Api`] with the 3xx status, so credentials never leave the
    /// configured host.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBaseUrl`] without a base URL (the spec declares no
    /// server: set one with [`ClientBuilder::base_url`]) or for one that is
    /// not an absolute `http(s)` URL without query, fragment or credentials;
    /// [`Error::InvalidParameter`] for a credential, user agent or header
    /// that is not a valid header value, or a credential for a scheme the
    /// API does not declare; [`Error::Build`] if the HTTP client cannot be
    /// initialised.
    pub fn build(self) -> Result<Client, Error> {
        let Some(raw_base_url) = &self.base_url else {
            return Err(Error::InvalidBaseUrl(
                "no base URL: the API declares no server, set one with `.base_url(..)`".to_owned(),
            ));
        };
        let base = checked_base_url(raw_base_url)?;
        let header = |name: &str, value: &str, shown: &str| {
            HeaderValue::from_str(value).map_err(|_| Error::invalid(name, shown, "is not a valid HTTP header value"))
        };
        let mut defaults = HeaderMap::with_capacity(self.headers.len() + 4);
        defaults.insert(ACCEPT, HeaderValue::from_static("application/json"));
        defaults.insert(USER_AGENT, header("user_agent", &self.user_agent, &self.user_agent)?);
        for (name, value) in &self.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid(name, name, "is not a valid HTTP header name"))?;
            let mut v = header(name, value, value)?;
            v.set_sensitive(super::request::is_sensitive_header(name));
            defaults.insert(n, v);
        }
        let mut credentials = Vec::with_capacity(self.credentials.len());
        for (scheme, credential) in &self.credentials {
            let Some(declared) = self.conventions.security_schemes.iter().find(|s| s.name == *scheme) else {
                return Err(Error::invalid(scheme, "<redacted>", "is not a security scheme of this API"));
            };
            credentials.push((*scheme, prepare(scheme, declared.kind, credential)?));
        }
        let http = match self.http {
            Some(c) => c,
            None => http_client_builder().redirect(same_origin_redirects()).build().map_err(Error::Build)?,
        };
        Ok(Client::from_inner(Inner {
            http,
            conventions: self.conventions,
            base,
            credentials,
            defaults,
            timeout: self.timeout,
            retry: self.retry,
            max_body_bytes: self.max_body_bytes,
        }))
    }
}

/// A credential checked and made ready to send for a scheme of kind `kind`.
fn prepare(scheme: &str, kind: SchemeKind, credential: &Credential) -> Result<Prepared, Error> {
    let invalid = |reason: &str| Error::invalid(scheme, "<redacted>", reason.to_owned());
    let sensitive = |text: String| {
        HeaderValue::from_str(&text).map(|mut v| {
            v.set_sensitive(true);
            v
        })
    };
    let not_header = "is not a valid HTTP header value";
    match (kind, credential) {
        (SchemeKind::Bearer, Credential::Secret(token)) => {
            sensitive(format!("Bearer {token}")).map(Prepared::Authorization).map_err(|_| invalid(not_header))
        }
        (SchemeKind::Basic, Credential::Basic { username, password }) => {
            Ok(Prepared::Basic { username: username.clone(), password: password.clone() })
        }
        (SchemeKind::ApiKeyHeader(name), Credential::Secret(key)) => {
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("names an invalid header"))?;
            sensitive(key.clone()).map(|v| Prepared::Header(n, v)).map_err(|_| invalid(not_header))
        }
        (SchemeKind::ApiKeyQuery(name), Credential::Secret(key)) => Ok(Prepared::Query(name, key.clone())),
        (SchemeKind::ApiKeyCookie(name), Credential::Secret(key)) => {
            if key.contains([';', ',']) || key.chars().any(char::is_whitespace) {
                return Err(invalid("is not a valid cookie value"));
            }
            sensitive(format!("{name}={key}")).map(Prepared::Cookie).map_err(|_| invalid(not_header))
        }
        (SchemeKind::Basic, Credential::Secret(_)) => Err(invalid("needs a user name and password")),
        (_, Credential::Basic { .. }) => Err(invalid("takes a token or key, not a user name and password")),
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if super::request::is_sensitive_header(n) { "<redacted>" } else { v.as_str() }))
            .collect();
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials.iter().map(|(s, _)| *s).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http.is_some())
            .field("headers", &headers)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// Parses and checks the base URL.
fn checked_base_url(raw: &str) -> Result<url::Url, Error> {
    let url = url::Url::parse(raw.trim()).map_err(|e| Error::InvalidBaseUrl(format!("{raw}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidBaseUrl(format!("{raw}: the scheme must be http or https")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidBaseUrl(format!("{raw}: a host is required")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidBaseUrl(format!("{raw}: must not have a query or fragment")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidBaseUrl("the base URL must not contain credentials".to_owned()));
    }
    Ok(url)
}

/// A `reqwest::ClientBuilder` to configure one's own HTTP client for
/// [`ClientBuilder::http_client`]; the client's default one starts from it too.
///
/// With the `rustls-ring` feature (the default) reqwest's rustls takes its
/// crypto from rustls' process-wide default provider, and building a
/// `reqwest::Client` panics when there is none: this installs ring as that
/// default unless the application installed a provider already.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    #[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc-rs")))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err: another thread installed one first, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder()
}

/// Follows redirects only within the same scheme, host and port.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().last().is_some_and(|prev| {
            let next = attempt.url();
            prev.scheme() == next.scheme()
                && prev.host_str() == next.host_str()
                && prev.port_or_known_default() == next.port_or_known_default()
        });
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}
