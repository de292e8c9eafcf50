//! Emitting Rust tokens for the named types of the arena.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Checks, Field, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace, Validation};
use crate::naming;

/// An identifier, raw when it is a keyword.
pub fn ident(name: &str) -> Ident {
    if naming::is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Text made safe for a doc comment: rustc rejects a bare carriage return and
/// (deny-by-default) text-direction control characters in comments, and
/// prettyplease prints doc attributes as comments. Those characters are
/// written as escapes instead, and tabs as spaces.
pub fn doc_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.extend(c.escape_unicode()),
            // Clippy warns about tabs in doc comments.
            '\t' => out.push_str("    "),
            c => out.push(c),
        }
    }
    out
}

/// `#[doc = " line"]` attributes, one per line, made safe for rustdoc and
/// clippy: see [`crate::markdown::doc_lines`].
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return quote!() };
    let lines = crate::markdown::doc_lines(text);
    if lines.is_empty() {
        return quote!();
    }
    let lines = match crate::doc_splice::defer(lines) {
        Ok(marker) => return quote!(#[doc = #marker]),
        Err(lines) => lines,
    };
    let mut out = TokenStream::new();
    for l in lines {
        out.extend(quote!(#[doc = #l]));
    }
    out
}

/// One `#[doc = line]` attribute for a line that is already doc text (a
/// leading space, made safe); deferred like [`doc_attrs`] inside a chunk.
pub fn doc_line(line: &str) -> TokenStream {
    match crate::doc_splice::defer(vec![line.to_string()]) {
        Ok(marker) => quote!(#[doc = #marker]),
        Err(_) => quote!(#[doc = #line]),
    }
}

/// Tokens for a use-site type. `prefix` qualifies named types (e.g. `types::`).
pub fn ty(space: &TypeSpace, t: &TypeRef, prefix: &TokenStream) -> TokenStream {
    match t {
        TypeRef::Named(id) => {
            let n = format_ident!("{}", space.get(*id).name);
            quote!(#prefix #n)
        }
        TypeRef::String => quote!(String),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Integer(i) => {
            let i = format_ident!("{}", i);
            quote!(#i)
        }
        TypeRef::Number => quote!(f64),
        TypeRef::Float32 => quote!(f32),
        TypeRef::Boolean => quote!(bool),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Vec(inner) => {
            let inner = ty(space, inner, prefix);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = ty(space, inner, prefix);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Boxed(inner) => {
            let inner = ty(space, inner, prefix);
            quote!(Box<#inner>)
        }
    }
}

/// `Validation { .. }` constant tokens for the runtime.
pub fn validation(v: &Validation) -> TokenStream {
    if v.is_empty() {
        return quote!(super::runtime::Validation::NONE);
    }
    let opt_str = |s: &Option<String>| match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    };
    let opt_num = |n: Option<u64>| match n {
        Some(n) => {
            let l = Literal::usize_unsuffixed(n as usize);
            quote!(Some(#l))
        }
        None => quote!(None),
    };
    let (p, min, max) = (opt_str(&v.pattern), opt_num(v.min_length), opt_num(v.max_length));
    quote!(super::runtime::Validation { pattern: #p, min_length: #min, max_length: #max })
}

/// Emits one named type.
pub fn emit_type(space: &TypeSpace, id: TypeId) -> TokenStream {
    let def = space.get(id);
    let name = format_ident!("{}", def.name);
    let docs = doc_attrs(Some(&type_doc(def)));
    match &def.kind {
        TypeKind::Alias(t) => {
            let t = ty(space, t, &quote!());
            quote! { #docs pub type #name = #t; }
        }
        TypeKind::Struct { fields, extra } => {
            let item = emit_struct(space, def, &name, docs, fields, extra);
            let check = emit_validate(space, def, &name);
            quote!(#item #check)
        }
        TypeKind::Enum { variants } => emit_enum(&name, docs, variants),
        TypeKind::Union { variants } => {
            let item = emit_union(space, &name, docs, variants);
            let check = emit_validate(space, def, &name);
            quote!(#item #check)
        }
        TypeKind::Newtype { validation: v } => emit_newtype(&name, docs, v),
    }
}

/// Whether values of `t` have a text form (`Display`) to send as a path, query
/// or header parameter: strings, numbers, booleans, string enums, newtypes,
/// timestamps, and unions of those (which get a `Display` impl).
pub fn is_text(space: &TypeSpace, t: &TypeRef) -> bool {
    fn go(space: &TypeSpace, t: &TypeRef, depth: usize) -> bool {
        match t {
            TypeRef::String
            | TypeRef::DateTime
            | TypeRef::Integer(_)
            | TypeRef::Number
            | TypeRef::Float32
            | TypeRef::Boolean => true,
            TypeRef::Boxed(inner) => depth > 0 && go(space, inner, depth - 1),
            TypeRef::Named(id) => match &space.get(*id).kind {
                TypeKind::Enum { .. } | TypeKind::Newtype { .. } => true,
                TypeKind::Alias(inner) => depth > 0 && go(space, inner, depth - 1),
                TypeKind::Union { variants } => depth > 0 && variants.iter().all(|(_, v)| go(space, v, depth - 1)),
                TypeKind::Struct { .. } => false,
            },
            TypeRef::Any | TypeRef::Vec(_) | TypeRef::Map(_) => false,
        }
    }
    go(space, t, 8)
}

/// Whether values of `t` have a generated `validate()` (request structs and unions).
pub fn has_validate(space: &TypeSpace, t: &TypeRef) -> bool {
    match t {
        TypeRef::Named(id) => {
            let def = space.get(*id);
            match &def.kind {
                TypeKind::Struct { .. } | TypeKind::Union { .. } => def.in_request,
                _ => false,
            }
        }
        TypeRef::Boxed(inner) => has_validate(space, inner),
        _ => false,
    }
}

/// Whether a value of `t` with `checks` needs any checking code.
fn needs_check(space: &TypeSpace, t: &TypeRef, checks: &Checks) -> bool {
    if !checks.is_empty() || has_validate(space, t) {
        return true;
    }
    match t {
        TypeRef::Named(id) => match &space.get(*id).kind {
            TypeKind::Alias(inner) => needs_check(space, inner, &Checks::default()),
            _ => false,
        },
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
            needs_check(space, inner, checks.items.as_deref().unwrap_or(&Checks::default()))
        }
        _ => false,
    }
}

/// Statements checking `v` (an expression of type `&T` for `t`) against `checks`.
fn check_value(space: &TypeSpace, v: TokenStream, t: &TypeRef, checks: &Checks, label: &str) -> TokenStream {
    let none = Checks::default();
    let invalid = |value: TokenStream, reason: TokenStream| quote!(return Err(super::runtime::InvalidValue { type_name: #label, value: #value, reason: #reason }););
    let mut out = TokenStream::new();
    if !checks.string.is_empty() && matches!(t, TypeRef::String) {
        let rule = validation(&checks.string);
        let err = invalid(quote!(#v.to_string()), quote!(why));
        out.extend(quote! {
            const RULE: super::runtime::Validation = #rule;
            if let Err(why) = RULE.check(#v) { #err }
        });
    }
    let as_f64 = match t {
        TypeRef::Number => Some(quote!(*#v)),
        TypeRef::Integer("i64" | "u64") => Some(quote!((*#v as f64))),
        TypeRef::Integer(_) | TypeRef::Float32 => Some(quote!(f64::from(*#v))),
        _ => None,
    };
    if let Some(x) = as_f64 {
        let bounds = [
            (checks.minimum, checks.exclusive_minimum, quote!(<), quote!(<=), "at least", "greater than"),
            (checks.maximum, checks.exclusive_maximum, quote!(>), quote!(>=), "at most", "less than"),
        ];
        for (bound, exclusive, inclusive_op, exclusive_op, inclusive_word, exclusive_word) in bounds {
            if let Some(b) = bound {
                let lit = Literal::f64_unsuffixed(b);
                let (op, word) =
                    if exclusive { (exclusive_op, exclusive_word) } else { (inclusive_op, inclusive_word) };
                let reason = format!("must be {word} {b}");
                let err = invalid(quote!(#v.to_string()), quote!(#reason.to_string()));
                out.extend(quote!(if #x #op #lit { #err }));
            }
        }
    }
    if matches!(t, TypeRef::Vec(_)) {
        for (bound, op, word) in [(checks.min_items, quote!(<), "least"), (checks.max_items, quote!(>), "most")] {
            if let Some(b) = bound {
                let lit = Literal::usize_unsuffixed(b as usize);
                let reason = format!("must have at {word} {b} item{}", if b == 1 { "" } else { "s" });
                let err = invalid(quote!(format!("{} items", #v.len())), quote!(#reason.to_string()));
                let test = match (word, b) {
                    ("least", 0) => continue,
                    ("least", 1) => quote!(#v.is_empty()),
                    _ => quote!(#v.len() #op #lit),
                };
                out.extend(quote!(if #test { #err }));
            }
        }
    }
    let items = checks.items.as_deref().unwrap_or(&none);
    match t {
        TypeRef::Vec(inner) if needs_check(space, inner, items) => {
            let body = check_value(space, quote!(item), inner, items, label);
            out.extend(quote!(for item in #v.iter() { #body }));
        }
        TypeRef::Map(inner) if needs_check(space, inner, items) => {
            let body = check_value(space, quote!(item), inner, items, label);
            out.extend(quote!(for item in #v.values() { #body }));
        }
        TypeRef::Boxed(inner) if needs_check(space, inner, checks) => {
            let body = check_value(space, quote!(inner), inner, checks, label);
            out.extend(quote!({ let inner = &**#v; #body }));
        }
        TypeRef::Named(id) => match &space.get(*id).kind {
            TypeKind::Alias(inner) if needs_check(space, inner, &none) => {
                out.extend(check_value(space, v, inner, &none, label));
            }
            _ if has_validate(space, t) => out.extend(quote!(#v.validate()?;)),
            _ => {}
        },
        _ => {}
    }
    out
}

/// `validate()` for a type reachable from a request: the constraints its fields'
/// types do not enforce (inline string limits and patterns, number ranges, array
/// sizes), here and in nested values.
fn emit_validate(space: &TypeSpace, def: &TypeDef, name: &Ident) -> TokenStream {
    if !def.in_request {
        return quote!();
    }
    let body = match &def.kind {
        TypeKind::Struct { fields, extra } => {
            let mut out = TokenStream::new();
            for f in fields {
                if !needs_check(space, &f.ty, &f.checks) {
                    continue;
                }
                let fname = ident(&f.name);
                let label = format!("{}.{}", def.name, f.wire);
                let check = check_value(space, quote!(value), &f.ty, &f.checks, &label);
                out.extend(if f.required && !f.nullable {
                    quote!({ let value = &self.#fname; #check })
                } else if f.required || !(f.nullable && def.in_request) {
                    quote!(if let Some(value) = &self.#fname { #check })
                } else {
                    quote!(if let super::runtime::Patch::Value(value) = &self.#fname { #check })
                });
            }
            if let Some((t, _)) = extra {
                if needs_check(space, t, &Checks::default()) {
                    let taken = fields.iter().any(|f| f.name == "additional_properties");
                    let fname = if taken {
                        format_ident!("additional_properties_")
                    } else {
                        format_ident!("additional_properties")
                    };
                    let check = check_value(space, quote!(value), t, &Checks::default(), &def.name);
                    out.extend(quote!(for value in self.#fname.values() { #check }));
                }
            }
            out.extend(quote!(Ok(())));
            out
        }
        TypeKind::Union { variants } => {
            let arms: Vec<TokenStream> = variants
                .iter()
                .filter(|(_, t)| has_validate(space, t))
                .map(|(v, _)| {
                    let vi = format_ident!("{}", v);
                    quote!(#name::#vi(value) => value.validate(),)
                })
                .collect();
            if arms.is_empty() {
                quote!(Ok(()))
            } else {
                quote!(match self { #(#arms)* _ => Ok(()) })
            }
        }
        _ => return quote!(),
    };
    quote! {
        impl #name {
            /// Checks what the field types do not enforce themselves (string lengths and
            /// patterns, number ranges, array sizes of inline schemas), here and in nested
            /// values: the first violation, naming the field.
            pub fn validate(&self) -> Result<(), super::runtime::InvalidValue> {
                #body
            }
        }
    }
}

fn type_doc(def: &TypeDef) -> String {
    let mut s = def.doc.clone().unwrap_or_else(|| format!("`{}`", def.name));
    s.push_str(&format!("\n\nSchema: `#{}`.", def.pointer));
    s
}

fn emit_struct(
    space: &TypeSpace,
    def: &TypeDef,
    name: &Ident,
    docs: TokenStream,
    fields: &[Field],
    extra: &Option<(TypeRef, Option<String>)>,
) -> TokenStream {
    let mut all_optional = true;
    let fs = fields.iter().map(|f| {
        let fname = ident(&f.name);
        let inner = ty(space, &f.ty, &quote!());
        let fallback = format!("The `{}` field.", f.wire);
        let fdoc = doc_attrs(Some(f.doc.as_deref().unwrap_or(&fallback)));
        let wire = &f.wire;
        let rename = if f.name != *wire { quote!(rename = #wire,) } else { quote!() };
        if f.required && !f.nullable {
            all_optional = false;
            let attr = if rename.is_empty() { quote!() } else { quote!(#[serde(#rename)]) };
            quote! { #fdoc #attr pub #fname: #inner, }
        } else if f.required {
            // Required but nullable: always sent, may be null.
            all_optional = false;
            quote! { #fdoc #[serde(#rename default)] pub #fname: Option<#inner>, }
        } else if f.nullable && def.in_request {
            quote! {
                #fdoc
                #[serde(#rename default, skip_serializing_if = "super::runtime::Patch::is_absent")]
                pub #fname: super::runtime::Patch<#inner>,
            }
        } else {
            quote! { #fdoc #[serde(#rename default, skip_serializing_if = "Option::is_none")] pub #fname: Option<#inner>, }
        }
    });
    let fs: Vec<TokenStream> = fs.collect();
    let extra_field = extra.as_ref().map(|(t, pattern)| {
        let t = ty(space, t, &quote!());
        let taken = fields.iter().any(|f| f.name == "additional_properties");
        let fname =
            if taken { format_ident!("additional_properties_") } else { format_ident!("additional_properties") };
        let d = match pattern {
            Some(p) => doc_safe(&format!(" Entries whose keys match `{p}`.")),
            None => " Entries under other keys.".to_string(),
        };
        let d = doc_line(&d);
        quote! { #d #[serde(flatten)] pub #fname: std::collections::BTreeMap<String, #t>, }
    });
    // A response object keeps the members it does not declare (the server added
    // them after this client was generated): dropping them would lose data
    // silently. Objects with `additionalProperties` already keep every key.
    let unknown_field = (def.in_response && extra.is_none()).then(|| {
        let mut fname = "unknown_fields".to_string();
        while fields.iter().any(|f| f.name == fname) {
            fname.push('_');
        }
        let fname = format_ident!("{}", fname);
        quote! {
            /// Members this type does not declare (the server added them after this
            /// client was generated), kept as received and encoded back unchanged.
            #[serde(flatten)]
            pub #fname: std::collections::BTreeMap<String, serde_json::Value>,
        }
    });
    let default = if all_optional { quote!(Default,) } else { quote!() };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fs)*
            #extra_field
            #unknown_field
        }
    }
}

fn emit_enum(name: &Ident, docs: TokenStream, variants: &[(String, String)]) -> TokenStream {
    let vs = variants.iter().map(|(v, w)| {
        let v = format_ident!("{}", v);
        let d = if w.is_empty() { " The empty string.".to_string() } else { doc_safe(&format!(" `{w}`")) };
        let d = doc_line(&d);
        quote!(#d #v,)
    });
    let to_str = variants.iter().map(|(v, w)| {
        let v = format_ident!("{}", v);
        quote!(#name::#v => #w,)
    });
    let from_str = variants.iter().map(|(v, w)| {
        let v = format_ident!("{}", v);
        quote!(#w => #name::#v,)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#vs)*
            /// A value this client does not know yet (the server added it after this client was generated).
            Unknown(String),
        }
        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    #name::Unknown(other) => other,
                }
            }
        }
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => #name::Unknown(other.to_string()),
                }
            }
        }
        super::runtime::open_enum_impls!(#name);
    }
}

fn emit_union(space: &TypeSpace, name: &Ident, docs: TokenStream, variants: &[(String, TypeRef)]) -> TokenStream {
    let vs = variants.iter().map(|(v, t)| {
        let vi = format_ident!("{}", v);
        let tt = ty(space, t, &quote!());
        let d = format!(" The `{}` alternative.", tt.to_string().replace(' ', ""));
        let d = doc_line(&d);
        quote!(#d #vi(#tt),)
    });
    let tries = variants.iter().map(|(v, t)| decode_attempt(space, name, v, t));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#vs)*
            /// A value that matches none of the alternatives above (the server may send a
            /// kind this client does not know yet), kept as received.
            Unknown(serde_json::Value),
        }
        impl #name {
            /// The known alternative `value` decodes to, trying them in order; `None` when none does.
            fn decode_known(value: &serde_json::Value) -> Option<Self> {
                #(#tries)*
                None
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::decode_known(&value).unwrap_or(#name::Unknown(value)))
            }
        }
    }
}

/// `Display` for the union `id` when its alternatives are all text
/// ([`is_text`]), for unions sent as parameters (nothing otherwise).
pub fn emit_param_display(space: &TypeSpace, id: TypeId) -> TokenStream {
    match &space.get(id).kind {
        TypeKind::Union { variants } => union_display(space, &format_ident!("{}", space.get(id).name), variants),
        _ => quote!(),
    }
}

/// `Display` for a union of text alternatives ([`is_text`]): the value as a
/// path, query or header parameter sends it (an unknown string as is, any
/// other unknown value as JSON).
fn union_display(space: &TypeSpace, name: &Ident, variants: &[(String, TypeRef)]) -> TokenStream {
    if !variants.iter().all(|(_, t)| is_text(space, t)) {
        return quote!();
    }
    let arms = variants.iter().map(|(v, t)| {
        let v = format_ident!("{}", v);
        match t {
            TypeRef::DateTime => {
                quote!(#name::#v(value) => f.write_str(&value.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),)
            }
            _ => quote!(#name::#v(value) => std::fmt::Display::fmt(value, f),),
        }
    });
    quote! {
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    #(#arms)*
                    #name::Unknown(serde_json::Value::String(text)) => f.write_str(text),
                    #name::Unknown(other) => std::fmt::Display::fmt(other, f),
                }
            }
        }
    }
}

/// The kind behind a named type, looking through aliases of named types.
fn resolve(space: &TypeSpace, t: &TypeRef) -> Option<TypeKind> {
    match t {
        TypeRef::Named(id) => match &space.get(*id).kind {
            TypeKind::Alias(inner @ TypeRef::Named(_)) => resolve(space, inner),
            kind => Some(kind.clone()),
        },
        _ => None,
    }
}

/// Statements returning `Some(Union::Variant(..))` when `value` decodes as alternative `t`.
///
/// Alternatives that would accept anything are narrowed so they cannot shadow the
/// ones after them: an enum matches only its known values (its own `Unknown` would
/// take every string), a nested union only its known alternatives, and an object with
/// constant properties (`type: select`) only when those properties hold that value,
/// and with required enum properties only when they hold known values.
fn decode_attempt(space: &TypeSpace, union: &Ident, variant: &str, t: &TypeRef) -> TokenStream {
    let vi = format_ident!("{}", variant);
    let (inner, boxed) = match t {
        TypeRef::Boxed(inner) => (inner.as_ref(), true),
        t => (t, false),
    };
    let tt = ty(space, inner, &quote!());
    let wrap = if boxed { quote!(Box::new(v)) } else { quote!(v) };
    match resolve(space, inner) {
        Some(TypeKind::Enum { variants: ev }) => {
            let wires = ev.iter().map(|(_, w)| w);
            quote! {
                if let Some(s) = value.as_str() {
                    if [#(#wires),*].contains(&s) {
                        let v = #tt::from(s);
                        return Some(#union::#vi(#wrap));
                    }
                }
            }
        }
        Some(TypeKind::Union { .. }) => quote! {
            if let Some(v) = #tt::decode_known(value) {
                return Some(#union::#vi(#wrap));
            }
        },
        Some(TypeKind::Struct { fields, .. }) => {
            let guards: Vec<TokenStream> = fields
                .iter()
                .filter_map(|f| match resolve(space, &f.ty) {
                    Some(TypeKind::Enum { variants }) if variants.len() == 1 => {
                        let (wire, w) = (&f.wire, &variants[0].1);
                        Some(if f.required {
                            quote!(value.get(#wire).and_then(serde_json::Value::as_str) == Some(#w))
                        } else {
                            quote!(value.get(#wire).is_none_or(|x| x.as_str() == Some(#w)))
                        })
                    }
                    // A required enum field with a value this client does not know means an
                    // alternative it does not know: keep the value whole (`Unknown`) rather
                    // than decode it as a known alternative and drop what does not fit.
                    Some(TypeKind::Enum { variants }) if f.required => {
                        let (wire, ws) = (&f.wire, variants.iter().map(|(_, w)| w));
                        Some(quote! {
                            value.get(#wire).and_then(serde_json::Value::as_str).is_some_and(|x| [#(#ws),*].contains(&x))
                        })
                    }
                    _ => None,
                })
                .collect();
            let attempt = quote! {
                if let Ok(v) = <#tt as serde::Deserialize>::deserialize(value) {
                    return Some(#union::#vi(#wrap));
                }
            };
            if guards.is_empty() {
                attempt
            } else {
                quote!(if #(#guards)&&* { #attempt })
            }
        }
        _ => quote! {
            if let Ok(v) = <#tt as serde::Deserialize>::deserialize(value) {
                return Some(#union::#vi(#wrap));
            }
        },
    }
}

fn emit_newtype(name: &Ident, docs: TokenStream, v: &Validation) -> TokenStream {
    let rule = validation(v);
    let name_str = name.to_string();
    let decode = match &v.pattern {
        Some(p) => {
            let shape = validation(&Validation { pattern: Some(p.clone()), ..Validation::default() });
            quote! {
                const SHAPE: super::runtime::Validation = #shape;
                match SHAPE.check(&value) {
                    Ok(()) => Ok(Self(value)),
                    Err(reason) => Err(<D::Error as serde::de::Error>::custom(
                        super::runtime::InvalidValue { type_name: #name_str, value, reason },
                    )),
                }
            }
        }
        None => quote!(Ok(Self(value))),
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct #name(String);
        impl #name {
            /// The checks every value passes.
            pub const VALIDATION: super::runtime::Validation = #rule;
            /// Checks `value` against every constraint and wraps it.
            ///
            /// Decoding (serde) checks only the pattern: a length limit is the server's to
            /// raise, and a value it sends must still decode.
            pub fn new(value: impl Into<String>) -> Result<Self, super::runtime::InvalidValue> {
                let value = value.into();
                match Self::VALIDATION.check(&value) {
                    Ok(()) => Ok(Self(value)),
                    Err(reason) => Err(super::runtime::InvalidValue { type_name: #name_str, value, reason }),
                }
            }
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The value, unwrapped.
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::str::FromStr for #name {
            type Err = super::runtime::InvalidValue;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }
        impl TryFrom<String> for #name {
            type Error = super::runtime::InvalidValue;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }
        impl TryFrom<&str> for #name {
            type Error = super::runtime::InvalidValue;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }
        impl From<#name> for String {
            fn from(value: #name) -> String {
                value.0
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as serde::Deserialize>::deserialize(deserializer)?;
                #decode
            }
        }
    }
}
