//! Turning byte offsets and key paths into the line and column a user sees,
//! and keeping a file's line endings when its text is edited.

use toml::de::{DeTable, DeValue};

/// `edited`, the new text of a file whose text was `original`, in the
/// original's form: its line endings and its byte-order mark. A TOML editor
/// writes `\n` and drops a mark; a file that uses `\r\n` (as git's
/// `core.autocrlf` checks files out on Windows), or starts with a mark (as
/// some Windows editors write UTF-8), keeps them, so that only the lines an
/// edit touched differ. The first line ending decides, as it does for git.
pub fn in_the_form_of(original: &str, edited: String) -> String {
    const BOM: char = '\u{feff}';
    let edited = match original.find('\n') {
        Some(end) if original[..end].ends_with('\r') => {
            edited.replace("\r\n", "\n").replace('\n', "\r\n")
        }
        _ => edited,
    };
    match (original.starts_with(BOM), edited.starts_with(BOM)) {
        (true, false) => format!("{BOM}{edited}"),
        _ => edited,
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// Where the value at `path` is written in a TOML document: the key of a table
/// entry, or the element of an array (`["artifacts", "0", "sha256"]`).
///
/// Documents are re-parsed only when a diagnostic needs a position, which
/// keeps the common, clean path free of span bookkeeping.
pub fn locate(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut found = None;
    let mut rest = path;
    while let Some((key, tail)) = rest.split_first() {
        let (k, v) = table.iter().find(|(k, _)| k.get_ref() == key)?;
        found = Some(k.span().start);
        let mut value = v;
        rest = tail;
        // Step into array elements named by index.
        while let (DeValue::Array(items), Some((idx, tail))) = (value.get_ref(), rest.split_first())
        {
            let Ok(i) = idx.parse::<usize>() else { break };
            value = items.get(i)?;
            found = Some(value.span().start);
            rest = tail;
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ if rest.is_empty() => break,
            _ => return found.map(|o| line_col(text, o)),
        }
    }
    found.map(|o| line_col(text, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_text_keeps_the_line_endings_and_mark_of_the_original() {
        let crlf = "a = 1\r\nb = 2\r\n";
        assert_eq!(
            in_the_form_of(crlf, "a = 1\nb = 3\nc = 4\n".to_owned()),
            "a = 1\r\nb = 3\r\nc = 4\r\n"
        );
        // What the editor kept as `\r\n` is not doubled.
        assert_eq!(
            in_the_form_of(crlf, "a = 1\r\nb = 3\n".to_owned()),
            "a = 1\r\nb = 3\r\n"
        );
        // A file in `\n` stays so, whatever a later line holds.
        assert_eq!(
            in_the_form_of("a = 1\nb = \"x\r\"\r\n", "a = 2\n".to_owned()),
            "a = 2\n"
        );
        assert_eq!(in_the_form_of("", "a = 1\n".to_owned()), "a = 1\n");
        // A byte-order mark stays, once.
        assert_eq!(
            in_the_form_of("\u{feff}a = 1\r\n", "a = 2\n".to_owned()),
            "\u{feff}a = 2\r\n"
        );
        assert_eq!(
            in_the_form_of("\u{feff}a = 1\n", "\u{feff}a = 2\n".to_owned()),
            "\u{feff}a = 2\n"
        );
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\nné = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, text.find('=').unwrap()), (1, 3));
        let second_eq = text.rfind('=').unwrap();
        assert_eq!(line_col(text, second_eq), (2, 4));
    }

    #[test]
    fn locates_keys_tables_and_array_elements() {
        let text = "id = \"x\"\n\n[soa]\napplicable = false\n\n[[artifacts]]\npath = \"a\"\n\n[[artifacts]]\npath = \"b\"\nsha256 = \"0\"\n";
        assert_eq!(locate(text, &["id"]), Some((1, 1)));
        assert_eq!(locate(text, &["soa", "applicable"]), Some((4, 1)));
        assert_eq!(locate(text, &["artifacts", "1", "sha256"]), Some((11, 1)));
        assert_eq!(locate(text, &["missing"]), None);
    }
}
