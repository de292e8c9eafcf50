//! Lists every organization of a Losant Enterprise Instance, one per line
//! (ID, then name), fetching page after page as it goes.
//!
//! ```sh
//! LOSANT_URL=https://api.your-instance.example.com \
//! LOSANT_TOKEN=... \
//! LOSANT_INSTANCE_ID=575ec7417ae143cd83dc4a96 \
//!   cargo run --example list_orgs
//! ```
//!
//! `LOSANT_URL` is the instance's API base URL, `LOSANT_TOKEN` an API token
//! allowed to read the instance's organizations.

use futures::TryStreamExt;
use losant_instance_api::Client;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see examples/list_orgs.rs)"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder().base_url(env("LOSANT_URL")?).token(env("LOSANT_TOKEN")?).build()?;
    let instance_id = env("LOSANT_INSTANCE_ID")?;

    let mut orgs = std::pin::pin!(client.instance_orgs().get(instance_id).per_page(100).stream());
    let mut count = 0usize;
    while let Some(org) = orgs.try_next().await? {
        let id = org.id.as_ref().map(ToString::to_string).unwrap_or_default();
        println!("{id}\t{}", org.name);
        count += 1;
    }
    eprintln!("{count} organization(s)");
    Ok(())
}
