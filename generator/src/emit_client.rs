//! Emitting the API's wire conventions ([`crate::ir::Conventions`]) for the
//! runtime: the `CONVENTIONS` constant, `Client::builder()` (and
//! `Client::new()` / `Default` when the spec has a default server), and the
//! `ClientBuilder` setters of client headers and credentials.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit_types::{doc_attrs, ident};
use crate::ir::{Conventions, Operation, SchemeKind};
use crate::naming::Scope;

/// Methods of the runtime's `ClientBuilder` (and traits it implements): a
/// generated setter with one of these names gets a numbered name.
const BUILDER_METHODS: [&str; 14] = [
    "base_url",
    "build",
    "clone",
    "credential",
    "default_header",
    "fmt",
    "http_client",
    "into",
    "max_body_bytes",
    "new",
    "retry_policy",
    "timeout",
    "to_owned",
    "user_agent",
];

/// `"a{version}b"` as `concat!("a", env!("CARGO_PKG_VERSION"), "b")`: the crate version at compile time.
fn with_version(template: &str) -> TokenStream {
    let parts: Vec<TokenStream> = template
        .split("{version}")
        .enumerate()
        .flat_map(|(i, text)| {
            let version = (i > 0).then(|| quote!(env!("CARGO_PKG_VERSION")));
            version.into_iter().chain((!text.is_empty()).then(|| quote!(#text)))
        })
        .collect();
    quote!(concat!(#(#parts),*))
}

fn requirements(security: &[Vec<String>]) -> TokenStream {
    let alternatives = security.iter().map(|names| quote!(&[#(#names),*]));
    quote!(&[#(#alternatives),*])
}

/// What a generated request adds for the conventions: the default query
/// parameters (so `request().query_string()` shows them) and the operation's
/// own security requirements.
pub fn request_additions(conventions: &Conventions, op: &Operation) -> TokenStream {
    let query =
        (!conventions.default_query.is_empty()).then(|| quote!(.default_query_params(CONVENTIONS.default_query)));
    let security = op.security.as_ref().map(|s| {
        let s = requirements(s);
        quote!(.security(#s))
    });
    quote!(#query #security)
}

/// The `ClientBuilder` setter names: of the client headers that have one, and of every security
/// scheme, in order; unique, and never a method the runtime's builder has.
fn setter_names(c: &Conventions) -> (Vec<String>, Vec<String>) {
    let mut scope = Scope::with_reserved(&BUILDER_METHODS);
    let headers = c.headers.iter().filter_map(|h| h.setter.clone()).map(|s| scope.claim(s)).collect();
    let credentials = c.security_schemes.iter().map(|s| scope.claim(s.setter.clone())).collect();
    (headers, credentials)
}

/// The credential setters, with how each sends its credential, in scheme order.
pub fn credential_setters(c: &Conventions) -> Vec<(String, SchemeKind)> {
    setter_names(c).1.into_iter().zip(c.security_schemes.iter().map(|s| s.kind.clone())).collect()
}

/// The `CONVENTIONS` constant and the `Client` / `ClientBuilder` items built on it.
pub fn emit_client(c: &Conventions) -> TokenStream {
    let base_url = match &c.base_url {
        Some(url) => quote!(Some(#url)),
        None => quote!(None),
    };
    let user_agent = match &c.user_agent {
        Some(ua) => with_version(ua),
        None => quote!(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))),
    };
    let span = match &c.tracing_span {
        Some(name) => quote!(#name),
        None => quote!(concat!(env!("CARGO_PKG_NAME"), ".request")),
    };
    let headers =
        c.headers.iter().filter_map(|h| h.value.as_ref().map(|v| (&h.name, v))).map(|(n, v)| quote!((#n, #v)));
    let query = c.default_query.iter().map(|(n, v)| quote!((#n, #v)));
    let schemes = c.security_schemes.iter().map(|s| {
        let name = &s.key;
        let kind = match &s.kind {
            SchemeKind::Bearer => quote!(Bearer),
            SchemeKind::Basic => quote!(Basic),
            SchemeKind::ApiKey { location, name } => match location.as_str() {
                "query" => quote!(ApiKeyQuery(#name)),
                "cookie" => quote!(ApiKeyCookie(#name)),
                _ => quote!(ApiKeyHeader(#name)),
            },
        };
        quote!(super::runtime::SecurityScheme { name: #name, kind: super::runtime::SchemeKind::#kind })
    });
    let security = requirements(&c.security);

    let (header_names, credential_names) = setter_names(c);
    let header_setters = c.headers.iter().filter(|h| h.setter.is_some()).zip(header_names).map(|(h, setter)| {
        let setter = ident(&setter);
        let name = &h.name;
        let mut d = format!("Sets the `{name}` header every request sends");
        match &h.value {
            Some(v) => d.push_str(&format!(" (default `{v}`)")),
            None => d.push_str(" (none by default)"),
        }
        d.push_str("; a request's own value takes precedence.");
        if let Some(text) = &h.description {
            d.push_str("\n\n");
            d.push_str(text);
        }
        let d = doc_attrs(Some(&d));
        quote! {
            #d
            pub fn #setter(self, value: impl Into<String>) -> Self {
                self.default_header(#name, value)
            }
        }
    });
    let header_setters: Vec<TokenStream> = header_setters.collect();
    let credential_setters: Vec<TokenStream> = c
        .security_schemes
        .iter()
        .zip(credential_names)
        .map(|(s, setter)| {
            let setter = ident(&setter);
            let key = &s.key;
            let how = match &s.kind {
                SchemeKind::Bearer => "sent as `Authorization: Bearer <token>`".to_string(),
                SchemeKind::Basic => "sent as `Authorization: Basic` (HTTP basic authentication)".to_string(),
                SchemeKind::ApiKey { location, name } => {
                    let place = if location == "query" { "query parameter" } else { location.as_str() };
                    format!("sent as the `{name}` {place}")
                }
            };
            let mut d = format!(
                "The credential of security scheme `{key}`, {how} by the requests that accept it (never shown by `Debug`)."
            );
            if let Some(text) = &s.description {
                d.push_str("\n\n");
                d.push_str(text);
            }
            let d = doc_attrs(Some(&d));
            match &s.kind {
                SchemeKind::Basic => quote! {
                    #d
                    pub fn #setter(self, username: impl Into<String>, password: impl Into<String>) -> Self {
                        self.credential(#key, super::runtime::Credential::Basic { username: username.into(), password: password.into() })
                    }
                },
                _ => quote! {
                    #d
                    pub fn #setter(self, secret: impl Into<String>) -> Self {
                        self.credential(#key, super::runtime::Credential::Secret(secret.into()))
                    }
                },
            }
        })
        .collect();
    let builder_impl = if header_setters.is_empty() && credential_setters.is_empty() {
        quote!()
    } else {
        quote! {
            impl super::runtime::ClientBuilder {
                #(#header_setters)*
                #(#credential_setters)*
            }
        }
    };
    let new_and_default = c.base_url.as_ref().map(|url| {
        let d = crate::emit_types::doc_safe(&format!(
            " A client for `{url}` without credentials and with default settings."
        ));
        quote! {
            impl Client {
                #[doc = #d]
                ///
                /// # Panics
                ///
                /// Only if the TLS backend cannot be initialised (like
                /// `reqwest::Client::new`); use [`Client::builder`] to handle that as an error.
                pub fn new() -> Self {
                    Client::builder().build().expect("the default HTTP client could not be initialised")
                }
            }
            impl Default for Client {
                /// Same as [`Client::new`].
                fn default() -> Self {
                    Client::new()
                }
            }
        }
    });
    quote! {
        /// The API's wire conventions, which the runtime applies to every request.
        pub const CONVENTIONS: super::runtime::Conventions = super::runtime::Conventions {
            base_url: #base_url,
            user_agent: #user_agent,
            default_headers: &[#(#headers),*],
            default_query: &[#(#query),*],
            security_schemes: &[#(#schemes),*],
            security: #security,
            span: super::runtime::request_span!(#span),
        };
        impl Client {
            /// Starts configuring a client with the API's conventions ([`CONVENTIONS`]).
            pub fn builder() -> super::runtime::ClientBuilder {
                super::runtime::ClientBuilder::new(&CONVENTIONS)
            }
        }
        #new_and_default
        #builder_impl
    }
}
