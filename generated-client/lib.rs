//! Typed async client for the Losant Enterprise Instance API.
//!
//! Generated at build time by `openapi-clientgen` from Losant's published
//! OpenAPI spec (`spec/losant-instance-api-openapi.yml`) and the repairs in
//! `spec/overlay.yml`. (`openapi-clientgen generate` writes the same client
//! as a standalone crate, with this example at its root too.)
//!
//! # Usage
//!
//! ```no_run
//! # async fn demo() -> Result<(), losant_instance_api::Error> {
//! use futures::TryStreamExt;
//! use losant_instance_api::Client;
//!
//! let client = Client::builder()
//!     .base_url(std::env::var("LOSANT_URL").unwrap_or_default())
//!     .token(std::env::var("LOSANT_TOKEN").unwrap_or_default())
//!     .build()?;
//!
//! // One page (GET /instances/{instanceId}/orgs):
//! let page = client.instance_orgs().get("575ec8687ae143cd83dc4a97").per_page(50).send().await?;
//! println!("{page:?}");
//!
//! // Every item, fetching page after page as the stream is polled:
//! let mut items = std::pin::pin!(client.instance_orgs().get("575ec8687ae143cd83dc4a97").per_page(50).stream());
//! while let Some(item) = items.try_next().await? {
//!     println!("{item:?}");
//! }
//! # Ok(()) }
//! ```
//!
//! Build one [`Client`] and share it (cloning is cheap). Every operation is
//! `client.<resource>().<operation>(required arguments)`; optional parameters
//! are setters on the returned builder, and nothing is sent until
//! `.send().await` (or `.send_with_response()` for the status and headers, or
//! `.stream()` to walk every page of a list). Each operation documents its HTTP
//! method and path, parameters, success type and error responses.

#![deny(missing_docs)]

// The generated client, and its `runtime` module (written by build.rs from the generator's sources).
include!(concat!(env!("OUT_DIR"), "/losant_client.rs"));

pub use runtime::{ApiResponse, Client, ClientBuilder, Error, InvalidValue, Patch, RetryPolicy};
