//! From an analysed spec to formatted Rust source: lower, emit, format.
//!
//! Pure: returns text and touches no file. `build.rs` and the CLI do the I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::doc_splice;
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
    // The clone is shallow, kept for the error; it makes syn copy the tokens.
    Ok(prettyplease::unparse(&parse_emitted(tokens.clone(), || tokens)?))
}

/// Parses freshly emitted tokens as a Rust file. They are moved into the
/// parser: a handle kept for an error message would make syn copy every
/// token. A failure is a generator bug; `again` emits the same tokens again
/// for its message.
fn parse_emitted(tokens: TokenStream, again: impl FnOnce() -> TokenStream) -> Result<syn::File, Error> {
    syn::parse2(tokens).map_err(|e| Error::Internal(format!("{e}: {}", again())))
}

/// Generates the client for a checked document (one without errors),
/// keeping the public names recorded in `lock` (see [`crate::names_lock`]).
pub fn generate(doc: &Model, lock: Option<&NameLock>) -> Result<Generated, Error> {
    generate_with(doc, lock, None)
}

/// [`generate`] with the modules cut as `chunking` says instead of by the
/// number of cores (the output is the same either way; tests compare).
pub fn generate_with(doc: &Model, lock: Option<&NameLock>, chunking: Option<Chunking>) -> Result<Generated, Error> {
    let api = lower_checked(doc, lock)?;
    let text = format_modules(&api, Layout::Nested, true, chunking)?;
    let mut schemas: BTreeMap<String, String> = BTreeMap::new();
    for (def, piece) in api.types.types.iter().zip(text.type_pieces) {
        let key = def.component.clone().unwrap_or_else(|| def.name.clone());
        schemas.entry(key).or_default().push_str(&piece);
    }
    let code = header(&api) + &text.types + &text.api;
    Ok(Generated { api, code, schemas, operations: text.operations })
}

/// Only the whole module's source, as `build.rs` needs it: formats none of the
/// per-component and per-operation pieces (a third of the time of [`generate`])
/// and does not collect them.
pub fn generate_code(doc: &Model, lock: Option<&NameLock>) -> Result<String, Error> {
    let api = lower_checked(doc, lock)?;
    let text = format_modules(&api, Layout::Nested, false, None)?;
    Ok(header(&api) + &text.types + &text.api)
}

/// Module files: `(module name, text)`.
pub type ModuleFiles = Vec<(String, String)>;

/// The lowered API and the text of each module as a file of its own, for the
/// crate writer: `("types", text)` and `("api", text)`, their docs turned
/// into `//!`.
pub(crate) fn generate_files(
    doc: &Model,
    lock: Option<&NameLock>,
    chunking: Option<Chunking>,
) -> Result<(Api, ModuleFiles), Error> {
    let api = lower_checked(doc, lock)?;
    let text = format_modules(&api, Layout::File, false, chunking)?;
    Ok((api, vec![("types".to_string(), text.types), ("api".to_string(), text.api)]))
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

/// `generate` for a document built in memory (not analyzed): converted to the typed model first.
pub fn generate_value(doc: &Value, lock: Option<&NameLock>) -> Result<Generated, Error> {
    generate(&model_of(doc)?, lock)
}

/// `generate_code` for a document built in memory (not analyzed).
pub fn generate_code_value(doc: &Value, lock: Option<&NameLock>) -> Result<String, Error> {
    generate_code(&model_of(doc)?, lock)
}

/// `generate_with` for a document built in memory, with the crate writer's
/// module texts made the same way (for the tests that compare cuttings).
pub fn generate_value_with(doc: &Value, chunking: Chunking) -> Result<(Generated, ModuleFiles), Error> {
    let model = model_of(doc)?;
    Ok((generate_with(&model, None, Some(chunking))?, generate_files(&model, None, Some(chunking))?.1))
}

/// `lower_checked` for a document built in memory (not analyzed).
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
    let types: TokenStream = (0..api.types.types.len()).map(|i| type_tokens(api, &params, TypeId(i))).collect();
    let mut tokens = Module::Types.around(types);
    tokens.extend(Module::Api.around(emit_ops::emit_api_items(api)));
    tokens
}

/// One type's items: its definition and impls, and `Display` when a parameter is made of it.
fn type_tokens(api: &Api, params: &BTreeSet<TypeId>, id: TypeId) -> TokenStream {
    let mut t = emit_types::emit_type(&api.types, id);
    if params.contains(&id) {
        t.extend(emit_types::emit_param_display(&api.types, id));
    }
    t
}

/// A module of the generated code, as its chunks are wrapped to be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Module {
    Types,
    Api,
}

impl Module {
    /// The module around `items`, with its docs and attributes or (for
    /// every chunk but the first) without.
    fn wrap(self, items: Vec<syn::Item>, with_attrs: bool) -> syn::ItemMod {
        if !with_attrs {
            // Built, not parsed: most chunks are not the first.
            return syn::ItemMod {
                attrs: Vec::new(),
                vis: syn::Visibility::Public(Default::default()),
                unsafety: None,
                mod_token: Default::default(),
                ident: syn::Ident::new(self.name(), proc_macro2::Span::call_site()),
                content: Some((Default::default(), items)),
                semi: None,
            };
        }
        let mut m: syn::ItemMod = match self {
            Module::Types => syn::parse_quote! {
                /// Data types for every schema of the API.
                pub mod types {
                    #![allow(clippy::large_enum_variant)]
                }
            },
            Module::Api => syn::parse_quote! {
                /// Resource accessors and request builders, one per operation.
                pub mod api {
                    #![allow(clippy::too_many_arguments)]
                }
            },
        };
        if let Some((_, content)) = &mut m.content {
            *content = items;
        }
        m
    }

    /// The module with its docs and attributes around `items`, as tokens.
    fn around(self, items: TokenStream) -> TokenStream {
        let wrapper = self.wrap(Vec::new(), true);
        let (inner, outer): (Vec<_>, Vec<_>) =
            wrapper.attrs.iter().partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
        let ident = &wrapper.ident;
        quote! {
            #(#outer)*
            pub mod #ident {
                #(#inner)*
                #items
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Module::Types => "types",
            Module::Api => "api",
        }
    }
}

/// Where a module's text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Inside `pub mod types { .. }`, in one file with the `api` module (`build.rs`, [`generate`]).
    Nested,
    /// As a file of its own, `src/types.rs` of the crate writer.
    File,
}

/// How the modules are cut into chunks formatted independently, on up to
/// `workers` threads. prettyplease prints top-level items one after the
/// other with nothing between them, so the chunks' texts, concatenated, are
/// the text of the whole module (`tests/it/chunked_format.rs` checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    /// Threads formatting chunks (1: the calling thread only).
    pub workers: usize,
    /// Types per chunk of the `types` module (at least 1).
    pub chunk_len: usize,
    /// Units per chunk of the `api` module (at least 1): a resource's struct
    /// and accessors, an operation's builder, the page impls.
    pub api_len: usize,
}

/// At most this many types per chunk when there are several workers (a
/// chunk of types costs about as much to format as one of [`MAX_API_LEN`]
/// api units).
const MAX_CHUNK: usize = 64;
/// At most this many api units per chunk.
const MAX_API_LEN: usize = 8;
/// Below this much work (types, plus 8 per api unit), one thread: a second
/// one saves at most a few milliseconds, and on a virtual machine waking the
/// other core can take as long (measured: the helper started 3-4 ms late in
/// two runs of three on `oai-link-example`).
const MIN_PARALLEL: usize = 128;

impl Chunking {
    /// For `types` types and `units` api units: one worker per core (at most
    /// 4: a `build.rs` runs beside other compilations) unless the work is
    /// small, the work cut in about four chunks per worker so that uneven
    /// chunks even out, and more on large inputs ([`MAX_CHUNK`] types or
    /// [`MAX_API_LEN`] units at most, which also bounds what a chunk holds in
    /// memory).
    pub fn auto(types: usize, units: usize) -> Self {
        // Asked only when it matters: on Linux the answer reads cgroup files.
        let workers = if types + 8 * units < MIN_PARALLEL {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
        };
        Chunking::cut(workers, types, units)
    }

    /// `types` types and `units` api units on `workers` threads (one chunk
    /// per module on one thread).
    pub fn cut(workers: usize, types: usize, units: usize) -> Self {
        if workers <= 1 {
            return Chunking { workers: 1, chunk_len: types.max(1), api_len: units.max(1) };
        }
        let per = |n: usize, max: usize| n.div_ceil(workers * 4).clamp(1, max);
        Chunking { workers, chunk_len: per(types, MAX_CHUNK), api_len: per(units, MAX_API_LEN) }
    }
}

/// The formatted modules and, if asked, the pieces (each type's text by
/// type id; each operation's, keyed `METHOD /path`).
struct ModulesText {
    types: String,
    api: String,
    type_pieces: Vec<String>,
    operations: BTreeMap<String, String>,
}

/// A chunk of work: types (by id) or api units (by index in the plan).
enum Job {
    Types(Range<usize>),
    Api(Range<usize>),
}

/// What a chunk gives: its text and its pieces.
#[derive(Default)]
struct Done {
    text: String,
    type_pieces: Vec<String>,
    operations: Vec<(String, String)>,
}

/// Emits, parses and formats both modules in chunks on `chunking.workers`
/// threads, the calling thread among them (by default as [`Chunking::auto`]
/// says). Token streams cannot cross threads, so each chunk is emitted where
/// it is formatted. The `api` module's head, which imports `types` only if a
/// chunk names it, is done last, on the calling thread.
fn format_modules(api: &Api, layout: Layout, pieces: bool, chunking: Option<Chunking>) -> Result<ModulesText, Error> {
    let params = parameter_types(api);
    let plan = emit_ops::ApiPlan::new(api);
    let (n, units) = (api.types.types.len(), plan.units().len());
    let chunking = chunking.unwrap_or_else(|| Chunking::auto(n, units));
    let (len, api_len) = (chunking.chunk_len.max(1), chunking.api_len.max(1));
    // With no type at all, one empty chunk: the module is still printed.
    let mut jobs: Vec<Job> = (0..n.max(1)).step_by(len).map(|s| Job::Types(s..(s + len).min(n))).collect();
    jobs.extend((0..units).step_by(api_len).map(|s| Job::Api(s..(s + api_len).min(units))));
    // Whether a chunk of the `api` module names `types` (once one does, the others are not searched).
    let names_types = AtomicBool::new(false);
    let run = |job: &Job| -> Result<Done, Error> {
        match job {
            Job::Types(range) => format_types_chunk(api, &params, range.clone(), layout, pieces, n),
            Job::Api(range) => format_api_chunk(&plan, range.clone(), layout, pieces, &names_types),
        }
    };
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else { return done };
            done.push((i, run(job)));
        }
    };
    let mut done = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..chunking.workers.min(jobs.len())).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    let mut out =
        ModulesText { types: String::new(), api: String::new(), type_pieces: Vec::new(), operations: BTreeMap::new() };
    let mut body = String::new();
    for (i, chunk) in done {
        let chunk = chunk?;
        match jobs[i] {
            Job::Types(_) => {
                out.types.push_str(&chunk.text);
                out.type_pieces.extend(chunk.type_pieces);
            }
            Job::Api(_) => {
                body.push_str(&chunk.text);
                out.operations.extend(chunk.operations);
            }
        }
    }
    let uses_types = names_types.into_inner();
    let head = parse_emitted(plan.emit_head(uses_types), || plan.emit_head(uses_types))?.items;
    out.api = print_chunk(Module::Api, head, layout, true, units == 0)? + &body;
    Ok(out)
}

/// The types in `range` (of `n`) emitted, parsed and printed as a chunk of
/// the `types` module, and with `pieces` each type printed on its own too.
fn format_types_chunk(
    api: &Api,
    params: &BTreeSet<TypeId>,
    range: Range<usize>,
    layout: Layout,
    pieces: bool,
    n: usize,
) -> Result<Done, Error> {
    let (first, last) = (range.start == 0, range.end == n);
    // Each piece with the doc comments it holds (`doc_splice`).
    let (emitted, docs) = doc_splice::deferred(|| -> Result<_, Error> {
        let mut items = Vec::new();
        let mut raw_pieces = Vec::new();
        for i in range {
            let from = doc_splice::count();
            let file = parse_emitted(type_tokens(api, params, TypeId(i)), || type_tokens(api, params, TypeId(i)))?;
            if pieces {
                raw_pieces.push((prettyplease::unparse(&file), from, doc_splice::count()));
            }
            items.extend(file.items);
        }
        Ok((items, raw_pieces, doc_splice::count()))
    });
    let (items, raw_pieces, total) = emitted?;
    let type_pieces =
        raw_pieces.iter().map(|(text, from, to)| docs.splice(text, *from, *to)).collect::<Result<_, _>>()?;
    let text = docs.splice(&print_chunk(Module::Types, items, layout, first, last)?, 0, total)?;
    Ok(Done { text, type_pieces, ..Done::default() })
}

/// The api units in `range` emitted, parsed and printed as a chunk of the
/// `api` module (never its first: the head is), and with `pieces` each
/// operation printed on its own too. Sets `names_types` if a unit names the
/// `types` module (searched only while no unit is known to).
fn format_api_chunk(
    plan: &emit_ops::ApiPlan,
    range: Range<usize>,
    layout: Layout,
    pieces: bool,
    names_types: &AtomicBool,
) -> Result<Done, Error> {
    let last = range.end == plan.units().len();
    let units = &plan.units()[range];
    // Each operation's piece with the doc comments it holds (`doc_splice`).
    let (emitted, docs) = doc_splice::deferred(|| -> Result<_, Error> {
        let mut tokens = TokenStream::new();
        let mut raw_operations = Vec::new();
        for &unit in units {
            let from = doc_splice::count();
            let mut t = plan.emit_unit(unit);
            if !names_types.load(Ordering::Relaxed) {
                let (found, back) = emit_ops::names_types(t);
                t = back;
                if found {
                    names_types.store(true, Ordering::Relaxed);
                }
            }
            if pieces {
                // The accessor is emitted again for the piece alone: its docs stay attributes.
                if let Some((key, piece)) = doc_splice::paused(|| plan.operation_piece(unit, t.clone())) {
                    raw_operations.push((key, format_tokens(piece)?, from, doc_splice::count()));
                }
            }
            tokens.extend(t);
        }
        let total = doc_splice::count();
        let again = || units.iter().map(|u| plan.emit_unit(*u)).collect();
        Ok((parse_emitted(tokens, again)?.items, raw_operations, total))
    });
    let (items, raw_operations, total) = emitted?;
    let mut done = Done::default();
    for (key, text, from, to) in raw_operations {
        done.operations.push((key, docs.splice(&text, from, to)?));
    }
    done.text = docs.splice(&print_chunk(Module::Api, items, layout, false, last)?, 0, total)?;
    Ok(done)
}

/// Prints a chunk of `module`'s items. As a file ([`Layout::File`]): the
/// items, after the module's docs and attributes if `first`. Nested: as
/// `pub mod name { .. }` (with its docs), without the opening line unless
/// `first` and without the closing brace unless `last`.
fn print_chunk(
    module: Module,
    items: Vec<syn::Item>,
    layout: Layout,
    first: bool,
    last: bool,
) -> Result<String, Error> {
    if layout == Layout::Nested && !first && items.is_empty() {
        return Ok(if last { "}\n".to_string() } else { String::new() });
    }
    let wrapped = module.wrap(items, first);
    Ok(match layout {
        Layout::File => module_as_file(wrapped),
        Layout::Nested => {
            let text = prettyplease::unparse(&syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: vec![syn::Item::Mod(wrapped)],
            });
            let mut s = text.as_str();
            if !first {
                let open = format!("pub mod {} {{\n", module.name());
                s = s.strip_prefix(open.as_str()).ok_or_else(|| cut_error(module, &text))?;
            }
            if !last {
                s = s.strip_suffix("}\n").ok_or_else(|| cut_error(module, &text))?;
            }
            s.to_string()
        }
    })
}

fn cut_error(module: Module, text: &str) -> Error {
    let start: String = text.chars().take(200).collect();
    Error::Internal(format!(
        "a chunk of the {0} module does not print as `pub mod {0} {{ .. }}`: {start}",
        module.name()
    ))
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
