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
    let parsed = toml::from_str::<T>(&text);
    // Conflict markers inside a multi-line string still parse: a conflict in
    // prose is the likeliest one, and its markers are not the record.
    if let Some(line) = conflict_marker(&text, parsed.is_ok()) {
        return Err(Box::new(conflicted(path, &text, line)));
    }
    match parsed {
        Ok(value) => Ok(Doc {
            path: path.to_owned(),
            text,
            value,
        }),
        Err(err) => Err(Box::new(describe(kind, path, &text, &err))),
    }
}

/// The first line of `text` that is one of git's conflict markers (1-based).
/// `whole`: only when the file has both a `<<<<<<<` and a `>>>>>>>` line, as
/// a conflict git left has; otherwise any marker line, a half-resolved
/// conflict's too (for a file that did not parse: the marker is why).
fn conflict_marker(text: &str, whole: bool) -> Option<usize> {
    // One scan of a file that parsed, the common case.
    let maybe = if whole {
        text.contains("<<<<<<<") && text.contains(">>>>>>>")
    } else {
        ["<<<<<<<", ">>>>>>>", "|||||||", "======="]
            .iter()
            .any(|m| text.contains(m))
    };
    if !maybe {
        return None;
    }
    let marker = |line: &str, sign: char| {
        line.len() >= 7
            && line.chars().take(7).all(|c| c == sign)
            && match line[7..].chars().next() {
                None => true,
                Some(c) => c == ' ' && sign != '=',
            }
    };
    let mut first = None;
    let (mut ours, mut theirs) = (false, false);
    for (i, line) in text.lines().enumerate() {
        let opening = marker(line, '<');
        let closing = marker(line, '>');
        ours |= opening;
        theirs |= closing;
        if first.is_none() && (opening || closing || marker(line, '|') || marker(line, '=')) {
            first = Some(i + 1);
        }
    }
    if whole && !(ours && theirs) {
        return None;
    }
    first
}

fn conflicted(path: &str, text: &str, line: usize) -> Diagnostic {
    Diagnostic::error(
        "conflict",
        path,
        "file has an unresolved merge conflict: git's conflict markers are still in it",
    )
    .hint(
        "keep the side you want (or both, merged), delete the marker lines \
         (`<<<<<<<`, `=======`, `>>>>>>>`), then `git add` the file",
    )
    .in_text(text, Some((line, 1)))
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
        let d = Diagnostic::error("syntax", path, format!("invalid TOML: {raw}"));
        // A control character is invisible where it stands: named.
        let at = err.span().and_then(|s| text.get(s.start..)?.chars().next());
        match at.filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            Some(c) => d.hint(format!(
                "the file has a control character here, U+{:04X} (shown as {}); TOML allows none but tab: delete it",
                c as u32,
                crate::diagnostic::visible(&c.to_string())
            )),
            None => d,
        }
    } else if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (name, expected) = split_name(rest);
        let d = Diagnostic::error("unknown-key", path, format!("unknown key `{name}`"));
        let line = pos.map_or(0, |(line, _)| line); // 1-based; 0 when not known
        match misplaced(kind, text, line, name).or_else(|| suggestion(name, &expected)) {
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
        match crate::diagnostic::value_meant(name, &expected) {
            Some(v) => d.hint(crate::diagnostic::meant(v)),
            None => d,
        }
    } else if raw.starts_with("invalid ID") {
        Diagnostic::error("invalid-id", path, raw.clone())
    } else if let Some(rest) = raw.strip_prefix("invalid type: ") {
        Diagnostic::error("invalid-value", path, format!("wrong type: found {rest}"))
            .hint(schema_hint())
    } else {
        // A value's own "did you mean" is the diagnostic's hint.
        match raw.split_once("; did you mean `") {
            Some((message, meant)) => Diagnostic::error("invalid-value", path, message.to_owned())
                .hint(format!("did you mean `{meant}")),
            None => Diagnostic::error("invalid-value", path, raw.clone()),
        }
    };
    diag.in_text(text, pos)
}

/// Where `name`, unknown where it is (line `line`), belongs when TOML's
/// tables put it there: a top-level key written below a `[table]` header
/// belongs above it, and a table's key written at the top belongs in that
/// table. Read from the kind's schema, on the error path only.
fn misplaced(kind: FileKind, text: &str, line: usize, name: &str) -> Option<String> {
    if line == 0 {
        // Where the key is is not known: nor is the table it is in.
        return None;
    }
    let schema = kind.schema();
    let schema = schema.as_object()?;
    let properties = |o: &serde_json::Map<String, serde_json::Value>| {
        o.get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    // The header of the table the key is in, as written.
    let header = text
        .lines()
        .take(line.saturating_sub(1))
        .map(str::trim)
        .filter(|l| l.starts_with('['))
        .last()
        .map(|l| l.split('#').next().unwrap_or(l).trim());
    if let Some(header) = header {
        return properties(schema).iter().any(|p| p == name).then(|| {
            format!(
                "`{name}` is a top-level key, but below `{header}` TOML reads it as part of that table: move it above `{header}`"
            )
        });
    }
    // A top-level key that a table of the file takes.
    let defs = schema.get("$defs").and_then(|d| d.as_object())?;
    let tables = schema.get("properties").and_then(|p| p.as_object())?;
    let def_of = |v: &serde_json::Value| {
        let name = v.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
        defs.get(name)?.as_object()
    };
    tables.iter().find_map(|(table, property)| {
        // `[table]`, possibly optional (anyOf with null), or `[[table]]`.
        let (header, def) = match def_of(property) {
            Some(def) => (format!("[{table}]"), def),
            None => match property.get("items").and_then(def_of) {
                Some(def) => (format!("[[{table}]]"), def),
                None => (
                    format!("[{table}]"),
                    property.get("anyOf")?.as_array()?.iter().find_map(def_of)?,
                ),
            },
        };
        properties(def)
            .iter()
            .any(|p| p == name)
            .then(|| format!("`{name}` is a key of the `{header}` table: move it below `{header}`"))
    })
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
    fn a_key_on_the_wrong_side_of_a_table_header_is_told_where_it_belongs() {
        use crate::model::{Config, Control};
        let control = |text: &str| {
            *parse::<Control>(FileKind::Control, "c.toml", text.as_bytes().to_vec()).unwrap_err()
        };
        let top = "id = \"5.1\"\ntitle = \"T\"\nframework = \"F\"\n";
        // A top-level key written below a table: the table swallows it.
        let d = control(&format!(
            "{top}[soa] # the decision\napplicable = true\nowner = \"alice\"\n"
        ));
        assert_eq!(d.message, "unknown key `owner`");
        assert_eq!(d.line, Some(6));
        assert_eq!(
            d.hint.as_deref(),
            Some(
                "`owner` is a top-level key, but below `[soa]` TOML reads it as part of that table: move it above `[soa]`"
            )
        );
        // A table's key written at the top: an optional table, and an array
        // of tables.
        let d = control(&format!("{top}applicable = true\n"));
        assert_eq!(
            d.hint.as_deref(),
            Some("`applicable` is a key of the `[soa]` table: move it below `[soa]`")
        );
        let d = control(&format!("every = \"1y\"\n{top}"));
        assert_eq!(
            d.hint.as_deref(),
            Some(
                "`every` is a key of the `[[evidence_required]]` table: move it below `[[evidence_required]]`"
            )
        );
        let d = *parse::<Config>(
            FileKind::Config,
            "isms.toml",
            b"branch = \"main\"\n[organization]\nname = \"E\"\nrole = \"both\"\n".to_vec(),
        )
        .unwrap_err();
        assert_eq!(
            d.hint.as_deref(),
            Some("`branch` is a key of the `[defaults]` table: move it below `[defaults]`")
        );
        // A key that belongs nowhere keeps the list of what is expected.
        let d = control(&format!("{top}[soa]\nnothing = 1\n"));
        assert_eq!(
            d.hint.as_deref(),
            Some("expected one of: applicable, justification, status")
        );
    }

    #[test]
    fn a_values_own_did_you_mean_is_the_hint() {
        let text = "id = \"5.1\"\ntitle = \"T\"\nframework = \"F\"\ncadence = \"3 months\"\n";
        let d =
            *parse::<crate::model::Control>(FileKind::Control, "c.toml", text.as_bytes().to_vec())
                .unwrap_err();
        assert_eq!(d.rule, "invalid-value");
        assert!(d.message.ends_with("(like `14d`, `6mo`)"), "{}", d.message);
        assert_eq!(d.hint.as_deref(), Some("did you mean `3mo`?"));
        assert_eq!((d.line, d.column), (Some(4), Some(11)));
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
    fn conflict_markers_are_named_where_they_begin() {
        // As git leaves them: the file is no TOML, and the marker is why.
        let conflicted = BASE.replace(
            "owner = \"o\"\n",
            "<<<<<<< HEAD\nowner = \"o\"\n=======\nowner = \"p\"\n>>>>>>> feature\n",
        );
        let d = err(&conflicted);
        assert_eq!(d.rule, "conflict");
        assert_eq!((d.line, d.column), (Some(5), Some(1)));
        assert_eq!(d.snippet.as_deref(), Some("<<<<<<< HEAD"));
        // Half resolved: a marker left behind is still named.
        let d = err(&BASE.replace("owner = \"o\"\n", "owner = \"o\"\n=======\n"));
        assert_eq!((d.rule, d.line), ("conflict", Some(6)));
        // Inside a multi-line string the file parses, and is still refused.
        let prose = format!(
            "{BASE}justification = \"\"\"\nKept 30 days.\n<<<<<<< HEAD\nOurs.\n||||||| base\nBase.\n=======\nTheirs.\n>>>>>>> feature\n\"\"\"\n"
        );
        let d = err(&prose);
        assert_eq!((d.rule, d.line), ("conflict", Some(8)));
        // Lines that only look alike are prose.
        for fine in [
            "Heading\n=======\nText.",
            "<<<<<<<< eight, not seven",
            "quoted: >>>>>>> only, with no opening",
            "<<<<<<<no space",
        ] {
            let text = format!("{BASE}justification = \"\"\"\n{fine}\n\"\"\"\n");
            assert!(
                parse::<Allocation>(FileKind::Allocation, "a.toml", text.into_bytes()).is_ok(),
                "{fine}"
            );
        }
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
