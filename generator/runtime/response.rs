//! The successful response wrapper, and reading/decoding response bodies.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::Error;

/// A successful (2xx) response: status, headers and the decoded body.
#[derive(Clone, Debug)]
pub struct ApiResponse<T> {
    /// The HTTP status (always in `200..=299`).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T> ApiResponse<T> {
    /// Drops status and headers, keeping the body.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Transforms the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse { status: self.status, headers: self.headers, body: f(self.body) }
    }
}

/// Decodes a 2xx body as JSON; an empty (or all-whitespace) body, as sent
/// with `204 No Content`, decodes `T` from `null`.
pub(crate) fn decode<T: DeserializeOwned, B: AsRef<[u8]>>(raw: ApiResponse<B>) -> Result<ApiResponse<T>, Error> {
    let raw_body = raw.body.as_ref();
    let bytes: &[u8] = if raw_body.iter().all(u8::is_ascii_whitespace) { b"null" } else { raw_body };
    match serde_json::from_slice(bytes) {
        Ok(body) => Ok(ApiResponse { status: raw.status, headers: raw.headers, body }),
        Err(source) => {
            let (body, exact) = super::error::lossy_body(raw_body);
            Err(Error::Decode { status: raw.status, body, raw: exact, source })
        }
    }
}

/// Reads the whole body, refusing more than `limit` bytes (checked against
/// `Content-Length` up front, and while streaming for chunked bodies).
pub(crate) async fn read_body(
    mut resp: reqwest::Response,
    limit: usize,
    timeout: Option<std::time::Duration>,
) -> Result<Bytes, Error> {
    let transport = |e| Error::from_transport(e, timeout);
    match resp.content_length() {
        Some(len) if len > limit as u64 => Err(Error::BodyTooLarge { limit }),
        // hyper reads no more than the declared length: take reqwest's
        // buffer as `Response::bytes` (and so `json`) does, with no copy of our own.
        Some(_) => resp.bytes().await.map_err(transport),
        None => {
            let mut buf = Vec::with_capacity(8 * 1024);
            while let Some(chunk) = resp.chunk().await.map_err(transport)? {
                if buf.len().saturating_add(chunk.len()) > limit {
                    return Err(Error::BodyTooLarge { limit });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(buf.into())
        }
    }
}
