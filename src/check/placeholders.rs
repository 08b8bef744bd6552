//! `TODO` placeholders: warnings, so a scaffold passes while its gaps stay visible.

use crate::diagnostic::Diagnostic;
use crate::model::{Doc, Snapshot};

pub const MARKER: &str = "TODO";

/// Whether a value's text is (or holds) a placeholder: a gap, not a value.
pub fn holds(text: &str) -> bool {
    text.contains(MARKER)
}

pub fn check(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    if let Some(c) = &s.config {
        scan(c, out);
    }
    s.controls.values().for_each(|d| scan(d, out));
    s.services.values().for_each(|d| scan(d, out));
    s.allocations.values().for_each(|d| scan(d, out));
    s.evidence.values().for_each(|d| scan(d, out));
    s.triggers.values().for_each(|d| scan(d, out));
    s.findings.values().for_each(|d| scan(d, out));
}

/// Whether `doc` still holds a placeholder in a value (not a comment).
pub fn is_placeholder<T>(doc: &Doc<T>) -> bool {
    if !doc.text.contains(MARKER) {
        return false;
    }
    let mut found = Vec::new();
    scan(doc, &mut found);
    !found.is_empty()
}

/// Reports each line whose value (not a comment) still holds the marker.
fn scan<T>(doc: &Doc<T>, out: &mut Vec<Diagnostic>) {
    if !doc.text.contains(MARKER) {
        return;
    }
    for (n, line) in doc.text.lines().enumerate() {
        let code = line.split_once(" #").map_or(line, |(c, _)| c);
        if code.trim_start().starts_with('#') {
            continue;
        }
        let Some(col) = code.find(MARKER) else {
            continue;
        };
        let key = code
            .split_once('=')
            .map(|(k, _)| k.trim())
            .filter(|k| !k.is_empty());
        let message = match key {
            Some(k) => format!("`{k}` is still a TODO placeholder"),
            None => "TODO placeholder".to_owned(),
        };
        let column = line[..col].chars().count() + 1;
        out.push(
            Diagnostic::warning("placeholder", &doc.path, message)
                .in_text(&doc.text, Some((n + 1, column))),
        );
    }
}
