//! Identifiers: the stems of item files and the keys that refer to them.

use std::borrow::Borrow;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The pattern every ID matches (plus: never contains `..`, never ends in
/// `.lock`).
pub const ID_PATTERN: &str = "^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$";

/// A validated identifier: [`ID_PATTERN`], never containing `..` nor ending
/// in `.lock`.
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

/// Orders IDs as people read them: runs of digits compare as numbers, so
/// `8.2.2` comes before `15.1.1`, and numbers before letters (`18.2.3`
/// before `CLD.6.3.1`).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> impl Iterator<Item = &str> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digit = first.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digit)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            rest = tail;
            Some(run)
        })
    }
    let (mut x, mut y) = (runs(a), runs(b));
    loop {
        let order = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q))
                if p.as_bytes()[0].is_ascii_digit() && q.as_bytes()[0].is_ascii_digit() =>
            {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            (Some(p), Some(q)) => p.cmp(q),
        };
        if order.is_ne() {
            return order;
        }
    }
}

/// A map's entries with their IDs in [`natural_cmp`] order.
pub fn in_reading_order<T>(map: &std::collections::BTreeMap<Id, T>) -> Vec<(&Id, &T)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|(a, _), (b, _)| natural_cmp(a.as_str(), b.as_str()));
    entries
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
    // Its file would be `x..toml`, and the branches of proposals that name
    // it (`isms/stale/<owner>`, `isms/reassess/<trigger>/<service>`) are
    // names git refuses.
    if let Some(last) = s.chars().last().filter(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!(
            "invalid ID `{s}`: an ID must end with a letter or digit, not `{last}`"
        ));
    }
    if s.ends_with(".lock") {
        return Err(format!(
            "invalid ID `{s}`: an ID cannot end in `.lock`, which git keeps for its lock files"
        ));
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
            "not": { "pattern": "\\.\\.|\\.lock$" },
            "description": "An identifier: letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, never `..`, never ending in `.lock`."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_as_people_read_them() {
        let mut ids = vec![
            "CLD.6.3.1",
            "15.1.1",
            "8.2.2",
            "5.1.10",
            "5.1.2",
            "A-01",
            "A-1",
            "9.1",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "5.1.2",
                "5.1.10",
                "8.2.2",
                "9.1",
                "15.1.1",
                "A-01",
                "A-1",
                "CLD.6.3.1"
            ]
        );
    }

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
            ("x.", "must end with a letter or digit, not `.`"),
            ("svc-", "must end with a letter or digit, not `-`"),
            ("x.lock", "cannot end in `.lock`"),
        ];
        for (bad, want) in cases {
            let err = Id::parse(bad).unwrap_err();
            assert!(err.contains(want), "{bad:?}: {err}");
        }
    }
}
