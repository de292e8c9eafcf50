//! Configuring a [`Client`]: base URL, token, timeouts, retries, headers and
//! the underlying HTTP client.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::client::Inner;
use super::{Client, Error, RetryPolicy};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.losant.com";
/// The `Accept-Version` the official client 4.2.0 sends.
pub const DEFAULT_ACCEPT_VERSION: &str = "^1.30.0";
/// The default response body limit: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The default per-attempt timeout: 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The most redirects the default HTTP client follows (same origin only).
const MAX_REDIRECTS: usize = 10;

/// Configures a [`Client`]. Obtain one with [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
    losant_domain: Option<String>,
    accept_version: String,
    max_body_bytes: usize,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token: None,
            timeout: Some(DEFAULT_TIMEOUT),
            retry: RetryPolicy::default(),
            user_agent: concat!("losant-instance-api-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
            losant_domain: None,
            accept_version: DEFAULT_ACCEPT_VERSION.to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl ClientBuilder {
    /// The API root (default `https://api.losant.com`). Enterprise Instances
    /// use their own domain; a path prefix (`https://host/api`) is kept and
    /// operation paths are appended to it.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = url.as_ref().to_owned();
        self
    }

    /// The API access token, sent as `Authorization: Bearer <token>`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
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

    /// The `User-Agent` (default `losant-instance-api-rust/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Uses one's own `reqwest::Client` (proxies, TLS roots, ...). Its
    /// redirect policy then applies; reqwest's default one drops
    /// `Authorization` on cross-host redirects.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// The default `losantdomain` header ("domain scope of request"); a
    /// request's own `losantdomain` header takes precedence.
    pub fn losant_domain(mut self, d: impl Into<String>) -> Self {
        self.losant_domain = Some(d.into());
        self
    }

    /// The `Accept-Version` header (default `^1.30.0`).
    pub fn accept_version(mut self, v: impl Into<String>) -> Self {
        self.accept_version = v.into();
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
    /// [`Error::Api`] with the 3xx status, so the token never leaves the
    /// configured host.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBaseUrl`] for a base URL that is not an absolute
    /// `http(s)` URL without query, fragment or credentials;
    /// [`Error::InvalidParameter`] for a token, user agent, `Accept-Version`
    /// or `losantdomain` that is not a valid header value; [`Error::Build`]
    /// if the HTTP client cannot be initialised.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = normalize_base_url(&self.base_url)?;
        let header = |name: &str, value: &str, shown: &str| {
            HeaderValue::from_str(value).map_err(|_| Error::invalid(name, shown, "is not a valid HTTP header value"))
        };
        let token = match &self.token {
            Some(t) => {
                let mut v = header("token", &format!("Bearer {t}"), "<redacted>")?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let losant_domain = match &self.losant_domain {
            Some(d) => Some(header("losantdomain", d, d)?),
            None => None,
        };
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder().redirect(same_origin_redirects()).build().map_err(Error::Build)?,
        };
        Ok(Client::from_inner(Inner {
            http,
            base_url,
            token,
            user_agent: header("user_agent", &self.user_agent, &self.user_agent)?,
            accept_version: header("accept_version", &self.accept_version, &self.accept_version)?,
            losant_domain,
            timeout: self.timeout,
            retry: self.retry,
            max_body_bytes: self.max_body_bytes,
        }))
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http.is_some())
            .field("losant_domain", &self.losant_domain)
            .field("accept_version", &self.accept_version)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// Checks the base URL and returns it without a trailing `/`.
fn normalize_base_url(raw: &str) -> Result<String, Error> {
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
    Ok(url.as_str().trim_end_matches('/').to_owned())
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
