//! Lowering operations: names, parameters, bodies, responses, pagination.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::check::template_params;
use crate::ir::{Api, Operation, Param, ParamIn, QueryStyle, TypeKind, TypeRef};
use crate::lower::{self, Lowerer};
use crate::names_lock::{self, NameLock};
use crate::naming::{self, Scope};
use crate::pointer;
use crate::resolve::Resolver;
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
    let ops: Vec<(walk::OperationItem, String)> = walk::operations(doc)
        .map(|op| {
            let id = operation_id(doc, op.path, op.method, &op.pointer);
            (op, id)
        })
        .collect();
    for (op, id) in &ops {
        let base = naming::type_name(id);
        let ptr = &op.pointer;
        let op = op.value;
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
    let mut operations: Vec<Operation> = ops.iter().map(|(op, id)| lower_op(&mut lw, doc, op, id)).collect();
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
    Api {
        title: doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API").to_string(),
        version: doc.pointer("/info/version").and_then(Value::as_str).unwrap_or("0").to_string(),
        server: doc.pointer("/servers/0/url").and_then(Value::as_str).map(str::to_string),
        types: space,
        operations,
    }
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
    match Resolver::new(doc).follow_node(v, &ptr) {
        Ok(t) => (t.value, t.pointer),
        Err(_) => (v, ptr),
    }
}

/// The `example` of the schema at `ptr`, or of the schema its refs lead to.
fn schema_example<'v>(doc: &'v Value, lw: &Lowerer, ptr: &str) -> Option<&'v Value> {
    let here = pointer::get_ptr(doc, ptr).and_then(|s| s.get("example"));
    here.or_else(|| pointer::get_ptr(doc, &lw.target(ptr)).and_then(|s| s.get("example")))
}

fn lower_op(lw: &mut Lowerer, doc: &Value, item: &walk::OperationItem, id: &str) -> Operation {
    let (op, path, method, ptr) = (item.value, item.path, item.method, item.pointer.as_str());
    let (resource, action) = match id.split_once('.') {
        Some((r, a)) => (naming::field_name(r), naming::field_name(a)),
        None => ("ops".to_string(), naming::field_name(id)),
    };
    let (resource, action) = match lw.lock().and_then(|l| l.operation(id)) {
        Some((r, a)) => (r.to_string(), a.to_string()),
        None => (resource, action),
    };
    // Path parameters first, in template order; the others in spec order.
    let mut raw: Vec<&walk::ParamItem> = item.parameters.iter().collect();
    let template = template_params(path);
    raw.sort_by_key(|p| match p.location {
        "path" => (0, template.iter().position(|t| t == p.name).unwrap_or(usize::MAX)),
        _ => (1, 0),
    });
    let base = naming::type_name(id);
    let mut scope = Scope::with_reserved(&BUILDER_METHODS);
    let mut params = Vec::new();
    for param in raw {
        let (p, pptr) = (param.value, &param.pointer);
        let location = match param.location {
            "path" => ParamIn::Path,
            "query" => ParamIn::Query,
            "header" => ParamIn::Header,
            _ => continue,
        };
        let wire = param.name.to_string();
        let (schema_ptr, json_content) = if p.get("schema").is_some() {
            (format!("{pptr}/schema"), false)
        } else {
            match json_schemas(Some(p), pptr).into_iter().next() {
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
        params.push(Param {
            name: String::new(), // assigned below, once all parameters are known

            required: location == ParamIn::Path || p.get("required") == Some(&Value::Bool(true)),
            validation: lw.validation(&schema_ptr),
            default: pointer::get_ptr(doc, &lw.target(&schema_ptr)).and_then(|s| s.get("default")).cloned(),
            example: p.get("example").or_else(|| schema_example(doc, lw, &schema_ptr)).cloned(),
            wire,
            location,
            ty,
            style,
            doc: doc_text,
        });
    }

    let members: Vec<(String, String)> =
        params.iter().map(|p| (names_lock::param_key(p.location, &p.wire), naming::field_name(&p.wire))).collect();
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
        let a = crate::analyze_str(("spec.yml", spec), &[]);
        assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
        let api = super::lower_api(a.doc.as_ref().expect("parsed"));
        let params: Vec<(ParamIn, &str, bool)> =
            api.operations[0].params.iter().map(|p| (p.location, p.wire.as_str(), p.required)).collect();
        assert_eq!(params, [(ParamIn::Path, "orgId", true), (ParamIn::Query, "page", false)]);
        assert_eq!(api.operations[0].params[1].example, Some(serde_json::json!(3)));
    }
}
