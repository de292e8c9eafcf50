//! The hand-written runtime the generated operations call into: the HTTP
//! [`Client`], the [`Request`] description each operation fills in, the
//! [`Error`] type, retries, pagination, path/query encoding, parameter
//! validation, and the [`Patch`] / [`InvalidValue`] helpers of generated types.
//! It knows no API: each API's wire conventions (base URL, default headers
//! and query, security schemes, user agent, tracing span) are [`Conventions`]
//! that the generated code declares.
//!
//! Generated code builds a [`Request`] and hands it to [`Client::execute`]
//! (not compiled as a doctest: these files are also copied into crates with
//! other names):
//!
//! ```text
//! use my_api::runtime::{Client, Request, Validation};
//!
//! const ID: Validation = Validation { pattern: Some(r"^\d+$"), min_length: None, max_length: None };
//! let client = Client::builder().base_url("https://api.example.com").build()?;
//! let order: serde_json::Value = client
//!     .execute(
//!         Request::new(reqwest::Method::GET, "/stores/{storeId}/orders/{orderId}")
//!             .operation_id("getOrder")
//!             .path_param("storeId", "12", &ID)
//!             .path_param("orderId", "34", &ID),
//!     )
//!     .await?
//!     .into_body();
//! ```

mod body;
mod builder;
mod client;
mod conventions;
mod error;
pub mod paginate;
pub mod path;
pub mod query;
mod request;
mod response;
pub mod retry;
mod sse;
mod validate;
mod value;

pub use body::{form_pairs, part_text, ApplyBody, ByteStream, FilePart, FormStyle, Upload};
pub use builder::{http_client_builder, ClientBuilder, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT};
pub use client::Client;
pub(crate) use conventions::request_span;
pub use conventions::{Conventions, Credential, SchemeKind, Security, SecurityScheme};
pub use error::Error;
pub use paginate::{paginate, Page};
pub use request::Request;
pub use response::ApiResponse;
pub use retry::RetryPolicy;
pub use sse::{Event, EventParser, EventSource, EventStream};
pub use validate::Validation;
#[allow(unused_imports)]
pub(crate) use value::open_enum_impls;
pub use value::{InvalidValue, Patch};
