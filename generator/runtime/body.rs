//! Request and response bodies other than JSON: bytes and streams, text,
//! `application/x-www-form-urlencoded` and `multipart/form-data`.
//!
//! The runtime never names reqwest's optional `form`, `multipart` or
//! `stream` features: a form or multipart body is a closure the generated
//! operation passes in (it calls `RequestBuilder::form` / `multipart`), so the
//! runtime compiles with or without them and only the crates whose spec needs
//! them enable them.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use reqwest::header::HeaderValue;
use serde_json::Value;

use super::query::{deep_object_pairs, scalar_text};
use super::Error;

/// Applies a body to one attempt's request (built anew for every attempt);
/// `Err` says why the body cannot be built (e.g. an invalid part content type).
pub type ApplyBody = Arc<dyn Fn(reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, String> + Send + Sync>;

/// A request body, ready to be sent once per attempt.
#[derive(Clone)]
pub(crate) enum Payload {
    /// Bytes with their `Content-Type`: JSON, text, binary. Replayable.
    Bytes(HeaderValue, Bytes),
    /// Applied to each attempt by a closure (form and multipart bodies, whose
    /// encoders set the `Content-Type`); replayable, the parts are kept as data.
    Apply(&'static str, ApplyBody),
    /// A stream the caller handed over: sent once, never retried.
    Stream(HeaderValue, Arc<Mutex<Option<reqwest::Body>>>),
}

impl Payload {
    /// Whether the body can be sent again on a retry.
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self, Payload::Stream(..))
    }

    /// For `Debug`: size and content type, never the content.
    pub(crate) fn describe(&self) -> String {
        match self {
            Payload::Bytes(ct, b) => format!("<{} bytes of {}>", b.len(), ct.to_str().unwrap_or("?")),
            Payload::Apply(kind, _) => format!("<{kind}>"),
            Payload::Stream(ct, _) => format!("<stream of {}>", ct.to_str().unwrap_or("?")),
        }
    }

    /// The `Content-Type` the client sets (form and multipart encoders set their own).
    pub(crate) fn content_type(&self) -> Option<HeaderValue> {
        match self {
            Payload::Bytes(ct, _) | Payload::Stream(ct, _) => Some(ct.clone()),
            Payload::Apply(..) => None,
        }
    }

    /// Puts the body on one attempt's request. A stream can be taken once.
    pub(crate) fn apply(&self, builder: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, Error> {
        match self {
            Payload::Bytes(_, b) => Ok(builder.body(b.clone())),
            Payload::Apply(kind, f) => {
                f(builder).map_err(|reason| Error::invalid("body", &format!("<{kind}>"), reason))
            }
            Payload::Stream(_, slot) => {
                let body = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                body.map(|b| builder.body(b))
                    .ok_or_else(|| Error::invalid("body", "<stream>", "a streamed body can be sent only once"))
            }
        }
    }
}

/// A binary request body: bytes (sent again on a retry) or a stream (sent
/// once; a request with a streamed body is never retried).
///
/// `Vec<u8>`, [`Bytes`], `&'static [u8]`, `String` and `&'static str` convert
/// into one; [`Upload::stream`] takes anything that is a `reqwest::Body`
/// (e.g. `reqwest::Body::wrap_stream(..)` with reqwest's `stream` feature).
#[derive(Clone)]
pub struct Upload(UploadInner);

#[derive(Clone)]
enum UploadInner {
    Bytes(Bytes),
    Stream(Arc<Mutex<Option<reqwest::Body>>>),
}

impl Upload {
    /// A body from a `reqwest::Body`: kept as bytes when it is bytes, else
    /// streamed once without buffering (clones of this value share the stream).
    pub fn stream(body: impl Into<reqwest::Body>) -> Self {
        let body = body.into();
        match body.as_bytes() {
            Some(b) => Upload(UploadInner::Bytes(Bytes::copy_from_slice(b))),
            None => Upload(UploadInner::Stream(Arc::new(Mutex::new(Some(body))))),
        }
    }

    /// The bytes, when this is not a stream.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            UploadInner::Bytes(b) => Some(b),
            UploadInner::Stream(_) => None,
        }
    }

    pub(crate) fn payload(&self, content_type: HeaderValue) -> Payload {
        match &self.0 {
            UploadInner::Bytes(b) => Payload::Bytes(content_type, b.clone()),
            UploadInner::Stream(s) => Payload::Stream(content_type, Arc::clone(s)),
        }
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            UploadInner::Bytes(b) => write!(f, "Upload(<{} bytes>)", b.len()),
            UploadInner::Stream(_) => f.write_str("Upload(<stream>)"),
        }
    }
}

impl From<Bytes> for Upload {
    fn from(b: Bytes) -> Self {
        Upload(UploadInner::Bytes(b))
    }
}

impl From<Vec<u8>> for Upload {
    fn from(b: Vec<u8>) -> Self {
        Upload(UploadInner::Bytes(b.into()))
    }
}

impl From<&'static [u8]> for Upload {
    fn from(b: &'static [u8]) -> Self {
        Upload(UploadInner::Bytes(Bytes::from_static(b)))
    }
}

impl From<String> for Upload {
    fn from(s: String) -> Self {
        Upload(UploadInner::Bytes(s.into()))
    }
}

impl From<&'static str> for Upload {
    fn from(s: &'static str) -> Self {
        Upload(UploadInner::Bytes(Bytes::from_static(s.as_bytes())))
    }
}

/// A file part of a `multipart/form-data` body: the bytes, and the file name
/// and content type sent with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePart {
    /// The content.
    pub bytes: Bytes,
    /// The part's `filename` (none: the part has no file name).
    pub file_name: Option<String>,
    /// The part's `Content-Type` (none: the spec's `encoding` content type,
    /// else `application/octet-stream`).
    pub content_type: Option<String>,
}

impl FilePart {
    /// A part with these bytes, no file name and the default content type.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        FilePart { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// Sets the file name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl<B: Into<Bytes>> From<B> for FilePart {
    fn from(bytes: B) -> Self {
        FilePart::new(bytes)
    }
}

/// How one member of a form body (`application/x-www-form-urlencoded`) is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormStyle {
    /// `style: form, explode: true` (the default): `name=value`, arrays as
    /// repeated `name=a&name=b`; nested objects are refused.
    Exploded,
    /// `style: form, explode: false`: arrays comma-joined (`name=a,b`).
    Joined,
    /// `style: deepObject`: `name[key]=value` (nested objects too).
    DeepObject,
}

/// The `(name, value)` pairs of a form body following OpenAPI's encoding
/// rules: `members` in order with their style (generated code lists the
/// schema's properties), then any other member of `value` in the default
/// style; reqwest's `form` (serde_urlencoded) then encodes them. `null`
/// members are left out.
///
/// # Errors
///
/// [`Error::InvalidParameter`] for a value that is not an object, or a
/// nested object (or array of them) outside `style: deepObject`: it has no
/// form encoding.
pub fn form_pairs(
    value: &impl serde::Serialize,
    members: &[(&str, FormStyle)],
) -> Result<Vec<(String, String)>, Error> {
    let value = serde_json::to_value(value).map_err(|source| Error::Serialize { name: "body".to_owned(), source })?;
    let Value::Object(mut rest) = value else {
        return Err(Error::invalid("body", &value.to_string(), "a form body must be an object"));
    };
    let mut ordered: Vec<(String, Value, FormStyle)> = Vec::new();
    for (name, style) in members {
        if let Some(v) = rest.remove(*name) {
            ordered.push(((*name).to_owned(), v, *style));
        }
    }
    ordered.extend(rest.into_iter().map(|(name, v)| (name, v, FormStyle::Exploded)));
    let mut out = Vec::new();
    for (name, v, style) in ordered {
        let nested = |v: &Value| v.is_object() || v.is_array();
        match (style, v) {
            (FormStyle::DeepObject, v) => out.extend(deep_object_pairs(&name, &v)),
            (_, Value::Object(_)) => return Err(unencodable(&name)),
            (_, Value::Array(items)) if items.iter().any(nested) => return Err(unencodable(&name)),
            (FormStyle::Joined, Value::Array(items)) => {
                let texts: Vec<String> = items.iter().filter_map(scalar_text).collect();
                if !texts.is_empty() {
                    out.push((name, texts.join(",")));
                }
            }
            (FormStyle::Exploded, Value::Array(items)) => {
                out.extend(items.iter().filter_map(scalar_text).map(|t| (name.clone(), t)));
            }
            (_, scalar) => out.extend(scalar_text(&scalar).map(|t| (name, t))),
        }
    }
    Ok(out)
}

fn unencodable(name: &str) -> Error {
    Error::invalid(
        name,
        "<object>",
        "a nested object has no `application/x-www-form-urlencoded` encoding (declare `style: deepObject` \
         in the media type's `encoding`)",
    )
}

/// The text of a `multipart/form-data` text part: a string as itself, any
/// other value as JSON.
///
/// # Errors
///
/// The serializer's message when the value cannot be serialized.
pub fn part_text(value: &impl serde::Serialize) -> Result<String, String> {
    match serde_json::to_value(value).map_err(|e| e.to_string())? {
        Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// A response body read chunk by chunk as it arrives, never buffered whole
/// (and not subject to the client's body limit).
pub type ByteStream = Pin<Box<dyn futures::Stream<Item = Result<Bytes, Error>> + Send>>;

/// The stream of a response's body chunks.
pub(crate) fn byte_stream(resp: reqwest::Response, timeout: Option<std::time::Duration>) -> ByteStream {
    Box::pin(futures::stream::try_unfold(resp, move |mut resp| async move {
        match resp.chunk().await {
            Ok(Some(chunk)) => Ok(Some((chunk, resp))),
            Ok(None) => Ok(None),
            Err(e) => Err(Error::from_transport(e, timeout)),
        }
    }))
}

/// Decodes a text body as UTF-8.
pub(crate) fn decode_text(raw: super::ApiResponse<Vec<u8>>) -> Result<super::ApiResponse<String>, Error> {
    match String::from_utf8(raw.body) {
        Ok(text) => Ok(super::ApiResponse { status: raw.status, headers: raw.headers, body: text }),
        Err(e) => {
            let bytes = e.into_bytes();
            let (body, exact) = super::error::lossy_body(&bytes);
            let source = <serde_json::Error as serde::de::Error>::custom("the text body is not valid UTF-8");
            Err(Error::Decode { status: raw.status, body, raw: exact, source })
        }
    }
}
