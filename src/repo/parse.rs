//! Bytes → a typed document, or one diagnostic that says exactly what is wrong.

use serde::de::DeserializeOwned;

use super::FileKind;
use crate::diagnostic::{Diagnostic, suggestion};
use crate::model::Doc;
use crate::span::line_col;

/// Parses `bytes` read from `path` as a file of `kind`.
pub fn parse<T: DeserializeOwned>(
    kind: FileKind,
    path: &str,
    bytes: Vec<u8>,
) -> Result<Doc<T>, Box<Diagnostic>> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let pos = line_col(&prefix, valid);
            return Err(Box::new(
                Diagnostic::error(
                    "encoding",
                    path,
                    "file is not valid UTF-8; TOML files must be UTF-8 text",
                )
                .at(Some(pos))
                .hint("re-save the file as UTF-8"),
            ));
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    if text.trim().is_empty() {
        return Err(Box::new(
            Diagnostic::error(
                "empty-file",
                path,
                format!("file is empty; expected {} file", kind.with_article()),
            )
            .hint(format!(
                "see `isms schema {}` for its keys, or delete the file",
                kind.name()
            )),
        ));
    }
    match toml::from_str::<T>(&text) {
        Ok(value) => Ok(Doc {
            path: path.to_owned(),
            text,
            value,
        }),
        Err(err) => Err(Box::new(describe(kind, path, &text, &err))),
    }
}

fn describe(kind: FileKind, path: &str, text: &str, err: &toml::de::Error) -> Diagnostic {
    // serde speaks of sequences and maps; TOML users know arrays and tables.
    let raw = err
        .message()
        .trim()
        .replace('\n', "; ")
        .replace("a sequence", "an array")
        .replace("a map", "a table");
    let pos = err.span().map(|s| line_col(text, s.start));
    // The document parsed but did not fit the schema, or it is not TOML at all?
    // Decided on the error path only, so valid files are parsed once.
    let syntax_ok = toml::de::DeTable::parse(text).is_ok();
    let schema_hint = || format!("see `isms schema {}`", kind.name());
    let diag = if !syntax_ok {
        Diagnostic::error("syntax", path, format!("invalid TOML: {raw}"))
    } else if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (name, expected) = split_name(rest);
        let d = Diagnostic::error("unknown-key", path, format!("unknown key `{name}`"));
        match suggestion(name, &expected) {
            Some(h) => d.hint(h),
            None if expected.is_empty() => d.hint("this table takes no keys"),
            None => d.hint(format!("expected one of: {}", expected.join(", "))),
        }
    } else if let Some(rest) = raw.strip_prefix("missing field `") {
        let (name, _) = split_name(rest);
        Diagnostic::error(
            "missing-key",
            path,
            format!("missing required key `{name}`"),
        )
        .hint(schema_hint())
    } else if let Some(rest) = raw.strip_prefix("unknown variant `") {
        let (name, expected) = split_name(rest);
        let d = Diagnostic::error(
            "invalid-value",
            path,
            format!("`{name}` is not one of: {}", expected.join(", ")),
        );
        match suggestion(name, &expected) {
            Some(h) => d.hint(h),
            None => d,
        }
    } else if raw.starts_with("invalid ID") {
        Diagnostic::error("invalid-id", path, raw.clone())
    } else if let Some(rest) = raw.strip_prefix("invalid type: ") {
        Diagnostic::error("invalid-value", path, format!("wrong type: found {rest}"))
            .hint(schema_hint())
    } else {
        Diagnostic::error("invalid-value", path, raw.clone())
    };
    diag.in_text(text, pos)
}

/// Splits "name`, expected one of `a`, `b`" into the name and the expected names.
fn split_name(rest: &str) -> (&str, Vec<&str>) {
    let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
    let expected = tail.split('`').skip(1).step_by(2).collect();
    (name, expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Allocation;

    fn err(text: &str) -> Diagnostic {
        *parse::<Allocation>(FileKind::Allocation, "a.toml", text.as_bytes().to_vec()).unwrap_err()
    }

    const BASE: &str =
        "service = \"s\"\ncontrol = \"c\"\nparty = \"provider\"\nprovider = \"x\"\nowner = \"o\"\n";

    #[test]
    fn unknown_key_suggests_the_closest() {
        let d = err(&format!("{BASE}justifcation = \"x\"\n"));
        assert_eq!(d.rule, "unknown-key");
        assert_eq!(d.message, "unknown key `justifcation`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `justification`?"));
        assert_eq!((d.line, d.column), (Some(6), Some(1)));
    }

    #[test]
    fn unknown_variant_lists_the_values() {
        let d = err(&BASE.replace("\"provider\"\nprovider", "\"provder\"\nprovider"));
        assert_eq!(d.rule, "invalid-value");
        assert_eq!(
            d.message,
            "`provder` is not one of: provider, customer, shared, not-applicable"
        );
        assert_eq!(d.hint.as_deref(), Some("did you mean `provider`?"));
        assert_eq!(d.line, Some(3));
    }

    #[test]
    fn missing_key_and_wrong_type() {
        let d = err(&BASE.replace("owner = \"o\"\n", ""));
        assert_eq!(
            (d.rule, d.message.as_str()),
            ("missing-key", "missing required key `owner`")
        );
        let d = err(&BASE.replace("owner = \"o\"", "owner = 3"));
        assert_eq!(d.rule, "invalid-value");
        assert!(
            d.message.starts_with("wrong type: found integer `3`"),
            "{}",
            d.message
        );
        assert_eq!((d.line, d.column), (Some(5), Some(9)));
    }

    #[test]
    fn syntax_errors_and_duplicates() {
        let d = err("service = \"s\n");
        assert_eq!(d.rule, "syntax");
        assert_eq!(d.line, Some(1));
        let d = err(&format!("{BASE}owner = \"p\"\n"));
        assert_eq!(d.rule, "syntax");
        assert!(d.message.contains("duplicate key"), "{}", d.message);
        assert_eq!(d.line, Some(6));
    }

    #[test]
    fn encoding_and_empty_files() {
        let d = parse::<Allocation>(
            FileKind::Allocation,
            "a.toml",
            b"a = 1\nb = \"\xff\"\n".to_vec(),
        )
        .unwrap_err();
        assert_eq!((d.rule, d.line, d.column), ("encoding", Some(2), Some(6)));
        let d = err("  \n\n");
        assert_eq!(d.rule, "empty-file");
        assert_eq!(d.message, "file is empty; expected an allocation file");
    }
}
