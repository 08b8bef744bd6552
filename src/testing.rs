//! Helpers the unit tests share: items parsed as the reader parses them.

use crate::model::{Doc, FileKind, Id};

/// The file at `path` of `kind`, parsed from `text` as `isms` reads it; a
/// file that does not parse fails the test with its diagnostic.
pub fn doc<T: serde::de::DeserializeOwned>(kind: FileKind, path: &str, text: &str) -> Doc<T> {
    crate::repo::parse(kind, path, text.as_bytes().to_vec()).unwrap_or_else(|d| panic!("{d:?}"))
}

/// `s` as an ID, which it must be.
pub fn id(s: &str) -> Id {
    Id::parse(s).unwrap()
}
