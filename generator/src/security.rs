//! Security schemes and requirements: `components.securitySchemes` become
//! credential setters on the generated `ClientBuilder`, `security` (the
//! document's, replaced by an operation's own) says which credentials each
//! request sends.
//!
//! | scheme | sent as | setter (named by `x-rust-name`, else the scheme's key) |
//! |---|---|---|
//! | `http` / `bearer` | `Authorization: Bearer <token>` | `.key(token)` |
//! | `http` / `basic` | `Authorization: Basic <base64(user:password)>` | `.key(username, password)` |
//! | `apiKey` in `header` / `query` / `cookie` | that header, query parameter or cookie | `.key(key)` |
//! | `oauth2`, `openIdConnect` | `Authorization: Bearer <access token>` (the client does not run the flow) | `.key(token)` |
//!
//! Anything else (`http` with another scheme, `mutualTLS`) is skipped with an
//! `unsupported-security-scheme` warning at the scheme: requirements that
//! need it cannot be met, so those requests send no credentials.
//!
//! A request sends the credentials of the first requirement that needs
//! something and for which the client has every credential; `security: []`
//! (or only `{}`) sends none.

use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::ir::{SchemeKind, SecurityScheme};
use crate::naming;
use crate::pointer;
use crate::report::Diagnostics;
use crate::source::SourceMap;

/// The schemes the client can send, in spec order, and `(pointer, message)` for those it cannot.
pub fn schemes(doc: &Value) -> (Vec<SecurityScheme>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let Some(map) = doc.pointer("/components/securitySchemes").and_then(Value::as_object) else {
        return (out, skipped);
    };
    for (key, raw) in map {
        let at = pointer::join("/components/securitySchemes", key);
        // Through the one resolver (full pointer, any depth); a `$ref` that does not resolve is
        // check_refs' error, and the scheme is then reported where it is written.
        let (scheme, at) = crate::media::deref(doc, raw, &at);
        let field = |name: &str| scheme.get(name).and_then(Value::as_str);
        let kind = match (field("type"), field("scheme").map(str::to_ascii_lowercase).as_deref(), field("in")) {
            (Some("http"), Some("bearer"), _) | (Some("oauth2" | "openIdConnect"), _, _) => Ok(SchemeKind::Bearer),
            (Some("http"), Some("basic"), _) => Ok(SchemeKind::Basic),
            (Some("apiKey"), _, Some(location @ ("header" | "query" | "cookie"))) => match field("name") {
                Some(name) if !name.is_empty() => {
                    Ok(SchemeKind::ApiKey { location: location.to_string(), name: name.to_string() })
                }
                _ => Err(format!("API key scheme `{key}` has no `name`")),
            },
            (Some("http"), Some(other), _) => Err(format!("HTTP authentication scheme `{other}` is not supported")),
            (Some(t), _, _) => Err(format!("security scheme type `{t}` (with these fields) is not supported")),
            (None, _, _) => Err(format!("security scheme `{key}` has no `type`")),
        };
        match kind {
            Ok(kind) => {
                let setter = naming::field_name(scheme.get("x-rust-name").and_then(Value::as_str).unwrap_or(key));
                let description = field("description").map(str::to_string);
                out.push(SecurityScheme { key: key.clone(), setter, kind, description });
            }
            Err(message) => skipped.push((at, message)),
        }
    }
    (out, skipped)
}

/// A `security` value: alternatives, each the scheme names it needs (in spec order).
pub fn requirements(security: &Value) -> Option<Vec<Vec<String>>> {
    let list = security.as_array()?;
    Some(list.iter().map(|req| req.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()).collect())
}

/// Warns about every scheme the client cannot send; reports requirements
/// naming undeclared schemes (errors) and `Authorization` header parameters
/// next to HTTP authentication (warnings).
pub fn check(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    let declared = doc.pointer("/components/securitySchemes").and_then(Value::as_object);
    let mut sites = vec![(String::new(), doc)];
    sites.extend(crate::walk::operations(doc).map(|op| (op.pointer, op.value)));
    let mut http_auth = false;
    for (at, holder) in sites {
        let Some(list) = holder.get("security").and_then(Value::as_array) else { continue };
        for (i, requirement) in list.iter().enumerate() {
            for name in requirement.as_object().into_iter().flat_map(|m| m.keys()) {
                match declared.and_then(|d| d.get(name)) {
                    Some(scheme) => http_auth |= scheme.get("type").and_then(Value::as_str) == Some("http"),
                    None => diags.at(
                        map,
                        Severity::Error,
                        Code::UndeclaredSecurityScheme,
                        &pointer::join(&format!("{at}/security/{i}"), name),
                        format!("security requirement names scheme `{name}`, which `components.securitySchemes` does not declare"),
                        "declare the scheme under `components.securitySchemes` (an overlay can add it) or fix the name",
                    ),
                }
            }
        }
    }
    if http_auth {
        let mut reported = std::collections::BTreeSet::new();
        for op in crate::walk::operations(doc) {
            for p in op.parameters.iter().filter(|p| p.location == "header") {
                if p.name.eq_ignore_ascii_case("authorization") && reported.insert(p.pointer.clone()) {
                    diags.at(
                        map,
                        Severity::Warning,
                        Code::AuthorizationParameter,
                        &p.pointer,
                        format!("operation `{} {}` takes an `Authorization` header parameter, but the API uses HTTP authentication", op.method.to_uppercase(), op.path),
                        "remove the parameter (an overlay can): the client sends `Authorization` from the credentials set on `ClientBuilder`",
                    );
                }
            }
        }
    }
    for (ptr, message) in schemes(doc).1 {
        diags.at(
            map,
            Severity::Warning,
            Code::UnsupportedSecurityScheme,
            &ptr,
            message,
            "requests that need it are sent without credentials; set the header with `ClientBuilder::default_header`",
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Found by the long fuzzing run: a scheme written as `$ref: "#a"` (no
    /// JSON pointer) was reported at pointer `a`. Schemes are followed by the
    /// one resolver: any depth, and a reference that does not resolve leaves
    /// the scheme reported where it is written.
    #[test]
    fn referenced_schemes_are_followed_and_reported_at_json_pointers() {
        let doc = json!({"components": {
            "securitySchemes": {
                "broken": {"$ref": "#a"},
                "twice": {"$ref": "#/components/x-schemes/alias"},
                "keyless": {"$ref": "#/components/x-schemes/nameless"}
            },
            "x-schemes": {
                "alias": {"$ref": "#/components/x-schemes/bearer"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "nameless": {"type": "apiKey", "in": "header"}
            }
        }});
        let (schemes, skipped) = schemes(&doc);
        let keys: Vec<(&str, &SchemeKind)> = schemes.iter().map(|s| (s.key.as_str(), &s.kind)).collect();
        assert_eq!(keys, [("twice", &SchemeKind::Bearer)]);
        let at: Vec<&str> = skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(at, ["/components/securitySchemes/broken", "/components/x-schemes/nameless"]);
        assert!(skipped.iter().all(|(p, _)| p.starts_with('/')));
    }
}
