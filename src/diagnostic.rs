//! Findings about a repository: data, collected in full, never early returns.

use serde::Serialize;

/// How serious a diagnostic is: errors fail `isms check`, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a repository, located as precisely as the input allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable rule id, e.g. `unknown-key`, `matrix-incomplete`.
    pub rule: &'static str,
    /// Repository-relative path with `/` separators.
    pub file: String,
    /// 1-based line, when the problem is at a place in the file.
    pub line: Option<usize>,
    /// 1-based column in characters.
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it, when there is something specific to say.
    pub hint: Option<String>,
    /// The text of the line, for human output.
    #[serde(skip)]
    pub snippet: Option<String>,
}

impl Diagnostic {
    pub fn error(rule: &'static str, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            rule,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            snippet: None,
        }
    }

    pub fn warning(
        rule: &'static str,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(rule, file, message)
        }
    }

    pub fn at(mut self, pos: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = pos {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    /// Locates the diagnostic at `pos` in `text`, keeping the line for display.
    pub fn in_text(mut self, text: &str, pos: Option<(usize, usize)>) -> Self {
        if let Some((line, _)) = pos {
            self.snippet = text.lines().nth(line - 1).map(str::to_owned);
        }
        self.at(pos)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where it is: `file:line:column`, or as much of that as is known.
    pub fn place(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file),
            (Some(line), None) => format!("{}:{line}", self.file),
            _ => self.file.clone(),
        }
    }
}

/// Sorts for output: by file, then position, then rule; stable and deterministic.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.rule, &b.message))
    });
}

/// `text` with each control character but tab and newline shown as its
/// Unicode picture (`␀`, `␛`, `␡`), as rustc shows them in a snippet: one
/// character for one, so a column still points where it did, and a file's
/// bytes never reach the terminal as escape sequences of their own.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    pictured(text, &['\t', '\n'])
}

/// [`visible`] for a value shown on one line (a name, a note, a title):
/// a newline is shown as `␊` too, so a value cannot start a line of its
/// own, such as a workflow command for GitHub Actions (`::…`).
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    pictured(text, &['\t'])
}

fn pictured<'a>(text: &'a str, kept: &[char]) -> std::borrow::Cow<'a, str> {
    let shown = |c: char| match c {
        c if kept.contains(&c) => c,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    };
    match text.chars().any(|c| shown(c) != c) {
        true => text.chars().map(shown).collect(),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// The hint for a likely typo of `name`: "did you mean `X`?", naming the
/// closest candidate, if one is close enough.
pub fn suggestion(name: &str, candidates: &[&str]) -> Option<String> {
    did_you_mean(name, candidates).map(meant)
}

/// The hint for `who`, named as an owner and none of the `known` people and
/// teams: `me` (or `self`) meant `@me`; else a likely typo of one of them.
pub fn owner_suggestion(who: &str, known: &[&str]) -> Option<String> {
    match who.to_ascii_lowercase().as_str() {
        "me" | "self" => Some(format!(
            "{} It is the person whose email is git's author email",
            meant("@me")
        )),
        _ => suggestion(who, known),
    }
}

/// As [`did_you_mean`], for an item's ID, where IDs that share a prefix
/// (`CLD.9.5.2`, `CLD.0.0.0`) look alike to it: the candidate must also be
/// at most two edits away, and fewer than a third of `name`'s length.
pub fn did_you_mean_id<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    did_you_mean(name, candidates).filter(|c| {
        let edits = strsim::damerau_levenshtein(name, c);
        edits <= 2 && edits * 3 < name.chars().count()
    })
}

/// The one candidate that `name` begins, up to a word's end: `payments`
/// for `payments-api`, `2026-10` for `2026-10-admin-log-review`. A name
/// typed short, on the command line, which it more likely means than an
/// ID a typo away; none when several begin so.
pub fn completion<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut longer = candidates.iter().filter(|c| {
        c.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['-', '.', '_']))
    });
    match (longer.next(), longer.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// "did you mean `m`?", the wording of every such hint.
pub fn meant(m: impl std::fmt::Display) -> String {
    format!("did you mean `{m}`?")
}

/// Words people write for a value isms spells otherwise, in a spreadsheet
/// or by hand: `N/A` for `not-applicable`, `both` for `shared`.
const MEANINGS: &[(&str, &[&str])] = &[
    (
        "not-applicable",
        &[
            "n/a",
            "na",
            "none",
            "not applicable",
            "not_applicable",
            "notapplicable",
            "excluded",
        ],
    ),
    (
        "shared",
        &[
            "both",
            "joint",
            "split",
            "provider and customer",
            "customer and provider",
        ],
    ),
    ("provider", &["vendor", "csp", "cloud provider", "supplier"]),
    ("customer", &["tenant", "client", "consumer"]),
    (
        "implemented",
        &["done", "complete", "completed", "in place", "in-place"],
    ),
    (
        "partial",
        &[
            "partially",
            "partly",
            "in progress",
            "in-progress",
            "ongoing",
            "wip",
            "started",
        ],
    ),
    ("planned", &["not started", "not-started", "future"]),
    ("effective", &["ok", "pass", "passed", "good", "approved"]),
    (
        "needs-change",
        &[
            "fail",
            "failed",
            "needs change",
            "needs_change",
            "changes requested",
        ],
    ),
];

/// The value of `values` that `name` means, as people write it (`N/A`,
/// `both`, `done`), else the one it is a likely typo of.
pub fn value_meant<'a>(name: &str, values: &[&'a str]) -> Option<&'a str> {
    let said = name.trim().to_lowercase();
    MEANINGS
        .iter()
        .filter(|(_, words)| words.contains(&said.as_str()))
        .find_map(|(value, _)| values.iter().find(|v| *v == value).copied())
        .or_else(|| did_you_mean(name, values))
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTIES: [&str; 4] = ["provider", "customer", "shared", "not-applicable"];

    #[test]
    fn a_value_written_as_people_write_it_is_named_as_isms_spells_it() {
        for (said, meant) in [
            ("N/A", "not-applicable"),
            (" n/a ", "not-applicable"),
            ("Both", "shared"),
            ("tenant", "customer"),
            ("Vendor", "provider"),
            // A typo is still a typo.
            ("custmer", "customer"),
        ] {
            assert_eq!(value_meant(said, &PARTIES), Some(meant), "{said}");
        }
        let statuses = ["planned", "partial", "implemented", "not-applicable"];
        assert_eq!(value_meant("Done", &statuses), Some("implemented"));
        assert_eq!(value_meant("in progress", &statuses), Some("partial"));
        assert_eq!(value_meant("N/A", &statuses), Some("not-applicable"));
        let outcomes = ["effective", "needs-change"];
        assert_eq!(value_meant("passed", &outcomes), Some("effective"));
        assert_eq!(value_meant("failed", &outcomes), Some("needs-change"));
        // A meaning that is none of the values is not offered, nor is a
        // word that means nothing.
        assert_eq!(value_meant("done", &PARTIES), None);
        assert_eq!(value_meant("fine", &outcomes), None);
        assert_eq!(value_meant("sometimes", &PARTIES), None);
    }
}
