//! Emitting the client surface: `client.resource().action(args)` returning
//! a request builder with setters for optional parameters and `send()`.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit_types::{doc_attrs, ident, is_text, ty, validation};
use crate::ir::{Api, Operation, Param, ParamIn, QueryStyle, TypeKind, TypeRef};
use crate::naming::{self, Scope};

fn types_prefix() -> TokenStream {
    quote!(types::)
}

/// The builder struct name of an operation, e.g. `InstanceOrgsGet`.
pub fn builder_name(op: &Operation) -> String {
    format!("{}{}", op.resource.to_upper_camel_case(), op.action.to_upper_camel_case())
}

/// The accessor struct name of a resource, e.g. `InstanceOrgsApi`.
pub fn resource_struct(resource: &str) -> String {
    format!("{}Api", resource.to_upper_camel_case())
}

/// The struct names of the `api` module, unique within it: resource structs
/// (by resource) and builders (by `(resource, action)`). Builder names that
/// collide (`a_b.c` and `a.b_c` both give `ABC`, or a builder named like a
/// resource struct, an import or a prelude item) get numbered, in operation order.
pub fn struct_names(api: &Api) -> (BTreeMap<String, String>, BTreeMap<(String, String), String>) {
    // The prelude's names too: a builder named `AsRef` or `Option` would shadow
    // them in code that uses them (an operation id with no letters falls back
    // to its path, `/as_ref` gives `AsRef`: fuzz seed 4182892002).
    let mut scope = Scope::with_reserved(&[&naming::API_MODULE_IMPORTS[..], &naming::TYPES_MODULE[..]].concat());
    let mut resources = BTreeMap::new();
    for op in &api.operations {
        if !resources.contains_key(&op.resource) {
            resources.insert(op.resource.clone(), scope.claim(resource_struct(&op.resource)));
        }
    }
    let builders = api
        .operations
        .iter()
        .map(|op| ((op.resource.clone(), op.action.clone()), scope.claim(builder_name(op))))
        .collect();
    (resources, builders)
}

/// How a parameter is taken by the builder: the stored type and the argument type.
fn param_types(api: &Api, p: &Param) -> (TokenStream, TokenStream) {
    let pre = types_prefix();
    // Path parameters are strings on the wire and validated before sending, so any
    // string-like value (including validated newtypes) is accepted.
    let stringly = match &p.ty {
        TypeRef::String => true,
        TypeRef::Named(id) => {
            p.location == ParamIn::Path && matches!(api.types.get(*id).kind, TypeKind::Newtype { .. })
        }
        _ => false,
    };
    if stringly {
        (quote!(String), quote!(impl Into<String>))
    } else {
        let t = ty(&api.types, &p.ty, &pre);
        (t.clone(), quote!(impl Into<#t>))
    }
}

fn param_doc(p: &Param) -> String {
    let mut s = format!(
        "`{}` ({} parameter",
        p.wire,
        match p.location {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
        }
    );
    if let Some(d) = &p.default {
        s.push_str(&format!(", default `{d}`"));
    }
    s.push(')');
    if let Some(d) = &p.doc {
        s.push_str(": ");
        s.push_str(d);
    }
    s
}

/// `v` (a reference) as the text of a `style: simple` parameter (path,
/// header): a value's `Display`, an array's items comma-joined, a timestamp in
/// RFC 3339; anything else as JSON (`lint` warns: `parameter-not-renderable`).
fn simple_text(api: &Api, p: &Param, v: TokenStream) -> TokenStream {
    // Function-call syntax: `v` is `&self.field` or a `&` binding, and `(&self.field).method()`
    // is clippy's `needless_borrow`.
    let rfc3339 = quote!(chrono::DateTime::to_rfc3339_opts);
    let millis = quote!(chrono::SecondsFormat::Millis, true);
    match resolve(api, &p.ty) {
        TypeRef::DateTime => quote!(#rfc3339(#v, #millis)),
        TypeRef::Vec(item) if matches!(resolve(api, item), TypeRef::DateTime) => {
            quote!(<[_]>::iter(#v).map(|t| #rfc3339(t, #millis)).collect::<Vec<_>>().join(","))
        }
        TypeRef::Vec(item) if is_text(&api.types, item) => {
            quote!(<[_]>::iter(#v).map(ToString::to_string).collect::<Vec<_>>().join(","))
        }
        t if is_text(&api.types, t) => quote!(ToString::to_string(#v)),
        _ => quote!(serde_json::to_string(#v).unwrap_or_default()),
    }
}

/// Statement adding one parameter to `req` (the value is `v`, a reference).
fn add_param(api: &Api, p: &Param, v: TokenStream) -> TokenStream {
    let wire = &p.wire;
    match p.location {
        ParamIn::Path => {
            let rule = validation(&p.validation);
            let (store, _) = param_types(api, p);
            if store.to_string() == "String" {
                quote!(req = req.path_param(#wire, #v, &#rule);)
            } else {
                let text = simple_text(api, p, v);
                quote!(req = req.path_param(#wire, &#text, &#rule);)
            }
        }
        ParamIn::Header => match resolve(api, &p.ty) {
            TypeRef::String if !p.validation.is_empty() => {
                let rule = validation(&p.validation);
                quote!(req = req.validate(#wire, #v, &#rule).header(#wire, #v);)
            }
            TypeRef::DateTime | TypeRef::Vec(_) => {
                let text = simple_text(api, p, v);
                quote!(req = req.header(#wire, #text);)
            }
            t if is_text(&api.types, t) => quote!(req = req.header(#wire, #v);),
            _ => {
                let text = simple_text(api, p, v);
                quote!(req = req.header(#wire, #text);)
            }
        },
        ParamIn::Query => match (&p.style, resolve(api, &p.ty)) {
            (QueryStyle::DeepObject, _) => quote!(req = req.query_deep_object(#wire, #v);),
            (QueryStyle::Json, _) => quote!(req = req.query_json(#wire, #v);),
            (QueryStyle::Form { explode }, TypeRef::Vec(item)) if is_text(&api.types, item) => {
                quote!(req = req.query_list(#wire, #v, #explode);)
            }
            (QueryStyle::Form { .. }, TypeRef::DateTime) => {
                quote!(req = req.query(#wire, &(#v).to_rfc3339_opts(chrono::SecondsFormat::Millis, true));)
            }
            (QueryStyle::Form { .. }, t) if !is_text(&api.types, t) => quote!(req = req.query_json(#wire, #v);),
            (QueryStyle::Form { .. }, _) => {
                if p.validation.is_empty() || !matches!(p.ty, TypeRef::String) {
                    quote!(req = req.query(#wire, #v);)
                } else {
                    let rule = validation(&p.validation);
                    quote!(req = req.validate(#wire, #v, &#rule).query(#wire, #v);)
                }
            }
        },
    }
}

/// Follows named aliases (`pub type X = Vec<String>;`) to the type they stand for.
pub(crate) fn resolve<'t>(api: &'t Api, mut t: &'t TypeRef) -> &'t TypeRef {
    // Bounded: a (malformed) alias cycle must not hang the generator.
    for _ in 0..api.types.types.len() + 1 {
        match t {
            TypeRef::Named(id) => match &api.types.get(*id).kind {
                TypeKind::Alias(inner) => t = inner,
                _ => return t,
            },
            _ => return t,
        }
    }
    t
}

pub(crate) fn is_structured(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::Any | TypeRef::Map(_) => true,
        TypeRef::Named(id) => match &api.types.get(*id).kind {
            TypeKind::Struct { .. } | TypeKind::Union { .. } => true,
            TypeKind::Alias(inner) => is_structured(api, inner),
            _ => false,
        },
        _ => false,
    }
}

/// `text` on one line: a list item's continuation lines would need indenting
/// (rustdoc and clippy's `doc_lazy_continuation`), and a spec's line breaks are not markup.
fn one_line(text: &str) -> String {
    if !text.contains('\n') {
        return text.to_string();
    }
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Rustdoc of an operation method.
fn op_doc(api: &Api, op: &Operation, builder: &str) -> String {
    let mut s = String::new();
    s.push_str(op.summary.as_deref().unwrap_or(&op.id));
    s.push_str("\n\n");
    if let Some(d) = &op.description {
        s.push_str(d);
        s.push_str("\n\n");
    }
    s.push_str(&format!("`{} {}` (operation `{}`)\n\n", op.method, op.path, op.id));
    if !op.params.is_empty() {
        s.push_str("Parameters:\n");
        for p in &op.params {
            let how = if p.required { "argument" } else { "setter" };
            s.push_str(&format!("- `{}` ({how}): {}\n", p.name, one_line(&param_doc(p))));
        }
        s.push('\n');
    }
    if let Some((t, required)) = &op.body {
        let t = ty(&api.types, t, &types_prefix()).to_string().replace(' ', "");
        let t = crate::emit_bodies::body_doc(op, &t, builder).unwrap_or(format!("`{t}`"));
        s.push_str(&format!("Request body: {t}{}.\n\n", if *required { "" } else { " (optional, `body` setter)" }));
    }
    if let Some(d) = &op.default_body {
        let when = if op.body.is_some() { "When the body is not set, sends" } else { "Sends" };
        s.push_str(&format!("{when} `{}` as `{}` (the API's default body).\n\n", d.body, d.content_type));
    }
    match (&op.success.1, &op.success_media) {
        _ if op.raw_success => s.push_str(
            "Success: the spec declares no success response; any 2xx is returned as is \
             (the body as bytes; status and headers with `send_with_response`).\n\n",
        ),
        _ if crate::emit_bodies::events_only(op) => {
            let events = op.events.as_ref().expect("events_only: the operation has events");
            let what = crate::emit_bodies::events_doc(api, events);
            s.push_str(&format!("Success: {} with {what}.\n\n", op.success.0));
        }
        (_, Some(m)) => {
            let t = if m.kind == crate::ir::BodyKind::Text { "String" } else { "bytes::Bytes" };
            s.push_str(&format!("Success: {} with `{t}` (`{}`).\n\n", op.success.0, m.content_type));
        }
        (Some(t), None) => {
            let t = ty(&api.types, t, &types_prefix()).to_string().replace(' ', "");
            s.push_str(&format!("Success: {} with `{t}`.\n\n", op.success.0));
        }
        (None, None) => s.push_str(&format!("Success: {} without a JSON body (`()`).\n\n", op.success.0)),
    }
    if let Some(events) = op.events.as_ref().filter(|_| !crate::emit_bodies::events_only(op)) {
        let what = crate::emit_bodies::events_doc(api, events);
        s.push_str(&format!("Server-sent events: `send_events()` returns {what}.\n\n"));
    }
    s.push_str(
        "Errors: [`Error::Api`] for any status outside 200..=299, with the status \
         and the error body's `type` and `message`",
    );
    if op.errors.is_empty() {
        s.push_str(" (the spec documents none).\n");
    } else {
        s.push_str("; documented:\n");
        for (code, d) in &op.errors {
            s.push_str(&format!("- {code}: {}\n", one_line(d)));
        }
    }
    if op.params.iter().any(|p| !p.validation.is_empty()) {
        s.push_str(
            "\n[`Error::InvalidParameter`] before anything is sent \
             when a parameter fails its validation.\n",
        );
    }
    s
}

/// What a builder holds and how its accessor fills it: the accessor's
/// arguments, the builder's field initializers and its field declarations.
struct Members {
    args: Vec<TokenStream>,
    inits: Vec<TokenStream>,
    fields: Vec<TokenStream>,
}

/// The accessor method of one operation (for its resource's impl), which
/// starts the builder struct named `builder` (see [`struct_names`]).
pub fn emit_accessor(api: &Api, op: &Operation, builder: &str) -> TokenStream {
    let body_ty = crate::emit_bodies::body_types(api, op, builder);
    let Members { args, inits, .. } = members(api, op, &body_ty);
    let doc = doc_attrs(Some(&op_doc(api, op, builder)));
    let action = ident(&op.action);
    let builder = format_ident!("{}", builder);
    quote! {
        #doc
        pub fn #action(&self, #(#args),*) -> #builder<'a> {
            #builder { client: self.client, #(#inits,)* }
        }
    }
}

fn members(api: &Api, op: &Operation, body_ty: &Option<(TokenStream, TokenStream)>) -> Members {
    let required: Vec<&Param> = op.params.iter().filter(|p| p.required).collect();
    let optional: Vec<&Param> = op.params.iter().filter(|p| !p.required).collect();

    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut fields = Vec::new();
    for p in &required {
        let n = ident(&p.name);
        let (store, arg) = param_types(api, p);
        args.push(quote!(#n: #arg));
        inits.push(quote!(#n: #n.into()));
        fields.push(quote!(#n: #store,));
    }
    for p in &optional {
        let n = ident(&p.name);
        let (store, _) = param_types(api, p);
        inits.push(quote!(#n: None));
        fields.push(quote!(#n: Option<#store>,));
    }
    let into = if crate::emit_bodies::body_into(op) { quote!(.into()) } else { quote!() };
    match (&op.body, body_ty) {
        (Some((_, true)), Some((t, arg))) => {
            args.push(quote!(body: #arg));
            inits.push(if into.is_empty() { quote!(body) } else { quote!(body: body #into) });
            fields.push(quote!(body: #t,));
        }
        (Some((_, false)), Some((t, _))) => {
            inits.push(quote!(body: None));
            fields.push(quote!(body: Option<#t>,));
        }
        _ => {}
    }
    Members { args, inits, fields }
}

/// The builder struct named `builder` of one operation (see [`struct_names`]):
/// its setters, the request it describes and `send`.
pub fn emit_builder(api: &Api, op: &Operation, builder: &str) -> TokenStream {
    let multipart = crate::emit_bodies::multipart_struct(api, op, builder);
    let body_ty = crate::emit_bodies::body_types(api, op, builder);
    let Members { fields, .. } = members(api, op, &body_ty);
    let builder = format_ident!("{}", builder);
    let into = if crate::emit_bodies::body_into(op) { quote!(.into()) } else { quote!() };

    let setters = op.params.iter().filter(|p| !p.required).map(|p| {
        let n = ident(&p.name);
        let (_, arg) = param_types(api, p);
        let d = doc_attrs(Some(&format!("Sets {}", param_doc(p))));
        quote! {
            #d
            pub fn #n(mut self, value: #arg) -> Self {
                self.#n = Some(value.into());
                self
            }
        }
    });
    let body_setter = match (&op.body, &body_ty) {
        (Some((_, false)), Some((_, arg))) => quote! {
            /// Sets the request body.
            pub fn body(mut self, value: #arg) -> Self {
                self.body = Some(value #into);
                self
            }
        },
        _ => quote!(),
    };

    let method = format_ident!("{}", op.method);
    let path = &op.path;
    let id = &op.id;
    let adds: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let n = ident(&p.name);
            if p.required {
                add_param(api, p, quote!(&self.#n))
            } else {
                let stmt = add_param(api, p, quote!(v));
                quote!(if let Some(v) = &self.#n { #stmt })
            }
        })
        .collect();
    // A body's own constraints (lengths, patterns, ranges) are checked before sending,
    // like path parameters: a failure is returned by `send()` and nothing goes out.
    let body_add = match &op.body {
        Some((_, true)) => crate::emit_bodies::set_body(api, op, quote!(&self.body), quote!(self.body)),
        Some((_, false)) => {
            let set = crate::emit_bodies::set_body(api, op, quote!(v), quote!(v));
            quote!(if let Some(v) = &self.body { #set })
        }
        None => quote!(),
    };
    let accept = crate::emit_bodies::accept(op);
    let default_body = op.default_body.as_ref().map(|d| {
        let (ct, bytes) = (&d.content_type, proc_macro2::Literal::byte_string(d.body.as_bytes()));
        quote!(.default_body(#ct, #bytes))
    });
    let conventions = crate::emit_client::request_additions(&api.conventions, op);
    let new_request =
        quote!(Request::new(reqwest::Method::#method, #path).operation_id(#id) #default_body #conventions);
    // Nothing to add: no `let mut` (it would warn `unused_mut` and `let_and_return`).
    let request_body = if adds.is_empty() && op.body.is_none() && accept.is_empty() {
        new_request
    } else {
        quote! {
            let mut req = #new_request;
            #(#adds)*
            #body_add
            #accept
            req
        }
    };
    let pre = types_prefix();
    let (out, execute, status_doc, send_stream) = match crate::emit_bodies::success(op) {
        // Without any declared success response, the body is returned as is.
        _ if op.raw_success => (
            quote!(Vec<u8>),
            quote!(self.client.execute_raw(self.request()).await),
            " Sends the request; `Ok` holds the raw body of any 2xx response (the spec declares none).".to_string(),
            quote!(),
        ),
        Some(read) => read,
        None if crate::emit_bodies::events_only(op) => {
            let events = op.events.as_ref().expect("events_only: the operation has events");
            let doc = format!(
                " Sends the request; `Ok` holds {}. The client's timeout bounds each wait for the \
                 next chunk, not the whole stream; nothing reconnects.",
                crate::emit_bodies::events_doc(api, events)
            );
            (
                crate::emit_bodies::events_type(api, events),
                crate::emit_bodies::execute_events(events, quote!(self.request())),
                doc,
                quote!(),
            )
        }
        None => {
            let out = match &op.success.1 {
                Some(t) => ty(&api.types, t, &pre),
                None => quote!(()),
            };
            // Without a JSON success body, whatever the server sends (nothing, `{}`, text) is ignored.
            let execute = match &op.success.1 {
                Some(_) => quote!(self.client.execute(self.request()).await),
                None => quote!(self.client.execute_raw(self.request()).await.map(|r| r.map(|_| ()))),
            };
            let status_doc = match &op.success.1 {
                Some(_) => format!(" Sends the request; `Ok` holds the decoded {} body.", op.success.0),
                None => format!(" Sends the request; `Ok(())` on success ({}; any body is ignored).", op.success.0),
            };
            (out, execute, status_doc, quote!())
        }
    };
    let stream = op.paginated.as_ref().map(|item| paginate(api, op, item));
    let send_events = crate::emit_bodies::send_events(api, op);
    // The media type name in it is the spec's text.
    let status_doc_safe = crate::emit_types::doc_line(&crate::emit_types::doc_safe(&status_doc));
    let builder_doc = crate::emit_types::doc_line(&crate::emit_types::doc_safe(&format!(
        " Request builder for `{}` (`{} {}`). Does nothing until sent.",
        op.id, op.method, op.path
    )));
    quote! {
        #multipart
        #builder_doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send().await`"]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#fields)*
        }
        impl<'a> #builder<'a> {
            #(#setters)*
            #body_setter
            /// The HTTP request this builder describes (validation errors surface when it is executed).
            pub fn request(&self) -> Request {
                #request_body
            }
            #status_doc_safe
            pub async fn send(self) -> Result<#out, Error> {
                self.send_with_response().await.map(ApiResponse::into_body)
            }
            /// Sends the request and returns the status and headers along with the decoded body.
            pub async fn send_with_response(self) -> Result<ApiResponse<#out>, Error> {
                #execute
            }
            #send_stream
            #send_events
            #stream
        }
    }
}

fn paginate(api: &Api, op: &Operation, item: &TypeRef) -> TokenStream {
    let item_t = ty(&api.types, item, &types_prefix());
    let page = op.params.iter().find(|p| p.wire == "page").map(|p| ident(&p.name));
    let page_is_int = op.params.iter().any(|p| p.wire == "page" && matches!(p.ty, TypeRef::Integer(_)));
    let set = if page_is_int { quote!(i64::try_from(page).unwrap_or(i64::MAX)) } else { quote!(page.to_string()) };
    let first = if page_is_int {
        quote!(self.#page.and_then(|p| u64::try_from(p).ok()).unwrap_or(0))
    } else {
        quote!(self.#page.as_deref().and_then(|p| p.parse::<u64>().ok()).unwrap_or(0))
    };
    quote! {
        /// Streams every item across all pages, starting at the page set on this builder (default 0).
        pub fn stream(self) -> impl futures::Stream<Item = Result<#item_t, Error>> + 'a {
            let first = #first;
            super::runtime::paginate(first, move |page| {
                let next = self.clone().#page(#set);
                async move { next.send().await }
            })
        }
    }
}

/// `impl Page` for every response type used by a paginated operation.
pub fn emit_pages(api: &Api) -> TokenStream {
    let mut seen = BTreeMap::new();
    for op in &api.operations {
        if let (Some(item), Some(TypeRef::Named(id))) = (&op.paginated, &op.success.1) {
            seen.insert(*id, item.clone());
        }
    }
    let pre = types_prefix();
    let impls = seen.into_iter().map(|(id, item)| {
        let def = api.types.get(id);
        let n = format_ident!("{}", def.name);
        let item_t = ty(&api.types, &item, &pre);
        let TypeKind::Struct { fields, .. } = &def.kind else { return quote!() };
        let get = |wire: &str| fields.iter().find(|f| f.wire == wire);
        let count = |wire: &str| match get(wire) {
            Some(f) if matches!(f.ty, TypeRef::Integer(_)) => {
                let fname = ident(&f.name);
                if f.required && !f.nullable {
                    quote!(u64::try_from(self.#fname).ok())
                } else {
                    quote!(self.#fname.and_then(|v| u64::try_from(v).ok()))
                }
            }
            _ => quote!(None),
        };
        let items = match get("items") {
            Some(f) if f.required && !f.nullable => {
                let fname = ident(&f.name);
                quote!(self.#fname)
            }
            Some(f) => {
                let fname = ident(&f.name);
                quote!(self.#fname.unwrap_or_default())
            }
            None => quote!(Vec::new()),
        };
        let (total, per_page) = (count("totalCount"), count("perPage"));
        quote! {
            impl super::runtime::Page for #pre #n {
                type Item = #item_t;
                fn into_items(self) -> Vec<Self::Item> {
                    #items
                }
                fn total_count(&self) -> Option<u64> {
                    #total
                }
                fn per_page(&self) -> Option<u64> {
                    #per_page
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// The `api` module cut into units that are emitted, parsed and printed on
/// their own (and so on any thread, see `generate`): each resource's struct
/// and accessor impl, each operation's builder, the page impls. The module's
/// head (imports, the client's conventions, the resource accessors on
/// `Client`) comes first in the module but depends on the units (whether
/// they name `types`), so it is emitted last, by [`ApiPlan::emit_head`].
#[derive(Debug)]
pub struct ApiPlan<'a> {
    api: &'a Api,
    /// Resources in name order, each with its struct name and operations.
    resources: Vec<(&'a str, String, Vec<&'a Operation>)>,
    /// Builder struct names by `(resource, action)`.
    builders: BTreeMap<(String, String), String>,
    units: Vec<ApiUnit>,
}

/// A unit of the `api` module (indexes into [`ApiPlan`]'s resources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiUnit {
    /// The resource's struct and its impl of accessors.
    Resource(usize),
    /// The builder of the resource's operation (resource, operation).
    Builder(usize, usize),
    /// The impls of `Page` for paginated responses.
    Pages,
}

impl<'a> ApiPlan<'a> {
    /// The units of `api`'s module, in the module's order.
    pub fn new(api: &'a Api) -> Self {
        let mut per_resource: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
        for op in &api.operations {
            per_resource.entry(&op.resource).or_default().push(op);
        }
        let (mut names, builders) = struct_names(api);
        let resources: Vec<_> =
            per_resource.into_iter().map(|(res, ops)| (res, names.remove(res).unwrap_or_default(), ops)).collect();
        let mut units = Vec::new();
        for (r, (_, _, ops)) in resources.iter().enumerate() {
            units.push(ApiUnit::Resource(r));
            units.extend((0..ops.len()).map(|o| ApiUnit::Builder(r, o)));
        }
        if api.operations.iter().any(|op| op.paginated.is_some()) {
            units.push(ApiUnit::Pages);
        }
        ApiPlan { api, resources, builders, units }
    }

    /// Every unit, in the module's order.
    pub fn units(&self) -> &[ApiUnit] {
        &self.units
    }

    fn builder(&self, op: &Operation) -> &str {
        &self.builders[&(op.resource.clone(), op.action.clone())]
    }

    /// The items of one unit.
    pub fn emit_unit(&self, unit: ApiUnit) -> TokenStream {
        let api = self.api;
        match unit {
            ApiUnit::Resource(r) => {
                let (res, name, ops) = &self.resources[r];
                let rs = format_ident!("{}", name);
                let d = crate::emit_types::doc_line(&resource_doc(res, ops));
                let methods = ops.iter().map(|op| emit_accessor(api, op, self.builder(op)));
                quote! {
                    #d
                    #[derive(Debug, Clone, Copy)]
                    pub struct #rs<'a> {
                        client: &'a Client,
                    }
                    impl<'a> #rs<'a> {
                        #(#methods)*
                    }
                }
            }
            ApiUnit::Builder(r, o) => {
                let op = self.resources[r].2[o];
                emit_builder(api, op, self.builder(op))
            }
            ApiUnit::Pages => emit_pages(api),
        }
    }

    /// For a builder unit, the operation's own piece, keyed `METHOD /path`:
    /// its accessor in an impl of its resource struct, and its builder.
    pub fn operation_piece(&self, unit: ApiUnit, builder: TokenStream) -> Option<(String, TokenStream)> {
        let ApiUnit::Builder(r, o) = unit else { return None };
        let (_, name, ops) = &self.resources[r];
        let op = ops[o];
        let rs = format_ident!("{}", name);
        let m = emit_accessor(self.api, op, self.builder(op));
        Some((format!("{} {}", op.method, op.path), quote!(impl<'a> #rs<'a> { #m } #builder)))
    }

    /// The module's first items: imports (`types` only if `uses_types`, or
    /// it would be an unused import), the client's conventions and the
    /// resource accessors on `Client`.
    pub fn emit_head(&self, uses_types: bool) -> TokenStream {
        let accessors = self.resources.iter().map(|(res, name, ops)| {
            let rs = format_ident!("{}", name);
            let acc = ident(res);
            let d = resource_doc(res, ops);
            quote! {
                #[doc = #d]
                pub fn #acc(&self) -> #rs<'_> {
                    #rs { client: self }
                }
            }
        });
        let types_import = if uses_types {
            quote!(
                use super::types;
            )
        } else {
            quote!()
        };
        let client = crate::emit_client::emit_client(&self.api.conventions);
        quote! {
            use super::runtime::{ApiResponse, Client, Error, Request};
            #types_import

            #client
            impl Client {
                #(#accessors)*
            }
        }
    }
}

fn resource_doc(res: &str, ops: &[&Operation]) -> String {
    format!(" Operations on `{res}`: {}.", ops.iter().map(|o| format!("`{}`", o.action)).collect::<Vec<_>>().join(", "))
}

/// Whether `tokens` name the `types` module (a path `types::..`, not a field,
/// argument or text of that name), and the tokens back unchanged: they are
/// moved through the search, not copied (iterating a stream that is also
/// kept elsewhere would copy every token).
pub fn names_types(tokens: TokenStream) -> (bool, TokenStream) {
    let mut found = false;
    let tokens = search_types(tokens, &mut found);
    (found, tokens)
}

fn search_types(tokens: TokenStream, found: &mut bool) -> TokenStream {
    use proc_macro2::{Group, Spacing, TokenTree};
    let mut out = Vec::new();
    let mut after_types = false;
    for tree in tokens {
        let tree = match tree {
            TokenTree::Group(g) if !*found => {
                let (delimiter, span, inner) = (g.delimiter(), g.span(), g.stream());
                // The group's own handle goes first, so `inner` is the only one and moves.
                drop(g);
                let mut group = Group::new(delimiter, search_types(inner, found));
                group.set_span(span);
                TokenTree::Group(group)
            }
            TokenTree::Punct(p) => {
                *found |= after_types && p.as_char() == ':' && p.spacing() == Spacing::Joint;
                TokenTree::Punct(p)
            }
            other => other,
        };
        after_types = matches!(&tree, TokenTree::Ident(i) if i == "types");
        out.push(tree);
    }
    out.into_iter().collect()
}

/// The `api` module's items whole, on one thread: resource accessors on
/// `Client`, resource structs, builders (`generate` puts the module around them).
pub fn emit_api_items(api: &Api) -> TokenStream {
    let plan = ApiPlan::new(api);
    let mut uses_types = false;
    let units: Vec<TokenStream> = plan
        .units()
        .iter()
        .map(|u| {
            let (found, tokens) = names_types(plan.emit_unit(*u));
            uses_types |= found;
            tokens
        })
        .collect();
    let head = plan.emit_head(uses_types);
    quote! {
        #head
        #(#units)*
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `names_types`, checking that the tokens come back unchanged.
    fn found(tokens: TokenStream) -> bool {
        let text = tokens.to_string();
        let (found, back) = names_types(tokens);
        assert_eq!(back.to_string(), text, "the tokens come back unchanged");
        found
    }

    #[test]
    fn names_types_finds_the_module_path_only() {
        assert!(found(quote!(
            pub fn a(&self) -> Option<Vec<types::Pet>> {
                None
            }
        )));
        assert!(found(quote!(impl A { fn b(x: impl Into<types::Id>) {} })));
        // A field or argument named `types`, a doc or string mentioning the path: not the module.
        assert!(!found(quote!(
            struct B {
                types: Vec<String>,
            }
            fn c(&self) -> usize {
                self.types.len()
            }
        )));
        assert!(!found(quote!(
            #[doc = " Returns `types::Pet`."]
            fn d() -> &'static str {
                "/types::x"
            }
        )));
        assert!(!found(quote!(
            fn e(types: u8) -> u8 {
                types
            }
        )));
    }
}
