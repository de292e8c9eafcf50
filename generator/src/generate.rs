//! From an analysed spec to formatted Rust source: lower, emit, format.
//!
//! Pure: returns text and touches no file. `build.rs` and the CLI do the I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    generate_with(doc, lock, None)
}

/// [`generate`] with the `types` module cut as `chunking` says instead of by
/// the number of cores (the output is the same either way; tests compare).
pub fn generate_with(doc: &Model, lock: Option<&NameLock>, chunking: Option<Chunking>) -> Result<Generated, Error> {
    let api = lower_checked(doc, lock)?;
    let chunking = chunking.unwrap_or_else(|| Chunking::auto(api.types.types.len()));
    let (types, rest) = format_types(&api, Layout::Nested, true, chunking, || {
        let (tokens, operations) = emit_ops::emit_api(&api);
        let operations: BTreeMap<String, String> =
            operations.into_iter().map(|(k, ts)| Ok((k, format_tokens(ts)?))).collect::<Result<_, Error>>()?;
        Ok::<_, Error>((format_tokens(tokens)?, operations))
    });
    let (types, (api_code, operations)) = (types?, rest?);
    let mut schemas: BTreeMap<String, String> = BTreeMap::new();
    for (def, text) in api.types.types.iter().zip(types.pieces) {
        let key = def.component.clone().unwrap_or_else(|| def.name.clone());
        schemas.entry(key).or_default().push_str(&text);
    }
    let code = header(&api) + &types.code + &api_code;
    Ok(Generated { api, code, schemas, operations })
}

/// Only the whole module's source, as `build.rs` needs it: formats none of the
/// per-component and per-operation pieces (a third of the time of [`generate`])
/// and does not collect them.
pub fn generate_code(doc: &Model, lock: Option<&NameLock>) -> Result<String, Error> {
    let api = lower_checked(doc, lock)?;
    let chunking = Chunking::auto(api.types.types.len());
    let (types, rest) =
        format_types(&api, Layout::Nested, false, chunking, || format_tokens(emit_ops::emit_api(&api).0));
    Ok(header(&api) + &types?.code + &rest?)
}

/// Module files: `(Some(module name), text)`, or `(None, text)` for items at the crate root.
pub type ModuleFiles = Vec<(Option<String>, String)>;

/// The lowered API and the text of each module as a file of its own, for the
/// crate writer: `(Some("types"), text)`, `(Some("api"), text)` (their docs
/// turned into `//!`), then `(None, text)` for top-level items if there are any.
pub(crate) fn generate_files(
    doc: &Model,
    lock: Option<&NameLock>,
    chunking: Option<Chunking>,
) -> Result<(Api, ModuleFiles), Error> {
    let api = lower_checked(doc, lock)?;
    let chunking = chunking.unwrap_or_else(|| Chunking::auto(api.types.types.len()));
    let (types, rest) = format_types(&api, Layout::File, false, chunking, || {
        Ok::<_, Error>(split_modules(parse_tokens(emit_ops::emit_api(&api).0)?))
    });
    let mut files = vec![(Some("types".to_string()), types?.code)];
    files.extend(rest?);
    Ok((api, files))
}

/// Splits syntax into its public inline modules (`pub mod api { .. }` becomes
/// `("api", file text)`, its outer docs turned into `//!`) and the remaining
/// top-level items (`(None, text)`), formatting each once.
fn split_modules(file: syn::File) -> ModuleFiles {
    let mut out = Vec::new();
    let mut rest = Vec::new();
    for item in file.items {
        match item {
            syn::Item::Mod(m) if m.content.is_some() && matches!(m.vis, syn::Visibility::Public(_)) => {
                let name = m.ident.to_string();
                out.push((Some(name), module_as_file(m)));
            }
            other => rest.push(other),
        }
    }
    if !rest.is_empty() {
        out.push((None, prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items: rest })));
    }
    out
}

/// An inline module's contents printed as a file: its attributes (outer docs
/// included) become inner ones.
fn module_as_file(m: syn::ItemMod) -> String {
    let attrs = m
        .attrs
        .into_iter()
        .map(|mut a| {
            a.style = syn::AttrStyle::Inner(Default::default());
            a
        })
        .collect();
    let items = m.content.map(|(_, items)| items).unwrap_or_default();
    prettyplease::unparse(&syn::File { shebang: None, attrs, items })
}

/// [`generate`] for a document built in memory (not analyzed): converted to the typed model first.
pub fn generate_value(doc: &Value, lock: Option<&NameLock>) -> Result<Generated, Error> {
    generate(&model_of(doc)?, lock)
}

/// [`generate_code`] for a document built in memory (not analyzed).
pub fn generate_code_value(doc: &Value, lock: Option<&NameLock>) -> Result<String, Error> {
    generate_code(&model_of(doc)?, lock)
}

/// [`generate_with`] for a document built in memory, with the crate writer's
/// module texts made the same way (for the tests that compare cuttings).
pub fn generate_value_with(doc: &Value, chunking: Chunking) -> Result<(Generated, ModuleFiles), Error> {
    let model = model_of(doc)?;
    Ok((generate_with(&model, None, Some(chunking))?, generate_files(&model, None, Some(chunking))?.1))
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

/// Emits the whole module's tokens (`types`, then `api`) on one thread, not
/// formatted: the emission stage alone, for the benchmarks.
pub fn emit(api: &Api) -> TokenStream {
    let params = parameter_types(api);
    let types = (0..api.types.types.len()).map(|i| type_tokens(api, &params, TypeId(i)));
    let wrapper = types_module(Vec::new(), true);
    let (inner, outer): (Vec<_>, Vec<_>) =
        wrapper.attrs.iter().partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
    let ident = &wrapper.ident;
    let api_tokens = emit_ops::emit_api(api).0;
    quote! {
        #(#outer)*
        pub mod #ident {
            #(#inner)*
            #(#types)*
        }
        #api_tokens
    }
}

/// One type's items: its definition and impls, and `Display` when a parameter is made of it.
fn type_tokens(api: &Api, params: &BTreeSet<TypeId>, id: TypeId) -> TokenStream {
    let mut t = emit_types::emit_type(&api.types, id);
    if params.contains(&id) {
        t.extend(emit_types::emit_param_display(&api.types, id));
    }
    t
}

/// The `types` module around `items`, with its docs and attributes or (for
/// every chunk but the first) without.
fn types_module(items: Vec<syn::Item>, with_attrs: bool) -> syn::ItemMod {
    let mut m: syn::ItemMod = syn::parse_quote! {
        /// Data types for every schema of the API.
        pub mod types {
            #![allow(clippy::large_enum_variant)]
        }
    };
    if !with_attrs {
        m.attrs.clear();
    }
    if let Some((_, content)) = &mut m.content {
        *content = items;
    }
    m
}

/// Where the `types` module's text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Inside `pub mod types { .. }`, in one file with the `api` module (`build.rs`, [`generate`]).
    Nested,
    /// As a file of its own, `src/types.rs` of the crate writer.
    File,
}

/// How the `types` module is cut into chunks formatted independently, on up
/// to `workers` threads. prettyplease prints top-level items one after the
/// other with nothing between them, so the chunks' texts, concatenated, are
/// the text of the whole module (`tests/it/chunked_format.rs` checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    /// Threads formatting chunks (1: the calling thread only).
    pub workers: usize,
    /// Types per chunk (at least 1).
    pub chunk_len: usize,
}

/// Below this many types, one chunk: a thread would cost more than it saves.
const MIN_CHUNK: usize = 64;

impl Chunking {
    /// One worker per core (at most 4), about four chunks per worker so that
    /// uneven chunks even out, none smaller than [`MIN_CHUNK`] types.
    pub fn auto(types: usize) -> Self {
        // Asked only when it matters: on Linux the answer reads cgroup files.
        let workers =
            if types < 2 * MIN_CHUNK { 1 } else { std::thread::available_parallelism().map_or(1, |n| n.get()).min(4) };
        Chunking { workers, chunk_len: types.div_ceil(workers * 4).max(MIN_CHUNK) }
    }
}

/// The formatted `types` module and, if asked, each type's own text (by type id).
struct TypesText {
    code: String,
    pieces: Vec<String>,
}

/// Emits, parses and formats the `types` module in chunks on `chunking.workers`
/// threads, while the calling thread runs `alongside` (the `api` module) and
/// then takes chunks too. Token streams cannot cross threads, so each chunk is
/// emitted where it is formatted.
fn format_types<R>(
    api: &Api,
    layout: Layout,
    pieces: bool,
    chunking: Chunking,
    alongside: impl FnOnce() -> R,
) -> (Result<TypesText, Error>, R) {
    let params = parameter_types(api);
    let n = api.types.types.len();
    let len = chunking.chunk_len.max(1);
    // With no type at all, one empty chunk: the module is still printed.
    let ranges: Vec<Range<usize>> = (0..n.max(1)).step_by(len).map(|s| s..(s + len).min(n)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        while let Some(range) = ranges.get(next.fetch_add(1, Ordering::Relaxed)) {
            let (first, is_last) = (range.start == 0, range.end == n);
            done.push((range.start, format_chunk(api, &params, range.clone(), layout, pieces, first, is_last)));
        }
        done
    };
    let (mut done, other) = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..chunking.workers.min(ranges.len())).map(|_| s.spawn(work)).collect();
        let other = alongside();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        (done, other)
    });
    done.sort_by_key(|(start, _)| *start);
    let mut out = TypesText { code: String::new(), pieces: Vec::new() };
    for (_, chunk) in done {
        match chunk {
            Ok((code, pieces)) => {
                out.code.push_str(&code);
                out.pieces.extend(pieces);
            }
            Err(e) => return (Err(e), other),
        }
    }
    (Ok(out), other)
}

/// One chunk of the `types` module: the types in `range` emitted, parsed and
/// printed (for [`Layout::Nested`], without the module's opening line unless
/// `first` and without its closing brace unless `last`), and with `pieces`
/// each type printed on its own too.
fn format_chunk(
    api: &Api,
    params: &BTreeSet<TypeId>,
    range: Range<usize>,
    layout: Layout,
    pieces: bool,
    first: bool,
    last: bool,
) -> Result<(String, Vec<String>), Error> {
    let mut items = Vec::new();
    let mut texts = Vec::new();
    for i in range {
        let file = parse_tokens(type_tokens(api, params, TypeId(i)))?;
        if pieces {
            texts.push(prettyplease::unparse(&file));
        }
        items.extend(file.items);
    }
    let module = types_module(items, first);
    let text = match layout {
        Layout::File => module_as_file(module),
        Layout::Nested => {
            let text = prettyplease::unparse(&syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: vec![syn::Item::Mod(module)],
            });
            let mut s = text.as_str();
            if !first {
                s = s.strip_prefix("pub mod types {\n").ok_or_else(|| cut_error(&text))?;
            }
            if !last {
                s = s.strip_suffix("}\n").ok_or_else(|| cut_error(&text))?;
            }
            s.to_string()
        }
    };
    Ok((text, texts))
}

fn cut_error(text: &str) -> Error {
    let start: String = text.chars().take(200).collect();
    Error::Internal(format!("a chunk of the types module does not print as `pub mod types {{ .. }}`: {start}"))
}

/// The named types parameters are made of (through aliases, arrays and union
/// alternatives): the unions among them get a `Display` to be sent as text.
fn parameter_types(api: &Api) -> BTreeSet<TypeId> {
    fn visit(api: &Api, t: &TypeRef, out: &mut BTreeSet<TypeId>) {
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
    let mut out = BTreeSet::new();
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
