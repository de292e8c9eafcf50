//! Emitting request and response bodies by media type (see [`crate::media`]):
//! the builder's body type, the statement that puts the body on the
//! `Request`, the `multipart/form-data` structs, and how the success body is
//! read. JSON bodies sent as `application/json` keep the code they always had.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit_ops::{is_structured, resolve};
use crate::emit_types::{doc_attrs, has_validate, ident, ty};
use crate::ir::{Api, BodyKind, Events, FormEncoding, Operation, Part, TypeRef};

/// The body's media, `None` for a JSON body (`application/json` or none declared).
fn kind(op: &Operation) -> Option<&BodyKind> {
    op.body_media.as_ref().map(|m| &m.kind).filter(|k| **k != BodyKind::Json)
}

/// The name of an operation's multipart struct.
pub fn multipart_name(builder: &str) -> String {
    format!("{}Multipart", builder.to_upper_camel_case())
}

/// The stored type of the body and the argument type of its argument or setter.
pub fn body_types(api: &Api, op: &Operation, builder: &str) -> Option<(TokenStream, TokenStream)> {
    let (t, _) = op.body.as_ref()?;
    Some(match kind(op) {
        Some(BodyKind::Binary) => (quote!(super::runtime::Upload), quote!(impl Into<super::runtime::Upload>)),
        Some(BodyKind::Text) => (quote!(String), quote!(impl Into<String>)),
        Some(BodyKind::Multipart(_)) => {
            let n = format_ident!("{}", multipart_name(builder));
            (quote!(#n), quote!(#n))
        }
        Some(BodyKind::Json | BodyKind::Form(_)) | None => {
            let t = ty(&api.types, t, &quote!(types::));
            (t.clone(), t)
        }
    })
}

/// Whether the body argument is `impl Into<..>` (needs `.into()`).
pub fn body_into(op: &Operation) -> bool {
    matches!(kind(op), Some(BodyKind::Binary | BodyKind::Text))
}

/// The statement that sets the body `v` (a reference to the stored body,
/// `recv` the same as a method receiver) on `req`.
pub fn set_body(api: &Api, op: &Operation, v: TokenStream, recv: TokenStream) -> TokenStream {
    let Some((t, _)) = &op.body else { return quote!() };
    // `*/*` is read as JSON, sent as `application/json`.
    let ct = op.body_media.as_ref().map(|m| m.content_type.as_str()).filter(|ct| !ct.contains('*'));
    let ct = ct.unwrap_or("application/json");
    let check = if has_validate(&api.types, t) && matches!(kind(op), None | Some(BodyKind::Form(_))) {
        quote!(.check(#recv.validate()))
    } else {
        quote!()
    };
    match kind(op) {
        None if ct == "application/json" => quote!(req = req #check .json_body(#v);),
        None => quote!(req = req #check .json_body_as(#ct, #v);),
        Some(BodyKind::Form(styles)) => {
            let styles = styles.iter().map(|(name, e)| match e {
                FormEncoding::Exploded => quote!((#name, super::runtime::FormStyle::Exploded)),
                FormEncoding::Joined => quote!((#name, super::runtime::FormStyle::Joined)),
                FormEncoding::DeepObject => quote!((#name, super::runtime::FormStyle::DeepObject)),
            });
            quote!(req = req #check .form_body(#v, &[#(#styles),*], |b, pairs| b.form(pairs));)
        }
        Some(BodyKind::Text) => quote!(req = req.bytes_body(#ct, #recv.clone());),
        Some(BodyKind::Binary) => quote!(req = req.upload_body(#ct, #v);),
        Some(BodyKind::Multipart(_)) => quote! {
            let form = #recv.clone();
            req = req.apply_body("multipart", std::sync::Arc::new(move |b| Ok(b.multipart(form.to_multipart()?))));
        },
        Some(BodyKind::Json) => unreachable!("`kind` maps JSON to None"),
    }
}

/// The struct of a `multipart/form-data` body (empty tokens for other bodies).
pub fn multipart_struct(api: &Api, op: &Operation, builder: &str) -> TokenStream {
    let Some(BodyKind::Multipart(parts)) = kind(op) else { return quote!() };
    let n = format_ident!("{}", multipart_name(builder));
    let doc = crate::emit_types::doc_line(&crate::emit_types::doc_safe(&format!(
        " The `multipart/form-data` body of `{}`: file parts ([`FilePart`](super::runtime::FilePart)) \
         and text parts (strings as they are, other values as JSON).",
        op.id
    )));
    let fields = parts.iter().map(|p| {
        let f = ident(&p.name);
        let t = part_type(api, p);
        let what = if p.ty.is_none() { "file part" } else { "text part" };
        let ct = p.content_type.as_deref().map(|c| format!(", `{c}`")).unwrap_or_default();
        let d = doc_attrs(Some(&format!("`{}` ({what}{ct}).", p.wire)));
        quote!(#d pub #f: #t,)
    });
    let adds = parts.iter().map(|p| add_part(api, p));
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct #n {
            #(#fields)*
        }
        impl #n {
            /// The multipart form, built anew for each attempt.
            fn to_multipart(&self) -> Result<reqwest::multipart::Form, String> {
                let mut form = reqwest::multipart::Form::new();
                #(#adds)*
                Ok(form)
            }
        }
    }
}

fn part_type(api: &Api, p: &Part) -> TokenStream {
    let t = match &p.ty {
        None if p.list => return quote!(Vec<super::runtime::FilePart>),
        None => quote!(super::runtime::FilePart),
        Some(t) => ty(&api.types, t, &quote!(types::)),
    };
    if p.required {
        t
    } else {
        quote!(Option<#t>)
    }
}

/// Statements adding part `p` (field `self.<name>`) to `form`.
fn add_part(api: &Api, p: &Part) -> TokenStream {
    let (f, wire) = (ident(&p.name), &p.wire);
    let failed = format!("part `{}`: {{e}}", wire.replace('{', "{{").replace('}', "}}"));
    let add = match &p.ty {
        None => {
            let default_ct = p.content_type.as_deref().unwrap_or("application/octet-stream");
            quote! {
                let mut part = reqwest::multipart::Part::bytes(v.bytes.to_vec());
                if let Some(name) = &v.file_name {
                    part = part.file_name(name.clone());
                }
                let ct = v.content_type.as_deref().unwrap_or(#default_ct);
                form = form.part(#wire, part.mime_str(ct).map_err(|e| format!(#failed))?);
            }
        }
        Some(t) => {
            let ct = p.content_type.clone().or_else(|| is_json_part(api, t).then(|| "application/json".to_string()));
            let mime = ct.map(|ct| quote!(let part = part.mime_str(#ct).map_err(|e| format!(#failed))?;));
            quote! {
                let part = reqwest::multipart::Part::text(super::runtime::part_text(v)?);
                #mime
                form = form.part(#wire, part);
            }
        }
    };
    match (p.list, p.required) {
        (true, _) => quote!(for v in &self.#f { #add }),
        (false, true) => quote!({ let v = &self.#f; #add }),
        (false, false) => quote!(if let Some(v) = &self.#f { #add }),
    }
}

/// Text parts that are not scalars are sent as JSON.
fn is_json_part(api: &Api, t: &TypeRef) -> bool {
    matches!(resolve(api, t), TypeRef::Vec(_)) || is_structured(api, t)
}

/// How the success body is read: `(Rust type, execute expression, send() doc,
/// extra methods)`, or `None` for a JSON or empty success body.
pub fn success(op: &Operation) -> Option<(TokenStream, TokenStream, String, TokenStream)> {
    let media = op.success_media.as_ref()?;
    let (code, ct) = (op.success.0, &media.content_type);
    Some(match media.kind {
        BodyKind::Text => (
            quote!(String),
            quote!(self.client.execute_text(self.request()).await),
            format!(" Sends the request; `Ok` holds the {code} `{ct}` body as text (UTF-8)."),
            quote!(),
        ),
        _ => (
            quote!(bytes::Bytes),
            quote!(self.client.execute_bytes(self.request()).await),
            format!(
                " Sends the request; `Ok` holds the {code} `{ct}` body as bytes, read whole \
                 (within the client's body limit; see `send_stream` for large bodies)."
            ),
            quote! {
                /// Sends the request and returns the success body as a stream of chunks,
                /// read as they arrive without buffering the whole body.
                pub async fn send_stream(self) -> Result<ApiResponse<super::runtime::ByteStream>, Error> {
                    self.client.execute_stream(self.request()).await
                }
            },
        ),
    })
}

/// The `Accept` header a non-JSON success body asks for (an event stream's
/// when the operation returns nothing else).
pub fn accept(op: &Operation) -> TokenStream {
    let ct = match (&op.success_media, &op.events) {
        (Some(m), _) => &m.content_type,
        (None, Some(e)) if events_only(op) => &e.content_type,
        _ => return quote!(),
    };
    quote!(req = req.header("accept", #ct);)
}

/// Whether server-sent events are all the operation's success response
/// offers: `send()` returns them.
pub fn events_only(op: &Operation) -> bool {
    op.events.is_some() && op.success.1.is_none() && op.success_media.is_none() && !op.raw_success
}

/// The Rust type of an operation's event stream: `EventStream<T>` of the
/// events' type, or of raw `Event`s.
pub fn events_type(api: &Api, events: &Events) -> TokenStream {
    let item = match &events.item {
        Some(t) => ty(&api.types, t, &quote!(types::)),
        None => quote!(super::runtime::Event),
    };
    quote!(super::runtime::EventStream<#item>)
}

/// The expression executing `request` (a `Request`) as an event stream:
/// an `ApiResponse<EventStream<..>>` result.
pub fn execute_events(events: &Events, request: TokenStream) -> TokenStream {
    let terminator = match &events.terminator {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    };
    let exec = quote!(self.client.execute_events(#request, #terminator).await);
    match events.item {
        Some(_) => quote!(#exec.map(|r| r.map(super::runtime::EventStream::json))),
        None => exec,
    }
}

/// The doc text of an operation's events: what each item is and how the stream ends.
pub fn events_doc(api: &Api, events: &Events) -> String {
    let ct = &events.content_type;
    let what = match &events.item {
        Some(t) => {
            let t = ty(&api.types, t, &quote!(types::)).to_string().replace(' ', "");
            format!("a stream of `{t}` (`{ct}`, each event's `data` decoded from JSON)")
        }
        None => format!("a stream of raw `runtime::Event`s (`{ct}`)"),
    };
    match &events.terminator {
        Some(t) => format!("{what}, ended by the event whose data is `{t}`"),
        None => what,
    }
}

/// `send_events()` and `send_events_with_response()` beside another success
/// body (empty tokens when the operation has no events or only events).
pub fn send_events(api: &Api, op: &Operation) -> TokenStream {
    let Some(events) = op.events.as_ref().filter(|_| !events_only(op)) else { return quote!() };
    let out = events_type(api, events);
    let ct = &events.content_type;
    let execute = execute_events(events, quote!(self.request().header("accept", #ct)));
    let doc = crate::emit_types::doc_line(&crate::emit_types::doc_safe(&format!(
        " Sends the request asking for server-sent events; `Ok` holds {}. \
         The client's timeout bounds each wait for the next chunk, not the whole stream; nothing reconnects.",
        events_doc(api, events)
    )));
    quote! {
        #doc
        pub async fn send_events(self) -> Result<#out, Error> {
            self.send_events_with_response().await.map(ApiResponse::into_body)
        }
        /// Like `send_events`, with the status and headers of the response.
        pub async fn send_events_with_response(self) -> Result<ApiResponse<#out>, Error> {
            #execute
        }
    }
}

/// The doc line of the request body (`None`: the JSON doc line as before).
pub fn body_doc(op: &Operation, t: &str, builder: &str) -> Option<String> {
    let media = op.body_media.as_ref().filter(|m| m.content_type != "application/json")?;
    let t = match &media.kind {
        BodyKind::Binary => "`runtime::Upload` (bytes or a stream)".to_string(),
        BodyKind::Multipart(_) => format!("`{}` (file and text parts)", multipart_name(builder)),
        _ => format!("`{t}`"),
    };
    Some(format!("{t} as `{}`", media.content_type))
}
