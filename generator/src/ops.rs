//! Lowering operations: names, parameters, bodies, responses, pagination.

use std::collections::BTreeMap;

use serde_json::Value;

use openapiv3::{Parameter, ParameterSchemaOrContent};

use crate::check::template_params;
use crate::document::{Model, TypedOperation};
use crate::extensions::{self, DefaultBodyRule};
use crate::group;
use crate::ir::{
    Api, BodyKind, Conventions, Events, Media, Operation, Param, ParamIn, Part, QueryStyle, TypeKind, TypeRef,
};
use crate::lower::{self, Lowerer};
use crate::media::{self, Family};
use crate::names_lock::{self, NameLock};
use crate::naming::{self, Scope};
use crate::pointer::{self, Member};
use crate::security;

/// Lowers a checked document into the IR, keeping the public names recorded
/// in `lock` (see [`crate::names_lock`]) for identities that still exist.
///
/// Operations and their parameters are read through the typed model
/// ([`Model::operations`]); schemas, request bodies and responses as JSON by pointer.
pub fn lower_api(model: &Model, lock: Option<&NameLock>) -> Api {
    let doc = model.value;
    let mut lw = Lowerer::with_lock(doc, lock);
    // Names for inline operation schemas come from the operation, so set hints first.
    let ops: Vec<(TypedOperation, String)> = model
        .operations()
        .into_iter()
        .map(|op| {
            let id = operation_id(op.operation.operation_id.as_deref(), op.path, op.method);
            (op, id)
        })
        .collect();
    for (op, id) in &ops {
        let base = naming::type_name(id);
        let ptr = &op.pointer;
        let op = pointer::get_ptr(doc, ptr).unwrap_or(&Value::Null);
        for (mt_ptr, _) in json_schemas(op.member("requestBody"), &format!("{ptr}/requestBody")) {
            lw.hints.insert(mt_ptr, format!("{base}Body"));
        }
        if let Some(b) = op.member("requestBody") {
            let (b, bptr) = media::deref(doc, b, &format!("{ptr}/requestBody"));
            let chosen =
                media::choose(doc, b, &bptr, true).filter(|c| matches!(c.family, Family::Form | Family::Multipart));
            if let Some(sp) = chosen.and_then(|c| c.schema_pointer()) {
                lw.hints.entry(sp).or_insert_with(|| format!("{base}Body"));
            }
        }
        for (code, r) in op.member("responses").and_then(Value::as_object).into_iter().flatten() {
            let rp = pointer::join(&format!("{ptr}/responses"), code);
            for (mt_ptr, _) in json_schemas(Some(r), &rp) {
                lw.hints.insert(mt_ptr, format!("{base}Response{code}"));
            }
            if let Some(sp) = media::events(doc, r, &rp).and_then(|m| m.schema_pointer()) {
                lw.hints.entry(sp).or_insert_with(|| format!("{base}Event{code}"));
            }
        }
    }
    lw.lower_components();
    // A malformed extension is reported by analysis (`check`); lowering then ignores it.
    let default_body = extensions::default_body(doc).ok().flatten();
    let inputs: Vec<group::Input<'_>> = ops
        .iter()
        .map(|(op, id)| group::Input { id, tag: op.operation.tags.first().map(String::as_str), path: op.path })
        .collect();
    let names = group::group(&inputs);
    let mut operations: Vec<Operation> = ops
        .iter()
        .zip(names)
        .map(|((op, id), name)| lower_op(&mut lw, doc, op, id, name, default_body.as_ref()))
        .collect();
    operations.sort_by(|a, b| (&a.resource, &a.action).cmp(&(&b.resource, &b.action)));
    dedupe_names(&mut operations, lock);

    let mut space = lw.space;
    lower::break_cycles(&mut space);
    let req: Vec<TypeRef> = operations
        .iter()
        .flat_map(|o| {
            let parts = match o.body_media.as_ref().map(|m| &m.kind) {
                Some(BodyKind::Multipart(parts)) => parts.iter().filter_map(|p| p.ty.clone()).collect(),
                _ => Vec::new(),
            };
            o.body.iter().map(|(t, _)| t.clone()).chain(o.params.iter().map(|p| p.ty.clone())).chain(parts)
        })
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
        title: model.api.info.title.clone(),
        version: model.api.info.version.clone(),
        server: model.api.servers.first().map(|s| s.url.clone()),
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
        security: doc.member("security").and_then(security::requirements).unwrap_or_default(),
    }
}

/// The first server's URL with `{variables}` replaced by their defaults, when
/// that is an absolute `http(s)` URL.
pub fn base_url(doc: &Value) -> Option<String> {
    let server = doc.pointer("/servers/0")?;
    let mut url = server.member("url")?.as_str()?.to_string();
    for (name, var) in server.member("variables").and_then(Value::as_object).into_iter().flatten() {
        if let Some(default) = var.member("default").and_then(Value::as_str) {
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let absolute = (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(['{', '}']);
    absolute.then(|| url.trim_end_matches('/').to_string())
}

/// `operationId`, or a stable id derived from method and path
/// (`GET /instances/{id}/orgs` -> `instancesOrgs.get`; a trailing `{param}` adds `Item`).
pub fn operation_id(operation_id: Option<&str>, path: &str, method: &str) -> String {
    if let Some(id) = operation_id.filter(|id| !id.trim().is_empty()) {
        return id.to_string();
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
    for (mt, m) in holder.and_then(|h| h.member("content")).and_then(Value::as_object).into_iter().flatten() {
        if media::is_json(mt) {
            if let Some(s) = m.member("schema") {
                out.push((format!("{}/schema", pointer::join(&format!("{ptr}/content"), mt)), s));
            }
        }
    }
    out
}

/// The `example` of the schema at `ptr`, or of the schema its refs lead to.
fn schema_example<'a>(lw: &Lowerer<'a>, ptr: &str) -> Option<&'a Value> {
    let here = lw.node(ptr).and_then(|s| s.member("example"));
    here.or_else(|| lw.node(&lw.target(ptr)).and_then(|s| s.member("example")))
}

fn lower_op(
    lw: &mut Lowerer,
    doc: &Value,
    item: &TypedOperation,
    id: &str,
    (resource, action): (String, String),
    default_body: Option<&DefaultBodyRule>,
) -> Operation {
    let (path, method, ptr) = (item.path, item.method, item.pointer.as_str());
    let op = pointer::get_ptr(doc, ptr).unwrap_or(&Value::Null);
    let (resource, action) = match lw.lock().and_then(|l| l.operation(id)) {
        Some((r, a)) => (r.to_string(), a.to_string()),
        None => (resource, action),
    };
    // Path parameters first, in template order; the others in spec order.
    let template = template_params(path);
    let mut raw: Vec<(&String, &Parameter)> = item.parameters.iter().map(|(p, param)| (p, param.as_ref())).collect();
    raw.sort_by_key(|(_, p)| match p {
        Parameter::Path { parameter_data, .. } => {
            (0, template.iter().position(|t| *t == parameter_data.name).unwrap_or(usize::MAX))
        }
        _ => (1, 0),
    });
    let base = naming::type_name(id);
    let mut scope = Scope::with_reserved(&naming::BUILDER_METHODS);
    let mut params = Vec::new();
    let mut rust_names = Vec::new();
    for (pptr, param) in raw {
        let (location, deep_object) = match param {
            Parameter::Path { .. } => (ParamIn::Path, false),
            Parameter::Query { style, .. } => (ParamIn::Query, *style == openapiv3::QueryStyle::DeepObject),
            Parameter::Header { .. } => (ParamIn::Header, false),
            Parameter::Cookie { .. } => continue,
        };
        let data = param.parameter_data_ref();
        let wire = data.name.clone();
        let (schema_ptr, json_content) = match &data.format {
            ParameterSchemaOrContent::Schema(_) => (format!("{pptr}/schema"), false),
            ParameterSchemaOrContent::Content(content) => {
                match content.iter().find(|(mt, m)| media::is_json(mt) && m.schema.is_some()) {
                    Some((mt, _)) => (format!("{}/schema", pointer::join(&format!("{pptr}/content"), mt)), true),
                    None => (format!("{pptr}/schema"), false),
                }
            }
        };
        lw.hints.entry(schema_ptr.clone()).or_insert_with(|| format!("{base}{}", naming::type_name(&wire)));
        let ty = lw.lower(&schema_ptr);
        let is_object = match &ty {
            TypeRef::Map(_) | TypeRef::Any => true,
            TypeRef::Named(tid) => matches!(lw.space.get(*tid).kind, TypeKind::Struct { .. }),
            _ => false,
        };
        let style = match (deep_object, json_content) {
            (_, true) => QueryStyle::Json,
            (true, _) => QueryStyle::DeepObject,
            _ if is_object => QueryStyle::Json,
            (false, false) => QueryStyle::Form { explode: data.explode.unwrap_or(true) },
        };
        rust_names.push(data.extensions.get("x-rust-name").and_then(Value::as_str).map(str::to_string));
        params.push(Param {
            name: String::new(), // assigned below, once all parameters are known

            required: location == ParamIn::Path || data.required,
            validation: lw.validation(&schema_ptr),
            default: lw.node(&lw.target(&schema_ptr)).and_then(|s| s.member("default")).cloned(),
            example: data.example.clone().or_else(|| schema_example(lw, &schema_ptr).cloned()),
            wire,
            location,
            ty,
            style,
            doc: data.description.clone(),
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

    let (body, body_media) = match op.member("requestBody") {
        Some(b) => {
            let (b, bptr) = media::deref(doc, b, &format!("{ptr}/requestBody"));
            let required = b.member("required") == Some(&Value::Bool(true));
            let (ty, media) = request_body(lw, doc, b, &bptr);
            (Some((ty, required)), media)
        }
        None => (None, None),
    };

    // Sent when there is no body: none declared, or an optional one left unset.
    let default_body = match &body {
        Some((_, true)) => None,
        _ => default_body.and_then(|rule| rule.for_method(method)).cloned(),
    };

    let responses = op.member("responses").and_then(Value::as_object);
    let mut codes: Vec<&String> = responses.map(|m| m.keys().collect()).unwrap_or_default();
    codes.sort();
    let mut success = (200u16, None);
    let mut success_media = None;
    let mut events = None;
    let sse_terminator = extensions::sse_terminator(doc).ok().flatten();
    let mut errors = Vec::new();
    let mut found = false;
    for code in codes {
        let r = &responses.expect("codes come from responses")[code];
        let rptr = pointer::join(&format!("{ptr}/responses"), code);
        let (r, rptr) = media::deref(doc, r, &rptr);
        let desc = r.member("description").and_then(Value::as_str).unwrap_or_default().to_string();
        match code.parse::<u16>() {
            Ok(c) if (200..300).contains(&c) && !found => {
                found = true;
                let ty = json_schemas(Some(r), &rptr).into_iter().next().map(|(sp, _)| lw.lower(&sp));
                success = (c, ty);
                success_media = media::choose(doc, r, &rptr, false).and_then(|m| {
                    let kind = match m.family {
                        Family::Json => return None,
                        Family::Text => BodyKind::Text,
                        _ => BodyKind::Binary,
                    };
                    Some(Media { content_type: m.media_type, kind })
                });
                events = media::events(doc, r, &rptr).map(|m| {
                    let item = m.schema_pointer().map(|sp| lw.lower(&sp)).filter(|t| is_structured(lw, t));
                    let terminator = extensions::media_sse_terminator(m.value, sse_terminator.as_deref());
                    Events { content_type: m.media_type, item, terminator }
                });
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
        summary: item.operation.summary.clone(),
        description: item.operation.description.clone(),
        params,
        body,
        body_media,
        success,
        raw_success: !responses.is_some_and(|r| r.keys().any(|code| code.starts_with('2'))),
        success_media,
        events,
        errors,
        paginated,
        default_body,
        security: op.member("security").and_then(security::requirements),
        pointer: ptr.to_string(),
    }
}

/// Whether events of type `t` carry JSON (an object, array or map, or a
/// union of them): anything else (text, no schema) is read as raw events.
fn is_structured(lw: &Lowerer, t: &TypeRef) -> bool {
    let mut t = t;
    // Bounded: a (malformed) alias cycle must not hang the generator.
    for _ in 0..=lw.space.types.len() {
        match t {
            TypeRef::Vec(_) | TypeRef::Map(_) => return true,
            TypeRef::Boxed(inner) => t = inner,
            TypeRef::Named(id) => match &lw.space.get(*id).kind {
                TypeKind::Struct { .. } | TypeKind::Union { .. } => return true,
                TypeKind::Alias(inner) => t = inner,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// A request body's type and media type (see [`crate::media`] for the choice).
fn request_body(lw: &mut Lowerer, doc: &Value, b: &Value, bptr: &str) -> (TypeRef, Option<Media>) {
    let Some(chosen) = media::choose(doc, b, bptr, true) else {
        // No content: a JSON body of any value, as before media types were read.
        return (TypeRef::Any, None);
    };
    let schema = chosen.schema_pointer();
    let lowered = |lw: &mut Lowerer| schema.as_deref().map_or(TypeRef::Any, |sp| lw.lower(sp));
    let (ty, kind) = match chosen.family {
        Family::Json => (lowered(lw), BodyKind::Json),
        Family::Form => {
            let styles = media::properties(doc, &chosen)
                .into_iter()
                .map(|(name, _, _)| {
                    let e = media::form_encoding(chosen.value, &name);
                    (name, e)
                })
                .collect();
            (lowered(lw), BodyKind::Form(styles))
        }
        Family::Multipart => (TypeRef::Any, BodyKind::Multipart(multipart_parts(lw, doc, &chosen))),
        Family::Text => (TypeRef::String, BodyKind::Text),
        Family::Binary | Family::Other | Family::Events => (TypeRef::Any, BodyKind::Binary),
    };
    (ty, Some(Media { content_type: chosen.media_type.clone(), kind }))
}

/// The parts of a `multipart/form-data` body: binary strings (or arrays of
/// them) are file parts, other properties text parts of their lowered type.
fn multipart_parts(lw: &mut Lowerer, doc: &Value, chosen: &media::Chosen<'_>) -> Vec<Part> {
    let required = media::required(doc, chosen);
    let mut scope = Scope::with_reserved(&[]);
    let schema_ptr = chosen.schema_pointer().unwrap_or_default();
    let target = lw.target(&schema_ptr);
    media::properties(doc, chosen)
        .into_iter()
        .map(|(wire, pptr, p)| {
            let file = media::is_binary(doc, Some(p), &pptr);
            let list = p.member("type").and_then(Value::as_str) == Some("array")
                && media::is_binary(doc, p.member("items"), &format!("{pptr}/items"));
            let prop_ptr = pointer::join(&format!("{target}/properties"), &wire);
            let ty = (!file && !list).then(|| lw.lower(&prop_ptr));
            let content_type = chosen
                .value
                .pointer(&format!("/encoding/{}/contentType", pointer::escape(&wire)))
                .and_then(Value::as_str)
                .map(str::to_string);
            Part {
                name: scope.claim(naming::field_name(&wire)),
                required: required.contains(&wire),
                wire,
                ty,
                list,
                content_type,
            }
        })
        .collect()
}

/// Resources named like a `Client` method get an `_ops` suffix; two
/// operations that map to the same `resource().action()` get numbered actions.
/// Operations whose `resource.action` is locked keep it: they claim it first.
fn dedupe_names(ops: &mut [Operation], lock: Option<&NameLock>) {
    for op in ops.iter_mut() {
        if naming::CLIENT_METHODS.contains(&op.resource.as_str()) {
            op.resource.push_str("_ops");
        }
    }
    let mut per_resource: BTreeMap<String, Scope> = BTreeMap::new();
    let new_scope = || Scope::with_reserved(&naming::RESOURCE_METHODS);
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

#[cfg(test)]
mod tests {
    use crate::ir::ParamIn;

    /// Was a bug: parameters were resolved one `$ref` deep, so a query
    /// parameter reached through a ref to a ref was silently dropped and a
    /// path parameter reached that way was reported as undeclared.
    #[test]
    fn parameters_behind_a_ref_to_a_ref_are_used() {
        let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /orgs/{orgId}:
    parameters:
      - $ref: '#/components/parameters/orgAlias'
    get:
      operationId: orgs.get
      parameters:
        - $ref: '#/components/parameters/pageAlias'
      responses:
        '200': {description: OK}
components:
  parameters:
    orgAlias: {$ref: '#/components/parameters/orgAlias2'}
    orgAlias2: {$ref: '#/components/parameters/org'}
    org: {name: orgId, in: path, required: true, schema: {type: string}}
    pageAlias: {$ref: '#/components/parameters/page'}
    page: {name: page, in: query, schema: {type: integer, format: int32}, example: 3}
"##;
        let a = crate::Config::new().analyze_text("spec.yml", spec);
        assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
        let api = crate::Config::new().lower_from(&a, "spec.yml").expect("lowers");
        let params: Vec<(ParamIn, &str, bool)> =
            api.operations[0].params.iter().map(|p| (p.location, p.wire.as_str(), p.required)).collect();
        assert_eq!(params, [(ParamIn::Path, "orgId", true), (ParamIn::Query, "page", false)]);
        assert_eq!(api.operations[0].params[1].example, Some(serde_json::json!(3)));
    }
}
