//! From an analysed spec to formatted Rust source: lower, emit, format.
//!
//! Pure: returns text and touches no file. `build.rs` and the CLI do the I/O.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::document::Model;
use crate::emit_ops;
use crate::emit_types;
use crate::ir::{Api, TypeId, TypeKind, TypeRef};
use crate::names_lock::NameLock;
use crate::ops;
use crate::Error;

/// Generated client code.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The lowered API.
    pub api: Api,
    /// The whole generated module source (`types` and `api`), formatted, with an `@generated` header.
    pub code: String,
    /// Formatted code per component schema (its type and the inline types under it), by component name.
    pub schemas: BTreeMap<String, String>,
    /// Formatted code per operation, keyed `METHOD /path`.
    pub operations: BTreeMap<String, String>,
}

/// Formats tokens as a Rust file with prettyplease.
pub fn format_tokens(tokens: TokenStream) -> Result<String, Error> {
    Ok(prettyplease::unparse(&parse_tokens(tokens)?))
}

/// Parses tokens as a Rust file (an error, with the tokens, is a generator bug).
fn parse_tokens(tokens: TokenStream) -> Result<syn::File, Error> {
    // The clone is shallow (proc-macro2 shares token trees), kept for the error.
    syn::parse2(tokens.clone()).map_err(|e| Error::Internal(format!("{e}: {tokens}")))
}

/// Generates the client for a checked document (one without errors),
/// keeping the public names recorded in `lock` (see [`crate::names_lock`]).
pub fn generate(doc: &Model, lock: Option<&NameLock>) -> Result<Generated, Error> {
    let api = lower_checked(doc, lock)?;
    let emitted = emit(&api);
    format(api, emitted)
}

/// Only the whole module's source, as `build.rs` needs it: formats none of the
/// per-component and per-operation pieces (a third of the time of [`generate`])
/// and does not collect the per-component ones.
pub fn generate_code(doc: &Model, lock: Option<&NameLock>) -> Result<String, Error> {
    let api = lower_checked(doc, lock)?;
    let emitted = emit_with(&api, false);
    Ok(header(&api) + &format_tokens(emitted.tokens)?)
}

/// The lowered API and the whole module as syntax, parsed from the tokens and
/// not formatted, for the crate writer to format each module once on its own
/// (no per-component or per-operation pieces, as in [`generate_code`]).
pub(crate) fn generate_syntax(doc: &Model, lock: Option<&NameLock>) -> Result<(Api, syn::File), Error> {
    let api = lower_checked(doc, lock)?;
    let file = parse_tokens(emit_with(&api, false).tokens)?;
    Ok((api, file))
}

/// [`generate`] for a document built in memory (not analyzed): converted to the typed model first.
pub fn generate_value(doc: &Value, lock: Option<&NameLock>) -> Result<Generated, Error> {
    generate(&model_of(doc)?, lock)
}

/// [`lower_checked`] for a document built in memory (not analyzed).
pub fn lower_value(doc: &Value, lock: Option<&NameLock>) -> Api {
    ops::lower_api(&Model::of(doc).expect("the document fits the OpenAPI model"), lock)
}

fn model_of(doc: &Value) -> Result<Model<'_>, Error> {
    if let Some(ptr) = crate::check::too_deep(doc) {
        return Err(Error::Internal(format!(
            "the document nests more than {} levels deep at #{ptr}: analyze it first",
            crate::check::MAX_DEPTH
        )));
    }
    Model::of(doc).map_err(|(ptr, why)| Error::Internal(format!("at #{ptr}: {why}: analyze it first")))
}

/// Emitted, not yet formatted tokens: the whole module, and per component and operation.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The `types` and `api` modules.
    pub tokens: TokenStream,
    /// Types per component schema (inline types under it included).
    pub schemas: BTreeMap<String, Vec<TokenStream>>,
    /// Code per operation, keyed `METHOD /path`.
    pub operations: BTreeMap<String, TokenStream>,
}

/// Emits tokens for a lowered API (the stage between lowering and formatting).
pub fn emit(api: &Api) -> Emitted {
    emit_with(api, true)
}

/// [`emit`]; without `pieces`, the per-component and per-operation maps are left empty.
fn emit_with(api: &Api, pieces: bool) -> Emitted {
    let mut all_types = Vec::new();
    let mut schemas: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    let params = parameter_types(api);
    for i in 0..api.types.types.len() {
        let mut t = emit_types::emit_type(&api.types, TypeId(i));
        if params.contains(&TypeId(i)) {
            t.extend(emit_types::emit_param_display(&api.types, TypeId(i)));
        }
        if pieces {
            let def = &api.types.types[i];
            let key = def.component.clone().unwrap_or_else(|| def.name.clone());
            schemas.entry(key).or_default().push(t.clone());
        }
        all_types.push(t);
    }
    let (api_tokens, mut operations) = emit_ops::emit_api(api);
    if !pieces {
        operations.clear();
    }
    let tokens = quote! {
        /// Data types for every schema of the API.
        pub mod types {
            #![allow(clippy::large_enum_variant)]
            #(#all_types)*
        }
        #api_tokens
    };
    Emitted { tokens, schemas, operations }
}

/// The named types parameters are made of (through aliases, arrays and union
/// alternatives): the unions among them get a `Display` to be sent as text.
fn parameter_types(api: &Api) -> std::collections::BTreeSet<TypeId> {
    fn visit(api: &Api, t: &TypeRef, out: &mut std::collections::BTreeSet<TypeId>) {
        match t {
            TypeRef::Named(id) if out.insert(*id) => match &api.types.get(*id).kind {
                TypeKind::Alias(inner) => visit(api, inner, out),
                TypeKind::Union { variants } => variants.iter().for_each(|(_, v)| visit(api, v, out)),
                _ => {}
            },
            TypeRef::Vec(inner) | TypeRef::Boxed(inner) => visit(api, inner, out),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for p in api.operations.iter().flat_map(|o| &o.params) {
        visit(api, &p.ty, &mut out);
    }
    out
}

/// Lowers a document, refusing one nested too deep for the recursive stages.
pub fn lower_checked(doc: &Model, lock: Option<&NameLock>) -> Result<Api, Error> {
    // Lowering recurses over the document; analysis reports this as `nesting-too-deep`.
    if let Some(ptr) = crate::check::too_deep(doc.value) {
        return Err(Error::Internal(format!(
            "the document nests more than {} levels deep at #{ptr}: analyze it first",
            crate::check::MAX_DEPTH
        )));
    }
    Ok(ops::lower_api(doc, lock))
}

/// The `// @generated` header line.
fn header(api: &Api) -> String {
    // Escaped: a line break in the title would end the comment and turn the rest into code.
    format!(
        "// @generated by openapi-clientgen {} from \"{}\" version {}. Do not edit.\n\n",
        env!("CARGO_PKG_VERSION"),
        api.title.escape_debug(),
        api.version.escape_debug()
    )
}

/// Formats emitted tokens with prettyplease and adds the `@generated` header (the last stage).
pub fn format(api: Api, emitted: Emitted) -> Result<Generated, Error> {
    let code = header(&api) + &format_tokens(emitted.tokens)?;
    let schemas = emitted
        .schemas
        .into_iter()
        .map(|(k, ts)| Ok((k, format_tokens(quote!(#(#ts)*))?)))
        .collect::<Result<_, Error>>()?;
    let operations =
        emitted.operations.into_iter().map(|(k, ts)| Ok((k, format_tokens(ts)?))).collect::<Result<_, Error>>()?;
    Ok(Generated { api, code, schemas, operations })
}
