//! Identifiers: the stems of item files and the keys that refer to them.

use std::borrow::Borrow;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The pattern every ID matches (plus: never contains `..`).
pub const ID_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

/// A validated identifier: `[A-Za-z0-9][A-Za-z0-9._-]*`, never containing `..`.
///
/// IDs become file names, so validating them once here is what keeps every
/// path that `isms` builds inside the repository.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// Validates `s` as an ID; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<Id, String> {
        validate(s).map(|()| Id(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why `s` is not an ID, in words a user can act on.
pub fn validate(s: &str) -> Result<(), String> {
    let Some(first) = s.chars().next() else {
        return Err("an ID cannot be empty".into());
    };
    if let Some(c) = s.chars().find(|c| !c.is_ascii()) {
        return Err(format!(
            "invalid ID `{s}`: `{c}` is not ASCII; IDs use letters A-Z, a-z, digits, `.`, `_` and `-`"
        ));
    }
    if !first.is_ascii_alphanumeric() {
        return Err(format!(
            "invalid ID `{s}`: an ID must start with a letter or digit, not `{first}`"
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        let c = c.escape_default();
        return Err(format!(
            "invalid ID `{s}`: `{c}` is not allowed; IDs use letters, digits, `.`, `_` and `-`"
        ));
    }
    if s.contains("..") {
        return Err(format!("invalid ID `{s}`: an ID cannot contain `..`"));
    }
    Ok(())
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Id::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Id {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": ID_PATTERN,
            "not": { "pattern": "\\.\\." },
            "description": "An identifier: letters, digits, `.`, `_` and `-`, starting with a letter or digit, never `..`."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_catalog_and_user_ids() {
        for ok in [
            "CLD.9.5.1",
            "12.4.3",
            "payments-api",
            "2026-10-admin-log-review",
            "a_b",
        ] {
            assert!(Id::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_path_like_and_odd_ids() {
        let cases = [
            ("", "cannot be empty"),
            ("../etc", "must start with a letter or digit, not `.`"),
            ("a..b", "cannot contain `..`"),
            ("a/b", "`/` is not allowed"),
            ("a\\b", "`\\\\` is not allowed"),
            ("-rf", "must start with a letter or digit, not `-`"),
            (".hidden", "not `.`"),
            ("café", "`é` is not ASCII"),
            ("a b", "` ` is not allowed"),
        ];
        for (bad, want) in cases {
            let err = Id::parse(bad).unwrap_err();
            assert!(err.contains(want), "{bad:?}: {err}");
        }
    }
}
