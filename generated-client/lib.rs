//! Typed async client for the Losant Enterprise Instance API.
//!
//! Generated at build time by `openapi-clientgen` from Losant's published
//! OpenAPI spec (`spec/losant-instance-api-openapi.yml`) and the repairs in
//! `spec/overlay.yml`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), losant_instance_api::Error> {
//! use losant_instance_api::Client;
//!
//! let client = Client::builder()
//!     .base_url("https://api.losant.example.com")
//!     .token(std::env::var("LOSANT_TOKEN").unwrap_or_default())
//!     .build()?;
//! let orgs = client
//!     .instance_orgs()
//!     .get("575ec8687ae143cd83dc4a97")
//!     .per_page(50)
//!     .send()
//!     .await?;
//! for org in orgs.items.unwrap_or_default() {
//!     println!("{:?}", org.name);
//! }
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

#[path = "runtime/mod.rs"]
pub mod runtime;

include!(concat!(env!("OUT_DIR"), "/losant_client.rs"));

pub use runtime::{ApiResponse, Client, ClientBuilder, Error, InvalidValue, Patch, RetryPolicy};
