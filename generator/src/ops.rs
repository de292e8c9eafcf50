//! Lowering operations: names, parameters, bodies, responses, pagination.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::check::template_params;
use crate::extensions::{self, DefaultBodyRule};
use crate::ir::{Api, Conventions, Operation, Param, ParamIn, QueryStyle, TypeKind, TypeRef};
use crate::lower::{self, Lowerer};
use crate::names_lock::{self, NameLock};
use crate::naming::{self, Scope};
use crate::pointer;
use crate::security;
use crate::walk;

/// Builder methods and fields every operation has (`clone` is called by
/// `stream`, `body` holds the request body); parameters are renamed around them.
/// Also the operator methods a by-value setter would look like to clippy
/// (`should_implement_trait`: `fn add(self, value) -> Self`).
const BUILDER_METHODS: [&str; 18] = [
    "send",
    "send_with_response",
    "stream",
    "client",
    "new",
    "request",
    "body",
    "clone",
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "shl",
    "shr",
    "bitand",
    "bitor",
    "bitxor",
];

/// Inherent methods of the runtime's `Client` (public and private: both clash
/// with an accessor of the same name) and trait methods an accessor would
/// shadow. A resource with one of these names gets an `_ops` suffix.
const CLIENT_METHODS: [&str; 16] = [
    "attempt",
    "base_url",
    "borrow",
    "builder",
    "clone",
    "default",
    "execute",
    "execute_raw",
    "fmt",
    "from_inner",
    "headers_for",
    "into",
    "new",
    "run",
    "to_owned",
    "url_for",
];

/// Lowers a checked document into the IR.
pub fn lower_api(doc: &Value) -> Api {
    lower_api_with_lock(doc, None)
}

/// Like [`lower_api`], keeping the public names recorded in `lock` (see
/// [`crate::names_lock`]) for identities that still exist.
pub fn lower_api_with_lock(doc: &Value, lock: Option<&NameLock>) -> Api {
    let mut lw = Lowerer::with_lock(doc, lock);
    // Names for inline operation schemas come from the operation, so set hints first.
    let ops: Vec<(String, String, String, String)> = walk::operations(doc)
        .into_iter()
        .map(|(path, method, ptr)| {
            let id = operation_id(doc, &path, &method, &ptr);
            (path, method, ptr, id)
        })
        .collect();
    for (_, _, ptr, id) in &ops {
        let base = naming::type_name(id);
        let op = pointer::get_ptr(doc, ptr).unwrap_or(&Value::Null);
        for (mt_ptr, _) in json_schemas(op.get("requestBody"), &format!("{ptr}/requestBody")) {
            lw.hints.insert(mt_ptr, format!("{base}Body"));
        }
        for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            let rp = pointer::join(&format!("{ptr}/responses"), code);
            for (mt_ptr, _) in json_schemas(Some(r), &rp) {
                lw.hints.insert(mt_ptr, format!("{base}Response{code}"));
            }
        }
    }
    lw.lower_components();
    // A malformed extension is reported by analysis (`check`); lowering then ignores it.
    let default_body = extensions::default_body(doc).ok().flatten();
    let mut operations: Vec<Operation> =
        ops.iter().map(|(p, m, ptr, id)| lower_op(&mut lw, doc, (p, m, ptr, id), default_body.as_ref())).collect();
    operations.sort_by(|a, b| (&a.resource, &a.action).cmp(&(&b.resource, &b.action)));
    dedupe_names(&mut operations, lock);

    let mut space = lw.space;
    lower::break_cycles(&mut space);
    let req: Vec<TypeRef> = operations
        .iter()
        .flat_map(|o| o.body.iter().map(|(t, _)| t.clone()).chain(o.params.iter().map(|p| p.ty.clone())))
        .collect();
    let resp: Vec<TypeRef> = operations.iter().filter_map(|o| o.success.1.clone()).collect();
    lower::mark_usage(&mut space, &req, true);
    lower::mark_usage(&mut space, &resp, false);
    let conventions = conventions(doc);
    for op in &mut operations {
        if op.security.as_ref() == Some(&conventions.security) {
            op.security = None;
        }
    }
    Api {
        title: doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API").to_string(),
        version: doc.pointer("/info/version").and_then(Value::as_str).unwrap_or("0").to_string(),
        server: doc.pointer("/servers/0/url").and_then(Value::as_str).map(str::to_string),
        conventions,
        types: space,
        operations,
    }
}

/// The API's wire conventions (a malformed extension, reported by analysis, is ignored).
fn conventions(doc: &Value) -> Conventions {
    Conventions {
        base_url: base_url(doc),
        user_agent: extensions::user_agent(doc).ok().flatten(),
        tracing_span: extensions::tracing_span(doc).ok().flatten(),
        headers: extensions::client_headers(doc).unwrap_or_default(),
        default_query: extensions::default_query(doc).unwrap_or_default(),
        security_schemes: security::schemes(doc).0,
        security: doc.get("security").and_then(security::requirements).unwrap_or_default(),
    }
}

/// The first server's URL with `{variables}` replaced by their defaults, when
/// that is an absolute `http(s)` URL.
pub fn base_url(doc: &Value) -> Option<String> {
    let server = doc.pointer("/servers/0")?;
    let mut url = server.get("url")?.as_str()?.to_string();
    for (name, var) in server.get("variables").and_then(Value::as_object).into_iter().flatten() {
        if let Some(default) = var.get("default").and_then(Value::as_str) {
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let absolute = (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(['{', '}']);
    absolute.then(|| url.trim_end_matches('/').to_string())
}

/// `operationId`, or a stable id derived from method and path
/// (`GET /instances/{id}/orgs` -> `instancesOrgs.get`; a trailing `{param}` adds `Item`).
pub fn operation_id(doc: &Value, path: &str, method: &str, ptr: &str) -> String {
    if let Some(id) = pointer::get_ptr(doc, &format!("{ptr}/operationId")).and_then(Value::as_str) {
        if !id.trim().is_empty() {
            return id.to_string();
        }
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let statics: Vec<&str> = segs.iter().copied().filter(|s| !s.starts_with('{')).collect();
    let mut resource = naming::field_name(&statics.join(" "));
    if resource.is_empty() || resource == "empty" {
        resource = "root".into();
    }
    let resource = heck::ToLowerCamelCase::to_lower_camel_case(resource.as_str());
    let item = if segs.last().is_some_and(|s| s.starts_with('{')) { "Item" } else { "" };
    format!("{resource}{item}.{method}")
}

/// JSON media types under `holder.content` (application/json and `+json`), with schema pointers.
fn json_schemas<'v>(holder: Option<&'v Value>, ptr: &str) -> Vec<(String, &'v Value)> {
    let mut out = Vec::new();
    for (mt, m) in holder.and_then(|h| h.get("content")).and_then(Value::as_object).into_iter().flatten() {
        if mt == "application/json" || mt.ends_with("+json") || mt == "*/*" {
            if let Some(s) = m.get("schema") {
                out.push((format!("{}/schema", pointer::join(&format!("{ptr}/content"), mt)), s));
            }
        }
    }
    out
}

fn deref<'v>(doc: &'v Value, v: &'v Value, ptr: String) -> (&'v Value, String) {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| pointer::parse_ref(r).ok()) {
        Some(t) => match pointer::get(doc, &t) {
            Some(target) => (target, pointer::to_pointer(&t)),
            None => (v, ptr),
        },
        None => (v, ptr),
    }
}

fn lower_op(
    lw: &mut Lowerer,
    doc: &Value,
    (path, method, ptr, id): (&str, &str, &str, &str),
    default_body: Option<&DefaultBodyRule>,
) -> Operation {
    let op = pointer::get_ptr(doc, ptr).unwrap_or(&Value::Null);
    let (resource, action) = match id.split_once('.') {
        Some((r, a)) => (naming::field_name(r), naming::field_name(a)),
        None => ("ops".to_string(), naming::field_name(id)),
    };
    let (resource, action) = match lw.lock().and_then(|l| l.operation(id)) {
        Some((r, a)) => (r.to_string(), a.to_string()),
        None => (resource, action),
    };
    // Path-level parameters, overridden by operation-level ones with the same name and location.
    let item_ptr = pointer::split_last(ptr).map(|(p, _)| p.to_string()).unwrap_or_default();
    let mut merged: BTreeMap<(String, String), (usize, &Value, String)> = BTreeMap::new();
    let mut order = 0;
    for base in [&item_ptr, &ptr.to_string()] {
        for (i, p) in pointer::get_ptr(doc, &format!("{base}/parameters"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let (p, pptr) = deref(doc, p, format!("{base}/parameters/{i}"));
            let key = (
                p.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                p.get("in").and_then(Value::as_str).unwrap_or_default().to_string(),
            );
            let pos = merged.get(&key).map(|e| e.0).unwrap_or_else(|| {
                order += 1;
                order
            });
            merged.insert(key, (pos, p, pptr));
        }
    }
    let mut raw: Vec<(usize, &Value, String)> = merged.into_values().collect();
    raw.sort_by_key(|(pos, _, _)| *pos);
    let template = template_params(path);
    raw.sort_by_key(|(pos, p, _)| {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        match p.get("in").and_then(Value::as_str) {
            Some("path") => (0, template.iter().position(|t| t == name).unwrap_or(usize::MAX), *pos),
            _ => (1, 0, *pos),
        }
    });
    let base = naming::type_name(id);
    let mut scope = Scope::with_reserved(&BUILDER_METHODS);
    let mut params = Vec::new();
    let mut rust_names = Vec::new();
    for (_, p, pptr) in raw {
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            _ => continue,
        };
        let wire = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let (schema_ptr, json_content) = if p.get("schema").is_some() {
            (format!("{pptr}/schema"), false)
        } else {
            match json_schemas(Some(p), &pptr).into_iter().next() {
                Some((sp, _)) => (sp, true),
                None => (format!("{pptr}/schema"), false),
            }
        };
        lw.hints.entry(schema_ptr.clone()).or_insert_with(|| format!("{base}{}", naming::type_name(&wire)));
        let ty = lw.lower(&schema_ptr);
        let is_object = match &ty {
            TypeRef::Map(_) | TypeRef::Any => true,
            TypeRef::Named(tid) => matches!(lw.space.get(*tid).kind, TypeKind::Struct { .. }),
            _ => false,
        };
        let style = match (p.get("style").and_then(Value::as_str), json_content) {
            (_, true) => QueryStyle::Json,
            (Some("deepObject"), _) => QueryStyle::DeepObject,
            _ if is_object => QueryStyle::Json,
            (_, false) => QueryStyle::Form { explode: p.get("explode").and_then(Value::as_bool).unwrap_or(true) },
        };
        let doc_text = p.get("description").and_then(Value::as_str).map(str::to_string);
        rust_names.push(p.get("x-rust-name").and_then(Value::as_str).map(str::to_string));
        params.push(Param {
            name: String::new(), // assigned below, once all parameters are known

            required: location == ParamIn::Path || p.get("required") == Some(&Value::Bool(true)),
            validation: lw.validation(&schema_ptr),
            default: pointer::get_ptr(doc, &lw.target(&schema_ptr)).and_then(|s| s.get("default")).cloned(),
            wire,
            location,
            ty,
            style,
            doc: doc_text,
        });
    }

    // The natural Rust name: the parameter's `x-rust-name` if it has one, else its wire name.
    let members: Vec<(String, String)> = params
        .iter()
        .zip(&rust_names)
        .map(|(p, n)| (names_lock::param_key(p.location, &p.wire), naming::field_name(n.as_deref().unwrap_or(&p.wire))))
        .collect();
    let locked = lw.lock().and_then(|l| l.parameters.get(id));
    for (p, name) in params.iter_mut().zip(names_lock::member_names(&mut scope, &members, locked)) {
        p.name = name;
    }

    let body = op.get("requestBody").map(|b| {
        let (b, bptr) = deref(doc, b, format!("{ptr}/requestBody"));
        let required = b.get("required") == Some(&Value::Bool(true));
        let ty = match json_schemas(Some(b), &bptr).into_iter().next() {
            Some((sp, _)) => lw.lower(&sp),
            None => TypeRef::Any,
        };
        (ty, required)
    });

    // Sent when there is no body: none declared, or an optional one left unset.
    let default_body = match &body {
        Some((_, true)) => None,
        _ => default_body.and_then(|rule| rule.for_method(method)).cloned(),
    };

    let responses = op.get("responses").and_then(Value::as_object);
    let mut codes: Vec<&String> = responses.map(|m| m.keys().collect()).unwrap_or_default();
    codes.sort();
    let mut success = (200u16, None);
    let mut errors = Vec::new();
    let mut found = false;
    for code in codes {
        let r = &responses.expect("codes come from responses")[code];
        let rptr = pointer::join(&format!("{ptr}/responses"), code);
        let (r, rptr) = deref(doc, r, rptr);
        let desc = r.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
        match code.parse::<u16>() {
            Ok(c) if (200..300).contains(&c) && !found => {
                found = true;
                let ty = json_schemas(Some(r), &rptr).into_iter().next().map(|(sp, _)| lw.lower(&sp));
                success = (c, ty);
            }
            Ok(c) if (200..300).contains(&c) => {}
            _ => errors.push((code.clone(), desc)),
        }
    }

    let has = |n: &str| params.iter().any(|p| p.wire == n && p.location == ParamIn::Query);
    // `stream()` sets the page itself, so `page` must be an optional (setter) parameter.
    let page_optional = params.iter().any(|p| p.wire == "page" && p.location == ParamIn::Query && !p.required);
    let paginated = if page_optional && has("perPage") {
        match &success.1 {
            Some(TypeRef::Named(tid)) => match &lw.space.get(*tid).kind {
                TypeKind::Struct { fields, .. } => {
                    fields.iter().find(|f| f.wire == "items").and_then(|f| match &f.ty {
                        TypeRef::Vec(item) => Some((**item).clone()),
                        _ => None,
                    })
                }
                _ => None,
            },
            _ => None,
        }
    } else {
        None
    };

    Operation {
        id: id.to_string(),
        resource,
        action,
        method: method.to_uppercase(),
        path: path.to_string(),
        summary: op.get("summary").and_then(Value::as_str).map(str::to_string),
        description: op.get("description").and_then(Value::as_str).map(str::to_string),
        params,
        body,
        success,
        errors,
        paginated,
        default_body,
        security: op.get("security").and_then(security::requirements),
        pointer: ptr.to_string(),
    }
}

/// Resources named like a `Client` method get an `_ops` suffix; two
/// operations that map to the same `resource().action()` get numbered actions.
/// Operations whose `resource.action` is locked keep it: they claim it first.
fn dedupe_names(ops: &mut [Operation], lock: Option<&NameLock>) {
    for op in ops.iter_mut() {
        if CLIENT_METHODS.contains(&op.resource.as_str()) {
            op.resource.push_str("_ops");
        }
    }
    let mut per_resource: BTreeMap<String, Scope> = BTreeMap::new();
    // `clone` and `cmp` on a resource struct would shadow (and to clippy, imitate) trait methods.
    let new_scope = || Scope::with_reserved(&["new", "client", "clone", "cmp"]);
    let locked: Vec<bool> = ops
        .iter()
        .map(|op| {
            lock.and_then(|l| l.operation(&op.id)).is_some_and(|(r, a)| r == op.resource && a == op.action)
                && per_resource.entry(op.resource.clone()).or_insert_with(new_scope).try_claim(&op.action)
        })
        .collect();
    for (op, locked) in ops.iter_mut().zip(locked) {
        if !locked {
            let scope = per_resource.entry(op.resource.clone()).or_insert_with(new_scope);
            op.action = scope.claim(op.action.clone());
        }
    }
}
