//! The intermediate representation: a type arena keyed by [`TypeId`], one
//! entry per schema location (JSON pointer), and operations that refer to
//! types by id.

use std::collections::BTreeMap;

/// Index into [`TypeSpace::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// How a value is typed at a use site.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// A named type in the arena.
    Named(TypeId),
    /// `String`.
    String,
    /// `chrono::DateTime<Utc>`.
    DateTime,
    /// An integer; the Rust type (`i32`/`i64`).
    Integer(&'static str),
    /// `f64`.
    Number,
    /// `f32` (`type: number, format: float`).
    Float32,
    /// `bool`.
    Boolean,
    /// `serde_json::Value`.
    Any,
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Box<T>`, breaking a recursive cycle.
    Boxed(Box<TypeRef>),
}

impl TypeRef {
    /// The Rust spelling of this use-site type, as the `types` module
    /// writes it (`Vec<Device>`, `BTreeMap<String, serde_json::Value>`),
    /// with named types spelled by `named`.
    pub fn render(&self, named: &dyn Fn(TypeId) -> String) -> String {
        match self {
            TypeRef::Named(id) => named(*id),
            TypeRef::String => "String".into(),
            TypeRef::DateTime => "DateTime<Utc>".into(),
            TypeRef::Integer(i) => (*i).into(),
            TypeRef::Number => "f64".into(),
            TypeRef::Float32 => "f32".into(),
            TypeRef::Boolean => "bool".into(),
            TypeRef::Any => "serde_json::Value".into(),
            TypeRef::Vec(t) => format!("Vec<{}>", t.render(named)),
            TypeRef::Map(t) => format!("BTreeMap<String, {}>", t.render(named)),
            TypeRef::Boxed(t) => format!("Box<{}>", t.render(named)),
        }
    }
}

/// String validation taken from the schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// `pattern` (ECMA-262, used as a regex-lite pattern).
    pub pattern: Option<String>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
}

impl Validation {
    /// True when nothing is checked.
    pub fn is_empty(&self) -> bool {
        self.pattern.is_none() && self.min_length.is_none() && self.max_length.is_none()
    }
}

/// One struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON name.
    pub wire: String,
    /// The Rust name.
    pub name: String,
    /// Its type.
    pub ty: TypeRef,
    /// In `required`.
    pub required: bool,
    /// `nullable: true`.
    pub nullable: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// Constraints of the field's own (inline) schema that its type does not enforce.
    pub checks: Checks,
}

/// Constraints of an inline schema that its Rust type does not enforce (a named
/// newtype checks itself): checked by the generated `validate()` of request types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// String `pattern`, `minLength`, `maxLength`.
    pub string: Validation,
    /// `minimum` (inclusive unless `exclusive_minimum`).
    pub minimum: Option<f64>,
    /// `maximum` (inclusive unless `exclusive_maximum`).
    pub maximum: Option<f64>,
    /// OpenAPI 3.0's `exclusiveMinimum: true`: the value must be greater than `minimum`.
    pub exclusive_minimum: bool,
    /// OpenAPI 3.0's `exclusiveMaximum: true`: the value must be less than `maximum`.
    pub exclusive_maximum: bool,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// Checks of each array item or map value.
    pub items: Option<Box<Checks>>,
}

impl Checks {
    /// True when nothing is checked.
    pub fn is_empty(&self) -> bool {
        self.string.is_empty()
            && self.minimum.is_none()
            && self.maximum.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && self.items.as_ref().is_none_or(|i| i.is_empty())
    }
}

/// What a named type is.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with named fields; `extra` collects other keys (additionalProperties or pattern keys).
    Struct {
        /// Fields in spec order.
        fields: Vec<Field>,
        /// Type of the values of other keys, and their key pattern if any.
        extra: Option<(TypeRef, Option<String>)>,
    },
    /// A string enum; unknown values are kept in `Unknown(String)`.
    Enum {
        /// (Rust variant name, wire value).
        variants: Vec<(String, String)>,
    },
    /// `oneOf`/`anyOf` without a discriminator: an untagged enum, tried in order.
    Union {
        /// (Rust variant name, type), most specific first.
        variants: Vec<(String, TypeRef)>,
    },
    /// A string with a pattern or length limits, checked on construction and on deserialize.
    Newtype {
        /// The checks.
        validation: Validation,
    },
    /// A named alias for another type (a component that is a primitive or array).
    Alias(TypeRef),
}

/// A named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// The schema location it was generated from.
    pub pointer: String,
    /// The component it belongs to (for snapshots), e.g. `instanceOrg`.
    pub component: Option<String>,
    /// Title and description.
    pub doc: Option<String>,
    /// The shape.
    pub kind: TypeKind,
    /// Reachable from a request body or parameter.
    pub in_request: bool,
    /// Reachable from a response.
    pub in_response: bool,
}

/// All named types.
#[derive(Debug, Default, Clone)]
pub struct TypeSpace {
    /// The arena.
    pub types: Vec<TypeDef>,
    /// Schema pointer -> lowered use-site type.
    pub by_pointer: BTreeMap<String, TypeRef>,
}

impl TypeSpace {
    /// The type behind an id.
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The Rust spelling of a use-site type, named types by their Rust
    /// name (relative to the `types` module).
    pub fn rust_type(&self, t: &TypeRef) -> String {
        t.render(&|id| self.get(id).name.clone())
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// Path segment.
    Path,
    /// Query string.
    Query,
    /// Header.
    Header,
}

/// How a query parameter is serialized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `name=value` (arrays: repeated when exploded, else comma-joined).
    Form {
        /// `explode`.
        explode: bool,
    },
    /// `name[key]=value`.
    DeepObject,
    /// The value as a JSON string (`content: application/json`, or an object in form style).
    Json,
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust name.
    pub name: String,
    /// Location.
    pub location: ParamIn,
    /// Required (path parameters always are).
    pub required: bool,
    /// Type.
    pub ty: TypeRef,
    /// Serialization style for query parameters.
    pub style: QueryStyle,
    /// Checks done before sending (path parameters).
    pub validation: Validation,
    /// Documentation.
    pub doc: Option<String>,
    /// The schema's default, for documentation.
    pub default: Option<serde_json::Value>,
    /// The parameter's `example`, else its schema's (for usage examples).
    pub example: Option<serde_json::Value>,
}

/// A body sent by requests that have none (`x-clientgen-default-body`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultBody {
    /// The `Content-Type` sent with it.
    pub content_type: String,
    /// The exact body text.
    pub body: String,
}

/// How a member of a form body is encoded, from the media type's `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEncoding {
    /// `style: form, explode: true` (the default): arrays as repeated keys.
    Exploded,
    /// `explode: false`: arrays comma-joined.
    Joined,
    /// `style: deepObject`: `name[key]=value`.
    DeepObject,
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The part name.
    pub wire: String,
    /// The Rust field name.
    pub name: String,
    /// In the schema's `required`.
    pub required: bool,
    /// `None`: a file part (a binary string); else the type of a text part
    /// (JSON-encoded unless a scalar).
    pub ty: Option<TypeRef>,
    /// An array of files (a part repeated per file).
    pub list: bool,
    /// The part's content type from the media type's `encoding`, if given.
    pub content_type: Option<String>,
}

/// How a request or response body is encoded on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// JSON (`application/json` with any parameters, `*+json`).
    Json,
    /// `application/x-www-form-urlencoded` from the body's type; its members
    /// (wire names, in schema order) and how each is encoded.
    Form(Vec<(String, FormEncoding)>),
    /// `multipart/form-data`: the parts, in schema order.
    Multipart(Vec<Part>),
    /// `text/*`: a `String`.
    Text,
    /// Bytes (binary media types, and unsupported ones, which lint warns about).
    Binary,
}

/// The media type an operation's body is sent or received as.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    /// The declared media type, sent as `Content-Type` (request) or `Accept` (response).
    pub content_type: String,
    /// The encoding.
    pub kind: BodyKind,
}

/// The server-sent events (`text/event-stream`) a success response offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Events {
    /// The declared media type, sent as `Accept`.
    pub content_type: String,
    /// What each event's `data` holds, decoded from JSON, when the schema
    /// says (an object, array or named type); `None`: raw events.
    pub item: Option<TypeRef>,
    /// The `data` of the event that ends the stream (`x-clientgen-sse-terminator`).
    pub terminator: Option<String>,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` or a derived id.
    pub id: String,
    /// Resource accessor name (snake_case), e.g. `instance_orgs`.
    pub resource: String,
    /// Method name (snake_case), e.g. `get`.
    pub action: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Summary.
    pub summary: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Parameters, path first in template order, then query and header in spec order.
    pub params: Vec<Param>,
    /// Request body type and whether it is required (`Any` for multipart and
    /// binary bodies, whose Rust type comes from [`Operation::body_media`]).
    pub body: Option<(TypeRef, bool)>,
    /// The request body's media type (`None`: a body without content, sent as JSON).
    pub body_media: Option<Media>,
    /// First 2xx status and its JSON body type (`None` body: no JSON content).
    pub success: (u16, Option<TypeRef>),
    /// The spec declares no success (2xx) response (`responses: {}`, or only
    /// errors): the method returns the raw response (status, headers, bytes).
    pub raw_success: bool,
    /// The success body's media type when it is not JSON (text, bytes); `None`
    /// for JSON or no content.
    pub success_media: Option<Media>,
    /// The success response's server-sent events, when it offers
    /// `text/event-stream`: `send_events()` beside a JSON, text or binary
    /// body, else what `send()` returns.
    pub events: Option<Events>,
    /// Documented error responses: (status, description).
    pub errors: Vec<(String, String)>,
    /// Pagination: the item type when the operation takes `page`/`perPage` and returns `items`.
    pub paginated: Option<TypeRef>,
    /// What to send when the request has no body (none declared, or an optional one left
    /// unset), from the document's `x-clientgen-default-body` (see [`crate::extensions`]).
    pub default_body: Option<DefaultBody>,
    /// The operation's own `security` when it differs from the document's
    /// (`Some(vec![])` for `security: []`: no credentials); `None`: the document's.
    pub security: Option<Vec<Vec<String>>>,
    /// Pointer of the operation in the document.
    pub pointer: String,
}

/// The lowered API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Title.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Default server.
    pub server: Option<String>,
    /// How the API is called: base URL, default headers and query, user
    /// agent, tracing span, security (see [`crate::extensions`]).
    pub conventions: Conventions,
    /// Named types.
    pub types: TypeSpace,
    /// Operations sorted by id.
    pub operations: Vec<Operation>,
}

/// An API's wire conventions, emitted as the runtime's `Conventions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conventions {
    /// The first server's URL with its variables' defaults, when absolute.
    pub base_url: Option<String>,
    /// `x-clientgen-user-agent`: the `User-Agent`, `{version}` standing for the crate version.
    pub user_agent: Option<String>,
    /// `x-clientgen-tracing-span`: the name of the span each request runs in.
    pub tracing_span: Option<String>,
    /// `x-clientgen-client-headers`, in order.
    pub headers: Vec<ClientHeader>,
    /// `x-clientgen-default-query`: `(name, value)`, in order.
    pub default_query: Vec<(String, String)>,
    /// `components.securitySchemes` the client can send, in spec order.
    pub security_schemes: Vec<SecurityScheme>,
    /// The document's `security` (alternatives of scheme names).
    pub security: Vec<Vec<String>>,
}

/// A header every request sends or can send (`x-clientgen-client-headers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHeader {
    /// Header name.
    pub name: String,
    /// The default value, if any.
    pub value: Option<String>,
    /// The `ClientBuilder` setter (snake_case), if any.
    pub setter: Option<String>,
    /// Documentation of the setter.
    pub description: Option<String>,
}

/// A security scheme the client can hold a credential for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// Its key in `components.securitySchemes`.
    pub key: String,
    /// The `ClientBuilder` setter (snake_case): `x-rust-name`, else the key.
    pub setter: String,
    /// How the credential is sent.
    pub kind: SchemeKind,
    /// The scheme's description.
    pub description: Option<String>,
}

/// How a credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer` (http bearer, oauth2, openIdConnect).
    Bearer,
    /// `Authorization: Basic`.
    Basic,
    /// An API key in a header, query parameter or cookie of this name.
    ApiKey {
        /// `header`, `query` or `cookie`.
        location: String,
        /// The header, parameter or cookie name.
        name: String,
    },
}
