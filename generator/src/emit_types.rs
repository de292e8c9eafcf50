//! Emitting Rust tokens for the named types of the arena.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Field, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace, Validation};
use crate::naming;

/// An identifier, raw when it is a keyword.
pub fn ident(name: &str) -> Ident {
    if naming::is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `#[doc = " line"]` attributes, one per line, made safe for rustdoc:
/// no accidental code blocks or doctests from the spec's prose.
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return quote!() };
    let lines: Vec<String> = text
        .trim()
        .lines()
        .map(|l| {
            let l = l.trim().replace("```", "'''");
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    let mut out = TokenStream::new();
    for l in lines {
        out.extend(quote!(#[doc = #l]));
    }
    out
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
        TypeKind::Struct { fields, extra } => emit_struct(space, def, &name, docs, fields, extra),
        TypeKind::Enum { variants } => emit_enum(&name, docs, variants),
        TypeKind::Union { variants } => emit_union(space, &name, docs, variants),
        TypeKind::Newtype { validation: v } => emit_newtype(&name, docs, v),
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
        let rename = if f.name.trim_start_matches("r#") != wire { quote!(rename = #wire,) } else { quote!() };
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
            Some(p) => format!(" Entries whose keys match `{p}`."),
            None => " Entries under other keys.".to_string(),
        };
        quote! { #[doc = #d] #[serde(flatten)] pub #fname: std::collections::BTreeMap<String, #t>, }
    });
    let default = if all_optional { quote!(Default,) } else { quote!() };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fs)*
            #extra_field
        }
    }
}

fn emit_enum(name: &Ident, docs: TokenStream, variants: &[(String, String)]) -> TokenStream {
    let vs = variants.iter().map(|(v, w)| {
        let v = format_ident!("{}", v);
        let d = format!(" `{w}`");
        quote!(#[doc = #d] #v,)
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
        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(s.as_ref()))
            }
        }
    }
}

fn emit_union(space: &TypeSpace, name: &Ident, docs: TokenStream, variants: &[(String, TypeRef)]) -> TokenStream {
    let vs = variants.iter().map(|(v, t)| {
        let vi = format_ident!("{}", v);
        let tt = ty(space, t, &quote!());
        let d = format!(" The `{}` alternative.", tt.to_string().replace(' ', ""));
        quote!(#[doc = #d] #vi(#tt),)
    });
    // Enum branches match only their known values here: their `Unknown` variant would
    // otherwise swallow every string and shadow the branches after them.
    let tries = variants.iter().map(|(v, t)| {
        let vi = format_ident!("{}", v);
        let tt = ty(space, t, &quote!());
        match t {
            TypeRef::Named(id) => match &space.get(*id).kind {
                TypeKind::Enum { variants: ev } => {
                    let wires = ev.iter().map(|(_, w)| w);
                    quote! {
                        if let Some(s) = value.as_str() {
                            if [#(#wires),*].contains(&s) {
                                return Ok(#name::#vi(#tt::from(s)));
                            }
                        }
                    }
                }
                _ => quote! {
                    if let Ok(v) = <#tt as serde::Deserialize>::deserialize(&value) {
                        return Ok(#name::#vi(v));
                    }
                },
            },
            _ => quote! {
                if let Ok(v) = <#tt as serde::Deserialize>::deserialize(&value) {
                    return Ok(#name::#vi(v));
                }
            },
        }
    });
    let msg = format!("the value matches no alternative of {name}");
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#vs)*
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                #(#tries)*
                Err(<D::Error as serde::de::Error>::custom(#msg))
            }
        }
    }
}

fn emit_newtype(name: &Ident, docs: TokenStream, v: &Validation) -> TokenStream {
    let rule = validation(v);
    let name_str = name.to_string();
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct #name(String);
        impl #name {
            /// The checks every value passes.
            pub const VALIDATION: super::runtime::Validation = #rule;
            /// Checks `value` and wraps it.
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
                let s = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::new(s).map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    }
}
