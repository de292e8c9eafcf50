//! Value helpers used by generated types: [`Patch`] (absent / null / value)
//! and [`InvalidValue`] (a value refused by a validated newtype).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a request body that can be left out, set to `null` (to clear
/// the stored value) or set to a value.
///
/// Generated request types use it for optional fields the API allows to be
/// `null`, so a PATCH can clear a value, which `Option` cannot express.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not sent: the server keeps what it has.
    #[default]
    Absent,
    /// Sent as `null`: the server clears the value.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Patch<T> {
    /// True when the field is left out (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// The value, if one is set.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Value(value)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` becomes [`Patch::Null`]: an explicit clear.
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(v) => v.serialize(serializer),
            Patch::Null | Patch::Absent => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present `null` is [`Patch::Null`]; a missing field (with `#[serde(default)]`) is [`Patch::Absent`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Patch::Null, Patch::Value))
    }
}

/// A value refused by a validated type such as `ObjectId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    /// The Rust type that refused it.
    pub type_name: &'static str,
    /// The refused value.
    pub value: String,
    /// Why, e.g. "must match ^[A-Fa-f\d]{24}$".
    pub reason: String,
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} {:?}: {}", self.type_name, self.value, self.reason)
    }
}

impl std::error::Error for InvalidValue {}

/// The impls every open enum of the generated `types` module shares, made
/// from its `as_str` and `From<&str>` (which carry the wire values):
/// `FromStr` (never fails: a value it does not know is kept as `Unknown`),
/// `Display` (the wire text), and serde as that text. One line per enum in
/// the generated code instead of four impls spelled out each time. (An API
/// without enums does not use it.)
#[allow(unused_macros)]
macro_rules! open_enum_impls {
    ($name:ident) => {
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(s.as_ref()))
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use open_enum_impls;
