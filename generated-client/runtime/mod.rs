//! The hand-written runtime the generated operations call into: the HTTP
//! [`Client`], the [`Request`] description each operation fills in, the
//! [`Error`] type, retries, pagination, path/query encoding, parameter
//! validation, and the [`Patch`] / [`InvalidValue`] helpers of generated types.
//!
//! Generated code builds a [`Request`] and hands it to [`Client::execute`]
//! (not compiled as a doctest: these files are also copied into crates with
//! other names):
//!
//! ```text
//! use losant_instance_api::runtime::{Client, Request, Validation};
//!
//! const ID: Validation = Validation { pattern: Some(r"^[A-Fa-f\d]{24}$"), min_length: None, max_length: None };
//! let client = Client::builder().base_url("https://api.example.com").token("my-token").build()?;
//! let org: serde_json::Value = client
//!     .execute(
//!         Request::new(reqwest::Method::GET, "/instances/{instanceId}/orgs/{orgId}")
//!             .operation_id("instanceOrg.get")
//!             .path_param("instanceId", "575ec8687ae143cd83dc4a97", &ID)
//!             .path_param("orgId", "575ed70c7ae143cd83dc4aa9", &ID),
//!     )
//!     .await?
//!     .into_body();
//! ```

mod builder;
mod client;
mod error;
pub mod paginate;
pub mod path;
pub mod query;
mod request;
mod response;
pub mod retry;
mod validate;
mod value;

pub use builder::{ClientBuilder, DEFAULT_ACCEPT_VERSION, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT};
pub use client::Client;
pub use error::Error;
pub use paginate::{paginate, Page};
pub use request::Request;
pub use response::ApiResponse;
pub use retry::RetryPolicy;
pub use validate::Validation;
pub use value::{InvalidValue, Patch};
